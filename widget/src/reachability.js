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

/**
 * ``"originRefused"`` when the host behind ``url`` answers over HTTP(S), ``"serviceNotFound"`` when nothing
 * answers there.
 */
export async function diagnoseRefusedHandshake(url) {
  const controller = typeof AbortController === "function" ? new AbortController() : null;
  const timer = setTimeout(() => controller && controller.abort(), PROBE_TIMEOUT_MS);
  try {
    await fetch(httpOriginOf(url) + "/", {
      mode: "no-cors",
      cache: "no-store",
      credentials: "omit",
      signal: controller ? controller.signal : undefined,
    });
    return "originRefused";
  } catch {
    return "serviceNotFound";
  } finally {
    clearTimeout(timer);
  }
}
