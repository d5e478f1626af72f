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
import {
  CONTENT_TYPES as CT,
  FINAL_SEND_ERRORS,
  MAX_DISPLAY_NAME_CHARS,
  MAX_MESSAGE_CHARS,
  transcriptRequest,
} from "./protocol.js";
import { refusalMessage } from "./refusals.js";
import { RelayError } from "./relay-client.js";
import { loadChat, saveChat } from "./storage.js";

const TYPING_SEND_INTERVAL_MS = 10000;
const TYPING_SHOW_MS = 5000;
const MAX_CACHED_ENTRIES = 500;
const RECONCILE_AFTER_THROTTLE_MS = 5000;
const RECONCILE_AFTER_DOUBT_MS = 3000;
/** Transcript pages of 100 items loaded to show the conversation a chat continues. */
const HISTORY_PAGES = 5;
/** After Connect's ``chat.ended`` item, how long the socket waits for the relay's ``chatEnded`` frame. */
const ENDED_FRAME_WAIT_MS = 5000;
const MAX_CONTINUATION_TOKEN_CHARS = 4096;

/** ``{token, expiresAt}`` from a ``chatEnded`` frame, or ``null`` when it carries no usable continuation token. */
function continuationOf(frame) {
  const token = frame.continuationToken;
  if (typeof token !== "string" || !token || token.length > MAX_CONTINUATION_TOKEN_CHARS) return null;
  const expiresAt = typeof frame.continuationExpiresAt === "string" ? frame.continuationExpiresAt : null;
  return expired({ expiresAt }) ? null : { token, expiresAt };
}

