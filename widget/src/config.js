/**
 * The widget's configuration: the data attributes of its script tag, overridden by the object a page may set
 * as ``window.ConnectChatWidgetConfig`` before the tag (the only way to pass functions, such as a field's
 * ``validate``, or languages of its own).
 */

export const DEFAULT_KEEPALIVE_SECONDS = 480;

const THEMES = ["light", "dark", "auto"];
const NOTIFICATIONS = ["title", "sound"];

function flag(value) {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  return value === "" || value === "true" || value === "1" || value === "yes";
}

function json(name, raw, expect) {
  if (raw === undefined || raw === null || raw === "") return undefined;
  if (typeof raw !== "string") return raw;
  try {
    const parsed = JSON.parse(raw);
    if (expect === "array" ? Array.isArray(parsed) : parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      return parsed;
    }
  } catch {
    /* reported below */
  }
  console.warn(`connect-chat widget: ${name} is not a JSON ${expect}; ignored`);
  return undefined;
}

function stringMap(name, value) {
  if (!value) return null;
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined) continue;
    out[key] = String(item);
  }
  if (!Object.keys(out).length) console.warn(`connect-chat widget: ${name} is empty; ignored`);
  return Object.keys(out).length ? out : null;
}

function pick(options, data, name, attribute) {
  return options[name] !== undefined ? options[name] : data[attribute];
}

/**
 * The configuration from ``data`` (the tag's ``dataset``) and ``options`` (the page's JavaScript object).
 *
 * @param {DOMStringMap | Record<string, string>} data
 * @param {Record<string, unknown>} options
 * @param {{nonce?: string}} tag what else the tag carries (its CSP nonce)
 */
export function readConfig(data = {}, options = {}, tag = {}) {
  options = options && typeof options === "object" ? options : {};
  const websocketUrl = String(pick(options, data, "websocketUrl", "websocketUrl") || "").trim();
  const theme = String(pick(options, data, "theme", "theme") || "light").toLowerCase();
  const launcher = pick(options, data, "launcher", "launcher") || "";
  const bubble = String(pick(options, data, "bubble", "bubble") || (launcher ? "hidden" : "visible")).toLowerCase();
  const notify = String(pick(options, data, "notify", "notify") || "")
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((token) => NOTIFICATIONS.includes(token));
  const keepalive = Number(pick(options, data, "keepaliveSeconds", "keepaliveSeconds"));
  const openOnLoad = flag(pick(options, data, "openOnLoad", "openOnLoad")) ?? flag(data.startOpen) ?? false;
  if (!THEMES.includes(theme)) console.warn(`connect-chat widget: data-theme is one of ${THEMES.join(", ")}`);
  for (const name of ["authenticate", "challenge"]) {
    if (options[name] !== undefined && typeof options[name] !== "function") {
      console.warn(`connect-chat widget: ConnectChatWidgetConfig.${name} must be a function; ignored`);
    }
  }
  return {
    websocketUrl,
    title: pick(options, data, "title", "title") || null,
    displayNamePrompt: pick(options, data, "displayNamePrompt", "displayNamePrompt") || null,
    displayName: String(pick(options, data, "displayName", "displayName") || ""),
    attributes: stringMap("data-attributes", json("data-attributes", pick(options, data, "attributes", "attributes"), "object")),
    preChatForm: json("data-pre-chat-form", pick(options, data, "preChatForm", "preChatForm"), "array") || null,
    openOnLoad,
    position: pick(options, data, "position", "position") === "left" ? "left" : "right",
    storageKey: "connect-chat-widget:" + (pick(options, data, "storageKey", "storageKey") || websocketUrl),
    language: pick(options, data, "language", "language") || null,
    languages: options.languages && typeof options.languages === "object" ? options.languages : {},
    theme: THEMES.includes(theme) ? theme : "light",
    launcher: typeof launcher === "string" ? launcher : "",
    bubble: bubble === "hidden" ? "hidden" : "visible",
    notify,
    debug: flag(pick(options, data, "debug", "debug")) ?? false,
    keepaliveSeconds: Number.isFinite(keepalive) && keepalive >= 0 ? keepalive : DEFAULT_KEEPALIVE_SECONDS,
    nonce: String(options.nonce || tag.nonce || ""),
    authenticate: typeof options.authenticate === "function" ? options.authenticate : null,
    customerNameClaim: String(pick(options, data, "customerNameClaim", "customerNameClaim") || "name"),
    challenge: typeof options.challenge === "function" ? options.challenge : null,
    challengeScript: String(pick(options, data, "challengeScript", "challengeScript") || "").trim(),
    challengeSiteKey: String(pick(options, data, "challengeSiteKey", "challengeSiteKey") || "").trim(),
    challengeApi: String(pick(options, data, "challengeApi", "challengeApi") || "turnstile").trim(),
  };
}
