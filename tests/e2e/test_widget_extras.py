"""Transcript download, notifications for replies in a hidden tab, and the ``debug`` log of protocol frames."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.e2e.conftest import Site
from tests.e2e.widget_support import (
    PNG,
    READ,
    WIDGET_README,
    Frames,
    chat_on_page,
    embed_page,
    eventually,
    send,
    start_chat,
    wait,
    wait_connected,
    wait_for_reply,
    widget_ready,
)
from tests.support.servers import LocalStackProcess

pytestmark = pytest.mark.browser


def test_the_transcript_downloads_as_a_text_file(page: Any, local_stack: LocalStackProcess) -> None:
    started = start_chat(page, local_stack.http_url + "/")
    page.locator("li[data-kind=notice]", has_text="joined the chat").wait_for()
    send(page, "Where is my parcel?")
    wait_for_reply(page, "Where is my parcel?")
    send(page, "Line one\nline two")
    wait_for_reply(page, "Line one")
    page.set_input_files("input[type=file]", files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_role("button", name="Download receipt.png").wait_for()

    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Download transcript").click()
    download = downloaded.value
    assert re.fullmatch(r"chat-transcript-\d{4}-\d{2}-\d{2}-\d{4}\.txt", download.suggested_filename)
    text = open(download.path(), encoding="utf-8").read()  # noqa: SIM115 - read once
    lines = text.splitlines()
    assert lines[0].startswith("Chat with us: transcript of ")
    assert re.search(r"^\[.+\] — Agent joined the chat$", text, flags=re.MULTILINE)
    assert re.search(r"^\[.+\] You: Where is my parcel\?$", text, flags=re.MULTILINE)
    assert re.search(r"^\[.+\] Agent: Thanks for your message\. You said: Where is my parcel\?$", text, re.MULTILINE)
    assert re.search(r"^\[.+\] You: Line one\n    line two$", text, flags=re.MULTILINE)
    assert re.search(r"^\[.+\] You: File: receipt\.png$", text, flags=re.MULTILINE)
    order = [line for line in lines if "You:" in line or "Agent:" in line]
    assert order.index(next(o for o in order if "You: Where" in o)) < order.index(
        next(o for o in order if "Agent: Thanks for your message. You said: Where" in o)
    )

    # It stays available once the chat has ended (the customer's record of it).
    local_stack.control("POST", f"/contacts/{started['contactId']}/end", {})
    wait(page, "window.ConnectChatWidget.state.status === 'ended'")
    with page.expect_download() as again:
        page.get_by_role("button", name="Download transcript").click()
    assert "The chat has ended" in open(again.value.path(), encoding="utf-8").read()  # noqa: SIM115


#: Lets the test hide and show the page (``__setHidden(true)``) and counts the chimes the widget plays.
HIDDEN_TAB = """
(() => {
  let hidden = false;
  Object.defineProperty(Document.prototype, 'visibilityState', {get() { return hidden ? 'hidden' : 'visible'; }});
  Object.defineProperty(Document.prototype, 'hidden', {get() { return hidden; }});
  window.__setHidden = (value) => { hidden = value; document.dispatchEvent(new Event('visibilitychange')); };
  window.__tones = 0;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) { window.__tones += 1; return start.apply(this, args); };
  window.__titles = [];
  let last = null;
  new MutationObserver(() => {
    if (document.title !== last && last !== null) window.__titles.push(document.title);
    last = document.title;
  }).observe(document, {childList: true, subtree: true, characterData: true});
})();
"""


def test_replies_in_a_hidden_tab_flash_the_title_and_chime(
    page: Any, site: Site, local_stack: LocalStackProcess
) -> None:
    attributes = {"websocket-url": local_stack.websocket_url, "notify": "title sound"}
    path = site.add(embed_page(local_stack.http_url, attributes))
    page.add_init_script(HIDDEN_TAB)
    frames = Frames(page)
    contact_id = chat_on_page(page, site.origin + path)["contactId"]
    page.evaluate("() => { window.__notified = []; window.ConnectChatWidget.on('notify', d => __notified.push(d)); }")

    # A visible page is not disturbed.
    local_stack.control("POST", f"/contacts/{contact_id}/agent/message", {"content": "Hello, how can I help?"})
    wait(page, "t => window.ConnectChatWidget.state.items.some(i => i.text === t)", "Hello, how can I help?")
    assert page.evaluate("window.__tones") == 0
    assert page.title() == "A customer's site"

    # The customer switches tabs; two replies arrive.
    page.evaluate("window.__setHidden(true)")
    receipts = len(frames.actions("sendEvent"))
    for text in ("Your parcel left the depot", "It arrives tomorrow"):
        local_stack.control("POST", f"/contacts/{contact_id}/agent/message", {"content": text})
        wait(page, "t => window.ConnectChatWidget.state.items.some(i => i.text === t)", text)
    wait(page, "t => window.__titles.includes(t)", "2 new messages \u2013 A customer's site")
    assert page.evaluate("window.__tones") >= 2, "one two-tone chime at least"
    notified = page.evaluate("window.__notified")
    assert [n["count"] for n in notified] == [1, 2]
    assert notified[0]["title"]
    assert notified[0]["sound"]
    assert len(frames.actions("sendEvent")) == receipts, "nothing is reported read in a hidden tab"

    # Back on the tab: the title is the page's own again, and the replies are reported read.
    page.evaluate("window.__setHidden(false)")
    assert page.title() == "A customer's site"
    eventually(page, lambda: len([f for f in frames.actions("sendEvent") if f["contentType"] == READ]) >= 3)
    page.wait_for_timeout(1500)
    assert page.title() == "A customer's site", "the flashing stopped"


def test_without_the_option_a_hidden_tab_is_left_alone(page: Any, local_stack: LocalStackProcess) -> None:
    page.add_init_script(HIDDEN_TAB)
    started = start_chat(page, local_stack.http_url + "/")
    page.evaluate("window.__setHidden(true)")
    local_stack.control("POST", f"/contacts/{started['contactId']}/agent/message", {"content": "Anyone there?"})
    wait(page, "t => window.ConnectChatWidget.state.items.some(i => i.text === t)", "Anyone there?")
    page.wait_for_timeout(1200)
    assert page.evaluate("window.__tones") == 0
    assert page.evaluate("window.__titles") == []


def test_debug_logs_every_frame_but_never_a_secret(page: Any, site: Site, local_stack: LocalStackProcess) -> None:
    path = site.add(embed_page(local_stack.http_url, {"websocket-url": local_stack.websocket_url, "debug": "true"}))
    logged: list[str] = []
    page.on("console", lambda message: logged.append(message.text))
    chat_on_page(page, site.origin + path)
    send(page, "Debugging my order")
    wait_for_reply(page, "Debugging my order")
    page.set_input_files("input[type=file]", files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_role("button", name="Download receipt.png").wait_for()
    page.reload()
    widget_ready(page)
    wait_connected(page)

    frames = [line for line in logged if line.startswith("[connect-chat]")]
    for expected in ("→ startChat", "← chatStarted", "→ sendMessage", "← ack", "← item", "→ resumeChat"):
        assert any(line.startswith(f"[connect-chat] {expected}") for line in frames), expected
    upload = next(json.loads(line.split(" ", 3)[3]) for line in frames if "← attachmentUpload" in line)
    assert upload["url"].endswith("?[redacted]") or "?" not in upload["url"]
    assert isinstance(upload["headers"], list)

    # The resume token (the chat's only secret in the browser) and the presigned URLs' signatures: never.
    snapshot = page.evaluate(
        "JSON.parse(Object.entries(sessionStorage).find(([k]) => k.startsWith('connect-chat'))[1])"
    )
    token = snapshot["resumeToken"]
    assert len(token) > 20
    everything = "\n".join(logged)
    assert token not in everything
    assert "X-Amz-Signature" not in everything
    assert "X-Amz-Credential" not in everything
    started = next(line for line in frames if "← chatStarted" in line)
    assert '"resumeToken":"[redacted]"' in started


API_EXAMPLE = """ConnectChatWidget.on("item", (item) => {
  if (item.ParticipantRole === "AGENT" && item.Type === "MESSAGE") console.log("agent:", item.Content);
});"""


def test_no_frame_logging_by_default_and_the_readme_s_listener(page: Any, local_stack: LocalStackProcess) -> None:
    assert API_EXAMPLE in WIDGET_README.read_text()
    logged: list[str] = []
    page.on("console", lambda message: logged.append(message.text))
    start_chat(page, local_stack.http_url + "/")
    page.add_script_tag(content=API_EXAMPLE)
    send(page, "Quiet please")
    wait_for_reply(page, "Quiet please")
    assert not [line for line in logged if line.startswith("[connect-chat]")]
    eventually(page, lambda: "agent: Thanks for your message. You said: Quiet please" in logged)
