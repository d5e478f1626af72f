"""Summaries of latency samples."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``samples``."""
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def describe_ms(name: str, samples_seconds: Sequence[float]) -> str:
    """``name: n=…, p50 … ms, p95 … ms, max … ms, mean … ms``."""
    ms = [s * 1000 for s in samples_seconds]
    return (
        f"{name:<34} n={len(ms):<5} p50 {percentile(ms, 0.5):7.1f} ms   p95 {percentile(ms, 0.95):7.1f} ms   "
        f"max {max(ms):7.1f} ms   mean {statistics.fmean(ms):7.1f} ms"
    )
