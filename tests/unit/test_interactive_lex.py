"""connect_chat.interactive in an Amazon Lex V2 code hook: the template as a CustomPayload message, the customer's
answer read back from the next input, as layer/python/README.md describes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connect_chat import InvalidArgumentError
from connect_chat.interactive import Element, ListPicker, ReplyMessage, Selection, parse_response, parse_template

MENU = ListPicker(
    title="How can we help you today?",
    elements=(Element(title="Track my order", subtitle="Where is my parcel?"), *Element.from_titles("Return an item")),
    reply_message=ReplyMessage(title="Thanks for selecting!"),
)


def chosen_option(text: str) -> str | None:
    """The menu option an input chose: a Selection's JSON (this toolkit's widget) or the option's title as text."""
    try:
        answer = parse_response(text)
    except InvalidArgumentError:
        return text if text in MENU.options() else None
    if isinstance(answer, Selection) and answer.selection_text in MENU.options():
        return answer.selection_text
    return None


def code_hook(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A Lex V2 code hook: the menu for anything but a choice, a confirmation for a choice."""
    choice = chosen_option(event.get("inputTranscript", ""))
    if choice is None:
        messages = [MENU.to_lex_message()]
    else:
        messages = [{"contentType": "PlainText", "content": f"You chose: {choice}."}]
    return {"sessionState": {"dialogAction": {"type": "ElicitIntent"}}, "messages": messages}


def _event(text: str) -> dict[str, Any]:
    return {
        "messageVersion": "1.0",
        "invocationSource": "DialogCodeHook",
        "inputMode": "Text",
        "inputTranscript": text,
        "sessionId": "contact-1",
        "bot": {"name": "Menu", "version": "DRAFT", "localeId": "en_US"},
        "sessionState": {"intent": {"name": "Help", "slots": {}, "state": "InProgress"}},
    }


def test_the_menu_goes_out_as_a_custom_payload_message() -> None:
    response = code_hook(_event("hello"), None)
    (message,) = response["messages"]
    assert message == {"contentType": "CustomPayload", "content": MENU.to_json()}
    assert parse_template(message["content"]) == MENU


@pytest.mark.parametrize(
    "text",
    [
        MENU.select("Return an item").to_json(),
        "Return an item",
        json.dumps({"listTitle": "anything", "selectionText": "Return an item", "extra": 1}),
    ],
)
def test_the_customers_choice_is_read_back_in_either_form(text: str) -> None:
    (message,) = code_hook(_event(text), None)["messages"]
    assert message == {"contentType": "PlainText", "content": "You chose: Return an item."}


@pytest.mark.parametrize("text", ["return an item", '{"selectionText": "Fly", "listTitle": "x"}', "{}", "[1]"])
def test_anything_else_gets_the_menu_again(text: str) -> None:
    (message,) = code_hook(_event(text), None)["messages"]
    assert message["contentType"] == "CustomPayload"
