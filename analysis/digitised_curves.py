"""Grade-A reconstructions from the curves this project digitised (issue 12).

Where ``data/trials/<trial>/digitised.*`` holds a digitised Kaplan–Meier curve for a curve input
that also has the published numbers-at-risk table in ``data/``, the curve library reconstructs
that arm with the Guyot et al. 2012 algorithm (``analysis.reconstruct.reconstruct_from_curve``,
grade A): digitised curve + published numbers at risk + published total events (when reported,
matched exactly). Everything else keeps grade B (table, no curve) or C (summary numbers).

``grade_a_reconstructions`` is the one entry point ``analysis.curve_library`` calls. The digitised
files are validated when the registry loads (``data.loader``), so reading them here cannot fail on
malformed data; a reconstruction that fails is reported as a reason and the input falls back to
grade B.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Protocol, TypeVar

from analysis.reconstruct import ReconstructedIPD, ReconstructionInputError, reconstruct_from_curve
from data.digitised import DigitisedCurve, load_digitised
from data.registry import CurveInputs, Registry

__all__ = ["digitised_curves", "grade_a_reconstructions"]


class _Key(Protocol):
    @property
    def trial_id(self) -> str: ...


K = TypeVar("K", bound=_Key)


_LOCK = threading.Lock()
_CACHE: dict[tuple[str, str], dict[tuple[str, str], DigitisedCurve]] = {}


def digitised_curves(registry: Registry) -> Mapping[tuple[str, str], DigitisedCurve]:
    """``{(trial_id, curve_id): digitised curve}`` for ``registry`` (read once per data version)."""
    cache_key = (str(registry.root), registry.data_version)
    with _LOCK:
        found = _CACHE.get(cache_key)
        if found is None:
            loaded = load_digitised(registry.root, registry.trials, registry.files)
            found = {(t, c.curve_id): c for t, curves in loaded.items() for c in curves}
            _CACHE[cache_key] = found
        return found


def grade_a_reconstructions(
    registry: Registry, keys: Iterable[K], inputs: Mapping[K, CurveInputs]
) -> tuple[dict[K, ReconstructedIPD], dict[K, str]]:
    """Grade-A pseudo-IPD for every key with a digitised curve and a numbers-at-risk table.

    Returns ``(reconstructions, notes)``: ``notes`` holds, for keys with a digitised curve whose
    reconstruction failed, why (those keys fall back to grade B).
    """
    curves = digitised_curves(registry)
    built: dict[K, ReconstructedIPD] = {}
    notes: dict[K, str] = {}
    for key in keys:
        inp = inputs[key]
        if inp.curve_id is None or not inp.at_risk_counts:
            continue
        digitised = curves.get((key.trial_id, inp.curve_id))
        if digitised is None:
            continue
        try:
            built[key] = reconstruct_from_curve(
                digitised.time_months,
                digitised.survival,
                inp.at_risk_times_months,
                inp.at_risk_counts,
                total_events=inp.events,
                survival_scale="fraction",
                curve_source=f"{key.trial_id}/digitised.csv ({inp.curve_id})",
                table_source=f"{key.trial_id}/at_risk.csv ({inp.curve_id})",
            )
        except ReconstructionInputError as exc:
            notes[key] = f"grade A from the digitised curve failed ({exc.describe()})"
    return built, notes
