/**
 * The widget, composed: configuration, strings, the relay client, the chat controller, the view, and the
 * options around them (launchers, notifications, debug log). ``mount`` is what the entry script calls; it
 * fills in the page's ``window.ConnectChatWidget`` object with the JavaScript API.
 */
import { createChallenge } from "./challenge.js";
import { createChat } from "./chat.js";
import { readConfig } from "./config.js";
import { frameLogger } from "./debug.js";
import { createEmitter } from "./emitter.js";
import { createIdentity } from "./identity.js";
import { bindLaunchers } from "./launcher.js";
import { createNotifier } from "./notify.js";
import { normalizeFields } from "./prechat.js";
import { createRelayClient } from "./relay-client.js";
import { registerRenderer } from "./renderers/registry.js";
import "./renderers/text.js";
import "./renderers/markdown.js";
import "./renderers/interactive/index.js";
import { addLanguage, availableLanguages, chooseLanguage, loadLanguage, stringsOf, translator } from "./strings.js";
import { createView } from "./view.js";

/**
 * Mount the widget on the page.
 *
 * @param {{api: object, dataset: DOMStringMap, options: object, nonce: string}} tag the page's API object,
 *   the script tag's data attributes and CSP nonce, and the page's ``ConnectChatWidgetConfig``
 */
export async function mount({ api, dataset, options, nonce }) {
  const config = readConfig(dataset || {}, options || {}, { nonce });
  for (const [tag, language] of Object.entries(config.languages)) {
    if (language && typeof language === "object") addLanguage(tag, language.strings || language, { dir: language.dir });
  }
  const events = createEmitter();
  const relay = createRelayClient({
    url: config.websocketUrl,
    keepaliveMs: config.keepaliveSeconds * 1000,
    log: frameLogger(config.debug),
  });
  const chat = createChat({ config, relay });
  let updateLaunchers = () => {};
  const view = createView({
    config,
    chat,
    relay,
    fields: normalizeFields(config.preChatForm, config),
    onOpenChange: (open, unread) => updateLaunchers(open, unread),
  });
  updateLaunchers = bindLaunchers(config.launcher, (button) => view.toggle(button));

  // Before each start: a signed-in customer's token, then a human check's (which expires sooner).
  const identity = createIdentity({ authenticate: config.authenticate, nameClaim: config.customerNameClaim });
  chat.extendStart(() => identity.startFields());
  const challenge = createChallenge({ config, host: view.host, onVisible: (shown) => view.showChallenge(shown) });
  if (challenge.enabled) {
    chat.extendStart(async () => ({ challengeToken: await challenge.token() }));
    chat.on("change", () => {
      if (chat.state.status !== "starting") challenge.cancel();
    });
  }

  let language = null;
  let t = (key) => key;
  async function setLanguage(tag) {
    language = await loadLanguage(chooseLanguage([tag]));
    t = translator(language);
    view.applyStrings(t, language.tag, language.dir);
    return language.tag;
  }
  const browserLanguages = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  await setLanguage(chooseLanguage([config.language, ...browserLanguages]));

  const notifier = createNotifier({
    modes: config.notify,
    text: (count) => (count === 1 ? t("notifyOne") : t("notifyMany", { count })),
    events,
  });
  if (notifier.enabled) {
    chat.on("reply", () => notifier.reply());
    view.shadow.addEventListener("pointerdown", notifier.unlock);
    view.shadow.addEventListener("keydown", notifier.unlock);
  }
  for (const name of ["started", "resumed", "item", "ended"]) chat.on(name, (detail) => events.emit(name, detail));

  document.body.appendChild(view.host);
  const resumed = chat.restore();
  if (!resumed && config.openOnLoad) chat.setOpen(true);
  view.render();
  let wasOpen = chat.state.open;
  chat.on("change", () => {
    if (chat.state.open === wasOpen) return;
    wasOpen = chat.state.open;
    events.emit(wasOpen ? "open" : "close", {});
  });

  function snapshot() {
    const state = chat.state;
    const connection = relay.status;
    return {
      status: state.status,
      open: state.open,
      unread: chat.unread(),
      connected: state.connected,
      reconnecting: connection.reconnecting,
      quietReconnect: connection.reconnecting && connection.quiet,
      configError: connection.configError ? { ...connection.configError } : null,
      contactId: chat.conversation.contactId,
      participantId: chat.conversation.participantId,
      displayName: state.displayName,
      continuable: state.status === "ended" && !!state.continuation,
      lastId: chat.conversation.lastSeenId(),
      error: state.error ? t(state.error.key, state.error.params) : "",
      language: language.tag,
      typing: [...chat.typing.values()].map((who) => who.name || who.role),
      items: chat.conversation.sorted().map((e) => ({
        id: e.id,
        kind: e.type,
        own: !!e.own,
        past: !!e.past,
        role: e.role || null,
        name: e.name || null,
        text: view.describe(e).text,
        contentType: e.contentType || null,
        time: e.time,
        status: e.status || null,
        read: !!e.read,
        delivered: !!e.delivered,
        attachment: e.attachment ? { id: e.attachment.id, name: e.attachment.name, status: e.attachment.status } : null,
      })),
    };
  }

  Object.assign(api, {
    config,
    open: () => view.open(),
    close: () => view.close(),
    toggle: () => view.toggle(),
    /** Start a chat: ``start("Ana")`` or ``start({displayName: "Ana", attributes: {topic: "billing"}})``. */
    start(details) {
      const given = details && typeof details === "object" ? details : { displayName: details };
      return chat.start(given.displayName, given.attributes);
    },
    send: (text) => chat.send(text),
    sendAttachment: (file) => chat.sendAttachment(file),
    attachmentUrl: (attachmentId) => chat.attachmentUrl(attachmentId),
    end: () => chat.end(),
    /** After a chat ended: start one that continues it (persistent chat); ``false`` when there is none to continue. */
    continueChat: () => chat.continuePrevious(),
    /** The signed-in customer's token source: ``fn()`` resolves with a JWT, or nothing; ``null`` removes it. */
    setAuthenticate: (fn) => identity.setAuthenticate(fn),
    /** Reconnect now (also after a configuration error, once the site fixed it). */
    reconnect: () => (relay.status.configError ? relay.retry() : relay.reconnectNow()),
    /** Drop the WebSocket as a network failure would (the widget reconnects and resumes). */
    dropConnection: () => relay.drop(),
    downloadTranscript: () => view.downloadTranscript(),
    setLanguage,
    addLanguage: (tag, strings, opts) => addLanguage(tag, strings, opts),
    strings: (tag) => stringsOf(tag || language.tag),
    registerRenderer: (contentType, renderer) => {
      registerRenderer(contentType, renderer);
      view.applyStrings(t, language.tag, language.dir);
    },
    on: (name, fn) => events.on(name, fn),
  });
  Object.defineProperties(api, {
    state: { get: snapshot, configurable: true },
    language: { get: () => language.tag, configurable: true },
    languages: { get: availableLanguages, configurable: true },
  });
  return api;
}
