"""Real servers on loopback for the tests: the Connect emulator and moto's server, each in a thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from local.connect_emulator import Emulator, EmulatorConfig
from local.process import LocalStackProcess, call_control, free_port, run_local_stack


@dataclass
class RunningEmulator:
    """An emulator serving on ``url``, with a small JSON client for its control API."""

    url: str
    emulator: Emulator
    loop: asyncio.AbstractEventLoop
    defaults: dict[str, Any] = field(default_factory=dict)

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call ``/_emulator{path}`` and return the decoded JSON answer (raises on HTTP errors)."""
        return call_control(self.url, method, path, body)

    def reset(self) -> None:
        """Back to the defaults between tests: no faults, settings restored."""
        self.control("DELETE", "/faults")
        self.control("POST", "/config", self.defaults)


@contextmanager
def serve_in_thread(app: web.Application, port: int, name: str) -> Iterator[asyncio.AbstractEventLoop]:
    """Serve ``app`` on 127.0.0.1:``port`` from a background thread until the block ends; yields its loop."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=serve, name=name, daemon=True)
    thread.start()
    if not started.wait(15):
        raise RuntimeError(f"{name} did not start")
    try:
        yield loop
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(15)


@contextmanager
def run_emulator(config: EmulatorConfig | None = None) -> Iterator[RunningEmulator]:
    """Serve an emulator on a free loopback port from a background thread."""
    port = free_port()
    config = config or EmulatorConfig()
    config.public_host = f"127.0.0.1:{port}"
    emulator = Emulator(config)
    with serve_in_thread(emulator.build_app(), port, "connect-emulator") as loop:
        running = RunningEmulator(f"http://127.0.0.1:{port}", emulator, loop)
        running.defaults = {k: v for k, v in running.control("GET", "/config").items() if not k.startswith("streaming")}
        yield running


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


__all__ = ["LocalStackProcess", "RunningEmulator", "free_port", "run_emulator", "run_local_stack", "run_moto"]
