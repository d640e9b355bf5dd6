"""analysis.fidelity: KM and Cox against R, curve distances, DATA-03 pass/fail flags.

Golden values come from R 4.x ``survival`` on the 24-patient dataset below::

    library(survival)
    t <- c(1.2,2.5,2.5,3.1,4.0,4.0,5.5,6.2,7.7,8.0,9.4,11.0,
           0.8,1.5,2.5,2.5,3.0,3.3,4.1,4.4,5.0,6.0,7.2,9.9)
    e <- c(1,1,0,1,1,0,1,0,1,1,0,0,  1,1,1,0,1,1,1,0,1,1,1,0)
    arm <- c(rep(1,12), rep(0,12))
    summary(survfit(Surv(t,e)~1, subset=arm==1), times=c(3,6,9))$surv
    #   0.833333 0.540123 0.270062
    survfit(Surv(t,e)~1, subset=arm==1)   # median 7.7
    survfit(Surv(t,e)~1, subset=arm==0)   # median 4.1
    m <- coxph(Surv(t,e)~arm, ties="efron"); exp(coef(m)); exp(confint(m))
    #   0.537366 (0.196258, 1.471339)

Tolerance rtol 1e-5 for KM (exact arithmetic) and 1e-4 for the Cox fit (iterative).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.fidelity import (
    PublishedArm,
    PublishedLandmark,
    arm_fidelity,
    cox_hazard_ratio,
    curve_agreement,
    hazard_ratio_check,
    kaplan_meier,
    median_within_tolerance,
)

T_ARM1 = [1.2, 2.5, 2.5, 3.1, 4.0, 4.0, 5.5, 6.2, 7.7, 8.0, 9.4, 11.0]
T_ARM0 = [0.8, 1.5, 2.5, 2.5, 3.0, 3.3, 4.1, 4.4, 5.0, 6.0, 7.2, 9.9]
T = np.array([*T_ARM1, *T_ARM0])
E = np.array([*[1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0], *[1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0]])
ARM1 = (T[:12], E[:12])
ARM0 = (T[12:], E[12:])


def test_km_matches_r_survfit() -> None:
    km = kaplan_meier(*ARM1)
    np.testing.assert_allclose(
        km.survival_at(np.array([3.0, 6.0, 9.0])), [0.833333, 0.540123, 0.270062], rtol=1e-5
    )
    assert km.median_months() == pytest.approx(7.7)
    assert kaplan_meier(*ARM0).median_months() == pytest.approx(4.1)


def test_km_matches_lifelines() -> None:
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(5)
    t = np.round(rng.exponential(10, 400), 1)
    e = (rng.random(400) < 0.7).astype(int)
    ours = kaplan_meier(t, e)
    ref = KaplanMeierFitter().fit(t, e)
    grid = np.linspace(0, t.max(), 97)
    np.testing.assert_allclose(
        ours.survival_at(grid), ref.survival_function_at_times(grid), atol=1e-12
    )


def test_median_not_reached_is_none() -> None:
    assert kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0]).median_months() is None


def test_cox_matches_r_coxph() -> None:
    hr = cox_hazard_ratio(*ARM1, *ARM0)
    assert hr.hr == pytest.approx(0.537366, rel=1e-4)
    assert hr.ci_lower == pytest.approx(0.196258, rel=1e-4)
    assert hr.ci_upper == pytest.approx(1.471339, rel=1e-4)


def test_curve_agreement_identity_and_offset() -> None:
    km = kaplan_meier(*ARM1)
    same = curve_agreement(*ARM1, km.time_months, km.survival, min_at_risk=1)
    assert same.max_abs_diff == 0.0
    assert same.ks_distance == 0.0
    shifted = curve_agreement(*ARM1, km.time_months, km.survival - 0.05, min_at_risk=1)
    assert shifted.max_abs_diff == pytest.approx(0.05)
    assert shifted.rmse == pytest.approx(0.05)


def test_curve_agreement_ignores_small_risk_sets() -> None:
    km = kaplan_meier(*ARM1)
    ref_s = km.survival.copy()
    ref_s[-1] -= 0.3  # a big difference where fewer than 10 are at risk
    res = curve_agreement(*ARM1, km.time_months, ref_s, min_at_risk=10)
    assert res.n_times > 0
    assert res.max_abs_diff == 0.0
    assert res.ks_distance == pytest.approx(0.3)


def test_arm_fidelity_flags() -> None:
    published = PublishedArm(
        n=12,
        events=7,
        median_months=7.5,
        landmarks=(PublishedLandmark(6.0, 0.55), PublishedLandmark(9.0, 0.40)),
    )
    rep = arm_fidelity(*ARM1, published, grade="B", events_constrained=True)
    assert rep.n_passed and rep.events_passed and rep.median_passed
    assert [c.passed for c in rep.landmarks] == [True, False]
    assert not rep.passed
    assert json.loads(json.dumps(rep.to_dict()))["landmarks"][0]["time_months"] == 6.0


def test_events_tolerance_depends_on_constraint() -> None:
    published = PublishedArm(n=12, events=100)
    t = np.arange(1.0, 101.0)
    e_98 = np.r_[np.ones(98), np.zeros(2)].astype(int)
    free = arm_fidelity(t, e_98, published, grade="A", events_constrained=False)
    fixed = arm_fidelity(t, e_98, published, grade="A", events_constrained=True)
    assert free.events_passed and not fixed.events_passed


def test_median_rules() -> None:
    assert median_within_tolerance(10.0, 10.5)
    assert not median_within_tolerance(10.0, 10.6)
    assert median_within_tolerance(20.0, 21.0)  # 5 % of 20 is larger than 0.5
    assert not median_within_tolerance(10.0, None)
    nr = PublishedArm(median_not_reached=True)
    rep = arm_fidelity([1, 2, 3, 4], [1, 0, 0, 0], nr, grade="C", events_constrained=False)
    assert rep.median_passed is True
    rep2 = arm_fidelity(*ARM1, nr, grade="C", events_constrained=False)
    assert rep2.median_passed is False


def test_hazard_ratio_check() -> None:
    ok = hazard_ratio_check(ARM1, ARM0, hr_published=0.55, ci_published=(0.2, 1.5))
    assert ok.abs_log_diff == pytest.approx(abs(np.log(0.537366 / 0.55)), rel=1e-3)
    assert ok.passed and ok.ci_overlap
    far = hazard_ratio_check(ARM1, ARM0, hr_published=0.8, ci_published=(0.7, 0.9))
    assert not far.passed
    with pytest.raises(ValueError, match="positive"):
        hazard_ratio_check(ARM1, ARM0, hr_published=0.0)
