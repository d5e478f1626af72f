"""The relay's client protocol: frames the browser sends (validated) and frames it receives.

Client → server frames are JSON objects routed on ``action``; server → client frames carry a ``type``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from connect_chat.protocol import content_types as ct

#: API Gateway's WebSocket frame limit (32 KB); larger messages are refused before parsing.
MAX_FRAME_BYTES = 32 * 1024

RequestId = Annotated[str, Field(min_length=1, max_length=64)]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    request_id: RequestId | None = Field(default=None, alias="requestId")


class StartChat(_Frame):
    action: Literal["startChat"]
    display_name: str = Field(alias="displayName", min_length=1, max_length=256)
    attributes: dict[Annotated[str, Field(min_length=1, max_length=128)], Annotated[str, Field(max_length=1024)]] = (
        Field(default_factory=dict, max_length=32)
    )


class ResumeChat(_Frame):
    action: Literal["resumeChat"]
    resume_token: str = Field(alias="resumeToken", min_length=20, max_length=200)
    after_id: str | None = Field(default=None, alias="afterId", min_length=1, max_length=256)


class SendMessage(_Frame):
    action: Literal["sendMessage"]
    content: str = Field(min_length=1)
    content_type: str = Field(default=ct.TEXT_PLAIN, alias="contentType", max_length=100)


EventType = Literal[
    "application/vnd.amazonaws.connect.event.typing",
    "application/vnd.amazonaws.connect.event.message.read",
    "application/vnd.amazonaws.connect.event.message.delivered",
]


class SendEvent(_Frame):
    action: Literal["sendEvent"]
    content_type: EventType = Field(alias="contentType")
    message_id: str | None = Field(default=None, alias="messageId", min_length=1, max_length=256)


class StartPosition(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    id: str | None = Field(default=None, min_length=1, max_length=256)
    absolute_time: str | None = Field(default=None, alias="absoluteTime", min_length=1, max_length=100)
    most_recent: int | None = Field(default=None, alias="mostRecent", ge=0, le=100)


class GetTranscript(_Frame):
    action: Literal["getTranscript"]
    max_results: int = Field(default=15, alias="maxResults", ge=1, le=100)
    next_token: str | None = Field(default=None, alias="nextToken", min_length=1, max_length=1000)
    scan_direction: Literal["FORWARD", "BACKWARD"] = Field(default="BACKWARD", alias="scanDirection")
    sort_order: Literal["ASCENDING", "DESCENDING"] = Field(default="ASCENDING", alias="sortOrder")
    start_position: StartPosition | None = Field(default=None, alias="startPosition")


class SendAttachment(_Frame):
    """Without ``attachmentId``: ask for an upload URL. With it: the upload is done, post the attachment."""

    action: Literal["sendAttachment"]
    attachment_id: str | None = Field(default=None, alias="attachmentId", min_length=1, max_length=256)
    file_name: str | None = Field(default=None, alias="fileName", min_length=1, max_length=256)
    content_type: str | None = Field(default=None, alias="contentType", min_length=1, max_length=255)
    size: int | None = Field(default=None, ge=1)


class GetAttachment(_Frame):
    action: Literal["getAttachment"]
    attachment_id: str = Field(alias="attachmentId", min_length=1, max_length=256)


class EndChat(_Frame):
    action: Literal["endChat"]


ClientFrame = Annotated[
    StartChat | ResumeChat | SendMessage | SendEvent | GetTranscript | SendAttachment | GetAttachment | EndChat,
    Field(discriminator="action"),
]
ACTIONS = (
    "startChat",
    "resumeChat",
    "sendMessage",
    "sendEvent",
    "getTranscript",
    "sendAttachment",
    "getAttachment",
    "endChat",
)
_ADAPTER: TypeAdapter[Any] = TypeAdapter(ClientFrame)


class FrameError(ValueError):
    """A frame the relay refuses; ``code`` and ``message`` go back to the client in an ``error`` frame."""

    def __init__(self, code: str, message: str, request_id: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.request_id = request_id


def parse_frame(body: str | bytes | None) -> Any:
    """Validate one client frame; raise :class:`FrameError` naming the field and the rule it breaks."""
    raw = body.encode() if isinstance(body, str) else (body or b"")
    if len(raw) > MAX_FRAME_BYTES:
        raise FrameError("PAYLOAD_TOO_LARGE", f"frame is {len(raw)} bytes; the limit is {MAX_FRAME_BYTES}")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise FrameError("BAD_REQUEST", "frame is not valid JSON") from None
    if not isinstance(data, dict):
        raise FrameError("BAD_REQUEST", "frame must be a JSON object with an 'action'")
    request_id = data.get("requestId") if isinstance(data.get("requestId"), str) else None
    action = data.get("action")
    if action not in ACTIONS:
        raise FrameError("UNKNOWN_ACTION", f"action {action!r} is not one of {list(ACTIONS)}", request_id)
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            location = ".".join(str(p) for p in error["loc"][1:]) or "frame"
            problems.append(f"{location}: {error['msg']}")
        raise FrameError("VALIDATION_ERROR", "; ".join(problems), request_id) from None


def error_frame(code: str, message: str, request_id: str | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if request_id:
        frame["requestId"] = request_id
    return frame


def ack_frame(request_id: str | None, **fields: Any) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "ack", **{k: v for k, v in fields.items() if v is not None}}
    if request_id:
        frame["requestId"] = request_id
    return frame


def item_frame(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "item", "item": item}
