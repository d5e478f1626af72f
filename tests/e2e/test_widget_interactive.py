"""Interactive messages in the widget: the simulated agent's ListPicker, Panel, QuickReply, TimePicker and
Carousel (the keywords ``menu``, ``panel``, ``quick``, ``time``, ``carousel``), chosen by pointer and by keyboard,
answered in the documented shape, then shown answered; field limits, unknown templates, an ended chat."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connect_chat import interactive as im
from tests.e2e.widget_support import (
    INTERACTIVE,
    INTERACTIVE_RESPONSE,
    SHADOW,
    Frames,
    agent_says,
    eventually,
    screenshot_path,
    screenshot_widget,
    send,
    start_chat,
    transcript,
    wait,
    wait_connected,
    wait_for_item,
    widget_ready,
)
from tests.support.servers import LocalStackProcess

pytestmark = pytest.mark.browser

FOCUSED = f"() => {{ const a = {SHADOW}.activeElement; return a && a.id; }}"


def ask(page: Any, keyword: str, template: str) -> Any:
    """Send ``keyword``; the agent's ``template`` (its message body) once it is shown."""
    before = page.locator(f"li.other [data-template={template}]").count()
    send(page, keyword)
    wait(page, f"n => {SHADOW}.querySelectorAll('li.other [data-template={template}]').length > n", before)
    return page.locator(f"li.other [data-template={template}]").last


def responses(frames: Frames) -> list[dict[str, Any]]:
    """The interactive responses the page sent, decoded."""
    sent = [f for f in frames.actions("sendMessage") if f.get("contentType") == INTERACTIVE_RESPONSE]
    return [json.loads(f["content"]) for f in sent]


def customer_responses(stack: LocalStackProcess, contact_id: str) -> list[dict[str, Any]]:
    """The interactive responses the Connect emulator received from the customer, decoded."""
    items = transcript(stack, contact_id)
    return [
        json.loads(i["Content"])
        for i in items
        if i.get("ParticipantRole") == "CUSTOMER" and i.get("ContentType") == INTERACTIVE_RESPONSE
    ]


def test_a_list_picker_answered_by_keyboard(
    page: Any, viewport: str, local_stack: LocalStackProcess, tmp_path: Path
) -> None:
    frames = Frames(page)
    started = start_chat(page, local_stack.http_url + "/")
    page.locator("li[data-kind=notice]", has_text="joined the chat").wait_for()
    card = ask(page, "menu", "ListPicker")
    wait(page, f"() => [...{SHADOW}.querySelectorAll('li.other img')].every((i) => i.complete && i.naturalWidth)")
    if viewport == "desktop":
        page.mouse.move(0, 0)  # no option hovered
        page.wait_for_timeout(300)
        screenshot_widget(page, screenshot_path("widget-interactive", tmp_path))

    # Pictures carry their descriptions; the options are a list named by the question, each a button.
    assert card.locator("img.im-image").get_attribute("alt") == "A help desk"
    assert [img.get_attribute("alt") for img in card.locator("img.im-thumb").all()] == [
        "A parcel on its way",
        "A parcel going back",
    ]
    options = page.get_by_role("list", name="How can we help you today?")
    assert [b.inner_text().split("\n")[0] for b in options.get_by_role("button").all()] == [
        "Track my order",
        "Return an item",
        "Talk to an agent",
    ]
    assert card.locator(".im-subtitle").first.inner_text() == "Tap to select an option"

    # By keyboard alone: from the conversation, Tab to the second option and press Enter.
    page.get_by_role("log", name="Conversation").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate(f"() => {SHADOW}.activeElement.innerText").startswith("Return an item")
    page.keyboard.press("Enter")

    chosen = {"listTitle": "How can we help you today?", "selectionText": "Return an item"}
    eventually(page, lambda: responses(frames) == [chosen])
    eventually(page, lambda: customer_responses(local_stack, started["contactId"]) == [chosen])
    wait_for_item(page, "You chose: Return an item")

    # Shown answered: the choice and the template's reply message instead of the options.
    assert card.locator(".im-chosen").inner_text() == "You chose: Return an item"
    assert card.locator(".im-reply-title").inner_text() == "Thanks for selecting!"
    assert card.locator(".im-answer .im-subtitle").inner_text() == "We are on it"
    assert card.get_by_role("button").count() == 0
    wait(page, f"() => ({FOCUSED})() === 'ccw-input'")
    own = page.locator("li.own[data-content=text] .text", has_text="Return an item")
    assert own.count() == 1

    # After a reload it is still answered: the answer is the customer's own later message.
    page.reload()
    widget_ready(page)
    wait_connected(page)
    card = page.locator("li.other [data-template=ListPicker]").last
    card.locator(".im-chosen").wait_for()
    assert card.get_by_role("button").count() == 0


