"""Chat sessions: ``ChatSession.create`` and the asyncio sessions (customer and agent).

A session validates everything at ``create`` time, keeps an ordered transcript, and, after ``await
session.connect()``, holds the participant websocket through :class:`~connect_chat.connection.WebSocketManager`.
Every Participant Service call goes through :class:`~connect_chat.operations.ChatOperations` (shared with the
stateless mode) in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import uuid
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from connect_chat.clock import Clock, SystemClock
from connect_chat.config import get_global_config, set_feature_flag, set_global_config, set_region_override
from connect_chat.connection.backoff import Timing
from connect_chat.connection.manager import ConnectionDetails, Connector, WebSocketManager
from connect_chat.constants import ReceiptKind, SessionType
from connect_chat.errors import (
    AccessDeniedError,
    ChatEndedError,
    ConnectChatError,
    InvalidArgumentError,
    NotConnectedError,
)
from connect_chat.events import EventBus, EventName, events_for_item
from connect_chat.log import get_logger, register_secret
from connect_chat.metrics import MetricsRecorder
from connect_chat.operations import ChatOperations, ConnectionResult
from connect_chat.participant import ParticipantClient
from connect_chat.protocol import content_types as ct
from connect_chat.protocol.items import Item, ItemType, ParticipantRole, format_timestamp
from connect_chat.protocol.state import (
    ChatEndedTransition,
    ConnectionBrokenTransition,
    ConnectionEstablishedTransition,
    ConnectionLostTransition,
    ConnectionStateMachine,
    ConnectionStatus,
    Reason,
    ReasonCode,
    Transition,
)
from connect_chat.receipts import ReceiptThrottle
from connect_chat.subscriptions import EventSubscriptions
from connect_chat.transcript import Transcript, TranscriptChange
from connect_chat.typing_throttle import TypingThrottle
from connect_chat.validation import ChatDetails, normalize_chat_details, validate_receipt, validate_session_type

if TYPE_CHECKING:
    import boto3
    import botocore.config
    from mypy_boto3_connectparticipant import ConnectParticipantClient

    from connect_chat.stateless import StatelessChatSession

__all__ = ["AgentChatSession", "ChatSession", "CustomerChatSession"]

_log = get_logger("session")
_OPTION_KEYS = ("region",)


def _options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise InvalidArgumentError("options", "must be a mapping", _OPTION_KEYS)
    for key in options:
        if key not in _OPTION_KEYS:
            raise InvalidArgumentError(f"options.{key}", "unknown option", _OPTION_KEYS)
    region = options.get("region")
    if region is not None and (not isinstance(region, str) or not region.strip()):
        raise InvalidArgumentError("options.region", "must be a non-empty string")
    return dict(options)


class ChatSession(EventSubscriptions):
    """Entry point (ChatJS ``connect.ChatSession``) and base class of the asyncio sessions.

    Use :meth:`create` for a long-lived (asyncio) session and :meth:`create_stateless` for Lambda handlers.
    """

    set_global_config = staticmethod(set_global_config)
    set_region_override = staticmethod(set_region_override)
    set_feature_flag = staticmethod(set_feature_flag)

    # ------------------------------------------------------------------ factories
    @staticmethod
    def create(
        chat_details: Mapping[str, Any] | ChatDetails,
        type: SessionType | str = SessionType.CUSTOMER,
        options: Mapping[str, Any] | None = None,
        *,
        client: ConnectParticipantClient | None = None,
        boto3_session: boto3.session.Session | None = None,
        config: botocore.config.Config | None = None,
        websocket_timing: Timing | None = None,
        websocket_connector: Connector | None = None,
        clock: Clock | None = None,
        metrics: MetricsRecorder | None = None,
        disable_csm: bool = False,
    ) -> CustomerChatSession | AgentChatSession:
        """Create an asyncio chat session. Bad input raises at once.

        Parameters
        ----------
        chat_details : Mapping | ChatDetails
            ``contactId``/``ContactId``/``contact_id``, ``participantId``, ``participantToken``,
            ``initialContactId`` (defaults to the contact id), ``getConnectionToken`` (agents).
        type : SessionType | str
            ``CUSTOMER`` (the default here; ChatJS defaults to AGENT) or ``AGENT``.
        options : Mapping, optional
            ``{"region": "eu-west-2"}``.
        client, boto3_session, config
            Injectable boto3 client, session or botocore Config.
        websocket_timing : Timing, optional
            Websocket timers (ChatJS values by default).
        websocket_connector : callable, optional
            Replaces the ``websockets`` connector (tests).
        clock : Clock, optional
            Time source for receipts, typing and expiries.
        metrics : MetricsRecorder, optional
            Metrics sink; ``disable_csm=True`` turns metrics off for this session.

        Returns
        -------
        CustomerChatSession | AgentChatSession
            The session (not yet connected).

        Raises
        ------
        InvalidArgumentError
            On any invalid argument.
        """
        details = normalize_chat_details(chat_details)
        session_type = validate_session_type(type)
        opts = _options(options)
        if metrics is None:
            metrics = MetricsRecorder(enabled=False) if disable_csm else MetricsRecorder()
        participant = ParticipantClient(
            client=client, boto3_session=boto3_session, config=config, region=opts.get("region"), metrics=metrics
        )
        kwargs: dict[str, Any] = {
            "timing": websocket_timing,
            "connector": websocket_connector,
            "clock": clock,
            "metrics": metrics,
        }
        if session_type is SessionType.CUSTOMER:
            return CustomerChatSession(details, participant, **kwargs)
        return AgentChatSession(details, participant, **kwargs)

    @staticmethod
    def create_stateless(
        chat_details: Mapping[str, Any] | ChatDetails,
        type: SessionType | str = SessionType.CUSTOMER,
        options: Mapping[str, Any] | None = None,
        *,
        client: ConnectParticipantClient | None = None,
        boto3_session: boto3.session.Session | None = None,
        config: botocore.config.Config | None = None,
        metrics: MetricsRecorder | None = None,
        on_connection_token_refreshed: Callable[[str, str | None], None] | None = None,
    ) -> StatelessChatSession:
        """Create a synchronous, socket-less session for Lambda handlers (see :class:`StatelessChatSession`).

        ``on_connection_token_refreshed(token, expiry)`` is called when a refused connection token was replaced
        (store the new one for the next invocation).
        """
        from connect_chat.stateless import StatelessChatSession

        details = normalize_chat_details(chat_details)
        session_type = validate_session_type(type)
        opts = _options(options)
        participant = ParticipantClient(
            client=client, boto3_session=boto3_session, config=config, region=opts.get("region"), metrics=metrics
        )
        return StatelessChatSession(
            details, session_type, participant, on_connection_token_refreshed=on_connection_token_refreshed
        )

    # ------------------------------------------------------------------ construction
    session_type: SessionType = SessionType.CUSTOMER

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
        self._details = chat_details
        self._participant = participant
        self._ops = ChatOperations(participant, self._require_token)
        self._timing = timing
        self._connector = connector
        self.clock: Clock = clock or SystemClock()
        self._metrics = metrics
        self._state = ConnectionStateMachine()
        self._events = EventBus()
        self.transcript = Transcript(chat_details.participant_id)
        """The ordered, de-duplicated transcript of this session."""
        receipts = get_global_config().message_receipts
        self._receipts = ReceiptThrottle(
            throttle_ms=receipts.throttle_time, enabled=receipts.should_send_message_receipts, clock=self.clock
        )
        self._typing = TypingThrottle(clock=self.clock)
        self._seen: dict[tuple[str, str, int], Item] = {}
        self._sent_ids: set[str] = set()
        self._participant_mismatch_reported = False
        self._connection_token: str | None = chat_details.connection_token
        self._connection: ConnectionResult | None = None
        self._acknowledged = False
        self._manager: WebSocketManager | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._receipts_wakeup: asyncio.Event | None = None
        self._receipts_task: asyncio.Task[None] | None = None
        register_secret(chat_details.participant_token)
        register_secret(chat_details.connection_token)

    # ------------------------------------------------------------------ context manager
    async def __aenter__(self) -> ChatSession:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # ------------------------------------------------------------------ helpers
    def _require_token(self) -> str:
        if self._connection_token is None:
            raise NotConnectedError("no connection token yet: call connect() first")
        return self._connection_token

    def _check_open(self) -> None:
        if self._state.ended:
            reason = self._state.end_reason
            raise ChatEndedError(f"the chat has ended ({reason.code.value if reason else 'ended'})")

    def _payload(self, data: Any) -> dict[str, Any]:
        return {"chat_details": self._details.ids(), "data": data}

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def _participant_token(self) -> str:
        if self._details.participant_token is not None:
            return self._details.participant_token
        getter = self._details.get_connection_token
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
            self._ops.create_connection, token, websocket=websocket, connect_participant=connect_participant
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

    def _apply(self, transitions: list[Transition], item: Item | None = None) -> None:
        for t in transitions:
            if isinstance(t, ConnectionEstablishedTransition):
                self._events.emit(EventName.CONNECTION_ESTABLISHED, self._payload({"reconnected": t.reconnected}))
                if t.reconnected:
                    self._spawn(self._catch_up())
            elif isinstance(t, ConnectionLostTransition):
                self._events.emit(EventName.CONNECTION_LOST, self._payload({"reason": t.reason.to_dict()}))
            elif isinstance(t, ConnectionBrokenTransition):
                self._events.emit(EventName.CONNECTION_BROKEN, self._payload({"reason": t.reason.to_dict()}))
            elif isinstance(t, ChatEndedTransition):
                self._on_chat_ended(t.reason, item)

    def _on_chat_ended(self, reason: Reason, item: Item | None) -> None:
        self._receipts.chat_ended()
        if self._manager is not None:
            self._manager.request_stop()
            self._spawn(self._manager.stop())
        if self._receipts_task is not None:
            self._receipts_task.cancel()
        data = {"reason": reason.to_dict(), "item": item.to_dict() if item is not None else None}
        self._events.emit(EventName.ENDED, self._payload(data))
        self._events.clear()

    # ------------------------------------------------------------------ websocket callbacks
    def _ws_item(self, item: Item) -> None:
        """One incoming item (deduplicated here)."""
        chunk = item.message_metadata.chunk_number if item.is_partial and item.message_metadata else None
        key = (item.id, item.content_type or item.type, chunk or 0)
        if self._seen.get(key) == item or self._state.ended:
            return  # the same item again (rotation overlap, catch-up, redelivery)
        self._seen[key] = item  # a changed item (e.g. an attachment's scan status) passes again
        self._ingest(item, notify=True)

    def _ingest(self, item: Item, *, notify: bool) -> None:
        mismatch = item.participant_id not in (None, self._details.participant_id)
        if item.id in self._sent_ids and mismatch and not self._participant_mismatch_reported:
            self._participant_mismatch_reported = True
            _log.error(
                "chat_details.participant_id %s does not match the sender %s of this session's own message %s",
                self._details.participant_id,
                item.participant_id,
                item.id,
            )
        own = item.participant_id == self._details.participant_id
        change = self.transcript.add(item)
        own_signal = own and item.content_type in (ct.TYPING, ct.MESSAGE_READ, ct.MESSAGE_DELIVERED)
        if notify and not own_signal:
            for name in events_for_item(item, self._details.participant_id):
                self._events.emit(name, self._payload(item.to_dict()))
        if change is not None:
            self._transcript_updated([change])
        if notify and item.type == ItemType.MESSAGE and not own and item.participant_role != ParticipantRole.SYSTEM:
            self._request_receipt(ReceiptKind.DELIVERED, item.id, own=False)
        if item.content_type == ct.CHAT_ENDED:
            self._apply(self._state.chat_ended(Reason(ReasonCode.CHAT_ENDED, "chat.ended received")), item)

    def _transcript_updated(self, changes: list[TranscriptChange]) -> None:
        if not changes or self._events.count(EventName.TRANSCRIPT_UPDATED) == 0:
            return
        data = {
            "changes": [{"kind": c.kind.value, "entry": c.entry.to_dict()} for c in changes],
            "transcript": self.transcript.to_list(),
        }
        self._events.emit(EventName.TRANSCRIPT_UPDATED, self._payload(data))

    def _ws_established(self) -> None:
        self._apply(self._state.established())

    def _ws_lost(self, reason: Reason) -> None:
        self._apply(self._state.lost(reason))

    def _ws_broken(self, reason: Reason) -> None:
        self._apply(self._state.broken(reason))

    def _ws_ended(self, reason: Reason) -> None:
        """403 while recovering: the chat ended in the background. Synthesise ``chat.ended`` like ChatJS."""
        synthetic = Item(
            id=f"local-chat-ended-{uuid.uuid4()}",
            type=ItemType.EVENT,
            content_type=ct.CHAT_ENDED,
            participant_role=ParticipantRole.SYSTEM,
            absolute_time=format_timestamp(self.clock.now()),
            contact_id=self._details.contact_id,
            initial_contact_id=self._details.initial_contact_id,
        )
        if not self._state.ended:
            if self._events.count(EventName.MESSAGE):
                self._events.emit(EventName.MESSAGE, self._payload(synthetic.to_dict()))
            self._apply(self._state.chat_ended(reason), synthetic)

    def _ws_deep_heartbeat(self, ok: bool) -> None:
        name = EventName.DEEP_HEARTBEAT_SUCCESS if ok else EventName.DEEP_HEARTBEAT_FAILURE
        self._events.emit(name, self._payload({}))

    def _ws_details(self, details: ConnectionDetails) -> None:
        self._connection_token = details.connection_token

    async def _catch_up(self) -> None:
        """After a reconnect: fetch what was sent while the socket was down, in order, exactly once."""
        last = self.transcript.last_received()
        try:
            items: list[Item] = await self._with_token(self._ops.fetch_items_after, last.id if last else None)
        except ConnectChatError as exc:
            _log.warn("catch-up after reconnect failed: %s", exc.code)
            return
        for item in items:
            self._ws_item(item)

    # ------------------------------------------------------------------ receipts driver
    def _request_receipt(self, kind: ReceiptKind, message_id: str, *, own: bool) -> bool:
        accepted = self._receipts.request(kind, message_id, own_message=own)
        if accepted and self._manager is not None:
            self._ensure_receipts_driver()
            assert self._receipts_wakeup is not None
            self._receipts_wakeup.set()
        return accepted

    def _ensure_receipts_driver(self) -> None:
        if self._receipts_task is None or self._receipts_task.done():
            self._receipts_wakeup = asyncio.Event()
            self._receipts_task = self._spawn(self._receipts_loop())

    async def _receipts_loop(self) -> None:
        wakeup = self._receipts_wakeup
        assert wakeup is not None
        while not self._state.ended:
            deadline = self._receipts.next_deadline()
            if deadline is None:
                wakeup.clear()
                await wakeup.wait()
                continue
            delay = deadline - self.clock.monotonic()
            if delay > 0:
                wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wakeup.wait(), timeout=delay)
                continue
            for receipt in self._receipts.pop_due():
                content_type = ct.RECEIPT_CONTENT_TYPES[receipt.kind.value]
                try:
                    await self._with_token(self._ops.send_event, content_type, {"messageId": receipt.message_id})
                except ConnectChatError as exc:
                    _log.warn("sending %s receipt failed: %s", receipt.kind.value, exc.code)
                    self._receipts.forget(receipt)

    # ------------------------------------------------------------------ public: connection
    async def connect(self, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Open the websocket and keep it healthy until the chat ends or :meth:`close` is called.

        Calling it again after a broken connection (or after :meth:`reset`) connects again; calling it while
        connected does nothing.

        Returns
        -------
        dict
            ``{"data": {"connection_status": "Established"}, "metadata": metadata}``.

        Raises
        ------
        ConnectionBrokenError
            When no connection could be made (the ``connection_broken`` event fires too).
        ChatEndedError
            When the chat has ended.
        """
        self._check_open()
        if self._manager is not None and self._manager.running:
            return {"data": {"connection_status": self._state.status.value}, "metadata": metadata}
        self._state.connecting()
        cfg = get_global_config()
        self._manager = WebSocketManager(
            self._fetch_details,
            _Listener(self),
            timing=self._timing,
            clock=self.clock,
            connector=self._connector,
            is_network_online=cfg.is_network_online,
            metrics=self._metrics,
        )
        try:
            await self._manager.start()
        except ChatEndedError as exc:
            self._apply(self._state.chat_ended(Reason(ReasonCode.ACCESS_DENIED, exc.message, exc)))
            raise
        except ConnectChatError as exc:
            self._apply(self._state.broken(Reason(ReasonCode.FETCH_FAILED, exc.message, exc)))
            raise
        self._ensure_receipts_driver()
        return {"data": {"connection_status": self._state.status.value}, "metadata": metadata}

    def get_connection_status(self) -> str:
        """``NeverEstablished`` | ``Establishing`` | ``Established`` | ``Broken``."""
        return self._state.status.value

    @property
    def connection_status(self) -> ConnectionStatus:
        """The status as an enum."""
        return self._state.status

    @property
    def ended(self) -> bool:
        """True once the chat has ended."""
        return self._state.ended

    async def close(self) -> None:
        """Close the socket and stop background work; the chat itself goes on (see :meth:`reset`)."""
        if self._manager is not None:
            await self._manager.stop()
            self._manager = None
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._events.drain()
        if not self._state.ended:
            self._state.reset()

    async def reset(self) -> None:
        """Drop the socket and all local state without ending the contact, so :meth:`connect` works again."""
        await self.close()
        self._state.reset()
        self.transcript = Transcript(self._details.participant_id)
        self._seen.clear()
        receipts = get_global_config().message_receipts
        self._receipts = ReceiptThrottle(
            throttle_ms=receipts.throttle_time, enabled=receipts.should_send_message_receipts, clock=self.clock
        )
        self._typing = TypingThrottle(clock=self.clock)
        self._connection_token = self._details.connection_token
        self._connection = None

    def get_chat_details(self) -> dict[str, Any]:
        """Identifiers, tokens and connection details (contains secrets: do not log it)."""
        connection = self._connection
        return {
            **self._details.ids(),
            "participant_token": self._details.participant_token,
            "connection_details": {
                "connection_token": self._connection_token,
                "connection_token_expiry": (
                    format_timestamp(connection.token_expiry) if connection and connection.token_expiry else None
                ),
                "websocket_url_expiry": (
                    format_timestamp(connection.url_expiry) if connection and connection.url_expiry else None
                ),
            },
            "session_type": self.session_type.value,
        }

    # ------------------------------------------------------------------ public: calls
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
            if self._details.participant_token is None and self._details.get_connection_token is None:
                raise
        try:
            await self._create_connection(websocket=False)
        except AccessDeniedError as exc:
            self._ws_ended(Reason(ReasonCode.ACCESS_DENIED, "the participant token was refused", exc))
            raise ChatEndedError("the chat has ended (AccessDenied on token refresh)", status_code=403) from exc
        return await self._call(fn, *args, **kwargs)

    async def send_message(
        self, content: Any, content_type: str = ct.TEXT_PLAIN, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Send a message; it shows in :attr:`transcript` as SENDING, then SENT or FAILED.

        Returns
        -------
        dict
            ``{"data": {"Id", "AbsoluteTime", ...}, "metadata", "request_id"}``.
        """
        self._check_open()
        from connect_chat.validation import validate_message

        text, kind = validate_message(content, content_type)
        await self._ensure_token()
        client_token = str(uuid.uuid4())
        self._transcript_updated(
            [self.transcript.add_pending(client_token, content=text, content_type=kind, now=self.clock.now())]
        )
        try:
            response: dict[str, Any] = await self._with_token(
                self._ops.send_message, text, kind, client_token=client_token, metadata=metadata
            )
        except ConnectChatError as exc:
            failed = self.transcript.mark_failed(client_token, exc)
            self._transcript_updated([failed] if failed else [])
            raise
        data = response["data"]
        self._sent_ids.add(str(data.get("Id")))
        sent = self.transcript.mark_sent(
            client_token, item_id=str(data.get("Id")), absolute_time=data.get("AbsoluteTime")
        )
        self._transcript_updated([sent] if sent else [])
        return response

    async def send_event(
        self, content_type: str, content: Any = None, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Send an event. Typing is throttled (one per 10 s); read/delivered go through the receipt throttle.

        Returns
        -------
        dict
            The service response, or ``{"data": None, "skipped": True, ...}`` when a throttle held it back.
        """
        self._check_open()
        from connect_chat.validation import validate_event

        kind, text = validate_event(content_type, content)
        if kind in (ct.MESSAGE_READ, ct.MESSAGE_DELIVERED):
            import json

            message_id = json.loads(text or "{}")["messageId"]
            event = "read" if kind == ct.MESSAGE_READ else "delivered"
            return await self.send_message_receipt(event, message_id, metadata=metadata)
        if kind == ct.TYPING and not self._typing.should_send():
            return {"data": None, "metadata": metadata, "request_id": None, "skipped": True}
        await self._ensure_token()
        try:
            response: dict[str, Any] = await self._with_token(self._ops.send_event, kind, text, metadata=metadata)
        except ConnectChatError:
            if kind == ct.TYPING:
                self._typing.cancel_last()
            raise
        return response

    async def send_message_receipt(
        self, event: str, message_id: str, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Ask for a read/delivered receipt; it is sent by the throttle (see :mod:`connect_chat.receipts`).

        Returns
        -------
        dict
            ``{"data": {"queued": bool}, ...}``; False when skipped (own message, already sent, disabled).
        """
        self._check_open()
        kind, mid = validate_receipt(event, message_id)
        entry = self.transcript.get(mid)
        own = entry is not None and entry.item.participant_id == self._details.participant_id
        await self._ensure_token()
        self._ensure_receipts_driver()
        queued = self._request_receipt(kind, mid, own=own)
        if self._receipts_wakeup is not None:
            self._receipts_wakeup.set()
        return {"data": {"queued": queued}, "metadata": metadata, "request_id": None}

    async def get_transcript(
        self,
        *,
        max_results: int = 15,
        sort_order: str = "ASCENDING",
        scan_direction: str = "BACKWARD",
        start_position: Mapping[str, Any] | None = None,
        next_token: str | None = None,
        contact_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """GetTranscript (ChatJS defaults); the items also enter :attr:`transcript`.

        Returns
        -------
        dict
            ``{"data": {"InitialContactId", "Transcript": [...], "NextToken"?}, "metadata", "request_id"}``.
        """
        self._check_open()
        response: dict[str, Any] = await self._with_token(
            self._ops.get_transcript,
            metadata=metadata,
            max_results=max_results,
            sort_order=sort_order,
            scan_direction=scan_direction,
            start_position=start_position,
            next_token=next_token,
            contact_id=contact_id,
        )
        changes = []
        for raw in response["data"].get("Transcript") or []:
            item = Item.from_dict(raw)
            change = self.transcript.add(item)
            if change is not None:
                changes.append(change)
        self._transcript_updated(changes)
        return response

    async def send_attachment(
        self,
        attachment: Any,
        *,
        name: str | None = None,
        content_type: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Upload an attachment from bytes (with ``name``), a path or a binary file object."""
        self._check_open()
        response: dict[str, Any] = await self._with_token(
            self._ops.send_attachment, attachment, name=name, content_type=content_type, metadata=metadata
        )
        return response

    async def download_attachment(self, attachment_id: str) -> bytes:
        """The attachment's bytes."""
        self._check_open()
        data: bytes = await self._with_token(self._ops.download_attachment, attachment_id)
        return data

    async def get_attachment_url(
        self, attachment_id: str, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """A presigned download URL: ``{"data": {"Url", "UrlExpiry", "AttachmentSizeInBytes"}, ...}``."""
        self._check_open()
        response: dict[str, Any] = await self._with_token(
            self._ops.get_attachment_url, attachment_id, metadata=metadata
        )
        return response

    async def describe_view(self, view_token: str, *, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """DescribeView (step-by-step guides)."""
        self._check_open()
        response: dict[str, Any] = await self._with_token(self._ops.describe_view, view_token, metadata=metadata)
        return response


class _Listener:
    """Adapts the manager's :class:`ConnectionListener` calls to the session's private handlers."""

    def __init__(self, session: ChatSession) -> None:
        self._s = session

    def on_item(self, item: Item) -> None:
        self._s._ws_item(item)

    def on_established(self) -> None:
        self._s._ws_established()

    def on_lost(self, reason: Reason) -> None:
        self._s._ws_lost(reason)

    def on_broken(self, reason: Reason) -> None:
        self._s._ws_broken(reason)

    def on_ended(self, reason: Reason) -> None:
        self._s._ws_ended(reason)

    def on_deep_heartbeat(self, ok: bool) -> None:
        self._s._ws_deep_heartbeat(ok)

    def on_details(self, details: ConnectionDetails) -> None:
        self._s._ws_details(details)


class CustomerChatSession(ChatSession):
    """A customer's session."""

    session_type = SessionType.CUSTOMER

    async def disconnect_participant(self, *, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Leave the chat (DisconnectParticipant); the session ends."""
        self._check_open()
        response: dict[str, Any] = await self._with_token(self._ops.disconnect_participant, metadata=metadata)
        self._apply(self._state.chat_ended(Reason(ReasonCode.PARTICIPANT_DISCONNECTED, "disconnect_participant")))
        await self.close()
        return response

    async def get_authentication_url(
        self, redirect_uri: str, session_id: str, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """GetAuthenticationUrl for the ``session_id`` of an ``authentication.initiated`` event."""
        self._check_open()
        response: dict[str, Any] = await self._with_token(
            self._ops.get_authentication_url, redirect_uri, session_id, metadata=metadata
        )
        return response

    async def cancel_participant_authentication(
        self, session_id: str, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """CancelParticipantAuthentication."""
        self._check_open()
        response: dict[str, Any] = await self._with_token(
            self._ops.cancel_participant_authentication, session_id, metadata=metadata
        )
        return response


class AgentChatSession(ChatSession):
    """An agent's (or bot's, supervisor's) session."""

    session_type = SessionType.AGENT

    async def clean_up_on_participant_disconnect(self) -> None:
        """Release the socket and every handler after the agent left (no API call)."""
        await self.close()
        self._events.clear()
