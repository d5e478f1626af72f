"""The participant websocket: subscribe, heartbeat, deep ping, aws/chat pushes, closing and expiry."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosedError, InvalidStatus

from tests.support.chat import (
    ENDED,
    INSTANCE_ID,
    JOINED,
    LEFT,
    TYPING,
    ChatSocket,
    find,
    open_chat,
    send_text,
    whole_transcript,
)

pytestmark = pytest.mark.usefixtures("wire", "agent_off")


async def test_subscribe_success(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url, subscribe=False)
    await socket.send({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}})
    reply = await socket.wait_frame(lambda f: f.get("topic") == "aws/subscribe")
    assert reply == {"topic": "aws/subscribe", "content": {"status": "success", "topics": ["aws/chat"]}}
    await socket.close()


@pytest.mark.parametrize("content", [{"topics": ["aws/other"]}, {"topics": []}, {}, "aws/chat"])
async def test_subscribe_failure(connect_client: Any, participant_client: Any, content: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url, subscribe=False)
    await socket.send({"topic": "aws/subscribe", "content": content})
    reply = await socket.wait_frame(lambda f: f.get("topic") == "aws/subscribe")
    assert reply["content"]["status"] == "failure"
    # Not subscribed: nothing is pushed.
    send_text(participant_client, chat.connection_token, "unseen")
    await socket.send({"topic": "aws/heartbeat"})
    await socket.wait_frame(lambda f: f.get("topic") == "aws/heartbeat")
    assert socket.items == []
    await socket.close()


async def test_heartbeat_is_echoed_and_ping_answers_200(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)
    await socket.send({"topic": "aws/heartbeat"})
    await socket.send({"topic": "aws/ping"})
    heartbeat = await socket.wait_frame(lambda f: f.get("topic") == "aws/heartbeat")
    ping = await socket.wait_frame(lambda f: f.get("topic") == "aws/ping")
    assert heartbeat == {"topic": "aws/heartbeat"}
    assert ping["statusCode"] == 200
    await socket.close()


async def test_items_are_pushed_as_json_strings(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)

    sent = send_text(participant_client, chat.connection_token, "over the socket")
    agent_said = emulator.control("POST", f"/contacts/{chat.contact_id}/agent/message", {"content": "hi!"})
    participant_client.send_event(ConnectionToken=chat.connection_token, ContentType=TYPING)

    mine = await socket.wait_item(Id=sent["Id"])
    theirs = await socket.wait_item(Id=agent_said["Id"])
    await socket.wait_item(ContentType=TYPING)
    frame = next(f for f in socket.frames if f.get("topic") == "aws/chat")
    assert isinstance(frame["content"], str)
    assert frame["contentType"] == "application/json"
    assert mine["Content"] == "over the socket"
    assert mine["Type"] == "MESSAGE"
    assert mine["ContactId"] == chat.contact_id
    assert mine["InitialContactId"] == chat.contact_id
    assert mine["AbsoluteTime"] == sent["AbsoluteTime"]
    assert theirs["ParticipantRole"] == "AGENT"
    assert find(socket.items, ContentType=JOINED, ParticipantRole="AGENT")
    # What was pushed is what the transcript holds (the transcript's Item has no InitialContactId).
    stored = find(whole_transcript(participant_client, chat.connection_token), Id=sent["Id"])
    assert stored == {k: v for k, v in mine.items() if k != "InitialContactId"}
    await socket.close()


async def test_unsubscribe_stops_pushes(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)
    await socket.send({"topic": "aws/unsubscribe", "content": {"topics": ["aws/chat"]}})
    reply = await socket.wait_frame(lambda f: f.get("topic") == "aws/unsubscribe")
    assert reply["content"]["status"] == "success"
    send_text(participant_client, chat.connection_token, "unseen")
    await socket.send({"topic": "aws/heartbeat"})
    await socket.wait_frame(lambda f: f.get("topic") == "aws/heartbeat")
    assert socket.items == []
    await socket.close()


@pytest.mark.parametrize(
    "frame", ["not json", "[1, 2]", '"text"', "{}", '{"topic": 5}', '{"topic": "aws/unknown"}', '{"content": {}}']
)
async def test_bad_frames_get_a_message_and_the_socket_stays_open(
    connect_client: Any, participant_client: Any, frame: str
) -> None:
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)
    await socket.send(frame)
    error = await socket.wait_frame(lambda f: "message" in f)
    assert "topic" not in error
    assert isinstance(error["message"], str)
    sent = send_text(participant_client, chat.connection_token, "still here")
    await socket.wait_item(Id=sent["Id"])
    assert not socket.closed
    await socket.close()


async def test_binary_frames_get_a_message_and_the_socket_stays_open(
    connect_client: Any, participant_client: Any
) -> None:
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)
    await socket.ws.send(b'{"topic": "aws/heartbeat"}')
    error = await socket.wait_frame(lambda f: "message" in f)
    assert "binary" in error["message"]
    await socket.send({"topic": "aws/heartbeat"})
    await socket.wait_frame(lambda f: f.get("topic") == "aws/heartbeat")
    assert not socket.closed
    await socket.close()


async def test_socket_closes_when_the_chat_ends(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)
    connect_client.stop_contact(InstanceId=INSTANCE_ID, ContactId=chat.contact_id)
    await socket.wait_closed()
    assert socket.clean_close
    assert socket.items[-1]["ContentType"] == ENDED
    assert socket.ws.close_code == 1000
    # The URL of an ended chat is refused.
    with pytest.raises(InvalidStatus) as caught:
        await ws_connect(chat.websocket_url, open_timeout=5)
    assert caught.value.response.status_code == 403
    assert emulator.control("GET", "/health")["sockets"] == 0


async def test_socket_closes_when_the_customer_disconnects(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)
    participant_client.disconnect_participant(ConnectionToken=chat.connection_token)
    await socket.wait_closed()
    assert [i["ContentType"] for i in socket.items][-2:] == [LEFT, ENDED]


async def test_invalid_url_is_refused(emulator: Any) -> None:
    base = emulator.url.replace("http://", "ws://")
    for url in (f"{base}/connect?X-Amz-Security-Token=ws-nope", f"{base}/connect"):
        with pytest.raises(InvalidStatus) as caught:
            await ws_connect(url, open_timeout=5)
        assert caught.value.response.status_code == 403


async def test_expired_url_is_refused(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    emulator.control("POST", "/tokens/expire", {"participantId": chat.participant_id, "kinds": ["websocket"]})
    with pytest.raises(InvalidStatus) as caught:
        await ws_connect(chat.websocket_url, open_timeout=5)
    assert caught.value.response.status_code == 403
    # The connection token was not touched, and a new URL works.
    send_text(participant_client, chat.connection_token, "fine")
    fresh = participant_client.create_participant_connection(
        ParticipantToken=chat.participant_token, Type=["WEBSOCKET"]
    )
    socket = await ChatSocket.open(fresh["Websocket"]["Url"])
    await socket.close()


async def test_url_not_opened_in_time_is_refused(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    emulator.control("POST", "/config", {"websocketConnectTimeout": 0.1})
    chat = open_chat(connect_client, participant_client)
    await asyncio.sleep(0.2)
    with pytest.raises(InvalidStatus):
        await ws_connect(chat.websocket_url, open_timeout=5)


async def test_open_socket_closes_when_its_url_expires(
    connect_client: Any, participant_client: Any, emulator: Any
) -> None:
    chat = open_chat(connect_client, participant_client)
    other = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)
    bystander = await ChatSocket.open(other.websocket_url)

    answer = emulator.control("POST", "/tokens/expire", {"participantId": chat.participant_id, "kinds": ["websocket"]})

    assert answer["closedSockets"] == 1
    await socket.wait_closed()
    assert not bystander.closed
    await bystander.close()


async def test_socket_closes_at_connection_expiry(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    emulator.control("POST", "/config", {"websocketTtl": 0.3})
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)
    await socket.wait_closed(within=3)


async def test_dropped_socket_ends_without_a_close_frame(
    connect_client: Any, participant_client: Any, emulator: Any
) -> None:
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)

    dropped = emulator.control("POST", "/sockets/drop", {"contactId": chat.contact_id})

    assert dropped == {"dropped": 1}
    await socket.wait_closed()
    assert not socket.clean_close
    assert isinstance(socket._reader.exception(), ConnectionClosedError)
    # The chat goes on: a new socket from the same URL-issuing token works.
    fresh = participant_client.create_participant_connection(
        ParticipantToken=chat.participant_token, Type=["WEBSOCKET"]
    )
    again = await ChatSocket.open(fresh["Websocket"]["Url"])
    sent = send_text(participant_client, chat.connection_token, "after the drop")
    await again.wait_item(Id=sent["Id"])
    await again.close()


async def test_agent_visibility_items_are_not_pushed_to_the_customer(
    connect_client: Any, participant_client: Any, emulator: Any
) -> None:
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)
    hidden = emulator.control(
        "POST", f"/contacts/{chat.contact_id}/agent/message", {"content": "internal note", "visibility": "AGENT"}
    )
    shown = emulator.control("POST", f"/contacts/{chat.contact_id}/agent/message", {"content": "hello"})
    await socket.wait_item(Id=shown["Id"])
    assert not find(socket.items, Id=hidden["Id"])
    assert not find(whole_transcript(participant_client, chat.connection_token), Id=hidden["Id"])
    await socket.close()


async def test_two_sockets_of_one_participant_both_receive(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    second = participant_client.create_participant_connection(
        ParticipantToken=chat.participant_token, Type=["WEBSOCKET"]
    )
    first_socket = await ChatSocket.open(chat.websocket_url)
    second_socket = await ChatSocket.open(second["Websocket"]["Url"])
    sent = send_text(participant_client, chat.connection_token, "to both")
    await first_socket.wait_item(Id=sent["Id"])
    await second_socket.wait_item(Id=sent["Id"])
    await first_socket.close()
    await second_socket.close()


async def test_frames_are_json_objects(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    socket = await ChatSocket.open(chat.websocket_url)
    send_text(participant_client, chat.connection_token, "x")
    await socket.wait_item(Type="MESSAGE")
    raw = json.dumps(socket.frames)
    assert all(isinstance(f, dict) for f in json.loads(raw))
    await socket.close()
