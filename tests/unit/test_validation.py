from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connect_chat.config import reset_global_config, set_global_config
from connect_chat.constants import ReceiptKind, ScanDirection, SessionType, SortOrder
from connect_chat.errors import InvalidArgumentError
from connect_chat.protocol import content_types as ct
from connect_chat.validation import (
    normalize_chat_details,
    validate_attachment,
    validate_event,
    validate_message,
    validate_receipt,
    validate_session_type,
    validate_transcript_args,
)

TOKEN = "ptoken-0123456789"


@pytest.fixture
def per_type_limits() -> Iterator[None]:
    set_global_config(features={"message_length_limits": "per_type"})
    yield
    reset_global_config()


def test_documented_limit_is_16384_utf8_bytes_for_every_type() -> None:
    validate_message("a" * 16384, ct.TEXT_PLAIN)
    validate_message("a" * 2000, ct.TEXT_MARKDOWN)
    with pytest.raises(InvalidArgumentError, match="16385 bytes in UTF-8; the maximum is 16384"):
        validate_message("a" * 16385, ct.TEXT_PLAIN)
    with pytest.raises(InvalidArgumentError, match="16386 bytes"):
        validate_message("é" * 8193, ct.TEXT_PLAIN)  # 2 bytes each
    with pytest.raises(InvalidArgumentError, match="empty"):
        validate_message("", ct.TEXT_PLAIN)


@pytest.mark.parametrize(
    "details",
    [
        {"contactId": "c", "participantId": "p", "participantToken": TOKEN},
        {"ContactId": "c", "ParticipantId": "p", "ParticipantToken": TOKEN},
        {"contact_id": "c", "participant_id": "p", "participant_token": TOKEN},
        {"ContactId": "c", "ParticipantId": "p", "ParticipantToken": TOKEN, "ResponseMetadata": {}},
        {"data": {"startChatResult": {"ContactId": "c", "ParticipantId": "p", "ParticipantToken": TOKEN}}},
        {"startChatResult": {"ContactId": "c", "ParticipantId": "p", "ParticipantToken": TOKEN}},
    ],
)
def test_chat_details_spellings(details: dict[str, Any]) -> None:
    got = normalize_chat_details(details)
    assert (got.contact_id, got.participant_id, got.initial_contact_id) == ("c", "p", "c")
    assert got.participant_token == TOKEN
    assert TOKEN not in repr(got)
    assert got.ids() == {"contact_id": "c", "participant_id": "p", "initial_contact_id": "c"}


def test_stateless_details_with_connection_token() -> None:
    got = normalize_chat_details(
        {"contactId": "c", "participantId": "p", "connectionToken": "ctok", "initialContactId": "i"}
    )
    assert got.connection_token == "ctok"
    assert got.participant_token is None
    assert got.initial_contact_id == "i"


@pytest.mark.parametrize(
    ("details", "argument", "problem"),
    [
        ("nope", "chat_details", "must be a mapping"),
        ({"participantId": "p", "participantToken": TOKEN}, "chat_details.contact_id", "is required"),
        ({"contactId": "c", "participantToken": TOKEN}, "chat_details.participant_id", "is required"),
        ({"contactId": "c", "participantId": "p"}, "chat_details.participant_token", "is required"),
        (
            {"contactId": "", "participantId": "p", "participantToken": TOKEN},
            "chat_details.contact_id",
            "empty",
        ),
        (
            {"contactId": 5, "participantId": "p", "participantToken": TOKEN},
            "chat_details.contact_id",
            "string",
        ),
        (
            {"contactId": "c", "participantId": "p", "participantToken": TOKEN, "x": 1},
            "chat_details.x",
            "unknown",
        ),
        (
            {"contactId": "c", "ContactId": "d", "participantId": "p", "participantToken": TOKEN},
            "chat_details.ContactId",
            "twice",
        ),
        (
            {"contactId": "c", "participantId": "p", "getConnectionToken": "x"},
            "chat_details.get_connection_token",
            "callable",
        ),
    ],
)
def test_bad_chat_details(details: Any, argument: str, problem: str) -> None:
    with pytest.raises(InvalidArgumentError, match=problem) as info:
        normalize_chat_details(details)
    assert info.value.argument == argument


def test_session_type() -> None:
    assert validate_session_type("customer") is SessionType.CUSTOMER
    assert validate_session_type(SessionType.AGENT) is SessionType.AGENT
    with pytest.raises(InvalidArgumentError, match=r"type: got 'BOT' \(allowed: CUSTOMER, AGENT\)"):
        validate_session_type("BOT")


@pytest.mark.parametrize(
    ("content_type", "ok_len", "bad_len"),
    [
        (ct.TEXT_PLAIN, 1024, 1025),
        (ct.TEXT_MARKDOWN, 1024, 1025),
    ],
)
@pytest.mark.usefixtures("per_type_limits")
def test_text_length_limits(content_type: str, ok_len: int, bad_len: int) -> None:
    assert validate_message("a" * ok_len, content_type) == ("a" * ok_len, content_type)
    with pytest.raises(InvalidArgumentError, match=f"1025 characters long; {content_type} allows 1 to 1024"):
        validate_message("a" * bad_len, content_type)
    with pytest.raises(InvalidArgumentError, match="empty"):
        validate_message("", content_type)


