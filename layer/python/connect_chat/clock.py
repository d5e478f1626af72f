"""Injectable time: every timer in the library reads a :class:`Clock`, so tests need no sleeping."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol

__all__ = ["Clock", "SystemClock"]


class Clock(Protocol):
    """Time source. ``monotonic`` drives timers; ``now`` stamps local items."""

    def monotonic(self) -> float:
        """Seconds on a monotonic scale."""
        ...

    def now(self) -> datetime:
        """The current UTC time."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """:func:`time.monotonic`."""
        return time.monotonic()

    def now(self) -> datetime:
        """:func:`datetime.now` in UTC."""
        return datetime.now(UTC)
