"""The human check: a challenge token the page obtained (Cloudflare Turnstile, hCaptcha, Google reCAPTCHA) is
verified server-side before a chat starts.

Off unless ``CHALLENGE_VERIFY_URL`` (the shipped verifier) or ``CHALLENGE_VERIFIER`` (your own) is set; then every
start must carry a token (``ChallengeToken`` in the ``POST /start-chat`` body; the entry point names its field in
refusals), and a token passes once: the services refuse one they have already seen.

A verifier is any callable ``verify(token, remote_ip)`` that returns when the token passes and raises
:class:`ChallengeFailedError` (refused) or :class:`ChallengeUnavailableError` (cannot tell now). The shipped one,
:class:`SiteverifyVerifier`, speaks the siteverify protocol all three services share: a server-side POST of the
secret, the token and the caller's IP, answered with JSON whose ``success`` says whether it passed. Its secret is
read from Secrets Manager or SSM Parameter Store with Powertools' parameters utility and cached.

Importing this module costs the standard library only; Powertools' parameters utility and its boto3 client are
loaded by the first check. Call :func:`check_challenge` once per start; with the feature off it returns at once.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

from common import contract
from common.refusals import RefusedError
from common.reuse import built_once
from common.settings import web_url, whole_number

#: Longer tokens are refused without asking the service (Turnstile's are at most 2048 characters).
MAX_TOKEN_CHARS: Final = 8192
#: How long one siteverify call may take, in seconds.
SITEVERIFY_TIMEOUT_SECONDS: Final = 5.0
#: The most of a siteverify answer that is read.
_MAX_ANSWER_BYTES: Final = 64 * 1024
#: siteverify error codes that mean the deployment (its secret, its request) is at fault, not the caller's token.
SERVER_SIDE_ERROR_CODES: Final = frozenset(
    {"missing-input-secret", "invalid-input-secret", "sitekey-secret-mismatch", "bad-request", "internal-error"}
)
#: The siteverify URLs of the services this verifier speaks to (any other URL speaking the protocol works too).
KNOWN_SITEVERIFY_URLS: Final[Mapping[str, str]] = {
    "turnstile": "https://challenges.cloudflare.com/turnstile/v0/siteverify",
    "hcaptcha": "https://api.hcaptcha.com/siteverify",
    "recaptcha": "https://www.google.com/recaptcha/api/siteverify",
}

SecretStore = Literal["secretsmanager", "ssm"]


class ChallengeError(RefusedError):
    """A start refused by the human check."""


class ChallengeRequiredError(ChallengeError):
    """The deployment asks for a challenge token and the start carried none."""

    def __init__(self, field_name: str) -> None:
        super().__init__(403, "CHALLENGE_REQUIRED", f"{field_name}: is required (complete the human check first)")


class ChallengeFailedError(ChallengeError):
    """The token did not pass (invalid, expired or already used); ``reasons`` are the service's error codes."""

    def __init__(self, field_name: str = "challengeToken", reasons: tuple[str, ...] = ()) -> None:
        super().__init__(
            403, "CHALLENGE_FAILED", f"{field_name}: was not accepted (invalid, expired or already used); get a new one"
        )
        self.reasons = reasons


class ChallengeUnavailableError(ChallengeError):
    """The token cannot be checked now (the service or the secret is unreachable, or refuses the deployment);
    ``detail`` says why, for the logs only."""

    def __init__(self, field_name: str = "challengeToken", detail: str = "") -> None:
        super().__init__(503, "CHALLENGE_UNAVAILABLE", f"{field_name}: cannot be checked right now; try again shortly")
        self.detail = detail


class ChallengeSettingsError(ValueError):
    """A missing or malformed challenge variable; the message names it and what it should hold."""


class ChallengeVerifier(Protocol):
    """Checks one challenge token: returns when it passes, raises :class:`ChallengeFailedError` when it does not
    and :class:`ChallengeUnavailableError` when it cannot tell."""

    def __call__(self, token: str, remote_ip: str | None) -> None: ...


