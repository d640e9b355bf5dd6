"""Export engine: slide-ready images, PowerPoint decks and CSV downloads (issue 8).

Pure functions plus a fixed pool of warm kaleido/Chromium renderers per process; no dash
imports, so the UI wires these into callbacks (background callbacks for rendering) and the tests
call them directly.

* Images: :func:`render_figure` (PNG/SVG/PDF at :class:`SlideSize` presets, presentation or
  screen theme, footnote fitted into the image); :func:`prepare_figure` is the pure part.
* Provenance: :class:`Footnote` / :class:`SourceRef` (sources + DOI, grades, caveats, version).
* Deck: :func:`make_deck_slides` (:func:`make_deck_slide` for a one-slide chart),
  :func:`build_deck`.
* CSV: :func:`csv_bytes`, :func:`ipd_csv_bytes`, :func:`read_csv_rows`.
* Names: :func:`export_filename`.
* Browser lifecycle: :func:`default_pool` (the process's bounded pool of renderers,
  :class:`RendererPool`), :class:`RenderEngine`, :class:`EngineConfig`.
* Deck jobs: :mod:`components.export.jobs` (bounded queue, shared identical jobs).
"""

from components.export.deck import (
    DeckSlide,
    build_deck,
    make_deck_slide,
    make_deck_slides,
    png_size,
)
from components.export.engine import EngineConfig, ExportError, ImageFormat, RenderEngine
from components.export.footnote import CROSS_TRIAL_CAVEAT, Footnote, SourceRef, short_citation
from components.export.images import (
    DECK_IMAGE,
    EXPORT_THEMES,
    IMAGE_FORMATS,
    SIZE_PRESETS,
    SLIDE_4_3,
    SLIDE_16_9,
    ExportTheme,
    SlideSize,
    prepare_figure,
    render_figure,
)
from components.export.naming import export_filename
from components.export.pool import (
    ExportBusy,
    PoolConfig,
    RendererPool,
    configure_default_engine,
    configure_default_pool,
    default_engine,
    default_pool,
)
from components.export.tables import (
    IPD_COLUMNS,
    IpdArm,
    cell_text,
    csv_bytes,
    ipd_csv_bytes,
    read_csv_rows,
)

__all__ = [
    "CROSS_TRIAL_CAVEAT",
    "DECK_IMAGE",
    "EXPORT_THEMES",
    "IMAGE_FORMATS",
    "IPD_COLUMNS",
    "SIZE_PRESETS",
    "SLIDE_4_3",
    "SLIDE_16_9",
    "DeckSlide",
    "EngineConfig",
    "ExportBusy",
    "ExportError",
    "ExportTheme",
    "Footnote",
    "ImageFormat",
    "IpdArm",
    "PoolConfig",
    "RenderEngine",
    "RendererPool",
    "SlideSize",
    "SourceRef",
    "build_deck",
    "cell_text",
    "configure_default_engine",
    "configure_default_pool",
    "csv_bytes",
    "default_engine",
    "default_pool",
    "export_filename",
    "ipd_csv_bytes",
    "make_deck_slide",
    "make_deck_slides",
    "png_size",
    "prepare_figure",
    "read_csv_rows",
    "render_figure",
    "short_citation",
]
