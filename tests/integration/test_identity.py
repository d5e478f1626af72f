"""The customer-token verifier against the local site's JWKS on loopback: key cache, rotation, bounded refresh."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from common.identity import (
    MAX_DISPLAY_NAME_CHARS,
    CustomerTokenVerifier,
    IdentitySettings,
    IdentityUnavailableError,
    InvalidCustomerTokenError,
)
from tests.support.auth import RunningFakes, claims_for, hand_made_token, run_auth_fakes
from tests.support.servers import free_port


@pytest.fixture
def auth() -> Iterator[RunningFakes]:
    with run_auth_fakes() as running:
        yield running


def _settings(auth: RunningFakes, **overrides: str) -> IdentitySettings:
    settings = IdentitySettings.from_env({**auth.customer_env(), **overrides})
    assert settings is not None
    return settings


def test_the_jwks_is_fetched_once_and_kept(auth: RunningFakes) -> None:
    verifier = CustomerTokenVerifier(_settings(auth))
    for algorithm in ("RS256", "ES256", "RS256"):
        assert verifier.verify(auth.fakes.identity.mint(algorithm=algorithm)).subject == "local-customer"
    assert auth.fakes.identity.jwks_requests == 1


def test_a_rotated_key_is_fetched_when_a_token_names_it(auth: RunningFakes) -> None:
    verifier = CustomerTokenVerifier(_settings(auth), refresh_cooldown_seconds=0)
    verifier.verify(auth.fakes.identity.mint())
    auth.fakes.identity.rotate("ES256")

    customer = verifier.verify(auth.fakes.identity.mint({"sub": "after-rotation"}, algorithm="ES256"))

    assert customer.subject == "after-rotation"
    assert auth.fakes.identity.jwks_requests == 2


def test_made_up_key_ids_cannot_make_the_verifier_hammer_the_jwks(auth: RunningFakes) -> None:
    verifier = CustomerTokenVerifier(_settings(auth), refresh_cooldown_seconds=3600)
    verifier.verify(auth.fakes.identity.mint())
    for attempt in range(20):
        token = hand_made_token({"alg": "RS256", "kid": f"made-up-{attempt}"}, claims_for(auth.fakes))
        with pytest.raises(InvalidCustomerTokenError) as refused:
            verifier.verify(token)
        assert refused.value.reason == "key"
    assert auth.fakes.identity.jwks_requests == 1


def test_an_unreachable_jwks_is_unavailable_not_invalid(auth: RunningFakes) -> None:
    settings = _settings(auth, CUSTOMER_JWKS_URL=f"http://127.0.0.1:{free_port()}/jwks.json")
    with pytest.raises(IdentityUnavailableError) as unavailable:
        CustomerTokenVerifier(settings, timeout_seconds=1).verify(auth.fakes.identity.mint())
    assert (unavailable.value.status, unavailable.value.code) == (503, "AUTHENTICATION_UNAVAILABLE")


def test_the_leeway_accepts_a_token_that_expired_a_moment_ago(auth: RunningFakes) -> None:
    just_expired = auth.fakes.identity.mint(expires_in=-5)
    assert CustomerTokenVerifier(_settings(auth)).verify(just_expired).signed_in
    with pytest.raises(InvalidCustomerTokenError) as refused:
        CustomerTokenVerifier(_settings(auth, CUSTOMER_TOKEN_LEEWAY_SECONDS="0")).verify(just_expired)
    assert refused.value.reason == "expired"


def test_only_the_configured_algorithms_are_accepted(auth: RunningFakes) -> None:
    verifier = CustomerTokenVerifier(_settings(auth, CUSTOMER_TOKEN_ALGORITHMS="ES256"))
    assert verifier.verify(auth.fakes.identity.mint(algorithm="ES256")).signed_in
    with pytest.raises(InvalidCustomerTokenError, match="is signed with RS256; accepted: ES256"):
        verifier.verify(auth.fakes.identity.mint(algorithm="RS256"))


def test_claims_become_the_name_and_the_mapped_attributes(auth: RunningFakes) -> None:
    settings = _settings(
        auth, CUSTOMER_NAME_CLAIM="nickname", CUSTOMER_ATTRIBUTE_CLAIMS="sub=customerId,tier=tier,roles=roles"
    )
    token = auth.fakes.identity.mint({"sub": "42", "nickname": "  Ana  ", "tier": 3, "roles": ["gold", "beta"]})

    customer = CustomerTokenVerifier(settings).verify(token)

    assert customer.display_name == "Ana"
    assert customer.attributes == {"customerId": "42", "tier": "3", "roles": '["gold","beta"]'}
    assert customer.apply("Mallory", {"tier": "9", "topic": "billing"}) == (
        "Ana",
        {"customerId": "42", "tier": "3", "roles": '["gold","beta"]', "topic": "billing"},
    )


def test_a_long_name_is_cut_to_what_connect_accepts_and_a_missing_one_keeps_the_callers(auth: RunningFakes) -> None:
    verifier = CustomerTokenVerifier(_settings(auth))
    long_name = verifier.verify(auth.fakes.identity.mint({"name": "A" * 400}))
    assert long_name.display_name == "A" * MAX_DISPLAY_NAME_CHARS
    nameless = verifier.verify(auth.fakes.identity.mint({"name": None}))
    assert nameless.apply("Ana", {}) == ("Ana", {"customerId": "local-customer"})


def test_the_library_folder_goes_first_on_the_import_path(
    auth: RunningFakes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = str(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    verifier = CustomerTokenVerifier(_settings(auth, JWT_LIBRARY_PATH=folder))
    assert folder not in sys.path
    verifier.verify(auth.fakes.identity.mint())
    assert sys.path[0] == folder
