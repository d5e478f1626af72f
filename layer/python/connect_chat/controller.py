"""The engine behind an asyncio chat session (ChatJS's ``ChatController``).

:class:`ChatController` holds the participant websocket through
:class:`~connect_chat.connection.manager.WebSocketManager` and is that manager's
:class:`~connect_chat.connection.manager.ConnectionListener` itself: items go straight from the socket into the
de-duplication, the transcript, the events and the receipts, with no adapter in between. It also catches up
after a reconnect, throttles typing and read/delivered receipts, and makes every Participant Service call
through :class:`~connect_chat.operations.ChatOperations` in a worker thread, refreshing the connection token
once on a 403.

Each public argument is validated here, once; the calls then use the ``*_checked_*`` operations, which do not
validate again. :class:`~connect_chat.session.ChatSession` is the documented facade over this class.

Per incoming item the work is: one lookup to drop a redelivery, one transcript placement (its sort key computed
once), and, only for events someone listens to, a payload holding the item's fields as received (nothing is
rebuilt from the item), shared by the handlers of that item's events.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from connect_chat.clock import Clock, SystemClock
from connect_chat.config import get_global_config
from connect_chat.connection.manager import ConnectionDetails, WebSocketManager
from connect_chat.constants import ReceiptKind
from connect_chat.errors import (
    AccessDeniedError,
    ChatEndedError,
    ConnectChatError,
    InvalidArgumentError,
    NotConnectedError,
)
from connect_chat.events import EventBus, EventName, item_events
from connect_chat.log import register_secret
from connect_chat.loggers import get_logger
from connect_chat.operations import ChatOperations, ConnectionResult, receipt_content, receipt_content_type
from connect_chat.protocol import content_types as ct
from connect_chat.protocol.frames import ChatFrame
from connect_chat.protocol.items import Item, ItemType, ParticipantRole, format_timestamp
from connect_chat.protocol.state import (
    ChatEndedTransition,
    ConnectionBrokenTransition,
    ConnectionEstablishedTransition,
    ConnectionLostTransition,
    ConnectionStateMachine,
    Reason,
    ReasonCode,
    Transition,
)
from connect_chat.receipts import PendingReceipt, ReceiptThrottle
from connect_chat.transcript import Transcript, TranscriptChange
from connect_chat.typing_throttle import TypingThrottle
from connect_chat.validation import (
    ChatDetails,
    validate_event,
    validate_message,
    validate_receipt,
    validate_transcript_args,
)

if TYPE_CHECKING:
    from connect_chat.connection.backoff import Timing
    from connect_chat.connection.manager import Connector
    from connect_chat.metrics import MetricsRecorder
    from connect_chat.participant import ParticipantClient

__all__ = ["SEEN_WINDOW", "ChatController", "RecentItems"]

_log = get_logger("session")

SEEN_WINDOW: Final = 5000
"""A redelivered item is recognised among at least this many of the latest items (the socket redelivers
within seconds: a rotation's overlap, a catch-up racing the new socket)."""

_OWN_SIGNALS: Final = frozenset((ct.TYPING, ct.MESSAGE_READ, ct.MESSAGE_DELIVERED))
"""Own typing and receipts echoed back raise no event."""

_RECEIPT_KINDS: Final = {ct.MESSAGE_READ: ReceiptKind.READ, ct.MESSAGE_DELIVERED: ReceiptKind.DELIVERED}
_MESSAGE: Final = ItemType.MESSAGE
_DELIVERED: Final = ReceiptKind.DELIVERED
_TRANSCRIPT_UPDATED: Final = EventName.TRANSCRIPT_UPDATED
_SYSTEM: Final = ParticipantRole.SYSTEM


class RecentItems:
    """The latest items received, to drop an exact redelivery; an item that changed passes again.

    Two generations of :data:`SEEN_WINDOW` items each: memory stays bounded in a long chat, and nothing is
    kept alive for this alone (typing and receipts are not transcript entries) beyond the window.
    """

    def __init__(self) -> None:
        self._recent: dict[tuple[str, str, int], Item] = {}
        self._older: dict[tuple[str, str, int], Item] = {}

    def again(self, item: Item) -> bool:
        """True when ``item`` was received already, exactly; otherwise it is remembered."""
        metadata = item.message_metadata
        chunk = (metadata.chunk_number or 0) if metadata is not None and metadata.is_partial else 0
        key = (item.id, item.content_type or item.type, chunk)
        seen = self._recent.get(key)
        if seen is None:
            seen = self._older.get(key)
        if seen is not None and seen == item:
            return True
        self._recent[key] = item
        if len(self._recent) >= SEEN_WINDOW:
            self._older, self._recent = self._recent, {}
        return False


class ChatController:
    """Connection, transcript, events, receipts and typing of one asyncio chat session.

    Parameters
    ----------
    chat_details : ChatDetails
        Normalised chat details.
    participant : ParticipantClient
        The Participant Service client.
    timing : Timing, optional
        Websocket timers.
    connector : Connector, optional
        Opens websockets (tests replace ``websockets``).
    clock : Clock, optional
        Time source for receipts, typing and expiries.
    metrics : MetricsRecorder, optional
        Websocket metrics sink.
    """

    def __init__(
        self,
        chat_details: ChatDetails,
        participant: ParticipantClient,
        *,
        timing: Timing | None = None,
        connector: Connector | None = None,
        clock: Clock | None = None,
        metrics: MetricsRecorder | None = None,
    ) -> None:
        self.details = chat_details
        self.ops = ChatOperations(participant, self._require_token)
        self.clock: Clock = clock or SystemClock()
        self.events = EventBus()
        self.state = ConnectionStateMachine()
        self._timing = timing
        self._connector = connector
        self._metrics = metrics
        self._ids = chat_details.ids()
        self._participant_id = chat_details.participant_id
        self._batch: list[TranscriptChange] | None = None
        self.transcript = Transcript(chat_details.participant_id, on_change=self._transcript_changed)
        self._receipts = self._receipt_throttle()
        self._receipts_timer: asyncio.TimerHandle | None = None
        self._receipts_due = 0.0
        self._typing = TypingThrottle(clock=self.clock)
        self._seen = RecentItems()
        self._sent_ids: set[str] = set()
        self._participant_mismatch_reported = False
        self._connection_token: str | None = chat_details.connection_token
        self._connection: ConnectionResult | None = None
        self._acknowledged = False
        self._manager: WebSocketManager | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        register_secret(chat_details.participant_token)
        register_secret(chat_details.connection_token)

    def _receipt_throttle(self) -> ReceiptThrottle:
        receipts = get_global_config().message_receipts
        return ReceiptThrottle(
            throttle_ms=receipts.throttle_time, enabled=receipts.should_send_message_receipts, clock=self.clock
        )

    # ------------------------------------------------------------------ small helpers
    def _require_token(self) -> str:
        if self._connection_token is None:
            raise NotConnectedError("no connection token yet: call connect() first")
        return self._connection_token

    def check_open(self) -> None:
        """Raise :class:`ChatEndedError` once the chat has ended."""
        if self.state.ended:
            reason = self.state.end_reason
            raise ChatEndedError(f"the chat has ended ({reason.code.value if reason else 'ended'})")

    def payload(self, data: Any) -> dict[str, Any]:
        """An event payload: ``{"chat_details": ids, "data": data}`` (no tokens)."""
        return {"chat_details": dict(self._ids), "data": data}

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(fn, *args, **kwargs)

    # ------------------------------------------------------------------ transcript changes
    def _transcript_changed(self, change: TranscriptChange) -> None:
        if not self.events.has(_TRANSCRIPT_UPDATED):
            return
        if self._batch is not None:
            self._batch.append(change)
        else:
            self._emit_changes([change])

    def _emit_changes(self, changes: list[TranscriptChange]) -> None:
        """``transcript_updated`` with the changes themselves (``TranscriptChange.to_dict()`` for plain data)."""
        self.events.emit(EventName.TRANSCRIPT_UPDATED, self.payload({"changes": changes, "size": len(self.transcript)}))

    def _open_batch(self) -> bool:
        """Collect transcript changes into one ``transcript_updated``; True when this call owns the batch."""
        if self._batch is not None or not self.events.has(EventName.TRANSCRIPT_UPDATED):
            return False
        self._batch = []
        return True

    def _close_batch(self, owner: bool) -> None:
        if owner:
            changes, self._batch = self._batch, None
            if changes:
                self._emit_changes(changes)

    # ------------------------------------------------------------------ ConnectionListener
    def on_chat_frame(self, frame: ChatFrame) -> None:
        """An ``aws/chat`` frame: its item, with its fields as received (handlers get those as they are)."""
        item = frame.item  # on_item(frame.item, frame.raw), inlined: once per frame
        if self.state.ended or self._seen.again(item):
            return
        self._ingest(item, frame.raw)

    def on_item(self, item: Item, raw: Mapping[str, Any] | None = None) -> None:
        """One incoming item (``raw``: its fields as received); a redelivery of the same item is dropped here."""
        if self.state.ended:
            return
        if self._seen.again(item):
            return
        self._ingest(item, raw)

    def on_established(self) -> None:
        """A socket is open and subscribed."""
        self._apply(self.state.established())

    def on_lost(self, reason: Reason) -> None:
        """The socket went away; the manager recovers."""
        self._apply(self.state.lost(reason))

    def on_broken(self, reason: Reason) -> None:
        """Recovery is impossible until :meth:`connect` is called again."""
        self._apply(self.state.broken(reason))

    def on_ended(self, reason: Reason) -> None:
        """403 while recovering: the chat ended in the background. Synthesise ``chat.ended`` like ChatJS."""
        if self.state.ended:
            return
        synthetic = Item(
            id=f"local-chat-ended-{uuid.uuid4()}",
            type=ItemType.EVENT,
            content_type=ct.CHAT_ENDED,
            participant_role=ParticipantRole.SYSTEM,
            absolute_time=format_timestamp(self.clock.now()),
            contact_id=self.details.contact_id,
            initial_contact_id=self.details.initial_contact_id,
        )
        if self.events.has(EventName.MESSAGE):
            self.events.emit(EventName.MESSAGE, self.payload(synthetic.to_dict()))
        self._apply(self.state.chat_ended(reason), synthetic)

    def on_deep_heartbeat(self, ok: bool) -> None:
        """An ``aws/ping`` answer."""
        name = EventName.DEEP_HEARTBEAT_SUCCESS if ok else EventName.DEEP_HEARTBEAT_FAILURE
        if self.events.has(name):
            self.events.emit(name, self.payload({}))

    def on_details(self, details: ConnectionDetails) -> None:
        """New connection details: keep the connection token for the API calls."""
        self._connection_token = details.connection_token

    # ------------------------------------------------------------------ items
    def _ingest(self, item: Item, raw: Mapping[str, Any] | None) -> None:
        """Transcript, events, an automatic *delivered* receipt, and the end of the chat."""
        participant_id = self._participant_id
        sender = item.participant_id
        own = sender == participant_id
        if not own and sender is not None and item.id in self._sent_ids and not self._participant_mismatch_reported:
            self._participant_mismatch_reported = True
            _log.error(
                "chat_details.participant_id %s does not match the sender %s of this session's own message %s",
                participant_id,
                sender,
                item.id,
            )
        owner = self._batch is None and self.events.has(_TRANSCRIPT_UPDATED)  # as _open_batch(), inlined
        if owner:
            self._batch = []
        try:
            self.transcript.add(item)
            if not (own and item.content_type in _OWN_SIGNALS):
                self._dispatch(item, raw)
        finally:
            if owner:
                self._close_batch(owner)
        if not own and item.type == _MESSAGE and item.participant_role != _SYSTEM:
            self._request_receipt(_DELIVERED, item.id, own=False)
        if item.content_type == ct.CHAT_ENDED:
            self._apply(self.state.chat_ended(Reason(ReasonCode.CHAT_ENDED, "chat.ended received")), item)

    def _dispatch(self, item: Item, raw: Mapping[str, Any] | None) -> None:
        """Raise the item's events; the payload is built once, and only when an event has a listener."""
        events = self.events
        data: Mapping[str, Any] | None = None
        for name in item_events(item, self._participant_id):
            if events.has(name):
                if data is None:  # the item as received; rebuilt from the item only when it was not received
                    data = raw if raw is not None else item.to_dict()
                events.emit(name, {"chat_details": dict(self._ids), "data": data})

    async def _catch_up(self) -> None:
        """After a reconnect: fetch what was sent while the socket was down, in order, exactly once."""
        last = self.transcript.last_received()
        try:
            items: list[Item] = await self._with_token(self.ops.fetch_items_after, last.id if last else None)
        except ConnectChatError as exc:
            _log.warn("catch-up after reconnect failed: %s", exc.code)
            return
        for item in items:
            self.on_item(item)

    # ------------------------------------------------------------------ state transitions
    def _apply(self, transitions: list[Transition], item: Item | None = None) -> None:
        for t in transitions:
            if isinstance(t, ConnectionEstablishedTransition):
                self.events.emit(EventName.CONNECTION_ESTABLISHED, self.payload({"reconnected": t.reconnected}))
                if t.reconnected:
                    self._spawn(self._catch_up())
            elif isinstance(t, ConnectionLostTransition):
                self.events.emit(EventName.CONNECTION_LOST, self.payload({"reason": t.reason.to_dict()}))
            elif isinstance(t, ConnectionBrokenTransition):
                self.events.emit(EventName.CONNECTION_BROKEN, self.payload({"reason": t.reason.to_dict()}))
            elif isinstance(t, ChatEndedTransition):
                self._chat_ended(t.reason, item)

    def _chat_ended(self, reason: Reason, item: Item | None) -> None:
        self._receipts.chat_ended()
        self._cancel_receipts_timer()
        if self._manager is not None:
            self._manager.request_stop()
            self._spawn(self._manager.stop())
        data = {"reason": reason.to_dict(), "item": item.to_dict() if item is not None else None}
        self.events.emit(EventName.ENDED, self.payload(data))
        self.events.clear()

    # ------------------------------------------------------------------ receipts
    def _request_receipt(self, kind: ReceiptKind, message_id: str, *, own: bool) -> bool:
        eligible_at = self._receipts.request_at(kind, message_id, own_message=own)
        if eligible_at is None:
            return False
        if self._receipts_timer is None or eligible_at < self._receipts_due:  # else the timer fires in time
            self._schedule_receipts()
        return True

    def _schedule_receipts(self) -> None:
        """Have one timer fire at the throttle's next deadline; it is moved only when the deadline comes sooner."""
        deadline = self._receipts.next_deadline()
        if deadline is None:
            return
        if self._receipts_timer is not None:
            if self._receipts_due <= deadline:
                return
            self._receipts_timer.cancel()
        self._receipts_due = deadline
        delay = max(0.0, deadline - self.clock.monotonic())
        self._receipts_timer = asyncio.get_running_loop().call_later(delay, self._receipts_due_now)

    def _receipts_due_now(self) -> None:
        self._receipts_timer = None
        if self.state.ended:
            return
        for receipt in self._receipts.pop_due():
            self._spawn(self._send_receipt(receipt))
        self._schedule_receipts()

    def _cancel_receipts_timer(self) -> None:
        if self._receipts_timer is not None:
            self._receipts_timer.cancel()
            self._receipts_timer = None

    async def _send_receipt(self, receipt: PendingReceipt) -> None:
        try:
            await self._with_token(
                self.ops.send_checked_event, receipt_content_type(receipt.kind), receipt_content(receipt.message_id)
            )
        except ConnectChatError as exc:
            _log.warn("sending %s receipt failed: %s", receipt.kind.value, exc.code)
            self._receipts.forget(receipt)

    # ------------------------------------------------------------------ connection and tokens
    async def _participant_token(self) -> str:
        if self.details.participant_token is not None:
            return self.details.participant_token
        getter = self.details.get_connection_token
        if getter is None:
            raise NotConnectedError("no participant token: this session can only use its connection token")
        value = getter()
        if inspect.isawaitable(value):
            value = await value
        if isinstance(value, Mapping):
            for key in ("participantToken", "ParticipantToken", "participant_token"):
                if isinstance(value.get(key), str):
                    value = value[key]
                    break
        if not isinstance(value, str) or not value:
            raise InvalidArgumentError("chat_details.get_connection_token", "must return a participant token string")
        register_secret(value)
        return value

    async def _create_connection(self, *, websocket: bool) -> ConnectionResult:
        token = await self._participant_token()
        connect_participant = None if self._acknowledged else True
        connection: ConnectionResult = await self._call(
            self.ops.create_connection, token, websocket=websocket, connect_participant=connect_participant
        )
        self._acknowledged = True
        self._connection = connection
        if connection.connection_token:
            self._connection_token = connection.connection_token
        return connection

    async def _fetch_details(self) -> ConnectionDetails:
        connection = await self._create_connection(websocket=True)
        if not connection.websocket_url or not connection.connection_token:
            raise ConnectChatError("CreateParticipantConnection returned no websocket URL or connection token")
        return ConnectionDetails(
            url=connection.websocket_url,
            connection_token=connection.connection_token,
            url_expiry=connection.url_expiry,
            token_expiry=connection.token_expiry,
            fetched_at=self.clock.monotonic(),
        )

    async def _ensure_token(self) -> None:
        if self._connection_token is None:
            await self._create_connection(websocket=False)

    async def _with_token(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``fn`` with a connection token; on a 403, refresh the token once and retry.

        A 403 on the refresh itself means the chat ended in the background: the session ends.
        """
        await self._ensure_token()
        try:
            return await self._call(fn, *args, **kwargs)
        except AccessDeniedError:
            if self.details.participant_token is None and self.details.get_connection_token is None:
                raise
        try:
            await self._create_connection(websocket=False)
        except AccessDeniedError as exc:
            self.on_ended(Reason(ReasonCode.ACCESS_DENIED, "the participant token was refused", exc))
            raise ChatEndedError("the chat has ended (AccessDenied on token refresh)", status_code=403) from exc
        return await self._call(fn, *args, **kwargs)

    async def connect(self, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
        """Open and keep the websocket (see :meth:`connect_chat.session.ChatSession.connect`)."""
        self.check_open()
        if self._manager is not None and self._manager.running:
            return {"data": {"connection_status": self.state.status.value}, "metadata": metadata}
        self.state.connecting()
        self._manager = WebSocketManager(
            self._fetch_details,
            self,
            timing=self._timing,
            clock=self.clock,
            connector=self._connector,
            is_network_online=get_global_config().is_network_online,
            metrics=self._metrics,
        )
        try:
            await self._manager.start()
        except ChatEndedError as exc:
            self._apply(self.state.chat_ended(Reason(ReasonCode.ACCESS_DENIED, exc.message, exc)))
            raise
        except ConnectChatError as exc:
            self._apply(self.state.broken(Reason(ReasonCode.FETCH_FAILED, exc.message, exc)))
            raise
        self._schedule_receipts()
        return {"data": {"connection_status": self.state.status.value}, "metadata": metadata}

    async def close(self) -> None:
        """Close the socket and stop background work; the chat itself goes on."""
        if self._manager is not None:
            await self._manager.stop()
            self._manager = None
        self._cancel_receipts_timer()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.events.drain()
        if not self.state.ended:
            self.state.reset()

    async def reset(self) -> None:
        """Drop the socket and all local state without ending the contact."""
        await self.close()
        self.state.reset()
        self.transcript = Transcript(self._participant_id, on_change=self._transcript_changed)
        self._seen = RecentItems()
        self._receipts = self._receipt_throttle()
        self._typing = TypingThrottle(clock=self.clock)
        self._connection_token = self.details.connection_token
        self._connection = None

    def get_chat_details(self) -> dict[str, Any]:
        """Identifiers, tokens and connection details (contains secrets)."""
        connection = self._connection
        return {
            **self.details.ids(),
            "participant_token": self.details.participant_token,
            "connection_details": {
                "connection_token": self._connection_token,
                "connection_token_expiry": (
                    format_timestamp(connection.token_expiry) if connection and connection.token_expiry else None
                ),
                "websocket_url_expiry": (
                    format_timestamp(connection.url_expiry) if connection and connection.url_expiry else None
                ),
            },
        }

    # ------------------------------------------------------------------ calls
    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """An operation that validates its own arguments, once the chat is checked to be open."""
        self.check_open()
        return await self._with_token(fn, *args, **kwargs)

    async def send_message(self, content: Any, content_type: Any, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
        """Validate, show as SENDING, send, then mark SENT (or FAILED and raise)."""
        self.check_open()
        text, kind = validate_message(content, content_type)
        await self._ensure_token()
        client_token = str(uuid.uuid4())
        self.transcript.add_pending(client_token, content=text, content_type=kind, now=self.clock.now())
        try:
            response: dict[str, Any] = await self._with_token(
                self.ops.send_checked_message, text, kind, client_token=client_token, metadata=metadata
            )
        except ConnectChatError as exc:
            self.transcript.mark_failed(client_token, exc)
            raise
        item_id = str(response["data"].get("Id"))
        self._sent_ids.add(item_id)
        owner = self._open_batch()
        try:
            self.transcript.mark_sent(client_token, item_id=item_id, absolute_time=response["data"].get("AbsoluteTime"))
        finally:
            self._close_batch(owner)
        return response

    async def send_event(self, content_type: Any, content: Any, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
        """Validate; route receipts to the throttle and throttle typing; send the rest."""
        self.check_open()
        kind, text = validate_event(content_type, content)
        receipt_kind = _RECEIPT_KINDS.get(kind)
        if receipt_kind is not None:
            _, message_id = validate_receipt(receipt_kind, json.loads(text or "{}")["messageId"])
            return await self._queue_receipt(receipt_kind, message_id, metadata)
        if kind == ct.TYPING and not self._typing.should_send():
            return {"data": None, "metadata": metadata, "request_id": None, "skipped": True}
        await self._ensure_token()
        try:
            response: dict[str, Any] = await self._with_token(
                self.ops.send_checked_event, kind, text, metadata=metadata
            )
        except ConnectChatError:
            if kind == ct.TYPING:
                self._typing.cancel_last()
            raise
        return response

    async def send_message_receipt(
        self, event: Any, message_id: Any, metadata: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """Validate and hand a read/delivered receipt to the throttle."""
        self.check_open()
        kind, mid = validate_receipt(event, message_id)
        return await self._queue_receipt(kind, mid, metadata)

    async def _queue_receipt(
        self, kind: ReceiptKind, message_id: str, metadata: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        entry = self.transcript.get(message_id)
        own = entry is not None and entry.item.participant_id == self._participant_id
        await self._ensure_token()
        queued = self._request_receipt(kind, message_id, own=own)
        return {"data": {"queued": queued}, "metadata": metadata, "request_id": None}

    async def get_transcript(self, metadata: Mapping[str, Any] | None, **args: Any) -> dict[str, Any]:
        """Validate, call GetTranscript, and put the items into the transcript (one ``transcript_updated``)."""
        self.check_open()
        checked = validate_transcript_args(**args)
        response: dict[str, Any] = await self._with_token(self.ops.get_checked_transcript, checked, metadata=metadata)
        owner = self._open_batch()
        try:
            for raw in response["data"].get("Transcript") or []:
                self.transcript.add(Item.from_dict(raw))
        finally:
            self._close_batch(owner)
        return response

    async def disconnect_participant(self, metadata: Mapping[str, Any] | None) -> dict[str, Any]:
        """DisconnectParticipant; the session ends and its socket closes."""
        response: dict[str, Any] = await self.call(self.ops.disconnect_participant, metadata=metadata)
        self._apply(self.state.chat_ended(Reason(ReasonCode.PARTICIPANT_DISCONNECTED, "disconnect_participant")))
        await self.close()
        return response
