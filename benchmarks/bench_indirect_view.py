"""Indirect comparisons view beside the Subgroups & forest view: callback latency, page layout
time and payload sizes, measured in one child interpreter per round so both views see the same
machine load (issue 17: "measure callback latency side by side with the forest view").

Usage::

    .venv/bin/python benchmarks/bench_indirect_view.py [--repeats 30] [--rounds 2]

Each child builds the app (``create_app``: the real request path with hardening) and measures,
through Flask's test client:

* **cold**: one request for each of 16 distinct states, the first time the app sees them
  (indirect: endpoint x {ITT, CPS>=10, CPS>=1, TPS>=1} x node definition; forest: endpoint x
  eight populations), so the model is computed and nothing is memoised;
* **warm**: one state repeated ``--repeats`` times (served from the app's view memo);
* the page layout (``layout(registry, {})``, returned by the router on navigation);
* the JSON sizes of the responses and of the layout.

Prints median and p95 per measure for each view, and the ratio indirect / forest. The numbers
depend on the machine and its load (2 shared cores here): compare the ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
sys.path.insert(0, ".")
import plotly.utils
from app import create_app
from components import ids
from components.forest import layout as forest_layout
from components.indirect import layout as indirect_layout
from components.settings import load_settings
from data import load_registry
from tests.contract.callbacks import post, valid_body

repeats = int(sys.argv[1])
app = create_app(load_settings({}))
client = app.server.test_client()
registry = load_registry()

def key_of(output):
    key = next(k for k in app.callback_map if f"{output}.figure" in k)
    return key, app.callback_map[key]

ind_key, ind_spec = key_of(ids.INDIRECT_NETWORK_GRAPH)
for_key, for_spec = key_of(ids.FOREST_GRAPH)

def indirect_body(endpoint, population, nodes):
    values = [endpoint, population, False, "latest", nodes, None, "random"]
    return valid_body(ind_key, ind_spec, values)

def forest_body(endpoint, population):
    values = [endpoint, "ici-chemo_vs_chemotherapy", population, "REML", False, False, False, None]
    b = valid_body(for_key, for_spec, values)
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

out = {}
cold, sizes = [], []
for endpoint in ("OS", "PFS"):
    for pop in ("ITT", "CPS>=10", "CPS>=1", "TPS>=1"):
        for nodes in ("lumped", "backbone"):
            ms, size = timed(indirect_body(endpoint, pop, nodes))
            cold.append(ms); sizes.append(size)
out["indirect_cold_ms"], out["indirect_bytes"] = cold, sizes
out["indirect_warm_ms"] = [timed(indirect_body("OS", "ITT", "lumped"))[0] for _ in range(repeats)]
cold, sizes = [], []
for endpoint in ("OS", "PFS"):
    for pop in ["ITT", "CPS>=1", "CPS>=10", "CPS<10", "TPS>=1", "TAP>=5", "TAP>=10", "TC>=1"]:
        ms, size = timed(forest_body(endpoint, pop))
        cold.append(ms); sizes.append(size)
out["forest_cold_ms"], out["forest_bytes"] = cold, sizes
out["forest_warm_ms"] = [timed(forest_body("OS", "ITT"))[0] for _ in range(repeats)]
for name, layout in (("indirect", indirect_layout), ("forest", forest_layout)):
    times = []
    for _ in range(max(1, repeats // 5)):
        t = time.perf_counter()
        page = layout(registry, {})
        times.append(1000 * (time.perf_counter() - t))
    out[f"{name}_layout_ms"] = times
    out[f"{name}_layout_bytes"] = [len(json.dumps(page, cls=plotly.utils.PlotlyJSONEncoder))]
print(json.dumps(out))
"""


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(args.repeats)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        for name, values in json.loads(out.stdout.strip().splitlines()[-1]).items():
            results.setdefault(name, []).extend(values)
    rows = [
        ("callback, cold (16 states)", "cold_ms", "ms"),
        ("callback, warm (same state)", "warm_ms", "ms"),
        ("page layout (router)", "layout_ms", "ms"),
        ("callback response size (cold states)", "bytes", "B"),
        ("layout JSON size", "layout_bytes", "B"),
    ]
    print(f"{'measure':38} {'indirect':>24} {'forest':>24}   ratio")
    for label, name, unit in rows:
        a, b = results[f"indirect_{name}"], results[f"forest_{name}"]
        cells = []
        for values in (a, b):
            med = statistics.median(values)
            if unit == "ms":
                cells.append(f"{med:8.1f} (p95 {_p95(values):6.1f})")
            else:
                cells.append(f"{med:>14,.0f} B")
        ratio = statistics.median(a) / statistics.median(b)
        print(f"{label:38} {cells[0]:>24} {cells[1]:>24}   {ratio:5.2f}")


if __name__ == "__main__":
    main()