def test_panel_quick_reply_time_picker_and_carousel(page: Any, local_stack: LocalStackProcess) -> None:
    frames = Frames(page)
    started = start_chat(page, local_stack.http_url + "/")
    page.locator("li[data-kind=notice]", has_text="joined the chat").wait_for()

    # Panel: one picture, titled options.
    panel = ask(page, "panel", "Panel")
    assert panel.locator("img.im-image").get_attribute("alt") == "A help desk"
    assert panel.locator("img.im-thumb").count() == 0
    page.get_by_role("list", name="How can I help you?").get_by_role("button", name="Talk to an agent").click()
    wait_for_item(page, "You chose: Talk to an agent")
    assert panel.locator(".im-reply-title").inner_text() == "Thanks for selecting!"

    # QuickReply: short answers in a row; no reply message to show.
    quick = ask(page, "quick", "QuickReply")
    buttons = page.get_by_role("list", name="How was your experience?").get_by_role("button")
    assert [b.inner_text() for b in buttons.all()] == ["Great", "Good", "Poor"]
    buttons.nth(1).click()
    wait_for_item(page, "You chose: Good")
    assert quick.locator(".im-chosen").inner_text() == "You chose: Good"
    assert quick.locator(".im-reply").count() == 0

    # TimePicker: slots by day, each a button naming its day and times; chosen by keyboard.
    picker = ask(page, "time", "TimePicker")
    template = json.loads(
        next(i for i in reversed(transcript(local_stack, started["contactId"])) if i["ContentType"] == INTERACTIVE)[
            "Content"
        ]
    )
    slots = template["data"]["content"]["timeslots"]
    assert picker.locator(".im-location").inner_text() == "Location: Main office"
    assert picker.locator(".im-day-title").count() == 2
    slot_buttons = picker.locator("button.im-slot")
    assert slot_buttons.count() == len(slots)
    label = slot_buttons.nth(1).get_attribute("aria-label")
    assert label.endswith("13:00 to 14:00"), label
    slot_buttons.nth(1).focus()
    page.keyboard.press("Enter")
    wait_for_item(page, f"You chose: {slots[1]['date']}")
    # The customer's own answer reads as a date and time, in the page's language.
    own = page.locator("li.own[data-content=text] .text", has_text="13:00")
    assert own.count() == 1
    assert slots[1]["date"] not in own.inner_text()

    # Carousel: cards side by side, the next one brought into view by its button; the answer names the card.
    carousel = ask(page, "carousel", "Carousel")
    group = page.get_by_role("group", name="Our popular destinations")
    assert group.get_attribute("aria-roledescription") == "carousel"
    new_york = page.get_by_role("group", name="2 of 2: New York")
    assert new_york.get_attribute("aria-roledescription") == "card"
    hidden = f"() => {SHADOW}.querySelectorAll('.im-card')[1].getBoundingClientRect().right"
    assert page.evaluate(hidden) > page.evaluate(
        f"() => {SHADOW}.querySelector('.im-track').getBoundingClientRect().right"
    )
    carousel.get_by_role("button", name="Next card").click()
    wait(
        page,
        f"() => {{ const card = {SHADOW}.querySelectorAll('.im-card')[1].getBoundingClientRect();"
        f" const track = {SHADOW}.querySelector('.im-track').getBoundingClientRect();"
        " return card.left >= track.left - 1 && card.right <= track.right + 1; }",
    )
    new_york.get_by_role("button", name="Book a show").click()
    wait_for_item(page, "You chose: New York - Book a show")
    assert page.locator("li.own .text", has_text="New York - Book a show").count() == 1

    assert responses(frames) == [
        {"listTitle": "How can I help you?", "selectionText": "Talk to an agent"},
        {"listTitle": "How was your experience?", "selectionText": "Good"},
        {"listTitle": "Schedule an appointment", "selectionText": slots[1]["date"]},
        {"templateIdentifier": "destination-new-york", "listTitle": "New York", "selectionText": "Book a show"},
    ]
    eventually(page, lambda: customer_responses(local_stack, started["contactId"]) == responses(frames))


