"""Closed-loop HTTP load benchmark against gunicorn: PERF-01, PERF-02, PERF-05, PERF-06 (and the
RSS part of PERF-03), RELIABILITY.md §2.4.

Run (from the repository root)::

    .venv/bin/python benchmarks/bench_load.py --clients 1 --duration 30 --think 0     # baseline
    .venv/bin/python benchmarks/bench_load.py --clients 20 --duration 120 --think 1-5 # PERF-01-like
    .venv/bin/python benchmarks/bench_load.py --clients 20 --duration 60 --think 0    # PERF-02-like

What it does:

1. starts ``.venv/bin/gunicorn -c gunicorn.conf.py app:server`` as a subprocess in its own
   process group, with ``ESCC_BIND`` on a free loopback port, ``ESCC_WORKERS`` (``--workers``,
   default 2 for a 2-core box) and a private ``ESCC_CACHE_DIR``; ``--no-control-socket`` is added
   so that this instance does not take over the per-user control socket that other gunicorns on
   a shared machine use (``--control-socket`` keeps gunicorn's default);
2. polls ``/health`` until it answers 200: the time from ``Popen`` to that answer is the cold
   start (PERF-06); then times 50 sequential ``/health`` requests;
3. replays browser page loads with a small emulation of Dash's renderer: ``GET <page>`` (the
   index), ``GET /_dash-layout`` and ``GET /_dash-dependencies`` in parallel, then the initial
   callbacks (router first, then the view's own initial callbacks, chained the way the renderer
   chains them), then 2-6 interactions per page (switching endpoint, arms, PD-L1 key, trial,
   section, chart …). Request bodies are built from ``/_dash-dependencies`` (the serialised
   ``app.callback_map``) and the component tree the server returned, so every Input/State value
   is what a browser would send; values the user "chooses" come from the options the layout
   offers (the registry's allow-lists). 30 % of page loads open a deep link taken from a URL the
   app itself wrote earlier (``*-url.search``), so query strings follow each panel's format;
4. runs ``--clients`` closed-loop users for ``--duration`` seconds with ``--think`` seconds
   between actions (``0``, ``2`` or a range ``1-5``); each user has its own RNG seeded from
   ``--seed`` and the user number, so the request mix is reproducible;
5. reports latency percentiles (nearest rank) per endpoint and overall, callbacks only,
   page-load-to-interactive and per interaction, throughput, errors (non-2xx, 5xx, transport
   errors, error-banner responses, "invalid selection" answers), response sizes with
   ``Content-Encoding`` and callbacks over 150 KB (PERF-05), server-side request time joined from
   the access log by ``X-Request-ID``, worker RSS before/after/peak, worker recycles,
   ``WORKER TIMEOUT`` lines, load average and CPU used by server, load generator and others;
6. stops gunicorn with SIGTERM (SIGKILL to its own process group after the graceful timeout),
   also on Ctrl-C, and prints what was measured up to then.

The load generator runs on the same machine as the server and competes with it for CPU; its
own CPU time is reported so the numbers can be read with that in mind.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import http.client
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
UPDATE = "/_dash-update-component"
ROUTER_OUTPUT = "page-content.children"
BIG_PAYLOAD_BYTES = 150 * 1024  # PERF-05 budget for one figure response
COMPRESS_ABOVE_BYTES = 1024  # PERF-05: responses above this should be compressed
TIMELINE_S = 10.0  # width of the windows in the JSON timeline
# Props that hold data, not components: never walked for component ids.
NOT_COMPONENT_PROPS = frozenset({"figure", "data", "style", "config", "id"})
VIEW_PATHS = {
    "trials": "/trials",
    "survival": "/survival",
    "subgroups": "/subgroups",
    "safety": "/safety",
    "response": "/response",
}
# How often each kind of page is opened; "/" lands on the first view (Trials).
PAGE_WEIGHTS = {
    "survival": 3,
    "subgroups": 2,
    "safety": 2,
    "response": 2,
    "trials": 1,
    "landing": 1,
}
DEEP_LINK_SHARE = 0.3
INVALID_MARKERS = (b"Invalid selection", b"were not recognised")
ACCESS_RE = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+)" (?P<status>\d{3}) \S+ (?P<ms>\d+)ms rid=(?P<rid>\S+)'
)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list (NaN when empty)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(pct / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def parse_think(text: str) -> tuple[float, float]:
    """``"0"`` -> (0, 0); ``"2"`` -> (2, 2); ``"1-5"`` -> (1, 5) seconds."""
    low, _, high = text.partition("-")
    lo = float(low)
    hi = float(high) if high else lo
    if lo < 0 or hi < lo:
        raise argparse.ArgumentTypeError(f"bad think time {text!r}")
    return lo, hi


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def id_key(ident: Any) -> str:
    """Dash's string form of a component id (sorted keys, no spaces)."""
    if isinstance(ident, str):
        return ident
    return json.dumps(ident, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def parse_id(raw: Any) -> Any:
    if isinstance(raw, str) and raw.startswith("{"):
        return json.loads(raw)
    return raw


def id_matches(declared: Any, concrete: Any) -> bool:
    """Does a concrete id fit a declared one (wildcards ``["ALL"]`` etc. match anything)?"""
    if isinstance(declared, str):
        return declared == concrete
    if not isinstance(concrete, dict) or set(declared) != set(concrete):
        return False
    return all(isinstance(v, list) or concrete[k] == v for k, v in declared.items())


def ids_overlap(a: Any, b: Any) -> bool:
    """Could two declared ids name the same component?"""
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if set(a) != set(b):
        return False
    return all(isinstance(a[k], list) or isinstance(b[k], list) or a[k] == b[k] for k in a)


def is_wildcard(declared: Any) -> bool:
    return isinstance(declared, dict) and any(isinstance(v, list) for v in declared.values())


def is_component(node: Any) -> bool:
    return isinstance(node, dict) and "props" in node and "type" in node and "namespace" in node


def flat_options(props: dict[str, Any]) -> list[tuple[Any, str]]:
    """(value, label) pairs of a Mantine ``data`` prop (flat or grouped)."""
    out: list[tuple[Any, str]] = []
    for item in props.get("data") or []:
        if isinstance(item, str):
            out.append((item, item))
        elif isinstance(item, dict) and "items" in item:
            for sub in item["items"]:
                if isinstance(sub, str):
                    out.append((sub, sub))
                elif isinstance(sub, dict):
                    out.append((sub.get("value"), str(sub.get("label", ""))))
        elif isinstance(item, dict):
            out.append((item.get("value"), str(item.get("label", ""))))
    return out


# --------------------------------------------------------------------------------------------
# Callback graph (from /_dash-dependencies)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dep:
    ident: Any  # str, or dict whose wildcard values are lists such as ["ALL"]
    prop: str


@dataclass(frozen=True)
class Callback:
    index: int
    output: str  # the callback key Dash expects in "output"
    outputs: tuple[Dep, ...]
    inputs: tuple[Dep, ...]
    state: tuple[Dep, ...]
    prevent_initial: bool
    multi: bool
    label: str


def _split_output_key(key: str) -> list[Dep]:
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    deps = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        deps.append(Dep(parse_id(ident), prop))
    return deps


def _label(outputs: Sequence[Dep]) -> str:
    main = next((d for d in outputs if d.prop == "figure"), outputs[0])
    ident = main.ident if isinstance(main.ident, str) else main.ident.get("type", "?")
    extra = f"(+{len(outputs) - 1})" if len(outputs) > 1 else ""
    return f"{ident}.{main.prop}{extra}"


class Graph:
    """Server-side callbacks of the app, indexed by input property."""

    def __init__(self, deps: list[dict[str, Any]]) -> None:
        self.callbacks: list[Callback] = []
        self.skipped: list[str] = []
        for i, spec in enumerate(deps):
            if spec.get("clientside_function") or spec.get("background"):
                # Clientside callbacks never reach the server; background callbacks need the
                # job-polling protocol and are only fired by explicit clicks (deck build).
                self.skipped.append(spec["output"])
                continue
            outputs = _split_output_key(spec["output"])
            self.callbacks.append(
                Callback(
                    index=i,
                    output=spec["output"],
                    outputs=tuple(outputs),
                    inputs=tuple(Dep(parse_id(d["id"]), d["property"]) for d in spec["inputs"]),
                    state=tuple(Dep(parse_id(d["id"]), d["property"]) for d in spec["state"]),
                    prevent_initial=bool(spec.get("prevent_initial_call")),
                    multi=spec["output"].startswith(".."),
                    label=_label(outputs),
                )
            )
        self.by_input_prop: dict[str, list[tuple[Callback, Dep]]] = defaultdict(list)
        for cb in self.callbacks:
            for dep in cb.inputs:
                self.by_input_prop[dep.prop].append((cb, dep))


_GRAPH_CACHE: dict[bytes, Graph] = {}
_GRAPH_LOCK = threading.Lock()


def graph_from(raw: bytes) -> Graph:
    with _GRAPH_LOCK:
        found = _GRAPH_CACHE.get(raw)
        if found is None:
            found = Graph(json.loads(raw))
            _GRAPH_CACHE.clear()
            _GRAPH_CACHE[raw] = found
        return found


# --------------------------------------------------------------------------------------------
# Recording
# --------------------------------------------------------------------------------------------


@dataclass
class Sample:
    label: str
    kind: str  # "get" | "callback" | "asset" | "health"
    start_s: float  # since the run's start
    latency_s: float
    status: int  # 0 = transport error
    wire_bytes: int
    body_bytes: int
    encoding: str
    rid: str
    error: str = ""
    invalid: bool = False
    banner: bool = False
    server_ms: float | None = None


@dataclass
class Journey:
    label: str  # "page /survival" or "survival: arms-two"
    start_s: float
    latency_s: float
    ok: bool


@dataclass
class Recorder:
    t0: float
    samples: list[Sample] = field(default_factory=list)
    journeys: list[Journey] = field(default_factory=list)
    largest: dict[str, bytes] = field(default_factory=dict)  # label -> largest body seen

    def keep_largest(self, label: str, body: bytes) -> None:
        if len(body) > len(self.largest.get(label, b"")):
            self.largest[label] = body


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


class Http:
    """One keep-alive connection (one per thread), with a retry when the server has closed an
    idle connection (gunicorn ``keepalive = 5`` s; browsers retry such requests silently)."""

    def __init__(self, port: int, timeout_s: float) -> None:
        self.port = port
        self.timeout_s = timeout_s
        self.conn: http.client.HTTPConnection | None = None
        self.used = False

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes, float]:
        """(status, lower-cased headers, raw body as sent on the wire, latency in seconds)."""
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout_s
                )
                self.used = False
            reused = self.used
            start = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if reused and attempt == 0:
                    continue
                raise
            except Exception:
                self.close()
                raise
            latency = time.perf_counter() - start
            self.used = True
            if resp.getheader("Connection", "").lower() == "close":
                self.close()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw, latency
        raise RuntimeError("unreachable")


