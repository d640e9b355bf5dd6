"""Published medians and landmark rates of the Survival view: beside the reconstructed ones, and
as markers for arms that have no reconstructable curve (single-arm or summary-only reports).

Every number is read from the trial files through ``Registry.curve_inputs`` (the same inputs the
reconstruction uses), with its publication keys; nothing here computes or rounds a published
value. A bound printed as text ("NE", "NR") stays text.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from analysis.views.labels import CROSS_TRIAL_LABEL
from analysis.views.survival.state import SurvivalState, arm_of, population_label
from data import Registry
from data.pdl1 import ITT_KEY, population_key
from data.registry import CurveInputs

#: One line under a table with unanchored rows: why their numbers are not treatment effects.
UNANCHORED_EXPLANATION = (
    f"{CROSS_TRIAL_LABEL}: these arms were never randomised against each other, so patient "
    "selection, era and follow-up are mixed into the HR; it describes the two curves, not a "
    "treatment effect, and no p-value is given."
)

#: Badge wording per reconstruction grade (C: the shape is assumed, only its anchors are data).
GRADE_C_TEXT = "model-based shape (median + landmarks only)"


@dataclass(frozen=True)
class PublishedValue:
    """A published median (months) or landmark rate (percent) with its printed CI."""

    value: float | None
    not_reached: bool
    ci_lower: float | None
    ci_upper: float | None
    #: The bounds as printed ("NE" stays "NE"), None when no CI was printed.
    ci_text: tuple[str, str] | None
    ci_level_pct: float | None
    source_ref: str | None

    def text(self, unit: str = "") -> str:
        if self.not_reached:
            main = "NR (not reached)"
        elif self.value is None:
            return "not reported"
        else:
            main = f"{self.value:g}{unit}"
        if self.ci_text is None:
            return f"{main} (CI not reported)"
        level = f"{self.ci_level_pct:g}% CI " if self.ci_level_pct else ""
        return f"{main} ({level}{self.ci_text[0]}–{self.ci_text[1]})"


@dataclass(frozen=True)
class PublishedLandmark:
    time_months: float
    rate: PublishedValue


@dataclass(frozen=True)
class PublishedSummary:
    """What the source prints for one arm, endpoint, population and analysis."""

    median: PublishedValue | None
    landmarks: tuple[PublishedLandmark, ...]
    source_refs: tuple[str, ...]

    def landmark_at(self, months: float) -> PublishedLandmark | None:
        return next((lm for lm in self.landmarks if abs(lm.time_months - months) < 1e-9), None)


@dataclass(frozen=True)
class PublishedMarker:
    """An arm without a curve, drawn as its published median and landmark rates."""

    token: str
    label: str
    trial_id: str
    analysis_label: str
    summary: PublishedSummary


def _bound(value: object) -> tuple[float | None, str]:
    if isinstance(value, int | float):
        return float(value), f"{value:g}"
    return None, str(value)


def summary_of(inputs: CurveInputs) -> PublishedSummary:
    """The published median and landmarks in ``inputs`` (as printed)."""
    median: PublishedValue | None = None
    if inputs.median_status in ("reported", "not_reached"):
        lo, lo_text = _bound(inputs.median_ci[0]) if inputs.median_ci else (None, "")
        hi, hi_text = _bound(inputs.median_ci[1]) if inputs.median_ci else (None, "")
        median = PublishedValue(
            value=inputs.median_months,
            not_reached=inputs.median_status == "not_reached",
            ci_lower=lo,
            ci_upper=hi,
            ci_text=(lo_text, hi_text) if inputs.median_ci else None,
            ci_level_pct=inputs.median_ci_level,
            source_ref=inputs.source_refs[0] if inputs.source_refs else None,
        )
    landmarks = tuple(
        PublishedLandmark(
            lm.time_months,
            PublishedValue(
                value=lm.survival_pct,
                not_reached=False,
                ci_lower=lm.ci_lower_pct,
                ci_upper=lm.ci_upper_pct,
                ci_text=(f"{lm.ci_lower_pct:g}", f"{lm.ci_upper_pct:g}")
                if lm.ci_lower_pct is not None and lm.ci_upper_pct is not None
                else None,
                ci_level_pct=lm.ci_level,
                source_ref=lm.source_ref,
            ),
        )
        for lm in inputs.landmarks
    )
    return PublishedSummary(median, landmarks, inputs.source_refs)


def _population_id(registry: Registry, trial_id: str, key: str) -> str | None:
    trial = registry.trial(trial_id)
    return next((p.id for p in trial.populations if population_key(p) == key), None)


def published_marker(
    registry: Registry, token: str, state: SurvivalState
) -> PublishedMarker | None:
    """The published median/landmarks of an arm without a curve, from the first analysis (in
    the trial file's order) that prints either; None when no analysis does."""
    trial, arm = arm_of(registry, token)
    population = _population_id(registry, trial.id, state.population)
    if population is None:
        return None
    for analysis in trial.analyses:
        if not trial.efficacy_rows(
            endpoint=state.endpoint, arm=arm.id, population=population, analysis=analysis.id
        ):
            continue
        inputs = registry.curve_inputs(trial.id, arm.id, state.endpoint, population, analysis.id)
        summary = summary_of(inputs)
        drawable = summary.median is not None and summary.median.value is not None
        if drawable or summary.landmarks:
            return PublishedMarker(
                token, f"{trial.name}: {arm.label}", trial.id, analysis.label, summary
            )
    return None


def hr_only(registry: Registry, token: str, state: SurvivalState) -> bool:
    """Whether the only evidence for this arm, endpoint and population is a hazard ratio."""
    trial, arm = arm_of(registry, token)
    population = _population_id(registry, trial.id, state.population)
    if population is None:
        return False
    rows = [
        r
        for r in trial.efficacy
        if r.endpoint == state.endpoint
        and r.population == population
        and arm.id in (r.arm, r.comparator)
        and r.is_reported
    ]
    return bool(rows) and all(r.measure == "hr" for r in rows)


def forest_search(state: SurvivalState) -> str:
    """The Forest view's query for the same endpoint and population."""
    query = f"?ep={quote(state.endpoint)}"
    if state.population != ITT_KEY:
        query += f"&pop={quote(state.population, safe='')}"
    return query


def hr_only_reason(state: SurvivalState) -> str:
    return (
        f"only a hazard ratio is reported for {population_label(state.population)} (no curve, "
        "median or landmark rate to draw) — see it in the Forest view at this subgroup"
    )
