"""The chat ``Item``: one message or event, whichever way it reached us.

The Participant Service (GetTranscript, SendMessage), the participant websocket (``aws/chat`` frames) and
Connect's message streaming (SNS) all carry the same record. :class:`Item` is built from any of them and gives
back the Participant Service field names with :meth:`Item.to_dict`.

The types here are frozen `msgspec <https://jcristharif.com/msgspec/>`_ structs: an item in its usual shape is
checked and built by one call into msgspec's C code, and items are not tracked by Python's cyclic garbage
collector (a chat of 100,000 items would otherwise make every full collection walk all of them). Copy one with
changes with ``msgspec.structs.replace(item, content=...)`` (``copy.replace`` on Python 3.13 and later).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from operator import attrgetter
from typing import Annotated, Any, Final

import msgspec

from connect_chat.protocol import content_types as ct
from connect_chat.protocol._json import loads

__all__ = [
    "Attachment",
    "Item",
    "ItemDecodeError",
    "ItemType",
    "MessageMetadata",
    "ParticipantRole",
    "Receipt",
    "format_timestamp",
    "normalized_time",
    "parse_timestamp",
]


class ItemDecodeError(ValueError):
    """Raised when a payload is not a chat item."""


class ItemType(StrEnum):
    """``Item.Type`` values."""

    MESSAGE = "MESSAGE"
    EVENT = "EVENT"
    ATTACHMENT = "ATTACHMENT"
    MESSAGEMETADATA = "MESSAGEMETADATA"
    CONNECTION_ACK = "CONNECTION_ACK"


_MESSAGE_TYPES = frozenset((ItemType.MESSAGE, ItemType.ATTACHMENT))


class ParticipantRole(StrEnum):
    """``Item.ParticipantRole`` values."""

    AGENT = "AGENT"
    CUSTOMER = "CUSTOMER"
    SYSTEM = "SYSTEM"
    CUSTOM_BOT = "CUSTOM_BOT"
    SUPERVISOR = "SUPERVISOR"


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO 8601 chat timestamp (``2019-11-08T02:41:28.172Z``) into an aware datetime.

    Parameters
    ----------
    value : str
        The timestamp.

    Returns
    -------
    datetime
        A timezone-aware datetime (UTC when the string says ``Z``).
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def format_timestamp(value: datetime) -> str:
    """Format a datetime the way the service does: ``yyyy-MM-ddThh:mm:ss.SSSZ`` in UTC.

    Parameters
    ----------
    value : datetime
        Aware or naive (taken as UTC) datetime.

    Returns
    -------
    str
        The timestamp string.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


_CANONICAL_TIME: Final = re.compile(
    r"[1-9]\d{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z\Z", re.ASCII
).match
"""Matches a timestamp already written the way :func:`format_timestamp` writes it (UTC, milliseconds, ``Z``)."""


def normalized_time(value: str | None) -> str:
    """``AbsoluteTime`` as it sorts: normalised to UTC milliseconds, or as given when it cannot be parsed.

    The service writes timestamps in that form already, so the usual case is one pattern match and no parsing.

    Parameters
    ----------
    value : str | None
        An ``AbsoluteTime``.

    Returns
    -------
    str
        ``yyyy-MM-ddThh:mm:ss.SSSZ`` in UTC, or ``value`` itself (``""`` for None) when it is not a timestamp.
    """
    if not value:
        return ""
    if _CANONICAL_TIME(value) is not None:
        return value
    try:
        return format_timestamp(parse_timestamp(value))
    except (ValueError, OverflowError):
        return value


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ItemDecodeError(f"{key} must be a string, got {type(value).__name__}")
    return value


