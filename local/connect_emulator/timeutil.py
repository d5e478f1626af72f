"""Time in the formats the services use, and strictly increasing item timestamps."""

from __future__ import annotations

import datetime as dt
import time


def iso_ms(epoch_seconds: float) -> str:
    """``2019-11-08T02:41:28.172Z``: ISO 8601 with milliseconds, as the Participant Service writes times."""
    moment = dt.datetime.fromtimestamp(epoch_seconds, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> float:
    """Epoch seconds of an ISO 8601 time (``Z`` or an offset); raises ``ValueError`` when malformed."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


class ItemClock:
    """Hands out millisecond timestamps that strictly increase, even for items created in the same ms."""

    def __init__(self) -> None:
        self._last_ms = 0

    def next_ms(self) -> int:
        """A millisecond epoch timestamp greater than every one handed out before."""
        now_ms = int(time.time() * 1000)
        self._last_ms = max(now_ms, self._last_ms + 1)
        return self._last_ms
