"""How much of the five misses against the third-party digitisation is an axis-calibration
offset of the reference (issue 12; notes/issue-12.md, session 5). Reads ../shared and skips
cleanly when it is absent. The strict criterion stays in ``test_digitise_published`` (one pixel
of horizontal tolerance, no alignment, five strict xfails); this file states a weaker, separate
claim.

A digitisation clicked with a slightly different x-axis calibration is shifted horizontally by
the same amount on both arms of a figure. So per figure, ONE horizontal shift of the reference's
points (both arms) is fitted: the shift in [-3, 3] pixels (steps of a quarter pixel) minimising
the mean point distance (``analysis.digitise.compare.point_distances``, one pixel of tolerance,
times with >= 10 at risk) over both arms. Claims:

1. With that one shift per figure, every one of the 19 curves is within 0.02 (measured with
   engine 1.2.0: largest 0.0184, CheckMate 648 PFS chemotherapy at -1 px), and the fitted shift
   is not at the edge of the window (an interior optimum, not a search running away).
2. ORIENT-15 PFS (the two largest misses): the shift fitted on either arm alone brings the other
   arm within 0.02 (sintilimab's -2.75 px -> placebo 0.0164; placebo's -2 px -> sintilimab
   0.0171): both lines independently show the same offset, which a scatter of clicks around the
   line would not.

Caveat (also in the note): a fitted shift is a free parameter and lowers every distance a
little. For ESCORT-1st PFS (+0.5 px) and CheckMate 648 PFS (one reference arm only) the shift is
not confirmed by the other arm; for JUPITER-06 OS the placebo arm's shift (+1 px) brings
toripalimab within 0.02 but not the reverse.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from analysis.digitise.compare import point_distances
from analysis.digitise.engine import DigitisedCurve, DigitisedFigure
from data import load_registry
from tools.digitise_published import (
    FIGURES,
    FigureSpec,
    digitise_figure,
    last_time_with_ten_at_risk,
    pixel_months,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
FIGURE_DIR = SHARED / "figures"
REF = SHARED / "reference-km"
TOLERANCE = 0.02
MAX_SHIFT_PX = 3.0
SHIFTS_PX = np.arange(-MAX_SHIFT_PX, MAX_SHIFT_PX + 1e-9, 0.25)

pytestmark = pytest.mark.skipif(
    not (FIGURE_DIR / "README.md").is_file() or not (REF / "SOURCES.md").is_file(),
    reason="../shared/figures or ../shared/reference-km is not available",
)


@cache
def _figure(spec: FigureSpec) -> DigitisedFigure:
    return digitise_figure(spec, FIGURE_DIR)


Arm = tuple[str, DigitisedCurve, np.ndarray, np.ndarray, float]


def _arms(spec: FigureSpec) -> list[Arm]:
    """(curve id, digitised curve, reference times, reference survival, until) per curve with a
    reference arm."""
    fig = _figure(spec)
    out: list[Arm] = []
    for k, cs in enumerate(spec.curves):
        if cs.reference_arm < 0:
            continue
        table = load_registry().trial(spec.trial).curve(cs.curve_id).at_risk
        until = last_time_with_ten_at_risk(
            [p.time_months for p in table], [p.n_at_risk for p in table]
        )
        times: list[float] = []
        surv: list[float] = []
        with (REF / f"{spec.name}_digitized.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if int(row["arm"]) == cs.reference_arm and row["is_terminal_sentinel"] == "0":
                    times.append(float(row["time_months"]))
                    surv.append(float(row["survival"]))
        out.append((cs.curve_id, fig.curves[k], np.asarray(times), np.asarray(surv), until))
    return out


def _distances(spec: FigureSpec, arm: Arm, shift_px: float) -> np.ndarray:
    tol = pixel_months(_figure(spec))
    _, curve, ref_t, ref_s, until = arm
    return point_distances(
        curve.time, curve.survival, ref_t + shift_px * tol, ref_s, tolerance=tol, until=until
    )[1]


def _best_shift(spec: FigureSpec, arms: list[Arm]) -> float:
    means = [
        float(np.mean(np.concatenate([_distances(spec, a, dx) for a in arms]))) for dx in SHIFTS_PX
    ]
    return float(SHIFTS_PX[int(np.argmin(means))])


WITH_REFERENCE = [spec for spec in FIGURES if any(c.reference_arm >= 0 for c in spec.curves)]


@pytest.mark.parametrize("spec", WITH_REFERENCE, ids=[s.name for s in WITH_REFERENCE])
def test_one_shift_per_figure_brings_every_curve_within_tolerance(spec: FigureSpec) -> None:
    arms = _arms(spec)
    shift = _best_shift(spec, arms)
    assert abs(shift) < MAX_SHIFT_PX, f"{spec.name}: fitted shift {shift} px at the window edge"
    worst = {a[0]: float(_distances(spec, a, shift).max()) for a in arms}
    assert max(worst.values()) <= TOLERANCE, f"{spec.name} shifted {shift:+.2f} px: {worst}"


def test_orient15_pfs_offset_is_shown_by_each_arm_alone() -> None:
    spec = next(s for s in FIGURES if s.name == "orient15_pfs_itt")
    arms = _arms(spec)
    assert len(arms) == 2
    for fit, check in ((arms[0], arms[1]), (arms[1], arms[0])):
        shift = _best_shift(spec, [fit])
        assert shift < -1.0, (fit[0], shift)  # the reference sits right of the lines
        worst = float(_distances(spec, check, shift).max())
        assert worst <= TOLERANCE, f"shift {shift:+.2f} px from {fit[0]}: {check[0]} {worst:.4f}"
