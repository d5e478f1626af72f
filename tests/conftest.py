"""Fixtures shared by every test: real servers on loopback and boto3 clients pointed at them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from hypothesis import settings

from local.connect_emulator import EmulatorConfig
from tests.support.servers import RunningEmulator, run_emulator, run_moto

REGION = "us-west-2"

# Property and fuzz tests: a small example count under `make test`, a large one under `make soak`.
settings.register_profile("default", max_examples=50)
settings.register_profile("soak", max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session", autouse=True)
def _aws_environment() -> Iterator[None]:
    """Dummy credentials so that no test can reach a real AWS account."""
    patch = pytest.MonkeyPatch()
    patch.setenv("AWS_ACCESS_KEY_ID", "testing")
    patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    patch.setenv("AWS_DEFAULT_REGION", REGION)
    patch.delenv("AWS_PROFILE", raising=False)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """moto's server; the emulator's SNS publishing reaches it through AWS_ENDPOINT_URL_SNS."""
    with run_moto() as url:
        patch = pytest.MonkeyPatch()
        patch.setenv("AWS_ENDPOINT_URL_SNS", url)
        yield url
        patch.undo()


@pytest.fixture(scope="session")
def _emulator_server(moto_url: str) -> Iterator[RunningEmulator]:
    config = EmulatorConfig(agent_delay=0.05, agent_reply_delay=0.05, attachment_scan_delay=0.05)
    with run_emulator(config) as running:
        yield running


@pytest.fixture
def emulator(_emulator_server: RunningEmulator) -> Iterator[RunningEmulator]:
    """The shared emulator, reset to its defaults after each test."""
    yield _emulator_server
    _emulator_server.reset()


_SESSION: Any = None


def _client(service: str, endpoint_url: str) -> Any:
    """A client from one shared boto3 session (loading the service models once, not per test)."""
    global _SESSION
    if _SESSION is None:
        _SESSION = boto3.session.Session(region_name=REGION)
    return _SESSION.client(service, endpoint_url=endpoint_url)


@pytest.fixture
def connect_client(emulator: RunningEmulator) -> Any:
    """An unmodified boto3 ``connect`` client pointed at the emulator."""
    return _client("connect", emulator.url)


@pytest.fixture
def participant_client(emulator: RunningEmulator) -> Any:
    """An unmodified boto3 ``connectparticipant`` client pointed at the emulator."""
    return _client("connectparticipant", emulator.url)


@pytest.fixture
def sns_client(moto_url: str) -> Any:
    return _client("sns", moto_url)
