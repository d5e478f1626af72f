"""Continuation tokens: signed, compact, checked in constant time; keys from Secrets Manager or Parameter Store
(moto's server, reached through AWS_ENDPOINT_URL_*) through Powertools' parameters utility."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from hypothesis import given, settings
from hypothesis import strategies as st

from common import continuation as c

ROOT = Path(__file__).resolve().parents[2]
KEY = "k" * 32 + "-a-test-key-that-is-long-enough"
OLD_KEY = "o" * 40
NOW = 1_800_000_000
CONTACT = "6f1c2a34-8b7e-4d0a-9c1e-2f3a4b5c6d7e"


@pytest.fixture
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Secrets Manager and SSM on moto's server; Powertools' caches emptied around each test."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto_url)  # the service id, "Secrets Manager"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", moto_url)
    monkeypatch.delenv(c.ENV_KEY_SECRET, raising=False)
    monkeypatch.delenv(c.ENV_KEY_PARAMETER, raising=False)
    parameters.clear_caches()  # type: ignore[no-untyped-call]
    yield {
        "secrets": boto3.client("secretsmanager", region_name="us-west-2"),
        "ssm": boto3.client("ssm", region_name="us-west-2"),
        "monkeypatch": monkeypatch,
    }
    parameters.clear_caches()  # type: ignore[no-untyped-call]


def _secret(aws: dict[str, Any], value: str) -> str:
    name = f"continuation-{uuid.uuid4().hex[:8]}"
    aws["secrets"].create_secret(Name=name, SecretString=value)
    aws["monkeypatch"].setenv(c.ENV_KEY_SECRET, name)
    return name


def _parameter(aws: dict[str, Any], value: str) -> str:
    name = f"/connect-chat/continuation-{uuid.uuid4().hex[:8]}"
    aws["ssm"].put_parameter(Name=name, Value=value, Type="SecureString")
    aws["monkeypatch"].setenv(c.ENV_KEY_PARAMETER, name)
    return name


KEYS = c.ContinuationKeys.from_value(KEY)


# ------------------------------------------------------------------------------------------- tokens


def test_a_token_names_its_contact_and_expiry() -> None:
    token = KEYS.issue(CONTACT, ttl=3600, now=NOW)
    assert KEYS.verify(token, now=NOW + 3599) == c.Continuation(source_contact_id=CONTACT, expires_at=NOW + 3600)
    assert len(token) == 99
    assert all(ch.isalnum() or ch in "-_." for ch in token)  # URL-safe as it is


def test_an_issued_token_reports_the_expiry_it_records() -> None:
    issued = KEYS.issue_with_expiry(CONTACT, ttl=3600, now=NOW + 0.9)
    assert issued.expires_at == NOW + 3600
    assert KEYS.verify(issued.token, now=NOW).expires_at == issued.expires_at
    assert issued.token == KEYS.issue(CONTACT, ttl=3600, now=NOW)


def test_an_expired_token_is_refused_as_expired() -> None:
    token = KEYS.issue(CONTACT, ttl=60, now=NOW)
    with pytest.raises(c.ExpiredContinuationTokenError) as caught:
        KEYS.verify(token, now=NOW + 60)
    assert caught.value.expires_at == NOW + 60
    assert isinstance(caught.value, c.InvalidContinuationTokenError)


def test_the_default_lifetime_is_the_rehydration_window() -> None:
    token = KEYS.issue(CONTACT, now=NOW)
    assert KEYS.verify(token, now=NOW).expires_at == NOW + c.REHYDRATION_WINDOW_SECONDS == NOW + 730 * 86400
    with pytest.raises(ValueError, match="ttl must be 1 to 63072000 seconds"):
        KEYS.issue(CONTACT, ttl=c.REHYDRATION_WINDOW_SECONDS + 1, now=NOW)
    with pytest.raises(ValueError, match="source_contact_id must be 1 to 256 characters"):
        KEYS.issue("", now=NOW)


def test_another_key_does_not_verify() -> None:
    token = c.ContinuationKeys.from_value("z" * 48).issue(CONTACT, now=NOW)
    with pytest.raises(c.InvalidContinuationTokenError, match="signature does not match"):
        KEYS.verify(token, now=NOW)


def _flip(token: str, index: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    ch = token[index]
    if ch == ".":
        return token
    return token[:index] + alphabet[(alphabet.index(ch) + 1) % 64] + token[index + 1 :]


def test_changing_any_character_breaks_the_token() -> None:
    token = KEYS.issue(CONTACT, now=NOW)
    for index in range(len(token)):
        forged = _flip(token, index)
        if forged == token:
            continue
        with pytest.raises(c.InvalidContinuationTokenError):
            KEYS.verify(forged, now=NOW)


def test_a_forged_payload_for_another_contact_is_refused() -> None:
    token = KEYS.issue(CONTACT, now=NOW)
    payload, mac = token.split(".")
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    other = base64.urlsafe_b64encode(raw[:5] + b"someone-elses-contact").rstrip(b"=").decode()
    with pytest.raises(c.InvalidContinuationTokenError, match="signature"):
        KEYS.verify(f"{other}.{mac}", now=NOW)
    later = base64.urlsafe_b64encode(raw[:1] + (NOW * 2).to_bytes(4, "big") + raw[5:]).rstrip(b"=").decode()
    with pytest.raises(c.InvalidContinuationTokenError, match="signature"):
        KEYS.verify(f"{later}.{mac}", now=NOW)


@pytest.mark.parametrize(
    "token",
    [None, 42, "", ".", "abc", "a.b.c", "a" * 600 + ".b", "!!!.???", "abc=.def", "YWJj.ZGVm", "YWJj.", " YWJj.ZGVm"],
)
def test_anything_else_is_a_malformed_token(token: Any) -> None:
    with pytest.raises(c.InvalidContinuationTokenError) as caught:
        KEYS.verify(token, now=NOW)
    assert "continuation token" in str(caught.value)


@settings(max_examples=60, deadline=None)
@given(contact=st.text(min_size=1, max_size=100), ttl=st.integers(1, c.REHYDRATION_WINDOW_SECONDS))
def test_any_contact_id_round_trips(contact: str, ttl: int) -> None:
    token = KEYS.issue(contact, ttl=ttl, now=NOW)
    assert KEYS.verify(token, now=NOW) == c.Continuation(contact, NOW + ttl)
    assert len(token) <= c.MAX_TOKEN_LENGTH


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_random_text_is_never_accepted(text: str) -> None:
    with pytest.raises(c.InvalidContinuationTokenError):
        KEYS.verify(text, now=NOW)


# --------------------------------------------------------------------------------------------- keys


def test_rotation_signs_with_the_newest_key_and_accepts_the_older() -> None:
    old = c.ContinuationKeys.from_value(OLD_KEY)
    rotated = c.ContinuationKeys.from_value(json.dumps([KEY, OLD_KEY]))
    issued_before = old.issue(CONTACT, now=NOW)
    assert rotated.verify(issued_before, now=NOW).source_contact_id == CONTACT
    issued_after = rotated.issue(CONTACT, now=NOW)
    assert KEYS.verify(issued_after, now=NOW).source_contact_id == CONTACT
    with pytest.raises(c.InvalidContinuationTokenError):
        old.verify(issued_after, now=NOW)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("short", "continuation key 1 is 5 bytes; it must be at least 32 random bytes"),
        (json.dumps([KEY, "tiny"]), "continuation key 2 is 4 bytes"),
        ("[not json", r"starts with '\[' but is not a JSON array"),
        (json.dumps([KEY, 7]), "a key or a JSON array of key strings"),
        ("[]", "no continuation key is configured"),
    ],
)
def test_unusable_keys_are_refused_without_showing_them(value: str, message: str) -> None:
    with pytest.raises(c.ContinuationKeyError, match=message) as caught:
        c.ContinuationKeys.from_value(value)
    assert "tiny" not in str(caught.value)
    assert "short" not in str(caught.value)


def test_keys_never_show_in_their_repr() -> None:
    assert repr(KEYS) == "ContinuationKeys(1 keys)"


def test_the_key_comes_from_secrets_manager(aws: dict[str, Any]) -> None:
    _secret(aws, KEY)
    token = c.issue_token(CONTACT, now=NOW)
    assert KEYS.verify(token, now=NOW).source_contact_id == CONTACT
    assert c.verify_token(token, now=NOW).source_contact_id == CONTACT


def test_the_key_comes_from_parameter_store(aws: dict[str, Any]) -> None:
    _parameter(aws, json.dumps([KEY, OLD_KEY]))
    old_token = c.ContinuationKeys.from_value(OLD_KEY).issue(CONTACT, now=NOW)
    assert c.verify_token(old_token, now=NOW).source_contact_id == CONTACT
    assert KEYS.verify(c.issue_token(CONTACT, now=NOW), now=NOW).source_contact_id == CONTACT


def test_the_key_is_cached_for_max_age(aws: dict[str, Any]) -> None:
    name = _secret(aws, KEY)
    first = c.load_keys(max_age=1).issue(CONTACT, now=NOW)
    aws["secrets"].put_secret_value(SecretId=name, SecretString=OLD_KEY)  # rotated in Secrets Manager
    assert c.load_keys(max_age=1).issue(CONTACT, now=NOW) == first  # the cached key: no Secrets Manager call
    time.sleep(1.2)
    fresh = c.load_keys(max_age=1).issue(CONTACT, now=NOW)
    assert fresh != first
    assert c.ContinuationKeys.from_value(OLD_KEY).verify(fresh, now=NOW).source_contact_id == CONTACT


def test_an_injected_provider_is_used(aws: dict[str, Any]) -> None:
    client = boto3.client("ssm", region_name="us-west-2")
    name = f"/injected-{uuid.uuid4().hex[:8]}"
    client.put_parameter(Name=name, Value=KEY, Type="SecureString")
    keys = c.load_keys({c.ENV_KEY_PARAMETER: name}, provider=parameters.SSMProvider(boto3_client=client))
    assert KEYS.verify(keys.issue(CONTACT, now=NOW), now=NOW).source_contact_id == CONTACT


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "set exactly one of CONTINUATION_KEY_SECRET .* or CONTINUATION_KEY_PARAMETER"),
        ({c.ENV_KEY_SECRET: "a", c.ENV_KEY_PARAMETER: "b"}, "; both are set"),
        ({c.ENV_KEY_SECRET: "  "}, "set exactly one of"),
    ],
)
def test_a_missing_configuration_says_what_to_set(env: dict[str, str], message: str) -> None:
    with pytest.raises(c.ContinuationKeyError, match=message):
        c.load_keys(env)


def test_a_missing_secret_names_it_and_nothing_more(aws: dict[str, Any]) -> None:
    with pytest.raises(
        c.ContinuationKeyError, match="cannot read the continuation key from Secrets Manager secret 'nope'"
    ):
        c.load_keys({c.ENV_KEY_SECRET: "nope"})
    with pytest.raises(c.ContinuationKeyError, match="from SSM parameter '/nope'"):
        c.load_keys({c.ENV_KEY_PARAMETER: "/nope"})


def test_a_short_stored_key_is_refused_without_showing_it(aws: dict[str, Any]) -> None:
    _secret(aws, "hunter2")
    with pytest.raises(c.ContinuationKeyError) as caught:
        c.issue_token(CONTACT)
    assert "hunter2" not in str(caught.value)
    assert "7 bytes" in str(caught.value)


def test_no_token_is_offered_while_persistent_chat_is_off(aws: dict[str, Any]) -> None:
    warnings: list[str] = []
    assert c.offer_token(CONTACT, lambda message, **_: warnings.append(message)) is None
    assert warnings == []


def test_an_offered_token_continues_its_chat(aws: dict[str, Any]) -> None:
    _secret(aws, KEY)
    issued = c.offer_token(CONTACT, lambda *_, **__: pytest.fail("nothing to warn about"))
    assert issued is not None
    assert KEYS.verify(issued.token) == c.Continuation(CONTACT, issued.expires_at)
    assert c.continued_contact(issued.token, refusal="refused") == CONTACT


def test_an_unreadable_key_means_no_token_and_a_warning(aws: dict[str, Any]) -> None:
    _secret(aws, "hunter2")
    warnings: list[tuple[str, dict[str, Any]]] = []
    assert c.offer_token(CONTACT, lambda message, **extra: warnings.append((message, extra))) is None
    assert warnings == [("No continuation token: the key cannot be read", {"exc_info": True})]


def test_a_start_without_a_token_continues_nothing() -> None:
    assert c.continued_contact(None, refusal="refused") is None


@pytest.mark.parametrize("key", [None, KEY])
def test_a_token_that_cannot_be_accepted_is_refused_in_the_callers_words(aws: dict[str, Any], key: str | None) -> None:
    if key is not None:  # with a key: a forged token; without one: the key cannot be read
        _secret(aws, key)
    forged = c.ContinuationKeys.from_value(OLD_KEY).issue(CONTACT)
    with pytest.raises(c.ContinuationRefusedError) as caught:
        c.continued_contact(forged, refusal="continuationToken: is unknown or expired")
    refused = caught.value
    assert (refused.status, refused.code, refused.message) == (
        400,
        "INVALID_CONTINUATION_TOKEN",
        "continuationToken: is unknown or expired",
    )


def test_importing_the_module_loads_no_aws_code() -> None:
    script = (
        "import sys\n"
        "import common.continuation\n"
        "heavy = [m for m in ('boto3', 'botocore', 'aws_lambda_powertools') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    env = {"PYTHONPATH": str(ROOT / "lambdas"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
