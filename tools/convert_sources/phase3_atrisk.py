# ruff: noqa: E501 - one-off transcription script; long literal strings (URLs, quotes) kept whole
"""CheckMate 648, KEYNOTE-590, JUPITER-06, ORIENT-15, ESCORT-1st (trials with at-risk tables)."""

from __future__ import annotations

from typing import Any

from lib import P3, Builder, p3_publications


def common_header(b: Builder, y: dict[str, Any], trial_id: str, name: str, display: str) -> None:
    b.header.update({"name": name, "display_name": display, "focus": False, "phase": "3"})
    b.tables["registration"] = b.text(y["nct"])
    b.tables["design"] = b.text(y["design"])
    b.tables["population"] = b.text(y["population"])
    if "primary_endpoints" in y:
        b.tables["primary_endpoints"] = b.text(y["primary_endpoints"])
    b.tables["n_total"] = b.leaf(y["n_randomized_total"], unit="count")


def arm(
    b: Builder,
    y: dict[str, Any],
    key: str,
    arm_id: str,
    cls: str,
    role: str,
    agents: list[str],
    **extra: Any,
) -> None:
    a = y["arms"][key]
    rec: dict[str, Any] = {
        "id": arm_id,
        "label": a["label"],
        "regimen_class": cls,
        "role": role,
        "agents": agents,
    }
    rec.update(extra)
    rec["regimen"] = b.text(a["regimen"])
    rec["n_randomised"] = b.leaf(a["n_randomized"], unit="count")
    b.add("arms", rec)


def pop(b: Builder, pid: str, kind: str, label: str, **extra: Any) -> None:
    b.add("populations", {"id": pid, "kind": kind, "label": label, **extra})


def per_arm(b: Builder, node: dict[str, Any], arms: dict[str, str], fn: str, **dims: Any) -> None:
    """Apply b.eff/b.resp/b.ae to each arm leaf of a {yaml_arm: leaf} node."""
    method = getattr(b, fn)
    for yaml_arm, arm_id in arms.items():
        if yaml_arm in node:
            method(node[yaml_arm], arm=arm_id, **dims)


def curve(
    b: Builder,
    *,
    trial: str,
    endpoint: str,
    population_csv: str,
    population: str,
    arm_label: str,
    arm_id: str,
    analysis: str,
    ref: str,
    events: dict[str, Any] | None = None,
) -> None:
    rec: dict[str, Any] = {
        "id": f"{endpoint.lower()}_{population}_{arm_id}",
        "arm": arm_id,
        "endpoint": endpoint,
        "population": population,
        "analysis": analysis,
        "ref": ref,
    }
    if events is not None:
        rec["events"] = events
    b.at_risk_curve(
        trial=trial, endpoint=endpoint, population=population_csv, arm_label=arm_label, curve=rec
    )


def figure_events(
    b: Builder, dataset: str, group: str, ref: str, derived: str | None = None
) -> dict[str, Any]:
    n, source = b.figure_events(dataset, group)
    ev: dict[str, Any] = {
        "value": n,
        "unit": "count",
        "n": n,
        "ref": ref,
        "locator": source
        + " (transcribed from ../shared/sources/published_events_from_figures.csv)",
    }
    if derived:
        ev["derived"] = True
        ev["derivation"] = derived
    return ev


