"""Confidence intervals for a binomial proportion (response rates: ORR, DCR, CR rate).

* Clopper-Pearson "exact" interval (Clopper & Pearson, Biometrika 1934): the beta-quantile form
  lower = Beta^{-1}(alpha/2; x, n - x + 1), upper = Beta^{-1}(1 - alpha/2; x + 1, n - x), with
  lower = 0 when x = 0 and upper = 1 when x = n. It is what the seed studies print (their 95% CIs
  for 36/50, 42/50, 26/46 and 42/46 are reproduced to 0.1 percentage point; see
  ``tests/golden/test_proportions.py``). Conservative: coverage >= the nominal level.
* Wilson score interval (Wilson, JASA 1927) as an alternative with closer-to-nominal coverage.

:func:`compare_with_printed` checks a computed interval against one printed in a paper at the
paper's precision (default 1 decimal of a percentage).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# betaincinv gives the beta quantiles scipy.stats.beta.ppf gives (same numbers, pinned by
# tests/unit/test_lazy_imports.py) without importing scipy.stats, which adds seconds to
# `import app` (issue 11).
from scipy.special import betaincinv

from analysis.types import check_ci_level, two_sided_z


@dataclass(frozen=True)
class ProportionInterval:
    """x/n with a confidence interval; proportions are fractions in [0, 1]."""

    successes: int
    n: int
    proportion: float
    ci_lower: float
    ci_upper: float
    ci_level: float
    method: str

    @property
    def percent(self) -> float:
        return 100.0 * self.proportion

    @property
    def ci_lower_percent(self) -> float:
        return 100.0 * self.ci_lower

    @property
    def ci_upper_percent(self) -> float:
        return 100.0 * self.ci_upper


def _check_counts(successes: int, n: int) -> None:
    if isinstance(successes, bool) or isinstance(n, bool):
        raise ValueError("counts must be integers, not booleans")
    if int(successes) != successes or int(n) != n:
        raise ValueError(f"counts must be whole numbers, got {successes}/{n}")
    if n <= 0:
        raise ValueError(f"denominator must be positive, got n = {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"need 0 <= x <= n, got {successes}/{n}")


def clopper_pearson(successes: int, n: int, ci_level: float = 0.95) -> ProportionInterval:
    """Clopper-Pearson exact interval for ``successes``/``n`` at ``ci_level`` (fraction)."""
    level = check_ci_level(ci_level)
    _check_counts(successes, n)
    x, total = int(successes), int(n)
    alpha = 1.0 - level
    lower = 0.0 if x == 0 else float(betaincinv(x, total - x + 1, alpha / 2.0))
    upper = 1.0 if x == total else float(betaincinv(x + 1, total - x, 1.0 - alpha / 2.0))
    return ProportionInterval(x, total, x / total, lower, upper, level, "clopper-pearson")


def wilson(successes: int, n: int, ci_level: float = 0.95) -> ProportionInterval:
    """Wilson score interval (no continuity correction) for ``successes``/``n``."""
    level = check_ci_level(ci_level)
    _check_counts(successes, n)
    x, total = int(successes), int(n)
    z = two_sided_z(level)
    p = x / total
    denominator = 1.0 + z * z / total
    centre = (p + z * z / (2.0 * total)) / denominator
    half = z * math.sqrt(p * (1.0 - p) / total + z * z / (4.0 * total * total)) / denominator
    # At x = 0 (x = n) the lower (upper) limit is exactly 0 (1); the subtraction leaves ~1e-17.
    lower = 0.0 if x == 0 else max(0.0, centre - half)
    upper = 1.0 if x == total else min(1.0, centre + half)
    return ProportionInterval(x, total, p, lower, upper, level, "wilson")


@dataclass(frozen=True)
class PrintedIntervalCheck:
    """Computed interval rounded as printed, next to the printed one (percent units)."""

    computed_lower_percent: float
    computed_upper_percent: float
    printed_lower_percent: float
    printed_upper_percent: float
    decimals: int
    matches: bool


def _round_half_up(value: float, decimals: int) -> float:
    # Decimal(repr()) avoids binary artefacts: 57.45 must round to 57.5 as a human would.
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def compare_with_printed(
    interval: ProportionInterval,
    printed_lower_percent: float,
    printed_upper_percent: float,
    decimals: int = 1,
) -> PrintedIntervalCheck:
    """Does ``interval`` round (half up, to ``decimals`` of a percent) to the printed limits?"""
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    lower = _round_half_up(interval.ci_lower_percent, decimals)
    upper = _round_half_up(interval.ci_upper_percent, decimals)
    printed_lower = _round_half_up(float(printed_lower_percent), decimals)
    printed_upper = _round_half_up(float(printed_upper_percent), decimals)
    return PrintedIntervalCheck(
        computed_lower_percent=lower,
        computed_upper_percent=upper,
        printed_lower_percent=float(printed_lower_percent),
        printed_upper_percent=float(printed_upper_percent),
        decimals=decimals,
        matches=lower == printed_lower and upper == printed_upper,
    )
