"""``POST /start-chat`` with signed-in customers and the human check, tested as an attacker would.

Everything runs against real servers on loopback: the Connect emulator, moto (the challenge secret in SSM), and
the local stack's fakes (the site's JWKS, the siteverify service).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from common import challenge, contract, identity
from local.auth_fakes import SITEVERIFY_PATH, AuthFakes
from tests.support.auth import CHECK_VARIABLES, RunningFakes, claims_for, hand_made_token, run_auth_fakes
from tests.support.relay import lambda_context, load_event
from tests.support.servers import RunningEmulator, free_port

ORIGIN = "https://www.example.com"


@pytest.fixture(scope="module")
def auth() -> Iterator[RunningFakes]:
    with run_auth_fakes() as running:
        yield running


def _clear_caches(app: Any) -> None:
    app._settings.cache_clear()
    app._connect.cache_clear()
    identity.configured_verifier.cache_clear()
    challenge.configured_verifier.cache_clear()


@dataclass
class Endpoint:
    """The start-chat handler with its environment, and what it takes to configure its checks."""

    app: Any
    auth: RunningFakes
    emulator: RunningEmulator
    monkeypatch: pytest.MonkeyPatch

    def configure(self, **env: str) -> None:
        for name, value in env.items():
            self.monkeypatch.setenv(name, value)
        _clear_caches(self.app)

    def customers(self, *, required: bool = False) -> None:
        self.configure(**self.auth.customer_env(required=required))

    def human_check(self, *, secret: str | None = None) -> None:
        """Turn the check on against the fake service, with its secret (or ``secret``) in moto's SSM."""
        name = f"/connect-chat/test/{uuid.uuid4().hex}"
        boto3.client("ssm").put_parameter(
            Name=name, Value=secret or self.auth.fakes.challenge.secret, Type="SecureString"
        )
        self.configure(
            **{
                contract.ENV_CHALLENGE_VERIFY_URL: f"{self.auth.url}{SITEVERIFY_PATH}",
                contract.ENV_CHALLENGE_SECRET: f"ssm:{name}",
            }
        )

    def call(self, body: Any) -> tuple[int, dict[str, Any]]:
        event = load_event("apiGatewayHttpStartChat.json")
        event["body"] = json.dumps(body)
        event["headers"]["origin"] = ORIGIN
        answer = self.app.handler(event, lambda_context())
        return answer["statusCode"], json.loads(answer["body"])

    def contact(self, answer: dict[str, Any]) -> dict[str, Any]:
        contact_id = answer["data"]["startChatResult"]["ContactId"]
        found: dict[str, Any] = self.emulator.control("GET", f"/contacts/{contact_id}")
        return found

    @property
    def fakes(self) -> AuthFakes:
        return self.auth.fakes


