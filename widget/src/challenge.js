/**
 * The human check. A site that turns it on gives the challenge service's page script and its site key
 * (``data-challenge-script``, ``data-challenge-site-key``); the script must offer Cloudflare Turnstile's
 * explicit-render API (``render(element, {sitekey, callback, "error-callback"})`` and ``reset(id)`` on
 * ``window.turnstile``, or on the global named by ``data-challenge-api``), as the local stack's stand-in does.
 * Before every start the widget loads the script once (with the page's CSP nonce), shows the challenge in its
 * panel, and sends the token it yields as ``challengeToken``; a token passes once, so each start gets a fresh
 * one (``reset``). A page with another kind of check gives ``ConnectChatWidgetConfig.challenge``, a function
 * that resolves with a token.
 *
 * The challenge's element lives in the page's DOM (a child of the widget's host element, shown in the panel
 * through a slot), where the service's script can reach it; the service draws its own frame in it.
 */
import { RelayError } from "./relay-client.js";

/** How long a customer has to pass the check before the start gives up. */
const TIMEOUT_MS = 120000;
const POLICY_NAME = "connect-chat-widget";
const configuredScripts = new Set();
let policy = null;

/** ``url`` as what a script's ``src`` takes under Trusted Types (the widget's policy allows configured URLs only). */
function scriptUrl(url) {
  const types = window.trustedTypes;
  if (!types || typeof types.createPolicy !== "function") return url;
  configuredScripts.add(url);
  try {
    policy =
      policy ||
      types.createPolicy(POLICY_NAME, {
        createScriptURL: (value) => {
          if (!configuredScripts.has(value)) throw new TypeError(`${value} is not the configured challenge script`);
          return value;
        },
      });
    return policy.createScriptURL(url);
  } catch {
    return url; // the page's policy names allow no other; the browser then reports the blocked script
  }
}

function loadScript(url, nonce) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.async = true;
    if (nonce) script.nonce = nonce;
    script.addEventListener("load", resolve);
    script.addEventListener("error", () => reject(new Error(`${url} did not load`)));
    script.src = scriptUrl(url);
    document.head.appendChild(script);
  });
}

/** The challenge script's URL when it is an http(s) address (relative ones resolve against the page), else ``""``. */
export function challengeScriptUrl(value) {
  if (!value) return "";
  try {
    const url = new URL(value, location.href);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : "";
  } catch {
    return "";
  }
}

/**
 * @param {{config: object, host: HTMLElement, onVisible: (shown: boolean) => void}} options the configuration
 *   (``challenge``, ``challengeScript``, ``challengeSiteKey``, ``challengeApi``, ``nonce``, ``theme``), the
 *   widget's host element, and what shows or hides the challenge's place in the panel
 */
export function createChallenge({ config, host, onVisible }) {
  const custom = typeof config.challenge === "function" ? config.challenge : null;
  const script = challengeScriptUrl(config.challengeScript);
  const siteKey = config.challengeSiteKey;
  if (config.challengeScript && !script) {
    console.error(`connect-chat widget: data-challenge-script ${JSON.stringify(config.challengeScript)} is not an http(s) URL`);
  }
  if (!!script !== !!siteKey && !custom) {
    console.error("connect-chat widget: the human check needs both data-challenge-script and data-challenge-site-key");
  }
  const enabled = !!custom || (!!script && !!siteKey);
  let api = null; // a promise of the script's global
  let box = null;
  let widgetId = null;
  let pending = null; // {promise, resolve, reject} while a token is awaited

  function element() {
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("slot", "challenge");
      box.className = "connect-chat-challenge";
      host.appendChild(box);
    }
    return box;
  }

  function loadApi() {
    const name = config.challengeApi || "turnstile";
    if (!api) {
      api = (window[name] ? Promise.resolve() : loadScript(script, config.nonce)).then(() => {
        if (!window[name] || typeof window[name].render !== "function") throw new Error(`${script} defines no ${name}.render`);
        return window[name];
      });
      api.catch(() => {
        api = null; // a later start tries again
      });
    }
    return api;
  }

  async function fromScript() {
    let service;
    try {
      service = await loadApi();
    } catch (error) {
      throw new RelayError("CHALLENGE_UNAVAILABLE", `the human check could not be loaded: ${error.message}`);
    }
    let resolve;
    let reject;
    const promise = new Promise((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    pending = { promise, resolve, reject };
    const timer = setTimeout(() => reject(new RelayError("CHALLENGE_UNAVAILABLE", "no challenge token within two minutes")), TIMEOUT_MS);
    onVisible(true);
    try {
      if (widgetId === null) {
        widgetId = service.render(element(), {
          sitekey: siteKey,
          theme: config.theme,
          callback: (token) => pending && pending.resolve(token),
          "error-callback": (code) => pending && pending.reject(new RelayError("CHALLENGE_FAILED", `the human check failed (${code})`)),
        });
      } else {
        service.reset(widgetId); // a token passes once: a fresh one for this start
      }
      const token = await promise;
      if (typeof token !== "string" || !token) throw new RelayError("CHALLENGE_FAILED", "the human check gave no token");
      return token;
    } catch (error) {
      if (error instanceof RelayError) throw error;
      throw new RelayError("CHALLENGE_UNAVAILABLE", `the human check failed: ${error.message}`);
    } finally {
      clearTimeout(timer);
      pending = null;
      onVisible(false);
    }
  }

  async function fromFunction() {
    let token;
    try {
      token = await custom();
    } catch (error) {
      throw new RelayError("CHALLENGE_UNAVAILABLE", `the challenge function failed: ${(error && error.message) || error}`);
    }
    if (typeof token !== "string" || !token) throw new RelayError("CHALLENGE_UNAVAILABLE", "the challenge function gave no token");
    return token;
  }

  let inFlight = null;

  return {
    enabled,
    /** Stop waiting for the customer to pass the check (the start was given up); its place in the panel hides. */
    cancel() {
      if (pending) pending.reject(new RelayError("CANCELLED", "the start was given up"));
    },
    /** A fresh challenge token (one attempt at a time: a second caller shares the first's). */
    token() {
      if (!inFlight) {
        inFlight = (custom ? fromFunction() : fromScript()).finally(() => {
          inFlight = null;
        });
      }
      return inFlight;
    },
  };
}
