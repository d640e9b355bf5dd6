# ruff: noqa: E501 - one-off transcription script; long literal strings (URLs, quotes) kept whole
"""NCT05013697 (Li N et al., STTT 2024;9:303): every number of the seed full text.

Numbers come from trials_seed_phase2.yaml section B (copied by path). Items the YAML does not
carry (Discussion/Introduction claims, a few methods constants, bleeding-event details) were typed
from seeds/001_66c9be7d3debb516.txt and are marked with their paragraph in ``locator``.
"""

from __future__ import annotations

from typing import Any

from lib import SEED, Builder, get

Y = SEED["B_NCT05013697_benmelstobart_anlotinib_paclitaxel_cisplatin"]
REF = "li2024"
T1 = "Table 1 (n=50)"
T3_THRESHOLD = (
    "Table 3 lists AEs/TRAEs occurring in >=20% of patients (footnote a); summary rows are "
    "shown regardless of frequency"
)


def L(path: str) -> Any:
    return get(Y, path)


def own(value: float | None, unit: str, locator: str, **extra: Any) -> dict[str, Any]:
    """A number typed directly from the seed text (not in the YAML)."""
    leaf: dict[str, Any] = {"value": value, "unit": unit, "source": "S_B", "where": locator}
    leaf.update(extra)
    return {k: v for k, v in leaf.items() if v is not None}


