"""Chat sessions: ``ChatSession.create`` and the asyncio sessions (customer and agent).

:class:`ChatSession` is the public facade (ChatJS's ``ChatSession``): it validates ``create``'s arguments at
once and hands every call to its engine, :class:`~connect_chat.controller.ChatController` (ChatJS's
``ChatController``), which holds the websocket, the transcript, the events, receipts and typing. The engine,
``asyncio`` and the websocket manager are imported when a session is created, not when this module is: a
Lambda handler that only uses :meth:`ChatSession.create_stateless` never loads them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from connect_chat.config import set_feature_flag, set_global_config, set_region_override
from connect_chat.constants import SessionType
from connect_chat.errors import InvalidArgumentError
from connect_chat.protocol import content_types as ct
from connect_chat.subscriptions import EventSubscriptions
from connect_chat.validation import ChatDetails, normalize_chat_details, validate_session_type

if TYPE_CHECKING:
    import boto3
    import botocore.config
    from mypy_boto3_connectparticipant import ConnectParticipantClient

    from connect_chat.clock import Clock
    from connect_chat.connection.backoff import Timing
    from connect_chat.connection.manager import Connector
    from connect_chat.controller import ChatController
    from connect_chat.metrics import MetricsRecorder
    from connect_chat.participant import ParticipantClient
    from connect_chat.protocol.state import ConnectionStatus
    from connect_chat.stateless import StatelessChatSession
    from connect_chat.transcript import Transcript

__all__ = ["AgentChatSession", "ChatSession", "CustomerChatSession"]

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
        from connect_chat.metrics import MetricsRecorder
        from connect_chat.participant import ParticipantClient

        details = normalize_chat_details(chat_details)
        session_type = validate_session_type(type)
        opts = _options(options)
        if metrics is None:
            metrics = MetricsRecorder(enabled=False) if disable_csm else MetricsRecorder()
        participant = ParticipantClient(
            client=client, boto3_session=boto3_session, config=config, region=opts.get("region"), metrics=metrics
        )
        cls = CustomerChatSession if session_type is SessionType.CUSTOMER else AgentChatSession
        return cls(
            details, participant, timing=websocket_timing, connector=websocket_connector, clock=clock, metrics=metrics
        )

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
        from connect_chat.participant import ParticipantClient
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
        from connect_chat.controller import ChatController

        self._controller: ChatController = ChatController(
            chat_details, participant, timing=timing, connector=connector, clock=clock, metrics=metrics
        )
        self._events = self._controller.events

    @property
    def transcript(self) -> Transcript:
        """The ordered, de-duplicated transcript of this session (a new one after :meth:`reset`)."""
        return self._controller.transcript

    @property
    def clock(self) -> Clock:
        """The session's time source."""
        return self._controller.clock

    # ------------------------------------------------------------------ context manager
    async def __aenter__(self) -> ChatSession:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # ------------------------------------------------------------------ connection
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
        return await self._controller.connect(metadata)

    def get_connection_status(self) -> str:
        """``NeverEstablished`` | ``Establishing`` | ``Established`` | ``Broken``."""
        return self._controller.state.status.value

    @property
    def connection_status(self) -> ConnectionStatus:
        """The status as an enum."""
        return self._controller.state.status

    @property
    def ended(self) -> bool:
        """True once the chat has ended."""
        return self._controller.state.ended

    async def close(self) -> None:
        """Close the socket and stop background work; the chat itself goes on (see :meth:`reset`)."""
        await self._controller.close()

    async def reset(self) -> None:
        """Drop the socket and all local state without ending the contact, so :meth:`connect` works again."""
        await self._controller.reset()

    def get_chat_details(self) -> dict[str, Any]:
        """Identifiers, tokens and connection details (contains secrets: do not log it)."""
        return {**self._controller.get_chat_details(), "session_type": self.session_type.value}

    # ------------------------------------------------------------------ calls
    async def send_message(
        self, content: Any, content_type: str = ct.TEXT_PLAIN, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Send a message; it shows in :attr:`transcript` as SENDING, then SENT or FAILED.

        Returns
        -------
        dict
            ``{"data": {"Id", "AbsoluteTime", ...}, "metadata", "request_id"}``.
        """
        return await self._controller.send_message(content, content_type, metadata)

    async def send_event(
        self, content_type: str, content: Any = None, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Send an event. Typing is throttled (one per 10 s); read/delivered go through the receipt throttle.

        Returns
        -------
        dict
            The service response, or ``{"data": None, "skipped": True, ...}`` when a throttle held it back.
        """
        return await self._controller.send_event(content_type, content, metadata)

    async def send_message_receipt(
        self, event: str, message_id: str, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Ask for a read/delivered receipt; it is sent by the throttle (see :mod:`connect_chat.receipts`).

        Returns
        -------
        dict
            ``{"data": {"queued": bool}, ...}``; False when skipped (own message, already sent, disabled).
        """
        return await self._controller.send_message_receipt(event, message_id, metadata)

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
        return await self._controller.get_transcript(
            metadata,
            max_results=max_results,
            sort_order=sort_order,
            scan_direction=scan_direction,
            start_position=start_position,
            next_token=next_token,
            contact_id=contact_id,
        )

    async def send_attachment(
        self,
        attachment: Any,
        *,
        name: str | None = None,
        content_type: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Upload an attachment from bytes (with ``name``), a path or a binary file object."""
        ops = self._controller.ops
        response: dict[str, Any] = await self._controller.call(
            ops.send_attachment, attachment, name=name, content_type=content_type, metadata=metadata
        )
        return response

    async def download_attachment(self, attachment_id: str) -> bytes:
        """The attachment's bytes."""
        data: bytes = await self._controller.call(self._controller.ops.download_attachment, attachment_id)
        return data

    async def get_attachment_url(
        self, attachment_id: str, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """A presigned download URL: ``{"data": {"Url", "UrlExpiry", "AttachmentSizeInBytes"}, ...}``."""
        ops = self._controller.ops
        response: dict[str, Any] = await self._controller.call(ops.get_attachment_url, attachment_id, metadata=metadata)
        return response

    async def describe_view(self, view_token: str, *, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """DescribeView (step-by-step guides)."""
        ops = self._controller.ops
        response: dict[str, Any] = await self._controller.call(ops.describe_view, view_token, metadata=metadata)
        return response


class CustomerChatSession(ChatSession):
    """A customer's session."""

    session_type = SessionType.CUSTOMER

    async def disconnect_participant(self, *, metadata: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Leave the chat (DisconnectParticipant); the session ends."""
        return await self._controller.disconnect_participant(metadata)

    async def get_authentication_url(
        self, redirect_uri: str, session_id: str, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """GetAuthenticationUrl for the ``session_id`` of an ``authentication.initiated`` event."""
        ops = self._controller.ops
        response: dict[str, Any] = await self._controller.call(
            ops.get_authentication_url, redirect_uri, session_id, metadata=metadata
        )
        return response

    async def cancel_participant_authentication(
        self, session_id: str, *, metadata: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """CancelParticipantAuthentication."""
        ops = self._controller.ops
        response: dict[str, Any] = await self._controller.call(
            ops.cancel_participant_authentication, session_id, metadata=metadata
        )
        return response


class AgentChatSession(ChatSession):
    """An agent's (or bot's, supervisor's) session."""

    session_type = SessionType.AGENT

    async def clean_up_on_participant_disconnect(self) -> None:
        """Release the socket and every handler after the agent left (no API call)."""
        await self.close()
        self._events.clear()
