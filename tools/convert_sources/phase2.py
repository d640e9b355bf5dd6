# ruff: noqa: E501 - one-off transcription script; long literal strings (URLs, quotes) kept whole
"""ALTER-E002, Zhang 2020 (camrelizumab + apatinib + chemo), Xu 1542P, Xu Sci Rep 2025, LEAP-014."""

from __future__ import annotations

import re

from lib import SEED, Builder, get

SEED_PUB = {
    "key": "li2024",
    "citation": "Li N et al. Signal Transduct Target Ther 2024;9:303 (seed 001; cites this study)",
    "year": 2024,
    "level": "primary publication",
    "kind": "full text of another study that cites this one (its claims are stored with level 'secondary summary')",
    "doi": "10.1038/s41392-024-02008-7",
    "license": "CC BY 4.0 (stated in the article)",
}


def alter_e002() -> Builder:
    y = SEED["C_ALTER_E002_anlotinib_paclitaxel_cisplatin"]
    b = Builder(
        "alter_e002",
        {
            "S_C": "li2022_bmcmed",
            "S_C_1404": "esmo2021_1404p",
            "S_C_1448": "esmo2020_1448p",
            "S_C_REG": "clincosm_registry",
            "S_B": "li2024",
        },
    )
    L = lambda p: get(y, p)  # noqa: E731
    b.header.update(
        {
            "name": "ALTER-E002",
            "display_name": "Anlotinib + paclitaxel/cisplatin (ALTER-E002)",
            "focus": False,
            "phase": "2",
        }
    )
    b.tables["registration"] = b.text(
        L("nct"),
        curation_note=(
            "Link between the registry record and the paper inferred from matching sponsor, regimen, "
            "enrolment (47) and start date; the NCT number is not visible in the paper excerpt."
        ),
    )
    b.tables["design"] = b.text(L("phase"))
    b.tables["region"] = b.text(L("phase"), text="China (5 centres)")
    b.tables["population"] = b.text(L("population"))
    b.header["pd_l1_note"] = "No PD-(L)1 agent; PD-L1 testing not mentioned."
    b.add(
        "publications",
        {
            "key": "li2022_bmcmed",
            "citation": L("citation.value"),
            "year": 2022,
            "level": "primary publication",
            "kind": "abstract (excerpt ends at 'main grade >= 3 TEAEs were')",
            "doi": "10.1186/s12916-022-02649-x",
            "url": "https://bmcmedicine.biomedcentral.com/articles/10.1186/s12916-022-02649-x",
        },
    )
    b.add(
        "publications",
        {
            "key": "esmo2021_1404p",
            "citation": "ESMO 2021 abstract 1404P (update results, ALTER-E002)",
            "year": 2021,
            "level": "conference abstract",
            "kind": "conference abstract",
            "url": SEED["_sources"]["S_C_1404"]["id"],
        },
    )
    b.add(
        "publications",
        {
            "key": "esmo2020_1448p",
            "citation": "ESMO 2020 abstract 1448P (early results, ALTER-E002)",
            "year": 2020,
            "level": "conference abstract",
            "kind": "conference abstract",
            "url": SEED["_sources"]["S_C_1448"]["id"],
        },
    )
    b.add(
        "publications",
        {
            "key": "clincosm_registry",
            "citation": "Registry mirror of NCT04063683 (clincosm.com)",
            "level": "registry record",
            "kind": "registry mirror",
            "url": SEED["_sources"]["S_C_REG"]["id"],
        },
    )
    b.add("publications", dict(SEED_PUB))
    b.add(
        "arms",
        {
            "id": "anlo_tp",
            "label": "Anlotinib + paclitaxel/cisplatin",
            "regimen_class": "TKI+chemo",
            "role": "experimental",
            "agents": ["anlotinib", "paclitaxel", "cisplatin"],
            "note": "Single-arm study: n_randomised holds the number enrolled.",
            "regimen": b.text(L("regimen")),
            "n_randomised": b.leaf(L("final_paper.N_enrolled"), unit="count"),
            "n_treated": b.leaf(L("final_paper.N_safety"), unit="count"),
        },
    )
    fp = "final_paper."
    b.add(
        "analyses",
        {
            "id": "esmo2020",
            "kind": "interim",
            "label": "Early results, ESMO 2020 1448P",
            "refs": ["esmo2020_1448p"],
            "data_cutoff": {"status": "not_reported", "reason": "not in the abstract"},
            "accrual": {
                "start": "2019-10",
                "end": "2020-04",
                "ref": "esmo2020_1448p",
                "locator": L("ESMO_2020_1448P_early.enrollment.where"),
                "note": L("ESMO_2020_1448P_early.enrollment.value"),
            },
        },
    )
    b.add(
        "analyses",
        {
            "id": "esmo2021",
            "kind": "interim",
            "label": "Update results, ESMO 2021 1404P",
            "refs": ["esmo2021_1404p"],
            "data_cutoff": {"status": "not_reported", "reason": "not in the abstract"},
            "accrual": {
                "start": "2019-10",
                "end": "2021-03",
                "ref": "esmo2021_1404p",
                "locator": L("ESMO_2021_1404P_interim.enrollment.where"),
                "note": L("ESMO_2021_1404P_interim.enrollment.value"),
            },
        },
    )
    b.add(
        "analyses",
        {
            "id": "final",
            "kind": "final",
            "label": "Final publication, BMC Med 2022 (abstract)",
            "refs": ["li2022_bmcmed"],
            "data_cutoff": {"status": "not_reported", "reason": L(fp + "data_cutoff.note")},
            "accrual": {
                "start": "2019-10",
                "end": "2021-03",
                "ref": "li2022_bmcmed",
                "locator": L(fp + "enrollment_period.where"),
            },
            "follow_up_kind": "median",
            "follow_up": b.leaf(
                L(fp + "median_follow_up"), range=[9.30, 19.38], range_kind="IQR", note=None
            ),
        },
    )
    b.add(
        "populations",
        {"id": "itt", "kind": "itt", "label": "Efficacy population (46 of 47 enrolled)"},
    )
    b.add(
        "populations",
        {
            "id": "evaluable_2020",
            "kind": "evaluable",
            "label": "First 10 evaluable patients (ESMO 2020)",
        },
    )
    A = {"arm": "anlo_tp"}
    F = {**A, "analysis": "final", "population": "itt"}
    b.eff(L(fp + "PFS_median"), **F, endpoint="PFS", measure="median", headline=True)
    b.eff(L(fp + "OS_median"), **F, endpoint="OS", measure="median", headline=True)
    b.eff(L(fp + "DoR_median"), **F, endpoint="DoR", measure="median")
    b.eff(
        L(fp + "PFS_1yr"),
        **F,
        endpoint="PFS",
        measure="landmark",
        timepoint_months=12,
        over={
            "level": "secondary summary",
            "unit": "%",
            "note": "cited by the NCT05013697 paper (Discussion); not seen in the ALTER-E002 abstract",
        },
    )
    b.resp(L(fp + "ORR"), **F, category="ORR", headline=True)
    b.resp(L(fp + "CR"), **F, category="CR")
    b.resp(L(fp + "PR"), **F, category="PR")
    b.resp(L(fp + "SD"), **F, category="SD")
    b.resp(L(fp + "DCR"), **F, category="DCR")
    b.fact(
        L(fp + "N_efficacy"),
        section="population_size",
        item="Efficacy population",
        arm="anlo_tp",
        population="itt",
        analysis="final",
    )
    b.fact(
        L(fp + "N_safety"),
        section="population_size",
        item="Safety population",
        arm="anlo_tp",
        analysis="final",
    )
    b.add(
        "statements",
        {
            "topic": "subgroups",
            "text": L(fp + "subgroups.value"),
            "ref": "li2022_bmcmed",
            "locator": L(fp + "subgroups.where"),
            "analysis": "final",
        },
    )
    b.ae(
        L(fp + "safety_grade3plus_TEAE_by_term"),
        **A,
        analysis="final",
        term="Grade >=3 TEAEs by term",
        category="treatment-emergent",
        grade_band=">=3",
    )
    E = "ESMO_2021_1404P_interim."
    R = {**A, "analysis": "esmo2021", "population": "itt"}
    for cat in ("CR", "PR", "SD"):
        b.resp(L(E + cat), **R, category=cat)
    b.resp(L(E + "not_assessable"), **R, category="NE", over={"unit": "count", "n": 3})
    b.resp(L(E + "ORR"), **R, category="ORR")
    b.resp(L(E + "DCR"), **R, category="DCR")
    b.eff(L(E + "PFS_median"), **R, endpoint="PFS", measure="median")
    b.fact(
        L(E + "discontinued_for_PD"),
        section="disposition",
        item="Discontinued because of disease progression",
        arm="anlo_tp",
        analysis="esmo2021",
    )
    for key, term in (
        ("myelosuppression", "Myelosuppression"),
        ("GI_reaction", "Gastrointestinal reaction"),
        ("hypertension", "Hypertension"),
        ("fatigue", "Fatigue"),
        ("hypokalemia", "Hypokalemia"),
        ("pain", "Pain"),
    ):
        b.ae(
            L(E + f"grade3plus_{key}"),
            **A,
            analysis="esmo2021",
            term=term,
            category="treatment-related",
            grade_band=">=3",
            over={"note": "printed as grade >=3 'adverse reactions'; denominator not stated"},
        )
    b.fact(
        {"value": 47, "source": "S_C_1404", "where": L(E + "enrollment.where")},
        section="statistical_design",
        item="Predefined sample size",
        over={"as_printed": L(E + "enrollment.value")},
    )
    E2 = "ESMO_2020_1448P_early."
    R2 = {**A, "analysis": "esmo2020", "population": "evaluable_2020"}
    for cat in ("CR", "PR", "SD"):
        b.resp(L(E2 + cat), **R2, category=cat)
    b.resp(L(E2 + "PD"), **R2, category="PD", over={"unit": "%"})
    b.resp(
        L(E2 + "ORR"),
        **R2,
        category="ORR",
        over={"note": "CI printed as 57.4-100.0 (not the Clopper-Pearson interval for 9/10)"},
    )
    b.resp(L(E2 + "DCR"), **R2, category="DCR")
    for value, item in (
        (18, "Enrolled by the ESMO 2020 cut"),
        (10, "Evaluable by the ESMO 2020 cut"),
    ):
        b.fact(
            {"value": value, "source": "S_C_1448", "where": L(E2 + "enrollment.where")},
            section="disposition",
            item=item,
            arm="anlo_tp",
            analysis="esmo2020",
            over={"as_printed": L(E2 + "enrollment.value")},
        )
    b.ae(
        L(E2 + "grade3plus_AE"),
        **A,
        analysis="esmo2020",
        term="Adverse events",
        summary_item="any_event",
        category="all-cause",
        grade_band=">=3",
        over={"unit": "count", "n": 0, "note": "'No grade >=3 adverse events were noted'"},
    )
    b.fact(
        {"value": 5, "source": "S_C", "where": L("phase.where")},
        section="design",
        item="Study centres",
    )
    b.notes.append(
        "Final paper vs ESMO 2021: same N and median PFS, different CR/PR split and "
        "PFS CI; kept as separate analyses. Trial name 'ALTER-E002' as used by the "
        "NCT05013697 paper (ref 30)."
    )
    for topic, reason, analysis in (
        ("Data cut-off (all analyses)", "not found in the sources consulted", None),
        (
            "Landmark rates (other than the 1-year PFS cited by another paper)",
            "not found in the sources consulted",
            "final",
        ),
        ("Baseline table", "abstract only", None),
        ("SD count in the final paper", "not in the abstract excerpt", "final"),
        ("Grade >=3 TEAEs by term in the final paper", "abstract excerpt truncated", "final"),
    ):
        b.gap(topic, reason, analysis)
    return b


