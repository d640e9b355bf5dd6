# ruff: noqa: E501 - one-off transcription script; long literal strings (URLs, quotes) kept whole
"""RATIONALE-306, ASTRUM-007, GEMSTONE-304, SKYSCRAPER-08 (no at-risk tables in the sources)."""

from __future__ import annotations

from typing import Any

from lib import P3, Builder, p3_publications
from phase3_atrisk import arm, common_header, per_arm, pop


def rationale306() -> Builder:
    y = P3["rationale_306"]
    b = Builder("rationale306", {})
    p3_publications(
        b,
        [
            "R306_LANCETONC_ABS",
            "R306_BJMO",
            "R306_LA_NEWS",
            "R306_JPN_ABS",
            "R306_PDL1_ESMOGI24",
            "R306_YOON",
            "R306_TTR",
            "R306_EUCTR",
            "R306_FDA_LABEL",
            "R306_EMA_SMPC",
        ],
    )
    common_header(
        b,
        y,
        "rationale306",
        "RATIONALE-306",
        "Tislelizumab + chemotherapy vs placebo + chemotherapy (RATIONALE-306)",
    )
    b.tables["region"] = b.text(
        y["design"], text="Global (162 centres in Asia, Europe, Oceania, North America)"
    )
    b.header["pd_l1_note"] = (
        "PD-L1 by TAP score (regulatory cut-offs: FDA PD-L1 >=1, EMA TAP >=5%); "
        "CPS scored retrospectively. Assay not named in the curated sources."
    )
    ps = y["pdl1_scoring"]
    b.add(
        "pd_l1",
        {
            "scoring_system": "TAP",
            "cutoffs": [1, 5, 10],
            "role": "subgroup",
            "text": ps["system"]["value"],
            "ref": "r306_fda_label",
            "locator": ps["system"]["where"],
        },
    )
    b.add(
        "pd_l1",
        {
            "scoring_system": "CPS",
            "cutoffs": [1, 5, 10],
            "role": "exploratory",
            "text": "retrospective CPS scoring",
            "ref": "r306_fda_label",
            "locator": ps["system"]["where"],
        },
    )
    for key, label in (("FDA", "FDA label cut-off"), ("EMA", "EMA label cut-off")):
        b.add(
            "statements",
            {
                "topic": label,
                "text": ps["regulatory_cutoffs"]["value"][key],
                "ref": "r306_fda_label" if key == "FDA" else "r306_ema_smpc",
                "locator": "label statement",
            },
        )
    arm(
        b,
        y,
        "tisle_chemo",
        "tisle_chemo",
        "ICI+chemo",
        "experimental",
        ["tislelizumab", "platinum", "fluoropyrimidine or paclitaxel"],
    )
    arm(
        b,
        y,
        "placebo_chemo",
        "placebo_chemo",
        "placebo+chemo",
        "control",
        ["placebo", "platinum", "fluoropyrimidine or paclitaxel"],
    )
    an = y["analyses"]
    it, u3 = an["interim"], an["update_3y"]
    b.add(
        "analyses",
        {
            "id": "interim",
            "kind": "interim",
            "label": it["label"],
            "refs": ["r306_lancetonc_abs", "r306_bjmo", "r306_yoon"],
            "data_cutoff": {"status": "not_reported", "reason": it["data_cutoff"]["reason"]},
            "follow_up": {"status": "not_reported", "reason": it["follow_up"]["reason"]},
        },
    )
    b.add(
        "analyses",
        {
            "id": "update_3y",
            "kind": "update",
            "label": u3["label"],
            "refs": ["r306_jpn_abs", "r306_pdl1_esmogi24", "r306_bjmo", "r306_la_news", "r306_ttr"],
            "data_cutoff": {
                "date": u3["data_cutoff"]["value"],
                "ref": "r306_jpn_abs",
                "locator": u3["data_cutoff"]["where"],
            },
        },
    )
    pop(b, "itt", "itt", "All randomised patients")
    bands = (
        ("tap_ge10", "TAP", ">=", 10, None, None),
        ("tap_5_lt10", "TAP", ">=", 5, "<", 10),
        ("tap_1_lt5", "TAP", ">=", 1, "<", 5),
        ("cps_ge10", "CPS", ">=", 10, None, None),
        ("cps_5_lt10", "CPS", ">=", 5, "<", 10),
        ("cps_1_lt5", "CPS", ">=", 1, "<", 5),
    )
    for pid, system, op, cut, uop, ucut in bands:
        label = f"PD-L1 {system} {op}{cut}%" + (f" to {uop}{ucut}%" if ucut else "")
        extra: dict[str, Any] = {"scoring_system": system, "operator": op, "cutoff": cut}
        if ucut:
            extra.update({"upper_operator": uop, "cutoff_upper": ucut})
        pop(b, pid, "pdl1", label + " (assay not reported)", **extra)
    pop(b, "japanese", "region", "Japanese patients")
    pop(
        b,
        "japanese_tap_ge10",
        "pdl1",
        "Japanese patients with PD-L1 TAP >=10%",
        scoring_system="TAP",
        operator=">=",
        cutoff=10,
        description="Japanese subgroup",
    )
    pop(b, "locally_advanced", "clinical", "Locally advanced disease (post hoc)")
    pop(
        b,
        "locally_advanced_tap_ge5",
        "pdl1",
        "Locally advanced disease with PD-L1 TAP >=5% (post hoc)",
        scoring_system="TAP",
        operator=">=",
        cutoff=5,
        description="locally advanced subgroup",
    )
    pop(
        b,
        "response_depth_set",
        "evaluable",
        "Patients in the post hoc response-depth analysis (denominator not stated)",
    )
    ARMS = {"tisle_chemo": "tisle_chemo", "placebo_chemo": "placebo_chemo"}
    hr = {"arm": "tisle_chemo", "comparator": "placebo_chemo"}
    a = it["all_randomized"]
    per_arm(
        b,
        a["os_median"],
        ARMS,
        "eff",
        analysis="interim",
        population="itt",
        endpoint="OS",
        measure="median",
        headline=True,
    )
    b.eff(a["os_hr"], analysis="interim", population="itt", endpoint="OS", measure="hr", **hr)
    for arm_id in ARMS.values():
        b.eff(
            a["pfs"],
            analysis="interim",
            arm=arm_id,
            population="itt",
            endpoint="PFS",
            measure="median",
        )
        b.resp(a["orr"], analysis="interim", arm=arm_id, population="itt", category="ORR")
        b.ae(
            a["safety"],
            analysis="interim",
            arm=arm_id,
            term="Treatment-related AEs",
            summary_item="any_event",
            category="treatment-related",
            grade_band="any",
        )
    ua = u3["all_randomized"]
    b.eff(
        ua["os_hr"],
        analysis="update_3y",
        population="itt",
        endpoint="OS",
        measure="hr",
        **hr,
        over={
            "curation_note": "BJMO pairs this 3-year HR with the interim medians (17.2 vs "
            "10.6); stored under the 3-year update."
        },
    )
    per_arm(
        b,
        ua["subsequent_systemic_therapy"],
        ARMS,
        "fact",
        section="subsequent_therapy",
        item="Received subsequent systemic therapy",
        analysis="update_3y",
        population="itt",
    )
    b.resp(
        ua["responders_tisle_arm"],
        analysis="update_3y",
        arm="tisle_chemo",
        population="response_depth_set",
        category="ORR",
    )
    sub = u3["pdl1_subgroup_os_hr"]
    for pid, *_ in bands:
        key = {
            "tap_5_lt10": "tap_5_to_lt10",
            "tap_1_lt5": "tap_1_to_lt5",
            "cps_5_lt10": "cps_5_to_lt10",
            "cps_1_lt5": "cps_1_to_lt5",
        }.get(pid, pid)
        b.eff(sub[key], analysis="update_3y", population=pid, endpoint="OS", measure="hr", **hr)
    b.add(
        "gaps",
        {
            "topic": "OS HRs for PD-L1 <1% (TAP or CPS)",
            "reason": sub["lt1_tap_or_cps"]["reason"],
            "analysis": "update_3y",
        },
    )
    b.add(
        "gaps",
        {
            "topic": "ITT-level TAP >=5% or pooled TAP >=1 HR",
            "reason": sub["tap_ge5_or_tap_ge1_pooled"]["reason"],
            "analysis": "update_3y",
        },
    )
    s = u3["safety_itt"]
    note = s["note"]
    for key, term, item, band in (
        ("trae_any_grade", "Treatment-related AEs", "any_event", "any"),
        ("trae_g3plus", "Treatment-related AEs", "any_event", ">=3"),
        ("serious_trae", "Treatment-related serious AEs", "serious", "any"),
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
            analysis="update_3y",
            term=term,
            summary_item=item,
            category="treatment-related",
            grade_band=band,
            over={"curation_note": note},
        )
    j = u3["japanese_subgroup"]
    b.fact(
        j["n"],
        section="population_size",
        item="Japanese patients (both arms)",
        population="japanese",
        analysis="update_3y",
    )
    per_arm(
        b,
        j["os_median"],
        ARMS,
        "eff",
        analysis="update_3y",
        population="japanese",
        endpoint="OS",
        measure="median",
    )
    b.eff(
        j["os_hr"], analysis="update_3y", population="japanese", endpoint="OS", measure="hr", **hr
    )
    b.eff(
        j["os_hr_tap_ge10"],
        analysis="update_3y",
        population="japanese_tap_ge10",
        endpoint="OS",
        measure="hr",
        **hr,
    )
    b.eff(
        j["pfs_hr"], analysis="update_3y", population="japanese", endpoint="PFS", measure="hr", **hr
    )
    per_arm(b, j["orr"], ARMS, "resp", analysis="update_3y", population="japanese", category="ORR")
    b.fact(
        j["follow_up"],
        section="other",
        item="Minimum follow-up (Japanese subgroup)",
        analysis="update_3y",
        population="japanese",
    )
    la = u3["locally_advanced_subgroup_post_hoc"]
    for yarm, arm_id in ARMS.items():
        b.fact(
            {
                "value": la["n"]["value"][yarm],
                "source": la["n"]["source"],
                "where": la["n"]["where"],
            },
            section="population_size",
            item="Patients with locally advanced disease",
            arm=arm_id,
            population="locally_advanced",
            analysis="update_3y",
        )
    base = {"analysis": "update_3y", "population": "locally_advanced"}
    per_arm(b, la["os_median"], ARMS, "eff", **base, endpoint="OS", measure="median")
    b.eff(la["os_hr"], **base, endpoint="OS", measure="hr", **hr)
    for yarm, arm_id in ARMS.items():
        for t in ("12mo", "24mo"):
            b.eff(
                la["os_rate"][yarm][t],
                **base,
                arm=arm_id,
                endpoint="OS",
                measure="landmark",
                timepoint_months=int(t[:-2]),
            )
    per_arm(b, la["pfs_median"], ARMS, "eff", **base, endpoint="PFS", measure="median")
    b.eff(la["pfs_hr"], **base, endpoint="PFS", measure="hr", **hr)
    b.eff(
        la["tap_ge5_os_hr"],
        analysis="update_3y",
        population="locally_advanced_tap_ge5",
        endpoint="OS",
        measure="hr",
        **hr,
        over={"locator": "paragraph 3"},
    )
    for arm_id, med, n in (("tisle_chemo", 26.4, 25), ("placebo_chemo", 11.5, 20)):
        b.eff(
            {"value": med, "unit": "months", "source": "R306_LA_NEWS", "where": "paragraph 3"},
            analysis="update_3y",
            arm=arm_id,
            population="locally_advanced_tap_ge5",
            endpoint="OS",
            measure="median",
        )
        b.fact(
            {"value": n, "source": "R306_LA_NEWS", "where": "paragraph 3"},
            section="population_size",
            item="Locally advanced patients with TAP >=5%",
            arm=arm_id,
            population="locally_advanced_tap_ge5",
            analysis="update_3y",
        )
    b.notes.append("EudraCT 2018-000587-28; sponsor protocol BGB-A317-306 (EU CTR record header).")
    gaps = [
        ("Per-arm N randomised", "only the total (649) captured", None),
        (
            "Interim-analysis data cut-off, follow-up, OS HR CI, PFS, ORR and safety",
            "not found in the sources consulted",
            "interim",
        ),
        ("PD-L1 subgroup sizes", "not captured", None),
        ("AEs by term", "not found in the sources consulted", None),
    ]
    for topic, reason, analysis in gaps:
        b.gap(topic, reason, analysis)
    return b


