"""Signed-in customers: a JWT the site issued, verified against the site's JWKS, whose claims (never the browser's
word) become the chat's display name and chosen contact attributes.

Off unless ``CUSTOMER_JWKS_URL`` is set. A start then may carry the customer's token (``CustomerToken`` in the
``POST /start-chat`` body; the entry point names its field in refusals); with ``CUSTOMER_TOKEN_REQUIRED`` it
must. A token is accepted only when

* it is signed with an allowed algorithm (``RS256``, ``ES256``: ``none`` and the HMAC family never are, so a
  site's public key cannot be turned into a shared secret) by a key of the site's JWKS, named by its ``kid``;
* ``iss`` and ``aud`` are the configured issuer and audience, ``exp`` is in the future and ``nbf``/``iat`` are
  not (within ``CUSTOMER_TOKEN_LEEWAY_SECONDS``), and it names its subject (``sub``).

The JWKS is fetched on first use and cached; a token naming an unknown key refreshes it (key rotation), at most
once per cool-down, so that made-up key ids cannot turn the functions against the site's JWKS endpoint.

Importing this module costs the standard library only: the JWT library (PyJWT with ``cryptography``) is imported
by the first verification, so functions that never verify a token never load it. Call :func:`verify_customer`
once per start; with the feature off and no token it returns at once.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from common import contract
from common.refusals import RefusedError
from common.reuse import built_once
from common.settings import web_url, whole_number

if TYPE_CHECKING:
    from jwt import PyJWKClient

#: Longer tokens are refused before any parsing.
MAX_TOKEN_CHARS: Final = 8192
#: StartChatContact's limit on a participant's display name; a longer name claim is cut to it.
MAX_DISPLAY_NAME_CHARS: Final = 256
#: How long the fetched JWKS is kept before it is fetched again, in seconds.
JWKS_MAX_AGE_SECONDS: Final = 300.0
#: The least time between two fetches caused by tokens naming a key the cached JWKS lacks, in seconds.
JWKS_REFRESH_COOLDOWN_SECONDS: Final = 30.0
#: How long fetching the JWKS may take, in seconds.
JWKS_TIMEOUT_SECONDS: Final = 3.0
#: Claims every accepted token carries.
REQUIRED_CLAIMS: Final = ("exp", "iss", "aud", "sub")
_ATTRIBUTE_NAME_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


class CustomerTokenError(RefusedError):
    """A start refused because of its customer token (or the lack of one)."""


class CustomerTokenRequiredError(CustomerTokenError):
    """The deployment starts chats for signed-in customers only and the start carried no token."""

    def __init__(self, field_name: str) -> None:
        super().__init__(
            401, "CUSTOMER_TOKEN_REQUIRED", f"{field_name}: is required (chats start for signed-in customers only)"
        )


class InvalidCustomerTokenError(CustomerTokenError):
    """The token was refused; ``reason`` says why in one word (``expired``, ``audience``, ``signature``, ...)."""

    def __init__(self, field_name: str, reason: str, problem: str) -> None:
        super().__init__(401, "INVALID_CUSTOMER_TOKEN", f"{field_name}: {problem}")
        self.reason = reason


class CustomerTokensNotAcceptedError(CustomerTokenError):
    """A token was sent to a deployment that does not verify customer tokens."""

    def __init__(self, field_name: str) -> None:
        super().__init__(400, "VALIDATION_ERROR", f"{field_name}: this deployment does not accept customer tokens")


class IdentityUnavailableError(CustomerTokenError):
    """The site's JWKS could not be fetched, so no token can be checked now."""

    def __init__(self, field_name: str) -> None:
        super().__init__(
            503, "AUTHENTICATION_UNAVAILABLE", f"{field_name}: cannot be checked right now; try again shortly"
        )


class IdentitySettingsError(ValueError):
    """A missing or malformed customer-token variable; the message names it and what it should hold."""


def parse_algorithms(text: str) -> tuple[str, ...]:
    """Comma-separated algorithm names, each one of :data:`common.contract.CUSTOMER_TOKEN_ALGORITHMS`.

    Raises
    ------
    ValueError
        Naming the algorithm that is not accepted.
    """
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    allowed = contract.CUSTOMER_TOKEN_ALGORITHMS
    for name in names:
        if name not in allowed:
            raise ValueError(f"{name!r} is not an accepted algorithm (accepted: {', '.join(allowed)})")
    if not names:
        raise ValueError(f"must name at least one of {', '.join(allowed)}")
    return names


