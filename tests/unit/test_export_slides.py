"""Issue 15: every chart type laid out for a 16:9 deck slide, checked in the rendered picture.

Each chart type's default export is laid out by ``components.export.slides.slide_parts`` and
rendered to SVG by the real kaleido/Chromium engine. From the SVG:

* plot area = the union of the subplots' clip rectangles (plotly's ``axesclip`` rects named
  ``x…y…``), as a share of the 7.5 in slide height (the picture is 120 px per inch) — at least
  70 %;
* smallest text = every ``<text>``'s font-size times any ``scale(…)`` plotly applied to squeeze
  it (bar labels) — at least 14 pt on the slide (23.3 px; :data:`MIN_FONT_PX` = 24);
* no text cut off or drawn over other text: every ``<text>``'s box, measured with the font
  Chromium draws it in (``tests/unit/svg_text.py``), inside the picture and inside the clip box
  of the plot area it is drawn in, and not overlapping another text's box by more than 2 px.

A chart that needs several slides (the heatmap: 30 terms) is checked on every slide it makes.

A deck built from two slides is opened again to check the title is on the slide once, the
picture carries none, a one-line source sits under the chart and the citations are in the notes.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from types import SimpleNamespace

import pytest
from pptx import Presentation

from components import export_panel
from components.export import default_engine
from components.export.deck import build_deck, make_deck_slide, make_deck_slides
from components.export.slides import (
    MIN_FONT_PX,
    MIN_PLOT_SHARE,
    PX_PER_IN,
    SLIDE_CHART,
    SLIDE_HEIGHT_IN,
    slide_parts,
)
from components.forest.export import export_bundle as forest_bundle
from components.indirect.export import common_bundle, network_bundle, reference_bundle
from components.response.export import export_bundle as response_bundle
from components.safety.export import export_bundle as safety_bundle
from components.survival.export import export_bundle as survival_bundle
from data import load_registry
from tests.unit.svg_text import cut_texts, overlapping_texts, placed_texts

CHARTS = {
    "km": (survival_bundle, {}),
    "forest": (forest_bundle, {}),
    "response": (response_bundle, {}),
    "safety-summary": (safety_bundle, {}),
    "safety-terms": (safety_bundle, {"chart": "terms"}),
    "safety-heatmap": (safety_bundle, {"chart": "heatmap"}),
    # all-cause AEs: other arms have a term table, shorter term labels (narrower margin)
    "safety-terms-all-cause": (safety_bundle, {"chart": "terms", "cat": "ac"}),
    "safety-heatmap-all-cause": (safety_bundle, {"chart": "heatmap", "cat": "ac"}),
    "indirect-network": (network_bundle, {}),
    "indirect-forest": (reference_bundle, {}),
    "indirect-common": (common_bundle, {}),
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


@pytest.mark.parametrize("kind", list(CHARTS))
def test_slide_picture_of_every_chart_type(registry, engine, kind) -> None:
    make, query = CHARTS[kind]
    parts = slide_parts(make(registry, query).figure)
    assert parts
    for part in parts:
        spec = part.spec
        assert "title" not in spec["layout"] or not (spec["layout"]["title"] or {}).get("text")
        assert not [
            a for a in spec["layout"].get("annotations") or [] if a.get("name") == "footnote"
        ]
        svg = _svg(engine, spec)
        share = plot_share(svg)
        assert share >= MIN_PLOT_SHARE, f"{part.part}: plot area {share:.0%} of the slide height"
        smallest = smallest_text_px(svg)
        assert smallest >= MIN_FONT_PX - 0.5, f"{part.part}: smallest text {smallest:.1f} px"


@pytest.mark.parametrize("kind", list(CHARTS))
def test_no_slide_text_is_cut_or_overprinted(registry, engine, kind) -> None:
    make, query = CHARTS[kind]
    for part in slide_parts(make(registry, query).figure):
        svg = _svg(engine, part.spec)
        assert cut_texts(svg) == [], part.part
        assert overlapping_texts(svg) == [], part.part


@pytest.mark.parametrize("kind", ["forest", "indirect-forest", "indirect-common"])
def test_hr_axis_tick_labels_stay_apart_on_slides(registry, engine, kind) -> None:
    """At 14 pt on the narrowed HR axis the labels "0.5" and "0.7" were drawn 0.1 px apart and
    read as one number ("0.50.7"); not an overlap, so the text check above let it through.
    Neighbouring tick labels keep at least a quarter em between them, and 1 is always shown."""
    make, query = CHARTS[kind]
    (part,) = slide_parts(make(registry, query).figure)
    svg = _svg(engine, part.spec)
    shown = set(part.spec["layout"]["xaxis"]["ticktext"])
    ticks = sorted(
        (t for t in placed_texts(svg) if t.text in shown and not t.css_class),
        key=lambda t: t.box.left,
    )
    assert "1" in [t.text for t in ticks]
    assert len(ticks) >= 3, [t.text for t in ticks]
    for left, right in itertools.pairwise(ticks):
        gap = right.box.left - left.box.right
        assert gap >= MIN_FONT_PX / 4, f"{left.text!r} and {right.text!r} {gap:.1f} px apart"


def test_km_slide_names_the_arms_drawn_only_as_markers(registry, engine) -> None:
    """An arm without a curve (ALTER-E-003 PFS: published median 15.74 only) has no at-risk
    row; the slide still names it, beside the curves, and its at-risk table stays under them."""
    query = {"arms": "nct05013697:triple,alter_e003:chemo_free", "ep": "PFS"}
    bundle = survival_bundle(registry, query)
    published = [t for t in bundle.figure.data if (t.meta or {}).get("role") == "published"]
    assert published and "ALTER-E-003" in published[0].name
    (part,) = slide_parts(bundle.figure)
    layout = part.spec["layout"]
    assert layout["xaxis2"]["domain"] == layout["xaxis"]["domain"]  # table under the curves
    svg = _svg(engine, part.spec)
    texts = " ".join(t.text for t in placed_texts(svg))
    assert "ALTER-E-003: Benmelstobart" in texts and "median" in texts
    assert cut_texts(svg) == [] and overlapping_texts(svg) == []


def test_response_slides_split_their_rows_each_row_once(registry) -> None:
    """34 rows cannot be 1.5 em apart on one slide: each part shows a window of the rows (with
    the column headers repeated) and says which; every row is on exactly one slide."""
    bundle = response_bundle(registry, {})
    parts = slide_parts(bundle.figure)
    ticks = bundle.figure.layout.yaxis.tickvals
    assert len(parts) == 2 and all(p.part.endswith(f"of {len(ticks)}") for p in parts)
    seen = []
    for part in parts:
        axis = part.spec["layout"]["yaxis"]
        low, high = axis["range"]
        assert all(low < t < high for t in axis["tickvals"])
        seen += axis["tickvals"]
        texts = [t for tr in part.spec["data"] if tr.get("mode") == "text" for t in tr["text"]]
        assert "<b>n / N</b>" in texts  # the column headers on every part
    assert sorted(seen) == sorted(ticks)


def test_safety_summary_slides_show_every_arm_once_with_its_label(registry) -> None:
    """8 arms in 3 x 2 panels at 14 pt: plotly dropped every other arm label and long value
    labels ran off the slide. On slides each part holds a trial's arms (rows far enough apart
    for two-line value labels); every arm is on exactly one slide."""
    bundle = safety_bundle(registry, {})
    arms = list(bundle.figure.layout.yaxis.categoryarray)
    parts = slide_parts(bundle.figure)
    assert len(parts) > 1 and all(p.part.endswith(f"of {len(arms)}") for p in parts)
    seen = []
    for part in parts:
        shown = part.spec["layout"]["yaxis"]["categoryarray"]
        for trace in part.spec["data"]:
            assert set(trace.get("y") or []) <= set(shown)
        seen += shown
    assert sorted(seen) == sorted(arms)
    # a trial's arms stay on one slide (the default's trials have at most two arms)
    slide_of: dict[str, set[int]] = {}
    for number, part in enumerate(parts):
        for arm in part.spec["layout"]["yaxis"]["categoryarray"]:
            slide_of.setdefault(arm.split(": ")[0], set()).add(number)
    assert all(len(numbers) == 1 for numbers in slide_of.values())


def test_term_chart_slides_show_every_term_once_and_name_empty_arms(registry) -> None:
    bundle = safety_bundle(registry, {"chart": "terms"})
    terms = list(bundle.figure.layout.yaxis.categoryarray)
    parts = slide_parts(bundle.figure)
    assert len(parts) == 2 and all(p.part.endswith(f"of {len(terms)}") for p in parts)
    seen = []
    for part in parts:
        layout = part.spec["layout"]
        seen += layout["yaxis"]["categoryarray"]
        notes = " ".join(a["text"] for a in layout["annotations"]).replace("<br>", " ")
        # ALTER-E-003 and KEYNOTE-590 report no term (no term table): named, not drawn
        assert "Not shown, no term reported" in notes and "KEYNOTE-590" in notes
        drawn = {t["name"].split(":")[0] for t in part.spec["data"]}
        assert "KEYNOTE-590" not in drawn and "ALTER-E-003" not in drawn
    assert sorted(seen) == sorted(terms)


def test_the_text_checks_can_fail() -> None:
    """A text past the right edge, one clipped by its plot area and two on top of each other."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">'
        '<defs><clipPath id="clipxyplot"><rect width="100" height="100"/></clipPath></defs>'
        '<text x="390" y="30" style="font-size: 24px">past the edge</text>'
        '<g transform="translate(50,50)" clip-path="url(#clipxyplot)">'
        '<text x="90" y="40" style="font-size: 24px">clipped</text></g>'
        '<text x="10" y="180" style="font-size: 24px">one</text>'
        '<text x="20" y="185" style="font-size: 24px">two</text></svg>'
    )
    cut = cut_texts(svg)
    assert len(cut) == 2 and "past the picture" in cut[0] and "clipped" in cut[1]
    overlaps = overlapping_texts(svg)
    assert len(overlaps) == 1 and overlaps[0].startswith("'one' and 'two' overlap")


