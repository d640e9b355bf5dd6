"""Wordings shared by every view model (and, through them, the screen, CSV files and exports)."""

from __future__ import annotations

#: The one wording for comparisons of arms from different trials (unanchored, not randomised).
CROSS_TRIAL_LABEL = "Unanchored cross-trial comparison — not randomised"