def build() -> Builder:
    b = Builder("nct05013697", {"S_B": REF, "S_B_REG": "crick_registry"})
    b.header.update(
        {
            "name": "NCT05013697",
            "display_name": "Benmelstobart + anlotinib + paclitaxel/cisplatin (NCT05013697, cohort 1)",
            "focus": True,
            "phase": "2",
        }
    )
    b.tables["registration"] = b.text(L("nct"))
    b.tables["design"] = b.text(L("phase"))
    b.tables["region"] = {
        "text": "China (5 sites)",
        "ref": REF,
        "locator": "Results 'Patients characteristics' ('50 eligible patients from 5 centers'); "
        "Methods 'Study design and patients'",
    }
    b.tables["population"] = b.text(L("population"))
    b.tables["primary_endpoints"] = {
        "text": "PFS per RECIST v1.1 (investigator); secondary: tumour response, OS, safety",
        "ref": REF,
        "locator": "Abstract; Methods 'Outcomes'",
    }
    b.header["pd_l1_note"] = (
        "PD-L1 positivity was not required; CPS was assessed in 38 of 50 patients (VENTANA SP263)."
    )

    b.add(
        "publications",
        {
            "key": REF,
            "citation": "Li N, Xia J, Gao X, et al. First-line benmelstobart plus anlotinib and "
            "chemotherapy in advanced or metastatic/recurrent esophageal squamous cell carcinoma: "
            "a multi-center phase 2 study. Signal Transduct Target Ther 2024;9:303",
            "year": 2024,
            "level": "primary publication",
            "kind": "full text (seed 001); supplementary Tables S1/S2 and Figs S1/S2 not available",
            "doi": "10.1038/s41392-024-02008-7",
            "pmid": "39511164",
            "pmcid": "PMC11544088",
            "identifier_note": "PMID 39511164 taken from a public bibliography line; not "
            "verified on a PubMed page. PMCID from pmc.ncbi.nlm.nih.gov/articles/PMC11544088.",
            "license": "CC BY 4.0 (stated in the article)",
            "published": "2024-11-08",
            "url_read": "seeds/001_66c9be7d3debb516.txt; https://pmc.ncbi.nlm.nih.gov/articles/PMC11544088",
            "note": "Received 3 June 2024; revised 10 September 2024; accepted 4 October 2024; published online 8 November 2024 (title page).",
        },
    )
    b.add(
        "publications",
        {
            "key": "crick_registry",
            "citation": "Registry mirror of NCT05013697 (crick.ai)",
            "level": "registry record",
            "kind": "registry mirror (cohort 1/2 design)",
            "url": "https://crick.ai/trials/NCT05013697",
        },
    )
    b.add(
        "pd_l1",
        {
            "scoring_system": "CPS",
            "assay": "SP263",
            "cutoffs": [1, 10],
            "role": "exploratory",
            "text": "VENTANA PD-L1 (SP263); CPS = PD-L1-positive tumour or immune cells / viable "
            "cells x 100; exploratory analysis at cut-offs 1 and 10",
            "ref": REF,
            "locator": "Methods 'Procedures and assessments'; Results 'Efficacy'",
        },
    )
    b.add(
        "arms",
        {
            "id": "triple",
            "label": "Benmelstobart + anlotinib + paclitaxel/cisplatin",
            "regimen_class": "ICI+TKI+chemo",
            "role": "experimental",
            "agents": ["benmelstobart", "anlotinib", "paclitaxel", "cisplatin"],
            "note": "Single-arm cohort: n_randomised holds the number enrolled.",
            "regimen": b.text(L("regimen")),
            "n_randomised": b.leaf(
                L("enrollment.enrolled_and_treated"),
                unit="count",
                n=None,
                note="enrolled (single arm)",
            ),
            "n_treated": b.leaf(L("enrollment.safety_set"), unit="count"),
        },
    )
    b.add(
        "analyses",
        {
            "id": "primary",
            "kind": "primary",
            "label": "Primary analysis of cohort 1 (Li 2024, STTT)",
            "refs": [REF],
            "follow_up_kind": "median",
            "data_cutoff": {
                "date": L("data_cutoff.value"),
                "ref": REF,
                "locator": L("data_cutoff.where"),
            },
            "accrual": {
                "start": "2021-09",
                "end": "2023-11",
                "ref": REF,
                "locator": L("enrollment.period.where"),
                "note": "printed as 'September 2021 to November 2023' (month precision)",
            },
            "follow_up": b.leaf(L("median_follow_up")),
        },
    )
    pops = [
        ("itt", "itt", "All 50 enrolled and treated patients (ITT = as-treated)", {}),
        (
            "response_evaluable",
            "evaluable",
            "43 patients with post-baseline response assessment",
            {},
        ),
        ("cps_lt1", "pdl1", "PD-L1 CPS <1 (SP263)", {"operator": "<", "cutoff": 1}),
        ("cps_ge1", "pdl1", "PD-L1 CPS >=1 (SP263)", {"operator": ">=", "cutoff": 1}),
        ("cps_lt10", "pdl1", "PD-L1 CPS <10 (SP263)", {"operator": "<", "cutoff": 10}),
        ("cps_ge10", "pdl1", "PD-L1 CPS >=10 (SP263)", {"operator": ">=", "cutoff": 10}),
        ("liver_mets", "clinical", "Liver metastases at baseline", {}),
        ("no_liver_mets", "clinical", "No liver metastases at baseline", {}),
    ]
    for pid, kind, label, extra in pops:
        rec: dict[str, Any] = {"id": pid, "kind": kind, "label": label}
        if kind == "pdl1":
            rec.update({"scoring_system": "CPS", "assay": "SP263"})
        rec.update(extra)
        b.add("populations", rec)

    A = {"analysis": "primary", "arm": "triple"}
    E = "efficacy."
    inv = {"assessor": "investigator (RECIST v1.1)"}
    b.eff(
        L(E + "PFS_median"),
        **A,
        population="itt",
        endpoint="PFS",
        measure="median",
        headline=True,
        **inv,
        over={"locator": "Abstract; Results 'Efficacy'; Fig. 2a"},
    )
    b.eff(
        L(E + "PFS_events"),
        **A,
        population="itt",
        endpoint="PFS",
        measure="events",
        over={"unit": "count", "n": 23},
    )
    b.eff(
        L(E + "PFS_12mo"),
        **A,
        population="itt",
        endpoint="PFS",
        measure="landmark",
        timepoint_months=12,
        **inv,
    )
    b.eff(
        L(E + "OS_median"),
        **A,
        population="itt",
        endpoint="OS",
        measure="median",
        headline=True,
        over={"unit": "months"},
    )
    b.eff(
        L(E + "OS_events_deaths"),
        **A,
        population="itt",
        endpoint="OS",
        measure="events",
        over={"unit": "count", "n": 19},
    )
    b.eff(
        L(E + "OS_12mo"),
        **A,
        population="itt",
        endpoint="OS",
        measure="landmark",
        timepoint_months=12,
    )
    b.eff(
        L(E + "DoR_median"),
        **A,
        population="itt",
        endpoint="DoR",
        measure="median",
        over={"note": "median DoR of the 36 responders"},
    )

    S = "pd_l1_subgroups."
    for key, pop in (
        ("ge1", "cps_ge1"),
        ("lt1", "cps_lt1"),
        ("ge10", "cps_ge10"),
        ("lt10", "cps_lt10"),
    ):
        leaf = L(f"{S}PFS_median_CPS_{key}")
        over: dict[str, Any] = {"unit": "months"}
        if key in ("ge10", "lt10"):
            over["curation_note"] = (
                "Text reads 'cutoff >=1, 12.9 vs 14.9 months: >=10, 12.9 months vs. NR'. For "
                ">=1 the Discussion confirms positive 12.9 vs negative 14.9. For >=10 the "
                "assignment (CPS>=10 = 12.9, CPS<10 = NR) follows word order only; supplementary "
                "Fig. S1 (not available) would confirm it."
            )
        b.eff(leaf, **A, population=pop, endpoint="PFS", measure="median", over=over)
        b.eff(
            L(f"{S}OS_median_all_PDL1_subgroups"),
            **A,
            population=pop,
            endpoint="OS",
            measure="median",
            over={
                "unit": "months",
                "N": leaf.get("N"),
                "locator": "Results 'Efficacy' ('The median OS was NR in either subgroup, "
                "regardless of PD-L1 CPS'); supplementary Fig. S2 not available",
            },
        )
    LV = "liver_metastasis_subgroup."
    b.eff(
        L(LV + "PFS_median_no_liver_mets"),
        **A,
        population="no_liver_mets",
        endpoint="PFS",
        measure="median",
    )
    b.eff(
        L(LV + "PFS_median_liver_mets"),
        **A,
        population="liver_mets",
        endpoint="PFS",
        measure="median",
    )
    b.eff(
        L(LV + "PFS_p"),
        **A,
        population="liver_mets",
        comparator_population="no_liver_mets",
        endpoint="PFS",
        measure="p_value",
    )
    b.eff(
        L(LV + "OS_median_no_liver_mets"),
        **A,
        population="no_liver_mets",
        endpoint="OS",
        measure="median",
        over={"unit": "months"},
    )
    b.eff(
        L(LV + "OS_median_liver_mets"),
        **A,
        population="liver_mets",
        endpoint="OS",
        measure="median",
    )
    b.eff(
        L(LV + "OS_p"),
        **A,
        population="liver_mets",
        comparator_population="no_liver_mets",
        endpoint="OS",
        measure="p_value",
    )

    R = {**A, "confirmed": True, "assessor": "investigator", "criteria": "RECIST v1.1"}
    for cat in ("CR", "PR", "SD", "PD", "NE"):
        b.resp(L(E + cat), **R, population="itt", category=cat)
    b.resp(L(E + "ORR_confirmed_ITT"), **R, population="itt", category="ORR", headline=True)
    b.resp(L(E + "DCR_ITT"), **R, population="itt", category="DCR")
    b.resp(L(E + "ORR_evaluable"), **R, population="response_evaluable", category="ORR")
    b.resp(L(E + "DCR_evaluable"), **R, population="response_evaluable", category="DCR")
    b.resp(L(E + "target_lesion_shrinkage"), **R, population="itt", category="tumour_shrinkage")
    b.resp(
        L(E + "response_gt6mo"),
        **R,
        population="itt",
        category="durable_response_6mo",
        over={"note": "responses lasting more than six months among the 36 responders"},
    )
    for key, pop in (
        ("ge10", "cps_ge10"),
        ("lt10", "cps_lt10"),
        ("ge1", "cps_ge1"),
        ("lt1", "cps_lt1"),
    ):
        b.resp(L(f"{S}ORR_CPS_{key}"), **R, population=pop, category="ORR")

    # ---- safety (Table 3 and Results 'Safety') ----
    SF = "safety."
    cells = (
        ("AE_any", "all-cause", "any"),
        ("AE_grade3plus", "all-cause", ">=3"),
        ("TRAE_any", "treatment-related", "any"),
        ("TRAE_grade3plus", "treatment-related", ">=3"),
    )
    summary = (
        ("any_event", "Any events", "any_event", None),
        (
            "events_leading_to_discontinuation",
            "Events leading to discontinuation",
            "leading_to_discontinuation",
            None,
        ),
        (
            "events_leading_to_dose_reduction",
            "Events leading to dose reduction",
            "leading_to_dose_reduction",
            None,
        ),
        ("immune_related_events", "Immune-related events", "any_event", "immune-related"),
    )
    for key, term, item, cat_override in summary:
        for cell, cat, band in cells:
            category = cat_override if (cat_override and cell.startswith("AE")) else cat
            if cat_override and cell.startswith("TRAE"):
                category = "treatment-related"
            b.ae(
                L(f"{SF}{key}.{cell}"),
                analysis="primary",
                arm="triple",
                term=term,
                summary_item=item,
                category=category,
                grade_band=band,
                reporting_threshold=T3_THRESHOLD,
                over={"locator": "Table 3 (n=50)"},
            )
    printed = {
        "leukopenia": "Leukopenia",
        "neutropenia": "Neutropenia",
        "anemia": "Anemia",
        "hypertension": "Hypertension",
        "nausea": "Nausea",
        "anorexia": "Anorexia",
        "thrombocytopenia": "Thrombocytopenia",
        "fatigue": "Fatigue",
        "lymphopenia": "Lymphopenia",
        "diarrhea": "Diarrhea",
        "vomiting": "Vomiting",
        "cough": "Cough",
        "weight_loss": "Weight loss",
        "constipation": "Constipation",
        "hypothyroidism": "Hypothyroidism",
        "alopecia": "Alopecia",
    }
    if set(printed) != set(L(SF + "by_term")):
        raise SystemExit("Table 3 term list differs from the YAML")
    for key, term in printed.items():
        for cell, cat, band in cells:
            b.ae(
                L(f"{SF}by_term.{key}.{cell}"),
                analysis="primary",
                arm="triple",
                term=term,
                category=cat,
                grade_band=band,
                reporting_threshold=T3_THRESHOLD,
                over={"locator": "Table 3 (n=50), 'Frequent events (>=20%)'"},
            )
    irae_threshold = "irAEs in at least 10% of patients listed in the text (full list in Table S2, not available)"
    for key, term in (
        ("irAE_hypothyroidism", "Hypothyroidism"),
        ("irAE_diarrhea", "Diarrhea"),
        ("irAE_ALT_increased", "Alanine aminotransferase increased"),
    ):
        b.ae(
            L(SF + key),
            analysis="primary",
            arm="triple",
            term=term,
            category="immune-related",
            grade_band="any",
            reporting_threshold=irae_threshold,
        )
    bleed_loc = "Results 'Safety' (bleeding paragraph)"
    b.ae(
        L(SF + "bleeding_events"),
        analysis="primary",
        arm="triple",
        term="Bleeding events",
        category="all-cause",
        grade_band="any",
        over={
            "note": "one grade 5 intracranial hemorrhage, one grade 1 epistaxis, one grade 1 "
            "lower gastrointestinal hemorrhage (possibly attributed to anlotinib)"
        },
    )
    for term, band in (
        ("Intracranial hemorrhage", "5"),
        ("Epistaxis", "1"),
        ("Lower gastrointestinal hemorrhage", "1"),
    ):
        b.ae(
            own(1, "count", bleed_loc, n=1, N=50),
            analysis="primary",
            arm="triple",
            term=term,
            category="all-cause",
            grade_band=band,
        )
    b.ae(
        L(SF + "esophageal_fistula_grade3plus"),
        analysis="primary",
        arm="triple",
        term="Esophageal fistula",
        category="all-cause",
        grade_band=">=3",
        over={
            "curation_note": "Text: 'Two patients (4%) experienced grade >=3 esophageal "
            "fistula; however, one was deemed unrelated to treatment. Another grade 5 "
            "esophageal fistula occurred ...'. Stored as printed (2 patients); whether the "
            "grade 5 case is one of the two or a third case is not stated."
        },
    )
    b.ae(
        own(1, "count", "Results 'Safety' (esophageal fistula paragraph)", n=1, N=50),
        analysis="primary",
        arm="triple",
        term="Esophageal fistula",
        category="all-cause",
        grade_band="5",
        over={
            "note": "in a patient with prior radiotherapy (5400 cGy in 30 fractions); "
            "possibly related per investigator"
        },
    )
    b.ae(
        L(SF + "deaths_due_to_AE"),
        analysis="primary",
        arm="triple",
        term="Deaths due to adverse events",
        summary_item="leading_to_death",
        category="all-cause",
        grade_band="5",
    )

    # ---- facts: Table 1 ----
    BL = "baseline."
    b.fact(
        L(BL + "age_median"),
        section="baseline",
        item="Age, years: median (range)",
        over={"range": [41, 74], "range_kind": "range", "note": None},
    )
    table1 = [
        ("age_lt65", "Age <65 years", None),
        ("age_ge65", "Age >=65 years", None),
        ("male", "Sex: male", None),
        ("female", "Sex: female", None),
        ("ECOG_0", "ECOG performance status 0", None),
        ("ECOG_1", "ECOG performance status 1", None),
        ("stage_IVA", "Disease stage IVA", None),
        ("stage_IVB", "Disease stage IVB", None),
        ("metastatic_sites_1", "Number of metastatic sites: 1", None),
        ("metastatic_sites_2", "Number of metastatic sites: 2", None),
        ("metastatic_sites_ge2_as_printed", "Number of metastatic sites: >=3", None),
        ("site_lymph_node", "Metastatic site: lymph node", None),
        ("site_lung", "Metastatic site: lung", None),
        ("site_liver", "Metastatic site: liver", "liver_mets"),
        ("prior_surgery", "Prior surgery", None),
        ("prior_radiotherapy", "Prior radiotherapy", None),
        ("PDL1_CPS_lt1", "Baseline PD-L1 CPS <1", "cps_lt1"),
        ("PDL1_CPS_ge1", "Baseline PD-L1 CPS >=1", "cps_ge1"),
        ("PDL1_CPS_lt10", "Baseline PD-L1 CPS <10", "cps_lt10"),
        ("PDL1_CPS_ge10", "Baseline PD-L1 CPS >=10", "cps_ge10"),
        ("PDL1_unknown", "Baseline PD-L1 CPS unknown", None),
    ]
    for key, item, pop in table1:
        over: dict[str, Any] = {"locator": T1}
        if key == "metastatic_sites_ge2_as_printed":
            over["as_printed"] = ">=2 | 7 (14)"
            over["curation_note"] = (
                "Table 1 prints this row as '>=2' after a separate '2' row; 11 + 32 + 7 = 50, so "
                "the rows are mutually exclusive and this row is read as >=3. Count and % kept."
            )
            over["note"] = None
        b.fact(L(BL + key), section="baseline", item=item, arm="triple", population=pop, over=over)
    b.fact(
        L(BL + "PDL1_assessed"),
        section="baseline",
        item="PD-L1 CPS assessed (patients)",
        arm="triple",
    )
    b.fact(
        own(
            43,
            "count",
            "Table 1 (liver 7 of 50); Results 'Efficacy'",
            N=50,
            n=43,
            derived=True,
            derivation="50 - 7 patients with liver metastases (Table 1)",
        ),
        section="population_size",
        item="Patients without liver metastases",
        arm="triple",
        population="no_liver_mets",
    )
    b.fact(
        own(
            43,
            "count",
            "Results 'Efficacy' ('Among the 43 patients with post-baseline response assessments')",
            n=43,
            N=50,
        ),
        section="population_size",
        item="Patients with post-baseline response assessment",
        arm="triple",
        population="response_evaluable",
    )

    # ---- facts: disposition / exposure ----
    EN = "enrollment."
    for key, item in (
        ("assessed_for_eligibility", "Assessed for eligibility"),
        ("excluded", "Excluded"),
        ("excluded_ineligible", "Excluded: ineligibility"),
        ("excluded_consent_withdrawal", "Excluded: consent withdrawal"),
        ("enrolled_and_treated", "Enrolled and received study treatment"),
        ("safety_set", "Safety analysis set"),
        ("efficacy_set", "Efficacy analysis set"),
    ):
        b.fact(L(EN + key), section="disposition", item=item, arm="triple")
    TE = "treatment_exposure."
    b.fact(
        L(TE + "discontinued_initial_treatment"),
        section="disposition",
        item="Discontinued initial treatment early",
        arm="triple",
        over={
            "value": 28,
            "unit": "%",
            "n": 14,
            "N": 50,
            "as_printed": "14 (38%)",
            "curation_note": "Results print '14 (38%)'; 14/50 = 28% and the Discussion "
            "states '28% of patients discontinued initial therapy'. Decision: 38% is a "
            "typo; stored as 28% (n=14, N=50).",
            "note": None,
            "locator": "Results 'Treatment compliance and subsequent treatment'; Fig. 1; "
            "Discussion ('28% of patients discontinued initial therapy')",
        },
    )
    for key, item in (
        (
            "disc_initial_voluntary_withdrawal",
            "Initial-phase discontinuation: voluntary withdrawal",
        ),
        ("disc_initial_death", "Initial-phase discontinuation: death"),
        ("disc_initial_PD", "Initial-phase discontinuation: disease progression"),
        ("disc_initial_AE", "Initial-phase discontinuation: adverse events"),
        ("disc_initial_protocol_deviation", "Initial-phase discontinuation: protocol deviation"),
        ("disc_initial_lost_to_follow_up", "Initial-phase discontinuation: loss of follow-up"),
    ):
        b.fact(L(TE + key), section="disposition", item=item, arm="triple")
    b.fact(
        own(
            18,
            "%",
            "Discussion ('most were attributed to lost follow-up or voluntary withdrawal (18%)')",
            N=50,
        ),
        section="disposition",
        item="Initial-phase discontinuation due to lost follow-up or voluntary withdrawal",
        arm="triple",
        over={
            "note": "8 voluntary withdrawals + 1 loss of follow-up = 9/50 (Fig. 1); count "
            "not printed with the percentage"
        },
    )
    b.fact(
        L(TE + "initial_cycles_median"),
        section="exposure",
        item="Initial-therapy cycles: median (range)",
        arm="triple",
        over={"unit": "cycles", "range": [1, 6], "range_kind": "range", "note": None},
    )
    for drug, lo in (
        ("benmelstobart", 33),
        ("anlotinib", 64),
        ("paclitaxel", 60),
        ("cisplatin", 67),
    ):
        b.fact(
            L(TE + "relative_dose_intensity_median_all_drugs"),
            section="exposure",
            item=f"Median relative dose intensity during initial phase: {drug} (range)",
            arm="triple",
            over={"range": [lo, 100], "range_kind": "range", "note": None},
        )
    for drug, rng in (
        ("benmelstobart", [0.03, 4.2]),
        ("anlotinib", [0.03, 4.8]),
        ("paclitaxel", [0.1, 4.0]),
        ("cisplatin", [0.03, 3.9]),
    ):
        b.fact(
            L(f"{TE}mean_duration_{drug}"),
            section="exposure",
            item=f"Mean treatment duration: {drug} (range)",
            arm="triple",
            over={"range": rng, "range_kind": "range", "note": None},
        )
    for key, item in (
        ("entered_maintenance", "Completed 4-6 initial cycles and entered maintenance"),
        ("discontinued_maintenance", "Discontinued maintenance treatment"),
    ):
        b.fact(L(TE + key), section="disposition", item=item, arm="triple")
    for key, item in (
        ("disc_maint_PD", "Maintenance discontinuation: disease progression"),
        ("disc_maint_death", "Maintenance discontinuation: death"),
        ("disc_maint_voluntary_withdrawal", "Maintenance discontinuation: voluntary withdrawal"),
        ("disc_maint_poor_compliance", "Maintenance discontinuation: poor compliance"),
        ("disc_maint_investigator_decision", "Maintenance discontinuation: investigator decision"),
        ("ongoing_at_cutoff", "Treatment ongoing at data cut-off"),
    ):
        b.fact(L(TE + key), section="disposition", item=item, arm="triple")
    b.fact(
        L(E + "alive_at_cutoff"),
        section="disposition",
        item="Alive at data cut-off",
        arm="triple",
        analysis="primary",
    )
    for key, item in (
        ("deaths_total", "Deaths on treatment or during follow-up"),
        ("deaths_PD", "Deaths attributed to disease progression"),
        ("deaths_non_disease_COVID19", "Deaths from non-disease causes (COVID-19)"),
    ):
        b.fact(L(SF + key), section="disposition", item=item, arm="triple", analysis="primary")
    b.fact(
        L(E + "patients_with_PD_during_study"),
        section="disposition",
        item="Patients with progressive disease during the study",
        arm="triple",
    )
    b.fact(
        L(E + "oligoprogression_1to2_sites"),
        section="other",
        item="Progression pattern: oligo-progression (1-2 sites), of 13 with PD",
        arm="triple",
    )
    b.fact(
        L(E + "systemic_progression_ge3_sites"),
        section="other",
        item="Progression pattern: systemic progression (>=3 sites), of 13 with PD",
        arm="triple",
    )
    b.fact(
        L(E + "SD_with_initial_shrinkage"),
        section="other",
        item="Patients with stable disease showing initial tumour shrinkage",
        arm="triple",
    )
    for key, item in (
        ("subsequent_treatment", "Received subsequent treatment (of 13)"),
        ("subsequent_third_line", "Received third-line therapy (of 13)"),
        ("subsequent_anti_PD1", "Received anti-PD-1 therapy in later line (of 13)"),
    ):
        b.fact(L(TE + key), section="subsequent_therapy", item=item, arm="triple")

    # ---- facts: design and statistics ----
    SD_ = "statistical_design."
    b.fact(
        L(SD_ + "historical_control_mPFS"),
        section="statistical_design",
        item="Historical-control median PFS with immunochemotherapy",
    )
    b.fact(
        L(SD_ + "hypothesised_mPFS"), section="statistical_design", item="Hypothesised median PFS"
    )
    b.fact(
        own(12, "months", "Methods 'Statistical analysis'"),
        section="statistical_design",
        item="Planned enrolment period",
    )
    b.fact(
        own(12, "months", "Methods 'Statistical analysis'"),
        section="statistical_design",
        item="Planned follow-up after enrolment",
    )
    b.fact(
        L(SD_ + "expected_events"),
        section="statistical_design",
        item="Expected PFS events (of 38 evaluable patients)",
        over={"qualifier": "~", "note": "'approximately 27 expected events in 38 patients'"},
    )
    b.fact(L(SD_ + "power"), section="statistical_design", item="Power")
    b.fact(
        own(0.05, "p", "Methods 'Statistical analysis'"),
        section="statistical_design",
        item="Two-sided alpha",
    )
    b.fact(L(SD_ + "dropout_assumed"), section="statistical_design", item="Assumed dropout rate")
    b.fact(L(SD_ + "planned_enrollment"), section="statistical_design", item="Planned enrolment")
    b.fact(
        own(5, "count", "Methods 'Study design and patients'; Results"),
        section="design",
        item="Study sites",
    )
    b.fact(
        own(30, "count", "Methods 'Study design and patients'", qualifier="~"),
        section="design",
        item="Cohort 2 (benmelstobart + chemotherapy, no anlotinib) planned size",
        over={"note": "cohort 2 results not reported in this paper"},
    )
    b.fact(
        own(
            None, "years", "Methods 'Study design and patients'", range=[18, 75], range_kind="range"
        ),
        section="design",
        item="Eligible age",
    )
    b.fact(
        own(6, "months", "Methods 'Study design and patients'", qualifier=">"),
        section="design",
        item="Minimum interval from (neo)adjuvant/radical therapy to recurrence",
    )
    b.fact(
        own(3, "months", "Methods 'Study design and patients'", qualifier=">="),
        section="design",
        item="Minimum expected survival",
    )
    b.fact(
        own(1, "years", "Methods 'Study design and patients'"),
        section="design",
        item="Exclusion: recurrence/metastasis within this time after adjuvant paclitaxel",
    )
    b.fact(
        own(12, "weeks", "Methods 'Procedures and assessments'"),
        section="design",
        item="Maximum benmelstobart dose delay",
    )
    b.fact(
        own(2, "weeks", "Methods 'Procedures and assessments'"),
        section="design",
        item="Maximum duration per dose-delay episode",
    )
    b.fact(
        own(2, "count", "Methods 'Procedures and assessments'"),
        section="design",
        item="Maximum dose delays per cycle",
    )
    b.fact(
        own(2, "cycles", "Methods 'Procedures and assessments'"),
        section="design",
        item="Imaging interval during initial therapy",
    )
    b.fact(
        own(3, "cycles", "Methods 'Procedures and assessments'"),
        section="design",
        item="Imaging interval during maintenance",
    )
    b.fact(
        own(6, "weeks", "Methods 'Procedures and assessments'", qualifier=">="),
        section="design",
        item="Response confirmation interval",
    )
    b.fact(
        own(30, "days", "Methods 'Procedures and assessments'"),
        section="design",
        item="AE monitoring after final dose",
    )
    b.fact(
        own(5400, "cGy", "Results 'Safety' (esophageal fistula paragraph)"),
        section="other",
        item="Prior radiotherapy dose of the patient with grade 5 esophageal fistula",
        over={"note": "given in 30 fractions to a cervical/upper thoracic primary lesion"},
    )

    # ---- facts: numbers the paper states about other studies (secondary claims) ----
    sec = "secondary summary"

    def claim(value: float | None, unit: str, locator: str, item: str, **extra: Any) -> None:
        b.fact(
            own(value, unit, locator, **extra),
            section="discussion_claim",
            item=item,
            over={"level": sec},
        )

    claim(
        None,
        "%",
        "Discussion para 2 (refs 5-8, 28)",
        "ORR range of first-line immunochemotherapy in advanced ESCC",
        range=[47, 70],
        range_kind="range",
    )
    claim(
        80,
        "%",
        "Discussion para 2 (ref 29, Zhang 2020)",
        "ORR of camrelizumab + apatinib + chemotherapy",
    )
    claim(
        None,
        "months",
        "Discussion para 2 (refs 5-7, 29)",
        "Median DoR of other immunochemotherapy regimens (about)",
        range=[6, 10],
        range_kind="range",
        qualifier="~",
    )
    claim(
        None,
        "months",
        "Discussion para 3 (refs 5-8, 28)",
        "Median PFS of immunotherapy-based regimens",
        range=[5.7, 7.2],
        range_kind="range",
    )
    claim(
        25,
        "%",
        "Discussion para 3 (refs 5-8, 28)",
        "1-year PFS of immunotherapy-based regimens (approximate)",
        qualifier="~",
    )
    claim(
        None,
        "months",
        "Discussion para 3 (refs 5-8, 28)",
        "Median OS of immunotherapy-based regimens",
        range=[12.6, 17.0],
        range_kind="range",
    )
    claim(
        None,
        "%",
        "Discussion para 3 (refs 5-8, 28)",
        "1-year OS of immunotherapy-based regimens",
        range=[50, 65],
        range_kind="range",
    )
    b.fact(
        L("secondary_claims_in_discussion.ALTER_E002_mPFS"),
        section="discussion_claim",
        item="ALTER-E002 (anlotinib + chemotherapy) median PFS",
        over={"level": sec},
    )
    b.fact(
        L("secondary_claims_in_discussion.ALTER_E002_1yr_PFS"),
        section="discussion_claim",
        item="ALTER-E002 (anlotinib + chemotherapy) 1-year PFS",
        over={
            "level": sec,
            "note": "approximate as printed ('1-year PFS, 25%'); not seen "
            "in the ALTER-E002 abstract",
        },
    )
    claim(
        8,
        "months",
        "Discussion para 3 (refs 5-8, 29)",
        "PFS benefit of immunochemotherapy with low PD-L1 expression",
        qualifier="<",
    )
    b.fact(
        L("secondary_claims_in_discussion.liver_mets_in_similar_studies"),
        section="discussion_claim",
        item="Share of patients with liver metastases in similar studies",
        over={"level": sec},
    )
    claim(
        84.6,
        "%",
        "Discussion para 4 (ref 28, ESCORT-1st)",
        "irAE incidence with camrelizumab + chemotherapy",
    )
    claim(
        12.1,
        "%",
        "Discussion para 4 (ref 28, ESCORT-1st)",
        "TRAE-related discontinuation with camrelizumab + chemotherapy",
    )
    claim(
        None,
        "%",
        "Discussion para 4 (refs 7, 28)",
        "Grade >=3 irAEs with other regimens",
        range=[7, 10],
        range_kind="range",
    )
    b.fact(
        L("secondary_claims_in_discussion.camrelizumab_apatinib_chemo_grade3plus_TRAE"),
        section="discussion_claim",
        item="Grade >=3 TRAEs of PD-1 inhibitor immunochemotherapy + TKI (ref 29)",
        over={"level": sec},
    )
    claim(
        None,
        "%",
        "Discussion para 4 (refs 6, 28)",
        "Grade >=3 TRAEs of immunochemotherapy without TKIs",
        range=[63.4, 72],
        range_kind="range",
    )
    claim(27.5, "%", "Introduction para 4 (refs 21-24)", "Serious AE incidence with benmelstobart")
    claim(
        None,
        "%",
        "Introduction para 4 (refs 21-24)",
        "Serious AE incidence with other PD-L1 blockades",
        range=[33.3, 54],
        range_kind="range",
    )
    claim(
        None,
        "months",
        "Introduction para 2 (refs 5-7)",
        "OS with immunochemotherapy in pivotal trials",
        range=[12, 17],
        range_kind="range",
    )
    claim(
        90,
        "%",
        "Introduction para 1 (ref 1)",
        "Share of ESCC among oesophageal cancers (approximately)",
        qualifier="~",
    )

    b.add(
        "statements",
        {
            "topic": "other subgroups",
            "text": "Sex, age, metastasis, ECOG performance status, prior surgery and radiotherapy "
            "had no correlation with PFS or OS (supplementary Figs S1/S2, not available); the "
            "authors call the liver-metastasis finding preliminary because of the small number of cases.",
            "ref": REF,
            "locator": "Results 'Efficacy' (last paragraph)",
            "analysis": "primary",
        },
    )
    b.add(
        "statements",
        {
            "topic": "OS curve shape",
            "text": "The OS curve began to plateau after 18 months with a long tail until 30 months.",
            "ref": REF,
            "locator": "Discussion para 3",
            "analysis": "primary",
        },
    )
    b.add(
        "statements",
        {
            "topic": "COVID-19",
            "text": "Dropouts were influenced by the COVID-19 outbreak from October 2021 to November 2022.",
            "ref": REF,
            "locator": "Discussion para 5",
        },
    )
    b.add(
        "statements",
        {
            "topic": "deaths due to AEs",
            "text": "Four deaths resulted from AEs: one each with myelosuppression, pulmonary "
            "infection, intracranial hemorrhage and esophageal fistula.",
            "ref": REF,
            "locator": "Results 'Safety' (last paragraph)",
            "analysis": "primary",
        },
    )

    for cid, endpoint, events_key in (
        ("pfs_itt_triple", "PFS", "PFS_events"),
        ("os_itt_triple", "OS", "OS_events_deaths"),
    ):
        b.add(
            "curves",
            {
                "id": cid,
                "arm": "triple",
                "endpoint": endpoint,
                "population": "itt",
                "analysis": "primary",
                "ref": REF,
                "locator": "Fig. 2a (PFS) / Fig. 2b (OS): Kaplan-Meier plots without printed numbers at risk",
                "events": b.leaf(
                    L(E + events_key), unit="count", n=23 if endpoint == "PFS" else 19, note=None
                ),
            },
        )

    gaps = [
        (
            "Numbers at risk under Fig. 2",
            "not printed in the text; the figure is not available as data",
        ),
        ("Landmark rates other than 12 months", "not stated in the text (only KM plots)"),
        (
            "PFS/OS hazard ratios, CIs and p-values by PD-L1 CPS and other subgroups",
            "in supplementary Figs S1/S2, which were not found",
        ),
        ("Subsequent therapy details (Table S1)", "supplement not found"),
        (
            "irAEs by term and grade (Table S2)",
            "supplement not found; the text lists irAEs >=10% only",
        ),
        ("AEs in fewer than 20% of patients", "Table 3 lists only AEs/TRAEs in >=20% of patients"),
        ("Race, smoking, alcohol, tumour location", "not reported in the main text or Table 1"),
        ("Cohort 2 (benmelstobart + chemotherapy without anlotinib)", "results not yet reported"),
    ]
    for topic, reason in gaps:
        b.gap(topic, reason, analysis="primary")
    b.notes.append(
        "Focus study (seed 001). Every number of the full text is transcribed; Discussion and "
        "Introduction numbers about other studies are stored as facts in section "
        "'discussion_claim' with source level 'secondary summary'."
    )
    return b


if __name__ == "__main__":
    print(build().write())
