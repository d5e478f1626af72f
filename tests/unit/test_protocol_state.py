from __future__ import annotations

import pytest

from connect_chat.protocol.state import (
    ChatEndedTransition,
    ConnectionBrokenTransition,
    ConnectionEstablishedTransition,
    ConnectionLostTransition,
    ConnectionStateMachine,
    ConnectionStatus,
    InvalidTransitionError,
    Reason,
    ReasonCode,
)

CLOSED = Reason(ReasonCode.SOCKET_CLOSED, "1006")


def status(m: ConnectionStateMachine) -> ConnectionStatus:
    return m.status


def test_first_connection_fires_established_once() -> None:
    m = ConnectionStateMachine()
    assert status(m) is ConnectionStatus.NEVER_ESTABLISHED
    assert m.connecting() == []
    assert status(m) is ConnectionStatus.ESTABLISHING
    assert m.established() == [ConnectionEstablishedTransition(reconnected=False)]
    assert m.established() == []  # e.g. URL rotation: no second event
    assert status(m) is ConnectionStatus.ESTABLISHED


def test_lost_then_reestablished() -> None:
    m = ConnectionStateMachine()
    m.connecting()
    m.established()
    assert m.lost(CLOSED) == [ConnectionLostTransition(CLOSED)]
    assert m.is_lost
    assert m.lost(Reason(ReasonCode.NETWORK_ERROR)) == []  # one event per outage
    assert status(m) is ConnectionStatus.ESTABLISHING
    assert m.established() == [ConnectionEstablishedTransition(reconnected=True)]
    assert not m.is_lost
    assert m.last_reason == CLOSED


def test_lost_before_first_establishment_is_silent() -> None:
    m = ConnectionStateMachine()
    m.connecting()
    assert m.lost(CLOSED) == []


def test_broken_is_terminal_until_connect_again() -> None:
    m = ConnectionStateMachine()
    m.connecting()
    m.established()
    reason = Reason(ReasonCode.FETCH_FAILED, "500")
    assert m.broken(reason) == [ConnectionBrokenTransition(reason)]
    assert m.broken(reason) == []
    assert m.lost(CLOSED) == []
    assert status(m) is ConnectionStatus.BROKEN
    m.connecting()
    assert status(m) is ConnectionStatus.ESTABLISHING
    assert m.established() == [ConnectionEstablishedTransition(reconnected=True)]


def test_ended_is_final() -> None:
    m = ConnectionStateMachine()
    m.connecting()
    m.established()
    reason = Reason(ReasonCode.CHAT_ENDED)
    assert m.chat_ended(reason) == [ChatEndedTransition(reason)]
    assert m.ended
    assert m.end_reason == reason
    assert m.chat_ended(reason) == []
    assert m.established() == []
    assert m.broken(CLOSED) == []
    with pytest.raises(InvalidTransitionError, match="ended"):
        m.connecting()
    m.reset()
    assert m.ended


def test_reset_forgets_the_connection() -> None:
    m = ConnectionStateMachine()
    m.connecting()
    m.established()
    m.reset()
    assert status(m) is ConnectionStatus.NEVER_ESTABLISHED
    m.connecting()
    assert m.established() == [ConnectionEstablishedTransition(reconnected=False)]


def test_reason_to_dict() -> None:
    assert CLOSED.to_dict() == {"code": "SocketClosed", "message": "1006"}
