"""Persistent chat in the widget: after a chat ended, "Continue the previous conversation" starts a chat that
continues it (the continuation token from ``chatEnded`` in ``startChat``), and the earlier conversation, loaded
from the transcript, is shown above the new one, set apart, each item once."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from tests.e2e.widget_support import (
    READ,
    SHADOW,
    Frames,
    eventually,
    send,
    session_snapshot,
    start_chat,
    texts,
    wait,
    wait_connected,
    wait_for_reply,
    widget_ready,
    widget_state,
)
from tests.support.servers import LocalStackProcess

pytestmark = pytest.mark.browser


def assert_each_once(page: Any) -> None:
    """Every item once, in the earlier conversation and in this one (each has its own "joined" notice)."""
    items = widget_state(page)["items"]
    ids = [i["id"] for i in items if i["id"]]
    assert len(ids) == len(set(ids)), "an item is shown twice"
    for past in (True, False):
        shown = Counter(i["text"] for i in items if i["past"] is past)
        assert not {text: n for text, n in shown.items() if n > 1}, shown


def end_chat(page: Any) -> dict[str, Any]:
    """End the chat with the header's button; the ``chatEnded`` state once the widget offers to continue."""
    page.get_by_role("button", name="End chat").click()
    wait(page, "window.ConnectChatWidget.state.status === 'ended' && window.ConnectChatWidget.state.continuable")
    return widget_state(page)


def test_continuing_the_previous_conversation(page: Any, local_stack: LocalStackProcess) -> None:
    frames = Frames(page)
    first = start_chat(page, local_stack.http_url + "/")
    page.locator("li[data-kind=notice]", has_text="joined the chat").wait_for()
    send(page, "Where is my parcel?")
    wait_for_reply(page, "Where is my parcel?")
    end_chat(page)

    ended = next(f for f in frames.received if f.get("type") == "chatEnded" and f.get("continuationToken"))
    assert ended["contactId"] == first["contactId"]
    continue_button = page.get_by_role("button", name="Continue the previous conversation")
    assert continue_button.is_visible()
    assert page.get_by_role("button", name="Start a new chat").is_visible()

    # The offer survives a reload of the page (this tab keeps the token, as it keeps the resume token).
    page.reload()
    widget_ready(page)
    assert widget_state(page)["status"] == "ended"
    assert "Where is my parcel?" in texts(page)
    assert session_snapshot(page)["continuation"]["token"] == ended["continuationToken"]
    assert "resumeToken" not in session_snapshot(page)

    receipts_before = len(frames.actions("sendEvent"))
    page.get_by_role("button", name="Continue the previous conversation").click()
    wait_connected(page)
    started = next(f for f in reversed(frames.actions("startChat")))
    assert started["continuationToken"] == ended["continuationToken"]
    assert started["displayName"] == "Dana"
    answer = next(f for f in reversed(frames.received) if f.get("type") == "chatStarted")
    assert answer["continuedFrom"] == first["contactId"]
    state = widget_state(page)
    assert state["contactId"] != first["contactId"]

    # The earlier conversation, from the transcript, above a line; the new one below it.
    page.locator("li.divider", has_text="Previous conversation").wait_for()
    page.locator("li.divider", has_text="Conversation continued").wait_for()
    send(page, "I am back about my parcel")
    wait_for_reply(page, "I am back about my parcel")
    kinds = page.evaluate(
        f"() => [...{SHADOW}.querySelectorAll('.log > li')].map((li) =>"
        " li.classList.contains('divider') ? li.textContent : li.classList.contains('past') ? 'past' : 'now')"
    )
    assert kinds[0] == "Previous conversation"
    boundary = kinds.index("Conversation continued")
    assert set(kinds[1:boundary]) == {"past"}
    assert "past" not in kinds[boundary + 1 :]
    shown = texts(page)
    assert shown.index("Where is my parcel?") < shown.index("I am back about my parcel")
    assert Counter(shown)["Where is my parcel?"] == 1
    assert_each_once(page)
    assert session_snapshot(page).get("continuation") is None, "a token continues one chat"

    # The earlier messages were read long ago: no receipts for them, nothing unread.
    past_ids = {i["id"] for i in widget_state(page)["items"] if i["past"] and i["id"]}
    assert past_ids
    later = frames.actions("sendEvent")[receipts_before:]
    read = {f.get("messageId") for f in later if f.get("contentType") == READ}
    assert read, "the new answer was reported read"
    assert not past_ids & read
    assert widget_state(page)["unread"] == 0

    # The transcript download sets the earlier conversation apart as the panel does.
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Download transcript").click()
    lines = open(downloaded.value.path(), encoding="utf-8").read().splitlines()  # noqa: SIM115 - read once
    past_line, now_line = lines.index("— Previous conversation —"), lines.index("— Conversation continued —")
    assert past_line < next(i for i, line in enumerate(lines) if "You: Where is my parcel?" in line) < now_line
    assert now_line < next(i for i, line in enumerate(lines) if "You: I am back about my parcel" in line)

    # It keeps going like any chat: a reload resumes it with the earlier conversation still set apart.
    page.reload()
    widget_ready(page)
    wait_connected(page)
    page.locator("li.divider", has_text="Previous conversation").wait_for()
    assert widget_state(page)["contactId"] == state["contactId"]
    assert_each_once(page)


def test_a_continuation_token_that_no_longer_works(page: Any, local_stack: LocalStackProcess) -> None:
    start_chat(page, local_stack.http_url + "/")
    end_chat(page)
    snapshot = session_snapshot(page)
    key = next(k for k in page.evaluate("Object.keys(sessionStorage)") if k.startswith("connect-chat-widget:"))
    snapshot["continuation"]["token"] = snapshot["continuation"]["token"][:-4] + "AAAA"
    page.evaluate("([k, v]) => sessionStorage.setItem(k, v)", [key, json.dumps(snapshot)])
    page.reload()
    widget_ready(page)
    page.get_by_role("button", name="Continue the previous conversation").click()
    page.get_by_role("alert").filter(has_text="can no longer be continued").wait_for()
    assert widget_state(page)["status"] == "ended"
    assert not page.get_by_role("button", name="Continue the previous conversation").is_visible()
    page.get_by_role("button", name="Start a new chat").click()
    assert page.get_by_label("What is your name?").is_visible()
    eventually(page, lambda: session_snapshot(page) == {})