# ------------------------------------------------------------------------------------------
def checkmate648() -> Builder:
    y = P3["checkmate_648"]
    b = Builder("checkmate648", {})
    p3_publications(
        b,
        [
            "CM648_NEJM_ABS",
            "CM648_ASCOPOST",
            "CM648_ALTAI",
            "CM648_EXPANDED",
            "CM648_29MO_ABS",
            "CM648_29MO_MIMS",
            "MCBS_323",
            "MCBS_345",
            "WJGO2025_T1",
            "ESMOOPEN2022_MA_T1",
        ],
    )
    b.add(
        "publications",
        {
            "key": "doki2022_nejm",
            "citation": "Doki Y et al. N Engl J Med 2022;386:449-462",
            "year": 2022,
            "level": "primary publication",
            "kind": "full article figures (numbers at risk curated in ../shared/sources/numbers_at_risk.csv, checked against the figure images)",
            "doi": "10.1056/NEJMoa2111380",
        },
    )
    common_header(
        b,
        y,
        "checkmate648",
        "CheckMate 648",
        "Nivolumab + chemotherapy / nivolumab + ipilimumab vs chemotherapy (CheckMate 648)",
    )
    b.tables["region"] = b.text(
        y["enrolment_period"],
        text="Global (26 countries)",
        note="enrolment June 2017 - November 2019",
    )
    b.add(
        "pd_l1",
        {
            "scoring_system": "TC",
            "assay": "28-8",
            "cutoffs": [1],
            "role": "primary population",
            "text": y["pdl1_scoring"]["system"]["value"],
            "assay_note": "assay named only by a secondary source (WJGO 2025 Table 1)",
            "ref": "cm648_nejm_abs",
            "locator": y["pdl1_scoring"]["system"]["where"],
        },
    )
    arm(
        b,
        y,
        "nivo_chemo",
        "nivo_chemo",
        "ICI+chemo",
        "experimental",
        ["nivolumab", "fluorouracil", "cisplatin"],
    )
    arm(
        b,
        y,
        "nivo_ipi",
        "nivo_ipi",
        "dual ICI (chemo-free)",
        "experimental",
        ["nivolumab", "ipilimumab"],
    )
    arm(b, y, "chemo", "chemo", "chemo", "control", ["fluorouracil", "cisplatin"])
    an = y["analyses"]
    b.add(
        "analyses",
        {
            "id": "primary",
            "kind": "primary",
            "label": an["primary_13mo"]["label"],
            "refs": ["cm648_nejm_abs", "doki2022_nejm"],
            "data_cutoff": {
                "status": "not_reported",
                "reason": an["primary_13mo"]["data_cutoff"]["reason"],
            },
            "accrual": {
                "start": "2017-06",
                "end": "2019-11",
                "ref": "cm648_ascopost",
                "locator": y["enrolment_period"]["where"],
                "note": "enrolment period printed as 'June 2017 - November 2019'",
            },
            "follow_up_kind": "minimum",
            "follow_up": b.leaf(an["primary_13mo"]["follow_up"]),
        },
    )
    b.add(
        "analyses",
        {
            "id": "update_29mo",
            "kind": "update",
            "label": an["update_29mo"]["label"],
            "refs": ["cm648_29mo_abs", "cm648_29mo_mims"],
            "data_cutoff": {"status": "not_reported", "reason": "not in the captured abstract"},
            "follow_up_kind": "minimum",
            "follow_up": b.leaf(an["update_29mo"]["follow_up"]),
        },
    )
    b.add(
        "analyses",
        {
            "id": "esmo_mcbs_345",
            "kind": "update",
            "label": an["esmo_mcbs_345"]["label"],
            "refs": ["mcbs_345"],
            "data_cutoff": {
                "status": "not_reported",
                "reason": "data cut not stated on the scorecard",
            },
            "note": "kind 'update' is an inference: the scorecard HR differs from the NEJM primary HR",
        },
    )
    pop(b, "itt", "itt", "All randomised patients")
    pop(
        b,
        "tc_ge1",
        "pdl1",
        "Tumour-cell PD-L1 >=1% (28-8)",
        scoring_system="TC",
        assay="28-8",
        operator=">=",
        cutoff=1,
    )
    ARMS = {"nivo_chemo": "nivo_chemo", "nivo_ipi": "nivo_ipi", "chemo": "chemo"}
    P = an["primary_13mo"]
    for popkey, pid in (("tc_pdl1_ge1", "tc_ge1"), ("all_randomized", "itt")):
        node = P[popkey]
        head = pid == "itt"
        for yarm, arm_id in ARMS.items():
            if yarm in node["os_median"]:
                b.eff(
                    node["os_median"][yarm],
                    analysis="primary",
                    arm=arm_id,
                    population=pid,
                    endpoint="OS",
                    measure="median",
                    headline=head,
                )
            if yarm in node["pfs_median"]:
                b.eff(
                    node["pfs_median"][yarm],
                    analysis="primary",
                    arm=arm_id,
                    population=pid,
                    endpoint="PFS",
                    measure="median",
                    assessor="BICR",
                    headline=head and "value" in node["pfs_median"][yarm],
                )
        for comp_key, arm_id in (
            ("nivo_chemo_vs_chemo", "nivo_chemo"),
            ("nivo_ipi_vs_chemo", "nivo_ipi"),
        ):
            b.eff(
                node["os_hr"][comp_key],
                analysis="primary",
                arm=arm_id,
                comparator="chemo",
                population=pid,
                endpoint="OS",
                measure="hr",
            )
            b.eff(
                node["pfs_hr"][comp_key],
                analysis="primary",
                arm=arm_id,
                comparator="chemo",
                population=pid,
                endpoint="PFS",
                measure="hr",
                assessor="BICR",
                over={
                    "curation_note": "CI level as labelled by the secondary source (95%); the "
                    "NEJM primary analysis used multiplicity-adjusted CIs - verify the level "
                    "against the NEJM text before relying on the interval."
                }
                if popkey == "tc_pdl1_ge1"
                else {},
            )
        for yarm, arm_id in ARMS.items():
            b.resp(
                node["orr"][yarm],
                analysis="primary",
                arm=arm_id,
                population=pid,
                category="ORR",
                confirmed=None,
                headline=head,
            )
    b.fact(
        P["tc_pdl1_ge1"]["esmo_mcbs_os_gain"],
        section="other",
        item="ESMO-MCBS OS gain (nivolumab + chemotherapy, TC >=1%)",
        arm="nivo_chemo",
        analysis="primary",
        population="tc_ge1",
    )
    itt = P["all_randomized"]
    for yarm, arm_id in ARMS.items():
        b.resp(
            itt["responders_with_dor_ge_12mo"][yarm],
            analysis="primary",
            arm=arm_id,
            population="itt",
            category="durable_response_12mo",
            confirmed=None,
            over={"note": "percentage of responders with duration of response >= 12 months"},
        )
    for comp_key, arm_id in (
        ("nivo_chemo_vs_chemo", "nivo_chemo"),
        ("nivo_ipi_vs_chemo", "nivo_ipi"),
    ):
        b.eff(
            itt["pfs2_hr"][comp_key],
            analysis="primary",
            arm=arm_id,
            comparator="chemo",
            population="itt",
            endpoint="PFS2",
            measure="hr",
        )
    S = P["safety"]
    per_arm(
        b,
        S["trae_g3_4"],
        ARMS,
        "ae",
        analysis="primary",
        term="Treatment-related AEs",
        summary_item="any_event",
        category="treatment-related",
        grade_band="3-4",
        over={
            "curation_note": "Review bullet reads 'Grade 3 AE >= 47% vs 32% vs 36%'; "
            "interpreted (as in the fact sheet) as grade 3-4 treatment-related AEs."
        },
    )
    per_arm(
        b,
        S["discontinuation_any_drug"],
        ARMS,
        "ae",
        analysis="primary",
        term="Discontinuation of any drug",
        summary_item="leading_to_discontinuation",
        category="all-cause",
        grade_band="any",
        over={
            "curation_note": "The review does not say whether discontinuations were "
            "treatment-related; stored under the less specific category 'all-cause'."
        },
    )
    per_arm(
        b,
        S["treatment_related_serious_ae"],
        ARMS,
        "ae",
        analysis="primary",
        term="Treatment-related serious AEs",
        summary_item="serious",
        category="treatment-related",
        grade_band="any",
    )
    for arm_id in ("nivo_chemo", "nivo_ipi"):
        b.ae(
            {"value": 6, "unit": "%", "source": "CM648_EXPANDED", "where": "Results"},
            analysis="primary",
            arm=arm_id,
            term="Select TRAEs (potential immunologic etiology)",
            category="treatment-related",
            grade_band="3-4",
            over={"qualifier": "<=", "as_printed": S["select_trae_g3_4"]["value"]},
        )
    for key, term, item, band in (
        ("trae_any_grade", "Treatment-related AEs", "any_event", "any"),
        ("treatment_related_deaths", "Treatment-related deaths", "leading_to_death", "5"),
    ):
        for arm_id in ARMS.values():
            b.ae(
                S[key],
                analysis="primary",
                arm=arm_id,
                term=term,
                summary_item=item,
                category="treatment-related",
                grade_band=band,
            )
    m = an["esmo_mcbs_345"]
    b.eff(
        m["os_control_median"],
        analysis="esmo_mcbs_345",
        arm="chemo",
        population="itt",
        endpoint="OS",
        measure="median",
    )
    b.eff(
        m["os_control_2y"],
        analysis="esmo_mcbs_345",
        arm="chemo",
        population="itt",
        endpoint="OS",
        measure="landmark",
        timepoint_months=24,
    )
    b.eff(
        m["os_hr_nivo_ipi_vs_chemo"],
        analysis="esmo_mcbs_345",
        arm="nivo_ipi",
        comparator="chemo",
        population="itt",
        endpoint="OS",
        measure="hr",
    )
    b.fact(
        m["os_gain_median"],
        section="other",
        item="ESMO-MCBS OS gain in median (nivolumab + ipilimumab)",
        arm="nivo_ipi",
        analysis="esmo_mcbs_345",
        population="itt",
    )
    b.fact(
        m["os_gain_2y"],
        section="other",
        item="ESMO-MCBS OS gain at 2 years (nivolumab + ipilimumab)",
        arm="nivo_ipi",
        analysis="esmo_mcbs_345",
        population="itt",
        over={"note": "scorecard: '30% at risk at 2 years'"},
    )
    ps = y["pdl1_scoring"]
    b.fact(
        ps["tc_ge1_fraction"],
        section="baseline",
        item="Tumour-cell PD-L1 >=1% (all randomised)",
        analysis="update_29mo",
    )
    for yarm, arm_id in ARMS.items():
        b.fact(
            {
                "value": ps["tc_ge1_n_per_arm"]["value"][yarm],
                "source": ps["tc_ge1_n_per_arm"]["source"],
                "where": ps["tc_ge1_n_per_arm"]["where"],
                "note": ps["tc_ge1_n_per_arm"]["note"],
            },
            section="population_size",
            item="Patients with TC PD-L1 >=1%",
            arm=arm_id,
            population="tc_ge1",
        )
    b.fact(
        ps["asian_fraction"],
        section="baseline",
        item="Asian patients (all randomised)",
        analysis="update_29mo",
    )
    labels = {"nivo_chemo": "nivolumab+chemo", "chemo": "chemo (cisplatin+5-FU)"}
    for endpoint in ("OS", "PFS"):
        for arm_id, label in labels.items():
            curve(
                b,
                trial="CheckMate 648",
                endpoint=endpoint,
                population_csv="itt",
                population="itt",
                arm_label=label,
                arm_id=arm_id,
                analysis="primary",
                ref="doki2022_nejm",
                events={
                    "status": "not_reported",
                    "reason": "event counts per arm not in the curated sources",
                },
            )
    gaps = [
        ("Data cut-off dates", "not visible in any captured source", None),
        ("Nivolumab + ipilimumab OS 95% CI (TC >=1%)", "not captured", "primary"),
        (
            "PFS medians/HRs and TC >=1% ORR from a primary source",
            "only secondary sources captured",
            "primary",
        ),
        ("TC <1% and CPS subgroups", "not found in the sources consulted", None),
        ("AEs by term", "not found in the sources consulted", "primary"),
        (
            "29-month results beyond follow-up",
            "the captured abstract is truncated; the one HR "
            "visible has no population label and is not stored",
            "update_29mo",
        ),
        ("45-month (ESMO GI 2024 398P) and 5-year results", "only title/authors captured", None),
        (
            "Numbers at risk for nivolumab + ipilimumab",
            "not in the curated at-risk table",
            "primary",
        ),
        ("Event counts per arm", "not in the curated sources", "primary"),
    ]
    for topic, reason, analysis in gaps:
        b.gap(topic, reason, analysis)
    return b


