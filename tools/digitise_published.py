"""Digitise the published ITT OS/PFS figures in ../shared/figures into data/trials/*/digitised.*.

Usage (from the repository root)::

    python -m tools.digitise_published [--figures DIR] [--reference DIR]

For each figure listed in ``FIGURES`` this runs the project's digitiser
(``analysis.digitise.digitise``) with the stated panel crop, axis ranges and curve colours, and
writes per trial ``digitised.csv`` (``curve_id,time_months,survival``) and ``digitised.toml``
(citation, settings, engine version, checks; schema ``data.digitised``). When the third-party
reference digitisations are present, each curve's largest distance from their points (one pixel of
horizontal tolerance, times with >= 10 at risk by the published table) is recorded; the
reference files themselves are never copied. Afterwards run ``python -m data manifest`` and add a
``data/CHANGELOG.md`` entry.

RATIONALE-306's figures are not listed: they carry no numbers-at-risk table, so a digitised curve
cannot give a grade-A reconstruction (notes/issue-12.md).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.digitise.compare import max_point_distance
from analysis.digitise.engine import ENGINE_VERSION, DigitisedFigure, digitise
from analysis.digitise.image import load_image
from data import load_registry

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
#: Date recorded in digitised.toml (the day the shipped coordinates were produced).
DIGITISED_ON = dt.date(2026, 12, 6)
BY_EYE = (
    "digitised corners drawn over the figure at 2x and compared line by line (overlay kept "
    "outside the project; notes/issue-12.md): {detail}"
)


@dataclass(frozen=True)
class CurveSpec:
    curve_id: str
    colour: str
    line: str  # which line of the figure, as printed in the legend
    reference_arm: int  # arm index in ../shared/reference-km/<name>_digitized.csv


@dataclass(frozen=True)
class FigureSpec:
    trial: str
    name: str  # reference-km dataset name
    file: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    ref: str
    panel: str
    curves: tuple[CurveSpec, ...]
    eye: str
    crop: tuple[int, int, int, int] | None = None


FIGURES = (
    FigureSpec(
        "checkmate648",
        "checkmate648_os_itt",
        "checkmate648_os_itt.png",
        (0, 42),
        (0, 100),
        "doki2022_nejm",
        "OS figure, panel B (overall population)",
        (
            CurveSpec("os_itt_nivo_chemo", "#e39e3e", "orange line, nivolumab + chemotherapy", 1),
            CurveSpec("os_itt_chemo", "#828282", "grey line, chemotherapy", 0),
        ),
        "both lines followed through the crosses (censor marks), the in-plot labels 54/44 and "
        "the 12-month dashed guide line",
    ),
    FigureSpec(
        "checkmate648",
        "checkmate648_pfs_itt",
        "checkmate648_pfs_itt.png",
        (0, 39),
        (0, 100),
        "doki2022_nejm",
        "PFS figure, panel D (overall population)",
        (
            CurveSpec("pfs_itt_nivo_chemo", "#e39e3e", "orange line, nivolumab + chemotherapy", -1),
            CurveSpec("pfs_itt_chemo", "#828282", "grey line, chemotherapy", 0),
        ),
        "both lines followed through the crosses, the in-plot labels and the guide line; the "
        "steep drops at the first scans are kept as staircases",
    ),
    FigureSpec(
        "escort1st",
        "escort1st_os_itt",
        "escort1st_os-pfs_itt.png",
        (0, 18),
        (0, 100),
        "luo2021_jama",
        "Figure 2, panel A (overall survival)",
        (
            CurveSpec("os_itt_cam_chemo", "#f7931d", "orange line, camrelizumab + chemotherapy", 1),
            CurveSpec(
                "os_itt_placebo_chemo", "#2d5662", "dark teal line, placebo + chemotherapy", 0
            ),
        ),
        "both lines followed through the tick censor marks and the in-plot arm labels",
        crop=(0, 0, 480, 430),
    ),
    FigureSpec(
        "escort1st",
        "escort1st_pfs_itt",
        "escort1st_os-pfs_itt.png",
        (0, 18),
        (0, 100),
        "luo2021_jama",
        "Figure 2, panel B (progression-free survival)",
        (
            CurveSpec(
                "pfs_itt_cam_chemo", "#f7931d", "orange line, camrelizumab + chemotherapy", 1
            ),
            CurveSpec(
                "pfs_itt_placebo_chemo", "#2d5662", "dark teal line, placebo + chemotherapy", 0
            ),
        ),
        "both lines followed through the tick censor marks and the in-plot arm labels",
        crop=(480, 0, 990, 430),
    ),
    FigureSpec(
        "jupiter06",
        "jupiter06_os_itt",
        "jupiter06_os_itt.png",
        (0, 27),
        (0, 100),
        "wang2022_cancercell",
        "Figure 2A (OS, ITT)",
        (
            CurveSpec("os_itt_tori_tp", "#0037fe", "blue line, toripalimab + TP", 1),
            CurveSpec("os_itt_placebo_tp", "#057f00", "green line, placebo + TP", 0),
        ),
        "both lines followed through the tick censor marks; the arm labels right of the curve "
        "ends are not taken as curve",
    ),
    FigureSpec(
        "jupiter06",
        "jupiter06_pfs_itt",
        "jupiter06_pfs_itt.png",
        (0, 24),
        (0, 100),
        "wang2022_cancercell",
        "PFS (BICR, ITT) figure",
        (
            CurveSpec("pfs_itt_tori_tp", "#0037fe", "blue line, toripalimab + TP", 1),
            CurveSpec("pfs_itt_placebo_tp", "#057f00", "green line, placebo + TP", 0),
        ),
        "both lines followed; the steep drops near 1.4 and 5.5 months kept as staircases",
    ),
    FigureSpec(
        "keynote590",
        "keynote590_os_itt-allhist",
        "keynote590_os_itt-allhist.png",
        (0, 36),
        (0, 100),
        "sun2021_lancet",
        "Figure 2D (OS, all randomised)",
        (
            CurveSpec(
                "os_itt_all_pembro_chemo", "#01539e", "blue line, pembrolizumab + chemotherapy", 1
            ),
            CurveSpec("os_itt_all_placebo_chemo", "#ee2e22", "red line, placebo + chemotherapy", 0),
        ),
        "both lines followed through the dense tick censor marks",
    ),
    FigureSpec(
        "keynote590",
        "keynote590_pfs_itt-allhist",
        "keynote590_pfs_itt-allhist.png",
        (0, 36),
        (0, 100),
        "sun2021_lancet",
        "Figure 2C (PFS, all randomised)",
        (
            CurveSpec(
                "pfs_itt_all_pembro_chemo", "#01539e", "blue line, pembrolizumab + chemotherapy", 1
            ),
            CurveSpec(
                "pfs_itt_all_placebo_chemo", "#ee2e22", "red line, placebo + chemotherapy", 0
            ),
        ),
        "both lines followed; the drops at the scan times kept as staircases",
    ),
    FigureSpec(
        "orient15",
        "orient15_os_itt",
        "orient15_os_itt.png",
        (0, 30),
        (0, 100),
        "lu2022_bmj",
        "OS figure (all patients, interim analysis)",
        (
            CurveSpec(
                "os_itt_sint_chemo", "#6b58a6", "purple solid line, sintilimab + chemotherapy", 1
            ),
            CurveSpec(
                "os_itt_placebo_chemo", "#fcaf17", "orange dashed line, placebo + chemotherapy", 0
            ),
        ),
        "the y axis is read from the gridlines (no tick marks); both lines followed through the "
        "plus censor marks and the dashed 50 % line; the dashed line's drops placed mid-gap",
    ),
    FigureSpec(
        "orient15",
        "orient15_pfs_itt",
        "orient15_pfs_itt.png",
        (0, 30),
        (0, 100),
        "lu2022_bmj",
        "PFS figure (all patients, interim analysis)",
        (
            CurveSpec(
                "pfs_itt_sint_chemo", "#6b58a6", "purple solid line, sintilimab + chemotherapy", 1
            ),
            CurveSpec(
                "pfs_itt_placebo_chemo", "#fcaf17", "orange dashed line, placebo + chemotherapy", 0
            ),
        ),
        "the y axis is read from the gridlines (no tick marks); both lines followed through the "
        "plus censor marks and the dashed 50 % line; the dashed line's drops placed mid-gap",
    ),
)


def digitise_figure(spec: FigureSpec, figures: Path) -> DigitisedFigure:
    image = load_image(figures / spec.file)
    return digitise(
        image,
        x_range=spec.x_range,
        y_range=spec.y_range,
        colours=[c.colour for c in spec.curves],
        crop=spec.crop,
    )


def pixel_months(fig: DigitisedFigure) -> float:
    amap = fig.axis_map
    return (amap.x_range[1] - amap.x_range[0]) / (amap.x_px[1] - amap.x_px[0])


def last_time_with_ten_at_risk(times: Sequence[float], counts: Sequence[int]) -> float:
    """Last time of a numbers-at-risk table with at least 10 patients at risk."""
    return max(t for t, n in zip(times, counts, strict=True) if n >= 10)


def reference_difference(
    spec: FigureSpec, curve_spec: CurveSpec, time: Sequence[float], surv: Sequence[float],
    tolerance: float, until: float, reference: Path,
) -> float | None:  # fmt: skip
    """Largest vertical distance from the third-party digitisation's points (times with >= 10
    at risk) to the digitised curve within one pixel horizontally, or None when there is none."""
    path = reference / f"{spec.name}_digitized.csv"
    if curve_spec.reference_arm < 0 or not path.is_file():
        return None
    ref_t: list[float] = []
    ref_s: list[float] = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if int(row["arm"]) == curve_spec.reference_arm and row["is_terminal_sentinel"] == "0":
                ref_t.append(float(row["time_months"]))
                ref_s.append(float(row["survival"]))
    err, _ = max_point_distance(time, surv, ref_t, ref_s, tolerance=tolerance, until=until)
    return round(err, 4)


def _toml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.digitise_published")
    parser.add_argument("--figures", type=Path, default=ROOT.parent / "shared" / "figures")
    parser.add_argument("--reference", type=Path, default=ROOT.parent / "shared" / "reference-km")
    args = parser.parse_args(argv)
    registry = load_registry()
    by_trial: dict[str, list[tuple[FigureSpec, CurveSpec, DigitisedFigure, int]]] = {}
    for spec in FIGURES:
        fig = digitise_figure(spec, args.figures)
        for k, curve_spec in enumerate(spec.curves):
            by_trial.setdefault(spec.trial, []).append((spec, curve_spec, fig, k))
    for trial_id, items in by_trial.items():
        trial = registry.trial(trial_id)
        rows = io.StringIO()
        writer = csv.writer(rows, lineterminator="\n")
        writer.writerow(["curve_id", "time_months", "survival"])
        toml = [
            "# Kaplan–Meier curves digitised by this project from the published figure (issue 12).",
            "# Written by `python -m tools.digitise_published`; schema: data/digitised.py.",
            "",
        ]
        for spec, curve_spec, fig, k in items:
            curve = fig.curves[k]
            for t, s in zip(curve.time, curve.survival, strict=True):
                writer.writerow([curve_spec.curve_id, f"{t:.4f}", f"{s:.5f}"])
            declared = trial.curve(curve_spec.curve_id)
            table = declared.at_risk
            until = last_time_with_ten_at_risk(
                [p.time_months for p in table], [p.n_at_risk for p in table]
            )
            diff = reference_difference(
                spec, curve_spec, curve.time, curve.survival, pixel_months(fig), until,
                args.reference,
            )  # fmt: skip
            toml += [
                "[[curve]]",
                f"curve_id = {_toml_str(curve_spec.curve_id)}",
                f"ref = {_toml_str(spec.ref)}",
                f"locator = {_toml_str(f'{spec.panel}: {curve_spec.line}')}",
                f"figure_file = {_toml_str(spec.file)}",
            ]
            if spec.crop is not None:
                toml.append(f"crop = [{', '.join(str(v) for v in spec.crop)}]")
            toml += [
                f"x_range = [{spec.x_range[0]:g}, {spec.x_range[1]:g}]",
                f"y_range = [{spec.y_range[0]:g}, {spec.y_range[1]:g}]",
                f"colour = {_toml_str(curve_spec.colour)}",
                'digitised_by = "this project"',
                'engine = "analysis.digitise"',
                f"engine_version = {_toml_str(ENGINE_VERSION)}",
                f"digitised_on = {DIGITISED_ON.isoformat()}",
                "[curve.checks]",
                f"by_eye = {_toml_str(BY_EYE.format(detail=spec.eye))}",
            ]
            if diff is not None:
                toml += [
                    f"max_abs_diff_vs_reference = {diff}",
                    'reference = "third-party digitisation of the same figure (used by the tests '
                    "only, not in the project): largest vertical distance from its points to this "
                    'curve within one pixel horizontally, times with >= 10 at risk"',
                ]
            else:
                toml.append('reference = "none: no third-party digitisation of this curve exists"')
            toml.append("")
            warnings = [*fig.warnings, *curve.warnings]
            note = f" warnings: {'; '.join(warnings)}" if warnings else ""
            print(f"{trial_id} {curve_spec.curve_id}: {len(curve.time)} points, "
                  f"max |dS| vs reference {diff}{note}")  # fmt: skip
        folder = DATA / "trials" / trial_id
        (folder / "digitised.csv").write_text(rows.getvalue(), encoding="utf-8")
        (folder / "digitised.toml").write_text("\n".join(toml), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
