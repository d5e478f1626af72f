"""The relay's client protocol: frames the browser sends (validated) and every frame the relay sends back.

Client → server frames are JSON objects routed on ``action``; server → client frames carry a ``type``. Parsing
is hand-written over :mod:`json` (no model library): it runs on every frame, inside the cold start budget. An
error names the field and the rule in the protocol's words, never a Python type.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Final, NamedTuple

from common import contract
from common.fields import FieldError, Fields

#: API Gateway's WebSocket frame limit (32 KB); larger messages are refused before parsing.
MAX_FRAME_BYTES: Final = contract.MAX_FRAME_BYTES
MAX_REQUEST_ID: Final = 64
MAX_ATTRIBUTES: Final = 32
#: The longest customer or challenge token a startChat may carry.
MAX_TOKEN_CHARS: Final = 8192

TYPING: Final = "application/vnd.amazonaws.connect.event.typing"
READ: Final = "application/vnd.amazonaws.connect.event.message.read"
DELIVERED: Final = "application/vnd.amazonaws.connect.event.message.delivered"
EVENT_TYPES: Final = (TYPING, READ, DELIVERED)
#: What a customer may send (among the deployment's supported content types): text, markdown, and the answer to an
#: interactive message; the templates themselves come from bots and agents.
CUSTOMER_CONTENT_TYPES: Final = (
    "text/plain",
    "text/markdown",
    "application/vnd.amazonaws.connect.message.interactive.response",
)


class FrameError(ValueError):
    """A frame the relay refuses; ``code`` and ``message`` (and ``retry_after`` seconds, when waiting helps) go
    back to the client in an ``error`` frame."""

    def __init__(
        self, code: str, message: str, request_id: str | None = None, *, retry_after: int | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.request_id = request_id
        self.retry_after = retry_after


# ------------------------------------------------------------------------------------------- client frames
# Named tuples rather than dataclasses: they are built on every cold start, at a fraction of the cost.


class StartChat(NamedTuple):
    request_id: str | None
    display_name: str
    attributes: dict[str, str]
    #: A signed-in customer's token (the site's JWT), a human check's token, a continuation token.
    customer_token: str | None = None
    challenge_token: str | None = None
    continuation_token: str | None = None
    #: With a continuation token: how much of the past chat Connect rehydrates (PersistentChat's RehydrationType).
    rehydration_type: str | None = None
    action: str = "startChat"

    def __repr__(self) -> str:  # tokens stay out of logs
        return f"StartChat(request_id={self.request_id!r}, display_name={self.display_name!r})"


class ResumeChat(NamedTuple):
    request_id: str | None
    resume_token: str
    after_id: str | None = None
    action: str = "resumeChat"

    def __repr__(self) -> str:  # the resume token is a secret
        return f"ResumeChat(request_id={self.request_id!r}, after_id={self.after_id!r})"


class SendMessage(NamedTuple):
    request_id: str | None
    content: str
    content_type: str = "text/plain"
    action: str = "sendMessage"


class SendEvent(NamedTuple):
    request_id: str | None
    content_type: str
    message_id: str | None = None
    action: str = "sendEvent"


class GetTranscript(NamedTuple):
    request_id: str | None
    max_results: int = 15
    next_token: str | None = None
    scan_direction: str = "BACKWARD"
    sort_order: str = "ASCENDING"
    #: ``{"id"|"absoluteTime"|"mostRecent": value}`` (exactly one), in the library's spelling.
    start_position: dict[str, Any] | None = None
    action: str = "getTranscript"


class SendAttachment(NamedTuple):
    """Without ``attachment_id``: ask for an upload URL. With it: the upload is done, post the attachment."""

    request_id: str | None
    attachment_id: str | None = None
    file_name: str | None = None
    content_type: str | None = None
    size: int | None = None
    action: str = "sendAttachment"


class GetAttachment(NamedTuple):
    request_id: str | None
    attachment_id: str
    action: str = "getAttachment"


class EndChat(NamedTuple):
    request_id: str | None
    action: str = "endChat"


ClientFrame = (
    StartChat | ResumeChat | SendMessage | SendEvent | GetTranscript | SendAttachment | GetAttachment | EndChat
)


def _start_chat(f: Fields) -> StartChat:
    continuation_token = f.text("continuationToken", high=512)
    rehydration_type = f.choice("rehydrationType", contract.REHYDRATION_TYPES)
    if rehydration_type is not None and continuation_token is None:
        raise f.fail("rehydrationType", "is allowed only with continuationToken")
    return StartChat(
        None,
        display_name=f.required_text("displayName", high=256),
        attributes=f.string_map("attributes", max_entries=MAX_ATTRIBUTES, max_key=128, max_value=1024),
        customer_token=f.text("customerToken", high=MAX_TOKEN_CHARS),
        challenge_token=f.text("challengeToken", high=MAX_TOKEN_CHARS),
        continuation_token=continuation_token,
        rehydration_type=rehydration_type,
    )


def _resume_chat(f: Fields) -> ResumeChat:
    return ResumeChat(
        None, resume_token=f.required_text("resumeToken", low=20, high=300), after_id=f.text("afterId", high=256)
    )


def _send_message(f: Fields) -> SendMessage:
    return SendMessage(
        None,
        content=f.required_text("content", high=MAX_FRAME_BYTES),
        content_type=f.text("contentType", high=100) or "text/plain",
    )


def _send_event(f: Fields) -> SendEvent:
    content_type = f.choice("contentType", EVENT_TYPES)
    if content_type is None:
        raise f.fail("contentType", f"is required; one of {', '.join(EVENT_TYPES)}")
    message_id = f.text("messageId", high=256)
    if content_type in (READ, DELIVERED) and message_id is None:
        raise f.fail("messageId", "is required for read and delivered receipts")
    return SendEvent(None, content_type=content_type, message_id=message_id)


def _start_position(f: Fields) -> dict[str, Any] | None:
    inner = f.nested("startPosition")
    if inner is None:
        return None
    position = {
        "id": inner.text("id", high=256),
        "absolute_time": inner.text("absoluteTime", high=100),
        "most_recent": inner.integer("mostRecent", low=0, high=100),
    }
    inner.finish()
    given = {key: value for key, value in position.items() if value is not None}
    if len(given) != 1:
        raise f.fail("startPosition", "must have exactly one of id, absoluteTime, mostRecent")
    return given


def _get_transcript(f: Fields) -> GetTranscript:
    max_results = f.integer("maxResults", low=1, high=100)
    return GetTranscript(
        None,
        max_results=15 if max_results is None else max_results,
        next_token=f.text("nextToken", high=1000),
        scan_direction=f.choice("scanDirection", ("FORWARD", "BACKWARD")) or "BACKWARD",
        sort_order=f.choice("sortOrder", ("ASCENDING", "DESCENDING")) or "ASCENDING",
        start_position=_start_position(f),
    )


def _send_attachment(f: Fields) -> SendAttachment:
    attachment_id = f.text("attachmentId", high=256)
    file_name = f.text("fileName", high=256)
    content_type = f.text("contentType", high=255)
    size = f.integer("size", low=1, high=2**53)
    if attachment_id is None:
        for name, value in (("fileName", file_name), ("contentType", content_type), ("size", size)):
            if value is None:
                raise f.fail(name, "is required to ask for an upload URL (or give attachmentId once uploaded)")
    return SendAttachment(None, attachment_id=attachment_id, file_name=file_name, content_type=content_type, size=size)


def _get_attachment(f: Fields) -> GetAttachment:
    return GetAttachment(None, attachment_id=f.required_text("attachmentId", high=256))


def _end_chat(f: Fields) -> EndChat:
    return EndChat(None)


_PARSERS: Final[dict[str, Callable[[Fields], ClientFrame]]] = {
    "startChat": _start_chat,
    "resumeChat": _resume_chat,
    "sendMessage": _send_message,
    "sendEvent": _send_event,
    "getTranscript": _get_transcript,
    "sendAttachment": _send_attachment,
    "getAttachment": _get_attachment,
    "endChat": _end_chat,
}
#: Every client action a function carries out (the contract's route keys).
ACTIONS: Final = tuple(_PARSERS)


class Envelope(NamedTuple):
    """A client frame's JSON object (or why there is none) and its ``requestId``, read before validation."""

    data: dict[str, Any] | None
    request_id: str | None
    problem: FrameError | None


