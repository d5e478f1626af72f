/** QuickReply: a question with two to five short answers, shown as a row of buttons. */
import { shown } from "./limits.js";
import { answersTitle, heading, isObject, newId, objects, optionButton, optionList, str } from "./parts.js";

const TYPE = "QuickReply";

export default {
  type: TYPE,
  read(body) {
    if (!isObject(body) || !str(body.title)) return null;
    const elements = objects(body.elements)
      .filter((element) => str(element.title))
      .map((element) => ({ title: element.title }));
    return elements.length ? { type: TYPE, title: body.title, subtitle: "", image: null, elements } : null;
  },
  render(model, ui) {
    const titleId = newId("im-title");
    if (ui.mode === "answered") return heading(ui, model, titleId);
    const buttons = model.elements.map((element) =>
      optionButton(ui, {
        className: "im-quick",
        children: [ui.el("span", { text: shown(TYPE, "data.content.elements[].title", element.title) })],
        choose: () => ui.choose({ listTitle: model.title, selectionText: element.title, templateType: TYPE }),
      })
    );
    return [...heading(ui, model, titleId), optionList(ui, titleId, buttons, "im-options im-quick-replies")];
  },
  text: (model) => [model.title, ...model.elements.map((element) => `- ${element.title}`)].join("\n"),
  answers: (model, response) => answersTitle(response, model.title, TYPE),
};
