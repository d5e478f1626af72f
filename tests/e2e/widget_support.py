"""What the widget's browser tests share: recorded frames, waiting on the widget, pages that embed it, screenshots."""

from __future__ import annotations

import html
import json
import os
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import boto3

from common.sessions import SessionStore
from local.stack import REGION, TABLE_NAME
from tests.e2e.conftest import TIMEOUT_MS
from tests.support.servers import LocalStackProcess

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
#: The widget's README: its examples are the ones the browser tests run.
WIDGET_README = ROOT / "widget" / "README.md"
READ = "application/vnd.amazonaws.connect.event.message.read"
TYPING = "application/vnd.amazonaws.connect.event.typing"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
#: The widget's shadow root, in page scripts.
SHADOW = "document.querySelector('#connect-chat-widget').shadowRoot"
#: The demo page's pre-chat form, as widget/README.md describes it.
DEMO_EMAIL = "dana@example.com"
DEMO_TOPIC = "orders"


class Frames:
    """Every WebSocket frame the page sends and receives, decoded; ``sockets`` counts connection attempts."""

    def __init__(self, page: Any) -> None:
        self.sent: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self.sockets = 0
        page.on("websocket", self._socket)

    def _socket(self, ws: Any) -> None:
        self.sockets += 1
        ws.on("framesent", lambda payload: self.sent.append(_decode(payload)))
        ws.on("framereceived", lambda payload: self.received.append(_decode(payload)))

    def actions(self, action: str) -> list[dict[str, Any]]:
        return [f for f in self.sent if f.get("action") == action]

    def errors(self) -> list[dict[str, Any]]:
        return [f for f in self.received if f.get("type") == "error"]


def _decode(payload: Any) -> dict[str, Any]:
    if isinstance(payload, bytes):
        payload = payload.decode()
    try:
        decoded = json.loads(payload)
    except (TypeError, ValueError):
        return {"raw": payload}
    return decoded if isinstance(decoded, dict) else {"raw": decoded}


def wait(page: Any, expression: str, arg: Any = None, timeout_ms: int = TIMEOUT_MS) -> Any:
    """Wait until ``expression`` (a JavaScript function of ``arg``, or an expression) is truthy; its value.

    It polls with ``page.evaluate`` rather than ``wait_for_function``, which evaluates strings with ``eval``
    and so fails on pages whose Content-Security-Policy forbids it.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        value = page.evaluate(expression, arg)
        if value:
            return value
        assert time.monotonic() < deadline, f"still not true after {timeout_ms} ms: {expression}"
        page.wait_for_timeout(50)


def widget_ready(page: Any) -> None:
    """Wait until the widget's modules are loaded and its API is complete."""
    wait(page, "() => !!(window.ConnectChatWidget && window.ConnectChatWidget.state)")


def widget_state(page: Any) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate("window.ConnectChatWidget.state")
    return state


def message_box(page: Any, label: str = "Message") -> Any:
    return page.get_by_role("textbox", name=label, exact=True)


def open_panel(page: Any, title: str = "Chat with us") -> None:
    page.get_by_role("button", name=f"Open chat: {title}").click()


def fill_demo_form(page: Any, name: str) -> None:
    """The demo page's pre-chat form: name, email and topic."""
    page.get_by_label("What is your name?").fill(name)
    page.get_by_label("Email").fill(DEMO_EMAIL)
    page.get_by_label("Topic").select_option(DEMO_TOPIC)


def start_chat(page: Any, url: str, name: str = "Dana") -> dict[str, Any]:
    """Open the demo page at ``url``, fill in its form and wait until the chat is under way."""
    page.goto(url)
    open_panel(page)
    fill_demo_form(page, name)
    page.get_by_role("button", name="Start chat").click()
    wait_connected(page)
    return widget_state(page)


def submit_name(page: Any, name: str = "Dana") -> None:
    """The default pre-chat form (the name only): fill it in and start the chat."""
    page.get_by_label("What is your name?").fill(name)
    page.get_by_role("button", name="Start chat").click()


def chat_on_page(page: Any, url: str, name: str = "Dana") -> dict[str, Any]:
    """Open ``url`` (a page embedding the widget with its default form), start a chat, wait until it is under way."""
    page.goto(url)
    widget_ready(page)
    open_panel(page)
    submit_name(page, name)
    wait_connected(page)
    return widget_state(page)


def wait_connected(page: Any) -> None:
    wait(page, "window.ConnectChatWidget.state.status === 'active' && window.ConnectChatWidget.state.connected")


def send(page: Any, text: str, box: str = "Message") -> None:
    """Type ``text`` in the message box (labelled ``box``) and press Enter."""
    message_box(page, box).fill(text)
    message_box(page, box).press("Enter")


def wait_for_reply(page: Any, text: str) -> None:
    """The simulated agent's answer quotes the customer's text."""
    wait(
        page,
        "t => window.ConnectChatWidget.state.items.some(i => !i.own && i.kind === 'message' && i.text.includes(t))",
        text,
    )


