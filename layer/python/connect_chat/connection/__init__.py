"""Asyncio websocket connection management (``websockets`` is imported lazily).

``connect_chat.connection.backoff`` (the timers) imports nothing heavy; the manager (and ``asyncio``) loads on
first use of one of its names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connect_chat._lazy import lazy_exports
from connect_chat.connection.backoff import Timing, fetch_retry_delay, reopen_delay

if TYPE_CHECKING:
    from connect_chat.connection.manager import ConnectionDetails as ConnectionDetails
    from connect_chat.connection.manager import ConnectionListener as ConnectionListener
    from connect_chat.connection.manager import WebSocketLike as WebSocketLike
    from connect_chat.connection.manager import WebSocketManager as WebSocketManager

#: Exported name -> the module defining it, imported on first use.
_EXPORTS = {
    "ConnectionDetails": "connect_chat.connection.manager",
    "ConnectionListener": "connect_chat.connection.manager",
    "WebSocketLike": "connect_chat.connection.manager",
    "WebSocketManager": "connect_chat.connection.manager",
}
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)

#: The names imported on first use come from ``_EXPORTS``; type checkers see them through the re-exports above.
__all__ = ["Timing", "fetch_retry_delay", "reopen_delay", *_EXPORTS]
