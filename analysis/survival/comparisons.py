"""Two-sample comparisons: log-rank (``survdiff``) and Cox with Efron ties (``coxph``); see
:mod:`analysis.survival` for why the Cox fit is our own NumPy code."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import chdtrc

from analysis.survival.results import (
    CoxEngine,
    CoxResult,
    LogRankResult,
    SurvivalSample,
)
from analysis.types import (
    FloatArray,
    check_ci_level,
    wald_ratio,
)

_MAX_NEWTON_STEPS = 100


# --------------------------------------------------------------------------------------------
# Two-sample: Cox (Efron) and log-rank
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _EventTable:
    """Per distinct event time: numbers at risk and events in the arm (x=1) and reference (x=0)."""

    n_arm: FloatArray
    n_ref: FloatArray
    d_arm: FloatArray
    d_ref: FloatArray


def _event_table(arm: SurvivalSample, reference: SurvivalSample) -> _EventTable:
    times = np.concatenate((arm.times_months, reference.times_months))
    events = np.concatenate((arm.events, reference.events)).astype(np.int64)
    in_arm = np.concatenate(
        (np.ones(arm.n_patients, dtype=np.int64), np.zeros(reference.n_patients, dtype=np.int64))
    )
    order = np.argsort(times, kind="stable")
    times, events, in_arm = times[order], events[order], in_arm[order]
    _, first = np.unique(times, return_index=True)
    arm_before = np.concatenate(([0], np.cumsum(in_arm)))[first]
    n_arm = arm.n_patients - arm_before
    n_ref = reference.n_patients - (first - arm_before)
    d_all = np.add.reduceat(events, first)
    d_arm = np.add.reduceat(events * in_arm, first)
    has_event = d_all > 0
    return _EventTable(
        n_arm=n_arm[has_event].astype(np.float64),
        n_ref=n_ref[has_event].astype(np.float64),
        d_arm=d_arm[has_event].astype(np.float64),
        d_ref=(d_all - d_arm)[has_event].astype(np.float64),
    )


def log_rank_test(arm: SurvivalSample, reference: SurvivalSample) -> LogRankResult:
    """Two-sample log-rank chi-square (1 df) with the hypergeometric variance, as R ``survdiff``.

    Reference: Mantel 1966; Peto & Peto 1972.
    """
    table = _event_table(arm, reference)
    n = table.n_arm + table.n_ref
    d = table.d_arm + table.d_ref
    expected_arm = d * table.n_arm / n
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = np.where(
            n > 1, d * (table.n_arm / n) * (table.n_ref / n) * (n - d) / (n - 1.0), 0.0
        )
    observed_arm = int(table.d_arm.sum())
    observed_ref = int(table.d_ref.sum())
    e_arm = float(expected_arm.sum())
    e_ref = float(d.sum()) - e_arm
    total_var = float(variance.sum())
    if total_var <= 0.0:
        return LogRankResult(None, 1, None, observed_arm, e_arm, observed_ref, e_ref)
    stat = (observed_arm - e_arm) ** 2 / total_var
    return LogRankResult(
        chi2=stat,
        df=1,
        p_value=float(chdtrc(1, stat)),
        observed_arm=observed_arm,
        expected_arm=e_arm,
        observed_reference=observed_ref,
        expected_reference=e_ref,
    )


@dataclass(frozen=True)
class _EfronSlots:
    """One row per event "slot" (event time j, tie index l) of Efron's approximation."""

    s0_ref: FloatArray  # n_ref - phi d_ref   (reference at-risk mass, weight 1)
    s0_arm: FloatArray  # n_arm - phi d_arm   (arm at-risk mass, weight exp(beta))
    d_arm_total: float


def _efron_slots(table: _EventTable) -> _EfronSlots:
    d = (table.d_arm + table.d_ref).astype(np.int64)
    row = np.repeat(np.arange(d.size), d)
    tie_index = np.arange(row.size) - np.repeat(np.cumsum(d) - d, d)
    phi = tie_index / d[row]
    return _EfronSlots(
        s0_ref=table.n_ref[row] - phi * table.d_ref[row],
        s0_arm=table.n_arm[row] - phi * table.d_arm[row],
        d_arm_total=float(table.d_arm.sum()),
    )


def _efron_terms(slots: _EfronSlots, beta: float) -> tuple[float, float, float]:
    """Log partial likelihood, score and information at beta (binary covariate, so x^2 = x)."""
    weight = math.exp(beta)
    arm_mass = slots.s0_arm * weight
    denom = slots.s0_ref + arm_mass
    share = arm_mass / denom
    loglik = beta * slots.d_arm_total - float(np.sum(np.log(denom)))
    score = slots.d_arm_total - float(np.sum(share))
    information = float(np.sum(share * (1.0 - share)))
    return loglik, score, information


