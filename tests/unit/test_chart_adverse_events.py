"""Unit tests for the AE figure builders (components/charts/adverse_events.py) and the panel's
pure export hook ``figure_for``.

The central check: every bar (and heatmap cell) is traced through its customdata to exactly
one row of the evidence table (``registry.evidence_rows()``), and its length equals that
row's n/N recomputed at one decimal (or the printed percentage when counts are not printed,
tolerance 0.05 points) with the same n and N; every "not reported" bar is checked against the
evidence table to contain no reported value it should have shown. Covered: both seed studies
and the phase-3 trials with AE rows (ORIENT-15, KEYNOTE-590, CheckMate 648, RATIONALE-306,
SKYSCRAPER-08, ASTRUM-007, ESCORT-1st, JUPITER-06, ...), every category.
"""

from __future__ import annotations

import math

import pytest

from analysis import adverse_events as ae
from analysis.views.safety_notes import definition_notes
from components.charts import adverse_events as ch
from components.provenance import arm_colours
from data import load_registry

NCT = ("nct05013697", "triple")
ALTER3 = ("alter_e003", "chemo_free")
OR_SINT = ("orient15", "sint_chemo")
OR_PBO = ("orient15", "placebo_chemo")
CM = (("checkmate648", "nivo_chemo"), ("checkmate648", "nivo_ipi"), ("checkmate648", "chemo"))
KN = (("keynote590", "pembro_chemo"), ("keynote590", "placebo_chemo"))
SKY = (("skyscraper08", "tira_atezo_tp"), ("skyscraper08", "placebo_tp"))


@pytest.fixture(scope="module")
def reg():
    return load_registry()


@pytest.fixture(scope="module")
def term_map(reg):
    return ae.check_term_map(reg)


@pytest.fixture(scope="module")
def evidence(reg):
    index: dict[tuple, list[dict]] = {}
    for row in reg.evidence_rows():
        if row["section"] != "safety":
            continue
        key = (
            row["trial_id"],
            row["arm_id"],
            row["analysis_id"],
            row["item"],
            row["ae_category"],
            row["grade_band"],
            row["summary_item"],
        )
        index.setdefault(key, []).append(row)
    return index


def _styles(reg, arms):
    colours = arm_colours(reg)
    return [
        ch.ArmStyle(
            key, f"{reg.trial(key[0]).name}: {reg.trial(key[0]).arm(key[1]).label}", colours[key][0]
        )
        for key in arms
    ]


def _chunks(items, size=10):
    return [items[i : i + size] for i in range(0, len(items), size)]


