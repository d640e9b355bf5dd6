"""Per-arm summaries and pairwise comparisons for the views, and :class:`SurvivalMemo`, the
cache the Dash callbacks use."""

from __future__ import annotations

import functools

from analysis.survival.comparisons import (
    cox_hazard_ratio,
    log_rank_test,
)
from analysis.survival.estimators import (
    at_risk_table,
    kaplan_meier,
    landmark_survival,
    median_survival,
    restricted_mean_survival,
    rmst_difference,
)
from analysis.survival.results import (
    ArmComparison,
    ArmSummary,
    SurvivalSample,
)

# --------------------------------------------------------------------------------------------
# Per-request bundles and memoisation
# --------------------------------------------------------------------------------------------


def summarise_arm(
    sample: SurvivalSample,
    *,
    ci_level: float = 0.95,
    landmark_months: float | None = None,
    tau_months: float | None = None,
    ticks_months: tuple[float, ...] = (),
) -> ArmSummary:
    """KM, median, landmark S(t), RMST(tau) and the at-risk row of one arm, all at ``ci_level``.

    Keyword-only parameters keep ``lru_cache`` keys canonical (positional and keyword calls
    would otherwise be cached separately). ``ticks_months`` must be a tuple to be hashable.
    """
    km = kaplan_meier(sample, ci_level)
    return ArmSummary(
        n_patients=sample.n_patients,
        n_events=sample.n_events,
        km=km,
        median=median_survival(km),
        landmark=None if landmark_months is None else landmark_survival(km, landmark_months),
        rmst=None if tau_months is None else restricted_mean_survival(km, tau_months),
        at_risk=at_risk_table(sample, ticks_months),
    )


def compare_arms(
    arm: SurvivalSample,
    reference: SurvivalSample,
    *,
    ci_level: float = 0.95,
    tau_months: float | None = None,
) -> ArmComparison:
    """Cox HR (Efron), log-rank and ΔRMST(tau) of ``arm`` vs ``reference``."""
    rmst_diff = None
    if tau_months is not None:
        rmst_diff = rmst_difference(
            kaplan_meier(arm, ci_level), kaplan_meier(reference, ci_level), tau_months, ci_level
        )
    return ArmComparison(
        cox=cox_hazard_ratio(arm, reference, ci_level),
        log_rank=log_rank_test(arm, reference),
        rmst_difference=rmst_diff,
    )


class SurvivalMemo:
    """``functools.lru_cache`` wrappers around the per-request entry points.

    Keys are (sample digest(s), parameters): a sample hashes by content, so the same curve under
    two ids shares one entry. Create one instance per app (in ``create_app``), not at import, so
    tests get fresh caches. Results are immutable and safe to share between requests/threads.
    """

    def __init__(self, maxsize: int = 1024) -> None:
        self.kaplan_meier = functools.lru_cache(maxsize=maxsize)(kaplan_meier)
        self.summarise_arm = functools.lru_cache(maxsize=maxsize)(summarise_arm)
        self.compare_arms = functools.lru_cache(maxsize=maxsize)(compare_arms)

    def cache_clear(self) -> None:
        self.kaplan_meier.cache_clear()
        self.summarise_arm.cache_clear()
        self.compare_arms.cache_clear()
