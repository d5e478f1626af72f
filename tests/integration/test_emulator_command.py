"""``python -m local.connect_emulator`` as a user runs it: ``--help``, its options, one-line errors."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from local.process import call_control, free_port

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "local.connect_emulator", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_lists_every_option() -> None:
    answer = _run("--help")
    assert answer.returncode == 0
    for option in (
        "--port",
        "--host",
        "--public-host",
        "--region",
        "--no-agent",
        "--agent-delay",
        "--agent-reply-delay",
        "--connection-token-ttl",
        "--websocket-ttl",
        "--websocket-connect-timeout",
        "--log-level",
    ):
        assert option in answer.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--port", "http"), "argument --port: must be a port number from 1 to 65535, got 'http'"),
        (("--log-level", "verbose"), "argument --log-level: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        (("--agent-delay", "-2"), "argument --agent-delay: must be a number of seconds (0 or more), got '-2'"),
        (("--websocket-ttl", "0"), "argument --websocket-ttl: must be a number of seconds greater than 0"),
        (("--public-host", "http://x"), "argument --public-host: must be host:port"),
        (("--region", "Mars"), "argument --region: must be an AWS region such as us-west-2"),
    ],
)
def test_a_bad_option_stops_with_one_line(args: tuple[str, ...], expected: str) -> None:
    answer = _run(*args)
    assert answer.returncode == 2
    assert answer.stderr.startswith(f"python -m local.connect_emulator: {expected}")
    assert answer.stderr.count("\n") == 1


def test_a_taken_port_stops_with_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        answer = _run("--port", str(port))
    assert answer.returncode == 2
    assert answer.stderr == (
        f"python -m local.connect_emulator: cannot listen on 127.0.0.1:{port} (address already in use); "
        "pick another --port or --host\n"
    )


def test_the_emulator_runs_alone_with_its_options() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "local.connect_emulator", "--port", str(port), "--no-agent", "--log-level", "warning"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == f"Connect emulator on {url} (agent off)\n"
        deadline = time.monotonic() + 30
        while True:
            try:
                config = call_control(url, "GET", "/config")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        assert config["agentEnabled"] is False
        connect = boto3.client("connect", endpoint_url=url, region_name="us-west-2")
        chat = connect.start_chat_contact(InstanceId="i", ContactFlowId="f", ParticipantDetails={"DisplayName": "Ana"})
        assert chat["ParticipantToken"]
    finally:
        process.terminate()
        process.wait(15)
        if process.stdout is not None:
            process.stdout.close()
