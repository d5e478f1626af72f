"""Typing events: at most one per interval (default 10 s), leading edge."""

from __future__ import annotations

from connect_chat.clock import Clock, SystemClock

__all__ = ["TYPING_INTERVAL_MS", "TypingThrottle"]

TYPING_INTERVAL_MS = 10_000


class TypingThrottle:
    """Leading-edge throttle for typing events.

    Parameters
    ----------
    interval_ms : int
        Minimum time between two typing events.
    clock : Clock, optional
        Time source.
    """

    def __init__(self, *, interval_ms: int = TYPING_INTERVAL_MS, clock: Clock | None = None) -> None:
        self.interval = interval_ms / 1000.0
        self.clock: Clock = clock or SystemClock()
        self._last: float | None = None

    def should_send(self) -> bool:
        """True (and the window starts) when no typing event was sent in the last interval."""
        now = self.clock.monotonic()
        if self._last is not None and now - self._last < self.interval:
            return False
        self._last = now
        return True

    def cancel_last(self) -> None:
        """Forget the last send (it failed), so the next call may send."""
        self._last = None
