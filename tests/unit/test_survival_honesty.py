"""Survival view, issue 15: cross-trial results shown as what they are.

Published numbers are read from the registry (``data/trials/<trial>/trial.toml``) in each test,
never typed here, except where the issue quotes them (ALTER-E-003 PFS median 15.74, 9.03–21.91),
which the test checks against the data file first.
"""

from __future__ import annotations

import pytest

from analysis.survival import SurvivalMemo
from analysis.views.survival import SPEC, build
from analysis.views.survival.published import GRADE_C_TEXT, UNANCHORED_EXPLANATION
from analysis.views.survival.rows import PUBLISHED_LANDMARK_ROW, PUBLISHED_MEDIAN_ROW
from components.survival import figure, tables
from components.survival.export import export_bundle
from data import load_registry
from tests.unit.test_survival_panel import _text


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def _view(registry, query):
    state, problems = SPEC.from_query(registry, query)
    assert problems == []
    return build(registry, state, stats=SurvivalMemo())


def _row(registry, trial_id, arm, endpoint, population, measure):
    trial = registry.trial(trial_id)
    return next(
        r
        for r in trial.efficacy
        if r.arm == arm
        and r.endpoint == endpoint
        and r.population == population
        and r.measure == measure
        and r.is_reported
    )


def test_without_a_control_arm_no_reference_is_made_up(registry) -> None:
    view = _view(registry, {"arms": "nct05013697:triple,alter_e003:chemo_free", "ep": "PFS"})
    assert view.curves, "NCT05013697 has a (grade C) PFS curve"
    assert all(c.arm.role != "control" for c in view.curves)
    assert view.reference is None and view.comparisons == ()
    assert view.reference_note is not None
    assert view.reference_note.startswith("No reference arm selected")
    assert "No reference arm selected" in _text(tables.results_tables(registry, view))


def test_with_a_control_arm_it_is_the_default_reference(registry) -> None:
    view = _view(registry, {"arms": "orient15:sint_chemo,orient15:placebo_chemo"})
    assert view.reference is not None and view.reference.arm.role == "control"
    assert view.reference_note is None


def test_grade_c_never_reads_checks_passed_alone(registry) -> None:
    view = _view(registry, {"arms": "nct05013697:triple", "ep": "PFS"})
    item = view.curves[0]
    assert item.curve.grade == "C"
    text = _text(tables.fidelity_badge(item))
    assert GRADE_C_TEXT in text and "checks passed" not in text
    assert "model-based shape (median + landmarks only)" in text


def test_published_values_sit_beside_the_reconstructed_ones(registry) -> None:
    view = _view(registry, {"arms": "nct05013697:triple", "ep": "PFS", "lm": "12"})
    item = view.curves[0]
    row = _row(registry, "nct05013697", "triple", "PFS", "itt", "median")
    assert item.published is not None and item.published.median is not None
    assert item.published.median.value == row.value
    text = _text(tables.results_tables(registry, view))
    assert "Median, published" in text
    assert f"{row.value:g} (95% CI {row.ci[0]:g}–{row.ci[1]})" in text
    landmark = _row(registry, "nct05013697", "triple", "PFS", "itt", "landmark")
    assert landmark.timepoint_months == 12
    assert f"{landmark.value:g}%" in text


def test_single_arm_without_a_curve_is_drawn_as_published_markers(registry) -> None:
    row = _row(registry, "alter_e003", "chemo_free", "PFS", "itt", "median")
    assert (row.value, row.ci) == (15.74, (9.03, 21.91))  # the numbers, from the file
    view = _view(registry, {"arms": "nct05013697:triple,alter_e003:chemo_free", "ep": "PFS"})
    assert [m.token for m in view.markers] == ["alter_e003:chemo_free"]
    reason = {m.token: m.reason for m in view.missing}["alter_e003:chemo_free"]
    assert "drawn as markers" in reason
    fig = figure.screen_figure(registry, view)
    published = [t for t in fig["data"] if t.get("meta", {}).get("role") == "published"]
    assert len(published) == 1
    trace = published[0]
    # the KM axis is in percent: the median sits on the 50 % line
    assert trace["x"] == [row.value] and trace["y"] == [50.0]
    assert fig["layout"]["yaxis"]["ticksuffix"] == "%"
    assert trace["error_x"]["arrayminus"][0] == pytest.approx(row.value - row.ci[0])
    assert trace["error_x"]["array"][0] == pytest.approx(row.ci[1] - row.value)
    assert "15.74" in trace["hovertemplate"] and "ALTER-E-003" in trace["name"]
    assert view.cross_trial  # two trials on one chart


