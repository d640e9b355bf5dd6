"""Grade B (numbers at risk + anchors, no curve): exactness guarantees and recovery of simulated
trials.

Guarantees tested exactly: N, the published event total, and every at-risk count of the table.
Recovery on the seeded grid of ``test_reconstruct_helpers`` (the inputs are what a paper prints:
the table every 3 months, the total events, the KM median and the KM rates at 6 and 12 months;
the censored counts only in the ``printed`` variant). Measured worst cases over the grid
(max|dS| at >= 10 at risk / landmark error / median error):

* fitted split: N=60 0.082 / 0.029 / 0.34; N=250 0.058 / 0.007 / 0.35; N=600 0.046 / 0.004 / 0;
* printed censored counts: N=60 0.086 / 0.010 / 0.28; N=250 0.052 / 0.005 / 0.14;
  N=600 0.039 / 0.006 / 0.

Locked with headroom: max|dS| <= 0.10 (N=60), 0.07 (N>=250); landmarks <= 0.035 (N=60),
0.012 (N>=250); medians <= 0.5 months (the issue's grade-B bound).
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.fidelity import curve_agreement, kaplan_meier
from analysis.reconstruct import (
    FollowUp,
    Landmark,
    ReconstructionInputError,
    TableArm,
    reconstruct_arms_from_tables,
    reconstruct_from_table,
)
from tests.unit.test_reconstruct_helpers import SCENARIOS, SIZES, simulate_arm

CURVE_TOL = {60: 0.10, 250: 0.07, 600: 0.07}
LANDMARK_TOL = {60: 0.035, 250: 0.012, 600: 0.012}


def _inputs(sim, *, printed: bool) -> tuple[TableArm, FollowUp]:  # type: ignore[no-untyped-def]
    km = kaplan_meier(sim.time, sim.event)
    landmarks = tuple(
        Landmark(x, float(km.survival_at(x))) for x in (6.0, 12.0) if (sim.time >= x).sum() >= 10
    )
    censored = None
    if printed:
        censored = tuple(int(((sim.time < x) & (sim.event == 0)).sum()) for x in sim.risk_time)
    arm = TableArm(
        time_months=tuple(float(x) for x in sim.risk_time),
        n_at_risk=tuple(int(x) for x in sim.n_at_risk),
        censored_cumulative=censored,
        total_events=int(sim.event.sum()),
        median_months=km.median_months(),
        landmarks=landmarks,
    )
    followup = FollowUp(
        accrual_months=sim.accrual_months, max_followup_months=sim.max_followup_months
    )
    return arm, followup


@pytest.mark.parametrize("printed", [False, True], ids=["fitted", "printed"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("label", "kwargs"), SCENARIOS)
def test_recovers_simulated_trials(label: str, kwargs: dict, size: int, printed: bool) -> None:
    for seed in range(3):
        sim = simulate_arm(n=size, seed=seed, **kwargs)
        arm, followup = _inputs(sim, printed=printed)
        ipd = reconstruct_from_table(arm, followup=followup)
        t, e = ipd.arrays()
        assert ipd.grade == "B"
        assert ipd.n_patients == size
        assert ipd.n_events == arm.total_events
        rebuilt = np.array([(t >= x).sum() for x in sim.risk_time])
        np.testing.assert_array_equal(rebuilt, sim.n_at_risk)
        km_true = kaplan_meier(sim.time, sim.event)
        agreement = curve_agreement(t, e, km_true.time_months, km_true.survival)
        assert agreement.max_abs_diff <= CURVE_TOL[size], (label, seed)
        km = kaplan_meier(t, e)
        for lm in arm.landmarks:
            assert abs(float(km.survival_at(lm.time_months)) - lm.survival) <= LANDMARK_TOL[size]
        if arm.median_months is not None:
            assert km.median_months() is not None
            assert abs(km.median_months() - arm.median_months) <= 0.5, (label, seed)


def test_printed_censoring_fixes_every_interval() -> None:
    sim = simulate_arm(n=250, seed=4)
    arm, followup = _inputs(sim, printed=True)
    t, e = reconstruct_from_table(arm, followup=followup).arrays()
    for j in range(1, len(arm.time_months)):
        printed = arm.censored_cumulative[j]  # type: ignore[index]
        assert ((t < arm.time_months[j]) & (e == 0)).sum() == printed


def test_median_is_placed_on_the_published_value() -> None:
    sim = simulate_arm(n=600, seed=2, shape=1.3, median_months=9.0)
    arm, followup = _inputs(sim, printed=False)
    km = kaplan_meier(*reconstruct_from_table(arm, followup=followup).arrays())
    assert km.median_months() == pytest.approx(arm.median_months, abs=1e-6)


def test_two_arms_fit_jointly_and_deterministically() -> None:
    a = simulate_arm(n=300, seed=21, median_months=13.0)
    b = simulate_arm(n=300, seed=22, median_months=9.0)
    arm_a, fu = _inputs(a, printed=False)
    arm_b, _ = _inputs(b, printed=False)
    times = min(len(arm_a.time_months), len(arm_b.time_months))
    arm_a = TableArm(
        arm_a.time_months[:times],
        arm_a.n_at_risk[:times],
        total_events=None,
        median_months=arm_a.median_months,
        landmarks=arm_a.landmarks,
    )
    arm_b = TableArm(
        arm_b.time_months[:times],
        arm_b.n_at_risk[:times],
        total_events=None,
        median_months=arm_b.median_months,
        landmarks=arm_b.landmarks,
    )
    first = reconstruct_arms_from_tables([arm_a, arm_b], followup=fu)
    second = reconstruct_arms_from_tables([arm_a, arm_b], followup=fu)
    assert [r.to_csv() for r in first] == [r.to_csv() for r in second]
    assert [r.n_patients for r in first] == [300, 300]


def test_without_any_anchor_still_reproduces_the_table() -> None:
    arm = TableArm((0.0, 3.0, 6.0, 9.0), (100, 80, 50, 20))
    ipd = reconstruct_from_table(arm)
    t, _ = ipd.arrays()
    assert [(t >= x).sum() for x in arm.time_months] == [100, 80, 50, 20]
    assert ipd.n_patients == 100


def test_not_reached_median_keeps_curve_above_half() -> None:
    arm = TableArm((0.0, 3.0, 6.0, 9.0, 12.0), (100, 95, 88, 60, 30), median_not_reached=True)
    km = kaplan_meier(*reconstruct_from_table(arm).arrays())
    assert km.median_months() is None


def test_events_total_too_large_is_reported() -> None:
    arm = TableArm((0.0, 3.0, 6.0), (10, 8, 0), total_events=15)
    with pytest.raises(ReconstructionInputError, match=r"between 0 and N|exceed"):
        reconstruct_from_table(arm)


@pytest.mark.parametrize(
    ("censored", "message"),
    [
        ((0, 5, 3), "decreases"),
        ((0, 30, 31), "only"),
        ((0, -1, 2), "whole number"),
        ((0, 1), "censored counts for"),
    ],
)
def test_bad_censored_counts(censored: tuple[int, ...], message: str) -> None:
    arm = TableArm((0.0, 3.0, 6.0), (100, 80, 50), censored_cumulative=censored)
    with pytest.raises(ReconstructionInputError, match=message):
        reconstruct_from_table(arm)


def test_bad_table_names_the_arm() -> None:
    arm = TableArm((0.0, 3.0), (10, 12))
    with pytest.raises(ReconstructionInputError, match="increases") as info:
        reconstruct_from_table(arm, source="nivolumab arm")
    assert info.value.source == "nivolumab arm"
    assert info.value.row == 2


def test_analytic_jacobian_matches_finite_differences() -> None:
    """The grade-B fit uses an analytic Jacobian; check it against central differences."""
    from analysis.reconstruct.table_fit import _arm_terms, _problem

    arm = TableArm(
        (0.0, 3.0, 6.0, 9.0, 12.0, 15.0),
        (200, 170, 130, 90, 50, 20),
        censored_cumulative=(0, None, 6, None, 30, None),
        total_events=120,
        median_months=8.0,
        landmarks=(Landmark(4.5, 0.8), Landmark(16.0, 0.3)),
    )
    problem = _problem(arm, FollowUp(min_followup_months=7.0, max_followup_months=20.0), "x")
    theta = np.log(np.linspace(0.03, 0.09, problem.n_params))
    assert problem.n_params == len(problem.free) + 1  # the dropout rate before 7 months
    terms = _arm_terms(problem, theta)
    jac = np.vstack(terms.rows)
    step = 1e-6
    numeric = np.empty_like(jac)
    for j in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        numeric[:, j] = (
            np.asarray(_arm_terms(problem, up).residuals)
            - np.asarray(_arm_terms(problem, down).residuals)
        ) / (2 * step)
    np.testing.assert_allclose(jac, numeric, rtol=1e-5, atol=1e-5)
