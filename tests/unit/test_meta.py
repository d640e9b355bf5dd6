"""Unit tests for analysis.meta: conversions, edge cases and invariants (R checks are golden)."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from scipy.stats import norm

from analysis.meta import (
    PoolingMethod,
    leave_one_out,
    log_hr_and_se,
    pool,
    pool_log_estimates,
    ratio_of_hazard_ratios,
    study_from_hr_ci,
    study_from_log_hr,
)

METHODS: tuple[PoolingMethod, ...] = ("FE", "REML", "PM", "DL")


def test_se_uses_the_quantile_of_the_published_level() -> None:
    _, se95 = log_hr_and_se(0.7, 0.55, 0.89, 0.95)
    _, se991 = log_hr_and_se(0.7, 0.55, 0.89, 0.991)
    assert se95 == pytest.approx((math.log(0.89) - math.log(0.55)) / (2 * norm.ppf(0.975)))
    assert se95 / se991 == pytest.approx(norm.ppf(0.9955) / norm.ppf(0.975))
    assert se991 < se95


@pytest.mark.parametrize(
    ("hr", "lower", "upper", "level", "message"),
    [
        (0.7, 0.8, 0.9, 0.95, "lower <= HR <= upper"),
        (0.7, 0.5, 0.6, 0.95, "lower <= HR <= upper"),
        (0.7, 0.7, 0.7, 0.95, "lower < upper"),
        (0.0, 0.0, 0.9, 0.95, "positive"),
        (0.7, 0.5, float("inf"), 0.95, "positive"),
        (0.7, 0.5, 0.9, 95, "ci_level"),
    ],
)
def test_invalid_published_intervals_are_rejected(
    hr: float, lower: float, upper: float, level: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        study_from_hr_ci("x", hr, lower, upper, level)


def test_asymmetry_flags_an_inconsistent_interval() -> None:
    consistent = study_from_hr_ci("ok", 0.70, 0.56, 0.88, 0.95)
    typo = study_from_hr_ci("typo", 0.70, 0.66, 0.88, 0.95)  # lower limit mistyped
    assert consistent.log_ci_asymmetry < 0.1
    assert typo.log_ci_asymmetry > 0.5


def test_single_study_pools_to_itself() -> None:
    study = study_from_hr_ci("only", 0.8, 0.6, 1.0, 0.95)
    result = pool([study], method="REML")
    assert result.k == 1
    assert result.estimate_log == pytest.approx(study.log_hr)
    assert result.se_log == pytest.approx(study.se_log_hr)
    assert result.tau2 == 0.0
    assert result.q == 0.0
    assert result.q_p_value is None
    assert result.i2_percent == 0.0
    assert result.pi_lower_log is None  # t_{k-2} undefined
    assert result.weights_percent == (100.0,)


def test_two_studies_have_no_higgins_prediction_interval() -> None:
    studies = [study_from_log_hr("a", -0.3, 0.1), study_from_log_hr("b", 0.1, 0.15)]
    assert pool(studies).pi_lower_log is None
    metafor_style = pool(studies, prediction="metafor")
    assert metafor_style.pi_lower_log is not None
    assert metafor_style.pi_lower_log < metafor_style.ci_lower_log


@pytest.mark.parametrize("method", METHODS)
def test_identical_estimates(method: PoolingMethod) -> None:
    result = pool_log_estimates([-0.2] * 4, [0.1, 0.2, 0.15, 0.3], method=method)
    assert result.tau2 == 0.0
    assert result.q == pytest.approx(0.0, abs=1e-20)
    assert result.i2_percent == 0.0
    assert result.i2_from_q_percent == 0.0
    assert result.estimate_log == pytest.approx(-0.2)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("method", METHODS)
def test_invariants_on_random_sets(seed: int, method: PoolingMethod) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 12))
    se = rng.uniform(0.05, 0.4, k)
    y = rng.normal(-0.3, rng.uniform(0, 0.4), k) + rng.normal(0, se)
    result = pool_log_estimates(y, se, method=method)
    assert result.tau2 >= 0.0
    assert 0.0 <= result.i2_percent <= 100.0
    assert 0.0 <= result.i2_from_q_percent <= 100.0
    assert sum(result.weights_percent) == pytest.approx(100.0)
    assert result.ci_lower_log < result.estimate_log < result.ci_upper_log
    fe = pool_log_estimates(y, se, method="FE")
    assert result.se_log >= fe.se_log - 1e-15  # heterogeneity only widens the interval
    if result.tau2 == 0.0:
        assert result.estimate_log == pytest.approx(fe.estimate_log)


@pytest.mark.parametrize("seed", range(6))
def test_estimating_equations_hold_at_the_solution(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    k = 8
    se = rng.uniform(0.05, 0.3, k)
    y = rng.normal(0, 0.5, k)
    for method in ("REML", "PM"):
        tau2 = pool_log_estimates(y, se, method=method).tau2
        w = 1 / (se**2 + tau2)
        mu = np.sum(w * y) / np.sum(w)
        if method == "PM":
            assert np.sum(w * (y - mu) ** 2) == pytest.approx(k - 1, rel=1e-9)
        else:
            score = np.sum(w**2 * (y - mu) ** 2) - (np.sum(w) - np.sum(w**2) / np.sum(w))
            assert score == pytest.approx(0.0, abs=1e-9 * np.sum(w))


def test_higgins_riley_interval_is_wider_than_metafor_z() -> None:
    rng = np.random.default_rng(7)
    y, se = rng.normal(-0.3, 0.3, 6), rng.uniform(0.1, 0.2, 6)
    higgins = pool_log_estimates(y, se)
    z_based = pool_log_estimates(y, se, prediction="metafor")
    assert higgins.pi_lower_log is not None
    assert z_based.pi_lower_log is not None
    assert higgins.pi_lower_log < z_based.pi_lower_log


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError, match="at least one"):
        pool_log_estimates([], [])
    with pytest.raises(ValueError, match="equal length"):
        pool_log_estimates([0.1, 0.2], [0.1])
    with pytest.raises(ValueError, match="> 0"):
        pool_log_estimates([0.1, 0.2], [0.1, 0.0])
    with pytest.raises(ValueError, match="unknown pooling method"):
        pool_log_estimates([0.1, 0.2], [0.1, 0.1], method="XX")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Knapp-Hartung"):
        pool_log_estimates([0.1], [0.1], knapp_hartung=True)
    with pytest.raises(ValueError, match="labels"):
        pool_log_estimates([0.1, 0.2], [0.1, 0.1], labels=["a"])
    with pytest.raises(ValueError, match="two studies"):
        leave_one_out([study_from_log_hr("a", 0.1, 0.1)])


def test_leave_one_out_drops_each_study_once() -> None:
    studies = tuple(study_from_log_hr(f"s{i}", -0.1 * i, 0.1 + 0.02 * i) for i in range(5))
    rows = leave_one_out(studies, method="PM")
    assert [r.omitted_label for r in rows] == [s.label for s in studies]
    for row in rows:
        assert row.result.k == 4
        assert row.omitted_label not in row.result.labels


def test_pool_is_cacheable_with_tuple_input() -> None:
    cached = functools.lru_cache(maxsize=4)(pool)
    studies = (study_from_log_hr("a", -0.2, 0.1), study_from_log_hr("b", -0.4, 0.12))
    first = cached(studies, method="REML")
    assert cached(studies, method="REML") is first
    assert cached.cache_info().hits == 1


def test_ratio_of_hazard_ratios() -> None:
    high = study_from_hr_ci("CPS >= 10", 0.60, 0.48, 0.75, 0.95)
    low = study_from_hr_ci("CPS < 10", 0.90, 0.70, 1.16, 0.95)
    ratio = ratio_of_hazard_ratios(high, low)
    expected_se = math.hypot(high.se_log_hr, low.se_log_hr)
    assert ratio.ratio == pytest.approx(0.60 / 0.90)
    assert ratio.se_log_ratio == pytest.approx(expected_se)
    assert ratio.ci_lower == pytest.approx(math.exp(math.log(0.6 / 0.9) - 1.959964 * expected_se))
    assert ratio.p_value == pytest.approx(2 * norm.sf(abs(math.log(0.6 / 0.9)) / expected_se))
    flipped = ratio_of_hazard_ratios(low, high)
    assert flipped.ratio == pytest.approx(1 / ratio.ratio)
    assert flipped.p_value == pytest.approx(ratio.p_value)
    mixed_levels = ratio_of_hazard_ratios(
        study_from_hr_ci("hi", 0.6, 0.45, 0.8, 0.991), low, ci_level=0.9
    )
    assert mixed_levels.ci_level == 0.9
