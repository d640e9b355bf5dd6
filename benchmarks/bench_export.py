"""Export latency: the first (cold) export and warm exports per format, for a heavy KM chart.

Chart: ``build_km_figure`` with 6 arms x 600 synthetic patients (exponential event times, uniform
censoring, fixed seeds, as tests/unit/test_chart_km.py), 95% CI bands, censor marks, the
numbers-at-risk table and a footnote; exported in the presentation theme at 16:9
(1600 x 900 CSS px; PNG at scale 2 = 3200 x 1800).

* cold: a fresh interpreter imports the app's export code, builds the chart and exports one PNG;
  the time to the PNG includes starting Chromium (reported separately from the import);
* warm: one process, one warm Chromium; ``--runs`` exports per format back to back, after one
  warm-up export per format; median, p95 (nearest rank), min and max of the wall time of
  ``render_figure`` (figure preparation + kaleido round trip);
* concurrent: ``--threads`` threads export a PNG at the same moment (gunicorn gthread worker):
  wall time of each, showing the queueing behind the ``tabs`` browser tabs;
* memory: proportional set size (PSS) of the Chromium process tree after the warm runs.

Usage: ``.venv/bin/python benchmarks/bench_export.py [--arms 6] [--patients 600] [--runs 20]
[--cold 3] [--threads 4] [--tabs 1]``. Reported in notes/issue-08-engine.md. Speed is measured
here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402 - path set up above for direct execution
from plotly import graph_objects as go  # noqa: E402

from analysis.survival import SurvivalSample, summarise_arm  # noqa: E402
from components.charts.km import KMCurve, KMOptions, build_km_figure  # noqa: E402
from components.charts.theme import colour_for  # noqa: E402
from components.export import (  # noqa: E402
    SLIDE_16_9,
    EngineConfig,
    Footnote,
    RenderEngine,
    SourceRef,
    prepare_figure,
    render_figure,
)

TICKS_MONTHS = tuple(float(t) for t in range(0, 37, 3))
FOOTNOTE = Footnote(
    sources=(
        SourceRef("Doki et al. 2022", doi="10.1056/NEJMoa2111380"),
        SourceRef("Meng et al. 2025", doi="10.1186/s12943-025-02376-w"),
    ),
    data_version="0a1b2c3d4e5f",
    app_version="0.1.0",
    grades=(("Arm 0", "A"), ("Arm 1", "B")),
    cross_trial=True,
)


def km_figure(n_arms: int, n_patients: int) -> go.Figure:
    curves = []
    for i in range(n_arms):
        rng = np.random.default_rng(100 + i)
        t = rng.exponential(12 + 3 * i, n_patients)
        c = rng.uniform(0, 36, n_patients)
        sample = SurvivalSample.from_arrays(np.minimum(t, c), (t <= c).astype(int))
        arm = summarise_arm(sample, ticks_months=TICKS_MONTHS)
        curves.append(
            KMCurve(
                key=f"k{i}",
                label=f"Trial {i} arm",
                colour=colour_for(i),
                km=arm.km,
                at_risk=arm.at_risk,
                median=arm.median,
                grade="B",
            )
        )
    return build_km_figure(curves, KMOptions(show_ci=True, show_at_risk=True))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(np.ceil(0.95 * len(ordered))) - 1)]


def summary_ms(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"median {statistics.median(ms):6.0f} ms  p95 {p95(ms):6.0f} ms  "
        f"min {min(ms):6.0f}  max {max(ms):6.0f}  (n={len(ms)})"
    )


COLD_CHILD = """
import sys, time, json
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
import bench_export as b
from components.export import render_figure, SLIDE_16_9, default_engine
t1 = time.perf_counter()
fig = b.km_figure({arms}, {patients})
t2 = time.perf_counter()
png = render_figure(fig, "png", SLIDE_16_9, 2, footnote=b.FOOTNOTE)
t3 = time.perf_counter()
png2 = render_figure(fig, "png", SLIDE_16_9, 2, footnote=b.FOOTNOTE)
t4 = time.perf_counter()
default_engine().close()
print(json.dumps({{"import_s": t1 - t0, "build_s": t2 - t1, "first_png_s": t3 - t2,
                  "second_png_s": t4 - t3, "bytes": len(png)}}))