def test_long_fields_are_cut_with_an_ellipsis(page: Any, local_stack: LocalStackProcess) -> None:
    frames = Frames(page)
    started = start_chat(page, local_stack.http_url + "/")
    long_option = "O" * 420
    picker = im.ListPicker(
        title="T" * 450,
        subtitle="S" * 401,
        elements=(im.Element(title=long_option, subtitle="U" * 400), im.Element(title="Short")),
    )
    agent_says(local_stack, started["contactId"], picker.to_json(), INTERACTIVE)
    quick = im.QuickReply(title="Q" * 10, elements=im.Element.from_titles("A" * 250, "B"))
    agent_says(local_stack, started["contactId"], quick.to_json(), INTERACTIVE)
    page.locator("li.other [data-template=QuickReply]").wait_for()

    card = page.locator("li.other [data-template=ListPicker]")
    assert card.locator(".im-title").inner_text() == "T" * 400 + "..."
    assert card.locator(".im-subtitle").inner_text() == "S" * 400 + "..."
    assert card.locator(".im-option-title").first.inner_text() == "O" * 400 + "..."
    assert card.locator(".im-option-subtitle").first.inner_text() == "U" * 400, "400 characters fit"
    options = page.locator("li.other [data-template=QuickReply] button")
    assert options.first.inner_text() == "A" * 200 + "..."

    # The answer names the option in full, as the template has it.
    card.locator(".im-option").first.click()
    eventually(page, lambda: responses(frames) == [{"listTitle": "T" * 450, "selectionText": long_option}])
    wait_for_item(page, "You chose: " + long_option)


#: Renders interactive content with the widget's own renderer, outside any chat.
RENDER = """async ([origin, content]) => {
  await import(origin + '/src/renderers/interactive/index.js');
  const { rendererFor } = await import(origin + '/src/renderers/registry.js');
  const { el } = await import(origin + '/src/dom.js');
  const renderer = rendererFor('application/vnd.amazonaws.connect.message.interactive');
  const context = {
    content, contentType: 'application/vnd.amazonaws.connect.message.interactive', entry: {own: false}, el,
    t: (key) => key, language: 'en', locale: 'en', active: true, following: () => [], send: () => true,
  };
  const node = renderer.render(context);
  return {
    text: renderer.text(context),
    shown: node.innerText || node.textContent,
    buttons: node.querySelectorAll('button').length,
    images: [...node.querySelectorAll('img')].map((i) => i.getAttribute('src')),
    tags: [...new Set([...node.querySelectorAll('*')].map((n) => n.tagName))],
  };
}"""


def test_unknown_and_broken_templates_read_as_text(page: Any, local_stack: LocalStackProcess) -> None:
    page.goto(local_stack.http_url + "/")
    widget_ready(page)

    def render(content: Any) -> dict[str, Any]:
        text = content if isinstance(content, str) else json.dumps(content)
        found: dict[str, Any] = page.evaluate(RENDER, [local_stack.http_url, text])
        return found

    unknown = render(
        {
            "templateType": "WhatsAppList",
            "version": "1.0",
            "data": {"content": {"title": "Pick one", "elements": [{"title": "Apples"}, {"title": "Pears"}]}},
        }
    )
    assert unknown["text"] == "Pick one\n- Apples\n- Pears"
    assert unknown["buttons"] == 0
    assert "Apples" in unknown["shown"]

    broken = render({"templateType": "ListPicker", "version": "1.0", "data": {"content": {"title": "No options"}}})
    assert broken["text"] == "No options"
    assert broken["buttons"] == 0
    assert render("not json")["text"] == "unsupported"

    # Hostile content: markup is text, and pictures load only from http(s) addresses.
    hostile = render(
        {
            "templateType": "ListPicker",
            "version": "1.0",
            "data": {
                "content": {
                    "title": "<img src=x onerror=alert(1)>",
                    "imageType": "URL",
                    "imageData": "javascript:alert(1)",
                    "elements": [
                        {"title": "<b>bold</b>", "imageType": "URL", "imageData": "data:image/png;base64,AAAA"},
                        {"title": "ok", "imageType": "URL", "imageData": "https://example.com/a.png"},
                    ],
                }
            },
        }
    )
    assert hostile["images"] == ["https://example.com/a.png"]
    assert "B" not in hostile["tags"]
    assert "<b>bold</b>" in hostile["shown"]


def test_a_template_of_an_ended_chat_cannot_be_answered(page: Any, local_stack: LocalStackProcess) -> None:
    started = start_chat(page, local_stack.http_url + "/")
    page.locator("li[data-kind=notice]", has_text="joined the chat").wait_for()
    quick = ask(page, "quick", "QuickReply")
    local_stack.control("POST", f"/contacts/{started['contactId']}/end", {})
    wait(page, "window.ConnectChatWidget.state.status === 'ended'")
    buttons = quick.get_by_role("button")
    assert buttons.count() == 3
    for button in buttons.all():
        assert button.is_disabled()
