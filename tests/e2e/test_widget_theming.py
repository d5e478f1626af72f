"""Theming and launch: the documented CSS custom properties, the dark theme, visible focus and inputs that do
not make phones zoom, the site's own launch button, a hidden bubble, and a strict Content-Security-Policy."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Site
from tests.e2e.widget_support import (
    PNG,
    SHADOW,
    WIDGET_README,
    chat_on_page,
    embed_page,
    fill_demo_form,
    open_panel,
    screenshot_path,
    screenshot_widget,
    send,
    start_chat,
    submit_name,
    wait,
    wait_connected,
    wait_for_reply,
    widget_ready,
    widget_state,
)
from tests.support.servers import LocalStackProcess

pytestmark = pytest.mark.browser


def computed(page: Any, selector: str, *properties: str) -> dict[str, str]:
    """Computed style values of the first element matching ``selector`` in the widget's shadow root."""
    values: dict[str, str] = page.evaluate(
        f"""([selector, properties]) => {{
          const style = getComputedStyle({SHADOW}.querySelector(selector));
          return Object.fromEntries(properties.map(p => [p, style.getPropertyValue(p)]));
        }}""",
        [selector, list(properties)],
    )
    return values


def rgb(value: str) -> tuple[float, float, float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", value)[:3]]
    return numbers[0], numbers[1], numbers[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS ``rgb()`` colours."""

    def luminance(colour: str) -> float:
        channels = [c / 255 for c in rgb(colour)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_documented_custom_properties_are_the_widget_s(page: Any, local_stack: LocalStackProcess) -> None:
    page.goto(local_stack.http_url + "/")
    widget_ready(page)
    defined = page.evaluate("async () => (await import(`${location.origin}/src/styles.js`)).CUSTOM_PROPERTIES")
    readme = WIDGET_README.read_text()
    documented = dict(re.findall(r"^\| `(--ccw-[a-z-]+)` \| `([^`]+)` \|", readme, flags=re.MULTILINE))
    assert documented == defined
    assert CUSTOM_LOOK in readme, "widget/README.md's example is the one tested below"


CUSTOM_LOOK = """#connect-chat-widget {
  --ccw-accent: #6a1b9a;
  --ccw-font-family: Georgia, serif;
  --ccw-radius: 4px;
  --ccw-panel-width: 420px;
  --ccw-panel-height: 500px;
  --ccw-bubble-size: 72px;
  --ccw-offset-x: 40px;
  --ccw-offset-y: 30px;
}"""


def test_custom_properties_restyle_and_move_the_widget(
    page: Any, viewport: str, site: Site, local_stack: LocalStackProcess
) -> None:
    path = site.add(
        embed_page(
            local_stack.http_url,
            {"websocket-url": local_stack.websocket_url, "position": "left"},
            head=f"<style>{CUSTOM_LOOK}</style>",
        )
    )
    page.goto(site.origin + path)
    widget_ready(page)
    bubble = computed(page, ".bubble", "background-color", "width", "bottom")
    assert bubble["background-color"] == "rgb(106, 27, 154)"
    assert bubble["width"] == "72px"
    assert computed(page, ".root", "font-family")["font-family"] == "Georgia, serif"
    open_panel(page)
    panel = page.get_by_role("dialog").bounding_box()
    size = page.viewport_size
    if viewport == "desktop":
        assert bubble["bottom"] == "30px"
        assert panel["x"] == 40
        assert panel["width"] == 420
        assert round(panel["height"]) == 500
        assert computed(page, ".panel", "border-top-left-radius")["border-top-left-radius"] == "4px"
    else:
        # Phones get the whole width, whatever the site asked for.
        assert panel["x"] == 8
        assert panel["width"] == size["width"] - 16
    assert computed(page, "header", "background-color")["background-color"] == "rgb(106, 27, 154)"


def assert_readable(page: Any) -> None:
    """Text on its background: at least 4.5:1 for the conversation, the form and the header."""
    own = computed(page, "li.own .text", "color", "background-color")
    other = computed(page, "li.other .text", "color", "background-color")
    log = computed(page, ".log", "background-color")
    meta = computed(page, "li .meta", "color")
    header = computed(page, "header", "color", "background-color")
    assert contrast(own["color"], own["background-color"]) >= 4.5
    assert contrast(other["color"], other["background-color"]) >= 4.5
    assert contrast(meta["color"], log["background-color"]) >= 4.5
    assert contrast(header["color"], header["background-color"]) >= 4.5


def chat_a_little(page: Any) -> None:
    send(page, "Can I change my delivery address?")
    wait_for_reply(page, "Can I change my delivery address?")
    page.locator("li.own .receipt", has_text="Read").wait_for()


def test_light_and_dark_themes(
    page: Any, viewport: str, site: Site, local_stack: LocalStackProcess, tmp_path: Path
) -> None:
    start_chat(page, local_stack.http_url + "/")
    chat_a_little(page)
    assert computed(page, ".panel", "background-color")["background-color"] == "rgb(255, 255, 255)"
    assert_readable(page)
    if viewport == "desktop":
        screenshot_widget(page, screenshot_path("widget-light", tmp_path))

    path = site.add(
        embed_page(
            local_stack.http_url,
            {"websocket-url": local_stack.websocket_url, "theme": "dark"},
            head="<style>body{background:#0f1114;color:#e8eaed;font-family:system-ui}</style>",
        )
    )
    chat_on_page(page, site.origin + path)
    chat_a_little(page)
    assert computed(page, ".panel", "background-color")["background-color"] == "rgb(30, 34, 40)"
    assert computed(page, ".log", "background-color")["background-color"] == "rgb(22, 25, 29)"
    assert_readable(page)
    if viewport == "desktop":
        screenshot_widget(page, screenshot_path("widget-dark", tmp_path))


def test_the_auto_theme_follows_the_system(page: Any, site: Site, local_stack: LocalStackProcess) -> None:
    path = site.add(embed_page(local_stack.http_url, {"websocket-url": local_stack.websocket_url, "theme": "auto"}))
    page.emulate_media(color_scheme="dark")
    page.goto(site.origin + path)
    widget_ready(page)
    open_panel(page)
    assert computed(page, ".panel", "background-color")["background-color"] == "rgb(30, 34, 40)"
    page.emulate_media(color_scheme="light")
    assert computed(page, ".panel", "background-color")["background-color"] == "rgb(255, 255, 255)"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_focus_is_clearly_visible_and_inputs_do_not_make_phones_zoom(
    page: Any, site: Site, local_stack: LocalStackProcess, theme: str
) -> None:
    path = site.add(
        embed_page(
            local_stack.http_url,
            {
                "websocket-url": local_stack.websocket_url,
                "theme": theme,
                "pre-chat-form": '[{"name":"displayName"},{"name":"email"},'
                '{"name":"topic","type":"select","options":["Orders"]},{"name":"customerName","type":"textarea"}]',
            },
        )
    )
    page.goto(site.origin + path)
    widget_ready(page)
    open_panel(page)
    sizes = page.evaluate(
        f"() => [...{SHADOW}.querySelectorAll('input:not([type=file]), select, textarea')]"
        ".filter(c => c.getClientRects().length).map(c => parseFloat(getComputedStyle(c).fontSize))"
    )
    assert len(sizes) == 4
    assert min(sizes) >= 16, "iOS Safari zooms into inputs under 16px"

    submit_name(page)
    wait_connected(page)
    assert computed(page, ".composer textarea", "font-size")["font-size"] == "16px"
    # Reach the message box with the keyboard: its focus ring is solid, 2px or more, and stands out (3:1).
    page.get_by_role("button", name="Attach a file").focus()
    page.keyboard.press("Tab")
    wait(page, f"() => {SHADOW}.activeElement && {SHADOW}.activeElement.tagName === 'TEXTAREA'")
    ring = computed(page, ".composer textarea", "outline-style", "outline-width", "outline-color")
    around = computed(page, ".composer", "background-color")["background-color"]
    assert ring["outline-style"] == "solid"
    assert float(ring["outline-width"].removesuffix("px")) >= 2
    assert contrast(ring["outline-color"], around) >= 3
    # The header's buttons sit on the accent colour: their ring stands out there too.
    page.get_by_role("button", name="End chat").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    button_ring = page.evaluate(
        f"() => {{ const b = {SHADOW}.activeElement; const s = getComputedStyle(b);"
        " return [s.outlineStyle, s.outlineColor, getComputedStyle(b.parentElement).backgroundColor]; }"
    )
    assert button_ring[0] == "solid"
    assert contrast(button_ring[1], button_ring[2]) >= 3


def test_the_site_s_own_button_opens_the_chat(page: Any, site: Site, local_stack: LocalStackProcess) -> None:
    path = site.add(
        embed_page(
            local_stack.http_url,
            {"websocket-url": local_stack.websocket_url, "launcher": "#help"},
            body='<button id="help" type="button">Questions? Chat with us</button>',
        )
    )
    page.goto(site.origin + path)
    widget_ready(page)
    assert page.get_by_role("button", name="Open chat: Chat with us").count() == 0, "no bubble beside the site's button"
    help_button = page.locator("#help")
    assert help_button.get_attribute("aria-expanded") == "false"
    help_button.focus()
    page.keyboard.press("Enter")
    assert page.get_by_role("dialog", name="Chat with us").is_visible()
    assert help_button.get_attribute("aria-expanded") == "true"
    submit_name(page)
    wait_connected(page)

    # Closing gives the focus back to the site's button; a reply meanwhile is counted on it.
    page.keyboard.press("Escape")
    assert not page.get_by_role("dialog").is_visible()
    assert page.evaluate("document.activeElement.id") == "help"
    assert help_button.get_attribute("aria-expanded") == "false"
    contact_id = widget_state(page)["contactId"]
    local_stack.control("POST", f"/contacts/{contact_id}/agent/message", {"content": "Are you there?"})
    wait(page, "() => document.querySelector('#help').getAttribute('data-unread') === '1'")
    help_button.click()
    wait(page, "() => !document.querySelector('#help').hasAttribute('data-unread')")


def test_open_on_load_and_a_hidden_bubble(page: Any, site: Site, local_stack: LocalStackProcess) -> None:
    attributes = {"websocket-url": local_stack.websocket_url, "open-on-load": "true", "bubble": "hidden"}
    path = site.add(embed_page(local_stack.http_url, attributes))
    page.goto(site.origin + path)
    widget_ready(page)
    dialog = page.get_by_role("dialog", name="Chat with us")
    assert dialog.is_visible(), "open on load"
    assert page.evaluate("document.activeElement === document.body"), "opening on load does not take the focus"
    assert page.get_by_role("button", name="Close chat: Chat with us").count() == 0, "no bubble"
    # Without a bubble the panel sits in the corner itself.
    panel = dialog.bounding_box()
    assert page.viewport_size["height"] - (panel["y"] + panel["height"]) <= 20
    page.evaluate("window.ConnectChatWidget.close()")
    assert not dialog.is_visible()
    page.evaluate("window.ConnectChatWidget.open()")
    assert dialog.is_visible()


NONCE = "r4nd0m-n0nce-f0r-th1s-page"


def test_a_strict_content_security_policy_with_a_nonce(page: Any, site: Site, local_stack: LocalStackProcess) -> None:
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src 'nonce-{NONCE}'",
            f"style-src 'nonce-{NONCE}'",
            # the relay, and the presigned attachment URLs (served by the Connect emulator locally, by S3 on AWS)
            f"connect-src {local_stack.websocket_url} {local_stack.emulator_url}",
            "img-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "require-trusted-types-for 'script'",
        ]
    )
    path = site.add(
        embed_page(local_stack.http_url, {"websocket-url": local_stack.websocket_url}, nonce=NONCE),
        headers={"Content-Security-Policy": policy},
    )
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(site.origin + path)
    widget_ready(page)
    # The styles applied (the nonce reached the widget's style element).
    assert computed(page, ".bubble", "position", "background-color") == {
        "position": "fixed",
        "background-color": "rgb(11, 92, 173)",
    }
    open_panel(page)
    submit_name(page)
    wait_connected(page)
    chat_a_little(page)
    page.set_input_files("input[type=file]", files=[{"name": "receipt.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_role("button", name="Download receipt.png").wait_for()
    assert page.evaluate("window.__violations") == []


def test_the_demo_form_fills_in_at_both_sizes(page: Any, local_stack: LocalStackProcess) -> None:
    """On a phone the form and its controls fit the screen: nothing sticks out sideways."""
    page.goto(local_stack.http_url + "/")
    open_panel(page)
    fill_demo_form(page, "Dana")
    width = page.viewport_size["width"]
    rights = page.evaluate(
        f"() => [...{SHADOW}.querySelectorAll('.panel, input, select, button')]"
        ".filter(e => e.getClientRects().length).map(e => e.getBoundingClientRect().right)"
    )
    assert max(rights) <= width
