/**
 * What the customer reads when a chat cannot start: the relay's refusal codes (and the widget's own, for a
 * sign-in callback or a human check that failed in the page) as strings keys, with the minutes to wait when the
 * relay says how long (``retryAfter``, seconds).
 */

/** Codes whose message needs no number (BUDGET_EXCEEDED and BUSY say the minutes to wait: below). */
const KEYS = {
  THROTTLED: "busy",
  RATE_LIMITED: "busy",
  LIMIT_EXCEEDED: "busy",
  CUSTOMER_TOKEN_REQUIRED: "signInRequired",
  INVALID_CUSTOMER_TOKEN: "signInInvalid",
  AUTHENTICATION_UNAVAILABLE: "signInUnavailable",
  AUTHENTICATION_FAILED: "signInFailed", // the page's authenticate callback failed
  CHALLENGE_REQUIRED: "challengeRequired",
  CHALLENGE_FAILED: "challengeFailed",
  CHALLENGE_UNAVAILABLE: "challengeUnavailable", // also: the challenge script could not be loaded or run
  INVALID_CONTINUATION_TOKEN: "continuationGone",
};

/** Minutes to wait, rounded up, from ``retryAfter`` seconds (``fallback`` seconds when the relay gave none). */
function minutes(retryAfter, fallback) {
  const seconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : fallback;
  return Math.max(1, Math.ceil(seconds / 60));
}

/** ``{key, params?}`` (a strings key) for a start refused with ``error`` (a RelayError: ``code``, ``retryAfter``). */
export function refusalMessage(error) {
  const code = (error && error.code) || "";
  if (code === "BUDGET_EXCEEDED") return { key: "tooManyChats", params: { minutes: minutes(error.retryAfter, 60) } };
  if (code === "BUSY") {
    return Number.isFinite(error.retryAfter) && error.retryAfter > 0
      ? { key: "busyRetry", params: { minutes: minutes(error.retryAfter, 60) } }
      : { key: "busy" };
  }
  return { key: KEYS[code] || "startFailed" };
}