@pytest.mark.usefixtures("per_type_limits")
def test_json_limits_and_serialisation() -> None:
    body = '"' + "a" * 11998 + '"'
    assert len(body) == 12000
    validate_message(body, ct.APPLICATION_JSON)
    with pytest.raises(InvalidArgumentError, match="allows 1 to 12000"):
        validate_message('"' + "a" * 11999 + '"', ct.APPLICATION_JSON)
    assert validate_message({"a": 1}, ct.APPLICATION_JSON) == ('{"a":1}', ct.APPLICATION_JSON)
    with pytest.raises(InvalidArgumentError, match="not valid JSON"):
        validate_message("{oops", ct.APPLICATION_JSON)
    big = '"' + "a" * 12286 + '"'
    validate_message(big, ct.INTERACTIVE_MESSAGE_RESPONSE)
    with pytest.raises(InvalidArgumentError, match="allows 1 to 12288"):
        validate_message(big + " ", ct.INTERACTIVE_MESSAGE_RESPONSE)


def test_message_content_type_lists_allowed() -> None:
    with pytest.raises(InvalidArgumentError) as info:
        validate_message("hi", "text/html")
    assert info.value.argument == "content_type"
    assert ct.TEXT_PLAIN in info.value.allowed
    assert "text/html" in str(info.value)


def test_events() -> None:
    assert validate_event(ct.TYPING) == (ct.TYPING, None)
    assert validate_event(ct.MESSAGE_READ, {"messageId": "m"}) == (ct.MESSAGE_READ, '{"messageId":"m"}')
    with pytest.raises(InvalidArgumentError, match="needs JSON content"):
        validate_event(ct.MESSAGE_DELIVERED)
    with pytest.raises(InvalidArgumentError, match="needs JSON content"):
        validate_event(ct.MESSAGE_READ, "{}")
    with pytest.raises(InvalidArgumentError) as info:
        validate_event(ct.CHAT_ENDED)
    assert ct.TYPING in info.value.allowed


def test_receipt() -> None:
    assert validate_receipt("READ", "m") == (ReceiptKind.READ, "m")
    with pytest.raises(InvalidArgumentError, match="allowed: read, delivered"):
        validate_receipt("seen", "m")


def test_attachments() -> None:
    assert validate_attachment("a.pdf", 10, "application/pdf") == ("a.pdf", 10, "application/pdf")
    validate_attachment("a.pdf", 20 * 1024 * 1024, "application/pdf")
    with pytest.raises(InvalidArgumentError, match="maximum is 20971520"):
        validate_attachment("a.pdf", 20 * 1024 * 1024 + 1, "application/pdf")
    with pytest.raises(InvalidArgumentError, match="empty"):
        validate_attachment("a.pdf", 0, "application/pdf")
    with pytest.raises(InvalidArgumentError) as info:
        validate_attachment("a.exe", 10, "application/x-msdownload")
    assert info.value.argument == "attachment.content_type"
    assert "image/png" in info.value.allowed
    with pytest.raises(InvalidArgumentError, match="maximum is 256"):
        validate_attachment("a" * 257, 10, "image/png")


def test_transcript_defaults_and_request() -> None:
    args = validate_transcript_args()
    assert args.to_request() == {"MaxResults": 15, "SortOrder": "ASCENDING", "ScanDirection": "BACKWARD"}
    args = validate_transcript_args(
        max_results=100,
        sort_order="descending",
        scan_direction=ScanDirection.FORWARD,
        start_position={"absoluteTime": "2024-01-01T00:00:00.000Z"},
        next_token="n",
        contact_id="c",
    )
    assert args.sort_order is SortOrder.DESCENDING
    assert args.to_request()["StartPosition"] == {"AbsoluteTime": "2024-01-01T00:00:00.000Z"}
    assert validate_transcript_args(start_position={"Id": "x"}).to_request()["StartPosition"] == {"Id": "x"}
    mr = validate_transcript_args(start_position={"most_recent": 0}).to_request()
    assert mr["StartPosition"] == {"MostRecent": 0}


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"max_results": 101}, "max_results"),
        ({"max_results": -1}, "max_results"),
        ({"max_results": True}, "max_results"),
        ({"sort_order": "UP"}, "sort_order"),
        ({"scan_direction": "SIDEWAYS"}, "scan_direction"),
        ({"start_position": {"id": "a", "most_recent": 1}}, "start_position"),
        ({"start_position": {"when": "a"}}, "start_position.when"),
        ({"start_position": {"absolute_time": "yesterday"}}, "start_position.absolute_time"),
        ({"start_position": {"most_recent": 101}}, "start_position.most_recent"),
        ({"next_token": 5}, "next_token"),
    ],
)
def test_bad_transcript_args(kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        validate_transcript_args(**kwargs)
    assert info.value.argument == argument


def test_a_start_chat_contact_answer_with_streaming_members_is_accepted_as_it_is() -> None:
    answer = {
        "ContactId": "c-1",
        "ParticipantId": "p-1",
        "ParticipantToken": "t" * 40,
        "StreamingId": "s-1",
        "ContinuedFromContactId": "c-0",
        "ResponseMetadata": {"HTTPStatusCode": 200},
    }
    details = normalize_chat_details(answer)
    assert (details.contact_id, details.participant_id) == ("c-1", "p-1")


def test_connection_acknowledged_is_no_longer_sendable() -> None:
    """The Participant Service reference: unsupported since 31 December 2024 (ConnectParticipant replaces it)."""
    with pytest.raises(InvalidArgumentError):
        validate_event(ct.CONNECTION_ACKNOWLEDGED)
