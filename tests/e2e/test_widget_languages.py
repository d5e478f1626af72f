"""Languages: one table of strings per language, chosen by the page or the browser, and right-to-left layout
for a language a site adds itself (a mirrored pseudo-locale whose every string is marked)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import TIMEOUT_MS, VIEWPORTS, Site
from tests.e2e.widget_support import (
    SHADOW,
    WIDGET_README,
    embed_page,
    send,
    wait,
    wait_connected,
    wait_for_reply,
    widget_ready,
    widget_state,
)
from tests.support.servers import LocalStackProcess

pytestmark = pytest.mark.browser

SHIPPED = ["en", "es", "fr", "de", "ja", "pt-BR"]


@pytest.fixture
def open_context(browser: Any, viewport: str) -> Iterator[Any]:
    """``open_context(locale)``: a browser context whose language is ``locale``, at the test's viewport."""
    contexts: list[Any] = []

    def make(locale: str) -> Any:
        context = browser.new_context(locale=locale, timezone_id="UTC", **VIEWPORTS[viewport])
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize(
    ("locale", "language", "bubble", "name_label"),
    [
        ("es-MX", "es", "Abrir el chat: Chatea con nosotros", "¿Cómo te llamas?"),
        ("fr-FR", "fr", "Ouvrir la discussion : Discutez avec nous", "Quel est votre nom ?"),
        ("de-AT", "de", "Chat öffnen: Chatten Sie mit uns", "Wie heißen Sie?"),
        ("ja-JP", "ja", "チャットを開く: チャットでお問い合わせ", "お名前を入力してください"),
        ("pt-PT", "pt-BR", "Abrir o chat: Fale com a gente", "Qual é o seu nome?"),
        ("it-IT", "en", "Open chat: Chat with us", "What is your name?"),
    ],
)
def test_the_browser_language_is_spoken(
    open_context: Any, local_stack: LocalStackProcess, locale: str, language: str, bubble: str, name_label: str
) -> None:
    page = open_context(locale).new_page()
    page.goto(local_stack.http_url + "/")
    widget_ready(page)
    assert widget_state(page)["language"] == language
    assert page.evaluate("document.querySelector('#connect-chat-widget').lang") == language
    page.get_by_role("button", name=bubble).click()
    page.get_by_label(name_label).fill("Ana")


def test_the_page_chooses_the_language_and_the_conversation_follows(
    open_context: Any, site: Site, local_stack: LocalStackProcess
) -> None:
    page = open_context("en-GB").new_page()
    path = site.add(embed_page(local_stack.http_url, {"websocket-url": local_stack.websocket_url, "language": "de"}))
    page.goto(site.origin + path)
    widget_ready(page)
    page.get_by_role("button", name="Chat öffnen: Chatten Sie mit uns").click()
    page.get_by_label("Wie heißen Sie?").fill("Anna")
    page.get_by_role("button", name="Chat starten").click()
    wait_connected(page)
    page.locator("li[data-kind=notice]", has_text="ist dem Chat beigetreten").wait_for()
    send(page, "Hallo", box="Nachricht")
    wait_for_reply(page, "Hallo")
    assert page.locator("li.own .meta").first.inner_text().startswith("Sie")
    assert page.get_by_role("textbox", name="Nachricht").is_visible()

    # Switching language at run time re-renders what is on screen.
    assert page.evaluate("window.ConnectChatWidget.setLanguage('ja')") == "ja"
    page.locator("li[data-kind=notice]", has_text="がチャットに参加しました").wait_for()
    assert page.get_by_role("button", name="チャットを終了").is_visible()


def test_every_shipped_table_has_every_string(open_context: Any, local_stack: LocalStackProcess) -> None:
    page = open_context("en-GB").new_page()
    page.goto(local_stack.http_url + "/")
    widget_ready(page)
    tables = page.evaluate(
        """async (tags) => {
          const out = {};
          for (const tag of tags) out[tag] = (await import(`${location.origin}/src/i18n/${tag}.js`)).default;
          return out;
        }""",
        SHIPPED,
    )
    english = tables["en"]
    for tag, table in tables.items():
        assert set(table) == set(english), f"{tag}: {set(english) ^ set(table)} in one table only"
        for key, text in table.items():
            placeholders = sorted(part.split("}")[0] for part in text.split("{")[1:])
            expected = sorted(part.split("}")[0] for part in english[key].split("{")[1:])
            assert placeholders == expected, f"{tag}.{key} has placeholders {placeholders}, English {expected}"
            assert text.strip(), f"{tag}.{key} is empty"
    assert page.evaluate("window.ConnectChatWidget.languages") == SHIPPED


MIRRORED = "qps-plocm"  # the mirrored (right-to-left) pseudo-locale
MARK = "⟦"

