"""App-level measurements: cold start, /health, page routing and callback payload sizes.

Run: ``.venv/bin/python benchmarks/bench_app.py [--repeats 50]``

Everything is measured in one process, side by side, through Flask's test client (no network):
the numbers compare parts of the app with each other on the same machine and moment, which is
what matters on a shared 2-core box. PERF-01/02 load tests against gunicorn are separate.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _timed(fn, repeats: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()

    start = time.perf_counter()
    from components.settings import load_settings
    from data import load_registry

    registry = load_registry()
    loaded = time.perf_counter()
    from app import create_app

    imported = time.perf_counter()
    app = create_app(load_settings({}), registry)
    built = time.perf_counter()
    client = app.server.test_client()
    print(f"registry load            {1000 * (loaded - start):8.1f} ms")
    print(f"import app (incl. create) {1000 * (imported - loaded):8.1f} ms")
    print(f"create_app (second app)  {1000 * (built - imported):8.1f} ms")

    health = _timed(lambda: client.get("/health"), args.repeats)
    index = _timed(lambda: client.get("/"), args.repeats)
    print(f"GET /health   median {health[0]:6.2f} ms  p95 {health[1]:6.2f} ms")
    print(f"GET /         median {index[0]:6.2f} ms  p95 {index[1]:6.2f} ms")

    key = next(k for k in app.callback_map if k.startswith("page-content."))
    for path in ("/trials", "/survival", "/subgroups", "/safety", "/response"):
        body = json.dumps(
            {
                "output": key,
                "outputs": {"id": "page-content", "property": "children"},
                "inputs": [{"id": "url", "property": "pathname", "value": path}],
                "state": [{"id": "url", "property": "search", "value": ""}],
                "changedPropIds": ["url.pathname"],
            }
        )

        def route(body: str = body):
            return client.post(
                "/_dash-update-component", data=body, content_type="application/json"
            )

        size = len(route().data)
        median, p95 = _timed(route, args.repeats)
        print(f"route {path:11s} median {median:6.1f} ms  p95 {p95:6.1f} ms  {size / 1024:6.1f} KB")


if __name__ == "__main__":
    main()