def zhang2020() -> Builder:
    y = SEED["D_Zhang2020_camrelizumab_apatinib_chemo"]
    b = Builder(
        "zhang2020", {"S_D": "zhang2020_ccomm", "S_D_MIRROR": "zhang2020_mirror", "S_B": "li2024"}
    )
    L = lambda p: get(y, p)  # noqa: E731
    b.header.update(
        {
            "name": "Zhang 2020 (camrelizumab + apatinib + chemotherapy)",
            "display_name": "Camrelizumab + apatinib + liposomal paclitaxel/nedaplatin (Zhang 2020)",
            "focus": False,
            "phase": "2",
        }
    )
    b.header["registration_status"] = (
        "registered 27 Jul 2018 at ClinicalTrials.gov per the abstract; "
        "the identifier is cut off in every archived copy (not filled from memory)"
    )
    b.tables["design"] = b.text(L("phase"))
    b.tables["region"] = b.text(L("phase"), text="not stated in the captured abstract")
    b.tables["population"] = b.text(L("population"))
    b.header["pd_l1_note"] = "PD-L1 data not in the abstract."
    b.add(
        "publications",
        {
            "key": "zhang2020_ccomm",
            "citation": L("citation.value"),
            "year": 2020,
            "level": "primary publication",
            "kind": "abstract (PubMed record, truncated at the AE sentence)",
            "doi": "10.1002/cac2.12119",
            "pmid": "33314747",
            "url_read": SEED["_sources"]["S_D"]["description"],
        },
    )
    b.add(
        "publications",
        {
            "key": "zhang2020_mirror",
            "citation": "Third-party scraped copy of the Zhang 2020 Cancer Commun abstract (low authority)",
            "level": "secondary summary",
            "kind": "scraped mirror of the primary abstract; check against the journal",
            "reports_on_doi": "10.1002/cac2.12119",
            "url_read": SEED["_sources"]["S_D_MIRROR"]["id"],
        },
    )
    b.add("publications", dict(SEED_PUB))
    b.add(
        "arms",
        {
            "id": "cam_apa_chemo",
            "label": "Camrelizumab + apatinib + liposomal paclitaxel/nedaplatin",
            "regimen_class": "ICI+TKI+chemo",
            "role": "experimental",
            "agents": ["camrelizumab", "apatinib", "liposomal paclitaxel", "nedaplatin"],
            "note": "Single-arm study: n_randomised holds the number enrolled.",
            "regimen": b.text(L("regimen")),
            "n_randomised": b.leaf(L("N"), unit="count"),
        },
    )
    b.add(
        "analyses",
        {
            "id": "primary",
            "kind": "primary",
            "label": "Primary publication (Cancer Commun 2020)",
            "refs": ["zhang2020_ccomm"],
            "data_cutoff": {"status": "not_reported", "reason": L("data_cutoff.note")},
            "accrual": {
                "start": "2018-08-07",
                "end": "2019-02-23",
                "ref": "zhang2020_ccomm",
                "locator": L("enrollment.where"),
            },
            "follow_up_kind": "median",
            "follow_up": b.leaf(L("median_follow_up")),
        },
    )
    b.add("populations", {"id": "itt", "kind": "itt", "label": "All 30 enrolled patients"})
    F = {"arm": "cam_apa_chemo", "analysis": "primary", "population": "itt"}
    b.resp(L("ORR_central"), **F, category="ORR", assessor="central", headline=True)
    b.resp(L("DCR"), **F, category="DCR")
    b.eff(
        L("DoR_median"),
        **F,
        endpoint="DoR",
        measure="median",
        over={
            "range": [1.54, 24.82],
            "range_kind": "range",
            "as_printed": "range 1.54 to 24.82+ months",
            "note": None,
        },
    )
    b.eff(L("PFS_median"), **F, endpoint="PFS", measure="median", headline=True)
    b.eff(L("OS_median"), **F, endpoint="OS", measure="median", headline=True)
    for cat in ("CR", "PR", "SD"):
        b.resp(L("CR_PR_SD_counts"), **F, category=cat)
    A = {"arm": "cam_apa_chemo", "analysis": "primary"}
    for key, term in (
        ("grade3_4_TRAE_leukopenia", "Leukopenia"),
        ("grade3_4_TRAE_neutropenia", "Neutropenia"),
        ("grade3_4_TRAE_AST_increased", "AST increased"),
    ):
        b.ae(L(key), **A, term=term, category="treatment-related", grade_band="3-4")
    b.ae(
        L("grade3_4_hepatitis_irAE"),
        **A,
        term="Hepatitis",
        category="immune-related",
        grade_band="3-4",
    )
    for term in (
        "Serious TRAE: febrile neutropenia, leukopenia and anorexia (one patient)",
        "Serious TRAE: increased blood bilirubin",
        "Serious TRAE: toxic epidermal necrolysis",
    ):
        b.ae(
            {"value": 3.3, "unit": "%", "source": "S_D_MIRROR", "where": L("serious_TRAEs.where")},
            **A,
            term=term,
            category="treatment-related",
            grade_band="any",
            over={"n": 1, "N": 30, "as_printed": L("serious_TRAEs.value")},
        )
    b.ae(
        L("treatment_related_deaths"),
        **A,
        term="Treatment-related deaths",
        summary_item="leading_to_death",
        category="treatment-related",
        grade_band="5",
        over={"unit": "count", "n": 0},
    )
    b.ae(
        L("grade3plus_TRAE_overall"),
        **A,
        term="Treatment-related AEs",
        summary_item="any_event",
        category="treatment-related",
        grade_band=">=3",
        over={
            "level": "secondary summary",
            "curation_note": "Rate cited by the NCT05013697 paper (Discussion, ref 29); the Zhang "
            "abstract itself gives no overall grade >=3 rate.",
        },
    )
    b.notes.append(
        "Grade 3-4 TRAE rates, serious TRAEs, deaths and hepatitis were read only on a "
        "scraped mirror of the abstract (source level 'secondary summary'); check "
        "against the journal before relying on them."
    )
    for topic, reason in (
        ("NCT number", "cut off in every archived copy"),
        ("PD-L1 data", "not in the abstract"),
        ("CR/PR/SD counts", "not found in the sources consulted"),
        ("Landmark rates", "not found in the sources consulted"),
    ):
        b.gap(topic, reason)
    return b


