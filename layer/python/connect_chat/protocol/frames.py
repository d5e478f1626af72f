"""Participant websocket frames: encoding what we send, decoding what we receive.

Frames are JSON objects ``{"topic": ..., "content": ...}``. Sans-I/O: text in, objects out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from connect_chat.protocol._json import loads
from connect_chat.protocol._slots import slot_setters
from connect_chat.protocol.items import Item, ItemDecodeError

__all__ = [
    "CHAT_TOPIC",
    "HEARTBEAT_TOPIC",
    "PING_TOPIC",
    "SUBSCRIBE_TOPIC",
    "UNSUBSCRIBE_TOPIC",
    "ChatFrame",
    "FailureFrame",
    "Frame",
    "FrameDecodeError",
    "HeartbeatFrame",
    "PingFrame",
    "SubscribeFrame",
    "UnknownFrame",
    "decode_frame",
    "encode_heartbeat",
    "encode_ping",
    "encode_subscribe",
    "encode_unsubscribe",
]

SUBSCRIBE_TOPIC: Final = "aws/subscribe"
UNSUBSCRIBE_TOPIC: Final = "aws/unsubscribe"
HEARTBEAT_TOPIC: Final = "aws/heartbeat"
PING_TOPIC: Final = "aws/ping"
CHAT_TOPIC: Final = "aws/chat"


class FrameDecodeError(ValueError):
    """Raised when a websocket text frame is not a protocol frame."""


def _dump(frame: Mapping[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"))


def encode_subscribe(topics: tuple[str, ...] = (CHAT_TOPIC,)) -> str:
    """Return the ``aws/subscribe`` frame for ``topics``."""
    return _dump({"topic": SUBSCRIBE_TOPIC, "content": {"topics": list(topics)}})


def encode_unsubscribe(topics: tuple[str, ...] = (CHAT_TOPIC,)) -> str:
    """Return the ``aws/unsubscribe`` frame for ``topics``."""
    return _dump({"topic": UNSUBSCRIBE_TOPIC, "content": {"topics": list(topics)}})


def encode_heartbeat() -> str:
    """Return the ``aws/heartbeat`` frame."""
    return _dump({"topic": HEARTBEAT_TOPIC})


def encode_ping() -> str:
    """Return the ``aws/ping`` (deep heartbeat) frame."""
    return _dump({"topic": PING_TOPIC})


@dataclass(frozen=True, slots=True)
class SubscribeFrame:
    """Answer to ``aws/subscribe``."""

    success: bool
    topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HeartbeatFrame:
    """Answer to ``aws/heartbeat``."""


@dataclass(frozen=True, slots=True)
class PingFrame:
    """Answer to ``aws/ping``; ``ok`` when ``statusCode`` is 200."""

    status_code: int | None
    status_content: str | None = None

    @property
    def ok(self) -> bool:
        """True when the deep heartbeat succeeded."""
        return self.status_code == 200


@dataclass(frozen=True, slots=True)
class ChatFrame:
    """An ``aws/chat`` frame carrying one item.

    Attributes
    ----------
    item : Item
        The item.
    raw : Mapping[str, Any]
        The item's fields as received (the frame's parsed content), for passing on without rebuilding them
        with :meth:`Item.to_dict`; do not change it.
    """

    item: Item
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class FailureFrame:
    """A frame without a topic but with ``message``: the service reports a failure."""

    message: str
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class UnknownFrame:
    """A well-formed frame with a topic this library does not handle."""

    topic: str
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


Frame = SubscribeFrame | HeartbeatFrame | PingFrame | ChatFrame | FailureFrame | UnknownFrame


def decode_frame(text: str | bytes) -> Frame:
    """Decode one websocket text frame.

    Parameters
    ----------
    text : str | bytes
        The frame as received.

    Returns
    -------
    Frame
        One of :class:`SubscribeFrame`, :class:`HeartbeatFrame`, :class:`PingFrame`, :class:`ChatFrame`,
        :class:`FailureFrame`, :class:`UnknownFrame`.

    Raises
    ------
    FrameDecodeError
        When the text is not a JSON object, or an ``aws/chat`` frame does not carry an item.
    """
    try:
        data = loads(text)
    except (TypeError, ValueError) as exc:
        raise FrameDecodeError(f"frame is not valid JSON: {exc}") from exc
    if type(data) is not dict:
        raise FrameDecodeError(f"frame must be a JSON object, got {type(data).__name__}")
    topic = data.get("topic")
    if topic == CHAT_TOPIC:  # nearly every frame: one parse of the envelope, one of its content
        content = data.get("content")
        try:
            if type(content) is str:
                try:
                    raw = loads(content)
                except ValueError as exc:
                    raise ItemDecodeError(f"item is not valid JSON: {exc}") from exc
            elif isinstance(content, Mapping):
                raw = content
            else:
                raise FrameDecodeError("aws/chat frame has no content")
            item = Item.from_dict(raw)
        except ItemDecodeError as exc:
            raise FrameDecodeError(f"aws/chat frame content is not an item: {exc}") from exc
        frame = _new(ChatFrame)  # ChatFrame(item, raw), once per frame: built without the frozen __init__
        _set_item(frame, item)
        _set_raw(frame, raw)
        return frame
    if not topic:
        if "message" in data:
            return FailureFrame(message=str(data["message"]), raw=data)
        raise FrameDecodeError("frame has neither topic nor message")
    content = data.get("content")
    if topic == SUBSCRIBE_TOPIC:
        content_map = content if isinstance(content, Mapping) else {}
        topics = content_map.get("topics") or []
        return SubscribeFrame(
            success=content_map.get("status") == "success",
            topics=tuple(str(t) for t in topics) if isinstance(topics, list) else (),
        )
    if topic == HEARTBEAT_TOPIC:
        return HeartbeatFrame()
    if topic == PING_TOPIC:
        status = data.get("statusCode")
        return PingFrame(
            status_code=status if isinstance(status, int) else None,
            status_content=data.get("statusContent") if isinstance(data.get("statusContent"), str) else None,
        )
    return UnknownFrame(topic=str(topic), raw=data)


_new = object.__new__
_set_item, _set_raw = slot_setters(ChatFrame, 2)
