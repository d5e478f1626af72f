"""Asyncio websocket connection management (``websockets`` is imported lazily).

``connect_chat.connection.backoff`` (the timers) imports nothing heavy; the manager (and ``asyncio``) loads on
first use of one of its names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connect_chat.connection.backoff import Timing, fetch_retry_delay, reopen_delay

if TYPE_CHECKING:
    from connect_chat.connection.manager import (
        ConnectionDetails,
        ConnectionListener,
        WebSocketLike,
        WebSocketManager,
    )

__all__ = [
    "ConnectionDetails",
    "ConnectionListener",
    "Timing",
    "WebSocketLike",
    "WebSocketManager",
    "fetch_retry_delay",
    "reopen_delay",
]

_MANAGER_NAMES = frozenset(("ConnectionDetails", "ConnectionListener", "WebSocketLike", "WebSocketManager"))


def __getattr__(name: str) -> Any:
    if name in _MANAGER_NAMES:
        from connect_chat.connection import manager

        return getattr(manager, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
