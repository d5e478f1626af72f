"""The widget's resume tokens and chat budgets: each ``chatResumed`` hands out a fresh token that the widget keeps
(the one it replaced stops working soon), a ``resumeToken`` frame (another tab of the chat resumed) replaces the
kept one, and a start over the address's budget (or the relay's cap) says when to try again."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.widget_support import (
    READ,
    Frames,
    eventually,
    send,
    session_snapshot,
    start_chat,
    wait,
    wait_connected,
    wait_for_reply,
    widget_ready,
    widget_state,
)
from tests.support.servers import LocalStackProcess, run_local_stack

pytestmark = pytest.mark.browser


def resumed_tokens(frames: Frames) -> list[str]:
    return [f["resumeToken"] for f in frames.received if f.get("type") == "chatResumed"]


def test_each_resume_hands_out_a_token_the_widget_keeps(
    context: Any, page: Any, local_stack: LocalStackProcess
) -> None:
    frames = Frames(page)
    started = start_chat(page, local_stack.http_url + "/")
    first = session_snapshot(page)["resumeToken"]
    assert first == next(f["resumeToken"] for f in frames.received if f.get("type") == "chatStarted")

    # The network drops: the chat resumes with a fresh token, which replaces the kept one.
    page.evaluate("window.ConnectChatWidget.dropConnection()")
    eventually(page, lambda: len(resumed_tokens(frames)) == 1)
    wait_connected(page)
    second = resumed_tokens(frames)[0]
    assert second != first
    eventually(page, lambda: session_snapshot(page)["resumeToken"] == second)

    # A reload resumes with the kept token, and keeps the next one.
    page.reload()
    widget_ready(page)
    wait_connected(page)
    assert frames.actions("resumeChat")[-1]["resumeToken"] == second
    third = resumed_tokens(frames)[-1]
    assert third not in (first, second)
    eventually(page, lambda: session_snapshot(page)["resumeToken"] == third)

    # The customer duplicates the tab (a browser copies sessionStorage into the new tab): that tab resumes the
    # chat with the kept token, gets its own fresh one, and this tab is told the newest one in a resumeToken frame.
    key = next(k for k in page.evaluate("Object.keys(sessionStorage)") if k.startswith("connect-chat-widget:"))
    other = context.new_page()
    other_frames = Frames(other)
    other.add_init_script(
        f"sessionStorage.setItem({json.dumps(key)}, {json.dumps(json.dumps(session_snapshot(page)))})"
    )
    other.goto(local_stack.http_url + "/")
    widget_ready(other)
    wait_connected(other)
    assert widget_state(other)["contactId"] == started["contactId"]
    fourth = resumed_tokens(other_frames)[-1]
    eventually(page, lambda: any(f.get("type") == "resumeToken" for f in frames.received))
    pushed = next(f["resumeToken"] for f in frames.received if f.get("type") == "resumeToken")
    assert pushed == fourth
    eventually(page, lambda: session_snapshot(page)["resumeToken"] == fourth)

    # This tab resumes with the newest token after its next drop, as the other tab would.
    page.evaluate("window.ConnectChatWidget.dropConnection()")
    eventually(page, lambda: frames.actions("resumeChat")[-1]["resumeToken"] == fourth)
    wait_connected(page)
    assert not [f for f in frames.errors() if f.get("code") == "INVALID_RESUME_TOKEN"]
    assert widget_state(page)["status"] == "active"
    other.close()


@pytest.fixture
def budget_stack() -> Iterator[LocalStackProcess]:
    """Two chat starts per address per hour, and one active relay chat in all (a stack of its own per test)."""
    with run_local_stack({"CHAT_STARTS_PER_IP": "2", "ACTIVE_CHAT_CAP": "1"}) as running:
        yield running


def test_a_spent_budget_and_a_busy_relay_say_when_to_try_again(
    context: Any, page: Any, budget_stack: LocalStackProcess
) -> None:
    url = budget_stack.http_url + "/"
    start_chat(page, url)  # the first of two starts, and the relay's one active chat

    # Another customer from the same address meanwhile: every line is busy.
    other = context.new_page()
    other_frames = Frames(other)
    other.goto(url)
    other.get_by_role("button", name="Open chat: Chat with us").click()
    other.get_by_label("What is your name?").fill("Kim")
    other.get_by_label("Email").fill("kim@example.com")
    other.get_by_label("Topic").select_option("orders")
    other.get_by_role("button", name="Start chat").click()
    eventually(other, lambda: any(f.get("code") == "BUSY" for f in other_frames.errors()))
    busy = next(f for f in other_frames.errors() if f.get("code") == "BUSY")
    minutes = max(1, math.ceil(busy["retryAfter"] / 60))
    other.get_by_role("alert").filter(
        has_text=f"Our team is busy right now. Please try again in {minutes} min."
    ).wait_for()
    assert widget_state(other)["status"] == "idle"

    # The first chat ends (Connect's chat.ended item may reach the page before the relay has given the line back;
    # a refused start is not counted); the second start is the address's last this hour; the third is refused.
    page.get_by_role("button", name="End chat").click()
    wait(page, "window.ConnectChatWidget.state.status === 'ended'")
    for _attempt in range(10):
        refusals = len(other_frames.errors())
        other.get_by_role("button", name="Start chat").click()
        eventually(other, lambda seen=refusals: widget_state(other)["connected"] or len(other_frames.errors()) > seen)
        if widget_state(other)["connected"]:
            break
        other.wait_for_timeout(300)
    wait_connected(other)
    other.get_by_role("button", name="End chat").click()
    wait(other, "window.ConnectChatWidget.state.status === 'ended'")

    frames = Frames(page)
    page.get_by_role("button", name="Start a new chat").click()
    page.get_by_role("button", name="Start chat").click()
    eventually(page, lambda: any(f.get("code") == "BUDGET_EXCEEDED" for f in frames.errors()))
    spent = next(f for f in frames.errors() if f.get("code") == "BUDGET_EXCEEDED")
    assert 60 < spent["retryAfter"] <= 3600
    minutes = math.ceil(spent["retryAfter"] / 60)
    text = f"You have started several chats recently. Please try again in {minutes} min."
    page.get_by_role("alert").filter(has_text=text).wait_for()
    assert widget_state(page)["status"] == "idle"
    assert page.get_by_role("button", name="Start chat").is_enabled()
    other.close()


def test_a_resume_naming_another_contact_replaces_the_kept_one(page: Any, local_stack: LocalStackProcess) -> None:
    frames = Frames(page)
    started = start_chat(page, local_stack.http_url + "/")
    contact_id = started["contactId"]
    send(page, "Where is my parcel?")
    wait_for_reply(page, "Where is my parcel?")

    # The tab kept another contact id than the one its resume token names: the relay's chatResumed decides.
    snapshot = session_snapshot(page)
    snapshot["contactId"] = "0f0f0f0f-0000-4000-8000-000000000000"
    key = next(k for k in page.evaluate("Object.keys(sessionStorage)") if k.startswith("connect-chat-widget:"))
    page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [key, json.dumps(snapshot)])
    page.reload()
    widget_ready(page)
    wait_connected(page)
    assert resumed_contacts(frames) == [contact_id]
    assert widget_state(page)["contactId"] == contact_id

    # What the agent says next belongs to this chat: shown as part of it, reported read, kept and downloaded so.
    receipts_before = len(frames.actions("sendEvent"))
    send(page, "Are you still there?")
    wait_for_reply(page, "Are you still there?")
    reply = next(i for i in widget_state(page)["items"] if not i["own"] and "Are you still there?" in i["text"])
    assert not [i["text"] for i in widget_state(page)["items"] if i["past"]]
    assert not page.locator("li.divider").count()
    eventually(page, lambda: reply["id"] in read_receipts(frames, receipts_before))
    eventually(page, lambda: session_snapshot(page)["contactId"] == contact_id)
    eventually(page, lambda: session_snapshot(page)["lastId"] == reply["id"])
    assert not [e for e in session_snapshot(page)["entries"] if e.get("past")]
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Download transcript").click()
    text = open(downloaded.value.path(), encoding="utf-8").read()  # noqa: SIM115 - read once
    assert "You said: Are you still there?" in text
    assert "Previous conversation" not in text


def resumed_contacts(frames: Frames) -> list[str]:
    return [f["contactId"] for f in frames.received if f.get("type") == "chatResumed"]


def read_receipts(frames: Frames, after: int) -> set[str]:
    return {f["messageId"] for f in frames.actions("sendEvent")[after:] if f.get("contentType") == READ}
