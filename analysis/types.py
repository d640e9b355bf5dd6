"""Small shared types and validators for the statistics modules in ``analysis/``.

Conventions used across ``analysis.survival``, ``analysis.meta`` and ``analysis.proportions``:

* Confidence levels are fractions in (0, 1): ``ci_level=0.95``, ``ci_level=0.991``. A value such as
  ``95`` is rejected with a message rather than silently reinterpreted.
* Times are in months; field names carry the unit (``median_months``).
* "Not reached" / "not estimable" is ``None``, never NaN.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

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


def two_sided_z(ci_level: float) -> float:
    """Standard-normal quantile z such that P(|Z| <= z) = ``ci_level`` (1.959964 for 0.95)."""
    level = check_ci_level(ci_level)
    # scipy.special ufuncs: same numbers as scipy.stats.norm, ~50x less call overhead.
    return float(ndtri(0.5 + level / 2.0))


def two_sided_normal_p(z: float) -> float:
    """Two-sided p-value 2 * P(Z > |z|) for a standard-normal statistic."""
    return float(2.0 * ndtr(-abs(z)))


def readonly(array: ArrayT) -> ArrayT:
    """Mark an array read-only in place and return it (results are shared through caches)."""
    array.setflags(write=False)
    return array