def parse_attribute_claims(text: str) -> tuple[tuple[str, str], ...]:
    """``claim=attribute`` pairs, comma-separated (``sub=customerId,email=customerEmail``).

    An attribute name is what StartChatContact accepts as a key: 1 to 128 letters, digits, ``-`` and ``_``; each
    attribute comes from one claim.

    Raises
    ------
    ValueError
        Naming the pair that is malformed.
    """
    pairs: list[tuple[str, str]] = []
    for part in (part.strip() for part in text.split(",")):
        if not part:
            continue
        claim, separator, attribute = (piece.strip() for piece in part.partition("="))
        if not separator or not claim or not attribute:
            raise ValueError(f"{part!r} must look like claim=attribute")
        longest = contract.MAX_ATTRIBUTE_NAME
        if len(attribute) > longest or not set(attribute) <= _ATTRIBUTE_NAME_CHARS:
            raise ValueError(f"attribute {attribute!r} must be 1 to {longest} letters, digits, '-' or '_'")
        if attribute in {known for _, known in pairs}:
            raise ValueError(f"attribute {attribute!r} is named twice")
        pairs.append((claim, attribute))
    return tuple(pairs)


def _parsed(env: Mapping[str, str], name: str, default: str, parse: Any) -> Any:
    try:
        return parse(env.get(name, "").strip() or default)
    except ValueError as exc:
        raise IdentitySettingsError(f"{name}: {exc}") from None


@dataclass(frozen=True)
class IdentitySettings:
    """How customer tokens are checked (``CUSTOMER_*`` variables; see lambdas/README.md, "Signed-in customers").

    Attributes
    ----------
    jwks_url
        The site's JWKS (``https://…/.well-known/jwks.json``).
    issuer, audiences
        The ``iss`` every token carries, and the ``aud`` values one of which it carries.
    required
        Whether every start needs a token (otherwise customers who are not signed in start as before).
    algorithms
        Accepted signature algorithms, out of ``RS256`` and ``ES256``.
    leeway_seconds
        Clock skew allowed on ``exp``, ``nbf`` and ``iat``.
    name_claim
        The claim that becomes the display name (empty: the display name stays the caller's).
    attribute_claims
        ``(claim, attribute)`` pairs: the claims that become contact attributes.
    library_path
        A folder imported from ahead of the rest when the JWT library is first needed (the dependency layer).
    """

    jwks_url: str
    issuer: str
    audiences: tuple[str, ...]
    required: bool = False
    algorithms: tuple[str, ...] = contract.CUSTOMER_TOKEN_ALGORITHMS
    leeway_seconds: int = contract.CUSTOMER_TOKEN_LEEWAY_SECONDS.default
    name_claim: str = "name"
    attribute_claims: tuple[tuple[str, str], ...] = ()
    library_path: str = ""

    @functools.cached_property
    def reserved_attributes(self) -> frozenset[str]:
        """Attributes only a verified token may set: the caller's values for them are always dropped."""
        return frozenset(attribute for _, attribute in self.attribute_claims)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> IdentitySettings | None:
        """The settings, or ``None`` when ``CUSTOMER_JWKS_URL`` is not set (signed-in customers are off).

        Raises
        ------
        IdentitySettingsError
            Naming the variable that is missing or malformed.
        """
        env = os.environ if env is None else env
        c = contract
        jwks_url = env.get(c.ENV_CUSTOMER_JWKS_URL, "").strip()
        if not jwks_url:
            return None
        web_url(c.ENV_CUSTOMER_JWKS_URL, jwks_url, error=IdentitySettingsError)
        issuer = env.get(c.ENV_CUSTOMER_TOKEN_ISSUER, "").strip()
        audiences = tuple(a.strip() for a in env.get(c.ENV_CUSTOMER_TOKEN_AUDIENCE, "").split(",") if a.strip())
        for name, value in ((c.ENV_CUSTOMER_TOKEN_ISSUER, issuer), (c.ENV_CUSTOMER_TOKEN_AUDIENCE, audiences)):
            if not value:
                raise IdentitySettingsError(f"{name} is required when {c.ENV_CUSTOMER_JWKS_URL} is set")
        required = env.get(c.ENV_CUSTOMER_TOKEN_REQUIRED, "false").strip().lower() or "false"
        if required not in ("true", "false"):
            raise IdentitySettingsError(f"{c.ENV_CUSTOMER_TOKEN_REQUIRED} must be true or false, got {required!r}")
        accepted = c.CUSTOMER_TOKEN_ALGORITHMS
        return cls(
            jwks_url=jwks_url,
            issuer=issuer,
            audiences=audiences,
            required=required == "true",
            algorithms=_parsed(env, c.ENV_CUSTOMER_TOKEN_ALGORITHMS, ",".join(accepted), parse_algorithms),
            leeway_seconds=whole_number(
                env, c.ENV_CUSTOMER_TOKEN_LEEWAY_SECONDS, c.CUSTOMER_TOKEN_LEEWAY_SECONDS, error=IdentitySettingsError
            ),
            name_claim=env.get(c.ENV_CUSTOMER_NAME_CLAIM, "name").strip(),
            attribute_claims=_parsed(env, c.ENV_CUSTOMER_ATTRIBUTE_CLAIMS, "", parse_attribute_claims),
            library_path=env.get(c.ENV_JWT_LIBRARY_PATH, "").strip(),
        )


