/**
 * Why a WebSocket handshake failed, when the browser will not say: a page only ever sees close code 1006.
 *
 * The widget asks the same host over HTTP(S) with a ``no-cors`` fetch. A host that answers anything (API
 * Gateway answers 403 to a plain request, the local gateway 404) exists, so the handshake was refused: the
 * page's origin is not allowed (or the address's path is wrong). A fetch that fails outright means there is
 * nothing there: an unknown name, a closed port, a typo in the address.
 */

const PROBE_TIMEOUT_MS = 8000;

/** The HTTP(S) origin serving the WebSocket URL ``url`` (``wss:`` → ``https:``, ``ws:`` → ``http:``). */
export function httpOriginOf(url) {
  const parsed = new URL(url);
  const scheme = parsed.protocol === "wss:" ? "https:" : "http:";
  return `${scheme}//${parsed.host}`;
}

/** Waits for the violation events a blocked fetch queues (they arrive in a later task than its rejection). */
const VIOLATION_GRACE_MS = 100;

/** ``"answered"``, ``"failed"`` (nothing there), or ``"blocked"`` (the page's Content-Security-Policy forbids it). */
async function probe(target) {
  let blocked = false;
  const onViolation = (event) => {
    if (event.blockedURI && target.startsWith(event.blockedURI)) blocked = true;
  };
  document.addEventListener("securitypolicyviolation", onViolation);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), PROBE_TIMEOUT_MS);
  try {
    await fetch(target, { mode: "no-cors", cache: "no-store", credentials: "omit", signal: controller.signal });
    return "answered";
  } catch {
    await new Promise((resolve) => setTimeout(resolve, VIOLATION_GRACE_MS));
    return blocked ? "blocked" : "failed";
  } finally {
    clearTimeout(timer);
    document.removeEventListener("securitypolicyviolation", onViolation);
  }
}

/**
 * ``"originRefused"`` when the host behind ``url`` answers over HTTP(S), ``"serviceNotFound"`` when nothing
 * answers there, ``"refusedOrNotFound"`` when the page's Content-Security-Policy allows neither question. The
 * host's root is asked first, then the URL's own path (a ``connect-src`` may allow one and not the other).
 */
export async function diagnoseRefusedHandshake(url) {
  const origin = httpOriginOf(url);
  const path = new URL(url).pathname;
  const results = [];
  for (const target of path && path !== "/" ? [origin + "/", origin + path] : [origin + "/"]) {
    const result = await probe(target);
    if (result === "answered") return "originRefused";
    results.push(result);
  }
  return results.includes("failed") ? "serviceNotFound" : "refusedOrNotFound";
}
