/**
 * The relay client: one WebSocket to the relay at a time, requests matched to their answers by ``requestId``,
 * reconnection with backoff, quiet reconnection after a planned close, a keepalive before API Gateway's idle
 * timeout, and the diagnosis of a configuration that can never connect.
 *
 * It knows frames, not chats: the chat controller says whether a socket is wanted and what to send on it.
 */
import { createEmitter } from "./emitter.js";
import { CLOSE_GOING_AWAY } from "./protocol.js";
import { diagnoseRefusedHandshake } from "./reachability.js";

const REQUEST_TIMEOUT_MS = 20000;
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30000;
/** A handshake that fails within this time failed "at once" (a refusal, not a slow network). */
const AT_ONCE_MS = 5000;
/** Handshakes failing at once in a row, on a page that never had an open socket, before diagnosing why. */
const DIAGNOSE_AFTER = 3;
/** Failed attempts after which the widget says that the service cannot be reached. */
const UNREACHABLE_AFTER = 4;
/** A planned close reconnects within this time (spread, so that many clients closed at once do not stampede). */
const PLANNED_RECONNECT_MS = 1000;
/** Error answers to this many recent keepalives are recognised and dropped. */
const KEPT_KEEPALIVE_IDS = 8;

/** Whether any relay socket ever opened on this page: a page that connected once is not misconfigured. */
let openedOnThisPage = false;

/** An error answer of the relay (``code`` is the protocol's), or a local failure (``OFFLINE``, ``TIMEOUT``, ...). */
export class RelayError extends Error {
  constructor(code, message, retryAfter) {
    super(message || code);
    this.name = "RelayError";
    this.code = code;
    this.retryAfter = retryAfter; // seconds to wait, when the relay says (BUDGET_EXCEEDED, BUSY)
  }
}

function isLoopback(hostname) {
  return hostname === "localhost" || hostname === "[::1]" || /^127\./.test(hostname);
}

/**
 * What is wrong with ``url`` before any connection is tried (``null`` when nothing is).
 *
 * @returns {null | {kind: string, url: string}}
 */
export function checkWebSocketUrl(url, pageProtocol) {
  if (!url) return { kind: "notConfigured", url: "" };
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: "invalidUrl", url };
  }
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") return { kind: "invalidUrl", url };
  if (pageProtocol === "https:" && parsed.protocol === "ws:" && !isLoopback(parsed.hostname)) {
    return { kind: "insecureUrl", url };
  }
  return null;
}

/**
 * @param {{url: string, keepaliveMs: number, log: (direction: string, frame: object) => void}} options
 */
