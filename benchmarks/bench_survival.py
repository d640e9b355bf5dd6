"""Timings of the per-request survival computations for an N-arm comparison.

What one Survival-view request needs per arm: KM with log-log band, at-risk row, median with CI,
landmark S(t), RMST(tau); per non-reference arm: Cox HR (Efron), log-rank, ΔRMST. This script
times that bundle for synthetic arms (exponential event times, uniform censoring, times rounded
to 0.1 month so there are ties, fixed seeds):

* import: ``import analysis.survival`` in a fresh interpreter (subprocess);
* first call: the bundle once in a fresh interpreter (numpy/scipy first-use costs included);
* warm, uncached: the bundle repeatedly in one process, computing everything each time;
* cached: the same through ``SurvivalMemo`` after one warm-up (what repeated views cost);
* lifelines Cox: one ``engine="lifelines"`` fit, for comparison with the numpy engine.

Usage: ``.venv/bin/python benchmarks/bench_survival.py [--arms 6] [--patients 600] [--repeats 200]``
Reported in notes/stats.md. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.survival import (  # noqa: E402 - path set up above for direct execution
    SurvivalMemo,
    SurvivalSample,
    compare_arms,
    cox_hazard_ratio,
    summarise_arm,
)

LANDMARK_MONTHS = 12.0
TAU_MONTHS = 24.0
TICKS_MONTHS = tuple(float(t) for t in range(0, 42, 3))


def make_arms(n_arms: int, n_patients: int) -> list[SurvivalSample]:
    arms = []
    for i in range(n_arms):
        rng = np.random.default_rng(1000 + i)
        event_time = rng.exponential(8.0 + 2.0 * i, n_patients)
        censor_time = rng.uniform(6.0, 40.0, n_patients)
        time_months = np.round(np.minimum(event_time, censor_time), 1)
        arms.append(
            SurvivalSample.from_arrays(time_months, event_time <= censor_time, label=f"arm {i}")
        )
    return arms


def bundle(arms: list[SurvivalSample]) -> None:
    reference = arms[0]
    for arm in arms:
        summarise_arm(
            arm,
            ci_level=0.95,
            landmark_months=LANDMARK_MONTHS,
            tau_months=TAU_MONTHS,
            ticks_months=TICKS_MONTHS,
        )
    for arm in arms[1:]:
        compare_arms(arm, reference, ci_level=0.95, tau_months=TAU_MONTHS)


def cached_bundle(memo: SurvivalMemo, arms: list[SurvivalSample]) -> None:
    reference = arms[0]
    for arm in arms:
        memo.summarise_arm(
            arm,
            ci_level=0.95,
            landmark_months=LANDMARK_MONTHS,
            tau_months=TAU_MONTHS,
            ticks_months=TICKS_MONTHS,
        )
    for arm in arms[1:]:
        memo.compare_arms(arm, reference, ci_level=0.95, tau_months=TAU_MONTHS)


def _fresh_interpreter(code: str) -> float:
    """Run ``code`` in a new interpreter; it prints one float (ms)."""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def _quantiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):8.3f} ms   p95 {p95:8.3f} ms   (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arms", type=int, default=6)
    parser.add_argument("--patients", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()

    import_ms = [
        _fresh_interpreter(
            "import time; t = time.perf_counter(); import analysis.survival; "
            "print((time.perf_counter() - t) * 1e3)"
        )
        for _ in range(3)
    ]
    first_call_ms = [
        _fresh_interpreter(
            "import time; from benchmarks.bench_survival import make_arms, bundle; "
            f"arms = make_arms({args.arms}, {args.patients}); t = time.perf_counter(); "
            "bundle(arms); print((time.perf_counter() - t) * 1e3)"
        )
        for _ in range(3)
    ]

    arms = make_arms(args.arms, args.patients)
    bundle(arms)  # warm-up
    warm_ms = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        bundle(arms)
        warm_ms.append((time.perf_counter() - start) * 1e3)

    memo = SurvivalMemo()
    cached_bundle(memo, arms)
    cached_ms = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        cached_bundle(memo, arms)
        cached_ms.append((time.perf_counter() - start) * 1e3)

    cox_numpy_ms, cox_lifelines_ms = [], []
    for _ in range(10):
        start = time.perf_counter()
        cox_hazard_ratio(arms[1], arms[0])
        cox_numpy_ms.append((time.perf_counter() - start) * 1e3)
        start = time.perf_counter()
        cox_hazard_ratio(arms[1], arms[0], engine="lifelines")
        cox_lifelines_ms.append((time.perf_counter() - start) * 1e3)

    events = sum(a.n_events for a in arms)
    python = sys.version.split()[0]
    print(f"{args.arms} arms x {args.patients} patients ({events} events), python {python}")
    print(f"import analysis.survival (fresh process)  : {_quantiles(import_ms)}")
    print(f"bundle, first call in a fresh process     : {_quantiles(first_call_ms)}")
    print(f"bundle, warm, uncached                    : {_quantiles(warm_ms)}")
    print(f"bundle, cached (SurvivalMemo hits)        : {_quantiles(cached_ms)}")
    print(f"one Cox fit, numpy engine                 : {_quantiles(cox_numpy_ms)}")
    print(f"one Cox fit, lifelines engine             : {_quantiles(cox_lifelines_ms)}")


if __name__ == "__main__":
    main()
