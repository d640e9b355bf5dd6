"""Memoise pure functions of the registry by the registry's identity.

Allow-lists and other facts derived from the registry (which comparisons exist, which PD-L1
keys, the arm order behind the colours) are constant for a loaded registry, and views ask for
them on every request. ``functools.lru_cache`` would key them by ``hash(registry)``, but
:class:`data.Registry` is a frozen dataclass whose hash walks every trial model: about 12 ms per
call on the shipped evidence base (measured with ``timeit`` on ``hash(load_registry())``), more
than the rest of a forest request. :func:`per_registry` keys by identity instead and holds the
registry weakly, so a registry that is no longer used (tests build several) is not kept alive
and its identity cannot be mistaken for a new object's.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from typing import TypeVar

from data import Registry

T = TypeVar("T")

#: Registries remembered per function (the app has one; tests build a few).
MAX_REGISTRIES = 8


def per_registry(fn: Callable[[Registry], T]) -> Callable[[Registry], T]:
    """``fn(registry)`` computed once per registry object (thread-safe, bounded)."""
    cache: dict[int, tuple[weakref.ref[Registry], T]] = {}
    lock = threading.Lock()

    @functools.wraps(fn)
    def wrapper(registry: Registry) -> T:
        hit = cache.get(id(registry))
        if hit is not None and hit[0]() is registry:
            return hit[1]
        value = fn(registry)
        with lock:
            if len(cache) >= MAX_REGISTRIES:
                cache.clear()
            cache[id(registry)] = (weakref.ref(registry), value)
        return value

    return wrapper
