"""Safety and Response callbacks: single-request latency and response size, two trees side by side.

Usage::

    .venv/bin/python benchmarks/bench_view_callbacks.py --old /tmp/old-sr [--repeats 50]
        [--rounds 2] [--json OUT.json]

For each tree (``--old`` and this checkout) a child interpreter builds the app
(``create_app``) and posts each case's callback body through Flask's test client (the real
request path: hardening, Dash dispatch, JSON serialisation) ``--repeats`` times:

* **cold**: the view's model cache is emptied before every request (the old tree's
  ``lru_cache`` on ``compute``/``response_rows``, the new tree's app-scoped ``ViewMemo``), so
  the analysis, figure and tables are all rebuilt;
* **warm**: the same request repeated (model from the cache; figure and tables still built).

Children alternate old/new for ``--rounds`` rounds in one run, so both trees see the same
machine load; the report gives the median over rounds of each child's median and p95, and the
response size in bytes (uncompressed JSON body). Numbers depend on the machine and its load
(2 shared cores here): compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

SAFETY_ARMS = [
    "alter_e003.chemo_free",
    "nct05013697.triple",
    "orient15.sint_chemo",
    "orient15.placebo_chemo",
    "keynote590.pembro_chemo",
    "keynote590.placebo_chemo",
    "checkmate648.nivo_chemo",
    "checkmate648.chemo",
]
# (case name, graph id whose figure the callback outputs, input values in callback order)
CASES: list[tuple[str, str, list[Any]]] = [
    (
        "safety summary, 8 arms",
        "safety-graph",
        [SAFETY_ARMS, "summary", "treatment-related", "both", False, "freq", 0],
    ),
    (
        "safety terms, 8 arms",
        "safety-graph",
        [SAFETY_ARMS, "terms", "treatment-related", "both", False, "freq", 0],
    ),
    (
        "safety heatmap, 8 arms",
        "safety-graph",
        [SAFETY_ARMS, "heatmap", "all-cause", "any", False, "alpha", 0],
    ),
    ("response ORR itt, all arms", "response-graph", ["ORR", "itt", None, None, "latest"]),
    ("response DCR all populations", "response-graph", ["DCR", "all", None, None, "latest"]),
]
# The Response cut-off control (fifth input, default "latest") came after the trees this script
# was first written for; a tree whose callback has fewer inputs gets the leading values only
# (the controls it has, in the same order), so both trees answer the same question.


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def child(tree: Path, repeats: int) -> dict[str, Any]:
    sys.path.insert(0, str(tree))
    from app import create_app
    from components.settings import load_settings
    from tests.contract.callbacks import post, valid_body

    app = create_app(load_settings({}))
    client = app.server.test_client()

    def clear() -> None:
        memos = app.server.extensions.get("escc-view-memos", {})
        for memo in memos.values():
            memo.clear()
        for module, name in (("safety_panel", "compute"), ("response_panel", "response_rows")):
            found = sys.modules.get(f"components.{module}")
            if found is not None:
                getattr(found, name).cache_clear()

    results: dict[str, Any] = {}
    for name, graph, values in CASES:
        key = next(k for k in app.callback_map if f"{graph}.figure" in k)
        inputs = app.callback_map[key]["inputs"]
        if len(inputs) > len(values):
            raise SystemExit(
                f"{name}: the callback takes {len(inputs)} inputs, the case gives "
                f"{len(values)}; update CASES"
            )
        body = valid_body(key, app.callback_map[key], values[: len(inputs)])
        first = post(client, body)
        assert first.status_code == 200, (name, first.status_code)
        assert b"Invalid selection" not in first.data, name
        timings: dict[str, list[float]] = {"cold": [], "warm": []}
        for mode in ("cold", "warm"):
            for _ in range(repeats):
                if mode == "cold":
                    clear()
                start = time.perf_counter()
                resp = post(client, body)
                timings[mode].append((time.perf_counter() - start) * 1000)
                assert resp.status_code == 200
        results[name] = {
            "bytes": len(first.data),
            **{f"{m}_median_ms": statistics.median(v) for m, v in timings.items()},
            **{f"{m}_p95_ms": _percentile(v, 0.95) for m, v in timings.items()},
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", type=Path, required=True, help="checkout of the tree before")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeats)))
        return
    runs: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
    for _ in range(args.rounds):
        for label, tree in (("old", args.old.resolve()), ("new", ROOT)):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--old",
                    str(args.old),
                    "--child",
                    str(tree),
                    "--repeats",
                    str(args.repeats),
                ],
                cwd=tree,
                capture_output=True,
                text=True,
                check=True,
            )
            runs[label].append(json.loads(out.stdout.strip().splitlines()[-1]))
    report: dict[str, Any] = {}
    print(
        f"{'case':32} {'tree':4} {'bytes':>8} {'cold p50':>9} {'cold p95':>9} "
        f"{'warm p50':>9} {'warm p95':>9}"
    )
    for name, _, _ in CASES:
        report[name] = {}
        for label in ("old", "new"):
            merged = {
                k: statistics.median(r[name][k] for r in runs[label]) for k in runs[label][0][name]
            }
            report[name][label] = merged
            print(
                f"{name:32} {label:4} {merged['bytes']:8.0f} {merged['cold_median_ms']:9.1f} "
                f"{merged['cold_p95_ms']:9.1f} {merged['warm_median_ms']:9.1f} "
                f"{merged['warm_p95_ms']:9.1f}"
            )
        old, new = report[name]["old"], report[name]["new"]
        print(
            f"{'':32} new/old: cold p50 {new['cold_median_ms'] / old['cold_median_ms']:.2f}, "
            f"warm p50 {new['warm_median_ms'] / old['warm_median_ms']:.2f}, "
            f"bytes {new['bytes'] / old['bytes']:.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "report": report}, indent=2))


if __name__ == "__main__":
    main()
