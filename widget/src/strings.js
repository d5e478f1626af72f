/**
 * Languages: one table of strings per language (``./i18n/<tag>.js``), the choice of one (the page's setting,
 * else the browser's languages), right-to-left direction, and languages a site adds itself.
 */
import en from "./i18n/en.js";

export const SHIPPED_LANGUAGES = Object.freeze(["en", "es", "fr", "de", "ja", "pt-BR"]);
/** Languages written right to left (primary subtags); a site adding one may also say so with ``dir``. */
const RTL_LANGUAGES = ["ar", "arc", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"];

const registry = new Map([["en", { tag: "en", dir: "ltr", strings: en }]]);

function canonical(tag) {
  try {
    return Intl.getCanonicalLocales(String(tag))[0];
  } catch {
    return String(tag);
  }
}

function primary(tag) {
  return String(tag).toLowerCase().split("-")[0];
}

/** The direction of ``tag`` when its table does not say: ``rtl`` for right-to-left scripts. */
export function directionOf(tag) {
  return RTL_LANGUAGES.includes(primary(tag)) ? "rtl" : "ltr";
}

/**
 * Add (or replace) the language ``tag``. Keys it lacks fall back to English.
 *
 * @param {string} tag a BCP 47 language tag, e.g. ``ar`` or ``it-CH``
 * @param {Record<string, string>} strings the table, with the keys of ``i18n/en.js``
 * @param {{dir?: "ltr" | "rtl"}} [options] the writing direction (by default from the tag)
 */
export function addLanguage(tag, strings, options = {}) {
  const name = canonical(tag);
  const dir = options.dir === "rtl" || options.dir === "ltr" ? options.dir : directionOf(name);
  registry.set(name.toLowerCase(), { tag: name, dir, strings: Object.freeze({ ...strings }) });
  return name;
}

/** Every language the widget can show now or load: the shipped ones and those a site added. */
export function availableLanguages() {
  const tags = new Set(SHIPPED_LANGUAGES);
  for (const entry of registry.values()) tags.add(entry.tag);
  return [...tags];
}

/**
 * The language to show: the first of ``wanted`` (the page's choice, then the browser's languages) that the
 * widget has, exactly or by its primary language (``pt-PT`` gets ``pt-BR``, ``es-MX`` gets ``es``); else English.
 */
export function chooseLanguage(wanted) {
  const available = availableLanguages();
  for (const candidate of wanted.filter(Boolean)) {
    const exact = available.find((tag) => tag.toLowerCase() === String(candidate).toLowerCase());
    if (exact) return exact;
    const base = primary(candidate);
    const sameBase = available.find((tag) => tag.toLowerCase() === base) || available.find((tag) => primary(tag) === base);
    if (sameBase) return sameBase;
  }
  return "en";
}

/** The table of ``tag``, loading a shipped one on first use; English when it cannot be loaded. */
export async function loadLanguage(tag) {
  const key = String(tag).toLowerCase();
  if (!registry.has(key) && SHIPPED_LANGUAGES.some((t) => t.toLowerCase() === key)) {
    try {
      const module = await import(new URL(`./i18n/${tag}.js`, import.meta.url).href);
      addLanguage(tag, module.default);
    } catch (error) {
      console.error(`connect-chat widget: the ${tag} strings could not be loaded`, error);
    }
  }
  return registry.get(key) || registry.get("en");
}

/** A copy of the table of ``tag`` (English where it has no entry), or ``null`` when it is not loaded. */
export function stringsOf(tag) {
  const entry = registry.get(String(tag).toLowerCase());
  return entry ? { ...en, ...entry.strings } : null;
}

/** ``t(key, params)`` for a loaded language: its string with ``{name}`` placeholders filled in. */
export function translator(language) {
  const table = language.strings;
  return function t(key, params) {
    const template = table[key] ?? en[key] ?? key;
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (params[name] === undefined ? whole : String(params[name])));
  };
}

/**
 * The locale to format dates and times in for the language ``tag``: the browser's own variant of it when it has
 * one (``en-GB`` for English on a British browser, so times read 14:05 rather than 2:05 PM), else ``tag``.
 */
export function formattingLocale(tag, browserLanguages = navigator.languages || [navigator.language]) {
  const base = primary(tag);
  const variant = browserLanguages.find((candidate) => candidate && primary(candidate) === base);
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([variant || tag, tag])[0] || "en";
  } catch {
    return "en";
  }
}

/**
 * A text a site gave either as one string or per language (``{"en": "Topic", "fr": "Sujet"}``), in ``tag``.
 */
export function localized(value, tag) {
  if (value == null) return "";
  if (typeof value !== "object") return String(value);
  const lower = Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), v]));
  const pick = lower[String(tag).toLowerCase()] ?? lower[primary(tag)] ?? lower.en ?? Object.values(value)[0];
  return pick == null ? "" : String(pick);
}