# ------------------------------------------------------------------------------------------
def keynote590() -> Builder:
    y = P3["keynote_590"]
    b = Builder("keynote590", {})
    p3_publications(
        b,
        [
            "KN590_JJAMS",
            "KN590_M3",
            "KN590_LANCET_ABS",
            "KN590_CTGOV",
            "KN590_5Y",
            "MCBS_310",
            "WJGO2025_T1",
            "ESMOOPEN2022_MA_T1",
        ],
        extra={"KN590_JJAMS": {"doi": None, "reports_on_doi": "10.1016/S0140-6736(21)01234-4"}},
    )
    b.add(
        "publications",
        {
            "key": "sun2021_lancet",
            "citation": "Sun JM et al. Lancet 2021;398:759-771",
            "year": 2021,
            "level": "primary publication",
            "kind": "full article figures (numbers at risk and censored counts curated in ../shared/sources, checked against the figure images)",
            "doi": "10.1016/S0140-6736(21)01234-4",
        },
    )
    common_header(
        b,
        y,
        "keynote590",
        "KEYNOTE-590",
        "Pembrolizumab + cisplatin/5-FU vs placebo + cisplatin/5-FU (KEYNOTE-590)",
    )
    b.tables["region"] = b.text(y["phase"], text="Global (168 centres in 26 countries)")
    b.header["pd_l1_note"] = (
        "Mixed histology trial (ESCC and adenocarcinoma); ESCC and "
        "all-histology results are separate populations."
    )
    b.add(
        "pd_l1",
        {
            "scoring_system": "CPS",
            "assay": "22C3",
            "cutoffs": [10],
            "role": "primary population",
            "text": y["pdl1_scoring"]["system"]["value"],
            "assay_note": "assay named only by a secondary source (WJGO 2025 Table 1)",
            "ref": "kn590_jjams",
            "locator": y["pdl1_scoring"]["system"]["where"],
        },
    )
    arm(
        b,
        y,
        "pembro_chemo",
        "pembro_chemo",
        "ICI+chemo",
        "experimental",
        ["pembrolizumab", "cisplatin", "fluorouracil"],
    )
    arm(
        b,
        y,
        "placebo_chemo",
        "placebo_chemo",
        "placebo+chemo",
        "control",
        ["placebo", "cisplatin", "fluorouracil"],
    )
    an = y["analyses"]
    fu = an["primary_ia1"]["follow_up"]
    b.add(
        "analyses",
        {
            "id": "ia1",
            "kind": "interim",
            "label": an["primary_ia1"]["label"],
            "refs": ["kn590_jjams", "kn590_m3", "sun2021_lancet"],
            "data_cutoff": {
                "status": "not_reported",
                "reason": an["primary_ia1"]["data_cutoff"]["reason"],
            },
            "follow_up_kind": "median",
            "follow_up": b.leaf(fu, note="IQR 19.6-27.1 per WJGO 2025 Table 1 (secondary)"),
        },
    )
    u = an["update_5y"]
    b.add(
        "analyses",
        {
            "id": "update_5y",
            "kind": "update",
            "label": u["label"],
            "refs": ["kn590_5y"],
            "data_cutoff": {
                "date": u["data_cutoff"]["value"],
                "ref": "kn590_5y",
                "locator": u["data_cutoff"]["where"],
            },
            "follow_up_kind": "median time from randomisation to cut-off",
            "follow_up": b.leaf(u["follow_up"], range=[49.2, 70.6], range_kind="range"),
        },
    )
    pop(
        b,
        "itt_all",
        "itt",
        "All randomised patients (ESCC + adenocarcinoma)",
        histology="all histologies",
    )
    pop(b, "escc", "histology", "ESCC subgroup")
    pop(
        b,
        "cps_ge10_all",
        "pdl1",
        "PD-L1 CPS >=10 (22C3), all histologies",
        histology="all histologies",
        scoring_system="CPS",
        assay="22C3",
        operator=">=",
        cutoff=10,
    )
    pop(
        b,
        "escc_cps_ge10",
        "pdl1",
        "ESCC with PD-L1 CPS >=10 (22C3)",
        scoring_system="CPS",
        assay="22C3",
        operator=">=",
        cutoff=10,
    )
    ARMS = {"pembro_chemo": "pembro_chemo", "placebo_chemo": "placebo_chemo"}
    ia = an["primary_ia1"]
    hr = {"arm": "pembro_chemo", "comparator": "placebo_chemo"}
    inv = {"assessor": "investigator"}
    e = ia["escc_cps_ge10"]
    per_arm(
        b,
        e["os_median"],
        ARMS,
        "eff",
        analysis="ia1",
        population="escc_cps_ge10",
        endpoint="OS",
        measure="median",
    )
    b.eff(e["os_hr"], analysis="ia1", population="escc_cps_ge10", endpoint="OS", measure="hr", **hr)
    e = ia["escc_all"]
    for yarm, arm_id in ARMS.items():
        b.eff(
            e["os_median"][yarm],
            analysis="ia1",
            arm=arm_id,
            population="escc",
            endpoint="OS",
            measure="median",
            headline=True,
        )
        b.eff(
            e["pfs_median"][yarm],
            analysis="ia1",
            arm=arm_id,
            population="escc",
            endpoint="PFS",
            measure="median",
            headline=True,
            **inv,
        )
    b.eff(e["os_hr"], analysis="ia1", population="escc", endpoint="OS", measure="hr", **hr)
    b.eff(e["pfs_hr"], analysis="ia1", population="escc", endpoint="PFS", measure="hr", **hr, **inv)
    b.fact(
        e["esmo_mcbs_os_gain"],
        section="other",
        item="ESMO-MCBS OS gain (ESCC subgroup)",
        arm="pembro_chemo",
        analysis="ia1",
        population="escc",
    )
    for arm_id in ARMS.values():
        b.resp(e["orr"], analysis="ia1", arm=arm_id, population="escc", category="ORR")
    e = ia["cps_ge10_all_histologies"]
    for pid, node in (("cps_ge10_all", e), ("itt_all", ia["all_randomized_all_histologies"])):
        per_arm(
            b,
            node["os_median"],
            ARMS,
            "eff",
            analysis="ia1",
            population=pid,
            endpoint="OS",
            measure="median",
        )
        per_arm(
            b,
            node["pfs_median"],
            ARMS,
            "eff",
            analysis="ia1",
            population=pid,
            endpoint="PFS",
            measure="median",
            **inv,
        )
        b.eff(node["os_hr"], analysis="ia1", population=pid, endpoint="OS", measure="hr", **hr)
        b.eff(
            node["pfs_hr"],
            analysis="ia1",
            population=pid,
            endpoint="PFS",
            measure="hr",
            **hr,
            **inv,
        )
        per_arm(b, node["orr"], ARMS, "resp", analysis="ia1", population=pid, category="ORR")
    sa = ia["safety_all_histologies"]
    per_arm(
        b,
        sa["trae_g3_5"],
        ARMS,
        "ae",
        analysis="ia1",
        term="Treatment-related AEs (all histologies)",
        summary_item="any_event",
        category="treatment-related",
        grade_band="3-5",
    )
    for key, term, item, band in (
        ("trae_any_grade", "Treatment-related AEs (all histologies)", "any_event", "any"),
        (
            "discontinuation_trae",
            "TRAEs leading to discontinuation (all histologies)",
            "leading_to_discontinuation",
            "any",
        ),
    ):
        for arm_id in ARMS.values():
            b.ae(
                sa[key],
                analysis="ia1",
                arm=arm_id,
                term=term,
                summary_item=item,
                category="treatment-related",
                grade_band=band,
            )
    node = u["all_randomized_all_histologies"]
    per_arm(
        b,
        node["os_median"],
        ARMS,
        "eff",
        analysis="update_5y",
        population="itt_all",
        endpoint="OS",
        measure="median",
    )
    b.eff(
        node["os_hr"], analysis="update_5y", population="itt_all", endpoint="OS", measure="hr", **hr
    )
    per_arm(
        b,
        node["os_rate_60mo"],
        ARMS,
        "eff",
        analysis="update_5y",
        population="itt_all",
        endpoint="OS",
        measure="landmark",
        timepoint_months=60,
    )
    per_arm(
        b,
        node["pfs_median"],
        ARMS,
        "eff",
        analysis="update_5y",
        population="itt_all",
        endpoint="PFS",
        measure="median",
        **inv,
    )
    b.eff(
        node["pfs_hr"],
        analysis="update_5y",
        population="itt_all",
        endpoint="PFS",
        measure="hr",
        **hr,
        **inv,
    )
    per_arm(
        b,
        node["pfs_rate_60mo"],
        ARMS,
        "eff",
        analysis="update_5y",
        population="itt_all",
        endpoint="PFS",
        measure="landmark",
        timepoint_months=60,
        **inv,
    )
    us = u["safety_all_histologies"]
    per_arm(
        b,
        us["trae_g3_5"],
        ARMS,
        "ae",
        analysis="update_5y",
        term="Treatment-related AEs (all histologies)",
        summary_item="any_event",
        category="treatment-related",
        grade_band="3-5",
    )
    per_arm(
        b,
        us["treatment_related_deaths"],
        ARMS,
        "ae",
        analysis="update_5y",
        term="Treatment-related deaths (all histologies)",
        summary_item="leading_to_death",
        category="treatment-related",
        grade_band="5",
    )
    b.fact(
        {"value": 94.7, "unit": "%", "source": "KN590_5Y", "where": "Results"},
        section="disposition",
        item="Discontinued treatment for any reason (both arms pooled)",
        analysis="update_5y",
        over={"n": 701, "N": 740, "as_printed": us["treatment_discontinued_any_reason"]["value"]},
    )
    b.fact(
        {"value": 60.7, "unit": "%", "source": "KN590_5Y", "where": "Results"},
        section="disposition",
        item="Discontinued treatment because of progressive disease (both arms pooled)",
        analysis="update_5y",
        over={"n": 449, "N": 740, "as_printed": us["treatment_discontinued_any_reason"]["value"]},
    )
    ps = y["pdl1_scoring"]
    b.fact(
        ps["cps_ge10_n_all_histologies"],
        section="population_size",
        item="Patients with CPS >=10, all histologies (both arms)",
        population="cps_ge10_all",
    )
    n2 = ps["escc_cps_ge10_n_per_arm"]
    for yarm, arm_id in ARMS.items():
        b.fact(
            {"value": n2["value"][yarm], "source": n2["source"], "where": n2["where"]},
            section="population_size",
            item="ESCC patients with CPS >=10",
            arm=arm_id,
            population="escc_cps_ge10",
            over={
                "curation_note": "Meta-analysis table row; its footnote is not visible. The "
                "HRs on the same row equal the published ESCC-subgroup HRs, so the sizes are "
                "read as the ESCC CPS >=10 subgroup - unverified."
            },
        )
    labels = {
        "pembro_chemo": "pembrolizumab+cisplatin/5-FU",
        "placebo_chemo": "placebo+cisplatin/5-FU",
    }
    groups = {"pembro_chemo": "1", "placebo_chemo": "0"}
    for endpoint in ("OS", "PFS"):
        for arm_id, label in labels.items():
            ds = f"keynote590_{endpoint.lower()}_itt-allhist"
            _, src = b.figure_events(ds, groups[arm_id])
            curve(
                b,
                trial="KEYNOTE-590",
                endpoint=endpoint,
                population_csv="itt-allhist",
                population="itt_all",
                arm_label=label,
                arm_id=arm_id,
                analysis="ia1",
                ref="sun2021_lancet",
                events=figure_events(
                    b,
                    ds,
                    groups[arm_id],
                    "sun2021_lancet",
                    derived="N randomised minus the cumulative censored count "
                    "printed at the last time point of the figure: " + src.split(":")[-1].strip(),
                ),
            )
    gaps = [
        ("Interim-analysis data cut-off", "date not captured", "ia1"),
        ("ESCC N per arm", "not captured", None),
        (
            "ESCC CPS >=10 PFS and ORR; ESCC CPS <10 and CPS <1",
            "not captured (only pooled meta-analytic estimates seen)",
            "ia1",
        ),
        ("ESCC 5-year results", "in the abstract's table, not captured", "update_5y"),
        ("AEs by term", "not found in the sources consulted", None),
        (
            "Numbers at risk for the ESCC subgroup",
            "only the all-histology figure was curated",
            "ia1",
        ),
    ]
    for topic, reason, analysis in gaps:
        b.gap(topic, reason, analysis)
    return b


