"""Malformed and abusive frames: each gets an error frame naming the problem; the connection stays usable."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.relay import RelayHarness

MALFORMED: list[tuple[Any, str, str]] = [
    ("not json", "BAD_REQUEST", "not valid JSON"),
    ("[1, 2]", "BAD_REQUEST", "JSON object"),
    ({"content": "no action"}, "UNKNOWN_ACTION", "None"),
    ({"action": "fly"}, "UNKNOWN_ACTION", "'fly'"),
    ({"action": "sendMessage"}, "VALIDATION_ERROR", "content: is required"),
    ({"action": "sendMessage", "content": ""}, "VALIDATION_ERROR", "content: must not be empty"),
    ({"action": "sendMessage", "content": 5}, "VALIDATION_ERROR", "content: must be a string"),
    ({"action": "sendMessage", "content": "x", "extra": 1}, "VALIDATION_ERROR", "extra: is not a known field"),
    ({"action": "startChat", "displayName": ""}, "VALIDATION_ERROR", "displayName: must not be empty"),
    ({"action": "startChat", "displayName": "x" * 257}, "VALIDATION_ERROR", "at most 256"),
    ({"action": "sendEvent", "contentType": "text/plain"}, "VALIDATION_ERROR", "contentType"),
    ({"action": "getTranscript", "maxResults": 101}, "VALIDATION_ERROR", "maxResults: must be between 1 and 100"),
    ({"action": "getTranscript", "scanDirection": "UP"}, "VALIDATION_ERROR", "scanDirection"),
    ({"action": "resumeChat", "resumeToken": "short"}, "VALIDATION_ERROR", "resumeToken"),
    ({"action": "getAttachment"}, "VALIDATION_ERROR", "attachmentId: is required"),
    ({"action": "sendMessage", "content": "x", "requestId": "r" * 65}, "VALIDATION_ERROR", "requestId"),
    ({"action": "sendMessage", "content": "hello"}, "NO_CHAT", "start or resume a chat first"),
    ({"action": "endChat"}, "NO_CHAT", "start or resume a chat first"),
]


@pytest.mark.parametrize(("frame", "code", "fragment"), MALFORMED)
def test_malformed_frame_gets_an_error_and_the_connection_survives(
    relay: RelayHarness, frame: Any, code: str, fragment: str
) -> None:
    connection_id, _ = relay.connect()
    relay.send(connection_id, frame)
    [error] = relay.new_frames(connection_id)
    assert error["type"] == "error"
    assert error["code"] == code
    assert fragment in error["message"]
    relay.send(connection_id, {"action": "startChat", "displayName": "Still here", "requestId": "after"})
    assert relay.new_frames(connection_id)[0]["type"] == "chatStarted"


def test_request_id_is_echoed_on_errors(relay: RelayHarness) -> None:
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "sendMessage", "content": "", "requestId": "abc"})
    assert relay.new_frames(connection_id)[0]["requestId"] == "abc"


def _started(relay: RelayHarness) -> str:
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana"})
    relay.new_frames(connection_id)
    return connection_id


def test_oversized_frame_is_refused_before_parsing(relay: RelayHarness) -> None:
    connection_id = _started(relay)
    relay.send(connection_id, json.dumps({"action": "sendMessage", "content": "x" * 40_000}))
    [error] = relay.new_frames(connection_id)
    assert error["code"] == "PAYLOAD_TOO_LARGE"
    assert "32768" in error["message"]


def test_content_type_and_length_are_checked_before_calling_connect(relay: RelayHarness) -> None:
    connection_id = _started(relay)
    relay.send(connection_id, {"action": "sendMessage", "content": "x", "contentType": "image/png", "requestId": "1"})
    [error] = relay.new_frames(connection_id)
    assert error["code"] == "VALIDATION_ERROR"
    assert "contentType" in error["message"]
    assert "text/plain" in error["message"]
    relay.send(connection_id, {"action": "sendMessage", "content": "x" * 20_000})
    [error] = relay.new_frames(connection_id)
    assert error["code"] == "VALIDATION_ERROR"
    assert "content" in error["message"]


def test_a_customer_sends_only_what_the_deployment_supports(
    relay: RelayHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from relay import runtime

    connection_id = _started(relay)
    markdown = {"action": "sendMessage", "content": "*x*", "contentType": "text/markdown", "requestId": "m"}
    relay.send(connection_id, markdown)
    assert relay.new_frames(connection_id)[0]["type"] == "ack"
    relay.send(connection_id, {**markdown, "contentType": "application/json", "requestId": "j"})
    [refused] = relay.new_frames(connection_id)
    sendable = "text/plain, text/markdown, application/vnd.amazonaws.connect.message.interactive.response"
    assert (refused["code"], refused["message"]) == ("VALIDATION_ERROR", f"contentType: must be one of {sendable}")

    monkeypatch.setenv("SUPPORTED_CONTENT_TYPES", "text/plain")  # another deployment in the same process
    runtime.reset()
    relay.send(connection_id, {**markdown, "requestId": "n"})
    [refused] = relay.new_frames(connection_id)
    assert (refused["code"], refused["message"]) == ("VALIDATION_ERROR", "contentType: must be one of text/plain")


def test_rate_limit_answers_rate_limited(relay: RelayHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    from relay import runtime

    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "3")
    runtime.reset()
    connection_id, _ = relay.connect()
    for _ in range(3):
        relay.send(connection_id, {"action": "fly"})
    relay.send(connection_id, {"action": "fly"})
    codes = [frame["code"] for frame in relay.new_frames(connection_id)]
    assert codes == ["UNKNOWN_ACTION", "UNKNOWN_ACTION", "UNKNOWN_ACTION", "RATE_LIMITED"]
    other, _ = relay.connect()
    relay.send(other, {"action": "fly"})
    assert relay.new_frames(other)[0]["code"] == "UNKNOWN_ACTION"


def test_starting_a_second_chat_on_one_connection_is_refused(relay: RelayHarness) -> None:
    connection_id = _started(relay)
    relay.send(connection_id, {"action": "startChat", "displayName": "Again"})
    [error] = relay.new_frames(connection_id)
    assert error["code"] == "CHAT_ALREADY_STARTED"


def test_origin_not_allowed_is_refused_at_connect(relay: RelayHarness) -> None:
    _, answer = relay.connect(origin="https://evil.example.net")
    assert answer == {"statusCode": 403}
    _, answer = relay.connect(origin="https://www.example.com")
    assert answer == {"statusCode": 200}


def test_blocking_hook_stops_a_message(relay: RelayHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    from relay import runtime

    monkeypatch.setenv("MESSAGE_HOOKS", "tests.support.hooks:block_forbidden")
    runtime.reset()
    connection_id = _started(relay)
    relay.send(connection_id, {"action": "sendMessage", "content": "this is forbidden", "requestId": "b"})
    [error] = relay.new_frames(connection_id)
    assert error == {
        "type": "error",
        "code": "BLOCKED",
        "message": "the message was blocked by a message hook",
        "requestId": "b",
    }
    relay.send(connection_id, {"action": "sendMessage", "content": "this is fine", "requestId": "ok"})
    assert relay.new_frames(connection_id)[0]["type"] == "ack"


def test_redaction_hook_masks_cards_and_emails_both_ways(relay: RelayHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    from relay import runtime

    monkeypatch.setenv("MESSAGE_HOOKS", "common.hooks:redact_pii")
    runtime.reset()
    connection_id = _started(relay)
    relay.send(connection_id, {"action": "sendMessage", "content": "card 4111 1111 1111 1111, mail ana@example.com"})
    relay.wait_for(connection_id, lambda f: f["type"] == "ack")
    reply = relay.wait_for(
        connection_id,
        lambda f: f["type"] == "item" and f["item"]["ParticipantRole"] == "AGENT" and f["item"]["Type"] == "MESSAGE",
        what="the agent's reply",
    )
    # The agent (Connect side) only ever saw the redacted text, and echoes it back.
    assert "[card ending 1111]" in reply["item"]["Content"]
    assert "[email]" in reply["item"]["Content"]
    assert "4111" not in json.dumps(relay.frames(connection_id)).replace("ending 1111", "")


def test_start_chat_attributes_must_be_allowed_by_the_deployment(
    relay: RelayHarness, emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from relay import runtime

    connection_id, _ = relay.connect()
    relay.send(
        connection_id, {"action": "startChat", "displayName": "Ana", "attributes": {"plan": "gold"}, "requestId": "a"}
    )
    [refused] = relay.new_frames(connection_id)
    assert (refused["code"], refused["requestId"]) == ("VALIDATION_ERROR", "a")
    assert refused["message"].startswith("attributes.plan: is not an attribute customers may set (allowed: ")
    monkeypatch.setenv("CONTACT_ATTRIBUTES", "plan:10")
    runtime.reset()
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana", "attributes": {"plan": "gold"}})
    started = relay.new_frames(connection_id)[0]
    assert started["type"] == "chatStarted"
    assert emulator.control("GET", f"/contacts/{started['contactId']}")["Attributes"] == {"plan": "gold"}
