"""Local stand-ins for the services a deployment trusts outside itself, served by ``python -m local`` only.

* **The site that signs customers in** (:class:`LocalIdentityProvider`): an RSA and an EC key pair made afresh
  each run, their public halves served as a JWKS at ``/_local/auth/jwks.json``, and
  ``POST /_local/auth/token`` to mint a signed-in customer's token (the demo page, tests and ``curl`` use it).
* **A human-check service** (:class:`LocalChallengeService`) speaking the siteverify protocol of Cloudflare
  Turnstile, hCaptcha and reCAPTCHA at ``/_local/challenge/siteverify``: tokens come from
  ``POST /_local/challenge/token`` (or from ``/_local/challenge/api.js``, a page script with the subset of
  Turnstile's explicit-render API a page needs), pass once, and expire after five minutes.

Everything lives under ``/_local/``, a path no deployment serves. The handlers use these fakes only when the local
stack is asked to (``--customer-tokens``, ``--challenge``); they reach them over HTTP exactly as they reach the
real services.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from common import contract

LOCAL_PREFIX: Final = "/_local"
JWKS_PATH: Final = "/_local/auth/jwks.json"
TOKEN_PATH: Final = "/_local/auth/token"
SITEVERIFY_PATH: Final = "/_local/challenge/siteverify"
CHALLENGE_TOKEN_PATH: Final = "/_local/challenge/token"
CHALLENGE_SCRIPT_PATH: Final = "/_local/challenge/api.js"
#: The audience the local site's tokens carry and the handlers expect.
AUDIENCE: Final = "connect-chat-local"
#: The one site key the local challenge service knows.
SITE_KEY: Final = "local-site-key"
#: Where the local stack keeps the challenge secret (moto's SSM Parameter Store, a SecureString).
CHALLENGE_SECRET_PARAMETER: Final = "/connect-chat/local/challenge-secret"
#: Claims the local site maps to contact attributes (``claim=attribute``).
ATTRIBUTE_CLAIMS: Final = "sub=customerId,email=customerEmail"
#: Lifetime of a challenge token, in seconds (Turnstile's).
CHALLENGE_TOKEN_SECONDS: Final = 300

CUSTOMER_TOKEN_MODES: Final[tuple[str, ...]] = ("off", "optional", "required")

_CORS: Final = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Content-Type"}


@dataclass
class SigningKey:
    """One key pair of the local site: its key id, algorithm and private key."""

    kid: str
    algorithm: str
    private_key: Any

    def public_jwk(self) -> dict[str, Any]:
        codec = RSAAlgorithm if self.algorithm == "RS256" else ECAlgorithm
        jwk: dict[str, Any] = json.loads(codec.to_jwk(self.private_key.public_key()))
        return {**jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}


def new_signing_key(algorithm: str) -> SigningKey:
    """A fresh RS256 (RSA 2048) or ES256 (P-256) key pair with a random key id."""
    if algorithm == "RS256":
        private_key: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif algorithm == "ES256":
        private_key = ec.generate_private_key(ec.SECP256R1())
    else:
        raise ValueError(f"the local site signs with RS256 or ES256, not {algorithm!r}")
    kid = f"local-{algorithm.lower()}-{secrets.token_hex(4)}"
    return SigningKey(kid=kid, algorithm=algorithm, private_key=private_key)


class LocalIdentityProvider:
    """The local site that signs customers in: its keys, its JWKS and its tokens.

    Parameters
    ----------
    issuer : str
        The ``iss`` of its tokens (the local web server's ``/_local/auth`` URL).
    audience : str
        The ``aud`` of its tokens.
    """

    def __init__(self, issuer: str, audience: str = AUDIENCE) -> None:
        self.issuer = issuer
        self.audience = audience
        self.keys = [new_signing_key("RS256"), new_signing_key("ES256")]
        self.jwks_requests = 0

    def key_for(self, algorithm: str) -> SigningKey:
        """The newest key of ``algorithm``."""
        for key in reversed(self.keys):
            if key.algorithm == algorithm:
                return key
        raise ValueError(f"the local site signs with {', '.join(sorted({k.algorithm for k in self.keys}))}")

    def rotate(self, algorithm: str = "RS256") -> SigningKey:
        """Add a new key (published in the JWKS from now on) and sign with it from now on."""
        key = new_signing_key(algorithm)
        self.keys.append(key)
        return key

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.keys]}

    def mint(self, claims: Mapping[str, Any] | None = None, *, algorithm: str = "RS256", expires_in: int = 600) -> str:
        """A token for a signed-in customer: ``iss``, ``aud``, ``iat``, ``exp`` and a ``sub`` unless ``claims``
        give their own."""
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": "local-customer",
            "name": "Local Customer",
            "iat": now,
            "exp": now + expires_in,
            **(claims or {}),
        }
        key = self.key_for(algorithm)
        return jwt.encode(payload, key.private_key, algorithm=algorithm, headers={"kid": key.kid})


@dataclass
class _Issued:
    site_key: str
    expires_at: float
    redeemed: bool = False


@dataclass
class LocalChallengeService:
    """A human-check service speaking siteverify: every token it issues passes once, within its lifetime.

    Attributes
    ----------
    secret
        The secret key the deployment must send (made afresh each run).
    site_key
        The only site key it issues tokens for.
    token_seconds
        Lifetime of a token.
    """

    secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    site_key: str = SITE_KEY
    token_seconds: float = CHALLENGE_TOKEN_SECONDS
    verifications: int = 0
    last_remote_ip: str | None = None
    _issued: dict[str, _Issued] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, site_key: str | None = None, *, seconds: float | None = None) -> str:
        """A token, as a page gets one once its visitor has passed the check."""
        if (site_key or self.site_key) != self.site_key:
            raise ValueError(f"unknown site key (the local one is {self.site_key!r})")
        token = f"local.{secrets.token_urlsafe(32)}"
        lifetime = self.token_seconds if seconds is None else seconds
        with self._lock:
            self._issued[token] = _Issued(self.site_key, time.time() + lifetime)
        return token

    def siteverify(self, secret: str | None, response: str | None, remote_ip: str | None = None) -> dict[str, Any]:
        """The siteverify answer for one request (the same fields and error codes as Turnstile's)."""
        with self._lock:
            self.verifications += 1
            self.last_remote_ip = remote_ip
            if not secret:
                return _failure("missing-input-secret")
            if not secrets.compare_digest(secret, self.secret):
                return _failure("invalid-input-secret")
            if not response:
                return _failure("missing-input-response")
            issued = self._issued.get(response)
            if issued is None:
                return _failure("invalid-input-response")
            if issued.redeemed or issued.expires_at < time.time():
                return _failure("timeout-or-duplicate")
            issued.redeemed = True
        return {
            "success": True,
            "error-codes": [],
            "challenge_ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "hostname": "localhost",
        }


def _failure(code: str) -> dict[str, Any]:
    return {"success": False, "error-codes": [code]}


#: The page script served at ``/_local/challenge/api.js`` (a subset of Turnstile's explicit-render API).
CHALLENGE_SCRIPT_FILE: Final = Path(__file__).with_name("challenge_api.js")


class AuthFakes:
    """Both fakes, their routes on the local web server, and the handler variables that point at them.

    Parameters
    ----------
    base_url : str
        The local web server's URL (``http://127.0.0.1:3000``).
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.identity = LocalIdentityProvider(issuer=f"{self.base_url}{LOCAL_PREFIX}/auth")
        self.challenge = LocalChallengeService()

    def register(self, app: web.Application) -> None:
        """Add the fakes' routes (all under ``/_local/``) to the local web server."""
        app.router.add_get(JWKS_PATH, self._jwks)
        app.router.add_post(TOKEN_PATH, self._token)
        app.router.add_post(SITEVERIFY_PATH, self._siteverify)
        app.router.add_route("*", CHALLENGE_TOKEN_PATH, self._challenge_token)
        app.router.add_get(CHALLENGE_SCRIPT_PATH, self._challenge_script)

    def handler_environment(self, *, customer_tokens: str = "off", challenge: bool = False) -> dict[str, str]:
        """The handlers' variables for the checks asked for (empty when both are off)."""
        c = contract
        env: dict[str, str] = {}
        if customer_tokens != "off":
            env.update(
                {
                    c.ENV_CUSTOMER_JWKS_URL: f"{self.base_url}{JWKS_PATH}",
                    c.ENV_CUSTOMER_TOKEN_ISSUER: self.identity.issuer,
                    c.ENV_CUSTOMER_TOKEN_AUDIENCE: self.identity.audience,
                    c.ENV_CUSTOMER_TOKEN_REQUIRED: "true" if customer_tokens == "required" else "false",
                    c.ENV_CUSTOMER_ATTRIBUTE_CLAIMS: ATTRIBUTE_CLAIMS,
                }
            )
        if challenge:
            env.update(
                {
                    c.ENV_CHALLENGE_VERIFY_URL: f"{self.base_url}{SITEVERIFY_PATH}",
                    c.ENV_CHALLENGE_SECRET: f"ssm:{CHALLENGE_SECRET_PARAMETER}",
                }
            )
        return env

    def store_challenge_secret(self, ssm_client: Any) -> None:
        """Keep the challenge secret where the handlers read it (a SecureString parameter)."""
        ssm_client.put_parameter(
            Name=CHALLENGE_SECRET_PARAMETER, Value=self.challenge.secret, Type="SecureString", Overwrite=True
        )

    async def _jwks(self, request: web.Request) -> web.Response:
        self.identity.jwks_requests += 1
        return web.json_response(self.identity.jwks(), headers={"Cache-Control": "max-age=300"})

    async def _token(self, request: web.Request) -> web.Response:
        """``POST {"sub"?, "name"?, "email"?, …claims, "alg"?: "RS256"|"ES256", "expiresIn"?: seconds}``."""
        try:
            claims = await request.json()
            if not isinstance(claims, dict):
                raise ValueError("the body must be a JSON object of claims")
            algorithm = str(claims.pop("alg", "RS256"))
            expires_in = claims.pop("expiresIn", 600)
            if not isinstance(expires_in, int) or isinstance(expires_in, bool):
                raise ValueError("expiresIn must be a whole number of seconds")
            token = self.identity.mint(claims, algorithm=algorithm, expires_in=expires_in)
        except ValueError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"token": token, "expiresIn": expires_in})

    async def _siteverify(self, request: web.Request) -> web.Response:
        """Form-encoded or JSON ``secret``, ``response``, ``remoteip``, as the real services take them."""
        fields: Mapping[str, Any]
        if request.content_type == "application/json":
            try:
                fields = await request.json()
            except ValueError:
                fields = {}
            fields = fields if isinstance(fields, dict) else {}
        else:
            fields = await request.post()
        verdict = self.challenge.siteverify(
            _text(fields.get("secret")), _text(fields.get("response")), _text(fields.get("remoteip"))
        )
        return web.json_response(verdict)

    async def _challenge_token(self, request: web.Request) -> web.Response:
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=_CORS)
        if request.method != "POST":
            return web.json_response({"error": "use POST"}, status=405, headers=_CORS)
        try:
            body = await request.json() if request.can_read_body else {}
            site_key = body.get("sitekey") if isinstance(body, dict) else None
            token = self.challenge.issue(_text(site_key))
        except ValueError as exc:
            return web.json_response({"error": str(exc)}, status=400, headers=_CORS)
        return web.json_response({"token": token}, headers=_CORS)

    async def _challenge_script(self, request: web.Request) -> web.Response:
        script = CHALLENGE_SCRIPT_FILE.read_text()
        return web.Response(text=script, content_type="text/javascript", headers=_CORS)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
