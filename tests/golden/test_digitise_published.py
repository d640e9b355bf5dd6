"""The shipped digitised curves against the published figures and a third-party digitisation
(issue 12, "Must show", first item). Reads ../shared (figures and reference-km) and skips cleanly
when it is absent; nothing from ../shared is in the project.

1. Re-running the digitiser on each figure with the settings of ``tools.digitise_published``
   reproduces the coordinates committed in ``data/trials/*/digitised.csv`` (so the data is the
   engine's output, not hand-edited).
2. Each curve against the third-party digitisation of the same figure
   (``../shared/reference-km/<figure>_digitized.csv``): the largest vertical distance from the
   reference's points (times with >= 10 at risk by the published table) to the curve, within one
   pixel horizontally (``analysis.digitise.compare.max_point_distance``), must be <= 0.02, and
   equal the value recorded in ``digitised.toml``. Curves that miss 0.02 are strict xfails with
   the reason found on the overlay (notes/issue-12.md); a strict xfail that starts passing fails.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

from analysis.digitise.compare import max_point_distance
from analysis.digitise.engine import DigitisedFigure
from data import load_registry
from data.digitised import DigitisedCurve, load_digitised
from tools.digitise_published import (
    FIGURES,
    CurveSpec,
    FigureSpec,
    digitise_figure,
    last_time_with_ten_at_risk,
    pixel_months,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
FIGURE_DIR = SHARED / "figures"
REF = SHARED / "reference-km"
TOLERANCE = 0.02

pytestmark = pytest.mark.skipif(
    not (FIGURE_DIR / "README.md").is_file() or not (REF / "SOURCES.md").is_file(),
    reason="../shared/figures or ../shared/reference-km is not available",
)

#: Curves whose largest distance exceeds 0.02, with what the overlay and the pixels show. At the
#: worst points the reference's click sits off the printed stroke by more than the one pixel of
#: horizontal tolerance, on a near-vertical drop where a pixel is several points of survival
#: (offsets measured from the centre of the curve colour's ink in the click's row;
#: notes/issue-12.md, session 4).
KNOWN_MISSES = {
    "pfs_itt_chemo": "CheckMate 648 PFS chemotherapy: over 1.2-2.0 months the grey line is "
    "hidden under the orange one except a grey fringe on its left; the reference's points there "
    "lie on the orange line (no grey ink within 6 px of the 1.49-month click's row) and agree "
    "with our orange curve to 0.003 (0.038 at 1.65 months)",
    "pfs_itt_placebo_chemo@escort1st": "ESCORT-1st PFS placebo: near-vertical cliff at 5.4 "
    "months; the reference's click is 1.6 px left of the stroke's centre in its row (0.032)",
    "os_itt_tori_tp": "JUPITER-06 OS toripalimab: drop at 15.1 months; the reference's click is "
    "1.6 px left of the vertical stroke's centre (0.036; 0.011 within two pixels)",
    "pfs_itt_sint_chemo": "ORIENT-15 PFS sintilimab: steep staircase at 7.05 months under plus "
    "marks; the reference's clicks are about 2 px right of the stroke's centre (0.035); the "
    "reference sits about 2 px right of both ORIENT-15 PFS lines throughout",
    "pfs_itt_placebo_chemo@orient15": "ORIENT-15 PFS placebo: dashed line under dense plus marks; "
    "our drops run through the plus signs' centres, the reference's clicks at 1.3 and 2.8 months "
    "are 2-4 px right of them (0.035)",
}


@cache
def _figure(spec: FigureSpec) -> DigitisedFigure:
    return digitise_figure(spec, FIGURE_DIR)


@cache
def _shipped() -> dict[tuple[str, str], DigitisedCurve]:
    registry = load_registry()
    found = load_digitised(registry.root, registry.trials)
    return {(t, c.curve_id): c for t, cs in found.items() for c in cs}


CURVES = [(spec, k, cs) for spec in FIGURES for k, cs in enumerate(spec.curves)]


def _id(item: tuple[FigureSpec, int, CurveSpec]) -> str:
    return f"{item[0].trial}-{item[2].curve_id}"


@pytest.mark.parametrize("item", CURVES, ids=[_id(c) for c in CURVES])
def test_committed_coordinates_are_the_engines_output(
    item: tuple[FigureSpec, int, CurveSpec],
) -> None:
    spec, k, curve_spec = item
    curve = _figure(spec).curves[k]
    shipped = _shipped()[(spec.trial, curve_spec.curve_id)]
    assert shipped.colour == curve_spec.colour
    assert [round(t, 4) for t in curve.time] == list(shipped.time_months)
    assert [round(s, 5) for s in curve.survival] == list(shipped.survival)


def _reference(spec: FigureSpec, arm: int) -> tuple[list[float], list[float]]:
    times: list[float] = []
    surv: list[float] = []
    with (REF / f"{spec.name}_digitized.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if int(row["arm"]) == arm and row["is_terminal_sentinel"] == "0":
                times.append(float(row["time_months"]))
                surv.append(float(row["survival"]))
    return times, surv


def _params() -> list[object]:
    out: list[object] = []
    for item in CURVES:
        spec, _, curve_spec = item
        if curve_spec.reference_arm < 0:
            continue  # CheckMate 648 PFS nivolumab arm: no third-party digitisation exists
        reason = KNOWN_MISSES.get(curve_spec.curve_id) or KNOWN_MISSES.get(
            f"{curve_spec.curve_id}@{spec.trial}"
        )
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(item, id=_id(item), marks=marks))
    return out


@pytest.mark.parametrize("item", _params())
def test_digitised_curve_agrees_with_the_third_party_digitisation(
    item: tuple[FigureSpec, int, CurveSpec],
) -> None:
    spec, k, curve_spec = item
    fig = _figure(spec)
    curve = fig.curves[k]
    table = load_registry().trial(spec.trial).curve(curve_spec.curve_id).at_risk
    until = last_time_with_ten_at_risk([p.time_months for p in table], [p.n_at_risk for p in table])
    ref_t, ref_s = _reference(spec, curve_spec.reference_arm)
    distance, at = max_point_distance(
        curve.time, curve.survival, ref_t, ref_s, tolerance=pixel_months(fig), until=until
    )
    recorded = _shipped()[(spec.trial, curve_spec.curve_id)].checks.max_abs_diff_vs_reference
    assert recorded == pytest.approx(distance, abs=1e-4)
    assert distance <= TOLERANCE, f"{curve_spec.curve_id}: {distance:.4f} at {at:.2f} months"
