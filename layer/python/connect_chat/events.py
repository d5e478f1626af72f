"""Session events: names, which items raise which events, and the handler registry.

Nothing here imports ``asyncio`` at import time: a coroutine handler's result is scheduled on the running loop
when there is one to schedule.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from connect_chat.loggers import get_logger
from connect_chat.protocol import content_types as ct
from connect_chat.protocol.items import Item, ItemType

if TYPE_CHECKING:
    import asyncio

__all__ = ["EventBus", "EventName", "Handler", "events_for_item"]

_log = get_logger("events")

Handler = Callable[[dict[str, Any]], Awaitable[None] | None]
"""An event handler: called with ``{"chat_details": {...ids...}, "data": ...}``; may be a coroutine function."""


class EventName(StrEnum):
    """Every session event (ChatJS ``onX`` -> ``on_x``)."""

    MESSAGE = "message"
    TYPING = "typing"
    READ_RECEIPT = "read_receipt"
    DELIVERED_RECEIPT = "delivered_receipt"
    CONNECTION_ESTABLISHED = "connection_established"
    CONNECTION_LOST = "connection_lost"
    CONNECTION_BROKEN = "connection_broken"
    ENDED = "ended"
    PARTICIPANT_IDLE = "participant_idle"
    PARTICIPANT_RETURNED = "participant_returned"
    PARTICIPANT_INVITED = "participant_invited"
    AUTO_DISCONNECTION = "auto_disconnection"
    DEEP_HEARTBEAT_SUCCESS = "deep_heartbeat_success"
    DEEP_HEARTBEAT_FAILURE = "deep_heartbeat_failure"
    AUTHENTICATION_INITIATED = "authentication_initiated"
    AUTHENTICATION_SUCCESSFUL = "authentication_successful"
    AUTHENTICATION_FAILED = "authentication_failed"
    AUTHENTICATION_TIMEOUT = "authentication_timeout"
    AUTHENTICATION_EXPIRED = "authentication_expired"
    AUTHENTICATION_CANCELED = "authentication_canceled"
    PARTICIPANT_DISPLAY_NAME_UPDATED = "participant_display_name_updated"
    CHAT_REHYDRATED = "chat_rehydrated"
    TRANSCRIPT_UPDATED = "transcript_updated"


_EVENT_BY_CONTENT_TYPE: dict[str, EventName] = {
    ct.PARTICIPANT_IDLE: EventName.PARTICIPANT_IDLE,
    ct.PARTICIPANT_RETURNED: EventName.PARTICIPANT_RETURNED,
    ct.PARTICIPANT_INVITED: EventName.PARTICIPANT_INVITED,
    ct.PARTICIPANT_AUTODISCONNECTION: EventName.AUTO_DISCONNECTION,
    ct.PARTICIPANT_DISPLAYNAME_UPDATED: EventName.PARTICIPANT_DISPLAY_NAME_UPDATED,
    ct.CHAT_REHYDRATED: EventName.CHAT_REHYDRATED,
    ct.AUTHENTICATION_INITIATED: EventName.AUTHENTICATION_INITIATED,
    ct.AUTHENTICATION_SUCCEEDED: EventName.AUTHENTICATION_SUCCESSFUL,
    ct.AUTHENTICATION_FAILED: EventName.AUTHENTICATION_FAILED,
    ct.AUTHENTICATION_TIMEOUT: EventName.AUTHENTICATION_TIMEOUT,
    ct.AUTHENTICATION_EXPIRED: EventName.AUTHENTICATION_EXPIRED,
    ct.AUTHENTICATION_CANCELLED: EventName.AUTHENTICATION_CANCELED,
}

# What an item of each content type raises when it is not MESSAGEMETADATA or CONNECTION_ACK.
_EVENTS_BY_CONTENT_TYPE: dict[str | None, tuple[EventName, ...]] = {
    ct.TYPING: (EventName.TYPING,),
    ct.MESSAGE_READ: (EventName.READ_RECEIPT,),
    ct.MESSAGE_DELIVERED: (EventName.DELIVERED_RECEIPT,),
    **{content_type: (EventName.MESSAGE, name) for content_type, name in _EVENT_BY_CONTENT_TYPE.items()},
}
_MESSAGE_ONLY = (EventName.MESSAGE,)
_READ_ONLY = (EventName.READ_RECEIPT,)
_DELIVERED_ONLY = (EventName.DELIVERED_RECEIPT,)


_MESSAGEMETADATA, _CONNECTION_ACK = ItemType.MESSAGEMETADATA, ItemType.CONNECTION_ACK


def item_events(item: Item, self_participant_id: str | None = None) -> tuple[EventName, ...]:
    """:func:`events_for_item` as a tuple (no list is built): the form the session uses per frame."""
    item_type = item.type
    if item_type == _MESSAGEMETADATA:
        metadata = item.message_metadata
        delivered = False
        for r in metadata.receipts if metadata is not None else ():
            if self_participant_id is not None and r.recipient_participant_id == self_participant_id:
                continue  # the participant's own receipt
            if r.read_timestamp:
                return _READ_ONLY
            delivered = delivered or bool(r.delivered_timestamp)
        return _DELIVERED_ONLY if delivered else ()
    if item_type == _CONNECTION_ACK:
        return ()
    return _EVENTS_BY_CONTENT_TYPE.get(item.content_type, _MESSAGE_ONLY)


def events_for_item(item: Item, self_participant_id: str | None = None) -> list[EventName]:
    """The events an incoming item raises, in order.

    Typing raises only ``typing``; read/delivered receipts (``message.read``/``message.delivered`` events or
    ``MESSAGEMETADATA`` items) only their receipt event, and nothing when the receipt is the participant's
    own; ``CONNECTION_ACK`` raises nothing; everything else raises ``message`` and, for the special events
    (idle, returned, invited, auto-disconnection, display name, rehydrated, authentication), its own event
    too. ``chat.ended`` raises ``message``; the session then ends.
    """
    return list(item_events(item, self_participant_id))


class EventBus:
    """Handlers per event. Sync handlers run inline; coroutine handlers are scheduled as tasks.

    A failing handler is logged and never breaks the session or the other handlers. Checking for listeners
    (:meth:`has`) is one dictionary lookup, so a payload is built only when someone will receive it.
    """

    def __init__(self) -> None:
        # Copied on change, never changed in place: emit iterates without a copy. No empty tuples: a key means
        # at least one listener.
        self._handlers: dict[EventName, tuple[Handler, ...]] = {}
        self._tasks: set[asyncio.Future[Any]] = set()

    def subscribe(self, name: EventName, handler: Handler) -> Callable[[], None]:
        """Add ``handler`` for ``name``; returns a function that removes it."""
        if not callable(handler):
            from connect_chat.errors import InvalidArgumentError

            raise InvalidArgumentError("handler", f"must be callable, got {type(handler).__name__}")
        self._handlers[name] = (*self._handlers.get(name, ()), handler)

        def unsubscribe() -> None:
            handlers = self._handlers.get(name, ())
            if handler in handlers:
                at = handlers.index(handler)
                rest = handlers[:at] + handlers[at + 1 :]
                if rest:
                    self._handlers[name] = rest
                else:
                    del self._handlers[name]

        return unsubscribe

    def has(self, name: EventName) -> bool:
        """True when ``name`` has at least one handler."""
        return name in self._handlers

    def count(self, name: EventName) -> int:
        """Number of handlers for ``name``."""
        return len(self._handlers.get(name, ()))

    def emit(self, name: EventName, payload: dict[str, Any]) -> None:
        """Call every handler of ``name`` with ``payload``."""
        for handler in self._handlers.get(name, ()):
            try:
                result = handler(payload)
            except Exception as exc:
                _log.error("handler for %s raised %s: %s", name.value, type(exc).__name__, exc)
                continue
            if result is not None and isinstance(result, Awaitable):
                self._schedule(result)

    def _schedule(self, awaitable: Awaitable[Any]) -> None:
        import asyncio

        task = asyncio.ensure_future(awaitable)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            _log.error("async handler raised %s: %s", type(exc).__name__, exc)

    async def drain(self) -> None:
        """Wait for the async handlers still running."""
        import asyncio

        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def clear(self) -> None:
        """Drop every handler."""
        self._handlers.clear()
