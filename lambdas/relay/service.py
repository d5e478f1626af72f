"""What the relay does for each client frame: routing and framing over the library's stateless mode.

The browser never holds a Connect token: the chat's participant and connection tokens stay in the session
table, and the browser gets only an opaque resume token (whose hash is stored). Every call to Connect goes
through a :class:`~connect_chat.stateless.StatelessChatSession`, which validates arguments, refreshes a refused
connection token once and says when the chat has ended.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from common import frames as f
from common.fanout import broadcast
from common.gateway import ConnectionPoster
from common.hooks import HOOKED_TYPES, Hook, HookMessage, apply_hooks, outbound_item
from common.sessions import (
    ENDED,
    ChatAlreadyAttachedError,
    ConnectionState,
    ResumeRaceError,
    SessionStore,
    new_resume_token,
    split_resume_token,
)
from common.settings import Settings
from connect_chat.constants import SessionType
from connect_chat.errors import (
    ChatEndedError,
    ConflictError,
    ConnectChatError,
    InvalidArgumentError,
    ServiceValidationError,
    ThrottlingError,
)
from connect_chat.participant import ParticipantClient
from connect_chat.stateless import StatelessChatSession
from connect_chat.validation import ChatDetails

if TYPE_CHECKING:
    from common.budgets import ChatBudgets

#: Library argument names -> the relay protocol's field names (errors name what the client sent).
_FIELD_NAMES = {
    "content_type": "contentType",
    "attachment.name": "fileName",
    "attachment.size": "size",
    "attachment.content_type": "contentType",
    "attachment_id": "attachmentId",
    "start_position": "startPosition",
}


@functools.lru_cache(maxsize=8)
def _sendable(supported: tuple[str, ...]) -> tuple[str, ...]:
    """What a customer may send on a deployment whose chats support ``supported`` (worked out once for each)."""
    return tuple(t for t in f.CUSTOMER_CONTENT_TYPES if t in supported)


class ChatEndedSignal(Exception):
    """The chat ended; the caller has been told with a ``chatEnded`` frame."""


class RelayService:
    """Carries out the client frames of one connection; posts every answer through ``poster``.

    Parameters
    ----------
    settings, store, poster
        The deployment's settings, the session table and the connection's management endpoint.
    participant : ParticipantClient
        The Participant Service client the chat sessions share.
    connect : Callable[[], Any]
        Returns the ``connect`` client (built on first use: only ``startChat`` needs it).
    hooks : Sequence[Hook]
        Message hooks, applied in order.
    budgets : ChatBudgets, optional
        The chat budgets (``startChat`` and a chat's end need them).
    source_ip : str
        The client's address, as API Gateway saw it (whose budgets a ``startChat`` takes).
    fingerprint : str, optional
        A ``sendMessage`` frame's message fingerprint (part of its ClientToken: a retry is idempotent, a reused
        ``requestId`` with another message is never mistaken for one).
    """

    def __init__(
        self,
        *,
        settings: Settings,
        store: SessionStore,
        poster: ConnectionPoster,
        participant: ParticipantClient,
        connect: Callable[[], Any],
        hooks: Sequence[Hook] = (),
        fingerprint: str | None = None,
        budgets: ChatBudgets | None = None,
        source_ip: str = "",
    ) -> None:
        self.settings = settings
        self.store = store
        self.poster = poster
        self.participant = participant
        self.connect = connect
        self.hooks = tuple(hooks)
        self.fingerprint = fingerprint
        self.budgets = budgets
        self.source_ip = source_ip

    # ------------------------------------------------------------------------------------ dispatch

    def handle(self, connection: ConnectionState, frame: f.ClientFrame) -> None:
        """Carry out ``frame``; every failure becomes an ``error`` frame and the connection stays usable."""
        actions: dict[type[Any], Callable[[ConnectionState, Any], None]] = {
            f.StartChat: self.start_chat,
            f.ResumeChat: self.resume_chat,
            f.SendMessage: self.send_message,
            f.SendEvent: self.send_event,
            f.GetTranscript: self.get_transcript,
            f.SendAttachment: self.send_attachment,
            f.GetAttachment: self.get_attachment,
            f.EndChat: self.end_chat,
        }
        request_id = frame.request_id
        connection_id = connection.connection_id
        try:
            actions[type(frame)](connection, frame)
        except f.FrameError as exc:
            answer = f.error_frame(exc.code, exc.message, exc.request_id or request_id, retry_after=exc.retry_after)
            self.poster.post(connection_id, answer)
        except ChatEndedSignal:
            return
        except InvalidArgumentError as exc:
            field = _FIELD_NAMES.get(exc.argument, exc.argument)
            problem = exc.problem + (f" (allowed: {', '.join(exc.allowed)})" if exc.allowed else "")
            self.poster.post(connection_id, f.error_frame("VALIDATION_ERROR", f"{field}: {problem}", request_id))
        except ThrottlingError:
            self.poster.post(
                connection_id, f.error_frame("THROTTLED", "Connect is throttling; retry shortly", request_id)
            )
        except ServiceValidationError as exc:
            self.poster.post(connection_id, f.error_frame("VALIDATION_ERROR", exc.message, request_id))
        except ConflictError as exc:
            self.poster.post(connection_id, f.error_frame("CONFLICT", exc.message, request_id))
        except ConnectChatError as exc:
            message = f"Connect answered {exc.code or 'an error'}"
            self.poster.post(connection_id, f.error_frame("UPSTREAM_ERROR", message, request_id))

    # ---------------------------------------------------------------------------------------- chats

    def _session(self, connection: ConnectionState) -> StatelessChatSession:
        """The customer's Participant Service session, from what the connection's item carries."""
        contact_id = connection.contact_id
        if contact_id is None or connection.participant_id is None or connection.connection_token is None:
            raise f.FrameError("NO_CHAT", "start or resume a chat first")
        details = ChatDetails(
            contact_id=contact_id,
            participant_id=connection.participant_id,
            initial_contact_id=connection.initial_contact_id or contact_id,
            participant_token=connection.participant_token,
            connection_token=connection.connection_token,
        )

        def persist(token: str, expiry: str | None) -> None:
            chat = self.store.get_chat(contact_id)
            attached = chat.connections if chat is not None else {connection.connection_id: ""}
            self.store.update_connection_token(contact_id, token, expiry, attached)

        return StatelessChatSession(
            details, SessionType.CUSTOMER, self.participant, on_connection_token_refreshed=persist
        )

    def _active_session(self, connection: ConnectionState, request_id: str | None) -> StatelessChatSession:
        """The session of a chat that has not ended (``NO_CHAT`` or a ``chatEnded`` answer otherwise)."""
        if connection.contact_id is None:
            raise f.FrameError("NO_CHAT", "start or resume a chat first", request_id)
        if connection.chat_state == ENDED:
            from common.chat_end import ended_frame  # rare: kept out of the cold start

            self.poster.post(connection.connection_id, ended_frame(connection.contact_id, request_id))
            raise ChatEndedSignal
        return self._session(connection)

    def _call(self, connection: ConnectionState, call: Callable[[], Any]) -> Any:
        """Run a session call; when Connect says the chat is over, tell every connection and stop."""
        try:
            return call()
        except ChatEndedError:
            assert connection.contact_id is not None
            self._chat_ended(connection.contact_id, also=connection.connection_id)
            raise ChatEndedSignal from None

    def _chat_ended(self, contact_id: str, *, also: str | None = None) -> None:
        """Mark the chat ended and tell its connections (``also``, when it is not attached, too)."""
        from common.chat_end import announce_end  # rare: kept out of the cold start

        assert self.budgets is not None
        announce_end(self.store, self.budgets, contact_id, also=(self.poster, also) if also else None)

    def start_chat(self, connection: ConnectionState, frame: f.StartChat) -> None:
        from relay.starting import ChatStarter  # the first startChat loads the checks and the connect client

        assert self.budgets is not None
        starter = ChatStarter(
            settings=self.settings,
            store=self.store,
            poster=self.poster,
            participant=self.participant,
            connect=self.connect,
            budgets=self.budgets,
            source_ip=self.source_ip,
        )
        starter.start(connection.connection_id, frame)

    def resume_chat(self, connection: ConnectionState, frame: f.ResumeChat) -> None:
        invalid = f.FrameError("INVALID_RESUME_TOKEN", "the resume token is unknown or expired", frame.request_id)
        parts = split_resume_token(frame.resume_token)
        if parts is None:
            raise invalid
        contact_id, presented = parts
        for _attempt in range(3):
            chat = self.store.get_chat(contact_id)
            if chat is None or not chat.accepts(presented, self.store.clock()):
                raise invalid
            if chat.state == ENDED:
                from common.chat_end import ended_frame

                self.poster.post(connection.connection_id, ended_frame(contact_id, frame.request_id))
                return
            resume_token, resume_hash = new_resume_token(contact_id)
            try:
                self.store.attach(chat, connection.connection_id, self.poster.endpoint_url, resume_hash)
                break
            except ResumeRaceError:
                continue  # another tab resumed at the same moment: read the chat again
            except ChatAlreadyAttachedError:
                raise f.FrameError(
                    "CHAT_ALREADY_STARTED", "this connection already serves another chat", frame.request_id
                ) from None
        else:
            raise f.FrameError("CONFLICT", "the chat is being resumed elsewhere; retry", frame.request_id)
        self.poster.post(
            connection.connection_id,
            f.chat_resumed_frame(contact_id, chat.participant_id, resume_token, frame.request_id),
        )
        others = {cid: endpoint for cid, endpoint in chat.connections.items() if cid != connection.connection_id}
        if others:
            broadcast(self.store, contact_id, others, f.resume_token_frame(resume_token))
        attached = connection._replace(
            contact_id=contact_id,
            participant_id=chat.participant_id,
            initial_contact_id=chat.initial_contact_id,
            participant_token=chat.participant_token,
            connection_token=chat.connection_token,
            chat_state=chat.state,
        )
        for item in self._items_after(attached, frame.after_id):
            self.poster.post(connection.connection_id, f.item_frame(item))

    def _items_after(self, connection: ConnectionState, after_id: str | None) -> Iterator[dict[str, Any]]:
        """Every transcript item after ``after_id`` (the latest 100 without it), oldest first, through the hooks.

        An ``afterId`` Connect does not know (from another chat, or mistyped) replays the latest items instead;
        the client dedupes on ``Id``.
        """
        session = self._session(connection)
        try:
            items = self._call(connection, lambda: session.get_items_after(after_id))
        except ServiceValidationError:
            items = self._call(connection, lambda: session.get_items_after(None))
        assert connection.contact_id is not None
        for item in items:
            relayed = outbound_item(self.hooks, connection.contact_id, item)
            if relayed is not None:
                yield relayed

    # ------------------------------------------------------------------------------------- messages

    def send_message(self, connection: ConnectionState, frame: f.SendMessage) -> None:
        sendable = _sendable(self.settings.supported_content_types)
        if frame.content_type not in sendable:
            problem = f"contentType: must be one of {', '.join(sendable)}"
            raise f.FrameError("VALIDATION_ERROR", problem, frame.request_id)
        session = self._active_session(connection, frame.request_id)
        assert connection.contact_id is not None
        content = frame.content
        if frame.content_type in HOOKED_TYPES:
            message = apply_hooks(
                self.hooks, HookMessage("to_connect", connection.contact_id, frame.content_type, content, "CUSTOMER")
            )
            if message is None:
                raise f.FrameError("BLOCKED", "the message was blocked by a message hook", frame.request_id)
            content = message.content
        client_token = f"{connection.connection_id}:{frame.request_id}:{self.fingerprint}" if frame.request_id else None
        sent = self._call(
            connection, lambda: session.send_message(content, frame.content_type, client_token=client_token)
        )["data"]
        self.poster.post(
            connection.connection_id,
            f.ack_frame(frame.request_id, id=sent["Id"], absoluteTime=sent["AbsoluteTime"]),
        )

    def send_event(self, connection: ConnectionState, frame: f.SendEvent) -> None:
        session = self._active_session(connection, frame.request_id)
        content = json.dumps({"messageId": frame.message_id}) if frame.message_id else None
        sent = self._call(connection, lambda: session.send_event(frame.content_type, content))["data"]
        self.poster.post(
            connection.connection_id,
            f.ack_frame(frame.request_id, id=sent["Id"], absoluteTime=sent["AbsoluteTime"]),
        )

    def get_transcript(self, connection: ConnectionState, frame: f.GetTranscript) -> None:
        session = self._active_session(connection, frame.request_id)
        assert connection.contact_id is not None
        page = self._call(
            connection,
            lambda: session.get_transcript(
                max_results=frame.max_results,
                sort_order=frame.sort_order,
                scan_direction=frame.scan_direction,
                start_position=frame.start_position,
                next_token=frame.next_token,
            ),
        )["data"]
        from connect_chat.protocol.items import Item  # the transcript alone needs the item model here

        relayed = (outbound_item(self.hooks, connection.contact_id, Item.from_dict(raw)) for raw in page["Transcript"])
        items = [item for item in relayed if item is not None]
        self.poster.post(connection.connection_id, f.transcript_frame(items, page.get("NextToken"), frame.request_id))

    # ---------------------------------------------------------------------------------- attachments

    def send_attachment(self, connection: ConnectionState, frame: f.SendAttachment) -> None:
        session = self._active_session(connection, frame.request_id)
        if frame.attachment_id is not None:
            attachment_id = frame.attachment_id
            client_token = f"{connection.connection_id}:{attachment_id}"
            self._call(
                connection, lambda: session.complete_attachment_upload([attachment_id], client_token=client_token)
            )
            self.poster.post(connection.connection_id, f.ack_frame(frame.request_id, attachmentId=attachment_id))
            return
        name, size, content_type = frame.file_name or "", frame.size or 0, frame.content_type or ""
        started = self._call(connection, lambda: session.start_attachment_upload(name, size, content_type))["data"]
        upload = started["UploadMetadata"]
        self.poster.post(
            connection.connection_id,
            f.attachment_upload_frame(
                started["AttachmentId"],
                upload["Url"],
                upload.get("HeadersToInclude", {}),
                upload.get("UrlExpiry"),
                frame.request_id,
            ),
        )

    def get_attachment(self, connection: ConnectionState, frame: f.GetAttachment) -> None:
        session = self._active_session(connection, frame.request_id)
        got = self._call(connection, lambda: session.get_attachment_url(frame.attachment_id))["data"]
        self.poster.post(
            connection.connection_id,
            f.attachment_url_frame(frame.attachment_id, got["Url"], got.get("UrlExpiry"), frame.request_id),
        )

    def end_chat(self, connection: ConnectionState, frame: f.EndChat) -> None:
        session = self._active_session(connection, frame.request_id)
        assert connection.contact_id is not None
        self._call(connection, session.disconnect_participant)
        self._chat_ended(connection.contact_id, also=connection.connection_id)
