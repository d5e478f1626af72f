"""Reading the fields of a decoded JSON object with protocol-worded errors (client frames, request bodies).

Small on purpose: it runs on every frame, inside the functions' cold start budget, where a model library's
import would cost more than the whole check. Every problem is a :class:`FieldError` naming the field (dotted
for nested objects) and the rule, never a Python type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class FieldError(ValueError):
    """A field breaks a rule: ``field`` is its dotted name, ``problem`` the rule in words."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class Fields:
    """The fields of one JSON object; call :meth:`finish` last to refuse the ones no reader asked for.

    Parameters
    ----------
    data : Mapping
        The decoded object.
    prefix : str
        Prepended to field names in errors (``"ParticipantDetails."`` for a nested object).
    known : tuple of str
        Fields read elsewhere (e.g. ``action``) that :meth:`finish` must not refuse.
    """

    def __init__(self, data: Mapping[str, Any], *, prefix: str = "", known: tuple[str, ...] = ()) -> None:
        self.data = data
        self.prefix = prefix
        self.read = set(known)

    def fail(self, name: str, problem: str) -> FieldError:
        return FieldError(f"{self.prefix}{name}", problem)

    def _get(self, name: str) -> Any:
        self.read.add(name)
        return self.data.get(name)

    def text(self, name: str, *, low: int = 1, high: int, required: bool = False) -> str | None:
        """A string of ``low`` to ``high`` characters (``None`` when absent and not required)."""
        value = self._get(name)
        if value is None:
            if required:
                raise self.fail(name, "is required")
            return None
        if not isinstance(value, str):
            raise self.fail(name, "must be a string")
        if len(value) < low:
            raise self.fail(name, "must not be empty" if low == 1 else f"must be at least {low} characters")
        if len(value) > high:
            raise self.fail(name, f"must be at most {high} characters")
        return value

    def required_text(self, name: str, *, low: int = 1, high: int) -> str:
        """Like :meth:`text`, and the field must be there."""
        value = self.text(name, low=low, high=high, required=True)
        assert value is not None
        return value

    def integer(self, name: str, *, low: int, high: int) -> int | None:
        """A whole number in ``[low, high]`` (``None`` when absent)."""
        value = self._get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(name, f"must be a whole number between {low} and {high}")
        if not low <= value <= high:
            raise self.fail(name, f"must be between {low} and {high}")
        return value

    def choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        """One of ``allowed`` (``None`` when absent)."""
        value = self._get(name)
        if value is None:
            return None
        if value not in allowed:
            raise self.fail(name, f"must be one of {', '.join(allowed)}")
        return str(value)

    def flag(self, name: str) -> bool | None:
        """``true`` or ``false`` (``None`` when absent)."""
        value = self._get(name)
        if value is None or isinstance(value, bool):
            return value
        raise self.fail(name, "must be true or false")

    def string_list(self, name: str, *, max_items: int, allowed: tuple[str, ...]) -> list[str] | None:
        """A list of distinct values out of ``allowed`` (``None`` when absent)."""
        value = self._get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not value:
            raise self.fail(name, f"must be a list of 1 to {max_items} of {', '.join(allowed)}")
        if len(value) > max_items:
            raise self.fail(name, f"must have at most {max_items} entries")
        for entry in value:
            if entry not in allowed:
                raise self.fail(name, f"entries must be among {', '.join(allowed)}")
        return [str(entry) for entry in value]

    def string_map(self, name: str, *, max_entries: int, max_key: int, max_value: int) -> dict[str, str]:
        """An object of string values (``{}`` when absent)."""
        value = self._get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(name, "must be an object of strings")
        if len(value) > max_entries:
            raise self.fail(name, f"must have at most {max_entries} entries")
        for key, entry in value.items():
            if not 1 <= len(key) <= max_key:
                raise self.fail(f"{name}.{key}", f"names must be 1 to {max_key} characters")
            if not isinstance(entry, str):
                raise self.fail(f"{name}.{key}", "must be a string")
            if len(entry) > max_value:
                raise self.fail(f"{name}.{key}", f"must be at most {max_value} characters")
        return dict(value)

    def nested(self, name: str, *, required: bool = False) -> Fields | None:
        """The fields of a nested object (``None`` when absent and not required)."""
        value = self._get(name)
        if value is None:
            if required:
                raise self.fail(name, "is required")
            return None
        if not isinstance(value, dict):
            raise self.fail(name, "must be an object")
        return Fields(value, prefix=f"{self.prefix}{name}.")

    def finish(self) -> None:
        """Refuse any field no reader asked for, naming the allowed ones."""
        unknown = sorted(str(key) for key in self.data if key not in self.read)
        if unknown:
            allowed = ", ".join(sorted(self.read))
            raise self.fail(unknown[0], f"is not a known field (fields: {allowed})")
