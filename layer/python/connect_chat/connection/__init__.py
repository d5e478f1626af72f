"""Asyncio websocket connection management (``websockets`` is imported lazily)."""

from __future__ import annotations

from connect_chat.connection.backoff import Timing, fetch_retry_delay, reopen_delay
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