function expired(continuation) {
  const at = continuation && continuation.expiresAt ? Date.parse(continuation.expiresAt) : NaN;
  return Number.isFinite(at) && at <= Date.now();
}

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
    resumeToken: null,
    displayName: "",
    attributes: null,
    open: false,
    connected: false, // the socket is open and the chat started or resumed on it
    error: null, // {key, params?, field?}
    endRequested: false,
    continuation: null, // {token, expiresAt}: after a chat ended, what lets the customer continue it
    continuing: false, // the chat being started continues the previous one
  };
  let lastTypingSent = 0;
  let reconciling = false;
  let closeTimer = null;

  function changed() {
    events.emit("change");
  }

  function save() {
    const continuable = state.status === "ended" && state.continuation;
    saveChat(
      config.storageKey,
      state.resumeToken || continuable
        ? {
            resumeToken: state.resumeToken || undefined,
            continuation: continuable ? state.continuation : undefined,
            displayName: state.displayName,
            attributes: state.attributes || undefined,
            open: state.open,
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
    // This page can never connect as configured: back to the form (or the ended chat), which shows why.
    if (status.configError && state.status === "starting") giveUpStart();
    changed();
  });

  /** A start that will not happen (refused, failed, cancelled): back to the form, or to the ended chat it continued. */
  function giveUpStart() {
    state.status = state.continuing ? "ended" : "idle";
    state.continuing = false;
    relay.want(false);
  }

  let startSerial = 0;

  async function sendStart() {
    const serial = ++startSerial;
    const frame = { action: "startChat", displayName: state.displayName };
    if (state.attributes) frame.attributes = state.attributes;
    if (state.continuing && state.continuation) frame.continuationToken = state.continuation.token;
    try {
      // The page's additions: a signed-in customer's token, a human check's token (never kept, never logged).
      for (const extend of startExtensions) Object.assign(frame, await extend({ ...frame }));
    } catch (error) {
      if (serial !== startSerial || state.status !== "starting") return; // given up meanwhile
      const code = error instanceof RelayError ? error.code : "START_FAILED";
      console.error(`connect-chat widget: a chat could not start (${code})`, error instanceof RelayError ? error.message : error);
      startRefused(error instanceof RelayError ? error : new RelayError(code));
      return;
    }
    // A newer attempt (the socket reconnected meanwhile) or a cancelled one: this frame is not sent.
    if (state.status !== "starting" || serial !== startSerial || !relay.status.open) return;
    if (typeof frame.displayName === "string" && frame.displayName.trim()) {
      state.displayName = frame.displayName.trim().slice(0, MAX_DISPLAY_NAME_CHARS); // the signed-in name wins
      frame.displayName = state.displayName;
    }
    relay.request(frame).catch((error) => {
      if (error.code !== "DISCONNECTED" && error.code !== "OFFLINE") startRefused(error);
    });
  }

  function startRefused(error) {
    if (state.status !== "starting") return;
    giveUpStart();
    if (error.code === "INVALID_CONTINUATION_TOKEN") state.continuation = null;
    const field = error.code === "VALIDATION_ERROR" ? fieldOf(error.message) : null;
    if (error.code === "VALIDATION_ERROR") console.warn(`connect-chat widget: the relay refused startChat: ${error.message}`);
    state.error = { ...refusalMessage(error), field };
    save();
    events.emit("startFailed", { code: error.code, message: error.message, field });
    changed();
  }

  /** The conversation a continued chat carries on: every page of its transcript (the relay's, de-duplicated). */
  async function loadHistory() {
    let nextToken = null;
    for (let page = 0; page < HISTORY_PAGES && state.connected; page++) {
      let answer;
      try {
        answer = await relay.request(transcriptRequest(nextToken));
      } catch {
        return; // what the resume replay and the reconciliation bring is shown anyway
      }
      for (const item of answer.items || []) ingest(item, false);
      afterChange();
      nextToken = typeof answer.nextToken === "string" && answer.nextToken ? answer.nextToken : null;
      if (!nextToken) return;
    }
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
      case "chatStarted": {
        if (state.status !== "starting") return;
        const continued = state.continuing && !!frame.continuedFrom;
        if (continued) conversation.keepAsPast();
        else if (state.continuing) conversation.clear();
        state.continuing = false;
        state.continuation = null;
        conversation.contactId = frame.contactId;
        conversation.participantId = frame.participantId;
        state.resumeToken = frame.resumeToken;
        state.status = "active";
        becameReady();
        if (continued) loadHistory();
        events.emit("started", { contactId: frame.contactId, continuedFrom: frame.continuedFrom || null });
        break;
      }
      case "chatResumed":
        // The relay's word on whose chat this is wins over what this tab kept.
        if (frame.contactId) conversation.contactId = frame.contactId;
        if (frame.participantId) conversation.participantId = frame.participantId;
        if (frame.resumeToken) state.resumeToken = frame.resumeToken; // each resume hands out a fresh token
        becameReady();
        events.emit("resumed", { contactId: conversation.contactId });
        break;
      case "item":
        ingest(frame.item, true);
        afterChange();
        events.emit("item", frame.item);
        break;
      case "chatEnded": {
        const current = conversation.contactId;
        if (frame.contactId && current && frame.contactId !== current) break; // another chat's
        const continuation = continuationOf(frame);
        if (continuation) {
          state.continuation = continuation;
          if (state.status === "ended") {
            save();
            changed();
          }
        }
        chatEnded(true);
        break;
      }
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
    } else if (change === "added" && entry && !entry.own && !entry.past) {
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

  /**
   * The chat ended: told by the relay's ``chatEnded`` frame (``fromFrame``), which may carry a continuation token,
   * or first by Connect's ``chat.ended`` item. The relay follows such an item with the frame, so the socket stays
   * open a moment for it.
   */
  function chatEnded(fromFrame) {
    if (state.status !== "ended") {
      conversation.addEndedNotice();
      state.status = "ended";
      state.endRequested = false;
      for (const who of [...typing.keys()]) hideTyping(who);
      state.resumeToken = null;
      save();
      events.emit("ended", { contactId: conversation.contactId, fromServer: fromFrame });
      changed();
    }
    clearTimeout(closeTimer);
    closeTimer = setTimeout(
      () => {
        closeTimer = null;
        if (state.status === "ended") relay.want(false); // unless the customer started another chat meanwhile
      },
      fromFrame ? 0 : ENDED_FRAME_WAIT_MS
    );
  }

  /** After (re)connecting: fill any gap from the transcript, then send what is still unsent. */
  function reconcile() {
    if (!state.connected || reconciling) return;
    reconciling = true;
    relay
      .request(transcriptRequest())
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

  /** Send every message still waiting (its ``attempted`` mark changes what is saved: the caller saves). */
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
    conversation.contactId = null;
    state.resumeToken = null;
    state.endRequested = false;
    state.continuation = null;
    state.continuing = false;
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
    leaveEndedChat();
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

  /**
   * The customer leaves an ended chat for a new one (or its continuation): its socket, kept open a moment for the
   * relay's ``chatEnded`` frame, closes now. The next chat starts on a socket of its own, and nothing more about
   * the old one arrives (the relay client ignores a socket it no longer holds).
   */
  function leaveEndedChat() {
    clearTimeout(closeTimer);
    closeTimer = null;
    relay.want(false);
  }

  /** Back to the start form after a chat ended. */
  function newChat() {
    leaveEndedChat();
    resetConversation();
    state.status = "idle";
    state.error = null;
    save();
    changed();
  }

  /**
   * After a chat ended, start another that continues it (persistent chat): the same name and attributes, and the
   * continuation token the relay handed out when it ended. ``false`` when there is nothing to continue.
   */
  function continuePrevious() {
    if (state.status !== "ended" || !state.continuation) return false;
    if (expired(state.continuation)) {
      state.continuation = null;
      state.error = { key: "continuationGone" };
      save();
      changed();
      return false;
    }
    leaveEndedChat();
    state.status = "starting";
    state.continuing = true;
    state.error = null;
    state.endRequested = false;
    changed();
    relay.want(true);
    return true;
  }

  function send(text, contentType = CT.TEXT) {
    let content = String(text == null ? "" : text);
    if (!content.trim() || state.status !== "active") return false;
    if (content.length > MAX_MESSAGE_CHARS) content = content.slice(0, MAX_MESSAGE_CHARS);
    conversation.add({
      type: "message",
      own: true,
      role: "CUSTOMER",
      participantId: conversation.participantId,
      name: state.displayName,
      text: content,
      contentType,
      status: "sending",
      resumable: true,
    });
    lastTypingSent = 0;
    flushOutbox();
    afterChange();
    return true;
  }

  function retry(entry) {
    if (entry.type !== "message") return;
    entry.status = "sending";
    entry.error = "";
    flushOutbox();
    save();
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
      participantId: conversation.participantId,
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
      giveUpStart();
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
    if (open) sendReadReceipts();
    save(); // with what was just reported read
  }

  /**
   * Resume the chat saved in this tab, if any; ``true`` when there was one. An ended chat that may be continued
   * comes back as it was left (``false``: nothing to resume).
   */
  function restore() {
    const saved = loadChat(config.storageKey);
    if (!saved) return false;
    if (!saved.resumeToken && expired(saved.continuation)) {
      saveChat(config.storageKey, null);
      return false;
    }
    state.displayName = saved.displayName || "";
    state.attributes = saved.attributes && typeof saved.attributes === "object" ? saved.attributes : null;
    state.open = !!saved.open;
    conversation.load(saved);
    if (!saved.resumeToken) {
      state.status = "ended";
      state.continuation = saved.continuation;
      changed();
      return false;
    }
    state.resumeToken = saved.resumeToken;
    state.status = "active";
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
    continuePrevious,
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
