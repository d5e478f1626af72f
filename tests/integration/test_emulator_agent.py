"""The simulated agent, turning it off, and playing the agent through the control API."""

from __future__ import annotations

import json
import time
import urllib.error
from typing import Any

import pytest

from local.connect_emulator.agent import reply_text
from tests.support.chat import (
    DELIVERED,
    ENDED,
    EVENT,
    INSTANCE_ID,
    JOINED,
    READ,
    TYPING,
    ChatSocket,
    async_wait_for,
    find,
    join_agent,
    open_chat,
    send_text,
    wait_for,
    whole_transcript,
)

pytestmark = pytest.mark.usefixtures("wire")


async def test_simulated_agent_joins_types_reads_and_answers(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)
    joined = await socket.wait_item(ContentType=JOINED, ParticipantRole="AGENT")

    sent = send_text(participant_client, chat.connection_token, "where is my parcel?")

    async def reply_probe() -> dict[str, Any] | None:
        return next(
            (
                i
                for i in socket.items
                if i["Type"] == "MESSAGE" and i["ParticipantRole"] == "AGENT" and "where is my parcel?" in i["Content"]
            ),
            None,
        )

    reply = await async_wait_for(reply_probe)
    read = await socket.wait_item(ContentType=READ)
    delivered = await socket.wait_item(ContentType=DELIVERED)
    typing = await socket.wait_item(ContentType=TYPING)
    assert reply["ParticipantId"] == joined["ParticipantId"]
    assert reply["ContentType"] == "text/plain"
    for receipt in (read, delivered):
        assert receipt["Type"] == "MESSAGEMETADATA"
        assert receipt["MessageMetadata"]["MessageId"] == sent["Id"]
        assert receipt["MessageMetadata"]["Receipts"][0]["RecipientParticipantId"] == joined["ParticipantId"]
    assert read["MessageMetadata"]["Receipts"][0]["ReadTimestamp"]
    assert typing["ParticipantRole"] == "AGENT"
    order = [i["Id"] for i in socket.items]
    assert order.index(typing["Id"]) < order.index(reply["Id"])
    stored = find(whole_transcript(participant_client, chat.connection_token), Id=sent["Id"])
    assert stored is not None
    assert stored["MessageMetadata"]["Receipts"][0]["RecipientParticipantId"] == joined["ParticipantId"]
    await socket.close()


