"""Kaplan–Meier curves digitised by this project from published figures (issue 12).

Files, beside a trial's ``trial.toml`` (both hashed in ``MANIFEST.toml`` like every data file):

``digitised.toml``
    one ``[[curve]]`` table per digitised curve, closed schema ``DigitisedCurve``: the trial curve
    it belongs to (``curve_id``, a ``[[curves]]`` id of ``trial.toml``), the citation (``ref`` =
    a publication key of the trial, ``locator`` = figure and panel and which line), the source
    image's file name (the image itself is never copied into the project), the panel crop, axis
    ranges and curve colour given to the digitiser, who digitised it (always ``"this project"``),
    the engine and its version, the date, and the checks that were made (``[curve.checks]``).
``digitised.csv``
    the coordinates: ``curve_id,time_months,survival`` (survival as a fraction), one row per step
    corner as written by ``python -m analysis.digitise``, starting at time 0.

Rules (rule ids in messages): ``digitised-curve-id`` (unknown or repeated curve), ``ref-dangling``,
``digitised-points`` (fewer than two points, not starting at 0, times decreasing, survival outside
[0, 1] or increasing), ``digitised-csv`` (missing file, bad header, non-numbers, rows of a curve
not declared in the TOML). ``load_digitised`` raises ``DataValidationError`` listing them all;
``data.loader`` runs the same checks at start-up.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from data.errors import (
    MAX_PROBLEMS_PER_FILE,
    DataValidationError,
    Problem,
    cap_problems,
    more_problems,
)
from data.files import DataFiles, read_verified_files
from data.manifest import read_manifest
from data.schema import Frozen, NonEmpty, Slug, Trial

__all__ = [
    "DIGITISED_CSV",
    "DIGITISED_TOML",
    "DigitisedChecks",
    "DigitisedCurve",
    "digitised_problems",
    "load_digitised",
]

DIGITISED_TOML = "digitised.toml"
DIGITISED_CSV = "digitised.csv"
CSV_COLUMNS = ("curve_id", "time_months", "survival")

HexColour = Annotated[str, Field(pattern=r"^#[0-9a-f]{6}$")]
Pair = tuple[float, float]


class DigitisedChecks(Frozen):
    """What was checked. ``by_eye``: the overlay check (what was compared and the result).
    ``max_abs_diff_vs_reference``: largest vertical distance from the points of the third-party
    digitisation of the same figure (times with >= 10 at risk) to this curve, within one pixel
    horizontally (``analysis.digitise.compare.max_point_distance``; recomputed by the tests from
    ``../shared``, which is not in the project), or None when no reference exists."""

    by_eye: NonEmpty
    max_abs_diff_vs_reference: float | None = None
    reference: str | None = None


class DigitisedCurve(Frozen):
    """One digitised curve (see the module docstring)."""

    curve_id: Slug
    ref: Slug
    locator: NonEmpty
    figure_file: NonEmpty
    crop: tuple[int, int, int, int] | None = None
    x_range: Pair
    y_range: Pair
    colour: HexColour
    digitised_by: Literal["this project"]
    engine: Literal["analysis.digitise"]
    engine_version: NonEmpty
    digitised_on: dt.date
    checks: DigitisedChecks
    time_months: tuple[float, ...] = ()
    survival: tuple[float, ...] = ()


class _File(Frozen):
    curve: tuple[DigitisedCurve, ...]


def _points_problems(c: DigitisedCurve) -> list[str]:
    t, s = c.time_months, c.survival
    if len(t) < 2:
        return ["fewer than two points"]
    problems = []
    if t[0] != 0.0:
        problems.append(f"first time is {t[0]:g}, not 0")
    if any(not (math.isfinite(v) and 0.0 <= v <= 1.0) for v in s):
        problems.append("survival outside [0, 1] (fractions, not percent)")
    if any(b < a for a, b in itertools.pairwise(t)):
        problems.append("times decrease")
    if any(b > a for a, b in itertools.pairwise(s)):
        problems.append("survival increases")
    return problems


def _read_points(
    files: DataFiles, rel: str
) -> tuple[dict[str, list[tuple[float, float]]], list[Problem]]:
    points: dict[str, list[tuple[float, float]]] = {}
    if not files.exists(rel):
        return points, [Problem(rel, "(file)", "digitised-csv", "file missing")]
    text = files.text(rel)
    if text is None:  # refused by the reader, which reported why
        return points, []
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != CSV_COLUMNS:
        return points, [
            Problem(rel, "line 1", "digitised-csv", f"header must be {','.join(CSV_COLUMNS)}")
        ]
    problems: list[Problem] = []
    bad = 0
    for row in reader:
        try:
            pair = (float(row["time_months"]), float(row["survival"]))
        except (TypeError, ValueError):
            bad += 1
            if bad <= MAX_PROBLEMS_PER_FILE:
                problems.append(
                    Problem(rel, f"line {reader.line_num}", "digitised-csv", "not a number")
                )
            continue
        points.setdefault(row["curve_id"], []).append(pair)
    if bad > MAX_PROBLEMS_PER_FILE:
        problems.append(more_problems(rel, bad - MAX_PROBLEMS_PER_FILE))
    return points, problems


def _load_folder(
    files: DataFiles, rel_folder: str, trial: Trial | None
) -> tuple[tuple[DigitisedCurve, ...], list[Problem]]:
    rel = f"{rel_folder}/{DIGITISED_TOML}"
    text = files.text(rel)
    if text is None:  # refused by the reader, which reported why
        return (), []
    try:
        raw = tomllib.loads(text)
        parsed = _File.model_validate(raw)
    except tomllib.TOMLDecodeError as exc:
        return (), [Problem(rel, "(file)", "toml-syntax", str(exc))]
    except ValidationError as exc:
        return (), [
            Problem(rel, ".".join(str(p) for p in e["loc"]), e["type"], e["msg"])
            for e in exc.errors()
        ]
    csv_rel = f"{rel_folder}/{DIGITISED_CSV}"
    points, problems = _read_points(files, csv_rel)
    curve_ids = {c.id for c in trial.curves} if trial else set()
    refs = {p.key for p in trial.publications} if trial else set()
    seen: set[str] = set()
    out: list[DigitisedCurve] = []
    for i, c in enumerate(parsed.curve):
        key = f"curve[{i}]"
        if trial is not None and c.curve_id not in curve_ids:
            problems.append(
                Problem(
                    rel,
                    f"{key}.curve_id",
                    "digitised-curve-id",
                    f"{c.curve_id!r} is not a [[curves]] id of trial.toml",
                )
            )
        if c.curve_id in seen:
            problems.append(Problem(rel, f"{key}.curve_id", "digitised-curve-id", "repeated"))
        seen.add(c.curve_id)
        if trial is not None and c.ref not in refs:
            problems.append(Problem(rel, f"{key}.ref", "ref-dangling", f"{c.ref!r} unknown"))
        pts = points.get(c.curve_id, [])
        full = c.model_copy(
            update={"time_months": tuple(p[0] for p in pts), "survival": tuple(p[1] for p in pts)}
        )
        problems.extend(
            Problem(csv_rel, f"curve {c.curve_id!r}", "digitised-points", detail)
            for detail in _points_problems(full)
        )
        out.append(full)
    for curve_id in sorted(set(points) - seen):
        problems.append(
            Problem(csv_rel, f"curve {curve_id!r}", "digitised-csv", "not declared in the TOML")
        )
    return tuple(out), problems


def digitised_problems(
    root: Path, trials: tuple[Trial, ...] | list[Trial], files: DataFiles | None = None
) -> tuple[dict[str, tuple[DigitisedCurve, ...]], list[Problem]]:
    """Load every trial folder's digitised curves; problems instead of exceptions.

    ``files`` are the verified files of the root (``data.files``); without them the root is
    read and checked against its manifest here, and those problems are returned too.
    """
    problems: list[Problem] = []
    if files is None:
        files, problems = verified_files(root)
    by_id = {t.id: t for t in trials}
    result: dict[str, tuple[DigitisedCurve, ...]] = {}
    for name in sorted(files.subdirs("trials")):
        folder = f"trials/{name}"
        if not files.exists(f"{folder}/{DIGITISED_TOML}"):
            if files.exists(f"{folder}/{DIGITISED_CSV}"):
                problems.append(
                    Problem(
                        f"{folder}/{DIGITISED_CSV}",
                        "(file)",
                        "digitised-csv",
                        f"no {DIGITISED_TOML} beside it",
                    )
                )
            continue
        curves, found = _load_folder(files, folder, by_id.get(name))
        problems.extend(found)
        result[name] = curves
    return result, problems


def verified_files(root: Path) -> tuple[DataFiles, list[Problem]]:
    """The root's files read through its manifest (links, sizes and hashes checked)."""
    hashes, problems = read_manifest(root)
    files, file_problems = read_verified_files(root, hashes)
    return files, problems + file_problems


def load_digitised(
    root: Path, trials: tuple[Trial, ...] | list[Trial], files: DataFiles | None = None
) -> dict[str, tuple[DigitisedCurve, ...]]:
    """``{trial_id: digitised curves}``; ``DataValidationError`` naming file, key and rule."""
    result, problems = digitised_problems(root, trials, files)
    if problems:
        raise DataValidationError(cap_problems(problems))
    return result
