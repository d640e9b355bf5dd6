"""How hazard ratios are written, everywhere they appear (figure, tables, model reasons).

The interval's level is always part of the text ("0.74 (0.58–0.96), 99.1% CI"): sources print
95 % and other levels (CheckMate 648: 99.1 %), and a reader must never take one for the other.
Published HRs keep the precision they were printed with (0.628 stays three decimals); computed
estimates (pooled HRs) pass a fixed number of decimals.
"""

from __future__ import annotations


def format_level(level_percent: float | None) -> str:
    """ "95%", "99.1%": the printed level without trailing zeros ("CI level not printed")."""
    if level_percent is None:
        return "CI level not printed"
    return f"{level_percent:g}%"


def format_hr(value: float, decimals: int | None = None) -> str:
    """Two decimals, three when the source printed three (0.628); fixed ``decimals`` if given."""
    if decimals is not None:
        return f"{value:.{decimals}f}"
    text = f"{value:.3f}".rstrip("0")
    if len(text.split(".")[-1]) < 2:
        text = f"{value:.2f}"
    return text


def hr_text(
    hazard_ratio: float | None,
    ci_lower: float | None,
    ci_upper: float | None,
    ci_level_percent: float | None,
    decimals: int | None = None,
) -> str:
    """HR text such as "0.74 (0.58–0.96), 99.1% CI": the level is always part of it.

    ``decimals`` None keeps the printed precision (published HRs); computed estimates pass 2.
    """
    if hazard_ratio is None:
        return "not reported"
    if ci_lower is None or ci_upper is None:
        return f"{format_hr(hazard_ratio, decimals)} (CI not reported)"
    return (
        f"{format_hr(hazard_ratio, decimals)} ({format_hr(ci_lower, decimals)}–"
        f"{format_hr(ci_upper, decimals)}), {format_level(ci_level_percent)} CI"
    )
