# ruff: noqa: E501 - one-off transcription script; long literal strings (URLs, quotes) kept whole
"""ALTER-E-003 (Meng X et al., Mol Cancer 2025;24:175; NCT05038813): seed abstract + ASCO 2024.

The Mol Cancer abstract (seed 000) and the ASCO 2024 e16035 abstract are separate analyses:
ASCO 2024 (cut-off Dec 2023) reports a 'preliminary' ORR with a CR/PR/SD/PD/NE breakdown
(confirmation not stated); Mol Cancer 2025 reports the *confirmed* ORR. They are never merged.
"""

from __future__ import annotations

from typing import Any

from lib import SEED, Builder, get

Y = SEED["A_ALTER_E_003_anlotinib_benmelstobart_chemofree"]
MC = "meng2025"
ASCO = "meng2024_asco"


def L(path: str) -> Any:
    return get(Y, path)


def build() -> Builder:
    b = Builder(
        "alter_e003",
        {
            "S_A_ABS": MC,
            "S_A_ASCO": ASCO,
            "S_A_REG": "ichgcp_registry",
            "https://visualize.jove.com/40500695": MC,
        },
    )
    b.header.update(
        {
            "name": "ALTER-E-003",
            "display_name": "Benmelstobart + anlotinib, chemo-free (ALTER-E-003)",
            "focus": True,
            "phase": "2",
        }
    )
    b.tables["registration"] = b.text(L("nct"))
    b.tables["design"] = b.text(L("phase"))
    b.tables["region"] = {
        "text": "China (five centres)",
        "ref": MC,
        "locator": "abstract ('enrolled patients with advanced ESCC across five Chinese centers')",
        "note": "registry lists five Henan sites (ichgcp mirror)",
    }
    b.tables["population"] = b.text(L("population"))
    b.tables["primary_endpoints"] = b.text(L("endpoints"))
    b.header["pd_l1_note"] = "PD-L1 assay and scoring are not reported in the available abstracts."

    b.add(
        "publications",
        {
            "key": MC,
            "citation": "Meng X, Yang X, Hong Y, et al. Anlotinib combined with benmelstobart as a "
            "chemo-free first-line treatment in advanced esophageal squamous cell carcinoma: an "
            "exploratory multicenter, single-arm phase II clinical trial. Mol Cancer 2025;24(1):175",
            "year": 2025,
            "level": "primary publication",
            "kind": "abstract only (seed 000); full text not found",
            "doi": "10.1186/s12943-025-02376-w",
            "pmid": "40500695",
            "identifier_note": "PMID inferred from the URL path visualize.jove.com/40500695; not "
            "shown as a labelled PMID on a PubMed page",
            "published": "2025-06-11",
            "url_read": "seeds/000_a87515991be0943e.txt; https://visualize.jove.com/40500695",
        },
    )
    b.add(
        "publications",
        {
            "key": ASCO,
            "citation": "Meng X, et al. Update results of anlotinib combined with TQB2450 (PD-L1 "
            "blockade) as first-line treatment for advanced ESCC: a single-arm, multicenter, "
            "open-label phase II clinical trial. J Clin Oncol 2024 (ASCO Annual Meeting), abstract e16035",
            "year": 2024,
            "level": "conference abstract",
            "kind": "conference abstract; archived excerpt truncated after 'At the data cut-off date, 16 p...'",
            "url": "https://discovery.researcher.life/topic/therapy-for-esophageal-squamous-cell-carcinoma/24867515?page=1&topic_name=Therapy+For+Esophageal+Squamous+Cell+Carcinoma",
            "note": "Seed 001 cites it as 'J. Clin. Oncol. 542, e16035' (volume printed as 542).",
        },
    )
    b.add(
        "publications",
        {
            "key": "ichgcp_registry",
            "citation": "Registry mirror of NCT05038813 (ichgcp.net, updated 16 May 2023)",
            "level": "registry record",
            "kind": "registry mirror",
            "url": "https://ichgcp.net/clinical-trials-registry/NCT05038813",
        },
    )
    b.add(
        "arms",
        {
            "id": "chemo_free",
            "label": "Benmelstobart + anlotinib (chemo-free)",
            "regimen_class": "ICI+TKI (chemo-free)",
            "role": "experimental",
            "agents": ["benmelstobart", "anlotinib"],
            "note": "Single-arm study: n_randomised holds the number enrolled.",
            "regimen": b.text(
                L("regimen"),
                curation_note=(
                    "Mol Cancer: benmelstobart for up to 24 months, then anlotinib maintenance. ASCO 2024: "
                    "treatment until progression or unacceptable toxicity (no 24-month cap). Both kept "
                    "as printed; the Mol Cancer wording is the regimen text."
                ),
            ),
            "n_randomised": b.leaf(
                L("efficacy.ASCO_2024_e16035_interim.N"),
                unit="count",
                curation_note=(
                    "Mol Cancer abstract says '46 completed the study'; ASCO 2024 and "
                    "the registry say 46 enrolled. Decision: 46 = enrolled/analysed "
                    "population, not completers."
                ),
            ),
        },
    )
    b.add(
        "analyses",
        {
            "id": "asco2024",
            "kind": "interim",
            "label": "Updated results, ASCO 2024 abstract e16035 (cut-off Dec 2023)",
            "refs": [ASCO],
            "data_cutoff": {
                "date": "2023-12",
                "ref": ASCO,
                "locator": L("data_cutoff.ASCO_2024_e16035.where"),
                "note": "printed as 'Dec 2023' (month precision)",
            },
            "accrual": {
                "start": "2022-03",
                "end": "2022-09",
                "ref": ASCO,
                "locator": L("enrollment_period.where"),
                "note": "printed as 'Mar 2022 - Sep 2022' (month precision)",
            },
        },
    )
    b.add(
        "analyses",
        {
            "id": "molcancer2025",
            "kind": "primary",
            "label": "Full publication, Mol Cancer 2025 (abstract only available)",
            "refs": [MC],
            "data_cutoff": {
                "status": "not_reported",
                "reason": "not in the abstract; full text not found",
            },
            "follow_up": {
                "status": "not_reported",
                "reason": "not in the abstract; full text not found",
            },
        },
    )
    b.add("populations", {"id": "itt", "kind": "itt", "label": "All 46 enrolled patients"})
    b.add(
        "populations",
        {
            "id": "signature_pos",
            "kind": "biomarker",
            "label": "TP53+/FAT1+/NOTCH3- mutational signature present (NGS)",
            "description": "exploratory NGS biomarker; group sizes not reported",
        },
    )
    b.add(
        "populations",
        {
            "id": "signature_neg",
            "kind": "biomarker",
            "label": "TP53+/FAT1+/NOTCH3- mutational signature absent (NGS)",
            "description": "exploratory NGS biomarker; group sizes not reported",
        },
    )

    AS = "efficacy.ASCO_2024_e16035_interim."
    RA = {"analysis": "asco2024", "arm": "chemo_free", "criteria": "RECIST 1.1 and iRECIST"}
    for cat in ("CR", "PR", "SD", "PD", "NE"):
        b.resp(L(AS + cat), **RA, population="itt", category=cat, confirmed=None)
    b.resp(
        L(AS + "ORR_preliminary"),
        **RA,
        population="itt",
        category="ORR",
        confirmed=None,
        over={
            "curation_note": "Printed as 'preliminary ORR'; confirmation not stated. Mol Cancer "
            "2025 reports the confirmed ORR (56.5%); the two are kept as separate analyses "
            "and must not be plotted as the same measure."
        },
    )
    b.resp(L(AS + "DCR"), **RA, population="itt", category="DCR", confirmed=None)

    MCP = "efficacy.MolCancer_2025_final."
    RM = {"analysis": "molcancer2025", "arm": "chemo_free"}
    b.resp(
        L(MCP + "ORR_confirmed"),
        **RM,
        population="itt",
        category="ORR",
        confirmed=True,
        headline=True,
    )
    b.resp(L(MCP + "DCR"), **RM, population="itt", category="DCR", confirmed=None)
    for cat in ("CR", "PR", "SD", "PD", "NE"):
        b.resp(L(MCP + cat), **RM, population="itt", category=cat, confirmed=True)
    b.eff(
        L(MCP + "PFS_median"),
        **RM,
        population="itt",
        endpoint="PFS",
        measure="median",
        headline=True,
    )
    b.eff(L(MCP + "PFS_events"), **RM, population="itt", endpoint="PFS", measure="events")
    b.eff(L(MCP + "OS_median"), **RM, population="itt", endpoint="OS", measure="median")
    b.eff(L(MCP + "OS_events"), **RM, population="itt", endpoint="OS", measure="events")
    b.eff(L(MCP + "DoR_median"), **RM, population="itt", endpoint="DoR", measure="median")

    SG = "biomarker_signature_TP53pos_FAT1pos_NOTCH3neg."
    b.resp(
        L(SG + "ORR_signature_pos"),
        **RM,
        population="signature_pos",
        category="ORR",
        confirmed=None,
    )
    b.resp(
        L(SG + "ORR_signature_neg"),
        **RM,
        population="signature_neg",
        category="ORR",
        confirmed=None,
    )
    b.resp(
        L(SG + "ORR_p"),
        **RM,
        population="signature_pos",
        comparator_population="signature_neg",
        category="ORR",
        measure="p_value",
        confirmed=None,
    )
    b.eff(
        L(SG + "PFS_median_signature_pos"),
        **RM,
        population="signature_pos",
        endpoint="PFS",
        measure="median",
    )
    b.eff(
        L(SG + "PFS_median_signature_neg"),
        **RM,
        population="signature_neg",
        endpoint="PFS",
        measure="median",
    )
    b.eff(
        L(SG + "PFS_p"),
        **RM,
        population="signature_pos",
        comparator_population="signature_neg",
        endpoint="PFS",
        measure="p_value",
    )
    b.eff(
        L(SG + "OS_p"),
        **RM,
        population="signature_pos",
        comparator_population="signature_neg",
        endpoint="OS",
        measure="p_value",
    )
    for pop in ("signature_pos", "signature_neg"):
        b.eff(L(SG + "OS_medians"), **RM, population=pop, endpoint="OS", measure="median")
    SF = "safety."
    b.ae(
        L(SF + "TRAE_any"),
        **RM,
        term="Treatment-related adverse events",
        summary_item="any_event",
        category="treatment-related",
        grade_band="any",
    )
    b.ae(
        L(SF + "TRAE_grade3plus"),
        **RM,
        term="Treatment-related adverse events",
        summary_item="any_event",
        category="treatment-related",
        grade_band=">=3",
        over={"note": "printed as 'grade 3 or higher'; " + L(SF + "TRAE_grade3plus.note")},
    )
    b.ae(
        L(SF + "discontinuation_due_to_TRAE"),
        **RM,
        term="TRAEs leading to discontinuation",
        summary_item="leading_to_discontinuation",
        category="treatment-related",
        grade_band="any",
    )
    b.ae(
        L(SF + "treatment_related_deaths"),
        **RM,
        term="Treatment-related deaths",
        summary_item="leading_to_death",
        category="treatment-related",
        grade_band="5",
    )

    b.fact(L("screened"), section="disposition", item="Screened", analysis="molcancer2025")
    b.fact(L("centers"), section="design", item="Study centres")
    b.fact(L("sample_size_planned"), section="statistical_design", item="Predefined sample size")
    b.fact(
        L("N_analysed"),
        section="disposition",
        item="Patients analysed",
        analysis="molcancer2025",
        arm="chemo_free",
        over={
            "note": "printed as '46 completed the study'",
            "curation_note": "Read as the analysed (enrolled) population; ASCO 2024 and the "
            "registry give 46 enrolled.",
        },
    )

    b.add(
        "statements",
        {
            "topic": "biomarker signature",
            "text": "NGS revealed a TP53+/FAT1+/NOTCH3- mutational signature associated with better "
            "ORR, longer median PFS and improved OS; exploratory, needs validation.",
            "ref": MC,
            "locator": "abstract Results/Conclusions",
            "analysis": "molcancer2025",
        },
    )
    b.add(
        "statements",
        {
            "topic": "earlier reports",
            "text": "ASCO-GI 2023 abstract 377, ASCO 2023 abstract 4041 and ESMO 2023 1531P are cited "
            "as preliminary reports (texts not found).",
            "ref": ASCO,
            "locator": "Background",
        },
    )
    b.add(
        "curves",
        {
            "id": "pfs_itt_chemo_free",
            "arm": "chemo_free",
            "endpoint": "PFS",
            "population": "itt",
            "analysis": "molcancer2025",
        },
    )

    gaps = [
        ("Baseline characteristics", "full text not found"),
        ("CR/PR/SD/PD/NE counts at the Mol Cancer cut-off", "not in the abstract"),
        ("Median OS, landmarks, event counts, DoR", "not in the abstract"),
        ("Data cut-off and median follow-up of the Mol Cancer analysis", "not in the abstract"),
        ("PD-L1 assay and results by PD-L1 CPS", "not in the abstract"),
        ("AE table by term, discontinuations, treatment-related deaths", "not in the abstract"),
        (
            "Signature group sizes, OS medians and hazard ratios",
            "abstract gives % and p-values only",
        ),
        ("Numbers at risk", "not available"),
        ("ASCO 2024 PFS, OS, DoR and safety", "archived excerpt truncated"),
    ]
    for topic, reason in gaps:
        b.gap(topic, reason)
    b.notes.append(
        "Focus study (seed 000, abstract only). Derivable counts (e.g. 26/46 reproduces the "
        "confirmed ORR CI) are kept in notes only, never as n."
    )
    return b


if __name__ == "__main__":
    print(build().write())
