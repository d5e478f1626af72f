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
from connect_chat.constants import ReceiptKind, ScanDirection, SessionType, SortOrder
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
from connect_chat.log import Logger, LogLevel, get_logger
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
