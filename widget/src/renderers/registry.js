/**
 * Content renderers, keyed by content type: how a message's ``Content`` becomes DOM (and plain text, for the
 * transcript download). A renderer module registers itself when imported; the last registration for a type
 * wins, so a site or a later module can replace a built-in one.
 *
 * A renderer is ``{render(context) -> Node, text(context) -> string, state?(context) -> string}`` where
 * ``context`` holds ``content``, ``contentType``, ``entry`` (the conversation entry), ``t`` (the strings),
 * ``el`` (the DOM helper), ``language`` and ``locale``, ``active`` (whether the chat is under way),
 * ``following()`` (the conversation's entries after this one) and ``send(content, contentType)`` (for
 * renderers whose content answers back, such as interactive messages). ``state`` names what, besides the
 * content, the rendering depends on (an interactive message: whether it was answered): the entry is rendered
 * again when it changes. Renderers build DOM nodes and set text with ``textContent``; none may parse content
 * as HTML.
 */

const byType = new Map();
const byPrefix = [];
let fallback = null;

/**
 * Register ``renderer`` for ``contentType`` (exact, case-insensitive), for every type starting with
 * ``prefix`` when ``contentType`` ends with ``*``, or as the fallback for ``"*"``.
 */
export function registerRenderer(contentType, renderer) {
  if (!renderer || typeof renderer.render !== "function") throw new TypeError("a renderer needs render(context)");
  const type = String(contentType).toLowerCase();
  if (type === "*") fallback = renderer;
  else if (type.endsWith("*")) byPrefix.unshift({ prefix: type.slice(0, -1), renderer });
  else byType.set(type, renderer);
}

/** The renderer for ``contentType`` (its parameters, such as ``; charset=UTF-8``, ignored). */
export function rendererFor(contentType) {
  const type = String(contentType || "text/plain").toLowerCase().split(";")[0].trim();
  const exact = byType.get(type);
  if (exact) return exact;
  const prefixed = byPrefix.find((entry) => type.startsWith(entry.prefix));
  return prefixed ? prefixed.renderer : fallback;
}
