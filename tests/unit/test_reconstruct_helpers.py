"""Shared generators for the reconstruction tests (simulated trials, exact digitisation).

hypothesis is not installed, so property tests use these small seeded generators over a grid
of distributions, sizes and censoring patterns instead. Everything is seeded: the tests are
deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.fidelity import kaplan_meier


@dataclass(frozen=True)
class SimTrial:
    """A simulated arm: IPD, its exact KM curve points and its at-risk table."""

    time: np.ndarray
    event: np.ndarray
    curve_time: np.ndarray
    curve_survival: np.ndarray
    risk_time: np.ndarray
    n_at_risk: np.ndarray
    accrual_months: float
    max_followup_months: float


def simulate_arm(
    *,
    n: int,
    seed: int,
    shape: float = 1.0,
    median_months: float = 10.0,
    cure: float = 0.0,
    accrual_months: float = 18.0,
    min_followup_months: float = 8.0,
    dropout_per_month: float = 0.0,
    risk_step: float = 3.0,
) -> SimTrial:
    """Weibull (optionally with a cured fraction) event times, uniform accrual, dropout.

    Times are rounded to 0.01 months (like a figure's resolution) which also creates ties.
    """
    rng = np.random.default_rng(seed)
    scale = median_months / np.log(2.0) ** (1.0 / shape)
    t_event = scale * rng.weibull(shape, size=n)
    if cure > 0:
        t_event[rng.random(n) < cure] = np.inf
    entry = rng.uniform(0.0, accrual_months, size=n)
    potential = accrual_months + min_followup_months - entry
    if dropout_per_month > 0:
        potential = np.minimum(potential, rng.exponential(1.0 / dropout_per_month, size=n))
    time = np.round(np.minimum(t_event, potential), 2)
    time = np.maximum(time, 0.01)
    event = (t_event <= potential).astype(np.int64)
    km = kaplan_meier(time, event)
    risk_time = np.arange(0.0, time.max() + risk_step, risk_step)
    n_at_risk = np.array([(time >= t).sum() for t in risk_time], dtype=np.int64)
    # keep the table up to and including its first zero
    zero = np.flatnonzero(n_at_risk == 0)
    if zero.size:
        risk_time, n_at_risk = risk_time[: zero[0] + 1], n_at_risk[: zero[0] + 1]
    return SimTrial(
        time=time,
        event=event,
        curve_time=km.time_months[1:],
        curve_survival=km.survival[1:],
        risk_time=risk_time,
        n_at_risk=n_at_risk,
        accrual_months=accrual_months,
        max_followup_months=accrual_months + min_followup_months,
    )


#: The grid used by the property tests: (label, keyword arguments of ``simulate_arm``).
SCENARIOS: list[tuple[str, dict[str, float]]] = [
    ("exponential", {"shape": 1.0, "median_months": 10.0}),
    ("weibull-0.7", {"shape": 0.7, "median_months": 8.0}),
    ("weibull-1.6", {"shape": 1.6, "median_months": 12.0}),
    ("cure-30", {"shape": 1.2, "median_months": 9.0, "cure": 0.3}),
    ("dropout", {"shape": 1.0, "median_months": 6.0, "dropout_per_month": 0.02}),
    ("long-followup", {"shape": 1.0, "median_months": 14.0, "min_followup_months": 24.0}),
]
SIZES = (60, 250, 600)