def astrum007() -> Builder:
    y = P3["astrum_007"]
    b = Builder("astrum007", {})
    p3_publications(b, ["AS7_NATMED_ABS", "AS7_NATMED_EDT5", "AS7_FINAL"])
    common_header(
        b,
        y,
        "astrum007",
        "ASTRUM-007",
        "Serplulimab + cisplatin/5-FU vs placebo + cisplatin/5-FU (ASTRUM-007)",
    )
    b.tables["region"] = {
        "text": "not reported in the captured sources (multicentre)",
        "ref": "as7_natmed_abs",
        "locator": "Abstract",
    }
    b.header["pd_l1_note"] = (
        "PD-L1-selected trial: CPS >=1 required; stratified by CPS >=10 vs <10; assay not captured."
    )
    ps = y["pdl1_scoring"]
    b.add(
        "pd_l1",
        {
            "scoring_system": "CPS",
            "cutoffs": [1, 10],
            "role": "eligibility",
            "text": ps["system"]["value"],
            "ref": "as7_final",
            "locator": ps["system"]["where"],
        },
    )
    arm(
        b,
        y,
        "serp_cf",
        "serp_cf",
        "ICI+chemo",
        "experimental",
        ["serplulimab", "cisplatin", "fluorouracil"],
    )
    arm(
        b,
        y,
        "placebo_cf",
        "placebo_cf",
        "placebo+chemo",
        "control",
        ["placebo", "cisplatin", "fluorouracil"],
    )
    an = y["analyses"]
    pr, fo = an["primary"], an["final_os"]
    accrual = {
        "start": "2019-06-19",
        "end": "2021-12-17",
        "ref": "as7_final",
        "locator": y["enrolment"]["where"],
        "note": "randomisation period",
    }
    b.add(
        "analyses",
        {
            "id": "primary",
            "kind": "primary",
            "label": pr["label"],
            "refs": ["as7_natmed_abs", "as7_natmed_edt5"],
            "data_cutoff": {"status": "not_reported", "reason": pr["data_cutoff"]["reason"]},
            "accrual": accrual,
            "follow_up": {"status": "not_reported", "reason": pr["follow_up"]["reason"]},
        },
    )
    b.add(
        "analyses",
        {
            "id": "final_os",
            "kind": "final",
            "label": fo["label"],
            "refs": ["as7_final"],
            "data_cutoff": {"status": "not_reported", "reason": fo["data_cutoff"]["reason"]},
            "accrual": accrual,
            "follow_up_kind": "median",
            "follow_up": b.leaf(fo["follow_up"]),
        },
    )
    pop(b, "itt", "itt", "All randomised patients (PD-L1 CPS >=1 by eligibility)")
    ARMS = {"serp_cf": "serp_cf", "placebo_cf": "placebo_cf"}
    hr = {"arm": "serp_cf", "comparator": "placebo_cf"}
    a = pr["all_randomized_cps_ge1"]
    base = {"analysis": "primary", "population": "itt"}
    per_arm(
        b,
        a["pfs_median"],
        ARMS,
        "eff",
        **base,
        endpoint="PFS",
        measure="median",
        assessor="IRRC",
        headline=True,
    )
    b.eff(a["pfs_hr"], **base, endpoint="PFS", measure="hr", assessor="IRRC", **hr)
    per_arm(b, a["os_median"], ARMS, "eff", **base, endpoint="OS", measure="median", headline=True)
    b.eff(a["os_hr"], **base, endpoint="OS", measure="hr", **hr)
    for arm_id in ARMS.values():
        b.resp(a["orr"], **base, arm=arm_id, category="ORR")
    s = pr["safety"]
    per_arm(
        b,
        s["trae_g3plus"],
        ARMS,
        "ae",
        analysis="primary",
        term="Treatment-related AEs",
        summary_item="any_event",
        category="treatment-related",
        grade_band=">=3",
    )
    b.ae(
        {"value": 2, "unit": "%", "source": "AS7_NATMED_EDT5", "where": s["grade5_irae"]["where"]},
        analysis="primary",
        arm="serp_cf",
        term="Immune-related AEs",
        summary_item="any_event",
        category="immune-related",
        grade_band="5",
        over={
            "n": 6,
            "note": "2 immune-mediated lung disease, 2 immune-mediated "
            "myocarditis, 1 lung disease + septic shock, 1 dermatitis",
            "as_printed": s["grade5_irae"]["value"],
        },
    )
    b.ae(
        {
            "value": 0,
            "unit": "count",
            "source": "AS7_NATMED_EDT5",
            "where": s["grade5_irae"]["where"],
        },
        analysis="primary",
        arm="placebo_cf",
        term="Immune-related AEs",
        summary_item="any_event",
        category="immune-related",
        grade_band="5",
        over={"n": 0},
    )
    b.add(
        "statements",
        {
            "topic": "safety-set misallocation",
            "text": s["misallocation_note"]["value"],
            "ref": "as7_natmed_edt5",
            "locator": s["misallocation_note"]["where"],
            "analysis": "primary",
        },
    )
    for key, term, item in (
        ("trae_any_grade", "Treatment-related AEs", "any_event"),
        ("discontinuation_trae", "TRAEs leading to discontinuation", "leading_to_discontinuation"),
    ):
        for arm_id in ARMS.values():
            b.ae(
                s[key],
                analysis="primary",
                arm=arm_id,
                term=term,
                summary_item=item,
                category="treatment-related",
                grade_band="any",
            )
    f = fo["all_randomized_cps_ge1"]
    base = {"analysis": "final_os", "population": "itt"}
    per_arm(b, f["os_median"], ARMS, "eff", **base, endpoint="OS", measure="median")
    b.eff(f["os_hr"], **base, endpoint="OS", measure="hr", **hr)
    per_arm(
        b, f["pfs_median"], ARMS, "eff", **base, endpoint="PFS", measure="median", assessor="IRRC"
    )
    b.eff(f["pfs_hr"], **base, endpoint="PFS", measure="hr", assessor="IRRC", **hr)
    per_arm(
        b, f["orr_confirmed"], ARMS, "resp", **base, category="ORR", confirmed=True, headline=True
    )
    per_arm(b, f["dor_median"], ARMS, "eff", **base, endpoint="DoR", measure="median")
    b.fact(
        {"value": 976, "source": "AS7_FINAL", "where": y["enrolment"]["where"]},
        section="disposition",
        item="Screened",
    )
    gaps = [
        ("Data cut-off dates", "not found in the sources consulted", None),
        ("PD-L1 assay; CPS >=10 and CPS 1-<10 subgroup HRs and sizes", "not captured", None),
        ("Interim-analysis ORR", "not found in the sources consulted", "primary"),
        ("AEs by term", "not found in the sources consulted", None),
    ]
    for topic, reason, analysis in gaps:
        b.gap(topic, reason, analysis)
    return b