def test_landmark_markers_sit_at_their_published_rate(registry) -> None:
    # LEAP-014's experimental arm has no OS curve but prints landmark rates: drawn in percent
    view = _view(registry, {"arms": "leap014:len_pembro_chemo", "ep": "OS"})
    points = figure.published_points(registry, view)
    assert points and points[0].landmarks
    for point, marker in zip(points, view.markers, strict=True):
        for (t, rate, _lo, _hi), lm in zip(point.landmarks, marker.summary.landmarks, strict=True):
            assert (t, rate) == (lm.time_months, lm.rate.value)


def test_markers_alone_still_draw_a_chart(registry) -> None:
    view = _view(registry, {"arms": "alter_e003:chemo_free", "ep": "PFS"})
    assert view.curves == () and view.empty_message is None and view.markers
    fig = figure.screen_figure(registry, view)
    assert any(t.get("meta", {}).get("role") == "published" for t in fig["data"])


def test_unanchored_rows_drop_the_p_value_and_say_why(registry) -> None:
    view = _view(
        registry,
        {
            "arms": "nct05013697:triple,orient15:sint_chemo,orient15:placebo_chemo",
            "ep": "PFS",
        },
    )
    assert view.reference is not None and view.reference.token == "orient15:placebo_chemo"
    cross = [c for c in view.comparisons if c.cross_trial]
    within = [c for c in view.comparisons if not c.cross_trial]
    assert cross and within
    text = _text(tables.results_tables(registry, view))
    assert UNANCHORED_EXPLANATION in text
    assert "Unanchored — across trials" in text
    assert text.count("not given (not randomised)") == len(cross)
    assert "(unanchored)" in text


def test_hr_only_subgroup_says_so_and_links_to_the_forest(registry) -> None:
    view = _view(
        registry,
        {"arms": "rationale306:tisle_chemo,rationale306:placebo_chemo", "pop": "TAP>=10"},
    )
    assert view.curves == ()
    for missing in view.missing:
        assert missing.reason.startswith("only a hazard ratio is reported"), missing.reason
        assert missing.forest_search == "?ep=OS&pop=TAP%3E%3D10"
    links = _text(tables.missing_list(view))
    assert "Forest view at this subgroup" in links


def test_subgroup_n_comes_from_the_subgroups_own_rows(registry) -> None:
    # NCT05013697 prints N with its CPS subgroup medians (the Subgroups page shows them), so the
    # reason for having no curve is the missing event count, never "N not reported".
    row = _row(registry, "nct05013697", "triple", "PFS", "cps_ge1", "median")
    assert row.N is not None
    inputs = registry.curve_inputs("nct05013697", "triple", "PFS", "cps_ge1", row.analysis)
    assert inputs.n == row.N


def test_survival_csv_lists_the_published_values_drawn_as_markers(registry) -> None:
    """Arms drawn only as markers are in the CSV with their published numbers and citation,
    as rows that say they are published summary values, not points of a curve."""
    median = _row(registry, "alter_e003", "chemo_free", "PFS", "itt", "median")
    bundle = export_bundle(
        registry, {"arms": "nct05013697:triple,alter_e003:chemo_free", "ep": "PFS"}
    )
    published = [r for r in bundle.rows if str(r["row_type"]).startswith("published")]
    assert [r["row_type"] for r in published][:1] == [PUBLISHED_MEDIAN_ROW]
    row = published[0]
    assert (row["trial"], row["arm"]) == (
        "ALTER-E-003",
        registry.trial("alter_e003").arm("chemo_free").label,
    )
    assert (row["median_months"], row["median_ci_lower_months"], row["median_ci_upper_months"]) == (
        median.value,
        *median.ci,
    )
    assert row["published_ci_as_printed"] == "9.03–21.91"
    assert "not read from a curve" in str(row["fidelity"])
    # the citation of the row the number came from, as the footnote writes it
    shorts = {s.short for s in bundle.footnote.sources}
    assert row["published_value_source"] in shorts
    assert set(row) <= set(bundle.columns)
    # the arm's reason row is still there too: the CSV says why there is no curve
    assert any(r["row_type"] == "not shown" and r["trial"] == "ALTER-E-003" for r in bundle.rows)
    # landmark rows carry their time and rate as printed (SKYSCRAPER-08 OS: markers only)
    sky = export_bundle(registry, {"arms": "skyscraper08:tira_atezo_tp", "ep": "OS"})
    marks = [r for r in sky.rows if r["row_type"] == PUBLISHED_LANDMARK_ROW]
    view = _view(registry, {"arms": "skyscraper08:tira_atezo_tp", "ep": "OS"})
    expected = [(lm.time_months, lm.rate.value) for lm in view.markers[0].summary.landmarks]
    assert (
        expected
        and [(r["landmark_months"], r["landmark_survival_percent"]) for r in marks] == expected
    )