def _finite_mle_exists(slots: _EfronSlots) -> bool:
    """The score is decreasing in beta; a finite root exists iff it changes sign.

    Limits: as beta -> +inf each slot's share -> 1 if the arm has mass there, else 0; as
    beta -> -inf it -> 0 unless the reference has no mass there.
    """
    score_plus_inf = slots.d_arm_total - float(np.count_nonzero(slots.s0_arm > 0))
    score_minus_inf = slots.d_arm_total - float(np.count_nonzero(slots.s0_ref <= 0))
    return score_plus_inf < 0 < score_minus_inf


def _cox_numpy(arm: SurvivalSample, reference: SurvivalSample) -> tuple[float, float] | None:
    slots = _efron_slots(_event_table(arm, reference))
    if slots.s0_ref.size == 0 or not _finite_mle_exists(slots):
        return None
    beta = 0.0
    loglik, score, info = _efron_terms(slots, beta)
    for _ in range(_MAX_NEWTON_STEPS):
        step = score / info
        candidate = beta + step
        new_loglik, new_score, new_info = _efron_terms(slots, candidate)
        # Step halving keeps the (concave) partial likelihood increasing.
        while new_loglik < loglik - 1e-12 and abs(step) > 1e-14:
            step /= 2.0
            candidate = beta + step
            new_loglik, new_score, new_info = _efron_terms(slots, candidate)
        beta, loglik, score, info = candidate, new_loglik, new_score, new_info
        if abs(step) < 1e-11:
            break
    else:
        raise RuntimeError("Cox Newton-Raphson did not converge")  # pragma: no cover
    return beta, 1.0 / math.sqrt(info)


def _cox_lifelines(arm: SurvivalSample, reference: SurvivalSample) -> tuple[float, float] | None:
    # Imported lazily: lifelines costs ~1 s to import and is only needed for cross-checks.
    import pandas as pd  # noqa: PLC0415
    from lifelines import CoxPHFitter  # noqa: PLC0415

    slots = _efron_slots(_event_table(arm, reference))
    if slots.s0_ref.size == 0 or not _finite_mle_exists(slots):
        return None
    frame = pd.DataFrame(
        {
            "time": np.concatenate((arm.times_months, reference.times_months)),
            "event": np.concatenate((arm.events, reference.events)).astype(int),
            "arm": np.concatenate((np.ones(arm.n_patients), np.zeros(reference.n_patients))),
        }
    )
    fitter = CoxPHFitter().fit(frame, duration_col="time", event_col="event")
    return float(fitter.params_["arm"]), float(fitter.standard_errors_["arm"])


def cox_hazard_ratio(
    arm: SurvivalSample,
    reference: SurvivalSample,
    ci_level: float = 0.95,
    engine: CoxEngine = "numpy",
) -> CoxResult:
    """Hazard ratio of ``arm`` vs ``reference`` from a Cox model with Efron ties.

    Model: h(t | x) = h0(t) exp(beta x), x = 1 for ``arm``. Partial likelihood with Efron's (1977)
    tie correction, maximised by Newton-Raphson; Wald CI exp(beta +/- z se) and Wald p, with
    se from the observed information at the maximum — as R ``coxph(Surv(t, e) ~ x, ties =
    "efron")`` and lifelines ``CoxPHFitter`` (``engine="lifelines"``, ~100x slower).
    Assumes proportional hazards; for arms from different trials this is an unanchored,
    non-randomised comparison and the label must say so.
    """
    level = check_ci_level(ci_level)
    fit = _cox_numpy(arm, reference) if engine == "numpy" else _cox_lifelines(arm, reference)
    n_patients = arm.n_patients + reference.n_patients
    n_events = arm.n_events + reference.n_events
    if fit is None:
        return CoxResult(
            hazard_ratio=None,
            ci_lower=None,
            ci_upper=None,
            ci_level=level,
            log_hr=None,
            se_log_hr=None,
            wald_z=None,
            p_value=None,
            n_patients=n_patients,
            n_events=n_events,
            estimable=False,
            engine=engine,
        )
    beta, se = fit
    wald = wald_ratio(beta, se, level)
    return CoxResult(
        hazard_ratio=wald.ratio,
        ci_lower=wald.ci_lower,
        ci_upper=wald.ci_upper,
        ci_level=level,
        log_hr=beta,
        se_log_hr=se,
        wald_z=wald.z,
        p_value=wald.p_value,
        n_patients=n_patients,
        n_events=n_events,
        estimable=True,
        engine=engine,
    )
