"""Subgroups & forest view: callback latency, page layout time and payload sizes, side by side
for two checkouts (issue 11: before/after the view restructure).

Usage::

    .venv/bin/python benchmarks/bench_forest_view.py --tree /tmp/old-forest --tree . \
        [--repeats 50] [--rounds 2]

For each ``--tree`` a child interpreter is started in that checkout (its own code and data),
alternating trees for ``--rounds`` rounds so both see the same machine load. Each child builds
the app (``create_app``: the real request path with hardening) and measures, through Flask's
test client:

* **cold**: one request for each of the distinct states below (endpoint x population, loo on),
  the first time the app sees them (model computed, nothing memoised);
* **warm**: the same request (OS, CPS>=10, loo on) repeated ``--repeats`` times (the model is
  memoised in both trees: ``lru_cache`` before, the app's ``ViewMemo`` after);
* the response size of those requests (bytes of the JSON body);
* the page layout (``layout(registry, {})``, which the router callback returns on navigation):
  time over ``--repeats // 5`` calls and its JSON size.

Prints median and p95 per measure and tree, and the ratio of the last tree to the first.
Numbers depend on the machine and its load (2 shared cores here): compare ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, sys, time
sys.path.insert(0, ".")
import plotly.utils
from app import create_app
from components import ids
from components.settings import load_settings
from data import load_registry
from tests.contract.callbacks import post, valid_body

repeats = int(sys.argv[1])
try:
    from components.forest import layout
except ImportError:
    from components.forest_panel import layout
app = create_app(load_settings({}))
client = app.server.test_client()
registry = load_registry()
key = next(k for k in app.callback_map if f"{ids.FOREST_GRAPH}.figure" in k)
spec = app.callback_map[key]

def body(endpoint, population):
    values = [endpoint, "ici-chemo_vs_chemotherapy", population, "REML", False, True, False, None]
    b = valid_body(key, spec, values)
    b["inputs"][-1] = []
    b["state"] = [[]]
    return b

def timed(b):
    t = time.perf_counter()
    resp = post(client, b)
    ms = 1000 * (time.perf_counter() - t)
    assert resp.status_code == 200, resp.status_code
    text = resp.get_data()
    assert b"Invalid selection" not in text
    return ms, len(text)

populations = ["ITT", "CPS>=1", "CPS>=10", "CPS<10", "TPS>=1", "TAP>=5", "TAP>=10", "TC>=1"]
cold, cold_sizes = [], []
for endpoint in ("OS", "PFS"):
    for pop in populations:
        ms, size = timed(body(endpoint, pop))
        cold.append(ms); cold_sizes.append(size)
warm = []
for _ in range(repeats):
    ms, size = timed(body("OS", "CPS>=10"))
    warm.append(ms)
lay = []
for _ in range(max(1, repeats // 5)):
    t = time.perf_counter()
    page = layout(registry, {})
    lay.append(1000 * (time.perf_counter() - t))
layout_bytes = len(json.dumps(page, cls=plotly.utils.PlotlyJSONEncoder))
print(json.dumps({"cold_ms": cold, "warm_ms": warm, "cold_bytes": cold_sizes,
                  "warm_bytes": size, "layout_ms": lay, "layout_bytes": layout_bytes}))
"""


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", action="append", required=True, help="checkout to measure")
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results: dict[str, dict[str, list[float]]] = {t: {} for t in args.tree}
    for _ in range(args.rounds):
        for tree in args.tree:
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(args.repeats)],
                cwd=Path(tree).resolve(),
                capture_output=True,
                text=True,
                check=True,
            )
            found = json.loads(out.stdout.strip().splitlines()[-1])
            for name, value in found.items():
                values = value if isinstance(value, list) else [value]
                results[tree].setdefault(name, []).extend(values)
    rows = [
        ("forest callback, cold (16 states)", "cold_ms", "ms"),
        ("forest callback, warm (same state)", "warm_ms", "ms"),
        ("page layout (router)", "layout_ms", "ms"),
        ("callback response size (cold states)", "cold_bytes", "bytes"),
        ("callback response size (OS, CPS>=10)", "warm_bytes", "bytes"),
        ("layout JSON size", "layout_bytes", "bytes"),
    ]
    first, last = args.tree[0], args.tree[-1]
    print(f"{'measure':40} " + " ".join(f"{t[-22:]:>24}" for t in args.tree) + "   ratio")
    for label, name, unit in rows:
        cells, medians = [], []
        for tree in args.tree:
            values = results[tree][name]
            med = statistics.median(values)
            medians.append(med)
            if unit == "ms":
                cells.append(f"{med:8.1f} (p95 {_p95(values):6.1f})")
            else:
                cells.append(f"{med:>14,.0f} B")
        ratio = results[last][name] and statistics.median(results[last][name])
        base = statistics.median(results[first][name])
        print(f"{label:40} " + " ".join(f"{c:>24}" for c in cells) + f"   {ratio / base:5.2f}")


if __name__ == "__main__":
    main()