def decode_body(raw: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(raw)
    if encoding == "deflate":
        return zlib.decompress(raw)
    return raw


# --------------------------------------------------------------------------------------------
# A browser page: component tree index and Dash renderer emulation
# --------------------------------------------------------------------------------------------


class Page:
    """Component props by id for one loaded page, updated from callback responses."""

    def __init__(self) -> None:
        self.comps: dict[str, tuple[Any, dict[str, Any]]] = {}  # key -> (id, props), DFS order

    def _walk(self, node: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
        stack = [node]
        while stack:
            item = stack.pop()
            if is_component(item):
                props = item["props"]
                if "id" in props:
                    yield props["id"], props
                children = [v for k, v in props.items() if k not in NOT_COMPONENT_PROPS]
                stack.extend(reversed(children))
            elif isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                stack.extend(reversed(list(item.values())))

    def index(self, node: Any) -> list[str]:
        added = []
        for ident, props in self._walk(node):
            key = id_key(ident)
            self.comps[key] = (ident, props)
            added.append(key)
        return added

    def unindex(self, node: Any) -> None:
        for ident, _props in self._walk(node):
            self.comps.pop(id_key(ident), None)

    def props(self, key: str) -> dict[str, Any] | None:
        found = self.comps.get(key)
        return found[1] if found else None

    def set_prop(self, key: str, prop: str, value: Any) -> list[str]:
        """Apply one update; return the keys of components it inserted."""
        found = self.comps.get(key)
        if found is None:
            return []
        props = found[1]
        if prop not in NOT_COMPONENT_PROPS and prop in props:
            self.unindex(props[prop])
        props[prop] = value
        return self.index(value) if prop not in NOT_COMPONENT_PROPS else []

    def matching(self, declared: Any) -> list[Any]:
        if isinstance(declared, str):
            return [declared] if declared in self.comps else []
        return [ident for ident, _ in self.comps.values() if id_matches(declared, ident)]

    def item(self, ident: Any, prop: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": ident, "property": prop}
        props = self.props(id_key(ident))
        if props is not None and prop in props:
            entry["value"] = props[prop]
        return entry

    def items(self, dep: Dep) -> Any:
        if is_wildcard(dep.ident):
            return [self.item(i, dep.prop) for i in self.matching(dep.ident)]
        return self.item(dep.ident, dep.prop)


@dataclass
class Pending:
    cb: Callback
    changed: list[str]


# --------------------------------------------------------------------------------------------
# User actions per view (values from the options the layout offers)
# --------------------------------------------------------------------------------------------

Update = tuple[str, str, Any]  # (component key, prop, new value)
Action = Callable[[Page, random.Random], list[Update] | None]


def _other(rng: random.Random, values: Sequence[Any], current: Any) -> Any:
    candidates = [v for v in values if v != current] or list(values)
    return rng.choice(candidates)


def pick_option(cid: str, keep: Callable[[Any, str], bool] | None = None) -> Action:
    def act(page: Page, rng: random.Random) -> list[Update] | None:
        props = page.props(cid)
        if props is None:
            return None
        values = [v for v, label in flat_options(props) if keep is None or keep(v, label)]
        if not values:
            return None
        return [(cid, "value", _other(rng, values, props.get("value")))]

    return act


def toggle(cid: str) -> Action:
    def act(page: Page, rng: random.Random) -> list[Update] | None:
        props = page.props(cid)
        if props is None:
            return None
        return [(cid, "checked", not bool(props.get("checked")))]

    return act


def set_number(cid: str, choices: Sequence[float]) -> Action:
    def act(page: Page, rng: random.Random) -> list[Update] | None:
        props = page.props(cid)
        if props is None:
            return None
        return [(cid, "value", _other(rng, choices, props.get("value")))]

    return act


def _trial_of(value: str) -> str:
    return re.split(r"[:.]", value, maxsplit=1)[0]


def arms_same_trial(cid: str) -> Action:
    """Two arms of one randomised trial (e.g. experimental vs control), in option order."""

    def act(page: Page, rng: random.Random) -> list[Update] | None:
        props = page.props(cid)
        if props is None:
            return None
        by_trial: dict[str, list[str]] = defaultdict(list)
        for value, _label in flat_options(props):
            by_trial[_trial_of(str(value))].append(str(value))
        trials = sorted(t for t, arms in by_trial.items() if len(arms) >= 2)
        if not trials:
            return None
        arms = by_trial[rng.choice(trials)]
        pair = set(rng.sample(arms, 2))
        return [(cid, "value", [a for a in arms if a in pair])]

    return act


def arms_sample(cid: str, low: int, high: int, allow_empty: bool = False) -> Action:
    """``low``-``high`` arms from any trials (option order), or none (= all) sometimes."""

    def act(page: Page, rng: random.Random) -> list[Update] | None:
        props = page.props(cid)
        if props is None:
            return None
        values = [v for v, _ in flat_options(props)]
        if allow_empty and rng.random() < 0.25:
            return [(cid, "value", [])]
        k = min(len(values), rng.randint(low, high))
        chosen = set(rng.sample(values, k))
        return [(cid, "value", [v for v in values if v in chosen])]

    return act


def click(pattern_type: str) -> Action:
    """One more click on a random component of a pattern-matching id type."""

    def act(page: Page, rng: random.Random) -> list[Update] | None:
        keys = sorted(
            k
            for k, (ident, _) in page.comps.items()
            if isinstance(ident, dict) and ident.get("type") == pattern_type
        )
        if not keys:
            return None
        key = rng.choice(keys)
        props = page.props(key) or {}
        return [(key, "n_clicks", int(props.get("n_clicks") or 0) + 1)]

    return act


def trials_section(page: Page, rng: random.Random) -> list[Update] | None:
    select = page.props("trials-detail-select")
    if select is None:
        return None
    if not select.get("value"):  # a section only shows once a trial is chosen
        return pick_option("trials-detail-select")(page, rng)
    return pick_option("trials-detail-section")(page, rng)


def _has_curve(_value: Any, label: str) -> bool:
    return "no reconstructable curve" not in label


def _pdl1_key(value: Any, _label: str) -> bool:
    return value != "ITT"


ACTIONS: dict[str, list[tuple[str, int, Action]]] = {
    "trials": [
        ("detail-trial", 3, pick_option("trials-detail-select")),
        ("detail-section", 2, trials_section),
        ("class-filter", 1, arms_sample("trials-class-filter", 1, 3)),
    ],
    "survival": [
        ("arms-two", 3, arms_same_trial("survival-arms")),
        ("arms-six", 2, arms_sample("survival-arms", 6, 6)),
        ("preset", 1, click("survival-preset")),
        ("endpoint", 2, pick_option("survival-endpoint")),
        ("pdl1-key", 2, pick_option("survival-population", _has_curve)),
        ("ci-bands", 1, toggle("survival-show-ci")),
        ("landmark", 1, set_number("survival-landmark", (6.0, 12.0, 18.0, 24.0))),
        ("add-to-deck", 1, click("export-add")),
    ],
    "subgroups": [
        ("endpoint", 2, pick_option("forest-endpoint")),
        ("pdl1-key", 3, pick_option("forest-population", _pdl1_key)),
        ("comparison", 2, pick_option("forest-comparison")),
        ("method", 1, pick_option("forest-method")),
        ("leave-one-out", 1, toggle("forest-leave-one-out")),
        ("knapp-hartung", 1, toggle("forest-knapp-hartung")),
        ("add-to-deck", 1, click("export-add")),
    ],
    "safety": [
        ("arms", 2, arms_sample("safety-arms", 2, 6)),
        ("chart", 3, pick_option("safety-chart")),
        ("category", 1, pick_option("safety-category")),
        ("grade", 1, pick_option("safety-grade")),
        ("sort", 1, pick_option("safety-sort")),
        ("min-frequency", 1, set_number("safety-min", (0, 5, 10, 20))),
        ("add-to-deck", 1, click("export-add")),
    ],
    "response": [
        ("measure", 3, pick_option("response-measure")),
        ("population", 1, pick_option("response-population")),
        ("classes", 1, arms_sample("response-classes", 1, 2, allow_empty=True)),
        ("arms", 1, arms_sample("response-arms", 2, 6, allow_empty=True)),
        ("add-to-deck", 1, click("export-add")),
    ],
}
ACTIONS["landing"] = ACTIONS["trials"]


# --------------------------------------------------------------------------------------------
# One simulated user
# --------------------------------------------------------------------------------------------


class User:
    """A closed-loop browser user: page loads and interactions, requests of one renderer wave
    sent in parallel (up to 4), like a browser does."""

    def __init__(
        self,
        name: str,
        port: int,
        rng: random.Random,
        rec: Recorder,
        timeout_s: float,
        deep_links: dict[str, list[str]],
        fetch_assets: bool,
    ) -> None:
        self.name = name
        self.port = port
        self.rng = rng
        self.rec = rec
        self.timeout_s = timeout_s
        self.deep_links = deep_links
        self.history: dict[str, list[str]] = defaultdict(list)
        self.fetch_assets = fetch_assets
        self.assets_done = False
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix=f"{name}-w")
        self.counter = 0
        self.lock = threading.Lock()
        self.origin = f"http://127.0.0.1:{port}"
        self.page = Page()
        self.graph: Graph | None = None
        self.path = "/"

    # ---- HTTP with recording

    def _http(self) -> Http:
        conn = getattr(self.local, "http", None)
        if conn is None:
            conn = Http(self.port, self.timeout_s)
            self.local.http = conn
        return conn

    def _rid(self) -> str:
        with self.lock:
            self.counter += 1
            return f"{self.name}-{self.counter}"

    def fetch(
        self, method: str, path: str, label: str, kind: str, body: bytes | None = None
    ) -> tuple[int, bytes]:
        rid = self._rid()
        headers = {
            "Accept-Encoding": "gzip, deflate",
            "X-Request-ID": rid,
            "User-Agent": "bench_load",
        }
        if body is not None:
            headers.update(
                {
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    "Origin": self.origin,
                    "Sec-Fetch-Site": "same-origin",
                }
            )
        start = time.perf_counter() - self.rec.t0
        try:
            status, resp_headers, raw, latency = self._http().request(method, path, body, headers)
        except Exception as exc:  # transport errors are results, not crashes
            self.rec.samples.append(
                Sample(
                    label,
                    kind,
                    start,
                    time.perf_counter() - self.rec.t0 - start,
                    0,
                    0,
                    0,
                    "",
                    rid,
                    error=type(exc).__name__,
                )
            )
            return 0, b""
        encoding = resp_headers.get("content-encoding", "")
        try:
            decoded = decode_body(raw, encoding)
        except (OSError, zlib.error):
            decoded = raw
        sample = Sample(label, kind, start, latency, status, len(raw), len(decoded), encoding, rid)
        if kind == "callback" and status == 200:
            sample.invalid = any(m in decoded for m in INVALID_MARKERS)
            sample.banner = b'"error-banner"' in decoded
        self.rec.samples.append(sample)
        if kind in ("callback", "get"):
            self.rec.keep_largest(label, decoded)
        return status, decoded

    # ---- renderer emulation

    def _body(self, pending: Pending) -> bytes:
        cb = pending.cb
        outputs = []
        for dep in cb.outputs:
            if is_wildcard(dep.ident):
                outputs.append(
                    [{"id": i, "property": dep.prop} for i in self.page.matching(dep.ident)]
                )
            else:
                outputs.append({"id": dep.ident, "property": dep.prop})
        body: dict[str, Any] = {
            "output": cb.output,
            "outputs": outputs if cb.multi else outputs[0],
            "inputs": [self.page.items(d) for d in cb.inputs],
            "changedPropIds": pending.changed,
        }
        if cb.state:
            body["state"] = [self.page.items(d) for d in cb.state]
        return json.dumps(body, separators=(",", ":")).encode()

    def _call(self, pending: Pending) -> tuple[int, bytes]:
        label = pending.cb.label
        if pending.cb.output == ROUTER_OUTPUT:
            label = f"{label} {self.path}"
        return self.fetch("POST", UPDATE, f"cb {label}", "callback", self._body(pending))

    def _initial(self, new_keys: Iterable[str]) -> list[Pending]:
        """Callbacks the renderer fires when components appear (not prevent_initial_call)."""
        assert self.graph is not None
        new = set(new_keys)
        out = []
        for cb in self.graph.callbacks:
            if cb.prevent_initial:
                continue
            deps = (*cb.inputs, *cb.outputs)
            touches = any(
                (d.ident in new)
                if isinstance(d.ident, str)
                else any(id_key(i) in new for i in self.page.matching(d.ident))
                for d in deps
            )
            if not touches:
                continue
            present = all(d.ident in self.page.comps for d in deps if isinstance(d.ident, str))
            if present:
                out.append(Pending(cb, []))
        return out

    def _triggered(self, key: str, prop: str) -> list[Pending]:
        assert self.graph is not None
        found = self.page.comps.get(key)
        if found is None:
            return []
        ident = found[0]
        changed = f"{key}.{prop}"
        return [
            Pending(cb, [changed])
            for cb, dep in self.graph.by_input_prop.get(prop, [])
            if id_matches(dep.ident, ident)
        ]

    @staticmethod
    def _merge(queue: dict[int, Pending], items: Iterable[Pending]) -> None:
        for item in items:
            have = queue.get(item.cb.index)
            if have is None:
                queue[item.cb.index] = Pending(item.cb, list(item.changed))
            else:
                have.changed.extend(c for c in item.changed if c not in have.changed)

    def cascade(self, queue: dict[int, Pending]) -> bool:
        """Run pending callbacks wave by wave, as the renderer does: a callback waits while
        another pending callback outputs one of its inputs. False on any HTTP failure."""
        ok = True
        for _wave in range(25):
            if not queue:
                return ok
            pending = list(queue.values())
            ready = [
                p
                for p in pending
                if not any(
                    ids_overlap(i.ident, o.ident) and i.prop == o.prop
                    for q in pending
                    if q is not p
                    for o in q.cb.outputs
                    for i in p.cb.inputs
                )
            ] or pending
            for p in ready:
                del queue[p.cb.index]
            if len(ready) == 1:
                results = [self._call(ready[0])]
            else:
                futures = [self.pool.submit(self._call, p) for p in ready[1:]]
                results = [self._call(ready[0])] + [f.result() for f in futures]
            for status, body in results:
                if status == 204:
                    continue
                if status != 200:
                    ok = False
                    continue
                self._merge(queue, self._apply(json.loads(body)))
        return ok

    def _apply(self, data: dict[str, Any]) -> list[Pending]:
        follow: list[Pending] = []
        inserted: list[str] = []
        updates = dict(data.get("response") or {})
        for key, props in (data.get("sideUpdate") or {}).items():
            updates.setdefault(key, {}).update(props)
        for raw_key, props in updates.items():
            key = id_key(parse_id(raw_key))
            for prop, value in props.items():
                inserted.extend(self.page.set_prop(key, prop, value))
                follow.extend(self._triggered(key, prop))
                if prop == "search" and key.endswith("-url") and isinstance(value, str):
                    # The panel mirrored its controls into the address bar (a copyable link).
                    self.page.set_prop("url", "search", value)
                    if value and value not in self.history[self.path]:
                        self.history[self.path].append(value)
        if inserted:
            follow.extend(self._initial(inserted))
        return follow

    # ---- journeys

    def page_load(self, path: str, search: str) -> bool:
        self.path = path
        start = time.perf_counter()
        status, index_html = self.fetch("GET", path + search, "GET page (index)", "get")
        ok = status == 200
        if ok and self.fetch_assets and not self.assets_done:
            self.assets_done = True
            refs = re.findall(
                rb'(?:src|href)="(/_dash-component-suites/[^"]+|/assets/[^"]+)"', index_html
            )
            for ref in dict.fromkeys(refs):
                self.fetch("GET", ref.decode(), "GET asset (cold cache)", "asset")
        futures = self.pool.submit(
            self.fetch, "GET", "/_dash-dependencies", "GET /_dash-dependencies", "get"
        )
        layout_status, layout_raw = self.fetch("GET", "/_dash-layout", "GET /_dash-layout", "get")
        deps_status, deps_raw = futures.result()
        if not (ok and layout_status == 200 and deps_status == 200):
            self.rec.journeys.append(
                Journey(
                    f"page {path}", start - self.rec.t0 + 0.0, time.perf_counter() - start, False
                )
            )
            return False
        self.graph = graph_from(deps_raw)
        self.page = Page()
        keys = self.page.index(json.loads(layout_raw))
        # dcc.Location reports the address on mount, before the first callbacks go out.
        self.page.set_prop("url", "pathname", path)
        self.page.set_prop("url", "search", search)
        queue: dict[int, Pending] = {}
        self._merge(queue, self._initial(keys))
        ok = self.cascade(queue)
        elapsed = time.perf_counter() - start
        self.rec.journeys.append(Journey(f"page {path}", start - self.rec.t0, elapsed, ok))
        return ok

    def interact(self, view: str) -> bool | None:
        names = [n for n, _, _ in ACTIONS[view]]
        weights = [w for _, w, _ in ACTIONS[view]]
        name = self.rng.choices(names, weights)[0]
        action = dict((n, a) for n, _, a in ACTIONS[view])[name]
        updates = action(self.page, self.rng)
        if not updates:
            return None
        start = time.perf_counter()
        queue: dict[int, Pending] = {}
        for key, prop, value in updates:
            self._merge(queue, (Pending(p.cb, p.changed) for p in self._triggered(key, prop)))
            self.page.set_prop(key, prop, value)
        ok = self.cascade(queue)
        self.rec.journeys.append(
            Journey(f"{view}: {name}", start - self.rec.t0, time.perf_counter() - start, ok)
        )
        return ok

    def choose_page(self) -> tuple[str, str, str]:
        views = list(PAGE_WEIGHTS)
        view = self.rng.choices(views, [PAGE_WEIGHTS[v] for v in views])[0]
        path = "/" if view == "landing" else VIEW_PATHS[view]
        links = [*self.deep_links.get(path, []), *self.history[path]]
        search = ""
        if links and self.rng.random() < DEEP_LINK_SHARE:
            search = self.rng.choice(links)
        return view, path, search

    def run(self, deadline: float, stop: threading.Event, think: tuple[float, float]) -> None:
        def pause() -> bool:
            # Draw even when the wait is cut short, so the RNG sequence does not depend on timing.
            seconds = self.rng.uniform(*think) if think[1] > 0 else 0.0
            left = deadline - time.perf_counter()
            return left > 0 and not stop.wait(min(seconds, left)) and seconds < left

        try:
            while not stop.is_set() and time.perf_counter() < deadline:
                view, path, search = self.choose_page()
                ok = self.page_load(path, search)
                for _ in range(self.rng.randint(2, 6)):
                    if not ok or not pause():
                        break
                    self.interact(view)
                if not pause():
                    break
        finally:
            self.close()

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        conn = getattr(self.local, "http", None)
        if conn is not None:
            conn.close()


# --------------------------------------------------------------------------------------------
# gunicorn under test
# --------------------------------------------------------------------------------------------


class Server:
    def __init__(self, workers: int, log_path: Path, control_socket: bool) -> None:
        self.port = free_port()
        self.workers = workers
        self.log_path = log_path
        self.cache_dir = Path(tempfile.mkdtemp(prefix="bench-load-cache-"))
        self.cmd = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "app:server",
        ]
        if not control_socket:
            self.cmd.append("--no-control-socket")
        self.proc: subprocess.Popen[bytes] | None = None
        self.cold_start_s = math.nan

    def start(self, timeout_s: float = 60.0) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DASH_", "FLASK_"))}
        env.update(
            ESCC_BIND=f"127.0.0.1:{self.port}",
            ESCC_WORKERS=str(self.workers),
            ESCC_CACHE_DIR=str(self.cache_dir),
        )
        log = self.log_path.open("wb")
        start = time.perf_counter()
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches only this script
        )
        log.close()
        probe = Http(self.port, 2.0)
        while time.perf_counter() - start < timeout_s:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode} during start-up")
            try:
                status, _, _, _ = probe.request("GET", "/health", None, {})
                if status == 200:
                    self.cold_start_s = time.perf_counter() - start
                    probe.close()
                    return
            except OSError:
                probe.close()
            time.sleep(0.05)
        raise RuntimeError(f"/health not 200 within {timeout_s:.0f} s")

    def master(self) -> psutil.Process | None:
        if self.proc is None or self.proc.poll() is not None:
            return None
        try:
            return psutil.Process(self.proc.pid)
        except psutil.NoSuchProcess:
            return None

    def worker_rss(self) -> dict[int, float]:
        """Resident set size per worker pid, MB."""
        master = self.master()
        out: dict[int, float] = {}
        if master is None:
            return out
        for child in master.children():
            try:
                out[child.pid] = child.memory_info().rss / 2**20
            except psutil.NoSuchProcess:
                continue
        return out

    def worker_pss(self) -> dict[int, float]:
        """Proportional set size per worker pid, MB: pages shared copy-on-write with the
        master and the other workers count in proportion (what a worker really costs)."""
        master = self.master()
        out: dict[int, float] = {}
        if master is None:
            return out
        for child in master.children():
            try:
                out[child.pid] = getattr(child.memory_full_info(), "pss", math.nan) / 2**20
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return out

    def master_rss(self) -> float:
        master = self.master()
        try:
            return master.memory_info().rss / 2**20 if master else math.nan
        except psutil.NoSuchProcess:
            return math.nan

    def cpu_seconds(self) -> float:
        """CPU time of master, live workers and reaped (recycled) workers."""
        master = self.master()
        if master is None:
            return math.nan
        try:
            times = master.cpu_times()
            total = times.user + times.system + times.children_user + times.children_system
            for child in master.children():
                with_child = child.cpu_times()
                total += with_child.user + with_child.system
            return total
        except psutil.NoSuchProcess:
            return math.nan

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # our own group only
                self.proc.wait(timeout=10)
        shutil.rmtree(self.cache_dir, ignore_errors=True)
        return self.proc.returncode