def test_heatmap_slides_split_its_rows_and_name_what_they_leave_out(registry) -> None:
    """30 terms do not fit one slide at 14 pt: two slides of 15, each saying which terms it
    shows; arms with no term reported are not drawn and named on the slide."""
    bundle = safety_bundle(registry, {"chart": "heatmap"})
    meta = bundle.figure.layout.meta["escc_heatmap"]
    parts = slide_parts(bundle.figure)
    n = len(meta["terms"])
    assert n > 15 and len(parts) == 2  # default table of the shipped data: 30 terms
    assert [p.part for p in parts] == [
        f"1 of 2: terms 1–{n // 2 + n % 2} of {n}",
        f"2 of 2: terms {n // 2 + n % 2 + 1}–{n} of {n}",
    ]
    shown = sorted(
        {j for p in parts for j in p.spec["layout"]["meta"]["escc_heatmap_slide"]["arms"]}
    )
    z = bundle.figure.data[0].z
    empty = [j for j in range(len(meta["arms"])) if all(row[j] is None for row in z)]
    assert empty and sorted(shown + empty) == list(range(len(meta["arms"])))
    for part in parts:
        notes = " ".join(a["text"] for a in part.spec["layout"]["annotations"])
        for j in empty:
            trial = meta["arms"][j].split(": ")[0]
            assert trial in notes.replace("<br>", " ")
    # every term is on exactly one slide
    rows = [p.spec["layout"]["meta"]["escc_heatmap_slide"]["rows"] for p in parts]
    assert [r for a, b in rows for r in range(a, b)] == list(range(n))


def test_a_heatmap_deck_has_one_slide_per_part(registry, engine) -> None:
    bundle = safety_bundle(registry, {"chart": "heatmap"})
    slides = make_deck_slides(
        bundle.figure, title=bundle.title, footnote=bundle.footnote, engine=engine, scale=1
    )
    assert [s.title for s in slides] == [
        f"{bundle.title} ({p.part})" for p in slide_parts(bundle.figure)
    ]
    with pytest.raises(ValueError, match="needs 2 slides"):
        make_deck_slide(bundle.figure, title=bundle.title, footnote=bundle.footnote, engine=engine)


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


def test_a_deck_too_long_for_its_slides_says_so(registry, monkeypatch) -> None:
    """Heatmaps take several slides, so charts can outgrow a deck: the user is told which
    limit was hit instead of getting a failed download."""
    monkeypatch.setattr(export_panel, "DECK_SLIDE_LIMIT", 1)
    exporters = {"safety": SimpleNamespace(bundle=safety_bundle)}
    items = [{"chart": "safety", "search": "?chart=heatmap", "title": "AE heatmap"}]
    with pytest.raises(export_panel.DeckTooLong, match="more than 1 slides"):
        export_panel.build_deck_file(registry, exporters, items, dt.date(2026, 1, 1))
