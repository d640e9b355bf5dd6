"""Unit tests for analysis.survival: input validation, edge cases, invariants, cross-checks.

Cross-checks against lifelines use synthetic data drawn with a fixed seed; lifelines is the
independent implementation here (R comparisons live in tests/golden/test_survival_vs_r.py).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import warnings

import numpy as np
import pytest

from analysis.survival import (
    SurvivalMemo,
    SurvivalSample,
    compare_arms,
    cox_hazard_ratio,
    kaplan_meier,
    landmark_survival,
    log_rank_test,
    median_survival,
    n_at_risk,
    restricted_mean_survival,
    rmst_difference,
    summarise_arm,
)


def _synthetic(seed: int, n: int = 300, scale: float = 12.0, decimals: int = 0) -> SurvivalSample:
    """Exponential times with uniform censoring, rounded to create many ties."""
    rng = np.random.default_rng(seed)
    event_time = rng.exponential(scale, n)
    censor_time = rng.uniform(0, 36, n)
    time = np.round(np.minimum(event_time, censor_time), decimals)
    return SurvivalSample.from_arrays(time, event_time <= censor_time, label=f"seed {seed}")


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("times", "events", "message"),
    [
        ([], [], "empty"),
        ([1.0, 2.0], [1], "events has 1"),
        ([1.0, float("nan")], [1, 0], "NaN"),
        ([1.0, -2.0], [1, 0], ">= 0"),
        ([1.0, 2.0], [1, 2], "0/1"),
        ([[1.0], [2.0]], [[1], [0]], "one-dimensional"),
    ],
)
def test_invalid_samples_raise_clear_errors(
    times: list[float], events: list[int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        SurvivalSample.from_arrays(times, events)


@pytest.mark.parametrize("level", [95, 0, 1, -0.5, float("nan")])
def test_ci_level_must_be_a_fraction(level: float) -> None:
    with pytest.raises(ValueError, match="ci_level"):
        kaplan_meier(_synthetic(1), ci_level=level)


def test_sample_is_sorted_read_only_and_hashed_by_content() -> None:
    a = SurvivalSample.from_arrays([5, 1, 3], [1, 0, 1], label="a")
    b = SurvivalSample.from_arrays([1, 3, 5], [False, True, True], label="b")
    c = SurvivalSample.from_arrays([1, 3, 5], [1, 1, 1])
    assert a.times_months.tolist() == [1, 3, 5]
    assert a.events.tolist() == [False, True, True]
    assert a == b
    assert hash(a) == hash(b)
    assert a != c
    with pytest.raises(ValueError, match="read-only"):
        a.times_months[0] = 99.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.label = "x"  # type: ignore[misc]


def test_input_arrays_are_copied() -> None:
    times = np.array([1.0, 2.0, 3.0])
    sample = SurvivalSample.from_arrays(times, [1, 1, 1])
    times[0] = 100.0
    assert sample.times_months[0] == 1.0


# --------------------------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------------------------


def test_all_censored() -> None:
    sample = SurvivalSample.from_arrays([2.0, 4.0, 6.0], [0, 0, 0])
    km = kaplan_meier(sample)
    assert km.survival.tolist() == [1.0, 1.0, 1.0]
    assert km.ci_lower.tolist() == [1.0, 1.0, 1.0]
    assert not km.ci_defined.any()
    med = median_survival(km)
    assert (med.median_months, med.ci_lower_months, med.ci_upper_months) == (None, None, None)
    assert landmark_survival(km, 5.0).survival == 1.0
    rmst = restricted_mean_survival(km, 10.0)
    assert rmst.tau_clamped
    assert rmst.tau_months == 6.0
    assert rmst.rmst_months == 6.0
    assert rmst.se_months == 0.0
    other = SurvivalSample.from_arrays([1.0, 3.0], [1, 1])
    cox = cox_hazard_ratio(sample, other)
    assert not cox.estimable
    assert cox.hazard_ratio is None
    assert cox.p_value is None
    both_censored = log_rank_test(sample, sample)
    assert both_censored.chi2 is None
    assert both_censored.p_value is None


def test_single_patient_single_event() -> None:
    sample = SurvivalSample.from_arrays([3.0], [1])
    km = kaplan_meier(sample)
    assert km.survival.tolist() == [0.0]
    assert math.isinf(km.se_log_survival[0])
    assert median_survival(km).median_months == 3.0
    assert median_survival(km).ci_upper_months is None  # band undefined at S = 0, as R
    rmst = restricted_mean_survival(km, 10.0)
    assert not rmst.tau_clamped  # curve reached 0: the area is defined beyond the last time
    assert rmst.rmst_months == 3.0
    assert rmst.se_months == 0.0
    late = landmark_survival(km, 12.0)
    assert late.survival == 0.0
    assert late.beyond_follow_up


def test_single_event_among_censored() -> None:
    km = kaplan_meier(SurvivalSample.from_arrays([1, 2, 3, 4], [0, 1, 0, 0]))
    assert km.survival.tolist() == pytest.approx([1.0, 2 / 3, 2 / 3, 2 / 3])
    assert median_survival(km).median_months is None
    assert km.ci_lower[1] < 2 / 3 < km.ci_upper[1]


def test_landmark_beyond_follow_up_is_none() -> None:
    km = kaplan_meier(SurvivalSample.from_arrays([1, 2, 3], [1, 0, 0]))
    mark = landmark_survival(km, 10.0)
    assert mark.survival is None
    assert mark.ci_lower is None
    assert mark.beyond_follow_up
    assert mark.n_at_risk == 0
    with pytest.raises(ValueError, match="landmark"):
        landmark_survival(km, -1.0)


def test_tau_beyond_last_time_is_clamped_and_flagged() -> None:
    short = _synthetic(2)
    km = kaplan_meier(short)
    last = float(short.times_months.max())
    result = restricted_mean_survival(km, last + 50)
    assert result.tau_clamped
    assert result.tau_months == last
    assert result.tau_requested_months == last + 50
    assert result.rmst_months == pytest.approx(restricted_mean_survival(km, last).rmst_months)
    with pytest.raises(ValueError, match="tau"):
        restricted_mean_survival(km, 0.0)


def test_rmst_difference_uses_common_clamped_horizon() -> None:
    a = SurvivalSample.from_arrays([1, 2, 3, 10], [1, 0, 1, 0])
    b = SurvivalSample.from_arrays([1, 2, 5, 6], [1, 1, 0, 0])
    diff = rmst_difference(kaplan_meier(a), kaplan_meier(b), 8.0)
    assert diff.tau_clamped
    assert diff.tau_months == 6.0
    assert diff.rmst_arm_months == pytest.approx(
        restricted_mean_survival(kaplan_meier(a), 6.0).rmst_months
    )


def test_ties_collapse_into_one_step() -> None:
    km = kaplan_meier(SurvivalSample.from_arrays([2, 2, 2, 5, 5], [1, 1, 0, 1, 0]))
    assert km.times_months.tolist() == [2.0, 5.0]
    assert km.n_events.tolist() == [2, 1]
    assert km.n_censored.tolist() == [1, 1]
    assert km.survival.tolist() == pytest.approx([3 / 5, 3 / 5 * 1 / 2])
    assert km.censor_times_months.tolist() == [2.0, 5.0]


# --------------------------------------------------------------------------------------------
# Invariants
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_km_invariants(seed: int) -> None:
    sample = _synthetic(seed)
    km = kaplan_meier(sample, 0.9)
    assert np.all(np.diff(km.survival) <= 0)
    assert np.all(km.ci_lower <= km.survival + 1e-15)
    assert np.all(km.survival <= km.ci_upper + 1e-15)
    assert np.all((km.ci_lower >= 0) & (km.ci_upper <= 1))
    assert int(km.n_events.sum()) == sample.n_events
    assert int(km.n_events.sum() + km.n_censored.sum()) == sample.n_patients
    wider = kaplan_meier(sample, 0.99)
    assert np.all(wider.ci_lower <= km.ci_lower + 1e-15)


def test_n_at_risk_counts_t_greater_or_equal() -> None:
    sample = SurvivalSample.from_arrays([0, 1, 1, 2, 4, 4, 7], [1, 0, 1, 1, 0, 1, 0])
    assert n_at_risk(sample, [0, 1, 1.5, 4, 7, 8]) == (7, 6, 4, 3, 1, 0)
    assert n_at_risk([4, 1, 7, 0, 2, 1, 4], [0, 1, 1.5, 4, 7, 8]) == (7, 6, 4, 3, 1, 0)
    ticks = tuple(np.linspace(0, 40, 9))
    counts = n_at_risk(_synthetic(6), ticks)
    assert counts[0] == 300
    assert all(a >= b for a, b in itertools.pairwise(counts))


def test_landmark_n_at_risk_agrees_with_n_at_risk() -> None:
    sample = _synthetic(7, decimals=1)
    km = kaplan_meier(sample)
    ticks = [0.0, 0.3, 6.0, 12.0, 12.05, 24.0, 30.0]
    assert [landmark_survival(km, t).n_at_risk for t in ticks] == list(n_at_risk(sample, ticks))


def test_two_sample_statistics_are_antisymmetric() -> None:
    a, b = _synthetic(8), _synthetic(9, scale=18.0)
    ab, ba = cox_hazard_ratio(a, b), cox_hazard_ratio(b, a)
    assert ab.hazard_ratio is not None
    assert ba.hazard_ratio is not None
    assert ab.hazard_ratio * ba.hazard_ratio == pytest.approx(1.0, rel=1e-9)
    assert ab.p_value == pytest.approx(ba.p_value, rel=1e-9)
    assert log_rank_test(a, b).chi2 == pytest.approx(log_rank_test(b, a).chi2, rel=1e-12)
    d_ab = rmst_difference(kaplan_meier(a), kaplan_meier(b), 20.0)
    d_ba = rmst_difference(kaplan_meier(b), kaplan_meier(a), 20.0)
    assert d_ab.difference_months == pytest.approx(-d_ba.difference_months)
    assert d_ab.se_months == pytest.approx(d_ba.se_months)


def test_identical_arms_give_hr_one_and_zero_chi2() -> None:
    a = _synthetic(10)
    cox = cox_hazard_ratio(a, a)
    assert cox.hazard_ratio == pytest.approx(1.0, abs=1e-12)
    lr = log_rank_test(a, a)
    assert lr.chi2 == pytest.approx(0.0, abs=1e-20)
    assert lr.p_value == pytest.approx(1.0)


def test_separated_arms_are_not_estimable_rather_than_huge() -> None:
    # Every event in the arm happens after the reference has left the risk set: the Efron
    # partial likelihood increases without bound in beta (monotone likelihood).
    arm = SurvivalSample.from_arrays([10, 11, 12], [1, 1, 1])
    ref = SurvivalSample.from_arrays([1, 2, 3], [1, 1, 1])
    assert not cox_hazard_ratio(arm, ref).estimable
    assert log_rank_test(arm, ref).p_value is not None


# --------------------------------------------------------------------------------------------
# Cross-checks against lifelines
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [11, 12])
def test_km_matches_lifelines(seed: int) -> None:
    from lifelines import KaplanMeierFitter

    sample = _synthetic(seed)
    km = kaplan_meier(sample)
    fitter = KaplanMeierFitter().fit(sample.times_months, sample.events)
    sf = fitter.survival_function_.iloc[:, 0]
    # lifelines adds a row at t = 0; align on our distinct times.
    np.testing.assert_allclose(sf.loc[km.times_months].to_numpy(), km.survival, rtol=1e-12)
    ci = fitter.confidence_interval_survival_function_.loc[km.times_months].to_numpy()
    # lifelines' "exponential Greenwood" band is the log-log band; it is NaN where S = 0 or 1.
    inside = km.ci_defined
    np.testing.assert_allclose(ci[inside, 0], km.ci_lower[inside], rtol=1e-9)
    np.testing.assert_allclose(ci[inside, 1], km.ci_upper[inside], rtol=1e-9)


@pytest.mark.parametrize("decimals", [0, 1, 3])
def test_cox_numpy_matches_lifelines_efron(decimals: int) -> None:
    a, b = _synthetic(13, decimals=decimals), _synthetic(14, scale=9.0, decimals=decimals)
    ours = cox_hazard_ratio(a, b, ci_level=0.95)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = cox_hazard_ratio(a, b, ci_level=0.95, engine="lifelines")
    assert theirs.engine == "lifelines"
    assert ours.log_hr == pytest.approx(theirs.log_hr, rel=1e-5)
    assert ours.se_log_hr == pytest.approx(theirs.se_log_hr, rel=1e-5)
    assert ours.p_value == pytest.approx(theirs.p_value, abs=1e-6)


def test_log_rank_matches_lifelines() -> None:
    from lifelines.statistics import logrank_test

    a, b = _synthetic(15), _synthetic(16, scale=16.0)
    ours = log_rank_test(a, b)
    theirs = logrank_test(a.times_months, b.times_months, a.events, b.events)
    assert ours.chi2 == pytest.approx(theirs.test_statistic, rel=1e-9)
    assert ours.p_value == pytest.approx(theirs.p_value, abs=1e-12)


def test_lifelines_rmst_variance_is_not_the_estimator_variance() -> None:
    """Without censoring the KM is the empirical distribution and RMST is the sample mean of
    min(T, tau): its estimator variance is var(min(T, tau)) / n — which our Greenwood-type formula
    reproduces exactly — while lifelines returns var(min(T, tau)) itself, ~n times larger."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import restricted_mean_survival_time

    rng = np.random.default_rng(17)
    times = np.round(rng.exponential(10.0, 200), 1)
    sample = SurvivalSample.from_arrays(times, np.ones(200, dtype=bool))
    ours = restricted_mean_survival(kaplan_meier(sample), 15.0)
    restricted = np.minimum(times, 15.0)
    assert ours.rmst_months == pytest.approx(restricted.mean(), rel=1e-12)
    assert ours.se_months**2 == pytest.approx(restricted.var() / 200, rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines' numerical integration warns here
        fitter = KaplanMeierFitter().fit(times, np.ones(200))
        mean, variance = restricted_mean_survival_time(fitter, t=15.0, return_variance=True)
    assert mean == pytest.approx(ours.rmst_months, rel=1e-9)
    assert variance == pytest.approx(restricted.var(), rel=1e-2)
    assert variance / ours.se_months**2 > 150


# --------------------------------------------------------------------------------------------
# Bundles and memoisation
# --------------------------------------------------------------------------------------------


def test_summarise_and_compare_bundle_the_pieces() -> None:
    a, b = _synthetic(18), _synthetic(19)
    summary = summarise_arm(a, ci_level=0.95, landmark_months=12.0, tau_months=24.0,
                            ticks_months=(0.0, 6.0, 12.0))  # fmt: skip
    km = kaplan_meier(a)
    assert summary.median == median_survival(km)
    assert summary.landmark == landmark_survival(km, 12.0)
    assert summary.rmst == restricted_mean_survival(km, 24.0)
    assert summary.at_risk.n_at_risk == n_at_risk(a, (0.0, 6.0, 12.0))
    comparison = compare_arms(a, b, tau_months=24.0)
    assert comparison.cox == cox_hazard_ratio(a, b)
    assert comparison.log_rank == log_rank_test(a, b)
    assert summarise_arm(a).rmst is None
    assert compare_arms(a, b).rmst_difference is None


def test_memo_returns_cached_results_by_content() -> None:
    memo = SurvivalMemo(maxsize=8)
    a = _synthetic(20)
    same_data_other_label = SurvivalSample.from_arrays(a.times_months, a.events, label="other")
    first = memo.summarise_arm(a, tau_months=12.0)
    second = memo.summarise_arm(same_data_other_label, tau_months=12.0)
    assert first is second
    assert memo.summarise_arm.cache_info().hits == 1
    assert memo.summarise_arm(a, tau_months=18.0) is not first
    memo.cache_clear()
    assert memo.summarise_arm.cache_info().currsize == 0
