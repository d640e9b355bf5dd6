"""The numbers behind the Survival chart as CSV rows (the export's data table).

One row per drawn arm, one per comparison with the reference, one per published median or
landmark rate drawn as a marker (an arm without a curve: the values as printed with their CI and
citation, never points read off a curve) and one per arm not shown (with its reason), so the
file says what the chart leaves out. Values are rounded as stated per column;
empty cells mean "not applicable to this row type" or "not estimable".
"""

from __future__ import annotations

from collections.abc import Callable

from analysis.survival.results import ArmComparison, ArmSummary
from analysis.usercurves.model import USER_LABEL
from analysis.views.labels import CROSS_TRIAL_LABEL
from analysis.views.survival.model import PublishedHR, SurvivalModel
from analysis.views.survival.published import PublishedMarker, PublishedValue
from analysis.views.survival.rules import published_ci_text
from analysis.views.survival.user import USER_TRIAL_NAME

WITHIN_TRIAL_LABEL = "within-trial (randomised)"

CSV_COLUMNS: tuple[str, ...] = (
    "row_type",
    "trial",
    "arm",
    "reference",
    "comparison",
    "endpoint",
    "population",
    "analysis",
    "data_cutoff",
    "grade",
    "fidelity",
    "n",
    "events",
    "median_months",
    "median_ci_lower_months",
    "median_ci_upper_months",
    "median_status",
    "landmark_months",
    "landmark_survival_percent",
    "landmark_ci_lower_percent",
    "landmark_ci_upper_percent",
    "tau_months",
    "rmst_months",
    "rmst_ci_lower_months",
    "rmst_ci_upper_months",
    "hazard_ratio",
    "hr_ci_lower",
    "hr_ci_upper",
    "logrank_p",
    "rmst_difference_months",
    "rmst_difference_ci_lower_months",
    "rmst_difference_ci_upper_months",
    "published_hr",
    "published_hr_ci",
    "published_hr_source",
    "ci_level_percent",
    "published_ci_as_printed",
    "published_value_source",
)

#: Row types of the published values drawn as markers (arms without a curve).
PUBLISHED_MEDIAN_ROW = "published median (marker, no curve)"
PUBLISHED_LANDMARK_ROW = "published landmark rate (marker, no curve)"
PUBLISHED_FIDELITY = "published summary value as printed (not read from a curve)"

#: Short citation of a published HR's source (the caller knows how citations are written).
CiteFn = Callable[[PublishedHR], str]
#: Short citation of a publication of a trial, from (trial id, publication key).
CiteRefFn = Callable[[str, str], str]


def _number(value: float | None, digits: int = 4) -> object:
    return "" if value is None else round(value, digits)


def _percent(value: float | None, present: bool) -> object:
    return "" if value is None or not present else round(100 * value, 2)


def _summary_cells(summary: ArmSummary, model: SurvivalModel, level: int) -> dict[str, object]:
    """An arm's KM summary cells, the same for a curated and a user-supplied arm."""
    s = summary
    lm = s.landmark
    reached = lm is not None and lm.survival is not None
    rm = s.rmst
    return {
        "n": s.n_patients,
        "events": s.n_events,
        "median_months": _number(s.median.median_months, 2),
        "median_ci_lower_months": _number(s.median.ci_lower_months, 2),
        "median_ci_upper_months": _number(s.median.ci_upper_months, 2),
        "median_status": "reached" if s.median.median_months is not None else "not reached",
        "landmark_months": model.state.landmark_months,
        "landmark_survival_percent": _percent(lm.survival if lm else None, reached),
        "landmark_ci_lower_percent": _percent(lm.ci_lower if lm else None, reached),
        "landmark_ci_upper_percent": _percent(lm.ci_upper if lm else None, reached),
        "tau_months": _number(model.tau_months, 2),
        "rmst_months": "" if rm is None else round(rm.rmst_months, 3),
        "rmst_ci_lower_months": "" if rm is None else round(rm.ci_lower_months, 3),
        "rmst_ci_upper_months": "" if rm is None else round(rm.ci_upper_months, 3),
        "ci_level_percent": level,
    }


def _comparison_cells(result: ArmComparison, model: SurvivalModel) -> dict[str, object]:
    """A comparison's Cox, log-rank and RMST-difference cells (curated or user-supplied)."""
    cox = result.cox
    drm = result.rmst_difference
    return {
        "endpoint": model.state.endpoint,
        "population": model.population_label,
        "hazard_ratio": _number(cox.hazard_ratio),
        "hr_ci_lower": _number(cox.ci_lower),
        "hr_ci_upper": _number(cox.ci_upper),
        "logrank_p": _number(result.log_rank.p_value, 6),
        "tau_months": _number(model.tau_months, 2),
        "rmst_difference_months": "" if drm is None else round(drm.difference_months, 3),
        "rmst_difference_ci_lower_months": "" if drm is None else round(drm.ci_lower_months, 3),
        "rmst_difference_ci_upper_months": "" if drm is None else round(drm.ci_upper_months, 3),
    }