def gemstone304() -> Builder:
    y = P3["gemstone_304"]
    b = Builder("gemstone304", {})
    p3_publications(b, ["G304_NATMED_ABS", "G304_CONF", "G304_REG", "G304_PR"])
    common_header(
        b,
        y,
        "gemstone304",
        "GEMSTONE-304",
        "Sugemalimab + cisplatin/5-FU vs placebo + cisplatin/5-FU (GEMSTONE-304)",
    )
    b.tables["region"] = {
        "text": "multicentre (country list not captured)",
        "ref": "g304_natmed_abs",
        "locator": "Abstract",
    }
    b.header["pd_l1_note"] = y["pdl1_scoring"]["system"]["value"]
    b.notes.append(y["mechanism_note"])
    arm(
        b,
        y,
        "sug_fp",
        "sug_fp",
        "ICI+chemo",
        "experimental",
        ["sugemalimab", "cisplatin", "fluorouracil"],
    )
    arm(
        b,
        y,
        "placebo_fp",
        "placebo_fp",
        "placebo+chemo",
        "control",
        ["placebo", "cisplatin", "fluorouracil"],
    )
    pr = y["analyses"]["primary"]
    b.add(
        "analyses",
        {
            "id": "primary",
            "kind": "primary",
            "label": pr["label"],
            "refs": ["g304_natmed_abs", "g304_conf"],
            "data_cutoff": {
                "date": pr["data_cutoff"]["value"],
                "ref": "g304_conf",
                "locator": pr["data_cutoff"]["where"],
                "note": pr["data_cutoff"].get("note"),
            },
            "follow_up_kind": "median",
            "follow_up": b.leaf(pr["follow_up"]),
        },
    )
    pop(b, "itt", "itt", "All randomised patients")
    ARMS = {"sug_fp": "sug_fp", "placebo_fp": "placebo_fp"}
    hr = {"arm": "sug_fp", "comparator": "placebo_fp"}
    a = pr["all_randomized"]
    base = {"analysis": "primary", "population": "itt"}
    per_arm(
        b,
        a["pfs_median"],
        ARMS,
        "eff",
        **base,
        endpoint="PFS",
        measure="median",
        assessor="BICR",
        headline=True,
    )
    b.eff(a["pfs_hr"], **base, endpoint="PFS", measure="hr", assessor="BICR", **hr)
    per_arm(b, a["os_median"], ARMS, "eff", **base, endpoint="OS", measure="median", headline=True)
    b.eff(a["os_hr"], **base, endpoint="OS", measure="hr", **hr)
    per_arm(b, a["orr"], ARMS, "resp", **base, category="ORR", assessor="BICR", headline=True)
    s = pr["safety"]
    for key, term, item, band in (
        ("trae_g3plus", "Treatment-related AEs", "any_event", ">=3"),
        ("trae_any_grade", "Treatment-related AEs", "any_event", "any"),
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
                analysis="primary",
                arm=arm_id,
                term=term,
                summary_item=item,
                category="treatment-related",
                grade_band=band,
            )
    gaps = [
        (
            "PD-L1 scoring system, cut-offs and subgroup results",
            "not found in the sources consulted",
            None,
        ),
        ("CR/PR counts, DCR, DoR", "not found in the sources consulted", "primary"),
        ("AEs by term", "not found in the sources consulted", "primary"),
    ]
    for topic, reason, analysis in gaps:
        b.gap(topic, reason, analysis)
    return b


