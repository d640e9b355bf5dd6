"""Small shared types and validators for the statistics modules in ``analysis/``.

Conventions used across ``analysis.survival``, ``analysis.meta`` and ``analysis.proportions``:

* Confidence levels are fractions in (0, 1): ``ci_level=0.95``, ``ci_level=0.991``. A value such as
  ``95`` is rejected with a message rather than silently reinterpreted.
* Times are in months; field names carry the unit (``median_months``).
* "Not reached" / "not estimable" is ``None``, never NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypedDict, TypeVar

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr, ndtri

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
ArrayT = TypeVar("ArrayT", bound=npt.NDArray[Any])


def check_ci_level(ci_level: float) -> float:
    """Return ``ci_level`` as a float after checking it is a fraction strictly between 0 and 1.

    Raises ``ValueError`` for percentages (``95``), 0, 1, NaN and non-numbers, because a silently
    misread level changes every interval downstream.
    """
    try:
        level = float(ci_level)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"ci_level must be a number in (0, 1), got {ci_level!r}") from exc
    if not math.isfinite(level) or not 0.0 < level < 1.0:
        raise ValueError(
            f"ci_level must be a fraction strictly between 0 and 1 (e.g. 0.95 or 0.991), "
            f"got {ci_level!r}"
        )
    return level


def numeric_interval(ci: tuple[object, object] | None) -> tuple[float, float] | None:
    """A printed interval as two numbers, or None when it is absent or a bound is not a number
    (the data files write "NE" / "NR" for a bound the source gives as not estimable / not
    reached)."""
    if ci is None:
        return None
    lo, hi = ci
    if isinstance(lo, int | float) and isinstance(hi, int | float):
        return float(lo), float(hi)
    return None


def two_sided_z(ci_level: float) -> float:
    """Standard-normal quantile z such that P(|Z| <= z) = ``ci_level`` (1.959964 for 0.95)."""
    level = check_ci_level(ci_level)
    # scipy.special ufuncs: same numbers as scipy.stats.norm, ~50x less call overhead.
    return float(ndtri(0.5 + level / 2.0))


def two_sided_normal_p(z: float) -> float:
    """Two-sided p-value 2 * P(Z > |z|) for a standard-normal statistic."""
    return float(2.0 * ndtr(-abs(z)))


@dataclass(frozen=True)
class WaldRatio:
    """A log-scale estimate (log HR, log ratio of HRs) back on the ratio scale, with its Wald
    interval and test (:func:`wald_ratio`)."""

    ratio: float
    ci_lower: float
    ci_upper: float
    #: Wald statistic estimate / SE.
    z: float
    #: Two-sided p-value of ``z``.
    p_value: float


def wald_ratio(log_estimate: float, se: float, ci_level: float) -> WaldRatio:
    """exp(b), exp(b -/+ z_c SE), z = b / SE and p = 2 P(Z > |z|) for a log-scale estimate b.

    The Wald interval and test of a log hazard ratio (Collett, *Modelling Survival Data in
    Medical Research*, 3rd ed., 2015, ch. 3), as R reports them for ``survival::coxph`` and for
    a pooled log HR in ``metafor``; ``z_c`` is :func:`two_sided_z` at ``ci_level``. Written once
    for every module that turns a log HR and its SE into an HR with CI, z and p (Cox fits,
    Bucher and network estimates, ratios of HRs).
    """
    crit = two_sided_z(ci_level)
    z = log_estimate / se
    return WaldRatio(
        ratio=math.exp(log_estimate),
        ci_lower=math.exp(log_estimate - crit * se),
        ci_upper=math.exp(log_estimate + crit * se),
        z=z,
        p_value=two_sided_normal_p(z),
    )


@dataclass(frozen=True)
class HrContrast:
    """HR of ``treatment`` vs ``comparator`` estimated on the log scale, with its Wald CI at
    ``ci_level``, z and two-sided p: what every record of such an estimate holds (Bucher and
    network estimates add their own fields)."""

    treatment: str
    comparator: str
    log_hr: float
    se_log_hr: float
    hr: float
    ci_lower: float
    ci_upper: float
    ci_level: float
    z: float
    p_value: float


class _Estimate(TypedDict):
    log_hr: float
    se_log_hr: float
    hr: float
    ci_lower: float
    ci_upper: float
    ci_level: float
    z: float
    p_value: float


def log_hr_estimate(log_hr: float, se: float, ci_level: float) -> _Estimate:
    """The estimate fields of an :class:`HrContrast` for ``log_hr`` and its ``se``: the HR,
    Wald CI at ``ci_level``, z and p (:func:`wald_ratio`)."""
    wald = wald_ratio(log_hr, se, ci_level)
    return _Estimate(
        log_hr=log_hr,
        se_log_hr=se,
        hr=wald.ratio,
        ci_lower=wald.ci_lower,
        ci_upper=wald.ci_upper,
        ci_level=ci_level,
        z=wald.z,
        p_value=wald.p_value,
    )


def readonly(array: ArrayT) -> ArrayT:
    """Mark an array read-only in place and return it (results are shared through caches)."""
    array.setflags(write=False)
    return array
