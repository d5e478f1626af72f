"""``python -m local`` as a user runs it: ``--help``, options instead of variables, one-line errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from local.process import call_control, free_port

ROOT = Path(__file__).resolve().parents[2]


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "LOCAL_"))}
    return {**env, **extra}


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "local", *args],
        cwd=ROOT,
        env=_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@contextmanager
def _running(*args: str) -> Iterator[list[str]]:
    """``python -m local ARGS`` until it prints that it is up; yields what it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "local", *args],
        cwd=ROOT,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    printed: list[str] = []
    deadline = time.monotonic() + 60
    try:
        while not printed or "Press Ctrl-C to stop" not in printed[-1]:
            line = process.stdout.readline()
            if (not line and process.poll() is not None) or time.monotonic() > deadline:
                raise AssertionError("python -m local did not start:\n" + "".join(printed))
            printed.append(line)
        yield printed
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        process.stdout.close()


def test_help_prints_the_options_and_starts_nothing() -> None:
    port = free_port()
    started = time.monotonic()
    answer = _run("--help", LOCAL_HTTP_PORT=str(port))
    assert answer.returncode == 0
    assert "--http-port" in answer.stdout
    assert "LOCAL_GATEWAY_PORT" in answer.stdout
    assert "ALLOWED_ORIGINS" in answer.stdout
    assert "POWERTOOLS_LOG_LEVEL" in answer.stdout
    assert time.monotonic() - started < 30
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        ((), {"LOCAL_HTTP_PORT": "abc"}, "LOCAL_HTTP_PORT must be a port number from 1 to 65535, got 'abc'"),
        (("--moto-port", "sixty"), {}, "argument --moto-port: must be a port number from 1 to 65535, got 'sixty'"),
        ((), {"RATE_LIMIT_PER_MINUTE": "fast"}, "RATE_LIMIT_PER_MINUTE must be an integer between 1 and "),
    ],
)
def test_a_bad_value_stops_with_one_line(args: tuple[str, ...], env: dict[str, str], expected: str) -> None:
    answer = _run(*args, **env)
    assert answer.returncode == 2
    assert answer.stdout == ""
    assert answer.stderr.startswith(f"python -m local: {expected}")
    assert answer.stderr.count("\n") == 1
    assert "Traceback" not in answer.stderr


def test_options_choose_ports_agent_and_origins() -> None:
    ports = {name: free_port() for name in ("http", "gateway", "connect", "moto")}
    args = [f"--{name}-port={port}" for name, port in ports.items()]
    origin = "https://shop.example.com"

    with _running(*args, "--no-agent", f"--allowed-origins={origin}") as printed:
        http = f"http://127.0.0.1:{ports['http']}"
        emulator = f"http://127.0.0.1:{ports['connect']}"
        assert f"  widget demo     {http}/\n" in printed
        assert call_control(emulator, "GET", "/config")["agentEnabled"] is False

        def start_chat(from_origin: str) -> int:
            request = urllib.request.Request(
                f"{http}/start-chat",
                data=json.dumps({"ParticipantDetails": {"DisplayName": "Ana"}}).encode(),
                headers={"Content-Type": "application/json", "Origin": from_origin},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return int(response.status)
            except urllib.error.HTTPError as refused:
                return refused.code

        assert start_chat(origin) == 200
        assert start_chat(http) == 403  # the demo page's own origin is no longer in the list
