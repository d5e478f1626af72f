"""The siteverify verifier against the local challenge service, its secret in moto's Secrets Manager or SSM."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from common.challenge import (
    ChallengeFailedError,
    ChallengeSettings,
    ChallengeSettingsError,
    ChallengeUnavailableError,
    SecretReference,
    SiteverifyVerifier,
    StoredSecret,
)
from local.auth_fakes import SITEVERIFY_PATH
from tests.support.auth import RunningFakes, run_auth_fakes


@pytest.fixture(scope="module")
def auth() -> Iterator[RunningFakes]:
    with run_auth_fakes() as running:
        yield running


def _counted(client: Any, operation: str) -> list[str]:
    """Record every ``operation`` call ``client`` makes."""
    calls: list[str] = []
    client.meta.events.register(f"after-call.*.{operation}", lambda **_kwargs: calls.append(operation))
    return calls


def _stored(moto_url: str, store: str, value: str) -> tuple[SecretReference, Any]:
    name = f"connect-chat/test/{uuid.uuid4().hex}"
    if store == "ssm":
        client = boto3.client("ssm", endpoint_url=moto_url)
        client.put_parameter(Name=f"/{name}", Value=value, Type="SecureString")
        return SecretReference("ssm", f"/{name}"), client
    client = boto3.client("secretsmanager", endpoint_url=moto_url)
    client.create_secret(Name=name, SecretString=value)
    return SecretReference("secretsmanager", name), client


@pytest.mark.parametrize("store", ["secretsmanager", "ssm"])
def test_a_token_passes_once_with_the_secret_read_once(auth: RunningFakes, moto_url: str, store: str) -> None:
    reference, client = _stored(moto_url, store, auth.fakes.challenge.secret)
    reads = _counted(client, "GetSecretValue" if store == "secretsmanager" else "GetParameter")
    verify = SiteverifyVerifier(f"{auth.url}{SITEVERIFY_PATH}", StoredSecret(reference, 300, boto3_client=client))

    first, second = auth.fakes.challenge.issue(), auth.fakes.challenge.issue()
    verify(first, "198.51.100.7")
    verify(second, None)
    with pytest.raises(ChallengeFailedError) as replayed:
        verify(first, "198.51.100.7")

    assert replayed.value.reasons == ("timeout-or-duplicate",)
    assert reads == [reads[0]]  # cached for max_age
    assert auth.fakes.challenge.last_remote_ip == "198.51.100.7"


def test_a_zero_max_age_reads_the_secret_every_time(auth: RunningFakes, moto_url: str) -> None:
    reference, client = _stored(moto_url, "ssm", auth.fakes.challenge.secret)
    reads = _counted(client, "GetParameter")
    secret = StoredSecret(reference, 0, boto3_client=client)
    assert secret() == secret() == auth.fakes.challenge.secret
    assert len(reads) == 2


def test_a_missing_secret_is_unavailable(moto_url: str) -> None:
    client = boto3.client("ssm", endpoint_url=moto_url)
    secret = StoredSecret(SecretReference("ssm", "/connect-chat/test/none"), 300, boto3_client=client)
    with pytest.raises(ChallengeUnavailableError, match="cannot be checked right now") as unavailable:
        secret()
    assert unavailable.value.detail == "the secret ssm:/connect-chat/test/none cannot be read"


@pytest.mark.parametrize(
    ("token", "reason"),
    [("local.guessed", "invalid-input-response"), ("", "missing-input-response")],
)
def test_the_service_refusals_are_failures_with_their_codes(auth: RunningFakes, token: str, reason: str) -> None:
    verify = SiteverifyVerifier(f"{auth.url}{SITEVERIFY_PATH}", lambda: auth.fakes.challenge.secret)
    with pytest.raises(ChallengeFailedError) as failed:
        verify(token, None)
    assert failed.value.reasons == (reason,)
    assert (failed.value.status, failed.value.code) == (403, "CHALLENGE_FAILED")


@pytest.mark.parametrize("path", ["/_local/auth/jwks.json", "/nowhere"])
def test_an_answer_that_is_not_siteverify_is_unavailable(auth: RunningFakes, path: str) -> None:
    verify = SiteverifyVerifier(f"{auth.url}{path}", lambda: "secret")
    with pytest.raises(ChallengeUnavailableError):
        verify(auth.fakes.challenge.issue(), None)


def rejecting_verifier(token: str, remote_ip: str | None) -> None:
    """A verifier of one's own (``CHALLENGE_VERIFIER=tests.integration.test_challenge:rejecting_verifier``)."""
    if token != "open-sesame":
        raise ChallengeFailedError(reasons=("not-open-sesame",))


def test_a_verifier_of_ones_own_plugs_in_by_name() -> None:
    settings = ChallengeSettings.from_env({"CHALLENGE_VERIFIER": f"{__name__}:rejecting_verifier"})
    assert settings is not None
    verify = settings.build()
    verify("open-sesame", None)
    with pytest.raises(ChallengeFailedError):
        verify("guess", None)
    broken = ChallengeSettings.from_env({"CHALLENGE_VERIFIER": f"{__name__}:missing"})
    assert broken is not None
    with pytest.raises(ChallengeSettingsError, match="CHALLENGE_VERIFIER: challenge verifier"):
        broken.build()
