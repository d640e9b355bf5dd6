"""Grade C (summary numbers only): anchors, N and events reproduced.

Issue 4 asks: each anchor within 0.01 (survival) / 0.1 months (median), N exactly, events exactly
when given. N and events are exact by construction, and the median event is placed on the
published median (tested to 1e-6). A landmark is reproduced to within half a KM step at that
time, or one step when the median lies just after it (the crossing event is then held back to
the median); one step, ``S / n_at_risk``, is the best any IPD can guarantee. On the seeded
simulation grid the largest landmark error was 0.011 at N = 60 and 0.005 at N >= 250, so the
test asserts the one-step bound everywhere and 0.01 for N >= 250.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.fidelity import kaplan_meier, n_at_risk_at
from analysis.reconstruct import (
    FollowUp,
    Landmark,
    ReconstructionInputError,
    SummaryArm,
    reconstruct_from_summary,
)
from tests.unit.test_reconstruct_helpers import SCENARIOS, SIZES, simulate_arm


def _arm(sim) -> SummaryArm:  # type: ignore[no-untyped-def]
    km = kaplan_meier(sim.time, sim.event)
    return SummaryArm(
        n=int(sim.time.size),
        total_events=int(sim.event.sum()),
        median_months=km.median_months(),
        median_not_reached=km.median_months() is None,
        landmarks=tuple(
            Landmark(x, float(km.survival_at(x)))
            for x in (6.0, 12.0)
            if (sim.time >= x).sum() >= 10
        ),
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("label", "kwargs"), SCENARIOS)
def test_reproduces_anchors_n_and_events(label: str, kwargs: dict, size: int) -> None:
    for seed in range(3):
        sim = simulate_arm(n=size, seed=seed, **kwargs)
        arm = _arm(sim)
        followup = FollowUp(
            accrual_months=sim.accrual_months, max_followup_months=sim.max_followup_months
        )
        ipd = reconstruct_from_summary(arm, followup=followup)
        t, e = ipd.arrays()
        assert ipd.grade == "C"
        assert ipd.n_patients == arm.n
        assert ipd.n_events == arm.total_events
        km = kaplan_meier(t, e)
        if arm.median_months is not None:
            assert km.median_months() == pytest.approx(arm.median_months, abs=1e-6), label
        else:
            assert km.median_months() is None
        for lm in arm.landmarks:
            got = float(km.survival_at(lm.time_months))
            step = got / max(int(n_at_risk_at(t, lm.time_months)), 1)
            assert abs(got - lm.survival) <= step + 1e-9, (label, seed, lm)
            if size >= 250:
                assert abs(got - lm.survival) <= 0.01, (label, seed, lm)


def test_follow_up_from_median_only() -> None:
    arm = SummaryArm(n=120, total_events=60, median_months=11.0, landmarks=(Landmark(6, 0.75),))
    ipd = reconstruct_from_summary(arm, followup=FollowUp(median_followup_months=16.0))
    assert ipd.n_events == 60
    assert kaplan_meier(*ipd.arrays()).median_months() == pytest.approx(11.0)


def test_without_events_uses_the_model_expectation() -> None:
    arm = SummaryArm(n=80, median_months=9.0)
    ipd = reconstruct_from_summary(arm, followup=FollowUp(max_followup_months=24.0))
    assert 0 < ipd.n_events < 80
    assert ipd.n_patients == 80


def test_infeasible_window_is_rescaled_with_a_warning() -> None:
    arm = SummaryArm(n=100, total_events=75, median_months=6.0, landmarks=(Landmark(3, 0.8),))
    ipd = reconstruct_from_summary(arm, followup=FollowUp(max_followup_months=8.0))
    assert ipd.n_events == 75
    assert any("follow-up window changed" in w for w in ipd.warnings)


def test_deterministic_bytes() -> None:
    arm = SummaryArm(n=300, total_events=180, median_months=10.2, landmarks=(Landmark(12, 0.44),))
    fu = FollowUp(accrual_months=20.0, min_followup_months=8.0)
    outs = {reconstruct_from_summary(arm, followup=fu).to_csv() for _ in range(3)}
    assert len(outs) == 1


def test_rounded_anchor_conflict_is_reconciled() -> None:
    # published 12-month rate 50.4 % with a median of 11.8: inconsistent by rounding only
    arm = SummaryArm(n=200, total_events=120, median_months=11.8, landmarks=(Landmark(12, 0.504),))
    ipd = reconstruct_from_summary(arm, followup=FollowUp(max_followup_months=30.0))
    assert any("rounding" in w for w in ipd.warnings)


@pytest.mark.parametrize(
    ("arm", "followup", "message"),
    [
        (SummaryArm(n=0), FollowUp(max_followup_months=10), "N must be"),
        (SummaryArm(n=10, total_events=11), FollowUp(max_followup_months=10), "between 0"),
        (
            SummaryArm(n=50, median_months=6.0, landmarks=(Landmark(9, 0.7),)),
            FollowUp(max_followup_months=20),
            "inconsistent",
        ),
        (SummaryArm(n=50, median_months=6.0), FollowUp(), "follow-up facts"),
        (
            SummaryArm(n=50, landmarks=(Landmark(6, 1.2),)),
            FollowUp(max_followup_months=20),
            "strictly between",
        ),
        (
            SummaryArm(n=50, total_events=49, landmarks=(Landmark(12, 0.9),)),
            FollowUp(max_followup_months=13),
            "cannot be reached",
        ),
    ],
)
def test_bad_inputs(arm: SummaryArm, followup: FollowUp, message: str) -> None:
    with pytest.raises(ReconstructionInputError, match=message):
        reconstruct_from_summary(arm, followup=followup)


def test_followup_window_rules() -> None:
    assert FollowUp(accrual_months=12, min_followup_months=6).window() == (6, 18)
    assert FollowUp(accrual_months=12, max_followup_months=30).window() == (18, 30)
    assert FollowUp(median_followup_months=10, accrual_months=8).window() == (6, 14)
    assert FollowUp(median_followup_months=10, max_followup_months=16).window() == (4, 16)
    with pytest.raises(ReconstructionInputError, match="inconsistent"):
        FollowUp(min_followup_months=20, max_followup_months=10).window()
    with pytest.raises(ReconstructionInputError, match=">= 0"):
        FollowUp(accrual_months=-1)
    assert np.isfinite(FollowUp(max_followup_months=5).window()[1] or 0)
