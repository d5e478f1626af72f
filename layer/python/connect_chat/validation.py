"""Validation of every public argument. Errors name the argument, the problem and the allowed values."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from connect_chat.config import get_global_config, snake
from connect_chat.constants import ReceiptKind, ScanDirection, SessionType, SortOrder
from connect_chat.errors import InvalidArgumentError
from connect_chat.protocol import content_types as ct

__all__ = [
    "ChatDetails",
    "StartPosition",
    "TranscriptArgs",
    "normalize_chat_details",
    "validate_attachment",
    "validate_attachment_ids",
    "validate_event",
    "validate_message",
    "validate_receipt",
    "validate_session_type",
    "validate_transcript_args",
]

E = TypeVar("E", bound=StrEnum)


def _string(argument: str, value: Any, *, min_len: int = 1, max_len: int | None = None) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentError(argument, f"must be a string, got {type(value).__name__}")
    if len(value.strip()) < min_len:
        raise InvalidArgumentError(argument, "must not be empty")
    if max_len is not None and len(value) > max_len:
        raise InvalidArgumentError(argument, f"is {len(value)} characters long, the maximum is {max_len}")
    return value


def _enum(argument: str, value: Any, enum: type[E]) -> E:
    allowed = tuple(member.value for member in enum)
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        for member in enum:
            if value.strip().upper() == member.value.upper():
                return member
    raise InvalidArgumentError(argument, f"got {value!r}", allowed)


@dataclass(frozen=True, slots=True)
class ChatDetails:
    """Normalised chat details. Tokens are never shown by ``repr``.

    Attributes
    ----------
    contact_id, participant_id, initial_contact_id : str
        Identifiers (``initial_contact_id`` defaults to ``contact_id``).
    participant_token : str | None
        From StartChatContact (customer) or the agent's contact; used to create connections.
    connection_token : str | None
        A stored connection token (stateless mode).
    get_connection_token : Callable | None
        Agent sessions: returns a fresh participant/connection token on demand.
    """

    contact_id: str
    participant_id: str
    initial_contact_id: str
    participant_token: str | None = field(default=None, repr=False)
    connection_token: str | None = field(default=None, repr=False)
    get_connection_token: Callable[[], Any] | None = field(default=None, repr=False, compare=False)

    def ids(self) -> dict[str, str]:
        """The identifiers only, safe for event payloads and logs."""
        return {
            "contact_id": self.contact_id,
            "participant_id": self.participant_id,
            "initial_contact_id": self.initial_contact_id,
        }


_DETAIL_KEYS = (
    "contact_id",
    "participant_id",
    "participant_token",
    "initial_contact_id",
    "connection_token",
    "get_connection_token",
)
#: Other members of a StartChatContact (or CreateParticipantConnection) answer: accepted and not kept.
_IGNORED_DETAIL_KEYS = (
    "continued_from_contact_id",
    "response_metadata",
    "streaming_id",
    "connection_credentials",
    "websocket",
    "continuation_token",  # the start-chat endpoint's token for continuing the chat later
)


def normalize_chat_details(chat_details: Any) -> ChatDetails:
    """Validate chat details given in camelCase, PascalCase or snake_case.

    Also accepts a StartChatContact response (``ContactId``, ``ParticipantId``, ``ParticipantToken``, ...) and
    the chat-interface wrappers ``{"startChatResult": {...}}`` / ``{"data": {"startChatResult": {...}}}``.

    Parameters
    ----------
    chat_details : Mapping[str, Any]
        The details.

    Returns
    -------
    ChatDetails
        The normalised details.

    Raises
    ------
    InvalidArgumentError
        On a missing or malformed field, an unknown key, or two spellings with different values.
    """
    if isinstance(chat_details, ChatDetails):
        return chat_details
    if not isinstance(chat_details, Mapping):
        raise InvalidArgumentError(
            "chat_details", f"must be a mapping, got {type(chat_details).__name__}", _DETAIL_KEYS
        )
    data: Mapping[str, Any] = chat_details
    data_inner = data.get("data")
    if isinstance(data_inner, Mapping) and isinstance(data_inner.get("startChatResult"), Mapping):
        data = data_inner["startChatResult"]
    elif isinstance(data.get("startChatResult"), Mapping):
        data = data["startChatResult"]
    values: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = snake(str(raw_key))
        if key in _IGNORED_DETAIL_KEYS:
            continue
        if key not in _DETAIL_KEYS:
            raise InvalidArgumentError(f"chat_details.{raw_key}", "unknown key", _DETAIL_KEYS)
        if key in values and values[key] != value:
            raise InvalidArgumentError(f"chat_details.{raw_key}", "given twice with different values")
        values[key] = value
    for required in ("contact_id", "participant_id"):
        if values.get(required) is None:
            raise InvalidArgumentError(f"chat_details.{required}", "is required")
    contact_id = _string("chat_details.contact_id", values["contact_id"], max_len=256)
    participant_id = _string("chat_details.participant_id", values["participant_id"], max_len=256)
    initial = values.get("initial_contact_id")
    initial_contact_id = (
        contact_id if initial is None else _string("chat_details.initial_contact_id", initial, max_len=256)
    )
    participant_token = values.get("participant_token")
    if participant_token is not None:
        participant_token = _string("chat_details.participant_token", participant_token, max_len=1000)
    connection_token = values.get("connection_token")
    if connection_token is not None:
        connection_token = _string("chat_details.connection_token", connection_token, max_len=1000)
    getter = values.get("get_connection_token")
    if getter is not None and not callable(getter):
        raise InvalidArgumentError("chat_details.get_connection_token", "must be callable")
    if participant_token is None and connection_token is None and getter is None:
        raise InvalidArgumentError(
            "chat_details.participant_token",
            "is required (or connection_token for stateless use, or get_connection_token for agents)",
        )
    return ChatDetails(
        contact_id=contact_id,
        participant_id=participant_id,
        initial_contact_id=initial_contact_id,
        participant_token=participant_token,
        connection_token=connection_token,
        get_connection_token=getter,
    )


def validate_session_type(value: Any) -> SessionType:
    """Return the :class:`SessionType` for ``value`` (case-insensitive), or raise."""
    return _enum("type", value, SessionType)


def validate_message(content: Any, content_type: Any) -> tuple[str, str]:
    """Validate a SendMessage: the content type is sendable and the content's length fits the type.

    Returns
    -------
    tuple[str, str]
        ``(content, content_type)``; dict/list content of ``application/json`` types is serialised.
    """
    if content_type not in ct.SENDABLE_MESSAGE_CONTENT_TYPES:
        raise InvalidArgumentError("content_type", f"got {content_type!r}", ct.SENDABLE_MESSAGE_CONTENT_TYPES)
    if isinstance(content, Mapping | list) and content_type in (
        ct.APPLICATION_JSON,
        ct.INTERACTIVE_MESSAGE_RESPONSE,
    ):
        content = json.dumps(content, separators=(",", ":"))
    if not isinstance(content, str):
        raise InvalidArgumentError("content", f"must be a string, got {type(content).__name__}")
    if not content:
        raise InvalidArgumentError("content", "is empty; a message needs at least 1 character")
    if get_global_config().message_length_limits == "per_type":
        low, high = ct.MESSAGE_LENGTH_LIMITS[content_type]
        if not low <= len(content) <= high:
            raise InvalidArgumentError(
                "content",
                f"is {len(content)} characters long; {content_type} allows {low} to {high}",
            )
    else:
        size = len(content.encode("utf-8"))
        if size > ct.MESSAGE_MAX_BYTES:
            raise InvalidArgumentError(
                "content", f"is {size} bytes in UTF-8; the maximum is {ct.MESSAGE_MAX_BYTES} for every content type"
            )
    if content_type == ct.APPLICATION_JSON or content_type == ct.INTERACTIVE_MESSAGE_RESPONSE:
        try:
            json.loads(content)
        except ValueError as exc:
            raise InvalidArgumentError("content", f"is not valid JSON for {content_type}: {exc}") from exc
    return content, content_type


def validate_event(content_type: Any, content: Any = None) -> tuple[str, str | None]:
    """Validate a SendEvent; receipts need ``content`` with a ``messageId``.

    Returns
    -------
    tuple[str, str | None]
        ``(content_type, content)`` with mapping content serialised to JSON.
    """
    if content_type not in ct.SENDABLE_EVENT_CONTENT_TYPES:
        raise InvalidArgumentError("content_type", f"got {content_type!r}", ct.SENDABLE_EVENT_CONTENT_TYPES)
    if isinstance(content, Mapping):
        content = json.dumps(dict(content), separators=(",", ":"))
    if content is not None:
        content = _string("content", content, max_len=16384)
    if content_type in (ct.MESSAGE_READ, ct.MESSAGE_DELIVERED):
        message_id = None
        if content is not None:
            try:
                parsed = json.loads(content)
            except ValueError:
                parsed = None
            if isinstance(parsed, Mapping):
                message_id = parsed.get("messageId")
        if not isinstance(message_id, str) or not message_id:
            raise InvalidArgumentError(
                "content", f'{content_type} needs JSON content {{"messageId": "<id>"}}, got {content!r}'
            )
    return content_type, content


def validate_receipt(event: Any, message_id: Any) -> tuple[ReceiptKind, str]:
    """Validate ``send_message_receipt(event=..., message_id=...)``."""
    kind = _enum("event", event, ReceiptKind)
    return kind, _string("message_id", message_id, max_len=256)


def validate_attachment(name: Any, size: Any, content_type: Any) -> tuple[str, int, str]:
    """Validate an attachment: name 1..256 characters, size 1 B..20 MB, an allowed MIME type.

    Returns
    -------
    tuple[str, int, str]
        ``(name, size, content_type)``.
    """
    name = _string("attachment.name", name, max_len=256)
    if isinstance(size, bool) or not isinstance(size, int):
        raise InvalidArgumentError("attachment.size", f"must be an int, got {type(size).__name__}")
    if size < 1:
        raise InvalidArgumentError("attachment.size", "the attachment is empty")
    if size > ct.MAX_ATTACHMENT_SIZE_BYTES:
        raise InvalidArgumentError(
            "attachment.size", f"is {size} bytes; the maximum is {ct.MAX_ATTACHMENT_SIZE_BYTES} (20 MB)"
        )
    if content_type not in ct.ATTACHMENT_CONTENT_TYPES:
        raise InvalidArgumentError(
            "attachment.content_type", f"got {content_type!r}", tuple(ct.ATTACHMENT_CONTENT_TYPES)
        )
    return name, size, content_type


def validate_attachment_ids(attachment_ids: Any) -> list[str]:
    """Validate CompleteAttachmentUpload's ``attachment_ids``: exactly one id of 1..256 characters (the service's
    limits: it completes one upload per call).

    Returns
    -------
    list[str]
        The ids, as a list.
    """
    if isinstance(attachment_ids, str | bytes) or not isinstance(attachment_ids, Iterable):
        raise InvalidArgumentError("attachment_ids", "must be a list of attachment ids")
    ids = list(attachment_ids)
    if len(ids) != 1:
        raise InvalidArgumentError("attachment_ids", f"holds {len(ids)} ids; an upload is completed 1 id at a time")
    return [_string("attachment_ids[0]", ids[0], max_len=256)]


@dataclass(frozen=True, slots=True)
class StartPosition:
    """``StartPosition``: exactly one of ``id``, ``absolute_time``, ``most_recent``."""

    id: str | None = None
    absolute_time: str | None = None
    most_recent: int | None = None

    def to_request(self) -> dict[str, Any]:
        """The Participant Service shape."""
        if self.id is not None:
            return {"Id": self.id}
        if self.absolute_time is not None:
            return {"AbsoluteTime": self.absolute_time}
        return {"MostRecent": self.most_recent}


@dataclass(frozen=True, slots=True)
class TranscriptArgs:
    """Validated GetTranscript arguments."""

    max_results: int = 15
    sort_order: SortOrder = SortOrder.ASCENDING
    scan_direction: ScanDirection = ScanDirection.BACKWARD
    start_position: StartPosition | None = None
    next_token: str | None = None
    contact_id: str | None = None

    def to_request(self) -> dict[str, Any]:
        """Keyword arguments for boto3 ``get_transcript`` (without the token)."""
        out: dict[str, Any] = {
            "MaxResults": self.max_results,
            "SortOrder": self.sort_order.value,
            "ScanDirection": self.scan_direction.value,
        }
        if self.start_position is not None:
            out["StartPosition"] = self.start_position.to_request()
        if self.next_token is not None:
            out["NextToken"] = self.next_token
        if self.contact_id is not None:
            out["ContactId"] = self.contact_id
        return out


_START_KEYS = ("id", "absolute_time", "most_recent")


def _start_position(value: Any) -> StartPosition | None:
    if value is None or isinstance(value, StartPosition):
        return value
    if not isinstance(value, Mapping):
        raise InvalidArgumentError("start_position", "must be a mapping", _START_KEYS)
    given = {snake(str(k)): v for k, v in value.items() if v is not None}
    for key in given:
        if key not in _START_KEYS:
            raise InvalidArgumentError(f"start_position.{key}", "unknown key", _START_KEYS)
    if len(given) != 1:
        problem = f"needs exactly one key, got {sorted(given)}"
        raise InvalidArgumentError("start_position", problem, _START_KEYS)
    if "id" in given:
        return StartPosition(id=_string("start_position.id", given["id"], max_len=256))
    if "absolute_time" in given:
        stamp = _string("start_position.absolute_time", given["absolute_time"], max_len=100)
        try:
            from connect_chat.protocol.items import parse_timestamp  # only timestamps given as positions

            parse_timestamp(stamp)
        except ValueError as exc:
            raise InvalidArgumentError(
                "start_position.absolute_time", f"is not ISO 8601 ({exc})", "yyyy-MM-ddThh:mm:ss.SSSZ"
            ) from exc
        return StartPosition(absolute_time=stamp)
    most_recent = given["most_recent"]
    if isinstance(most_recent, bool) or not isinstance(most_recent, int) or not 0 <= most_recent <= 100:
        raise InvalidArgumentError("start_position.most_recent", f"got {most_recent!r}", "0..100")
    return StartPosition(most_recent=most_recent)


def validate_transcript_args(
    *,
    max_results: Any = 15,
    sort_order: Any = SortOrder.ASCENDING,
    scan_direction: Any = ScanDirection.BACKWARD,
    start_position: Any = None,
    next_token: Any = None,
    contact_id: Any = None,
) -> TranscriptArgs:
    """Validate GetTranscript arguments (ChatJS defaults: 15, ASCENDING, BACKWARD)."""
    if isinstance(max_results, bool) or not isinstance(max_results, int) or not 0 <= max_results <= 100:
        raise InvalidArgumentError("max_results", f"got {max_results!r}", "0..100")
    return TranscriptArgs(
        max_results=max_results,
        sort_order=_enum("sort_order", sort_order, SortOrder),
        scan_direction=_enum("scan_direction", scan_direction, ScanDirection),
        start_position=_start_position(start_position),
        next_token=None if next_token is None else _string("next_token", next_token, max_len=1000),
        contact_id=None if contact_id is None else _string("contact_id", contact_id, max_len=256),
    )