# --------------------------------------------------------------------------------------------
# Monitoring during the run
# --------------------------------------------------------------------------------------------


class Monitor(threading.Thread):
    """Samples load average, worker RSS and /health every ``period_s`` seconds."""

    def __init__(self, server: Server, rec: Recorder, period_s: float = 1.0) -> None:
        super().__init__(daemon=True, name="monitor")
        self.server = server
        self.rec = rec
        self.period_s = period_s
        self.stop = threading.Event()
        self.load: list[float] = []
        self.rss_peak: dict[int, float] = {}
        self.worker_pids: set[int] = set()
        self.http = Http(server.port, 10.0)

    def run(self) -> None:
        while not self.stop.wait(self.period_s):
            self.load.append(os.getloadavg()[0])
            for pid, rss in self.server.worker_rss().items():
                self.worker_pids.add(pid)
                self.rss_peak[pid] = max(rss, self.rss_peak.get(pid, 0.0))
            start = time.perf_counter() - self.rec.t0
            try:
                status, _, raw, latency = self.http.request("GET", "/health", None, {})
                self.rec.samples.append(
                    Sample(
                        "GET /health (under load)",
                        "health",
                        start,
                        latency,
                        status,
                        len(raw),
                        len(raw),
                        "",
                        "",
                    )
                )
            except Exception as exc:
                self.rec.samples.append(
                    Sample(
                        "GET /health (under load)",
                        "health",
                        start,
                        0.0,
                        0,
                        0,
                        0,
                        "",
                        "",
                        error=type(exc).__name__,
                    )
                )


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return "–" if math.isnan(seconds) else f"{1000 * seconds:.0f}"


