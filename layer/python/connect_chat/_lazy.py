"""Names a package hands on without importing their modules until first use (PEP 562).

A Lambda handler that needs the stateless mode should not pay for the asyncio mode's modules at cold start.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    namespace: dict[str, Any], exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module ``__getattr__`` and ``__dir__`` for a package whose ``exports`` map a name to its module.

    Parameters
    ----------
    namespace : dict
        The package's ``globals()``; a name is stored there once loaded, so later lookups are plain.
    exports : Mapping[str, str]
        Exported name -> the module (absolute dotted path) that defines it.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
