"""The limits of interactive messages, and the truncation the administrator guide expects of clients.

Two kinds of limit apply (Amazon Connect administrator guide, "Add Amazon Lex interactive messages for
customers in chat", section "Validation limits"):

* **Structural limits** (required fields, element counts, ``version``, ``imageType``) "must be followed for the
  message to be successfully sent": the models refuse a template that breaks one.
* **String field limits** (titles, subtitles, ...) "are expected to be enforced by the client": a client shows
  at most that many characters and appends an ellipsis, as the hosted communications widget does. They are
  not errors; :func:`truncate` and each template's ``for_display()`` apply them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

ELLIPSIS: Final = "..."
"""What a truncated field ends with ("an ellipsis (...) is appended")."""

TITLE_LIMIT: Final = 400
"""Characters of a title or subtitle a client shows."""

QUICK_REPLY_OPTION_LIMIT: Final = 200
"""Characters of a quick reply option a client shows."""

FIELD_LIMITS: Final[Mapping[str, Mapping[str, int]]] = {
    "ListPicker": {
        "data.content.title": TITLE_LIMIT,
        "data.content.subtitle": TITLE_LIMIT,
        "data.content.elements[].title": TITLE_LIMIT,
        "data.content.elements[].subtitle": TITLE_LIMIT,
    },
    "Panel": {
        "data.content.title": TITLE_LIMIT,
        "data.content.subtitle": TITLE_LIMIT,
        "data.content.elements[].title": TITLE_LIMIT,
    },
    "TimePicker": {
        "data.content.title": TITLE_LIMIT,
        "data.content.subtitle": TITLE_LIMIT,
    },
    "QuickReply": {
        "data.content.title": TITLE_LIMIT,
        "data.content.elements[].title": QUICK_REPLY_OPTION_LIMIT,
    },
    "Carousel": {
        "data.content.title": TITLE_LIMIT,
    },
}
"""Template type -> field path -> characters a client shows (``[]`` stands for every item of a list).

The numbers are those the hosted communications widget applies (amazon-connect-chat-interface,
``INTERACTIVE_MESSAGE_CONSTRAINTS``). A carousel's list pickers and panels keep their own limits."""

ITEM_COUNTS: Final[Mapping[str, tuple[str, int, int]]] = {
    "ListPicker": ("data.content.elements", 1, 6),
    "Panel": ("data.content.elements", 1, 10),
    "TimePicker": ("data.content.timeslots", 1, 40),
    "QuickReply": ("data.content.elements", 2, 5),
    "Carousel": ("data.content.elements", 2, 5),
}
"""Template type -> (list field, fewest items, most items): structural limits, enforced."""

MAX_CONTENT_BYTES: Final = 20_000
"""The whole message's size: "The SendMessage API checks only that the total size of the string is less than
20KB". Read as 20,000 UTF-8 bytes, the stricter reading of "20KB"."""


def truncate(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """Cut ``text`` to ``limit`` characters and append ``ellipsis``, as a client shows an over-long field.

    Parameters
    ----------
    text : str
        The field's value.
    limit : int
        Characters shown (see :data:`FIELD_LIMITS`); at least 1.
    ellipsis : str, optional
        What replaces the cut part (default ``"..."``).

    Returns
    -------
    str
        ``text`` itself when it fits, else its first ``limit`` characters followed by ``ellipsis``.

    Examples
    --------
    >>> truncate("What produce would you like to buy?", 12)
    'What produce...'
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    if len(text) <= limit:
        return text
    return text[:limit].rstrip() + ellipsis


def field_limit(template_type: str, path: str) -> int | None:
    """The characters a client shows of ``path`` (e.g. ``data.content.elements[].title``), if limited."""
    return FIELD_LIMITS.get(template_type, {}).get(path)
