"""Survival main callback, single requests: time and response size, for one or more source trees.

Usage::

    .venv/bin/python benchmarks/bench_survival_callback.py [TREE ...] [--repeats 50]

Each TREE (default: this checkout) is measured in its own child interpreter (``cwd=TREE``), one
after the other in the same run, so an old checkout (``git worktree add /tmp/old-survival
b1f6b82``) and this one are compared side by side on the same machine state. In each child:
``create_app`` (production settings), Flask's test client, the real request path (hardening,
callback, JSON serialisation) for the Survival view's main callback (OS, ITT, CI bands, median
lines, censor marks and at-risk table on) with 2 and 6 arms:

* **repeat** — the same request ``--repeats`` times (the common case: a shared link, a page
  re-render);
* **new state** — ``--repeats`` requests that each change the landmark time (1, 2, 3 … months),
  so no view model or statistics result can be reused for the request as a whole.

Median and p95 (nearest rank) in milliseconds; the response size is the body Dash sends
(uncompressed). Numbers depend on the machine and its load (2 shared cores): compare the trees'
ratio, not the absolute values.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARM_SETS = {
    2: ["escort1st:cam_chemo", "escort1st:placebo_chemo"],
    6: [
        "escort1st:cam_chemo",
        "escort1st:placebo_chemo",
        "jupiter06:tori_tp",
        "jupiter06:placebo_tp",
        "orient15:sint_chemo",
        "orient15:placebo_chemo",
    ],
}

CHILD = r"""
import json, math, statistics, sys, time
from components import ids
from components.settings import load_settings
from app import create_app
from tests.contract.callbacks import post, valid_body

repeats, arm_sets = int(sys.argv[1]), json.loads(sys.argv[2])
app = create_app(load_settings({}))
client = app.server.test_client()
key = next(k for k in app.callback_map if f"{ids.SURVIVAL_GRAPH}.figure" in k)
spec = app.callback_map[key]

def p95(values):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

def timed(body):
    start = time.perf_counter()
    resp = post(client, body)
    elapsed = time.perf_counter() - start
    assert resp.status_code == 200, resp.status_code
    return elapsed, len(resp.get_data())

out = []
for n_arms, arms in arm_sets.items():
    body = lambda lm: valid_body(
        key, spec, ["OS", arms, "ITT", None, lm, 18, True, True, True, True, "latest", []]
    )
    _t, size = timed(body(12))
    repeat = [timed(body(12))[0] for _ in range(repeats)]
    fresh = [timed(body(1 + i % 59))[0] for i in range(repeats)]
    out.append({"arms": int(n_arms), "response_kb": round(size / 1024, 1),
                "repeat_median_ms": round(1000 * statistics.median(repeat), 1),
                "repeat_p95_ms": round(1000 * p95(repeat), 1),
                "new_state_median_ms": round(1000 * statistics.median(fresh), 1),
                "new_state_p95_ms": round(1000 * p95(fresh), 1)})
print(json.dumps(out))
"""


def measure(tree: Path, repeats: int) -> list[dict[str, object]]:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(repeats), json.dumps(ARM_SETS)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(child.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", type=Path, default=[ROOT])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    rows = []
    for tree in args.trees:
        for row in measure(tree.resolve(), args.repeats):
            rows.append({"tree": str(tree), **row})
    head = list(rows[0])
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(str(row[h]) for h in head) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
