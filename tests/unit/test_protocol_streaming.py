from __future__ import annotations

import json
from typing import Any

import pytest

from connect_chat.protocol import content_types as ct
from connect_chat.protocol.streaming import (
    Audience,
    MessageVisibility,
    StreamingDecodeError,
    items_from_sns_event,
    parse_sns_record,
    parse_streaming_message,
)


def _record(body: dict[str, Any], visibility: str | None = "ALL", message_id: str = "sns-1") -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "ContactId": {"Type": "String", "Value": "c-1"},
        "InitialContactId": {"Type": "String", "Value": "c-0"},
        "InstanceId": {"Type": "String", "Value": "inst"},
        "ParticipantRole": {"Type": "String", "Value": body.get("ParticipantRole", "AGENT")},
        "Type": {"Type": "String", "Value": body["Type"]},
    }
    if visibility is not None:
        attrs["MessageVisibility"] = {"Type": "String", "Value": visibility}
    return {
        "EventSource": "aws:sns",
        "Sns": {"MessageId": message_id, "Message": json.dumps(body), "MessageAttributes": attrs},
    }


AGENT_MSG = {
    "Id": "m-1",
    "Type": "MESSAGE",
    "ContentType": "text/plain",
    "Content": "hi",
    "ParticipantId": "p-agent",
    "ParticipantRole": "AGENT",
    "AbsoluteTime": "2024-01-01T00:00:00.000Z",
}
CUSTOMER_MSG = {**AGENT_MSG, "Id": "m-2", "ParticipantId": "p-cust", "ParticipantRole": "CUSTOMER"}


def test_record_to_item_takes_contact_ids_from_attributes() -> None:
    n = parse_sns_record(_record(AGENT_MSG))
    assert n.item.id == "m-1"
    assert n.item.contact_id == "c-1"
    assert n.item.initial_contact_id == "c-0"
    assert n.instance_id == "inst"
    assert n.message_id == "sns-1"
    assert n.visibility is MessageVisibility.ALL


def test_body_fields_win_over_attributes() -> None:
    n = parse_streaming_message({**AGENT_MSG, "ContactId": "body-contact"}, {"ContactId": "attr-contact"})
    assert n.item.contact_id == "body-contact"


def test_raw_body_with_sns_api_attribute_shape() -> None:
    n = parse_streaming_message(
        json.dumps(AGENT_MSG), {"MessageVisibility": {"DataType": "String", "StringValue": "AGENT"}}
    )
    assert n.visibility is MessageVisibility.AGENT
    assert not n.is_visible_to(Audience.CUSTOMER)
    assert n.is_visible_to("agent", self_participant_id="p-other")


@pytest.mark.parametrize(
    ("visibility", "customer", "agent"),
    [("ALL", True, True), ("CUSTOMER", True, False), ("AGENT", False, True), (None, True, True)],
)
def test_visibility_filter(visibility: str | None, customer: bool, agent: bool) -> None:
    body = {**AGENT_MSG, "ParticipantRole": "SYSTEM", "ParticipantId": "sys"}
    n = parse_sns_record(_record(body, visibility))
    assert n.is_visible_to(Audience.CUSTOMER) is customer
    assert n.is_visible_to(Audience.AGENT) is agent


def test_own_messages_and_typing_are_not_echoed_but_chat_events_are() -> None:
    own = parse_sns_record(_record(CUSTOMER_MSG))
    assert not own.is_visible_to(Audience.CUSTOMER)
    assert not own.is_visible_to(Audience.CUSTOMER, self_participant_id="p-cust")
    assert own.is_visible_to(Audience.CUSTOMER, self_participant_id="someone-else")
    typing = parse_sns_record(_record({**CUSTOMER_MSG, "Id": "t", "Type": "EVENT", "ContentType": ct.TYPING}))
    assert not typing.is_visible_to(Audience.CUSTOMER, self_participant_id="p-cust")
    joined = parse_sns_record(
        _record({**CUSTOMER_MSG, "Id": "j", "Type": "EVENT", "ContentType": ct.PARTICIPANT_JOINED})
    )
    assert joined.is_visible_to(Audience.CUSTOMER, self_participant_id="p-cust")


def test_event_parsing_dedupes_and_filters() -> None:
    event = {
        "Records": [
            _record(AGENT_MSG, message_id="a"),
            _record(AGENT_MSG, message_id="b"),  # SNS redelivery
            _record(CUSTOMER_MSG),
            _record({**AGENT_MSG, "Id": "m-3"}, "AGENT"),
        ]
    }
    everything = items_from_sns_event(event)
    assert [n.item.id for n in everything] == ["m-1", "m-2", "m-3"]
    for_customer = items_from_sns_event(event, audience=Audience.CUSTOMER, self_participant_id="p-cust")
    assert [n.item.id for n in for_customer] == ["m-1"]


@pytest.mark.parametrize(
    "record",
    [
        {"Sns": {"Message": "not json"}},
        {"Sns": {"Message": "[1]"}},
        {"Sns": {"Message": '{"Content": "x"}'}},
        {"nothing": True},
    ],
)
def test_bad_records(record: dict[str, Any]) -> None:
    with pytest.raises(StreamingDecodeError):
        parse_sns_record(record)
