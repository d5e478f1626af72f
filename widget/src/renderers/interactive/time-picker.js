/**
 * TimePicker: appointment slots to choose from, grouped by day, with an optional place. The answer's
 * ``selectionText`` is the chosen slot's ``date`` exactly as the template gave it.
 *
 * Times are shown in the browser's time zone, or, when the template sets ``timeZoneOffset`` (minutes east of
 * UTC), in that fixed offset.
 */
import { answersTitle, heading, isObject, newId, objects, optionButton, optionList, str } from "./parts.js";

const TYPE = "TimePicker";

function readSlots(value) {
  return objects(value)
    .filter((slot) => str(slot.date) && !Number.isNaN(Date.parse(slot.date)))
    .map((slot) => ({
      date: slot.date,
      start: new Date(slot.date),
      minutes: Number.isInteger(slot.duration) && slot.duration > 0 ? slot.duration : 0,
    }));
}

/** Formatters for ``locale`` that show a time in the template's zone (a fixed offset, or the browser's). */
function formatters(model, locale) {
  const fixed = Number.isInteger(model.offset);
  const zone = fixed ? { timeZone: "UTC" } : {};
  const shift = (date) => (fixed ? new Date(date.getTime() + model.offset * 60000) : date);
  const day = new Intl.DateTimeFormat(locale, { ...zone, weekday: "long", day: "numeric", month: "long" });
  const time = new Intl.DateTimeFormat(locale, { ...zone, hour: "2-digit", minute: "2-digit" });
  return { day: (date) => day.format(shift(date)), time: (date) => time.format(shift(date)) };
}

export default {
  type: TYPE,
  read(body) {
    if (!isObject(body) || !str(body.title)) return null;
    const slots = readSlots(body.timeslots);
    if (!slots.length) return null;
    const location = isObject(body.location) && str(body.location.title) ? body.location.title : "";
    const offset = Number.isInteger(body.timeZoneOffset) ? body.timeZoneOffset : null;
    return { type: TYPE, title: body.title, subtitle: str(body.subtitle), image: null, location, offset, slots };
  },
  render(model, ui) {
    const { el, t } = ui;
    const titleId = newId("im-title");
    const nodes = [...heading(ui, model, titleId)];
    if (model.location) nodes.push(el("p", { className: "im-location", text: t("imLocation", { place: model.location }) }));
    if (ui.mode === "answered") return nodes;
    const format = formatters(model, ui.locale);
    const days = new Map();
    for (const slot of model.slots) {
      const label = format.day(slot.start);
      if (!days.has(label)) days.set(label, []);
      days.get(label).push(slot);
    }
    const groups = [];
    for (const [label, slots] of days) {
      const dayId = newId("im-day");
      const buttons = slots.map((slot) => {
        const start = format.time(slot.start);
        const end = slot.minutes ? format.time(new Date(slot.start.getTime() + slot.minutes * 60000)) : "";
        const text = end ? `${start} – ${end}` : start;
        return optionButton(ui, {
          className: "im-slot",
          children: [el("span", { text })],
          label: end ? t("imSlot", { day: label, start, end }) : `${label}, ${start}`,
          choose: () => ui.choose({ listTitle: model.title, selectionText: slot.date, templateType: TYPE }),
        });
      });
      groups.push(el("div", { className: "im-day" }, [el("p", { className: "im-day-title", id: dayId, text: label }), optionList(ui, dayId, buttons, "im-options im-slots")]));
    }
    nodes.push(el("div", { className: "im-days", role: "group", "aria-labelledby": titleId }, groups));
    return nodes;
  },
  text(model, ui) {
    const format = formatters(model, ui.locale);
    const lines = [model.title, model.subtitle, model.location ? ui.t("imLocation", { place: model.location }) : ""];
    for (const slot of model.slots) {
      const end = slot.minutes ? ` – ${format.time(new Date(slot.start.getTime() + slot.minutes * 60000))}` : "";
      lines.push(`- ${format.day(slot.start)}, ${format.time(slot.start)}${end}`);
    }
    return lines.filter(Boolean).join("\n");
  },
  answers: (model, response) => answersTitle(response, model.title, TYPE),
};
