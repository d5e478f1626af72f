from __future__ import annotations

import asyncio
from typing import Any

import pytest

from connect_chat.events import EventBus, EventName, events_for_item, item_events
from connect_chat.protocol import content_types as ct
from connect_chat.protocol.items import Item


def item(**fields: Any) -> Item:
    return Item.from_dict({"Id": "x", "Type": "EVENT", **fields})


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"Type": "MESSAGE", "ContentType": "text/plain"}, [EventName.MESSAGE]),
        ({"Type": "ATTACHMENT"}, [EventName.MESSAGE]),
        ({"ContentType": ct.TYPING}, [EventName.TYPING]),
        ({"ContentType": ct.MESSAGE_READ}, [EventName.READ_RECEIPT]),
        ({"ContentType": ct.MESSAGE_DELIVERED}, [EventName.DELIVERED_RECEIPT]),
        ({"ContentType": ct.PARTICIPANT_JOINED}, [EventName.MESSAGE]),
        ({"ContentType": ct.CHAT_ENDED}, [EventName.MESSAGE]),
        ({"ContentType": ct.PARTICIPANT_IDLE}, [EventName.MESSAGE, EventName.PARTICIPANT_IDLE]),
        ({"ContentType": ct.PARTICIPANT_RETURNED}, [EventName.MESSAGE, EventName.PARTICIPANT_RETURNED]),
        ({"ContentType": ct.PARTICIPANT_INVITED}, [EventName.MESSAGE, EventName.PARTICIPANT_INVITED]),
        ({"ContentType": ct.PARTICIPANT_AUTODISCONNECTION}, [EventName.MESSAGE, EventName.AUTO_DISCONNECTION]),
        (
            {"ContentType": ct.PARTICIPANT_DISPLAYNAME_UPDATED},
            [EventName.MESSAGE, EventName.PARTICIPANT_DISPLAY_NAME_UPDATED],
        ),
        ({"ContentType": ct.CHAT_REHYDRATED}, [EventName.MESSAGE, EventName.CHAT_REHYDRATED]),
        ({"ContentType": ct.AUTHENTICATION_INITIATED}, [EventName.MESSAGE, EventName.AUTHENTICATION_INITIATED]),
        ({"ContentType": ct.AUTHENTICATION_SUCCEEDED}, [EventName.MESSAGE, EventName.AUTHENTICATION_SUCCESSFUL]),
        ({"ContentType": ct.AUTHENTICATION_FAILED}, [EventName.MESSAGE, EventName.AUTHENTICATION_FAILED]),
        ({"ContentType": ct.AUTHENTICATION_TIMEOUT}, [EventName.MESSAGE, EventName.AUTHENTICATION_TIMEOUT]),
        ({"ContentType": ct.AUTHENTICATION_EXPIRED}, [EventName.MESSAGE, EventName.AUTHENTICATION_EXPIRED]),
        ({"ContentType": ct.AUTHENTICATION_CANCELLED}, [EventName.MESSAGE, EventName.AUTHENTICATION_CANCELED]),
        ({"Type": "CONNECTION_ACK", "ContentType": ct.CONNECTION_ACKNOWLEDGED}, []),
    ],
)
def test_item_to_events(fields: dict[str, Any], expected: list[EventName]) -> None:
    assert events_for_item(item(**fields)) == expected


def test_messagemetadata_receipts() -> None:
    read = item(
        Type="MESSAGEMETADATA",
        MessageMetadata={"MessageId": "m", "Receipts": [{"ReadTimestamp": "t", "RecipientParticipantId": "other"}]},
    )
    assert events_for_item(read, "me") == [EventName.READ_RECEIPT]
    delivered = item(
        Type="MESSAGEMETADATA",
        MessageMetadata={"MessageId": "m", "Receipts": [{"DeliveredTimestamp": "t", "RecipientParticipantId": "o"}]},
    )
    assert events_for_item(delivered, "me") == [EventName.DELIVERED_RECEIPT]
    mine = item(
        Type="MESSAGEMETADATA",
        MessageMetadata={"MessageId": "m", "Receipts": [{"ReadTimestamp": "t", "RecipientParticipantId": "me"}]},
    )
    assert events_for_item(mine, "me") == []


async def test_bus_sync_async_failing_handlers_and_unsubscribe() -> None:
    bus = EventBus()
    got: list[str] = []

    def bad(_: dict[str, Any]) -> None:
        raise RuntimeError("handler bug")

    async def slow(event: dict[str, Any]) -> None:
        await asyncio.sleep(0)
        got.append("async:" + event["data"])

    bus.subscribe(EventName.MESSAGE, bad)
    unsubscribe = bus.subscribe(EventName.MESSAGE, lambda e: got.append("sync:" + e["data"]))
    bus.subscribe(EventName.MESSAGE, slow)
    bus.emit(EventName.MESSAGE, {"data": "1"})
    await bus.drain()
    assert got == ["sync:1", "async:1"]
    unsubscribe()
    bus.emit(EventName.MESSAGE, {"data": "2"})
    await bus.drain()
    assert got == ["sync:1", "async:1", "async:2"]
    assert bus.count(EventName.MESSAGE) == 2
    bus.clear()
    assert bus.count(EventName.MESSAGE) == 0


def test_subscribe_rejects_non_callables() -> None:
    from connect_chat.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError, match="handler"):
        EventBus().subscribe(EventName.MESSAGE, "nope")  # type: ignore[arg-type]


def test_has_tells_whether_anyone_listens() -> None:
    bus = EventBus()
    assert not bus.has(EventName.MESSAGE)
    first = bus.subscribe(EventName.MESSAGE, lambda e: None)
    second = bus.subscribe(EventName.MESSAGE, lambda e: None)
    assert bus.has(EventName.MESSAGE)
    first()
    first()  # twice: harmless
    assert bus.has(EventName.MESSAGE)
    assert bus.count(EventName.MESSAGE) == 1
    second()
    assert not bus.has(EventName.MESSAGE)
    assert bus.count(EventName.MESSAGE) == 0


def test_handlers_may_unsubscribe_and_subscribe_while_an_event_is_emitted() -> None:
    bus = EventBus()
    got: list[str] = []
    unsubscribe_b: list[Any] = []

    def a(event: dict[str, Any]) -> None:
        got.append("a")
        unsubscribe_b[0]()
        bus.subscribe(EventName.MESSAGE, lambda e: got.append("c"))

    bus.subscribe(EventName.MESSAGE, a)
    unsubscribe_b.append(bus.subscribe(EventName.MESSAGE, lambda e: got.append("b")))
    bus.emit(EventName.MESSAGE, {})
    assert got == ["a", "b"]  # this emit runs the handlers that were there when it started
    got.clear()
    bus.emit(EventName.MESSAGE, {})
    assert got[:1] == ["a"]
    assert "b" not in got


@pytest.mark.parametrize("content_type", [None, "text/plain", *ct.EVENT_CONTENT_TYPES])
@pytest.mark.parametrize("item_type", ["MESSAGE", "EVENT", "ATTACHMENT", "CONNECTION_ACK", "MESSAGEMETADATA"])
def test_item_events_is_events_for_item(item_type: str, content_type: str | None) -> None:
    fields: dict[str, Any] = {"Type": item_type}
    if content_type is not None:
        fields["ContentType"] = content_type
    one = item(**fields)
    assert list(item_events(one, "me")) == events_for_item(one, "me")
