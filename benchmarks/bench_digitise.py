"""Digitisation time per figure, next to the grade-A reconstruction time of the same curves.

Usage::

    .venv/bin/python benchmarks/bench_digitise.py [--repeats 5] [--json OUT.json]

Measured in one process on one core (numpy/scipy are pinned to one thread below), as the median
of ``--repeats`` runs after one warm-up:

* synthetic figures drawn by ``tests/unit/km_figures.py`` (two arms of 260 simulated patients,
  censor ticks) at 450, 800 and 1000 pixels wide: ``digitise`` on the decoded image (decoding
  timed separately), then ``reconstruct_from_curve`` on each digitised arm with its true at-risk
  table;
* the PFS-like style of the synthetic tests (one dashed arm, events and censorings piling up at
  scan times, plus-sign censor marks on the drops; ``simulate_scan_arm``) at 1000 pixels wide,
  the case where censor-mark recognition has the most to do;
* when ``../shared/figures`` is present, every published figure of ``tools.digitise_published``
  with the shipped settings (read, never copied), with the reconstruction from the registry's
  published at-risk table and events.

The goal (issue 12) is <= 1 s for a 1000-px figure on one core. Ratios in one run are what to
compare; absolute times depend on the machine's load. ``digitise ms`` is wall clock;
``cpu ms`` is this process's CPU time for the same calls (median), which stays meaningful when
the machine's cores are shared (wall clock then includes time spent waiting for a core).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from analysis.digitise.engine import digitise  # noqa: E402
from analysis.digitise.image import decode_image, load_image  # noqa: E402
from analysis.reconstruct import reconstruct_from_curve  # noqa: E402
from data import load_registry  # noqa: E402
from tests.unit.km_figures import (  # noqa: E402
    Style,
    draw_figure,
    simulate_arm,
    simulate_scan_arm,
)
from tools.digitise_published import FIGURES  # noqa: E402

FIGURE_DIR = ROOT.parent / "shared" / "figures"


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    return _median_wall_cpu_ms(fn, repeats)[0]


def _median_wall_cpu_ms(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall-clock and median CPU milliseconds of ``repeats`` calls after one warm-up."""
    fn()
    wall = []
    cpu = []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000.0)
        cpu.append((time.process_time() - start_cpu) * 1000.0)
    return statistics.median(wall), statistics.median(cpu)


def synthetic_rows(repeats: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(20261205)
    arms = [simulate_arm(rng, 260, 9.0), simulate_arm(rng, 260, 14.0)]
    rows: list[dict[str, object]] = []
    for width in (450, 800, 1000):
        data = draw_figure(arms, Style(width_px=width, height_px=round(width * 0.62)))
        image = decode_image(data)
        decode_ms = _median_ms(lambda data=data: decode_image(data), repeats)
        digitise_ms, cpu_ms = _median_wall_cpu_ms(
            lambda image=image: digitise(image, x_range=(0, 30), y_range=(0, 100), n_curves=2),
            repeats,
        )
        fig = digitise(image, x_range=(0, 30), y_range=(0, 100), n_curves=2)
        risk_t = np.arange(0.0, 31.0, 3.0)

        def rebuild(fig=fig, risk_t=risk_t) -> None:
            for curve, arm in zip(fig.curves, arms, strict=True):
                counts = arm.n_at_risk(risk_t)
                keep = counts > 0
                reconstruct_from_curve(curve.time, curve.survival, risk_t[keep], counts[keep])

        rows.append(
            {
                "figure": f"synthetic {image.shape[1]}x{image.shape[0]}",
                "decode_ms": round(decode_ms, 1),
                "digitise_ms": round(digitise_ms, 1),
                "cpu_ms": round(cpu_ms, 1),
                "reconstruct_ms": round(_median_ms(rebuild, repeats), 1),
            }
        )
    return rows


def scan_rows(repeats: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(24)
    arm = simulate_scan_arm(rng, 260, 4.5)
    style = Style(
        width_px=1000,
        height_px=620,
        colours=("#e69f00",),
        linestyles=("--",),
        censor_marker="+",
        censor_size=8.0,
        linewidth=2.0,
        x_max=24.0,
        x_step=3.0,
    )
    data = draw_figure([arm], style)
    image = decode_image(data)

    def run(image=image) -> object:
        return digitise(image, x_range=(0, 24), y_range=(0, 100), n_curves=1)

    digitise_ms, cpu_ms = _median_wall_cpu_ms(run, repeats)
    curve = digitise(image, x_range=(0, 24), y_range=(0, 100), n_curves=1).curves[0]
    risk_t = np.arange(0.0, 25.0, 3.0)
    counts = arm.n_at_risk(risk_t)
    keep = counts > 0

    def rebuild() -> None:
        reconstruct_from_curve(curve.time, curve.survival, risk_t[keep], counts[keep])

    return [
        {
            "figure": f"synthetic PFS-like plus signs {image.shape[1]}x{image.shape[0]} (1 arm)",
            "decode_ms": round(_median_ms(lambda: decode_image(data), repeats), 1),
            "digitise_ms": round(digitise_ms, 1),
            "cpu_ms": round(cpu_ms, 1),
            "reconstruct_ms": round(_median_ms(rebuild, repeats), 1),
        }
    ]


def published_rows(repeats: int) -> list[dict[str, object]]:
    if not (FIGURE_DIR / "README.md").is_file():
        return []
    registry = load_registry()
    rows: list[dict[str, object]] = []
    for spec in FIGURES:
        image = load_image(FIGURE_DIR / spec.file)
        colours = [c.colour for c in spec.curves]

        def run(image=image, spec=spec, colours=colours) -> object:
            return digitise(
                image, x_range=spec.x_range, y_range=spec.y_range, colours=colours, crop=spec.crop
            )

        digitise_ms, cpu_ms = _median_wall_cpu_ms(run, repeats)
        fig = run()
        trial = registry.trial(spec.trial)

        def rebuild(fig=fig, spec=spec, trial=trial) -> None:
            for curve, cs in zip(fig.curves, spec.curves, strict=True):
                declared = trial.curve(cs.curve_id)
                events = declared.events.value if declared.events is not None else None
                reconstruct_from_curve(
                    curve.time,
                    curve.survival,
                    [p.time_months for p in declared.at_risk],
                    [p.n_at_risk for p in declared.at_risk],
                    total_events=int(events) if events is not None else None,
                )

        width = spec.crop[2] - spec.crop[0] if spec.crop else image.shape[1]
        rows.append(
            {
                "figure": f"{spec.name} ({width} px wide)",
                "digitise_ms": round(digitise_ms, 1),
                "cpu_ms": round(cpu_ms, 1),
                "reconstruct_ms": round(_median_ms(rebuild, repeats), 1),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rows = synthetic_rows(args.repeats) + scan_rows(args.repeats) + published_rows(args.repeats)
    print(
        f"{'figure':56} {'decode ms':>10} {'digitise ms':>12} {'cpu ms':>8} "
        f"{'reconstruct ms (2 arms)':>24}"
    )
    for row in rows:
        print(
            f"{row['figure']!s:56} {row.get('decode_ms', ''):>10} {row['digitise_ms']:>12} "
            f"{row['cpu_ms']:>8} {row['reconstruct_ms']:>24}"
        )
    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
