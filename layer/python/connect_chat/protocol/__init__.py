"""Sans-I/O core of the Connect chat protocol: content types, items, websocket frames, streaming, state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from connect_chat._lazy import lazy_exports
from connect_chat.protocol import content_types

if TYPE_CHECKING:
    from connect_chat.protocol.frames import ChatFrame as ChatFrame
    from connect_chat.protocol.frames import FailureFrame as FailureFrame
    from connect_chat.protocol.frames import Frame as Frame
    from connect_chat.protocol.frames import FrameDecodeError as FrameDecodeError
    from connect_chat.protocol.frames import HeartbeatFrame as HeartbeatFrame
    from connect_chat.protocol.frames import PingFrame as PingFrame
    from connect_chat.protocol.frames import SubscribeFrame as SubscribeFrame
    from connect_chat.protocol.frames import UnknownFrame as UnknownFrame
    from connect_chat.protocol.frames import decode_frame as decode_frame
    from connect_chat.protocol.frames import encode_heartbeat as encode_heartbeat
    from connect_chat.protocol.frames import encode_ping as encode_ping
    from connect_chat.protocol.frames import encode_subscribe as encode_subscribe
    from connect_chat.protocol.frames import encode_unsubscribe as encode_unsubscribe
    from connect_chat.protocol.items import Attachment as Attachment
    from connect_chat.protocol.items import Item as Item
    from connect_chat.protocol.items import ItemDecodeError as ItemDecodeError
    from connect_chat.protocol.items import ItemType as ItemType
    from connect_chat.protocol.items import MessageMetadata as MessageMetadata
    from connect_chat.protocol.items import ParticipantRole as ParticipantRole
    from connect_chat.protocol.items import Receipt as Receipt
    from connect_chat.protocol.items import format_timestamp as format_timestamp
    from connect_chat.protocol.items import parse_timestamp as parse_timestamp
    from connect_chat.protocol.state import ChatEndedTransition as ChatEndedTransition
    from connect_chat.protocol.state import ConnectionBrokenTransition as ConnectionBrokenTransition
    from connect_chat.protocol.state import ConnectionEstablishedTransition as ConnectionEstablishedTransition
    from connect_chat.protocol.state import ConnectionLostTransition as ConnectionLostTransition
    from connect_chat.protocol.state import ConnectionStateMachine as ConnectionStateMachine
    from connect_chat.protocol.state import ConnectionStatus as ConnectionStatus
    from connect_chat.protocol.state import InvalidTransitionError as InvalidTransitionError
    from connect_chat.protocol.state import Reason as Reason
    from connect_chat.protocol.state import ReasonCode as ReasonCode
    from connect_chat.protocol.state import Transition as Transition
    from connect_chat.protocol.streaming import Audience as Audience
    from connect_chat.protocol.streaming import MessageVisibility as MessageVisibility
    from connect_chat.protocol.streaming import StreamingDecodeError as StreamingDecodeError
    from connect_chat.protocol.streaming import StreamingNotification as StreamingNotification
    from connect_chat.protocol.streaming import items_from_sns_event as items_from_sns_event
    from connect_chat.protocol.streaming import parse_sns_record as parse_sns_record
    from connect_chat.protocol.streaming import parse_streaming_message as parse_streaming_message

#: Exported name -> the module defining it, imported on first use.
_EXPORTS = {
    "ChatFrame": "connect_chat.protocol.frames",
    "FailureFrame": "connect_chat.protocol.frames",
    "Frame": "connect_chat.protocol.frames",
    "FrameDecodeError": "connect_chat.protocol.frames",
    "HeartbeatFrame": "connect_chat.protocol.frames",
    "PingFrame": "connect_chat.protocol.frames",
    "SubscribeFrame": "connect_chat.protocol.frames",
    "UnknownFrame": "connect_chat.protocol.frames",
    "decode_frame": "connect_chat.protocol.frames",
    "encode_heartbeat": "connect_chat.protocol.frames",
    "encode_ping": "connect_chat.protocol.frames",
    "encode_subscribe": "connect_chat.protocol.frames",
    "encode_unsubscribe": "connect_chat.protocol.frames",
    "Attachment": "connect_chat.protocol.items",
    "Item": "connect_chat.protocol.items",
    "ItemDecodeError": "connect_chat.protocol.items",
    "ItemType": "connect_chat.protocol.items",
    "MessageMetadata": "connect_chat.protocol.items",
    "ParticipantRole": "connect_chat.protocol.items",
    "Receipt": "connect_chat.protocol.items",
    "format_timestamp": "connect_chat.protocol.items",
    "parse_timestamp": "connect_chat.protocol.items",
    "ChatEndedTransition": "connect_chat.protocol.state",
    "ConnectionBrokenTransition": "connect_chat.protocol.state",
    "ConnectionEstablishedTransition": "connect_chat.protocol.state",
    "ConnectionLostTransition": "connect_chat.protocol.state",
    "ConnectionStateMachine": "connect_chat.protocol.state",
    "ConnectionStatus": "connect_chat.protocol.state",
    "InvalidTransitionError": "connect_chat.protocol.state",
    "Reason": "connect_chat.protocol.state",
    "ReasonCode": "connect_chat.protocol.state",
    "Transition": "connect_chat.protocol.state",
    "Audience": "connect_chat.protocol.streaming",
    "MessageVisibility": "connect_chat.protocol.streaming",
    "StreamingDecodeError": "connect_chat.protocol.streaming",
    "StreamingNotification": "connect_chat.protocol.streaming",
    "items_from_sns_event": "connect_chat.protocol.streaming",
    "parse_sns_record": "connect_chat.protocol.streaming",
    "parse_streaming_message": "connect_chat.protocol.streaming",
}
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)

#: The names imported on first use come from ``_EXPORTS``; type checkers see them through the re-exports above.
__all__ = ["content_types", *_EXPORTS]
