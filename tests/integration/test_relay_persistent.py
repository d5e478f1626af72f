"""Persistent chat through the relay and the start-chat endpoint: a client continues a conversation only with the
continuation token its chat's end gave it; the emulator rehydrates the past items into the new contact."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from common import continuation
from tests.support.relay import RelayHarness, lambda_context, load_event
from tests.support.servers import RunningEmulator


def _ended_chat(relay: RelayHarness, text: str) -> dict[str, Any]:
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana"})
    started = relay.new_frames(connection_id)[0]
    relay.send(connection_id, {"action": "sendMessage", "content": text})
    relay.send(connection_id, {"action": "endChat", "requestId": "end"})
    ended = next(f for f in relay.new_frames(connection_id) if f["type"] == "chatEnded")
    return {"started": started, "ended": ended}


def test_a_chat_continues_only_with_its_continuation_token(
    relay: RelayHarness, emulator: RunningEmulator, persistent_chat: str, agent_off: None
) -> None:
    past = _ended_chat(relay, "my order 1234 never came")
    token = past["ended"]["continuationToken"]
    expires_at = continuation.verify_token(token).expires_at
    assert past["ended"]["continuationExpiresAt"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_at))
    assert past["started"]["contactId"] not in token, "the token is opaque"

    connection_id, _ = relay.connect()
    relay.send(
        connection_id, {"action": "startChat", "displayName": "Ana", "continuationToken": token, "requestId": "c"}
    )
    started = relay.new_frames(connection_id)[0]
    assert started["type"] == "chatStarted"
    assert started["continuedFrom"] == past["started"]["contactId"]
    relay.send(connection_id, {"action": "getTranscript", "maxResults": 100, "requestId": "t"})
    transcript = relay.new_frames(connection_id)[0]
    assert "my order 1234 never came" in [i.get("Content") for i in transcript["items"]], "the past is rehydrated"

    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    other, _ = relay.connect()
    relay.send(other, {"action": "startChat", "displayName": "Eve", "continuationToken": forged, "requestId": "f"})
    [refused] = relay.new_frames(other)
    assert (refused["code"], refused["message"], refused["requestId"]) == (
        "INVALID_CONTINUATION_TOKEN",
        "the continuation token is unknown or expired; start a new chat",
        "f",
    )


@pytest.mark.parametrize(
    ("asked", "rehydration"),
    [({"rehydrationType": "FROM_SEGMENT"}, "FROM_SEGMENT"), ({}, "ENTIRE_PAST_SESSION")],
)
def test_a_continuation_may_ask_for_one_segment_only(
    relay: RelayHarness,
    emulator: RunningEmulator,
    persistent_chat: str,
    agent_off: None,
    asked: dict[str, str],
    rehydration: str,
) -> None:
    from relay import runtime

    sent: list[dict[str, Any]] = []
    runtime.connect().meta.events.register(
        "before-parameter-build.connect.StartChatContact", lambda params, **_: sent.append(params)
    )
    past = _ended_chat(relay, "segment one")
    token = past["ended"]["continuationToken"]
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana", "continuationToken": token, **asked})
    started = relay.new_frames(connection_id)[0]
    assert started["continuedFrom"] == past["started"]["contactId"]
    assert sent[-1]["PersistentChat"] == {
        "RehydrationType": rehydration,
        "SourceContactId": past["started"]["contactId"],
    }
    assert "PersistentChat" not in sent[0], "a chat without a token continues nothing"


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({"rehydrationType": "FROM_SEGMENT"}, "rehydrationType: is allowed only with continuationToken"),
        (
            {"rehydrationType": "EVERYTHING", "continuationToken": "x" * 40},
            "rehydrationType: must be one of ENTIRE_PAST_SESSION, FROM_SEGMENT",
        ),
    ],
)
def test_a_rehydration_type_is_checked(relay: RelayHarness, extra: dict[str, str], problem: str) -> None:
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana", "requestId": "r", **extra})
    [refused] = relay.new_frames(connection_id)
    assert (refused["code"], refused["message"], refused["requestId"]) == ("VALIDATION_ERROR", problem, "r")


def test_without_persistent_chat_the_end_carries_no_token(relay: RelayHarness, agent_off: None) -> None:
    past = _ended_chat(relay, "hello")
    assert "continuationToken" not in past["ended"]


def _start_chat_call(app: Any, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    event = load_event("apiGatewayHttpStartChat.json")
    event["body"] = json.dumps(body)
    event["headers"]["origin"] = "https://www.example.com"
    answer = app.handler(event, lambda_context())
    return answer["statusCode"], json.loads(answer["body"]) if answer["body"] else {}


@pytest.fixture
def start_chat(
    emulator: RunningEmulator, start_chat_table: str, persistent_chat: str, monkeypatch: pytest.MonkeyPatch
) -> Any:
    from start_chat import app

    for name, value in {
        "AWS_ENDPOINT_URL_CONNECT": emulator.url,
        "CONNECT_INSTANCE_ID": "instance-1",
        "CONTACT_FLOW_ID": "flow-1",
        "ALLOWED_ORIGINS": "https://www.example.com",
    }.items():
        monkeypatch.setenv(name, value)
    app._settings.cache_clear()
    app._connect.cache_clear()
    yield app
    app._settings.cache_clear()
    app._connect.cache_clear()


def test_the_endpoint_continues_a_chat_only_for_its_continuation_token(
    start_chat: Any, emulator: RunningEmulator
) -> None:
    status, first = _start_chat_call(start_chat, {"ParticipantDetails": {"DisplayName": "Ana"}})
    assert status == 200
    result = first["data"]["startChatResult"]
    emulator.control("POST", f"/contacts/{result['ContactId']}/end", {})

    status, refused = _start_chat_call(
        start_chat,
        {"ParticipantDetails": {"DisplayName": "Eve"}, "PersistentChat": {"SourceContactId": result["ContactId"]}},
    )
    assert status == 400
    assert refused["error"]["message"].startswith("PersistentChat.SourceContactId: is no longer accepted")

    body = {"ParticipantDetails": {"DisplayName": "Ana"}, "PersistentChat": {"ContinuationToken": "made.up"}}
    status, refused = _start_chat_call(start_chat, body)
    assert (status, refused["error"]["code"]) == (400, "INVALID_CONTINUATION_TOKEN")
    assert refused["error"]["message"] == "PersistentChat.ContinuationToken: is unknown or expired; start a new chat"

    sent: list[dict[str, Any]] = []
    start_chat._connect().meta.events.register(
        "before-parameter-build.connect.StartChatContact", lambda params, **_: sent.append(params)
    )
    body["PersistentChat"]["ContinuationToken"] = result["ContinuationToken"]
    status, second = _start_chat_call(start_chat, body)
    assert status == 200
    assert second["data"]["startChatResult"]["ContinuedFromContactId"] == result["ContactId"]
    persistent = {"RehydrationType": "ENTIRE_PAST_SESSION", "SourceContactId": result["ContactId"]}
    assert sent[-1]["PersistentChat"] == persistent, "the whole past chat unless the body asks for less"


def test_the_endpoint_answers_429_with_retry_after_when_an_address_spent_its_budget(
    start_chat: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAT_STARTS_PER_IP", "2")
    start_chat._settings.cache_clear()
    start_chat._budgets.cache_clear()
    answers = []
    for _ in range(3):
        event = load_event("apiGatewayHttpStartChat.json")
        event["body"] = json.dumps({"ParticipantDetails": {"DisplayName": "Bot"}})
        event["headers"]["origin"] = "https://www.example.com"
        answers.append(start_chat.handler(event, lambda_context()))
    assert [a["statusCode"] for a in answers] == [200, 200, 429]
    assert json.loads(answers[2]["body"])["error"]["code"] == "BUDGET_EXCEEDED"
    assert int(answers[2]["headers"]["Retry-After"]) > 0
