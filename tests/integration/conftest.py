"""The relay deployed against moto's server and the Connect emulator."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.support.chat import WireLog, wire_log
from tests.support.relay import RelayHarness, create_table, deploy_relay
from tests.support.servers import RunningEmulator


def _reset_relay_caches() -> None:
    from common.gateway import poster_for
    from relay import runtime

    runtime.reset()
    poster_for.cache_clear()


@pytest.fixture
def relay(emulator: RunningEmulator, moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[RelayHarness]:
    """A fresh relay deployment: its own table, topic and queue; handlers read their settings from env."""
    harness = deploy_relay(
        f"sessions-{uuid.uuid4().hex[:8]}",
        moto_url=moto_url,
        emulator_url=emulator.url,
        setenv=monkeypatch.setenv,
        variables={"POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_NAMESPACE": "ConnectChatTests"},
    )
    _reset_relay_caches()
    yield harness
    _reset_relay_caches()


@pytest.fixture
def wire(connect_client: Any, participant_client: Any) -> Iterator[WireLog]:
    """Every response of these clients must match its output shape (or be a modeled error of the operation)."""
    with wire_log(connect_client, participant_client) as log:
        yield log
    log.assert_valid()


@pytest.fixture
def agent_off(emulator: RunningEmulator) -> None:
    """The test plays the agent itself: the simulated agent stays out (restored after the test)."""
    emulator.control("POST", "/config", {"agentEnabled": False})


@pytest.fixture
def start_chat_table(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A session table for the start-chat endpoint's budgets (generous unless a test sets them)."""
    from start_chat import app

    table_name = f"start-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto_url)
    create_table(table_name)
    for name, value in (("SESSION_TABLE_NAME", table_name), ("CHAT_STARTS_PER_IP", "1000")):
        monkeypatch.setenv(name, value)
    app._budgets.cache_clear()
    return table_name


@pytest.fixture
def persistent_chat(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Persistent chat on: a continuation key in moto's Secrets Manager; the secret's name."""
    import secrets

    name = f"continuation-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto_url)
    boto3.client("secretsmanager").create_secret(Name=name, SecretString=secrets.token_urlsafe(48))
    monkeypatch.setenv("CONTINUATION_KEY_SECRET", name)
    return name
