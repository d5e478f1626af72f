/**
 * What survives a reload: the chat's resume token, ids and conversation (or, once it ended, the token that lets
 * the customer continue it), in ``sessionStorage`` (this tab only, never cookies or ``localStorage``), under one
 * key per relay URL (or ``data-storage-key``).
 */

const VERSION = 1;

function sessionStore() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled
  }
}

/** The saved chat under ``key``, or ``null``. */
export function loadChat(key) {
  const store = sessionStore();
  if (!store) return null;
  try {
    const snapshot = JSON.parse(store.getItem(key) || "null");
    return snapshot && snapshot.v === VERSION && (snapshot.resumeToken || snapshot.continuation) ? snapshot : null;
  } catch {
    return null;
  }
}

/**
 * Save ``snapshot`` (a chat with a resume token, or an ended one that may be continued) under ``key``, or forget
 * the key when it is ``null``.
 */
export function saveChat(key, snapshot) {
  const store = sessionStore();
  if (!store) return;
  try {
    if (snapshot) store.setItem(key, JSON.stringify({ v: VERSION, ...snapshot }));
    else store.removeItem(key);
  } catch {
    /* quota exceeded: the chat still resumes from the server's transcript */
  }
}