def test_simulated_agent_answers_the_initial_message_and_markdown(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(
        connect_client,
        participant_client,
        InitialMessage={"ContentType": "text/plain", "Content": "first words"},
        SupportedMessagingContentTypes=["text/plain", "text/markdown", "application/json"],
    )
    participant_client.send_message(
        ConnectionToken=chat.connection_token, ContentType="text/markdown", Content="*emphasis*"
    )
    participant_client.send_message(
        ConnectionToken=chat.connection_token, ContentType="application/json", Content='{"not": "answered"}'
    )

    def agent_texts() -> list[str] | None:
        texts = [
            i["Content"]
            for i in whole_transcript(participant_client, chat.connection_token)
            if i["Type"] == "MESSAGE" and i["ParticipantRole"] == "AGENT"
        ]
        return texts if len(texts) >= 2 else None

    texts = wait_for(agent_texts)
    assert any("first words" in t for t in texts)
    assert any("*emphasis*" in t for t in texts)
    time.sleep(0.2)
    assert len(agent_texts() or []) == 2


def test_agent_disabled_nobody_joins(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    emulator.control("POST", "/config", {"agentEnabled": False})
    chat = open_chat(connect_client, participant_client)
    send_text(participant_client, chat.connection_token, "hello?")
    time.sleep(0.3)
    items = whole_transcript(participant_client, chat.connection_token)
    assert not [i for i in items if i.get("ParticipantRole") == "AGENT"]


async def test_a_test_plays_the_agent(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    emulator.control("POST", "/config", {"agentEnabled": False})
    chat = open_chat(connect_client, participant_client)
    customer = await ChatSocket.open(chat.websocket_url)
    agent = join_agent(emulator, participant_client, chat.contact_id)
    agent_url = participant_client.create_participant_connection(
        ParticipantToken=agent.participant_token, Type=["WEBSOCKET"]
    )["Websocket"]["Url"]
    agent_socket = await ChatSocket.open(agent_url)

    question = send_text(participant_client, chat.connection_token, "question")
    await agent_socket.wait_item(Id=question["Id"])
    participant_client.send_event(
        ConnectionToken=agent.connection_token, ContentType=READ, Content=json.dumps({"messageId": question["Id"]})
    )
    answer = send_text(participant_client, agent.connection_token, "answer")

    await customer.wait_item(ContentType=JOINED, ParticipantId=agent.participant_id)
    await customer.wait_item(ContentType=READ)
    pushed = await customer.wait_item(Id=answer["Id"])
    assert pushed["ParticipantRole"] == "AGENT"
    participant_client.disconnect_participant(ConnectionToken=agent.connection_token)
    await customer.wait_item(ContentType=ENDED)
    await customer.wait_closed()
    await agent_socket.wait_closed()


async def test_control_agent_messages_events_and_participant_states(
    connect_client: Any, participant_client: Any, emulator: Any
) -> None:
    emulator.control("POST", "/config", {"agentEnabled": False})
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)
    base = f"/contacts/{chat.contact_id}"

    said = emulator.control("POST", base + "/agent/message", {"content": "**hi**", "contentType": "text/plain"})
    emulator.control("POST", base + "/agent/event", {"contentType": TYPING})
    emulator.control("POST", base + "/participant-state", {"state": "idle"})
    emulator.control("POST", base + "/participant-state", {"state": "returned"})

    await socket.wait_item(Id=said["Id"], Content="**hi**")
    await socket.wait_item(ContentType=TYPING, ParticipantRole="AGENT")
    idle = await socket.wait_item(ContentType=EVENT + "participant.idle")
    await socket.wait_item(ContentType=EVENT + "participant.returned")
    assert idle["ParticipantId"] == chat.participant_id

    emulator.control("POST", base + "/participant-state", {"state": "autodisconnection"})
    await socket.wait_item(ContentType=EVENT + "participant.autodisconnection")
    await socket.wait_item(ContentType=ENDED)
    await socket.wait_closed()
    assert emulator.control("GET", base)["State"] == "ENDED"


def test_control_lists_contacts_with_their_transcript(
    connect_client: Any, participant_client: Any, emulator: Any
) -> None:
    chat = open_chat(connect_client, participant_client)
    sent = send_text(participant_client, chat.connection_token, "listed")
    listed = emulator.control("GET", "/contacts")["Contacts"]
    assert find(listed, ContactId=chat.contact_id)
    contact = emulator.control("GET", f"/contacts/{chat.contact_id}")
    assert find(contact["Transcript"], Id=sent["Id"], MessageVisibility="ALL")


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/contacts/unknown", None, 404),
        ("POST", "/config", {"noSuchSetting": 1}, 400),
        ("POST", "/faults", {"operation": "SendMessage", "error": "NoSuchError"}, 400),
        ("POST", "/faults", {"operation": "SendMessage"}, 400),
        ("POST", "/faults", {}, 400),
        ("POST", "/tokens/expire", {"kinds": ["bogus"]}, 400),
    ],
)
def test_control_api_refuses_bad_requests(
    emulator: Any, method: str, path: str, body: dict[str, Any] | None, status: int
) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        emulator.control(method, path, body)
    assert caught.value.code == status
    assert json.loads(caught.value.read())["error"]


def test_control_agent_message_needs_a_known_visibility(
    connect_client: Any, participant_client: Any, emulator: Any
) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(urllib.error.HTTPError) as caught:
        emulator.control("POST", f"/contacts/{chat.contact_id}/agent/message", {"content": "x", "visibility": "ME"})
    assert caught.value.code == 400


def test_simulated_agent_answers_without_receipts_when_a_bot_makes_three(
    connect_client: Any, participant_client: Any
) -> None:
    chat = open_chat(connect_client, participant_client)

    def transcript() -> list[dict[str, Any]]:
        return whole_transcript(participant_client, chat.connection_token)

    wait_for(lambda: find(transcript(), ContentType=JOINED, ParticipantRole="AGENT"))
    connect_client.create_participant(
        InstanceId=INSTANCE_ID, ContactId=chat.contact_id, ParticipantDetails={"ParticipantRole": "CUSTOM_BOT"}
    )

    sent = send_text(participant_client, chat.connection_token, "three of us")

    wait_for(lambda: find(transcript(), ParticipantRole="AGENT", Content=reply_text("three of us")))
    message = find(transcript(), Id=sent["Id"])
    assert message is not None
    assert "MessageMetadata" not in message  # receipts are refused with three active participants
