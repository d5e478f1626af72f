/**
 * The built-in text renderers: plain text, the title of any interactive content type no other renderer takes,
 * and a fallback for unknown types (markdown and interactive messages have modules of their own).
 */
import { CONTENT_TYPES as CT } from "../protocol.js";
import { registerRenderer } from "./registry.js";

function asText({ content }) {
  return content == null ? "" : String(content);
}

const plain = {
  text: asText,
  render(context) {
    return context.el("span", { className: "content-text", text: asText(context) });
  },
};

/** The title of an interactive message (``{templateType, version, data: {content: {title}}}``), if any. */
function interactiveTitle(content) {
  try {
    const parsed = JSON.parse(content);
    const data = (parsed && (parsed.data || parsed)) || {};
    const title = (data.content && data.content.title) || data.title;
    return title ? String(title) : "";
  } catch {
    return "";
  }
}

const titleOnly = {
  text: (context) => interactiveTitle(context.content) || context.t("unsupported"),
  render(context) {
    return context.el("span", { className: "content-text", text: titleOnly.text(context) });
  },
};

const unknown = {
  text: (context) => asText(context) || context.t("unsupported"),
  render(context) {
    return context.el("span", { className: "content-text", text: unknown.text(context) });
  },
};

registerRenderer(CT.TEXT, plain);
registerRenderer(CT.INTERACTIVE + "*", titleOnly);
registerRenderer("*", unknown);
