"""Unit tests for analysis/adverse_events.py: the reviewed term map, recomputed percentages,
grade bands and the reasons for "not reported".

Expected numbers come from the shipped evidence base (data/trials/*/trial.toml, which cites
the publications): NCT05013697 Table 3 (Li et al. 2024, n = 50, terms listed when >= 20 %),
ORIENT-15 Table 3 (Lu et al. BMJ 2022), CheckMate 648 and KEYNOTE-590 summary rows. Percent
arithmetic is exact (tolerance 0.05 percentage points, i.e. one decimal).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from analysis import adverse_events as ae
from data import load_registry
from data.schema import AdverseEventResult

ROOT = Path(__file__).resolve().parents[2]
MAP_PATH = ROOT / "data" / ae.TERM_MAP_PATH

NCT = ("nct05013697", "triple")
ALTER3 = ("alter_e003", "chemo_free")
OR_SINT = ("orient15", "sint_chemo")
OR_PBO = ("orient15", "placebo_chemo")
CM_NIVO = ("checkmate648", "nivo_chemo")
KN_PEMBRO = ("keynote590", "pembro_chemo")
ZHANG = ("zhang2020", "cam_apa_chemo")
XU_C = ("xu1542p", "tc")
SKY_TIRA = ("skyscraper08", "tira_atezo_tp")


@pytest.fixture(scope="module")
def reg():
    return load_registry()


@pytest.fixture(scope="module")
def term_map(reg):
    return ae.check_term_map(reg)


def _row(table: ae.TermTable, term: str) -> ae.TermRow:
    for row in (*table.rows, *table.table_only):
        if row.term == term:
            return row
    raise AssertionError(f"{term!r} not in the term table")


# --- term map: completeness and review rules -----------------------------------------------


def test_term_map_is_complete_for_every_ae_term_in_the_data(reg, term_map) -> None:
    """Every printed AE term (term rows, not summary rows) has a reviewed entry. On failure the
    message lists the unmapped printed terms, to be added to data/vocab/ae_terms.toml."""
    missing = ae.unmapped_terms(reg, term_map)
    assert missing == (), "unmapped AE terms: " + "; ".join(missing)
    assert ae.term_map_problems(reg, term_map) == []


def test_term_map_has_no_stale_entries(reg, term_map) -> None:
    printed = {r.term for t in reg.trials for r in t.adverse_events if r.summary_item is None}
    stale = sorted(e.printed for e in term_map.entries if e.printed not in printed)
    assert stale == [], "entries for terms no longer in the data: " + "; ".join(stale)


def test_unmapped_term_is_listed_and_shown_as_printed(reg, tmp_path) -> None:
    """A printed term without a reviewed entry is listed by the completeness check (the test
    above fails) and, in the app, shown as printed and marked "(not harmonised)"."""
    text = MAP_PATH.read_text(encoding="utf-8")
    block = (
        '[[term]]\nprinted = "Hypophagia"\nharmonised = "Hypophagia"\nkind = "term"\n'
        'rule = "reduced food intake (often dysphagia-related in ESCC); printed beside '
        "'Decreased appetite' in the same table, so not merged with anorexia (rule 3)\"\n\n"
    )
    assert block in text
    broken = tmp_path / "ae_terms.toml"
    broken.write_text(text.replace(block, ""), encoding="utf-8")
    term_map = ae.check_term_map(reg, broken)
    assert ae.unmapped_terms(reg, term_map) == ("Hypophagia",)
    assert any("'Hypophagia' has no entry" in p for p in ae.term_map_problems(reg, term_map))
    table = ae.term_table(reg, term_map, [OR_SINT])
    row = _row(table, "Hypophagia (not harmonised)")
    assert row.any_cells[0].shown_pct == pytest.approx(10.1, abs=0.05)
    assert table.unmapped == ("Hypophagia",)


def test_data_root_without_a_map_shows_every_term_as_printed(reg, tmp_path) -> None:
    class Root:
        """A registry whose data root has no term map (its verified files lack one)."""

        trials = reg.trials
        root = tmp_path

        @staticmethod
        def data_text(_rel: str) -> None:
            return None

    term_map = ae.check_term_map(Root())  # type: ignore[arg-type]
    assert term_map.entries == ()
    table = ae.term_table(reg, term_map, [NCT])
    assert all(r.term.endswith("(not harmonised)") for r in table.rows)
    assert "Neutropenia" in table.unmapped


def test_malformed_map_stops_start_up(reg, tmp_path) -> None:
    broken = tmp_path / "ae_terms.toml"
    broken.write_text(MAP_PATH.read_text(encoding="utf-8") + "\nbogus = 1\n", encoding="utf-8")
    with pytest.raises(ae.TermMapError, match="unknown-key"):
        ae.check_term_map(reg, broken)


def test_two_printed_terms_of_one_table_are_never_merged(reg, tmp_path) -> None:
    """ORIENT-15 Table 3 prints 'Decreased appetite' and 'Hypophagia' side by side: mapping
    both to one term would need the union of patients, which the source does not give."""
    text = MAP_PATH.read_text(encoding="utf-8")
    wrong = text.replace(
        'printed = "Hypophagia"\nharmonised = "Hypophagia"',
        'printed = "Hypophagia"\nharmonised = "Anorexia"',
    )
    assert wrong != text
    path = tmp_path / "ae_terms.toml"
    path.write_text(wrong, encoding="utf-8")
    problems = ae.term_map_problems(reg, ae.load_term_map(path))
    assert any("orient15" in p and "'Anorexia'" in p and "[duplicate-id]" in p for p in problems)
    with pytest.raises(ae.TermMapError, match="would merge"):
        ae.check_term_map(reg, path)  # the app refuses to start


@pytest.mark.parametrize(
    ("printed", "harmonised"),
    [
        ("Neutrophil count decreased", "Neutropenia"),
        ("Neutropenia", "Neutropenia"),
        ("White blood cell count decreased", "Leukopenia"),
        ("Leukopenia", "Leukopenia"),
        ("Platelet count decreased", "Thrombocytopenia"),
        ("Lymphocyte count decreased", "Lymphopenia"),
        ("Anemia", "Anaemia"),
        ("Anaemia", "Anaemia"),
        ("Diarrhea", "Diarrhoea"),
        ("Hypokalemia", "Hypokalaemia"),
        ("ALT increased", "ALT increased"),
        ("Alanine aminotransferase increased", "ALT increased"),
        ("Blood pressure increased", "Hypertension"),
        ("Decreased appetite", "Anorexia"),
        ("Weight decreased", "Weight loss"),
    ],
)
def test_synonyms_are_one_term(term_map, printed: str, harmonised: str) -> None:
    entry = term_map.get(printed)
    assert entry is not None and entry.harmonised == harmonised and entry.kind == "term"


@pytest.mark.parametrize(
    "distinct",
    [
        ("Neutropenia", "Febrile neutropenia"),
        ("ALT increased", "AST increased", "Abnormal hepatic function", "Hepatitis"),
        ("Fatigue", "Asthenia"),
        ("Decreased appetite", "Hypophagia"),
        ("Pneumonia", "Immune-mediated lung disease", "Pneumonia (serious AE)"),
        ("Hypoaesthesia", "Neurotoxicity"),
        ("Myelosuppression", "Leukopenia", "Neutropenia", "Thrombocytopenia"),
        ("Bleeding events", "Intracranial hemorrhage", "Epistaxis"),
    ],
)
def test_clinically_different_events_stay_apart(term_map, distinct: tuple[str, ...]) -> None:
    names = [term_map.get(p).harmonised for p in distinct]
    assert len(set(names)) == len(names), names


def test_grouped_and_serious_only_rows_are_marked(term_map) -> None:
    assert term_map.get("Myelosuppression").kind == "grouped"
    assert term_map.get("Select TRAEs (potential immunologic etiology)").kind == "grouped"
    assert term_map.get("Pneumonia (serious AE)").kind == "serious-only"
    assert term_map.get("Grade >=3 TEAEs by term").kind == "not-a-term"


VALID = (
    '[meta]\nstandard = "s"\nreviewed_by = "r"\nreviewed_on = "2025-01-01"\n\n'
    '[[term]]\nprinted = "A"\nharmonised = "A"\nkind = "term"\nrule = "x"\n'
)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("[meta\n", "[toml-syntax]"),
        (VALID + "extra = 1\n", "[unknown-key]"),
        (VALID.replace('rule = "x"', 'rule = "x"\nsynonym = "y"'), "[unknown-key]"),
        (VALID.replace('kind = "term"', 'kind = "synonym"'), "[allowed-values]"),
        (VALID.replace('harmonised = "A"', 'harmonised = ""'), "[required-field]"),
        (VALID.replace('harmonised = "A"', 'harmonised = " A"'), "[required-field]"),
        (VALID.replace('rule = "x"', 'rule = "a\\nb"'), "[required-field]"),
        (VALID.replace('rule = "x"', "rule = 3"), "[required-field]"),
        (VALID.replace('reviewed_on = "2025-01-01"', 'reviewed_on = "soon"'), "[status-value]"),
        (VALID.split("[[term]]", maxsplit=1)[0], "[required-field]"),
        (
            VALID + '\n[[term]]\nprinted = "a"\nharmonised = "B"\nkind = "term"\nrule = "y"\n',
            "[duplicate-id]",
        ),
        (
            VALID + '\n[[term]]\nprinted = "C"\nharmonised = "A"\nkind = "grouped"\nrule = "y"\n',
            "[allowed-values]",
        ),
        (
            '[[term]]\nprinted = "A"\nharmonised = "A"\nkind = "term"\nrule = "x"\n',
            "meta: [required-field]",
        ),
    ],
)
def test_malformed_term_map_is_rejected_with_its_rule(text: str, rule: str) -> None:
    with pytest.raises(ae.TermMapError) as info:
        ae.parse_term_map(text, source="map.toml")
    assert rule in str(info.value)
    assert all(p.startswith("map.toml: ") for p in info.value.problems)


def test_valid_minimal_map_parses() -> None:
    term_map = ae.parse_term_map(VALID)
    assert term_map.get("A").harmonised == "A" and term_map.get("a") is None
    assert len(term_map.sha256) == 64


def test_missing_map_file_is_a_term_map_error(tmp_path) -> None:
    with pytest.raises(ae.TermMapError, match="file-missing"):
        ae.load_term_map(tmp_path / "nope.toml")


# --- percentages ----------------------------------------------------------------------------


def _ae(**fields) -> AdverseEventResult:
    """An AE row without schema validation, for arithmetic on values the schema would reject
    (a printed percentage that contradicts its counts)."""
    base = {
        "ref": None,
        "locator": None,
        "level": None,
        "note": None,
        "curation_note": None,
        "status": "reported",
        "value": None,
        "qualifier": None,
        "unit": "%",
        "ci": None,
        "ci_level": None,
        "p": None,
        "n": None,
        "N": None,
        "range": None,
        "range_kind": None,
        "derived": False,
        "derivation": None,
        "as_printed": None,
        "reason": None,
        "analysis": "primary",
        "arm": "triple",
        "term": "Synthetic",
        "summary_item": None,
        "category": "treatment-related",
        "grade_band": "any",
        "reporting_threshold": None,
    }
    base.update(fields)
    return AdverseEventResult.model_construct(**base)


def test_recomputed_percentage_beside_a_contradicting_printed_one(reg) -> None:
    """The pattern of NCT05013697's '14 (38%)' (14/50 = 28 %): the recomputed value is shown
    and the printed one kept beside it."""
    trial = reg.trial("nct05013697")
    cell = ae.cell_from_row(trial, _ae(value=38.0, n=14, N=50, as_printed="14 (38%)"))
    assert cell.recomputed_pct == 28.0 and cell.published_pct == 38.0
    assert cell.shown_pct == 28.0 and cell.differs
    assert cell.value_text() == "28% (printed 38%)"
    assert cell.count_text() == "14/50"


def test_rounding_only_difference_is_shown(reg) -> None:
    trial = reg.trial("nct05013697")
    cell = ae.cell_from_row(trial, _ae(value=53.0, n=201, N=379))  # 53.03 -> 53.0: same
    assert not cell.differs and cell.shown_pct == 53.0
    cell = ae.cell_from_row(trial, _ae(value=53.0, n=201, N=368))  # 54.6 vs 53
    assert cell.differs and cell.value_text() == "54.6% (printed 53%)"


def test_shipped_percentages_match_their_counts(reg) -> None:
    """Every shipped AE row with n and N: recomputed % equals the stored % at one decimal
    (the loader's percent-matches-counts rule allows 0.55 points; rounding only here)."""
    checked = 0
    for trial in reg.trials:
        for row in trial.adverse_events:
            cell = ae.cell_from_row(trial, row)
            if cell.recomputed_pct is not None and cell.published_pct is not None:
                checked += 1
                assert abs(cell.recomputed_pct - cell.published_pct) <= 0.55, row
    assert checked >= 190


def test_count_rows_give_a_percentage_from_n_over_n(reg) -> None:
    """ORIENT-15 Table 3 grade-3 anaemia with sintilimab: 41 patients of 327 (count row)."""
    trial = reg.trial("orient15")
    row = next(
        r
        for r in trial.adverse_events
        if r.arm == "sint_chemo" and r.term == "Anaemia" and r.grade_band == "3"
    )
    cell = ae.cell_from_row(trial, row)
    assert row.unit == "count"
    assert cell.published_pct is None and cell.n_patients == 41 and cell.denominator_n == 327
    assert cell.shown_pct == pytest.approx(100 * 41 / 327, abs=0.05)


def test_zero_patients_is_zero_percent_without_a_denominator(reg) -> None:
    trial = reg.trial("zhang2020")
    row = next(r for r in trial.adverse_events if r.summary_item == "leading_to_death")
    cell = ae.cell_from_row(trial, row)
    assert row.N is None and cell.shown_pct == 0.0 and cell.count_text() == "n = 0, N not stated"


def test_percentage_without_counts_is_published_and_n_not_stated(reg) -> None:
    table = ae.summary_table(reg, [CM_NIVO], "all-cause")
    high = table.cells[[i.key for i in table.items].index("high")][0]
    assert high.shown_pct == 47.0 and high.recomputed_pct is None
    assert high.grade_band == ">=3"
    assert high.denominator_n is None and high.count_text() == "N not stated"


def test_checkmate648_grade3_rows_are_not_treatment_related(reg) -> None:
    """Issue 13 audit: the review prints "Grade 3 AE >= 47% vs 32% vs 36%" without saying the
    events were treatment-related. They were stored as grade 3-4 TRAEs; the TRAE slot is now
    not reported and names what the source does print."""
    cell = _summary(reg, [CM_NIVO])["high"][CM_NIVO]
    assert not cell.reported and cell.shown_pct is None and cell.nr_kind == "other-category"
    assert "all-cause, grade ≥3: 47%" in cell.reason


# --- summary items ----------------------------------------------------------------------------


def _summary(reg, arms, category="treatment-related", strict=False):
    table = ae.summary_table(reg, arms, category, strict=strict)
    return {
        item.key: dict(zip(arms, row, strict=True))
        for item, row in zip(table.items, table.cells, strict=True)
    }


def test_seed_summary_numbers(reg) -> None:
    """NCT05013697 Table 3: any TRAE 46/50 (92 %), grade >=3 TRAE 37/50 (74 %), irAE 24/50;
    ALTER-E-003 (Mol Cancer 2025 abstract): grade >=3 TRAE 28.3 % of 46 (n not printed)."""
    s = _summary(reg, [NCT, ALTER3])
    assert (s["any"][NCT].n_patients, s["any"][NCT].denominator_n) == (46, 50)
    assert s["high"][NCT].shown_pct == 74.0 and s["high"][NCT].grade_band == ">=3"
    assert s["irae"][NCT].shown_pct == 48.0
    assert s["high"][ALTER3].shown_pct == 28.3 and s["high"][ALTER3].denominator_n == 46
    assert s["high"][ALTER3].n_patients is None


def test_grade_bands_are_never_relabelled(reg) -> None:
    s = _summary(reg, [SKY_TIRA, KN_PEMBRO, XU_C])
    assert s["high"][SKY_TIRA].grade_band == "3-4"
    assert s["high"][KN_PEMBRO].grade_band == "3-5"
    assert s["high"][XU_C].grade_band == "3"
    strict = _summary(reg, [SKY_TIRA, KN_PEMBRO], strict=True)
    for key in (SKY_TIRA, KN_PEMBRO):
        cell = strict["high"][key]
        assert not cell.reported and cell.nr_kind == "other-band" and cell.shown_pct is None
    assert "grade 3–4: 59.6%" in strict["high"][SKY_TIRA].reason
    assert "grade 3–5: 71.9%" in strict["high"][KN_PEMBRO].reason


def test_other_category_is_named_not_substituted(reg) -> None:
    """CheckMate 648 prints discontinuations without attribution (stored as all-cause): the
    treatment-related slot is not reported and names the all-cause value."""
    s = _summary(reg, [CM_NIVO])
    cell = s["discontinuation"][CM_NIVO]
    assert not cell.reported and cell.nr_kind == "other-category"
    assert "all-cause, any grade: 34%" in cell.reason
    assert _summary(reg, [CM_NIVO], "all-cause")["discontinuation"][CM_NIVO].shown_pct == 34.0


def test_explicit_not_reported_rows_keep_their_reason(reg) -> None:
    s = _summary(reg, [CM_NIVO])
    cell = s["any"][CM_NIVO]
    assert not cell.reported and cell.nr_kind == "explicit"
    assert "not found in the sources consulted" in cell.reason


def test_best_row_is_chosen_and_the_others_kept(reg) -> None:
    """ORIENT-15 prints grade >=3 TRAE in the abstract (59.9 %) and in Table 3 (196/327): the
    row with counts is shown, the other listed."""
    cell = _summary(reg, [OR_SINT])["high"][OR_SINT]
    assert (cell.n_patients, cell.denominator_n) == (196, 327)
    assert cell.shown_pct == pytest.approx(59.9, abs=0.05)
    assert any("59.9%" in alt for alt in cell.alternatives)


def test_unknown_arm_or_category_raises(reg) -> None:
    with pytest.raises(KeyError):
        ae.summary_table(reg, [("nope", "x")])
    with pytest.raises(KeyError):
        ae.summary_table(reg, [("orient15", "nope")])
    with pytest.raises(ValueError, match="category"):
        ae.summary_table(reg, [NCT], "<script>")


# --- term table ---------------------------------------------------------------------------------


def test_term_absent_below_threshold_is_not_reported_not_zero(reg, term_map) -> None:
    """Rash is listed by ORIENT-15 (15.3 % with sintilimab) but not by NCT05013697, whose
    Table 3 lists only AEs in >= 20 % of patients: NCT is 'not reported (below threshold)'."""
    table = ae.term_table(reg, term_map, [NCT, OR_SINT])
    rash = _row(table, "Rash")
    nct_any, nct_high = rash.any_cells[0], rash.high_cells[0]
    for cell in (nct_any, nct_high):
        assert cell.status == "not_reported"
        assert cell.shown_pct is None and cell.n_patients is None
        assert cell.nr_kind == "below-threshold" and cell.threshold_pct == 20.0
        assert cell.value_text().startswith("not reported (below threshold")
    assert rash.any_cells[1].shown_pct == pytest.approx(15.3, abs=0.05)


def test_term_absent_from_a_table_without_stated_rule_is_not_listed(reg, term_map) -> None:
    table = ae.term_table(reg, term_map, [NCT, OR_SINT])
    fatigue = _row(table, "Fatigue")
    assert fatigue.any_cells[0].shown_pct == 38.0  # NCT Table 3: 19/50 treatment-related
    cell = fatigue.any_cells[1]
    assert not cell.reported and cell.nr_kind == "not-listed"
    assert "inclusion rule" in cell.reason


def test_arm_without_term_table_and_pooled_source(reg, term_map) -> None:
    table = ae.term_table(reg, term_map, [NCT, ALTER3, XU_C])
    leuk = _row(table, "Leukopenia")
    assert leuk.any_cells[1].nr_kind == "no-table"
    assert leuk.high_cells[2].nr_kind == "pooled"
    assert {c.printed for c in table.pooled} >= {"Thrombocytopenia", "Neutropenia"}
    assert all(c.arm_id is None for c in table.pooled)


def test_harmonised_rows_combine_printed_terms(reg, term_map) -> None:
    table = ae.term_table(reg, term_map, [NCT, OR_SINT])
    neut = _row(table, "Neutropenia")
    assert neut.printed_terms == ("Neutropenia", "Neutrophil count decreased")
    assert neut.any_cells[0].printed == "Neutropenia" and neut.any_cells[0].shown_pct == 54.0
    assert neut.any_cells[1].printed == "Neutrophil count decreased"
    assert (neut.high_cells[1].n_patients, neut.high_cells[1].denominator_n) == (98, 327)
    assert _row(table, "Febrile neutropenia").term != neut.term
    # ORIENT-15's grade 1-2/3/4/5 rows are kept as other bands, not dropped
    bands = [c.grade_band for c in neut.other_band_cells[1]]
    assert bands == ["1-2", "3", "4", "5"]


def test_high_grade_band_as_reported_and_strict(reg, term_map) -> None:
    """Zhang 2020 prints grade 3-4 leukopenia 83.3 % (no any-grade value)."""
    table = ae.term_table(reg, term_map, [ZHANG])
    leuk = _row(table, "Leukopenia")
    assert leuk.high_cells[0].grade_band == "3-4" and leuk.high_cells[0].shown_pct == 83.3
    assert leuk.any_cells[0].nr_kind == "other-band"
    strict = ae.term_table(reg, term_map, [ZHANG], strict=True)
    cell = _row(strict, "Leukopenia").high_cells[0]
    assert not cell.reported and "grade 3–4: 83.3%" in cell.reason


def test_one_order_sorted_by_frequency_or_alphabetically(reg, term_map) -> None:
    arms = [NCT, OR_SINT, OR_PBO]
    table = ae.term_table(reg, term_map, arms, sort="freq")
    freqs = [r.frequency_pct for r in table.rows]
    assert freqs == sorted(freqs, reverse=True)
    assert table.rows[0].term == "Anaemia"  # ORIENT-15 sintilimab 74.9 % is the largest
    alpha = ae.term_table(reg, term_map, arms, sort="alpha")
    names = [r.term for r in alpha.rows]
    assert names == sorted(names, key=str.casefold)
    assert set(names) == {r.term for r in table.rows}
    for row in table.rows:
        assert [c.arm_id for c in row.any_cells] == [a for _, a in arms]


def test_minimum_frequency_moves_terms_to_the_table(reg, term_map) -> None:
    table = ae.term_table(reg, term_map, [NCT, OR_SINT], min_pct=30)
    assert all(r.frequency_pct >= 30 for r in table.rows)
    hidden = {r.term: r.hidden_reason for r in table.table_only}
    assert "Rash" in hidden and "minimum frequency" in hidden["Rash"]
    full = ae.term_table(reg, term_map, [NCT, OR_SINT])
    assert len(table.rows) + len(table.table_only) == len(full.rows) + len(full.table_only)


def test_terms_only_in_other_bands_are_listed_not_charted(reg, term_map) -> None:
    """NCT05013697 prints epistaxis only as grade 1 (one patient)."""
    table = ae.term_table(reg, term_map, [NCT], category="all-cause")
    hidden = {r.term: r.hidden_reason for r in table.table_only}
    assert hidden.get("Epistaxis") == "reported only in other grade bands"


def test_grouped_term_absent_elsewhere_is_not_below_threshold(reg, term_map) -> None:
    table = ae.term_table(reg, term_map, [NCT, ("alter_e002", "anlo_tp")], grade="high")
    row = _row(table, "Myelosuppression (grouped)")
    assert row.kind == "grouped"
    assert row.high_cells[0].nr_kind == "not-listed"
    assert row.high_cells[1].shown_pct == 29.8


def test_term_table_rejects_unlisted_options(reg, term_map) -> None:
    for kwargs in ({"grade": "x"}, {"sort": "../"}, {"min_pct": -1}, {"min_pct": math.nan}):
        with pytest.raises(ValueError):
            ae.term_table(reg, term_map, [NCT], **kwargs)


def test_threshold_parsing() -> None:
    assert ae.parse_threshold_pct("Table 3 lists AEs/TRAEs occurring in >=20% of patients") == 20
    assert ae.parse_threshold_pct("irAEs in at least 10% of patients listed") == 10
    assert ae.parse_threshold_pct("≥ 5.5 % of patients") == 5.5
    assert ae.parse_threshold_pct("Table 3 inclusion rule not recorded") is None
    assert ae.parse_threshold_pct(None) is None


def test_band_labels() -> None:
    assert ae.band_label(">=3") == "grade ≥3"
    assert ae.band_label("3-4") == "grade 3–4"
    assert ae.band_label("any") == "any grade"
