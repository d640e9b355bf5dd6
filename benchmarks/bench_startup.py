"""Whole-process start-up costs, side by side with another checkout of the project.

Usage::

    .venv/bin/python benchmarks/bench_startup.py [--before ../bench-before] [--repeats 7]

Two commands are timed as fresh processes (wall clock, ``time.perf_counter`` around
``subprocess.run``), each run with this checkout's interpreter and the measured tree as the
working directory:

* ``python -c "import app"`` — what a worker or ``python app.py`` pays before serving (the
  evidence base is loaded and validated at import);
* ``python -m analysis.reconstruct --curve CURVE.csv --at-risk RISK.csv --events N --out IPD.csv``
  — one grade-A arm through the command line, as a script calling it from R or a shell would.

The grade-A input is generated here (an exponential curve, median 12 months, 300 patients,
at-risk table every 3 months); it comes from no publication and only has to be the same for
both trees. With ``--before DIR`` the two trees are measured alternately (before, after, before,
…) so that both see the same machine load; the report gives the median and the minimum per tree
and the ratio of medians (after / before). The first run of each command per tree is a warm-up
(file-system cache) and is not counted.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _write_inputs(folder: Path) -> tuple[Path, Path, int]:
    """An exponential KM curve (median 12 months) and its at-risk table; returns the events."""
    rate = math.log(2) / 12.0
    n = 300
    months = [0.5 * i for i in range(0, 49)]
    curve = folder / "curve.csv"
    curve.write_text(
        "time,survival\n" + "".join(f"{t:g},{math.exp(-rate * t):.5f}\n" for t in months),
        encoding="utf-8",
    )
    # Administrative censoring only at 24 months: at risk = n * S(t) (rounded).
    risk = folder / "risk.csv"
    risk.write_text(
        "time,n_at_risk\n"
        + "".join(f"{t},{round(n * math.exp(-rate * t))}\n" for t in range(0, 25, 3)),
        encoding="utf-8",
    )
    events = n - round(n * math.exp(-rate * 24.0))
    return curve, risk, events


def _time(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{done.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    trees = {"after": ROOT}
    if args.before is not None:
        trees = {"before": args.before.resolve(), "after": ROOT}
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        curve, risk, events = _write_inputs(folder)
        commands = {
            "import app": [python, "-c", "import app"],
            "reconstruct CLI (grade A, one arm)": [
                python,
                "-m",
                "analysis.reconstruct",
                "--curve",
                str(curve),
                "--at-risk",
                str(risk),
                "--events",
                str(events),
                "--out",
                str(folder / "ipd.csv"),
            ],
        }
        times: dict[str, dict[str, list[float]]] = {c: {t: [] for t in trees} for c in commands}
        for name, cmd in commands.items():
            for path in trees.values():
                _time(cmd, path)  # warm-up
            for _ in range(args.repeats):
                for tree, path in trees.items():
                    times[name][tree].append(_time(cmd, path))
    report: dict[str, dict[str, float]] = {}
    for name, per_tree in times.items():
        row: dict[str, float] = {}
        for tree, values in per_tree.items():
            row[f"{tree}_median_s"] = statistics.median(values)
            row[f"{tree}_min_s"] = min(values)
        if "before" in per_tree:
            row["ratio_after_over_before"] = row["after_median_s"] / row["before_median_s"]
        report[name] = row
        cells = ", ".join(f"{k} {v:.3f}" for k, v in row.items())
        print(f"{name}: {cells}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
