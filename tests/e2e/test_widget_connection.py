"""The widget's connection: configuration errors it explains, planned closes it hides, the keepalive, restarts.

Pages come from a customer's website on its own origin (the ``site`` fixture), embedding the widget from the
local stack's origin, as a real embed does; the stack allows ``site.origin`` and not ``site.stranger_origin``.
"""

from __future__ import annotations

import dataclasses
import json
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.e2e.conftest import Site
from tests.e2e.widget_support import (
    Frames,
    assert_no_duplicates,
    chat_on_page,
    delete_connection,
    embed_page,
    eventually,
    gateway_connections,
    management,
    open_panel,
    send,
    start_chat,
    status_text,
    submit_name,
    wait,
    wait_connected,
    wait_for_reply,
    widget_ready,
    widget_state,
)
from tests.support.servers import LocalStackProcess, free_port, run_local_stack

pytestmark = pytest.mark.browser

#: Records every text the connection banner shows (into ``window.__banners``) from now on.
WATCH_BANNER = """() => {
  window.__banners = [];
  const status = document.querySelector('#connect-chat-widget').shadowRoot.querySelector('.status');
  new MutationObserver(() => { if (status.textContent) window.__banners.push(status.textContent); })
    .observe(status, {childList: true, characterData: true, subtree: true});
}"""


