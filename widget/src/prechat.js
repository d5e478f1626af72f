/**
 * The pre-chat form: the fields a site asks for before a chat starts, their labels, types and validation.
 *
 * A field is ``{name, type?, label?, required?, maxLength?, minLength?, pattern?, patternMessage?, min?, max?,
 * options?, placeholder?, autocomplete?, value?, send?, validate?}``. ``displayName`` is the customer's name in
 * the chat; every other field is a contact attribute sent with ``startChat``, unless ``send`` is ``false`` (a
 * consent box, say, that must be ticked but is none of the contact's business). Labels and messages are a
 * string or one per language (``{"en": "Topic", "fr": "Sujet"}``). ``validate(value, values)`` (JavaScript
 * configuration only) returns an error message, or nothing when the value is fine.
 */
import { el, setText } from "./dom.js";
import { MAX_DISPLAY_NAME_CHARS } from "./protocol.js";
import { localized } from "./strings.js";

export const FIELD_TYPES = Object.freeze(["text", "email", "tel", "url", "number", "select", "textarea", "checkbox"]);
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** What well-known names default to (the local stack's attribute allowlist uses the same limits). */
const KNOWN_FIELDS = {
  displayName: { maxLength: MAX_DISPLAY_NAME_CHARS, autocomplete: "name", required: true },
  customerName: { maxLength: 256, autocomplete: "name" },
  email: { type: "email", maxLength: 254, autocomplete: "email" },
  topic: { maxLength: 100 },
  page: { maxLength: 256 },
  locale: { maxLength: 35 },
};
const TYPE_DEFAULTS = {
  email: { inputMode: "email", autocomplete: "email" },
  tel: { inputMode: "tel", autocomplete: "tel", maxLength: 32 },
  url: { inputMode: "url", autocomplete: "url", maxLength: 2048 },
  number: { inputMode: "decimal" },
  textarea: { maxLength: 1024 },
};
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TEL = /^\+?[0-9 ().-]{5,32}$/;

/**
 * The form's fields from the configuration: ``spec`` (the ``preChatForm`` array), or the single name field.
 * Fields with an unusable definition are left out with a console warning naming the problem.
 */
export function normalizeFields(spec, config) {
  const given = Array.isArray(spec) && spec.length ? spec : [{ name: "displayName" }];
  const fields = [];
  for (const raw of given) {
    if (!raw || typeof raw !== "object" || !NAME_PATTERN.test(String(raw.name || ""))) {
      console.warn("connect-chat widget: a pre-chat field needs a name of letters, digits, - or _", raw);
      continue;
    }
    const known = KNOWN_FIELDS[raw.name] || {};
    const type = raw.type || known.type || "text";
    if (!FIELD_TYPES.includes(type)) {
      console.warn(`connect-chat widget: pre-chat field ${raw.name}: type is one of ${FIELD_TYPES.join(", ")}`);
      continue;
    }
    const field = { ...TYPE_DEFAULTS[type], ...known, ...raw, type };
    if (field.maxLength === undefined && type !== "checkbox" && type !== "select") field.maxLength = 256;
    if (field.name === "displayName") {
      if (field.label === undefined && config.displayNamePrompt) field.label = config.displayNamePrompt;
      if (field.value === undefined && config.displayName) field.value = config.displayName;
    }
    if (type === "select") field.options = normalizeOptions(field);
    if (field.pattern !== undefined) field.regex = compilePattern(field);
    fields.push(field);
  }
  return fields;
}

function normalizeOptions(field) {
  const options = Array.isArray(field.options) ? field.options : [];
  if (!options.length) console.warn(`connect-chat widget: pre-chat field ${field.name} (select) has no options`);
  return options.map((option) =>
    option && typeof option === "object" ? { value: String(option.value), label: option.label ?? String(option.value) } : { value: String(option), label: String(option) }
  );
}

function compilePattern(field) {
  try {
    return new RegExp(`^(?:${field.pattern})$`, "u");
  } catch {
    console.warn(`connect-chat widget: pre-chat field ${field.name}: pattern is not a valid regular expression`);
    return null;
  }
}

/** The problem with ``value`` for ``field``: ``{key, params}`` (a strings key), ``{message}``, or ``null``. */
export function problemWith(field, value, values, language) {
  if (field.type === "checkbox") return field.required && !value ? { key: "invalid.check" } : null;
  const text = String(value ?? "").trim();
  if (!text) {
    if (!field.required) return null;
    return { key: field.type === "select" ? "invalid.choose" : "invalid.required" };
  }
  if (field.maxLength && text.length > field.maxLength) return { key: "invalid.tooLong", params: { max: field.maxLength } };
  if (field.minLength && text.length < field.minLength) return { key: "invalid.tooShort", params: { min: field.minLength } };
  if (field.type === "email" && !EMAIL.test(text)) return { key: "invalid.email" };
  if (field.type === "tel" && !TEL.test(text)) return { key: "invalid.tel" };
  if (field.type === "url" && !isWebAddress(text)) return { key: "invalid.url" };
  if (field.type === "number") {
    const number = Number(text);
    if (!Number.isFinite(number)) return { key: "invalid.number" };
    if (field.min !== undefined && number < Number(field.min)) return { key: "invalid.min", params: { min: field.min } };
    if (field.max !== undefined && number > Number(field.max)) return { key: "invalid.max", params: { max: field.max } };
  }
  if (field.type === "select" && !field.options.some((option) => option.value === text)) return { key: "invalid.choose" };
  if (field.regex && !field.regex.test(text)) {
    return field.patternMessage ? { message: localized(field.patternMessage, language) } : { key: "invalid.pattern" };
  }
  if (typeof field.validate === "function") {
    try {
      const message = field.validate(text, values);
      if (message) return { message: String(message) };
    } catch (error) {
      console.error(`connect-chat widget: the validate function of pre-chat field ${field.name} failed`, error);
    }
  }
  return null;
}

function isWebAddress(text) {
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

/**
 * The form's DOM and behaviour. ``onSubmit({displayName, attributes})`` runs when every field is valid.
 *
 * @returns {{node: HTMLFormElement, applyStrings(t, language): void, setBusy(busy: boolean): void,
 *            showRefused(name: string | null): void, focusFirst(): void}}
 */
export function createPreChatForm({ fields, ids, onSubmit }) {
  let t = (key) => key;
  let language = "en";
  const controls = new Map();
  const submit = el("button", { type: "submit", className: "primary" });
  const rows = fields.map((field) => row(field));
  const form = el("form", { className: "start", novalidate: true, onsubmit: submitted }, [...rows, submit]);

  function row(field) {
    const id = `${ids.field}-${field.name}`;
    const errorId = `${id}-error`;
    const control = controlFor(field, id, errorId);
    const label = el("label", { for: id });
    const error = el("div", { className: "field-error", id: errorId });
    controls.set(field.name, { field, control, label, error, refused: false });
    control.addEventListener(field.type === "select" || field.type === "checkbox" ? "change" : "input", () => {
      const entry = controls.get(field.name);
      entry.refused = false;
      if (control.getAttribute("aria-invalid") === "true") check(entry);
    });
    const children = field.type === "checkbox" ? [control, label, error] : [label, control, error];
    return el("div", { className: field.type === "checkbox" ? "field check" : "field" }, children);
  }

  function controlFor(field, id, errorId) {
    const common = {
      id,
      name: field.name,
      required: !!field.required,
      "aria-required": field.required ? "true" : null,
      "aria-describedby": errorId,
      autocomplete: field.autocomplete || null,
    };
    if (field.type === "select") return el("select", common);
    if (field.type === "textarea") {
      return el("textarea", { ...common, rows: "3", maxlength: field.maxLength || null, text: field.value ?? null });
    }
    if (field.type === "checkbox") return el("input", { ...common, type: "checkbox", checked: !!field.value });
    return el("input", {
      ...common,
      type: field.type,
      inputmode: field.inputMode || null,
      maxlength: field.maxLength || null,
      minlength: field.minLength || null,
      min: field.min ?? null,
      max: field.max ?? null,
      value: field.value ?? null,
      spellcheck: field.type === "text" || field.type === "textarea" ? null : "false",
    });
  }

  function valueOf({ field, control }) {
    if (field.type === "checkbox") return control.checked;
    return control.value;
  }

  function values() {
    const out = {};
    for (const [name, entry] of controls) out[name] = valueOf(entry);
    return out;
  }

  function check(entry, all = values()) {
    const problem = entry.refused ? { key: "invalid.refused" } : problemWith(entry.field, valueOf(entry), all, language);
    const message = problem ? problem.message || t(problem.key, problem.params) : "";
    setText(entry.error, message);
    if (problem) entry.control.setAttribute("aria-invalid", "true");
    else entry.control.removeAttribute("aria-invalid");
    return !problem;
  }

  function submitted(event) {
    event.preventDefault();
    const all = values();
    let firstInvalid = null;
    for (const entry of controls.values()) {
      if (!check(entry, all) && !firstInvalid) firstInvalid = entry.control;
    }
    if (firstInvalid) {
      firstInvalid.focus();
      return;
    }
    const attributes = {};
    let displayName = "";
    for (const { field } of controls.values()) {
      const value = all[field.name];
      if (field.name === "displayName") displayName = String(value).trim();
      else if (field.send === false) continue;
      else if (field.type === "checkbox") {
        if (value) attributes[field.name] = "true";
      } else if (String(value).trim()) attributes[field.name] = String(value).trim();
    }
    onSubmit({ displayName, attributes });
  }

  function applyStrings(translate, tag) {
    t = translate;
    language = tag;
    for (const entry of controls.values()) {
      const { field, control, label } = entry;
      const text = field.label !== undefined ? localized(field.label, tag) : defaultLabel(field.name);
      label.textContent = text;
      if (!field.required && field.type !== "checkbox") label.appendChild(el("span", { className: "optional", text: " " + t("optional") }));
      if (field.placeholder !== undefined) control.setAttribute("placeholder", localized(field.placeholder, tag));
      if (field.type === "select") fillOptions(field, control);
      if (control.getAttribute("aria-invalid") === "true") check(entry);
    }
  }

  function defaultLabel(name) {
    if (name === "displayName") return t("displayNamePrompt");
    const key = `field.${name}`;
    const text = t(key);
    return text === key ? name : text;
  }

  function fillOptions(field, select) {
    const chosen = select.value || (field.value !== undefined ? String(field.value) : "");
    select.textContent = "";
    select.appendChild(el("option", { value: "", text: t("chooseOption") }));
    for (const option of field.options) {
      select.appendChild(el("option", { value: option.value, text: localized(option.label, language) }));
    }
    select.value = chosen;
  }

  return {
    node: form,
    submitButton: submit,
    applyStrings,
    setBusy(busy) {
      submit.disabled = busy;
      for (const { control } of controls.values()) control.disabled = busy;
    },
    /** Mark the field the chat service refused (or none), as the relay's VALIDATION_ERROR named it. */
    showRefused(name) {
      const entry = name && controls.get(name);
      if (!entry) return false;
      entry.refused = true;
      check(entry);
      entry.control.focus();
      return true;
    },
    focusFirst() {
      const first = [...controls.values()].find((entry) => !entry.control.disabled);
      if (first) first.control.focus();
    },
    contains(node) {
      return form.contains(node);
    },
  };
}