# ------------------------------------------------------------------------------------------
def jupiter06() -> Builder:
    y = P3["jupiter_06"]
    b = Builder("jupiter06", {})
    p3_publications(
        b,
        [
            "JUP06_CC_ABS",
            "JUP06_ESMO21",
            "JUP06_TARGETEDONC",
            "JUP06_CSCO",
            "JUP06_WU_JCO",
            "ESMOOPEN2022_MA_T1",
        ],
        extra={"JUP06_CSCO": {"reports_on_doi": "10.1016/j.ccell.2022.02.007"}},
    )
    b.add(
        "publications",
        {
            "key": "wang2022_cancercell",
            "citation": "Wang ZX et al. Cancer Cell 2022;40:277-288",
            "year": 2022,
            "level": "primary publication",
            "kind": "full article figures (numbers at risk and event counts curated in ../shared/sources, checked against the figure images)",
            "doi": "10.1016/j.ccell.2022.02.007",
            "pmid": "35245446",
        },
    )
    common_header(
        b,
        y,
        "jupiter06",
        "JUPITER-06",
        "Toripalimab + paclitaxel/cisplatin vs placebo + paclitaxel/cisplatin (JUPITER-06)",
    )
    b.tables["region"] = b.text(y["population"], text="China")
    b.add(
        "pd_l1",
        {
            "scoring_system": "TPS",
            "assay": "JS311",
            "role": "exploratory",
            "text": y["pdl1_scoring"]["system"]["value"],
            "ref": "jup06_wu_jco",
            "locator": y["pdl1_scoring"]["system"]["where"],
        },
    )
    arm(
        b,
        y,
        "tori_tp",
        "tori_tp",
        "ICI+chemo",
        "experimental",
        ["toripalimab", "paclitaxel", "cisplatin"],
    )
    arm(
        b,
        y,
        "placebo_tp",
        "placebo_tp",
        "placebo+chemo",
        "control",
        ["placebo", "paclitaxel", "cisplatin"],
    )
    pr = y["analyses"]["primary"]
    b.add(
        "analyses",
        {
            "id": "primary",
            "kind": "primary",
            "label": pr["label"],
            "refs": ["jup06_cc_abs", "jup06_esmo21", "wang2022_cancercell"],
            "data_cutoff": {
                "date": pr["data_cutoff"]["value"],
                "ref": "jup06_esmo21",
                "locator": pr["data_cutoff"]["where"],
            },
            "note": "median follow-up is reported per arm (facts)",
        },
    )
    pop(b, "itt", "itt", "All randomised patients")
    ARMS = {"tori_tp": "tori_tp", "placebo_tp": "placebo_tp"}
    for yarm, arm_id in ARMS.items():
        b.fact(
            {
                "value": pr["follow_up"]["value"][yarm],
                "unit": "months",
                "source": pr["follow_up"]["source"],
                "where": pr["follow_up"]["where"],
            },
            section="other",
            item="Median follow-up",
            arm=arm_id,
            analysis="primary",
        )
    a = pr["all_randomized"]
    hr = {"arm": "tori_tp", "comparator": "placebo_tp", "analysis": "primary", "population": "itt"}
    base = {"analysis": "primary", "population": "itt"}
    per_arm(b, a["os_median"], ARMS, "eff", **base, endpoint="OS", measure="median", headline=True)
    b.eff(a["os_hr"], **hr, endpoint="OS", measure="hr")
    per_arm(
        b,
        a["os_rate_12mo"],
        ARMS,
        "eff",
        **base,
        endpoint="OS",
        measure="landmark",
        timepoint_months=12,
    )
    per_arm(
        b,
        a["pfs_median"],
        ARMS,
        "eff",
        **base,
        endpoint="PFS",
        measure="median",
        headline=True,
        assessor="BICR",
    )
    b.eff(a["pfs_hr"], **hr, endpoint="PFS", measure="hr", assessor="BICR")
    per_arm(
        b,
        a["pfs_rate_12mo"],
        ARMS,
        "eff",
        **base,
        endpoint="PFS",
        measure="landmark",
        timepoint_months=12,
    )
    for arm_id in ARMS.values():
        b.resp(a["orr"], analysis="primary", arm=arm_id, population="itt", category="ORR")
    b.add(
        "statements",
        {
            "topic": "PD-L1 subgroups",
            "text": a["pdl1_subgroups"]["value"],
            "ref": "jup06_esmo21",
            "locator": a["pdl1_subgroups"]["where"],
            "analysis": "primary",
        },
    )
    s = pr["safety"]
    rows = (
        ("teae_g3plus", "Adverse events (all-cause)", "any_event", "all-cause", ">=3"),
        ("fatal_ae", "Fatal adverse events (all-cause)", "leading_to_death", "all-cause", "5"),
        (
            "ae_leading_to_discontinuation_of_tori_or_placebo",
            "AEs leading to discontinuation of toripalimab/placebo",
            "leading_to_discontinuation",
            "all-cause",
            "any",
        ),
        ("irae_any", "Immune-related AEs", "any_event", "immune-related", "any"),
        ("irae_g3plus", "Immune-related AEs", "any_event", "immune-related", ">=3"),
    )
    for key, term, item, cat, band in rows:
        per_arm(
            b,
            s[key],
            ARMS,
            "ae",
            analysis="primary",
            term=term,
            summary_item=item,
            category=cat,
            grade_band=band,
        )
    for arm_id in ARMS.values():
        b.ae(
            s["trae_rates"],
            analysis="primary",
            arm=arm_id,
            term="Treatment-related AEs",
            summary_item="any_event",
            category="treatment-related",
            grade_band="any",
        )
    labels = {
        "tori_tp": "toripalimab+paclitaxel/cisplatin",
        "placebo_tp": "placebo+paclitaxel/cisplatin",
    }
    groups = {"tori_tp": "1", "placebo_tp": "0"}
    for endpoint in ("OS", "PFS"):
        for arm_id, label in labels.items():
            curve(
                b,
                trial="JUPITER-06",
                endpoint=endpoint,
                population_csv="itt",
                population="itt",
                arm_label=label,
                arm_id=arm_id,
                analysis="primary",
                ref="wang2022_cancercell",
                events=figure_events(
                    b, f"jupiter06_{endpoint.lower()}_itt", groups[arm_id], "wang2022_cancercell"
                ),
            )
    gaps = [
        ("ORR, CR/PR counts, DCR, DoR", "not captured", "primary"),
        ("Treatment-related AE rates and AEs by term", "not captured", "primary"),
        (
            "PD-L1 subgroup sizes (meta-analysis table: 115 vs 97 CPS>=10; 201 vs 200 '>=1', scoring not visible)",
            "footnote with the scoring system not visible; not stored as a population",
            None,
        ),
        (
            "Trial-level HRs by TPS (Wu JCO 2022 post hoc)",
            "abstract truncated before trial-level numbers",
            None,
        ),
        (
            "Final OS analysis (ESMO Asia 2025)",
            "known only from a company press release at an "
            "http-only address (no DOI, PMID or https link); not stored",
            None,
        ),
    ]
    for topic, reason, analysis in gaps:
        b.gap(topic, reason, analysis)
    return b


