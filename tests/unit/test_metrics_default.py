"""Metrics default: EMF lines inside Lambda, none in a plain process unless asked for."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from connect_chat import MetricsRecorder, reset_global_config, set_global_config


@pytest.fixture(autouse=True)
def _plain_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No Lambda, no Powertools switch, default global config."""
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    reset_global_config()
    yield
    reset_global_config()


def _recorded(recorder_enabled: bool | None = None) -> list[str]:
    lines: list[str] = []
    recorder = MetricsRecorder(sink=lines.append, enabled=recorder_enabled)
    recorder.record_call("SendMessage", 12.5, error=False)
    recorder.record_websocket("Gained")
    return lines


def test_a_plain_process_writes_no_metrics_by_default() -> None:
    assert _recorded() == []


def test_inside_lambda_metrics_are_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "chat-bot")

    lines = _recorded()

    assert len(lines) == 2
    call = json.loads(lines[0])
    assert call["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "ConnectChat"
    assert call["Operation"] == "SendMessage"
    assert call["Latency"] == [12.5]
    assert json.loads(lines[1])["WebSocketGained"] == [1.0]


@pytest.mark.parametrize(
    "ask",
    [
        lambda monkeypatch: set_global_config(metrics=True),
        lambda monkeypatch: set_global_config(metrics={"enabled": True}),
        lambda monkeypatch: set_global_config(csm_config={"enabled": True}),
        lambda monkeypatch: monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false"),
    ],
    ids=["metrics=True", "metrics.enabled", "csm_config.enabled", "POWERTOOLS_METRICS_DISABLED=false"],
)
def test_a_plain_process_writes_metrics_when_asked(
    ask: Callable[[pytest.MonkeyPatch], object], monkeypatch: pytest.MonkeyPatch
) -> None:
    ask(monkeypatch)
    assert len(_recorded()) == 2


def test_a_recorder_forced_on_writes_outside_lambda() -> None:
    assert len(_recorded(recorder_enabled=True)) == 2


@pytest.mark.parametrize("switch_off", ["global", "recorder", "env"])
def test_lambda_metrics_can_be_turned_off(switch_off: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "chat-bot")
    if switch_off == "global":
        set_global_config(metrics=False)
    elif switch_off == "env":
        monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    assert _recorded(recorder_enabled=False if switch_off == "recorder" else None) == []


def test_powertools_switch_wins_over_an_explicit_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    set_global_config(metrics=True)
    assert _recorded(recorder_enabled=True) == []
