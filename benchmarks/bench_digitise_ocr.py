"""OCR time per published figure, and what it read against the published numbers at risk.

Usage::

    .venv/bin/python benchmarks/bench_digitise_ocr.py [--repeats 3] [--json OUT.json]

For every panel of ``../shared/figures`` (read there, never copied; the hand-measured plot boxes
of ``tests/unit/test_digitise_ocr_figures.py``) it times, as the median of ``--repeats`` runs:

* ``read_axis_ticks`` (two tesseract calls: x labels, y labels);
* ``read_at_risk_table`` (three calls: x labels for the columns, the area under the plot, the
  second reading of empty or doubtful cells), where the figure prints a table;

as wall-clock seconds and as CPU seconds of this process plus its tesseract children (the CPU
figure is the one to compare across machines and loads: the wall clock on a shared machine
includes waiting for a core). It then scores the table against
``../shared/sources/numbers_at_risk.csv``: published cells, read right, needing correction
(a different number or none), and how many of those were flagged for checking.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.digitise import ocr, ocr_axes, ocr_table  # noqa: E402
from tests.unit import test_digitise_ocr_figures as figures  # noqa: E402


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(fn: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds over ``repeats`` runs, and the last result."""
    walls, cpus = [], []
    result: object = None
    for _ in range(repeats):
        cpu0, wall0 = _cpu_seconds(), time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - wall0)
        cpus.append(_cpu_seconds() - cpu0)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not figures.FIGURE_DIR.is_dir():
        print(f"{figures.FIGURE_DIR} not present: nothing to measure")
        return 0
    print(ocr.tesseract_version())
    header = (
        f"{'figure':34} {'px':>9} {'axes s':>7} {'cpu':>6} {'table s':>8} {'cpu':>6} "
        f"{'cells':>5} {'right':>5} {'fix':>4} {'fix flagged':>11} {'flags':>5}"
    )
    print(header)
    rows = []
    for figure in figures.FIGURES:
        image = figures.load_image(figures.FIGURE_DIR / figure.file)
        axes_wall, axes_cpu, axes = _timed(
            lambda image=image, figure=figure: ocr_axes.read_axis_ticks(image, figure.box),
            args.repeats,
        )
        assert isinstance(axes, ocr.AxisReading)
        row: dict[str, object] = {
            "figure": figure.name,
            "size_px": f"{image.shape[1]}x{image.shape[0]}",
            "axes_wall_s": round(axes_wall, 3),
            "axes_cpu_s": round(axes_cpu, 3),
            "x_range": axes.x_range,
            "y_range": axes.y_range,
            "axis_flags": len(axes.flags),
        }
        line = f"{figure.name:34} {row['size_px']:>9} {axes_wall:7.2f} {axes_cpu:6.2f}"
        if figure.trial is not None and axes.x_range_at_edges is not None:
            x_range = axes.x_range_at_edges
            table_wall, table_cpu, table = _timed(
                lambda image=image, figure=figure, x_range=x_range: ocr_table.read_at_risk_table(
                    image, figure.box, x_range
                ),
                args.repeats,
            )
            assert isinstance(table, ocr.AtRiskReading)
            score = figures.score_table(figure, table)
            row |= {
                "table_wall_s": round(table_wall, 3),
                "table_cpu_s": round(table_cpu, 3),
                "published_cells": score.published,
                "read_right": score.correct,
                "needed_correcting": score.wrong,
                "needed_correcting_flagged": score.wrong_flagged,
                "extra_cells": score.extra,
                "table_flags": len(table.flags),
                "low_confidence_cells": sum(c.low_confidence for c in table.rows),
            }
            line += (
                f" {table_wall:8.2f} {table_cpu:6.2f} {score.published:5d} {score.correct:5d}"
                f" {score.wrong:4d} {score.wrong_flagged:11d} {len(table.flags):5d}"
            )
        else:
            line += f" {'(no table)':>15}"
        print(line)
        rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
