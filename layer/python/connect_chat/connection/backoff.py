"""Reconnect timing: pure functions and settings."""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["Timing", "fetch_retry_delay", "reopen_delay"]

_RNG = random.Random()


@dataclass(frozen=True, slots=True)
class Timing:
    """Timers of the websocket manager (seconds). Defaults follow ChatJS.

    Attributes
    ----------
    heartbeat_interval : float
        ``aws/heartbeat`` + ``aws/ping`` every interval (and once on open); a heartbeat still unanswered at
        the next tick means the socket is dead.
    subscribe_retry : float
        Delay between ``aws/subscribe`` attempts.
    subscribe_attempts : int
        Failed subscribes before the socket is given up.
    rotate_after : float
        Open a new socket on a fresh URL after this long (ChatJS: 3540 s).
    url_fresh_for : float
        Reopen on the same URL while it is younger than this; afterwards fetch a new one.
    reopen_base : float
        First reopen delay; doubles each attempt, ±``reopen_jitter``.
    reopen_jitter : float
        Relative jitter of reopen delays.
    fetch_retry_base, fetch_retry_max : float
        Retry delay of a failed CreateParticipantConnection: ``min(base * 2**n, max)``.
    token_refresh_margin : float
        Refresh the connection token this long before it expires.
    open_timeout : float
        Websocket handshake timeout.
    first_connect_attempts : int
        Retryable failures tolerated by the first ``connect()`` before it reports broken.
    network_poll : float
        How often ``is_network_online`` is polled while offline.
    """

    heartbeat_interval: float = 10.0
    subscribe_retry: float = 0.5
    subscribe_attempts: int = 5
    rotate_after: float = 3540.0
    url_fresh_for: float = 85.0
    reopen_base: float = 1.0
    reopen_jitter: float = 0.3
    fetch_retry_base: float = 2.0
    fetch_retry_max: float = 30.0
    token_refresh_margin: float = 60.0
    open_timeout: float = 10.0
    first_connect_attempts: int = 5
    network_poll: float = 1.0


def reopen_delay(attempt: int, timing: Timing, rng: random.Random | None = None) -> float:
    """Delay before reopen ``attempt`` (0-based): ``base * 2**attempt`` ± jitter."""
    rand = rng if rng is not None else _RNG
    base = timing.reopen_base * (2.0 ** min(attempt, 16))
    spread = base * timing.reopen_jitter
    return max(0.0, base + rand.uniform(-spread, spread))


def fetch_retry_delay(attempt: int, timing: Timing) -> float:
    """Delay before retry ``attempt`` (0-based) of a failed connection fetch."""
    return float(min(timing.fetch_retry_base * (2.0 ** min(attempt, 16)), timing.fetch_retry_max))