def _kb(n: float) -> str:
    return f"{n / 1024:.1f}"


def latency_row(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50_s": percentile(ordered, 50),
        "p95_s": percentile(ordered, 95),
        "p99_s": percentile(ordered, 99),
        "max_s": ordered[-1] if ordered else math.nan,
    }


def _busy_cpu_s(times: Any) -> float:
    """CPU seconds spent by processes (steal and idle excluded) from ``psutil.cpu_times()``."""
    return float(
        times.user
        + times.nice
        + times.system
        + getattr(times, "irq", 0.0)
        + getattr(times, "softirq", 0.0)
    )


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def payload_breakdown(body: bytes) -> dict[str, Any]:
    """Bytes per output of a callback response; for figures also per trace kind and for the
    layout (where the budget goes, PERF-05)."""
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    out: dict[str, Any] = {}
    for ident, props in (data.get("response") or {}).items():
        for prop, value in props.items():
            entry: dict[str, Any] = {"bytes": _size(value)}
            if prop == "figure" and isinstance(value, dict):
                traces: Counter[str] = Counter()
                sizes: Counter[str] = Counter()
                for trace in value.get("data") or []:
                    kind = str(trace.get("type", "scatter"))
                    traces[kind] += 1
                    sizes[kind] += _size(trace)
                entry["traces"] = {k: {"n": traces[k], "bytes": sizes[k]} for k in traces}
                entry["layout_bytes"] = _size(value.get("layout"))
                layout = value.get("layout") or {}
                entry["annotations"] = len(layout.get("annotations") or [])
                entry["shapes"] = len(layout.get("shapes") or [])
            out[f"{ident}.{prop}"] = entry
    return out


