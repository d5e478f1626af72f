"""The embeddable widget in headless Chromium against ``python -m local``: a customer's whole chat.

The page is the demo page the local web server serves at ``/``; the simulated agent of the Connect emulator
joins each chat and answers every message with a text that contains it.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from tests.e2e.widget_support import (
    PNG,
    READ,
    TYPING,
    Frames,
    assert_no_duplicates,
    delete_connection,
    eventually,
    fill_demo_form,
    gateway_connections,
    message_box,
    send,
    session_snapshot,
    start_chat,
    texts,
    wait,
    wait_for_reply,
    widget_ready,
    widget_state,
)
from tests.support.servers import LocalStackProcess

pytestmark = pytest.mark.browser


# --------------------------------------------------------------------------------------------- tests


def test_a_chat_survives_reloads_and_network_drops(page: Any, context: Any, local_stack: LocalStackProcess) -> None:
    frames = Frames(page)
    started = start_chat(page, local_stack.http_url + "/")
    contact_id = started["contactId"]

    # The agent joins and answers every message, in order.
    page.locator("li[data-kind=notice]", has_text="joined the chat").wait_for()
    asked = ["Hello, I have a question about my order", "It is order 4711", "Can you send it to my office?"]
    for text in asked:
        send(page, text)
        wait_for_reply(page, text)
    shown = texts(page)
    for text in asked:
        own = shown.index(text)
        reply = next(i for i, t in enumerate(shown) if text in t and i != own)
        assert own < reply
    assert [t for t in shown if t in asked] == asked

    # The agent read every message: "Read" under each; the widget sent read receipts for the agent's answers.
    page.locator("li.own .receipt", has_text="Read").nth(len(asked) - 1).wait_for()
    agent_ids = {i["id"] for i in widget_state(page)["items"] if i["kind"] == "message" and not i["own"]}
    eventually(
        page,
        lambda: agent_ids <= {f.get("messageId") for f in frames.actions("sendEvent") if f.get("contentType") == READ},
    )

    assert_no_duplicates(page)

    # A reload restores the conversation and resumes the same chat.
    before = texts(page)
    page.reload()
    widget_ready(page)
    wait(page, "window.ConnectChatWidget.state.connected")
    assert widget_state(page)["contactId"] == contact_id
    assert frames.actions("resumeChat"), "the reloaded page resumed the chat"
    page.wait_for_timeout(500)
    assert texts(page) == before
    assert page.get_by_role("dialog", name="Chat with us").is_visible(), "the panel stays open across a reload"

    # The network goes away; the agent writes meanwhile and the customer types a message that waits.
    context.set_offline(True)
    wait(page, "!window.ConnectChatWidget.state.connected")
    page.get_by_role("status").filter(has_text="Reconnecting").wait_for()
    away = ["While you were away: your parcel left the depot", "It should arrive tomorrow"]
    for text in away:
        local_stack.control("POST", f"/contacts/{contact_id}/agent/message", {"content": text})
    send(page, "Sorry, my connection dropped")
    page.locator("li.own .receipt", has_text="Sending").wait_for()
    context.set_offline(False)
    wait_for_reply(page, "Sorry, my connection dropped")
    shown = texts(page)
    assert shown.index(away[0]) < shown.index(away[1]) < shown.index("Sorry, my connection dropped")
    assert_no_duplicates(page)

    # The server cuts the socket (DeleteConnection); the widget reconnects and misses nothing.
    resumes = len(frames.actions("resumeChat"))
    for connection_id in gateway_connections(local_stack, contact_id):
        delete_connection(local_stack, connection_id)
    local_stack.control("POST", f"/contacts/{contact_id}/agent/message", {"content": "Are you still with me?"})
    wait(page, "t => window.ConnectChatWidget.state.items.some(i => i.text === t)", "Are you still with me?")
    wait(page, "window.ConnectChatWidget.state.connected")
    assert len(frames.actions("resumeChat")) > resumes
    send(page, "Yes, still here")
    wait_for_reply(page, "Yes, still here")
    assert_no_duplicates(page)

    # Every message the widget sent was sent once: the ones typed while offline were not repeated.
    contents = Counter(f["content"] for f in frames.actions("sendMessage"))
    assert contents["Sorry, my connection dropped"] == 1
    assert all(n == 1 for n in contents.values()), contents
    unexpected = [e for e in frames.errors() if e.get("code") not in ("NO_CHAT",)]
    assert not unexpected, unexpected
    assert not page.problems


def test_replies_read_on_opening_the_panel_are_kept_at_once(page: Any, local_stack: LocalStackProcess) -> None:
    frames = Frames(page)
    contact_id = start_chat(page, local_stack.http_url + "/")["contactId"]
    page.evaluate("window.ConnectChatWidget.close()")
    local_stack.control("POST", f"/contacts/{contact_id}/agent/message", {"content": "A reply while it is closed"})
    wait(page, "window.ConnectChatWidget.state.unread === 1")
    reply = next(i for i in widget_state(page)["items"] if i["text"] == "A reply while it is closed")

    # Opening the panel reports the reply read, and what this tab keeps says so at once (a reload would not
    # report it again).
    kept = page.evaluate(
        "() => { window.ConnectChatWidget.open();"
        " const e = Object.entries(sessionStorage).find(([k]) => k.startsWith('connect-chat-widget:'));"
        " return JSON.parse(e[1]); }"
    )
    assert kept["open"] is True
    assert reply["id"] in kept["readSent"]
    eventually(page, lambda: reply["id"] in {f.get("messageId") for f in frames.actions("sendEvent")})
    assert widget_state(page)["unread"] == 0


def test_the_agent_types_and_the_customer_typing_is_throttled(page: Any, local_stack: LocalStackProcess) -> None:
    frames = Frames(page)
    defaults = local_stack.control("GET", "/config")
    local_stack.control("POST", "/config", {"agentReplyDelay": 2.5})
    try:
        start_chat(page, local_stack.http_url + "/")
        page.locator("li[data-kind=notice]", has_text="joined the chat").wait_for()
        # Typing a long message sends one typing event, not one per key.
        message_box(page).press_sequentially("Where is my parcel?", delay=20)
        message_box(page).press("Enter")
        typing = page.locator(".typing")
        typing.filter(has_text="is typing").wait_for()
        wait_for_reply(page, "Where is my parcel?")
        wait(page, "window.ConnectChatWidget.state.typing.length === 0")
    finally:
        local_stack.control("POST", "/config", {"agentReplyDelay": defaults["agentReplyDelay"]})
    assert len([f for f in frames.actions("sendEvent") if f.get("contentType") == TYPING]) == 1


def test_attachments_upload_scan_and_download(page: Any, local_stack: LocalStackProcess) -> None:
    frames = Frames(page)
    start_chat(page, local_stack.http_url + "/")
    page.set_input_files("input[type=file]", files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": PNG}])
    download = page.get_by_role("button", name="Download receipt.png")
    download.wait_for()
    attachment = next(i["attachment"] for i in widget_state(page)["items"] if i["attachment"])
    assert attachment["status"] == "APPROVED"

    # The presigned download URL serves exactly the uploaded bytes.
    url = page.evaluate("id => window.ConnectChatWidget.attachmentUrl(id)", attachment["id"])
    assert page.request.get(url).body() == PNG

    # The Download button asks the relay for a fresh URL and opens it.
    with page.context.expect_event("page") as opened:
        download.click()
    opened.value.close()
    assert frames.actions("getAttachment")

    # A file that fails the scan is shown as rejected, with nothing to download.
    evil = b"MZ" + bytes(100)
    page.set_input_files("input[type=file]", files=[{"name": "photo.png", "mimeType": "image/png", "buffer": evil}])
    rejected = page.locator("li.own", has_text="photo.png")
    rejected.filter(has_text="rejected").wait_for()
    assert page.get_by_role("button", name="Download photo.png").count() == 0
    # ... and its receipt says that it did not reach the agent (it used to say "Sent").
    assert rejected.locator(".receipt").inner_text() == "Not delivered"
    assert page.locator("li.own", has_text="receipt.png").locator(".receipt").inner_text() != "Not delivered"

    # A type Connect does not accept never leaves the browser, and the customer learns which types are allowed.
    uploads = len(frames.actions("sendAttachment"))
    page.set_input_files(
        "input[type=file]", files=[{"name": "tool.exe", "mimeType": "application/x-msdownload", "buffer": evil}]
    )
    alert = page.get_by_role("alert").filter(has_text="cannot be sent")
    alert.wait_for()
    assert "tool.exe" in alert.inner_text()
    for extension in (".pdf", ".png", ".jpg", ".docx", ".txt"):
        assert extension in alert.inner_text()
    assert len(frames.actions("sendAttachment")) == uploads
    assert_no_duplicates(page)


def test_ending_the_chat(page: Any, local_stack: LocalStackProcess) -> None:
    frames = Frames(page)
    start_chat(page, local_stack.http_url + "/")
    send(page, "That is all, thanks")
    wait_for_reply(page, "That is all, thanks")
    page.get_by_role("button", name="End chat").click()
    page.locator("li[data-kind=notice]", has_text="The chat has ended").first.wait_for()
    page.wait_for_timeout(300)
    assert page.locator("li[data-kind=notice]", has_text="The chat has ended").count() == 1
    assert frames.actions("endChat")
    assert not message_box(page).is_visible()
    new_chat = page.get_by_role("button", name="Start a new chat")
    assert new_chat.is_visible()
    assert "resumeToken" not in session_snapshot(page), "nothing to resume"
    assert not widget_state(page)["connected"]

    # After a reload the ended chat is shown as it was left (it can be continued: see test_widget_persistent.py),
    # and nothing reconnects; "Start a new chat" forgets it.
    sockets = frames.sockets
    page.reload()
    widget_ready(page)
    assert widget_state(page)["status"] == "ended"
    assert "That is all, thanks" in texts(page)
    page.get_by_role("button", name="Start a new chat").click()
    page.get_by_label("What is your name?").wait_for()
    assert widget_state(page)["status"] == "idle"
    assert page.evaluate("sessionStorage.length") == 0
    assert frames.sockets == sockets


def test_the_agent_ends_the_chat(page: Any, local_stack: LocalStackProcess) -> None:
    started = start_chat(page, local_stack.http_url + "/")
    page.locator("li[data-kind=notice]", has_text="joined the chat").wait_for()
    local_stack.control("POST", f"/contacts/{started['contactId']}/end", {})
    page.locator("li[data-kind=notice]", has_text="The chat has ended").first.wait_for()
    wait(page, "window.ConnectChatWidget.state.status === 'ended'")
    page.get_by_role("button", name="Start a new chat").click()
    assert page.get_by_label("What is your name?").is_visible()


class HeldBack:
    """The page's relay socket through Playwright's WebSocket routing, holding back the frames of one type."""

    def __init__(self, page: Any, frame_type: str) -> None:
        self.frame_type = frame_type
        self.held: list[str] = []
        self.route: Any = None
        page.route_web_socket(lambda url: "/_local/" not in url, self._connect)

    def _connect(self, route: Any) -> None:
        self.route = route
        server = route.connect_to_server()
        server.on_message(self._from_relay)

    def _from_relay(self, message: str | bytes) -> None:
        text = message.decode() if isinstance(message, bytes) else message
        if json.loads(text).get("type") == self.frame_type:
            self.held.append(text)
        else:
            self.route.send(text)

    def release(self) -> None:
        """Hand the held frames to the page now."""
        for text in self.held:
            self.route.send(text)


def test_a_late_chat_ended_frame_leaves_the_new_chat_alone(page: Any, local_stack: LocalStackProcess) -> None:
    """The relay's chatEnded frame may follow Connect's chat.ended item after the customer has moved on."""
    late = HeldBack(page, "chatEnded")
    started = start_chat(page, local_stack.http_url + "/")
    local_stack.control("POST", f"/contacts/{started['contactId']}/end", {})
    wait(page, "window.ConnectChatWidget.state.status === 'ended'")  # from the chat.ended item alone
    eventually(page, lambda: len(late.held) == 1)
    page.get_by_role("button", name="Start a new chat").click()
    page.get_by_label("What is your name?").wait_for()

    late.release()  # now, on the old chat's socket: before anything the relay answers to the next start
    fill_demo_form(page, "Dana Again")
    page.get_by_role("button", name="Start chat").click()
    wait(page, "window.ConnectChatWidget.state.status === 'active'")
    state = widget_state(page)
    assert state["contactId"] != started["contactId"]
    assert not session_snapshot(page).get("continuation")
    assert "The chat has ended" not in texts(page)
    assert page.get_by_role("button", name="Continue the previous conversation").count() == 0


def test_message_content_is_shown_as_text(page: Any, local_stack: LocalStackProcess) -> None:
    started = start_chat(page, local_stack.http_url + "/")
    payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    send(page, payload)
    wait_for_reply(page, payload)
    local_stack.control("POST", f"/contacts/{started['contactId']}/agent/message", {"content": "<b>bold</b> & co"})
    wait(page, "t => window.ConnectChatWidget.state.items.some(i => i.text === t)", "<b>bold</b> & co")
    assert payload in texts(page)
    assert "<b>bold</b> & co" in texts(page)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("li[data-kind] img, li[data-kind] b, li[data-kind] script").count() == 0


FOCUSED = (
    "() => { const a = document.querySelector('#connect-chat-widget').shadowRoot.activeElement;"
    " return a ? (a.getAttribute('aria-label') || a.id || a.textContent.trim()) : null; }"
)


def wait_for_focus(page: Any, label: str) -> None:
    """Wait until the widget element named ``label`` (aria-label, else id, else text) has the keyboard focus."""
    wait(page, f"label => ({FOCUSED})() === label", label)


def test_keyboard_only_and_labels(page: Any, local_stack: LocalStackProcess) -> None:
    page.goto(local_stack.http_url + "/")
    bubble = page.get_by_role("button", name="Open chat: Chat with us")
    assert bubble.get_attribute("aria-expanded") == "false"
    bubble.focus()
    page.keyboard.press("Enter")
    assert page.get_by_role("dialog", name="Chat with us").is_visible()
    assert page.get_by_role("button", name="Close chat: Chat with us").get_attribute("aria-expanded") == "true"
    wait_for_focus(page, "ccw-field-displayName")
    page.keyboard.type("Kim")
    page.keyboard.press("Tab")
    page.keyboard.type("kim@example.com")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    wait_for_focus(page, "Start chat")
    page.keyboard.press("Enter")
    wait(page, "window.ConnectChatWidget.state.connected")
    started = page.evaluate("window.ConnectChatWidget.state")
    assert started["displayName"] == "Kim"
    wait_for_focus(page, "Message")
    page.keyboard.type("Typed without a mouse")
    page.keyboard.press("Enter")
    wait_for_reply(page, "Typed without a mouse")
    log = page.get_by_role("log", name="Conversation")
    assert log.get_attribute("aria-live") == "polite"
    assert page.get_by_role("button", name="Attach a file").is_visible()
    assert page.get_by_role("button", name="Send message").is_visible()
    page.keyboard.press("Escape")
    assert not page.get_by_role("dialog", name="Chat with us").is_visible()
    wait_for_focus(page, "Open chat: Chat with us")


def test_an_unknown_resume_token_offers_a_new_chat(page: Any, local_stack: LocalStackProcess) -> None:
    websocket_url = local_stack.websocket_url
    stale = {
        "v": 1,
        "resumeToken": "x" * 43,
        "contactId": "gone",
        "participantId": "gone",
        "displayName": "Old",
        "open": True,
        "lastId": None,
        "entries": [],
        "readSent": [],
        "seq": 0,
    }
    page.add_init_script(
        f"sessionStorage.setItem({json.dumps('connect-chat-widget:' + websocket_url)}, {json.dumps(json.dumps(stale))})"
    )
    page.goto(local_stack.http_url + "/")
    page.get_by_role("alert").filter(has_text="no longer available").wait_for()
    assert page.get_by_label("What is your name?").is_visible()
    assert widget_state(page)["status"] == "idle"


def test_ending_the_chat_by_keyboard_keeps_the_focus_in_the_widget(page: Any, local_stack: LocalStackProcess) -> None:
    start_chat(page, local_stack.http_url + "/")
    end = page.get_by_role("button", name="End chat")
    end.focus()
    page.keyboard.press("Enter")
    wait(page, "window.ConnectChatWidget.state.status === 'ended'")
    # The focus moves to what comes next instead of falling to <body>.
    wait_for_focus(page, "Start a new chat")
    assert page.evaluate("document.activeElement.id") == "connect-chat-widget"
    page.keyboard.press("Enter")
    wait_for_focus(page, "ccw-field-displayName")
