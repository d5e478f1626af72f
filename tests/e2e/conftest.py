"""Headless Chromium (Debian's package) driven by Playwright; no browser is ever downloaded."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHATJS = ROOT / "node_modules" / "amazon-connect-chatjs" / "dist" / "amazon-connect-chat.js"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


# Module scope, not session: while sync_playwright is open an asyncio loop runs in this thread, and every
# later async test (pytest-asyncio) would fail with "Runner.run() cannot be called from a running event loop".
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A Chromium browser; skipped where none is installed, except under CI where it must exist."""
    executable = _chromium_path()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("Chromium is not installed; install Debian's chromium package to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def chatjs_source() -> str:
    """The unmodified amazon-connect-chatjs build from its npm package."""
    if not CHATJS.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("node_modules is missing amazon-connect-chatjs (.ci/run runs npm ci)")
        pytest.skip("run `npm ci` to fetch amazon-connect-chatjs for the fidelity test")
    return CHATJS.read_text()


PAGE = "<!doctype html><html><head><meta charset='utf-8'><title>test page</title></head><body></body></html>"


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture(scope="session")
def page_origin() -> Iterator[str]:
    """An empty page served from its own loopback origin, cross-origin to every emulator."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def local_stack() -> Iterator[Any]:
    """``python -m local`` in its own process on free ports (``.http_url``, ``.websocket_url``, ...)."""
    from tests.support.servers import run_local_stack

    with run_local_stack() as running:
        yield running
