"""connect_chat: Amazon Connect chat sessions in Python (amazon-connect-chatjs parity).

Long-lived (asyncio)::

    session = ChatSession.create(chat_details=details, type=SessionType.CUSTOMER)
    session.on_message(lambda event: print(event["data"]["Content"]))
    await session.connect()
    await session.send_message("hello")

Stateless (Lambda)::

    session = ChatSession.create_stateless({"contactId": ..., "participantId": ..., "connectionToken": ...})
    session.send_message("hello")
    items = session.items_from_event(sns_event)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connect_chat._lazy import lazy_exports
from connect_chat.constants import ReceiptKind, ScanDirection, SessionType, SortOrder

if TYPE_CHECKING:
    from connect_chat.clock import Clock, SystemClock
    from connect_chat.config import (
        GlobalConfig,
        LoggerConfig,
        MessageReceiptsConfig,
        get_global_config,
        reset_global_config,
        set_feature_flag,
        set_global_config,
        set_region_override,
    )
    from connect_chat.connection.backoff import Timing
    from connect_chat.errors import (
        AccessDeniedError,
        AttachmentError,
        ChatEndedError,
        ConflictError,
        ConnectChatError,
        ConnectionBrokenError,
        InternalServerError,
        InvalidArgumentError,
        NetworkError,
        NotConnectedError,
        ParticipantServiceError,
        ResourceNotFoundError,
        ServiceQuotaExceededError,
        ServiceValidationError,
        SubscriptionFailedError,
        ThrottlingError,
        UnsupportedOperationError,
    )
    from connect_chat.events import EventName
    from connect_chat.log import Logger, LogLevel
    from connect_chat.loggers import get_logger
    from connect_chat.metrics import MetricsRecorder
    from connect_chat.protocol import content_types
    from connect_chat.protocol.items import Attachment, Item, ItemType, MessageMetadata, ParticipantRole, Receipt
    from connect_chat.protocol.state import ConnectionStatus, Reason, ReasonCode
    from connect_chat.protocol.streaming import (
        Audience,
        MessageVisibility,
        StreamingNotification,
        items_from_sns_event,
        parse_sns_record,
        parse_streaming_message,
    )
    from connect_chat.session import AgentChatSession, ChatSession, CustomerChatSession
    from connect_chat.stateless import StatelessChatSession
    from connect_chat.transcript import MessageStatus, Transcript, TranscriptEntry
    from connect_chat.validation import ChatDetails

#: Exported name -> the module defining it, imported on first use.
_EXPORTS = {
    "Clock": "connect_chat.clock",
    "SystemClock": "connect_chat.clock",
    "GlobalConfig": "connect_chat.config",
    "LoggerConfig": "connect_chat.config",
    "MessageReceiptsConfig": "connect_chat.config",
    "get_global_config": "connect_chat.config",
    "reset_global_config": "connect_chat.config",
    "set_feature_flag": "connect_chat.config",
    "set_global_config": "connect_chat.config",
    "set_region_override": "connect_chat.config",
    "Timing": "connect_chat.connection.backoff",
    "AccessDeniedError": "connect_chat.errors",
    "AttachmentError": "connect_chat.errors",
    "ChatEndedError": "connect_chat.errors",
    "ConflictError": "connect_chat.errors",
    "ConnectChatError": "connect_chat.errors",
    "ConnectionBrokenError": "connect_chat.errors",
    "InternalServerError": "connect_chat.errors",
    "InvalidArgumentError": "connect_chat.errors",
    "NetworkError": "connect_chat.errors",
    "NotConnectedError": "connect_chat.errors",
    "ParticipantServiceError": "connect_chat.errors",
    "ResourceNotFoundError": "connect_chat.errors",
    "ServiceQuotaExceededError": "connect_chat.errors",
    "ServiceValidationError": "connect_chat.errors",
    "SubscriptionFailedError": "connect_chat.errors",
    "ThrottlingError": "connect_chat.errors",
    "UnsupportedOperationError": "connect_chat.errors",
    "EventName": "connect_chat.events",
    "Logger": "connect_chat.log",
    "LogLevel": "connect_chat.log",
    "get_logger": "connect_chat.loggers",
    "MetricsRecorder": "connect_chat.metrics",
    "content_types": "connect_chat.protocol",
    "Attachment": "connect_chat.protocol.items",
    "Item": "connect_chat.protocol.items",
    "ItemType": "connect_chat.protocol.items",
    "MessageMetadata": "connect_chat.protocol.items",
    "ParticipantRole": "connect_chat.protocol.items",
    "Receipt": "connect_chat.protocol.items",
    "ConnectionStatus": "connect_chat.protocol.state",
    "Reason": "connect_chat.protocol.state",
    "ReasonCode": "connect_chat.protocol.state",
    "Audience": "connect_chat.protocol.streaming",
    "MessageVisibility": "connect_chat.protocol.streaming",
    "StreamingNotification": "connect_chat.protocol.streaming",
    "items_from_sns_event": "connect_chat.protocol.streaming",
    "parse_sns_record": "connect_chat.protocol.streaming",
    "parse_streaming_message": "connect_chat.protocol.streaming",
    "AgentChatSession": "connect_chat.session",
    "ChatSession": "connect_chat.session",
    "CustomerChatSession": "connect_chat.session",
    "StatelessChatSession": "connect_chat.stateless",
    "MessageStatus": "connect_chat.transcript",
    "Transcript": "connect_chat.transcript",
    "TranscriptEntry": "connect_chat.transcript",
    "ChatDetails": "connect_chat.validation",
}
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)

SessionTypes = SessionType
"""ChatJS spelling of :class:`SessionType`."""

__version__ = "0.1.0"

__all__ = [
    "AccessDeniedError",
    "AgentChatSession",
    "Attachment",
    "AttachmentError",
    "Audience",
    "ChatDetails",
    "ChatEndedError",
    "ChatSession",
    "Clock",
    "ConflictError",
    "ConnectChatError",
    "ConnectionBrokenError",
    "ConnectionStatus",
    "CustomerChatSession",
    "EventName",
    "GlobalConfig",
    "InternalServerError",
    "InvalidArgumentError",
    "Item",
    "ItemType",
    "LogLevel",
    "Logger",
    "LoggerConfig",
    "MessageMetadata",
    "MessageReceiptsConfig",
    "MessageStatus",
    "MessageVisibility",
    "MetricsRecorder",
    "NetworkError",
    "NotConnectedError",
    "ParticipantRole",
    "ParticipantServiceError",
    "Reason",
    "ReasonCode",
    "Receipt",
    "ReceiptKind",
    "ResourceNotFoundError",
    "ScanDirection",
    "ServiceQuotaExceededError",
    "ServiceValidationError",
    "SessionType",
    "SessionTypes",
    "SortOrder",
    "StatelessChatSession",
    "StreamingNotification",
    "SubscriptionFailedError",
    "SystemClock",
    "ThrottlingError",
    "Timing",
    "Transcript",
    "TranscriptEntry",
    "UnsupportedOperationError",
    "__version__",
    "content_types",
    "get_global_config",
    "get_logger",
    "items_from_sns_event",
    "parse_sns_record",
    "parse_streaming_message",
    "reset_global_config",
    "set_feature_flag",
    "set_global_config",
    "set_region_override",
]
