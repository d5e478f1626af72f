"""Reading one CDK context value: text, integers within bounds, flags, choices and patterns.

Every reader takes ``get`` (the context lookup) and the key, and raises :class:`ConfigError` whose message names the
key, the rule it broke and how to pass it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from common import contract

#: A ``module:function`` name: a message hook, a connection authorizer or a challenge verifier.
MODULE_FUNCTION: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$")


class ConfigError(ValueError):
    """A missing or invalid context value; the message names the key and how to pass it."""


def how(key: str, example: str = "...") -> str:
    """Say how to pass context value ``key``."""
    return f"pass it with `-c {key}={example}` (npx cdk deploy -c {key}={example}) or set it in cdk.json's context"


def text(get: Callable[[str], Any], key: str) -> str | None:
    """Return the value of ``key`` as stripped text, or None when it is unset or blank."""
    value = get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ConfigError(f"context value {key} must be a string, got {value!r}; {how(key)}")
    stripped = str(value).strip()
    return stripped or None


def integer(get: Callable[[str], Any], key: str, default: int, low: int, high: int) -> int:
    """Return ``key`` as an integer within ``low``..``high``, or ``default`` when it is unset."""
    raw = get(key)
    if raw is None or raw == "":
        return default
    try:
        if isinstance(raw, bool | float):
            raise ValueError(raw)
        value = int(str(raw).strip())
    except ValueError as exc:
        raise ConfigError(f"context value {key} must be an integer between {low} and {high}, got {raw!r}") from exc
    if not low <= value <= high:
        raise ConfigError(f"context value {key} must be between {low} and {high}, got {value}")
    return value


def bounded(get: Callable[[str], Any], key: str, bounds: contract.Bounds) -> int:
    """Return ``key`` as an integer within ``bounds`` (the contract's default, lowest and highest value)."""
    return integer(get, key, bounds.default, bounds.low, bounds.high)


def choice(get: Callable[[str], Any], key: str, default: str, choices: tuple[str, ...], *, upper: bool = False) -> str:
    """Return ``key`` as one of ``choices`` (case-folded), or ``default`` when it is unset."""
    value = text(get, key)
    if value is None:
        return default
    value = value.upper() if upper else value.lower()
    if value not in choices:
        raise ConfigError(f"context value {key} must be one of {', '.join(choices)}, got {value!r}")
    return value


def flag(get: Callable[[str], Any], key: str, *, default: bool) -> bool:
    """Return ``key`` as a boolean (true or false), or ``default`` when it is unset."""
    raw = get(key)
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    answer = str(raw).strip().lower()
    if answer not in ("true", "false"):
        raise ConfigError(f"context value {key} must be true or false, got {raw!r}")
    return answer == "true"


def matching(get: Callable[[str], Any], key: str, default: str, pattern: re.Pattern[str], what: str) -> str:
    """Return ``key`` when it matches ``pattern`` (described as ``what``), or ``default`` when it is unset."""
    value = text(get, key)
    if value is None:
        return default
    if not pattern.match(value):
        raise ConfigError(f"context value {key} must be {what}, got {value!r}")
    return value


def optional_matching(get: Callable[[str], Any], key: str, pattern: re.Pattern[str], what: str) -> str:
    """Return ``key`` when it matches ``pattern``, or an empty string when it is unset."""
    return matching(get, key, "", pattern, what)


def optional_module_function(get: Callable[[str], Any], key: str) -> str:
    """Return ``key`` when it is a ``module:function`` name, or an empty string when it is unset."""
    return optional_matching(get, key, MODULE_FUNCTION, "a module:function name")
