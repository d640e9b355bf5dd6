"""Export images with the real kaleido and Debian's Chromium, then read the files back.

Every chart type x every format: PNG pixel size = size x scale (Pillow reads the header), SVG
parses and holds the footnote and the numbers at risk, PDF is a PDF whose text (decoded with
the small reader below) holds the same. Also the warm engine's lifecycle: thread safety, restart
after the browser dies, fork safety, offline flags, clean shutdown.

Chart types: the KM builder on synthetic arms (``km``), and every view's real chart as its
panel's ``export_bundle`` builds it from the shipped evidence (``view-*``: survival, forest,
response, and the three safety charts). Plain plotly figures of the same shapes
(``*-stand-in``) stay as small, data-independent cases for the engine tests below.

No mocks: Chromium must be installed (README setup), as for the browser tests.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import contextvars
import gc
import importlib
import io
import multiprocessing
import re
import threading
import time
import unicodedata
import weakref
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import psutil
import pytest
from PIL import Image

from analysis.survival import SurvivalSample, summarise_arm
from components.charts.km import KMCurve, KMOptions, build_km_figure
from components.charts.theme import colour_for
from components.export import (
    SLIDE_4_3,
    SLIDE_16_9,
    EngineConfig,
    ExportError,
    Footnote,
    RenderEngine,
    SlideSize,
    SourceRef,
    default_engine,
    render_figure,
)
from components.export.engine import OFFLINE_FLAGS

TICKS = tuple(float(t) for t in range(0, 25, 6))

FOOTNOTE = Footnote(
    sources=(
        SourceRef("Doki et al. 2022", doi="10.1056/NEJMoa2111380"),
        SourceRef("Meng et al. 2025", doi="10.1186/s12943-025-02376-w"),
    ),
    data_version="0a1b2c3d4e5f",
    app_version="0.1.0",
    grades=(("Arm 0", "A"), ("Arm 1", "C")),
    cross_trial=True,
    caveats=("Test caveat with <angle> & ampersand.",),
)


# -- charts --------------------------------------------------------------------
def _km_curve(i: int, n: int = 250) -> KMCurve:
    rng = np.random.default_rng(7 + i)
    t = rng.exponential(10 + 4 * i, n)
    c = rng.uniform(0, 24, n)
    sample = SurvivalSample.from_arrays(np.minimum(t, c), (t <= c).astype(int), label=f"a{i}")
    arm = summarise_arm(sample, ticks_months=TICKS)
    return KMCurve(
        key=f"k{i}",
        label=f"Arm {i}",
        colour=colour_for(i),
        km=arm.km,
        at_risk=arm.at_risk,
        median=arm.median,
        grade="B",
    )


KM_CURVES = [_km_curve(i) for i in range(3)]


def km_chart() -> go.Figure:
    return build_km_figure(
        KM_CURVES, KMOptions(show_ci=True, show_at_risk=True, footnote="Builder footnote")
    )


def forest_stand_in() -> go.Figure:
    """Stand-in for the forest plot: HR points with CI whiskers on trial categories."""
    fig = go.Figure(
        go.Scatter(
            x=[0.69, 0.74, 0.62],
            y=["CheckMate 648", "ESCORT-1st", "JUPITER-06"],
            error_x={"type": "data", "symmetric": False, "array": [0.1, 0.1, 0.1]},
            mode="markers",
            marker={"size": 9, "symbol": "square"},
        )
    )
    fig.update_xaxes(type="log", title={"text": "Hazard ratio (95% CI)"})
    return fig


def ae_stand_in() -> go.Figure:
    """Stand-in for the adverse-event chart: grouped horizontal bars by term."""
    terms = ["Anaemia", "Neutropenia", "Nausea"]
    fig = go.Figure(
        [
            go.Bar(x=[30.1, 22.4, 18.0], y=terms, orientation="h", name="Any grade"),
            go.Bar(x=[8.0, 10.2, 1.1], y=terms, orientation="h", name="Grade ≥3"),
        ]
    )
    fig.update_layout(barmode="group", xaxis_title="Patients (%)")
    return fig


def response_stand_in() -> go.Figure:
    """Stand-in for the response chart: ORR bars with exact CI error bars."""
    fig = go.Figure(
        go.Bar(
            x=["Arm A", "Arm B"],
            y=[47.0, 27.0],
            error_y={"type": "data", "array": [5.0, 4.5], "arrayminus": [5.2, 4.1]},
        )
    )
    fig.update_layout(yaxis_title="Objective response (%)")
    return fig


def _view_chart(module: str, query: dict[str, str]) -> Callable[[], go.Figure]:
    def build() -> go.Figure:
        from data import load_registry

        panel = importlib.import_module(module)
        return panel.export_bundle(load_registry(), query).figure

    return build


CHARTS: dict[str, Callable[[], go.Figure]] = {
    "km": km_chart,
    "forest-stand-in": forest_stand_in,
    "ae-stand-in": ae_stand_in,
    "response-stand-in": response_stand_in,
    "view-survival": _view_chart(
        "components.survival",
        {"arms": "escort1st:cam_chemo,escort1st:placebo_chemo,nct05013697:triple", "ci": "1"},
    ),
    "view-forest": _view_chart("components.forest", {}),
    "view-response": _view_chart("components.response", {}),
    "view-safety-summary": _view_chart("components.safety", {"chart": "summary"}),
    "view-safety-terms": _view_chart("components.safety", {"chart": "terms", "min": "20"}),
    "view-safety-heatmap": _view_chart("components.safety", {"chart": "heatmap"}),
}


@pytest.fixture(scope="session")
def engine() -> RenderEngine:
    """The process-wide warm engine, shared by every test in this session."""
    shared = default_engine()
    shared.warm_up()
    return shared


# -- readers -------------------------------------------------------------------
def _squash(text: str) -> str:
    """Whitespace removed and ligatures split (NFKC: the PDF's "ﬁ" glyph reads as "fi")."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def svg_texts(data: bytes) -> tuple[ET.Element, list[str]]:
    root = ET.fromstring(data)  # our own renderer's output
    texts = ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]
    return root, texts