# ------------------------------------------------------------------------------------------
def orient15() -> Builder:
    y = P3["orient_15"]
    b = Builder("orient15", {})
    p3_publications(
        b,
        [
            "OR15_BMJ_T1",
            "OR15_BMJ_T2",
            "OR15_BMJ_T3",
            "OR15_BMJ_ABS",
            "OR15_BMJ_METHODS",
            "OR15_LARVOL",
            "OR15_ESMO21",
            "OR15_REG",
        ],
    )
    b.add(
        "publications",
        {
            "key": "lu2022_bmj",
            "citation": "Lu Z et al. BMJ 2022;377:e068714",
            "year": 2022,
            "level": "primary publication",
            "kind": "full article figures (numbers at risk, censored counts and events curated in ../shared/sources, checked against the figure images)",
            "doi": "10.1136/bmj-2021-068714",
            "pmid": "35440464",
            "license": "open access (BMJ)",
        },
    )
    common_header(
        b,
        y,
        "orient15",
        "ORIENT-15",
        "Sintilimab + chemotherapy vs placebo + chemotherapy (ORIENT-15)",
    )
    b.tables["region"] = b.text(y["design"], text="China (66 sites) and 13 sites outside China")
    for system, role in (("CPS", "primary population"), ("TPS", "subgroup")):
        b.add(
            "pd_l1",
            {
                "scoring_system": system,
                "assay": "22C3",
                "cutoffs": [1, 5, 10],
                "role": role,
                "text": y["pdl1_scoring"]["system"]["value"],
                "ref": "or15_bmj_methods",
                "locator": y["pdl1_scoring"]["system"]["where"],
            },
        )
    arm(
        b,
        y,
        "sint_chemo",
        "sint_chemo",
        "ICI+chemo",
        "experimental",
        ["sintilimab", "cisplatin", "paclitaxel or fluorouracil"],
    )
    arm(
        b,
        y,
        "placebo_chemo",
        "placebo_chemo",
        "placebo+chemo",
        "control",
        ["placebo", "cisplatin", "paclitaxel or fluorouracil"],
    )
    ARMS = {"sint_chemo": "sint_chemo", "placebo_chemo": "placebo_chemo"}
    for yarm, arm_id in ARMS.items():
        cb = y["arms"][yarm]["chemo_backbone_n"]
        for reg, label in (
            ("cisplatin_paclitaxel", "Chemotherapy regimen: cisplatin + paclitaxel"),
            ("cisplatin_5fu", "Chemotherapy regimen: cisplatin + 5-FU"),
        ):
            b.fact(
                {"value": cb["value"][reg], "source": cb["source"], "where": cb["where"]},
                section="baseline",
                item=label,
                arm=arm_id,
                over={"N": None},
            )
    an = y["analyses"]
    it = an["interim"]
    b.add(
        "analyses",
        {
            "id": "interim",
            "kind": "interim",
            "label": it["label"],
            "refs": ["or15_esmo21", "or15_bmj_t2", "lu2022_bmj"],
            "data_cutoff": {
                "date": it["data_cutoff"]["value"],
                "ref": "or15_esmo21",
                "locator": it["data_cutoff"]["where"],
            },
            "follow_up_kind": "median",
            "follow_up": b.leaf(it["follow_up"]),
            "note": "BMJ abstract 'Setting' gives the study period 14 Dec 2018 - 9 Apr 2021 (not an accrual window)",
        },
    )
    fi = an["final"]
    b.add(
        "analyses",
        {
            "id": "final",
            "kind": "final",
            "label": fi["label"],
            "refs": ["or15_larvol"],
            "data_cutoff": {"status": "not_reported", "reason": fi["data_cutoff"]["reason"]},
        },
    )
    pop(b, "itt", "itt", "All randomised patients")
    sub = y["pdl1_scoring"]["subgroup_n"]
    for key, node in sub.items():
        system, rest = key.split("_")
        op = "<" if rest.startswith("lt") else ">="
        cut = int(rest[2:])
        pid = key
        pop(
            b,
            pid,
            "pdl1",
            f"PD-L1 {system.upper()} {op}{cut} (22C3)",
            scoring_system=system.upper(),
            assay="22C3",
            operator=op,
            cutoff=cut,
        )
        for yarm, arm_id in ARMS.items():
            b.fact(
                {"value": node["value"][yarm], "source": node["source"], "where": node["where"]},
                section="population_size",
                item=f"Patients with {system.upper()} {op}{cut}",
                arm=arm_id,
                population=pid,
            )
    hr = {"arm": "sint_chemo", "comparator": "placebo_chemo", "analysis": "interim"}
    inv = {"assessor": "investigator"}
    for pid, node in (("itt", it["all_randomized"]), ("cps_ge10", it["cps_ge10"])):
        head = pid == "itt"
        base = {"analysis": "interim", "population": pid}
        per_arm(
            b,
            node["os_median"],
            ARMS,
            "eff",
            **base,
            endpoint="OS",
            measure="median",
            headline=head,
        )
        b.eff(node["os_hr"], **hr, population=pid, endpoint="OS", measure="hr")
        per_arm(
            b,
            node["pfs_median"],
            ARMS,
            "eff",
            **base,
            endpoint="PFS",
            measure="median",
            headline=head,
            **inv,
        )
        b.eff(node["pfs_hr"], **hr, population=pid, endpoint="PFS", measure="hr", **inv)
        R = {**base, "confirmed": True, "assessor": "investigator", "criteria": "RECIST 1.1"}
        for yarm, arm_id in ARMS.items():
            b.resp(node["orr_confirmed"][yarm], **R, arm=arm_id, category="ORR", headline=head)
            for cat_key, cat in (
                ("cr", "CR"),
                ("pr", "PR"),
                ("sd", "SD"),
                ("pd", "PD"),
                ("not_assessable", "NE"),
            ):
                b.resp(
                    node["best_response"][yarm][cat_key],
                    **R,
                    arm=arm_id,
                    category=cat,
                    over={"N": node["orr_confirmed"][yarm]["N"]},
                )
            b.resp(node["dcr_confirmed"][yarm], **R, arm=arm_id, category="DCR")
            b.eff(
                node["dor_median"][yarm],
                **base,
                arm=arm_id,
                endpoint="DoR",
                measure="median",
                **inv,
            )
            b.resp(
                node["orr_esmo_abstract"][yarm],
                **base,
                arm=arm_id,
                category="ORR",
                confirmed=None,
                over={
                    "curation_note": "ESMO 2021 LBA52 figure; conflicts with the BMJ confirmed "
                    "ORR and is probably based on unconfirmed responses. Kept separate (confirmed = not stated)."
                },
            )
            if "dor_median_esmo_abstract" in node:
                b.eff(
                    node["dor_median_esmo_abstract"][yarm],
                    **base,
                    arm=arm_id,
                    endpoint="DoR",
                    measure="median",
                    over={
                        "curation_note": "ESMO 2021 abstract value; differs from BMJ Table 2 "
                        "(probably a different response definition)."
                    },
                )
        b.resp(
            node["orr_confirmed"]["difference"],
            **R,
            arm="sint_chemo",
            comparator="placebo_chemo",
            category="ORR",
            measure="difference",
        )
    b.add(
        "statements",
        {
            "topic": "response assessment",
            "text": it["all_randomized"]["response_assessment"]["value"],
            "ref": "or15_bmj_t2",
            "locator": it["all_randomized"]["response_assessment"]["where"],
            "analysis": "interim",
        },
    )
    s = it["safety"]
    for key, term, item, band in (
        ("trae_any_grade", "Treatment-related AEs", "any_event", "any"),
        ("trae_g3plus", "Treatment-related AEs", "any_event", ">=3"),
        (
            "discontinuation_trae",
            "TRAEs leading to discontinuation",
            "leading_to_discontinuation",
            "any",
        ),
        ("treatment_related_deaths", "Treatment-related deaths", "leading_to_death", "5"),
    ):
        per_arm(
            b,
            s[key],
            ARMS,
            "ae",
            analysis="interim",
            term=term,
            summary_item=item,
            category="treatment-related",
            grade_band=band,
        )
    names = {
        "any_trae": "Any TRAE",
        "anaemia": "Anaemia",
        "white_blood_cell_count_decreased": "White blood cell count decreased",
        "nausea": "Nausea",
        "vomiting": "Vomiting",
        "neutrophil_count_decreased": "Neutrophil count decreased",
        "alopecia": "Alopecia",
        "asthenia": "Asthenia",
        "decreased_appetite": "Decreased appetite",
        "hypoaesthesia": "Hypoaesthesia",
        "platelet_count_decreased": "Platelet count decreased",
        "weight_decreased": "Weight decreased",
        "hypothyroidism": "Hypothyroidism",
        "rash": "Rash",
        "diarrhoea": "Diarrhoea",
        "alt_increased": "ALT increased",
        "hypophagia": "Hypophagia",
        "lymphocyte_count_decreased": "Lymphocyte count decreased",
        "hypokalaemia": "Hypokalaemia",
        "hyponatraemia": "Hyponatraemia",
        "abnormal_hepatic_function": "Abnormal hepatic function",
        "neurotoxicity": "Neurotoxicity",
        "immune_mediated_lung_disease": "Immune-mediated lung disease",
        "blood_pressure_increased": "Blood pressure increased",
        "pneumonia": "Pneumonia",
        "febrile_neutropenia": "Febrile neutropenia",
        "acute_kidney_injury": "Acute kidney injury",
    }
    bt = s["by_term"]
    if set(bt) != set(names):
        raise SystemExit(f"ORIENT-15 term list mismatch: {set(bt) ^ set(names)}")
    threshold = "Table 3 inclusion rule not recorded in the curated sources"
    for key, term in names.items():
        node = bt[key]
        for yarm, arm_id in ARMS.items():
            g = node[yarm]
            N = g["N"]
            common = {
                "analysis": "interim",
                "arm": arm_id,
                "term": term,
                "category": "treatment-related",
                "reporting_threshold": threshold,
                "summary_item": "any_event" if key == "any_trae" else None,
            }
            for col, band in (
                ("grade_1_2", "1-2"),
                ("grade_3", "3"),
                ("grade_4", "4"),
                ("grade_5", "5"),
            ):
                b.ae(
                    {
                        "value": g[col],
                        "unit": "count",
                        "source": node["source"],
                        "where": "Table 3 (grade columns, as printed)",
                    },
                    **common,
                    grade_band=band,
                    over={"n": g[col], "N": N},
                )
            b.ae(
                {
                    "value": g["any_grade_pct"],
                    "unit": "%",
                    "source": node["source"],
                    "where": "Table 3 (sum of the grade columns)",
                },
                **common,
                grade_band="any",
                over={
                    "n": g["any_grade_n"],
                    "N": N,
                    "derived": True,
                    "derivation": f"{g['grade_1_2']} + {g['grade_3']} + {g['grade_4']} + "
                    f"{g['grade_5']} = {g['any_grade_n']}; {g['any_grade_n']}/{N}",
                },
            )
            b.ae(
                {
                    "value": g["grade_3plus_pct"],
                    "unit": "%",
                    "source": node["source"],
                    "where": "Table 3 (sum of the grade 3-5 columns)",
                },
                **common,
                grade_band=">=3",
                over={
                    "n": g["grade_3plus_n"],
                    "N": N,
                    "derived": True,
                    "derivation": f"{g['grade_3']} + {g['grade_4']} + {g['grade_5']} = "
                    f"{g['grade_3plus_n']}; {g['grade_3plus_n']}/{N}",
                },
            )
    b.notes.append(s["safety_population_note"])
    for pid, node in (("itt", fi["all_randomized"]), ("cps_ge10", fi["cps_ge10"])):
        per_arm(
            b,
            node["os_median"],
            ARMS,
            "eff",
            analysis="final",
            population=pid,
            endpoint="OS",
            measure="median",
        )
        b.eff(
            node["os_hr"],
            arm="sint_chemo",
            comparator="placebo_chemo",
            analysis="final",
            population=pid,
            endpoint="OS",
            measure="hr",
        )
    labels = {"sint_chemo": "sintilimab+chemo", "placebo_chemo": "placebo+chemo"}
    groups = {"sint_chemo": "1", "placebo_chemo": "0"}
    for endpoint in ("OS", "PFS"):
        for arm_id, label in labels.items():
            curve(
                b,
                trial="ORIENT-15",
                endpoint=endpoint,
                population_csv="itt",
                population="itt",
                arm_label=label,
                arm_id=arm_id,
                analysis="interim",
                ref="lu2022_bmj",
                events=figure_events(
                    b, f"orient15_{endpoint.lower()}_itt", groups[arm_id], "lu2022_bmj"
                ),
            )
    gaps = [
        (
            "BMJ-printed OS HR CIs and BMJ median follow-up",
            "not captured (ESMO 2021 3-decimal values used)",
            "interim",
        ),
        (
            "Forest-plot subgroup HRs (CPS <10, CPS <1, TPS cut-offs)",
            "figure image only, not captured as text",
            "interim",
        ),
        ("Final-analysis CIs and data cut-off", "not found in the sources consulted", "final"),
    ]
    for topic, reason, analysis in gaps:
        b.gap(topic, reason, analysis)
    return b