def _printed_ci(value: PublishedValue) -> str:
    return "not reported" if value.ci_text is None else f"{value.ci_text[0]}–{value.ci_text[1]}"


def _level(value: PublishedValue) -> object:
    return "" if value.ci_level_pct is None else value.ci_level_pct


def _marker_rows(
    model: SurvivalModel, marker: PublishedMarker, cite_ref: CiteRefFn | None
) -> list[dict[str, object]]:
    """The published median and landmark rates of an arm drawn as markers, as printed."""
    names = {m.token: (m.trial_name, m.arm_label) for m in model.missing}
    trial, arm = names.get(marker.token, (marker.label, ""))

    def source(value: PublishedValue) -> str:
        ref = value.source_ref or next(iter(marker.summary.source_refs), None)
        if ref is None:
            return "not recorded"
        return cite_ref(marker.trial_id, ref) if cite_ref is not None else ref

    common: dict[str, object] = {
        "trial": trial,
        "arm": arm,
        "endpoint": model.state.endpoint,
        "population": model.population_label,
        "analysis": marker.analysis_label,
        "fidelity": PUBLISHED_FIDELITY,
    }
    rows: list[dict[str, object]] = []
    median = marker.summary.median
    if median is not None:
        rows.append(
            {
                **common,
                "row_type": PUBLISHED_MEDIAN_ROW,
                "median_months": _number(median.value, 2),
                "median_ci_lower_months": _number(median.ci_lower, 2),
                "median_ci_upper_months": _number(median.ci_upper, 2),
                "median_status": "not reached" if median.not_reached else "reached",
                "ci_level_percent": _level(median),
                "published_ci_as_printed": _printed_ci(median),
                "published_value_source": source(median),
            }
        )
    for landmark in marker.summary.landmarks:
        rate = landmark.rate
        rows.append(
            {
                **common,
                "row_type": PUBLISHED_LANDMARK_ROW,
                "landmark_months": landmark.time_months,
                "landmark_survival_percent": _number(rate.value, 2),
                "landmark_ci_lower_percent": _number(rate.ci_lower, 2),
                "landmark_ci_upper_percent": _number(rate.ci_upper, 2),
                "ci_level_percent": _level(rate),
                "published_ci_as_printed": _printed_ci(rate),
                "published_value_source": source(rate),
            }
        )
    return rows


def csv_rows(
    model: SurvivalModel, cite: CiteFn, cite_ref: CiteRefFn | None = None
) -> list[dict[str, object]]:
    """Rows with columns :data:`CSV_COLUMNS` (each row holds a subset); the published values of
    arms drawn as markers (cited with ``cite_ref``, else by publication key) and the missing
    arms included."""
    state = model.state
    level = round(100 * model.ci_level)
    rows: list[dict[str, object]] = []
    for item in model.curves:
        rows.append(
            {
                "row_type": "arm",
                "trial": item.trial.name,
                "arm": item.arm.label,
                "endpoint": state.endpoint,
                "population": model.population_label,
                "analysis": item.analysis_label,
                "data_cutoff": item.data_cutoff or "not reported",
                "grade": item.curve.grade,
                "fidelity": "passed" if item.passed else "not passed",
                **_summary_cells(item.summary, model, level),
            }
        )
    for row in model.comparisons:
        pub = row.published
        rows.append(
            {
                "row_type": "comparison",
                "trial": row.arm.trial.name,
                "arm": row.arm.arm.label,
                "reference": row.reference.label,
                "comparison": CROSS_TRIAL_LABEL if row.cross_trial else WITHIN_TRIAL_LABEL,
                **_comparison_cells(row.result, model),
                "published_hr": "" if pub is None else round(pub.hazard_ratio, 4),
                "published_hr_ci": "" if pub is None else published_ci_text(pub),
                "published_hr_source": "" if pub is None else cite(pub),
                "ci_level_percent": level,
            }
        )
    for shown in model.user_curves:
        rows.append(
            {
                "row_type": "user-supplied arm",
                "trial": f"{USER_TRIAL_NAME} (not curated): {shown.curve.citation}",
                "arm": shown.label,
                "endpoint": state.endpoint,
                "population": model.population_label,
                "grade": shown.curve.grade,
                "fidelity": "user-supplied: " + shown.curve.grade_text,
                **_summary_cells(shown.summary, model, level),
            }
        )
    for comp in model.user_comparisons:
        rows.append(
            {
                "row_type": "user-supplied comparison",
                "trial": f"{USER_TRIAL_NAME} (not curated): {comp.arm.curve.citation}",
                "arm": comp.arm.label,
                "reference": comp.reference_label,
                "comparison": f"{USER_LABEL} vs reference ({CROSS_TRIAL_LABEL})",
                **_comparison_cells(comp.result, model),
                "ci_level_percent": level,
            }
        )
    for marker in model.markers:
        rows.extend(_marker_rows(model, marker, cite_ref))
    for miss in model.missing:
        rows.append(
            {
                "row_type": "not shown",
                "trial": miss.trial_name,
                "arm": miss.arm_label,
                "endpoint": state.endpoint,
                "population": model.population_label,
                "fidelity": miss.reason,
            }
        )
    return rows
