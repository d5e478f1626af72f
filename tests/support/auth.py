"""The local identity and challenge fakes on loopback, and hand-made tokens an attacker would try."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from common import contract
from local.auth_fakes import AuthFakes
from local.process import free_port
from tests.support.servers import serve_in_thread


@dataclass
class RunningFakes:
    """:class:`local.auth_fakes.AuthFakes` served on ``url`` from a background thread."""

    url: str
    fakes: AuthFakes

    def post(self, path: str, body: Mapping[str, Any] | None = None) -> Any:
        """POST JSON to ``path`` and return the decoded answer."""
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=json.dumps(body or {}).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def customer_env(self, required: bool = False, **extra: str) -> dict[str, str]:
        """The handlers' variables for customer tokens from the fake site (``extra`` adds or overrides)."""
        env = self.fakes.handler_environment(customer_tokens="required" if required else "optional")
        return {**env, **extra}


@contextmanager
def run_auth_fakes() -> Iterator[RunningFakes]:
    """Serve the fakes on a free loopback port until the block ends."""
    port = free_port()
    fakes = AuthFakes(f"http://127.0.0.1:{port}")
    app = web.Application()
    fakes.register(app)
    with serve_in_thread(app, port, "auth-fakes"):
        yield RunningFakes(f"http://127.0.0.1:{port}", fakes)


def _segment(data: Mapping[str, Any] | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def hand_made_token(header: Mapping[str, Any], claims: Mapping[str, Any], *, hmac_key: bytes | None = None) -> str:
    """A token built by hand: unsigned (empty signature) or HMAC-SHA256-signed with ``hmac_key``."""
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    signature = b"" if hmac_key is None else hmac.new(hmac_key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_segment(signature)}"


def claims_for(fakes: AuthFakes, **claims: Any) -> dict[str, Any]:
    """What the fake site puts in a token, with ``claims`` on top."""
    now = int(time.time())
    identity = fakes.identity
    return {"iss": identity.issuer, "aud": identity.audience, "sub": "42", "iat": now, "exp": now + 600, **claims}


#: Every variable of the checks before a chat starts (cleared before each test that sets some).
CHECK_VARIABLES: tuple[str, ...] = (
    contract.ENV_CUSTOMER_JWKS_URL,
    contract.ENV_CUSTOMER_TOKEN_ISSUER,
    contract.ENV_CUSTOMER_TOKEN_AUDIENCE,
    contract.ENV_CUSTOMER_TOKEN_REQUIRED,
    contract.ENV_CUSTOMER_TOKEN_ALGORITHMS,
    contract.ENV_CUSTOMER_TOKEN_LEEWAY_SECONDS,
    contract.ENV_CUSTOMER_NAME_CLAIM,
    contract.ENV_CUSTOMER_ATTRIBUTE_CLAIMS,
    contract.ENV_JWT_LIBRARY_PATH,
    contract.ENV_CHALLENGE_VERIFY_URL,
    contract.ENV_CHALLENGE_SECRET,
    contract.ENV_CHALLENGE_SECRET_MAX_AGE_SECONDS,
    contract.ENV_CHALLENGE_VERIFIER,
)
