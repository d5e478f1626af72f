"""The context values of the checks before a chat starts: signed-in customers and the human check, both off by
default. Typed and validated here (with the same parsers the functions use), so that a mistake fails the synth
with a message naming the key; lambdas/README.md ("Protecting your endpoints") documents each one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from common import contract
from common.challenge import KNOWN_SITEVERIFY_URLS, SecretReference
from common.identity import parse_algorithms, parse_attribute_claims
from infra.context_values import ConfigError, bounded, flag, optional_module_function, text

_HTTPS_URL: Final = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s]*)?$")
_CLAIM: Final = re.compile(r"^[A-Za-z0-9_:.-]{1,128}$")
#: Every customer-token key besides ``customerJwksUrl`` (they mean nothing without it).
CUSTOMER_TOKEN_KEYS: Final = (
    "customerTokenIssuer",
    "customerTokenAudience",
    "customerTokenRequired",
    "customerTokenAlgorithms",
    "customerTokenLeewaySeconds",
    "customerNameClaim",
    "customerAttributeClaims",
)

#: The functions that run the checks before a chat starts, those that start chats: they get the JWT library layer
#: and may read the challenge secret (start-chat, and the message function, whose ``startChat`` is the relay's way in).
CHECKING_FUNCTIONS: Final = tuple(spec.id for spec in contract.FUNCTIONS.values() if spec.starts_chats)

Get = Callable[[str], Any]


@dataclass(frozen=True)
class CustomerTokenConfig:
    """Signed-in customers: tokens the site issues, checked against its JWKS (lambdas/README.md: "Signed-in customers").

    Attributes
    ----------
    jwks_url
        ``customerJwksUrl``: the site's JWKS, an https URL.
    issuer, audience
        ``customerTokenIssuer``, ``customerTokenAudience``: what ``iss`` and ``aud`` must be (both required).
    required
        ``customerTokenRequired``: every start needs a token.
    algorithms
        ``customerTokenAlgorithms``: out of RS256 and ES256.
    leeway_seconds
        ``customerTokenLeewaySeconds``: clock skew allowed on ``exp``/``nbf``/``iat``.
    name_claim
        ``customerNameClaim``: the claim that becomes the display name.
    attribute_claims
        ``customerAttributeClaims``: ``claim=attribute`` pairs that become contact attributes.
    """

    jwks_url: str
    issuer: str
    audience: str
    required: bool = False
    algorithms: tuple[str, ...] = contract.CUSTOMER_TOKEN_ALGORITHMS
    leeway_seconds: int = contract.CUSTOMER_TOKEN_LEEWAY_SECONDS.default
    name_claim: str = "name"
    attribute_claims: tuple[tuple[str, str], ...] = ()

    def environment(self) -> dict[str, str]:
        """The functions' ``CUSTOMER_*`` variables."""
        c = contract
        return {
            c.ENV_CUSTOMER_JWKS_URL: self.jwks_url,
            c.ENV_CUSTOMER_TOKEN_ISSUER: self.issuer,
            c.ENV_CUSTOMER_TOKEN_AUDIENCE: self.audience,
            c.ENV_CUSTOMER_TOKEN_REQUIRED: "true" if self.required else "false",
            c.ENV_CUSTOMER_TOKEN_ALGORITHMS: ",".join(self.algorithms),
            c.ENV_CUSTOMER_TOKEN_LEEWAY_SECONDS: str(self.leeway_seconds),
            c.ENV_CUSTOMER_NAME_CLAIM: self.name_claim,
            c.ENV_CUSTOMER_ATTRIBUTE_CLAIMS: ",".join(f"{claim}={name}" for claim, name in self.attribute_claims),
        }

    @classmethod
    def from_context(cls, get: Get) -> CustomerTokenConfig | None:
        """The configuration, or ``None`` when ``customerJwksUrl`` is not set (then no other customer key may be).

        Raises
        ------
        infra.context_values.ConfigError
            Naming the key.
        """
        jwks_url = text(get, "customerJwksUrl")
        if jwks_url is None:
            stray = [key for key in CUSTOMER_TOKEN_KEYS if text(get, key) is not None]
            if stray:
                raise ConfigError(f"context value {stray[0]} is set but customerJwksUrl is not; set both or neither")
            return None
        _https(jwks_url, "customerJwksUrl", "the site's JWKS")
        issuer, audience = text(get, "customerTokenIssuer"), text(get, "customerTokenAudience")
        for key, value in (("customerTokenIssuer", issuer), ("customerTokenAudience", audience)):
            if value is None:
                raise ConfigError(
                    f"missing context value {key}, which customer tokens must carry when customerJwksUrl is set"
                )
        name_claim = text(get, "customerNameClaim") or "name"
        if not _CLAIM.match(name_claim):
            raise ConfigError(f"context value customerNameClaim must be a claim name, got {name_claim!r}")
        return cls(
            jwks_url=jwks_url,
            issuer=str(issuer),
            audience=str(audience),
            required=flag(get, "customerTokenRequired", default=False),
            algorithms=_parsed(get, "customerTokenAlgorithms", parse_algorithms, ",".join(cls.algorithms)),
            leeway_seconds=bounded(get, "customerTokenLeewaySeconds", contract.CUSTOMER_TOKEN_LEEWAY_SECONDS),
            name_claim=name_claim,
            attribute_claims=_parsed(get, "customerAttributeClaims", parse_attribute_claims, ""),
        )


