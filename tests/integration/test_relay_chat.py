"""A whole chat through the relay: browser frames in, Connect (the emulator) behind, streaming back."""

from __future__ import annotations

import time
from typing import Any

from connect_chat import Item, Transcript
from tests.support.relay import RelayHarness


def _start(relay: RelayHarness, name: str = "Ana") -> tuple[str, dict[str, Any]]:
    connection_id, answer = relay.connect()
    assert answer == {"statusCode": 200}
    relay.send(connection_id, {"action": "startChat", "displayName": name, "requestId": "start-1"})
    started = relay.wait_for(connection_id, lambda f: f["type"] == "chatStarted", what="chatStarted")
    return connection_id, started


def _is_agent_reply(text: str) -> Any:
    return lambda f: (
        f["type"] == "item"
        and f["item"]["Type"] == "MESSAGE"
        and f["item"]["ParticipantRole"] == "AGENT"
        and text in f["item"].get("Content", "")
    )


def test_whole_chat_through_the_relay(relay: RelayHarness) -> None:
    connection_id, started = _start(relay)
    assert started["requestId"] == "start-1"
    assert started["contactId"]
    assert started["participantId"]
    assert len(started["resumeToken"]) >= 40

    relay.wait_for(
        connection_id,
        lambda f: (
            f["type"] == "item"
            and f["item"]["ContentType"].endswith("participant.joined")
            and f["item"]["ParticipantRole"] == "AGENT"
        ),
        what="the agent joining",
    )
    relay.send(connection_id, {"action": "sendMessage", "content": "I need help", "requestId": "m1"})
    ack = relay.wait_for(connection_id, lambda f: f["type"] == "ack" and f.get("requestId") == "m1", what="ack")
    assert ack["id"]
    assert ack["absoluteTime"]
    reply = relay.wait_for(connection_id, _is_agent_reply("I need help"), what="the agent's reply")
    assert reply["item"]["ContactId"] == started["contactId"]

    relay.send(
        connection_id,
        {"action": "sendEvent", "contentType": "application/vnd.amazonaws.connect.event.typing", "requestId": "t1"},
    )
    relay.wait_for(connection_id, lambda f: f["type"] == "ack" and f.get("requestId") == "t1", what="typing ack")
    relay.send(
        connection_id,
        {
            "action": "sendEvent",
            "messageId": reply["item"]["Id"],
            "requestId": "r1",
            "contentType": "application/vnd.amazonaws.connect.event.message.read",
        },
    )
    relay.wait_for(connection_id, lambda f: f["type"] == "ack" and f.get("requestId") == "r1", what="receipt ack")

    relay.send(connection_id, {"action": "getTranscript", "requestId": "tr", "maxResults": 100})
    transcript = relay.wait_for(connection_id, lambda f: f["type"] == "transcript", what="transcript")
    contents = [i.get("Content") for i in transcript["items"] if i["Type"] == "MESSAGE"]
    assert "I need help" in contents
    assert reply["item"]["Content"] in contents
    assert transcript["requestId"] == "tr"

    relay.send(connection_id, {"action": "endChat", "requestId": "end"})
    relay.wait_for(connection_id, lambda f: f["type"] == "chatEnded", what="chatEnded")
    relay.send(connection_id, {"action": "sendMessage", "content": "still there?"})
    frames = relay.frames(connection_id)
    assert frames[-1]["type"] == "chatEnded"


def test_duplicate_sns_deliveries_cost_no_table_write_and_clients_keep_each_item_once(relay: RelayHarness) -> None:
    """At least once: a duplicate notification is posted again (no deduplication record is written); clients
    deduplicate on the item's Id, as connect_chat's transcript (and the widget) do."""
    from relay import runtime

    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana"})
    relay.send(connection_id, {"action": "sendMessage", "content": "twice?", "requestId": "m1"})
    table_calls: list[str] = []
    runtime.store().client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: table_calls.append(model.name)
    )
    deadline = time.monotonic() + 5
    delivered = 0
    while time.monotonic() < deadline:
        delivered += relay.pump(duplicate=True)
        if any(_is_agent_reply("twice?")(f) for f in relay.frames(connection_id)):
            break
        time.sleep(0.05)
    items = [f["item"] for f in relay.frames(connection_id) if f["type"] == "item"]
    ids = [item["Id"] for item in items]
    assert delivered, "no notification was delivered"
    assert len(ids) > len(set(ids)), "each duplicate delivery is posted again"
    assert set(table_calls) == {"GetItem"}, "a duplicate costs one read of the chat, no write"
    transcript = Transcript()
    transcript.add_many(Item.from_dict(item) for item in items)
    messages = [item["Id"] for item in items if item["Type"] == "MESSAGE"]
    kept = [entry.item.id for entry in transcript.entries() if entry.item.type == "MESSAGE"]
    assert len(messages) > len(set(messages))
    assert sorted(kept) == sorted(set(messages))
