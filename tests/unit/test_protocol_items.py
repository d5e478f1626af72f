from __future__ import annotations

import gc
import json
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connect_chat.protocol import content_types as ct
from connect_chat.protocol.items import (
    Item,
    ItemDecodeError,
    ItemType,
    MessageMetadata,
    Receipt,
    format_timestamp,
    normalized_time,
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


def test_a_copy_with_changes_keeps_the_rest() -> None:
    item = Item.from_dict(TRANSCRIPT_ITEM | {"Custom": 1})
    changed = msgspec.structs.replace(item, content="edited")
    assert changed.content == "edited"
    assert (changed.id, changed.message_metadata, changed.extra) == (item.id, item.message_metadata, {"Custom": 1})
    assert changed != item


def test_items_from_frames_stay_out_of_the_cycle_collector() -> None:
    """A long chat's items do not make every full collection walk them; their unknown fields stay JSON values."""
    item = Item.from_dict(TRANSCRIPT_ITEM | {"Custom": {"nested": [1]}, "Attachments": [{"AttachmentId": "a"}]})
    assert not gc.is_tracked(item)
    assert item.message_metadata is not None
    assert not gc.is_tracked(item.message_metadata)
    assert not any(gc.is_tracked(receipt) for receipt in item.message_metadata.receipts)
    assert not gc.is_tracked(item.attachments[0])


# --------------------------------------------------------------------------- the fast paths keep the behaviour
def _slow_sort_time(value: str | None) -> str:
    """What Item.sort_key() computed before it had a fast path: parse, then format (raw text if unparseable)."""
    if not value:
        return ""
    try:
        return format_timestamp(parse_timestamp(value))
    except (ValueError, OverflowError):
        return value


canonical_times = st.builds(
    lambda y, mo, d, h, mi, s, ms: f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}.{ms:03d}Z",
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 61),
    st.integers(0, 61),
    st.integers(0, 999),
)
other_times = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.text(max_size=30),
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(canonical_times, other_times, st.none()))
def test_sort_key_is_the_normalised_time_then_the_id(value: str | None) -> None:
    assert normalized_time(value) == _slow_sort_time(value)
    item = Item(id="i", type="MESSAGE", absolute_time=value)
    assert item.sort_key() == (_slow_sort_time(value), "i")


FIELDS = [
    "Id",
    "Type",
    "ContentType",
    "Content",
    "ParticipantId",
    "DisplayName",
    "ParticipantRole",
    "AbsoluteTime",
    "ContactId",
    "InitialContactId",
    "RelatedContactId",
]
json_values = st.one_of(
    st.none(), st.text(max_size=5), st.integers(), st.booleans(), st.lists(st.integers(), max_size=2)
)
receipt_dicts = st.fixed_dictionaries(
    {}, optional={"ReadTimestamp": st.text(max_size=4), "RecipientParticipantId": st.text(max_size=4)}
)
metadata_dicts = st.fixed_dictionaries(
    {},
    optional={
        "MessageId": st.text(max_size=4),
        "Receipts": st.lists(receipt_dicts, max_size=2),
        "MessageCompleted": st.booleans(),
        "ChunkNumber": st.integers(0, 3),
    },
)
well_formed = st.fixed_dictionaries(
    {"Id": st.text(min_size=1, max_size=6), "Type": st.sampled_from(["MESSAGE", "EVENT", "MESSAGEMETADATA"])},
    optional={
        **{key: st.one_of(st.none(), st.text(max_size=6)) for key in FIELDS[2:]},
        "MessageMetadata": st.one_of(st.none(), metadata_dicts),
        "Attachments": st.one_of(
            st.none(),
            st.lists(st.fixed_dictionaries({"AttachmentId": st.text(min_size=1, max_size=3)}), max_size=2),
        ),
        "Extra": json_values,
        "Other": st.text(max_size=3),
    },
)


@st.composite
def item_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """Well-formed items, and the same with one to three fields broken (missing, empty or of the wrong type)."""
    data: dict[str, Any] = dict(draw(well_formed))
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from([*FIELDS, "MessageMetadata", "Attachments"]))
        if draw(st.booleans()):
            data.pop(key, None)
        else:
            data[key] = draw(st.one_of(json_values, st.just(""), st.just({"Receipts": 5}), st.just([{}])))
    return data


def _outcome(build: Any, data: dict[str, Any]) -> Any:
    try:
        item = build(data)
    except ItemDecodeError as exc:
        return ("error", str(exc))
    return ("item", item, dict(item.extra), list(item.extra), item.to_dict())


@settings(max_examples=800, deadline=None)
@given(item_dicts())
def test_from_dict_gives_what_the_field_by_field_checks_give(data: dict[str, Any]) -> None:
    """The usual shape is built by msgspec: same item, same extras (in order), same errors otherwise."""
    assert _outcome(Item.from_dict, data) == _outcome(Item._from_unusual_dict, data)


def test_from_dict_usual_shape_equals_the_constructor() -> None:
    item = Item.from_dict(TRANSCRIPT_ITEM | {"Custom": 1})
    assert item == Item(
        id="msg-1",
        type="MESSAGE",
        content_type="text/plain",
        content="hello",
        participant_id="p-cust",
        display_name="Jane",
        participant_role="CUSTOMER",
        absolute_time="2024-05-01T10:00:00.123Z",
        contact_id="c-1",
        initial_contact_id="c-0",
        message_metadata=MessageMetadata.from_dict(TRANSCRIPT_ITEM["MessageMetadata"]),  # type: ignore[arg-type]
    )
    assert item.extra == {"Custom": 1}
    assert hash(item) == hash(Item.from_dict(TRANSCRIPT_ITEM))


RECEIPT_FIELDS = ("RecipientParticipantId", "DeliveredTimestamp", "ReadTimestamp")


def _receipt_by_hand(data: dict[str, Any]) -> Any:
    """What a receipt dict should give: the first field that is neither a string nor null is the error."""
    for key in RECEIPT_FIELDS:
        if data.get(key) is not None and not isinstance(data[key], str):
            return ("error", f"{key} must be a string, got {type(data[key]).__name__}")
    return ("receipt", Receipt(*(data.get(key) for key in RECEIPT_FIELDS)))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*RECEIPT_FIELDS, "Other"]), json_values, max_size=4))
def test_receipt_from_dict_gives_what_the_constructor_gives(data: dict[str, Any]) -> None:
    try:
        outcome: Any = ("receipt", Receipt.from_dict(data))
    except ItemDecodeError as exc:
        outcome = ("error", str(exc))
    assert outcome == _receipt_by_hand(data)


@settings(max_examples=300, deadline=None)
@given(metadata_dicts, st.dictionaries(st.sampled_from(["Custom", "MessageProcessingStatus"]), st.text(max_size=3)))
def test_metadata_from_dict_gives_what_the_constructor_gives(base: dict[str, Any], more: dict[str, Any]) -> None:
    data = base | more
    metadata = MessageMetadata.from_dict(data)
    assert metadata == MessageMetadata(
        data.get("MessageId"),
        tuple(Receipt.from_dict(r) for r in data.get("Receipts", [])),
        data.get("MessageProcessingStatus"),
    )
    assert dict(metadata.extra) == {
        k: v for k, v in data.items() if k not in ("MessageId", "Receipts", "MessageProcessingStatus")
    }
    assert metadata.to_dict() == {k: v for k, v in data.items() if v != []}  # no receipts: no Receipts
