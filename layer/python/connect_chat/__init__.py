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
    from connect_chat.clock import Clock as Clock
    from connect_chat.clock import SystemClock as SystemClock
    from connect_chat.config import GlobalConfig as GlobalConfig
    from connect_chat.config import LoggerConfig as LoggerConfig
    from connect_chat.config import MessageReceiptsConfig as MessageReceiptsConfig
    from connect_chat.config import get_global_config as get_global_config
    from connect_chat.config import reset_global_config as reset_global_config
    from connect_chat.config import set_feature_flag as set_feature_flag
    from connect_chat.config import set_global_config as set_global_config
    from connect_chat.config import set_region_override as set_region_override
    from connect_chat.connection.backoff import Timing as Timing
    from connect_chat.errors import AccessDeniedError as AccessDeniedError
    from connect_chat.errors import AttachmentError as AttachmentError
    from connect_chat.errors import ChatEndedError as ChatEndedError
    from connect_chat.errors import ConflictError as ConflictError
    from connect_chat.errors import ConnectChatError as ConnectChatError
    from connect_chat.errors import ConnectionBrokenError as ConnectionBrokenError
    from connect_chat.errors import InternalServerError as InternalServerError
    from connect_chat.errors import InvalidArgumentError as InvalidArgumentError
    from connect_chat.errors import NetworkError as NetworkError
    from connect_chat.errors import NotConnectedError as NotConnectedError
    from connect_chat.errors import ParticipantServiceError as ParticipantServiceError
    from connect_chat.errors import ResourceNotFoundError as ResourceNotFoundError
    from connect_chat.errors import ServiceQuotaExceededError as ServiceQuotaExceededError
    from connect_chat.errors import ServiceValidationError as ServiceValidationError
    from connect_chat.errors import SubscriptionFailedError as SubscriptionFailedError
    from connect_chat.errors import ThrottlingError as ThrottlingError
    from connect_chat.errors import UnsupportedOperationError as UnsupportedOperationError
    from connect_chat.events import EventName as EventName
    from connect_chat.log import Logger as Logger
    from connect_chat.log import LogLevel as LogLevel
    from connect_chat.loggers import get_logger as get_logger
    from connect_chat.metrics import MetricsRecorder as MetricsRecorder
    from connect_chat.protocol import content_types as content_types
    from connect_chat.protocol.items import Attachment as Attachment
    from connect_chat.protocol.items import Item as Item
    from connect_chat.protocol.items import ItemType as ItemType
    from connect_chat.protocol.items import MessageMetadata as MessageMetadata
    from connect_chat.protocol.items import ParticipantRole as ParticipantRole
    from connect_chat.protocol.items import Receipt as Receipt
    from connect_chat.protocol.state import ConnectionStatus as ConnectionStatus
    from connect_chat.protocol.state import Reason as Reason
    from connect_chat.protocol.state import ReasonCode as ReasonCode
    from connect_chat.protocol.streaming import Audience as Audience
    from connect_chat.protocol.streaming import MessageVisibility as MessageVisibility
    from connect_chat.protocol.streaming import StreamingNotification as StreamingNotification
    from connect_chat.protocol.streaming import items_from_sns_event as items_from_sns_event
    from connect_chat.protocol.streaming import parse_sns_record as parse_sns_record
    from connect_chat.protocol.streaming import parse_streaming_message as parse_streaming_message
    from connect_chat.session import AgentChatSession as AgentChatSession
    from connect_chat.session import ChatSession as ChatSession
    from connect_chat.session import CustomerChatSession as CustomerChatSession
    from connect_chat.stateless import StatelessChatSession as StatelessChatSession
    from connect_chat.transcript import MessageStatus as MessageStatus
    from connect_chat.transcript import Transcript as Transcript
    from connect_chat.transcript import TranscriptEntry as TranscriptEntry
    from connect_chat.validation import ChatDetails as ChatDetails

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

#: The names imported on first use come from ``_EXPORTS``; type checkers see them through the re-exports above.
__all__ = ["ReceiptKind", "ScanDirection", "SessionType", "SessionTypes", "SortOrder", "__version__", *_EXPORTS]
