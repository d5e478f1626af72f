"""Reading chat items: the interactive model of an item, and a readable line for any interactive content."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidArgumentError
from ..protocol import content_types as ct
from .responses import InteractiveResponse, parse_response
from .templates import InteractiveTemplate, parse_template


def parse(
    content_type: str, content: str | bytes | Mapping[str, Any]
) -> InteractiveTemplate | InteractiveResponse | None:
    """The interactive model of a message's content, by its content type.

    Parameters
    ----------
    content_type : str
        The message's ``ContentType``.
    content : str | bytes | Mapping[str, Any]
        Its ``Content``.

    Returns
    -------
    InteractiveTemplate | InteractiveResponse | None
        :func:`~connect_chat.interactive.parse_template` for ``...message.interactive``,
        :func:`~connect_chat.interactive.parse_response` for ``...message.interactive.response``, ``None`` for
        any other content type.

    Raises
    ------
    InvalidArgumentError
        Interactive content that does not parse.
    """
    if content_type == ct.INTERACTIVE_MESSAGE:
        return parse_template(content)
    if content_type == ct.INTERACTIVE_MESSAGE_RESPONSE:
        return parse_response(content)
    return None


def parse_item(item: Any) -> InteractiveTemplate | InteractiveResponse | None:
    """The interactive model of a chat item: a :class:`~connect_chat.protocol.Item` (stateless mode) or an item
    mapping with ``ContentType`` and ``Content`` (the ``data`` of an asyncio-mode ``on_message`` event).

    Returns ``None`` for items that are not interactive; raises :class:`InvalidArgumentError` for interactive
    items whose content does not parse.
    """
    if isinstance(item, Mapping):
        content_type, content = item.get("ContentType"), item.get("Content")
    else:
        content_type, content = getattr(item, "content_type", None), getattr(item, "content", None)
    if not isinstance(content_type, str) or content_type not in (
        ct.INTERACTIVE_MESSAGE,
        ct.INTERACTIVE_MESSAGE_RESPONSE,
    ):
        return None
    if content is None:
        raise InvalidArgumentError("Content", f"is missing from a {content_type} item")
    return parse(content_type, content)


def describe(content_type: str, content: str) -> str:
    """A readable line for a message of any content type; never raises.

    Interactive templates and responses become their ``text()``; interactive content that does not parse
    becomes a short description of what it is; any other content is returned as it is.
    """
    try:
        model = parse(content_type, content)
    except InvalidArgumentError:
        if content_type == ct.INTERACTIVE_MESSAGE:
            return "(an interactive message that cannot be shown)"
        return "(an answer to an interactive message that cannot be shown)"
    return content if model is None else model.text()