def skyscraper08() -> Builder:
    y = P3["skyscraper_08"]
    b = Builder("skyscraper08", {})
    p3_publications(
        b,
        ["SKY8_ONCLIVE", "SKY8_ABS", "SKY8_LANCETONC_REVIEW", "SKY8_ASCOPOST", "SKY8_CONF"],
        extra={
            "SKY8_LANCETONC_REVIEW": {
                "doi": None,
                "reports_on_doi": "10.1016/S1470-2045(25)30480-1",
            }
        },
    )
    common_header(
        b,
        y,
        "skyscraper08",
        "SKYSCRAPER-08",
        "Tiragolumab + atezolizumab + paclitaxel/cisplatin vs placebo + paclitaxel/cisplatin (SKYSCRAPER-08)",
    )
    b.tables["region"] = b.text(y["design"], text="Asia (67 centres)")
    b.header["pd_l1_note"] = "PD-L1 scoring not captured in the curated sources."
    b.notes.append(y["mechanism_note"])
    arm(
        b,
        y,
        "tira_atezo_tp",
        "tira_atezo_tp",
        "ICI+chemo",
        "experimental",
        ["tiragolumab", "atezolizumab", "paclitaxel", "cisplatin"],
        note="anti-TIGIT + anti-PD-L1 + chemotherapy; classed as ICI+chemo",
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
    an = y["analyses"]
    pp, of = an["pfs_primary"], an["os_final"]
    for aid, node, kind in (("pfs_primary", pp, "primary"), ("os_final", of, "final")):
        b.add(
            "analyses",
            {
                "id": aid,
                "kind": kind,
                "label": node["label"],
                "refs": ["sky8_abs", "sky8_onclive"],
                "data_cutoff": {
                    "date": node["data_cutoff"]["value"],
                    "ref": "sky8_abs",
                    "locator": node["data_cutoff"]["where"],
                },
                "follow_up_kind": "minimum",
                "follow_up": b.leaf(node["follow_up"]),
            },
        )
    pop(b, "itt", "itt", "All randomised patients")
    ARMS = {"tira_atezo_tp": "tira_atezo_tp", "placebo_tp": "placebo_tp"}
    hr = {"arm": "tira_atezo_tp", "comparator": "placebo_tp"}
    base = {"analysis": "pfs_primary", "population": "itt"}
    per_arm(
        b,
        pp["pfs_median"],
        ARMS,
        "eff",
        **base,
        endpoint="PFS",
        measure="median",
        assessor="IRF",
        headline=True,
    )
    b.eff(pp["pfs_hr"], **base, endpoint="PFS", measure="hr", assessor="IRF", **hr)
    per_arm(
        b,
        pp["pfs_rate_12mo"],
        ARMS,
        "eff",
        **base,
        endpoint="PFS",
        measure="landmark",
        timepoint_months=12,
        assessor="IRF",
    )
    base = {"analysis": "os_final", "population": "itt"}
    per_arm(b, of["os_median"], ARMS, "eff", **base, endpoint="OS", measure="median", headline=True)
    b.eff(of["os_hr"], **base, endpoint="OS", measure="hr", **hr)
    for yarm, arm_id in ARMS.items():
        for t in ("12mo", "18mo"):
            b.eff(
                of["os_rate"][yarm][t],
                **base,
                arm=arm_id,
                endpoint="OS",
                measure="landmark",
                timepoint_months=int(t[:-2]),
            )
    per_arm(
        b,
        of["orr"],
        ARMS,
        "resp",
        **base,
        category="ORR",
        headline=True,
        over={
            "note": "from the Lancet Oncology 2026 publication as summarised by a review "
            "(analysis/cut-off of this table not stated; stored with the OS final analysis)"
        },
    )
    s = of["safety"]
    for key, term, item, band in (
        ("trae_any_grade", "Treatment-related AEs", "any_event", "any"),
        ("trae_g3_4", "Treatment-related AEs", "any_event", "3-4"),
        ("trae_g5", "Treatment-related AEs", "any_event", "5"),
        (
            "treatment_related_deaths_publication",
            "Treatment-related deaths (publication)",
            "leading_to_death",
            "5",
        ),
    ):
        per_arm(
            b,
            s[key],
            ARMS,
            "ae",
            analysis="os_final",
            term=term,
            summary_item=item,
            category="treatment-related",
            grade_band=band,
        )
    terms = {
        "white_blood_cell_count_decreased": "White blood cell count decreased",
        "neutrophil_count_decreased": "Neutrophil count decreased",
        "anaemia": "Anaemia",
    }
    by = s["ae_g3plus_by_term_publication"]
    for key, term in terms.items():
        per_arm(
            b,
            by[key],
            ARMS,
            "ae",
            analysis="os_final",
            term=term,
            category="all-cause",
            grade_band=">=3",
            over={
                "curation_note": "The review labels these 'Grade >=3 AEs' without stating "
                "relatedness; stored as all-cause."
            },
        )
    per_arm(
        b,
        s["serious_ae_pneumonia"],
        ARMS,
        "ae",
        analysis="os_final",
        term="Pneumonia (serious AE)",
        category="all-cause",
        grade_band="any",
    )
    for arm_id in ARMS.values():
        b.ae(
            s["discontinuation_trae"],
            analysis="os_final",
            arm=arm_id,
            term="TRAEs leading to discontinuation",
            summary_item="leading_to_discontinuation",
            category="treatment-related",
            grade_band="any",
        )
    gaps = [
        ("PD-L1 scoring and subgroups", "not found in the sources consulted", None),
        ("DoR and ORR CI", "not found in the sources consulted", None),
    ]
    for topic, reason, analysis in gaps:
        b.gap(topic, reason, analysis)
    return b


if __name__ == "__main__":
    for fn in (rationale306, astrum007, gemstone304, skyscraper08):
        print(fn().write())