_OBJ = re.compile(rb"(\d+)\s+0\s+obj\b(.*?)\bendobj", re.S)


def _pdf_objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Object number -> (dictionary text, decoded stream or None). Enough for Skia's PDFs."""
    out: dict[int, tuple[bytes, bytes | None]] = {}
    for match in _OBJ.finditer(pdf):
        body = match.group(2)
        head, stream = body, None
        start = re.search(rb"stream\r?\n", body)
        if start:
            head = body[: start.start()]
            raw = body[start.end() :]
            raw = raw[: raw.rfind(b"endstream")]
            stream = zlib.decompress(raw) if b"/FlateDecode" in head else raw
        out[int(match.group(1))] = (head, stream)
    return out


def _to_unicode(cmap: bytes) -> dict[int, str]:
    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        triples = re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block)
        for lo, hi, dst in triples:
            first = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                table[code] = chr(first + i)
    return table


def pdf_text_runs(pdf: bytes) -> list[str]:
    """Text of every BT…ET block, decoded through each font's ToUnicode map.

    Chromium's PDFs (Skia) draw text with Type0 fonts (Identity-H, 2-byte glyph codes) in
    FlateDecode content streams, so the text is not visible in the raw bytes: decompress the
    streams (zlib), map ``/Fn size Tf`` font names to their ToUnicode CMaps, and decode the hex
    strings of ``Tj``/``TJ``.
    """
    objects = _pdf_objects(pdf)
    maps: dict[int, dict[int, str]] = {}
    for number, (head, _stream) in objects.items():
        ref = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", head)
        if ref and b"/Font" in head:
            maps[number] = _to_unicode(objects[int(ref.group(1))][1] or b"")
    names: dict[bytes, dict[int, str]] = {}
    for head, _stream in objects.values():
        for fonts in re.findall(rb"/Font\s*<<(.*?)>>", head, re.S):
            for name, ref in re.findall(rb"/([\w.+-]+)\s+(\d+)\s+0\s+R", fonts):
                if int(ref) in maps:
                    names[name] = maps[int(ref)]
    runs: list[str] = []
    for _head, stream in objects.values():
        if stream is None or b"BT" not in stream:
            continue
        table: dict[int, str] = {}
        current: list[str] = []
        for tok in re.finditer(rb"/([\w.+-]+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|\bET\b", stream):
            if tok.group(1):
                table = names.get(tok.group(1), {})
            elif tok.group(2) is not None:
                hexed = tok.group(2)
                current.append(
                    "".join(
                        table.get(int(hexed[i : i + 4], 16), "?") for i in range(0, len(hexed), 4)
                    )
                )
            else:
                runs.append("".join(current))
                current = []
    return runs


