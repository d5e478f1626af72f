"""Connect message streaming (StartContactStreaming to SNS): notifications to :class:`Item` objects.

Accepts a Lambda SNS event, one of its records, or a raw SNS message body with its ``MessageAttributes``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from connect_chat.protocol import content_types as ct
from connect_chat.protocol.items import Item, ItemDecodeError

__all__ = [
    "Audience",
    "MessageVisibility",
    "StreamingDecodeError",
    "StreamingNotification",
    "items_from_sns_event",
    "parse_sns_record",
    "parse_streaming_message",
]


_OWN_ONLY_EVENTS = frozenset({ct.TYPING, ct.MESSAGE_READ, ct.MESSAGE_DELIVERED})
"""Events that only matter to the other side: never echoed back to the participant who sent them."""


class StreamingDecodeError(ValueError):
    """Raised when a notification is not a Connect streaming message."""


class MessageVisibility(StrEnum):
    """The ``MessageVisibility`` message attribute."""

    CUSTOMER = "CUSTOMER"
    AGENT = "AGENT"
    ALL = "ALL"


class Audience(StrEnum):
    """Who a streaming consumer forwards items to."""

    CUSTOMER = "CUSTOMER"
    AGENT = "AGENT"


def _attribute_values(attributes: Mapping[str, Any] | None) -> dict[str, str]:
    """Flatten SNS MessageAttributes (Lambda ``{"Type","Value"}``, SNS API ``{"DataType","StringValue"}``)."""
    out: dict[str, str] = {}
    for key, raw in (attributes or {}).items():
        value = raw.get("Value", raw.get("StringValue")) if isinstance(raw, Mapping) else raw
        if value is not None:
            out[str(key)] = str(value)
    return out


@dataclass(frozen=True, slots=True)
class StreamingNotification:
    """One streaming notification: the item and the SNS message attributes that came with it."""

    item: Item
    attributes: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    message_id: str | None = None

    @property
    def visibility(self) -> MessageVisibility:
        """``MessageVisibility``; ALL when the attribute is absent or unknown."""
        try:
            return MessageVisibility(self.attributes.get("MessageVisibility", "ALL").upper())
        except ValueError:
            return MessageVisibility.ALL

    @property
    def instance_id(self) -> str | None:
        """``InstanceId`` attribute."""
        return self.attributes.get("InstanceId")

    def is_visible_to(
        self, audience: Audience | str, *, self_participant_id: str | None = None, echo_own_messages: bool = False
    ) -> bool:
        """Whether a consumer serving ``audience`` should forward this item.

        Parameters
        ----------
        audience : Audience | str
            CUSTOMER or AGENT.
        self_participant_id : str, optional
            The participant the consumer serves. Messages, attachments, typing and receipts that participant
            sent itself are not echoed back; events about the chat (joined, left, ended, ...) always pass.
        echo_own_messages : bool
            Let the participant's own messages and attachments through (a consumer serving several views of
            the same participant, such as a relay serving a customer's tabs); typing and receipts still stay.

        Returns
        -------
        bool
            True when visibility is ALL or matches the audience and the item did not come from
            ``self_participant_id`` (or, with no id given, from the audience's own role).
        """
        wanted = Audience(str(audience).upper())
        visibility = self.visibility
        if visibility is not MessageVisibility.ALL and visibility.value != wanted.value:
            return False
        item = self.item
        if not item.is_message and item.content_type not in _OWN_ONLY_EVENTS:
            return True
        if echo_own_messages and item.is_message:
            return True
        if self_participant_id is not None:
            return item.participant_id != self_participant_id
        return item.participant_role != wanted.value


def parse_streaming_message(
    body: str | Mapping[str, Any],
    attributes: Mapping[str, Any] | None = None,
    *,
    message_id: str | None = None,
) -> StreamingNotification:
    """Parse a raw SNS message body (the JSON of an item) and its ``MessageAttributes``.

    Parameters
    ----------
    body : str | Mapping[str, Any]
        The SNS ``Message``.
    attributes : Mapping[str, Any], optional
        ``MessageAttributes`` in Lambda (``{"Type","Value"}``) or SNS API (``{"DataType","StringValue"}``)
        form, or already flattened to strings.
    message_id : str, optional
        The SNS ``MessageId``.

    Returns
    -------
    StreamingNotification
        The item with its attributes. ``ContactId``/``InitialContactId`` missing from the body are taken
        from the attributes.

    Raises
    ------
    StreamingDecodeError
        When the body is not an item.
    """
    attrs = _attribute_values(attributes)
    try:
        data: Any = json.loads(body) if isinstance(body, str | bytes) else body
    except ValueError as exc:
        raise StreamingDecodeError(f"SNS message body is not JSON: {exc}") from exc
    if not isinstance(data, Mapping):
        raise StreamingDecodeError("SNS message body must be a JSON object")
    merged = dict(data)
    for key in ("ContactId", "InitialContactId", "ParticipantRole", "Type", "ContentType"):
        if key not in merged and key in attrs:
            merged[key] = attrs[key]
    try:
        item = Item.from_dict(merged)
    except ItemDecodeError as exc:
        raise StreamingDecodeError(f"SNS message body is not a chat item: {exc}") from exc
    return StreamingNotification(item=item, attributes=attrs, message_id=message_id)


def parse_sns_record(record: Mapping[str, Any]) -> StreamingNotification:
    """Parse one record of a Lambda SNS event (``{"EventSource": "aws:sns", "Sns": {...}}``).

    A bare ``Sns`` object (with ``Message`` and ``MessageAttributes``) is accepted too.
    """
    sns = record.get("Sns", record)
    if not isinstance(sns, Mapping) or "Message" not in sns:
        raise StreamingDecodeError("record has no Sns.Message")
    attrs = sns.get("MessageAttributes")
    return parse_streaming_message(
        sns["Message"],
        attrs if isinstance(attrs, Mapping) else None,
        message_id=sns.get("MessageId") if isinstance(sns.get("MessageId"), str) else None,
    )


def items_from_sns_event(
    event: Mapping[str, Any] | Iterable[Mapping[str, Any]],
    *,
    audience: Audience | str | None = None,
    self_participant_id: str | None = None,
    echo_own_messages: bool = False,
) -> list[StreamingNotification]:
    """Parse every record of a Lambda SNS event, keeping those visible to ``audience``.

    Parameters
    ----------
    event : Mapping | Iterable[Mapping]
        The Lambda event (``{"Records": [...]}``) or its records.
    audience : Audience | str, optional
        Keep only what a CUSTOMER or AGENT consumer should see; None keeps everything.
    self_participant_id, echo_own_messages
        See :meth:`StreamingNotification.is_visible_to`.

    Returns
    -------
    list[StreamingNotification]
        In the order received, duplicates (same item Id) removed.
    """
    records = event.get("Records", []) if isinstance(event, Mapping) else list(event)
    out: list[StreamingNotification] = []
    seen: set[tuple[str, str]] = set()
    for record in records:
        notification = parse_sns_record(record)
        key = (notification.item.id, notification.item.type)
        if key in seen:
            continue
        seen.add(key)
        if audience is None or notification.is_visible_to(
            audience, self_participant_id=self_participant_id, echo_own_messages=echo_own_messages
        ):
            out.append(notification)
    return out
