/** Which addresses content may link to or load an image from: absolute http and https (and mailto for links). */

const MAX_URL = 2048;
export const LINK_PROTOCOLS = Object.freeze(["http:", "https:", "mailto:"]);
export const IMAGE_PROTOCOLS = Object.freeze(["http:", "https:"]);

/**
 * ``url`` normalised when it is an absolute address with one of ``protocols``, else ``null``: ``javascript:``,
 * ``data:``, relative and protocol-relative addresses and addresses with control characters or spaces are
 * refused.
 */
export function safeHref(url, protocols = LINK_PROTOCOLS) {
  const text = String(url == null ? "" : url).trim();
  if (!text || text.length > MAX_URL || /[\u0000-\u0020\u007f]/.test(text)) return null;
  let parsed;
  try {
    parsed = new URL(text);
  } catch {
    return null; // relative: there is no base to resolve it against
  }
  if (!protocols.includes(parsed.protocol)) return null;
  if (parsed.protocol === "mailto:" && !parsed.pathname) return null;
  return parsed.href;
}