"""


def cold(runs: int, arms: int, patients: int) -> None:
    print(f"cold: fresh interpreter, first PNG export ({runs} runs)")
    code = COLD_CHILD.format(
        root=str(ROOT), bench=str(ROOT / "benchmarks"), arms=arms, patients=patients
    )
    for i in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"  run {i + 1}: import {r['import_s'] * 1000:5.0f} ms | build chart "
            f"{r['build_s'] * 1000:4.0f} ms | first PNG (starts Chromium) "
            f"{r['first_png_s'] * 1000:5.0f} ms | second PNG {r['second_png_s'] * 1000:4.0f} ms"
        )


def tree_memory_mb(engine: RenderEngine) -> tuple[float, float]:
    """(PSS, RSS) of the browser process tree in MiB. PSS shares pages out among the processes
    that map them, so it adds up across Chromium's processes; RSS counts shared pages in each."""
    pid = engine.browser_pid()
    if pid is None:
        return float("nan"), float("nan")
    root = psutil.Process(pid)
    procs = [root, *root.children(recursive=True)]
    pss = sum(p.memory_full_info().pss for p in procs) / 2**20
    rss = sum(p.memory_info().rss for p in procs) / 2**20
    return pss, rss


def warm(engine: RenderEngine, fig: go.Figure, runs: int) -> None:
    prep = []
    for _ in range(runs):
        t0 = time.perf_counter()
        prepare_figure(fig, size=SLIDE_16_9, footnote=FOOTNOTE)
        prep.append(time.perf_counter() - t0)
    print(f"  prepare_figure (theme, size, footnote; no browser): {summary_ms(prep)}")
    for fmt, scale in (("png", 2.0), ("svg", 1.0), ("pdf", 1.0)):
        data = render_figure(fig, fmt, SLIDE_16_9, scale, footnote=FOOTNOTE, engine=engine)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            render_figure(fig, fmt, SLIDE_16_9, scale, footnote=FOOTNOTE, engine=engine)
            times.append(time.perf_counter() - t0)
        label = f"{fmt.upper()} (scale {scale:g})"
        print(f"  {label:15s} {summary_ms(times)}  {len(data) / 1024:6.0f} KiB")


def concurrent(engine: RenderEngine, fig: go.Figure, threads: int) -> None:
    times: list[float] = []
    lock = threading.Lock()

    def one() -> None:
        t0 = time.perf_counter()
        render_figure(fig, "png", SLIDE_16_9, 2.0, footnote=FOOTNOTE, engine=engine)
        with lock:
            times.append(time.perf_counter() - t0)

    workers = [threading.Thread(target=one) for _ in range(threads)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - t0
    each = ", ".join(f"{t * 1000:.0f}" for t in sorted(times))
    print(f"  {threads} PNG exports at once: all done in {wall * 1000:.0f} ms; each (ms): {each}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arms", type=int, default=6)
    parser.add_argument("--patients", type=int, default=600)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--tabs", type=int, default=1)
    args = parser.parse_args()

    print(
        f"KM chart: {args.arms} arms x {args.patients} patients, CI bands, censor marks, "
        "at-risk table, footnote; presentation theme, 16:9 (1600 x 900 CSS px)"
    )
    load = ", ".join(f"{x:.2f}" for x in psutil.getloadavg())
    print(f"python {sys.version.split()[0]}, {psutil.cpu_count()} CPUs, load average {load}")
    if args.cold:
        cold(args.cold, args.arms, args.patients)

    fig = km_figure(args.arms, args.patients)
    light = km_figure(2, 300)
    engine = RenderEngine(EngineConfig(tabs=args.tabs))
    try:
        t0 = time.perf_counter()
        engine.warm_up()
        started = time.perf_counter() - t0
        print(f"warm (tabs={args.tabs}): Chromium start in this process {started:.2f} s")
        warm(engine, fig, args.runs)
        print("warm, lighter chart (2 arms x 300 patients):")
        warm(engine, light, args.runs)
        print("concurrent:")
        concurrent(engine, fig, args.threads)
        pss, rss = tree_memory_mb(engine)
        print(f"memory: Chromium process tree PSS {pss:.0f} MiB (sum of RSS {rss:.0f} MiB)")
    finally:
        engine.close()


if __name__ == "__main__":
    main()
