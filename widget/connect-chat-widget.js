/*!
 * connect-chat widget: an embeddable Amazon Connect chat that talks to the connect-chat relay.
 * No build step, no dependencies. Embed it with one tag, from any origin:
 *
 *   <script src="https://chat.example.com/widget/connect-chat-widget.js"
 *           data-websocket-url="wss://example.execute-api.eu-west-1.amazonaws.com/prod"></script>
 *
 * This file is a small classic script (so that it can read its own tag's data attributes and CSP nonce, and
 * so that existing embeds keep working); it imports the widget's ES modules from ./src/ next to itself.
 * Served from another origin, those modules need the Access-Control-Allow-Origin header.
 */
(function () {
  "use strict";

  var VERSION = "2.0.0";
  if (window.ConnectChatWidget && window.ConnectChatWidget.version) {
    return; // the script was included twice
  }

  var script =
    document.currentScript ||
    document.querySelector("script[data-websocket-url]") ||
    document.querySelector('script[src*="connect-chat-widget"]');
  var moduleUrl = new URL("src/widget.js", (script && script.src) || location.href).href;
  var settle = {};
  var api = {
    version: VERSION,
    /** Resolves with this object once the widget is loaded and its API complete. */
    ready: new Promise(function (resolve, reject) {
      settle.resolve = resolve;
      settle.reject = reject;
    }),
  };
  api.ready.catch(function () {
    /* reported below */
  });
  window.ConnectChatWidget = api;

  function boot() {
    import(moduleUrl)
      .then(function (widget) {
        return widget.mount({
          api: api,
          dataset: (script && script.dataset) || {},
          options: window.ConnectChatWidgetConfig || {},
          nonce: (script && script.nonce) || "",
        });
      })
      .then(
        function () {
          settle.resolve(api);
        },
        function (error) {
          console.error(
            "connect-chat widget: could not load " +
              moduleUrl +
              ". From another origin, the server of the widget's files must send Access-Control-Allow-Origin " +
              "(and the page's Content-Security-Policy must allow them).",
            error
          );
          settle.reject(error);
        }
      );
  }

  if (document.body) boot();
  else document.addEventListener("DOMContentLoaded", boot);
})();
