"""Markdown messages in the widget: the subset Amazon Connect chat uses, built as DOM nodes and never as HTML,
whatever an agent (or anyone able to put text in front of the customer) sends."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.widget_support import (
    MARKDOWN,
    SHADOW,
    agent_says,
    send,
    start_chat,
    wait,
    wait_for_item,
    widget_ready,
)
from tests.support.servers import LocalStackProcess

pytestmark = pytest.mark.browser

#: The elements a markdown message may consist of.
ALLOWED_TAGS = {"DIV", "P", "UL", "OL", "LI", "EM", "STRONG", "CODE", "PRE", "A", "BR", "SPAN"}

#: What a markdown node holds: its tags, every attribute name, its links, its text.
INSPECT = """(node) => {
  const all = [node, ...node.querySelectorAll('*')];
  return {
    tags: [...new Set(all.map((n) => n.tagName))],
    attributes: [...new Set(all.flatMap((n) => [...n.attributes].map((a) => a.name)))],
    links: [...node.querySelectorAll('a')].map((a) => ({
      href: a.getAttribute('href'), target: a.getAttribute('target'), rel: a.getAttribute('rel'), text: a.textContent,
    })),
    text: node.textContent,
  };
}"""

#: Renders markdown with the widget's own module, outside any chat: ``[origin, source]`` -> what INSPECT reads.
RENDER = (
    """async ([origin, source]) => {
  const { renderMarkdown, markdownText } = await import(origin + '/src/renderers/markdown.js');
  const { el } = await import(origin + '/src/dom.js');
  const node = renderMarkdown(source, el);
  document.body.appendChild(node);
  const inspect = """
    + INSPECT
    + """;
  const found = inspect(node);
  node.remove();
  return { ...found, plain: markdownText(source), html: node.outerHTML.length };
}"""
)

HOSTILE = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 1">',
    "<svg onload='window.__pwned = 1'></svg>",
    '<a href="javascript:window.__pwned = 1">a link in HTML</a>',
    "[click me](javascript:window.__pwned=1)",
    "[click me too](JaVaScRiPt:window.__pwned=1)",
    "[encoded](javascript&#58;window.__pwned=1)",
    "[spaced]( javascript:window.__pwned=1 )",
    "[data](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ+)",
    "[relative](/evil) [protocol-relative](//evil.example/x)",
    '[quoted](https://example.com/" onmouseover="window.__pwned = 1)',
    "<javascript:window.__pwned=1>",
    "**bold *both** em*, __under _mixed__ score_, `code **not bold**`, ***",
    "[outer [inner](https://example.com/inner) rest](https://example.com/outer)",
    "- a\n  - b\n    - c\n      - d [x](javascript:alert(1))\n- e\n\n1) one\n7) seven",
    "```\n<script>window.__pwned = 1</script>\n**not bold**",
    "snake_case_name and 2 * 3 * 4 and \\*escaped\\* and [unclosed](https://example.com",
]


@pytest.fixture
def widget_page(page: Any, local_stack: LocalStackProcess) -> Any:
    page.goto(local_stack.http_url + "/")
    widget_ready(page)
    return page


def _check_safe(found: dict[str, Any]) -> None:
    assert set(found["tags"]) <= ALLOWED_TAGS, found["tags"]
    assert not [name for name in found["attributes"] if name.startswith("on")], found["attributes"]
    assert set(found["attributes"]) <= {"class", "href", "target", "rel", "start"}, found["attributes"]
    for link in found["links"]:
        assert link["href"].split(":")[0] in ("http", "https", "mailto"), link
        assert link["target"] == "_blank"
        assert link["rel"] == "noopener noreferrer"


def test_hostile_markdown_stays_text(widget_page: Any, local_stack: LocalStackProcess) -> None:
    for source in HOSTILE:
        found = widget_page.evaluate(RENDER, [local_stack.http_url, source])
        _check_safe(found)
        assert not [link for link in found["links"] if "pwned" in link["href"] or "alert" in link["href"]], source
    assert widget_page.evaluate("window.__pwned") is None


def test_what_the_subset_renders(widget_page: Any, local_stack: LocalStackProcess) -> None:
    def render(source: str) -> dict[str, Any]:
        found: dict[str, Any] = widget_page.evaluate(RENDER, [local_stack.http_url, source])
        _check_safe(found)
        return found

    shown = render(
        "**strong** *em* _em_ `code` [docs](https://example.com/a_b) <https://example.com/auto> <me@example.com>"
    )
    assert {"STRONG", "EM", "CODE", "A"} <= set(shown["tags"])
    assert shown["text"] == "strong em em code docs https://example.com/auto me@example.com"
    assert [link["href"] for link in shown["links"]] == [
        "https://example.com/a_b",
        "https://example.com/auto",
        "mailto:me@example.com",
    ]
    # Links that are not http(s) or mailto stay the text they were written as.
    assert render("[click](javascript:alert(1))")["text"] == "[click](javascript:alert(1))"
    assert render("[x](/relative)")["links"] == []
    # HTML is text; so is a raw address in a sentence, linked without its full stop.
    assert render("<b>bold</b>")["text"] == "<b>bold</b>"
    sentence = render("See https://example.com/x. Thanks")
    assert sentence["links"][0]["href"] == "https://example.com/x"
    assert sentence["text"] == "See https://example.com/x. Thanks"
    # Words joined by underscores are not emphasis; escaped markers are text.
    assert render("snake_case_name \\*literal\\*")["tags"] == ["DIV", "P"]
    # Lists, nested, numbered from where they start; every newline of a paragraph is a line break.
    lists = render("- a\n  - b\n- c\n\n3. three\n4. four\n\nline one\nline two")
    assert {"UL", "OL", "LI", "BR"} <= set(lists["tags"])
    assert "start" in lists["attributes"]
    assert lists["plain"] == "- a\n  - b\n- c\n3. three\n4. four\nline one\nline two"
    # A fenced code block keeps what is inside as text, markers and tags alike.
    code = render("```\n**x** <i>y</i>\n```")
    assert code["tags"] == ["DIV", "PRE", "CODE"]
    assert code["text"] == "**x** <i>y</i>"


def test_huge_and_pathological_markdown_renders(widget_page: Any, local_stack: LocalStackProcess) -> None:
    """Inputs that make naive parsers backtrack or recurse: the page answers, and every letter is there."""
    sources = [
        "*[`<_" * 3000 + "END",
        "**a" * 5000 + "END",
        "[" * 5000 + "]" * 5000 + "(" + "x" * 3000 + "END",
        "- " * 3000 + "x END",
        ("[a](" + "y" * 1900 + " ") * 8 + "END",
        "x" * 500_000 + " END",  # beyond any message Connect sends: shown as plain text
    ]
    for source in sources:
        found = widget_page.evaluate(RENDER, [local_stack.http_url, source])
        _check_safe(found)
        assert found["text"].rstrip().endswith("END")
        letters = [c for c in source if c.isalnum()]
        assert [c for c in found["text"] if c.isalnum()] == letters, "no letter is lost (these make no links)"


def test_the_agent_s_markdown_in_the_conversation(page: Any, local_stack: LocalStackProcess) -> None:
    started = start_chat(page, local_stack.http_url + "/")
    page.locator("li[data-kind=notice]", has_text="joined the chat").wait_for()
    send(page, "markdown")
    wait_for_item(page, "Markdown from the agent")
    body = page.locator("li.other .content-markdown").first
    assert body.locator("strong", has_text="Markdown").count() == 1
    assert body.locator("em", has_text="emphasis").count() == 1
    assert body.locator("code", has_text="inline code").count() == 1
    assert body.locator("ul > li").count() == 2
    assert body.locator("ol > li").count() == 2
    assert body.locator("pre code").inner_text() == "menu | time | panel | quick | carousel"
    link = body.get_by_role("link", name="link to the Amazon Connect documentation")
    assert link.get_attribute("href").startswith("https://docs.aws.amazon.com/connect/")
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("rel") == "noopener noreferrer"
    # The transcript reads it as text, the link followed by its address.
    item = next(i for i in page.evaluate("window.ConnectChatWidget.state.items") if i["contentType"] == MARKDOWN)
    assert item["text"].startswith("Markdown from the agent: emphasis, inline code and a link to the Amazon")
    assert "(https://docs.aws.amazon.com/connect/" in item["text"]

    # Hostile markdown from the agent's side of the chat is shown, never run.
    for source in HOSTILE:
        agent_says(local_stack, started["contactId"], source, MARKDOWN)
    wait(page, f"n => {SHADOW}.querySelectorAll('li.other .content-markdown').length >= n", len(HOSTILE) + 1)
    for index in range(len(HOSTILE) + 1):
        _check_safe(
            page.evaluate(f"i => ({INSPECT})({SHADOW}.querySelectorAll('li.other .content-markdown')[i])", index)
        )
    assert page.evaluate("window.__pwned") is None
    assert page.locator("li[data-kind] script, li[data-kind] img, li[data-kind] svg").count() == 0
