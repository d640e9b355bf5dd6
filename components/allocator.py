"""glibc malloc settings for the long-running server processes (gunicorn workers, ``app.py``).

Why (measured, notes/issue-14-export.md, "Session 4"): under the soak (8 browsing users and 2
exporting users on 2 gthread workers), glibc's free lists in each worker (memory given back by
``free`` that glibc kept) held 22-30 MB a minute after start and 35-85 MB later; with these
settings they stay at 2-5 MB, and each worker ended the 15-minute soak at 249-251 MB of RSS
instead of 285-286 MB. Two glibc defaults cause it in a threaded server:

* **One heap per thread, up to 8 x cores.** Every gunicorn request thread, the deck job thread,
  the kaleido loop thread and the short-lived body-timer threads (components.serving) get a
  heap ("arena") of their own; each keeps its own freed memory and fragments on its own.
* **A sliding mmap threshold.** A block above 128 KiB comes from ``mmap`` and goes back to the
  kernel on ``free`` - until glibc sees such a block freed, then it raises the threshold to that
  block's size (up to 32 MiB). After the first deck (a 1-2 MB pptx copied as bytes, base64,
  the cache's serialised copy and JSON) every response body, figure JSON and deck copy below
  that size is carved out of the heaps, where the holes it leaves are reused only by blocks
  that fit.

:func:`tune_malloc` caps the arenas at ``ARENA_MAX`` and fixes the mmap and trim thresholds at
glibc's own starting value (128 KiB), which also switches the sliding off. Each setting is left
alone when the operator set it through glibc's environment (``MALLOC_ARENA_MAX``,
``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_`` or ``GLIBC_TUNABLES``). On a C library
other than glibc (macOS, musl) nothing is done. The cost: a block of 128 KiB or more is a
``mmap``/``munmap`` pair (tens of microseconds, a few per callback), and threads share two
heaps (a lock each); the soak ran without errors either way.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Mapping

#: ``mallopt`` parameter numbers (glibc's malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

#: Heaps per process: the main one plus one shared by every other thread.
ARENA_MAX = 2
#: Blocks from this size up are mmapped and returned to the kernel when freed (glibc's default
#: starting value, kept fixed); free memory above this at a heap's top is given back too.
MMAP_THRESHOLD_BYTES = 128 * 1024
TRIM_THRESHOLD_BYTES = 128 * 1024

# setting: (mallopt parameter, value, glibc environment variable, GLIBC_TUNABLES name)
_SETTINGS: dict[str, tuple[int, int, str, str]] = {
    "arena_max": (M_ARENA_MAX, ARENA_MAX, "MALLOC_ARENA_MAX", "glibc.malloc.arena_max"),
    "mmap_threshold": (
        M_MMAP_THRESHOLD,
        MMAP_THRESHOLD_BYTES,
        "MALLOC_MMAP_THRESHOLD_",
        "glibc.malloc.mmap_threshold",
    ),
    "trim_threshold": (
        M_TRIM_THRESHOLD,
        TRIM_THRESHOLD_BYTES,
        "MALLOC_TRIM_THRESHOLD_",
        "glibc.malloc.trim_threshold",
    ),
}


def is_glibc() -> bool:
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError):
        return False


def operator_settings(env: Mapping[str, str]) -> set[str]:
    """The settings the environment already gives glibc (these are not overridden)."""
    tunables = env.get("GLIBC_TUNABLES", "")
    return {
        name
        for name, (_param, _value, variable, tunable) in _SETTINGS.items()
        if env.get(variable) or f"{tunable}=" in tunables
    }


def tune_malloc(env: Mapping[str, str] | None = None) -> dict[str, int]:
    """Apply the settings of the module docstring to this process; returns what was set.

    Call it early in the process that serves requests (gunicorn's ``post_fork``, before the
    worker starts its threads); settings are inherited by children forked later.
    """
    if not is_glibc():
        return {}
    libc = ctypes.CDLL(None)
    skip = operator_settings(os.environ if env is None else env)
    applied: dict[str, int] = {}
    for name, (param, value, _variable, _tunable) in _SETTINGS.items():
        if name not in skip and libc.mallopt(param, value) == 1:
            applied[name] = value
    return applied
