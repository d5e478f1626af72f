"""Content types of the Amazon Connect chat protocol.

Message content types, event content types and the lists of what a participant may send.
"""

from __future__ import annotations

from typing import Final

# --- messages -----------------------------------------------------------------------------------------
TEXT_PLAIN: Final = "text/plain"
TEXT_MARKDOWN: Final = "text/markdown"
TEXT_CSV: Final = "text/csv"
APPLICATION_JSON: Final = "application/json"
INTERACTIVE_MESSAGE: Final = "application/vnd.amazonaws.connect.message.interactive"
INTERACTIVE_MESSAGE_RESPONSE: Final = "application/vnd.amazonaws.connect.message.interactive.response"

# --- events -------------------------------------------------------------------------------------------
EVENT_PREFIX: Final = "application/vnd.amazonaws.connect.event."
TYPING: Final = EVENT_PREFIX + "typing"
CONNECTION_ACKNOWLEDGED: Final = EVENT_PREFIX + "connection.acknowledged"
MESSAGE_READ: Final = EVENT_PREFIX + "message.read"
MESSAGE_DELIVERED: Final = EVENT_PREFIX + "message.delivered"
PARTICIPANT_JOINED: Final = EVENT_PREFIX + "participant.joined"
PARTICIPANT_LEFT: Final = EVENT_PREFIX + "participant.left"
PARTICIPANT_ACTIVE: Final = EVENT_PREFIX + "participant.active"
PARTICIPANT_INACTIVE: Final = EVENT_PREFIX + "participant.inactive"
PARTICIPANT_IDLE: Final = EVENT_PREFIX + "participant.idle"
PARTICIPANT_RETURNED: Final = EVENT_PREFIX + "participant.returned"
PARTICIPANT_INVITED: Final = EVENT_PREFIX + "participant.invited"
PARTICIPANT_AUTODISCONNECTION: Final = EVENT_PREFIX + "participant.autodisconnection"
PARTICIPANT_DISPLAYNAME_UPDATED: Final = EVENT_PREFIX + "participant.displayname.updated"
TRANSFER_SUCCEEDED: Final = EVENT_PREFIX + "transfer.succeeded"
TRANSFER_FAILED: Final = EVENT_PREFIX + "transfer.failed"
CHAT_ENDED: Final = EVENT_PREFIX + "chat.ended"
CHAT_REHYDRATED: Final = EVENT_PREFIX + "chat.rehydrated"
WORKFLOW_CANCELLED: Final = EVENT_PREFIX + "workflow.cancelled"
AUTHENTICATION_INITIATED: Final = EVENT_PREFIX + "authentication.initiated"
AUTHENTICATION_SUCCEEDED: Final = EVENT_PREFIX + "authentication.succeeded"
AUTHENTICATION_FAILED: Final = EVENT_PREFIX + "authentication.failed"
AUTHENTICATION_TIMEOUT: Final = EVENT_PREFIX + "authentication.timeout"
AUTHENTICATION_EXPIRED: Final = EVENT_PREFIX + "authentication.expired"
AUTHENTICATION_CANCELLED: Final = EVENT_PREFIX + "authentication.cancelled"

