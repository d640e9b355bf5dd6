"""The numbers behind the Survival chart as CSV rows (the export's data table).

One row per drawn arm, one per comparison with the reference and one per arm not shown (with its
reason), so the file says what the chart leaves out. Values are rounded as stated per column;
empty cells mean "not applicable to this row type" or "not estimable".
"""

from __future__ import annotations

from collections.abc import Callable

from analysis.survival.results import ArmComparison, ArmSummary
from analysis.usercurves.model import USER_LABEL
from analysis.views.labels import CROSS_TRIAL_LABEL
from analysis.views.survival.model import PublishedHR, SurvivalModel
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
)

#: Short citation of a published HR's source (the caller knows how citations are written).
CiteFn = Callable[[PublishedHR], str]


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


def csv_rows(model: SurvivalModel, cite: CiteFn) -> list[dict[str, object]]:
    """Rows with columns :data:`CSV_COLUMNS` (each row holds a subset); missing arms included."""
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
