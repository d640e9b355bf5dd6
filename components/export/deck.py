"""PowerPoint deck of the charts a user collected (python-pptx).

Layout (16:9, 13.333 x 7.5 in): a title slide (product name, date, data version, app version,
intended-use caveat), then one slide per chart: the chart title in a band at the top (the only
title), the picture at the full slide width underneath (laid out by
:mod:`components.export.slides`), one line naming the sources under it, and the citations and
caveats in the speaker notes.

Deterministic: the same slides, versions and date give byte-identical files. python-pptx stamps
``modified`` with the current time and ``zipfile`` stamps every member with the current time, so
the core properties are set from ``created`` and the archive is rewritten with every member
dated ``created`` at 00:00.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from components.export.footnote import Footnote
from components.export.images import ExportTheme
from components.export.pool import Renderer, default_pool
from components.export.slides import (
    MIN_FONT_PT,
    SLIDE_CHART,
    SLIDE_HEIGHT_IN,
    SLIDE_WIDTH_IN,
    SOURCE_LINE_IN,
    TITLE_BAND_IN,
    slide_parts,
    source_line,
)
from components.settings import APP_NAME

# EMU (English Metric Units) as python-pptx's ``Inches`` computes them; python-pptx itself is
# imported by build_deck only, so ``import app`` does not load it (issue 11: ~0.3 s).
EMU_PER_INCH = 914_400
SLIDE_WIDTH = int(SLIDE_WIDTH_IN * EMU_PER_INCH)
SLIDE_HEIGHT = int(SLIDE_HEIGHT_IN * EMU_PER_INCH)
TITLE_BAND = int(TITLE_BAND_IN * EMU_PER_INCH)
SOURCE_BAND = int(SOURCE_LINE_IN * EMU_PER_INCH)
INTENDED_USE = (
    "Summarises published trial evidence. Not for patient-specific decisions; "
    "cross-trial comparisons are not randomised."
)
MAX_DECK_SLIDES = 60  # chart slides per deck: bounds the work and memory of one download
_LAYOUT_TITLE = 0  # default template: "Title Slide"
_LAYOUT_TITLE_ONLY = 5  # default template: "Title Only"


@dataclass(frozen=True)
class DeckSlide:
    """One chart slide: a title, the chart as PNG bytes and the speaker notes."""

    title: str
    png: bytes
    notes: str
    #: One line under the chart naming its sources (the full citations are in the notes).
    source: str = ""

    def __post_init__(self) -> None:
        if not self.png.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ValueError("DeckSlide.png must be PNG bytes")


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's IHDR chunk."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def make_deck_slides(
    fig: go.Figure,
    *,
    title: str,
    footnote: Footnote,
    scale: float = 2.0,
    engine: Renderer | None = None,
) -> list[DeckSlide]:
    """Render ``fig`` for deck slides, laid out by :mod:`components.export.slides`: no title
    or footnote in the picture (the title is on the slide once, the sources in one line under
    the chart and in full in the notes), plot area >= 70 % of the slide, type >= 14 pt. A
    chart that needs several slides (a heatmap with many terms) gets one per part, each title
    saying which part it is ("… (1 of 2: terms 1–15 of 30)")."""
    renderer = engine or default_pool()
    slides = []
    for part in slide_parts(fig):
        png = renderer.render(
            part.spec,
            fmt="png",
            width=SLIDE_CHART.width_px,
            height=SLIDE_CHART.height_px,
            scale=scale,
        )
        slides.append(
            DeckSlide(
                title=f"{title} ({part.part})" if part.part else title,
                png=png,
                notes=footnote.notes_text(),
                source=source_line(footnote),
            )
        )
    return slides


def make_deck_slide(
    fig: go.Figure,
    *,
    title: str,
    footnote: Footnote,
    theme: ExportTheme = "presentation",
    scale: float = 2.0,
    engine: Renderer | None = None,
) -> DeckSlide:
    """The one slide of a chart that fits one (:func:`make_deck_slides` for any chart)."""
    del theme  # slides always use the presentation theme with the 14 pt floor
    slides = make_deck_slides(fig, title=title, footnote=footnote, scale=scale, engine=engine)
    if len(slides) != 1:
        raise ValueError(f"this chart needs {len(slides)} slides: use make_deck_slides")
    return slides[0]


def _set_text(frame: object, lines: Sequence[tuple[str, int, bool]]) -> None:
    """Fill a text frame with (text, point size, bold) paragraphs."""
    from pptx.util import Pt  # noqa: PLC0415 - python-pptx loads with the first deck

    text_frame = frame.text_frame  # type: ignore[attr-defined]
    text_frame.clear()
    text_frame.word_wrap = True
    for i, (text, size, bold) in enumerate(lines):
        paragraph = text_frame.paragraphs[0] if i == 0 else text_frame.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(size)
        run.font.bold = bold


def _freeze_zip(data: bytes, when: dt.date) -> bytes:
    """Rewrite a zip with fixed member timestamps (order and content unchanged)."""
    stamp = (when.year, when.month, when.day, 0, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def build_deck(
    slides: Sequence[DeckSlide],
    *,
    data_version: str,
    app_version: str,
    created: dt.date,
) -> bytes:
    """The .pptx file: title slide + one slide per chart, in the given order."""
    if len(slides) > MAX_DECK_SLIDES:
        raise ValueError(f"a deck holds at most {MAX_DECK_SLIDES} charts")
    from pptx import Presentation  # noqa: PLC0415 - loaded with the first deck (see above)
    from pptx.util import Emu, Inches  # noqa: PLC0415 - loaded with the first deck

    prs = Presentation()
    prs.slide_width = SLIDE_WIDTH
    prs.slide_height = SLIDE_HEIGHT
    when = dt.datetime(created.year, created.month, created.day)
    props = prs.core_properties
    props.title = f"{APP_NAME} — {len(slides)} chart{'s' if len(slides) != 1 else ''}"
    props.author = APP_NAME
    props.last_modified_by = APP_NAME
    props.subject = f"Data version {data_version}"
    props.keywords = "ESCC; first-line; trial evidence"
    props.comments = INTENDED_USE
    props.created = when
    props.modified = when
    props.revision = 1

    margin = Inches(0.6)
    cover = prs.slides.add_slide(prs.slide_layouts[_LAYOUT_TITLE])
    cover_title, subtitle = cover.placeholders[0], cover.placeholders[1]
    cover_title.left, cover_title.top = margin, Inches(1.6)
    cover_title.width, cover_title.height = Emu(SLIDE_WIDTH - 2 * margin), Inches(1.5)
    _set_text(cover_title, [(APP_NAME, 40, True)])
    subtitle.left, subtitle.top = margin, Inches(3.4)
    subtitle.width, subtitle.height = Emu(SLIDE_WIDTH - 2 * margin), Inches(2.8)
    _set_text(
        subtitle,
        [
            (created.isoformat(), 20, False),
            (f"Data version {data_version} · app version {app_version}", 18, False),
            (INTENDED_USE, 14, False),
        ],
    )
    cover.notes_slide.notes_text_frame.text = (
        f"{APP_NAME}. Exported {created.isoformat()}; data version {data_version}; "
        f"app version {app_version}. {INTENDED_USE}"
    )

    for item in slides:
        slide = prs.slides.add_slide(prs.slide_layouts[_LAYOUT_TITLE_ONLY])
        title = slide.shapes.title
        if title is None:  # the default template's "Title Only" always has one
            raise RuntimeError("slide layout without a title placeholder")
        title.left, title.top = Inches(0.4), Inches(0.1)
        title.width, title.height = Emu(SLIDE_WIDTH - Inches(0.8)), Emu(TITLE_BAND - Inches(0.1))
        _set_text(title, [(item.title, 26, True)])

        px_w, px_h = png_size(item.png)
        box_w, box_h = int(SLIDE_WIDTH), int(SLIDE_HEIGHT - TITLE_BAND - SOURCE_BAND)
        width = box_w
        height = round(box_w * px_h / px_w)
        if height > box_h:  # taller than the area: fit the height, centre horizontally
            height = box_h
            width = round(box_h * px_w / px_h)
        left = (SLIDE_WIDTH - width) // 2
        slide.shapes.add_picture(
            io.BytesIO(item.png), Emu(left), Emu(TITLE_BAND), Emu(width), Emu(height)
        )
        if item.source:
            box = slide.shapes.add_textbox(
                Inches(0.4),
                Emu(SLIDE_HEIGHT - SOURCE_BAND),
                Emu(SLIDE_WIDTH - Inches(0.8)),
                Emu(SOURCE_BAND),
            )
            _set_text(box, [(item.source, MIN_FONT_PT, False)])
        slide.notes_slide.notes_text_frame.text = item.notes

    buffer = io.BytesIO()
    prs.save(buffer)
    return _freeze_zip(buffer.getvalue(), created)
