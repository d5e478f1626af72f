/**
 * Interactive messages (``application/vnd.amazonaws.connect.message.interactive``): the templates of the Amazon
 * Connect administrator guide that Amazon Lex bots send (ListPicker, TimePicker, Panel, QuickReply, Carousel),
 * rendered as buttons the customer can use with a pointer or the keyboard; the choice goes back as an
 * ``…interactive.response`` message. Once the customer has answered (here, in another tab, or before a reload:
 * the answer is a later message of theirs), the template shows the choice and its ``replyMessage``; once the
 * chat is over, its options are shown disabled. Other template types, and broken ones, show their title and
 * options as text.
 *
 * Also the renderer of the customer's own answers, shown as the option chosen.
 */
import { CONTENT_TYPES as CT } from "../../protocol.js";
import { registerRenderer } from "../registry.js";
import carousel from "./carousel.js";
import { fallbackText, readFallback, renderFallback } from "./fallback.js";
import listPicker from "./list-picker.js";
import panel from "./panel.js";
import { image, isObject, readReply } from "./parts.js";
import quickReply from "./quick-reply.js";
import { parseResponse, responseText, selectionJson } from "./response.js";
import timePicker from "./time-picker.js";

const TEMPLATES = Object.fromEntries([listPicker, panel, timePicker, quickReply, carousel].map((kind) => [kind.type, kind]));
const CACHE_LIMIT = 300;
const parsed = new Map(); // content -> what it reads as (templates and answers alike)

function remember(key, read) {
  if (parsed.has(key)) return parsed.get(key);
  if (parsed.size >= CACHE_LIMIT) parsed.clear();
  const value = read();
  parsed.set(key, value);
  return value;
}

/** ``{kind, model, reply}`` for a known, usable template; ``{fallback}`` for anything else. */
function readTemplate(content) {
  return remember(`t:${content}`, () => {
    let template;
    try {
      template = JSON.parse(content);
    } catch {
      return { fallback: { title: "", options: [] } };
    }
    const kind = isObject(template) ? TEMPLATES[template.templateType] : null;
    const data = isObject(template) && isObject(template.data) ? template.data : {};
    const model = kind ? kind.read(data.content) : null;
    if (!model) return { fallback: readFallback(template) };
    return { kind, model, reply: readReply(data.replyMessage) };
  });
}

function readResponse(content) {
  return remember(`r:${content}`, () => parseResponse(content));
}

/** The customer's answer to the template of ``context.entry`` among the entries after it, or ``null``. */
function answerOf(template, context) {
  if (!template.kind || context.entry.own) return null;
  for (const entry of context.following()) {
    if (!entry.own || entry.contentType !== CT.INTERACTIVE_RESPONSE || entry.status === "failed") continue;
    const response = readResponse(entry.text);
    if (template.kind.answers(template.model, response)) return response;
  }
  return null;
}

function modeOf(answer, context) {
  if (answer) return "answered";
  return context.active && !context.entry.own ? "open" : "closed";
}

function answered(template, answer, ui) {
  const { el, t } = ui;
  const reply = template.reply;
  return el("div", { className: "im-answer" }, [
    el("p", { className: "im-chosen", text: t("imChosen", { choice: responseText(answer, t, ui.locale) }) }),
    reply
      ? el("div", { className: "im-reply" }, [
          image(ui, reply.image, "im-image"),
          el("p", { className: "im-reply-title", text: reply.title }),
          reply.subtitle ? el("p", { className: "im-subtitle", text: reply.subtitle }) : null,
        ])
      : null,
  ]);
}

const template = {
  state(context) {
    const read = readTemplate(context.content);
    const answer = answerOf(read, context);
    return `${modeOf(answer, context)}:${answer ? JSON.stringify(answer) : ""}`;
  },
  text(context) {
    const read = readTemplate(context.content);
    const ui = { t: context.t, locale: context.locale };
    return read.kind ? read.kind.text(read.model, ui) : fallbackText(read.fallback, context.t);
  },
  render(context) {
    const read = readTemplate(context.content);
    const { el } = context;
    if (!read.kind) return el("div", { className: "content-interactive" }, renderFallback(read.fallback, context));
    const answer = answerOf(read, context);
    const ui = {
      el,
      t: context.t,
      locale: context.locale,
      mode: modeOf(answer, context),
      choose: (selection) => context.send(selectionJson(selection), CT.INTERACTIVE_RESPONSE),
    };
    const nodes = read.kind.render(read.model, ui);
    if (answer) nodes.push(answered(read, answer, ui));
    return el("div", { className: `content-interactive im-${read.model.type}`, "data-template": read.model.type }, nodes);
  },
};

const response = {
  text: (context) => responseText(readResponse(context.content), context.t, context.locale),
  render: (context) => context.el("span", { className: "content-text", text: response.text(context) }),
};

registerRenderer(CT.INTERACTIVE, template);
registerRenderer(CT.INTERACTIVE_RESPONSE, response);
