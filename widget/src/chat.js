/**
 * The chat controller: one customer's chat over the relay client. It starts and resumes the chat, sends what
 * the customer writes (keeping unsent messages until a connection takes them, and never sending one twice),
 * reports typing and read receipts, handles attachments and the end of the chat, and keeps the chat in
 * ``sessionStorage`` so that a reload resumes it.
 *
 * It changes no DOM: the view renders :meth:`snapshot` after every ``change`` event.
 */
import { checkAttachment, uploadAttachment } from "./attachments.js";
import { Conversation } from "./conversation.js";
import { createEmitter } from "./emitter.js";
import { CONTENT_TYPES as CT, FINAL_SEND_ERRORS, MAX_DISPLAY_NAME_CHARS, MAX_MESSAGE_CHARS } from "./protocol.js";
import { RelayError } from "./relay-client.js";
import { loadChat, saveChat } from "./storage.js";

const TYPING_SEND_INTERVAL_MS = 10000;
const TYPING_SHOW_MS = 5000;
const MAX_CACHED_ENTRIES = 500;
const RECONCILE_AFTER_THROTTLE_MS = 5000;
const RECONCILE_AFTER_DOUBT_MS = 3000;
/** Error codes that mean "too much at once": the service is fine, the customer should try again later. */
const BUSY_CODES = ["THROTTLED", "RATE_LIMITED", "BUSY", "LIMIT_EXCEEDED"];

/**
 * @param {{config: object, relay: ReturnType<import("./relay-client.js").createRelayClient>}} options
 */