def _contains_run(texts: list[str], expected: list[str]) -> bool:
    """``expected`` appears as consecutive items of ``texts``."""
    n = len(expected)
    return any(texts[i : i + n] == expected for i in range(len(texts) - n + 1))


def _footnote_squashed() -> str:
    return _squash(" ".join(FOOTNOTE.lines()))


# -- format x chart ------------------------------------------------------------
@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_png_size_is_size_times_scale(engine: RenderEngine, chart: str) -> None:
    size, scale = (SLIDE_16_9, 2) if chart == "km" else (SLIDE_4_3, 1.5)
    data = render_figure(CHARTS[chart](), "png", size, scale, footnote=FOOTNOTE, engine=engine)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (round(size.width_px * scale), round(size.height_px * scale))
    # Not a blank canvas: a chart has many colours (anti-aliased text, lines, fills).
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 50


def test_png_custom_size_and_screen_theme(engine: RenderEngine) -> None:
    size = SlideSize.custom(1000, 700)
    data = render_figure(km_chart(), "png", size, 1, "screen", footnote=FOOTNOTE, engine=engine)
    assert Image.open(io.BytesIO(data)).size == (1000, 700)


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_svg_parses_and_carries_footnote(engine: RenderEngine, chart: str) -> None:
    data = render_figure(CHARTS[chart](), "svg", SLIDE_16_9, footnote=FOOTNOTE, engine=engine)
    root, texts = svg_texts(data)
    assert root.get("width") == "1600" and root.get("height") == "900"
    assert _footnote_squashed() in _squash("".join(texts))
    assert "<angle>" in "".join(texts)  # escaped for plotly, drawn literally
    if chart == "km":
        for curve in KM_CURVES:
            assert _contains_run(texts, [str(n) for n in curve.at_risk.n_at_risk])


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_pdf_parses_and_carries_footnote(engine: RenderEngine, chart: str) -> None:
    data = render_figure(CHARTS[chart](), "pdf", SLIDE_4_3, footnote=FOOTNOTE, engine=engine)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/Title (ESCC first-line trial explorer chart)" in data  # not kaleido's page title
    # One page of 1200 x 900 CSS px = 900 x 675 pt (Chromium rounds the height to 675.12).
    boxes = re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert len(boxes) == 1
    assert float(boxes[0][0]) == pytest.approx(900, abs=1)
    assert float(boxes[0][1]) == pytest.approx(675, abs=1)
    runs = pdf_text_runs(data)
    assert _footnote_squashed() in _squash("".join(runs))
    if chart == "km":
        for curve in KM_CURVES:
            assert _contains_run(runs, [str(n) for n in curve.at_risk.n_at_risk])


def test_builder_footnote_kept_when_none_given(engine: RenderEngine) -> None:
    _root, texts = svg_texts(render_figure(km_chart(), "svg", SLIDE_16_9, engine=engine))
    assert "Builder footnote" in texts


def test_pdf_reader_detects_missing_text(engine: RenderEngine) -> None:
    """The PDF reader must be able to fail: text that is not drawn is not found."""
    runs = pdf_text_runs(render_figure(ae_stand_in(), "pdf", SLIDE_4_3, engine=engine))
    joined = _squash("".join(runs))
    assert "Anaemia" in joined
    assert "Doki" not in joined  # no footnote was given for this render


def test_same_figure_gives_same_png(engine: RenderEngine) -> None:
    fig = response_stand_in()
    first = render_figure(fig, "png", SLIDE_4_3, 1, footnote=FOOTNOTE, engine=engine)
    second = render_figure(fig, "png", SLIDE_4_3, 1, footnote=FOOTNOTE, engine=engine)
    assert first == second


def test_invalid_figure_raises_export_error(engine: RenderEngine) -> None:
    with pytest.raises(ExportError):
        engine.render({"data": [None], "layout": {}}, fmt="png", width=400, height=400)
    # The engine still works afterwards.
    assert render_figure(response_stand_in(), "png", SLIDE_4_3, 1, engine=engine)


