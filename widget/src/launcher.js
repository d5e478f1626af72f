/**
 * Custom launch: the site's own buttons (``data-launcher``, a CSS selector) open and close the chat. They get
 * ``aria-expanded`` and a ``data-unread`` count to style; buttons added to the page later work too.
 */

/** Bind ``selector``; ``toggle(button)`` runs on a click. Returns ``update(open, unread)`` (a no-op without one). */
export function bindLaunchers(selector, toggle) {
  if (!selector) return () => {};
  try {
    document.querySelectorAll(selector);
  } catch {
    console.warn(`connect-chat widget: data-launcher ${JSON.stringify(selector)} is not a CSS selector; ignored`);
    return () => {};
  }
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest(selector) : null;
    if (!button) return;
    event.preventDefault();
    toggle(button);
  });
  return (open, unread) => {
    for (const button of document.querySelectorAll(selector)) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (unread) button.setAttribute("data-unread", String(unread));
      else button.removeAttribute("data-unread");
    }
  };
}
