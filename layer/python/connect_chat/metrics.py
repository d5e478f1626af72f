"""Client-side metrics as CloudWatch embedded metric format (EMF), through Powertools.

Per Participant Service call: ``Latency`` (ms), ``Count`` and ``Error`` with the ``Operation`` dimension; per
websocket event: ``WebSocketLost``, ``WebSocketGained``, ``WebSocketMessages``. Each record is one EMF JSON line
written to a sink (stdout by default, which CloudWatch Logs ingests in Lambda): the library never sends
metrics anywhere itself.

On by default inside Lambda (``AWS_LAMBDA_FUNCTION_NAME`` is set), where stdout becomes CloudWatch metrics; off
by default anywhere else, where the lines would only clutter the output. Ask for them with
``set_global_config(metrics=True)``, ``MetricsRecorder(enabled=True)`` or ``POWERTOOLS_METRICS_DISABLED=false``;
turn them off everywhere with ``set_global_config(metrics=False)`` or ``POWERTOOLS_METRICS_DISABLED=true`` (which
wins over everything, as in Powertools).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["MetricsRecorder"]


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _stdout(line: str) -> None:
    sys.stdout.write(line + "\n")


class MetricsRecorder:
    """Writes EMF lines for API calls and websocket events.

    Parameters
    ----------
    namespace : str, optional
        CloudWatch namespace; defaults to the global ``metrics_namespace`` (``ConnectChat``).
    sink : Callable[[str], None], optional
        Where each EMF JSON line goes (default: stdout).
    enabled : bool, optional
        Force on/off; by default follows the global config at each record (whose default is on inside Lambda
        only). ``POWERTOOLS_METRICS_DISABLED=true`` turns it off regardless.
    """

    def __init__(
        self,
        *,
        namespace: str | None = None,
        sink: Callable[[str], None] | None = None,
        enabled: bool | None = None,
    ) -> None:
        self.namespace = namespace
        self.sink = sink or _stdout
        self.enabled = enabled
        self._lock = threading.Lock()

    def _active(self) -> tuple[bool, str]:
        from connect_chat.config import get_global_config

        cfg = get_global_config()
        chosen = cfg.metrics_enabled if self.enabled is None else self.enabled
        switch = os.environ.get("POWERTOOLS_METRICS_DISABLED", "").strip().lower()
        if switch in _TRUE:
            return False, ""
        if chosen is None:
            chosen = switch in _FALSE or bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))
        return chosen, self.namespace or cfg.metrics_namespace

    def _emit(self, dimensions: dict[str, str], metrics: list[tuple[str, str, float]]) -> None:
        on, namespace = self._active()
        if not on:
            return
        try:
            payload = _serialize(namespace, dimensions, metrics)
        except Exception:  # metrics must never break a chat
            return
        with self._lock:
            self.sink(json.dumps(payload, separators=(",", ":")))

    def record_call(self, operation: str, latency_ms: float, *, error: bool) -> None:
        """Record one Participant Service call."""
        self._emit(
            {"Operation": operation},
            [
                ("Latency", "Milliseconds", latency_ms),
                ("Count", "Count", 1),
                ("Error", "Count", 1 if error else 0),
            ],
        )

    def record_websocket(self, event: str, count: int = 1) -> None:
        """Record a websocket event: ``Lost``, ``Gained`` or ``Messages``."""
        self._emit({"Operation": "WebSocket"}, [(f"WebSocket{event}", "Count", count)])


def _serialize(namespace: str, dimensions: dict[str, str], metrics: list[tuple[str, str, float]]) -> Any:
    """One EMF document, through Powertools when installed, else written by hand in the same shape."""
    try:
        from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider
    except ImportError:
        dims = {**dimensions, "service": "connect_chat"}
        return {
            "_aws": {
                "Timestamp": int(time.time() * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": namespace,
                        "Dimensions": [list(dims)],
                        "Metrics": [{"Name": name, "Unit": unit} for name, unit, _ in metrics],
                    }
                ],
            },
            **dims,
            **{name: [float(amount)] for name, _, amount in metrics},
        }
    provider = AmazonCloudWatchEMFProvider(
        namespace=namespace, service="connect_chat", metric_set={}, dimension_set={}, metadata_set={}
    )
    for key, value in dimensions.items():
        provider.add_dimension(key, value)
    for name, unit, amount in metrics:
        provider.add_metric(name=name, unit=unit, value=amount)
    return provider.serialize_metric_set()
