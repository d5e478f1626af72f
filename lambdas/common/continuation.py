"""Continuation tokens for persistent chat: a client's proof that it took part in a chat that has ended.

When a chat ends, the relay hands its client a token; to continue the conversation later, the client sends it
back and the entry point passes ``PersistentChat {RehydrationType, SourceContactId}`` to StartChatContact only
for the contact the token names. Checking a token needs the key and nothing else: no table, no record that
could expire before Connect stops allowing rehydration.

Format, both parts base64url without padding::

    <payload>.<mac>
    payload = version (1 byte, 1) | expiry (4 bytes, big-endian Unix seconds) | source contact id (UTF-8)
    mac     = HMAC-SHA256(key, "connect-chat/continuation\\0" + payload)

A contact id of 36 characters (a UUID) makes a 99-character token. Verification recomputes the MAC with every accepted
key and compares in constant time (:func:`hmac.compare_digest`) before it reads anything from the payload.

The key is a secret of at least 32 bytes in AWS Secrets Manager (``CONTINUATION_KEY_SECRET``: its name or ARN)
or a SecureString in SSM Parameter Store (``CONTINUATION_KEY_PARAMETER``: its name), read through Powertools'
parameters utility, which caches it in the execution environment for ``max_age`` seconds (Powertools' default,
``POWERTOOLS_PARAMETERS_MAX_AGE``, 300 s). The value is one key, or a JSON array of keys, newest first: tokens
are signed with the first and accepted with any, so a key can be rotated without cutting off existing tokens.

Importing this module costs the standard library only; Powertools (and boto3) load on the first key read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import struct
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from common import contract
from common.refusals import RefusedError

ENV_KEY_SECRET: Final = contract.ENV_CONTINUATION_KEY_SECRET
"""Environment variable: the Secrets Manager secret (name or ARN) that holds the key."""
ENV_KEY_PARAMETER: Final = contract.ENV_CONTINUATION_KEY_PARAMETER
"""Environment variable: the SSM Parameter Store parameter (a SecureString) that holds the key."""

REHYDRATION_WINDOW_SECONDS: Final = 730 * 24 * 3600
"""How long a token may live: Connect keeps contact information for 24 months and then deletes it
(DescribeContact API reference), and persistent chat documents no shorter window, so a source contact cannot be
rehydrated after that."""
DEFAULT_TTL_SECONDS: Final = REHYDRATION_WINDOW_SECONDS
"""A token's lifetime unless the issuer asks for less."""
MIN_KEY_BYTES: Final = 32
"""Shortest accepted key: 256 bits, the HMAC-SHA256 output size."""
MAX_TOKEN_LENGTH: Final = 512
"""Longest token looked at; anything longer is refused before decoding."""
MAX_CONTACT_ID_LENGTH: Final = 256
"""A contact id's maximum length in the Connect API (``ContactId`` shape)."""

_VERSION: Final = 1
_HEADER: Final = struct.Struct(">BI")
_CONTEXT: Final = b"connect-chat/continuation\x00"
_BASE64URL: Final = re.compile(r"[A-Za-z0-9_-]+")


class ContinuationError(Exception):
    """Root of this module's errors."""


class InvalidContinuationTokenError(ContinuationError):
    """The token is malformed, was not signed with an accepted key, or names no usable contact.

    The message says which, never what the token contains; answer the client as for a wrong token.
    """


class ExpiredContinuationTokenError(InvalidContinuationTokenError):
    """The token was genuine but its expiry has passed."""

    def __init__(self, expires_at: int) -> None:
        super().__init__(f"the continuation token expired at {expires_at} (Unix seconds)")
        self.expires_at = expires_at


class ContinuationKeyError(ContinuationError):
    """The key is not configured, cannot be read, or is unusable; the message says what to change."""


class ContinuationRefusedError(RefusedError):
    """A start that sent a continuation token this deployment cannot accept (not one it issued, expired, or its
    key cannot be read): answered ``INVALID_CONTINUATION_TOKEN`` with the entry point's ``message``."""

    def __init__(self, message: str) -> None:
        super().__init__(400, "INVALID_CONTINUATION_TOKEN", message)


