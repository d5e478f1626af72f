"""The relay's startChat runs the same checks as POST /start-chat (``common.admission``): a signed-in customer's
token, whose claims win, and the human check; tested as an attacker would, against the local fakes on loopback."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from common import challenge, contract, identity
from local.auth_fakes import CHALLENGE_TOKEN_PATH, SITEVERIFY_PATH
from tests.support.auth import CHECK_VARIABLES, RunningFakes, claims_for, hand_made_token, run_auth_fakes
from tests.support.relay import RelayHarness
from tests.support.servers import RunningEmulator


@pytest.fixture(scope="module")
def auth() -> Iterator[RunningFakes]:
    with run_auth_fakes() as running:
        yield running


@pytest.fixture
def checked(
    relay: RelayHarness, auth: RunningFakes, moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RelayHarness]:
    """The relay with signed-in customers required and the human check on (its secret in moto's SSM)."""
    from relay import runtime

    for name in CHECK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", moto_url)
    name = f"/connect-chat/test/{uuid.uuid4().hex}"
    boto3.client("ssm").put_parameter(Name=name, Value=auth.fakes.challenge.secret, Type="SecureString")
    for key, value in {
        **auth.customer_env(required=True),
        contract.ENV_CHALLENGE_VERIFY_URL: f"{auth.url}{SITEVERIFY_PATH}",
        contract.ENV_CHALLENGE_SECRET: f"ssm:{name}",
    }.items():
        monkeypatch.setenv(key, value)
    identity.configured_verifier.cache_clear()
    challenge.configured_verifier.cache_clear()
    runtime.reset()
    yield relay
    identity.configured_verifier.cache_clear()
    challenge.configured_verifier.cache_clear()


def _start(relay: RelayHarness, **fields: Any) -> dict[str, Any]:
    connection_id, _ = relay.connect()
    relay.send(connection_id, {"action": "startChat", "displayName": "Typed name", "requestId": "s", **fields})
    [answer] = relay.new_frames(connection_id)
    return answer


def _challenge(auth: RunningFakes) -> str:
    token: str = auth.post(CHALLENGE_TOKEN_PATH, {})["token"]
    return token


def test_a_signed_in_customer_with_a_solved_check_starts_and_the_claims_win(
    checked: RelayHarness, auth: RunningFakes, emulator: RunningEmulator
) -> None:
    token = auth.fakes.identity.mint(claims_for(auth.fakes, name="Ana from the token"))
    started = _start(checked, customerToken=token, challengeToken=_challenge(auth))
    assert started["type"] == "chatStarted"
    contact = emulator.control("GET", f"/contacts/{started['contactId']}")
    customer = next(p for p in contact["Participants"] if p["ParticipantRole"] == "CUSTOMER")
    assert customer["DisplayName"] == "Ana from the token"


@pytest.mark.parametrize("kind", ["missing", "forged", "alg none", "expired", "wrong audience"])
def test_bad_customer_tokens_are_refused_before_connect(
    checked: RelayHarness, auth: RunningFakes, emulator: RunningEmulator, kind: str
) -> None:
    fakes = auth.fakes
    kid = fakes.identity.key_for("RS256").kid
    tokens: dict[str, str | None] = {
        "missing": None,
        "forged": jwt.encode(
            claims_for(fakes), rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256", {"kid": kid}
        ),
        "alg none": hand_made_token({"alg": "none", "kid": kid}, claims_for(fakes)),
        "expired": fakes.identity.mint(claims_for(fakes, exp=int(time.time()) - 120)),
        "wrong audience": fakes.identity.mint(claims_for(fakes, aud="someone-else")),
    }
    before = len(emulator.control("GET", "/contacts")["Contacts"])
    fields = {"challengeToken": _challenge(auth)}
    customer_token = tokens[kind]
    if customer_token is not None:
        fields["customerToken"] = customer_token
    refused = _start(checked, **fields)
    expected = "CUSTOMER_TOKEN_REQUIRED" if kind == "missing" else "INVALID_CUSTOMER_TOKEN"
    assert (refused["type"], refused["code"], refused["requestId"]) == ("error", expected, "s")
    assert str(tokens[kind]) not in refused["message"]
    assert len(emulator.control("GET", "/contacts")["Contacts"]) == before


def test_a_replayed_or_missing_challenge_is_refused(checked: RelayHarness, auth: RunningFakes) -> None:
    solved = _challenge(auth)
    customer = auth.fakes.identity.mint(claims_for(auth.fakes))
    assert _start(checked, customerToken=customer, challengeToken=solved)["type"] == "chatStarted"
    assert _start(checked, customerToken=customer, challengeToken=solved)["code"] == "CHALLENGE_FAILED"
    assert _start(checked, customerToken=customer)["code"] == "CHALLENGE_REQUIRED"
