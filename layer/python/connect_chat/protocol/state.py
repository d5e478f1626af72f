"""The connection state machine: pure transitions, no I/O.

Statuses follow ChatJS's ``getConnectionStatus``. *Lost* (the socket went away, recovery is
automatic), *broken* (terminal until ``connect()`` is called again) and *ended* (the chat is over) are told
apart and always carry a :class:`Reason`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "ChatEndedTransition",
    "ConnectionBrokenTransition",
    "ConnectionEstablishedTransition",
    "ConnectionLostTransition",
    "ConnectionStateMachine",
    "ConnectionStatus",
    "InvalidTransitionError",
    "Reason",
    "ReasonCode",
    "Transition",
]


class ConnectionStatus(StrEnum):
    """What ``get_connection_status()`` returns."""

    NEVER_ESTABLISHED = "NeverEstablished"
    ESTABLISHING = "Establishing"
    ESTABLISHED = "Established"
    BROKEN = "Broken"


class ReasonCode(StrEnum):
    """Why a connection was lost, broken or ended."""

    SOCKET_CLOSED = "SocketClosed"
    HEARTBEAT_TIMEOUT = "HeartbeatTimeout"
    NETWORK_ERROR = "NetworkError"
    SUBSCRIPTION_FAILED = "SubscriptionFailed"
    ACCESS_DENIED = "AccessDenied"
    FETCH_FAILED = "FetchFailed"
    CHAT_ENDED = "ChatEnded"
    PARTICIPANT_DISCONNECTED = "ParticipantDisconnected"
    CLIENT_CLOSED = "ClientClosed"
    RESET = "Reset"


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason attached to lost/broken/ended events.

    Attributes
    ----------
    code : ReasonCode
        Machine-readable cause.
    message : str
        Human-readable detail.
    error : BaseException | None
        The underlying exception, when there is one.
    """

    code: ReasonCode
    message: str = ""
    error: BaseException | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, str]:
        """``{"code", "message"}`` for event payloads."""
        return {"code": self.code.value, "message": self.message}


@dataclass(frozen=True, slots=True)
class ConnectionEstablishedTransition:
    """The connection became usable. ``reconnected`` is True when it had been lost before."""

    reconnected: bool


@dataclass(frozen=True, slots=True)
class ConnectionLostTransition:
    """The socket went away; the manager is recovering."""

    reason: Reason


@dataclass(frozen=True, slots=True)
class ConnectionBrokenTransition:
    """The connection cannot recover on its own."""

    reason: Reason


@dataclass(frozen=True, slots=True)
class ChatEndedTransition:
    """The chat is over."""

    reason: Reason


Transition = (
    ConnectionEstablishedTransition | ConnectionLostTransition | ConnectionBrokenTransition | ChatEndedTransition
)


class InvalidTransitionError(RuntimeError):
    """Raised when a transition is not allowed from the current state (e.g. connecting an ended chat)."""


class ConnectionStateMachine:
    """Connection status with transitions that return the events to emit.

    Every method returns a list of transitions (possibly empty); the caller turns them into events. The
    machine guarantees: *established* is emitted once per (re)connection, *lost* once per outage, *broken*
    and *ended* once, and nothing after *ended*.
    """

    def __init__(self) -> None:
        self._status = ConnectionStatus.NEVER_ESTABLISHED
        self._ended: Reason | None = None
        self._lost: Reason | None = None
        self._ever_established = False
        self._last_reason: Reason | None = None

    @property
    def status(self) -> ConnectionStatus:
        """The current status."""
        return self._status

    @property
    def ended(self) -> bool:
        """True once the chat has ended."""
        return self._ended is not None

    @property
    def end_reason(self) -> Reason | None:
        """Why the chat ended, if it did."""
        return self._ended

    @property
    def is_lost(self) -> bool:
        """True between a *lost* and the next *established*."""
        return self._lost is not None

    @property
    def last_reason(self) -> Reason | None:
        """The reason of the last lost/broken/ended transition."""
        return self._last_reason

    def connecting(self) -> list[Transition]:
        """A connect attempt starts (first connect, or ``connect()`` again after broken).

        Raises
        ------
        InvalidTransitionError
            When the chat has ended.
        """
        if self._ended is not None:
            raise InvalidTransitionError("the chat has ended; create a new session")
        if self._status in (ConnectionStatus.NEVER_ESTABLISHED, ConnectionStatus.BROKEN):
            self._status = ConnectionStatus.ESTABLISHING
        return []

    def established(self) -> list[Transition]:
        """The socket is open and subscribed."""
        if self._ended is not None or self._status == ConnectionStatus.ESTABLISHED:
            return []
        reconnected = self._ever_established
        self._status = ConnectionStatus.ESTABLISHED
        self._ever_established = True
        self._lost = None
        return [ConnectionEstablishedTransition(reconnected=reconnected)]

    def lost(self, reason: Reason) -> list[Transition]:
        """The socket closed unexpectedly; recovery follows."""
        if self._ended is not None or self._status in (
            ConnectionStatus.BROKEN,
            ConnectionStatus.NEVER_ESTABLISHED,
        ):
            return []
        if self._status == ConnectionStatus.ESTABLISHING:
            return []  # already recovering (or first attempt): one event per outage
        self._status = ConnectionStatus.ESTABLISHING
        self._lost = reason
        self._last_reason = reason
        return [ConnectionLostTransition(reason=reason)]

    def broken(self, reason: Reason) -> list[Transition]:
        """Recovery is impossible (e.g. a non-retryable error)."""
        if self._ended is not None or self._status == ConnectionStatus.BROKEN:
            return []
        self._status = ConnectionStatus.BROKEN
        self._lost = None
        self._last_reason = reason
        return [ConnectionBrokenTransition(reason=reason)]

    def chat_ended(self, reason: Reason) -> list[Transition]:
        """The chat ended (chat.ended event, participant disconnected, or 403 after a loss)."""
        if self._ended is not None:
            return []
        self._ended = reason
        self._lost = None
        self._last_reason = reason
        self._status = ConnectionStatus.BROKEN
        return [ChatEndedTransition(reason=reason)]

    def reset(self) -> list[Transition]:
        """Forget the connection (``session.reset()``); the chat itself is untouched."""
        if self._ended is None:
            self._status = ConnectionStatus.NEVER_ESTABLISHED
            self._ever_established = False
            self._lost = None
        return []
