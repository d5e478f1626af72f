/*!
 * connect-chat widget: an embeddable Amazon Connect chat that talks to the connect-chat relay.
 * Plain JavaScript, no build step, no dependencies. Embed it with one tag:
 *
 *   <script src="connect-chat-widget.js"
 *           data-websocket-url="wss://example.execute-api.eu-west-1.amazonaws.com/prod"
 *           data-title="Chat with us"
 *           data-display-name-prompt="What is your name?"></script>
 *
 * Message data is always rendered with textContent, never as HTML.
 */
(function () {
  "use strict";

  if (window.ConnectChatWidget && window.ConnectChatWidget.version) {
    return; // the script was included twice
  }

  var VERSION = "1.0.0";
  var EVENT = "application/vnd.amazonaws.connect.event.";
  var CT = {
    TEXT: "text/plain",
    MARKDOWN: "text/markdown",
    TYPING: EVENT + "typing",
    READ: EVENT + "message.read",
    DELIVERED: EVENT + "message.delivered",
    JOINED: EVENT + "participant.joined",
    LEFT: EVENT + "participant.left",
    ENDED: EVENT + "chat.ended",
    TRANSFER_OK: EVENT + "transfer.succeeded",
    TRANSFER_FAILED: EVENT + "transfer.failed",
  };
  // Event items that Connect keeps in the transcript; an Id of one of them is a valid resume position.
  var TRANSCRIPT_EVENTS = [
    CT.JOINED,
    CT.LEFT,
    CT.ENDED,
    EVENT + "participant.invited",
    CT.TRANSFER_OK,
    CT.TRANSFER_FAILED,
    EVENT + "chat.rehydrated",
  ];
  var ATTACHMENT_TYPES = {
    ".csv": "text/csv",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".heic": "image/heic",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".json": "application/json",
    ".mov": "video/quicktime",
    ".mp4": "video/mp4",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".rtf": "application/rtf",
    ".txt": "text/plain",
    ".wav": "audio/wav",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  };
  var MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
  var MAX_MESSAGE_CHARS = 4096; // 16 KB of UTF-8 at worst; Connect's SendMessage limit is 16,384 bytes
  var TYPING_SEND_INTERVAL_MS = 10000;
  var TYPING_SHOW_MS = 5000;
  var REQUEST_TIMEOUT_MS = 20000;
  var MAX_BACKOFF_MS = 30000;
  var MAX_CACHED_ENTRIES = 500;

  // ------------------------------------------------------------------------------------- configuration

  var script =
    document.currentScript ||
    document.querySelector("script[data-websocket-url]") ||
    document.querySelector('script[src*="connect-chat-widget"]');
  var data = (script && script.dataset) || {};
  var config = {
    websocketUrl: data.websocketUrl || "",
    title: data.title || "Chat with us",
    displayNamePrompt: data.displayNamePrompt || "What is your name?",
    displayName: data.displayName || "",
    startOpen: data.startOpen === "true" || data.startOpen === "",
    attributes: parseAttributes(data.attributes),
    position: data.position === "left" ? "left" : "right",
    storageKey: "connect-chat-widget:" + (data.storageKey || data.websocketUrl || ""),
  };

  function parseAttributes(raw) {
    if (!raw) return null;
    try {
      var parsed = JSON.parse(raw);
      var out = {};
      Object.keys(parsed).forEach(function (k) {
        out[k] = String(parsed[k]);
      });
      return out;
    } catch (e) {
      console.warn("connect-chat widget: data-attributes is not a JSON object; ignored");
      return null;
    }
  }

  // ------------------------------------------------------------------------------------------- state

  var state = {
    status: "idle", // idle | starting | active | ended
    contactId: null,
    participantId: null,
    resumeToken: null,
    displayName: "",
    open: false,
    connected: false, // the socket is open and the chat started or resumed on it
    reconnecting: false,
    unread: 0,
    error: "",
  };
  var entries = []; // the conversation: messages, attachments and notices
  var byId = Object.create(null); // item Id -> entry
  var pendingReceipts = Object.create(null); // message Id -> {read, delivered} that arrived before the message
  var readSent = Object.create(null); // agent message Ids this customer has sent a read receipt for
  var seq = 0;
  var ws = null;
  var socketSerial = 0;
  var backoffAttempt = 0;
  var reconnectTimer = null;
  var requests = Object.create(null); // requestId -> {resolve, reject, timer}
  var requestSerial = 0;
  var requestPrefix = Math.random().toString(36).slice(2, 8);
  var lastTypingSent = 0;
  var typingTimers = Object.create(null);
  var typingNames = Object.create(null);
  var reconciling = false;
  var endRequested = false;
  var listeners = [];
  var ui = null;

  // ----------------------------------------------------------------------------------------- storage

  function storage() {
    try {
      return window.sessionStorage;
    } catch (e) {
      return null;
    }
  }

  function save() {
    var store = storage();
    if (!store) return;
    if (!state.resumeToken) {
      try {
        store.removeItem(config.storageKey);
      } catch (e) {
        /* storage unavailable */
      }
      return;
    }
    var kept = sortedEntries().slice(-MAX_CACHED_ENTRIES).map(function (entry) {
      var copy = {};
      Object.keys(entry).forEach(function (k) {
        if (k !== "inFlight" && k !== "file" && k !== "downloadUrl" && k !== "downloadExpiry") copy[k] = entry[k];
      });
      return copy;
    });
    var snapshot = {
      v: 1,
      resumeToken: state.resumeToken,
      contactId: state.contactId,
      participantId: state.participantId,
      displayName: state.displayName,
      open: state.open,
      lastId: lastSeenId(),
      entries: kept,
      readSent: Object.keys(readSent).slice(-MAX_CACHED_ENTRIES),
      seq: seq,
    };
    try {
      store.setItem(config.storageKey, JSON.stringify(snapshot));
    } catch (e) {
      /* quota exceeded: the chat still resumes from the server's transcript */
    }
  }

  function restore() {
    var store = storage();
    if (!store) return false;
    var snapshot;
    try {
      snapshot = JSON.parse(store.getItem(config.storageKey) || "null");
    } catch (e) {
      snapshot = null;
    }
    if (!snapshot || snapshot.v !== 1 || !snapshot.resumeToken) return false;
    state.resumeToken = snapshot.resumeToken;
    state.contactId = snapshot.contactId;
    state.participantId = snapshot.participantId;
    state.displayName = snapshot.displayName || "";
    state.open = !!snapshot.open;
    state.status = "active";
    seq = snapshot.seq || 0;
    (snapshot.readSent || []).forEach(function (id) {
      readSent[id] = true;
    });
    (snapshot.entries || []).forEach(function (entry) {
      if (entry.status === "uploading") entry.status = "failed"; // the file did not survive the reload
      entries.push(entry);
      if (entry.id) byId[entry.id] = entry;
    });
    return true;
  }

  function forgetSession() {
    state.resumeToken = null;
    save();
  }

  // ------------------------------------------------------------------------------------ conversation

  function compareEntries(a, b) {
    // Items with a server time first, by AbsoluteTime then Id; local entries not yet acknowledged last.
    if (a.time && b.time) {
      if (a.time !== b.time) return a.time < b.time ? -1 : 1;
      if (a.id && b.id && a.id !== b.id) return a.id < b.id ? -1 : 1;
      return a.seq - b.seq;
    }
    if (a.time) return -1;
    if (b.time) return 1;
    return a.seq - b.seq;
  }

  function sortedEntries() {
    return entries.slice().sort(compareEntries);
  }

  function lastSeenId() {
    var sorted = sortedEntries();
    for (var i = sorted.length - 1; i >= 0; i--) {
      if (sorted[i].id && sorted[i].time && sorted[i].resumable) return sorted[i].id;
    }
    return null;
  }

  function isOwn(item) {
    if (state.participantId && item.ParticipantId) return item.ParticipantId === state.participantId;
    return item.ParticipantRole === "CUSTOMER";
  }

  function newEntry(fields) {
    seq += 1;
    var entry = { key: "e" + seq, seq: seq, id: null, time: null };
    Object.keys(fields).forEach(function (k) {
      entry[k] = fields[k];
    });
    entries.push(entry);
    return entry;
  }

  function assignId(entry, id, time) {
    var other = byId[id];
    if (other && other !== entry) {
      // Another local copy with the same content was matched to this item first: hand it our id instead.
      var previous = entry.id;
      other.id = previous;
      other.time = previous ? entry.time : null;
      if (previous) byId[previous] = other;
      else if (other.own && other.type === "message") other.status = "sending";
    } else if (entry.id && entry.id !== id) {
      delete byId[entry.id];
    }
    entry.id = id;
    if (time) entry.time = time;
    byId[id] = entry;
    var early = pendingReceipts[id];
    if (early) {
      if (early.read) entry.read = true;
      if (early.delivered) entry.delivered = true;
      delete pendingReceipts[id];
    }
  }

  function applyReceipts(metadata) {
    if (!metadata || !metadata.MessageId || !Array.isArray(metadata.Receipts)) return;
    var id = metadata.MessageId;
    metadata.Receipts.forEach(function (receipt) {
      if (!receipt) return;
      if (receipt.RecipientParticipantId && receipt.RecipientParticipantId === state.participantId) {
        if (receipt.ReadTimestamp) readSent[id] = true; // this customer already read it (maybe in another tab)
        return;
      }
      var entry = byId[id];
      var target = entry || (pendingReceipts[id] = pendingReceipts[id] || {});
      if (receipt.ReadTimestamp) target.read = true;
      if (receipt.DeliveredTimestamp) target.delivered = true;
    });
  }

  function attachmentOf(item) {
    var a = (item.Attachments && item.Attachments[0]) || {};
    return {
      id: a.AttachmentId || null,
      name: a.AttachmentName || "attachment",
      contentType: a.ContentType || item.ContentType || "",
      status: a.Status || "IN_PROGRESS",
    };
  }

  var ATTACHMENT_STATUS_RANK = { IN_PROGRESS: 0, APPROVED: 1, REJECTED: 1 };

  /** One item from the relay (live, replayed on resume, or from a transcript page). */
  function ingest(item, live) {
    if (!item || typeof item !== "object" || !item.Id) return;
    var type = item.Type;
    var contentType = item.ContentType || "";

    if (type === "MESSAGEMETADATA" || contentType === CT.READ || contentType === CT.DELIVERED) {
      applyReceipts(item.MessageMetadata);
      return;
    }
    if (type === "CONNECTION_ACK") return;

    if (type === "EVENT") {
      if (contentType === CT.TYPING) {
        if (live && item.ParticipantRole !== "CUSTOMER" && !isOwn(item)) showTyping(item);
        return;
      }
      if (byId[item.Id]) return;
      var text = noticeText(item);
      if (text === null) return;
      var notice = newEntry({ type: "notice", text: text, contentType: contentType, resumable: true });
      assignId(notice, item.Id, item.AbsoluteTime);
      if (contentType === CT.LEFT) hideTyping(item.ParticipantId);
      if (contentType === CT.ENDED) chatEnded(false);
      return;
    }

    if (type !== "MESSAGE" && type !== "ATTACHMENT") return;
    var own = isOwn(item);
    var known = byId[item.Id];
    if (known) {
      if (type === "ATTACHMENT" && known.attachment) {
        var next = attachmentOf(item);
        var current = known.attachment.status;
        if ((ATTACHMENT_STATUS_RANK[next.status] || 0) >= (ATTACHMENT_STATUS_RANK[current] || 0)) {
          known.attachment.status = next.status;
          if (!known.attachment.id) known.attachment.id = next.id;
        }
        if (known.own) known.status = "sent";
      }
      if (!known.time && item.AbsoluteTime) known.time = item.AbsoluteTime;
      applyReceipts(item.MessageMetadata);
      return;
    }

    var entry = own ? matchLocal(item) : null;
    if (!entry) {
      entry = newEntry({
        type: type === "ATTACHMENT" ? "attachment" : "message",
        own: item.ParticipantRole === "CUSTOMER",
        role: item.ParticipantRole || "",
        participantId: item.ParticipantId || "",
        name: item.DisplayName || "",
        text: type === "MESSAGE" ? messageText(item) : "",
        contentType: contentType,
        status: "sent",
        resumable: true,
      });
      if (!entry.own && live && !state.open) state.unread += 1;
    }
    entry.status = "sent"; // Connect has it
    entry.error = "";
    entry.name = item.DisplayName || entry.name;
    entry.resumable = true;
    if (type === "ATTACHMENT") {
      var attachment = attachmentOf(item);
      var before = entry.attachment && ATTACHMENT_STATUS_RANK[entry.attachment.status];
      if (before && before > (ATTACHMENT_STATUS_RANK[attachment.status] || 0)) attachment.status = entry.attachment.status;
      entry.attachment = attachment;
    }
    assignId(entry, item.Id, item.AbsoluteTime);
    applyReceipts(item.MessageMetadata);
    if (!entry.own) hideTyping(item.ParticipantId);
  }

  /** The optimistic local copy of one of this customer's own items, when it has not been matched yet. */
  function matchLocal(item) {
    for (var i = 0; i < entries.length; i++) {
      var entry = entries[i];
      if (!entry.own || entry.id || !entry.attempted || entry.status === "failed") continue;
      if (item.Type === "MESSAGE" && entry.type === "message" && entry.text === item.Content) return entry;
      if (item.Type === "ATTACHMENT" && entry.type === "attachment" && entry.attachment) {
        var a = attachmentOf(item);
        if (entry.attachment.id ? entry.attachment.id === a.id : entry.attachment.name === a.name) return entry;
      }
    }
    return null;
  }

  function messageText(item) {
    var content = item.Content == null ? "" : String(item.Content);
    var contentType = item.ContentType || CT.TEXT;
    if (contentType === CT.TEXT || contentType === CT.MARKDOWN) return content;
    if (contentType.indexOf("application/vnd.amazonaws.connect.message.interactive") === 0) {
      try {
        var parsed = JSON.parse(content);
        var inner = (parsed && (parsed.data || parsed)) || {};
        var title = (inner.content && inner.content.title) || inner.title;
        if (title) return String(title);
      } catch (e) {
        /* fall through */
      }
    }
    return content ? content : "(a message this window cannot show)";
  }

  function noticeText(item) {
    var name = item.DisplayName || roleName(item.ParticipantRole);
    var role = item.ParticipantRole;
    switch (item.ContentType) {
      case CT.JOINED:
        return role === "CUSTOMER" ? null : name + " joined the chat";
      case CT.LEFT:
        return role === "CUSTOMER" ? null : name + " left the chat";
      case CT.ENDED:
        return "The chat has ended";
      case CT.TRANSFER_OK:
        return "You are being transferred";
      case CT.TRANSFER_FAILED:
        return "The transfer did not succeed";
      default:
        return null;
    }
  }

  function roleName(role) {
    if (role === "AGENT") return "The agent";
    if (role === "CUSTOM_BOT") return "The assistant";
    if (role === "SYSTEM") return "System";
    return "Someone";
  }

  // ----------------------------------------------------------------------------------------- typing

  function showTyping(item) {
    var who = item.ParticipantId || "agent";
    typingNames[who] = item.DisplayName || roleName(item.ParticipantRole);
    clearTimeout(typingTimers[who]);
    typingTimers[who] = setTimeout(function () {
      hideTyping(who);
    }, TYPING_SHOW_MS);
    renderTyping();
  }

  function hideTyping(who) {
    if (!who || !typingNames[who]) return;
    clearTimeout(typingTimers[who]);
    delete typingTimers[who];
    delete typingNames[who];
    renderTyping();
  }

  function userTyping() {
    var now = Date.now();
    if (!state.connected || now - lastTypingSent < TYPING_SEND_INTERVAL_MS) return;
    lastTypingSent = now;
    sendFrame({ action: "sendEvent", contentType: CT.TYPING, requestId: nextRequestId() });
  }

  // --------------------------------------------------------------------------------------- socket

  function nextRequestId() {
    requestSerial += 1;
    return requestPrefix + "-" + requestSerial;
  }

  function sendFrame(frame) {
    if (!ws || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  /** Send ``frame`` and wait for the frame answering its requestId (rejects on an error frame). */
  function request(frame) {
    return new Promise(function (resolve, reject) {
      var id = nextRequestId();
      frame.requestId = id;
      if (!state.connected || !sendFrame(frame)) {
        reject(widgetError("OFFLINE", "The chat is reconnecting; try again in a moment"));
        return;
      }
      requests[id] = {
        resolve: resolve,
        reject: reject,
        timer: setTimeout(function () {
          delete requests[id];
          reject(widgetError("TIMEOUT", "No answer from the chat service"));
        }, REQUEST_TIMEOUT_MS),
      };
    });
  }

  function widgetError(code, message) {
    var error = new Error(message);
    error.code = code;
    return error;
  }

  function settle(frame) {
    var pending = frame.requestId && requests[frame.requestId];
    if (!pending) return false;
    clearTimeout(pending.timer);
    delete requests[frame.requestId];
    if (frame.type === "error") pending.reject(widgetError(frame.code, frame.message || frame.code));
    else pending.resolve(frame);
    return true;
  }

  function failRequests() {
    Object.keys(requests).forEach(function (id) {
      var pending = requests[id];
      clearTimeout(pending.timer);
      delete requests[id];
      pending.reject(widgetError("DISCONNECTED", "The connection was lost"));
    });
  }

  function needsSocket() {
    return state.status === "starting" || (state.status === "active" && !!state.resumeToken);
  }

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (!needsSocket() || (ws && ws.readyState <= 1)) return;
    if (!config.websocketUrl) {
      setError("This chat is not configured (no data-websocket-url).");
      return;
    }
    if (navigator.onLine === false) {
      setReconnecting(true);
      return; // the "online" event reconnects
    }
    socketSerial += 1;
    var serial = socketSerial;
    var socket;
    try {
      socket = new WebSocket(config.websocketUrl);
    } catch (e) {
      setError("The chat address is not valid.");
      return;
    }
    ws = socket;
    socket.onopen = function () {
      if (serial !== socketSerial) return;
      if (state.resumeToken) {
        var frame = { action: "resumeChat", resumeToken: state.resumeToken, requestId: nextRequestId() };
        var after = lastSeenId();
        if (after) frame.afterId = after;
        sendFrame(frame);
      } else if (state.status === "starting") {
        var start = { action: "startChat", displayName: state.displayName, requestId: nextRequestId() };
        if (config.attributes) start.attributes = config.attributes;
        sendFrame(start);
      }
    };
    socket.onmessage = function (event) {
      if (serial !== socketSerial) return;
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (frame && typeof frame === "object") onFrame(frame);
    };
    socket.onclose = function () {
      if (serial !== socketSerial) return;
      ws = null;
      state.connected = false;
      failRequests();
      entries.forEach(function (entry) {
        entry.inFlight = false;
      });
      scheduleReconnect();
      render();
    };
    socket.onerror = function () {
      /* onclose follows */
    };
  }

  function scheduleReconnect() {
    if (!needsSocket()) {
      setReconnecting(false);
      return;
    }
    setReconnecting(true);
    clearTimeout(reconnectTimer);
    if (backoffAttempt >= 4 && !state.error) setError("The chat service cannot be reached. Still trying…");
    var base = Math.min(MAX_BACKOFF_MS, 500 * Math.pow(2, backoffAttempt));
    backoffAttempt += 1;
    var delay = Math.round(base / 2 + Math.random() * (base / 2));
    reconnectTimer = setTimeout(connect, delay);
  }

  function reconnectNow() {
    if (!needsSocket()) return;
    if (ws && ws.readyState <= 1) return;
    backoffAttempt = 0;
    connect();
  }

  function dropSocket() {
    // What a network drop does: the socket is gone; the widget reconnects and resumes.
    if (ws) {
      var socket = ws;
      socket.onclose && socket.onclose();
      socketSerial += 1;
      try {
        socket.close();
      } catch (e) {
        /* already closed */
      }
    }
  }

  function closeSocket() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    socketSerial += 1;
    state.connected = false;
    failRequests();
    if (ws) {
      try {
        ws.close(1000);
      } catch (e) {
        /* already closed */
      }
      ws = null;
    }
  }

  function setReconnecting(on) {
    state.reconnecting = on;
    render();
  }

  function setError(message) {
    state.error = message;
    render();
  }

  // --------------------------------------------------------------------------------------- frames

  function onFrame(frame) {
    var settled = settle(frame); // the answer to a request() is handled by its promise
    switch (frame.type) {
      case "chatStarted":
        state.contactId = frame.contactId;
        state.participantId = frame.participantId;
        state.resumeToken = frame.resumeToken;
        state.status = "active";
        becameReady();
        emit("started", { contactId: frame.contactId });
        focusComposer();
        break;
      case "chatResumed":
        state.contactId = frame.contactId || state.contactId;
        state.participantId = frame.participantId || state.participantId;
        if (frame.resumeToken) state.resumeToken = frame.resumeToken; // each resume hands out a fresh token
        becameReady();
        emit("resumed", { contactId: state.contactId });
        break;
      case "item":
        ingest(frame.item, true);
        afterChange();
        emit("item", frame.item);
        break;
      case "chatEnded":
        chatEnded(true);
        break;
      case "resumeToken": // another tab resumed the chat: keep the newest token
        if (frame.resumeToken && state.status === "active") {
          state.resumeToken = frame.resumeToken;
          save();
        }
        break;
      case "transcript":
        if (!settled) {
          (frame.items || []).forEach(function (item) {
            ingest(item, false);
          });
          afterChange();
        }
        break;
      case "error":
        if (!settled) onError(frame);
        break;
      default:
        break;
    }
  }

  function becameReady() {
    state.connected = true;
    state.error = "";
    backoffAttempt = 0;
    setReconnecting(false);
    save();
    reconcile();
    if (endRequested) endChat();
  }

  function onError(frame) {
    var code = frame.code || "ERROR";
    if (code === "INVALID_RESUME_TOKEN") {
      closeSocket();
      resetConversation();
      state.status = "idle";
      state.error = "Your previous chat is no longer available. You can start a new one.";
      forgetSession();
      render();
      return;
    }
    if (code === "RATE_LIMITED" || code === "THROTTLED") {
      // Frames may have been dropped: check against the transcript a little later and resend what is missing.
      setTimeout(reconcile, 5000);
      return;
    }
    if (state.status === "starting" && !state.resumeToken) {
      state.status = "idle";
      closeSocket();
      setError(code === "THROTTLED" ? "The service is busy; please try again." : "The chat could not be started.");
      return;
    }
    if (code === "NO_CHAT" && state.resumeToken) {
      dropSocket(); // the connection lost its chat: resume on a fresh one
    }
  }

  function chatEnded(fromServer) {
    if (state.status === "ended") return;
    var hasNotice = entries.some(function (e) {
      return e.type === "notice" && e.contentType === CT.ENDED;
    });
    if (!hasNotice) newEntry({ type: "notice", text: "The chat has ended", contentType: CT.ENDED });
    state.status = "ended";
    endRequested = false;
    Object.keys(typingNames).forEach(hideTyping);
    forgetSession();
    closeSocket();
    setReconnecting(false);
    emit("ended", { contactId: state.contactId, fromServer: fromServer });
    render();
  }

  /** After (re)connecting: fill any gap from the transcript, then send what is still unsent. */
  function reconcile() {
    if (!state.connected || reconciling) return;
    reconciling = true;
    request({ action: "getTranscript", maxResults: 100, scanDirection: "BACKWARD", sortOrder: "ASCENDING" })
      .then(function (frame) {
        (frame.items || []).forEach(function (item) {
          ingest(item, false);
        });
      })
      .catch(function () {
        /* the resume replay already covered the gap; the outbox is flushed anyway */
      })
      .then(function () {
        reconciling = false;
        flushOutbox();
        afterChange();
      });
  }

  function flushOutbox() {
    if (!state.connected) return;
    entries.forEach(function (entry) {
      if (!entry.own || entry.type !== "message" || entry.status !== "sending" || entry.inFlight) return;
      entry.inFlight = true;
      entry.attempted = true;
      var frame = { action: "sendMessage", content: entry.text, contentType: CT.TEXT };
      request(frame)
        .then(function (ack) {
          entry.inFlight = false;
          if (ack.id) assignId(entry, ack.id, ack.absoluteTime);
          entry.status = "sent";
          afterChange();
        })
        .catch(function (error) {
          entry.inFlight = false;
          if (error.code === "VALIDATION_ERROR" || error.code === "BLOCKED" || error.code === "PAYLOAD_TOO_LARGE") {
            entry.status = "failed";
            entry.error = error.code === "BLOCKED" ? "Not sent: blocked" : "Not sent";
          } else if (error.code !== "DISCONNECTED" && error.code !== "OFFLINE") {
            // Throttled or unanswered: it may have been sent after all; the transcript decides, then resend.
            setTimeout(reconcile, 3000);
          }
          afterChange();
        });
    });
    save();
  }

  // --------------------------------------------------------------------------------------- actions

  function startChat(displayName) {
    var name = String(displayName || "").trim();
    if (!name) {
      setError("Please enter your name.");
      return false;
    }
    if (state.status === "active" || state.status === "starting") return false;
    resetConversation();
    state.displayName = name.slice(0, 256);
    state.status = "starting";
    state.error = "";
    backoffAttempt = 0;
    render();
    connect();
    return true;
  }

  function resetConversation() {
    entries = [];
    byId = Object.create(null);
    pendingReceipts = Object.create(null);
    readSent = Object.create(null);
    state.contactId = null;
    state.participantId = null;
    state.resumeToken = null;
    state.unread = 0;
    endRequested = false;
    if (ui) ui.list.textContent = "";
    if (ui) ui.rendered = Object.create(null);
  }

  function sendMessage(text) {
    var content = String(text == null ? "" : text);
    if (!content.trim() || state.status !== "active") return false;
    if (content.length > MAX_MESSAGE_CHARS) content = content.slice(0, MAX_MESSAGE_CHARS);
    newEntry({
      type: "message",
      own: true,
      role: "CUSTOMER",
      participantId: state.participantId,
      name: state.displayName,
      text: content,
      contentType: CT.TEXT,
      status: "sending",
      resumable: true,
    });
    lastTypingSent = 0;
    afterChange();
    flushOutbox();
    return true;
  }

  function retry(entry) {
    if (entry.type === "message") {
      entry.status = "sending";
      entry.error = "";
      flushOutbox();
    }
    render();
  }

  function attachmentType(file) {
    var dot = file.name.lastIndexOf(".");
    var extension = dot >= 0 ? file.name.slice(dot).toLowerCase() : "";
    var byExtension = ATTACHMENT_TYPES[extension];
    if (!byExtension) return null;
    var known = Object.keys(ATTACHMENT_TYPES).some(function (k) {
      return ATTACHMENT_TYPES[k] === file.type;
    });
    return known && file.type ? file.type : byExtension;
  }

  function sendAttachment(file) {
    if (!file || state.status !== "active") return Promise.reject(widgetError("NO_CHAT", "No chat"));
    var contentType = attachmentType(file);
    var problem = null;
    if (!contentType) problem = "This type of file cannot be sent.";
    else if (file.size < 1) problem = "The file is empty.";
    else if (file.size > MAX_ATTACHMENT_BYTES) problem = "The file is larger than 20 MB.";
    if (problem) {
      setError(problem);
      return Promise.reject(widgetError("VALIDATION_ERROR", problem));
    }
    state.error = "";
    var entry = newEntry({
      type: "attachment",
      own: true,
      role: "CUSTOMER",
      participantId: state.participantId,
      name: state.displayName,
      contentType: contentType,
      status: "uploading",
      attachment: { id: null, name: file.name, contentType: contentType, status: "UPLOADING" },
      resumable: true,
      file: file,
    });
    afterChange();
    return request({ action: "sendAttachment", fileName: file.name, contentType: contentType, size: file.size })
      .then(function (upload) {
        entry.attachment.id = upload.attachmentId;
        return fetch(upload.url, { method: "PUT", headers: upload.headers || {}, body: file }).then(function (res) {
          if (!res.ok) throw widgetError("UPLOAD_FAILED", "The upload was refused (" + res.status + ")");
          entry.attempted = true;
          return request({ action: "sendAttachment", attachmentId: upload.attachmentId });
        });
      })
      .then(function () {
        if (entry.status === "uploading") entry.status = "sent";
        if (entry.attachment.status === "UPLOADING") entry.attachment.status = "IN_PROGRESS";
        delete entry.file;
        afterChange();
        return entry.attachment.id;
      })
      .catch(function (error) {
        delete entry.file;
        if (entry.id) return entry.attachment.id; // the attachment reached the chat after all
        entry.status = "failed";
        entry.error = "Upload failed";
        afterChange();
        throw error;
      });
  }

  function attachmentUrl(attachmentId) {
    return request({ action: "getAttachment", attachmentId: attachmentId }).then(function (frame) {
      return frame.url;
    });
  }

  function download(entry, link) {
    if (!entry.attachment || !entry.attachment.id) return;
    link.setAttribute("aria-busy", "true");
    attachmentUrl(entry.attachment.id)
      .then(function (url) {
        var anchor = document.createElement("a");
        anchor.href = url;
        anchor.target = "_blank";
        anchor.rel = "noopener noreferrer";
        anchor.download = entry.attachment.name;
        anchor.style.display = "none";
        ui.root.appendChild(anchor);
        anchor.click();
        anchor.remove();
      })
      .catch(function (error) {
        setError("The file could not be downloaded: " + error.message);
      })
      .then(function () {
        link.removeAttribute("aria-busy");
      });
  }

  function endChat() {
    if (state.status === "starting" && !state.resumeToken) {
      closeSocket();
      state.status = "idle";
      state.error = "";
      setReconnecting(false);
      return;
    }
    if (state.status !== "active") return;
    endRequested = true;
    if (!state.connected) {
      render();
      return; // sent once the chat is resumed
    }
    request({ action: "endChat" }).catch(function (error) {
      if (error.code !== "DISCONNECTED") endRequested = false;
    });
    render();
  }

  function sendReadReceipts() {
    if (!state.connected || !state.open || document.visibilityState !== "visible") return;
    entries.forEach(function (entry) {
      if (entry.own || entry.type !== "message" || !entry.id || readSent[entry.id]) return;
      readSent[entry.id] = true;
      sendFrame({ action: "sendEvent", contentType: CT.READ, messageId: entry.id, requestId: nextRequestId() });
    });
  }

  function afterChange() {
    render();
    sendReadReceipts();
    save();
  }

  // ------------------------------------------------------------------------------------------ events

  function emit(name, detail) {
    listeners.forEach(function (listener) {
      if (listener.name === name || listener.name === "*") {
        try {
          listener.fn(detail, name);
        } catch (e) {
          console.error(e);
        }
      }
    });
  }

  // ----------------------------------------------------------------------------------------------- UI

  var STYLES = [
    ":host{all:initial;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:15px;color:#1b1f24}",
    "*{box-sizing:border-box}",
    "[hidden]{display:none!important}",
    ".sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}",
    ".bubble{position:fixed;bottom:20px;width:60px;height:60px;border-radius:50%;border:none;cursor:pointer;",
    "background:var(--ccw-accent,#0b5cad);color:#fff;box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center;z-index:2147483000}",
    ".bubble:focus-visible,button:focus-visible{outline:3px solid #f5a623;outline-offset:2px}",
    "textarea:focus,input:focus,.log:focus-visible{outline:none;border-color:var(--ccw-accent,#0b5cad);box-shadow:0 0 0 3px rgba(11,92,173,.3)}",
    ".bubble svg{width:28px;height:28px;fill:currentColor}",
    ".badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;border-radius:11px;background:#c62828;color:#fff;font-size:12px;font-weight:700;display:flex;align-items:center;justify-content:center;padding:0 6px}",
    ".panel{position:fixed;bottom:92px;width:370px;max-width:calc(100vw - 24px);height:560px;max-height:calc(100vh - 110px);background:#fff;border-radius:14px;",
    "box-shadow:0 10px 40px rgba(0,0,0,.28);display:flex;flex-direction:column;overflow:hidden;z-index:2147483000}",
    ".right{right:20px}.left{left:20px}",
    "header{background:var(--ccw-accent,#0b5cad);color:#fff;padding:12px 12px 12px 16px;display:flex;align-items:center;gap:8px}",
    "header h2{font-size:16px;margin:0;flex:1;font-weight:600}",
    "header button{background:rgba(255,255,255,.16);color:#fff;border:none;border-radius:6px;padding:6px 10px;font:inherit;font-size:13px;cursor:pointer}",
    "header button:hover{background:rgba(255,255,255,.28)}",
    "header .minimize{display:flex;align-items:center;justify-content:center;padding:4px;width:32px;height:30px}",
    "header .minimize svg{width:18px;height:18px;fill:currentColor}",
    ".status{font-size:13px;padding:6px 14px;background:#fff4d6;color:#5c4400}",
    ".status:empty{display:none}",
    ".error{font-size:13px;padding:6px 14px;background:#fde7e7;color:#8a1c1c}",
    ".error:empty{display:none}",
    ".log{flex:1;overflow-y:auto;margin:0;padding:12px;list-style:none;background:#f5f7fa;display:flex;flex-direction:column;gap:8px}",
    ".entry{display:flex;flex-direction:column;max-width:82%}",
    ".entry.own{align-self:flex-end;align-items:flex-end}",
    ".entry.other{align-self:flex-start;align-items:flex-start}",
    ".entry.notice{align-self:center;max-width:95%;font-size:12px;color:#555;background:#e8ecf1;border-radius:10px;padding:3px 10px}",
    ".meta{font-size:11px;color:#5b6470;margin:0 4px 2px}",
    ".text{padding:8px 12px;border-radius:14px;white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere;line-height:1.35}",
    ".own .text{background:var(--ccw-accent,#0b5cad);color:#fff;border-bottom-right-radius:4px}",
    ".other .text{background:#fff;border:1px solid #dde2e8;border-bottom-left-radius:4px}",
    ".receipt{font-size:11px;color:#5b6470;margin:2px 4px 0}",
    ".receipt.failed{color:#b00020}",
    ".receipt button,.file button{font:inherit;font-size:12px;border:none;background:none;color:var(--ccw-accent,#0b5cad);text-decoration:underline;cursor:pointer;padding:0 2px}",
    ".own .file button{color:#fff}",
    ".file{display:flex;flex-direction:column;gap:2px}",
    ".file-name{font-weight:600}",
    ".file-state{font-size:12px;opacity:.85}",
    ".typing{font-size:12px;color:#5b6470;padding:4px 14px;min-height:22px;background:#f5f7fa}",
    ".start{padding:20px 16px;display:flex;flex-direction:column;gap:10px;flex:1;justify-content:center}",
    ".start label{font-weight:600}",
    ".start input{font:inherit;padding:10px;border:1px solid #aab3bd;border-radius:8px}",
    ".primary{font:inherit;background:var(--ccw-accent,#0b5cad);color:#fff;border:none;border-radius:8px;padding:10px 14px;cursor:pointer}",
    ".primary:disabled{opacity:.6;cursor:default}",
    ".composer{display:flex;gap:6px;align-items:flex-end;padding:10px;border-top:1px solid #dde2e8;background:#fff}",
    ".composer textarea{flex:1;resize:none;font:inherit;padding:8px 10px;border:1px solid #aab3bd;border-radius:8px;min-height:40px;max-height:120px}",
    ".icon{background:none;border:1px solid #aab3bd;border-radius:8px;width:40px;height:40px;cursor:pointer;color:#333;display:flex;align-items:center;justify-content:center}",
    ".icon svg{width:20px;height:20px;fill:currentColor}",
    ".ended{padding:12px;border-top:1px solid #dde2e8;display:flex;justify-content:center}",
    "@media (max-width:480px){.panel{left:8px;right:8px;width:auto;max-width:none;bottom:84px;height:calc(100vh - 96px)}.bubble.right{right:12px}.bubble.left{left:12px}.bubble{bottom:12px}}",
    "@media (prefers-reduced-motion:no-preference){.panel{animation:ccw-in .15s ease-out}}",
    "@keyframes ccw-in{from{opacity:0;transform:translateY(8px)}to{opacity:1;transform:none}}",
  ].join("\n");

  var ICON_CHAT =
    "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-4.5 3.6A.9.9 0 0 1 2 20.9V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 " +
    "1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z";
  var ICON_CLOSE = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6 10.6 12 5 6.4z";
  var ICON_ATTACH =
    "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9V15.5a3 3 0 0 0 6 0V5a4.5 4.5 " +
    "0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z";
  var ICON_SEND = "M2 21 23 12 2 3v7l15 2-15 2z";
  var SVG_NS = "http://www.w3.org/2000/svg";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  function icon(path) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var shape = document.createElementNS(SVG_NS, "path");
    shape.setAttribute("d", path);
    svg.appendChild(shape);
    return svg;
  }

  function mount() {
    var host = document.createElement("div");
    host.id = "connect-chat-widget";
    host.setAttribute("data-connect-chat-widget", VERSION);
    document.body.appendChild(host);
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    root.appendChild(el("style", { text: STYLES }));
    var side = config.position;
    var ids = { panel: "ccw-panel", title: "ccw-title", name: "ccw-name", input: "ccw-input", file: "ccw-file" };

    var badge = el("span", { className: "badge", "aria-hidden": "true", hidden: true });
    var bubble = el(
      "button",
      {
        type: "button",
        className: "bubble " + side,
        "aria-controls": ids.panel,
        "aria-expanded": "false",
        "aria-label": "Open chat: " + config.title,
        onclick: function () {
          toggle();
        },
      },
      [icon(ICON_CHAT), badge]
    );

    var title = el("h2", { id: ids.title, text: config.title });
    var endButton = el("button", { type: "button", text: "End chat", onclick: endChat });
    var closeButton = el(
      "button",
      { type: "button", className: "minimize", "aria-label": "Minimize chat", title: "Minimize", onclick: close },
      [icon(ICON_CLOSE)]
    );
    var header = el("header", {}, [title, endButton, closeButton]);
    var status = el("div", { className: "status", role: "status", "aria-live": "polite" });
    var error = el("div", { className: "error", role: "alert" });

    var nameInput = el("input", {
      id: ids.name,
      type: "text",
      autocomplete: "name",
      maxlength: "256",
      required: true,
      value: config.displayName || null,
    });
    var startButton = el("button", { type: "submit", className: "primary", text: "Start chat" });
    var startForm = el(
      "form",
      {
        className: "start",
        "aria-label": "Start a chat",
        onsubmit: function (event) {
          event.preventDefault();
          startChat(nameInput.value);
        },
      },
      [el("label", { for: ids.name, text: config.displayNamePrompt }), nameInput, startButton]
    );

    var list = el("ol", {
      className: "log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": "Conversation",
      tabindex: "0",
    });
    var typing = el("div", { className: "typing", role: "status", "aria-live": "polite" });

    var textarea = el("textarea", {
      id: ids.input,
      rows: "1",
      maxlength: String(MAX_MESSAGE_CHARS),
      placeholder: "Type a message",
      "aria-label": "Message",
      onkeydown: function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          submitComposer();
        }
      },
      oninput: function () {
        if (textarea.value) userTyping();
      },
    });
    var fileInput = el("input", {
      id: ids.file,
      type: "file",
      className: "sr-only",
      tabindex: "-1",
      "aria-hidden": "true",
      accept: Object.keys(ATTACHMENT_TYPES).join(","),
      onchange: function () {
        var file = fileInput.files && fileInput.files[0];
        fileInput.value = "";
        if (file) sendAttachment(file).catch(function () {});
      },
    });
    var attachButton = el(
      "button",
      {
        type: "button",
        className: "icon",
        "aria-label": "Attach a file",
        title: "Attach a file",
        onclick: function () {
          fileInput.click();
        },
      },
      [icon(ICON_ATTACH)]
    );
    var sendButton = el("button", { type: "submit", className: "icon", "aria-label": "Send message", title: "Send" }, [
      icon(ICON_SEND),
    ]);
    var composer = el(
      "form",
      {
        className: "composer",
        "aria-label": "Send a message",
        onsubmit: function (event) {
          event.preventDefault();
          submitComposer();
        },
      },
      [attachButton, fileInput, textarea, sendButton]
    );
    var newChatButton = el("button", {
      type: "button",
      className: "primary",
      text: "Start a new chat",
      onclick: function () {
        resetConversation();
        state.status = "idle";
        render();
        nameInput.focus();
      },
    });
    var ended = el("div", { className: "ended" }, [newChatButton]);

    var panel = el(
      "section",
      {
        id: ids.panel,
        className: "panel " + side,
        role: "dialog",
        "aria-modal": "false",
        "aria-labelledby": ids.title,
        hidden: true,
        onkeydown: function (event) {
          if (event.key === "Escape") {
            event.stopPropagation();
            close();
          }
        },
      },
      [header, status, error, startForm, list, typing, composer, ended]
    );

    root.appendChild(panel);
    root.appendChild(bubble);

    function submitComposer() {
      if (sendMessage(textarea.value)) {
        textarea.value = "";
        textarea.focus();
      }
    }

    ui = {
      host: host,
      root: root,
      bubble: bubble,
      badge: badge,
      panel: panel,
      endButton: endButton,
      status: status,
      error: error,
      startForm: startForm,
      nameInput: nameInput,
      startButton: startButton,
      list: list,
      typing: typing,
      composer: composer,
      textarea: textarea,
      sendButton: sendButton,
      attachButton: attachButton,
      ended: ended,
      rendered: Object.create(null),
    };
    render();
  }

  function focusComposer() {
    if (!ui || !state.open) return;
    setTimeout(function () {
      if (state.status === "active") ui.textarea.focus();
      else if (state.status === "idle") ui.nameInput.focus();
    }, 0);
  }

  function receiptText(entry) {
    if (entry.status === "failed") return entry.error || "Not sent";
    if (entry.status === "sending") return "Sending…";
    if (entry.status === "uploading") return "Uploading…";
    if (entry.read) return "Read";
    if (entry.delivered) return "Delivered";
    return "Sent";
  }

  function formatTime(iso) {
    if (!iso) return "";
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  /**
   * Create or update the list item of ``entry``. Updates change only the parts that changed, so that the
   * live region announces a message once, when it is added, and not again when its receipt changes.
   */
  function renderEntry(entry, node) {
    if (!node) {
      node = el("li", {});
      if (entry.type !== "notice") {
        node.appendChild(el("div", { className: "meta" }));
        node.appendChild(el("div", { className: "text" }));
        if (entry.own) node.appendChild(el("div", { className: "receipt", "aria-live": "off" }));
      }
    }
    node.setAttribute("data-key", entry.key);
    if (entry.id) node.setAttribute("data-id", entry.id);
    if (entry.type === "notice") {
      node.className = "entry notice";
      node.setAttribute("data-kind", "notice");
      setText(node, entry.text);
      return node;
    }
    var own = !!entry.own;
    node.className = "entry " + (own ? "own" : "other");
    node.setAttribute("data-kind", entry.type);
    node.setAttribute("data-role", entry.role || "");
    var who = own ? "You" : entry.name || roleName(entry.role);
    var time = formatTime(entry.time);
    setText(node.children[0], time ? who + " · " + time : who);
    var body = node.children[1];
    if (entry.type === "attachment") {
      body.className = "text file";
      var a = entry.attachment || {};
      var stateText =
        a.status === "APPROVED"
          ? ""
          : a.status === "REJECTED"
            ? "This file was rejected by the security scan"
            : a.status === "UPLOADING"
              ? "Uploading…"
              : "Scanning…";
      var shown = a.status + "|" + a.id + "|" + a.name;
      if (body.getAttribute("data-shown") !== shown) {
        body.setAttribute("data-shown", shown);
        body.textContent = "";
        body.appendChild(el("span", { className: "file-name", text: a.name || "attachment" }));
        if (stateText) body.appendChild(el("span", { className: "file-state", text: stateText }));
        if (a.status === "APPROVED" && a.id) {
          var link = el("button", {
            type: "button",
            className: "download",
            text: "Download",
            "aria-label": "Download " + (a.name || "attachment"),
          });
          link.addEventListener("click", function () {
            download(entry, link);
          });
          body.appendChild(link);
        }
      }
    } else {
      setText(body, entry.text);
    }
    var receipt = node.children[2];
    if (receipt) {
      receipt.className = "receipt" + (entry.status === "failed" ? " failed" : "");
      var label = receiptText(entry);
      var failed = entry.status === "failed" && entry.type === "message";
      if (receipt.getAttribute("data-shown") !== label + failed) {
        receipt.setAttribute("data-shown", label + failed);
        receipt.textContent = label;
        if (failed) {
          receipt.appendChild(
            el("button", {
              type: "button",
              text: "Retry",
              onclick: function () {
                retry(entry);
              },
            })
          );
        }
      }
    }
    return node;
  }

  function signature(entry) {
    return JSON.stringify([
      entry.id,
      entry.time,
      entry.text,
      entry.name,
      entry.status,
      entry.read,
      entry.delivered,
      entry.error,
      entry.attachment && entry.attachment.status,
      entry.attachment && entry.attachment.id,
    ]);
  }

  function render() {
    if (!ui) return;
    var s = state.status;
    ui.panel.hidden = !state.open;
    ui.bubble.setAttribute("aria-expanded", state.open ? "true" : "false");
    ui.bubble.setAttribute("aria-label", (state.open ? "Close chat: " : "Open chat: ") + config.title);
    var unread = state.open ? 0 : state.unread;
    ui.badge.hidden = unread === 0;
    ui.badge.textContent = unread > 9 ? "9+" : String(unread);
    ui.startForm.hidden = s !== "idle" && s !== "starting";
    ui.startButton.disabled = s === "starting";
    ui.startButton.textContent = s === "starting" ? "Connecting…" : "Start chat";
    ui.nameInput.disabled = s === "starting";
    var inChat = s === "active" || s === "ended";
    ui.list.hidden = !inChat;
    ui.typing.hidden = !inChat;
    ui.composer.hidden = s !== "active";
    ui.ended.hidden = s !== "ended";
    ui.endButton.hidden = s !== "active" && s !== "starting";
    ui.endButton.disabled = endRequested;
    ui.textarea.disabled = s !== "active";
    var statusText = "";
    if (endRequested && s === "active") statusText = "Ending the chat…";
    else if (state.reconnecting && s !== "ended") statusText = "Connection lost. Reconnecting…";
    if (ui.status.textContent !== statusText) ui.status.textContent = statusText;
    if (ui.error.textContent !== state.error) ui.error.textContent = state.error;

    var sorted = sortedEntries();
    var rendered = ui.rendered;
    var keep = Object.create(null);
    var before = ui.list.firstChild;
    var stick = ui.list.scrollHeight - ui.list.scrollTop - ui.list.clientHeight < 40;
    sorted.forEach(function (entry) {
      keep[entry.key] = true;
      var record = rendered[entry.key];
      var sig = signature(entry);
      if (!record) {
        record = rendered[entry.key] = { node: renderEntry(entry, null), sig: sig };
      } else if (record.sig !== sig) {
        renderEntry(entry, record.node);
        record.sig = sig;
      }
      if (record.node !== before) ui.list.insertBefore(record.node, before);
      else before = before.nextSibling;
    });
    Object.keys(rendered).forEach(function (key) {
      if (!keep[key]) {
        rendered[key].node.remove();
        delete rendered[key];
      }
    });
    if (stick) ui.list.scrollTop = ui.list.scrollHeight;
    renderTyping();
  }

  function renderTyping() {
    if (!ui) return;
    var names = Object.keys(typingNames).map(function (k) {
      return typingNames[k];
    });
    var text = "";
    if (names.length === 1) text = names[0] + " is typing…";
    else if (names.length > 1) text = names.join(", ") + " are typing…";
    if (ui.typing.textContent !== text) ui.typing.textContent = text;
  }

  // ------------------------------------------------------------------------------------- open / close

  function open() {
    if (state.open) return;
    state.open = true;
    state.unread = 0;
    render();
    save();
    focusComposer();
    sendReadReceipts();
    emit("open", {});
  }

  function close() {
    if (!state.open) return;
    state.open = false;
    render();
    save();
    if (ui) ui.bubble.focus();
    emit("close", {});
  }

  function toggle() {
    if (state.open) close();
    else open();
  }

  // ---------------------------------------------------------------------------------------- public API

  function snapshot() {
    return {
      status: state.status,
      open: state.open,
      connected: state.connected,
      reconnecting: state.reconnecting,
      contactId: state.contactId,
      participantId: state.participantId,
      displayName: state.displayName,
      lastId: lastSeenId(),
      error: state.error,
      typing: Object.keys(typingNames).map(function (k) {
        return typingNames[k];
      }),
      items: sortedEntries().map(function (e) {
        return {
          id: e.id,
          kind: e.type,
          own: !!e.own,
          role: e.role || null,
          name: e.name || null,
          text: e.text || null,
          time: e.time,
          status: e.status || null,
          read: !!e.read,
          delivered: !!e.delivered,
          attachment: e.attachment
            ? { id: e.attachment.id, name: e.attachment.name, status: e.attachment.status }
            : null,
        };
      }),
    };
  }

  window.ConnectChatWidget = {
    version: VERSION,
    config: config,
    open: open,
    close: close,
    toggle: toggle,
    start: startChat,
    send: sendMessage,
    sendAttachment: sendAttachment,
    attachmentUrl: attachmentUrl,
    end: endChat,
    reconnect: reconnectNow,
    /** Drop the WebSocket as a network failure would (the widget reconnects and resumes). */
    dropConnection: dropSocket,
    on: function (name, fn) {
      listeners.push({ name: name, fn: fn });
      return function () {
        listeners = listeners.filter(function (l) {
          return l.fn !== fn;
        });
      };
    },
    get state() {
      return snapshot();
    },
  };

  // -------------------------------------------------------------------------------------------- boot

  function boot() {
    if (!config.websocketUrl) {
      console.error("connect-chat widget: the script tag needs data-websocket-url");
    }
    var resumed = restore();
    mount();
    if (!resumed && config.startOpen) state.open = true;
    render();
    if (resumed) connect();
    window.addEventListener("online", reconnectNow);
    window.addEventListener("offline", function () {
      if (ws) dropSocket();
    });
    window.addEventListener("pageshow", reconnectNow);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        reconnectNow();
        sendReadReceipts();
      }
    });
    if (state.open) focusComposer();
  }

  if (document.body) boot();
  else document.addEventListener("DOMContentLoaded", boot);
})();
