"""Building frozen, slotted dataclasses on hot paths without their generated ``__init__``.

A frozen dataclass's ``__init__`` sets each field with ``object.__setattr__(self, name, value)``; calling each
slot's own setter skips the name lookups and roughly halves the cost. The library does this only where an
object is built per frame or per transcript change, always setting every field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

__all__ = ["slot_setters"]


def slot_setters(cls: type, count: int) -> tuple[Callable[[Any, Any], None], ...]:
    """The setters of ``cls``'s fields, in field order.

    Raises
    ------
    RuntimeError
        When ``cls`` does not have exactly ``count`` fields (a field was added: update the code that builds it).
    """
    names = [f.name for f in fields(cls)]
    if len(names) != count:
        raise RuntimeError(f"{cls.__name__} has {len(names)} fields, its fast constructor sets {count}")
    return tuple(cls.__dict__[name].__set__ for name in names)
