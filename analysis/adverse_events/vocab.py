"""Vocabularies of the adverse-event tables: arm keys, term kinds, grade bands, sorts, categories.

Part of :mod:`analysis.adverse_events` (the package docstring states the rules).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, get_args

from data.schema import AE_CATEGORIES

ArmKey = tuple[str, str]  # (trial_id, arm_id)
Kind = Literal["term", "grouped", "serious-only", "not-a-term"]
NrKind = Literal[
    "below-threshold",
    "not-listed",
    "no-table",
    "pooled",
    "explicit",
    "other-band",
    "other-category",
    "no-data",
]
Grade = Literal["any", "high"]

KINDS: tuple[str, ...] = get_args(Kind)
CATEGORIES: tuple[str, ...] = AE_CATEGORIES
# High-grade bands in order of preference for the "grade >=3" slot (see module docstring).
HIGH_BANDS: tuple[str, ...] = (">=3", "3-5", "3-4", "3")
STRICT_HIGH_BANDS: tuple[str, ...] = (">=3",)
GRADES: tuple[str, ...] = get_args(Grade)
SORTS: tuple[str, ...] = ("freq", "alpha")
TERM_MAP_PATH = Path("vocab") / "ae_terms.toml"

CATEGORY_ABBREVIATIONS: Mapping[str, str] = {
    "treatment-related": "TRAE",
    "all-cause": "AE (all-cause)",
    "immune-related": "irAE",
    "treatment-emergent": "TEAE",
}

LEVEL_RANK = {
    "primary publication": 0,
    "conference abstract": 1,
    "registry record": 2,
    "secondary summary": 3,
}
THRESHOLD_RE = re.compile(r"(?:>=|≥|at least)\s*(\d+(?:\.\d+)?)\s*%", re.IGNORECASE)
MAX_TEXT = 200