#: Adds the pseudo-locale made from the English table (every string marked) and switches to it.
ADD_PSEUDO_LOCALE = """async ([tag, mark]) => {
  const english = window.ConnectChatWidget.strings('en');
  const pseudo = Object.fromEntries(Object.entries(english).map(([k, v]) => [k, `${mark}${v}⟧`]));
  window.ConnectChatWidget.addLanguage(tag, pseudo, {dir: 'rtl'});
  return window.ConnectChatWidget.setLanguage(tag);
}"""

#: Every text the widget shows or announces outside the conversation's content: visible text nodes and the
#: labels, titles and placeholders of its controls.
WIDGET_TEXTS = f"""() => {{
  const root = {SHADOW};
  const out = [];
  const skip = (node) => node.closest('li.own .text, li.other .text, li .meta, option');
  const visible = (node) => node.getClientRects().length > 0;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {{
    const parent = n.parentElement;
    if (!n.textContent.trim() || parent.closest('style') || skip(parent) || !visible(parent)) continue;
    out.push(n.textContent);
  }}
  for (const node of root.querySelectorAll('[aria-label], [title], [placeholder]')) {{
    if (!visible(node)) continue;
    for (const name of ['aria-label', 'title', 'placeholder']) {{
      if (node.getAttribute(name)) out.push(node.getAttribute(name));
    }}
  }}
  return out;
}}"""


def box(page: Any, selector: str) -> dict[str, float]:
    found: dict[str, float] = page.evaluate(
        f"s => {{ const r = {SHADOW}.querySelector(s).getBoundingClientRect(); return {{x: r.x, right: r.right}}; }}",
        selector,
    )
    return found


def test_a_right_to_left_language_added_by_the_site(page: Any, local_stack: LocalStackProcess) -> None:
    page.goto(local_stack.http_url + "/")
    widget_ready(page)
    assert page.evaluate(ADD_PSEUDO_LOCALE, [MIRRORED, MARK]) == MIRRORED
    host = page.locator("#connect-chat-widget")
    assert host.get_attribute("dir") == "rtl"
    assert host.get_attribute("lang") == MIRRORED
    page.get_by_role("button", name=f"{MARK}Open chat: {MARK}Chat with us⟧⟧").click()

    # Every string shown comes from the language's table: nothing is left in English.
    shown = page.evaluate(WIDGET_TEXTS)
    assert shown
    assert [text for text in shown if MARK not in text] == []

    page.get_by_label(f"{MARK}What is your name?⟧").fill("Dana")
    page.get_by_label(f"{MARK}Email⟧").fill("dana@example.com")
    page.get_by_label(f"{MARK}Topic⟧").select_option("orders")
    page.get_by_role("button", name=f"{MARK}Start chat⟧").click()
    wait_connected(page)
    send(page, "Hello from the right", box=f"{MARK}Message⟧")
    wait_for_reply(page, "Hello from the right")
    wait(page, f"() => {SHADOW}.querySelectorAll('li.own .receipt').length > 0")
    shown = page.evaluate(WIDGET_TEXTS)
    assert [text for text in shown if MARK not in text] == []

    # The layout is mirrored: the title on the right of the header and the buttons on its left; the
    # customer's messages on the left, the agent's on the right.
    assert page.evaluate(f"() => getComputedStyle({SHADOW}.querySelector('.panel')).direction") == "rtl"
    assert box(page, "header h2")["x"] > box(page, "header button")["x"]
    log = box(page, ".log")
    own = box(page, "li.own .text")
    other = box(page, "li.other .text")
    assert own["x"] - log["x"] < 20
    assert log["right"] - other["right"] < 20
    assert box(page, ".composer textarea")["x"] < box(page, ".composer .icon")["x"]


ARABIC = """<script>
window.ConnectChatWidgetConfig = {
  language: "ar",
  languages: {ar: {strings: {title: "تحدث معنا", startChat: "ابدأ المحادثة" /* … */}}},
};
</script>"""


def test_a_language_from_the_page_configuration_falls_back_to_english(
    page: Any, site: Site, local_stack: LocalStackProcess
) -> None:
    assert ARABIC in WIDGET_README.read_text(), "widget/README.md shows this example"
    path = site.add(embed_page(local_stack.http_url, {"websocket-url": local_stack.websocket_url}, before=ARABIC))
    page.goto(site.origin + path)
    widget_ready(page)
    assert page.locator("#connect-chat-widget").get_attribute("dir") == "rtl", "Arabic is right to left by itself"
    page.get_by_role("button", name="Open chat: تحدث معنا").click()
    assert page.get_by_role("button", name="ابدأ المحادثة").is_visible()
    assert page.get_by_label("What is your name?").is_visible(), "a string the table lacks is shown in English"
