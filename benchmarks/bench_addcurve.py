"""Add a curve (issue 16): time from an uploaded 1000-px figure to its reconstructed curves.

Usage::

    .venv/bin/python benchmarks/bench_addcurve.py [--repeats 5] [--json OUT.json]

One process, numpy/scipy on one thread, median of ``--repeats`` runs after one warm-up. The
figure is ``tests/unit/addcurve_figures.draw_with_table`` (two arms of 260 simulated patients,
1000 x 700 px, numbers-at-risk table printed). Stages, side by side:

* ``check+decode`` — :func:`analysis.usercurves.uploads.parse_upload` (header checks, decode);
* ``draft, OCR`` — :func:`analysis.usercurves.draft.draft_from_upload` with tesseract reading the
  tick labels and the at-risk table (what the view does);
* ``draft, no OCR`` — the same with ``use_ocr=False`` (ranges and numbers typed by the reader);
* ``reconstruct`` — both arms to grade-A user curves (:func:`analysis.views.addcurve
  .build_curves`), checks included;
* ``total`` — upload to reconstructed curves, with and without OCR.

Goal (issue 16): total <= 2 s. Absolute times depend on the machine's load (the run prints the
load average); compare the stages within one run.
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
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.usercurves.draft import draft_from_upload  # noqa: E402
from analysis.usercurves.uploads import parse_upload  # noqa: E402
from analysis.views.addcurve import ArmForm, Form, build_curves, counts_text  # noqa: E402
from tests.unit.addcurve_figures import draw_with_table, simulated_arms  # noqa: E402


def _form(fig, ticks) -> Form:
    return Form(
        x_low=0.0,
        x_high=30.0,
        y_low=0.0,
        y_high=100.0,
        at_risk_times=" ".join(f"{t:g}" for t in ticks),
        endpoint="OS",
        system="ITT",
        operator=">=",
        cutoff=1,
        citation="benchmark",
        arms=tuple(
            ArmForm(True, name, counts_text(tuple(r)), None, None)
            for name, r in zip(fig.names, fig.at_risk, strict=True)
        ),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    fig = draw_with_table(simulated_arms(), width_px=1000, height_px=700)
    form = _form(fig, fig.ticks)
    times: dict[str, list[float]] = {
        k: [] for k in ("check+decode", "draft, OCR", "draft, no OCR", "reconstruct", "total, OCR")
    }
    for i in range(args.repeats + 1):
        t0 = time.perf_counter()
        upload = parse_upload(fig.png)
        t1 = time.perf_counter()
        draft = draft_from_upload(upload)
        t2 = time.perf_counter()
        build_curves(draft, form)
        t3 = time.perf_counter()
        plain = draft_from_upload(upload, use_ocr=False)
        t4 = time.perf_counter()
        if i == 0:
            continue  # warm-up
        times["check+decode"].append(t1 - t0)
        times["draft, OCR"].append(t2 - t1)
        times["reconstruct"].append(t3 - t2)
        times["total, OCR"].append(t3 - t0)
        times["draft, no OCR"].append(t4 - t3)
        assert len(plain.curves) == 2
    med = {k: statistics.median(v) for k, v in times.items()}
    med["total, no OCR"] = med["check+decode"] + med["draft, no OCR"] + med["reconstruct"]
    load = os.getloadavg()[0]
    print(f"1000 x 700 px figure, {args.repeats} repeats, load average {load:.1f}")
    for key, value in med.items():
        print(f"  {key:<16} {1000 * value:8.0f} ms")
    if args.json:
        args.json.write_text(json.dumps({"load": load, "median_s": med}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
