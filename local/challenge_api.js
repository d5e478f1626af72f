// python -m local serves this at /_local/challenge/api.js: a stand-in for a human-check widget script with the
// subset of Cloudflare Turnstile's explicit-render API a page needs (render, getResponse, reset, remove, ?onload=).
// turnstile.render(container, {sitekey, callback, "error-callback"}) gets a token from the local challenge
// service (POST /_local/challenge/token) and passes it to callback. Local only: no deployment serves it.
(() => {
  const script = document.currentScript;
  const origin = new URL(script.src).origin;
  const widgets = new Map();
  let last = 0;
  async function solve(id) {
    const widget = widgets.get(id);
    try {
      const answer = await fetch(`${origin}/_local/challenge/token`, {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({sitekey: widget.options.sitekey}),
      });
      if (!answer.ok) throw new Error(`the local challenge service answered ${answer.status}`);
      widget.token = (await answer.json()).token;
      if (widgets.has(id) && widget.options.callback) widget.options.callback(widget.token);
    } catch (error) {
      if (widget.options["error-callback"]) widget.options["error-callback"](String(error));
    }
  }
  window.turnstile = {
    render(_container, options) {
      const id = String(++last);
      widgets.set(id, {options: options || {}, token: undefined});
      solve(id);
      return id;
    },
    getResponse(id) { return widgets.get(id)?.token; },
    reset(id) {
      const widget = widgets.get(id);
      if (widget) { widget.token = undefined; solve(id); }
    },
    remove(id) { widgets.delete(id); },
  };
  const onload = new URL(script.src).searchParams.get("onload");
  if (onload && typeof window[onload] === "function") window[onload]();
})();
