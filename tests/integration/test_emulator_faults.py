"""Fault injection through the control API: delays, failing N calls, wildcard faults, dropped sockets."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.support.chat import (
    NO_RETRIES,
    ChatSocket,
    WireLog,
    open_chat,
    send_text,
    start_chat,
    wire_log,
)


@pytest.fixture
def once(emulator: Any) -> Any:
    return boto3.client("connectparticipant", region_name="us-west-2", endpoint_url=emulator.url, config=NO_RETRIES)


@pytest.fixture
def connect_once(emulator: Any) -> Any:
    return boto3.client("connect", region_name="us-west-2", endpoint_url=emulator.url, config=NO_RETRIES)


@pytest.fixture(autouse=True)
def wire(connect_client: Any, participant_client: Any, once: Any, connect_once: Any) -> Iterator[WireLog]:
    with wire_log(connect_client, participant_client, once, connect_once) as log:
        yield log
    log.assert_valid()


def test_delay_slows_the_next_call_only(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    emulator.control("POST", "/faults", {"operation": "GetTranscript", "delayMs": 400})

    started = time.monotonic()
    participant_client.get_transcript(ConnectionToken=chat.connection_token)
    slow = time.monotonic() - started
    started = time.monotonic()
    participant_client.get_transcript(ConnectionToken=chat.connection_token)
    fast = time.monotonic() - started

    assert slow >= 0.4
    assert fast < slow - 0.2


def test_delay_does_not_block_other_calls(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    emulator.control("POST", "/faults", {"operation": "GetTranscript", "delayMs": 800})
    slow = threading.Thread(target=lambda: participant_client.get_transcript(ConnectionToken=chat.connection_token))
    slow.start()
    time.sleep(0.1)
    started = time.monotonic()
    send_text(participant_client, chat.connection_token, "not held up")
    assert time.monotonic() - started < 0.5
    slow.join(5)


def test_fail_n_times_then_succeed(connect_client: Any, participant_client: Any, once: Any, emulator: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    emulator.control("POST", "/faults", {"operation": "SendMessage", "error": "InternalServerException", "count": 2})

    for _ in range(2):
        with pytest.raises(once.exceptions.InternalServerException):
            send_text(once, chat.connection_token, "fails")
    sent = send_text(once, chat.connection_token, "works")

    assert sent["Id"]
    messages = [
        i
        for i in participant_client.get_transcript(ConnectionToken=chat.connection_token)["Transcript"]
        if i["Type"] == "MESSAGE"
    ]
    assert [m["Content"] for m in messages] == ["works"]


def test_fault_applies_only_to_its_operation(
    connect_client: Any, participant_client: Any, once: Any, emulator: Any
) -> None:
    chat = open_chat(connect_client, participant_client)
    emulator.control("POST", "/faults", {"operation": "SendEvent", "error": "ThrottlingException"})
    send_text(once, chat.connection_token, "unaffected")
    with pytest.raises(once.exceptions.ThrottlingException):
        once.send_event(
            ConnectionToken=chat.connection_token, ContentType="application/vnd.amazonaws.connect.event.typing"
        )


def test_wildcard_fault_hits_any_operation(
    connect_client: Any, participant_client: Any, once: Any, emulator: Any
) -> None:
    chat = open_chat(connect_client, participant_client)
    emulator.control("POST", "/faults", {"operation": "*", "error": "ThrottlingException", "count": 1})
    with pytest.raises(once.exceptions.ThrottlingException):
        once.get_transcript(ConnectionToken=chat.connection_token)
    once.get_transcript(ConnectionToken=chat.connection_token)


def test_delay_and_error_together(connect_client: Any, participant_client: Any, once: Any, emulator: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    emulator.control("POST", "/faults", {"operation": "SendMessage", "error": "ThrottlingException", "delayMs": 300})
    started = time.monotonic()
    with pytest.raises(once.exceptions.ThrottlingException):
        send_text(once, chat.connection_token, "late and refused")
    assert time.monotonic() - started >= 0.3


def test_connect_operations_can_fail(connect_once: Any, emulator: Any) -> None:
    emulator.control("POST", "/faults", {"operation": "StartChatContact", "error": "LimitExceededException"})
    with pytest.raises(connect_once.exceptions.LimitExceededException):
        start_chat(connect_once)
    emulator.control("POST", "/faults", {"operation": "StartChatContact", "error": "InternalServiceException"})
    with pytest.raises(connect_once.exceptions.InternalServiceException):
        start_chat(connect_once)
    assert start_chat(connect_once).contact_id


def test_clearing_faults(connect_client: Any, participant_client: Any, once: Any, emulator: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    pending = emulator.control("POST", "/faults", {"operation": "SendMessage", "error": "ThrottlingException"})
    assert pending["pending"] == 1
    assert emulator.control("DELETE", "/faults") == {"pending": 0}
    send_text(once, chat.connection_token, "fine")


def test_faults_apply_after_validation(emulator: Any, once: Any) -> None:
    """An invalid request is refused before an injected fault is consumed."""
    emulator.control("POST", "/faults", {"operation": "GetTranscript", "error": "ThrottlingException"})
    with pytest.raises(once.exceptions.ValidationException):
        once.get_transcript(ConnectionToken="ct-anything", MaxResults=101)  # botocore checks no maximum
    with pytest.raises(once.exceptions.ThrottlingException):
        once.get_transcript(ConnectionToken="ct-anything")


async def test_dropping_every_socket(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    chats = [open_chat(connect_client, participant_client) for _ in range(3)]
    sockets = [await ChatSocket.open(chat.websocket_url) for chat in chats]

    dropped = emulator.control("POST", "/sockets/drop", {})

    assert dropped["dropped"] == 3
    for socket in sockets:
        await socket.wait_closed()
        assert not socket.clean_close
    assert emulator.control("GET", "/health")["sockets"] == 0
