/**
 * The customer's answer to an interactive message, ``application/vnd.amazonaws.connect.message.interactive.response``,
 * in the shape ``connect_chat.interactive.Selection`` reads and writes (the one Amazon's chat interface sends):
 * ``{"templateIdentifier"?, "listTitle", "selectionText"}``: the option chosen, the title of the template (or
 * carousel card) it was in, and, in a carousel, the card's ``templateIdentifier``. A time picker's option is
 * the slot's ``date``. A paged list's "show more" button answers ``{"version", "data": {"actionName", …},
 * "action"}``, which is read here too.
 */
import { MAX_MESSAGE_CHARS } from "../../protocol.js";
import { shown } from "./limits.js";

/**
 * The answer's JSON text: ``selectionText`` chosen in the template (or card) titled ``listTitle``.
 * Full texts are sent; an answer that would not fit in a message is sent with the fields as shown (cut).
 */
export function selectionJson({ listTitle, selectionText, templateIdentifier, templateType }) {
  const build = (title, text) =>
    JSON.stringify({
      ...(templateIdentifier ? { templateIdentifier } : {}),
      listTitle: title,
      selectionText: text,
    });
  const full = build(listTitle, selectionText);
  if (full.length <= MAX_MESSAGE_CHARS) return full;
  return build(shown(templateType, "data.content.title", listTitle), shown(templateType, "data.content.elements[].title", selectionText));
}

/**
 * Read an answer: ``{kind: "selection", listTitle, selectionText, templateIdentifier}``,
 * ``{kind: "action", action}``, ``{kind: "other", data}``, or ``null`` when it is not a JSON object.
 */
export function parseResponse(content) {
  let data;
  try {
    data = JSON.parse(content);
  } catch {
    return null;
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) return null;
  if (typeof data.selectionText === "string") {
    return {
      kind: "selection",
      selectionText: data.selectionText,
      listTitle: typeof data.listTitle === "string" ? data.listTitle : "",
      templateIdentifier: typeof data.templateIdentifier === "string" ? data.templateIdentifier : null,
    };
  }
  if (typeof data.action === "string") return { kind: "action", action: data.action };
  return { kind: "other", data };
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * The answer as the conversation shows it: the option (a time picker's slot as a date and time in ``locale``),
 * ``"California - Book flights"`` for a carousel card's option; ``t`` words the other kinds.
 */
export function responseText(response, t, locale) {
  if (!response) return t("imAnswer");
  if (response.kind === "action") return response.action === "PREVIOUS_OPTIONS" ? t("imPreviousOptions") : t("imShowMore");
  if (response.kind === "other") {
    for (const key of ["selectionText", "text", "title", "value"]) {
      const value = response.data[key];
      if (typeof value === "string" && value.trim()) return value;
    }
    return t("imAnswer");
  }
  let choice = response.selectionText;
  if (ISO_DATE_TIME.test(choice) && !Number.isNaN(Date.parse(choice))) {
    choice = new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short" }).format(new Date(choice));
  }
  if (response.templateIdentifier && response.listTitle) {
    return `${response.listTitle}${response.listTitle.endsWith(":") ? " " : " - "}${choice}`;
  }
  return choice;
}
