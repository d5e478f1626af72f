"""The pre-chat form: fields, labels, types and validation from data attributes or JavaScript, its answers
reaching Amazon Connect as the contact's attributes, and a value the chat service refuses shown on its field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Site
from tests.e2e.widget_support import (
    DEMO_EMAIL,
    SHADOW,
    WIDGET_README,
    Frames,
    embed_page,
    open_panel,
    screenshot_path,
    screenshot_widget,
    wait_connected,
    widget_ready,
    widget_state,
)
from tests.support.servers import LocalStackProcess

pytestmark = pytest.mark.browser


def field_error(page: Any, label: str) -> str:
    """The error text shown under the field labelled ``label`` (through its aria-describedby)."""
    text: str = page.evaluate(
        f"""label => {{
          const root = {SHADOW};
          const control = [...root.querySelectorAll('input, select, textarea')]
            .find(c => c.labels && c.labels[0] && c.labels[0].textContent.startsWith(label));
          return root.getElementById(control.getAttribute('aria-describedby')).textContent;
        }}""",
        label,
    )
    return text


def focused_id(page: Any) -> str | None:
    found: str | None = page.evaluate(f"() => ({SHADOW}.activeElement || {{}}).id || null")
    return found


def test_the_demo_form_sends_its_answers_as_contact_attributes(
    page: Any, viewport: str, local_stack: LocalStackProcess, tmp_path: Path
) -> None:
    frames = Frames(page)
    page.goto(local_stack.http_url + "/")
    open_panel(page)
    name = page.get_by_label("What is your name?")
    email = page.get_by_label("Email")
    topic = page.get_by_label("Topic")
    for control in (name, email, topic):
        assert control.get_attribute("aria-required") == "true"
    assert email.get_attribute("type") == "email"
    assert email.get_attribute("autocomplete") == "email"
    assert email.get_attribute("maxlength") == "254"
    assert name.get_attribute("autocomplete") == "name"
    assert topic.locator("option").all_inner_texts() == ["Choose…", "My order", "Billing", "Something else"]
    if viewport == "desktop":
        name.fill("Dana")
        screenshot_widget(page, screenshot_path("widget-prechat", tmp_path))
        name.fill("")

    # Nothing filled in: every field says what it needs, the focus goes to the first, nothing is sent.
    page.get_by_role("button", name="Start chat").click()
    assert field_error(page, "What is your name?") == "Please fill in this field."
    assert field_error(page, "Email") == "Please fill in this field."
    assert field_error(page, "Topic") == "Please choose an option."
    assert name.get_attribute("aria-invalid") == "true"
    assert focused_id(page) == "ccw-field-displayName"

    # A malformed address is refused in plain words; fixing a field clears its message as the customer types.
    name.fill("Dana")
    assert field_error(page, "What is your name?") == ""
    email.fill("dana@")
    topic.select_option("billing")
    page.get_by_role("button", name="Start chat").click()
    assert field_error(page, "Email") == "Please enter an email address such as name@example.com."
    assert focused_id(page) == "ccw-field-email"
    assert frames.sockets == 0, "an invalid form never reaches the relay"

    email.fill(DEMO_EMAIL)
    page.get_by_role("button", name="Start chat").click()
    wait_connected(page)
    (start,) = frames.actions("startChat")
    assert start["displayName"] == "Dana"
    assert start["attributes"] == {"email": DEMO_EMAIL, "topic": "billing"}
    contact = local_stack.control("GET", f"/contacts/{widget_state(page)['contactId']}")
    assert contact["Attributes"] == {"email": DEMO_EMAIL, "topic": "billing"}
    customer = next(p for p in contact["Participants"] if p["ParticipantRole"] == "CUSTOMER")
    assert customer["DisplayName"] == "Dana"


FORM_FROM_JAVASCRIPT = """<script>
window.ConnectChatWidgetConfig = {
  preChatForm: [
    {name: "displayName", label: {en: "Full name", fr: "Nom complet"}},
    {name: "customerName", label: "Name on the account", required: true,
     validate: (value) => (value.length < 3 ? "An account name has at least 3 letters" : null)},
    {name: "locale", label: "Preferred language", pattern: "[a-z]{2}(-[A-Z]{2})?",
     patternMessage: {en: "Use a code such as en-GB"}, placeholder: "en-GB"},
    {name: "topic", type: "textarea", label: "What is it about?", maxLength: 2000},
    {name: "consent", type: "checkbox", required: true, send: false,
     label: "I agree that this chat is recorded"},
  ],
};
</script>"""


def test_a_form_from_javascript_with_custom_validation_and_a_refused_value(
    page: Any, site: Site, local_stack: LocalStackProcess
) -> None:
    assert FORM_FROM_JAVASCRIPT in WIDGET_README.read_text(), "widget/README.md shows this example"
    frames = Frames(page)
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    path = site.add(
        embed_page(local_stack.http_url, {"websocket-url": local_stack.websocket_url}, before=FORM_FROM_JAVASCRIPT)
    )
    page.goto(site.origin + path)
    widget_ready(page)
    open_panel(page)
    full_name = page.get_by_label("Full name")
    account = page.get_by_label("Name on the account")
    locale = page.get_by_label("Preferred language")
    about = page.get_by_label("What is it about?")
    assert full_name.get_attribute("aria-required") == "true", "displayName is always required"
    assert locale.get_attribute("placeholder") == "en-GB"
    assert "(optional)" in page.evaluate(f"() => {SHADOW}.querySelector('label[for=ccw-field-locale]').textContent")

    full_name.fill("Dana Scully")
    account.fill("DS")
    locale.fill("english")
    page.get_by_role("button", name="Start chat").click()
    assert field_error(page, "Name on the account") == "An account name has at least 3 letters"
    assert field_error(page, "Preferred language") == "Use a code such as en-GB"
    assert field_error(page, "What is it about?") == "", "an optional field may stay empty"
    assert field_error(page, "I agree") == "Please tick this box to continue."
    assert frames.sockets == 0
    page.get_by_label("I agree that this chat is recorded").check()
    assert field_error(page, "I agree") == ""

    # The chat service refuses a value the form let through (longer than the relay accepts): the form comes
    # back with that field marked, and the site owner finds the relay's reason in the console.
    account.fill("Scully household")
    locale.fill("en-US")
    about.fill("x" * 1500)
    page.get_by_role("button", name="Start chat").click()
    page.get_by_role("alert").filter(has_text="The chat could not be started.").wait_for()
    assert field_error(page, "What is it about?") == "The chat service did not accept this value."
    assert about.get_attribute("aria-invalid") == "true"
    assert widget_state(page)["status"] == "idle"
    assert any("attributes.topic" in w for w in warnings)

    about.fill("My card was charged twice")
    assert field_error(page, "What is it about?") == ""
    page.get_by_role("button", name="Start chat").click()
    wait_connected(page)
    start = frames.actions("startChat")[-1]
    assert start["displayName"] == "Dana Scully"
    assert start["attributes"] == {
        "customerName": "Scully household",
        "locale": "en-US",
        "topic": "My card was charged twice",
    }
