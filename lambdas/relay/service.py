"""What the relay does for each client frame: Participant Service calls on behalf of one connection.

The browser never holds a Connect token: the chat's participant and connection tokens stay in the session
table, and the browser gets only an opaque resume token (whose hash is stored).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from common import frames as f
from common.contacts import ParticipantDetailsInput, StartChatError, StartChatRequest, start_chat_contact
from common.gateway import ConnectionPoster, poster_for
from common.hooks import Hook, HookMessage, apply_hooks
from common.sessions import GRACE_SECONDS, ChatRecord, SessionStore
from common.settings import Settings
from connect_chat.errors import (
    AccessDeniedError,
    ConflictError,
    ConnectChatError,
    InvalidArgumentError,
    ServiceValidationError,
    ThrottlingError,
)
from connect_chat.operations import ChatOperations
from connect_chat.participant import ParticipantClient
from connect_chat.protocol import content_types as ct
from connect_chat.protocol.items import Item
from connect_chat.validation import validate_attachment, validate_event, validate_message

_HOOKED_TYPES = (ct.TEXT_PLAIN, ct.TEXT_MARKDOWN)
_T = TypeVar("_T")


class ChatEndedSignal(Exception):
    """The chat ended; the caller has been told with a ``chatEnded`` frame."""


class RelayService:
    """Carries out client frames for one API; posts every answer through ``poster``."""

    def __init__(
        self,
        *,
        settings: Settings,
        store: SessionStore,
        poster: ConnectionPoster,
        participant: ParticipantClient,
        connect: Any,
        hooks: Sequence[Hook] = (),
    ) -> None:
        self.settings = settings
        self.store = store
        self.poster = poster
        self.participant = participant
        self.connect = connect
        self.hooks = list(hooks)
        self._known_chats: dict[str, str | None] = {}

    # ------------------------------------------------------------------------------------ dispatch

    def handle(self, connection_id: str, frame: Any, *, looked_up: tuple[str | None] | None = None) -> None:
        """Carry out ``frame``; every failure becomes an ``error`` frame and the connection stays usable.

        ``looked_up`` holds the connection's chat id (or ``None``: no chat) when the caller already read it.
        """
        if looked_up is not None:
            self._known_chats[connection_id] = looked_up[0]
        actions: dict[type[Any], Callable[[str, Any], None]] = {
            f.StartChat: self.start_chat,
            f.ResumeChat: self.resume_chat,
            f.SendMessage: self.send_message,
            f.SendEvent: self.send_event,
            f.GetTranscript: self.get_transcript,
            f.SendAttachment: self.send_attachment,
            f.GetAttachment: self.get_attachment,
            f.EndChat: self.end_chat,
        }
        try:
            actions[type(frame)](connection_id, frame)
        except f.FrameError as exc:
            self.poster.post(connection_id, f.error_frame(exc.code, exc.message, exc.request_id or frame.request_id))
        except ChatEndedSignal:
            return
        except InvalidArgumentError as exc:
            self.poster.post(connection_id, f.error_frame("VALIDATION_ERROR", str(exc), frame.request_id))
        except ThrottlingError:
            self.poster.post(
                connection_id, f.error_frame("THROTTLED", "Connect is throttling; retry shortly", frame.request_id)
            )
        except ServiceValidationError as exc:
            self.poster.post(connection_id, f.error_frame("VALIDATION_ERROR", exc.message, frame.request_id))
        except ConflictError as exc:
            self.poster.post(connection_id, f.error_frame("CONFLICT", exc.message, frame.request_id))
        except ConnectChatError as exc:
            self.poster.post(
                connection_id,
                f.error_frame("UPSTREAM_ERROR", f"Connect answered {exc.code or 'an error'}", frame.request_id),
            )

    # ---------------------------------------------------------------------------------------- chats

    def _contact_of(self, connection_id: str) -> str | None:
        if connection_id not in self._known_chats:
            self._known_chats[connection_id] = self.store.connection_chat(connection_id)
        return self._known_chats[connection_id]

    def _chat_of(self, connection_id: str, request_id: str | None) -> ChatRecord:
        contact_id = self._contact_of(connection_id)
        chat = self.store.get_chat(contact_id) if contact_id else None
        if chat is None:
            raise f.FrameError("NO_CHAT", "start or resume a chat first", request_id)
        if chat.state == "ENDED":
            self.poster.post(connection_id, {"type": "chatEnded", "contactId": chat.contact_id})
            raise ChatEndedSignal
        return chat

    def _call(self, chat: ChatRecord, call: Callable[[str], _T]) -> _T:
        """Run ``call`` with the chat's connection token, refreshing it once if it was refused.

        A refused refresh means the chat ended in the background: every connection is told so.
        """
        try:
            return call(chat.connection_token)
        except AccessDeniedError:
            pass
        try:
            refreshed = self.participant.create_participant_connection(
                chat.participant_token, types=("CONNECTION_CREDENTIALS",)
            )
        except AccessDeniedError:
            self._chat_ended(chat.contact_id)
            raise ChatEndedSignal from None
        credentials = refreshed["ConnectionCredentials"]
        chat.connection_token = credentials["ConnectionToken"]
        chat.connection_expiry = credentials.get("Expiry", "")
        self.store.update_connection_token(chat.contact_id, chat.connection_token, chat.connection_expiry)
        try:
            return call(chat.connection_token)
        except AccessDeniedError:
            self._chat_ended(chat.contact_id)
            raise ChatEndedSignal from None

    def _chat_ended(self, contact_id: str) -> None:
        if self.store.mark_ended(contact_id):
            self.notify_ended(contact_id)

    def notify_ended(self, contact_id: str) -> None:
        """Tell every connection of the chat that it ended."""
        broadcast(self.store, contact_id, {"type": "chatEnded", "contactId": contact_id})

    def start_chat(self, connection_id: str, frame: f.StartChat) -> None:
        if self._contact_of(connection_id):
            raise f.FrameError("CHAT_ALREADY_STARTED", "this connection already has a chat", frame.request_id)
        request = StartChatRequest(
            ParticipantDetails=ParticipantDetailsInput(DisplayName=frame.display_name),
            Attributes=frame.attributes,
            ClientToken=f"{connection_id}:{frame.request_id}" if frame.request_id else None,
        )
        try:
            started = start_chat_contact(request, self.settings, self.connect, streaming=True)
        except StartChatError as exc:
            code = "THROTTLED" if exc.status == 429 else "START_FAILED"
            raise f.FrameError(code, exc.message, frame.request_id) from exc
        connection = self.participant.create_participant_connection(
            started["ParticipantToken"], types=("CONNECTION_CREDENTIALS",), connect_participant=True
        )
        credentials = connection["ConnectionCredentials"]
        resume_token = secrets.token_urlsafe(32)
        chat = ChatRecord(
            contact_id=started["ContactId"],
            participant_id=started["ParticipantId"],
            participant_token=started["ParticipantToken"],
            connection_token=credentials["ConnectionToken"],
            connection_expiry=credentials.get("Expiry", ""),
            initial_contact_id=started["ContactId"],
            expires_at=int(time.time()) + self.settings.chat_duration_minutes * 60 + GRACE_SECONDS,
            streaming_id=started.get("StreamingId"),
        )
        self.store.create_chat(chat, resume_token, connection_id, self.poster.endpoint_url)
        self.poster.post(
            connection_id,
            {
                "type": "chatStarted",
                "contactId": chat.contact_id,
                "participantId": chat.participant_id,
                "resumeToken": resume_token,
                **({"requestId": frame.request_id} if frame.request_id else {}),
            },
        )

    def resume_chat(self, connection_id: str, frame: f.ResumeChat) -> None:
        chat = self.store.chat_for_resume_token(frame.resume_token)
        if chat is None:
            raise f.FrameError("INVALID_RESUME_TOKEN", "the resume token is unknown or expired", frame.request_id)
        if chat.state == "ENDED":
            self.poster.post(connection_id, {"type": "chatEnded", "contactId": chat.contact_id})
            return
        self.store.attach(chat.contact_id, connection_id, chat.expires_at, self.poster.endpoint_url)
        resumed: dict[str, Any] = {
            "type": "chatResumed",
            "contactId": chat.contact_id,
            "participantId": chat.participant_id,
        }
        if frame.request_id:
            resumed["requestId"] = frame.request_id
        self.poster.post(connection_id, resumed)
        for item in self._items_after(chat, frame.after_id):
            self.poster.post(connection_id, f.item_frame(item))

    def _items_after(self, chat: ChatRecord, after_id: str | None) -> Iterator[dict[str, Any]]:
        """Every transcript item after ``after_id`` (the latest 100 without it), oldest first, through the hooks.

        An ``afterId`` Connect does not know (from another chat, or mistyped) replays the latest items instead;
        the client dedupes on ``Id``.
        """
        operations = ChatOperations(self.participant, lambda: chat.connection_token)
        try:
            items = self._call(chat, lambda _token: operations.fetch_items_after(after_id))
        except ServiceValidationError:
            items = self._call(chat, lambda _token: operations.fetch_items_after(None))
        for item in items:
            relayed = self.outbound(chat.contact_id, item.to_dict())
            if relayed is not None:
                yield relayed

    def _transcript_page(self, chat: ChatRecord, request: dict[str, Any]) -> dict[str, Any]:
        return self._call(chat, lambda token: self.participant.get_transcript(token, **request))

    def outbound(self, contact_id: str, raw: dict[str, Any]) -> dict[str, Any] | None:
        return outbound_item(self.hooks, contact_id, raw)

    # ------------------------------------------------------------------------------------- messages

    def send_message(self, connection_id: str, frame: f.SendMessage) -> None:
        chat = self._chat_of(connection_id, frame.request_id)
        content, content_type = validate_message(frame.content, frame.content_type)
        if content_type in _HOOKED_TYPES:
            message = apply_hooks(
                self.hooks, HookMessage("to_connect", chat.contact_id, content_type, content, "CUSTOMER")
            )
            if message is None:
                raise f.FrameError("BLOCKED", "the message was blocked by a message hook", frame.request_id)
            content = message.content
        client_token = f"{connection_id}:{frame.request_id}" if frame.request_id else None
        sent = self._call(
            chat,
            lambda token: self.participant.send_message(
                token, content=content, content_type=content_type, client_token=client_token
            ),
        )
        self.poster.post(connection_id, f.ack_frame(frame.request_id, id=sent["Id"], absoluteTime=sent["AbsoluteTime"]))

    def send_event(self, connection_id: str, frame: f.SendEvent) -> None:
        chat = self._chat_of(connection_id, frame.request_id)
        content = f'{{"messageId":"{frame.message_id}"}}' if frame.message_id else None
        content_type, content = validate_event(frame.content_type, content)
        sent = self._call(
            chat, lambda token: self.participant.send_event(token, content_type=content_type, content=content)
        )
        self.poster.post(connection_id, f.ack_frame(frame.request_id, id=sent["Id"], absoluteTime=sent["AbsoluteTime"]))

    def get_transcript(self, connection_id: str, frame: f.GetTranscript) -> None:
        chat = self._chat_of(connection_id, frame.request_id)
        request: dict[str, Any] = {
            "MaxResults": frame.max_results,
            "ScanDirection": frame.scan_direction,
            "SortOrder": frame.sort_order,
        }
        if frame.next_token:
            request["NextToken"] = frame.next_token
        if frame.start_position is not None:
            position = frame.start_position
            chosen = {
                "Id": position.id,
                "AbsoluteTime": position.absolute_time,
                "MostRecent": position.most_recent,
            }
            request["StartPosition"] = {k: v for k, v in chosen.items() if v is not None}
        page = self._transcript_page(chat, request)
        items = [self.outbound(chat.contact_id, raw) for raw in page.get("Transcript", [])]
        answer: dict[str, Any] = {"type": "transcript", "items": [i for i in items if i is not None]}
        if page.get("NextToken"):
            answer["nextToken"] = page["NextToken"]
        if frame.request_id:
            answer["requestId"] = frame.request_id
        self.poster.post(connection_id, answer)

    # ---------------------------------------------------------------------------------- attachments

    def send_attachment(self, connection_id: str, frame: f.SendAttachment) -> None:
        chat = self._chat_of(connection_id, frame.request_id)
        if frame.attachment_id:
            attachment_id = frame.attachment_id
            self._call(
                chat,
                lambda token: self.participant.complete_attachment_upload(
                    token, attachment_ids=[attachment_id], client_token=f"{connection_id}:{attachment_id}"
                ),
            )
            self.poster.post(connection_id, f.ack_frame(frame.request_id, attachmentId=attachment_id))
            return
        name, size, content_type = validate_attachment(frame.file_name, frame.size, frame.content_type)
        started = self._call(
            chat,
            lambda token: self.participant.start_attachment_upload(
                token, name=name, size=size, content_type=content_type
            ),
        )
        upload = started["UploadMetadata"]
        answer: dict[str, Any] = {
            "type": "attachmentUpload",
            "attachmentId": started["AttachmentId"],
            "url": upload["Url"],
            "headers": upload.get("HeadersToInclude", {}),
            "expiresAt": upload.get("UrlExpiry"),
        }
        if frame.request_id:
            answer["requestId"] = frame.request_id
        self.poster.post(connection_id, answer)

    def get_attachment(self, connection_id: str, frame: f.GetAttachment) -> None:
        chat = self._chat_of(connection_id, frame.request_id)
        got = self._call(chat, lambda token: self.participant.get_attachment(token, attachment_id=frame.attachment_id))
        answer: dict[str, Any] = {
            "type": "attachmentUrl",
            "attachmentId": frame.attachment_id,
            "url": got["Url"],
            "expiresAt": got.get("UrlExpiry"),
        }
        if frame.request_id:
            answer["requestId"] = frame.request_id
        self.poster.post(connection_id, answer)

    def end_chat(self, connection_id: str, frame: f.EndChat) -> None:
        chat = self._chat_of(connection_id, frame.request_id)
        self._call(chat, lambda token: self.participant.disconnect_participant(token))
        self._chat_ended(chat.contact_id)


def broadcast(store: SessionStore, contact_id: str, frame: dict[str, Any]) -> int:
    """Post ``frame`` to every connection of the chat; forget the gone ones. Returns how many got it."""
    delivered = 0
    for connection in store.connections_of(contact_id):
        if poster_for(connection.endpoint).post(connection.connection_id, frame):
            delivered += 1
        else:
            store.forget_connection(connection.connection_id)
            store.detach(contact_id, connection.connection_id)
    return delivered


def outbound_item(hooks: Sequence[Hook], contact_id: str, raw: dict[str, Any]) -> dict[str, Any] | None:
    """An item on its way to the browser, normalised and passed through the hooks (``None``: blocked)."""
    item = Item.from_dict({"ContactId": contact_id, **raw}).to_dict()
    if item.get("Type") == "MESSAGE" and item.get("ContentType") in _HOOKED_TYPES and item.get("Content"):
        message = apply_hooks(
            hooks,
            HookMessage("to_client", contact_id, item["ContentType"], item["Content"], item.get("ParticipantRole", "")),
        )
        if message is None:
            return None
        item["Content"] = message.content
    return item
