"""Message hooks: functions a deployer plugs in to transform or block messages in either direction.

A hook takes a :class:`HookMessage` and returns it (changed or not), or ``None`` to block it. Hooks are
named ``module:function`` in ``MESSAGE_HOOKS`` and applied in order. ``common.hooks:redact_pii`` ships
with the relay (off by default): it masks card numbers and e-mail addresses.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from connect_chat.protocol.items import Item

Direction = Literal["to_connect", "to_client"]


class HookMessage(NamedTuple):
    """One text message on its way through the relay.

    Attributes
    ----------
    direction
        ``to_connect`` (the customer's message, before SendMessage) or ``to_client`` (an item from Connect,
        before it is posted to the browser).
    contact_id, content_type, content
        The chat and the message.
    participant_role
        Who wrote it (CUSTOMER, AGENT, SYSTEM, CUSTOM_BOT, ...).
    """

    direction: Direction
    contact_id: str
    content_type: str
    content: str
    participant_role: str

    def with_content(self, content: str) -> HookMessage:
        return self._replace(content=content)


Hook = Callable[[HookMessage], "HookMessage | None"]


class HookError(ValueError):
    """A hook name that cannot be loaded."""


def load_hooks(names: Iterable[str], *, kind: str = "message hook") -> list[Hook]:
    """Import each ``module:function`` hook; raise :class:`HookError` naming the one that fails.

    ``kind`` is what the functions are for, as errors name them (``challenge verifier``, ...).
    """
    hooks: list[Hook] = []
    for name in names:
        module_name, _, attribute = name.partition(":")
        if not module_name or not attribute:
            raise HookError(f"{kind} {name!r} must look like 'module:function'")
        try:
            hook = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            raise HookError(f"{kind} {name!r} cannot be loaded: {exc}") from exc
        if not callable(hook):
            raise HookError(f"{kind} {name!r} is not callable")
        hooks.append(hook)
    return hooks


def apply_hooks(hooks: Sequence[Hook], message: HookMessage) -> HookMessage | None:
    """Run ``message`` through ``hooks``; ``None`` as soon as one blocks it."""
    current: HookMessage | None = message
    for hook in hooks:
        if current is None:
            return None
        current = hook(current)
    return current


_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
_CARD_CANDIDATE = r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)"


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if not 13 <= len(digits) <= 19 or not _luhn_valid(digits):
        return match.group(0)
    return "[card ending " + digits[-4:] + "]"


def redact_pii(message: HookMessage) -> HookMessage:
    """Mask card numbers (Luhn-checked, 13 to 19 digits, spaces or dashes allowed) and e-mail addresses."""
    content = re.sub(_CARD_CANDIDATE, _mask_card, message.content)  # re caches the compiled patterns
    content = re.sub(_EMAIL, "[email]", content)
    return message.with_content(content)


#: Content types the hooks see (text messages); everything else passes untouched.
HOOKED_TYPES = ("text/plain", "text/markdown")


def outbound_item(hooks: Sequence[Hook], contact_id: str, item: Item) -> dict[str, Any] | None:
    """An item on its way to the browser: its Participant Service fields (with ``ContactId``), text messages
    passed through the hooks; ``None`` when a hook blocked it."""
    data = item.to_dict()
    data.setdefault("ContactId", contact_id)
    content = data.get("Content")
    if not hooks or data.get("Type") != "MESSAGE" or data.get("ContentType") not in HOOKED_TYPES or not content:
        return data
    message = apply_hooks(
        hooks, HookMessage("to_client", contact_id, data["ContentType"], content, data.get("ParticipantRole", ""))
    )
    if message is None:
        return None
    data["Content"] = message.content
    return data