def xu1542p() -> Builder:
    y = SEED["E_Xu_TC_camrelizumab_anlotinib_1542P"]["ESMO_2023_1542P"]
    b = Builder("xu1542p", {"S_E_1542": "xu2023_esmo", "S_B": "li2024"})
    L = lambda p: get(y, p)  # noqa: E731
    b.header.update(
        {
            "name": "Xu 1542P (TC + camrelizumab +/- anlotinib)",
            "display_name": "Paclitaxel/carboplatin + camrelizumab + anlotinib vs TC + camrelizumab vs TC (Xu, ESMO 2023 1542P)",
            "focus": False,
            "phase": "2",
        }
    )
    b.tables["design"] = b.text(L("design"))
    b.tables["region"] = {
        "text": "not stated in the abstract",
        "ref": "xu2023_esmo",
        "locator": "Methods",
    }
    b.tables["population"] = b.text(
        L("design"), text="previously untreated advanced/metastatic ESCC, age 18-75"
    )
    b.tables["primary_endpoints"] = b.text(L("endpoints"))
    b.header["registration_status"] = "NCT number not stated in the conference abstract"
    b.header["pd_l1_note"] = "PD-L1 not reported."
    b.add(
        "publications",
        {
            "key": "xu2023_esmo",
            "citation": L("citation.value"),
            "year": 2023,
            "level": "conference abstract",
            "kind": "ESMO 2023 abstract (oncologypro)",
            "url": SEED["_sources"]["S_E_1542"]["id"],
        },
    )
    b.add("publications", dict(SEED_PUB))
    ns = {"value": 30, "source": "S_E_1542", "where": L("N_per_arm.where")}
    for arm_id, key, cls, role, label, agents in (
        (
            "tc_cam_anlo",
            "regimen_arm_A",
            "ICI+TKI+chemo",
            "experimental",
            "Arm A: paclitaxel/carboplatin + camrelizumab + anlotinib",
            ["paclitaxel", "carboplatin", "camrelizumab", "anlotinib"],
        ),
        (
            "tc_cam",
            "regimen_arm_B",
            "ICI+chemo",
            "experimental",
            "Arm B: paclitaxel/carboplatin + camrelizumab",
            ["paclitaxel", "carboplatin", "camrelizumab"],
        ),
        (
            "tc",
            "regimen_arm_C",
            "chemo",
            "control",
            "Arm C: paclitaxel/carboplatin",
            ["paclitaxel", "carboplatin"],
        ),
    ):
        b.add(
            "arms",
            {
                "id": arm_id,
                "label": label,
                "regimen_class": cls,
                "role": role,
                "agents": agents,
                "regimen": b.text(L(key)),
                "n_randomised": b.leaf(ns, unit="count"),
            },
        )
    b.tables["n_total"] = b.leaf(L("N_total"), unit="count")
    b.add(
        "analyses",
        {
            "id": "esmo2023",
            "kind": "update",
            "label": "Updated results, ESMO 2023 1542P",
            "refs": ["xu2023_esmo"],
            "data_cutoff": {
                "date": L("data_cutoff.value"),
                "ref": "xu2023_esmo",
                "locator": L("data_cutoff.where"),
            },
        },
    )
    b.add("populations", {"id": "itt", "kind": "itt", "label": "All patients per arm (30 each)"})
    base = {"analysis": "esmo2023", "population": "itt"}
    b.resp(L("armA_CR"), **base, arm="tc_cam_anlo", category="CR")
    b.resp(L("armA_PR"), **base, arm="tc_cam_anlo", category="PR")
    b.resp(L("armA_ORR"), **base, arm="tc_cam_anlo", category="ORR", headline=True)
    b.resp(L("armB_PR"), **base, arm="tc_cam", category="PR")
    b.resp(L("armB_ORR"), **base, arm="tc_cam", category="ORR", headline=True)
    b.resp(L("armC_PR"), **base, arm="tc", category="PR")
    b.resp(
        L("armC_ORR"),
        **base,
        arm="tc",
        category="ORR",
        headline=True,
        over={
            "n": None,
            "curation_note": (
                "Printed ORR 26.7% corresponds to 8/30, but the abstract reports 7 PR (= 23.3%) and "
                "no CR count for arm C; the fact sheet's n=7 is therefore not kept. Decision: store "
                "the printed 26.7% without a count; the discrepancy (an unreported CR or a misprint) "
                "is unresolved."
            ),
        },
    )
    for arm_id, key in (("tc_cam_anlo", "armA"), ("tc_cam", "armB"), ("tc", "armC")):
        b.eff(
            L(f"{key}_PFS_median"),
            **base,
            arm=arm_id,
            endpoint="PFS",
            measure="median",
            headline=True,
        )
        b.eff(
            L("OS_median_all_arms"),
            **base,
            arm=arm_id,
            endpoint="OS",
            measure="median",
            headline=True,
            over={"unit": "months"},
        )
        b.ae(
            L(f"{key}_grade3_TRAE"),
            analysis="esmo2023",
            arm=arm_id,
            term="Treatment-related AEs",
            summary_item="any_event",
            category="treatment-related",
            grade_band="3",
        )
    b.ae(
        L("TRAE_any_all_arms"),
        analysis="esmo2023",
        term="Treatment-related AEs (all arms)",
        summary_item="any_event",
        category="treatment-related",
        grade_band="any",
    )
    for key, term in (
        ("grade3_thrombocytopenia", "Thrombocytopenia"),
        ("grade3_WBC_decreased", "White blood cell count decreased"),
        ("grade3_neutropenia", "Neutropenia"),
    ):
        b.ae(
            L(key),
            analysis="esmo2023",
            term=term,
            category="treatment-related",
            grade_band="3",
            over={
                "curation_note": "Denominator not stated; the rate matches a pooled denominator "
                "of 90 (all arms), so no arm is assigned."
            },
        )
    b.ae(
        L("grade4_5_TRAE"),
        analysis="esmo2023",
        term="Treatment-related AEs (all arms)",
        summary_item="any_event",
        category="treatment-related",
        grade_band="4-5",
        over={"unit": "count", "n": 0},
    )
    b.add(
        "statements",
        {
            "topic": "treatment schedule",
            "text": L("induction_maintenance.value"),
            "ref": "xu2023_esmo",
            "locator": L("induction_maintenance.where"),
        },
    )
    b.notes.append(
        "Probably the same study as Xu M et al., Sci Rep 2025 (trial 'xu_scirep2025'): same "
        "first author and agents, identical ORRs for the two immunotherapy arms. NOT confirmed: "
        "the Sci Rep paper describes a non-randomised two-group design; kept as separate entries."
    )
    for topic, reason in (
        ("DCR, DoR and PD-L1", "not found in the sources consulted"),
        ("OS values and CIs", "OS not reached in all arms"),
        ("Anlotinib schedule (days)", "not given in the abstract"),
    ):
        b.gap(topic, reason)
    return b


