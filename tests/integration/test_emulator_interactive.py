"""The emulator and interactive messages: checked like the contact flow checks them, and the simulated agent's
markdown and templates."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from connect_chat import interactive as im
from local.connect_emulator.replies import MARKDOWN_SAMPLE
from tests.support.chat import Chat, join_agent, open_chat, send_text, wait_for, whole_transcript
from tests.support.servers import RunningEmulator

pytestmark = pytest.mark.usefixtures("wire")

INTERACTIVE = "application/vnd.amazonaws.connect.message.interactive"
RESPONSE = "application/vnd.amazonaws.connect.message.interactive.response"
RICH = ["text/plain", "text/markdown", INTERACTIVE, RESPONSE]

MENU = im.ListPicker(title="Pick a fruit", elements=im.Element.from_titles("Apple", "Orange"))


def _agent_messages(participant_client: Any, chat: Chat, count: int) -> list[dict[str, Any]]:
    def probe() -> list[dict[str, Any]] | None:
        found = [
            i
            for i in whole_transcript(participant_client, chat.connection_token)
            if i["Type"] == "MESSAGE" and i["ParticipantRole"] == "AGENT"
        ]
        return found if len(found) >= count else None

    return wait_for(probe, what=f"{count} agent messages")


def _send(participant_client: Any, token: str, content_type: str, content: str) -> dict[str, Any]:
    return dict(participant_client.send_message(ConnectionToken=token, ContentType=content_type, Content=content))


def _refusal(participant_client: Any, token: str, content_type: str, content: str) -> str:
    with pytest.raises(ClientError) as caught:
        _send(participant_client, token, content_type, content)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    return str(caught.value.response["Error"]["Message"])


# ------------------------------------------------------------------------------- checked like the flow


@pytest.mark.usefixtures("agent_off")
def test_interactive_messages_are_checked_against_the_templates(
    connect_client: Any, participant_client: Any, emulator: RunningEmulator
) -> None:
    chat = open_chat(connect_client, participant_client, SupportedMessagingContentTypes=RICH)
    agent = join_agent(emulator, participant_client, chat.contact_id)

    sent = _send(participant_client, agent.connection_token, INTERACTIVE, MENU.to_json())
    stored = next(i for i in whole_transcript(participant_client, chat.connection_token) if i["Id"] == sent["Id"])
    assert stored["Content"] == MENU.to_json()
    assert stored["ContentType"] == INTERACTIVE

    seven = {
        **MENU.to_dict(),
        "data": {"content": {"title": "Too many", "elements": [{"title": str(i)} for i in range(7)]}},
    }
    message = _refusal(participant_client, agent.connection_token, INTERACTIVE, json.dumps(seven))
    assert message == (
        "Content is not a valid interactive message: data.content.elements: has 7 items; ListPicker allows 1 to 6"
    )
    no_title = json.dumps(
        {"templateType": "Panel", "version": "1.0", "data": {"content": {"elements": [{"title": "a"}]}}}
    )
    assert _refusal(participant_client, agent.connection_token, INTERACTIVE, no_title).endswith(
        "data.content.title: is required"
    )
    other = json.dumps({"templateType": "WhatsAppList", "version": "1.0", "data": {"content": {"title": "x"}}})
    assert "templateType 'WhatsAppList'" in _refusal(participant_client, agent.connection_token, INTERACTIVE, other)
    assert "valid JSON" in _refusal(participant_client, agent.connection_token, INTERACTIVE, "{not json")

    # String field limits are the client's to enforce: an over-long title goes through.
    long_title = im.ListPicker(title="T" * 1000, elements=im.Element.from_titles("a"))
    assert _send(participant_client, agent.connection_token, INTERACTIVE, long_title.to_json())["Id"]


@pytest.mark.usefixtures("agent_off")
def test_the_control_api_checks_the_agents_templates_too(
    connect_client: Any, participant_client: Any, emulator: RunningEmulator
) -> None:
    chat = open_chat(connect_client, participant_client, SupportedMessagingContentTypes=RICH)
    join_agent(emulator, participant_client, chat.contact_id)
    path = f"/contacts/{chat.contact_id}/agent/message"
    assert emulator.control("POST", path, {"content": MENU.to_json(), "contentType": INTERACTIVE})["Id"]
    broken = {
        "templateType": "QuickReply",
        "version": "1.0",
        "data": {"content": {"title": "Q", "elements": [{"title": "a"}]}},
    }
    with pytest.raises(urllib.error.HTTPError) as caught:
        emulator.control("POST", path, {"content": json.dumps(broken), "contentType": INTERACTIVE})
    answer = json.loads(caught.value.read())
    assert answer["code"] == "ValidationException"
    assert answer["error"].endswith("data.content.elements: has 1 items; QuickReply allows 2 to 5")


@pytest.mark.usefixtures("agent_off")
def test_interactive_types_need_the_chat_to_support_them(
    connect_client: Any, participant_client: Any, emulator: RunningEmulator
) -> None:
    chat = open_chat(connect_client, participant_client)
    agent = join_agent(emulator, participant_client, chat.contact_id)
    assert "is not supported on this contact" in _refusal(
        participant_client, agent.connection_token, INTERACTIVE, MENU.to_json()
    )
    answer = MENU.select("Apple").to_json()
    assert "is not supported on this contact" in _refusal(participant_client, chat.connection_token, RESPONSE, answer)


# ---------------------------------------------------------------------------------- the simulated agent


@pytest.mark.parametrize(
    ("keyword", "model"),
    [
        ("menu", im.ListPicker),
        ("Time", im.TimePicker),
        (" panel ", im.Panel),
        ("quick", im.QuickReply),
        ("CAROUSEL", im.Carousel),
    ],
)
def test_the_agent_answers_each_keyword_with_its_template(
    connect_client: Any, participant_client: Any, keyword: str, model: type[Any]
) -> None:
    chat = open_chat(connect_client, participant_client, SupportedMessagingContentTypes=RICH)
    send_text(participant_client, chat.connection_token, keyword)
    reply = _agent_messages(participant_client, chat, 1)[0]
    assert reply["ContentType"] == INTERACTIVE
    template = im.parse_template(reply["Content"])
    assert type(template) is model
    assert template.to_json() == reply["Content"]
    images = [value for value in _strings(json.loads(reply["Content"])) if "/_emulator/images/" in value]
    for url in images:
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.headers.get_content_type() == "image/svg+xml"
            assert response.read().startswith(b"<svg")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_the_sample_templates_show_images_with_their_descriptions(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client, SupportedMessagingContentTypes=RICH)
    send_text(participant_client, chat.connection_token, "menu")
    menu = im.parse_template(_agent_messages(participant_client, chat, 1)[0]["Content"])
    assert isinstance(menu, im.ListPicker)
    assert menu.image_data
    assert menu.image_description
    assert [bool(e.image_data) for e in menu.elements] == [bool(e.image_description) for e in menu.elements]
    assert menu.reply_message is not None


def test_the_agent_answers_markdown_with_markdown(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client, SupportedMessagingContentTypes=["text/plain", "text/markdown"])
    send_text(participant_client, chat.connection_token, "markdown")
    reply = _agent_messages(participant_client, chat, 1)[0]
    assert reply["ContentType"] == "text/markdown"
    assert reply["Content"] == MARKDOWN_SAMPLE


@pytest.mark.parametrize("keyword", ["menu", "markdown", "carousel"])
def test_without_support_the_agent_falls_back_to_text(
    connect_client: Any, participant_client: Any, keyword: str
) -> None:
    chat = open_chat(connect_client, participant_client)
    send_text(participant_client, chat.connection_token, keyword)
    reply = _agent_messages(participant_client, chat, 1)[0]
    assert reply["ContentType"] == "text/plain"
    assert keyword in reply["Content"]
    if keyword == "menu":
        assert "- Track my order" in reply["Content"]


@pytest.mark.parametrize(
    ("keyword", "choose", "named"),
    [
        ("menu", lambda t: t.select("Return an item"), "You chose: Return an item"),
        ("quick", lambda t: t.select(0), "You chose: Great"),
        ("time", lambda t: t.select(1), None),
        (
            "carousel",
            lambda t: t.select("Book hotels", template_identifier="destination-new-york"),
            "You chose: New York - Book hotels",
        ),
        ("panel", lambda t: im.ActionRequest(action="SHOW_MORE", template_type="Panel"), "You asked for show more"),
    ],
)
def test_the_agent_names_the_customers_choice(
    connect_client: Any, participant_client: Any, keyword: str, choose: Any, named: str | None
) -> None:
    chat = open_chat(connect_client, participant_client, SupportedMessagingContentTypes=RICH)
    send_text(participant_client, chat.connection_token, keyword)
    template = im.parse_template(_agent_messages(participant_client, chat, 1)[0]["Content"])
    answer = choose(template)
    sent = _send(participant_client, chat.connection_token, RESPONSE, answer.to_json())
    reply = _agent_messages(participant_client, chat, 2)[1]
    assert reply["ContentType"] == "text/plain"
    assert reply["Content"].startswith(named or f"You chose: {answer.selection_text}")
    items = whole_transcript(participant_client, chat.connection_token)
    answered = next(i for i in items if i["Id"] == sent["Id"])
    assert answered["ContentType"] == RESPONSE
    assert answered["MessageMetadata"]["Receipts"][0]["ReadTimestamp"]  # the agent read it


def test_an_answer_the_agent_cannot_read_gets_a_polite_reply(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client, SupportedMessagingContentTypes=RICH)
    _send(participant_client, chat.connection_token, RESPONSE, '{"selectionText": 5, "listTitle": "x"}')
    reply = _agent_messages(participant_client, chat, 1)[0]
    assert reply["Content"] == "Sorry, I could not read your answer (selectionText: must be a string, got a number)."
    assert "valid JSON" in _refusal(participant_client, chat.connection_token, RESPONSE, "{nope")
