"""``json.loads`` for the protocol's hot path.

Frames and their contents are parsed with the standard decoder's :meth:`json.JSONDecoder.raw_decode`, which
skips ``json.loads``'s wrapper (type checks and two whitespace scans) when the text is a ``str`` holding one
JSON document with nothing around it, as the service sends them. Anything else goes through ``json.loads``
itself, so results and errors are exactly ``json.loads``'s.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["loads"]

_raw_decode = json.JSONDecoder().raw_decode


def loads(text: str | bytes) -> Any:
    """Parse one JSON document, like :func:`json.loads`."""
    if type(text) is str:
        try:
            value, end = _raw_decode(text)
        except ValueError:
            pass  # leading whitespace or invalid: json.loads decides, with its own message
        else:
            if end == len(text):
                return value
    return json.loads(text)