def eventually(page: Any, condition: Any, timeout_ms: int = 5000) -> None:
    """Poll a Python-side condition (e.g. on recorded frames) while the page keeps running."""
    waited = 0
    while not condition():
        assert waited < timeout_ms, "the condition did not become true"
        page.wait_for_timeout(100)
        waited += 100


def texts(page: Any) -> list[str]:
    """What the conversation shows, top to bottom (notices included)."""
    shown: list[str] = page.locator("li[data-kind] .text, li[data-kind=notice]").all_inner_texts()
    return shown


def assert_no_duplicates(page: Any) -> None:
    state = widget_state(page)
    ids = [i["id"] for i in state["items"] if i["id"]]
    assert len(ids) == len(set(ids)), "an item is shown twice"
    repeated = {text: n for text, n in Counter(texts(page)).items() if n > 1}
    assert not repeated, f"shown more than once: {repeated}"


def status_text(page: Any) -> str:
    """The connection banner (the panel's first status region), empty when none shows."""
    text: str = page.evaluate(f"() => {SHADOW}.querySelector('.status').textContent")
    return text


def gateway_connections(stack: LocalStackProcess, contact_id: str) -> list[str]:
    """The gateway connections the relay has attached to the chat (from the session table)."""
    dynamodb = boto3.client(
        "dynamodb",
        region_name=REGION,
        endpoint_url=stack.moto_url,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    fan_out = SessionStore(TABLE_NAME, client=dynamodb).fan_out(contact_id)
    return [] if fan_out is None else list(fan_out.connections)


def management(stack: LocalStackProcess, method: str, connection_id: str) -> tuple[int, dict[str, Any]]:
    """Call the management API (GetConnection, DeleteConnection) for ``connection_id``; status and JSON body."""
    url = stack.websocket_url.replace("ws://", "http://") + f"/@connections/{connection_id}"
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
            return int(response.status), json.loads(body) if body else {}
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def delete_connection(stack: LocalStackProcess, connection_id: str) -> int:
    """The management API's DeleteConnection: the server closes the browser's socket (code 1001)."""
    return management(stack, "DELETE", connection_id)[0]


def embed_page(
    widget_origin: str,
    attributes: dict[str, str],
    *,
    head: str = "",
    before: str = "",
    body: str = "",
    nonce: str | None = None,
) -> str:
    """A customer's page embedding the widget from ``widget_origin`` with one tag carrying ``attributes``."""
    data = "".join(f' data-{name}="{html.escape(value, quote=True)}"' for name, value in attributes.items())
    nonce_attribute = f' nonce="{nonce}"' if nonce else ""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>A customer's site</title>{head}</head><body><main><h1>A customer's site</h1>{body}</main>{before}"
        f'<script src="{widget_origin}/connect-chat-widget.js"{nonce_attribute}{data}></script></body></html>'
    )


def screenshot_path(name: str, tmp_path: Path) -> Path:
    """``docs/<name>.png`` when ``UPDATE_SCREENSHOT`` is set or it does not exist yet, else a scratch file."""
    target = DOCS / f"{name}.png"
    if os.environ.get("UPDATE_SCREENSHOT") or not target.exists():
        DOCS.mkdir(exist_ok=True)
        return target
    return tmp_path / f"{name}.png"


def screenshot_widget(page: Any, path: Path) -> None:
    """The widget (its open panel and its button) with a margin, at the bottom corner of the page."""
    panel = page.get_by_role("dialog").bounding_box()
    viewport = page.viewport_size
    x = max(panel["x"] - 12, 0)
    y = max(panel["y"] - 12, 0)
    clip = {"x": x, "y": y, "width": viewport["width"] - x, "height": viewport["height"] - y}
    page.screenshot(path=str(path), clip=clip)


MARKDOWN = "text/markdown"
INTERACTIVE = "application/vnd.amazonaws.connect.message.interactive"
INTERACTIVE_RESPONSE = "application/vnd.amazonaws.connect.message.interactive.response"


def agent_says(stack: LocalStackProcess, contact_id: str, content: str, content_type: str = "text/plain") -> None:
    """The agent sends ``content`` of ``content_type`` to the chat (through the emulator's control API)."""
    stack.control("POST", f"/contacts/{contact_id}/agent/message", {"content": content, "contentType": content_type})


def wait_for_item(page: Any, text: str) -> None:
    """Wait until the conversation shows an item whose text (as the transcript reads it) contains ``text``."""
    wait(page, "t => window.ConnectChatWidget.state.items.some(i => i.text.includes(t))", text)


def transcript(stack: LocalStackProcess, contact_id: str) -> list[dict[str, Any]]:
    """The contact's items as the Connect emulator stored them."""
    items: list[dict[str, Any]] = stack.control("GET", f"/contacts/{contact_id}")["Transcript"]
    return items


def session_snapshot(page: Any) -> dict[str, Any]:
    """What the widget keeps in this tab's ``sessionStorage`` (``{}`` when nothing)."""
    snapshot: dict[str, Any] = page.evaluate(
        "() => { const e = Object.entries(sessionStorage).find(([k]) => k.startsWith('connect-chat-widget:'));"
        " return e ? JSON.parse(e[1]) : {}; }"
    )
    return snapshot
