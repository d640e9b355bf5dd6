"""PD-L1 population keys, as the evidence base writes them (``Population.pdl1_key``).

A key names one scoring system and cut-off, e.g. ``CPS>=10``, ``TPS<1`` or ``TAP>=5<10``; keys
of different scoring systems never compare equal, so grouping by key never merges CPS, TPS, TC
and TAP. This module is the one parser of that format for the views.
"""

from __future__ import annotations

import math
import re

SYSTEM_ORDER = ("CPS", "TPS", "TC", "TAP")
KEY_RE = re.compile(r"^(CPS|TPS|TC|TAP)(>=|<=|>|<)(\d+(?:\.\d+)?)(?:(<=|<)(\d+(?:\.\d+)?))?$")
_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def parse_key(key: str) -> tuple[str, str, float, str | None, float | None] | None:
    """``"TAP>=5<10"`` -> ("TAP", ">=", 5.0, "<", 10.0); None when not a PD-L1 key."""
    match = KEY_RE.match(key)
    if not match:
        return None
    system, op, cut, up_op, up = match.groups()
    return system, op, float(cut), up_op, float(up) if up is not None else None


def key_text(key: str) -> str | None:
    """``CPS ≥10``, ``TPS <1``, ``TAP ≥5 to <10``; None when not a PD-L1 key."""
    parsed = parse_key(key)
    if parsed is None:
        return None
    system, op, cut, up_op, up = parsed
    text = f"{system} {_SIGNS[op]}{cut:g}"
    if up_op is not None and up is not None:
        text += f" to {_SIGNS[up_op]}{up:g}"
    return text


def key_sort(key: str) -> tuple[int, float, float, str]:
    """Order keys by scoring system, then cut-off (non-keys first)."""
    parsed = parse_key(key)
    if parsed is None:
        return (-1, 0.0, 0.0, key)
    system, op, cut, _up_op, up = parsed
    return (SYSTEM_ORDER.index(system), cut, up if up is not None else math.inf, op)