export function createChat({ config, relay }) {
  const events = createEmitter();
  const conversation = new Conversation();
  const startExtensions = [];
  const typing = new Map(); // participant -> {name, role, timer}
  const state = {
    status: "idle", // idle | starting | active | ended
    contactId: null,
    participantId: null,
    resumeToken: null,
    displayName: "",
    attributes: null,
    open: false,
    connected: false, // the socket is open and the chat started or resumed on it
    error: null, // {key, params?, field?}
    endRequested: false,
  };
  let lastTypingSent = 0;
  let reconciling = false;

  function changed() {
    events.emit("change");
  }

  function save() {
    saveChat(
      config.storageKey,
      state.resumeToken
        ? {
            resumeToken: state.resumeToken,
            contactId: state.contactId,
            participantId: state.participantId,
            displayName: state.displayName,
            open: state.open,
            lastId: conversation.lastSeenId(),
            ...conversation.toJSON(MAX_CACHED_ENTRIES),
          }
        : null
    );
  }

  function afterChange() {
    changed();
    sendReadReceipts();
    save();
  }

  function setError(error) {
    state.error = error;
    changed();
  }

  // ------------------------------------------------------------------------------- start and resume

  relay.on("open", () => {
    if (state.resumeToken) resume();
    else if (state.status === "starting") sendStart();
  });
  relay.on("frame", ({ frame, settled }) => onFrame(frame, settled));
  relay.on("close", () => {
    state.connected = false;
    for (const entry of conversation.entries) entry.inFlight = false;
    changed();
  });
  relay.on("status", (status) => {
    if (!status.open) state.connected = false; // closed by us (ended, refused) as well as by the network
    if (status.configError && state.status === "starting") {
      // This page can never connect as configured: back to the form, which shows why.
      state.status = "idle";
      relay.want(false);
    }
    changed();
  });

  async function sendStart() {
    const frame = { action: "startChat", displayName: state.displayName };
    if (state.attributes) frame.attributes = state.attributes;
    try {
      for (const extend of startExtensions) Object.assign(frame, await extend({ ...frame }));
    } catch (error) {
      console.error("connect-chat widget: a start extension failed", error);
      startRefused(new RelayError("START_FAILED"));
      return;
    }
    if (state.status !== "starting") return;
    relay.request(frame).catch((error) => {
      if (error.code !== "DISCONNECTED" && error.code !== "OFFLINE") startRefused(error);
    });
  }

  function startRefused(error) {
    if (state.status !== "starting") return;
    state.status = "idle";
    relay.want(false);
    const field = error.code === "VALIDATION_ERROR" ? fieldOf(error.message) : null;
    if (error.code === "VALIDATION_ERROR") console.warn(`connect-chat widget: the relay refused startChat: ${error.message}`);
    state.error =
      error.code === "BUDGET_EXCEEDED"
        ? { key: "tooManyChats", params: { minutes: Math.max(1, Math.ceil((error.retryAfter || 60) / 60)) } }
        : { key: BUSY_CODES.includes(error.code) ? "busy" : "startFailed", field };
    events.emit("startFailed", { code: error.code, message: error.message, field });
    changed();
  }

  function resume() {
    const frame = { action: "resumeChat", resumeToken: state.resumeToken };
    const after = conversation.lastSeenId();
    if (after) frame.afterId = after;
    relay.request(frame).catch((error) => {
      if (error.code === "INVALID_RESUME_TOKEN") resumeGone();
      else if (error.code !== "DISCONNECTED" && error.code !== "OFFLINE" && state.status === "active") relay.drop();
    });
  }

  function resumeGone() {
    relay.want(false);
    resetConversation();
    state.status = "idle";
    state.error = { key: "resumeGone" };
    save();
    changed();
  }

  function becameReady() {
    state.connected = true;
    state.error = null;
    save();
    reconcile();
    if (state.endRequested) end();
    changed();
  }

  // ------------------------------------------------------------------------------------------ frames

  function onFrame(frame, settled) {
    switch (frame.type) {
      case "chatStarted":
        if (state.status !== "starting") return;
        state.contactId = frame.contactId;
        state.participantId = conversation.participantId = frame.participantId;
        state.resumeToken = frame.resumeToken;
        state.status = "active";
        becameReady();
        events.emit("started", { contactId: frame.contactId });
        break;
      case "chatResumed":
        state.contactId = frame.contactId || state.contactId;
        state.participantId = conversation.participantId = frame.participantId || state.participantId;
        if (frame.resumeToken) state.resumeToken = frame.resumeToken; // each resume hands out a fresh token
        becameReady();
        events.emit("resumed", { contactId: state.contactId });
        break;
      case "item":
        ingest(frame.item, true);
        afterChange();
        events.emit("item", frame.item);
        break;
      case "chatEnded":
        chatEnded(true);
        break;
      case "resumeToken": // another tab resumed this chat: the newest token is the one that keeps working
        if (frame.resumeToken && state.status === "active") {
          state.resumeToken = frame.resumeToken;
          save();
        }
        break;
      case "transcript":
        if (!settled) {
          for (const item of frame.items || []) ingest(item, false);
          afterChange();
        }
        break;
      case "error":
        if (!settled) onUnansweredError(frame);
        break;
      default:
        break;
    }
  }

  function ingest(item, live) {
    const { change, entry } = conversation.ingest(item);
    if (change === "typing") {
      if (live && item.ParticipantRole !== "CUSTOMER" && !conversation.isOwn(item)) showTyping(item);
    } else if (change === "ended") {
      chatEnded(false);
    } else if (change === "added" && entry && !entry.own) {
      if (entry.contentType === CT.LEFT || entry.type !== "notice") hideTyping(item.ParticipantId);
      // New to this customer (live, replayed, or first seen in a transcript page): a reply to notify about.
      if (entry.type !== "notice" && !conversation.readSent.has(entry.id)) events.emit("reply", { entry });
    }
  }

  /** An error frame no pending request was waiting for (typing and receipts are not awaited). */
  function onUnansweredError(frame) {
    const code = frame.code || "ERROR";
    if (code === "RATE_LIMITED" || code === "THROTTLED") {
      // Frames may have been dropped: check against the transcript a little later and resend what is missing.
      setTimeout(reconcile, RECONCILE_AFTER_THROTTLE_MS);
    } else if (code === "NO_CHAT" && state.resumeToken) {
      relay.drop(); // the connection lost its chat: resume on a fresh one
    }
  }

  function chatEnded(fromServer) {
    if (state.status === "ended") return;
    conversation.addEndedNotice();
    state.status = "ended";
    state.endRequested = false;
    for (const who of [...typing.keys()]) hideTyping(who);
    state.resumeToken = null;
    save();
    relay.want(false);
    events.emit("ended", { contactId: state.contactId, fromServer });
    changed();
  }

  /** After (re)connecting: fill any gap from the transcript, then send what is still unsent. */
  function reconcile() {
    if (!state.connected || reconciling) return;
    reconciling = true;
    relay
      .request({ action: "getTranscript", maxResults: 100, scanDirection: "BACKWARD", sortOrder: "ASCENDING" })
      .then((frame) => {
        for (const item of frame.items || []) ingest(item, false);
      })
      .catch(() => {
        /* the resume replay already covered the gap; the outbox is flushed anyway */
      })
      .then(() => {
        reconciling = false;
        flushOutbox();
        afterChange();
      });
  }

  function flushOutbox() {
    if (!state.connected) return;
    for (const entry of conversation.entries) {
      if (!entry.own || entry.type !== "message" || entry.status !== "sending" || entry.inFlight) continue;
      entry.inFlight = true;
      entry.attempted = true;
      relay
        .request({ action: "sendMessage", content: entry.text, contentType: entry.contentType || CT.TEXT })
        .then((ack) => {
          entry.inFlight = false;
          if (ack.id) conversation.assignId(entry, ack.id, ack.absoluteTime);
          entry.status = "sent";
          afterChange();
        })
        .catch((error) => {
          entry.inFlight = false;
          if (FINAL_SEND_ERRORS.includes(error.code)) {
            entry.status = "failed";
            entry.error = error.code === "BLOCKED" ? "notSentBlocked" : "notSent";
          } else if (error.code !== "DISCONNECTED" && error.code !== "OFFLINE") {
            // Throttled or unanswered: it may have been sent after all; the transcript decides, then resend.
            setTimeout(reconcile, RECONCILE_AFTER_DOUBT_MS);
          }
          afterChange();
        });
    }
    save();
  }

  // ------------------------------------------------------------------------------------------ typing

  function showTyping(item) {
    const who = item.ParticipantId || "agent";
    const known = typing.get(who);
    if (known) clearTimeout(known.timer);
    typing.set(who, {
      name: item.DisplayName || "",
      role: item.ParticipantRole || "",
      timer: setTimeout(() => hideTyping(who), TYPING_SHOW_MS),
    });
    changed();
  }

  function hideTyping(who) {
    const known = who && typing.get(who);
    if (!known) return;
    clearTimeout(known.timer);
    typing.delete(who);
    changed();
  }

  function userTyping() {
    const now = Date.now();
    if (!state.connected || now - lastTypingSent < TYPING_SEND_INTERVAL_MS) return;
    lastTypingSent = now;
    relay.send({ action: "sendEvent", contentType: CT.TYPING, requestId: relay.nextId() });
  }

  function sendReadReceipts() {
    if (!state.connected || !state.open || document.visibilityState !== "visible") return;
    for (const entry of conversation.unreadByCustomer()) {
      conversation.readSent.add(entry.id);
      relay.send({ action: "sendEvent", contentType: CT.READ, messageId: entry.id, requestId: relay.nextId() });
    }
  }

  // ----------------------------------------------------------------------------------------- actions

  function resetConversation() {
    conversation.clear();
    conversation.participantId = null;
    state.contactId = null;
    state.participantId = null;
    state.resumeToken = null;
    state.endRequested = false;
  }

  /**
   * Start a chat as ``displayName`` with contact ``attributes`` (merged over the configured ones).
   * Returns ``false`` when a chat is already under way or the name is empty.
   */
  function start(displayName, attributes) {
    const name = String(displayName || "").trim();
    if (!name) {
      setError({ key: "invalid.required", field: "displayName" });
      return false;
    }
    if (state.status === "active" || state.status === "starting") return false;
    resetConversation();
    state.displayName = name.slice(0, MAX_DISPLAY_NAME_CHARS);
    const merged = { ...(config.attributes || {}), ...(attributes || {}) };
    state.attributes = Object.keys(merged).length ? merged : null;
    state.status = "starting";
    state.error = null;
    changed();
    relay.want(true);
    return true;
  }

  /** Back to the start form after a chat ended. */
  function newChat() {
    resetConversation();
    state.status = "idle";
    state.error = null;
    changed();
  }

  function send(text, contentType = CT.TEXT) {
    let content = String(text == null ? "" : text);
    if (!content.trim() || state.status !== "active") return false;
    if (content.length > MAX_MESSAGE_CHARS) content = content.slice(0, MAX_MESSAGE_CHARS);
    conversation.add({
      type: "message",
      own: true,
      role: "CUSTOMER",
      participantId: state.participantId,
      name: state.displayName,
      text: content,
      contentType,
      status: "sending",
      resumable: true,
    });
    lastTypingSent = 0;
    afterChange();
    flushOutbox();
    return true;
  }

  function retry(entry) {
    if (entry.type !== "message") return;
    entry.status = "sending";
    entry.error = "";
    flushOutbox();
    changed();
  }

  function sendAttachment(file) {
    if (!file || state.status !== "active") return Promise.reject(new RelayError("NO_CHAT"));
    const checked = checkAttachment(file);
    if (checked.problem) {
      setError(checked.problem);
      return Promise.reject(new RelayError("VALIDATION_ERROR", checked.problem.key));
    }
    state.error = null;
    const entry = conversation.add({
      type: "attachment",
      own: true,
      role: "CUSTOMER",
      participantId: state.participantId,
      name: state.displayName,
      contentType: checked.contentType,
      status: "uploading",
      attachment: { id: null, name: file.name, contentType: checked.contentType, status: "UPLOADING" },
      resumable: true,
    });
    afterChange();
    const request = (frame) => (state.connected ? relay.request(frame) : Promise.reject(new RelayError("OFFLINE")));
    return uploadAttachment(request, file, checked.contentType, (id) => {
      entry.attachment.id = id;
      entry.attempted = true;
    })
      .then((id) => {
        if (entry.status === "uploading") entry.status = "sent";
        if (entry.attachment.status === "UPLOADING") entry.attachment.status = "IN_PROGRESS";
        afterChange();
        return id;
      })
      .catch((error) => {
        if (entry.id) return entry.attachment.id; // the attachment reached the chat after all
        entry.status = "failed";
        entry.error = "uploadFailed";
        afterChange();
        throw error;
      });
  }

  function attachmentUrl(attachmentId) {
    if (!state.connected) return Promise.reject(new RelayError("OFFLINE"));
    return relay.request({ action: "getAttachment", attachmentId }).then((frame) => frame.url);
  }

  function end() {
    if (state.status === "starting" && !state.resumeToken) {
      relay.want(false);
      state.status = "idle";
      state.error = null;
      changed();
      return;
    }
    if (state.status !== "active") return;
    state.endRequested = true;
    changed();
    if (!state.connected) return; // sent once the chat is resumed
    relay.request({ action: "endChat" }).catch((error) => {
      if (error.code !== "DISCONNECTED") {
        state.endRequested = false;
        changed();
      }
    });
  }

  function setOpen(open) {
    if (state.open === open) return;
    state.open = open;
    changed();
    save();
    if (open) sendReadReceipts();
  }

  /** Resume the chat saved in this tab, if any; ``true`` when there was one. */
  function restore() {
    const saved = loadChat(config.storageKey);
    if (!saved) return false;
    state.resumeToken = saved.resumeToken;
    state.contactId = saved.contactId;
    state.participantId = conversation.participantId = saved.participantId;
    state.displayName = saved.displayName || "";
    state.open = !!saved.open;
    state.status = "active";
    conversation.load(saved);
    changed();
    relay.want(true);
    return true;
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") sendReadReceipts();
  });

  /** Other participants' messages this customer has not seen yet (none while the panel is open). */
  function unread() {
    return state.open ? 0 : conversation.unreadByCustomer().length;
  }

  return {
    state,
    conversation,
    unread,
    typing,
    on: events.on,
    start,
    newChat,
    send,
    retry,
    sendAttachment,
    attachmentUrl,
    end,
    setOpen,
    restore,
    userTyping,
    /** Show ``error`` (``{key, params}``, a strings key) until the next change of state clears it. */
    showError: setError,
    /** Add fields to every ``startChat`` frame: ``fn(frame)`` returns (a promise of) the fields to add. */
    extendStart(fn) {
      startExtensions.push(fn);
    },
  };
}

/** The pre-chat field a ``VALIDATION_ERROR`` message is about (``attributes.email: ...`` → ``email``). */
function fieldOf(message) {
  const match = /^(?:attributes\.([\w.-]+)|(displayName))\b/.exec(String(message || ""));
  return match ? match[1] || match[2] : null;
}