@dataclass(frozen=True)
class ChallengeConfig:
    """The human check (lambdas/README.md: "The human check").

    Attributes
    ----------
    verify_url
        ``challengeVerifyUrl``: the siteverify URL (``turnstile``, ``hcaptcha`` and ``recaptcha`` name theirs).
    secret
        ``challengeSecret``: ``secretsmanager:NAME`` or ``ssm:NAME`` (a name or an ARN); the functions that check
        tokens may read it.
    secret_max_age_seconds
        ``challengeSecretMaxAgeSeconds``: how long the functions cache the secret.
    verifier
        ``challengeVerifier``: a ``module:function`` verifier of your own, instead of siteverify.
    """

    verify_url: str = ""
    secret: SecretReference | None = None
    secret_max_age_seconds: int = contract.CHALLENGE_SECRET_MAX_AGE_SECONDS.default
    verifier: str = ""

    def environment(self) -> dict[str, str]:
        """The functions' ``CHALLENGE_*`` variables."""
        c = contract
        return {
            c.ENV_CHALLENGE_VERIFY_URL: self.verify_url,
            c.ENV_CHALLENGE_SECRET: str(self.secret) if self.secret else "",
            c.ENV_CHALLENGE_SECRET_MAX_AGE_SECONDS: str(self.secret_max_age_seconds),
            c.ENV_CHALLENGE_VERIFIER: self.verifier,
        }

    @classmethod
    def from_context(cls, get: Get) -> ChallengeConfig | None:
        """The configuration, or ``None`` when neither ``challengeVerifyUrl`` nor ``challengeVerifier`` is set.

        Raises
        ------
        infra.context_values.ConfigError
            Naming the key.
        """
        url, verifier, secret = text(get, "challengeVerifyUrl"), text(get, "challengeVerifier"), None
        if url is None and verifier is None:
            if text(get, "challengeSecret") is not None:
                raise ConfigError("context value challengeSecret is set but challengeVerifyUrl is not")
            return None
        if url is not None and verifier is not None:
            raise ConfigError("context values challengeVerifyUrl and challengeVerifier: set one, not both")
        if url is not None:
            url = KNOWN_SITEVERIFY_URLS.get(url.lower(), url)
            _https(url, "challengeVerifyUrl", f"a siteverify URL or one of {', '.join(KNOWN_SITEVERIFY_URLS)}")
            raw = text(get, "challengeSecret")
            if raw is None:
                raise ConfigError(
                    "missing context value challengeSecret (secretsmanager:NAME or ssm:NAME), the siteverify secret "
                    "key, which challengeVerifyUrl needs"
                )
            secret = _parsed(get, "challengeSecret", SecretReference.parse, "")
        verifier = optional_module_function(get, "challengeVerifier")
        return cls(
            verify_url=url or "",
            secret=secret,
            secret_max_age_seconds=bounded(
                get, "challengeSecretMaxAgeSeconds", contract.CHALLENGE_SECRET_MAX_AGE_SECONDS
            ),
            verifier=verifier,
        )


def _https(url: str, key: str, what: str) -> None:
    if not _HTTPS_URL.match(url):
        raise ConfigError(f"context value {key} must be {what}: an https:// URL, got {url!r}")


def _parsed(get: Get, key: str, parse: Callable[[str], Any], default: str) -> Any:
    try:
        return parse(text(get, key) or default)
    except ValueError as exc:
        raise ConfigError(f"context value {key}: {exc}") from None