class Receipt(msgspec.Struct, frozen=True, gc=False, rename="pascal"):
    """A read/delivered receipt of one message for one recipient."""

    recipient_participant_id: str | None = None
    delivered_timestamp: str | None = None
    read_timestamp: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Receipt:
        """Build from ``{"RecipientParticipantId", "DeliveredTimestamp", "ReadTimestamp"}``."""
        return cls(
            _opt_str(data, "RecipientParticipantId"),
            _opt_str(data, "DeliveredTimestamp"),
            _opt_str(data, "ReadTimestamp"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the Participant Service shape (absent fields omitted)."""
        out: dict[str, Any] = {}
        if self.delivered_timestamp is not None:
            out["DeliveredTimestamp"] = self.delivered_timestamp
        if self.read_timestamp is not None:
            out["ReadTimestamp"] = self.read_timestamp
        if self.recipient_participant_id is not None:
            out["RecipientParticipantId"] = self.recipient_participant_id
        return out


_METADATA_KNOWN = frozenset(("MessageId", "Receipts", "MessageProcessingStatus"))


class MessageMetadata(msgspec.Struct, frozen=True, gc=False, rename="pascal"):
    """``Item.MessageMetadata``: receipts of a message and, for bot streaming, chunk information.

    Unknown fields (for example ``MessageCompleted`` and ``ChunkNumber`` of partial bot messages) are kept in
    :attr:`extra` and written back by :meth:`to_dict`; :attr:`extra` takes no part in equality.
    """

    message_id: str | None = None
    receipts: tuple[Receipt, ...] = ()
    message_processing_status: str | None = None
    extra: Mapping[str, Any] = msgspec.field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MessageMetadata:
        """Build from the Participant Service shape."""
        receipts_raw = data.get("Receipts") or []
        if not isinstance(receipts_raw, list):
            raise ItemDecodeError("MessageMetadata.Receipts must be a list")
        return cls(
            _opt_str(data, "MessageId"),
            tuple([Receipt.from_dict(r) for r in receipts_raw if isinstance(r, Mapping)]),
            _opt_str(data, "MessageProcessingStatus"),
            {k: v for k, v in data.items() if k not in _METADATA_KNOWN},
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return _metadata_identity(self) == _metadata_identity(other)

    def __hash__(self) -> int:
        return hash(_metadata_identity(self))

    def to_dict(self) -> dict[str, Any]:
        """Return the Participant Service shape."""
        out: dict[str, Any] = {}
        if self.message_id is not None:
            out["MessageId"] = self.message_id
        if self.receipts:
            out["Receipts"] = [r.to_dict() for r in self.receipts]
        if self.message_processing_status is not None:
            out["MessageProcessingStatus"] = self.message_processing_status
        out.update(self.extra)
        return out

    @property
    def is_partial(self) -> bool:
        """True for a bot streaming chunk (``MessageCompleted`` is false)."""
        return self.extra.get("MessageCompleted") is False

    @property
    def chunk_number(self) -> int | None:
        """``ChunkNumber`` of a bot streaming chunk, if any."""
        value = self.extra.get("ChunkNumber")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
        return None


class Attachment(msgspec.Struct, frozen=True, gc=False, rename="pascal"):
    """One entry of ``Item.Attachments``."""

    attachment_id: Annotated[str, msgspec.Meta(min_length=1)]
    attachment_name: str | None = None
    content_type: str | None = None
    status: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Attachment:
        """Build from ``{"AttachmentId", "AttachmentName", "ContentType", "Status"}``."""
        if not isinstance(data, Mapping):
            raise ItemDecodeError(f"Attachments[] must be objects, got {type(data).__name__}")
        attachment_id = _opt_str(data, "AttachmentId")
        if not attachment_id:
            raise ItemDecodeError("Attachments[].AttachmentId is required")
        return cls(
            attachment_id=attachment_id,
            attachment_name=_opt_str(data, "AttachmentName"),
            content_type=_opt_str(data, "ContentType"),
            status=_opt_str(data, "Status"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the Participant Service shape."""
        out: dict[str, Any] = {"AttachmentId": self.attachment_id}
        if self.attachment_name is not None:
            out["AttachmentName"] = self.attachment_name
        if self.content_type is not None:
            out["ContentType"] = self.content_type
        if self.status is not None:
            out["Status"] = self.status
        return out


_ITEM_KNOWN = frozenset(
    (
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
        "MessageMetadata",
        "Attachments",
    )
)


class Item(msgspec.Struct, frozen=True, gc=False, rename="pascal"):
    """A chat message or event.

    Build one with :meth:`from_dict` (a Participant Service ``Item``, an SNS streaming body or the decoded
    content of an ``aws/chat`` frame) or :meth:`from_json`. Fields the library does not know are kept in
    :attr:`extra`, so :meth:`to_dict` gives back what came in; :attr:`extra` takes no part in equality or hashing.

    Attributes
    ----------
    id : str
        ``Id``; for MESSAGEMETADATA items the id of the metadata record.
    type : str
        ``Type`` (see :class:`ItemType`; unknown values are kept as they are).
    content_type : str | None
        ``ContentType``.
    content : str | None
        ``Content``.
    participant_id, display_name, participant_role : str | None
        The sender.
    absolute_time : str | None
        ``AbsoluteTime`` as sent (ISO 8601 with milliseconds).
    contact_id, initial_contact_id, related_contact_id : str | None
        The contact the item belongs to.
    message_metadata : MessageMetadata | None
        Receipts and bot-streaming information.
    attachments : tuple[Attachment, ...]
        Attachments of an ATTACHMENT item.
    """

    id: Annotated[str, msgspec.Meta(min_length=1)]
    type: Annotated[str, msgspec.Meta(min_length=1)]
    content_type: str | None = None
    content: str | None = None
    participant_id: str | None = None
    display_name: str | None = None
    participant_role: str | None = None
    absolute_time: str | None = None
    contact_id: str | None = None
    initial_contact_id: str | None = None
    related_contact_id: str | None = None
    message_metadata: MessageMetadata | None = None
    attachments: tuple[Attachment, ...] = ()
    extra: Mapping[str, Any] = msgspec.field(default_factory=dict)

    # ---------------------------------------------------------------- building
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Item:
        """Build an item from a Participant Service-shaped mapping.

        Parameters
        ----------
        data : Mapping[str, Any]
            The item fields (``Id``, ``Type``, ``ContentType``, ...).

        Returns
        -------
        Item
            The item.

        Raises
        ------
        ItemDecodeError
            When ``Id`` or ``Type`` is missing or a field has the wrong type.
        """
        if type(data) is dict and cls is Item and data.keys() <= _ITEM_KNOWN:
            metadata = data.get("MessageMetadata")
            if metadata is None or (type(metadata) is dict and metadata.keys() <= _METADATA_KNOWN):
                # The usual shape, once per frame: checked and built in one call to msgspec's C code.
                try:
                    return _convert(data, Item)
                except msgspec.ValidationError:
                    pass  # the exact checks and messages below
        if not isinstance(data, Mapping):
            raise ItemDecodeError(f"an item must be a JSON object, got {type(data).__name__}")
        return cls._from_unusual_dict(data)

    @classmethod
    def _from_unusual_dict(cls, data: Mapping[str, Any]) -> Item:
        """:meth:`from_dict` for what the fast path does not take: a missing Id, odd types, errors."""
        item_id = _opt_str(data, "Id")
        item_type = _opt_str(data, "Type")
        if not item_type:
            raise ItemDecodeError("item has no Type")
        metadata_raw = data.get("MessageMetadata")
        if item_id is None and item_type == ItemType.MESSAGEMETADATA and isinstance(metadata_raw, Mapping):
            item_id = _opt_str(metadata_raw, "MessageId")
        if not item_id:
            raise ItemDecodeError("item has no Id")
        if metadata_raw is not None and not isinstance(metadata_raw, Mapping):
            raise ItemDecodeError("MessageMetadata must be an object")
        attachments_raw = data.get("Attachments")
        if attachments_raw is None:
            attachments_raw = []
        if not isinstance(attachments_raw, list):
            raise ItemDecodeError("Attachments must be a list")
        return cls(
            id=item_id,
            type=item_type,
            content_type=_opt_str(data, "ContentType"),
            content=_opt_str(data, "Content"),
            participant_id=_opt_str(data, "ParticipantId"),
            display_name=_opt_str(data, "DisplayName"),
            participant_role=_opt_str(data, "ParticipantRole"),
            absolute_time=_opt_str(data, "AbsoluteTime"),
            contact_id=_opt_str(data, "ContactId"),
            initial_contact_id=_opt_str(data, "InitialContactId"),
            related_contact_id=_opt_str(data, "RelatedContactId"),
            message_metadata=MessageMetadata.from_dict(metadata_raw) if metadata_raw is not None else None,
            attachments=tuple(Attachment.from_dict(a) for a in attachments_raw),
            extra={k: v for k, v in data.items() if k not in _ITEM_KNOWN},
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Item:
        """Build an item from its JSON text (an ``aws/chat`` frame's content or an SNS message body)."""
        try:
            data = loads(text)
        except (TypeError, ValueError) as exc:
            raise ItemDecodeError(f"item is not valid JSON: {exc}") from exc
        return cls.from_dict(data)

    # ---------------------------------------------------------------- giving back
    def to_dict(self) -> dict[str, Any]:
        """Return the item with the Participant Service field names (absent fields omitted)."""
        out: dict[str, Any] = {}
        if self.absolute_time is not None:
            out["AbsoluteTime"] = self.absolute_time
        if self.content is not None:
            out["Content"] = self.content
        if self.content_type is not None:
            out["ContentType"] = self.content_type
        if self.id is not None:
            out["Id"] = self.id
        if self.type is not None:
            out["Type"] = self.type
        if self.participant_id is not None:
            out["ParticipantId"] = self.participant_id
        if self.display_name is not None:
            out["DisplayName"] = self.display_name
        if self.participant_role is not None:
            out["ParticipantRole"] = self.participant_role
        if self.initial_contact_id is not None:
            out["InitialContactId"] = self.initial_contact_id
        if self.contact_id is not None:
            out["ContactId"] = self.contact_id
        if self.related_contact_id is not None:
            out["RelatedContactId"] = self.related_contact_id
        if self.message_metadata is not None:
            out["MessageMetadata"] = self.message_metadata.to_dict()
        if self.attachments:
            out["Attachments"] = [a.to_dict() for a in self.attachments]
        for key, extra_value in self.extra.items():
            out.setdefault(key, extra_value)
        return out

    def to_json(self) -> str:
        """Return :meth:`to_dict` as compact JSON."""
        return json.dumps(self.to_dict(), separators=(",", ":"))

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return _item_identity(self) == _item_identity(other)

    def __hash__(self) -> int:
        return hash(_item_identity(self))

    # ---------------------------------------------------------------- questions
    @property
    def is_message(self) -> bool:
        """True for MESSAGE and ATTACHMENT items."""
        return self.type in _MESSAGE_TYPES

    @property
    def is_event(self) -> bool:
        """True for EVENT items (and typed events whose content type is an event)."""
        if self.type == ItemType.EVENT:
            return True
        return self.content_type is not None and ct.is_event(self.content_type)

    @property
    def is_partial(self) -> bool:
        """True for a bot streaming chunk that a completed message will replace."""
        return self.message_metadata is not None and self.message_metadata.is_partial

    @property
    def timestamp(self) -> datetime | None:
        """``AbsoluteTime`` as an aware datetime, or None when absent or unparseable."""
        if not self.absolute_time:
            return None
        try:
            return parse_timestamp(self.absolute_time)
        except ValueError:
            return None

    @property
    def receipt_message_id(self) -> str | None:
        """For a ``message.read``/``message.delivered`` event, the id of the message it is about."""
        if self.content_type not in (ct.MESSAGE_READ, ct.MESSAGE_DELIVERED):
            return None
        if self.message_metadata is not None and self.message_metadata.message_id:
            return self.message_metadata.message_id
        if not self.content:
            return None
        try:
            parsed = json.loads(self.content)
        except ValueError:
            return None
        if isinstance(parsed, Mapping):
            value = parsed.get("messageId") or parsed.get("MessageId")
            return value if isinstance(value, str) else None
        return None

    def sort_key(self) -> tuple[str, str]:
        """The transcript order: AbsoluteTime (normalised to UTC milliseconds, see :func:`normalized_time`), then Id."""
        return (normalized_time(self.absolute_time), self.id)


_convert = msgspec.convert
_item_identity = attrgetter(*(name for name in Item.__struct_fields__ if name != "extra"))
_metadata_identity = attrgetter("message_id", "receipts", "message_processing_status")