@dataclass(frozen=True)
class Continuation:
    """What a verified token proves.

    Attributes
    ----------
    source_contact_id
        The contact the client took part in: ``PersistentChat.SourceContactId``.
    expires_at
        When the token stops being accepted (Unix seconds).
    """

    source_contact_id: str
    expires_at: int


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued.

    Attributes
    ----------
    token
        What the client sends back to continue the chat.
    expires_at
        When the token stops being accepted (Unix seconds), as the token itself records it.
    """

    token: str
    expires_at: int


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    if not _BASE64URL.fullmatch(text):
        raise InvalidContinuationTokenError("the continuation token is malformed")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidContinuationTokenError("the continuation token is malformed") from exc
    if _encode(raw) != text:  # one spelling per token
        raise InvalidContinuationTokenError("the continuation token is malformed")
    return raw


class ContinuationKeys:
    """The signing key and every key still accepted (the signing key first).

    Parameters
    ----------
    keys : Sequence[bytes]
        Newest first; each at least :data:`MIN_KEY_BYTES` long.
    """

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ContinuationKeyError("no continuation key is configured")
        for index, key in enumerate(keys):
            if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
                length = len(key) if isinstance(key, bytes) else 0
                raise ContinuationKeyError(
                    f"continuation key {index + 1} is {length} bytes; it must be at least {MIN_KEY_BYTES} random "
                    "bytes (e.g. the output of `openssl rand -base64 48`)"
                )
        self._keys = tuple(keys)

    def __repr__(self) -> str:
        return f"ContinuationKeys({len(self._keys)} keys)"

    @classmethod
    def from_value(cls, value: str | bytes) -> ContinuationKeys:
        """Keys from a stored value: one key, or a JSON array of keys (strings), newest first."""
        if isinstance(value, bytes):
            return cls([value])
        text = value.strip()
        if text.startswith("["):
            try:
                listed = json.loads(text)
            except ValueError as exc:
                raise ContinuationKeyError(
                    "the continuation key value starts with '[' but is not a JSON array"
                ) from exc
            if not isinstance(listed, list) or not all(isinstance(k, str) for k in listed):
                raise ContinuationKeyError("the continuation key value must be a key or a JSON array of key strings")
            return cls([k.encode("utf-8") for k in listed])
        return cls([text.encode("utf-8")])

    def _mac(self, key: bytes, payload: bytes) -> bytes:
        return hmac.new(key, _CONTEXT + payload, hashlib.sha256).digest()

    def issue(self, source_contact_id: str, *, ttl: int = DEFAULT_TTL_SECONDS, now: float | None = None) -> str:
        """A token for ``source_contact_id``, valid for ``ttl`` seconds (at most :data:`REHYDRATION_WINDOW_SECONDS`).

        Raises
        ------
        ValueError
            An empty or over-long contact id, or a ``ttl`` out of range.
        """
        return self.issue_with_expiry(source_contact_id, ttl=ttl, now=now).token

    def issue_with_expiry(
        self, source_contact_id: str, *, ttl: int = DEFAULT_TTL_SECONDS, now: float | None = None
    ) -> IssuedToken:
        """Like :meth:`issue`, with the expiry the token records.

        Raises
        ------
        ValueError
            An empty or over-long contact id, or a ``ttl`` out of range.
        """
        if not isinstance(source_contact_id, str) or not 1 <= len(source_contact_id) <= MAX_CONTACT_ID_LENGTH:
            raise ValueError(f"source_contact_id must be 1 to {MAX_CONTACT_ID_LENGTH} characters")
        if not isinstance(ttl, int) or not 1 <= ttl <= REHYDRATION_WINDOW_SECONDS:
            raise ValueError(f"ttl must be 1 to {REHYDRATION_WINDOW_SECONDS} seconds, got {ttl!r}")
        expires_at = int(time.time() if now is None else now) + ttl
        payload = _HEADER.pack(_VERSION, expires_at) + source_contact_id.encode("utf-8")
        return IssuedToken(f"{_encode(payload)}.{_encode(self._mac(self._keys[0], payload))}", expires_at)

    def verify(self, token: Any, *, now: float | None = None) -> Continuation:
        """The contact ``token`` was issued for.

        Raises
        ------
        InvalidContinuationTokenError
            Malformed, or not signed with one of these keys (the MAC is checked before anything else).
        ExpiredContinuationTokenError
            Genuine but expired.
        """
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
            raise InvalidContinuationTokenError("the continuation token is malformed")
        encoded_payload, encoded_mac = token.split(".")
        payload, mac = _decode(encoded_payload), _decode(encoded_mac)
        matched = False
        for key in self._keys:  # every key, so the time taken does not depend on which one matches
            matched |= hmac.compare_digest(self._mac(key, payload), mac)
        if not matched:
            raise InvalidContinuationTokenError("the continuation token's signature does not match")
        if len(payload) <= _HEADER.size:
            raise InvalidContinuationTokenError("the continuation token is malformed")
        version, expires_at = _HEADER.unpack_from(payload)
        if version != _VERSION:
            raise InvalidContinuationTokenError(f"the continuation token has an unknown version {version}")
        try:
            contact_id = payload[_HEADER.size :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidContinuationTokenError("the continuation token is malformed") from exc
        if (time.time() if now is None else now) >= expires_at:
            raise ExpiredContinuationTokenError(expires_at)
        return Continuation(source_contact_id=contact_id, expires_at=expires_at)


def load_keys(
    env: Mapping[str, str] | None = None, *, provider: Any = None, max_age: int | None = None
) -> ContinuationKeys:
    """The keys, read from Secrets Manager or Parameter Store through Powertools (cached for ``max_age``).

    Parameters
    ----------
    env : Mapping[str, str], optional
        Where to find :data:`ENV_KEY_SECRET` or :data:`ENV_KEY_PARAMETER` (exactly one); ``os.environ`` by default.
    provider : optional
        A Powertools ``SecretsProvider`` or ``SSMProvider`` (matching the variable that is set), e.g. with an
        injected boto3 client; by default Powertools' own ``get_secret`` / ``get_parameter``.
    max_age : int, optional
        Seconds the value is cached; Powertools' default (``POWERTOOLS_PARAMETERS_MAX_AGE``, 300 s) when ``None``.

    Raises
    ------
    ContinuationKeyError
        Neither or both variables set, the value cannot be read, or it is not a usable key.
    """
    env = os.environ if env is None else env
    secret = env.get(ENV_KEY_SECRET, "").strip()
    parameter = env.get(ENV_KEY_PARAMETER, "").strip()
    if bool(secret) == bool(parameter):
        raise ContinuationKeyError(
            f"set exactly one of {ENV_KEY_SECRET} (a Secrets Manager secret name or ARN) or {ENV_KEY_PARAMETER} "
            "(an SSM Parameter Store SecureString name) to where the continuation key is stored"
            + ("; both are set" if secret else "")
        )
    from aws_lambda_powertools.utilities import parameters  # loaded on first use: it brings boto3

    try:
        if secret:
            value = (provider.get if provider is not None else parameters.get_secret)(secret, max_age=max_age)
        else:
            fetch = provider.get if provider is not None else parameters.get_parameter
            value = fetch(parameter, decrypt=True, max_age=max_age)
    except Exception as exc:  # GetParameterError, botocore errors, a provider's own failures
        where = f"Secrets Manager secret {secret!r}" if secret else f"SSM parameter {parameter!r}"
        raise ContinuationKeyError(f"cannot read the continuation key from {where}: {exc}") from exc
    if not isinstance(value, str | bytes):
        raise ContinuationKeyError("the continuation key must be stored as a string")
    return ContinuationKeys.from_value(value)


def issue_token(source_contact_id: str, *, ttl: int = DEFAULT_TTL_SECONDS, now: float | None = None) -> str:
    """:meth:`ContinuationKeys.issue` with the configured keys (see :func:`load_keys`)."""
    return load_keys().issue(source_contact_id, ttl=ttl, now=now)


def verify_token(token: Any, *, now: float | None = None) -> Continuation:
    """:meth:`ContinuationKeys.verify` with the configured keys (see :func:`load_keys`)."""
    return load_keys().verify(token, now=now)


def offer_token(contact_id: str, warn: Callable[..., object]) -> IssuedToken | None:
    """The token a client of the chat ``contact_id`` may send back to continue it, when persistent chat is on.

    Parameters
    ----------
    contact_id : str
        The chat the token is for.
    warn : callable
        A logger's ``warning``: told (with the exception) when the key cannot be read.

    Returns
    -------
    IssuedToken or None
        ``None`` when persistent chat is off or the key cannot be read: the chat goes on without a token.
    """
    if not configured():
        return None
    try:
        return load_keys().issue_with_expiry(contact_id)
    except ContinuationError:
        warn("No continuation token: the key cannot be read", exc_info=True)
        return None


def continued_contact(token: str | None, *, refusal: str) -> str | None:
    """The contact a start's continuation token names (``None`` when the start sent none).

    Parameters
    ----------
    token : str or None
        The continuation token the client sent.
    refusal : str
        The message a refusal carries, in the entry point's words.

    Raises
    ------
    ContinuationRefusedError
        The token is not one the configured keys signed, has expired, or the key cannot be read.
    """
    if token is None:
        return None
    try:
        return verify_token(token).source_contact_id
    except ContinuationError:
        raise ContinuationRefusedError(refusal) from None


def configured(env: Mapping[str, str] | None = None) -> bool:
    """Whether the deployment has persistent chat on (a key location is set)."""
    env = os.environ if env is None else env
    return bool(env.get(ENV_KEY_SECRET, "").strip() or env.get(ENV_KEY_PARAMETER, "").strip())
