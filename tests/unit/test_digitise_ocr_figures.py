"""OCR of the published Kaplan–Meier figures in ``../shared/figures`` (read there, never copied).

Expected values and where they come from:

* tick labels: as printed on each figure (read by eye; listed in ``FIGURES``);
* numbers at risk: ``../shared/sources/numbers_at_risk.csv`` (transcribed from the same figures
  and checked against them; see that folder's README).

The plot box of each figure was measured by hand (the rows and columns of the axis lines, found
as the longest runs of dark pixels and checked on the image) until the digitiser's own detector
(``analysis/digitise``, issue 12) replaces it.

What must hold is that nothing wrong is *silent*: every tick the fit uses is a printed tick, and
every number-at-risk cell that is wrong or missing is flagged for the caller to confirm. How many
cells were read right is reported (``-s``) and held to a floor, so a regression in the reader
shows up; the per-figure counts are in ``notes/issue-12-ocr.md``.
"""

from __future__ import annotations

import csv
import itertools
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from analysis.digitise import ocr, ocr_axes, ocr_table
from analysis.digitise.types import PlotBox

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FIGURE_DIR = SHARED / "figures"
AT_RISK_CSV = SHARED / "sources" / "numbers_at_risk.csv"


@dataclass(frozen=True)
class Figure:
    """One panel: file, hand-measured plot box, printed ticks, and its rows of the CSV."""

    file: str
    box: PlotBox
    x_ticks: tuple[float, ...]
    y_ticks: tuple[float, ...]  # () when the figure prints no y labels
    trial: str | None = None  # None: no numbers-at-risk table printed
    endpoint: str | None = None
    panel: str = ""

    @property
    def name(self) -> str:
        return f"{self.file}{self.panel}"


def _steps(start: float, stop: float, step: float) -> tuple[float, ...]:
    return tuple(float(v) for v in np.arange(start, stop + step / 2, step))


FIGURES = (
    Figure("checkmate648_os_itt.png", PlotBox(193, 40, 560, 201), _steps(0, 42, 3),
           _steps(0, 100, 10), "CheckMate 648", "OS"),
    Figure("checkmate648_pfs_itt.png", PlotBox(193, 37, 534, 199), _steps(0, 39, 3),
           _steps(0, 100, 10), "CheckMate 648", "PFS"),
    Figure("escort1st_os-pfs_itt.png", PlotBox(58, 48, 450, 293), _steps(0, 18, 2),
           _steps(0, 100, 20), "ESCORT-1st", "OS", " (A)"),
    Figure("escort1st_os-pfs_itt.png", PlotBox(546, 47, 938, 293), _steps(0, 18, 2),
           _steps(0, 100, 20), "ESCORT-1st", "PFS", " (B)"),
    Figure("jupiter06_os_itt.png", PlotBox(164, 97, 663, 391), _steps(0, 27, 3),
           _steps(0, 100, 10), "JUPITER-06", "OS"),
    Figure("jupiter06_pfs_itt.png", PlotBox(146, 97, 637, 391), _steps(0, 24, 3),
           _steps(0, 100, 10), "JUPITER-06", "PFS"),
    Figure("keynote590_os_itt-allhist.png", PlotBox(19, 42, 445, 261), _steps(0, 36, 3), (),
           "KEYNOTE-590", "OS"),
    Figure("keynote590_pfs_itt-allhist.png", PlotBox(164, 43, 590, 261), _steps(0, 36, 3),
           _steps(0, 100, 10), "KEYNOTE-590", "PFS"),
    Figure("orient15_os_itt.png", PlotBox(73, 17, 829, 286), _steps(0, 30, 3),
           _steps(0, 100, 25), "ORIENT-15", "OS"),
    Figure("orient15_pfs_itt.png", PlotBox(76, 25, 832, 294), _steps(0, 30, 3),
           _steps(0, 100, 25), "ORIENT-15", "PFS"),
    Figure("rationale306_os_itt.jpg", PlotBox(104, 9, 892, 363), (*_steps(0, 36, 4), 39.0),
           _steps(0, 100, 10)),
    Figure("rationale306_pfs_itt.jpg", PlotBox(109, 7, 896, 360), _steps(0, 38, 2),
           _steps(0, 100, 10)),
)  # fmt: skip

#: Floors on the share of published cells read right (regression guard; measured 2026-12-05).
MIN_CORRECT_SHARE = 0.85


def _require_inputs() -> None:
    if not (FIGURE_DIR.is_dir() and AT_RISK_CSV.is_file()):
        pytest.skip(f"{FIGURE_DIR} or {AT_RISK_CSV} not present (read-only source material)")
    require_tesseract()


def require_tesseract() -> None:
    """OCR tests fail without tesseract (scripts/setup.sh installs it); ESCC_SKIP_OCR=1 skips
    them with a visible reason instead, for a developer who knowingly lacks it."""
    if shutil.which(ocr.TESSERACT_BINARY) is None:
        if os.environ.get("ESCC_SKIP_OCR") == "1":
            pytest.skip("tesseract not installed and ESCC_SKIP_OCR=1")
        pytest.fail("tesseract is not installed: run scripts/setup.sh (Debian tesseract-ocr)")


