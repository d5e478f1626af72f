/**
 * The string field limits of interactive messages. The Amazon Connect administrator guide leaves them to the
 * client ("expected to be enforced by the client"): a longer field is shown cut, with an ellipsis appended, as
 * the hosted communications widget shows it. The numbers are those of ``connect_chat.interactive.limits``.
 */

export const ELLIPSIS = "...";
export const TITLE_LIMIT = 400;
export const QUICK_REPLY_OPTION_LIMIT = 200;

/** Template type → field path → characters shown (``[]`` stands for every item of a list). */
export const FIELD_LIMITS = Object.freeze({
  ListPicker: {
    "data.content.title": TITLE_LIMIT,
    "data.content.subtitle": TITLE_LIMIT,
    "data.content.elements[].title": TITLE_LIMIT,
    "data.content.elements[].subtitle": TITLE_LIMIT,
  },
  Panel: {
    "data.content.title": TITLE_LIMIT,
    "data.content.subtitle": TITLE_LIMIT,
    "data.content.elements[].title": TITLE_LIMIT,
  },
  TimePicker: {
    "data.content.title": TITLE_LIMIT,
    "data.content.subtitle": TITLE_LIMIT,
  },
  QuickReply: {
    "data.content.title": TITLE_LIMIT,
    "data.content.elements[].title": QUICK_REPLY_OPTION_LIMIT,
  },
  Carousel: {
    "data.content.title": TITLE_LIMIT,
  },
});

/** ``text`` cut to ``limit`` characters (Unicode code points) with an ellipsis appended, when it is longer. */
export function truncate(text, limit) {
  const value = String(text);
  const characters = Array.from(value);
  if (characters.length <= limit) return value;
  return characters.slice(0, limit).join("").trimEnd() + ELLIPSIS;
}

/** ``value`` as a client shows the field ``path`` of a ``templateType`` template (``""`` when absent). */
export function shown(templateType, path, value) {
  if (value == null) return "";
  const limit = (FIELD_LIMITS[templateType] || {})[path];
  return limit ? truncate(value, limit) : String(value);
}
