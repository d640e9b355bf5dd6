"""The numbers behind the Indirect comparisons charts, as CSV rows (one dict per row).

Every row names the selection (endpoint, population, nodes, analysis, model). Estimate rows carry
the published HRs they rest on (``cited_hrs``: data key paths, e.g. ``orient15:efficacy[12]``),
and the ``input`` rows list those HRs with their printed interval level, source and locator, so
a CSV alone says where each number came from.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.views.indirect.model import EstimateRow, IndirectView

CSV_COLUMNS: tuple[str, ...] = (
    "row",
    "endpoint",
    "population_key",
    "population",
    "nodes",
    "analysis",
    "model",
    "treatment",
    "comparator",
    "hazard_ratio",
    "ci_lower",
    "ci_upper",
    "ci_level_percent",
    "log_hr",
    "se_log_hr",
    "p_value",
    "evidence",
    "cited_hrs",
    "n_patients",
    "n_arms_without_n",
    "trials",
    "p_score",
    "rank_median",
    "rank_lower",
    "rank_upper",
    "source",
    "source_level",
    "locator",
    "note",
)


def evidence_text(row: EstimateRow) -> str:
    """ "direct (1 trial)" when a trial randomised both regimens, else "indirect"."""
    if row.direct:
        trials = "trial" if row.n_direct_trials == 1 else "trials"
        return f"direct ({row.n_direct_trials} {trials})"
    return "indirect"


def _selection(view: IndirectView) -> dict[str, object]:
    return {
        "endpoint": view.endpoint,
        "population_key": view.population,
        "population": view.population_label,
        "nodes": view.nodes_mode,
        "analysis": view.analysis,
        "model": view.model,
    }


def estimate_rows(
    view: IndirectView, kind: str, rows: Sequence[EstimateRow]
) -> list[dict[str, object]]:
    """One CSV row per network estimate (``kind``: "vs reference", "league" …)."""
    return [
        {
            "row": kind,
            **_selection(view),
            "treatment": r.treatment_label,
            "comparator": r.comparator_label,
            "hazard_ratio": r.hr,
            "ci_lower": r.ci_lower,
            "ci_upper": r.ci_upper,
            "ci_level_percent": 100 * r.ci_level,
            "log_hr": r.log_hr,
            "se_log_hr": r.se_log_hr,
            "p_value": r.p_value,
            "evidence": evidence_text(r),
            "cited_hrs": " ".join(r.evidence_keys),
        }
        for r in rows
    ]


def input_rows(view: IndirectView) -> list[dict[str, object]]:
    """The published HRs the estimates rest on, at the level each source printed."""
    return [
        {
            "row": "input HR",
            **_selection(view),
            "hazard_ratio": c.hazard_ratio,
            "ci_lower": c.ci_lower,
            "ci_upper": c.ci_upper,
            "ci_level_percent": c.ci_level_percent,
            "cited_hrs": c.key,
            "trials": c.trial_name,
            "source": c.citation or c.source_ref,
            "source_level": c.source_level,
            "locator": c.locator,
            "note": c.text,
        }
        for c in view.citations
    ]


def message_rows(view: IndirectView) -> list[dict[str, object]]:
    """Messages, heterogeneity, exclusions and skipped HRs (what the numbers do not show)."""
    out: list[dict[str, object]] = [
        {"row": "message", **_selection(view), "note": m} for m in view.messages
    ]
    if view.network_heterogeneity is not None:
        out.append(
            {"row": "heterogeneity", **_selection(view), "note": view.network_heterogeneity.text}
        )
    out += [
        {
            "row": "heterogeneity (pairwise)",
            **_selection(view),
            "treatment": h.label_a,
            "comparator": h.label_b,
            "hazard_ratio": h.hr,
            "ci_lower": h.ci_lower,
            "ci_upper": h.ci_upper,
            "ci_level_percent": 95.0,
            "cited_hrs": " ".join(h.evidence_keys),
            "note": f"k = {h.k}, tau² = {h.tau2:.4g}, I² = {h.i2_percent:.0f} %, Q = {h.q:.2f}",
        }
        for h in view.heterogeneity
    ]
    out += [
        {"row": "excluded", **_selection(view), "trials": x.trial_name, "note": x.reason}
        for x in view.excluded
    ]
    out += [
        {
            "row": "skipped HR",
            **_selection(view),
            "cited_hrs": s.key,
            "note": f"{s.text}: {s.reason}",
        }
        for s in view.skipped
    ]
    return out


def forest_csv_rows(view: IndirectView, against: str) -> list[dict[str, object]]:
    """Rows behind a forest: ``against`` is "reference" or "common comparator"."""
    rows = view.forest_vs_reference if against == "reference" else view.forest_vs_common
    return [
        *estimate_rows(view, f"vs {against}", rows),
        *input_rows(view),
        *message_rows(view),
    ]


def network_csv_rows(view: IndirectView) -> list[dict[str, object]]:
    """Rows behind the network graph: nodes, edges, the whole league table, P-scores, inputs."""
    out: list[dict[str, object]] = [
        {
            "row": "node",
            **_selection(view),
            "treatment": n.label,
            "n_patients": n.n_patients,
            "n_arms_without_n": n.n_arms_unknown,
            "trials": "; ".join(n.trial_names),
            "note": "analysed" if n.component == 0 else f"not connected (part {n.component})",
        }
        for n in view.nodes
    ]
    out += [
        {
            "row": "edge",
            **_selection(view),
            "treatment": e.label_a,
            "comparator": e.label_b,
            "trials": "; ".join(e.trial_names),
            "evidence": f"{e.n_trials} trial(s)"
            + ("" if e.published else ", arms of one trial, no HR between them published"),
        }
        for e in view.edges
    ]
    out += estimate_rows(view, "league", view.league)
    out += [
        {
            "row": "P-score",
            **_selection(view),
            "treatment": s.label,
            "p_score": s.p_score,
            "rank_median": s.rank_median,
            "rank_lower": s.rank_lower,
            "rank_upper": s.rank_upper,
            "note": view.p_score_caveat,
        }
        for s in view.p_scores
    ]
    return [*out, *input_rows(view), *message_rows(view)]