def test_remote_images_are_not_fetched(engine: RenderEngine) -> None:
    """A figure that references web images renders promptly and without them (no network)."""
    plain = response_stand_in()
    with_images = response_stand_in()
    for source in ("http://example.com/logo.png", "http://93.184.216.34/logo.png"):
        with_images.add_layout_image(
            source=source, xref="paper", yref="paper", x=0, y=1, sizex=0.5, sizey=0.5
        )
    expected = render_figure(plain, "png", SLIDE_4_3, 1, engine=engine)
    assert render_figure(with_images, "png", SLIDE_4_3, 1, engine=engine) == expected


# -- engine lifecycle ----------------------------------------------------------
def test_threads_each_get_their_own_image(engine: RenderEngine) -> None:
    """Concurrent callers (gthread workers) receive their own result, not a neighbour's."""
    widths = [600, 700, 800, 900, 1000, 1100]
    results: dict[int, tuple[int, int]] = {}
    errors: list[BaseException] = []

    def work(width: int) -> None:
        try:
            data = render_figure(
                response_stand_in(), "png", SlideSize.custom(width, 500), 1, engine=engine
            )
            results[width] = Image.open(io.BytesIO(data)).size
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in widths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert results == {w: (w, 500) for w in widths}


def _browser_processes(engine: RenderEngine) -> list[psutil.Process]:
    pid = engine.browser_pid()
    assert pid is not None
    wrapper = psutil.Process(pid)
    return [wrapper, *wrapper.children(recursive=True)]


def test_browser_runs_offline_and_is_the_system_chromium(engine: RenderEngine) -> None:
    processes = _browser_processes(engine)
    browser = next(p for p in processes if any("--remote-debugging-pipe" in a for a in p.cmdline()))
    args = browser.cmdline()
    for flag in (*OFFLINE_FLAGS, "--headless", "--disable-gpu", "--disable-dev-shm-usage"):
        assert flag in args
    assert any("chromium" in Path(a).name for a in args[:3])


def _kill_all(processes: list[psutil.Process]) -> None:
    for proc in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(processes, timeout=10)


def _slow_figure() -> go.Figure:
    """30 000 SVG markers: ~2 s to render here, so a kill 0.4 s in lands mid-render."""
    rng = np.random.default_rng(0)
    xy = rng.random((2, 30_000)).round(4)
    return go.Figure(go.Scatter(x=xy[0].tolist(), y=xy[1].tolist(), mode="markers"))


def test_restart_after_browser_dies_and_clean_close() -> None:
    """Chromium killed between renders, then killed during a render: the next render (and the
    interrupted one, retried once) runs on a fresh browser; close() leaves no process."""
    own = RenderEngine()
    try:
        first = render_figure(forest_stand_in(), "png", SLIDE_4_3, 1, engine=own)
        _kill_all(_browser_processes(own))
        second = render_figure(forest_stand_in(), "png", SLIDE_4_3, 1, engine=own)
        assert own.starts == 2
        assert Image.open(io.BytesIO(second)).size == Image.open(io.BytesIO(first)).size

        victims = _browser_processes(own)
        killer = threading.Timer(0.4, _kill_all, args=(victims,))
        killer.start()
        slow = render_figure(_slow_figure(), "png", SLIDE_4_3, 1, engine=own)
        killer.join()
        assert own.starts == 3  # the interrupted render was retried on a new browser
        assert Image.open(io.BytesIO(slow)).size == (1200, 900)
        survivors = _browser_processes(own)
    finally:
        own.close()
    assert not own.running
    _gone, alive = psutil.wait_procs(survivors, timeout=10)
    assert alive == []


def test_missing_browser_is_an_export_error() -> None:
    own = RenderEngine(EngineConfig(browser_path=Path("/nonexistent/chromium")))
    try:
        with pytest.raises(ExportError, match="Chromium was not found"):
            render_figure(forest_stand_in(), "png", SLIDE_4_3, 1, engine=own)
    finally:
        own.close()


def _child_render(engine: RenderEngine, queue: multiprocessing.Queue[object]) -> None:
    try:
        data = render_figure(forest_stand_in(), "png", SlideSize.custom(640, 480), 1, engine=engine)
        queue.put((Image.open(io.BytesIO(data)).size, engine.browser_pid()))
    except BaseException as exc:  # reported to the parent
        queue.put(repr(exc))
    finally:
        # Exit as an interpreter would (multiprocessing skips this): atexit handlers and the
        # finalisers of the temporary directories the child inherited from the parent run now.
        gc.collect()
        atexit._run_exitfuncs()