@dataclass(frozen=True)
class SecretReference:
    """Where a secret is kept: ``store`` (``secretsmanager`` or ``ssm``) and the secret's or parameter's name
    (or ARN)."""

    store: SecretStore
    name: str

    @classmethod
    def parse(cls, text: str) -> SecretReference:
        """``secretsmanager:NAME`` or ``ssm:NAME`` (``ValueError`` otherwise)."""
        store, separator, name = text.strip().partition(":")
        if not separator or not name.strip() or store not in ("secretsmanager", "ssm"):
            raise ValueError(f"must be secretsmanager:NAME or ssm:NAME, got {text!r}")
        return cls("ssm" if store == "ssm" else "secretsmanager", name.strip())

    def __str__(self) -> str:
        return f"{self.store}:{self.name}"


class StoredSecret:
    """A secret read with Powertools' parameters utility and cached for ``max_age`` seconds.

    Parameters
    ----------
    reference : SecretReference
        Where it is kept (an SSM parameter is read decrypted).
    max_age : int
        Seconds a read value is reused (0: read on every call).
    boto3_client : Any, optional
        A ``secretsmanager`` or ``ssm`` client to read with (default: one from the environment).
    """

    def __init__(self, reference: SecretReference, max_age: int, *, boto3_client: Any = None) -> None:
        self.reference = reference
        self.max_age = max_age
        self._boto3_client = boto3_client
        self._provider: Any = None

    def __call__(self) -> str:
        if self._provider is None:
            from aws_lambda_powertools.utilities import parameters

            kind = parameters.SSMProvider if self.reference.store == "ssm" else parameters.SecretsProvider
            self._provider = kind(boto3_client=self._boto3_client)
        options = {"decrypt": True} if self.reference.store == "ssm" else {}
        try:
            value = self._provider.get(self.reference.name, max_age=self.max_age, **options)
        except Exception as exc:  # Powertools wraps every failure (missing, denied, unreachable) in its own error
            raise ChallengeUnavailableError(detail=f"the secret {self.reference} cannot be read") from exc
        if not isinstance(value, str) or not value:
            raise ChallengeUnavailableError(detail=f"the secret {self.reference} is not a string")
        return value


