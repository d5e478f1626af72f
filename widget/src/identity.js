/**
 * Signed-in customers. Like the hosted communications widget's ``authenticate`` option, the page gives a
 * callback (``ConnectChatWidgetConfig.authenticate`` or ``ConnectChatWidget.setAuthenticate``) that resolves
 * with a JWT its site issued for the customer, or with nothing for a visitor who is not signed in. The widget
 * asks it before every start and sends the token in the ``startChat`` frame as ``customerToken``; it never keeps
 * the token (not in memory after the frame, not in ``sessionStorage``) and the debug log never shows it.
 *
 * The chat's display name is the token's name claim when it has one, instead of the form's: the relay, which
 * verifies the token, takes the name from it as well.
 */
import { MAX_DISPLAY_NAME_CHARS } from "./protocol.js";
import { RelayError } from "./relay-client.js";

/** The relay's limit on ``customerToken``. */
export const MAX_CUSTOMER_TOKEN_CHARS = 8192;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The (unverified) claims of ``token``, or ``{}`` when its payload cannot be read. */
export function claimsOf(token) {
  try {
    const payload = String(token).split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(payload + "=".repeat((4 - (payload.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === "object" && !Array.isArray(claims) ? claims : {};
  } catch {
    return {};
  }
}

/**
 * @param {{authenticate?: Function | null, nameClaim?: string}} options the page's callback, and the claim that
 *   holds the customer's name (``name`` by default, as the relay's ``customerNameClaim``)
 */
export function createIdentity({ authenticate = null, nameClaim = "name" } = {}) {
  let callback = typeof authenticate === "function" ? authenticate : null;

  return {
    /** Set (or, with ``null``, remove) the callback. */
    setAuthenticate(fn) {
      if (fn !== null && fn !== undefined && typeof fn !== "function") {
        throw new TypeError("setAuthenticate takes a function that resolves with a JWT (or null to remove it)");
      }
      callback = fn || null;
    },
    get enabled() {
      return !!callback;
    },
    /** The ``startChat`` fields of a signed-in customer: ``customerToken`` and the token's display name. */
    async startFields() {
      if (!callback) return {};
      let token;
      try {
        token = await callback();
      } catch (error) {
        throw new RelayError("AUTHENTICATION_FAILED", `the authenticate callback failed: ${(error && error.message) || error}`);
      }
      if (token === null || token === undefined || token === "") return {}; // a visitor who is not signed in
      if (typeof token !== "string" || token.length > MAX_CUSTOMER_TOKEN_CHARS || !JWT.test(token)) {
        throw new RelayError(
          "AUTHENTICATION_FAILED",
          `the authenticate callback must resolve with a JWT (three base64url parts, at most ${MAX_CUSTOMER_TOKEN_CHARS} characters) or with nothing`
        );
      }
      const name = claimsOf(token)[nameClaim];
      const fields = { customerToken: token };
      if (typeof name === "string" && name.trim()) fields.displayName = name.trim().slice(0, MAX_DISPLAY_NAME_CHARS);
      return fields;
    },
  };
}