def xu_scirep2025() -> Builder:
    y = SEED["E_Xu_TC_camrelizumab_anlotinib_1542P"]["SciRep_2025_probable_full_publication"]
    b = Builder("xu_scirep2025", {"S_E_SR": "xu2025_scirep", "S_E_1542": "xu2023_esmo"})
    L = lambda p: get(y, p)  # noqa: E731
    b.header.update(
        {
            "name": "Xu Sci Rep 2025 (TCAC vs TCC)",
            "display_name": "Chemotherapy + camrelizumab + anlotinib vs chemotherapy + camrelizumab (Xu, Sci Rep 2025)",
            "focus": False,
            "phase": "2",
        }
    )
    b.tables["registration"] = {
        "text": "NCT04471480",
        "ref": "xu2025_scirep",
        "locator": L("nct.where"),
        "note": "registered 15/07/2020",
    }
    b.tables["design"] = b.text(L("design"))
    b.tables["region"] = {
        "text": "not stated in the abstract",
        "ref": "xu2025_scirep",
        "locator": "abstract",
    }
    b.tables["population"] = b.text(
        L("design"), text="treatment-naive unresectable stage III/IV ESCC"
    )
    b.header["pd_l1_note"] = "PD-L1 not reported in the abstract."
    b.add(
        "publications",
        {
            "key": "xu2025_scirep",
            "citation": L("citation.value"),
            "year": 2025,
            "level": "primary publication",
            "kind": "abstract (nature.com mirror and DOAJ record)",
            "doi": "10.1038/s41598-025-06625-2",
            "published": "2025-07-01",
            "url_read": SEED["_sources"]["S_E_SR"]["description"],
        },
    )
    b.add(
        "publications",
        {
            "key": "xu2023_esmo",
            "citation": "Xu M, et al. 1542P. Ann Oncol 2023;34:S866",
            "year": 2023,
            "level": "conference abstract",
            "kind": "ESMO 2023 abstract (probable earlier report)",
            "url": SEED["_sources"]["S_E_1542"]["id"],
        },
    )
    for arm_id, key, cls, label, agents in (
        (
            "tcac",
            "N_TCAC",
            "ICI+TKI+chemo",
            "TCAC: chemotherapy + camrelizumab + anlotinib",
            ["paclitaxel", "carboplatin", "camrelizumab", "anlotinib"],
        ),
        (
            "tcc",
            "N_TCC",
            "ICI+chemo",
            "TCC: chemotherapy + camrelizumab",
            ["paclitaxel", "carboplatin", "camrelizumab"],
        ),
    ):
        b.add(
            "arms",
            {
                "id": arm_id,
                "label": label,
                "regimen_class": cls,
                "role": "experimental" if arm_id == "tcac" else "control",
                "agents": agents,
                "regimen": b.text(
                    L("design"), text=label + "; 4-6 cycles induction then maintenance"
                ),
                "n_randomised": b.leaf(L(key), unit="count"),
                "note": "non-randomised, patient-selected groups; n_randomised holds the group size",
            },
        )
    b.add(
        "analyses",
        {
            "id": "primary",
            "kind": "primary",
            "label": "Sci Rep 2025 publication (abstract)",
            "refs": ["xu2025_scirep"],
            "data_cutoff": {"status": "not_reported", "reason": "not in the abstract"},
            "accrual": {
                "start": "2020-08-03",
                "end": "2022-08-10",
                "ref": "xu2025_scirep",
                "locator": L("enrollment.where"),
            },
            "follow_up_kind": "median",
            "follow_up": b.leaf(L("median_follow_up")),
        },
    )
    b.add("populations", {"id": "itt", "kind": "itt", "label": "All patients per group (30 each)"})
    base = {"analysis": "primary", "population": "itt"}
    b.resp(L("ORR_TCAC"), **base, arm="tcac", category="ORR", headline=True)
    b.resp(L("ORR_TCC"), **base, arm="tcc", category="ORR", headline=True)
    b.resp(L("ORR_p"), **base, arm="tcac", comparator="tcc", category="ORR", measure="p_value")
    b.eff(L("PFS_median_TCAC"), **base, arm="tcac", endpoint="PFS", measure="median", headline=True)
    b.eff(L("PFS_median_TCC"), **base, arm="tcc", endpoint="PFS", measure="median", headline=True)
    b.eff(
        L("PFS_HR"),
        **base,
        arm="tcac",
        comparator="tcc",
        endpoint="PFS",
        measure="hr",
        over={"p": "<0.001"},
    )
    for arm_id in ("tcac", "tcc"):
        b.eff(L("OS_median"), **base, arm=arm_id, endpoint="OS", measure="median")
        b.resp(L("DCR"), **base, arm=arm_id, category="DCR")
    for key, term in (
        ("grade3_TRAE_TCAC", "Treatment-related AEs"),
        ("grade3_neutrophil_decreased_TCAC", "Neutrophil count decreased"),
        ("grade3_WBC_decreased_TCAC", "White blood cell count decreased"),
        ("grade3_platelet_decreased_TCAC", "Platelet count decreased"),
        ("grade3_hypertension_TCAC", "Hypertension"),
    ):
        b.ae(
            L(key),
            analysis="primary",
            arm="tcac",
            term=term,
            category="treatment-related",
            grade_band="3",
            summary_item="any_event" if key == "grade3_TRAE_TCAC" else None,
        )
    b.ae(
        L("grade4_5_TRAE_TCAC"),
        analysis="primary",
        arm="tcac",
        term="Treatment-related AEs",
        summary_item="any_event",
        category="treatment-related",
        grade_band="4-5",
        over={"unit": "count", "n": 0},
    )
    b.notes.append(
        "Probably the full publication of Xu 1542P (trial 'xu1542p'): identical ORRs of "
        "90.0% and 43.3%. NOT confirmed: design (non-randomised, two groups vs 1:1:1 three "
        "arms), grade 3 TRAE (40.0% vs 30.0%) and median PFS (16.03 vs 13.4 months) differ."
    )
    b.gap("Anlotinib dose", "not in the abstract (1542P: 8 mg)")
    b.gap("Grade 3 TRAEs in the TCC group", "not in the abstract")
    return b


