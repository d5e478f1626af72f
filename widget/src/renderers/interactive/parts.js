/**
 * What the interactive templates share: reading their JSON leniently, images, headings, option buttons, and
 * the answered state (the customer's choice and the template's ``replyMessage``).
 *
 * Every text is set with ``textContent``; images load only from http(s) addresses, with their
 * ``imageDescription`` as alternative text (empty, so decorative, when the template gives none).
 */
import { IMAGE_PROTOCOLS, safeHref } from "../links.js";
import { shown } from "./limits.js";

let serial = 0;

/** An id unique in the widget (``aria-labelledby`` targets). */
export function newId(prefix) {
  serial += 1;
  return `ccw-${prefix}-${serial}`;
}

export function isObject(value) {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

/** ``value`` when it is a non-blank string, else ``""``. */
export function str(value) {
  return typeof value === "string" && value.trim() ? value : "";
}

/** The objects of ``value`` when it is an array. */
export function objects(value) {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** The image of a template, element or reply message: ``{src, alt}`` or ``null``. */
export function imageOf(source) {
  if (!isObject(source) || (source.imageType !== undefined && source.imageType !== "URL")) return null;
  const src = safeHref(source.imageData, IMAGE_PROTOCOLS);
  return src ? { src, alt: str(source.imageDescription) } : null;
}

/** A list picker's or panel's ``data.content`` (or a carousel card's): ``null`` when it has no title or option. */
export function readPicker(body, type) {
  if (!isObject(body)) return null;
  const title = str(body.title);
  const elements = objects(body.elements)
    .filter((element) => str(element.title))
    .map((element) => ({ title: element.title, subtitle: str(element.subtitle), image: imageOf(element) }));
  if (!title || !elements.length) return null;
  return { type, title, subtitle: str(body.subtitle), image: imageOf(body), elements };
}

/** ``data.replyMessage``: ``{title, subtitle, image}`` or ``null``. */
export function readReply(reply) {
  if (!isObject(reply) || !str(reply.title)) return null;
  return { title: reply.title, subtitle: str(reply.subtitle), image: imageOf(reply) };
}

export function image(ui, picture, className) {
  if (!picture) return null;
  const img = ui.el("img", {
    src: picture.src,
    alt: picture.alt,
    className,
    loading: "lazy",
    decoding: "async",
    referrerpolicy: "no-referrer",
  });
  img.addEventListener("error", () => {
    img.hidden = true; // a broken picture (or one the page's policy blocks) takes no room
  });
  return img;
}

/** The template's picture, title and subtitle; ``titleId`` labels its options. */
export function heading(ui, model, titleId) {
  const { el } = ui;
  return [
    image(ui, model.image, "im-image"),
    el("p", { className: "im-title", id: titleId, text: shown(model.type, "data.content.title", model.title) }),
    model.subtitle ? el("p", { className: "im-subtitle", text: shown(model.type, "data.content.subtitle", model.subtitle) }) : null,
  ];
}

/** A button choosing an option; disabled once the template can no longer be answered. */
export function optionButton(ui, { className, children, label, choose }) {
  const button = ui.el("button", { type: "button", className, "aria-label": label || null }, children);
  if (ui.mode === "open") button.addEventListener("click", choose);
  else button.disabled = true;
  return button;
}

/** A list of option buttons labelled by the template's title. */
export function optionList(ui, titleId, buttons, className = "im-options") {
  return ui.el("ul", { className, "aria-labelledby": titleId }, buttons.map((button) => ui.el("li", {}, [button])));
}

/** The options of a list picker or panel (a list picker's may have a picture and a subtitle each). */
export function pickerOptions(ui, model, titleId, templateIdentifier = null) {
  const withDetails = model.type === "ListPicker";
  const buttons = model.elements.map((element) => {
    const title = shown(model.type, "data.content.elements[].title", element.title);
    const subtitle = withDetails ? shown(model.type, "data.content.elements[].subtitle", element.subtitle) : "";
    const children = [
      withDetails ? image(ui, element.image, "im-thumb") : null,
      ui.el("span", { className: "im-option-text" }, [
        ui.el("span", { className: "im-option-title", text: title }),
        subtitle ? ui.el("span", { className: "im-option-subtitle", text: subtitle }) : null,
      ]),
    ];
    return optionButton(ui, {
      className: "im-option",
      children,
      choose: () => ui.choose({ listTitle: model.title, selectionText: element.title, templateIdentifier, templateType: model.type }),
    });
  });
  return optionList(ui, titleId, buttons);
}

/** A list picker's or panel's options as text lines. */
export function pickerLines(model) {
  return model.elements.map((element) => (element.subtitle && model.type === "ListPicker" ? `- ${element.title} (${element.subtitle})` : `- ${element.title}`));
}

/** Whether ``response`` (see ``response.js``) chose an option of the template or card titled ``title``. */
export function answersTitle(response, title, type, templateIdentifier = null) {
  if (!response || response.kind !== "selection") return false;
  if (templateIdentifier) return response.templateIdentifier === templateIdentifier;
  return !response.templateIdentifier && (response.listTitle === title || response.listTitle === shown(type, "data.content.title", title));
}

/** The template object of a list picker or a panel (they differ in their options' details and limits). */
export function pickerTemplate(type) {
  return {
    type,
    read: (body) => readPicker(body, type),
    render(model, ui) {
      const titleId = newId("im-title");
      return [...heading(ui, model, titleId), ui.mode === "answered" ? null : pickerOptions(ui, model, titleId)];
    },
    text: (model) => [model.title, model.subtitle, ...pickerLines(model)].filter(Boolean).join("\n"),
    answers: (model, response) => answersTitle(response, model.title, type),
  };
}
