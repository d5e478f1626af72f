"""The checks before a chat starts: their variables and context values, and what loading them costs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from common import challenge, identity
from common.challenge import ChallengeSettings, ChallengeSettingsError, SecretReference
from common.identity import ANONYMOUS, Customer, IdentitySettings, IdentitySettingsError
from infra.config import EXAMPLE_CONTEXT, ConfigError, StackConfig
from local.options import OptionsError, parse_options

ROOT = Path(__file__).resolve().parents[2]
JWKS = {"CUSTOMER_JWKS_URL": "https://site.example/jwks.json"}
SITE = {**JWKS, "CUSTOMER_TOKEN_ISSUER": "https://site.example", "CUSTOMER_TOKEN_AUDIENCE": "chat"}


def test_both_checks_are_off_by_default() -> None:
    assert IdentitySettings.from_env({}) is None
    assert ChallengeSettings.from_env({}) is None
    config = StackConfig.from_context(EXAMPLE_CONTEXT.get, {})
    assert (config.customer_tokens, config.challenge) == (None, None)


def test_identity_defaults() -> None:
    settings = IdentitySettings.from_env(SITE)
    assert settings == IdentitySettings(
        jwks_url="https://site.example/jwks.json", issuer="https://site.example", audiences=("chat",)
    )
    assert settings.algorithms == ("RS256", "ES256")
    assert (settings.required, settings.leeway_seconds, settings.name_claim) == (False, 30, "name")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (JWKS, "CUSTOMER_TOKEN_ISSUER is required when CUSTOMER_JWKS_URL is set"),
        ({**SITE, "CUSTOMER_JWKS_URL": "ftp://site.example/jwks"}, "must be an https:// URL"),
        ({**SITE, "CUSTOMER_TOKEN_ALGORITHMS": "RS256,HS256"}, "'HS256' is not an accepted algorithm"),
        ({**SITE, "CUSTOMER_TOKEN_ALGORITHMS": "none"}, "'none' is not an accepted algorithm"),
        ({**SITE, "CUSTOMER_TOKEN_LEEWAY_SECONDS": "301"}, "from 0 to 300"),
        ({**SITE, "CUSTOMER_TOKEN_LEEWAY_SECONDS": "\u00b2"}, "from 0 to 300"),  # a digit int() refuses
        ({**SITE, "CUSTOMER_TOKEN_REQUIRED": "yes"}, "true or false"),
        ({**SITE, "CUSTOMER_ATTRIBUTE_CLAIMS": "sub"}, "must look like claim=attribute"),
        ({**SITE, "CUSTOMER_ATTRIBUTE_CLAIMS": "sub=customer id"}, "letters, digits"),
        ({**SITE, "CUSTOMER_ATTRIBUTE_CLAIMS": "sub=id,uid=id"}, "named twice"),
    ],
)
def test_bad_identity_variables_name_themselves(env: dict[str, str], message: str) -> None:
    with pytest.raises(IdentitySettingsError, match=message):
        IdentitySettings.from_env(env)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CHALLENGE_VERIFY_URL": "https://v.example"}, "CHALLENGE_SECRET is required"),
        ({"CHALLENGE_VERIFY_URL": "https://v.example", "CHALLENGE_SECRET": "vault:x"}, "secretsmanager:NAME or ssm"),
        ({"CHALLENGE_VERIFY_URL": "v.example", "CHALLENGE_SECRET": "ssm:/x"}, "https:// URL"),
        ({"CHALLENGE_VERIFY_URL": "https://v.example", "CHALLENGE_VERIFIER": "m:f"}, "not both"),
        ({"CHALLENGE_VERIFIER": "m:f", "CHALLENGE_SECRET_MAX_AGE_SECONDS": "-1"}, "from 0 to 86400"),
    ],
)
def test_bad_challenge_variables_name_themselves(env: dict[str, str], message: str) -> None:
    with pytest.raises(ChallengeSettingsError, match=message):
        ChallengeSettings.from_env(env)


def test_secret_references() -> None:
    assert SecretReference.parse("ssm:/chat/secret") == SecretReference("ssm", "/chat/secret")
    arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:chat-AbCdEf"
    assert SecretReference.parse(f"secretsmanager:{arn}") == SecretReference("secretsmanager", arn)
    assert str(SecretReference("ssm", "/x")) == "ssm:/x"


def test_an_anonymous_customer_keeps_the_callers_values_except_the_claim_attributes() -> None:
    assert ANONYMOUS.apply("Ana", {"customerId": "9"}) == ("Ana", {"customerId": "9"})
    anonymous = Customer(reserved=frozenset({"customerId"}))
    assert anonymous.apply("Ana", {"customerId": "9", "topic": "x"}) == ("Ana", {"topic": "x"})
    assert not anonymous.signed_in


def test_with_the_checks_off_each_call_returns_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*SITE, "CHALLENGE_VERIFY_URL", "CHALLENGE_VERIFIER"):
        monkeypatch.delenv(name, raising=False)
    identity.configured_verifier.cache_clear()
    challenge.configured_verifier.cache_clear()
    try:
        assert identity.verify_customer(None) is ANONYMOUS
        challenge.check_challenge(None)
        challenge.check_challenge("ignored while off")
    finally:
        identity.configured_verifier.cache_clear()
        challenge.configured_verifier.cache_clear()


def _loaded_after(statement: str, env: dict[str, str] | None = None) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    path = os.pathsep.join(str(ROOT / part) for part in ("lambdas", "layer/python"))
    variables = {
        "PYTHONPATH": path,
        "CONNECT_INSTANCE_ID": "i",
        "CONTACT_FLOW_ID": "f",
        "AWS_DEFAULT_REGION": "us-west-2",
        "POWERTOOLS_METRICS_DISABLED": "true",
        **(env or {}),
    }
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=variables)
    return set(json.loads(out.stdout.splitlines()[-1]))


HEAVY = ("jwt", "cryptography", "cffi", "aws_lambda_powertools.utilities.parameters")


def _heavy(loaded: set[str]) -> set[str]:
    return {module for module in loaded for heavy in HEAVY if module == heavy or module.startswith(heavy + ".")}


def test_importing_the_handler_and_the_checks_loads_no_jwt_library_nor_parameters_utility() -> None:
    loaded = _loaded_after("import start_chat.app, common.identity, common.challenge")
    assert {"start_chat.app", "common.identity", "common.challenge"} <= loaded
    assert _heavy(loaded) == set()


def test_a_start_without_tokens_loads_nothing_heavy_even_with_both_checks_on() -> None:
    env = {**SITE, "CHALLENGE_VERIFIER": "common.identity:parse_algorithms"}
    statement = "from common import identity, challenge; identity.verify_customer(None)"
    assert _heavy(_loaded_after(statement, env)) == set()
    assert "jwt" in _loaded_after("import jwt")  # the check above would see it


def _config(**values: Any) -> StackConfig:
    context = {**EXAMPLE_CONTEXT, **values}
    return StackConfig.from_context(context.get, {})


def test_context_values_become_the_functions_variables() -> None:
    config = _config(
        customerJwksUrl="https://site.example/.well-known/jwks.json",
        customerTokenIssuer="https://site.example",
        customerTokenAudience="chat",
        customerTokenRequired="true",
        customerTokenAlgorithms="ES256",
        customerAttributeClaims="sub=customerId",
        challengeVerifyUrl="hcaptcha",
        challengeSecret="secretsmanager:chat/hcaptcha",
        challengeSecretMaxAgeSeconds="60",
    )
    env = config.handler_environment()
    assert {key: value for key, value in env.items() if key.startswith(("CUSTOMER_", "CHALLENGE_"))} == {
        "CUSTOMER_JWKS_URL": "https://site.example/.well-known/jwks.json",
        "CUSTOMER_TOKEN_ISSUER": "https://site.example",
        "CUSTOMER_TOKEN_AUDIENCE": "chat",
        "CUSTOMER_TOKEN_REQUIRED": "true",
        "CUSTOMER_TOKEN_ALGORITHMS": "ES256",
        "CUSTOMER_TOKEN_LEEWAY_SECONDS": "30",
        "CUSTOMER_NAME_CLAIM": "name",
        "CUSTOMER_ATTRIBUTE_CLAIMS": "sub=customerId",
        "CHALLENGE_VERIFY_URL": "https://api.hcaptcha.com/siteverify",
        "CHALLENGE_SECRET": "secretsmanager:chat/hcaptcha",
        "CHALLENGE_SECRET_MAX_AGE_SECONDS": "60",
        "CHALLENGE_VERIFIER": "",
    }
    # What the functions read back is what the context said.
    assert IdentitySettings.from_env(env) is not None
    assert ChallengeSettings.from_env(env) == ChallengeSettings(
        verify_url="https://api.hcaptcha.com/siteverify",
        secret=SecretReference("secretsmanager", "chat/hcaptcha"),
        secret_max_age_seconds=60,
    )


SITE_CONTEXT = {
    "customerJwksUrl": "https://site.example/jwks.json",
    "customerTokenIssuer": "https://site.example",
    "customerTokenAudience": "chat",
}


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"customerTokenIssuer": "https://site.example"}, "customerTokenIssuer is set but customerJwksUrl is not"),
        ({"customerJwksUrl": "https://site.example/jwks.json"}, "missing context value customerTokenIssuer"),
        ({**SITE_CONTEXT, "customerJwksUrl": "http://site.example/jwks.json"}, "an https:// URL"),
        ({**SITE_CONTEXT, "customerTokenAlgorithms": "HS256"}, "customerTokenAlgorithms: 'HS256' is not an accepted"),
        ({**SITE_CONTEXT, "customerTokenLeewaySeconds": "900"}, "customerTokenLeewaySeconds must be between 0 and 300"),
        ({**SITE_CONTEXT, "customerAttributeClaims": "email"}, "customerAttributeClaims: 'email' must look like"),
        ({**SITE_CONTEXT, "customerTokenRequired": "maybe"}, "customerTokenRequired must be true or false"),
        ({"challengeVerifyUrl": "turnstile"}, "missing context value challengeSecret"),
        ({"challengeVerifyUrl": "turnstile", "challengeSecret": "vault:x"}, "challengeSecret: must be secretsmanager"),
        ({"challengeVerifyUrl": "captcha", "challengeSecret": "ssm:/x"}, "turnstile, hcaptcha, recaptcha"),
        ({"challengeSecret": "ssm:/x"}, "challengeSecret is set but challengeVerifyUrl is not"),
        ({"challengeVerifier": "not a hook"}, "challengeVerifier must be a module:function name"),
        ({"challengeVerifier": "m:f", "challengeVerifyUrl": "turnstile"}, "set one, not both"),
    ],
)
def test_bad_context_values_name_their_key(values: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        _config(**values)


def test_the_local_stack_checks_the_handlers_variables_at_start() -> None:
    with pytest.raises(OptionsError, match="CUSTOMER_TOKEN_ISSUER is required"):
        parse_options([], JWKS)
    with pytest.raises(OptionsError, match="CHALLENGE_VERIFIER: challenge verifier 'nowhere:f' cannot be loaded"):
        parse_options([], {"CHALLENGE_VERIFIER": "nowhere:f"})
    with pytest.raises(SystemExit):
        parse_options(["--customer-tokens", "sometimes"], {})
    assert parse_options(["--customer-tokens", "optional", "--challenge", "on"], {}).challenge is True
