"""Every error path of the Participant Service arrives as the modeled boto3 exception."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.config
import pytest

from tests.support.chat import (
    NO_CLIENT_VALIDATION,
    NO_RETRIES,
    READ,
    WireLog,
    check_exchange,
    open_chat,
    send_text,
    start_chat,
    wire_log,
)


@pytest.fixture(autouse=True)
def wire(connect_client: Any, participant_client: Any, loose: Any) -> Iterator[WireLog]:
    with wire_log(connect_client, participant_client, loose) as log:
        yield log
    log.assert_valid()


@pytest.fixture
def loose(emulator: Any) -> Any:
    """A connectparticipant client that sends whatever it is given, once."""
    return boto3.client(
        "connectparticipant", region_name="us-west-2", endpoint_url=emulator.url, config=NO_CLIENT_VALIDATION
    )


@pytest.fixture
def once(emulator: Any) -> Any:
    """A connectparticipant client that does not retry, so injected faults surface."""
    return boto3.client("connectparticipant", region_name="us-west-2", endpoint_url=emulator.url, config=NO_RETRIES)


def _error(caught: pytest.ExceptionInfo[Any]) -> tuple[int, str, str]:
    response = caught.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"].split(":")[0],
        response["Error"]["Message"],
    )


# ------------------------------------------------------------------------------------ ValidationException


def test_missing_required_member(connect_client: Any, participant_client: Any, loose: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(loose.exceptions.ValidationException) as caught:
        loose.send_message(ConnectionToken=chat.connection_token, ContentType="text/plain")
    status, code, message = _error(caught)
    assert (status, code) == (400, "ValidationException")
    assert "'content'" in message
    assert "Member must not be null" in message


def test_too_long_member(connect_client: Any, participant_client: Any, loose: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(loose.exceptions.ValidationException) as caught:
        loose.send_message(ConnectionToken=chat.connection_token, ContentType="text/plain", Content="x" * 16385)
    assert "length less than or equal to 16384" in _error(caught)[2]


def test_empty_content_is_too_short(connect_client: Any, participant_client: Any, loose: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(loose.exceptions.ValidationException) as caught:
        loose.send_message(ConnectionToken=chat.connection_token, ContentType="text/plain", Content="")
    assert "length greater than or equal to 1" in _error(caught)[2]


def test_value_outside_its_enum(connect_client: Any, participant_client: Any, loose: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(loose.exceptions.ValidationException) as caught:
        loose.get_transcript(ConnectionToken=chat.connection_token, ScanDirection="SIDEWAYS")
    message = _error(caught)[2]
    assert "scanDirection" in message
    assert "enum value set" in message


def test_value_of_the_wrong_type(connect_client: Any, participant_client: Any, loose: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(loose.exceptions.ValidationException) as caught:
        loose.get_transcript(ConnectionToken=chat.connection_token, MaxResults="ten")
    assert "maxResults" in _error(caught)[2]
    with pytest.raises(loose.exceptions.ValidationException):
        loose.get_transcript(ConnectionToken=chat.connection_token, MaxResults=101)


def test_several_violations_are_reported_together(connect_client: Any, participant_client: Any, loose: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(loose.exceptions.ValidationException) as caught:
        loose.get_transcript(ConnectionToken=chat.connection_token, ScanDirection="UP", SortOrder="RANDOM")
    assert _error(caught)[2].startswith("2 validation errors detected")


def test_message_type_not_allowed(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(participant_client.exceptions.ValidationException):
        participant_client.send_message(
            ConnectionToken=chat.connection_token, ContentType="application/pdf", Content="%PDF"
        )


def test_event_type_not_sendable(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(participant_client.exceptions.ValidationException):
        participant_client.send_event(
            ConnectionToken=chat.connection_token,
            ContentType="application/vnd.amazonaws.connect.event.chat.ended",
        )


def test_receipt_needs_a_message_id_of_this_chat(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(participant_client.exceptions.ValidationException):
        participant_client.send_event(ConnectionToken=chat.connection_token, ContentType=READ, Content="{}")
    with pytest.raises(participant_client.exceptions.ValidationException):
        participant_client.send_event(
            ConnectionToken=chat.connection_token, ContentType=READ, Content=json.dumps({"messageId": "nope"})
        )


def test_invalid_next_token(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(participant_client.exceptions.ValidationException):
        participant_client.get_transcript(ConnectionToken=chat.connection_token, NextToken="not-a-token!!")


# ---------------------------------------------------------------------------------- AccessDeniedException


def test_missing_token(loose: Any) -> None:
    with pytest.raises(loose.exceptions.AccessDeniedException) as caught:
        loose.send_message(ContentType="text/plain", Content="hi")
    assert _error(caught)[:2] == (403, "AccessDeniedException")
    with pytest.raises(loose.exceptions.AccessDeniedException):
        loose.create_participant_connection(Type=["WEBSOCKET"])


def test_wrong_tokens(participant_client: Any) -> None:
    with pytest.raises(participant_client.exceptions.AccessDeniedException):
        participant_client.send_message(ConnectionToken="ct-wrong", ContentType="text/plain", Content="hi")
    with pytest.raises(participant_client.exceptions.AccessDeniedException):
        participant_client.create_participant_connection(ParticipantToken="pt-wrong", Type=["WEBSOCKET"])


def test_participant_token_is_not_a_connection_token(connect_client: Any, participant_client: Any) -> None:
    chat = start_chat(connect_client)
    with pytest.raises(participant_client.exceptions.AccessDeniedException):
        participant_client.get_transcript(ConnectionToken=chat.participant_token)


def test_expired_connection_token(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    other = open_chat(connect_client, participant_client)
    expired = emulator.control(
        "POST", "/tokens/expire", {"participantId": chat.participant_id, "kinds": ["connection"]}
    )
    assert expired["expired"] == 1

    with pytest.raises(participant_client.exceptions.AccessDeniedException) as caught:
        send_text(participant_client, chat.connection_token, "hi")
    assert "expired" in _error(caught)[2]
    send_text(participant_client, other.connection_token, "unaffected")
    # The participant token still works: a new connection token is the way back.
    renewed = participant_client.create_participant_connection(
        ParticipantToken=chat.participant_token, Type=["CONNECTION_CREDENTIALS"]
    )
    send_text(participant_client, renewed["ConnectionCredentials"]["ConnectionToken"], "back")


def test_connection_token_ttl_from_config(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    emulator.control("POST", "/config", {"connectionTokenTtl": 0.3})
    chat = open_chat(connect_client, participant_client)
    send_text(participant_client, chat.connection_token, "in time")
    time.sleep(0.4)
    with pytest.raises(participant_client.exceptions.AccessDeniedException):
        send_text(participant_client, chat.connection_token, "too late")


def test_disconnected_participant(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    participant_client.disconnect_participant(ConnectionToken=chat.connection_token)
    with pytest.raises(participant_client.exceptions.AccessDeniedException):
        send_text(participant_client, chat.connection_token, "still there?")
    with pytest.raises(participant_client.exceptions.AccessDeniedException):
        participant_client.disconnect_participant(ConnectionToken=chat.connection_token)
    with pytest.raises(participant_client.exceptions.AccessDeniedException):
        participant_client.create_participant_connection(ParticipantToken=chat.participant_token, Type=["WEBSOCKET"])


def test_chat_ended_by_the_agent(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    emulator.control("POST", f"/contacts/{chat.contact_id}/end", {})
    with pytest.raises(participant_client.exceptions.AccessDeniedException) as caught:
        send_text(participant_client, chat.connection_token, "hello?")
    assert "ended" in _error(caught)[2]
    with pytest.raises(participant_client.exceptions.AccessDeniedException):
        participant_client.create_participant_connection(
            ParticipantToken=chat.participant_token, Type=["CONNECTION_CREDENTIALS"]
        )
    # Reading what was said stays possible after the chat ended.
    participant_client.get_transcript(ConnectionToken=chat.connection_token)


# ------------------------------------------------------------------------- ResourceNotFound and Conflict


def test_describe_view_of_unknown_token(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(participant_client.exceptions.ResourceNotFoundException) as caught:
        participant_client.describe_view(ConnectionToken=chat.connection_token, ViewToken="no-such-view")
    assert _error(caught)[:2] == (404, "ResourceNotFoundException")


def test_receipt_for_own_message_conflicts(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    mine = send_text(participant_client, chat.connection_token, "mine")
    with pytest.raises(participant_client.exceptions.ConflictException) as caught:
        participant_client.send_event(
            ConnectionToken=chat.connection_token, ContentType=READ, Content=json.dumps({"messageId": mine["Id"]})
        )
    assert _error(caught)[:2] == (409, "ConflictException")


def test_complete_attachment_upload_before_upload_conflicts(connect_client: Any, participant_client: Any) -> None:
    chat = open_chat(connect_client, participant_client)
    started = participant_client.start_attachment_upload(
        ConnectionToken=chat.connection_token,
        ContentType="text/plain",
        AttachmentSizeInBytes=3,
        AttachmentName="a.txt",
        ClientToken=str(uuid.uuid4()),
    )
    with pytest.raises(participant_client.exceptions.ConflictException):
        participant_client.complete_attachment_upload(
            ConnectionToken=chat.connection_token,
            AttachmentIds=[started["AttachmentId"]],
            ClientToken=str(uuid.uuid4()),
        )


# --------------------------------------------------------------------------- injected and quota errors


@pytest.mark.parametrize(
    ("operation", "error", "status"),
    [
        ("SendMessage", "ThrottlingException", 429),
        ("SendMessage", "InternalServerException", 500),
        ("GetTranscript", "AccessDeniedException", 403),
        ("StartAttachmentUpload", "ServiceQuotaExceededException", 402),
        ("CompleteAttachmentUpload", "ServiceQuotaExceededException", 402),
    ],
)
def test_injected_errors_arrive_as_modeled_exceptions(
    connect_client: Any, participant_client: Any, once: Any, emulator: Any, operation: str, error: str, status: int
) -> None:
    chat = open_chat(connect_client, participant_client)
    emulator.control("POST", "/faults", {"operation": operation, "error": error, "message": "boom"})
    calls: dict[str, Callable[[], Any]] = {
        "SendMessage": lambda: send_text(once, chat.connection_token, "hi"),
        "GetTranscript": lambda: once.get_transcript(ConnectionToken=chat.connection_token),
        "StartAttachmentUpload": lambda: once.start_attachment_upload(
            ConnectionToken=chat.connection_token,
            ContentType="text/plain",
            AttachmentSizeInBytes=1,
            AttachmentName="a.txt",
            ClientToken=str(uuid.uuid4()),
        ),
        "CompleteAttachmentUpload": lambda: once.complete_attachment_upload(
            ConnectionToken=chat.connection_token, AttachmentIds=["a"], ClientToken=str(uuid.uuid4())
        ),
    }
    with pytest.raises(getattr(once.exceptions, error)) as caught:
        calls[operation]()
    assert _error(caught) == (status, error, "boom")


def test_attachment_quota(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    emulator.control("POST", "/config", {"attachmentQuota": 1})
    chat = open_chat(connect_client, participant_client)

    def start() -> Any:
        return participant_client.start_attachment_upload(
            ConnectionToken=chat.connection_token,
            ContentType="text/plain",
            AttachmentSizeInBytes=1,
            AttachmentName="a.txt",
            ClientToken=str(uuid.uuid4()),
        )

    start()
    with pytest.raises(participant_client.exceptions.ServiceQuotaExceededException) as caught:
        start()
    assert _error(caught)[:2] == (402, "ServiceQuotaExceededException")


def test_standard_retry_mode_retries_a_throttled_call(
    connect_client: Any, participant_client: Any, emulator: Any
) -> None:
    retrying = boto3.client(
        "connectparticipant",
        region_name="us-west-2",
        endpoint_url=emulator.url,
        config=botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 3}),
    )
    chat = open_chat(connect_client, participant_client)
    emulator.control("POST", "/faults", {"operation": "SendMessage", "error": "ThrottlingException", "count": 1})

    sent = retrying.send_message(ConnectionToken=chat.connection_token, ContentType="text/plain", Content="hi")

    assert sent["ResponseMetadata"]["RetryAttempts"] == 1
    assert sent["Id"]


def test_retries_give_up_after_max_attempts(connect_client: Any, participant_client: Any, emulator: Any) -> None:
    retrying = boto3.client(
        "connectparticipant",
        region_name="us-west-2",
        endpoint_url=emulator.url,
        config=botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 2}),
    )
    chat = open_chat(connect_client, participant_client)
    emulator.control("POST", "/faults", {"operation": "SendMessage", "error": "ThrottlingException", "count": 5})
    with pytest.raises(retrying.exceptions.ThrottlingException) as caught:
        retrying.send_message(ConnectionToken=chat.connection_token, ContentType="text/plain", Content="hi")
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 1


def test_error_bodies_are_modeled(connect_client: Any, participant_client: Any, wire: WireLog) -> None:
    chat = open_chat(connect_client, participant_client)
    with pytest.raises(participant_client.exceptions.AccessDeniedException):
        participant_client.get_transcript(ConnectionToken="nope")
    last = wire.exchanges[-1]
    assert last.headers["x-amzn-errortype"].startswith("AccessDeniedException")
    assert last.headers["x-amzn-requestid"]
    assert json.loads(last.body)["message"]
    assert check_exchange(participant_client.meta.service_model.operation_model("GetTranscript"), last) == []
    assert chat.contact_id
