/**
 * A template this widget does not know (the guide also lists Apple and WhatsApp ones), or one too broken to
 * offer: its title and its options' titles as text, so the customer still reads what was asked.
 */
import { isObject, objects, str } from "./parts.js";

/** ``{title, options}`` from the message's JSON object (either may be empty). */
export function readFallback(template) {
  const data = isObject(template) && isObject(template.data) ? template.data : {};
  const body = isObject(data.content) ? data.content : {};
  return {
    title: str(body.title),
    options: objects(body.elements)
      .map((element) => str(element.title))
      .filter(Boolean),
  };
}

export function renderFallback(model, ui) {
  const { el, t } = ui;
  if (!model.title && !model.options.length) return [el("span", { className: "content-text", text: t("unsupported") })];
  return [
    model.title ? el("p", { className: "im-title", text: model.title }) : null,
    model.options.length ? el("ul", { className: "im-fallback-options" }, model.options.map((option) => el("li", { text: option }))) : null,
  ];
}

export function fallbackText(model, t) {
  const lines = [model.title, ...model.options.map((option) => `- ${option}`)].filter(Boolean);
  return lines.length ? lines.join("\n") : t("unsupported");
}
