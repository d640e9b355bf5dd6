"""An app-scoped memo for view models, keyed by validated state.

View models are pure functions of (registry, state); states are frozen and hashable. A panel
creates one :class:`ViewMemo` in its ``register_callbacks`` (so each app built in a process has
its own, and nothing lives at module level) and asks it for models; repeated requests for the
same state — the common case when many users open the same shared link, or a page re-renders
after an export — cost a dictionary lookup.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from data import Registry

S = TypeVar("S", bound=Hashable)
V = TypeVar("V")

#: Distinct states kept per view (least recently used dropped first). Measured under the soak
#: (notes/issue-14-export.md, "Session 4"): Python's allocated blocks in a worker grew by 34.5 MB
#: while its memos took 436 new entries (~80 KB each; ~120 KB over the first 3 minutes), and a
#: worker has seven memos. At 128 entries they kept filling for the soak's whole 15 minutes,
#: towards ~100 MB a worker; 32 keeps them near 3-4 MB each (~25 MB a worker), full within
#: minutes, and still holds every state a shared link or an export brings back.
DEFAULT_MAX_ENTRIES = 32
#: What one entry holds (the higher figure above); the memo test holds the bound to it.
MEASURED_ENTRY_BYTES = 120_000


class ViewMemo(Generic[S, V]):
    """Least-recently-used cache of ``build(registry, state)``; thread-safe (gthread workers)."""

    def __init__(
        self, build: Callable[[Registry, S], V], max_entries: int = DEFAULT_MAX_ENTRIES
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._build = build
        self._max = max_entries
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, int, S], V] = OrderedDict()
        self._dependents: list[ViewMemo[S, object]] = []

    def clears_with(self, dependent: ViewMemo[S, object]) -> None:
        """``clear()`` on this memo also clears ``dependent``: a memo of what is rendered from
        this one's models must not serve what a cleared model would no longer give."""
        self._dependents.append(dependent)

    def __call__(self, registry: Registry, state: S) -> V:
        # The registry is read-only; its data version plus identity tells two registries apart
        # (tests build several in one process).
        key = (registry.data_version, id(registry), state)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = self._build(registry, state)
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
        for dependent in self._dependents:
            dependent.clear()
