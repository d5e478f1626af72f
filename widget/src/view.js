/**
 * The view: the chat button and panel in a shadow root, rendered from the chat controller's state. It owns
 * the DOM, focus and the strings shown; the conversation's content goes through the renderer registry and is
 * only ever set as text.
 */
import { ALLOWED_EXTENSIONS } from "./attachments.js";
import { el, icon, setAttr, setText } from "./dom.js";
import * as ICONS from "./icons.js";
import { createPreChatForm } from "./prechat.js";
import { CONTENT_TYPES as CT, MAX_MESSAGE_CHARS } from "./protocol.js";
import { rendererFor } from "./renderers/registry.js";
import { formattingLocale, localized } from "./strings.js";
import { CSS } from "./styles.js";
import { downloadText, transcriptText } from "./transcript.js";

const IDS = {
  panel: "ccw-panel",
  title: "ccw-title",
  field: "ccw-field",
  input: "ccw-input",
  file: "ccw-file",
};

/**
 * @param {{config: object, chat: object, relay: object, fields: object[], onOpenChange: Function}} options
 */
export function createView({ config, chat, relay, fields, onOpenChange }) {
  let t = (key) => key;
  let language = "en";
  let locale = "en";
  let returnFocusTo = null;
  const rendered = new Map(); // entry key -> {node, sig}

  // ------------------------------------------------------------------------------------------ the DOM

  const host = el("div", {
    id: "connect-chat-widget",
    "data-theme": config.theme,
    "data-bubble": config.bubble,
  });
  const shadow = host.attachShadow({ mode: "open" });
  const style = el("style", { nonce: config.nonce || null, text: CSS });

  const badge = el("span", { className: "badge", "aria-hidden": "true", hidden: true });
  const bubble = el(
    "button",
    {
      type: "button",
      className: `bubble ${config.position}`,
      "aria-controls": IDS.panel,
      "aria-expanded": "false",
      hidden: config.bubble === "hidden",
      onclick: () => toggle(bubble),
    },
    [icon(ICONS.CHAT), badge]
  );

  const title = el("h2", { id: IDS.title });
  const transcriptButton = el("button", { type: "button", className: "icon-button", onclick: downloadTranscript }, [
    icon(ICONS.DOWNLOAD),
  ]);
  const endButton = el("button", {
    type: "button",
    onclick: () => {
      if (endButton.getAttribute("aria-disabled") !== "true") chat.end();
    },
  });
  const minimizeButton = el("button", { type: "button", className: "icon-button", onclick: () => close() }, [icon(ICONS.CLOSE)]);
  const header = el("header", {}, [title, transcriptButton, endButton, minimizeButton]);
  const status = el("div", { className: "status", role: "status", "aria-live": "polite" });
  const alertText = el("span");
  const retryButton = el("button", { type: "button", onclick: () => relay.retry() });
  const alertBox = el("div", { className: "alert", role: "alert" }, [alertText, retryButton]);

  const form = createPreChatForm({
    fields,
    ids: IDS,
    onSubmit: ({ displayName, attributes }) => {
      chat.start(displayName || config.displayName || t("defaultDisplayName"), attributes);
    },
  });

  const list = el("ol", { className: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", tabindex: "0" });
  // Whether the customer is reading the end of the conversation: then it stays in view as pictures load.
  let atEnd = true;
  list.addEventListener("scroll", () => {
    atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  });
  list.addEventListener(
    "load",
    () => {
      if (atEnd) list.scrollTop = list.scrollHeight;
    },
    true
  );
  const typing = el("div", { className: "typing", role: "status", "aria-live": "polite" });

  const textarea = el("textarea", {
    id: IDS.input,
    rows: "1",
    maxlength: String(MAX_MESSAGE_CHARS),
    onkeydown: (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitComposer();
      }
    },
    oninput: () => {
      if (textarea.value) chat.userTyping();
    },
  });
  const fileInput = el("input", {
    id: IDS.file,
    type: "file",
    className: "sr-only",
    tabindex: "-1",
    "aria-hidden": "true",
    accept: ALLOWED_EXTENSIONS.join(","),
    onchange: () => {
      const file = fileInput.files && fileInput.files[0];
      fileInput.value = "";
      if (file) chat.sendAttachment(file).catch(() => {});
    },
  });
  const attachButton = el("button", { type: "button", className: "icon", onclick: () => fileInput.click() }, [icon(ICONS.ATTACH)]);
  const sendButton = el("button", { type: "submit", className: "icon send" }, [icon(ICONS.SEND)]);
  const composer = el(
    "form",
    {
      className: "composer",
      onsubmit: (event) => {
        event.preventDefault();
        submitComposer();
      },
    },
    [attachButton, fileInput, textarea, sendButton]
  );
  const newChatButton = el("button", {
    type: "button",
    className: "primary",
    onclick: () => {
      chat.newChat();
      form.focusFirst();
    },
  });
  const continueButton = el("button", {
    type: "button",
    className: "primary",
    onclick: () => {
      if (continueButton.getAttribute("aria-disabled") !== "true") chat.continuePrevious();
    },
  });
  const ended = el("div", { className: "ended" }, [continueButton, newChatButton]);
  // A human check's widget (the challenge service's own script renders it) lives in the page's DOM, where that
  // script can reach it, and shows here through a slot.
  const challengeArea = el("div", { className: "challenge", role: "group" }, [el("slot", { name: "challenge" })]);

  const panel = el(
    "section",
    {
      id: IDS.panel,
      className: `panel ${config.position}`,
      role: "dialog",
      "aria-modal": "false",
      "aria-labelledby": IDS.title,
      tabindex: "-1",
      hidden: true,
      onkeydown: (event) => {
        if (event.key === "Escape") {
          event.stopPropagation();
          close();
        }
      },
    },
    [header, status, alertBox, challengeArea, form.node, list, typing, composer, ended]
  );
  const root = el("div", { className: "root" }, [panel, bubble]);
  shadow.append(style, root);

  function submitComposer() {
    if (chat.send(textarea.value)) {
      textarea.value = "";
      textarea.focus();
    }
  }

  // ---------------------------------------------------------------------------------------- strings

  function titleText() {
    return config.title ? localized(config.title, language) : t("title");
  }

  /** Show every fixed text in the language ``tag`` (``dir`` its direction). */
  function applyStrings(translate, tag, dir) {
    t = translate;
    language = tag;
    locale = formattingLocale(tag);
    host.setAttribute("lang", tag);
    host.setAttribute("dir", dir);
    setText(title, titleText());
    label(transcriptButton, t("downloadTranscript"));
    setText(endButton, t("endChat"));
    label(minimizeButton, t("minimize"));
    setText(retryButton, t("tryAgain"));
    form.applyStrings(t, tag);
    form.node.setAttribute("aria-label", t("startForm"));
    list.setAttribute("aria-label", t("conversation"));
    textarea.setAttribute("placeholder", t("messagePlaceholder"));
    textarea.setAttribute("aria-label", t("message"));
    composer.setAttribute("aria-label", t("composer"));
    label(attachButton, t("attach"));
    label(sendButton, t("send"));
    setText(newChatButton, t("newChat"));
    challengeArea.setAttribute("aria-label", t("challenge"));
    for (const record of rendered.values()) record.sig = null; // re-render entries in the new language
    render();
  }

  function label(button, text) {
    button.setAttribute("aria-label", text);
    button.setAttribute("title", text);
  }

  // ------------------------------------------------------------------------------------- entries

  function roleName(role) {
    return ["AGENT", "CUSTOM_BOT", "SYSTEM"].includes(role) ? t(`role.${role}`) : t("role.other");
  }

  function noticeText(entry) {
    const name = entry.name || roleName(entry.role);
    switch (entry.contentType) {
      case CT.JOINED:
        return t("joined", { name });
      case CT.LEFT:
        return t("left", { name });
      case CT.ENDED:
        return t("ended");
      case CT.TRANSFER_OK:
        return t("transferring");
      case CT.TRANSFER_FAILED:
        return t("transferFailed");
      default:
        return entry.text || "";
    }
  }

  function receiptOf(entry) {
    if (entry.status === "failed") return { text: t(entry.error || "notSent"), failed: true };
    if (entry.attachment && entry.attachment.status === "REJECTED") return { text: t("notDelivered"), failed: true };
    if (entry.status === "sending") return { text: t("sending") };
    if (entry.status === "uploading") return { text: t("uploading") };
    if (entry.read) return { text: t("read") };
    if (entry.delivered) return { text: t("delivered") };
    return { text: t("sent") };
  }

  function formatTime(iso) {
    const date = iso ? new Date(iso) : null;
    if (!date || Number.isNaN(date.getTime())) return "";
    return date.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  }

  /** What a renderer gets (see renderers/registry.js); ``following`` is the conversation after ``entry``. */
  function renderContext(entry, following = () => []) {
    return {
      content: entry.text,
      contentType: entry.contentType || CT.TEXT,
      entry,
      t,
      el,
      language,
      locale,
      active: chat.state.status === "active",
      following,
      send: (content, contentType) => chat.send(content, contentType),
    };
  }

  /** What, besides its content, the rendering of ``context``'s entry depends on (its renderer says). */
  function rendererState(context) {
    const renderer = rendererFor(context.contentType);
    return renderer && typeof renderer.state === "function" ? String(renderer.state(context)) : "";
  }

  /** What an entry says, as text: for the transcript download. */
  function describe(entry) {
    if (entry.type === "notice") return { who: null, text: noticeText(entry) };
    const who = entry.own ? t("you") : entry.name || roleName(entry.role);
    if (entry.type === "attachment") {
      const a = entry.attachment || {};
      const state = a.status === "REJECTED" ? ` (${t("fileRejected")})` : "";
      return { who, text: t("file", { name: a.name || "attachment" }) + state };
    }
    return { who, text: rendererFor(entry.contentType).text(renderContext(entry)) };
  }

  /** ``markdown``, ``interactive`` or ``text``: how the message body is styled. */
  function contentFamily(contentType) {
    const type = String(contentType || "").toLowerCase();
    if (type.startsWith(CT.MARKDOWN)) return "markdown";
    if (type === CT.INTERACTIVE) return "interactive";
    return "text";
  }

  function attachmentBody(entry, body) {
    const a = entry.attachment || {};
    const shown = `${a.status}|${a.id}|${a.name}|${language}`;
    if (body.getAttribute("data-shown") === shown) return;
    body.setAttribute("data-shown", shown);
    body.textContent = "";
    body.appendChild(el("span", { className: "file-name", text: a.name || "attachment" }));
    const stateText =
      a.status === "APPROVED" ? "" : a.status === "REJECTED" ? t("fileRejected") : a.status === "UPLOADING" ? t("uploading") : t("scanning");
    if (stateText) body.appendChild(el("span", { className: "file-state", text: stateText }));
    if (a.status === "APPROVED" && a.id) {
      const link = el("button", {
        type: "button",
        className: "download",
        text: t("download"),
        "aria-label": t("downloadNamed", { name: a.name || "attachment" }),
      });
      link.addEventListener("click", () => downloadAttachment(entry, link));
      body.appendChild(link);
    }
  }

  /**
   * Create or update the list item of ``entry``. Updates change only the parts that changed, so that the
   * live region announces a message once, when it is added, and not again when its receipt changes.
   */
  function renderEntry(entry, node, context) {
    if (!node) {
      node = el("li", {});
      if (entry.type !== "notice") {
        node.appendChild(el("div", { className: "meta" }));
        node.appendChild(el("div", { className: "text" }));
        if (entry.own) node.appendChild(el("div", { className: "receipt", "aria-live": "off" }));
      }
    }
    node.setAttribute("data-key", entry.key);
    setAttr(node, "data-id", entry.id);
    if (entry.type === "notice") {
      node.className = `entry notice${entry.past ? " past" : ""}`;
      node.setAttribute("data-kind", "notice");
      setText(node, noticeText(entry));
      return node;
    }
    node.className = `entry ${entry.own ? "own" : "other"}${entry.past ? " past" : ""}`;
    node.setAttribute("data-kind", entry.type);
    node.setAttribute("data-role", entry.role || "");
    const { who } = entry.own ? { who: t("you") } : { who: entry.name || roleName(entry.role) };
    const time = formatTime(entry.time);
    setText(node.children[0], time ? `${who} · ${time}` : who);
    const body = node.children[1];
    if (entry.type === "attachment") {
      body.className = "text file";
      attachmentBody(entry, body);
    } else {
      node.setAttribute("data-content", contentFamily(entry.contentType));
      const shown = `${entry.contentType}|${entry.text}|${language}|${rendererState(context)}`;
      if (body.getAttribute("data-shown") !== shown) {
        body.setAttribute("data-shown", shown);
        body.replaceChildren(rendererFor(entry.contentType).render(context));
      }
    }
    const receipt = node.children[2];
    if (receipt) {
      const { text, failed } = receiptOf(entry);
      const retryable = entry.status === "failed" && entry.type === "message";
      receipt.className = failed ? "receipt failed" : "receipt";
      const shown = `${text}|${retryable}`;
      if (receipt.getAttribute("data-shown") !== shown) {
        receipt.setAttribute("data-shown", shown);
        receipt.textContent = text;
        if (retryable) receipt.appendChild(el("button", { type: "button", text: t("retry"), onclick: () => chat.retry(entry) }));
      }
    }
    return node;
  }

  function signature(entry, context) {
    return JSON.stringify([
      entry.type === "message" ? rendererState(context) : "",
      entry.past,
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

  /** A line between the previous conversation (continued from) and this one; ``key`` names which. */
  function divider(key) {
    let record = rendered.get(key);
    const text = t(key.startsWith("divider:past") ? "previousConversation" : "continuedConversation");
    if (!record) {
      record = { node: el("li", { className: "divider", "data-kind": "divider" }, [el("span")]), sig: null };
      rendered.set(key, record);
    }
    setText(record.node.firstChild, text);
    return record;
  }

  function renderEntries(sorted) {
    const keep = new Set();
    let before = list.firstChild;
    const stick = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const place = (record) => {
      if (record.node !== before) list.insertBefore(record.node, before);
      else before = before.nextSibling;
    };
    sorted.forEach((entry, index) => {
      const previous = sorted[index - 1];
      if (entry.past && (!previous || !previous.past)) {
        keep.add(`divider:past:${entry.key}`);
        place(divider(`divider:past:${entry.key}`));
      } else if (!entry.past && previous && previous.past) {
        keep.add(`divider:now:${entry.key}`);
        place(divider(`divider:now:${entry.key}`));
      }
      keep.add(entry.key);
      const context = renderContext(entry, () => sorted.slice(index + 1));
      let record = rendered.get(entry.key);
      const sig = signature(entry, context);
      if (!record) {
        record = { node: renderEntry(entry, null, context), sig };
        rendered.set(entry.key, record);
      } else if (record.sig !== sig) {
        renderEntry(entry, record.node, context);
        record.sig = sig;
      }
      place(record);
    });
    for (const [key, record] of rendered) {
      if (!keep.has(key)) {
        record.node.remove();
        rendered.delete(key);
      }
    }
    if (stick) {
      list.scrollTop = list.scrollHeight;
      atEnd = true;
    }
  }

  // ---------------------------------------------------------------------------------------- render

  function statusText(state, connection) {
    if (state.endRequested && state.status === "active") return t("endingChat");
    if (state.status === "active" && connection.reconnecting && !connection.quiet && !connection.configError) {
      return t("reconnecting");
    }
    return "";
  }

  function alertOf(state, connection) {
    if (connection.configError) {
      const { kind, url, origin } = connection.configError;
      return { text: t(kind, { url, origin }), retry: state.status === "active" };
    }
    if (state.error) return { text: t(state.error.key, state.error.params) };
    if (state.status === "active" && connection.unreachable) return { text: t("unreachable") };
    return { text: "" };
  }

  function typingText() {
    const names = [...chat.typing.values()].map((who) => who.name || roleName(who.role));
    if (names.length === 1) return t("typingOne", { name: names[0] });
    if (names.length > 1) return t("typingMany", { names: names.join(", ") });
    return "";
  }

  function isUsable(node) {
    return !!node && node.isConnected && !node.disabled && node.getClientRects().length > 0;
  }

  function render() {
    const state = chat.state;
    const connection = relay.status;
    const s = state.status;
    const focused = shadow.activeElement;
    const hadFocus = !!focused && panel.contains(focused);

    panel.hidden = !state.open;
    bubble.setAttribute("aria-expanded", state.open ? "true" : "false");
    label(bubble, t(state.open ? "closeChat" : "openChat", { title: titleText() }));
    const unread = chat.unread();
    badge.hidden = unread === 0;
    setText(badge, unread > 9 ? "9+" : String(unread));

    const continuing = s === "starting" && state.continuing;
    const starting = s === "starting" && !continuing;
    form.node.hidden = s !== "idle" && !starting;
    form.setBusy(starting);
    setText(form.submitButton, t(starting ? "connecting" : "startChat"));
    const inChat = s === "active" || s === "ended" || continuing;
    list.hidden = !inChat;
    typing.hidden = !inChat;
    composer.hidden = s !== "active";
    ended.hidden = s !== "ended" && !continuing;
    continueButton.hidden = !state.continuation && !continuing;
    setAttr(continueButton, "aria-disabled", continuing ? "true" : null);
    newChatButton.hidden = continuing;
    newChatButton.className = state.continuation ? "secondary" : "primary";
    setText(continueButton, t(continuing ? "connecting" : "continueChat"));
    endButton.hidden = s !== "active" && s !== "starting";
    setAttr(endButton, "aria-disabled", state.endRequested ? "true" : null);
    transcriptButton.hidden = !inChat || !chat.conversation.entries.length;
    textarea.disabled = s !== "active";

    setText(status, statusText(state, connection));
    const alert = alertOf(state, connection);
    setText(alertText, alert.text);
    alertBox.hidden = !alert.text;
    retryButton.hidden = !alert.retry;

    renderEntries(chat.conversation.sorted());
    setText(typing, typingText());
    onOpenChange(state.open, unread);

    if (hadFocus && !isUsable(focused)) rescueFocus(s);
  }

  /** The focused control disappeared (the chat ended, the form gave way): move focus where work goes on. */
  function rescueFocus(s) {
    if (s === "ended") newChatButton.focus();
    else if (s === "active") textarea.focus();
    else if (s === "idle") form.focusFirst();
    else panel.focus();
  }

  // ------------------------------------------------------------------------------------ open / close

  function focusInside() {
    if (!chat.state.open) return;
    setTimeout(() => {
      const s = chat.state.status;
      if (s === "active") textarea.focus();
      else if (s === "idle") form.focusFirst();
      else if (s === "ended") newChatButton.focus();
    }, 0);
  }

  /** Open the panel; ``opener`` gets the focus back when it closes (default: what had it). */
  function open(opener) {
    if (chat.state.open) return;
    const active = document.activeElement;
    returnFocusTo = opener || (active && active !== document.body && active !== host ? active : null);
    chat.setOpen(true);
    focusInside();
  }

  function close() {
    if (!chat.state.open) return;
    chat.setOpen(false);
    const target = config.bubble === "hidden" ? returnFocusTo : bubble;
    if (target && target.isConnected) target.focus();
    returnFocusTo = null;
  }

  function toggle(opener) {
    if (chat.state.open) close();
    else open(opener);
  }

  // ------------------------------------------------------------------------------------ downloads

  function downloadAttachment(entry, link) {
    if (!entry.attachment || !entry.attachment.id) return;
    link.setAttribute("aria-busy", "true");
    chat
      .attachmentUrl(entry.attachment.id)
      .then((url) => {
        const anchor = el("a", { href: url, target: "_blank", rel: "noopener noreferrer", download: entry.attachment.name, hidden: true });
        root.appendChild(anchor);
        anchor.click();
        anchor.remove();
      })
      .catch((error) => chat.showError({ key: "downloadFailed", params: { reason: t(errorKey(error.code)) } }))
      .then(() => link.removeAttribute("aria-busy"));
  }

  function errorKey(code) {
    if (code === "OFFLINE") return "offline";
    if (code === "TIMEOUT") return "timeout";
    return "disconnected";
  }

  function downloadTranscript() {
    const text = transcriptText({
      title: titleText(),
      entries: chat.conversation.sorted(),
      t,
      locale,
      describe,
    });
    return downloadText(t("transcriptFile"), text, root);
  }

  chat.on("change", render);
  chat.on("startFailed", ({ field }) => {
    if (!form.showRefused(field)) form.focusFirst();
  });
  chat.on("started", focusInside);

  return {
    host,
    shadow,
    /** Show or hide the human check's area (its widget is the host's light-DOM child in the ``challenge`` slot). */
    showChallenge(shown) {
      challengeArea.classList.toggle("active", !!shown);
    },
    applyStrings,
    render,
    open,
    close,
    toggle,
    focusInside,
    describe,
    downloadTranscript,
  };
}
