"""Headless Chromium (Debian's package) driven by Playwright; no browser is ever downloaded."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
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


class Site:
    """Pages for the widget tests, served from an origin of their own (as a customer's website is).

    The same server answers as ``http://localhost:PORT`` (an origin the local stack allows) and as
    ``http://127.0.0.1:PORT`` (a stranger to it).
    """

    def __init__(self, port: int) -> None:
        self.origin = f"http://localhost:{port}"
        self.stranger_origin = f"http://127.0.0.1:{port}"
        self.pages: dict[str, tuple[bytes, dict[str, str]]] = {}
        self.endpoints: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}

    def add(self, html: str, headers: dict[str, str] | None = None) -> str:
        """Serve ``html`` (with ``headers``) at a new path; returns the path."""
        path = f"/page-{len(self.pages) + 1}"
        self.pages[path] = (html.encode(), headers or {})
        return path

    def add_endpoint(self, path: str, answer: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """Answer ``POST path`` (a JSON body, same origin) with the JSON object ``answer(body)`` returns."""
        self.endpoints[path] = answer


def _site_handler(pages: Site) -> type[BaseHTTPRequestHandler]:
    class SiteHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = pages.pages.get(self.path.split("?")[0])
            if page is None:
                self.send_error(404)
                return
            body, headers = page
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            answer = pages.endpoints.get(self.path.split("?")[0])
            if answer is None:
                self.send_error(404)
                return
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            body = json.dumps(answer(json.loads(raw or b"{}"))).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return SiteHandler


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    """A customer's website: pages that embed the widget from the local stack's origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    pages = Site(server.server_address[1])
    server.RequestHandlerClass = _site_handler(pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield pages
    server.shutdown()


@pytest.fixture(scope="session")
def page_origin(site: Site) -> str:
    """An empty page served from its own loopback origin, cross-origin to every emulator."""
    return site.origin + site.add(PAGE)


@pytest.fixture(scope="session")
def local_stack(site: Site) -> Iterator[Any]:
    """``python -m local`` in its own process on free ports (``.http_url``, ``.websocket_url``, ...).

    It allows the demo page's origins and :func:`site`'s ``localhost`` origin (``ALLOWED_ORIGINS``, as a user
    would set it), not the site's ``127.0.0.1`` one.
    """
    from tests.support.servers import free_port, run_local_stack

    http_port = free_port()
    origins = [f"http://127.0.0.1:{http_port}", f"http://localhost:{http_port}", site.origin]
    with run_local_stack({"LOCAL_HTTP_PORT": str(http_port), "ALLOWED_ORIGINS": ",".join(origins)}) as running:
        yield dataclasses.replace(running, http_url=f"http://127.0.0.1:{http_port}")


#: Browser context options of the two sizes every widget test runs at.
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "mobile": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}
TIMEOUT_MS = 15000


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """``desktop`` or ``mobile``: tests that take it run once at each size."""
    name: str = request.param
    return name


@pytest.fixture
def context(browser: Any, viewport: str) -> Iterator[Any]:
    """A fresh browser context (English, UTC) at the test's viewport size."""
    created = browser.new_context(locale="en-GB", timezone_id="UTC", **VIEWPORTS[viewport])
    created.set_default_timeout(TIMEOUT_MS)
    yield created
    created.close()


@pytest.fixture
def page(context: Any) -> Any:
    """A page that records uncaught errors in ``page.problems``."""
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.problems = problems
    return opened