def _blank(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def _expected_pct(row) -> float:
    n = row["n"] if not _blank(row["n"]) else (row["value"] if row["unit"] == "count" else None)
    big_n = row["N"]
    if not _blank(n) and not _blank(big_n):
        return round(100.0 * n / big_n, 1)
    if not _blank(n) and n == 0:
        return 0.0
    assert row["unit"] == "%", row
    return row["value"]


def _check_reported_point(evidence, cd, x, text=None) -> dict:
    trial_id, arm_id, analysis_id, printed, category, band, summary_item, status = cd[:8]
    assert status == "reported"
    key = (trial_id, arm_id, analysis_id, printed, category, band, summary_item)
    rows = evidence.get(key, [])
    assert len(rows) == 1, key
    row = rows[0]
    assert row["status"] == "reported"
    assert x == pytest.approx(_expected_pct(row), abs=0.05), key
    assert cd[8] == pytest.approx(x, abs=1e-9)
    n_expected = (
        row["n"] if not _blank(row["n"]) else (row["value"] if row["unit"] == "count" else None)
    )
    assert (cd[10] is None) == _blank(n_expected), key
    if cd[10] is not None:
        assert cd[10] == n_expected
    assert (cd[11] is None) == _blank(row["N"]), key
    if cd[11] is not None:
        assert cd[11] == row["N"]
    if row["unit"] == "%":
        assert cd[9] == pytest.approx(row["value"])
    else:
        assert cd[9] is None
    # the denominator is visible with the number: on the bar or in its hover text
    visible = (text or "") + cd[12]
    if cd[11] is not None:
        assert f"/{cd[11]}" in visible or f"N = {cd[11]}" in visible, (key, visible)
    else:
        assert "N not stated" in visible, (key, visible)
    return row


def _points(fig, role):
    for trace in fig.data:
        meta = trace.meta or {}
        if meta.get("role") != role:
            continue
        if trace.type == "bar":
            texts = list(trace.text) if trace.text is not None else [None] * len(trace.x)
            for x, y, cd, text in zip(trace.x, trace.y, trace.customdata, texts, strict=True):
                yield trace, x, y, list(cd), text
        elif trace.type == "heatmap":
            for i, (zrow, crow) in enumerate(zip(trace.z, trace.customdata, strict=True)):
                for j, (z, cd) in enumerate(zip(zrow, crow, strict=True)):
                    if z is not None:
                        yield trace, z, (i, j), list(cd), trace.text[i][j]
        elif trace.type == "scatter":
            for x, y, cd in zip(trace.x, trace.y, trace.customdata, strict=True):
                yield trace, x, y, list(cd), None


def _reported_rows_for(reg, term_map, cd, *, term=None, item=None, strict=False):
    """Reported evidence rows that a not-reported cell could have shown."""
    trial = reg.trial(cd[0])
    rows = [r for r in trial.adverse_events if r.arm == cd[1] and r.status == "reported"]
    if term is not None:
        category, grade = term
        bands = ("any",) if grade == "any" else (ae.STRICT_HIGH_BANDS if strict else ae.HIGH_BANDS)
        return [
            r
            for r in rows
            if r.summary_item is None
            and r.category == category
            and r.grade_band in bands
            and term_map.get(r.term).harmonised == cd[-1]
        ]
    bands = {"any": ("any",), "high": ae.HIGH_BANDS if not strict else (">=3",), "5": ("5",)}
    return [
        r
        for r in rows
        if r.summary_item in item.summary_items
        and r.category == item.category
        and r.grade_band in bands[item.grade]
    ]


# --- every bar matches the evidence table -------------------------------------------------------


@pytest.mark.parametrize("category", ["treatment-related", "all-cause", "immune-related"])
@pytest.mark.parametrize("strict", [False, True])
def test_every_summary_bar_matches_the_evidence_table(reg, evidence, category, strict) -> None:
    all_arms = [(t.id, a.id) for t in reg.trials for a in t.arms]
    checked = not_reported = 0
    for arms in _chunks(all_arms):
        table = ae.summary_table(reg, arms, category, strict=strict)
        fig = ch.build_summary_figure(table, _styles(reg, arms))
        items = {i.key: i for i in table.items}
        for trace, x, _, cd, text in _points(fig, "reported"):
            row = _check_reported_point(evidence, cd, x, text)
            item = items[trace.meta["item"]]
            assert row["ae_category"] == item.category
            assert row["summary_item"] in item.summary_items
            checked += 1
        for trace, x, _, cd, text in _points(fig, "not_reported"):
            assert cd[7] == "not_reported" and cd[8] is None and x in (100.0,)
            assert text.startswith("not reported")
            item = items[trace.meta["item"]]
            missed = _reported_rows_for(reg, None, cd, item=item, strict=strict)
            assert missed == [], (cd[:2], item.key, [r.term for r in missed])
            not_reported += 1
    assert checked >= (20 if category == "treatment-related" else 8)
    assert not_reported > 0


def test_seed_and_phase3_summary_bars_have_the_published_numbers(reg, evidence) -> None:
    """Spot values (publication in the docstring of each data row): NCT05013697 grade >=3
    TRAE 37/50; ALTER-E-003 28.3 % of 46; ORIENT-15 196/327 and 181/332; KEYNOTE-590 grade
    3-5 71.9 % (n = 266, N not stated). CheckMate 648's "Grade 3 AE >= 47/32/36 %" is not
    treatment-related in its source (issue 13): no TRAE bar, only in the all-cause table."""
    arms = [ALTER3, NCT, OR_SINT, OR_PBO, *KN, *CM]
    table = ae.summary_table(reg, arms)
    fig = ch.build_summary_figure(table, _styles(reg, arms))
    high = {
        tuple(cd[:2]): (x, text)
        for trace, x, _, cd, text in _points(fig, "reported")
        if trace.meta["item"] == "high"
    }
    assert high[NCT][0] == 74.0 and "37/50" in high[NCT][1]
    assert high[ALTER3][0] == 28.3 and "N = 46" in high[ALTER3][1]
    assert high[OR_SINT][0] == pytest.approx(59.9, abs=0.05) and "196/327" in high[OR_SINT][1]
    assert "181/332" in high[OR_PBO][1]
    assert high[KN[0]][0] == 71.9 and "grade 3–5" in high[KN[0]][1]
    assert "N not stated" in high[KN[0]][1]
    assert not any(k in high for k in CM)
    all_cause = ae.summary_table(reg, CM, "all-cause")
    fig = ch.build_summary_figure(all_cause, _styles(reg, CM))
    high = {
        tuple(cd[:2]): (x, text)
        for trace, x, _, cd, text in _points(fig, "reported")
        if trace.meta["item"] == "high"
    }
    assert [high[k][0] for k in CM] == [47.0, 32.0, 36.0]
    assert all("N not stated" in high[k][1] for k in CM)


TERM_CASES = [
    (
        "treatment-related",
        [
            NCT,
            ALTER3,
            OR_SINT,
            OR_PBO,
            CM[0],
            ("zhang2020", "cam_apa_chemo"),
            ("alter_e002", "anlo_tp"),
            ("xu_scirep2025", "tcac"),
        ],
    ),
    ("all-cause", [NCT, *SKY, ALTER3]),
    ("immune-related", [NCT, ("zhang2020", "cam_apa_chemo"), ("astrum007", "serp_cf")]),
]


@pytest.mark.parametrize(("category", "arms"), TERM_CASES)
@pytest.mark.parametrize("grade", ["both", "any", "high"])
@pytest.mark.parametrize("chart", ["terms", "heatmap"])
def test_every_term_bar_matches_the_evidence_table(
    reg, term_map, evidence, category, arms, grade, chart
) -> None:
    table = ae.term_table(reg, term_map, arms, category, grade=grade)
    build = ch.build_term_figure if chart == "terms" else ch.build_heatmap_figure
    fig = build(table, _styles(reg, arms))
    terms = {r.term for r in table.rows}
    checked = 0
    for trace, x, y, cd, text in _points(fig, "reported"):
        row = _check_reported_point(evidence, cd, x, text)
        term = term_map.get(row["item"]).harmonised
        assert term in terms
        if chart == "terms":
            assert y == term  # the bar sits on its harmonised term's row
            assert trace.meta["grade"] in ("any", "high")
            band = row["grade_band"]
            assert band == "any" if trace.meta["grade"] == "any" else band in ae.HIGH_BANDS
        else:
            i, _ = y
            assert table.rows[i].term == term
        checked += 1
    assert checked > 0
    heat_grade = "high" if grade == "high" else "any"
    for trace, _x, y, cd, _text in _points(fig, "not_reported"):
        assert cd[7] == "not_reported" and cd[8] is None
        if chart == "terms":
            term = y
            slot = trace.meta["grade"]
        else:
            term = table.rows[y].term
            slot = heat_grade
        missed = _reported_rows_for(reg, term_map, [*cd, term], term=(category, slot))
        assert missed == [], (cd[:2], term, slot, [r.term for r in missed])


# --- not reported is never zero -------------------------------------------------------------------


def test_below_threshold_term_is_hatched_to_the_threshold_not_zero(reg, term_map) -> None:
    """NCT05013697 Table 3 lists AEs in >= 20 % of patients; rash (ORIENT-15: 15.3 %) is not
    listed, so NCT's rash is 'not reported (<20%)': a hatched bar up to 20 %, no value bar."""
    arms = [NCT, OR_SINT]
    table = ae.term_table(reg, term_map, arms)
    fig = ch.build_term_figure(table, _styles(reg, arms))
    nct_axis = "x"  # first facet
    rash_nr = [
        (x, text, cd)
        for trace, x, y, cd, text in _points(fig, "not_reported")
        if trace.xaxis == nct_axis and y == "Rash"
    ]
    assert len(rash_nr) == 1
    x, text, cd = rash_nr[0]
    assert x == 20.0 and text == "not reported (&lt;20%)"
    assert "below threshold" in cd[12]
    values = [
        x
        for trace, x, y, _, _ in _points(fig, "reported")
        if trace.xaxis == nct_axis and y == "Rash"
    ]
    assert values == []  # no zero (or any) value bar for NCT's rash
    trace = next(t for t in fig.data if (t.meta or {}).get("role") == "not_reported")
    assert trace.marker.pattern.shape == "/"  # hatched, not a colour of the data


def test_heatmap_not_reported_cells_are_grey_not_zero(reg, term_map) -> None:
    arms = [NCT, OR_SINT]
    table = ae.term_table(reg, term_map, arms)
    fig = ch.build_heatmap_figure(table, _styles(reg, arms))
    heat = next(t for t in fig.data if t.type == "heatmap")
    rash = [r.term for r in table.rows].index("Rash")
    assert heat.z[rash][0] is None  # a gap, never 0 on the colour scale
    assert heat.z[rash][1] == pytest.approx(15.3, abs=0.05)
    labels = next(t for t in fig.data if (t.meta or {}).get("role") == "not_reported")
    cells = dict(zip(zip(labels.y, labels.x, strict=True), labels.text, strict=True))
    assert cells[(rash, 0)] == "not reported (&lt;20%)"
    hatch = next(t for t in fig.data if t.type == "scatter" and t.fill == "toself")
    assert hatch.fillpattern.shape == "/"
    # a reported 0 % is drawn as 0 (NCT nausea grade >= 3: 0/50), distinct from not reported
    high = ae.term_table(reg, term_map, arms, grade="high")
    hfig = ch.build_heatmap_figure(high, _styles(reg, arms))
    hz = next(t for t in hfig.data if t.type == "heatmap")
    nausea = [r.term for r in high.rows].index("Nausea")
    assert hz.z[nausea][0] == 0.0 and hz.text[nausea][0] == "0"


def test_terms_share_one_order_across_arms(reg, term_map) -> None:
    arms = [NCT, OR_SINT, OR_PBO]
    for sort in ("freq", "alpha"):
        table = ae.term_table(reg, term_map, arms, sort=sort)
        fig = ch.build_term_figure(table, _styles(reg, arms))
        order = [r.term for r in table.rows]
        assert list(fig.layout.yaxis.categoryarray) == list(reversed(order))
        # facets share the first y axis, so one order applies to every arm
        assert fig.layout.yaxis2.matches == "y" and fig.layout.yaxis3.matches == "y"
        for trace in fig.data:
            assert set(trace.y) <= set(order)


# --- labels, escaping, definitions, export ----------------------------------------------


def test_labels_from_data_are_escaped(reg) -> None:
    arms = [NCT]
    table = ae.summary_table(reg, arms)
    styles = [ch.ArmStyle(NCT, "<b onmouseover=x>arm</b>", "#0072B2")]
    fig = ch.build_summary_figure(table, styles, ch.AeChartOptions(title="<i>t</i>"))
    blob = fig.to_json()
    assert "<b onmouseover" not in blob and "&lt;b onmouseover=x&gt;" in blob
    assert "<i>t</i>" not in blob


def test_definition_notes_name_what_differs(reg, term_map) -> None:
    arms = [NCT, OR_SINT, KN[0], CM[0]]
    labels = {s.key: s.label for s in _styles(reg, arms)}
    notes = definition_notes(
        labels,
        ae.summary_table(reg, arms),
        ae.term_table(reg, term_map, arms),
        trial_names={k[0]: reg.trial(k[0]).name for k in arms},
    )
    text = " ".join(notes)
    assert text.startswith("Treatment-related AEs (TRAE)")
    assert "grade 3–4 (excludes grade-5 deaths): CheckMate 648" in text
    assert "grade 3–5 (includes deaths): KEYNOTE-590" in text
    assert "N = 50" in text and "N not stated" in text
    assert ">=20% of patients" in text and "inclusion rule not recorded" in text


def test_empty_figure_and_json(reg) -> None:
    fig = ch.empty_figure("nothing <here>")
    assert "&lt;here&gt;" in fig.to_json()


def test_figure_for_returns_figure_footnote_and_rows(reg) -> None:
    from analysis.views import safety as sv
    from components import safety as sp
    from components.export.images import prepare_figure

    def state(arms, **options):
        return sv.SafetyState(arms=tuple(sv.arm_value(k) for k in arms), **options)

    fig, footnote, rows = sp.figure_for(
        reg, state((NCT, OR_SINT, KN[0]), chart="terms", grade="both")
    )
    assert footnote.data_version == reg.data_version and footnote.cross_trial
    assert any("Pale bar" in c for c in footnote.caveats)
    assert any(s.short.startswith("Li") for s in footnote.sources)
    assert set(rows[0]) == set(sp.CSV_COLUMNS)
    rash = [r for r in rows if r["harmonised_term"] == "Rash" and r["trial_id"] == NCT[0]]
    assert {r["status"] for r in rash} == {"not_reported"}
    assert all(
        r["shown_pct"] is None and "below threshold" in r["not_reported_reason"] for r in rash
    )
    footnotes = [a for a in fig.layout.annotations if a.name == "footnote"]
    assert len(footnotes) == 1 and reg.data_version in footnotes[0].text
    spec = prepare_figure(fig, footnote=footnote)  # the export path accepts the figure
    assert spec["layout"]["width"] == 1600
    for chart in ("summary", "heatmap"):
        fig, _, rows = sp.figure_for(reg, state((NCT, OR_SINT), chart=chart))
        assert rows and fig.to_json()


def test_export_bundle_from_a_query(reg) -> None:
    from components import safety as sp

    bundle = sp.export_bundle(
        reg, {"chart": "heatmap", "arms": "nct05013697.triple,orient15.sint_chemo,../x"}
    )
    assert bundle.kind == "ae-heatmap" and bundle.columns == sp.CSV_COLUMNS
    assert bundle.subject == ("NCT05013697", "ORIENT-15")
    assert bundle.rows and all(set(r) == set(sp.CSV_COLUMNS) for r in bundle.rows)
    assert bundle.footnote.data_version == reg.data_version
