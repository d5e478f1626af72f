"""What the relay handlers build once per execution environment and reuse across invocations.

Each factory imports what it builds only when first called, so a handler loads (and pays at cold start for)
only the clients it uses: ``$connect`` and ``$disconnect`` never load the Participant Service client, and the
``connect`` client is built by the first ``startChat``, not by every cold start of the message function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from common.hooks import Hook, load_hooks
from common.reuse import built_once
from common.sessions import SessionStore
from common.settings import Settings

if TYPE_CHECKING:
    from common.budgets import ChatBudgets
    from connect_chat.participant import ParticipantClient


@built_once
def settings() -> Settings:
    return Settings.from_env()


@built_once
def store() -> SessionStore:
    return SessionStore(settings().table_name)


@built_once
def budgets() -> ChatBudgets:
    from common.budgets import ChatBudgets

    return ChatBudgets.from_settings(settings(), store().client)


@built_once
def participant() -> ParticipantClient:
    from connect_chat.participant import ParticipantClient

    return ParticipantClient()


@built_once
def connect() -> Any:
    from common.contacts import connect_client

    return connect_client()


@built_once
def hooks() -> tuple[Hook, ...]:
    return tuple(load_hooks(settings().message_hooks))


def reset() -> None:
    """Forget everything cached (tests change the environment between cases)."""
    for cached in (settings, store, budgets, participant, connect, hooks):
        cached.cache_clear()