def write_samples(path: Path, samples: list[Sample]) -> None:
    columns = [f.name for f in fields(Sample)]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for sample in sorted(samples, key=lambda x: x.start_s):
            writer.writerow([getattr(sample, c) for c in columns])


def join_access_log(log_text: str, samples: list[Sample]) -> None:
    by_rid = {s.rid: s for s in samples if s.rid}
    for match in ACCESS_RE.finditer(log_text):
        sample = by_rid.get(match["rid"])
        if sample is not None:
            sample.server_ms = float(match["ms"])


def summarise(rec: Recorder, measured_s: float, duration_s: float) -> dict[str, Any]:
    """Statistics over every request; throughput counts requests started within
    ``duration_s`` (the measured window), the rest finished the journeys in flight."""
    samples = [s for s in rec.samples if s.kind != "health"]
    by_label: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_label[s.label].append(s)
    endpoints = {}
    for label, group in sorted(by_label.items()):
        ok = [s for s in group if s.status != 0]
        sizes = sorted(s.body_bytes for s in ok)
        server = sorted(s.server_ms for s in ok if s.server_ms is not None)
        encodings = Counter(
            s.encoding or "identity" for s in ok if s.body_bytes > COMPRESS_ABOVE_BYTES
        )
        endpoints[label] = {
            **latency_row([s.latency_s for s in ok]),
            "errors_non2xx": sum(1 for s in group if not 200 <= s.status < 300),
            "errors_5xx": sum(1 for s in group if s.status >= 500),
            "transport_errors": sum(1 for s in group if s.status == 0),
            "invalid_selection": sum(1 for s in group if s.invalid),
            "error_banner": sum(1 for s in group if s.banner),
            "size_median_bytes": percentile(sizes, 50) if sizes else 0,
            "size_max_bytes": sizes[-1] if sizes else 0,
            "encodings_over_1kb": dict(encodings),
            "server_p50_ms": percentile(server, 50),
            "server_p95_ms": percentile(server, 95),
        }
    callbacks = [s for s in samples if s.kind == "callback" and s.status != 0]
    journeys: dict[str, list[Journey]] = defaultdict(list)
    for j in rec.journeys:
        journeys[j.label].append(j)
    pages = [j for j in rec.journeys if j.label.startswith("page ")]
    health = [s for s in rec.samples if s.kind == "health"]
    big = [
        {
            "label": label,
            "bytes": len(body),
            "gzip6_bytes": len(gzip.compress(body, 6)),
            "breakdown": payload_breakdown(body),
        }
        for label, body in sorted(rec.largest.items(), key=lambda kv: -len(kv[1]))
        if label.startswith("cb ") and len(body) > BIG_PAYLOAD_BYTES
    ]
    largest = [
        {"label": label, "bytes": len(body), "gzip6_bytes": len(gzip.compress(body, 6))}
        for label, body in sorted(rec.largest.items(), key=lambda kv: -len(kv[1]))[:8]
    ]
    timeline = []
    for bucket in range(math.ceil(measured_s / TIMELINE_S)):
        lo, hi = bucket * TIMELINE_S, (bucket + 1) * TIMELINE_S
        window = [s for s in samples if lo <= s.start_s < hi]
        cbs = sorted(s.latency_s for s in window if s.kind == "callback" and s.status != 0)
        timeline.append(
            {
                "from_s": lo,
                "requests": len(window),
                "callback_p95_s": percentile(cbs, 95),
                "errors": sum(1 for s in window if not 200 <= s.status < 300),
            }
        )
    return {
        "measured_s": measured_s,
        "timeline": timeline,
        "duration_s": duration_s,
        "requests": len(samples),
        "throughput_rps": sum(1 for s in samples if s.start_s < duration_s) / duration_s,
        "callback_rps": sum(1 for s in callbacks if s.start_s < duration_s) / duration_s,
        "overall": latency_row([s.latency_s for s in samples if s.status != 0]),
        "callbacks": latency_row([s.latency_s for s in callbacks]),
        "errors_non2xx": sum(1 for s in samples if not 200 <= s.status < 300),
        "errors_5xx": sum(1 for s in samples if s.status >= 500),
        "transport_errors": sum(1 for s in samples if s.status == 0),
        "error_banner": sum(1 for s in samples if s.banner),
        "invalid_selection": sum(1 for s in samples if s.invalid),
        "endpoints": endpoints,
        "page_load_to_interactive": latency_row([j.latency_s for j in pages]),
        "page_loads_failed": sum(1 for j in pages if not j.ok),
        "journeys": {
            label: {
                **latency_row([j.latency_s for j in group]),
                "failed": sum(1 for j in group if not j.ok),
            }
            for label, group in sorted(journeys.items())
        },
        "health_under_load": {
            **latency_row([s.latency_s for s in health if s.status == 200]),
            "failed": sum(1 for s in health if s.status != 200),
        },
        "callbacks_over_150kb": big,
        "largest_bodies": largest,
    }


