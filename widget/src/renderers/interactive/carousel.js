/**
 * Carousel: two to five list pickers or panels side by side, scrolled sideways (by swipe, scroll, the focus
 * moving through their options, or the previous and next buttons). The answer names the card it came from:
 * ``templateIdentifier`` and the card's title as ``listTitle``.
 */
import { icon } from "../../dom.js";
import { NEXT, PREVIOUS } from "../../icons.js";
import { shown } from "./limits.js";
import { heading, isObject, newId, objects, pickerLines, pickerOptions, readPicker, str } from "./parts.js";

const TYPE = "Carousel";
const CARD_TYPES = ["ListPicker", "Panel"];

function readCard(card) {
  if (!CARD_TYPES.includes(card.templateType) || !str(card.templateIdentifier)) return null;
  const data = isObject(card.data) ? card.data : {};
  const model = readPicker(data.content, card.templateType);
  return model ? { ...model, templateIdentifier: card.templateIdentifier } : null;
}

export default {
  type: TYPE,
  read(body) {
    if (!isObject(body) || !str(body.title)) return null;
    const cards = objects(body.elements).map(readCard).filter(Boolean);
    return cards.length ? { type: TYPE, title: body.title, subtitle: "", image: null, cards } : null;
  },
  render(model, ui) {
    const { el, t } = ui;
    const titleId = newId("im-title");
    const nodes = heading(ui, model, titleId);
    if (ui.mode === "answered") return nodes;
    const count = model.cards.length;
    const cards = model.cards.map((card, i) => {
      const cardTitleId = newId("im-title");
      return el(
        "div",
        {
          className: "im-card",
          role: "group",
          "aria-roledescription": t("imSlide"),
          "aria-label": t("imCard", { index: i + 1, count, title: shown(card.type, "data.content.title", card.title) }),
        },
        [...heading(ui, card, cardTitleId), pickerOptions(ui, card, cardTitleId, card.templateIdentifier)]
      );
    });
    const track = el("div", { className: "im-track" }, cards);
    let current = 0;
    const show = (index) => {
      current = Math.max(0, Math.min(count - 1, index));
      cards[current].scrollIntoView({ block: "nearest", inline: "start" });
    };
    track.addEventListener("scroll", () => {
      const box = track.getBoundingClientRect();
      const index = cards.findIndex((card) => {
        const rect = card.getBoundingClientRect();
        const middle = rect.left + rect.width / 2;
        return middle >= box.left && middle <= box.right;
      });
      if (index >= 0) current = index;
    });
    const navButton = (label, path, step) =>
      el("button", { type: "button", className: "im-nav-button", "aria-label": label, title: label, onclick: () => show(current + step) }, [icon(path)]);
    const navigation =
      count > 1
        ? el("div", { className: "im-nav" }, [
            navButton(t("imPrevious"), PREVIOUS, -1),
            navButton(t("imNext"), NEXT, 1),
          ])
        : null;
    nodes.push(
      el("div", { className: "im-carousel", role: "group", "aria-roledescription": t("imCarousel"), "aria-labelledby": titleId }, [track, navigation])
    );
    return nodes;
  },
  text(model) {
    const lines = [model.title];
    for (const card of model.cards) lines.push(`${card.title}:`, ...pickerLines(card));
    return lines.join("\n");
  },
  answers(model, response) {
    if (!response || response.kind !== "selection" || !response.templateIdentifier) return false;
    return model.cards.some((card) => card.templateIdentifier === response.templateIdentifier);
  },
};
