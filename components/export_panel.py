"""Export for presentations: per-chart download menu, "Add to deck", and the deck drawer.

Every exportable chart is declared by its panel (:class:`components.panel.ChartExport`: a key
and the function that rebuilds the chart from a URL query); :func:`register_callbacks` receives
the panels as objects and knows no panel by name. Exports never
trust anything the browser holds: the chart is rebuilt on the server from the validated query
of the page, so what is downloaded is what the shared link shows.

Every render goes through the process's bounded export service
(:mod:`components.export.pool`: a fixed pool of warm Chromium renderers, a bounded wait).
Single-chart exports run in the request (a warm renderer draws a PNG in about 0.1–0.3 s;
gunicorn's threads keep other users' callbacks moving meanwhile). The deck can take seconds, so
it is a background callback served by :class:`components.export_jobs.ExportJobManager`: a
bounded job queue in the same process, identical decks built once and delivered to everyone who
asked, the queue position shown while waiting, a "busy, try again in N s" message beyond it.
A PNG larger than the renderer's pixel limit is refused where the size is chosen.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dash_mantine_components as dmc
import diskcache
from dash import ALL, MATCH, Dash, Input, Output, State, ctx, dcc, html, no_update

from components import ids
from components.export import (
    IMAGE_FORMATS,
    SIZE_PRESETS,
    EngineConfig,
    ExportBusy,
    ExportError,
    PoolConfig,
    SlideSize,
    build_deck,
    configure_default_pool,
    csv_bytes,
    export_filename,
    ipd_csv_bytes,
    make_deck_slides,
    render_figure,
)
from components.export.bundle import ExportBundle
from components.export.deck import MAX_DECK_SLIDES as DECK_SLIDE_LIMIT
from components.export.images import MAX_SIDE_PX, MIN_SIDE_PX, png_too_large
from components.export.jobs import JobService
from components.export.pool import on_shutdown
from components.export_jobs import ExportJobManager
from components.export_menu import DATA_FORMATS, export_controls
from components.page import clicked
from components.panel import ChartExport, Panel, chart_exports
from components.settings import APP_VERSION, Settings
from components.shell import parse_query
from data import Registry

log = logging.getLogger("escc.export")

THEMES = ("presentation", "screen")
PNG_SCALE = 2.0
# A deck is rebuilt and rendered server-side; the cap keeps one request's work bounded.
MAX_DECK_SLIDES = 20
MAX_SEARCH_CHARS = 2000


def configure_engine(settings: Settings) -> None:
    """Point the process-wide export pool at the configured Chromium, pool size and limits.

    The pool is replaced only when the configuration changes, so building several apps in
    one process (tests) keeps the same warm browsers.
    """
    configure_default_pool(
        EngineConfig(
            browser_path=settings.chromium_path,
            render_timeout_s=settings.export_timeout_s,
            start_timeout_s=settings.export_start_timeout_s,
            idle_timeout_s=settings.export_idle_s,
        ),
        PoolConfig(size=settings.export_renderers, queue=settings.export_queue),
    )


def background_manager(settings: Settings) -> ExportJobManager:
    """The app's background-callback manager: deck jobs on this process's export service.

    Job state and results live in a diskcache under ``ESCC_CACHE_DIR`` (or the temp dir), shared
    by every worker on the machine; jobs run on ``ESCC_EXPORT_RENDERERS`` threads per worker,
    at most ``ESCC_EXPORT_QUEUE`` waiting.
    """
    folder = settings.cache_dir or Path(tempfile.gettempdir()) / "escc-explorer-cache"
    folder.mkdir(parents=True, exist_ok=True)
    cache = diskcache.Cache(str(folder))
    service = JobService(cache, workers=settings.export_renderers, queue=settings.export_queue)
    on_shutdown(service.shutdown)
    return ExportJobManager(cache, service)


def deck_header_button() -> Any:
    return dmc.Button("Deck (0)", id=ids.DECK_OPEN, variant="light", size="xs")


def deck_drawer() -> Any:
    return html.Div(
        [
            dcc.Store(id=ids.DECK_STORE, storage_type="session", data=[]),
            dmc.Drawer(
                dmc.Stack(
                    [
                        dmc.Text(
                            "Charts you add are rebuilt from their links when the deck is made: "
                            "one slide per chart, sources and caveats in the speaker notes.",
                            size="sm",
                            c="dimmed",
                        ),
                        html.Div(id=ids.DECK_LIST),
                        dmc.Group(
                            [
                                dmc.Button("Download deck (.pptx)", id=ids.DECK_DOWNLOAD),
                                dmc.Button(
                                    "Clear", id=ids.DECK_CLEAR, variant="subtle", color="red"
                                ),
                            ]
                        ),
                        dmc.Text(id=ids.DECK_PROGRESS, size="sm", c="dimmed"),
                        dmc.Text(id=ids.DECK_STATUS, size="sm"),
                        dcc.Download(id=ids.DECK_FILE),
                    ],
                    gap="md",
                ),
                id=ids.DECK_DRAWER,
                title="Presentation deck",
                position="right",
                size="md",
                opened=False,
            ),
        ]
    )


# --------------------------------------------------------------------------------- validation


def _valid_size(size: object, width: object, height: object) -> SlideSize | None:
    if size in ("16:9", "4:3"):
        return SIZE_PRESETS[str(size)]
    if size != "custom":
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (width, height)):
        return None
    try:
        return SlideSize.custom(int(width), int(height))  # type: ignore[arg-type]
    except ValueError:
        return None


def _query(search: object) -> dict[str, str] | None:
    if search in (None, ""):
        return {}
    if not isinstance(search, str) or len(search) > MAX_SEARCH_CHARS:
        return None
    query, message = parse_query(search)
    return None if message else query


Exporters = dict[str, ChartExport]


def _deck_items(data: object, exporters: Exporters) -> list[dict[str, str]]:
    """Keep only well-formed deck items (the store lives in the browser: never trusted)."""
    if not isinstance(data, list):
        return []
    items = []
    for item in data[:MAX_DECK_SLIDES]:
        if (
            isinstance(item, dict)
            and item.get("chart") in exporters
            and isinstance(item.get("search"), str)
            and len(item["search"]) <= MAX_SEARCH_CHARS
            and isinstance(item.get("title"), str)
        ):
            items.append(
                {"chart": item["chart"], "search": item["search"], "title": item["title"][:200]}
            )
    return items


def _bundle(
    registry: Registry, exporters: Exporters, chart: str, search: object
) -> ExportBundle | None:
    exporter = exporters.get(chart)
    query = _query(search)
    if exporter is None or query is None:
        return None
    return exporter.bundle(registry, query)


def _title(registry: Registry, exporters: Exporters, chart: str, search: object) -> str | None:
    """The chart's title for the page's query, drawn only when the chart has no title function."""
    exporter = exporters.get(chart)
    query = _query(search)
    if exporter is None or query is None:
        return None
    if exporter.title is not None:
        return exporter.title(registry, query)
    return exporter.bundle(registry, query).title


def _file_name(bundle: ExportBundle, ext: str, today: dt.date) -> str:
    return export_filename(
        bundle.kind, bundle.subject, bundle.endpoint, bundle.population, date=today, ext=ext
    )


def export_file(
    registry: Registry,
    exporters: Exporters,
    chart: str,
    search: object,
    fmt: object,
    size: object,
    width: object,
    height: object,
    theme: object,
    today: dt.date,
) -> tuple[bytes, str, str] | str:
    """(payload, file name, MIME type) for one chart, or a message saying what was invalid."""
    if fmt not in (*IMAGE_FORMATS, *DATA_FORMATS):
        return "Choose PNG, SVG, PDF or a CSV format."
    if theme not in THEMES:
        return "Choose the presentation theme or 'as on screen'."
    slide = _valid_size(size, width, height)
    if fmt in IMAGE_FORMATS and slide is None:
        return f"Custom sizes must be whole pixels between {MIN_SIDE_PX} and {MAX_SIDE_PX}."
    if fmt == "png" and slide is not None:
        too_large = png_too_large(slide.width_px, slide.height_px, PNG_SCALE)
        if too_large is not None:
            return too_large
    bundle = _bundle(registry, exporters, chart, search)
    if bundle is None:
        return "This chart cannot be exported with the current settings."
    if fmt == "csv":
        payload = csv_bytes(
            bundle.rows,
            bundle.columns,
            bundle.footnote.provenance_lines(),
            title=bundle.title,
            exported=today,
        )
        return payload, _file_name(bundle, "csv", today), "text/csv; charset=utf-8"
    if fmt == "ipd":
        if not bundle.ipd:
            return "This chart has no reconstructed patient data."
        payload = ipd_csv_bytes(
            bundle.ipd, bundle.footnote.provenance_lines(), title=bundle.title, exported=today
        )
        name = _file_name(bundle, "csv", today).replace(f"{bundle.kind}_", f"{bundle.kind}-ipd_", 1)
        return payload, name, "text/csv; charset=utf-8"
    assert slide is not None
    payload = render_figure(
        bundle.figure,
        fmt,  # type: ignore[arg-type]
        slide,
        PNG_SCALE,
        theme,  # type: ignore[arg-type]
        footnote=bundle.footnote,
    )
    mime = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}[str(fmt)]
    return payload, _file_name(bundle, str(fmt), today), mime


def size_note(fmt: object, size: object, width: object, height: object) -> str:
    """What the export menu says under the size fields: why this PNG size cannot be exported
    (empty when it can, or when the size is not a PNG's)."""
    if fmt != "png":
        return ""
    slide = _valid_size(size, width, height)
    if slide is None:
        if size == "custom":
            return f"Custom sizes must be whole pixels between {MIN_SIDE_PX} and {MAX_SIDE_PX}."
        return ""
    return png_too_large(slide.width_px, slide.height_px, PNG_SCALE) or ""


class DeckTooLong(ValueError):
    """The collected charts need more slides than one deck holds."""


def build_deck_file(
    registry: Registry,
    exporters: Exporters,
    items: list[dict[str, str]],
    today: dt.date,
    progress: Callable[[str], None] | None = None,
) -> bytes:
    slides = []
    for number, item in enumerate(items, start=1):
        if progress is not None:
            progress(f"Building the deck: chart {number} of {len(items)}…")
        bundle = _bundle(registry, exporters, item["chart"], item["search"])
        if bundle is None:
            continue
        slides.extend(
            make_deck_slides(
                bundle.figure, title=bundle.title or item["title"], footnote=bundle.footnote
            )
        )
        if len(slides) > DECK_SLIDE_LIMIT:  # a heatmap with many terms takes several slides
            raise DeckTooLong(
                f"These charts need more than {DECK_SLIDE_LIMIT} slides (large heatmaps take "
                "several): remove some charts or show fewer terms."
            )
    return build_deck(
        slides, data_version=registry.data_version, app_version=f"v{APP_VERSION}", created=today
    )


def _deck_list(items: list[dict[str, str]]) -> Any:
    if not items:
        return dmc.Text("No charts yet: use “Add to deck” above any chart.", size="sm")
    return dmc.Stack(
        [
            dmc.Group(
                [
                    dmc.Text(f"{i + 1}. {item['title']}", size="sm", maw=300),
                    dmc.Button(
                        "Remove",
                        id={"type": ids.DECK_REMOVE, "index": i},
                        size="compact-xs",
                        variant="subtle",
                        color="red",
                    ),
                ],
                justify="space-between",
                wrap="nowrap",
            )
            for i, item in enumerate(items)
        ],
        gap=4,
    )


def validation_components() -> list[Any]:
    """One instance of each component this module creates at run time, for the app's
    validation layout (pattern-matching ids)."""
    example = {"chart": "survival-km", "search": "", "title": "example"}
    return [export_controls("validation", patient_data=True), _deck_list([example])]


def register_callbacks(app: Dash, registry: Registry, panels: tuple[Panel, ...]) -> None:
    exporters = chart_exports(panels)

    @app.callback(
        Output({"type": ids.EXPORT_FILE, "chart": MATCH}, "data"),
        Output({"type": ids.EXPORT_STATUS, "chart": MATCH}, "children"),
        Input({"type": ids.EXPORT_DOWNLOAD, "chart": MATCH}, "n_clicks"),
        State({"type": ids.EXPORT_FORMAT, "chart": MATCH}, "value"),
        State({"type": ids.EXPORT_SIZE, "chart": MATCH}, "value"),
        State({"type": ids.EXPORT_WIDTH, "chart": MATCH}, "value"),
        State({"type": ids.EXPORT_HEIGHT, "chart": MATCH}, "value"),
        State({"type": ids.EXPORT_THEME, "chart": MATCH}, "value"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def download(
        n_clicks: object,
        fmt: object,
        size: object,
        width: object,
        height: object,
        theme: object,
        search: object,
    ) -> Any:
        trigger = ctx.triggered_id
        chart = trigger.get("chart") if isinstance(trigger, dict) else None
        if not clicked(n_clicks) or chart not in exporters:
            return no_update, no_update
        try:
            result = export_file(
                registry,
                exporters,
                str(chart),
                search,
                fmt,
                size,
                width,
                height,
                theme,
                dt.date.today(),
            )
        except ExportBusy as exc:
            return no_update, str(exc)
        except ExportError:
            log.exception("export of %s failed", chart)
            return no_update, "The image could not be rendered; please try again."
        if isinstance(result, str):
            return no_update, result
        payload, name, mime = result
        return dcc.send_bytes(payload, name, type=mime), f"Downloaded {name}"

    @app.callback(
        Output({"type": ids.EXPORT_SIZE_NOTE, "chart": MATCH}, "children"),
        Output({"type": ids.EXPORT_DOWNLOAD, "chart": MATCH}, "disabled"),
        Input({"type": ids.EXPORT_FORMAT, "chart": MATCH}, "value"),
        Input({"type": ids.EXPORT_SIZE, "chart": MATCH}, "value"),
        Input({"type": ids.EXPORT_WIDTH, "chart": MATCH}, "value"),
        Input({"type": ids.EXPORT_HEIGHT, "chart": MATCH}, "value"),
        prevent_initial_call=True,
    )
    def check_size(fmt: object, size: object, width: object, height: object) -> Any:
        note = size_note(fmt, size, width, height)
        return note, bool(note)

    @app.callback(
        Output(ids.DECK_STORE, "data"),
        Input({"type": ids.EXPORT_ADD, "chart": ALL}, "n_clicks"),
        Input({"type": ids.DECK_REMOVE, "index": ALL}, "n_clicks"),
        Input(ids.DECK_CLEAR, "n_clicks"),
        State(ids.DECK_STORE, "data"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def edit_deck(
        add_clicks: object, remove_clicks: object, clear: object, data: object, search: object
    ) -> Any:
        items = _deck_items(data, exporters)
        trigger = ctx.triggered_id
        triggered_value = ctx.triggered[0]["value"] if ctx.triggered else None
        if not clicked(triggered_value):
            return no_update
        if trigger == ids.DECK_CLEAR:
            return []
        if isinstance(trigger, dict) and trigger.get("type") == ids.DECK_REMOVE:
            index = trigger.get("index")
            if isinstance(index, int) and 0 <= index < len(items):
                return items[:index] + items[index + 1 :]
            return no_update
        if isinstance(trigger, dict) and trigger.get("type") == ids.EXPORT_ADD:
            chart = trigger.get("chart")
            if chart not in exporters or len(items) >= MAX_DECK_SLIDES:
                return no_update
            query_search = search if isinstance(search, str) else ""
            title = _title(registry, exporters, str(chart), query_search)
            if title is None:
                return no_update
            return [*items, {"chart": chart, "search": query_search, "title": title}]
        return no_update

    @app.callback(
        Output(ids.DECK_LIST, "children"),
        Output(ids.DECK_OPEN, "children"),
        Input(ids.DECK_STORE, "data"),
    )
    def show_deck(data: object) -> Any:
        items = _deck_items(data, exporters)
        return _deck_list(items), f"Deck ({len(items)})"

    @app.callback(
        Output(ids.DECK_DRAWER, "opened"),
        Input(ids.DECK_OPEN, "n_clicks"),
        prevent_initial_call=True,
    )
    def open_deck(n_clicks: object) -> Any:
        return True if clicked(n_clicks) else no_update

    @app.callback(
        Output(ids.DECK_FILE, "data"),
        Output(ids.DECK_STATUS, "children"),
        Input(ids.DECK_DOWNLOAD, "n_clicks"),
        State(ids.DECK_STORE, "data"),
        background=True,
        running=[
            (Output(ids.DECK_DOWNLOAD, "loading"), True, False),
            (Output(ids.DECK_STATUS, "children"), "", ""),
        ],
        # The queue position and the slide being rendered, while the job waits and runs.
        progress=[Output(ids.DECK_PROGRESS, "children")],
        progress_default=[""],
        # Identical decks share one job whoever clicks and however often: the job key is the
        # deck's content (the store), not the click count.
        cache_args_to_ignore=[0],
        prevent_initial_call=True,
    )
    def download_deck(set_progress: Callable[[str], None], n_clicks: object, data: object) -> Any:
        if not clicked(n_clicks):
            return no_update, no_update
        items = _deck_items(data, exporters)
        if not items:
            return no_update, "Add at least one chart first."
        today = dt.date.today()
        try:
            payload = build_deck_file(registry, exporters, items, today, set_progress)
        except ExportError as exc:
            log.warning("deck export failed: %s", exc)
            return no_update, "The deck could not be built; please try again in a minute."
        except DeckTooLong as exc:
            return no_update, str(exc)
        name = f"escc-deck_{registry.data_version}_{today.isoformat()}.pptx"
        mime = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        return dcc.send_bytes(payload, name, type=mime), f"Deck with {len(items)} chart(s) ready."
