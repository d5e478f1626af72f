"""Message hooks used by the tests (loaded by name through MESSAGE_HOOKS, as a deployer would)."""

from __future__ import annotations

from common.hooks import HookMessage


def block_forbidden(message: HookMessage) -> HookMessage | None:
    """Blocks every message containing the word 'forbidden'."""
    return None if "forbidden" in message.content.lower() else message


def shout_outbound(message: HookMessage) -> HookMessage:
    """Upper-cases what goes to the browser, leaves what goes to Connect alone."""
    return message.with_content(message.content.upper()) if message.direction == "to_client" else message
