"""Real servers on loopback for the tests: the Connect emulator and moto's server, each in a thread."""

from __future__ import annotations

import asyncio
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from local.connect_emulator import Emulator, EmulatorConfig


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningEmulator:
    """An emulator serving on ``url``, with a small JSON client for its control API."""

    url: str
    emulator: Emulator
    loop: asyncio.AbstractEventLoop
    defaults: dict[str, Any] = field(default_factory=dict)

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call ``/_emulator{path}`` and return the decoded JSON answer (raises on HTTP errors)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}/_emulator{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        """Back to the defaults between tests: no faults, settings restored."""
        self.control("DELETE", "/faults")
        self.control("POST", "/config", self.defaults)


@contextmanager
def run_emulator(config: EmulatorConfig | None = None) -> Iterator[RunningEmulator]:
    """Serve an emulator on a free loopback port from a background thread."""
    port = free_port()
    config = config or EmulatorConfig()
    config.public_host = f"127.0.0.1:{port}"
    emulator = Emulator(config)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(emulator.build_app(), access_log=None)
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=serve, name="connect-emulator", daemon=True)
    thread.start()
    if not started.wait(15):
        raise RuntimeError("the emulator did not start")
    running = RunningEmulator(f"http://127.0.0.1:{port}", emulator, loop)
    running.defaults = {k: v for k, v in running.control("GET", "/config").items() if not k.startswith("streaming")}
    try:
        yield running
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(15)


@contextmanager
def run_moto() -> Iterator[str]:
    """moto's server (SNS, S3, DynamoDB, ...) on a free loopback port; yields its URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


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
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.emulator_url}/_emulator{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


@contextmanager
def run_local_stack(extra_env: dict[str, str] | None = None) -> Iterator[LocalStackProcess]:
    """Start ``python -m local`` as a user would (own process, own environment) and wait until it is up."""
    ports = {name: free_port() for name in ("HTTP", "GATEWAY", "CONNECT", "MOTO")}
    env = {**os.environ, **{f"LOCAL_{name}_PORT": str(port) for name, port in ports.items()}, **(extra_env or {})}
    for key in [k for k in env if k.startswith("AWS_ENDPOINT_URL")]:
        env.pop(key)
    root = Path(__file__).resolve().parents[2]
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
