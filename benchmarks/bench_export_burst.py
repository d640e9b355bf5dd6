"""Deck burst against gunicorn (issue 14, finding 1): N deck requests within a short window.

Run (from the repository root)::

    .venv/bin/python benchmarks/bench_export_burst.py                       # 20 decks in 2 s
    .venv/bin/python benchmarks/bench_export_burst.py --start-timeout 120   # on a loaded machine

What it does: starts gunicorn (``--workers``, default 2) with a private ``TMPDIR`` and cache
folder; ``--requests`` users (default 20), each its own page load (``GET /`` for the signed
``endId``), start a deck of ``--charts`` charts (default 2, distinct titles, so every request is
a distinct job; ``--identical`` of them repeat an earlier user's deck, to exercise sharing) at
evenly spaced moments within ``--window`` seconds (default 2) and poll it every 0.5 s, as Dash's
renderer does, until they get the file or a message. A sampler records, every 0.5 s, the
Chromium browsers and processes below the gunicorn master, the tree's RSS and PSS, and the
machine's used memory. Then gunicorn is stopped with SIGTERM and the private TMPDIR listed.

It checks what the issue asks and prints PASS/FAIL for each:

1. Chromium browsers never exceed workers x renderers; tree PSS stays under the documented
   bound (master ~300 MB + per worker 250 MB + 500 MB per renderer: README, "Export service");
2. every user gets a file or a clear message (queue full / try again), no HTTP error;
3. 0 entries left in the private TMPDIR after shutdown.

Speed is reported, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from export_bench import CHARTS, Client, ExportServer, Outcome, tree_usage, used_memory_mb

from components.settings import RENDERER_MB, WORKER_BASE_MB, default_renderers

MASTER_MB = 300


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--window", type=float, default=2.0)
    parser.add_argument("--charts", type=int, default=2)
    parser.add_argument("--identical", type=int, default=0)
    parser.add_argument("--renderers", type=int, default=0, help="0: derived (settings)")
    parser.add_argument("--queue", type=int, default=0, help="0: the default (8)")
    parser.add_argument("--start-timeout", type=float, default=60.0)
    parser.add_argument("--log", type=Path, default=Path("/tmp/bench_export_burst.log"))
    args = parser.parse_args(argv)

    env = {"ESCC_EXPORT_START_TIMEOUT_S": str(args.start_timeout)}
    if args.renderers:
        env["ESCC_EXPORT_RENDERERS"] = str(args.renderers)
    if args.queue:
        env["ESCC_EXPORT_QUEUE"] = str(args.queue)
    renderers = args.renderers or default_renderers({"ESCC_WORKERS": str(args.workers)})
    bound_browsers = args.workers * renderers
    bound_mb = MASTER_MB + args.workers * (WORKER_BASE_MB + renderers * RENDERER_MB)

    print(f"load average before: {os.getloadavg()}")
    server = ExportServer(args.workers, args.log, env)
    server.start(timeout_s=180)
    print(
        f"gunicorn up in {server.cold_start_s:.1f} s: "
        f"{args.workers} workers x {renderers} renderers"
    )
    base = tree_usage(server)
    used_before = used_memory_mb()
    samples = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            usage = tree_usage(server)
            samples.append((usage, used_memory_mb(), len(server.temp_entries())))
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()

    outcomes: list[Outcome | None] = [None] * args.requests
    decks = []
    for i in range(args.requests):
        if i >= args.requests - args.identical:
            decks.append(decks[i % max(1, args.requests - args.identical)])
            continue
        charts = [CHARTS[(i + k) % len(CHARTS)] for k in range(args.charts)]
        decks.append([{"chart": c, "search": "", "title": f"user {i} {c}"} for c in charts])

    def user(i: int, at: float) -> None:
        time.sleep(max(0.0, at - time.perf_counter()))
        try:
            outcomes[i] = Client(server.base).deck(decks[i])
        except Exception as exc:  # reported as a failed user
            outcomes[i] = Outcome("error", 0.0, f"{type(exc).__name__}: {exc}")

    t0 = time.perf_counter() + 0.5
    users = [
        threading.Thread(target=user, args=(i, t0 + i * args.window / args.requests))
        for i in range(args.requests)
    ]
    for thread in users:
        thread.start()
    for thread in users:
        thread.join()
    stop.set()
    sampler.join()
    during = [s[2] for s in samples]
    stop_s = server.stop()
    left = server.temp_entries()

    peak_browsers = max(s[0].browsers for s in samples)
    peak_chromium = max(s[0].chromium for s in samples)
    peak_pss = max(s[0].pss_mb for s in samples)
    peak_rss = max(s[0].rss_mb for s in samples)
    peak_used = max(s[1] for s in samples)
    done = [o for o in outcomes if o is not None]
    files = [o for o in done if o.kind == "file"]
    messages = [o for o in done if o.kind == "message"]
    errors = [o for o in done if o.kind == "error"] + [None] * (args.requests - len(done))

    print(f"\nusers: {args.requests} decks of {args.charts} charts in {args.window:.1f} s")
    print(f"files: {len(files)}; messages: {len(messages)}; errors: {len(errors)}")
    if files:
        times = sorted(o.seconds for o in files)
        print(
            f"time to file: median {statistics.median(times):.1f} s, max {times[-1]:.1f} s; "
            f"sizes {min(o.size for o in files) // 1024}-{max(o.size for o in files) // 1024} KB"
        )
    for o in messages:
        print(f"  message after {o.seconds:.1f} s: {o.status}")
    for o in errors:
        print(f"  ERROR: {o.status if o else 'no outcome'}")
    queue_lines = {p for o in done for p in o.positions if "queue" in p}
    print(f"queue positions shown: {len(queue_lines)} distinct, e.g. {sorted(queue_lines)[:3]}")
    print(
        f"Chromium: browsers peak {peak_browsers} (bound {bound_browsers}), processes peak "
        f"{peak_chromium}"
    )
    print(
        f"memory: tree PSS {base.pss_mb:.0f} -> peak {peak_pss:.0f} MB (bound {bound_mb} MB), "
        f"tree RSS peak {peak_rss:.0f} MB; "
        f"machine used {used_before:.0f} -> peak {peak_used:.0f} MB"
    )
    print(
        f"temp entries during: max {max(during)}; "
        f"after shutdown ({stop_s:.1f} s): {len(left)} {left[:5]}"
    )
    print(f"load average after: {os.getloadavg()}")

    checks = {
        "browsers within bound": peak_browsers <= bound_browsers,
        "memory within bound": peak_pss <= bound_mb,
        "every user got a file or a message": not errors,
        "no temp entries after shutdown": not left,
    }
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}: {name}")
    server.cleanup()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
