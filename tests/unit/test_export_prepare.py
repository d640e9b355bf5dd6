"""The pure half of image export (no browser): theme scaling, sizes, footnote fitting, and the
footnote's text. Rendering itself is tested in test_export_images.py."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest

from analysis.survival import SurvivalSample, summarise_arm
from components.charts.km import KMCurve, KMOptions, build_km_figure
from components.charts.theme import PRESENTATION, SCREEN, colour_for
from components.export import (
    CROSS_TRIAL_CAVEAT,
    DECK_IMAGE,
    SLIDE_4_3,
    SLIDE_16_9,
    Footnote,
    SlideSize,
    SourceRef,
    prepare_figure,
    short_citation,
)
from components.export.footnote import wrap_line
from components.export.images import (
    CHAR_WIDTH_EM,
    FOOTNOTE_NAME,
    LINE_SPACING,
    PAD_PX,
    validate_scale,
)
from data import load_registry

TICKS = (0.0, 6.0, 12.0, 18.0)


def _curve(i: int) -> KMCurve:
    rng = np.random.default_rng(i)
    t = rng.exponential(10, 120)
    c = rng.uniform(0, 18, 120)
    sample = SurvivalSample.from_arrays(np.minimum(t, c), (t <= c).astype(int))
    arm = summarise_arm(sample, ticks_months=TICKS)
    return KMCurve(
        key=f"k{i}",
        label=f"Arm {i}",
        colour=colour_for(i),
        km=arm.km,
        at_risk=arm.at_risk,
        median=arm.median,
    )


FOOTNOTE = Footnote(
    sources=(SourceRef("Doki et al. 2022", doi="10.1056/NEJMoa2111380"),),
    data_version="0a1b2c3d4e5f",
    app_version="0.1.0",
    grades=(("Arm 0", "A"),),
    cross_trial=True,
)


def _km(theme: object = SCREEN) -> go.Figure:
    options = KMOptions(show_ci=True, footnote="Builder note", theme=theme)  # type: ignore[arg-type]
    return build_km_figure([_curve(0), _curve(1)], options)


def _main_lines(fig: dict[str, object]) -> list[dict[str, object]]:
    return [
        t
        for t in fig["data"]  # type: ignore[attr-defined]
        if t.get("mode") == "lines" and t.get("showlegend") is not False
    ]


def _footnotes(fig: dict[str, object]) -> list[dict[str, object]]:
    annotations = fig["layout"].get("annotations") or []  # type: ignore[attr-defined]
    return [a for a in annotations if a.get("name") == FOOTNOTE_NAME]


def test_callers_figure_is_not_changed() -> None:
    fig = _km()
    before = json.dumps(fig.to_plotly_json(), sort_keys=True, default=str)
    prepare_figure(fig, size=SLIDE_4_3, theme="presentation", footnote=FOOTNOTE)
    assert json.dumps(fig.to_plotly_json(), sort_keys=True, default=str) == before

    as_dict = fig.to_dict()
    snapshot = copy.deepcopy(as_dict)
    prepare_figure(as_dict, footnote=FOOTNOTE)
    assert as_dict == snapshot


def test_presentation_scales_a_screen_figure() -> None:
    out = prepare_figure(_km(SCREEN), theme="presentation")
    layout = out["layout"]
    assert layout["font"]["size"] == PRESENTATION.font_size
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == PRESENTATION.background
    assert [t["line"]["width"] for t in _main_lines(out)] == [PRESENTATION.line_width] * 2
    censor = [t for t in out["data"] if t.get("mode") == "markers"]
    assert censor and all(t["marker"]["size"] == PRESENTATION.marker_size for t in censor)
    at_risk = [t for t in out["data"] if t.get("mode") == "text"]
    factor = PRESENTATION.font_size / SCREEN.font_size
    assert at_risk[0]["textfont"]["size"] == pytest.approx((SCREEN.font_size - 1) * factor, 0.01)


def test_presentation_leaves_a_presentation_figure_as_built() -> None:
    built = _km(PRESENTATION).to_dict()
    out = prepare_figure(built, theme="presentation")
    assert [t["line"]["width"] for t in _main_lines(out)] == [PRESENTATION.line_width] * 2
    assert out["layout"]["font"]["size"] == PRESENTATION.font_size


def test_screen_theme_keeps_sizes_and_hover_payload_is_dropped() -> None:
    fig = _km(SCREEN)
    out = prepare_figure(fig, theme="screen", size=SlideSize.custom(900, 600))
    assert out["layout"]["font"]["size"] == SCREEN.font_size
    assert [t["line"]["width"] for t in _main_lines(out)] == [SCREEN.line_width] * 2
    assert (out["layout"]["width"], out["layout"]["height"]) == (900, 600)
    assert all("customdata" not in t and "hovertemplate" not in t for t in out["data"])


def test_footnote_replaces_builder_note_and_fits() -> None:
    size = SLIDE_4_3
    out = prepare_figure(_km(), size=size, footnote=FOOTNOTE)
    notes = _footnotes(out)
    assert len(notes) == 1
    texts = [a.get("text") for a in out["layout"]["annotations"]]
    assert "Builder note" not in texts
    note = notes[0]
    lines = note["text"].split("<br>")
    font = note["font"]["size"]
    margin = out["layout"]["margin"]
    max_chars = int((size.width_px - margin["l"] - PAD_PX) * 0.92 / (CHAR_WIDTH_EM * font))
    assert all(len(line) <= max_chars for line in lines)
    # The block fits in the bottom margin and sits on the image's bottom edge.
    assert margin["b"] >= len(lines) * font * LINE_SPACING + 2 * PAD_PX
    assert note["yshift"] == -(margin["b"] - PAD_PX) and note["yanchor"] == "bottom"
    squashed = "".join(note["text"].replace("<br>", " ").split())
    assert "".join(" ".join(FOOTNOTE.lines()).split()) == squashed


def test_builder_footnote_is_kept_without_a_footnote_argument() -> None:
    out = prepare_figure(_km(), size=SLIDE_16_9)
    assert [a["text"] for a in _footnotes(out)] == ["Builder note"]


def test_long_footnote_on_small_image_shrinks_type_to_fit() -> None:
    many = Footnote(
        sources=tuple(SourceRef(f"Author{i} et al. 2020", doi=f"10.1000/x{i}") for i in range(30)),
        data_version="abc",
    )
    size = SlideSize.custom(400, 400)
    out = prepare_figure(go.Figure(go.Bar(x=[1], y=[1])), size=size, footnote=many)
    note = _footnotes(out)[0]
    lines = note["text"].split("<br>")
    assert note["font"]["size"] < PRESENTATION.font_size - 3
    assert len(lines) * note["font"]["size"] * LINE_SPACING <= 0.3 * size.height_px or math.isclose(
        note["font"]["size"], 9
    )


def test_plotly_markup_in_footnote_is_escaped() -> None:
    note = Footnote(sources=(), data_version="v", caveats=("<b>bold</b> & <br> tags",))
    out = prepare_figure(go.Figure(go.Bar(x=[1], y=[1])), footnote=note)
    text = _footnotes(out)[0]["text"]
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;br&gt; tags" in text


def test_at_risk_labels_stand_off_the_first_column() -> None:
    out = prepare_figure(_km())
    assert out["layout"]["yaxis2"]["ticklabelstandoff"] > 0


# -- sizes and scales ----------------------------------------------------------
def test_presets() -> None:
    assert (SLIDE_16_9.width_px, SLIDE_16_9.height_px) == (1600, 900)
    assert (SLIDE_4_3.width_px, SLIDE_4_3.height_px) == (1200, 900)
    assert SlideSize.preset("16:9") == SLIDE_16_9
    assert DECK_IMAGE.aspect == pytest.approx(13.333 / 6.6, rel=0.01)
    with pytest.raises(ValueError, match="unknown size preset"):
        SlideSize.preset("21:9")


@pytest.mark.parametrize(("width", "height"), [(399, 500), (500, 4001), (0, 0), (-5, 500)])
def test_custom_size_bounds(width: int, height: int) -> None:
    with pytest.raises(ValueError, match="image sides"):
        SlideSize.custom(width, height)


@pytest.mark.parametrize("bad", [500.5, True, "800"])
def test_custom_size_must_be_whole_pixels(bad: object) -> None:
    with pytest.raises(TypeError):
        SlideSize.custom(bad, 500)  # type: ignore[arg-type]


def test_scale_rules() -> None:
    assert validate_scale("png", SLIDE_16_9, 2) == 2.0
    assert validate_scale("svg", SLIDE_16_9, 3) == 1.0  # vector: always 1
    assert validate_scale("pdf", SLIDE_16_9, 3) == 1.0
    for bad in (0.5, 4.5):
        with pytest.raises(ValueError, match="scale"):
            validate_scale("png", SLIDE_16_9, bad)
    with pytest.raises(TypeError):
        validate_scale("png", SLIDE_16_9, float("nan"))
    with pytest.raises(ValueError, match="too large"):
        validate_scale("png", SlideSize.custom(4000, 4000), 2)
    with pytest.raises(ValueError, match="format"):
        validate_scale("gif", SLIDE_16_9, 1)  # type: ignore[arg-type]


def test_unknown_theme() -> None:
    with pytest.raises(ValueError, match="theme"):
        prepare_figure(go.Figure(), theme="dark")  # type: ignore[arg-type]


# -- footnote text -------------------------------------------------------------
def test_footnote_lines_notes_and_provenance_agree() -> None:
    lines = FOOTNOTE.lines()
    assert lines[0] == "Sources: Doki et al. 2022, doi:10.1056/NEJMoa2111380."
    assert CROSS_TRIAL_CAVEAT in lines
    assert lines[-1] == "Data version 0a1b2c3d4e5f · ESCC first-line trial explorer 0.1.0."
    notes = FOOTNOTE.notes_text()
    provenance = " ".join(FOOTNOTE.provenance_lines())
    for text in (notes, provenance):
        assert "doi:10.1056/NEJMoa2111380" in text
        assert CROSS_TRIAL_CAVEAT in text
        assert "0a1b2c3d4e5f" in text
        assert "Arm 0" in text and "A" in text
    no_caveat = Footnote(sources=FOOTNOTE.sources, data_version="v")
    assert CROSS_TRIAL_CAVEAT not in " ".join(no_caveat.lines())


def test_footnote_needs_data_version() -> None:
    with pytest.raises(ValueError, match="data version"):
        Footnote(sources=(), data_version=" ")


@pytest.mark.parametrize(
    ("citation", "year", "expected"),
    [
        (
            "Doki Y, Ajani JA, Kato K, et al. Nivolumab ... N Engl J Med 2022",
            None,
            "Doki et al. 2022",
        ),
        ("Song Y et al. Nat Med 2023;29(2):473-482", None, "Song et al. 2023"),
        ("Meng X, et al. Update results ... J Clin Oncol 2024", 2024, "Meng et al. 2024"),
        ("World J Gastrointest Oncol 2025;17(6):106707, Table 1", 2025, None),
        ("Registry mirror of NCT05038813", None, "Registry mirror of NCT05038813"),
    ],
)
def test_short_citation(citation: str, year: int | None, expected: str | None) -> None:
    short = short_citation(citation, year)
    if expected is None:  # a journal name is not an author: shortened, not guessed
        assert "et al." not in short and short.startswith("World J")
    else:
        assert short == expected


def test_every_registry_publication_gives_a_resolvable_source() -> None:
    registry = load_registry()
    publications = [p for t in registry.trials for p in t.publications]
    assert publications
    for pub in publications:
        src = SourceRef.from_publication(pub)
        assert src.identifier, pub.key
        assert 0 < len(src.short) <= 60
        if pub.doi:
            assert src.identifier == f"doi:{pub.doi}"


def test_wrap_line() -> None:
    assert wrap_line("aaa bbb ccc ddd", 10) == ["aaa bbb", "ccc ddd"]
    long_word = "x" * 25
    assert wrap_line(f"a {long_word} b", 10) == ["a", "x" * 10, "x" * 10, "xxxxx b"]
    with pytest.raises(ValueError):
        wrap_line("a", 5)