@dataclass(frozen=True)
class Customer:
    """Who is starting a chat: a verified customer, or an anonymous one.

    Attributes
    ----------
    subject
        The token's ``sub``; ``None`` for a customer who is not signed in.
    display_name
        The name claim (cut to 256 characters); ``None`` when there is none.
    attributes
        Contact attributes taken from the token's claims.
    reserved
        Attribute names that only a verified token sets.
    """

    subject: str | None = None
    display_name: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    reserved: frozenset[str] = frozenset()

    @property
    def signed_in(self) -> bool:
        return self.subject is not None

    def apply(self, display_name: str | None, attributes: Mapping[str, str]) -> tuple[str | None, dict[str, str]]:
        """The display name and attributes to start the chat with: the claims win over the caller's values, and
        the caller's values for claim-mapped attributes are dropped even when no token came."""
        merged = {key: value for key, value in attributes.items() if key not in self.reserved}
        merged.update(self.attributes)
        return (self.display_name or display_name), merged

    def allowed_attributes(self, allowed: Mapping[str, int]) -> dict[str, int]:
        """The attributes a start may carry (name -> longest value): the deployment's ``allowed`` ones
        (``CONTACT_ATTRIBUTES``, what customers may set themselves) without the claim-mapped ones, plus those this
        customer's claims set, up to StartChatContact's own limit."""
        result = {name: length for name, length in allowed.items() if name not in self.reserved}
        result.update(dict.fromkeys(self.attributes, contract.MAX_ATTRIBUTES_BYTES))
        return result


#: The customer who is not signed in, on a deployment without claim-mapped attributes.
ANONYMOUS: Final = Customer()


