"""Cost of reading a request body through ``components.serving.read_body`` (issue 14).

Run: ``.venv/bin/python benchmarks/bench_body_limit.py [--repeats 2000] [--size 2000]``

Side by side on the same machine and moment: the read without a socket (embedded server and
test client: deadline checked between reads) and with one (gunicorn: a timer shuts the socket's
read side at the deadline, one short-lived thread per request with a body). Median per call.
"""

from __future__ import annotations

import argparse
import io
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from components.serving import read_body


def _median_us(size: int, repeats: int, sock: socket.socket | None) -> float:
    body = b"x" * size
    samples = []
    for _ in range(repeats):
        stream = io.BytesIO(body)
        started = time.perf_counter()
        read_body(stream, 262_144, size, 15.0, sock)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--size", type=int, default=2000, help="body bytes (a callback ~0.3-2 KB)")
    args = parser.parse_args()
    left, right = socket.socketpair()
    try:
        plain = _median_us(args.size, args.repeats, None)
        timed = _median_us(args.size, args.repeats, left)
    finally:
        left.close()
        right.close()
    print(f"body {args.size} B, median of {args.repeats}")
    print(f"  without socket (deadline between reads): {plain:8.1f} us")
    print(f"  with socket (timer thread per request):  {timed:8.1f} us  ({timed / plain:.0f}x)")


if __name__ == "__main__":
    main()
