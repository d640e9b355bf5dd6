"""Soak with exports alongside (issue 14, "Must show"): browsing clients plus exporting users.

Run (from the repository root)::

    .venv/bin/python benchmarks/bench_export_soak.py                  # 15 min, 8 clients
    .venv/bin/python benchmarks/bench_export_soak.py --duration 300   # shortened (say so)

What it does: starts gunicorn (``--workers``, default 2) with a private ``TMPDIR`` and cache
folder; runs ``--clients`` closed-loop browsing users (benchmarks/bench_load.py's renderer
emulation: page loads and interactions, ``--think`` seconds between actions) and, alongside,
``--exporters`` users (default 2) who each load a page and then alternate a single-chart PNG
download through the export menu's callback and a deck of 1-2 charts (half of the decks the
same as the other exporter's, so shared jobs happen), 5-15 s apart. Every 5 s a monitor
records each worker's RSS, the Chromium browsers and the entries in the private TMPDIR.

Checks (PASS/FAIL):

1. 0 errors: no transport error, no HTTP status >= 400, no error banner, no export that ended
   without a file or a clear message ("busy, try again" answers are counted, not errors);
2. each worker's RSS within 10 % over the last 10 minutes (max - min <= 10 % of min); the window
   is the last 2/3 of a run shorter than 15 minutes; a worker that gunicorn recycled
   (max_requests) or started inside the window is judged over its own life after 60 s of
   warm-up, if that is at least 30 s (recycles are reported);
3. temp dir count flat: never more entries in TMPDIR than browsers allowed (workers x
   renderers: one directory per browser), and 0 after shutdown.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_load
from export_bench import CHARTS, Client, ExportServer, tree_usage

from components.settings import default_renderers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=900.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--exporters", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", default="1-5")
    parser.add_argument("--start-timeout", type=float, default=60.0)
    parser.add_argument("--seed", default="soak")
    parser.add_argument(
        "--max-requests",
        type=int,
        default=None,
        help="override gunicorn's max_requests (0: never recycle, to see steady-state drift)",
    )
    parser.add_argument("--log", type=Path, default=Path("/tmp/bench_export_soak.log"))
    args = parser.parse_args(argv)

    renderers = default_renderers({"ESCC_WORKERS": str(args.workers)})
    allowed_dirs = args.workers * renderers
    env = {"ESCC_EXPORT_START_TIMEOUT_S": str(args.start_timeout)}
    print(f"load average before: {os.getloadavg()}")
    extra = () if args.max_requests is None else ("--max-requests", str(args.max_requests))
    server = ExportServer(args.workers, args.log, env, extra)
    server.start(timeout_s=180)
    print(
        f"gunicorn up in {server.cold_start_s:.1f} s: {args.workers} workers x {renderers}"
        f" renderers; max_requests {args.max_requests if extra else 'from gunicorn.conf.py'}"
    )

    t0 = time.perf_counter()
    deadline = t0 + args.duration
    stop = threading.Event()
    rec = bench_load.Recorder(t0)
    think = bench_load.parse_think(args.think)
    rss: dict[int, list[tuple[float, float]]] = defaultdict(list)
    temp_counts: list[tuple[float, int]] = []
    browsers: list[int] = []

    def monitor() -> None:
        while not stop.wait(5.0):
            now = time.perf_counter() - t0
            usage = tree_usage(server, pss=False)
            for pid, mb in usage.worker_rss_mb.items():
                rss[pid].append((now, mb))
            temp_counts.append((now, len(server.temp_entries())))
            browsers.append(usage.browsers)

    export_log: list[tuple[str, str, bool]] = []  # (kind, what the user saw, ok)

    def exporter(n: int) -> None:
        rng = random.Random(f"{args.seed}:exporter:{n}")
        turn = 0
        while not stop.is_set() and time.perf_counter() < deadline:
            try:
                client = Client(server.base)
                if turn % 2 == 0:
                    status, text = client.chart(rng.choice(CHARTS))
                    ok = status == 200 and (text.startswith("Downloaded") or "busy" in text)
                    export_log.append(("chart", f"{status} {text[:80]}", ok))
                else:
                    shared = rng.random() < 0.5
                    title = "shared" if shared else f"exporter {n} deck {turn}"
                    charts = rng.sample(CHARTS, rng.randint(1, 2)) if not shared else ["forest"]
                    items = [{"chart": c, "search": "", "title": f"{title} {c}"} for c in charts]
                    outcome = client.deck(items)
                    ok = outcome.kind == "file" or (
                        outcome.kind == "message" and "try again" in outcome.status
                    )
                    export_log.append(("deck", f"{outcome.kind} {outcome.status[:80]}", ok))
            except Exception as exc:  # a failed export is a result
                export_log.append(("error", f"{type(exc).__name__}: {exc}", False))
            turn += 1
            stop.wait(rng.uniform(5, 15))

    threads = [threading.Thread(target=monitor, daemon=True)]
    users = [
        bench_load.User(
            f"u{i}",
            server.port,
            random.Random(f"{args.seed}:{i}"),
            rec,
            30.0,
            {},
            False,
        )
        for i in range(args.clients)
    ]
    threads += [
        threading.Thread(target=u.run, args=(deadline, stop, think), daemon=True) for u in users
    ]
    threads += [
        threading.Thread(target=exporter, args=(n,), daemon=True) for n in range(args.exporters)
    ]
    for thread in threads:
        thread.start()
    try:
        while time.perf_counter() < deadline:
            time.sleep(1.0)
    except KeyboardInterrupt:
        print("interrupted: reporting what was measured so far")
    stop.set()
    for thread in threads[1:]:
        thread.join(timeout=600)
    threads[0].join(timeout=10)
    elapsed = time.perf_counter() - t0
    stop_s = server.stop()
    left = server.temp_entries()

    samples = rec.samples
    bad = [s for s in samples if s.status == 0 or s.status >= 400 or s.banner]
    export_bad = [e for e in export_log if not e[2]]
    busy = [e for e in export_log if "busy" in e[1]]
    window = 600.0 if args.duration >= 900 else args.duration * 2 / 3
    start_w = elapsed - window
    drift = {}
    for pid, series in rss.items():
        # A worker is judged over the window, or over its own life after a 60 s warm-up when
        # gunicorn recycled it (max_requests) or started it during the window; at least 30 s.
        born = series[0][0]
        values = [mb for t, mb in series if t >= max(start_w, born + 60)]
        if len(values) >= 6:
            drift[pid] = (min(values), max(values), (max(values) - min(values)) / min(values))
            print(
                f"  worker {pid}: seen {born:.0f}-{series[-1][0]:.0f} s, judged over "
                f"{len(values) * 5} s, RSS at first/last sample {series[0][1]:.0f}/"
                f"{series[-1][1]:.0f} MB"
            )
    recycled = max(0, len(rss) - args.workers)

    print(f"\nran {elapsed:.0f} s: {args.clients} browsing clients, {args.exporters} exporters")
    print(f"requests: {len(samples)}; errors: {len(bad)} {[(s.label, s.status) for s in bad[:5]]}")
    kinds = defaultdict(int)
    for kind, _seen, _ok in export_log:
        kinds[kind] += 1
    print(f"exports: {dict(kinds)}; failed: {len(export_bad)} {export_bad[:3]}; busy: {len(busy)}")
    print(f"RSS window: last {window:.0f} s; worker pids seen {len(rss)} (recycled {recycled})")
    for pid, (low, high, frac) in drift.items():
        print(f"  worker {pid}: RSS {low:.0f}-{high:.0f} MB ({frac * 100:.1f} %)")
    counts = [c for _t, c in temp_counts]
    print(
        f"temp entries: min {min(counts, default=0)}, max {max(counts, default=0)} "
        f"(allowed {allowed_dirs}); after shutdown ({stop_s:.1f} s): {len(left)} {left[:5]}"
    )
    print(f"browsers peak {max(browsers, default=0)}; load average after {os.getloadavg()}")
    checks = {
        "0 errors": not bad and not export_bad,
        "worker RSS within 10 % over the window": bool(drift)
        and all(f <= 0.10 for _l, _h, f in drift.values()),
        "temp dir count flat": max(counts, default=0) <= allowed_dirs and not left,
    }
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}: {name}")
    server.cleanup()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
