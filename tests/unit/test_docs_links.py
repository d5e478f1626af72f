"""Every link between the repository's Markdown files leads somewhere: the file exists, the anchor is a heading."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.markdown import anchors, broken, links, markdown_files, slug

ROOT = Path(__file__).resolve().parents[2]
#: The READMEs the top-level one sends each audience to.
READMES = [
    "README.md",
    *(f"{folder}/README.md" for folder in ("layer/python", "local", "widget", "lambdas", "infra", "bench")),
]


def test_the_documentation_is_found() -> None:
    found = {path.relative_to(ROOT).as_posix() for path in markdown_files(ROOT)}
    assert set(READMES) <= found
    assert not any(name.startswith(("node_modules/", ".venv/", "cdk.out/")) for name in found)


@pytest.mark.parametrize("document", [path.relative_to(ROOT).as_posix() for path in markdown_files(ROOT)])
def test_every_relative_link_resolves(document: str) -> None:
    problems = [
        f"{document}:{link.line}: {link.target}: {why}"
        for link in links(ROOT / document)
        if (why := broken(link, ROOT))
    ]
    assert problems == []


def test_the_top_level_readme_links_to_every_audience_s_readme() -> None:
    targets = {link.target for link in links(ROOT / "README.md")}
    assert set(READMES[1:]) <= targets


@pytest.mark.parametrize("readme", READMES[1:])
def test_each_audience_s_readme_links_back_to_the_top_level_one(readme: str) -> None:
    back = [link for link in links(ROOT / readme) if not broken(link, ROOT)]
    assert any((ROOT / readme).parent.joinpath(link.target).resolve() == ROOT / "README.md" for link in back)


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("The local stack (`make local`)", "the-local-stack-make-local"),
        ("The `connect_chat` library", "the-connect_chat-library"),
        ("The control API (`/_emulator/…`, JSON)", "the-control-api-_emulator-json"),
        (
            "Keepalive or reconnection: what a waiting customer costs",
            "keepalive-or-reconnection-what-a-waiting-customer-costs",
        ),
        ("Start-chat (direct flow): `POST /start-chat`", "start-chat-direct-flow-post-start-chat"),
        ("What the functions may do (least privilege)", "what-the-functions-may-do-least-privilege"),
        ("See [the guide](https://example.com/guide)", "see-the-guide"),
    ],
)
def test_anchors_follow_github_s_rules(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor


def test_repeated_headings_are_numbered_and_code_blocks_hold_none() -> None:
    text = "# Options\n\n## Options\n\n```css\n# not a heading\n```\n\n### Options ###\n\n~~~\n## Options\n~~~\n"
    assert anchors(text) == ["options", "options-1", "options-2"]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_missing_file_and_a_missing_anchor_are_reported(tmp_path: Path) -> None:
    _write(tmp_path / "guide" / "README.md", "# Guide\n\n## Deploy\n\n## Deploy\n")
    source = _write(
        tmp_path / "README.md",
        "# Top\n\n"
        "[fine](guide/README.md#deploy) [second](guide/README.md#deploy-1) [here](#top) [web](https://example.com/x)\n"
        "[gone](docs/deploy.md) [no anchor](guide/README.md#tear-down) ![picture](guide/missing.png)\n"
        "[self](#nowhere) `[in code](nowhere.md)`\n"
        "\n```\n[in a block](nowhere.md)\n```\n\n"
        "[ref]: guide/none.md\n",
    )

    problems = {(link.target, why) for link in links(source) if (why := broken(link, tmp_path))}

    assert problems == {
        ("docs/deploy.md", "docs/deploy.md does not exist"),
        ("guide/README.md#tear-down", "README.md has no heading whose anchor is #tear-down"),
        ("guide/missing.png", "guide/missing.png does not exist"),
        ("#nowhere", "README.md has no heading whose anchor is #nowhere"),
        ("guide/none.md", "guide/none.md does not exist"),
    }