LOG_LINE_RE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) [^\]]*\] \[(\d+)\] \[\w+\] (.*)$")


def recycles(text: str) -> list[dict[str, float]]:
    """Workers restarted by ``max_requests``: seconds from the first "Autorestarting worker" to
    "Worker exiting", and from there to the next "Booting worker" (the replacement). The pool
    is one worker short for the sum (the log has 1 s resolution)."""
    events: list[tuple[float, int, str]] = []
    for line in text.splitlines():
        match = LOG_LINE_RE.match(line)
        if match:
            stamp = time.mktime(time.strptime(match[1], "%Y-%m-%d %H:%M:%S"))
            events.append((stamp, int(match[2]), match[3]))
    out: list[dict[str, float]] = []
    used_boots: set[int] = set()
    for k, (stamp, pid, message) in enumerate(events):
        if not message.startswith("Autorestarting worker") or any(r["pid"] == pid for r in out):
            continue
        exit_at = next(
            (t for t, p, m in events[k:] if p == pid and m.startswith("Worker exiting")), None
        )
        if exit_at is None:
            continue
        boot = next(
            (
                (n, t)
                for n, (t, _p, m) in enumerate(events)
                if t >= exit_at and n not in used_boots and m.startswith("Booting worker")
            ),
            None,
        )
        if boot is None:
            continue  # stopped by the end of the run
        used_boots.add(boot[0])
        out.append({"pid": pid, "drain_s": exit_at - stamp, "replace_s": boot[1] - exit_at})
    return out


