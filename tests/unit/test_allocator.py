"""components.allocator: the glibc malloc settings of the server processes (issue 14, soak).

Each check runs in a fresh interpreter (malloc settings are per process and cannot be read back),
once with :func:`components.allocator.tune_malloc` and once without, so that each test shows
the default behaviour it corrects: without the tuning the same probe fails the assertion.
Why these settings: notes/issue-14-export.md, "Session 4" (a soak's worker RSS grew 20-23 % in
10 minutes, mostly memory glibc kept after ``free``).
"""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from components import allocator

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not allocator.is_glibc(), reason="glibc malloc settings")

# Six threads alive at once, each allocating: glibc gives each new thread its own heap up to
# 8 x cores, so untuned there are 7 heaps (main + 6) on any machine with 1 core or more.
ARENAS_PROBE = """
import ctypes, os, sys, threading
sys.path.insert(0, {root!r})
if {tune}:
    from components.allocator import tune_malloc
    tune_malloc({{}})
barrier = threading.Barrier(6)
keep = []
def work():
    keep.append(bytearray(200_000))
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(6)]
for t in threads: t.start()
for t in threads: t.join()
os.dup2(1, 2)  # malloc_stats writes to stderr
sys.stdout.flush()
ctypes.CDLL(None).malloc_stats()
"""

# Free an 8 MB block (mmapped), then take 1 MB: with glibc's sliding threshold the 1 MB block
# now comes from the heap (no new mmapped block); with the fixed threshold it is mmapped.
MMAP_PROBE = """
import ctypes, json, sys
sys.path.insert(0, {root!r})
if {tune}:
    from components.allocator import tune_malloc
    tune_malloc({{}})
class MI2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MI2
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
libc.free(libc.malloc(8 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(1 << 20)
print(json.dumps({{"new_mmapped_blocks": libc.mallinfo2().hblks - before}}))
libc.free(block)
"""


def _run(probe: str, tune: bool) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_TUNABLES"))}
    out = subprocess.run(
        [sys.executable, "-c", probe.format(root=str(ROOT), tune=tune)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return out.stdout


def _arenas(tune: bool) -> int:
    return sum(1 for line in _run(ARENAS_PROBE, tune).splitlines() if line.startswith("Arena "))


def test_threads_share_at_most_two_heaps() -> None:
    assert _arenas(tune=False) == 7  # glibc's default: one heap per thread (main + 6)
    assert _arenas(tune=True) == allocator.ARENA_MAX == 2


def test_large_blocks_stay_mmapped_after_a_larger_one_was_freed() -> None:
    untuned = json.loads(_run(MMAP_PROBE, tune=False))
    tuned = json.loads(_run(MMAP_PROBE, tune=True))
    assert untuned["new_mmapped_blocks"] == 0  # the threshold slid up to 8 MB
    assert tuned["new_mmapped_blocks"] == 1  # fixed at 128 KiB: returned to the kernel on free


def test_operator_settings_are_left_alone() -> None:
    assert allocator.operator_settings({}) == set()
    assert allocator.operator_settings({"MALLOC_ARENA_MAX": "4"}) == {"arena_max"}
    tunables = {"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=1"}
    assert allocator.operator_settings(tunables) == {"mmap_threshold", "trim_threshold"}
    # Applied in this process too (harmless): only what the environment does not set.
    assert allocator.tune_malloc({"MALLOC_ARENA_MAX": "4"}) == {
        "mmap_threshold": allocator.MMAP_THRESHOLD_BYTES,
        "trim_threshold": allocator.TRIM_THRESHOLD_BYTES,
    }


def test_gunicorn_tunes_every_worker_before_it_serves() -> None:
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    applied: list[dict[str, int]] = []

    class Log:
        def info(self, text: str, *args: object) -> None:
            applied.append(args[0] if args and isinstance(args[0], dict) else {})

    class Worker:
        log = Log()

    config["post_fork"](object(), Worker())
    assert applied and set(applied[0]) == {"arena_max", "mmap_threshold", "trim_threshold"}
