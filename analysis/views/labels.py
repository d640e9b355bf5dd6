"""Wordings shared by every view model (and, through them, the screen, CSV files and exports).

"NR" means two different things in oncology papers (not reached, not reported); the app never
prints a bare "NR" and always says which one it means.
"""

from __future__ import annotations

#: The one wording for comparisons of arms from different trials (unanchored, not randomised).
CROSS_TRIAL_LABEL = "Unanchored cross-trial comparison — not randomised"
NR_NOT_REACHED = "NR (not reached)"
NR_NOT_REPORTED = "not reported"
#: Regimen classes in the order clinicians think about them (chemo-free first): the order of
#: class groups in the Survival arm picker and of the Trials catalogue's class filter.
CLASS_ORDER: tuple[str, ...] = (
    "ICI+TKI (chemo-free)",
    "dual ICI (chemo-free)",
    "ICI+TKI+chemo",
    "ICI+chemo",
    "TKI+chemo",
    "chemo",
    "placebo+chemo",
)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in "…" when it was longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
