"""Words every view uses for numbers that are missing, declared once.

"NR" means two different things in oncology papers (not reached, not reported); the app never
prints a bare "NR" and always says which one it means.
"""

from __future__ import annotations

NR_NOT_REACHED = "NR (not reached)"
NR_NOT_REPORTED = "not reported"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in "…" when it was longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
