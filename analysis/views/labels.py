"""Wordings shared by every view model (and, through them, the screen, CSV files and exports).

"NR" means two different things in oncology papers (not reached, not reported); the app never
prints a bare "NR" and always says which one it means.
"""

from __future__ import annotations

#: The one wording for comparisons of arms from different trials (unanchored, not randomised).
CROSS_TRIAL_LABEL = "Unanchored cross-trial comparison — not randomised"
NR_NOT_REACHED = "NR (not reached)"
NR_NOT_REPORTED = "not reported"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in "…" when it was longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
