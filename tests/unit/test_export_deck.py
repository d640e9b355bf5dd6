"""The PowerPoint deck: opens with python-pptx, title slide + one slide per chart, one picture at
full slide width per chart slide, citations and caveats in the notes, byte-identical rebuilds.

The chart slides use PNGs rendered by the real kaleido/Chromium (the KM builder and a plain
plotly bar chart standing in for the charts whose builders do not exist yet).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import numpy as np
import plotly.graph_objects as go
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu

from analysis.survival import SurvivalSample, summarise_arm
from components.charts.km import KMCurve, KMOptions, build_km_figure
from components.charts.theme import colour_for
from components.export import (
    CROSS_TRIAL_CAVEAT,
    DeckSlide,
    Footnote,
    SourceRef,
    build_deck,
    default_engine,
    make_deck_slide,
    png_size,
)
from components.export.deck import (
    INTENDED_USE,
    MAX_DECK_SLIDES,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    SOURCE_BAND,
    TITLE_BAND,
)
from components.export.slides import SLIDE_CHART
from components.settings import APP_NAME

DAY = dt.date(2026, 11, 21)
KM_NOTE = Footnote(
    sources=(
        SourceRef("Doki et al. 2022", doi="10.1056/NEJMoa2111380", full="Doki Y et al. NEJM"),
        SourceRef("Meng et al. 2025", doi="10.1186/s12943-025-02376-w"),
    ),
    data_version="0a1b2c3d4e5f",
    app_version="0.1.0",
    grades=(("Nivolumab + chemo", "A"), ("Benmelstobart + anlotinib", "C")),
    cross_trial=True,
)
BAR_NOTE = Footnote(
    sources=(SourceRef("Luo et al. 2021", doi="10.1001/jama.2021.12836"),),
    data_version="0a1b2c3d4e5f",
)


def _km() -> go.Figure:
    curves = []
    for i in range(2):
        rng = np.random.default_rng(i)
        t = rng.exponential(10, 150)
        c = rng.uniform(0, 18, 150)
        sample = SurvivalSample.from_arrays(np.minimum(t, c), (t <= c).astype(int))
        arm = summarise_arm(sample, ticks_months=(0.0, 6.0, 12.0, 18.0))
        curves.append(KMCurve(f"k{i}", f"Arm {i}", colour_for(i), arm.km, arm.at_risk, arm.median))
    return build_km_figure(curves, KMOptions(show_ci=True))


def _bar_stand_in() -> go.Figure:
    """Stand-in for the AE/response charts (no builders yet)."""
    return go.Figure(go.Bar(x=["Arm A", "Arm B"], y=[45.0, 30.0]))


@pytest.fixture(scope="module")
def slides() -> list[DeckSlide]:
    engine = default_engine()
    return [
        make_deck_slide(_km(), title="Overall survival, ITT", footnote=KM_NOTE, engine=engine),
        make_deck_slide(_bar_stand_in(), title="Objective response", footnote=BAR_NOTE),
    ]


def _build(slides: list[DeckSlide]) -> bytes:
    return build_deck(slides, data_version="0a1b2c3d4e5f", app_version="0.1.0", created=DAY)


def test_deck_opens_with_title_and_chart_slides(slides: list[DeckSlide]) -> None:
    prs = Presentation(io.BytesIO(_build(slides)))
    assert (prs.slide_width, prs.slide_height) == (SLIDE_WIDTH, SLIDE_HEIGHT)
    assert len(prs.slides) == 1 + len(slides)

    cover_text = " ".join(
        shape.text_frame.text for shape in prs.slides[0].shapes if shape.has_text_frame
    )
    for needed in (APP_NAME, "2026-11-21", "0a1b2c3d4e5f", "0.1.0", INTENDED_USE):
        assert needed in cover_text
    assert not any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in prs.slides[0].shapes)

    for slide, item in zip(list(prs.slides)[1:], slides, strict=True):
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        picture = pictures[0]
        assert picture.image.blob == item.png
        assert picture.width == SLIDE_WIDTH and picture.left == 0
        assert picture.top == TITLE_BAND
        assert picture.top + picture.height <= SLIDE_HEIGHT + Emu(1)
        assert slide.shapes.title.text_frame.text == item.title
        notes = slide.notes_slide.notes_text_frame.text
        assert notes == item.notes

    km_notes = prs.slides[1].notes_slide.notes_text_frame.text
    for needed in ("doi:10.1056/NEJMoa2111380", "doi:10.1186/s12943-025-02376-w", "Doki Y et al."):
        assert needed in km_notes
    assert CROSS_TRIAL_CAVEAT in km_notes and "grade A" in km_notes
    bar_notes = prs.slides[2].notes_slide.notes_text_frame.text
    assert "doi:10.1001/jama.2021.12836" in bar_notes and CROSS_TRIAL_CAVEAT not in bar_notes


def test_deck_images_are_rendered_at_deck_size(slides: list[DeckSlide]) -> None:
    for item in slides:
        # issue 15: deck pictures are laid out for the area between title and source line
        assert png_size(item.png) == (SLIDE_CHART.width_px * 2, SLIDE_CHART.height_px * 2)


def test_deck_is_deterministic_and_dated(slides: list[DeckSlide]) -> None:
    first, second = _build(slides), _build(slides)
    assert first == second
    props = Presentation(io.BytesIO(first)).core_properties
    assert props.created == dt.datetime(2026, 11, 21)
    assert props.modified == dt.datetime(2026, 11, 21)
    stamps = {info.date_time for info in zipfile.ZipFile(io.BytesIO(first)).infolist()}
    assert stamps == {(2026, 11, 21, 0, 0, 0)}
    assert _build(slides[:1]) != first


def test_empty_deck_has_only_the_title_slide() -> None:
    prs = Presentation(io.BytesIO(_build([])))
    assert len(prs.slides) == 1


def test_picture_taller_than_the_area_is_fitted_by_height(slides: list[DeckSlide]) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), "white").save(buffer, format="PNG")
    square = DeckSlide(title="Square", png=buffer.getvalue(), notes="n")
    prs = Presentation(io.BytesIO(_build([square])))
    picture = next(s for s in prs.slides[1].shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE)
    assert picture.height == SLIDE_HEIGHT - TITLE_BAND - SOURCE_BAND
    assert picture.width == picture.height
    assert picture.left == (SLIDE_WIDTH - picture.width) // 2


def test_deck_size_is_capped(slides: list[DeckSlide]) -> None:
    with pytest.raises(ValueError, match="at most"):
        _build([slides[1]] * (MAX_DECK_SLIDES + 1))


def test_slide_requires_png() -> None:
    with pytest.raises(ValueError, match="PNG"):
        DeckSlide(title="x", png=b"%PDF-1.4", notes="")