# ------------------------------------------------------------------------------------------
def escort1st() -> Builder:
    y = P3["escort_1st"]
    b = Builder("escort1st", {})
    jama = "10.1001/jama.2021.12836"
    p3_publications(
        b,
        [
            "ESC1_JAMA_ABS",
            "ESC1_KEYPOINTS",
            "ESC1_ARTSENKRANT",
            "ESC1_FINAL",
            "ESC1_JHOP",
            "WJGO2025_T1",
            "ESMOOPEN2022_MA_T1",
        ],
        extra={
            "ESC1_KEYPOINTS": {"reports_on_doi": jama},
            "ESC1_JHOP": {"reports_on_doi": jama},
            "ESC1_ARTSENKRANT": {"reports_on_doi": jama},
        },
    )
    b.add(
        "publications",
        {
            "key": "luo2021_jama",
            "citation": "Luo H et al. JAMA 2021;326:916-925",
            "year": 2021,
            "level": "primary publication",
            "kind": "full article figures and text (numbers at risk and deaths/events curated in ../shared/sources, checked against the figure images)",
            "doi": jama,
            "pmid": "34519801",
        },
    )
    common_header(
        b,
        y,
        "escort1st",
        "ESCORT-1st",
        "Camrelizumab + paclitaxel/cisplatin vs placebo + paclitaxel/cisplatin (ESCORT-1st)",
    )
    b.tables["region"] = b.text(y["design"], text="China (60 hospitals)")
    b.add(
        "pd_l1",
        {
            "scoring_system": "TPS",
            "assay": "6E8",
            "cutoffs": [1],
            "role": "subgroup",
            "text": y["pdl1_scoring"]["system"]["value"],
            "assay_note": "scoring system and antibody named only by a secondary source (WJGO 2025 Table 1)",
            "ref": "wjgo2025_t1",
            "locator": y["pdl1_scoring"]["system"]["where"],
        },
    )
    arm(
        b,
        y,
        "cam_chemo",
        "cam_chemo",
        "ICI+chemo",
        "experimental",
        ["camrelizumab", "paclitaxel", "cisplatin"],
    )
    arm(
        b,
        y,
        "placebo_chemo",
        "placebo_chemo",
        "placebo+chemo",
        "control",
        ["placebo", "paclitaxel", "cisplatin"],
    )
    ARMS = {"cam_chemo": "cam_chemo", "placebo_chemo": "placebo_chemo"}
    an = y["analyses"]
    it, fi = an["interim"], an["final"]
    b.add(
        "analyses",
        {
            "id": "interim",
            "kind": "interim",
            "label": it["label"],
            "refs": ["esc1_jama_abs", "esc1_artsenkrant", "luo2021_jama"],
            "data_cutoff": {
                "date": it["data_cutoff"]["value"],
                "ref": "esc1_jama_abs",
                "locator": it["data_cutoff"]["where"],
            },
            "accrual": {
                "start": "2018-12-03",
                "end": "2020-05-12",
                "ref": "esc1_jama_abs",
                "locator": y["population"]["where"],
            },
            "follow_up_kind": "median",
            "follow_up": b.leaf(it["follow_up"], range=[7.3, 14.3], range_kind="IQR"),
        },
    )
    b.add(
        "analyses",
        {
            "id": "final",
            "kind": "final",
            "label": fi["label"],
            "refs": ["esc1_final"],
            "data_cutoff": {
                "date": fi["data_cutoff"]["value"],
                "ref": "esc1_final",
                "locator": fi["data_cutoff"]["where"],
            },
            "follow_up_kind": "minimum",
            "follow_up": b.leaf(fi["follow_up"]),
        },
    )
    pop(b, "itt", "itt", "All randomised patients")
    pop(
        b,
        "tps_ge1",
        "pdl1",
        "PD-L1 TPS >=1% (6E8)",
        scoring_system="TPS",
        assay="6E8",
        operator=">=",
        cutoff=1,
    )
    hr = {"arm": "cam_chemo", "comparator": "placebo_chemo"}
    a = it["all_randomized"]
    base = {"analysis": "interim", "population": "itt"}
    for yarm, arm_id in ARMS.items():
        b.eff(
            a["deaths"][yarm],
            **base,
            arm=arm_id,
            endpoint="OS",
            measure="events",
            over={
                "value": a["deaths"][yarm]["value"],
                "unit": "count",
                "n": a["deaths"][yarm]["value"],
                "N": 298,
                "as_printed": f"{a['deaths'][yarm]['value']} ({a['deaths'][yarm]['unit'].split('(')[1]}",
            },
        )
        b.eff(
            a["pfs_events"][yarm],
            **base,
            arm=arm_id,
            endpoint="PFS",
            measure="events",
            over={
                "value": a["pfs_events"][yarm]["value"],
                "unit": "count",
                "n": a["pfs_events"][yarm]["value"],
                "N": 298,
                "as_printed": f"{a['pfs_events'][yarm]['value']} ({a['pfs_events'][yarm]['unit'].split('(')[1]}",
            },
        )
    per_arm(b, a["os_median"], ARMS, "eff", **base, endpoint="OS", measure="median", headline=True)
    b.eff(a["os_hr"], **base, **hr, endpoint="OS", measure="hr")
    for yarm, arm_id in ARMS.items():
        for t in ("6mo", "12mo", "18mo"):
            b.eff(
                a["os_rate"][yarm][t],
                **base,
                arm=arm_id,
                endpoint="OS",
                measure="landmark",
                timepoint_months=int(t[:-2]),
            )
    per_arm(
        b,
        a["pfs_median"],
        ARMS,
        "eff",
        **base,
        endpoint="PFS",
        measure="median",
        headline=True,
        assessor="IRC",
    )
    b.eff(a["pfs_hr"], **base, **hr, endpoint="PFS", measure="hr", assessor="IRC")
    per_arm(b, a["orr"], ARMS, "resp", **base, category="ORR", headline=True)
    t = it["pdl1_tps_ge1"]
    per_arm(
        b,
        t["os_median"],
        ARMS,
        "eff",
        analysis="interim",
        population="tps_ge1",
        endpoint="OS",
        measure="median",
    )
    b.eff(
        t["os_hr"],
        analysis="interim",
        population="tps_ge1",
        **hr,
        endpoint="OS",
        measure="hr",
        over={
            "curation_note": "The review prints 'P = 0.32' next to this HR, which is "
            "implausible for a CI excluding 1; the p-value is treated as an error and not stored."
        },
    )
    s = it["safety"]
    per_arm(
        b,
        s["trae_any_grade"],
        ARMS,
        "ae",
        analysis="interim",
        term="Treatment-related AEs",
        summary_item="any_event",
        category="treatment-related",
        grade_band="any",
    )
    for key, term, item, band in (
        ("trae_g3plus", "Treatment-related AEs", "any_event", ">=3"),
        (
            "discontinuation_trae",
            "TRAEs leading to discontinuation",
            "leading_to_discontinuation",
            "any",
        ),
        ("treatment_related_deaths", "Treatment-related deaths", "leading_to_death", "5"),
    ):
        for arm_id in ARMS.values():
            b.ae(
                s[key],
                analysis="interim",
                arm=arm_id,
                term=term,
                summary_item=item,
                category="treatment-related",
                grade_band=band,
            )
    f = fi["all_randomized"]
    base = {"analysis": "final", "population": "itt"}
    for yarm, arm_id in ARMS.items():
        b.eff(
            f["deaths"][yarm],
            **base,
            arm=arm_id,
            endpoint="OS",
            measure="events",
            over={
                "value": f["deaths"][yarm]["value"],
                "unit": "count",
                "n": f["deaths"][yarm]["value"],
                "N": 298,
                "as_printed": f"{f['deaths'][yarm]['value']} ({f['deaths'][yarm]['unit'].split('(')[1]}",
            },
        )
    per_arm(b, f["os_median"], ARMS, "eff", **base, endpoint="OS", measure="median")
    b.eff(f["os_hr"], **base, **hr, endpoint="OS", measure="hr", over={"p": "<0.0001 (one-sided)"})
    for yarm, arm_id in ARMS.items():
        for tp in ("12mo", "24mo", "36mo"):
            b.eff(
                f["os_rate"][yarm][tp],
                **base,
                arm=arm_id,
                endpoint="OS",
                measure="landmark",
                timepoint_months=int(tp[:-2]),
            )
    labels = {
        "cam_chemo": "camrelizumab+paclitaxel/cisplatin",
        "placebo_chemo": "placebo+paclitaxel/cisplatin",
    }
    groups = {"cam_chemo": "1", "placebo_chemo": "0"}
    for endpoint in ("OS", "PFS"):
        for arm_id, label in labels.items():
            curve(
                b,
                trial="ESCORT-1st",
                endpoint=endpoint,
                population_csv="itt",
                population="itt",
                arm_label=label,
                arm_id=arm_id,
                analysis="interim",
                ref="luo2021_jama",
                events=figure_events(
                    b, f"escort1st_{endpoint.lower()}_itt", groups[arm_id], "luo2021_jama"
                ),
            )
    ss = s["safety_population_n"]
    for yarm, arm_id in ARMS.items():
        b.fact(
            {"value": ss["value"][yarm], "source": ss["source"], "where": ss["where"]},
            section="population_size",
            item="Safety population",
            arm=arm_id,
            analysis="interim",
        )
    ps = y["pdl1_scoring"]
    b.fact(
        ps["tps_ge1_n_total"],
        section="population_size",
        item="Patients with TPS >=1% (both arms)",
        population="tps_ge1",
    )
    gaps = [
        ("DoR, DCR, CR counts", "not found in the sources consulted", "interim"),
        ("TPS <1% results", "not found in the sources consulted", "interim"),
        ("Final-analysis PFS, ORR and safety", "remainder of the abstract truncated", "final"),
        (
            "PD-L1 >=1 per-arm sizes (meta-analysis table: 104 vs 98)",
            "conflicts with n=329 for TPS >=1% in another review; footnote not visible; not stored",
            None,
        ),
        ("AEs by term", "not found in the sources consulted", None),
    ]
    for topic, reason, analysis in gaps:
        b.gap(topic, reason, analysis)
    return b


if __name__ == "__main__":
    for fn in (checkmate648, keynote590, jupiter06, orient15, escort1st):
        print(fn().write())
