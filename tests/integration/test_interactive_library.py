"""Markdown and interactive messages through the library's two modes, against the emulator's simulated agent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from connect_chat import ChatSession, SessionType, StatelessChatSession, reset_global_config, set_global_config
from connect_chat import interactive as im
from connect_chat.protocol import content_types as ct
from local.connect_emulator.replies import MARKDOWN_SAMPLE
from tests.integration.test_library_stateless import Topic
from tests.support.chat import start_chat
from tests.support.servers import RunningEmulator

RICH = [ct.TEXT_PLAIN, ct.TEXT_MARKDOWN, ct.INTERACTIVE_MESSAGE, ct.INTERACTIVE_MESSAGE_RESPONSE]


@pytest.fixture
def lib(emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    """The library configured for the emulator; the simulated agent answers."""
    set_global_config(endpoint=emulator.url, metrics=False, region="us-west-2")
    yield emulator
    reset_global_config()


def _bodies(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(r["Sns"]["Message"]) for r in records]


def _agent_body(records: list[dict[str, Any]], content_type: str, after: int = 0) -> dict[str, Any] | None:
    found = [
        b for b in _bodies(records) if b.get("ParticipantRole") == "AGENT" and b.get("ContentType") == content_type
    ]
    return found[after] if len(found) > after else None


def test_markdown_and_interactive_items_flow_through_the_stateless_mode_unchanged(
    lib: RunningEmulator, connect_client: Any, moto_url: str
) -> None:
    topic = Topic(moto_url)
    chat = start_chat(
        connect_client,
        SupportedMessagingContentTypes=RICH,
        ChatStreamingConfiguration={"StreamingEndpointArn": topic.arn},
    )
    customer = ChatSession.create_stateless(
        {"ContactId": chat.contact_id, "ParticipantId": chat.participant_id, "ParticipantToken": chat.participant_token}
    )
    assert isinstance(customer, StatelessChatSession)
    customer.create_connection()
    customer.send_message("markdown")
    customer.send_message("menu")
    records = topic.wait(
        lambda rs: _agent_body(rs, ct.TEXT_MARKDOWN) is not None and _agent_body(rs, ct.INTERACTIVE_MESSAGE) is not None
    )
    markdown_body = _agent_body(records, ct.TEXT_MARKDOWN)
    menu_body = _agent_body(records, ct.INTERACTIVE_MESSAGE)
    assert markdown_body is not None
    assert menu_body is not None

    items = {item.id: item for item in customer.items_from_event({"Records": records})}
    markdown, menu = items[markdown_body["Id"]], items[menu_body["Id"]]
    assert markdown.content == MARKDOWN_SAMPLE
    assert markdown.content_type == ct.TEXT_MARKDOWN
    assert menu.content == menu_body["Content"]
    assert menu.to_dict() == menu_body
    stored = lib.control("GET", f"/contacts/{chat.contact_id}")
    assert menu.content in [i.get("Content") for i in stored["Transcript"]]

    transcript = {i["Id"]: i for i in customer.get_transcript(max_results=100)["data"]["Transcript"]}
    assert transcript[menu.id]["Content"] == menu.content
    assert transcript[markdown.id]["Content"] == MARKDOWN_SAMPLE

    picker = im.parse_item(menu)
    assert isinstance(picker, im.ListPicker)
    answer = picker.select("Track my order")
    sent = customer.send_message(answer.to_json(), content_type=answer.content_type)
    records = topic.wait(lambda rs: _agent_body(rs, ct.TEXT_PLAIN) is not None)
    replies = [
        b["Content"]
        for b in _bodies(records)
        if b.get("ParticipantRole") == "AGENT" and b["ContentType"] == ct.TEXT_PLAIN
    ]
    assert "You chose: Track my order" in replies
    echoed = next(b for b in _bodies(records) if b["Id"] == sent["data"]["Id"])
    assert echoed["ContentType"] == ct.INTERACTIVE_MESSAGE_RESPONSE
    assert im.parse_response(echoed["Content"]) == answer


async def test_the_asyncio_mode_reads_a_template_and_answers_it(lib: RunningEmulator, connect_client: Any) -> None:
    chat = start_chat(connect_client, SupportedMessagingContentTypes=RICH)
    session = ChatSession.create(
        {
            "ContactId": chat.contact_id,
            "ParticipantId": chat.participant_id,
            "ParticipantToken": chat.participant_token,
        },
        type=SessionType.CUSTOMER,
    )
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    session.on_message(lambda event: received.put_nowait(event["data"]))

    async def next_agent_message() -> dict[str, Any]:
        while True:
            data = await asyncio.wait_for(received.get(), 10)
            if data.get("Type") == "MESSAGE" and data.get("ParticipantRole") == "AGENT":
                return data

    async with session:
        await session.connect()
        await session.send_message("quick")
        template = im.parse_item(await next_agent_message())
        assert isinstance(template, im.QuickReply)
        answer = template.select("Great")
        await session.send_message(answer.to_json(), content_type=answer.content_type)
        reply = await next_agent_message()
        assert reply["Content"] == "You chose: Great"
        assert reply["ContentType"] == ct.TEXT_PLAIN