@pytest.fixture
def endpoint(
    emulator: RunningEmulator,
    moto_url: str,
    auth: RunningFakes,
    start_chat_table: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Endpoint]:
    from start_chat import app

    for name in CHECK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CONNECT", emulator.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", moto_url)
    monkeypatch.setenv("CONNECT_INSTANCE_ID", "instance-1")
    monkeypatch.setenv("CONTACT_FLOW_ID", "flow-1")
    monkeypatch.setenv("ALLOWED_ORIGINS", ORIGIN)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    _clear_caches(app)
    yield Endpoint(app, auth, emulator, monkeypatch)
    _clear_caches(app)


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record the handler logged, with its extra keys, as JSON lines."""
    return "\n".join(json.dumps(vars(record), default=str) for record in caplog.records)


def _error(status: int, answer: dict[str, Any]) -> tuple[int, str, str]:
    return status, answer["error"]["code"], answer["error"]["message"]


# --- off by default ---------------------------------------------------------------------------------------------


def test_with_both_checks_off_a_customer_token_is_refused_and_a_challenge_token_ignored(endpoint: Endpoint) -> None:
    token = endpoint.fakes.identity.mint({"sub": "42"})
    status, answer = endpoint.call({"ParticipantDetails": {"DisplayName": "Ana"}, "CustomerToken": token})
    assert _error(status, answer) == (
        400,
        "VALIDATION_ERROR",
        "CustomerToken: this deployment does not accept customer tokens",
    )

    status, answer = endpoint.call({"ParticipantDetails": {"DisplayName": "Ana"}, "ChallengeToken": "anything"})
    assert status == 200
    assert endpoint.fakes.challenge.verifications == 0


# --- signed-in customers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_the_claims_win_over_the_body(endpoint: Endpoint, algorithm: str) -> None:
    endpoint.customers()
    token = endpoint.fakes.identity.mint({"sub": "42", "name": "Ana", "email": "ana@example.com"}, algorithm=algorithm)

    status, answer = endpoint.call(
        {
            "ParticipantDetails": {"DisplayName": "Mallory"},
            "Attributes": {"customerId": "admin", "customerEmail": "boss@example.com", "topic": "billing"},
            "CustomerToken": token,
        }
    )

    assert status == 200, answer
    contact = endpoint.contact(answer)
    assert contact["Attributes"] == {"customerId": "42", "customerEmail": "ana@example.com", "topic": "billing"}
    assert [p["DisplayName"] for p in contact["Participants"] if p["ParticipantRole"] == "CUSTOMER"] == ["Ana"]


def test_claim_attributes_need_no_place_in_the_customers_allowlist(endpoint: Endpoint) -> None:
    endpoint.customers()
    endpoint.configure(CONTACT_ATTRIBUTES="topic:20")
    token = endpoint.fakes.identity.mint({"sub": "42", "email": "ana@example.com"})
    status, answer = endpoint.call({"Attributes": {"topic": "billing"}, "CustomerToken": token})
    assert status == 200, answer
    assert endpoint.contact(answer)["Attributes"] == {
        "topic": "billing",
        "customerId": "42",
        "customerEmail": "ana@example.com",
    }
    status, answer = endpoint.call({"ParticipantDetails": {"DisplayName": "Ana"}, "Attributes": {"email": "x@y.z"}})
    assert _error(status, answer)[:2] == (400, "VALIDATION_ERROR")


def test_a_signed_in_customer_needs_no_display_name_of_their_own(endpoint: Endpoint) -> None:
    endpoint.customers()
    status, answer = endpoint.call({"CustomerToken": endpoint.fakes.identity.mint({"name": "Ana"})})
    assert status == 200, answer


def test_without_a_token_the_claim_attributes_are_never_the_browsers_word(endpoint: Endpoint) -> None:
    endpoint.customers()
    status, answer = endpoint.call(
        {"ParticipantDetails": {"DisplayName": "Ana"}, "Attributes": {"customerId": "admin", "topic": "billing"}}
    )
    assert status == 200, answer
    assert endpoint.contact(answer)["Attributes"] == {"topic": "billing"}


def test_a_required_token_that_is_missing_is_refused(endpoint: Endpoint) -> None:
    endpoint.customers(required=True)
    status, answer = endpoint.call({"ParticipantDetails": {"DisplayName": "Ana"}})
    assert _error(status, answer) == (
        401,
        "CUSTOMER_TOKEN_REQUIRED",
        "CustomerToken: is required (chats start for signed-in customers only)",
    )


def _forged(fakes: AuthFakes) -> str:
    """Signed by the attacker's own key, under the site's key id."""
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = fakes.identity.key_for("RS256").kid
    return jwt.encode(claims_for(fakes), attacker, algorithm="RS256", headers={"kid": kid})


def _site_public_pem(fakes: AuthFakes) -> bytes:
    key = fakes.identity.key_for("RS256").private_key.public_key()
    pem: bytes = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem


def _rs_kid(fakes: AuthFakes) -> str:
    return fakes.identity.key_for("RS256").kid


ATTACKS: dict[str, tuple[Callable[[AuthFakes], str], str]] = {
    "forged signature": (_forged, "has a signature that does not verify"),
    "expired": (lambda f: f.identity.mint({"exp": 1_000_000}), "has expired"),
    "expired beyond the leeway": (lambda f: f.identity.mint(expires_in=-120), "has expired"),
    "not valid yet": (lambda f: f.identity.mint({"nbf": 4_000_000_000}), "is not valid yet"),
    "wrong audience": (lambda f: f.identity.mint({"aud": "another-app"}), "was issued for another audience"),
    "wrong issuer": (lambda f: f.identity.mint({"iss": "https://evil.example"}), "was issued by another issuer"),
    "no expiry": (
        lambda f: jwt.encode(
            {k: v for k, v in claims_for(f).items() if k != "exp"},
            f.identity.key_for("RS256").private_key,
            algorithm="RS256",
            headers={"kid": _rs_kid(f)},
        ),
        "lacks the claim exp",
    ),
    "no subject": (
        lambda f: jwt.encode(
            {k: v for k, v in claims_for(f).items() if k != "sub"},
            f.identity.key_for("RS256").private_key,
            algorithm="RS256",
            headers={"kid": _rs_kid(f)},
        ),
        "lacks the claim sub",
    ),
    "alg none": (
        lambda f: hand_made_token({"alg": "none", "kid": _rs_kid(f)}, claims_for(f)),
        "is signed with none; accepted: RS256, ES256",
    ),
    "HS256 keyed with the site's public key": (
        lambda f: hand_made_token({"alg": "HS256", "kid": _rs_kid(f)}, claims_for(f), hmac_key=_site_public_pem(f)),
        "is signed with HS256; accepted: RS256, ES256",
    ),
    "HS256 keyed with the site's JWK": (
        lambda f: hand_made_token(
            {"alg": "HS256", "kid": _rs_kid(f)},
            claims_for(f),
            hmac_key=json.dumps(f.identity.key_for("RS256").public_jwk()).encode(),
        ),
        "is signed with HS256; accepted: RS256, ES256",
    ),
    "RS256 header on the EC key": (
        lambda f: hand_made_token({"alg": "RS256", "kid": f.identity.key_for("ES256").kid}, claims_for(f)),
        "is signed with an algorithm its key is not for",
    ),
    "unknown key id": (
        lambda f: hand_made_token({"alg": "RS256", "kid": "made-up"}, claims_for(f)),
        "is signed with a key the site's JWKS does not hold",
    ),
    "no key id": (lambda f: hand_made_token({"alg": "RS256"}, claims_for(f)), "names no signing key (kid)"),
    "not a JWT": (lambda f: "not.a.jwt", "is not a signed JWT"),
    "huge": (lambda f: "e" * 9000, "must be at most 8192 characters"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_bad_customer_tokens_are_refused_without_echoing_them(
    endpoint: Endpoint, attack: str, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    endpoint.customers()
    make, problem = ATTACKS[attack]
    token = make(endpoint.fakes)

    status, answer = endpoint.call({"ParticipantDetails": {"DisplayName": "Ana"}, "CustomerToken": token})

    expected_code = "VALIDATION_ERROR" if attack == "huge" else "INVALID_CUSTOMER_TOKEN"
    assert _error(status, answer) == (400 if attack == "huge" else 401, expected_code, f"CustomerToken: {problem}")
    output = capfd.readouterr()
    logged = _logged(caplog)
    assert attack == "huge" or '"error_code": "INVALID_CUSTOMER_TOKEN"' in logged  # the refusal is logged...
    for text in (json.dumps(answer), output.out, output.err, logged):
        assert token[-24:] not in text  # ...without the token


def test_an_unreachable_jwks_answers_503(endpoint: Endpoint) -> None:
    endpoint.customers()
    endpoint.configure(**{contract.ENV_CUSTOMER_JWKS_URL: f"http://127.0.0.1:{free_port()}/jwks.json"})
    status, answer = endpoint.call({"CustomerToken": endpoint.fakes.identity.mint()})
    assert _error(status, answer)[:2] == (503, "AUTHENTICATION_UNAVAILABLE")


def test_a_misconfigured_check_answers_500_and_says_where_to_look(
    endpoint: Endpoint, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint.configure(**{contract.ENV_CUSTOMER_JWKS_URL: "https://site.example/jwks.json"})
    status, answer = endpoint.call({"ParticipantDetails": {"DisplayName": "Ana"}})
    assert _error(status, answer) == (500, "SERVER_ERROR", "the endpoint is misconfigured; its logs say how")


# --- the human check --------------------------------------------------------------------------------------------


def test_a_challenge_token_passes_once(endpoint: Endpoint) -> None:
    endpoint.human_check()
    token = endpoint.fakes.challenge.issue()
    body = {"ParticipantDetails": {"DisplayName": "Ana"}, "ChallengeToken": token}

    first, answer = endpoint.call(body)
    assert first == 200, answer
    assert endpoint.fakes.challenge.last_remote_ip == "203.0.113.10"  # the event's sourceIp, passed on

    status, answer = endpoint.call(body)
    assert _error(status, answer) == (
        403,
        "CHALLENGE_FAILED",
        "ChallengeToken: was not accepted (invalid, expired or already used); get a new one",
    )


def test_a_missing_challenge_token_is_refused(endpoint: Endpoint) -> None:
    endpoint.human_check()
    status, answer = endpoint.call({"ParticipantDetails": {"DisplayName": "Ana"}})
    assert _error(status, answer) == (
        403,
        "CHALLENGE_REQUIRED",
        "ChallengeToken: is required (complete the human check first)",
    )


@pytest.mark.parametrize("kind", ["made up", "expired", "empty"])
def test_invalid_challenge_tokens_are_refused(endpoint: Endpoint, kind: str) -> None:
    endpoint.human_check()
    token = {
        "made up": "local.guessed",
        "expired": endpoint.fakes.challenge.issue(seconds=-1),
        "empty": "",
    }[kind]
    status, answer = endpoint.call({"ParticipantDetails": {"DisplayName": "Ana"}, "ChallengeToken": token})
    expected = (400, "VALIDATION_ERROR") if kind == "empty" else (403, "CHALLENGE_FAILED")
    assert _error(status, answer)[:2] == expected


def test_a_bad_body_does_not_use_up_the_challenge_token(endpoint: Endpoint) -> None:
    endpoint.human_check()
    token = endpoint.fakes.challenge.issue()
    status, _answer = endpoint.call({"ParticipantDetails": {"DisplayName": ""}, "ChallengeToken": token})
    assert status == 400
    status, answer = endpoint.call(
        {"ParticipantDetails": {"DisplayName": "Ana"}, "Attributes": {"plan": "gold"}, "ChallengeToken": token}
    )
    assert _error(status, answer)[:2] == (400, "VALIDATION_ERROR")
    assert answer["error"]["message"].startswith("Attributes.plan: is not an attribute customers may set")
    status, answer = endpoint.call({"ParticipantDetails": {"DisplayName": "Ana"}, "ChallengeToken": token})
    assert status == 200, answer


def test_a_wrong_secret_is_the_deployments_fault_not_the_customers(
    endpoint: Endpoint, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint.human_check(secret="not-the-secret")
    token = endpoint.fakes.challenge.issue()
    status, answer = endpoint.call({"ParticipantDetails": {"DisplayName": "Ana"}, "ChallengeToken": token})
    assert _error(status, answer)[:2] == (503, "CHALLENGE_UNAVAILABLE")
    logs = _logged(caplog)
    assert '"why": "siteverify refused the deployment: invalid-input-secret"' in logs
    assert "not-the-secret" not in logs
    assert token not in logs


def test_an_unreachable_challenge_service_answers_503(endpoint: Endpoint) -> None:
    endpoint.human_check()
    endpoint.configure(**{contract.ENV_CHALLENGE_VERIFY_URL: f"http://127.0.0.1:{free_port()}/siteverify"})
    status, answer = endpoint.call({"ParticipantDetails": {"DisplayName": "Ana"}, "ChallengeToken": "local.x"})
    assert _error(status, answer)[:2] == (503, "CHALLENGE_UNAVAILABLE")


def test_both_checks_together(endpoint: Endpoint) -> None:
    endpoint.customers(required=True)
    endpoint.human_check()
    body = {"ChallengeToken": endpoint.fakes.challenge.issue(), "CustomerToken": endpoint.fakes.identity.mint()}
    status, answer = endpoint.call(body)
    assert status == 200, answer