def _claim_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class CustomerTokenVerifier:
    """Checks customer tokens against the site's JWKS (fetched on first use, then cached).

    Parameters
    ----------
    settings : IdentitySettings
        What a token must satisfy.
    refresh_cooldown_seconds : float
        The least time between fetches caused by unknown key ids.
    jwks_max_age_seconds : float
        How long a fetched JWKS is used before it is fetched again.
    timeout_seconds : float
        How long one fetch of the JWKS may take.
    """

    def __init__(
        self,
        settings: IdentitySettings,
        *,
        refresh_cooldown_seconds: float = JWKS_REFRESH_COOLDOWN_SECONDS,
        jwks_max_age_seconds: float = JWKS_MAX_AGE_SECONDS,
        timeout_seconds: float = JWKS_TIMEOUT_SECONDS,
    ) -> None:
        self.settings = settings
        self.refresh_cooldown_seconds = refresh_cooldown_seconds
        self.jwks_max_age_seconds = jwks_max_age_seconds
        self.timeout_seconds = timeout_seconds
        self.anonymous = Customer(reserved=settings.reserved_attributes)
        self._jwks: PyJWKClient | None = None
        self._lock = threading.Lock()

    def _client(self) -> PyJWKClient:
        with self._lock:
            if self._jwks is None:
                path = self.settings.library_path
                if path and path not in sys.path:
                    sys.path.insert(0, path)
                from jwt import PyJWKClient

                self._jwks = PyJWKClient(
                    self.settings.jwks_url,
                    cache_jwk_set=True,
                    lifespan=self.jwks_max_age_seconds,
                    timeout=self.timeout_seconds,
                    cooldown_duration=self.refresh_cooldown_seconds,
                    headers={"User-Agent": "connect-chat", "Accept": "application/json"},
                )
            return self._jwks

    def verify(self, token: str, *, field_name: str = "customerToken") -> Customer:
        """The customer ``token`` proves.

        Raises
        ------
        InvalidCustomerTokenError
            With the reason (never the token).
        IdentityUnavailableError
            When the JWKS cannot be fetched.
        """
        jwks = self._client()
        import jwt

        def refuse(reason: str, problem: str) -> InvalidCustomerTokenError:
            return InvalidCustomerTokenError(field_name, reason, problem)

        if len(token) > MAX_TOKEN_CHARS:
            raise refuse("malformed", f"must be at most {MAX_TOKEN_CHARS} characters")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise refuse("malformed", "is not a signed JWT") from None
        algorithm, kid = header.get("alg"), header.get("kid")
        accepted = self.settings.algorithms
        if algorithm not in accepted:
            shown = algorithm if isinstance(algorithm, str) and len(algorithm) <= 16 else "another algorithm"
            raise refuse("algorithm", f"is signed with {shown}; accepted: {', '.join(accepted)}")
        if not isinstance(kid, str) or not kid or len(kid) > 256:
            raise refuse("key", "names no signing key (kid)")
        try:
            jwks.get_signing_keys()  # the cached set; an unreachable or broken JWKS is the site's problem
        except (jwt.PyJWTError, ValueError, OSError):
            raise IdentityUnavailableError(field_name) from None
        try:
            key = jwks.get_signing_key(kid)  # an unknown kid refreshes the set, at most once per cool-down
        except jwt.PyJWKClientConnectionError:
            raise IdentityUnavailableError(field_name) from None
        except (jwt.PyJWTError, ValueError, OSError):
            raise refuse("key", "is signed with a key the site's JWKS does not hold") from None
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=list(accepted),
                audience=list(self.settings.audiences),
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_seconds,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError:
            raise refuse("expired", "has expired") from None
        except jwt.ImmatureSignatureError:
            raise refuse("not_yet_valid", "is not valid yet") from None
        except jwt.InvalidAudienceError:
            raise refuse("audience", "was issued for another audience") from None
        except jwt.InvalidIssuerError:
            raise refuse("issuer", "was issued by another issuer") from None
        except jwt.MissingRequiredClaimError as exc:
            raise refuse("claims", f"lacks the claim {exc.claim}") from None
        except jwt.InvalidSignatureError:
            raise refuse("signature", "has a signature that does not verify") from None
        except jwt.InvalidAlgorithmError:
            raise refuse("algorithm", "is signed with an algorithm its key is not for") from None
        except jwt.InvalidTokenError:
            raise refuse("claims", "has malformed claims") from None
        return self._customer(claims, refuse)

    def _customer(self, claims: dict[str, Any], refuse: Any) -> Customer:
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject:
            raise refuse("claims", "has an empty subject (sub)")
        name = claims.get(self.settings.name_claim) if self.settings.name_claim else None
        display_name = name.strip()[:MAX_DISPLAY_NAME_CHARS] if isinstance(name, str) and name.strip() else None
        attributes = {
            attribute: _claim_text(claims[claim])
            for claim, attribute in self.settings.attribute_claims
            if claims.get(claim) is not None
        }
        return Customer(subject, display_name, attributes, self.settings.reserved_attributes)


@built_once
def configured_verifier() -> CustomerTokenVerifier | None:
    """The verifier of this function's environment, built once (``None`` when signed-in customers are off).

    Raises
    ------
    IdentitySettingsError
        When a ``CUSTOMER_*`` variable is malformed.
    """
    settings = IdentitySettings.from_env()
    return None if settings is None else CustomerTokenVerifier(settings)


def verify_customer(token: str | None, *, field_name: str = "customerToken") -> Customer:
    """Who starts this chat: the one call an entry point makes before starting one.

    Parameters
    ----------
    token : str or None
        The customer token the caller sent (``None`` when it sent none).
    field_name : str
        The field that carried it, named in refusals (``CustomerToken`` in the start-chat body).

    Returns
    -------
    Customer
        Verified, or anonymous (when no token came and none is required). Pass the caller's display name and
        attributes through :meth:`Customer.apply`.

    Raises
    ------
    CustomerTokenError
        A refusal to answer with its ``status``/``code``/``message``.
    IdentitySettingsError
        When the deployment's ``CUSTOMER_*`` variables are malformed.
    """
    verifier = configured_verifier()
    if verifier is None:
        if token is not None:
            raise CustomerTokensNotAcceptedError(field_name)
        return ANONYMOUS
    if token is None:
        if verifier.settings.required:
            raise CustomerTokenRequiredError(field_name)
        return verifier.anonymous
    return verifier.verify(token, field_name=field_name)
