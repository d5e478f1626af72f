"""The ``on_<event>`` subscription methods of a session (ChatJS ``onX``), as a mixin."""

from __future__ import annotations

from collections.abc import Callable

from connect_chat.events import EventBus, EventName, Handler

__all__ = ["EventSubscriptions"]


class EventSubscriptions:
    """``on_<event>(handler)`` for every session event; each returns a function that unsubscribes.

    Handlers receive ``{"chat_details": {...ids...}, "data": ...}`` and may be coroutine functions.
    """

    _events: EventBus

    def _on(self, name: EventName, handler: Handler) -> Callable[[], None]:
        return self._events.subscribe(name, handler)

    def on_message(self, handler: Handler) -> Callable[[], None]:
        """Every message and event except typing and receipts (own echoes included). Returns unsubscribe."""
        return self._on(EventName.MESSAGE, handler)

    def on_typing(self, handler: Handler) -> Callable[[], None]:
        """Typing of other participants."""
        return self._on(EventName.TYPING, handler)

    def on_read_receipt(self, handler: Handler) -> Callable[[], None]:
        """Read receipts from other participants."""
        return self._on(EventName.READ_RECEIPT, handler)

    def on_delivered_receipt(self, handler: Handler) -> Callable[[], None]:
        """Delivered receipts from other participants."""
        return self._on(EventName.DELIVERED_RECEIPT, handler)

    def on_connection_established(self, handler: Handler) -> Callable[[], None]:
        """Once per (re)connection; ``data["reconnected"]`` tells which."""
        return self._on(EventName.CONNECTION_ESTABLISHED, handler)

    def on_connection_lost(self, handler: Handler) -> Callable[[], None]:
        """The socket went away (``data["reason"]``); recovery is automatic."""
        return self._on(EventName.CONNECTION_LOST, handler)

    def on_connection_broken(self, handler: Handler) -> Callable[[], None]:
        """Recovery failed (``data["reason"]``); call ``connect()`` to try again."""
        return self._on(EventName.CONNECTION_BROKEN, handler)

    def on_ended(self, handler: Handler) -> Callable[[], None]:
        """The chat ended (``data["reason"]``, ``data["item"]``); every handler is dropped afterwards."""
        return self._on(EventName.ENDED, handler)

    def on_participant_idle(self, handler: Handler) -> Callable[[], None]:
        """``participant.idle``."""
        return self._on(EventName.PARTICIPANT_IDLE, handler)

    def on_participant_returned(self, handler: Handler) -> Callable[[], None]:
        """``participant.returned``."""
        return self._on(EventName.PARTICIPANT_RETURNED, handler)

    def on_participant_invited(self, handler: Handler) -> Callable[[], None]:
        """``participant.invited``."""
        return self._on(EventName.PARTICIPANT_INVITED, handler)

    def on_auto_disconnection(self, handler: Handler) -> Callable[[], None]:
        """``participant.autodisconnection``."""
        return self._on(EventName.AUTO_DISCONNECTION, handler)

    def on_deep_heartbeat_success(self, handler: Handler) -> Callable[[], None]:
        """An ``aws/ping`` answered 200."""
        return self._on(EventName.DEEP_HEARTBEAT_SUCCESS, handler)

    def on_deep_heartbeat_failure(self, handler: Handler) -> Callable[[], None]:
        """An ``aws/ping`` answered with an error."""
        return self._on(EventName.DEEP_HEARTBEAT_FAILURE, handler)

    def on_authentication_initiated(self, handler: Handler) -> Callable[[], None]:
        """``authentication.initiated``."""
        return self._on(EventName.AUTHENTICATION_INITIATED, handler)

    def on_authentication_successful(self, handler: Handler) -> Callable[[], None]:
        """``authentication.succeeded``."""
        return self._on(EventName.AUTHENTICATION_SUCCESSFUL, handler)

    def on_authentication_failed(self, handler: Handler) -> Callable[[], None]:
        """``authentication.failed``."""
        return self._on(EventName.AUTHENTICATION_FAILED, handler)

    def on_authentication_timeout(self, handler: Handler) -> Callable[[], None]:
        """``authentication.timeout``."""
        return self._on(EventName.AUTHENTICATION_TIMEOUT, handler)

    def on_authentication_expired(self, handler: Handler) -> Callable[[], None]:
        """``authentication.expired``."""
        return self._on(EventName.AUTHENTICATION_EXPIRED, handler)

    def on_authentication_canceled(self, handler: Handler) -> Callable[[], None]:
        """``authentication.cancelled``."""
        return self._on(EventName.AUTHENTICATION_CANCELED, handler)

    def on_participant_display_name_updated(self, handler: Handler) -> Callable[[], None]:
        """``participant.displayname.updated``."""
        return self._on(EventName.PARTICIPANT_DISPLAY_NAME_UPDATED, handler)

    def on_chat_rehydrated(self, handler: Handler) -> Callable[[], None]:
        """``chat.rehydrated`` (persistent chat)."""
        return self._on(EventName.CHAT_REHYDRATED, handler)

    def on_transcript_updated(self, handler: Handler) -> Callable[[], None]:
        """The local transcript changed: ``data["changes"]``, a list of
        :class:`~connect_chat.transcript.TranscriptChange` (``kind``, ``entry``, ``index``, ``previous_index``;
        ``to_dict()`` for plain data), in order, and ``data["size"]``. Replaying the changes keeps a copy of the
        transcript in step; the whole ordered list is ``session.transcript.entries()`` (or ``to_list()``)."""
        return self._on(EventName.TRANSCRIPT_UPDATED, handler)