def scan_log(text: str, workers: int) -> dict[str, Any]:
    boots = text.count("Booting worker")
    return {
        "worker_timeout_lines": text.count("WORKER TIMEOUT"),
        "worker_boots": boots,
        "worker_recycles": max(0, boots - workers),
        "max_requests_restarts": len(set(re.findall(r"\[(\d+)\] \[INFO\] Autorestarting", text))),
        "recycles": recycles(text),
        "error_lines": sum(
            1 for line in text.splitlines() if " ERROR " in line or "[ERROR]" in line
        ),
        "tracebacks": text.count("Traceback"),
        "access_5xx": sum(1 for m in ACCESS_RE.finditer(text) if m["status"].startswith("5")),
    }


def _endpoint_line(label: str, e: dict[str, Any]) -> str:
    enc = ", ".join(f"{k} {v}" for k, v in e["encodings_over_1kb"].items()) or "–"
    server = "–" if math.isnan(e["server_p95_ms"]) else f"{e['server_p95_ms']:.0f}"
    cells = [
        label,
        str(e["n"]),
        _ms(e["p50_s"]),
        _ms(e["p95_s"]),
        _ms(e["p99_s"]),
        _ms(e["max_s"]),
        server,
        str(e["errors_non2xx"]),
        str(e["errors_5xx"]),
        _kb(e["size_median_bytes"]),
        _kb(e["size_max_bytes"]),
        enc,
    ]
    return "| " + " | ".join(cells) + " |"


def _pcts(row: dict[str, float]) -> str:
    return (
        f"p50 {_ms(row['p50_s'])} ms, p95 {_ms(row['p95_s'])} ms, p99 {_ms(row['p99_s'])} ms, "
        f"max {_ms(row['max_s'])} ms (n={row['n']})"
    )


def print_report(result: dict[str, Any]) -> None:
    s = result["summary"]
    cfg = result["config"]
    health = s["health_under_load"]
    lg = result["log"]
    m = result["machine"]
    r = result["rss"]
    lines = [
        "",
        f"## bench_load: {cfg['clients']} clients, think {cfg['think']} s, "
        f"{cfg['duration_s']:g} s, {cfg['workers']} workers, seed {cfg['seed']}",
        f"command: {cfg['command']}",
        f"cold start to healthy: {result['cold_start_s']:.2f} s; /health idle "
        f"{_pcts(result['health_idle'])}; under load p95 {_ms(health['p95_s'])} ms "
        f"(failed {health['failed']})",
        f"{s['requests']} requests in {s['measured_s']:.1f} s (until the last user stopped); "
        f"throughput over the {s['duration_s']:g} s window {s['throughput_rps']:.1f} req/s "
        f"({s['callback_rps']:.1f} callbacks/s)",
        f"all requests: {_pcts(s['overall'])}",
        f"callbacks:    {_pcts(s['callbacks'])}",
        f"page load to interactive: {_pcts(s['page_load_to_interactive'])}, "
        f"failed {s['page_loads_failed']}",
        f"errors: non-2xx {s['errors_non2xx']}, 5xx {s['errors_5xx']}, transport "
        f"{s['transport_errors']}, error-banner responses {s['error_banner']}, "
        f"invalid-selection answers {s['invalid_selection']}",
        f"log: WORKER TIMEOUT {lg['worker_timeout_lines']}, max_requests restarts "
        f"{lg['max_requests_restarts']} (drain + replace, s: "
        f"{[(r['drain_s'], r['replace_s']) for r in lg['recycles']]}), "
        f"ERROR lines {lg['error_lines']}, tracebacks "
        f"{lg['tracebacks']}, 5xx in access log {lg['access_5xx']}",
        f"load average (1 min): before {m['load_before']:.2f}, during mean "
        f"{m['load_mean']:.2f}, max {m['load_max']:.2f}",
        f"CPU seconds: server {m['server_cpu_s']:.1f}, load generator {m['client_cpu_s']:.1f}, "
        f"other processes {m['other_cpu_s']:.1f} (capacity {m['cpu_capacity_s']:.0f})",
        f"worker RSS MB: before {r['before']}, after {r['after']}, peak {r['peak']}, "
        f"master {r['master_mb']:.0f}; PSS before {r['pss_before']}, after {r['pss_after']}",
        "",
        "| endpoint | n | p50 ms | p95 ms | p99 ms | max ms | server p95 ms | non-2xx | 5xx "
        "| median KB | max KB | >1 KB encoding |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    ordered = sorted(
        s["endpoints"].items(),
        key=lambda kv: 0.0 if math.isnan(kv[1]["p95_s"]) else -kv[1]["p95_s"],
    )
    lines.extend(_endpoint_line(label, e) for label, e in ordered)
    lines += [
        "",
        "| journey | n | p50 ms | p95 ms | p99 ms | failed |",
        "|---|---|---|---|---|---|",
    ]
    for label, j in s["journeys"].items():
        cells = [label, str(j["n"]), _ms(j["p50_s"]), _ms(j["p95_s"]), _ms(j["p99_s"])]
        lines.append("| " + " | ".join([*cells, str(j["failed"])]) + " |")
    lines += ["", "timeline (10 s windows): requests / callback p95 ms / errors"]
    lines.append(
        "  "
        + "  ".join(
            f"{t['requests']}/{_ms(t['callback_p95_s'])}/{t['errors']}" for t in s["timeline"]
        )
    )
    lines += ["", "largest bodies (decoded; gzip -6 size for comparison):"]
    for b in s["largest_bodies"]:
        over = b["label"].startswith("cb ") and b["bytes"] > BIG_PAYLOAD_BYTES
        lines.append(
            f"  {b['label']}: {_kb(b['bytes'])} KB (gzip {_kb(b['gzip6_bytes'])} KB)"
            + ("  > 150 KB" if over else "")
        )
    print("\n".join(lines))


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def warm_up(
    port: int, seed: int, timeout_s: float, rounds: int
) -> tuple[dict[str, list[str]], int]:
    """One user opens every view ``rounds`` times with a few interactions (not measured); the
    links the app writes become the deep links of the measured run."""
    rec = Recorder(time.perf_counter())
    user = User("warm", port, random.Random(f"{seed}:warm-up"), rec, timeout_s, {}, False)
    try:
        for _ in range(rounds):
            for view, path in [("landing", "/"), *VIEW_PATHS.items()]:
                if user.page_load(path, ""):
                    for _ in range(3):
                        user.interact(view)
    finally:
        user.close()
    links = {path: sorted(found) for path, found in user.history.items()}
    return links, len(rec.samples)


