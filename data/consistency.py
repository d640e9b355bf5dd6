"""Statistical consistency rules of printed numbers (issue 13 audit).

Two rules, both reported with their rule id like every other validation problem:

``p-sidedness``
    Every p-value (a row's ``p``, or a row whose ``unit`` is ``"p"``) carries ``p_sided``:
    ``one-sided`` / ``two-sided`` when the source says so, ``one-sided (inferred)`` when the
    source is silent but the printed p only fits a one-sided test of the printed interval (the
    ``curation_note`` must say so), or ``not stated``.

``ci-p-consistency``
    For a ratio (HR) with a numeric interval, its level and a printed p-value, the p-value a
    Wald test of that interval gives must be compatible with the printed one. The interval's
    standard error is ``(ln upper - ln lower) / (2 z)`` with ``z`` the normal quantile of the
    stated level; the test statistic is ``|ln HR| / SE``. Printed numbers are rounded, so the
    check uses the whole range the rounded HR and bounds allow (half a unit of their last
    printed decimal), and a factor :data:`P_TOLERANCE` on the p-value for the usual difference
    between a log-rank p and the Wald p of a Cox interval. ``not stated`` is checked as
    two-sided (the convention when a paper does not say); a row that fails is flagged unless
    its ``ci_p_note`` explains why (e.g. a p from a different test than the interval).

A multiplicity-adjusted interval printed as "95 %" fails this rule: CheckMate 648's PFS HR
0.65 (0.46-0.92) with P = 0.002 cannot come from a 95 % interval (the Wald p would be about
0.015 two-sided).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Literal

__all__ = [
    "P_SIDED",
    "P_TOLERANCE",
    "CiPSummary",
    "PCheck",
    "PSided",
    "ci_p_check",
    "ci_p_summary",
    "p_interval",
    "printed_decimals",
]

PSided = Literal["one-sided", "two-sided", "one-sided (inferred)", "not stated"]
P_SIDED: tuple[str, ...] = ("one-sided", "two-sided", "one-sided (inferred)", "not stated")
#: Allowed ratio between the printed p and the Wald p of the printed interval (beyond rounding).
P_TOLERANCE = 1.5

_NORMAL = NormalDist()
_P_TEXT = re.compile(r"^(<=|>=|<|>)?(\d*\.?\d+)$")


def printed_decimals(value: float) -> int:
    """Decimals a number was printed with (0.70 is stored as 0.7: at least 2 for ratios)."""
    text = repr(float(value))
    if "e" in text or text.endswith(".0"):
        return 0
    return len(text.split(".")[1])


def _half_unit(value: float) -> float:
    return 0.5 * 10.0 ** (-max(printed_decimals(value), 2))


def p_interval(printed: str) -> tuple[float, float] | None:
    """The range a printed p-value stands for: "<0.001" is (0, 0.001]; "0.002" is
    [0.0015, 0.0025]; None when it cannot be read (e.g. "NS")."""
    match = _P_TEXT.match(printed.strip())
    if match is None:
        return None
    op, digits = match.groups()
    value = float(digits)
    if op in ("<", "<="):
        return 0.0, value
    if op in (">", ">="):
        return value, 1.0
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    half = 0.5 * 10.0 ** (-decimals)
    return max(value - half, 0.0), min(value + half, 1.0)


@dataclass(frozen=True)
class PCheck:
    """Outcome of the CI/p check of one row: the Wald p range of the printed interval (for the
    row's sidedness), the printed p range, and whether they are compatible."""

    wald_low: float
    wald_high: float
    printed_low: float
    printed_high: float
    sides: int
    consistent: bool
    fits_one_sided: bool

    def detail(self, level: float, p: str, sided: str) -> str:
        text = (
            f"p = {p} ({sided}) cannot come from the printed {level:g}% interval: a Wald test "
            f"of it gives {self.sides}-sided p between {self.wald_low:.2g} and {self.wald_high:.2g}"
        )
        if self.sides == 2 and self.fits_one_sided:
            text += "; it fits a one-sided test (state p_sided if the source says so)"
        return text + "; explain in ci_p_note if the source's p comes from another test"


def _wald_p_range(value: float, lower: float, upper: float, level: float) -> tuple[float, float]:
    """Smallest and largest two-sided Wald p the rounded HR and interval allow."""
    z_q = _NORMAL.inv_cdf(1.0 - (1.0 - level / 100.0) / 2.0)
    h_v, h_l, h_u = _half_unit(value), _half_unit(lower), _half_unit(upper)
    lo_min, lo_max = max(lower - h_l, 1e-9), lower + h_l
    up_min, up_max = upper - h_u, upper + h_u
    se_min = max((math.log(up_min) - math.log(lo_max)) / (2 * z_q), 1e-12)
    se_max = (math.log(up_max) - math.log(lo_min)) / (2 * z_q)
    logs = [abs(math.log(max(value + d, 1e-9))) for d in (-h_v, h_v)]
    crosses_one = (value - h_v) <= 1.0 <= (value + h_v)
    effect_min = 0.0 if crosses_one else min(logs)
    effect_max = max(logs)
    z_min, z_max = effect_min / se_max, effect_max / se_min
    return 2 * (1 - _NORMAL.cdf(z_max)), 2 * (1 - _NORMAL.cdf(z_min))


def ci_p_check(
    value: float, lower: float, upper: float, level: float, p: str, sided: str
) -> PCheck | None:
    """Compare a printed p with the Wald p range of the printed HR and interval (None when the
    printed p cannot be read as a number)."""
    printed = p_interval(p)
    if printed is None:
        return None
    two_low, two_high = _wald_p_range(value, lower, upper, level)
    sides = 1 if sided.startswith("one-sided") else 2
    low, high = (two_low / 2, two_high / 2) if sides == 1 else (two_low, two_high)

    def compatible(a: float, b: float) -> bool:
        return printed[0] <= b * P_TOLERANCE and printed[1] >= a / P_TOLERANCE

    return PCheck(
        wald_low=low,
        wald_high=high,
        printed_low=printed[0],
        printed_high=printed[1],
        sides=sides,
        consistent=compatible(low, high),
        fits_one_sided=compatible(two_low / 2, two_high / 2),
    )


@dataclass(frozen=True)
class CiPSummary:
    """How many HRs the CI/p rule could check, how many a ``ci_p_note`` explains, and how
    many are unexplained (validation fails on those, so a loaded registry has none)."""

    checked: int
    consistent: int
    explained: int
    unexplained: int
    skipped_no_level: int

    def text(self) -> str:
        return (
            f"ci-p-consistency: {self.checked} HRs with CI, level and p checked, "
            f"{self.consistent} consistent, {self.explained} explained (ci_p_note), "
            f"{self.unexplained} unexplained; {self.skipped_no_level} with CI and p but no "
            f"known CI level (not checkable)"
        )


def ci_p_summary(rows: Iterable[Any]) -> CiPSummary:
    """Apply the CI/p rule to every ratio row with a numeric CI and a p-value."""
    checked = consistent = explained = unexplained = skipped = 0
    for row in rows:
        ci = getattr(row, "ci", None)
        if getattr(row, "unit", None) != "ratio" or ci is None or row.p is None:
            continue
        lo, hi = ci
        if not isinstance(lo, int | float) or not isinstance(hi, int | float):
            continue
        if row.ci_level is None:
            skipped += 1
            continue
        if row.value is None or row.qualifier is not None or row.p_sided is None:
            continue
        check = ci_p_check(row.value, float(lo), float(hi), row.ci_level, row.p, row.p_sided)
        if check is None:
            continue
        checked += 1
        if check.consistent:
            consistent += 1
        elif (row.ci_p_note or "").strip():
            explained += 1
        else:
            unexplained += 1
    return CiPSummary(checked, consistent, explained, unexplained, skipped)
