"""What an attacker, a flaky network or a failing dependency does to the relay: every frame gets a documented
answer, the connection survives, nothing is lost or sent twice, and no chat crosses another."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from tests.support.relay import RelayHarness
from tests.support.servers import RunningEmulator


def _started(relay: RelayHarness, name: str = "Ana") -> tuple[str, dict[str, Any]]:
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": name, "requestId": "s"})
    started = next(f for f in relay.new_frames(connection_id) if f["type"] == "chatStarted")
    return connection_id, started


def _customer_messages(emulator: RunningEmulator, contact_id: str) -> list[str]:
    transcript = emulator.control("GET", f"/contacts/{contact_id}")["Transcript"]
    return [i["Content"] for i in transcript if i["Type"] == "MESSAGE" and i["ParticipantRole"] == "CUSTOMER"]


def test_a_retried_request_id_is_one_message_and_a_reused_one_is_refused(
    relay: RelayHarness, emulator: RunningEmulator, agent_off: None
) -> None:
    connection_id, started = _started(relay)
    first = {"action": "sendMessage", "content": "first message", "requestId": "r1"}
    relay.send(connection_id, first)
    relay.send(connection_id, first)  # the client did not see the ack and retries
    for text in ("second", "third", "fourth"):
        relay.send(connection_id, {"action": "sendMessage", "content": text, "requestId": "r1"})
    answers = relay.new_frames(connection_id)
    acks = [a for a in answers if a["type"] == "ack"]
    assert [a["requestId"] for a in acks] == ["r1", "r1"]
    assert acks[0]["id"] == acks[1]["id"], "a retry gets the same ack"
    refused = [a for a in answers if a["type"] == "error"]
    assert [(a["code"], a["requestId"]) for a in refused] == [("REQUEST_ID_REUSED", "r1")] * 3
    assert _customer_messages(emulator, started["contactId"]) == ["first message"]
    relay.send(connection_id, {"action": "sendMessage", "content": "second", "requestId": "r2"})
    assert relay.new_frames(connection_id)[0]["type"] == "ack"
    assert _customer_messages(emulator, started["contactId"]) == ["first message", "second"]


def test_json_nobody_can_read_is_a_bad_request_and_the_connection_survives(relay: RelayHarness) -> None:
    connection_id, _ = _started(relay)
    deep = '{"action":"sendMessage","content":"x","extra":' + "[" * 2000 + "]" * 2000 + "}"
    long_number = '{"action":"getTranscript","maxResults":' + "9" * 4301 + "}"
    for body in (deep, long_number):
        relay.send(connection_id, body)
        [answer] = relay.new_frames(connection_id)
        assert (answer["type"], answer["code"]) == ("error", "BAD_REQUEST")
    relay.send(connection_id, {"action": "sendMessage", "content": "still here", "requestId": "ok"})
    assert relay.new_frames(connection_id)[0]["type"] == "ack"


def test_refusals_before_validation_still_echo_the_request_id(relay: RelayHarness, monkeypatch: Any) -> None:
    from relay import runtime

    connection_id, _ = _started(relay)
    relay.send(connection_id, json.dumps({"action": "sendMessage", "content": "x" * 40_000, "requestId": "big"}))
    [too_large] = relay.new_frames(connection_id)
    assert (too_large["code"], too_large["requestId"]) == ("PAYLOAD_TOO_LARGE", "big")
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "3")
    runtime.reset()
    for number in range(3):
        relay.send(connection_id, {"action": "getTranscript", "requestId": f"t{number}"})
    limited = [f for f in relay.new_frames(connection_id) if f["type"] == "error"]
    assert [(f["code"], f["requestId"]) for f in limited] == [("RATE_LIMITED", "t1"), ("RATE_LIMITED", "t2")]


def test_resuming_another_chat_on_a_connection_that_serves_one_is_refused_and_nothing_crosses(
    relay: RelayHarness, emulator: RunningEmulator, agent_off: None
) -> None:
    first, chat_x = _started(relay, "X")
    other, chat_e = _started(relay, "E")
    relay.send(first, {"action": "resumeChat", "resumeToken": chat_e["resumeToken"], "requestId": "cross"})
    [refused] = relay.new_frames(first)
    assert (refused["code"], refused["requestId"]) == ("CHAT_ALREADY_STARTED", "cross")
    relay.send(first, {"action": "sendMessage", "content": "for X", "requestId": "m"})
    relay.send(other, {"action": "sendMessage", "content": "for E", "requestId": "m"})
    assert _customer_messages(emulator, chat_x["contactId"]) == ["for X"]
    assert _customer_messages(emulator, chat_e["contactId"]) == ["for E"]
    relay.settle(first)
    relay.settle(other)
    seen_by_first = {f["item"].get("ContactId") for f in relay.frames(first) if f["type"] == "item"}
    assert seen_by_first <= {chat_x["contactId"]}
    from relay import runtime

    fan_out = runtime.store().fan_out(chat_e["contactId"])
    assert fan_out is not None
    assert first not in fan_out.connections


def test_a_failing_table_write_during_start_chat_is_answered_and_stops_the_new_contact(
    relay: RelayHarness, emulator: RunningEmulator
) -> None:
    from relay import runtime

    def conflict(**_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "TransactionConflictException", "Message": "conflict"}}, "TransactWriteItems"
        )

    before = {c["ContactId"] for c in emulator.control("GET", "/contacts")["Contacts"]}
    runtime.store().client.meta.events.register("before-call.dynamodb.TransactWriteItems", conflict)
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana", "requestId": "s1"})
    [answer] = relay.new_frames(connection_id)
    assert (answer["type"], answer["code"], answer["requestId"]) == ("error", "INTERNAL_ERROR", "s1")
    assert "conflict" not in answer["message"], "no internals reach the client"
    [new] = [c for c in emulator.control("GET", "/contacts")["Contacts"] if c["ContactId"] not in before]
    assert new["State"] == "ENDED", "the orphaned contact is stopped"

    runtime.store().client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", conflict)
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana", "requestId": "s2"})
    assert relay.new_frames(connection_id)[0]["type"] == "chatStarted", "the same connection can start again"


def test_an_unexpected_failure_is_an_internal_error_frame_and_the_connection_stays_usable(
    relay: RelayHarness,
) -> None:
    from relay import runtime

    connection_id, _ = _started(relay)

    def failing(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "table detail"}}, "UpdateItem")

    runtime.store().client.meta.events.register("before-call.dynamodb.UpdateItem", failing)
    relay.send(connection_id, {"action": "sendMessage", "content": "lost?", "requestId": "x"})
    [answer] = relay.new_frames(connection_id)
    assert answer == {
        "type": "error",
        "code": "INTERNAL_ERROR",
        "message": "the relay could not carry this out; retry",
        "requestId": "x",
    }
    runtime.store().client.meta.events.unregister("before-call.dynamodb.UpdateItem", failing)
    relay.send(connection_id, {"action": "sendMessage", "content": "lost?", "requestId": "x"})
    assert relay.new_frames(connection_id)[0]["type"] == "ack"


def test_a_new_chat_can_start_on_the_connection_after_end_chat(relay: RelayHarness) -> None:
    connection_id, started = _started(relay)
    relay.send(connection_id, {"action": "endChat", "requestId": "end"})
    assert any(f["type"] == "chatEnded" for f in relay.new_frames(connection_id))
    relay.send(connection_id, {"action": "startChat", "displayName": "Ana again", "requestId": "again"})
    [again] = relay.new_frames(connection_id)
    assert again["type"] == "chatStarted"
    assert again["contactId"] != started["contactId"]


def test_resume_tokens_rotate_with_a_short_grace_and_expire_with_the_chat(relay: RelayHarness) -> None:
    first, started = _started(relay)
    old = started["resumeToken"]
    second, _ = relay.connect()
    relay.send(second, {"action": "resumeChat", "resumeToken": old, "requestId": "a"})
    resumed = relay.new_frames(second)[0]
    assert resumed["type"] == "chatResumed"
    newest = resumed["resumeToken"]
    assert newest != old
    assert {"type": "resumeToken", "resumeToken": newest} in relay.new_frames(first), "the other tab keeps up"

    third, _ = relay.connect()
    relay.send(third, {"action": "resumeChat", "resumeToken": old, "requestId": "b"})
    assert relay.new_frames(third)[0]["type"] == "chatResumed", "within the grace period the old token works"

    table = boto3.resource("dynamodb").Table(relay.table_name)
    key = {"pk": f"CHAT#{started['contactId']}", "sk": "META"}
    table.update_item(Key=key, UpdateExpression="SET priorResumeUntil = :past", ExpressionAttributeValues={":past": 1})
    current = relay.frames(first)[-1]["resumeToken"]
    fourth, _ = relay.connect()
    relay.send(fourth, {"action": "resumeChat", "resumeToken": newest, "requestId": "c"})
    assert relay.new_frames(fourth)[0]["code"] == "INVALID_RESUME_TOKEN", "after the grace period it does not"

    table.update_item(Key=key, UpdateExpression="SET expiresAt = :past", ExpressionAttributeValues={":past": 1})
    fifth, _ = relay.connect()
    relay.send(fifth, {"action": "resumeChat", "resumeToken": current, "requestId": "d"})
    assert relay.new_frames(fifth)[0]["code"] == "INVALID_RESUME_TOKEN", "expired records open nothing"


def test_connect_and_disconnect_answer_even_when_the_table_fails(relay: RelayHarness) -> None:
    from relay import runtime

    def failing(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "down"}}, "PutItem")

    events = runtime.store().client.meta.events
    events.register("before-call.dynamodb.PutItem", failing)
    events.register("before-call.dynamodb.DeleteItem", failing)
    try:
        _, answer = relay.connect()
        assert answer == {"statusCode": 500}
        assert relay.disconnect("conn-unknown000=") == {"statusCode": 200}
    finally:
        events.unregister("before-call.dynamodb.PutItem", failing)
        events.unregister("before-call.dynamodb.DeleteItem", failing)