def _browser_dirs(engine: RenderEngine) -> list[Path]:
    """The running browser's profile directory and kaleido's page directory."""
    profiles = {
        Path(arg.split("=", 1)[1])
        for proc in _browser_processes(engine)
        for arg in proc.cmdline()
        if arg.startswith("--user-data-dir=")
    }
    dirs = sorted(profiles)
    page_dir = engine._kaleido.workdir  # our engine's browser: private on purpose
    assert page_dir is not None and (page_dir / "index.html").is_file()
    dirs.append(page_dir)
    assert len(dirs) == 2 and all(d.is_dir() for d in dirs)
    return dirs


def test_forked_worker_starts_its_own_browser(engine: RenderEngine) -> None:
    """gunicorn preloads the app and forks; dash's diskcache manager forks one process per
    background job. A child must start its own browser and leave the parent's alone, even
    when it exits normally (which runs the finalisers of everything it inherited)."""
    render_figure(forest_stand_in(), "png", SLIDE_4_3, 1, engine=engine)
    parent_pid = engine.browser_pid()
    sentinels = [d / "escc-sentinel" for d in _browser_dirs(engine)]
    for sentinel in sentinels:
        sentinel.write_text("parent", encoding="utf-8")
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[object] = context.Queue()
    child = context.Process(target=_child_render, args=(engine, queue))
    child.start()
    result = queue.get(timeout=90)
    child.join(timeout=30)
    assert isinstance(result, tuple), result
    size, child_browser = result
    assert size == (640, 480)
    assert child_browser is not None and child_browser != parent_pid
    # The parent's browser and its directories are untouched, and it still renders.
    assert engine.browser_pid() == parent_pid and engine.running
    assert all(s.read_text(encoding="utf-8") == "parent" for s in sentinels)
    for sentinel in sentinels:
        sentinel.unlink()
    data = render_figure(forest_stand_in(), "png", SLIDE_4_3, 1, engine=engine)
    assert Image.open(io.BytesIO(data)).size == (1200, 900)


def test_idle_browser_is_closed_and_started_again() -> None:
    own = RenderEngine(EngineConfig(idle_timeout_s=1.0))
    try:
        render_figure(response_stand_in(), "png", SLIDE_4_3, 1, engine=own)
        assert own.running
        processes = _browser_processes(own)
        deadline = time.monotonic() + 15
        while own.running and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not own.running and own.idle_closes == 1
        _gone, alive = psutil.wait_procs(processes, timeout=10)
        assert alive == []
        render_figure(response_stand_in(), "png", SLIDE_4_3, 1, engine=own)
        assert own.running and own.starts == 2
    finally:
        own.close()


_CALLER = contextvars.ContextVar("caller")


class _Payload:
    """Stands in for what a Dash callback's context holds (the response being built)."""


def test_a_render_keeps_nothing_of_the_callers_context() -> None:
    # Soak (notes/issue-14-export.md, "Session 4"): each render's idle timer kept a copy of the
    # calling callback's context, and with it that request's response (1-2 MB for a PNG), for
    # the whole idle timeout. A render must not keep the caller's context alive.
    own = RenderEngine(EngineConfig(idle_timeout_s=600.0))
    try:

        def export_in_a_callback() -> weakref.ref[_Payload]:
            payload = _Payload()
            _CALLER.set(payload)
            render_figure(response_stand_in(), "png", SLIDE_4_3, 1, engine=own)
            return weakref.ref(payload)

        held = contextvars.Context().run(export_in_a_callback)
        gc.collect()
        assert held() is None
    finally:
        own.close()


def test_renders_share_one_idle_timer() -> None:
    own = RenderEngine(EngineConfig(idle_timeout_s=600.0))
    try:
        for _ in range(3):
            render_figure(response_stand_in(), "png", SLIDE_4_3, 1, engine=own)
        loop = own._loop
        assert loop is not None
        # asyncio's own list of pending timers (read on the loop's thread)
        pending = asyncio.run_coroutine_threadsafe(_scheduled(), loop).result(timeout=10)
        assert pending == 1
    finally:
        own.close()


async def _scheduled() -> int:
    loop = asyncio.get_running_loop()
    return sum(1 for handle in loop._scheduled if not handle.cancelled())  # type: ignore[attr-defined]