def test_the_widget_files_are_served_to_pages_on_other_origins(local_stack: LocalStackProcess) -> None:
    """Module scripts from another origin need CORS and a JavaScript MIME type; start-chat keeps its own CORS."""
    for path in ("/connect-chat-widget.js", "/src/widget.js", "/src/i18n/pt-BR.js"):
        request = urllib.request.Request(local_stack.http_url + path, headers={"Origin": "https://shop.example"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Content-Type"] == "text/javascript; charset=utf-8", path
            assert response.headers["Access-Control-Allow-Origin"] == "*", path
            assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin", path
    preflight = urllib.request.Request(
        local_stack.http_url + "/start-chat",
        method="OPTIONS",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"},
    )
    try:
        with urllib.request.urlopen(preflight, timeout=10) as response:
            allowed = response.headers.get("Access-Control-Allow-Origin")
    except urllib.error.HTTPError as exc:
        allowed = exc.headers.get("Access-Control-Allow-Origin")
    assert allowed != "*", "the widget's headers stay off the start-chat endpoint"


def test_a_site_whose_origin_is_not_allowed_is_told_so(page: Any, site: Site, local_stack: LocalStackProcess) -> None:
    path = site.add(embed_page(local_stack.http_url, {"websocket-url": local_stack.websocket_url}))
    frames = Frames(page)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    # The widget's modules load from the stack's origin (CORS), but the relay refuses this page's origin.
    page.goto(site.stranger_origin + path)
    widget_ready(page)
    open_panel(page)
    submit_name(page)
    alert = page.get_by_role("alert").filter(has_text="refused this website")
    alert.wait_for()
    assert site.stranger_origin in alert.inner_text()
    state = widget_state(page)
    assert state["configError"]["kind"] == "originRefused"
    assert state["status"] == "idle"
    assert page.get_by_label("What is your name?").is_enabled()
    assert any("ALLOWED_ORIGINS" in e and "allowedOrigins" in e and site.stranger_origin in e for e in errors)

    # It stopped retrying: no handshake after the diagnosis.
    attempts = frames.sockets
    assert attempts >= 3
    page.wait_for_timeout(4000)
    assert frames.sockets == attempts
    assert status_text(page) == ""

    # The same page on an allowed origin chats.
    page.goto(site.origin + path)
    widget_ready(page)
    open_panel(page)
    submit_name(page)
    wait_connected(page)
    assert widget_state(page)["configError"] is None


@pytest.mark.parametrize(
    ("also_allowed", "kind", "says"),
    [
        ("", "refusedOrNotFound", "refused this website (http://127.0.0.1:"),
        ("gateway", "originRefused", "refused this website: its origin"),
    ],
)
def test_a_refused_origin_under_a_strict_content_security_policy(
    page: Any, site: Site, local_stack: LocalStackProcess, also_allowed: str, kind: str, says: str
) -> None:
    """A connect-src that allows only the relay's URL leaves the widget unable to tell a refusal from a wrong
    address, and it says so; allowing the relay's http(s) origin as well lets it tell."""
    nonce = "n0nce-for-the-diagnosis"
    sources = [local_stack.websocket_url]
    if also_allowed:
        sources.append(local_stack.websocket_url.replace("ws://", "http://").rsplit("/", 1)[0])
    policy = f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
    policy += f"connect-src {' '.join(sources)}"
    page_html = embed_page(local_stack.http_url, {"websocket-url": local_stack.websocket_url}, nonce=nonce)
    path = site.add(page_html, headers={"Content-Security-Policy": policy})
    page.goto(site.stranger_origin + path)
    widget_ready(page)
    open_panel(page)
    submit_name(page)
    page.get_by_role("alert").filter(has_text=says).wait_for()
    assert widget_state(page)["configError"]["kind"] == kind


def test_a_handshake_the_page_s_policy_blocks_is_told_so(page: Any, site: Site, local_stack: LocalStackProcess) -> None:
    nonce = "n0nce-for-the-policy"
    policy = f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'none'"
    page_html = embed_page(local_stack.http_url, {"websocket-url": local_stack.websocket_url}, nonce=nonce)
    path = site.add(page_html, headers={"Content-Security-Policy": policy})
    page.goto(site.origin + path)
    widget_ready(page)
    open_panel(page)
    submit_name(page)
    page.get_by_role("alert").filter(has_text="Content-Security-Policy").wait_for()
    assert widget_state(page)["configError"]["kind"] == "blockedByPolicy"


def test_a_wrong_address_is_told_so_and_can_be_retried(page: Any, site: Site, local_stack: LocalStackProcess) -> None:
    nowhere = f"ws://127.0.0.1:{free_port()}/local"
    path = site.add(embed_page(local_stack.http_url, {"websocket-url": nowhere}))
    frames = Frames(page)
    page.goto(site.origin + path)
    widget_ready(page)
    open_panel(page)
    submit_name(page)
    alert = page.get_by_role("alert").filter(has_text="cannot be found")
    alert.wait_for()
    assert nowhere in alert.inner_text()
    assert widget_state(page)["configError"]["kind"] == "serviceNotFound"
    attempts = frames.sockets
    page.wait_for_timeout(3000)
    assert frames.sockets == attempts, "it stopped retrying"

    # Starting again tries again (the site may have been fixed meanwhile) and concludes the same.
    page.get_by_role("button", name="Start chat").click()
    eventually(page, lambda: frames.sockets > attempts)
    alert.wait_for()


def test_a_missing_address_is_told_so(page: Any, site: Site, local_stack: LocalStackProcess) -> None:
    path = site.add(embed_page(local_stack.http_url, {"title": "Help"}))
    page.goto(site.origin + path)
    widget_ready(page)
    page.get_by_role("button", name="Open chat: Help").click()
    submit_name(page, "Kim")
    page.get_by_role("alert").filter(has_text="data-websocket-url").wait_for()
    assert widget_state(page)["configError"]["kind"] == "notConfigured"


def test_a_saved_chat_that_cannot_resume_here_offers_to_try_again(
    page: Any, site: Site, local_stack: LocalStackProcess
) -> None:
    """After a reload on a page whose origin the relay refuses, the chat stays, the error says why."""
    saved = {"v": 1, "resumeToken": "t" * 43, "contactId": "c", "participantId": "p", "open": True, "entries": []}
    key = "connect-chat-widget:" + local_stack.websocket_url
    page.add_init_script(f"sessionStorage.setItem({json.dumps(key)}, {json.dumps(json.dumps(saved))})")
    path = site.add(embed_page(local_stack.http_url, {"websocket-url": local_stack.websocket_url}))
    frames = Frames(page)
    page.goto(site.stranger_origin + path)
    widget_ready(page)
    alert = page.get_by_role("alert").filter(has_text="refused this website")
    alert.wait_for()
    assert widget_state(page)["status"] == "active", "the saved chat is kept for when the site is fixed"
    attempts = frames.sockets
    page.get_by_role("button", name="Try again").click()
    eventually(page, lambda: frames.sockets > attempts)
    alert.wait_for()


def test_an_insecure_address_on_a_secure_page_is_refused_before_any_attempt(
    page: Any, local_stack: LocalStackProcess
) -> None:
    page.goto(local_stack.http_url + "/")
    widget_ready(page)
    check = "async ([url, scheme]) => (await import('/src/relay-client.js')).checkWebSocketUrl(url, scheme)"
    assert page.evaluate(check, ["ws://chat.example.com/prod", "https:"])["kind"] == "insecureUrl"
    assert page.evaluate(check, ["ws://127.0.0.1:3001/local", "https:"]) is None, "loopback is allowed"
    assert page.evaluate(check, ["wss://chat.example.com/prod", "https:"]) is None
    assert page.evaluate(check, ["https://chat.example.com/prod", "http:"])["kind"] == "invalidUrl"
    assert page.evaluate(check, ["", "http:"])["kind"] == "notConfigured"


def test_planned_closes_reconnect_quietly(page: Any, local_stack: LocalStackProcess) -> None:
    """API Gateway's idle timeout and 2-hour limit close with 1001, as DeleteConnection does here."""
    frames = Frames(page)
    started = start_chat(page, local_stack.http_url + "/")
    contact_id = started["contactId"]
    page.locator("li[data-kind=notice]", has_text="joined the chat").wait_for()
    page.evaluate(WATCH_BANNER)

    for round_ in range(3):
        resumes = len(frames.actions("resumeChat"))
        for connection_id in gateway_connections(local_stack, contact_id):
            assert delete_connection(local_stack, connection_id) == 204
        text = f"Message {round_} while the connection was replaced"
        local_stack.control("POST", f"/contacts/{contact_id}/agent/message", {"content": text})
        wait(page, "t => window.ConnectChatWidget.state.items.some(i => i.text === t)", text)
        wait_connected(page)
        assert len(frames.actions("resumeChat")) == resumes + 1

    send(page, "Still here after three planned closes")
    wait_for_reply(page, "Still here after three planned closes")
    assert page.evaluate("window.__banners") == [], "a planned close showed a banner"
    assert not widget_state(page)["reconnecting"]
    assert_no_duplicates(page)
    assert not page.problems


def test_the_keepalive_keeps_an_idle_connection_active(page: Any, site: Site, local_stack: LocalStackProcess) -> None:
    path = site.add(
        embed_page(local_stack.http_url, {"websocket-url": local_stack.websocket_url, "keepalive-seconds": "1"})
    )
    frames = Frames(page)
    contact_id = chat_on_page(page, site.origin + path)["contactId"]
    page.locator("li[data-kind=notice]", has_text="joined the chat").wait_for()
    sent_before = len(frames.sent)

    # The customer does nothing; the widget sends a keepalive each second of silence...
    page.wait_for_timeout(3500)
    idle = frames.sent[sent_before:]
    assert len(idle) >= 2
    assert {frame["action"] for frame in idle} == {"keepalive"}, "nothing but keepalives while idle"
    keepalives = frames.actions("keepalive")
    assert all(k.get("requestId") for k in keepalives)
    # ... which the gateway counts as activity (its idle timeout restarts) ...
    (connection_id,) = gateway_connections(local_stack, contact_id)
    status, connection = management(local_stack, "GET", connection_id)
    assert status == 200
    last_active = datetime.fromisoformat(connection["lastActiveAt"].replace("Z", "+00:00"))
    assert (datetime.now(UTC) - last_active).total_seconds() < 2
    # ... and whatever the relay answers to them (an error, until it routes them) is not the customer's concern.
    keepalive_ids = {k["requestId"] for k in keepalives}
    for error in frames.errors():
        assert error.get("requestId") in keepalive_ids, error
    assert widget_state(page)["error"] == ""
    assert page.get_by_role("alert").count() == 0 or not page.get_by_role("alert").is_visible()
    assert frames.sockets == 1

    # A message postpones the next keepalive: it is activity too.
    send(page, "Back again")
    wait_for_reply(page, "Back again")


def test_no_keepalive_when_turned_off(page: Any, site: Site, local_stack: LocalStackProcess) -> None:
    path = site.add(
        embed_page(local_stack.http_url, {"websocket-url": local_stack.websocket_url, "keepalive-seconds": "0"})
    )
    frames = Frames(page)
    chat_on_page(page, site.origin + path)
    page.wait_for_timeout(2500)
    assert frames.actions("keepalive") == []


def test_after_the_stack_restarts_only_the_lost_chat_is_reported(page: Any) -> None:
    ports = {name: free_port() for name in ("HTTP", "GATEWAY", "CONNECT", "MOTO")}
    env = {f"LOCAL_{name}_PORT": str(port) for name, port in ports.items()}
    with run_local_stack(env) as running:
        stack = dataclasses.replace(running, http_url=f"http://127.0.0.1:{ports['HTTP']}")
        start_chat(page, stack.http_url + "/")
        send(page, "Before the restart")
        wait_for_reply(page, "Before the restart")
    # The stack is gone: after its planned close the widget tries again and says it is reconnecting.
    page.get_by_role("status").filter(has_text="Reconnecting").wait_for()

    with run_local_stack(env):
        started = time.monotonic()
        page.evaluate("window.ConnectChatWidget.reconnect()")
        page.get_by_role("alert").filter(has_text="no longer available").wait_for()
        assert time.monotonic() - started < 15
        # The chat is gone with the old stack: the form again, and no "Reconnecting…" left beside the notice.
        assert status_text(page) == ""
        assert not widget_state(page)["reconnecting"]
        assert widget_state(page)["status"] == "idle"
        assert page.get_by_label("What is your name?").is_visible()
