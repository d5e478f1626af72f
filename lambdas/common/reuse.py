"""Building something once per execution environment, safely when invocations share it across threads.

Lambda runs one invocation at a time per environment, but a host that runs handlers in threads (the local
stack) would otherwise race ``functools.lru_cache`` on a cold start and build a costly client once per thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

_T = TypeVar("_T")
_K = TypeVar("_K", bound=Hashable)


class BuiltOnce(Generic[_T]):
    """A zero-argument factory whose result is built by the first call and shared by every later one."""

    def __init__(self, factory: Callable[[], _T]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._built: list[_T] = []
        self.__doc__ = factory.__doc__

    def __call__(self) -> _T:
        if not self._built:
            with self._lock:
                if not self._built:
                    self._built.append(self._factory())
        return self._built[0]

    def cache_clear(self) -> None:
        """Forget what was built (tests change the environment between cases)."""
        with self._lock:
            self._built.clear()


class BuiltPerKey(Generic[_K, _T]):
    """A one-argument factory whose result is built once per argument (at most ``maxsize`` kept)."""

    def __init__(self, factory: Callable[[_K], _T], maxsize: int) -> None:
        self._factory = factory
        self._maxsize = maxsize
        self._lock = threading.Lock()
        self._built: dict[_K, _T] = {}
        self.__doc__ = factory.__doc__

    def __call__(self, key: _K) -> _T:
        built = self._built.get(key)
        if built is None:
            with self._lock:
                built = self._built.get(key)
                if built is None:
                    if len(self._built) >= self._maxsize:
                        self._built.pop(next(iter(self._built)))
                    built = self._built[key] = self._factory(key)
        return built

    def cache_clear(self) -> None:
        """Forget what was built."""
        with self._lock:
            self._built.clear()


def built_once(factory: Callable[[], _T]) -> BuiltOnce[_T]:
    """Decorate a zero-argument factory: see :class:`BuiltOnce`."""
    return BuiltOnce(factory)


def built_per_key(maxsize: int) -> Callable[[Callable[[_K], _T]], BuiltPerKey[_K, _T]]:
    """Decorate a one-argument factory: see :class:`BuiltPerKey`."""
    return lambda factory: BuiltPerKey(factory, maxsize)