def load_image(path: Path) -> np.ndarray:
    from PIL import Image  # test-side decoding only; the OCR module takes arrays

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def published_rows(figure: Figure) -> dict[str, dict[float, int]]:
    """arm label -> {time: n at risk} from numbers_at_risk.csv for the figure's trial/endpoint."""
    rows: dict[str, dict[float, int]] = {}
    with AT_RISK_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["trial"] == figure.trial and row["endpoint"] == figure.endpoint:
                rows.setdefault(row["arm_label"], {})[float(row["time_months"])] = int(
                    row["n_at_risk"]
                )
    return rows


@dataclass(frozen=True)
class TableScore:
    """Published cells compared with what was read: right, wrong (needed correcting: a
    different number or none), and of the wrong ones how many were flagged."""

    published: int
    correct: int
    wrong: int
    wrong_flagged: int
    extra: int  # numbers read where the CSV has none (e.g. a trailing 0 it omits)


def score_table(figure: Figure, reading: ocr.AtRiskReading) -> TableScore:
    """Match read rows to published arms (the assignment with most agreeing cells) and count."""
    published = published_rows(figure)
    arms = list(published.values())
    flagged_times = {
        (f.where, t) for f in reading.flags for t in reading.times if f"t={t:g}" in f.reason
    }
    best: TableScore | None = None
    for order in itertools.permutations(range(len(reading.arms)), len(arms)):
        correct = wrong = wrong_flagged = extra = 0
        for truth, index in zip(arms, order, strict=True):
            cells = {c.time: c for c in reading.arms[index].cells}
            for time, n in truth.items():
                cell = cells.get(time)
                if cell is not None and cell.n_at_risk == n:
                    correct += 1
                    continue
                wrong += 1
                low = cell is not None and cell.low_confidence
                if low or (f"row {index + 1}", time) in flagged_times:
                    wrong_flagged += 1
            extra += sum(1 for t in cells if t not in truth)
        score = TableScore(sum(len(a) for a in arms), correct, wrong, wrong_flagged, extra)
        if best is None or score.correct > best.correct:
            best = score
    assert best is not None, f"{figure.name}: fewer rows read than published arms"
    return best


@pytest.fixture(scope="module")
def readings() -> dict[str, tuple[ocr.AxisReading, ocr.AtRiskReading | None]]:
    _require_inputs()
    out: dict[str, tuple[ocr.AxisReading, ocr.AtRiskReading | None]] = {}
    for figure in FIGURES:
        image = load_image(FIGURE_DIR / figure.file)
        axes = ocr_axes.read_axis_ticks(image, figure.box)
        table = None
        if figure.trial is not None:
            assert axes.x_range_at_edges is not None, figure.name
            table = ocr_table.read_at_risk_table(image, figure.box, axes.x_range_at_edges)
        out[figure.name] = (axes, table)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f.name)
def test_tick_labels_of_published_figures(figure: Figure, readings) -> None:
    """Every tick the fit uses is a printed tick; the step and the scale are the printed ones;
    the ends of the range are the printed ends or the reading is flagged on that axis."""
    axes, _ = readings[figure.name]
    for fit, printed in ((axes.x, figure.x_ticks), (axes.y, figure.y_ticks)):
        if not printed:
            assert fit is None or all(not t.used_in_fit for t in fit.ticks) or axes.flags
            continue
        assert fit is not None, f"{figure.name}: no fit for printed ticks {printed}"
        used = {t.value for t in fit.ticks if t.used_in_fit}
        assert used <= set(printed), f"{figure.name}: fit uses unprinted ticks {used}"
        steps = np.diff(printed)
        assert fit.step == pytest.approx(float(np.median(steps)))
        if fit.range_at_ticks != (printed[0], printed[-1]):
            assert any(f.where == fit.axis for f in axes.flags), (figure.name, fit.range_at_ticks)
    if figure.y_ticks:
        assert axes.y_scale == "percent"
    # The fitted map puts the printed ticks where the hand-measured axes say (2 % of the range).
    assert axes.x is not None
    span = figure.x_ticks[-1] - figure.x_ticks[0]
    assert axes.x.value_at(figure.box.left) == pytest.approx(0.0, abs=0.05 * span)


@pytest.mark.slow
@pytest.mark.parametrize("figure", [f for f in FIGURES if f.trial], ids=lambda f: f.name)
def test_numbers_at_risk_of_published_figures(figure: Figure, readings) -> None:
    """Against numbers_at_risk.csv: every wrong or missing cell is flagged, and most are right."""
    _, table = readings[figure.name]
    assert table is not None
    assert len(table.arms) == len(published_rows(figure))
    score = score_table(figure, table)
    print(f"\n{figure.name}: {score}")
    assert score.wrong_flagged == score.wrong, f"{figure.name}: unflagged errors ({score})"
    assert score.correct >= MIN_CORRECT_SHARE * score.published, score


@pytest.mark.slow
def test_cropped_figures_report_no_table(readings) -> None:
    """RATIONALE-306's figures are cropped above the table: no rows, and a flag saying so."""
    figure = next(f for f in FIGURES if f.file == "rationale306_os_itt.jpg")
    x_range = readings[figure.name][0].x_range_at_edges
    assert x_range is not None
    table = ocr_table.read_at_risk_table(load_image(FIGURE_DIR / figure.file), figure.box, x_range)
    assert table.arms == ()
    assert any("no numbers-at-risk rows" in f.reason for f in table.flags)
