"""Content types and limits of Connect chat, as the public documentation states them."""

from __future__ import annotations

EVENT_PREFIX = "application/vnd.amazonaws.connect.event."

TEXT_PLAIN = "text/plain"
TEXT_MARKDOWN = "text/markdown"
APPLICATION_JSON = "application/json"
INTERACTIVE = "application/vnd.amazonaws.connect.message.interactive"
INTERACTIVE_RESPONSE = "application/vnd.amazonaws.connect.message.interactive.response"

#: What StartChatContact's SupportedMessagingContentTypes may list (text/plain is mandatory).
SUPPORTABLE_MESSAGE_TYPES = frozenset({TEXT_PLAIN, TEXT_MARKDOWN, APPLICATION_JSON, INTERACTIVE, INTERACTIVE_RESPONSE})

#: SendMessage's documented content limit: 16,384 UTF-8 bytes for every content type.
MESSAGE_MAX_BYTES = 16384

TYPING = EVENT_PREFIX + "typing"
CONNECTION_ACKNOWLEDGED = EVENT_PREFIX + "connection.acknowledged"
MESSAGE_DELIVERED = EVENT_PREFIX + "message.delivered"
MESSAGE_READ = EVENT_PREFIX + "message.read"
PARTICIPANT_JOINED = EVENT_PREFIX + "participant.joined"
PARTICIPANT_LEFT = EVENT_PREFIX + "participant.left"
PARTICIPANT_IDLE = EVENT_PREFIX + "participant.idle"
PARTICIPANT_RETURNED = EVENT_PREFIX + "participant.returned"
PARTICIPANT_AUTODISCONNECTION = EVENT_PREFIX + "participant.autodisconnection"
CHAT_ENDED = EVENT_PREFIX + "chat.ended"
CHAT_REHYDRATED = EVENT_PREFIX + "chat.rehydrated"
AUTHENTICATION_INITIATED = EVENT_PREFIX + "authentication.initiated"
AUTHENTICATION_CANCELLED = EVENT_PREFIX + "authentication.cancelled"

#: What SendEvent accepts. The reference still lists connection.acknowledged, as "no longer supported since
#: 31 December 2024": CreateParticipantConnection's ConnectParticipant acknowledges the connection instead.
SENDABLE_EVENT_TYPES = frozenset({TYPING, MESSAGE_DELIVERED, MESSAGE_READ})

#: Event content types GetTranscript keeps (the API reference lists them); typing and receipts are live only.
TRANSCRIPT_EVENT_TYPES = frozenset(
    {
        EVENT_PREFIX + "participant.invited",
        PARTICIPANT_JOINED,
        PARTICIPANT_LEFT,
        CHAT_ENDED,
        EVENT_PREFIX + "transfer.succeeded",
        EVENT_PREFIX + "transfer.failed",
        CHAT_REHYDRATED,
    }
)

#: Attachment types of the Connect feature specifications, by MIME type, with their file extensions.
ATTACHMENT_TYPES: dict[str, tuple[str, ...]] = {
    "text/csv": (".csv",),
    "application/msword": (".doc",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "image/heic": (".heic",),
    "image/jpeg": (".jpeg", ".jpg"),
    "application/json": (".json",),
    "video/quicktime": (".mov",),
    "video/mp4": (".mp4",),
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "application/vnd.ms-powerpoint": (".ppt",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/rtf": (".rtf",),
    "text/plain": (".txt",),
    "audio/wav": (".wav",),
    "audio/x-wav": (".wav",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}

#: Attachment size limit (20 MB).
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024

#: Leading bytes a file of the type must start with; used by the simulated malware/type scan.
MAGIC_NUMBERS: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/pdf": (b"%PDF",),
}

#: Leading bytes of executables: always rejected by the scan.
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!")
