"""Timings of loading the evidence base (the app does this once at start-up).

* cold: ``import data; data.load_registry()`` in a fresh interpreter (subprocess), i.e. what
  start-up pays: Python + pydantic imports, SHA-256 of every data file, TOML parse, CSV read,
  schema validation and cross-reference checks;
* import only: ``import data`` in a fresh interpreter (to separate import cost from loading);
* warm: ``load_uncached(root)`` repeated in one process (validation work only);
* evidence rows / CSV export: building the long table and the CSV bytes from a loaded registry.

Usage: ``.venv/bin/python benchmarks/bench_data_load.py [--repeats 20]``
Reported in notes/issue-03.md. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data.export import export_bytes  # noqa: E402 - path set up above for direct execution
from data.loader import DEFAULT_ROOT, load_uncached  # noqa: E402


def fresh(code: str, repeats: int) -> list[float]:
    """Wall time (s) of ``python -c code`` in fresh interpreters, timed inside the child."""
    times = []
    wrapped = f"import time; t=time.perf_counter(); {code}; print(time.perf_counter()-t)"
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", wrapped], cwd=ROOT, capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return times


def timed(fn: object, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: list[float]) -> None:
    med = statistics.median(times) * 1000
    print(f"{label:<42} median {med:8.1f} ms   min {min(times) * 1000:8.1f} ms   n={len(times)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    cold_repeats = max(3, args.repeats // 4)
    report(
        "cold: import data + load_registry()",
        fresh("import data; data.load_registry()", cold_repeats),
    )
    report("cold: import data only", fresh("import data", cold_repeats))
    registry = load_uncached(DEFAULT_ROOT)
    report("warm: load_uncached(data/)", timed(lambda: load_uncached(DEFAULT_ROOT), args.repeats))
    report("evidence_rows()", timed(registry.evidence_rows, args.repeats))
    report("export_bytes(csv)", timed(lambda: export_bytes(registry, "csv"), args.repeats))
    rows = registry.evidence_rows()
    files = sum(1 for _ in (DEFAULT_ROOT / "trials").rglob("*") if _.is_file())
    size = sum(p.stat().st_size for p in (DEFAULT_ROOT / "trials").rglob("*") if p.is_file())
    print(
        f"data: {len(registry.trials)} trials, {files} files, {size / 1024:.0f} KiB, "
        f"{len(rows)} evidence rows, data_version {registry.data_version}"
    )


if __name__ == "__main__":
    main()