def open_envelope(body: str | bytes | None) -> Envelope:
    """Decode a frame: any JSON that cannot be read (broken, nested too deep, numbers too long) is a
    ``BAD_REQUEST``; a frame over the size limit is a ``PAYLOAD_TOO_LARGE`` that still echoes its ``requestId``."""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else (body or b"")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return Envelope(None, None, FrameError("BAD_REQUEST", "frame is not valid JSON"))
    if not isinstance(data, dict):
        return Envelope(None, None, FrameError("BAD_REQUEST", "frame must be a JSON object with an 'action'"))
    request_id = request_id_of(data)
    if len(raw) > MAX_FRAME_BYTES:
        message = f"frame is {len(raw)} bytes; the limit is {MAX_FRAME_BYTES}"
        return Envelope(None, request_id, FrameError("PAYLOAD_TOO_LARGE", message, request_id))
    return Envelope(data, request_id, None)


def request_id_of(data: Mapping[str, Any]) -> str | None:
    """The frame's ``requestId`` when it is a usable one (so that even a refusal can echo it)."""
    value = data.get("requestId")
    return value if isinstance(value, str) and 1 <= len(value) <= MAX_REQUEST_ID else None


def message_fingerprint(data: Mapping[str, Any]) -> str | None:
    """What identifies a ``sendMessage`` frame's message (its content type and content), for telling a retry
    (same ``requestId``, same message) from a reused ``requestId`` (another message); ``None`` for other frames."""
    if data.get("action") != "sendMessage" or not isinstance(data.get("content"), str):
        return None
    content_type = data.get("contentType", "text/plain")
    digest = hashlib.sha256(json.dumps([content_type, data["content"]]).encode()).hexdigest()
    return digest[:16]