class SiteverifyVerifier:
    """The siteverify protocol (Turnstile, hCaptcha, reCAPTCHA): POST ``secret``, ``response`` and ``remoteip``
    form-encoded to ``url``, and read ``success`` and ``error-codes`` from the JSON answer.

    Parameters
    ----------
    url : str
        The service's siteverify URL (see :data:`KNOWN_SITEVERIFY_URLS`).
    secret : callable
        Returns the secret key (e.g. a :class:`StoredSecret`).
    timeout : float
        Seconds one call may take.
    """

    def __init__(self, url: str, secret: Callable[[], str], *, timeout: float = SITEVERIFY_TIMEOUT_SECONDS) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout

    def __call__(self, token: str, remote_ip: str | None) -> None:
        fields = {"secret": self.secret(), "response": token}
        if remote_ip:
            fields["remoteip"] = remote_ip
        request = urllib.request.Request(
            self.url,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "connect-chat"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                body = answer.read(_MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise ChallengeUnavailableError(detail=f"siteverify answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise ChallengeUnavailableError(detail=f"siteverify is unreachable: {exc}") from None
        try:
            verdict = json.loads(body[:_MAX_ANSWER_BYTES])
        except ValueError:
            verdict = None
        if not isinstance(verdict, dict):
            raise ChallengeUnavailableError(detail="siteverify did not answer a JSON object")
        codes = verdict.get("error-codes")
        reasons = tuple(str(code) for code in codes) if isinstance(codes, list) else ()
        if verdict.get("success") is True:
            return
        if SERVER_SIDE_ERROR_CODES.intersection(reasons):
            raise ChallengeUnavailableError(detail=f"siteverify refused the deployment: {', '.join(reasons)}")
        raise ChallengeFailedError(reasons=reasons)


@dataclass(frozen=True)
class ChallengeSettings:
    """How challenge tokens are checked (``CHALLENGE_*`` variables; see lambdas/README.md, "The human check").

    Attributes
    ----------
    verify_url
        The siteverify URL (the shipped verifier), or empty.
    secret
        Where its secret key is kept.
    secret_max_age_seconds
        How long the secret is cached.
    verifier
        A ``module:function`` verifier of your own, used instead of the shipped one.
    """

    verify_url: str = ""
    secret: SecretReference | None = None
    secret_max_age_seconds: int = contract.CHALLENGE_SECRET_MAX_AGE_SECONDS.default
    verifier: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ChallengeSettings | None:
        """The settings, or ``None`` when neither a verify URL nor a verifier is set (the check is off).

        Raises
        ------
        ChallengeSettingsError
            Naming the variable that is missing or malformed.
        """
        env = os.environ if env is None else env
        c = contract
        url = env.get(c.ENV_CHALLENGE_VERIFY_URL, "").strip()
        verifier = env.get(c.ENV_CHALLENGE_VERIFIER, "").strip()
        if not url and not verifier:
            return None
        if url and verifier:
            raise ChallengeSettingsError(f"set {c.ENV_CHALLENGE_VERIFY_URL} or {c.ENV_CHALLENGE_VERIFIER}, not both")
        secret = None
        if url:
            web_url(c.ENV_CHALLENGE_VERIFY_URL, url, error=ChallengeSettingsError)
            raw = env.get(c.ENV_CHALLENGE_SECRET, "").strip()
            if not raw:
                raise ChallengeSettingsError(
                    f"{c.ENV_CHALLENGE_SECRET} is required when {c.ENV_CHALLENGE_VERIFY_URL} is set"
                )
            try:
                secret = SecretReference.parse(raw)
            except ValueError as exc:
                raise ChallengeSettingsError(f"{c.ENV_CHALLENGE_SECRET} {exc}") from None
        name, bounds = c.ENV_CHALLENGE_SECRET_MAX_AGE_SECONDS, c.CHALLENGE_SECRET_MAX_AGE_SECONDS
        max_age = whole_number(env, name, bounds, error=ChallengeSettingsError)
        return cls(verify_url=url, secret=secret, secret_max_age_seconds=max_age, verifier=verifier)

    def build(self) -> ChallengeVerifier:
        """The verifier these settings describe (imports a ``module:function`` verifier).

        Raises
        ------
        ChallengeSettingsError
            When the verifier cannot be loaded.
        """
        if self.verifier:
            from common.hooks import HookError, load_hooks

            try:
                (custom,) = load_hooks([self.verifier], kind="challenge verifier")
            except HookError as exc:
                raise ChallengeSettingsError(f"{contract.ENV_CHALLENGE_VERIFIER}: {exc}") from None
            verifier: ChallengeVerifier = custom  # type: ignore[assignment]
            return verifier
        assert self.secret is not None
        return SiteverifyVerifier(self.verify_url, StoredSecret(self.secret, self.secret_max_age_seconds))


@built_once
def configured_verifier() -> ChallengeVerifier | None:
    """The verifier of this function's environment, built once (``None`` when the check is off).

    Raises
    ------
    ChallengeSettingsError
        When a ``CHALLENGE_*`` variable is malformed.
    """
    settings = ChallengeSettings.from_env()
    return None if settings is None else settings.build()


def check_challenge(token: str | None, *, remote_ip: str | None = None, field_name: str = "challengeToken") -> None:
    """The human check: the one call an entry point makes before starting a chat.

    Parameters
    ----------
    token : str or None
        The challenge token the caller sent (``None`` when it sent none; ignored while the check is off).
    remote_ip : str, optional
        The caller's IP address, passed on to the service.
    field_name : str
        The field that carried the token, named in refusals (``ChallengeToken`` in the start-chat body).

    Raises
    ------
    ChallengeError
        A refusal to answer with its ``status``/``code``/``message``.
    ChallengeSettingsError
        When the deployment's ``CHALLENGE_*`` variables are malformed.
    """
    verifier = configured_verifier()
    if verifier is None:
        return
    if token is None:
        raise ChallengeRequiredError(field_name)
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise ChallengeFailedError(field_name)
    try:
        verifier(token, remote_ip)
    except ChallengeFailedError as exc:
        raise ChallengeFailedError(field_name, exc.reasons) from None
    except ChallengeUnavailableError as exc:
        raise ChallengeUnavailableError(field_name, exc.detail) from None