export function createRelayClient({ url, keepaliveMs, log }) {
  const events = createEmitter();
  const requests = new Map();
  const keepalives = [];
  const prefix = Math.random().toString(36).slice(2, 8);
  let requestSerial = 0;
  let ws = null;
  let wanted = false;
  let attempt = 0;
  let quickFailures = 0;
  let reconnectTimer = null;
  let keepaliveTimer = null;
  let diagnosing = false;
  let blockedByPolicy = false;
  const status = { open: false, reconnecting: false, quiet: false, unreachable: false, configError: null };

  const emit = events.emit;

  function setStatus(changes) {
    let changed = false;
    for (const [key, value] of Object.entries(changes)) {
      if (status[key] !== value) {
        status[key] = value;
        changed = true;
      }
    }
    if (changed) emit("status", { ...status });
  }

  function nextId() {
    requestSerial += 1;
    return `${prefix}-${requestSerial}`;
  }

  // ------------------------------------------------------------------------------------------ sending

  function send(frame) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    log("→", frame);
    ws.send(JSON.stringify(frame));
    armKeepalive();
    return true;
  }

  /** Send ``frame`` with a fresh ``requestId``; resolves with the answer, rejects with a :class:`RelayError`. */
  function request(frame, timeoutMs = REQUEST_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      const id = nextId();
      const withId = { ...frame, requestId: id };
      if (!send(withId)) {
        reject(new RelayError("OFFLINE"));
        return;
      }
      const timer = setTimeout(() => {
        requests.delete(id);
        reject(new RelayError("TIMEOUT"));
      }, timeoutMs);
      requests.set(id, { resolve, reject, timer });
    });
  }

  function settle(frame) {
    const pending = frame.requestId && requests.get(frame.requestId);
    if (!pending) return false;
    clearTimeout(pending.timer);
    requests.delete(frame.requestId);
    if (frame.type === "error") pending.reject(new RelayError(frame.code || "ERROR", frame.message, frame.retryAfter));
    else pending.resolve(frame);
    return true;
  }

  function failRequests() {
    for (const [id, pending] of requests) {
      clearTimeout(pending.timer);
      requests.delete(id);
      pending.reject(new RelayError("DISCONNECTED"));
    }
  }

  // ---------------------------------------------------------------------------------------- keepalive

  function armKeepalive() {
    clearTimeout(keepaliveTimer);
    keepaliveTimer = keepaliveMs > 0 ? setTimeout(sendKeepalive, keepaliveMs) : null;
  }

  /** A frame that only keeps API Gateway from closing an idle connection; its answer, if any, is dropped. */
  function sendKeepalive() {
    const id = nextId();
    keepalives.push(id);
    if (keepalives.length > KEPT_KEEPALIVE_IDS) keepalives.shift();
    send({ action: "keepalive", requestId: id });
  }

  function answersKeepalive(frame) {
    const index = frame.requestId ? keepalives.indexOf(frame.requestId) : -1;
    if (index < 0) return false;
    keepalives.splice(index, 1);
    return true;
  }

  // --------------------------------------------------------------------------------------- the socket

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (!wanted || status.configError || diagnosing || (ws && ws.readyState <= WebSocket.OPEN)) return;
    const problem = checkWebSocketUrl(url, location.protocol);
    if (problem) {
      stopWith(problem);
      return;
    }
    if (navigator.onLine === false) {
      setStatus({ reconnecting: true, quiet: false });
      return; // the "online" event reconnects
    }
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      stopWith({ kind: "invalidUrl", url });
      return;
    }
    ws = socket;
    const startedAt = Date.now();
    let opened = false;
    socket.onopen = () => {
      if (socket !== ws) return;
      opened = true;
      openedOnThisPage = true;
      attempt = 0;
      quickFailures = 0;
      setStatus({ open: true, reconnecting: false, quiet: false, unreachable: false });
      armKeepalive();
      emit("open");
    };
    socket.onmessage = (event) => {
      if (socket !== ws) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!frame || typeof frame !== "object") return;
      log("←", frame);
      if (frame.type === "error" && answersKeepalive(frame)) return;
      const settled = settle(frame);
      emit("frame", { frame, settled });
    };
    socket.onclose = (event) => {
      closed(socket, { code: event.code, opened, quick: !opened && Date.now() - startedAt < AT_ONCE_MS });
    };
    socket.onerror = () => {
      // A close event follows in the same task, except after a connection the page's Content-Security-Policy
      // blocked (Chromium fires only the error then): treat that one as closed here.
      setTimeout(() => {
        if (socket === ws && socket.readyState === WebSocket.CLOSED) {
          closed(socket, { code: 1006, opened, quick: !opened && Date.now() - startedAt < AT_ONCE_MS });
        }
      }, 0);
    };
  }

  function closed(socket, { code, opened, quick }) {
    if (socket !== ws) return;
    ws = null;
    clearTimeout(keepaliveTimer);
    failRequests();
    setStatus({ open: false });
    emit("close", { code });
    if (!wanted) {
      setStatus({ reconnecting: false, quiet: false });
      return;
    }
    if (opened && code === CLOSE_GOING_AWAY) {
      // API Gateway's idle timeout or 2-hour limit: nothing is wrong, reconnect at once and say nothing.
      setStatus({ reconnecting: true, quiet: true });
      schedule(Math.round(Math.random() * PLANNED_RECONNECT_MS));
      return;
    }
    attempt += 1;
    quickFailures = quick && navigator.onLine !== false ? quickFailures + 1 : 0;
    if (!openedOnThisPage && quickFailures >= DIAGNOSE_AFTER) {
      diagnose();
      return;
    }
    setStatus({ reconnecting: true, quiet: false, unreachable: attempt >= UNREACHABLE_AFTER });
    const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
    schedule(Math.round(base / 2 + Math.random() * (base / 2)));
  }

  function schedule(delay) {
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, delay);
  }

  /** Handshakes keep failing at once on a page that never connected: find out why and stop retrying. */
  async function diagnose() {
    diagnosing = true;
    setStatus({ reconnecting: true, quiet: false });
    const kind = blockedByPolicy ? "blockedByPolicy" : await diagnoseRefusedHandshake(url);
    diagnosing = false;
    if (!wanted) return;
    stopWith({ kind, url, origin: location.origin });
  }

  function stopWith(configError) {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    setStatus({ reconnecting: false, quiet: false, unreachable: false, configError });
    console.error(`connect-chat widget: ${explain(configError)}`);
  }

  // ------------------------------------------------------------------------------------------ control

  /** Whether a socket is wanted: while one is, the client keeps one open (or keeps trying to). */
  function want(on) {
    if (on && !wanted) startAfresh(); // a chat started or resumed
    wanted = !!on;
    if (wanted) connect();
    else shutDown();
  }

  function shutDown() {
    clearTimeout(reconnectTimer);
    clearTimeout(keepaliveTimer);
    reconnectTimer = null;
    const socket = ws;
    ws = null;
    failRequests();
    if (socket) {
      try {
        socket.close(1000);
      } catch {
        /* already closed */
      }
    }
    setStatus({ open: false, reconnecting: false, quiet: false, unreachable: false });
  }

  /** Connect now instead of waiting for the backoff (the browser came back online, the tab became visible). */
  function reconnectNow() {
    if (!wanted || status.configError || (ws && ws.readyState <= WebSocket.OPEN)) return;
    attempt = 0;
    connect();
  }

  /** After a configuration error: try again from the start (the site may have fixed its settings). */
  function retry() {
    startAfresh();
    connect();
  }

  /** A new attempt: what earlier ones concluded (failures, backoff, a configuration error) no longer holds. */
  function startAfresh() {
    attempt = 0;
    quickFailures = 0;
    blockedByPolicy = false;
    setStatus({ configError: null });
  }

  /** Lose the socket as a network failure would: the client reconnects with its usual backoff. */
  function drop() {
    const socket = ws;
    if (!socket) return;
    closed(socket, { code: 1006, opened: true, quick: false });
    try {
      socket.close();
    } catch {
      /* already closed */
    }
  }

  window.addEventListener("online", reconnectNow);
  window.addEventListener("offline", drop);
  window.addEventListener("pageshow", reconnectNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") reconnectNow();
  });
  document.addEventListener("securitypolicyviolation", (event) => {
    try {
      const blocked = new URL(event.blockedURI);
      const socket = /^wss?:$/.test(blocked.protocol); // not the diagnosis's own fetch
      if (socket && blocked.host === new URL(url).host) blockedByPolicy = true;
    } catch {
      /* not a URL */
    }
  });

  return {
    on: events.on,
    send,
    request,
    nextId,
    want,
    retry,
    reconnectNow,
    drop,
    get status() {
      return { ...status };
    },
  };
}

