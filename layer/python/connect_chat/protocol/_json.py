"""``json.loads`` for the protocol's hot path: two parses per websocket frame (the envelope and the item).

With `orjson <https://pypi.org/project/orjson/>`_ installed (optional; about three times faster) it parses
first; without it, :meth:`json.JSONDecoder.raw_decode` parses a ``str`` that holds one JSON document with
nothing around it, skipping ``json.loads``'s wrapper. Whatever either of them refuses (NaN, lone surrogates,
surrounding whitespace, invalid text...) goes to ``json.loads`` itself, so results and errors are
``json.loads``'s, with one difference under orjson: an integer beyond the 64-bit range (none in the
protocol's own fields) becomes a float.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["FAST_PARSER", "loads", "loads_standard"]

_raw_decode = json.JSONDecoder().raw_decode


def _accelerated() -> tuple[Callable[[str | bytes], Any], type[Exception]] | None:
    try:
        import orjson
    except ImportError:  # optional: the standard library does the job, a little slower
        return None
    return orjson.loads, orjson.JSONDecodeError


_fast = _accelerated()
_fast_loads = _fast[0] if _fast is not None else None
_FastParseError: type[Exception] = _fast[1] if _fast is not None else ValueError

FAST_PARSER: str | None = "orjson" if _fast is not None else None
"""The accelerated parser in use, or None."""


def loads_standard(text: str | bytes) -> Any:
    """Parse one JSON document, like :func:`json.loads`, with the standard library only."""
    if type(text) is str:
        try:
            value, end = _raw_decode(text)
        except ValueError:
            pass  # leading whitespace or invalid: json.loads decides, with its own message
        else:
            if end == len(text):
                return value
    return json.loads(text)


def loads(text: str | bytes) -> Any:
    """Parse one JSON document, like :func:`json.loads`."""
    if _fast_loads is not None and (type(text) is str or type(text) is bytes):
        try:
            return _fast_loads(text)
        except _FastParseError:
            return json.loads(text)  # what orjson refuses, json.loads accepts or explains
    return loads_standard(text)
