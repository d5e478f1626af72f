"""Resuming chats: a second tab, a dropped socket, a reload — nothing lost, nothing repeated."""

from __future__ import annotations

from typing import Any

from tests.support.relay import RelayHarness
from tests.support.servers import RunningEmulator


def _start(relay: RelayHarness) -> tuple[str, dict[str, Any]]:
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana"})
    return connection_id, relay.wait_for(connection_id, lambda f: f["type"] == "chatStarted")


def _agent_messages(frames: list[dict[str, Any]]) -> list[str]:
    return [
        f["item"]["Content"]
        for f in frames
        if f["type"] == "item" and f["item"]["Type"] == "MESSAGE" and f["item"]["ParticipantRole"] == "AGENT"
    ]


def test_two_tabs_see_the_same_chat(relay: RelayHarness, emulator: RunningEmulator) -> None:
    first, started = _start(relay)
    second, _ = relay.connect()
    relay.send(second, {"action": "resumeChat", "resumeToken": started["resumeToken"], "requestId": "rs"})
    resumed = relay.wait_for(second, lambda f: f["type"] == "chatResumed")
    assert resumed["contactId"] == started["contactId"]
    assert resumed["requestId"] == "rs"

    relay.send(first, {"action": "sendMessage", "content": "from tab one", "requestId": "a"})
    for connection_id in (first, second):
        relay.wait_for(
            connection_id,
            lambda f: f["type"] == "item" and f["item"].get("Content") == "from tab one",
            what="tab one's message on " + connection_id,
        )
        relay.wait_for(connection_id, lambda f: "from tab one" in "".join(_agent_messages([f])), what="the reply")


def test_resume_after_a_drop_replays_exactly_what_was_missed(relay: RelayHarness, emulator: RunningEmulator) -> None:
    first, started = _start(relay)
    contact_id = started["contactId"]
    relay.send(first, {"action": "sendMessage", "content": "before the drop"})
    relay.wait_for(first, lambda f: "before the drop" in "".join(_agent_messages([f])), what="the first reply")
    seen = [f["item"] for f in relay.settle(first) if f["type"] == "item"]
    last_id = max(seen, key=lambda item: (item["AbsoluteTime"], item["Id"]))["Id"]

    relay.disconnect(first)
    for text in ("missed one", "missed two", "missed three"):
        emulator.control("POST", f"/contacts/{contact_id}/agent/message", {"content": text})
    relay.pump()  # streamed while no connection was attached: delivered to nobody

    second, _ = relay.connect()
    relay.send(second, {"action": "resumeChat", "resumeToken": started["resumeToken"], "afterId": last_id})
    # What resumeChat itself answers (no SNS pumped yet): chatResumed, then exactly the missed items, in order.
    replayed = relay.new_frames(second)
    assert replayed[0]["type"] == "chatResumed"
    assert _agent_messages(replayed) == ["missed one", "missed two", "missed three"]
    replayed_ids = [f["item"]["Id"] for f in replayed if f["type"] == "item"]
    assert len(replayed_ids) == len(set(replayed_ids))
    assert not set(replayed_ids) & {item["Id"] for item in seen}
    # Streaming that was still in flight may deliver the same items again (at least once); by Id, nothing repeats.
    everything = relay.settle(second)
    by_id = {f["item"]["Id"]: f["item"] for f in everything if f["type"] == "item"}
    texts = [
        i["Content"]
        for i in sorted(by_id.values(), key=lambda i: (i["AbsoluteTime"], i["Id"]))
        if i["Type"] == "MESSAGE" and i["ParticipantRole"] == "AGENT"
    ]
    assert texts == ["missed one", "missed two", "missed three"]


def test_resume_after_the_chat_ended_says_so(relay: RelayHarness, emulator: RunningEmulator) -> None:
    first, started = _start(relay)
    relay.disconnect(first)
    emulator.control("POST", f"/contacts/{started['contactId']}/end")
    relay.pump()
    second, _ = relay.connect()
    relay.send(second, {"action": "resumeChat", "resumeToken": started["resumeToken"]})
    ended = relay.wait_for(second, lambda f: f["type"] == "chatEnded")
    assert ended["contactId"] == started["contactId"]


def test_unknown_resume_token_is_an_error_and_the_connection_stays_usable(relay: RelayHarness) -> None:
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "resumeChat", "resumeToken": "x" * 43, "requestId": "bad"})
    error = relay.wait_for(connection_id, lambda f: f["type"] == "error")
    assert error == {
        "type": "error",
        "code": "INVALID_RESUME_TOKEN",
        "message": "the resume token is unknown or expired",
        "requestId": "bad",
    }
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana"})
    relay.wait_for(connection_id, lambda f: f["type"] == "chatStarted")


def test_chat_ended_by_the_agent_reaches_every_tab(relay: RelayHarness, emulator: RunningEmulator) -> None:
    first, started = _start(relay)
    second, _ = relay.connect()
    relay.send(second, {"action": "resumeChat", "resumeToken": started["resumeToken"]})
    relay.wait_for(second, lambda f: f["type"] == "chatResumed")
    emulator.control("POST", f"/contacts/{started['contactId']}/end")
    for connection_id in (first, second):
        relay.wait_for(connection_id, lambda f: f["type"] == "chatEnded", what="chatEnded")
        assert sum(f["type"] == "chatEnded" for f in relay.frames(connection_id)) == 1
