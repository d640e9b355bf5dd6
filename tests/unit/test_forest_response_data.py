"""Response view on the real evidence base: what is shown, with which intervals.

Expected numbers come from the publications (as curated in data/trials, locators there). The
golden tests of the statistics themselves live in tests/golden; these tests check that the view
feeds them the right rows, keeps non-95 % levels, and never invents counts. The forest view's
tests moved to tests/unit/test_forest_view.py.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from analysis.views import response as rv
from components import response as rp
from components.charts.response import CI_AS_PRINTED, CI_FROM_COUNTS
from components.response import figure as rf
from components.response import tables as rt
from data import load_registry


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def _strings(component) -> list[str]:
    """Every string in a Dash component tree (children and text props); rows may be markup
    built as the plain data Dash sends (``components.wire.el``)."""
    out: list[str] = []
    if isinstance(component, str):
        return [component]
    if isinstance(component, (list, tuple)):
        for child in component:
            out.extend(_strings(child))
        return out
    if isinstance(component, dict) and "props" in component:
        children = component["props"].get("children")
    else:
        children = getattr(component, "children", None)
    if children is not None:
        out.extend(_strings(children))
    return out


# -------------------------------------------------------------------------------- response view


def response_rows(registry, state):
    """The rows of the Response view model for ``state``."""
    return rv.build(registry, state).rows


@pytest.mark.parametrize(
    ("trial", "measure", "analysis_kind", "counts", "printed"),
    [
        # Li N et al. STTT 2024;9:303, Table 2: ORR 36/50, DCR 42/50 (counts printed)
        ("NCT05013697", "ORR", "primary", "36/50", (57.5, 83.8)),
        ("NCT05013697", "DCR", "primary", "42/50", (70.9, 92.8)),
        # Meng X et al. Mol Cancer 2025;24:175 abstract: ORR 56.5%, DCR 91.3% of 46 (no counts)
        ("ALTER-E-003", "ORR", "primary", "26/46", (41.1, 71.1)),
        ("ALTER-E-003", "DCR", "primary", "42/46", (79.2, 97.6)),
    ],
)
def test_clopper_pearson_reproduces_the_seeds_printed_intervals(
    registry, trial, measure, analysis_kind, counts, printed
) -> None:
    state = rv.ResponseState(measure=measure)
    rows = response_rows(registry, state)
    row = next(
        r for r in rows if r.trial_name == trial and r.analysis_label.startswith(analysis_kind)
    )
    assert row.printed_ci == printed
    if row.successes is not None:  # counts printed: the view's own exact CI
        assert f"{row.successes}/{row.n}" == counts
        assert row.check is not None and row.check.matches
        assert (row.check.computed_lower_percent, row.check.computed_upper_percent) == printed
        computed, _printed, flag = rt.ci_cells(row)
        assert computed == f"{printed[0]:.1f}–{printed[1]:.1f}" and flag == "matches"
    else:  # no counts printed: the CI stays as printed; the derived count only checks it
        assert row.n is None and row.exact_check is not None
        assert f"{row.exact_check.successes}/{row.exact_check.n}" == counts
        check = row.exact_check.check
        assert check is not None and check.matches
        assert (check.computed_lower_percent, check.computed_upper_percent) == printed
        assert rf.point(row).ci_source == CI_AS_PRINTED
    table_text = " ".join(_strings(rt.result_table(registry, rv.build(registry, state))))
    assert f"{printed[0]:.1f}–{printed[1]:.1f}" in table_text
    assert counts in table_text


def test_counts_are_never_invented(registry) -> None:
    rows = response_rows(registry, rv.ResponseState(measure="ORR", population="all"))
    for row in rows:
        trial = registry.trial(row.trial_id)
        if row.successes is not None:
            # every count shown as data is a count the data file holds
            assert any(
                r.n == row.successes and row.n == r.N and r.arm == row.arm_id
                for r in trial.response
            )
    # Xu 1542P arm C: 26.7% printed without a count (the fact sheet's n conflicts) and no CI:
    # nothing is derived for it.
    arm_c = next(r for r in rows if r.trial_id == "xu1542p" and r.arm_id == "tc")
    assert arm_c.successes is None and arm_c.exact_check is None
    point = rf.point(arm_c)
    assert point.rate_percent == 26.7 and point.ci_source is None and point.count_text == "–"


def test_printed_ci_mismatch_is_flagged(registry) -> None:
    """ORIENT-15 (Lu BMJ 2022, Table 2) DCR 295/327 printed 87-93; Clopper-Pearson gives
    86.5-93.2, i.e. 86-93 at the printed precision: flagged, not hidden."""
    rows = response_rows(registry, rv.ResponseState(measure="DCR"))
    orient = next(r for r in rows if r.trial_id == "orient15" and r.arm_id == "sint_chemo")
    assert orient.check is not None and not orient.check.matches
    assert rf.point(orient).flag == "printed CI differs from Clopper–Pearson"
    assert rf.point(orient).ci_source == CI_FROM_COUNTS


def test_not_reported_rows_stay_with_reason(registry) -> None:
    rows = response_rows(registry, rv.ResponseState(measure="ORR"))
    jupiter = [r for r in rows if r.trial_id == "jupiter06"]
    assert len(jupiter) == 2 and all(r.status == "not_reported" for r in jupiter)
    assert all(r.reason for r in jupiter)
    assert rt.rate_cell(jupiter[0]).startswith("not reported: ")


def test_confirmation_assessor_and_dor(registry) -> None:
    rows = response_rows(registry, rv.ResponseState(measure="ORR"))
    seed = next(r for r in rows if r.trial_id == "nct05013697")
    assert (seed.confirmed, seed.assessor) == ("confirmed", "investigator")
    assert seed.dor_text.startswith("16.2 months (10.2–NE (not estimable), 95% CI)")
    every = response_rows(registry, rv.ResponseState(measure="ORR", cutoff="all"))
    alter_prelim = next(
        r for r in every if r.trial_id == "alter_e003" and r.analysis_label.startswith("interim")
    )
    assert alter_prelim.confirmed == "confirmation not stated"
    assert alter_prelim.dor_text == "not reported"
    gemstone = next(r for r in rows if r.arm_id == "sug_fp")
    assert gemstone.assessor == "BICR"


def test_latest_analysis_by_default_and_named(registry) -> None:
    """Issue 13: an arm shows its latest analysis that reports the measure unless all are asked
    for; the caption/footnote note names the analyses used."""
    latest = rv.build(registry, rv.ResponseState(measure="ORR"))
    every = rv.build(registry, rv.ResponseState(measure="ORR", cutoff="all"))
    alter_latest = {r.analysis_label for r in latest.rows if r.trial_id == "alter_e003"}
    alter_all = {r.analysis_label for r in every.rows if r.trial_id == "alter_e003"}
    assert len(alter_latest) == 1 and alter_latest < alter_all
    assert not any(label.startswith("interim") for label in alter_latest)
    assert latest.cutoff_note.startswith("Each arm shows its latest analysis")
    assert "ALTER-E-003: " + next(iter(alter_latest)) in latest.cutoff_note
    assert every.cutoff_note.startswith("All analyses")
    assert len(every.rows) > len(latest.rows)


def test_groups_and_filters(registry) -> None:
    rows = response_rows(registry, rv.ResponseState(measure="ORR"))
    groups = [r.group for r in rows]
    assert groups == sorted(groups, key=lambda g: g != rv.GROUP_CHEMO_FREE)
    free = {r.trial_id for r in rows if r.group == rv.GROUP_CHEMO_FREE}
    assert free == {"alter_e003", "checkmate648"}  # benmelstobart + anlotinib; nivo + ipi
    only = response_rows(registry, rv.ResponseState(measure="ORR", arms=("nct05013697:triple",)))
    assert {r.trial_id for r in only} == {"nct05013697"}
    classes = response_rows(
        registry, rv.ResponseState(measure="ORR", classes=("ICI+TKI (chemo-free)",))
    )
    assert {r.trial_id for r in classes} == {"alter_e003"}


def test_response_state_round_trip_and_rejections(registry) -> None:
    state = rv.ResponseState(
        measure="DCR", population="all", classes=("ICI+chemo",), arms=("orient15:sint_chemo",)
    )
    restored, problems = rv.SPEC.from_query(
        registry, dict(parse_qsl(rv.SPEC.to_search(registry, state, safe="").lstrip("?")))
    )
    assert problems == [] and restored == state
    bad, problems = rv.SPEC.from_inputs(
        registry, {"measure": "ORR", "population": "itt", "classes": ["<script>"], "arms": None}
    )
    assert bad is None and problems == ["regimen classes"]


def test_response_figure_for_export(registry) -> None:
    figure, footnote, rows = rp.figure_for(registry, rv.ResponseState(measure="ORR"))
    assert footnote.cross_trial and footnote.data_version == registry.data_version
    assert rows and set(rows[0]) == set(rp.CSV_COLUMNS)
    assert any(a.name == "footnote" for a in figure.layout.annotations)
    bundle = rp.export_bundle(registry, {"m": "DCR"})
    assert bundle.kind == "response" and bundle.columns == rp.CSV_COLUMNS
