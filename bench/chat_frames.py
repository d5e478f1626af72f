"""A recorded chat: the ``aws/chat`` websocket frames a customer's socket receives, as the service sends them.

The frames have the service's shape (the Connect emulator sends the same): an envelope
``{"topic": "aws/chat", "contentType": "application/json", "content": "<the item as JSON text>"}``. Every
ten frames hold what a lively chat carries: messages both ways (the customer's own come back as echoes),
typing from both sides, and the agent's delivered and read receipts (``MESSAGEMETADATA`` items). The chat
starts with the agent joining. The same frames feed connect_chat and amazon-connect-chatjs in
``bench.chatjs_compare``.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Final

CONTACT_ID: Final = "2f1e7c7a-3b0e-4c7e-9a53-6a4c1f0d9b11"
CUSTOMER_ID: Final = "a7c7d2f4-8f4e-4f5b-9f7e-0c2d3b4a5e61"
AGENT_ID: Final = "5d9e1b32-7a64-4c1f-8e2b-9f0a6c3d7e42"
EVENT: Final = "application/vnd.amazonaws.connect.event."

_WORDS = (
    "order",
    "delivery",
    "refund",
    "account",
    "password",
    "billing",
    "invoice",
    "address",
    "thanks",
    "please",
    "check",
    "status",
    "today",
    "card",
    "payment",
    "help",
    "update",
    "email",
    "waiting",
    "sure",
)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class _Chat:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        self.last_customer_message: str | None = None

    def _id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _item(self, item_type: str, content_type: str, who: str | None, **fields: Any) -> dict[str, Any]:
        self.now += timedelta(milliseconds=self.rng.randint(200, 4000))
        item: dict[str, Any] = {"AbsoluteTime": _stamp(self.now)}
        if "Content" in fields:
            item["Content"] = fields.pop("Content")
        item.update({"ContentType": content_type, "Id": self._id(), "Type": item_type})
        if who == AGENT_ID:
            item.update({"ParticipantId": AGENT_ID, "DisplayName": "Sam", "ParticipantRole": "AGENT"})
        elif who == CUSTOMER_ID:
            item.update({"ParticipantId": CUSTOMER_ID, "DisplayName": "Ana", "ParticipantRole": "CUSTOMER"})
        item.update(fields)
        item.update({"InitialContactId": CONTACT_ID, "ContactId": CONTACT_ID})
        return item

    def _text(self) -> str:
        return " ".join(self.rng.choice(_WORDS) for _ in range(self.rng.randint(3, 24)))

    def message(self, who: str) -> dict[str, Any]:
        item = self._item("MESSAGE", "text/plain", who, Content=self._text())
        if who == CUSTOMER_ID:
            self.last_customer_message = item["Id"]
        return item

    def typing(self, who: str) -> dict[str, Any]:
        return self._item("EVENT", EVENT + "typing", who)

    def receipt(self, kind: str) -> dict[str, Any]:
        message_id = self.last_customer_message or self._id()
        key = "ReadTimestamp" if kind == "read" else "DeliveredTimestamp"
        item = self._item("MESSAGEMETADATA", EVENT + f"message.{kind}", None)
        item["MessageMetadata"] = {
            "MessageId": message_id,
            "Receipts": [{key: item["AbsoluteTime"], "RecipientParticipantId": AGENT_ID}],
        }
        return item

    def joined(self) -> dict[str, Any]:
        return self._item("EVENT", EVENT + "participant.joined", AGENT_ID, Content="Sam has joined")


def chat_items(count: int, *, seed: int = 27) -> list[dict[str, Any]]:
    """``count`` items of a customer's chat, in the order they arrive."""
    chat = _Chat(seed)
    cycle = (
        lambda: chat.typing(AGENT_ID),
        lambda: chat.message(AGENT_ID),
        lambda: chat.message(CUSTOMER_ID),
        lambda: chat.receipt("delivered"),
        lambda: chat.typing(CUSTOMER_ID),
        lambda: chat.message(AGENT_ID),
        lambda: chat.receipt("read"),
        lambda: chat.typing(AGENT_ID),
        lambda: chat.message(AGENT_ID),
        lambda: chat.message(CUSTOMER_ID),
    )
    items = [chat.joined()]
    while len(items) < count:
        items.append(cycle[(len(items) - 1) % len(cycle)]())
    return items[:count]


def frame(item: dict[str, Any]) -> str:
    """The ``aws/chat`` frame carrying ``item``."""
    return json.dumps({"topic": "aws/chat", "contentType": "application/json", "content": json.dumps(item)})


def chat_frames(count: int, *, seed: int = 27) -> list[str]:
    """The frames of :func:`chat_items`."""
    return [frame(item) for item in chat_items(count, seed=seed)]
