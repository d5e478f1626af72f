"""Reading the repository's Markdown files as GitHub renders them: which files, their headings' anchors, their links.

Only what the documentation uses is modelled: ATX headings (``## Title``), fenced code blocks (whose contents are
neither headings nor links), inline links and images (``[text](target)``, ``![alt](target)``) and reference
definitions (``[name]: target``).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

#: Folders whose Markdown is not the repository's own: installed packages, build output, caches.
SKIPPED_FOLDERS = frozenset({"node_modules", ".venv", "cdk.out", ".cache", ".git"})
#: Top-level folders that hold material about the repository rather than part of it.
SKIPPED_TOP_FOLDERS = frozenset({"shared"})

_FENCE = re.compile(r"^ *(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_INLINE_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?")
_LINK_IN_HEADING = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")


@dataclass(frozen=True)
class Link:
    """A link found in a Markdown file: where it is and what it points at, as written."""

    source: Path
    line: int
    target: str


def _is_skipped(relative: Path) -> bool:
    parts = relative.parts
    return bool(parts) and (parts[0] in SKIPPED_TOP_FOLDERS or any(part in SKIPPED_FOLDERS for part in parts))


def markdown_files(root: Path) -> list[Path]:
    """Every ``*.md`` file of the repository at ``root``: tracked, or new and not ignored, outside skipped folders.

    Outside a git checkout, every ``*.md`` file under ``root`` outside the skipped folders.
    """
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.md"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        candidates = [root / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        candidates = list(root.rglob("*.md"))
    found = {path for path in candidates if path.is_file() and not _is_skipped(path.relative_to(root))}
    return sorted(found)


def _closes(fence: str, marker: str, line: str) -> bool:
    """Whether ``line``, which starts with ``marker``, closes a block opened by ``fence``: the same character, at
    least as many, and nothing after them."""
    return marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip().lstrip(fence[0])


def _outside_code_blocks(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` for every line that is not inside a fenced code block (fences excluded)."""
    fence = ""
    for number, line in enumerate(text.splitlines(), start=1):
        opening = _FENCE.match(line)
        if fence:
            if opening and _closes(fence, opening.group(1), line):
                fence = ""
            continue
        if opening:
            fence = opening.group(1)
            continue
        yield number, line


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading (before duplicates are numbered).

    Links keep their text, code spans their content; the text is lowercased, every character that is not a
    letter, a digit, ``_``, ``-`` or a space is dropped, and each space becomes ``-``.
    """
    text = _LINK_IN_HEADING.sub(r"\1", heading)
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(text: str) -> list[str]:
    """The anchors of every heading of a Markdown text, in order; a repeated one gets ``-1``, ``-2``, …"""
    seen: dict[str, int] = {}
    found: list[str] = []
    for _number, line in _outside_code_blocks(text):
        heading = _HEADING.match(line)
        if heading is None:
            continue
        base = slug(heading.group(2))
        anchor = base
        while anchor in seen:
            seen[base] += 1
            anchor = f"{base}-{seen[base]}"
        seen[anchor] = 0
        found.append(anchor)
    return found


def links(path: Path) -> list[Link]:
    """Every link and image of a Markdown file, outside code blocks and code spans."""
    found: list[Link] = []
    for number, line in _outside_code_blocks(path.read_text()):
        prose = _CODE_SPAN.sub("code", line)
        targets = _INLINE_LINK.findall(prose)
        reference = _REFERENCE.match(prose)
        if reference:
            targets.append(reference.group(1))
        found.extend(Link(path, number, target) for target in targets)
    return found


def is_external(target: str) -> bool:
    """Whether a link leaves the repository (``https:``, ``mailto:``, ``//host``)."""
    return bool(_SCHEME.match(target))


def broken(link: Link, root: Path) -> str | None:
    """Why a link within the repository does not resolve, or None when it does (external links are not checked).

    The file (or folder) must exist; an ``#anchor`` must be the anchor of a heading of the Markdown file it names
    (the link's own file when no path comes before it).
    """
    if is_external(link.target):
        return None
    path_part, _, anchor = link.target.partition("#")
    if path_part:
        base = root if path_part.startswith("/") else link.source.parent
        target = (base / unquote(path_part.lstrip("/"))).resolve()
        if not target.exists():
            return f"{path_part} does not exist"
    else:
        target = link.source
    if anchor and target.suffix == ".md" and anchor not in anchors(target.read_text()):
        return f"{target.name} has no heading whose anchor is #{anchor}"
    return None
