"""Survival view: curve-library build time, main-callback latency and payload sizes.

Usage::

    .venv/bin/python benchmarks/bench_survival_view.py [--repeats 40] [--json OUT.json]

Measures, on the shipped data:

* the curve library build (``analysis.curve_library.build_curve_library``): median of
  ``--repeats // 4`` in-process builds after imports, and one cold build in a fresh interpreter
  (import + registry load + build, each timed inside the child);
* the Survival view's main callback through Flask's test client (``create_app``, the real
  request path with hardening) for 2, 6 and 12 arms (OS, ITT, CI bands and median lines on),
  side by side: **cold** = every request with a landmark and RMST horizon not asked before (no
  view model or statistics result can be reused: KM summaries, Cox, log-rank and RMST are
  recomputed; the curve library is built once per process and never per request),
  **cached** = the same request repeated. Median and p95 over ``--repeats`` requests each;
* the response size of each request and the KM figure's JSON size (PERF-05: <= 150 KB for two
  arms with CI bands), for the screen path (plain dict) and the export path (validated Figure).

Numbers depend on the machine and its load (2 shared cores here): compare orders of magnitude.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from components import ids  # noqa: E402
from components.settings import load_settings  # noqa: E402
from components.survival import figure_for  # noqa: E402
from tests.contract.callbacks import post, valid_body  # noqa: E402

ARM_SETS = {
    2: ["escort1st:cam_chemo", "escort1st:placebo_chemo"],
    6: [
        "escort1st:cam_chemo",
        "escort1st:placebo_chemo",
        "jupiter06:tori_tp",
        "jupiter06:placebo_tp",
        "orient15:sint_chemo",
        "orient15:placebo_chemo",
    ],
    # Every arm with an OS ITT curve (11) plus one that is listed as not reconstructable.
    12: [
        "nct05013697:triple",
        "astrum007:serp_cf",
        "checkmate648:nivo_chemo",
        "checkmate648:chemo",
        "escort1st:cam_chemo",
        "escort1st:placebo_chemo",
        "jupiter06:tori_tp",
        "jupiter06:placebo_tp",
        "keynote590:pembro_chemo",
        "keynote590:placebo_chemo",
        "orient15:sint_chemo",
        "orient15:placebo_chemo",
    ],
}

COLD_CHILD = """
import time, json
t0 = time.perf_counter()
from analysis.curve_library import build_curve_library
from data import load_registry
t1 = time.perf_counter()
registry = load_registry()
t2 = time.perf_counter()
library = build_curve_library(registry)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "build_s": t3 - t2,
                  "curves": len(library.curves)}))
"""


def _p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def bench_library(repeats: int) -> dict[str, object]:
    from analysis.curve_library import build_curve_library
    from data import load_registry

    registry = load_registry()
    build_curve_library(registry)
    times = []
    for _ in range(max(repeats // 4, 3)):
        start = time.perf_counter()
        library = build_curve_library(registry)
        times.append(time.perf_counter() - start)
    child = subprocess.run(
        [sys.executable, "-c", COLD_CHILD],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    cold = json.loads(child.stdout.strip().splitlines()[-1])
    return {
        "curves": len(library.curves),
        "not_reconstructable": len(library.not_reconstructable),
        "hr_checks": len(library.hazard_ratio_checks),
        "build_warm_median_ms": round(1000 * statistics.median(times), 1),
        "build_warm_max_ms": round(1000 * max(times), 1),
        "cold_child_import_s": round(cold["import_s"], 2),
        "cold_child_load_s": round(cold["load_s"], 2),
        "cold_child_build_s": round(cold["build_s"], 3),
    }


def bench_callback(repeats: int) -> list[dict[str, object]]:
    from app import create_app

    app = create_app(load_settings({}))
    client = app.server.test_client()
    key = next(k for k in app.callback_map if f"{ids.SURVIVAL_GRAPH}.figure" in k)
    spec = app.callback_map[key]
    rows: list[dict[str, object]] = []
    for n_arms, arms in ARM_SETS.items():

        def body_for(landmark: float, tau: float, arms: list[str] = arms) -> dict[str, object]:
            values = ["OS", arms, "ITT", None, landmark, tau, True, True, True, True]
            return valid_body(key, spec, values)

        body = body_for(12, 18)
        first = post(client, body)  # warms plotly/dash code paths, not the statistics
        assert first.status_code == 200, first.status_code
        size = len(first.get_data())
        figure = first.get_json()["response"][ids.SURVIVAL_GRAPH]["figure"]
        figure_kb = len(json.dumps(figure, separators=(",", ":"), ensure_ascii=False)) / 1024
        cold, cached = [], []
        for i in range(repeats):
            # A state not asked before: landmark 1.1, 1.2, ... and tau 3.1, 3.2, ... months.
            fresh = body_for(round(1 + 0.1 * (i + 1), 1), round(3 + 0.1 * (i + 1), 1))
            start = time.perf_counter()
            resp = post(client, fresh)
            cold.append(time.perf_counter() - start)
            assert resp.status_code == 200
        post(client, body)
        for _ in range(repeats):
            start = time.perf_counter()
            resp = post(client, body)
            cached.append(time.perf_counter() - start)
            assert resp.status_code == 200
        query = {"arms": ",".join(arms), "ci": "1", "median": "1"}
        export_fig = figure_for(app_registry(), query)[0]
        rows.append(
            {
                "arms": n_arms,
                "curves_drawn": sum(
                    1
                    for t in figure["data"]
                    if t.get("mode") == "lines" and str(t.get("name", "")).endswith("]")
                ),
                "cold_median_ms": round(1000 * statistics.median(cold), 1),
                "cold_p95_ms": round(1000 * _p95(cold), 1),
                "cached_median_ms": round(1000 * statistics.median(cached), 1),
                "cached_p95_ms": round(1000 * _p95(cached), 1),
                "response_kb": round(size / 1024, 1),
                "figure_kb_screen": round(figure_kb, 1),
                "figure_kb_export": round(len(export_fig.to_json()) / 1024, 1),
            }
        )
    return rows


def app_registry():
    from data import load_registry

    return load_registry()


def bench_two_arm_budget() -> dict[str, object]:
    """PERF-05 on the largest shipped pair (KEYNOTE-590, 749 patients) with CI bands."""
    fig = figure_for(
        app_registry(),
        {"arms": "keynote590:pembro_chemo,keynote590:placebo_chemo", "ci": "1", "median": "1"},
    )[0]
    return {"keynote590_2_arms_ci_kb": round(len(fig.to_json()) / 1024, 1)}


def _markdown(rows: list[dict[str, object]]) -> str:
    head = list(rows[0])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines.extend("| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    library = bench_library(args.repeats)
    callback = bench_callback(args.repeats)
    budget = bench_two_arm_budget()
    print("## Curve library build")
    print(_markdown([library]))
    print()
    print("## Main callback (Flask test client), OS ITT, CI bands + median lines on")
    print(_markdown(callback))
    print()
    print("## PERF-05")
    print(_markdown([budget]))
    if args.json:
        args.json.write_text(
            json.dumps({"library": library, "callback": callback, "budget": budget}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
