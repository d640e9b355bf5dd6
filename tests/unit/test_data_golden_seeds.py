"""Golden spot checks of the shipped evidence base against the seed papers and curated sources.

Expected numbers are typed from the seed texts (../shared/sources/seeds/…) with their locator in
each case; tolerance is exact equality (numbers are stored as printed). Where the shared sources
are present, Table 3 of the NCT05013697 paper and the numbers-at-risk / event CSVs are also
parsed and compared row by row (skipped when ../shared is absent).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pytest
from scipy.stats import beta

from data import Registry, load_registry
from data.schema import AdverseEventResult, EfficacyResult, Fact, ResponseResult, Trial

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "sources"
SEED_B_TEXT = SHARED / "seeds" / "001_66c9be7d3debb516.txt"


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry()


def one(rows: tuple[Any, ...], **where: Any) -> Any:
    """The single row matching all ``where`` attributes (fails loudly on 0 or >1 matches)."""
    hits = [r for r in rows if all(getattr(r, k) == v for k, v in where.items())]
    assert len(hits) == 1, f"{len(hits)} rows match {where}"
    return hits[0]


# --- NCT05013697 (Li N et al., STTT 2024;9:303) --------------------------------------------


def test_nct05013697_survival(reg: Registry) -> None:
    t = reg.trial("nct05013697")
    assert t.focus and t.nct == "NCT05013697"
    # Abstract / Results 'Efficacy': median PFS 14.9 months (95% CI 11.4-NE); 23 events
    pfs = one(t.efficacy, endpoint="PFS", measure="median", population="itt")
    assert (pfs.value, pfs.ci, pfs.ci_level) == (14.9, (11.4, "NE"), 95.0)
    assert one(t.efficacy, endpoint="PFS", measure="events", population="itt").value == 23
    # 1-year PFS 58.5% (41.9-71.9); 1-year OS 74.8% (59.8-84.8)
    pfs12 = one(t.efficacy, endpoint="PFS", measure="landmark", population="itt")
    assert (pfs12.timepoint_months, pfs12.value, pfs12.ci) == (12.0, 58.5, (41.9, 71.9))
    os12 = one(t.efficacy, endpoint="OS", measure="landmark", population="itt")
    assert (os12.value, os12.ci) == (74.8, (59.8, 84.8))
    # Median OS not reached (95% CI 13.2-NE) with 19 deaths
    os_ = one(t.efficacy, endpoint="OS", measure="median", population="itt")
    assert (os_.status, os_.value, os_.ci) == ("not_reached", None, (13.2, "NE"))
    assert one(t.efficacy, endpoint="OS", measure="events", population="itt").value == 19
    # Median DoR of 36 responders 16.2 months (10.2-NE)
    dor = one(t.efficacy, endpoint="DoR", measure="median")
    assert (dor.value, dor.ci, dor.N) == (16.2, (10.2, "NE"), 36)
    # Results 'Patients characteristics': cut-off 1 Apr 2024, median follow-up 23.7 (22.1-26.8)
    an = t.analysis("primary")
    assert an.data_cutoff.date == "2024-04-01"
    assert an.follow_up is not None
    assert (an.follow_up.value, an.follow_up.ci, an.follow_up_kind) == (
        23.7,
        (22.1, 26.8),
        "median",
    )
    assert an.accrual is not None and (an.accrual.start, an.accrual.end) == ("2021-09", "2023-11")


def test_nct05013697_table2_response(reg: Registry) -> None:
    t = reg.trial("nct05013697")
    # Table 2 (n=50): CR 5 (10), PR 31 (62), SD 6 (12), PD 1 (2), NE 7 (14)
    printed = {"CR": (5, 10.0), "PR": (31, 62.0), "SD": (6, 12.0), "PD": (1, 2.0), "NE": (7, 14.0)}
    for cat, (n, pct) in printed.items():
        row = one(t.response, category=cat, population="itt")
        assert (row.n, row.value, row.N) == (n, pct, 50), cat
    # Objective response 36 (72.0; 57.5-83.8); disease control 42 (84.0; 70.9-92.8)
    orr = one(t.response, category="ORR", population="itt")
    assert (orr.n, orr.value, orr.ci, orr.confirmed) == (36, 72.0, (57.5, 83.8), True)
    dcr = one(t.response, category="DCR", population="itt")
    assert (dcr.n, dcr.value, dcr.ci) == (42, 84.0, (70.9, 92.8))
    # Results 'Efficacy': 43 evaluable patients, ORR 83.7% (69.3-93.2), DCR 97.7% (87.7-99.9)
    ev = one(t.response, category="ORR", population="response_evaluable")
    assert (ev.value, ev.ci, ev.N, ev.n) == (83.7, (69.3, 93.2), 43, None)


def test_nct05013697_clopper_pearson_reproduces_printed_cis(reg: Registry) -> None:
    """Methods: 'The 95% CIs of response data were estimated with the Clopper-Pearson method'.

    R (4.x): ``binom.test(36, 50)$conf.int`` -> 0.5751 0.8377; ``binom.test(42, 50)`` ->
    0.7089 0.9283. Tolerance: equal after rounding to one decimal (as printed).
    """
    t = reg.trial("nct05013697")
    checked = 0
    for row in t.response:
        if row.n is None or row.N is None or row.ci is None:
            continue
        lo = 100 * beta.ppf(0.025, row.n, row.N - row.n + 1)
        hi = 100 * beta.ppf(0.975, row.n + 1, row.N - row.n)
        assert (round(lo, 1), round(hi, 1)) == row.ci, (row.category, row.population)
        checked += 1
    assert checked == 2


def test_nct05013697_pdl1_and_liver_subgroups(reg: Registry) -> None:
    t = reg.trial("nct05013697")
    # Results 'Efficacy': ORR 100% (4/4) CPS>=10, 67.6% (23/34) CPS<10, 75.0% (9/12) CPS>=1,
    # 69.2% (18/26) CPS<1
    for pop, n, total, pct in (
        ("cps_ge10", 4, 4, 100.0),
        ("cps_lt10", 23, 34, 67.6),
        ("cps_ge1", 9, 12, 75.0),
        ("cps_lt1", 18, 26, 69.2),
    ):
        row = one(t.response, category="ORR", population=pop)
        assert (row.n, row.N, row.value) == (n, total, pct)
        p = t.population_by_id(pop)
        assert (p.scoring_system, p.assay) == ("CPS", "SP263")
    # median PFS 12.9 (CPS>=1) vs 14.9 (CPS<1); 12.9 (CPS>=10) vs NR (CPS<10)
    assert one(t.efficacy, endpoint="PFS", measure="median", population="cps_ge1").value == 12.9
    assert one(t.efficacy, endpoint="PFS", measure="median", population="cps_lt1").value == 14.9
    assert one(t.efficacy, endpoint="PFS", measure="median", population="cps_ge10").value == 12.9
    lt10 = one(t.efficacy, endpoint="PFS", measure="median", population="cps_lt10")
    assert lt10.status == "not_reached" and lt10.curation_note
    # Liver metastases: PFS 20.5 vs 4.7 (p<0.0001); OS NR vs 6.3 (p<0.0001)
    assert (
        one(t.efficacy, endpoint="PFS", measure="median", population="no_liver_mets").value == 20.5
    )
    assert one(t.efficacy, endpoint="PFS", measure="median", population="liver_mets").value == 4.7
    p = one(t.efficacy, endpoint="PFS", measure="p_value")
    assert (p.value, p.qualifier, p.comparator_population) == (0.0001, "<", "no_liver_mets")
    assert one(t.efficacy, endpoint="OS", measure="median", population="liver_mets").value == 6.3
    assert (
        one(t.efficacy, endpoint="OS", measure="median", population="no_liver_mets").status
        == "not_reached"
    )


def test_nct05013697_table1_and_typo_decisions(reg: Registry) -> None:
    t = reg.trial("nct05013697")
    facts = t.fact_rows(section="baseline")
    age = one(facts, item="Age, years: median (range)")
    assert (age.value, age.range) == (64.0, (41.0, 74.0))
    # Table 1: Male 39 (78); ECOG 1 38 (76); IVB 47 (94); Liver 7 (14); CPS unknown 12 (24)
    for item, n, pct in (
        ("Sex: male", 39, 78.0),
        ("ECOG performance status 1", 38, 76.0),
        ("Disease stage IVB", 47, 94.0),
        ("Metastatic site: liver", 7, 14.0),
        ("Baseline PD-L1 CPS unknown", 12, 24.0),
    ):
        row = one(facts, item=item)
        assert (row.n, row.value, row.N) == (n, pct, 50), item
    # Table 1 prints '>=2' for the third metastatic-site row; 11+32+7=50 -> read as >=3
    sites = one(facts, item="Number of metastatic sites: >=3")
    assert (sites.n, sites.as_printed) == (7, ">=2 | 7 (14)") and sites.curation_note
    # Results 'Treatment compliance': '14 (38%) discontinued initial treatment' -> 28%
    disc = one(t.fact_rows(section="disposition"), item="Discontinued initial treatment early")
    assert (disc.n, disc.N, disc.value, disc.as_printed) == (14, 50, 28.0, "14 (38%)")
    assert disc.curation_note is not None and "typo" in disc.curation_note


def test_nct05013697_safety_summary(reg: Registry) -> None:
    t = reg.trial("nct05013697")
    # Table 3: any TRAE 46 (92), grade>=3 TRAE 37 (74); AE grade>=3 39 (78)
    any_trae = one(
        t.adverse_events, term="Any events", category="treatment-related", grade_band="any"
    )
    g3_trae = one(
        t.adverse_events, term="Any events", category="treatment-related", grade_band=">=3"
    )
    g3_ae = one(t.adverse_events, term="Any events", category="all-cause", grade_band=">=3")
    assert (any_trae.n, g3_trae.n, g3_ae.n) == (46, 37, 39)
    assert "20%" in (any_trae.reporting_threshold or "")
    # '-' cells are explicit not-reported rows
    dash = one(
        t.adverse_events,
        term="Events leading to discontinuation",
        category="treatment-related",
        grade_band="any",
    )
    assert dash.status == "not_reported"
    # Results 'Safety': irAE hypothyroidism 9 (18%); four deaths due to AEs (8%)
    hypo = one(t.adverse_events, term="Hypothyroidism", category="immune-related")
    assert (hypo.n, hypo.value) == (9, 18.0)
    deaths = one(t.adverse_events, summary_item="leading_to_death")
    assert (deaths.n, deaths.value, deaths.grade_band) == (4, 8.0, "5")


def _table3_from_text(text: str) -> dict[str, list[str]]:
    start = text.index("Table 3.")
    end = text.index("Data were expressed as n (%). The safety set")
    rows: dict[str, list[str]] = {}
    for line in text[start:end].splitlines():
        cells = [c.strip() for c in line.split("\t") if c.strip()]
        if len(cells) == 5 and re.match(r"^(\d+ \(\d+\)|0|-)$", cells[1]):
            rows[cells[0]] = cells[1:]
    return rows


@pytest.mark.skipif(not SEED_B_TEXT.exists(), reason="../shared/sources/seeds not available")
def test_nct05013697_table3_matches_seed_text_cell_by_cell(reg: Registry) -> None:
    """Every cell of Table 3 in the seed text equals the stored row (or NR for '-')."""
    t = reg.trial("nct05013697")
    table = _table3_from_text(SEED_B_TEXT.read_text(encoding="utf-8"))
    assert len(table) == 20  # 4 summary rows + 16 terms (>=20%)
    columns = (
        ("all-cause", "any"),
        ("all-cause", ">=3"),
        ("treatment-related", "any"),
        ("treatment-related", ">=3"),
    )
    for term, cells in table.items():
        for (category, band), cell in zip(columns, cells, strict=True):
            if term == "Immune-related events" and category == "all-cause":
                category = "immune-related"
            row: AdverseEventResult = one(
                t.adverse_events,
                term=term,
                category=category,
                grade_band=band,
                analysis="primary",
                arm="triple",
            )
            if cell == "-":
                assert row.status == "not_reported", (term, category, band)
            elif cell == "0":
                assert (row.n, row.value) == (0, 0.0), (term, category, band)
            else:
                n, pct = re.match(r"(\d+) \((\d+)\)", cell).groups()  # type: ignore[union-attr]
                assert (row.n, row.value, row.N) == (int(n), float(pct), 50), (term, category, band)


# --- ALTER-E-003 (Meng X et al., Mol Cancer 2025;24:175; ASCO 2024 e16035) ---------------------


def test_alter_e003_analyses_kept_separate(reg: Registry) -> None:
    t = reg.trial("alter_e003")
    assert t.focus and t.nct == "NCT05038813"
    # Mol Cancer abstract: confirmed ORR 56.5% (95% CI 41.1-71.1); DCR 91.3% (79.2-97.6)
    orr = one(t.response, analysis="molcancer2025", category="ORR", population="itt")
    assert (orr.value, orr.ci, orr.confirmed, orr.n, orr.N) == (56.5, (41.1, 71.1), True, None, 46)
    # ASCO 2024 e16035: 'preliminary' ORR 69.6% (54.2-82.3): 1 CR + 31 PR; confirmation not stated
    prelim = one(t.response, analysis="asco2024", category="ORR", population="itt")
    assert (prelim.value, prelim.ci, prelim.confirmed) == (69.6, (54.2, 82.3), None)
    assert one(t.response, analysis="asco2024", category="CR").n == 1
    assert one(t.response, analysis="asco2024", category="PR").n == 31
    assert t.analysis("asco2024").data_cutoff.date == "2023-12"
    # Median PFS 15.74 (9.03-21.91); TRAE 93.5%, grade >=3 28.3%
    pfs = one(t.efficacy, endpoint="PFS", measure="median", population="itt")
    assert (pfs.value, pfs.ci) == (15.74, (9.03, 21.91))
    assert one(t.adverse_events, grade_band="any", summary_item="any_event").value == 93.5
    assert one(t.adverse_events, grade_band=">=3", summary_item="any_event").value == 28.3
    # Signature TP53+/FAT1+/NOTCH3-: ORR 65.6 vs 11.1 (P<0.001);
    # PFS 17.91 vs 5.32 (P=0.005); OS P=0.006
    assert one(t.response, category="ORR", population="signature_pos", measure="rate").value == 65.6
    assert one(t.response, category="ORR", population="signature_neg").value == 11.1
    p = one(t.response, measure="p_value")
    assert (p.value, p.qualifier) == (0.001, "<")
    assert (
        one(t.efficacy, endpoint="PFS", measure="median", population="signature_pos").value == 17.91
    )
    assert (
        one(t.efficacy, endpoint="PFS", measure="median", population="signature_neg").value == 5.32
    )
    assert one(t.efficacy, endpoint="OS", measure="p_value").value == 0.006


def test_alter_e003_derived_counts_stay_out_of_n(reg: Registry) -> None:
    """26/46 reproduces the printed confirmed-ORR CI (R: ``binom.test(26, 46)`` -> 41.11 71.07),
    but the abstract never prints 26, so n stays empty (derived counts only in notes)."""
    lo = 100 * beta.ppf(0.025, 26, 21)
    hi = 100 * beta.ppf(0.975, 27, 20)
    assert (round(lo, 1), round(hi, 1)) == (41.1, 71.1)
    orr = one(
        reg.trial("alter_e003").response, analysis="molcancer2025", category="ORR", population="itt"
    )
    assert orr.n is None and orr.note is not None and "26/46" in orr.note


# --- comparators -------------------------------------------------------------------------


def test_checkmate648_ci_levels_are_stored(reg: Registry) -> None:
    """NEJM abstract: OS HR 0.54 (99.5% CI 0.37-0.80) TC>=1%; 0.74 (99.1% CI 0.58-0.96) all."""
    t = reg.trial("checkmate648")
    hr = one(
        t.efficacy,
        measure="hr",
        endpoint="OS",
        arm="nivo_chemo",
        population="tc_ge1",
        analysis="primary",
    )
    assert (hr.value, hr.ci, hr.ci_level, hr.comparator) == (0.54, (0.37, 0.8), 99.5, "chemo")
    hr = one(
        t.efficacy,
        measure="hr",
        endpoint="OS",
        arm="nivo_chemo",
        population="itt",
        analysis="primary",
    )
    assert (hr.value, hr.ci_level) == (0.74, 99.1)
    assert t.population_by_id("tc_ge1").pdl1_key == "TC>=1"


def test_orient15_table2_confirmed_orr_clopper_pearson(reg: Registry) -> None:
    """BMJ Table 2: confirmed ORR 216/327 = 66% (61-71); R ``binom.test(216, 327)`` -> 60.64
    71.17, which rounds to the printed whole-percent CI."""
    row = one(
        reg.trial("orient15").response,
        category="ORR",
        arm="sint_chemo",
        population="itt",
        confirmed=True,
        measure="rate",
    )
    assert (row.n, row.N, row.value, row.ci) == (216, 327, 66.0, (61.0, 71.0))
    lo = 100 * beta.ppf(0.025, 216, 327 - 216 + 1)
    hi = 100 * beta.ppf(0.975, 217, 327 - 216)
    assert (round(lo), round(hi)) == (61, 71)


def test_no_scoring_systems_are_merged(reg: Registry) -> None:
    """Every PD-L1 population names its scoring system, and its key starts with it."""
    for t in reg.trials:
        for p in t.populations:
            if p.kind == "pdl1":
                assert p.scoring_system in ("CPS", "TPS", "TC", "TAP")
                assert p.pdl1_key is not None and p.pdl1_key.startswith(p.scoring_system)


@pytest.mark.skipif(
    not (SHARED / "numbers_at_risk.csv").exists(), reason="../shared/sources absent"
)
def test_at_risk_tables_equal_curated_csv(reg: Registry) -> None:
    """Every row of sources/numbers_at_risk.csv is stored exactly once, with the same counts."""
    names = {
        "CheckMate 648": "checkmate648",
        "KEYNOTE-590": "keynote590",
        "JUPITER-06": "jupiter06",
        "ORIENT-15": "orient15",
        "ESCORT-1st": "escort1st",
    }
    expected: dict[tuple[str, str, str, str], list[tuple[float, int, int | None]]] = {}
    with (SHARED / "numbers_at_risk.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            key = (names[r["trial"]], r["endpoint"], r["arm_role"], r["doi"])
            cens = int(r["n_censored_cumulative"]) if r["n_censored_cumulative"] else None
            expected.setdefault(key, []).append(
                (float(r["time_months"]), int(r["n_at_risk"]), cens)
            )
    found: dict[tuple[str, str, str, str], list[tuple[float, int, int | None]]] = {}
    for trial, curve in reg.curves(with_at_risk=True):
        assert curve.ref is not None
        pub = trial.publication(curve.ref)
        key = (trial.id, curve.endpoint, trial.arm(curve.arm).role, pub.doi or "")
        found[key] = [(p.time_months, p.n_at_risk, p.n_censored_cumulative) for p in curve.at_risk]
    assert found == {k: sorted(v) for k, v in expected.items()}


@pytest.mark.skipif(not (SHARED / "published_events_from_figures.csv").exists(), reason="absent")
def test_curve_events_equal_curated_csv(reg: Registry) -> None:
    events: dict[tuple[str, str, str], int] = {}
    with (SHARED / "published_events_from_figures.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            trial, endpoint, _ = r["dataset"].split("_", 2)
            role = "experimental" if r["group"] == "1" else "control"
            events[(trial, endpoint.upper(), role)] = int(r["events"])
    stored = {
        (t.id, c.endpoint, t.arm(c.arm).role): int(c.events.value)
        for t, c in reg.curves(with_at_risk=True)
        if c.events is not None and c.events.value is not None
    }
    assert stored == events


def _rows_of(t: Trial) -> list[EfficacyResult | ResponseResult | AdverseEventResult | Fact]:
    return [*t.efficacy, *t.response, *t.adverse_events, *t.facts]


def test_secondary_sources_keep_their_label(reg: Registry) -> None:
    """Fact-sheet leaves marked 'secondary' resolve to source level 'secondary summary'."""
    t = reg.trial("checkmate648")
    pfs = one(t.efficacy, endpoint="PFS", measure="median", arm="nivo_chemo", population="itt")
    assert t.source_level(pfs) == "secondary summary"
    claims = reg.trial("nct05013697").fact_rows(section="discussion_claim")
    assert claims and all(
        reg.trial("nct05013697").source_level(c) == "secondary summary" for c in claims
    )
    assert any(r.derived for t2 in reg.trials for r in _rows_of(t2))


def _numbers_in(value: Any, out: set[float]) -> set[float]:
    if isinstance(value, dict):
        for v in value.values():
            _numbers_in(v, out)
    elif isinstance(value, list):
        for v in value:
            _numbers_in(v, out)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out.add(float(value))
    elif isinstance(value, str):
        out.update(float(m) for m in re.findall(r"\d+(?:\.\d+)?", value))
    return out


NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w])")


@pytest.mark.skipif(not SEED_B_TEXT.exists(), reason="../shared/sources/seeds not available")
def test_every_number_of_the_seed_main_text_is_stored() -> None:
    """Coverage guard: each number printed in the NCT05013697 main text (title to Methods end,
    tables included, affiliations and reference list excluded) occurs in its data file. Only
    citation superscripts and trial names are exempt. Value presence, not context, is checked;
    the cell-level checks above cover context for the tables."""
    import tomllib

    text = SEED_B_TEXT.read_text(encoding="utf-8")
    body = text[: text.index("#### DATA AVAILABILITY")]
    start = body.index("<sup>&</sup>")
    end = body.index("First-line benmelstobart plus anlotinib and chemotherapy in advanced", start)
    body = body[:start] + body[end:]
    stored = _numbers_in(
        tomllib.loads(
            (
                Path(__file__).resolve().parents[2]
                / "data"
                / "trials"
                / "nct05013697"
                / "trial.toml"
            ).read_text(encoding="utf-8")
        ),
        set(),
    )
    exempt = {15.0, 35.0, 40.0, 590.0, 648.0}  # superscripts 15, 31-35, 21,40; trial names
    missing = {float(m.group(1)) for m in NUMBER.finditer(body)} - stored - exempt
    assert not missing, sorted(missing)


@pytest.mark.skipif(not (SHARED / "seeds").exists(), reason="../shared/sources/seeds not available")
def test_every_number_of_the_alter_e003_abstract_is_stored() -> None:
    import tomllib

    text = (SHARED / "seeds" / "000_a87515991be0943e.txt").read_text(encoding="utf-8")
    body = text[text.index("Summary:") : text.index("Bibliography:")]
    stored = _numbers_in(
        tomllib.loads(
            (
                Path(__file__).resolve().parents[2]
                / "data"
                / "trials"
                / "alter_e003"
                / "trial.toml"
            ).read_text(encoding="utf-8")
        ),
        set(),
    )
    missing = {float(m.group(1)) for m in NUMBER.finditer(body)} - stored
    assert not missing, sorted(missing)