# --- attachments (the MIME types the service accepts) -------------------------------------------------
ATTACHMENT_CONTENT_TYPES: Final[dict[str, str]] = {
    "text/csv": ".csv",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "image/heic": ".heic",
    "image/jpeg": ".jpeg/.jpg",
    "application/json": ".json",
    "video/quicktime": ".mov",
    "video/mp4": ".mp4",
    "application/pdf": ".pdf",
    "image/png": ".png",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/rtf": ".rtf",
    "text/plain": ".txt",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
"""Attachment MIME type -> file extension(s) accepted by the Participant Service."""

EXTENSION_CONTENT_TYPES: Final[dict[str, str]] = {
    ".csv": "text/csv",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".heic": "image/heic",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".json": "application/json",
    ".mov": "video/quicktime",
    ".mp4": "video/mp4",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".rtf": "application/rtf",
    ".txt": "text/plain",
    ".wav": "audio/wav",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
"""File extension -> attachment MIME type, used when the caller gives a file name but no content type."""

MAX_ATTACHMENT_SIZE_BYTES: Final = 20 * 1024 * 1024
"""The largest attachment the service accepts (20 MB)."""

# --- what a participant may send ----------------------------------------------------------------------
SENDABLE_MESSAGE_CONTENT_TYPES: Final[tuple[str, ...]] = (
    TEXT_PLAIN,
    TEXT_MARKDOWN,
    APPLICATION_JSON,
    INTERACTIVE_MESSAGE_RESPONSE,
)
"""Content types accepted by SendMessage."""

MESSAGE_CONTENT_TYPES: Final[tuple[str, ...]] = (
    TEXT_PLAIN,
    TEXT_MARKDOWN,
    TEXT_CSV,
    APPLICATION_JSON,
    INTERACTIVE_MESSAGE,
    INTERACTIVE_MESSAGE_RESPONSE,
    *sorted(set(ATTACHMENT_CONTENT_TYPES) - {TEXT_PLAIN, TEXT_CSV, APPLICATION_JSON}),
)
"""Every content type a MESSAGE or ATTACHMENT item may carry."""

SENDABLE_EVENT_CONTENT_TYPES: Final[tuple[str, ...]] = (
    TYPING,
    MESSAGE_DELIVERED,
    MESSAGE_READ,
)
"""Content types accepted by SendEvent. ``connection.acknowledged`` is no longer one: the Participant Service
reference says it is unsupported since 31 December 2024 (CreateParticipantConnection with ``ConnectParticipant``
acknowledges the connection instead)."""

EVENT_CONTENT_TYPES: Final[tuple[str, ...]] = (
    TYPING,
    CONNECTION_ACKNOWLEDGED,
    MESSAGE_READ,
    MESSAGE_DELIVERED,
    PARTICIPANT_JOINED,
    PARTICIPANT_LEFT,
    PARTICIPANT_ACTIVE,
    PARTICIPANT_INACTIVE,
    PARTICIPANT_IDLE,
    PARTICIPANT_RETURNED,
    PARTICIPANT_INVITED,
    PARTICIPANT_AUTODISCONNECTION,
    PARTICIPANT_DISPLAYNAME_UPDATED,
    TRANSFER_SUCCEEDED,
    TRANSFER_FAILED,
    CHAT_ENDED,
    CHAT_REHYDRATED,
    WORKFLOW_CANCELLED,
    AUTHENTICATION_INITIATED,
    AUTHENTICATION_SUCCEEDED,
    AUTHENTICATION_FAILED,
    AUTHENTICATION_TIMEOUT,
    AUTHENTICATION_EXPIRED,
    AUTHENTICATION_CANCELLED,
)
"""Every event content type the service emits."""

MESSAGE_MAX_BYTES: Final = 16384
"""SendMessage content limit in the current API reference: 16,384 UTF-8 bytes for every content type."""

# The older, per-type limits (characters) that earlier versions of the API reference gave; opt in with
# ``set_global_config(features={"message_length_limits": "per_type"})``.
MESSAGE_LENGTH_LIMITS: Final[dict[str, tuple[int, int]]] = {
    TEXT_PLAIN: (1, 1024),
    TEXT_MARKDOWN: (1, 1024),
    APPLICATION_JSON: (1, 12000),
    INTERACTIVE_MESSAGE_RESPONSE: (1, 12288),
}
"""Content type -> (minimum, maximum) length of the message content."""

RECEIPT_CONTENT_TYPES: Final[dict[str, str]] = {"read": MESSAGE_READ, "delivered": MESSAGE_DELIVERED}
"""Receipt kind -> event content type."""


def is_event(content_type: str) -> bool:
    """Return whether ``content_type`` is an event content type.

    Parameters
    ----------
    content_type : str
        A chat content type.

    Returns
    -------
    bool
        True for ``application/vnd.amazonaws.connect.event.*``.
    """
    return content_type.startswith(EVENT_PREFIX)
