"""Unit tests for analysis.proportions: boundaries, validation, rounding of printed intervals."""

from __future__ import annotations

import pytest

from analysis.proportions import (
    ProportionInterval,
    clopper_pearson,
    compare_with_printed,
    wilson,
)


@pytest.mark.parametrize("method", [clopper_pearson, wilson])
def test_boundaries(method: object) -> None:
    assert callable(method)
    zero = method(0, 25)
    full = method(25, 25)
    assert zero.ci_lower == 0.0
    assert zero.proportion == 0.0
    assert full.ci_upper == 1.0
    assert full.proportion == 1.0


@pytest.mark.parametrize(("x", "n"), [(1, 2), (7, 30), (36, 50), (199, 200)])
def test_intervals_contain_the_estimate_and_widen_with_level(x: int, n: int) -> None:
    for method in (clopper_pearson, wilson):
        narrow, wide = method(x, n, 0.90), method(x, n, 0.99)
        assert wide.ci_lower < narrow.ci_lower <= x / n <= narrow.ci_upper < wide.ci_upper


def test_exact_interval_is_at_least_as_wide_as_wilson_here() -> None:
    exact, score = clopper_pearson(36, 50), wilson(36, 50)
    assert exact.ci_upper - exact.ci_lower > score.ci_upper - score.ci_lower


@pytest.mark.parametrize(
    ("x", "n", "message"),
    [(5, 0, "positive"), (-1, 10, "0 <= x <= n"), (11, 10, "0 <= x <= n"), (2.5, 10, "whole")],
)
def test_invalid_counts(x: float, n: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        clopper_pearson(x, n)  # type: ignore[arg-type]


def test_booleans_are_not_counts() -> None:
    with pytest.raises(ValueError, match="booleans"):
        clopper_pearson(True, 10)


def test_level_as_percentage_is_rejected() -> None:
    with pytest.raises(ValueError, match="ci_level"):
        clopper_pearson(3, 10, 95)


def _interval(lower: float, upper: float) -> ProportionInterval:
    return ProportionInterval(5, 10, 0.5, lower, upper, 0.95, "test")


def test_printed_comparison_rounds_half_up_at_one_decimal() -> None:
    assert compare_with_printed(_interval(0.57450, 0.83849), 57.5, 83.8).matches
    assert not compare_with_printed(_interval(0.57449, 0.83849), 57.5, 83.8).matches
    check = compare_with_printed(_interval(0.5744, 0.8385), 57.5, 83.8)
    assert not check.matches
    assert (check.computed_lower_percent, check.computed_upper_percent) == (57.4, 83.9)


def test_printed_comparison_other_precision() -> None:
    assert compare_with_printed(_interval(0.5749, 0.8376), 57, 84, decimals=0).matches
    with pytest.raises(ValueError, match="decimals"):
        compare_with_printed(_interval(0.5, 0.6), 50, 60, decimals=-1)


def test_percent_properties() -> None:
    result = clopper_pearson(36, 50)
    assert result.percent == pytest.approx(72.0)
    assert result.ci_lower_percent == pytest.approx(100 * result.ci_lower)
    assert result.ci_upper_percent == pytest.approx(100 * result.ci_upper)