def leap014() -> Builder:
    y = SEED["F_LEAP_014_pembrolizumab_lenvatinib_chemo"]
    S = SEED["_sources"]
    b = Builder(
        "leap014",
        {
            "S_F_ASCOPOST": "ascopost2025",
            "S_F_CURE": "curetoday2025",
            "S_F_DESIGN": "sun2024_design",
            "S_F_TIP": "p298_tip",
            "S_F_1534": "esmo2023_1534p",
            "S_F_1534NEWS": "news_1534p",
            "S_F_REG": "medpath_registry",
        },
    )
    L = lambda p: get(y, p)  # noqa: E731
    b.header.update(
        {
            "name": "LEAP-014",
            "display_name": "Lenvatinib + pembrolizumab + chemotherapy vs pembrolizumab + chemotherapy (LEAP-014)",
            "focus": False,
            "phase": "3",
        }
    )
    b.tables["registration"] = b.text(L("nct"))
    b.tables["design"] = b.text(L("phase"))
    b.tables["region"] = {
        "text": "Global (66% East Asia in Part 2)",
        "ref": "ascopost2025",
        "locator": L("part2_ESMO2025_second_interim.east_asia.where"),
    }
    b.tables["population"] = b.text(L("population"))
    b.tables["primary_endpoints"] = b.text(L("primary_endpoints"))
    b.tables["n_total"] = b.leaf(
        L("part2_ESMO2025_second_interim.N_randomized"),
        unit="count",
        note="Part 2 (randomised main study)",
    )
    b.add(
        "publications",
        {
            "key": "ascopost2025",
            "citation": "ASCO Post, Nov 2025: no OS benefit for lenvatinib in LEAP-014 (ESMO 2025 report)",
            "year": 2025,
            "level": "secondary summary",
            "kind": "news report",
            "url": S["S_F_ASCOPOST"]["id"],
        },
    )
    b.add(
        "publications",
        {
            "key": "curetoday2025",
            "citation": "CURE Today (mirror), 17 Oct 2025: Lenvima combo fails to extend survival in esophageal cancer",
            "year": 2025,
            "level": "secondary summary",
            "kind": "news report (vercel.app mirror)",
            "url": S["S_F_CURE"]["id"],
        },
    )
    b.add(
        "publications",
        {
            "key": "sun2024_design",
            "citation": "Sun JM et al. Future Oncol 2024;20(35):2709-2721 (LEAP-014 design)",
            "year": 2024,
            "level": "primary publication",
            "kind": "design paper",
            "doi": "10.2217/fon-2022-1148",
            "pmid": "38695479",
            "pmcid": "PMC11572187",
        },
    )
    b.add(
        "publications",
        {
            "key": "p298_tip",
            "citation": "P298 LEAP-014 trial-in-progress abstract",
            "level": "conference abstract",
            "kind": "trial-in-progress abstract",
            "url": S["S_F_TIP"]["id"],
        },
    )
    b.add(
        "publications",
        {
            "key": "esmo2023_1534p",
            "citation": L("safety_run_in_ESMO2023_1534P.citation.value"),
            "year": 2023,
            "level": "conference abstract",
            "kind": "abstract listing (body behind login)",
            "doi": "10.1016/S0923-7534(23)01930-0",
            "url": re.search(r"https://\S+", S["S_F_1534"]["description"]).group(0),
        },
    )
    b.add(
        "publications",
        {
            "key": "news_1534p",
            "citation": "Archived news report of ESMO 2023 1534P (copy has no URL)",
            "year": 2023,
            "level": "secondary summary",
            "kind": "news report without URL",
            "reports_on_doi": "10.1016/S0923-7534(23)01930-0",
            "identifier_note": "resolvable only through the DOI of the abstract it reports on",
        },
    )
    b.add(
        "publications",
        {
            "key": "medpath_registry",
            "citation": "Registry mirror of NCT04949256 (trial.medpath.com)",
            "level": "registry record",
            "kind": "registry mirror",
            "url": S["S_F_REG"]["id"],
        },
    )
    b.add(
        "pd_l1",
        {
            "scoring_system": "CPS",
            "cutoffs": [1, 10],
            "role": "subgroup",
            "text": "CPS >=1 in 93% (Part 2); CPS >=10 subgroup reported; assay not named in the sources",
            "ref": "ascopost2025",
            "locator": L("part2_ESMO2025_second_interim.CPS_ge1.where"),
        },
    )
    nr = {"status": "not_reported", "reason": "per-arm N not captured (850 randomised in total)"}
    b.add(
        "arms",
        {
            "id": "len_pembro_chemo",
            "label": "Lenvatinib + pembrolizumab + chemotherapy",
            "regimen_class": "ICI+TKI+chemo",
            "role": "experimental",
            "agents": [
                "lenvatinib",
                "pembrolizumab",
                "fluorouracil or paclitaxel or mFOLFOX6",
                "cisplatin or oxaliplatin",
            ],
            "regimen": b.text(L("regimen_experimental")),
            "n_randomised": dict(nr),
        },
    )
    b.add(
        "arms",
        {
            "id": "pembro_chemo",
            "label": "Pembrolizumab + chemotherapy",
            "regimen_class": "ICI+chemo",
            "role": "control",
            "agents": ["pembrolizumab", "chemotherapy"],
            "regimen": b.text(L("regimen_control")),
            "n_randomised": dict(nr),
        },
    )
    ri = "safety_run_in_ESMO2023_1534P."
    for arm_id, label, key in (
        ("runin_fp", "Part 1 safety run-in: lenvatinib + pembrolizumab + FP", "FP_N"),
        ("runin_tp", "Part 1 safety run-in: lenvatinib + pembrolizumab + TP", "TP_N"),
    ):
        b.add(
            "arms",
            {
                "id": arm_id,
                "label": label,
                "regimen_class": "ICI+TKI+chemo",
                "role": "experimental",
                "agents": ["lenvatinib", "pembrolizumab"]
                + (["fluorouracil", "cisplatin"] if key == "FP_N" else ["paclitaxel", "cisplatin"]),
                "regimen": b.text(L("regimen_experimental")),
                "n_randomised": b.leaf(L(ri + key), unit="count"),
                "note": "non-randomised safety run-in cohort (Part 1)",
            },
        )
    b.add(
        "analyses",
        {
            "id": "runin_esmo2023",
            "kind": "primary",
            "label": "Part 1 safety run-in (ESMO 2023 1534P)",
            "refs": ["esmo2023_1534p", "news_1534p"],
            "data_cutoff": {"status": "not_reported", "reason": "not in the news report"},
        },
    )
    b.add(
        "analyses",
        {
            "id": "part2_esmo2025",
            "kind": "interim",
            "label": "Part 2 second interim analysis (ESMO 2025, news reports)",
            "refs": ["ascopost2025", "curetoday2025"],
            "data_cutoff": {
                "status": "not_reported",
                "reason": "not found in the sources consulted",
            },
            "follow_up": {"status": "not_reported", "reason": "not found in the sources consulted"},
        },
    )
    b.add("populations", {"id": "itt", "kind": "itt", "label": "All randomised patients (Part 2)"})
    b.add(
        "populations",
        {
            "id": "cps_ge10",
            "kind": "pdl1",
            "label": "PD-L1 CPS >=10 (assay not named)",
            "scoring_system": "CPS",
            "operator": ">=",
            "cutoff": 10,
        },
    )
    p2 = "part2_ESMO2025_second_interim."
    base = {"analysis": "part2_esmo2025", "population": "itt"}
    b.eff(
        L(p2 + "OS_median_lenvatinib_arm"),
        **base,
        arm="len_pembro_chemo",
        endpoint="OS",
        measure="median",
        headline=True,
    )
    b.eff(
        L(p2 + "OS_median_control"),
        **base,
        arm="pembro_chemo",
        endpoint="OS",
        measure="median",
        headline=True,
    )
    b.eff(
        L(p2 + "OS_HR"),
        **base,
        arm="len_pembro_chemo",
        comparator="pembro_chemo",
        endpoint="OS",
        measure="hr",
        over={"p": ">.01852", "as_printed": "HR 0.92, P > .01852"},
    )
    for key, arm_id, t in (
        ("OS_12mo_lenvatinib", "len_pembro_chemo", 12),
        ("OS_12mo_control", "pembro_chemo", 12),
        ("OS_24mo_lenvatinib", "len_pembro_chemo", 24),
        ("OS_24mo_control", "pembro_chemo", 24),
    ):
        b.eff(
            L(p2 + key), **base, arm=arm_id, endpoint="OS", measure="landmark", timepoint_months=t
        )
    base = {"analysis": "part2_esmo2025", "population": "cps_ge10"}
    b.eff(
        L(p2 + "CPS_ge10_OS_median_lenvatinib"),
        **base,
        arm="len_pembro_chemo",
        endpoint="OS",
        measure="median",
    )
    b.eff(
        L(p2 + "CPS_ge10_OS_median_control"),
        **base,
        arm="pembro_chemo",
        endpoint="OS",
        measure="median",
    )
    for key, arm_id, t in (
        ("CPS_ge10_OS_12mo_lenvatinib", "len_pembro_chemo", 12),
        ("CPS_ge10_OS_12mo_control", "pembro_chemo", 12),
        ("CPS_ge10_OS_24mo_lenvatinib", "len_pembro_chemo", 24),
        ("CPS_ge10_OS_24mo_control", "pembro_chemo", 24),
    ):
        b.eff(
            L(p2 + key), **base, arm=arm_id, endpoint="OS", measure="landmark", timepoint_months=t
        )
    for arm_id in ("len_pembro_chemo", "pembro_chemo"):
        b.eff(
            L(p2 + "PFS"),
            analysis="part2_esmo2025",
            population="itt",
            arm=arm_id,
            endpoint="PFS",
            measure="median",
        )
        b.resp(
            L(p2 + "ORR_DoR"),
            analysis="part2_esmo2025",
            population="itt",
            arm=arm_id,
            category="ORR",
        )
        b.ae(
            L(p2 + "safety"),
            analysis="part2_esmo2025",
            arm=arm_id,
            term="Treatment-related AEs",
            summary_item="any_event",
            category="treatment-related",
            grade_band="any",
        )
    b.fact(
        L(p2 + "east_asia"),
        section="baseline",
        item="Patients from East Asia (Part 2)",
        analysis="part2_esmo2025",
    )
    b.fact(
        L(p2 + "CPS_ge1"),
        section="baseline",
        item="PD-L1 CPS >=1 (Part 2)",
        analysis="part2_esmo2025",
    )
    b.fact(
        L("planned_N_part2"),
        section="statistical_design",
        item="Planned Part 2 sample size",
        over={"qualifier": "~"},
    )
    b.fact(L("registry_target_N"), section="statistical_design", item="Registry target enrolment")
    b.ae(
        L(ri + "FP_grade3_4_TRAE"),
        analysis="runin_esmo2023",
        arm="runin_fp",
        term="Treatment-related AEs",
        summary_item="any_event",
        category="treatment-related",
        grade_band="3-4",
        over={"note": "'all 7 patients ... had a grade 3 or 4 TRAE, 3 of which were serious'"},
    )
    b.ae(
        L(ri + "TP_grade3_4_TRAE"),
        analysis="runin_esmo2023",
        arm="runin_tp",
        term="Treatment-related AEs",
        summary_item="any_event",
        category="treatment-related",
        grade_band="3-4",
        over={"unit": "count"},
    )
    b.fact(
        L(ri + "DLT_TP"),
        section="other",
        item="Dose-limiting toxicities (TP cohort)",
        arm="runin_tp",
        analysis="runin_esmo2023",
        over={"n": 0},
    )
    b.add(
        "statements",
        {
            "topic": "dose-limiting toxicities (FP cohort)",
            "text": L(ri + "DLT_FP.value"),
            "ref": "news_1534p",
            "locator": L(ri + "DLT_FP.where"),
            "note": L(ri + "DLT_FP.note"),
            "analysis": "runin_esmo2023",
        },
    )
    b.notes.append(
        "OS of Part 2 comes from news reports of ESMO 2025, not from the abstract; the "
        "design paper names OS and PFS as dual primary endpoints. TiP abstract prints the "
        "5-FU dose as '4000 mg/m2 on days 1-5' (recorded as printed)."
    )
    for topic, reason, analysis in (
        (
            "Part 2 PFS, ORR, DoR and safety",
            "archived excerpts truncated before other endpoints",
            "part2_esmo2025",
        ),
        (
            "Part 2 OS HR CI, follow-up and cut-off",
            "not found in the sources consulted",
            "part2_esmo2025",
        ),
        ("Safety run-in ORR/DoR", "values not in the archived excerpt", "runin_esmo2023"),
    ):
        b.gap(topic, reason, analysis)
    return b


if __name__ == "__main__":
    for fn in (alter_e002, zhang2020, xu1542p, xu_scirep2025, leap014):
        print(fn().write())
