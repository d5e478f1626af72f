from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from connect_chat.protocol import content_types as ct
from connect_chat.protocol.items import (
    Item,
    ItemDecodeError,
    ItemType,
    format_timestamp,
    parse_timestamp,
)

TRANSCRIPT_ITEM = {
    "AbsoluteTime": "2024-05-01T10:00:00.123Z",
    "Content": "hello",
    "ContentType": "text/plain",
    "Id": "msg-1",
    "Type": "MESSAGE",
    "ParticipantId": "p-cust",
    "DisplayName": "Jane",
    "ParticipantRole": "CUSTOMER",
    "ContactId": "c-1",
    "InitialContactId": "c-0",
    "MessageMetadata": {
        "MessageId": "msg-1",
        "Receipts": [
            {"DeliveredTimestamp": "2024-05-01T10:00:01.000Z", "RecipientParticipantId": "p-agent"},
            {"ReadTimestamp": "2024-05-01T10:00:02.000Z", "RecipientParticipantId": "p-agent"},
        ],
    },
}


def test_from_dict_round_trips_participant_service_fields() -> None:
    item = Item.from_dict(TRANSCRIPT_ITEM)
    assert item.id == "msg-1"
    assert item.type == ItemType.MESSAGE
    assert item.contact_id == "c-1"
    assert item.initial_contact_id == "c-0"
    assert item.message_metadata is not None
    assert item.message_metadata.receipts[0].recipient_participant_id == "p-agent"
    assert item.message_metadata.receipts[1].read_timestamp == "2024-05-01T10:00:02.000Z"
    assert item.to_dict() == TRANSCRIPT_ITEM


def test_unknown_fields_survive_round_trip() -> None:
    data = {"Id": "x", "Type": "EVENT", "ContentType": ct.TYPING, "NewField": {"a": 1}}
    assert Item.from_dict(data).to_dict() == data


def test_attachments_are_parsed() -> None:
    data = {
        "Id": "a-1",
        "Type": "ATTACHMENT",
        "Attachments": [
            {
                "AttachmentId": "att",
                "AttachmentName": "x.pdf",
                "ContentType": "application/pdf",
                "Status": "APPROVED",
            }
        ],
    }
    item = Item.from_dict(data)
    assert item.attachments[0].attachment_name == "x.pdf"
    assert item.attachments[0].status == "APPROVED"
    assert item.is_message
    assert item.to_dict() == data


def test_from_json_accepts_websocket_content_string() -> None:
    item = Item.from_json(json.dumps(TRANSCRIPT_ITEM))
    assert item == Item.from_dict(TRANSCRIPT_ITEM)


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"Type": "MESSAGE"}, "no Id"),
        ({"Id": "x"}, "no Type"),
        ({"Id": 5, "Type": "MESSAGE"}, "Id must be a string"),
        ({"Id": "x", "Type": "MESSAGE", "Attachments": {}}, "Attachments must be a list"),
        ({"Id": "x", "Type": "MESSAGE", "MessageMetadata": "no"}, "MessageMetadata must be an object"),
        ([1, 2], "JSON object"),
    ],
)
def test_bad_items_are_rejected_with_the_problem(payload: object, problem: str) -> None:
    with pytest.raises(ItemDecodeError, match=problem):
        Item.from_dict(payload)  # type: ignore[arg-type]


def test_from_json_rejects_garbage() -> None:
    with pytest.raises(ItemDecodeError, match="not valid JSON"):
        Item.from_json("{nope")


def test_messagemetadata_item_takes_its_id_from_message_id() -> None:
    item = Item.from_dict({"Type": "MESSAGEMETADATA", "MessageMetadata": {"MessageId": "m-9", "Receipts": []}})
    assert item.id == "m-9"


def test_receipt_message_id_from_content_and_from_metadata() -> None:
    read = Item.from_dict(
        {"Id": "e", "Type": "EVENT", "ContentType": ct.MESSAGE_READ, "Content": '{"messageId":"m-1"}'}
    )
    assert read.receipt_message_id == "m-1"
    assert read.is_event
    typing = Item.from_dict({"Id": "t", "Type": "EVENT", "ContentType": ct.TYPING, "Content": '{"messageId":"m"}'})
    assert typing.receipt_message_id is None


def test_partial_message_flags() -> None:
    chunk = Item.from_dict(
        {
            "Id": "b-1",
            "Type": "MESSAGE",
            "ParticipantRole": "SYSTEM",
            "Content": "Hel",
            "MessageMetadata": {"MessageId": "b-1", "MessageCompleted": False, "ChunkNumber": 1},
        }
    )
    assert chunk.is_partial
    assert chunk.message_metadata is not None
    assert chunk.message_metadata.chunk_number == 1
    assert chunk.to_dict()["MessageMetadata"]["MessageCompleted"] is False


def test_sort_key_normalises_time_zones() -> None:
    a = Item.from_dict({"Id": "b", "Type": "MESSAGE", "AbsoluteTime": "2024-05-01T12:00:00.000+02:00"})
    b = Item.from_dict({"Id": "a", "Type": "MESSAGE", "AbsoluteTime": "2024-05-01T10:00:00.001Z"})
    assert sorted([b, a], key=Item.sort_key) == [a, b]


def test_timestamps() -> None:
    stamp = parse_timestamp("2019-11-08T02:41:28.172Z")
    assert stamp == datetime(2019, 11, 8, 2, 41, 28, 172000, tzinfo=UTC)
    assert format_timestamp(stamp) == "2019-11-08T02:41:28.172Z"
    assert format_timestamp(datetime(2019, 11, 8, 2, 41, 28)) == "2019-11-08T02:41:28.000Z"


def test_items_are_hashable_and_frozen() -> None:
    item = Item.from_dict(TRANSCRIPT_ITEM)
    assert {item, Item.from_dict(TRANSCRIPT_ITEM)} == {item}
    with pytest.raises(AttributeError):
        item.id = "other"  # type: ignore[misc]