def frame_from(data: Mapping[str, Any]) -> ClientFrame:
    """Validate one decoded client frame; raise :class:`FrameError` naming the field and the rule it breaks."""
    request_id = request_id_of(data)
    action = data.get("action")
    parser = _PARSERS.get(action) if isinstance(action, str) else None
    if parser is None:
        shown = action if isinstance(action, str | None) else "not a string"
        raise FrameError("UNKNOWN_ACTION", f"action {shown!r} is not one of {list(ACTIONS)}", request_id)
    try:
        if "requestId" in data and request_id is None:
            raise FieldError("requestId", f"must be a string of 1 to {MAX_REQUEST_ID} characters")
        fields = Fields(data, known=("action", "requestId"))
        frame = parser(fields)
        fields.finish()
    except FieldError as exc:
        raise FrameError("VALIDATION_ERROR", str(exc), request_id) from None
    return frame._replace(request_id=request_id)


# ------------------------------------------------------------------------------------------- server frames


def _with_request_id(frame: dict[str, Any], request_id: str | None) -> dict[str, Any]:
    if request_id:
        frame["requestId"] = request_id
    return frame


def error_frame(
    code: str, message: str, request_id: str | None = None, *, retry_after: int | None = None
) -> dict[str, Any]:
    """``{"type": "error", "code", "message", "retryAfter"?, "requestId"?}`` (``retryAfter``: seconds)."""
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if retry_after is not None:
        frame["retryAfter"] = retry_after
    return _with_request_id(frame, request_id)


def ack_frame(request_id: str | None, **fields: Any) -> dict[str, Any]:
    """``{"type": "ack", ...fields, "requestId"?}`` (fields that are ``None`` are left out)."""
    return _with_request_id({"type": "ack", **{k: v for k, v in fields.items() if v is not None}}, request_id)


def item_frame(item: Mapping[str, Any]) -> dict[str, Any]:
    """``{"type": "item", "item": {...}}``: one message or event from Connect."""
    return {"type": "item", "item": item}


def chat_started_frame(
    contact_id: str,
    participant_id: str,
    resume_token: str,
    request_id: str | None,
    *,
    continued_from: str | None = None,
) -> dict[str, Any]:
    """``{"type": "chatStarted", "contactId", "participantId", "resumeToken", "continuedFrom"?, "requestId"?}``."""
    frame = {
        "type": "chatStarted",
        "contactId": contact_id,
        "participantId": participant_id,
        "resumeToken": resume_token,
    }
    if continued_from:
        frame["continuedFrom"] = continued_from
    return _with_request_id(frame, request_id)


def chat_resumed_frame(
    contact_id: str, participant_id: str, resume_token: str, request_id: str | None
) -> dict[str, Any]:
    """``{"type": "chatResumed", "contactId", "participantId", "resumeToken", "requestId"?}``."""
    frame = {
        "type": "chatResumed",
        "contactId": contact_id,
        "participantId": participant_id,
        "resumeToken": resume_token,
    }
    return _with_request_id(frame, request_id)


def chat_ended_frame(contact_id: str, request_id: str | None = None) -> dict[str, Any]:
    """``{"type": "chatEnded", "contactId", "requestId"?}``."""
    return _with_request_id({"type": "chatEnded", "contactId": contact_id}, request_id)


def transcript_frame(items: list[dict[str, Any]], next_token: str | None, request_id: str | None) -> dict[str, Any]:
    """``{"type": "transcript", "items", "nextToken"?, "requestId"?}``."""
    frame: dict[str, Any] = {"type": "transcript", "items": items}
    if next_token:
        frame["nextToken"] = next_token
    return _with_request_id(frame, request_id)


def attachment_upload_frame(
    attachment_id: str, url: str, headers: Mapping[str, str], expires_at: str | None, request_id: str | None
) -> dict[str, Any]:
    """``{"type": "attachmentUpload", "attachmentId", "url", "headers", "expiresAt"}``: PUT the bytes there."""
    frame = {
        "type": "attachmentUpload",
        "attachmentId": attachment_id,
        "url": url,
        "headers": dict(headers),
        "expiresAt": expires_at,
    }
    return _with_request_id(frame, request_id)


def attachment_url_frame(
    attachment_id: str, url: str, expires_at: str | None, request_id: str | None
) -> dict[str, Any]:
    """``{"type": "attachmentUrl", "attachmentId", "url", "expiresAt"}``: a fresh download URL."""
    return _with_request_id(
        {"type": "attachmentUrl", "attachmentId": attachment_id, "url": url, "expiresAt": expires_at}, request_id
    )


def resume_token_frame(resume_token: str) -> dict[str, Any]:
    """``{"type": "resumeToken", "resumeToken"}``: the chat's newest resume token, for the other tabs."""
    return {"type": "resumeToken", "resumeToken": resume_token}


def encode(frame: Mapping[str, Any]) -> bytes:
    """A server frame as the bytes posted to a connection."""
    return json.dumps(frame, separators=(",", ":")).encode()
