"""What the relay handlers build once per execution environment (cold start) and share."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from common.contacts import connect_client
from common.gateway import ConnectionPoster
from common.hooks import Hook, load_hooks
from common.sessions import SessionStore
from common.settings import Settings
from connect_chat.participant import ParticipantClient

from .service import RelayService


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()


@lru_cache(maxsize=1)
def store() -> SessionStore:
    return SessionStore(settings().table_name)


@lru_cache(maxsize=1)
def participant() -> ParticipantClient:
    return ParticipantClient()


@lru_cache(maxsize=1)
def connect() -> Any:
    return connect_client()


@lru_cache(maxsize=1)
def hooks() -> tuple[Hook, ...]:
    return tuple(load_hooks(settings().message_hooks))


def service_for(poster: ConnectionPoster) -> RelayService:
    """The relay service answering through ``poster`` (built from the event's API endpoint)."""
    return RelayService(
        settings=settings(),
        store=store(),
        poster=poster,
        participant=participant(),
        connect=connect(),
        hooks=hooks(),
    )


def reset() -> None:
    """Forget everything cached (tests change the environment between cases)."""
    for cached in (settings, store, participant, connect, hooks):
        cached.cache_clear()
