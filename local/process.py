"""``python -m local`` in a child process on free ports: for browser tests, benchmarks and demos."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call_control(emulator_url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call ``/_emulator{path}`` of the Connect emulator at ``emulator_url``; the decoded JSON answer.

    Raises ``urllib.error.HTTPError`` for an error status.
    """
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{emulator_url}/_emulator{path}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@dataclass
class LocalStackProcess:
    """``python -m local`` running in a child process on free ports."""

    http_url: str
    websocket_url: str
    emulator_url: str
    moto_url: str
    process: subprocess.Popen[str]

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call the Connect emulator's control API (``/_emulator{path}``)."""
        return call_control(self.emulator_url, method, path, body)


@contextmanager
def run_local_stack(extra_env: dict[str, str] | None = None) -> Iterator[LocalStackProcess]:
    """Start ``python -m local`` as a user would (own process, own environment) and wait until it is up."""
    ports = {name: free_port() for name in ("HTTP", "GATEWAY", "CONNECT", "MOTO")}
    env = {**os.environ, **{f"LOCAL_{name}_PORT": str(port) for name, port in ports.items()}, **(extra_env or {})}
    for key in [k for k in env if k.startswith("AWS_ENDPOINT_URL")]:
        env.pop(key)
    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "local"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    deadline = time.monotonic() + 60
    assert process.stdout is not None
    while True:
        line = process.stdout.readline()
        output.append(line)
        if "Press Ctrl-C to stop" in line:
            break
        if (not line and process.poll() is not None) or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("python -m local did not start:\n" + "".join(output))
    threading.Thread(target=lambda: [None for _ in process.stdout or []], daemon=True).start()
    host = "127.0.0.1"
    running = LocalStackProcess(
        http_url=f"http://{host}:{ports['HTTP']}",
        websocket_url=f"ws://{host}:{ports['GATEWAY']}/local",
        emulator_url=f"http://{host}:{ports['CONNECT']}",
        moto_url=f"http://{host}:{ports['MOTO']}",
        process=process,
    )
    try:
        yield running
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
