"""Reading the JSON of interactive messages: each reader checks one field and names it by its path.

Errors are :class:`~connect_chat.errors.InvalidArgumentError` with the field's path in the template's own
names (``data.content.elements[2].title``) and the rule in JSON's words (a string, an array, ...).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import InvalidArgumentError


def kind(value: Any) -> str:
    """The JSON kind of ``value``, as an error message names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, Sequence):
        return "an array"
    return "not JSON"


def load_object(content: str | bytes | Mapping[str, Any], what: str) -> Mapping[str, Any]:
    """``content`` as a JSON object (parsing it when it is text); ``what`` names it in errors."""
    if isinstance(content, Mapping):
        return content
    if not isinstance(content, str | bytes):
        raise InvalidArgumentError("content", f"must be the JSON text of {what}, got {kind(content)}")
    try:
        value = json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise InvalidArgumentError("content", f"is not valid JSON for {what}: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidArgumentError("content", f"must be a JSON object for {what}, got {kind(value)}")
    return value


def text(value: Any, path: str, *, required: bool = False) -> str | None:
    """A string field; a required one must not be empty or blank."""
    if value is None:
        if required:
            raise InvalidArgumentError(path, "is required")
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError(path, f"must be a string, got {kind(value)}")
    if required and not value.strip():
        raise InvalidArgumentError(path, "must not be empty")
    return value


def required_text(value: Any, path: str) -> str:
    """A required, non-empty string field."""
    checked = text(value, path, required=True)
    assert checked is not None
    return checked


def obj(value: Any, path: str, *, required: bool = False) -> Mapping[str, Any] | None:
    """An object field."""
    if value is None:
        if required:
            raise InvalidArgumentError(path, "is required")
        return None
    if not isinstance(value, Mapping):
        raise InvalidArgumentError(path, f"must be an object, got {kind(value)}")
    return value


def required_obj(value: Any, path: str) -> Mapping[str, Any]:
    """A required object field."""
    checked = obj(value, path, required=True)
    assert checked is not None
    return checked


def items(value: Any, path: str, low: int, high: int, owner: str) -> Sequence[Any]:
    """A required array field with ``low`` to ``high`` items (``owner`` names the template in errors)."""
    if value is None:
        raise InvalidArgumentError(path, f"is required ({low} to {high} items)")
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise InvalidArgumentError(path, f"must be an array, got {kind(value)}")
    if not low <= len(value) <= high:
        raise InvalidArgumentError(path, f"has {len(value)} items; {owner} allows {low} to {high}")
    return value


def number(
    value: Any, path: str, *, required: bool = False, low: float | None = None, high: float | None = None
) -> float | int | None:
    """A number field, within ``low``..``high`` when given."""
    if value is None:
        if required:
            raise InvalidArgumentError(path, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgumentError(path, f"must be a number, got {kind(value)}")
    if not math.isfinite(value):
        raise InvalidArgumentError(path, f"must be a finite number, got {value}")
    if low is not None and high is not None and not low <= value <= high:
        raise InvalidArgumentError(path, f"must be between {low:g} and {high:g}, got {value:g}")
    if low is not None and value < low:
        raise InvalidArgumentError(path, f"must be at least {low:g}, got {value:g}")
    return value


def integer(value: Any, path: str, *, required: bool = False, low: int | None = None) -> int | None:
    """A whole-number field (``60`` or ``60.0``), at least ``low`` when given."""
    checked = number(value, path, required=required, low=low)
    if checked is None:
        return None
    if checked != int(checked):
        raise InvalidArgumentError(path, f"must be a whole number, got {checked:g}")
    return int(checked)


def one_of(value: Any, path: str, allowed: Sequence[str], *, required: bool = False) -> str | None:
    """A string field from a closed set."""
    checked = text(value, path, required=required)
    if checked is not None and checked not in allowed:
        raise InvalidArgumentError(path, f"got {checked!r}", allowed)
    return checked


def extra(mapping: Mapping[str, Any], known: Sequence[str]) -> dict[str, Any]:
    """The members of ``mapping`` that a model does not name (kept, so that nothing is lost)."""
    return {key: value for key, value in mapping.items() if key not in known}


def without_none(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """``mapping`` without the members whose value is ``None`` (absent optional fields)."""
    return {key: value for key, value in mapping.items() if value is not None}


def dumps(value: Mapping[str, Any]) -> str:
    """Compact JSON as the templates and answers travel (non-ASCII kept as it is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
