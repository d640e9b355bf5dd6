"""Cost of validating damaged data: time, peak memory and report size (issue 14, finding 6).

Run: ``.venv/bin/python benchmarks/bench_data_damage.py [--tree PATH ...]``

Builds two damaged copies of the synthetic fixture root (tests/unit/fixtures_data) and runs
``python -m data --root <copy> validate`` on each, once per project tree given with ``--tree``
(default: this tree), so an old checkout and this one are measured side by side on the same
machine and moment:

* ``bad-rows``: the at-risk CSV with ``--rows`` rows that are one cell short (probe: 10^6);
* ``padded-toml``: the trial file padded with ``--pad-mb`` MB of comments (probe: 150).

The manifest is refreshed after each damage, as a curator would, so only the damage is tested.
Peak memory is the validator's maximum RSS, read by a fresh wrapper process per run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "unit" / "fixtures_data"
CSV = "trials/fixture_trial/at_risk.csv"
TRIAL = "trials/fixture_trial/trial.toml"


def _refresh_manifest(tree: Path, root: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "data", "--root", str(root), "manifest"],
        cwd=tree,
        check=True,
        capture_output=True,
    )


def _damage(kind: str, root: Path, rows: int, pad_mb: int) -> None:
    if kind == "bad-rows":
        with (root / CSV).open("a", encoding="utf-8") as handle:
            line = "os_itt_exp,1.0\n"
            block = line * 10_000
            for _ in range(rows // 10_000):
                handle.write(block)
            handle.write(line * (rows % 10_000))
    else:
        with (root / TRIAL).open("a", encoding="utf-8") as handle:
            block = ("# " + "x" * 98 + "\n") * 10_000  # ~1 MB
            for _ in range(pad_mb):
                handle.write(block)


_WRAPPER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
result = subprocess.run(sys.argv[1:], capture_output=True, check=False)
elapsed = time.perf_counter() - started
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
size = len(result.stderr) + len(result.stdout)
print(json.dumps([result.returncode, elapsed, peak_kb / 1024, size]))
"""


def _measure(tree: Path, root: Path) -> tuple[int, float, float, int]:
    """Run the validator under a fresh wrapper process, so its peak RSS is this run's alone."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _WRAPPER,
            sys.executable,
            "-m",
            "data",
            "--root",
            str(root),
            "validate",
        ],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    rc, elapsed, peak_mb, size = json.loads(out.stdout)
    return int(rc), float(elapsed), float(peak_mb), int(size)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", action="append", type=Path, help="project tree (repeatable)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pad-mb", type=int, default=150)
    args = parser.parse_args()
    trees = args.tree or [ROOT]
    print(f"{'tree':<28} {'case':<12} {'rc':>3} {'time s':>8} {'peak MB':>9} {'report bytes':>13}")
    for kind in ("bad-rows", "padded-toml"):
        for tree in trees:
            with tempfile.TemporaryDirectory() as tmp:
                root = Path(tmp) / "data"
                shutil.copytree(FIXTURE, root)
                _damage(kind, root, args.rows, args.pad_mb)
                _refresh_manifest(tree, root)
                rc, elapsed, peak, size = _measure(tree, root)
            print(
                f"{str(tree)[-28:]:<28} {kind:<12} {rc:>3} {elapsed:>8.2f} {peak:>9.0f} {size:>13,}"
            )


if __name__ == "__main__":
    main()