/** The configuration error for the site owner (the console), naming what to change. */
export function explain({ kind, url, origin }) {
  switch (kind) {
    case "notConfigured":
      return "the script tag needs data-websocket-url (the WebSocketUrl output of the deployed stack)";
    case "invalidUrl":
      return `data-websocket-url ${JSON.stringify(url)} is not a ws:// or wss:// URL`;
    case "insecureUrl":
      return `this https page cannot open the insecure ${url}; use the wss:// URL`;
    case "originRefused":
      return (
        `${url} refused this page's origin ${origin}. Allow it: add ${origin} to ALLOWED_ORIGINS ` +
        "(the local stack) or to the allowedOrigins context value (cdk deploy -c allowedOrigins=...), " +
        "or check that the URL's stage is right"
      );
    case "serviceNotFound":
      return `nothing answers at ${url}: check data-websocket-url (host, port and stage)`;
    case "refusedOrNotFound":
      return (
        `${url} refused this page's origin ${origin}, or nothing answers there; this page's ` +
        "Content-Security-Policy keeps the widget from telling which (allow the relay's https:// origin in " +
        "connect-src to let it). Check data-websocket-url, and ALLOWED_ORIGINS or allowedOrigins"
      );
    case "blockedByPolicy":
      return `this page's Content-Security-Policy blocks ${url}: add it to connect-src`;
    default:
      return kind;
  }
}