def run(args: argparse.Namespace) -> dict[str, Any]:
    log_path = (
        Path(args.log)
        if args.log
        else Path(tempfile.gettempdir()) / f"bench_load_gunicorn_{os.getpid()}.log"
    )
    server = Server(args.workers, log_path, args.control_socket)
    think = parse_think(args.think)
    command = " ".join(["python benchmarks/bench_load.py", *sys.argv[1:]])
    result: dict[str, Any] = {
        "config": {
            "clients": args.clients,
            "duration_s": args.duration,
            "think": args.think,
            "workers": args.workers,
            "seed": args.seed,
            "command": command,
            "gunicorn": " ".join(server.cmd),
            "assets": args.assets,
        },
    }
    stop = threading.Event()
    load_before = os.getloadavg()[0]
    try:
        try:
            server.start()
        except RuntimeError as exc:
            result["error"] = str(exc)
            return result
        result["cold_start_s"] = server.cold_start_s
        probe = Http(server.port, 10.0)
        health = []
        for _ in range(50):
            status, _, _, latency = probe.request("GET", "/health", None, {})
            if status == 200:
                health.append(latency)
        probe.close()
        result["health_idle"] = latency_row(health)
        links, warm_requests = warm_up(server.port, args.seed, args.timeout, args.warmup)
        result["warm_up_requests"] = warm_requests
        result["deep_links"] = links
        rss_before = server.worker_rss()
        pss_before = server.worker_pss()
        cpu_server_0 = server.cpu_seconds()
        cpu_client_0 = resource.getrusage(resource.RUSAGE_SELF)
        cpu_all_0 = psutil.cpu_times()

        rec = Recorder(time.perf_counter())
        monitor = Monitor(server, rec)
        monitor.start()
        deadline = rec.t0 + args.duration
        users = [
            User(
                f"u{i:02d}",
                server.port,
                random.Random(f"{args.seed}:{i}"),
                rec,
                args.timeout,
                links,
                args.assets,
            )
            for i in range(args.clients)
        ]
        threads = []
        for i, user in enumerate(users):
            # Arrivals spread over the first seconds (at most one think interval).
            delay = (i / max(1, args.clients)) * min(2.0, think[1])
            t = threading.Thread(
                target=lambda u=user, d=delay: (stop.wait(d), u.run(deadline, stop, think)),
                daemon=True,
                name=user.name,
            )
            threads.append(t)
            t.start()
        interrupted = False
        try:
            while any(t.is_alive() for t in threads):
                for t in threads:
                    t.join(timeout=0.5)
                if time.perf_counter() > deadline + args.timeout + 10:
                    break  # a request hung past its own timeout: report what we have
        except KeyboardInterrupt:
            interrupted = True
            stop.set()
            print("\ninterrupted: waiting up to 10 s for in-flight requests …", file=sys.stderr)
            for t in threads:
                t.join(timeout=10 / max(1, len(threads)))
        measured = time.perf_counter() - rec.t0
        monitor.stop.set()
        monitor.join(timeout=5)
        cpu_all_1 = psutil.cpu_times()
        cpu_client_1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu_server_1 = server.cpu_seconds()
        rss_after = server.worker_rss()
        pss_after = server.worker_pss()
        result["interrupted"] = interrupted
        client_cpu = (cpu_client_1.ru_utime + cpu_client_1.ru_stime) - (
            cpu_client_0.ru_utime + cpu_client_0.ru_stime
        )
        server_cpu = cpu_server_1 - cpu_server_0
        total_cpu = _busy_cpu_s(cpu_all_1) - _busy_cpu_s(cpu_all_0)
        result["machine"] = {
            "cpus": os.cpu_count(),
            "load_before": load_before,
            "load_mean": sum(monitor.load) / len(monitor.load) if monitor.load else math.nan,
            "load_max": max(monitor.load) if monitor.load else math.nan,
            "server_cpu_s": server_cpu,
            "client_cpu_s": client_cpu,
            "other_cpu_s": max(0.0, total_cpu - server_cpu - client_cpu),
            "cpu_capacity_s": (os.cpu_count() or 1) * measured,
        }
        result["rss"] = {
            "before": {pid: round(v) for pid, v in rss_before.items()},
            "after": {pid: round(v) for pid, v in rss_after.items()},
            "peak": {pid: round(v) for pid, v in monitor.rss_peak.items()},
            "pss_before": {pid: round(v) for pid, v in pss_before.items()},
            "pss_after": {pid: round(v) for pid, v in pss_after.items()},
            "worker_pids_seen": len(monitor.worker_pids),
            "master_mb": server.master_rss(),
        }
    finally:
        rc = server.stop()
        result["gunicorn_exit_code"] = rc
        log_text = log_path.read_text(errors="replace") if log_path.exists() else ""
        result["log"] = scan_log(log_text, args.workers)
        result["log"]["path"] = str(log_path)
        if "error" in result:
            result["log"]["tail"] = log_text.splitlines()[-30:]
    if "rss" in result:
        join_access_log(log_text, rec.samples)
        result["summary"] = summarise(rec, measured, min(measured, args.duration))
        if args.samples_csv:
            write_samples(Path(args.samples_csv), rec.samples)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--think", default="0", help="seconds between actions: 0, 2 or 1-5")
    parser.add_argument("--workers", type=int, default=2, help="ESCC_WORKERS (default 2)")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--timeout", type=float, default=60.0, help="per-request timeout, s")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up rounds over all views")
    parser.add_argument(
        "--assets",
        action="store_true",
        help="each user fetches the JS/CSS bundles once (cold browser cache)",
    )
    parser.add_argument(
        "--control-socket",
        action="store_true",
        help="keep gunicorn's default control socket (shared per user)",
    )
    parser.add_argument("--log", help="gunicorn log file (default: a temp file)")
    parser.add_argument("--json", help="write the full result as JSON here")
    parser.add_argument("--samples-csv", help="write every request (one row each) as CSV here")
    args = parser.parse_args(argv)
    parse_think(args.think)

    def _terminate(_sig: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        result = run(args)
    except KeyboardInterrupt:
        print("interrupted before the measured phase; gunicorn was stopped", file=sys.stderr)
        return 130
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=str))
    if "summary" in result:
        print_report(result)
    else:
        print(json.dumps(result, indent=1, default=str))
    return 0 if "summary" in result else 1


if __name__ == "__main__":
    sys.exit(main())
