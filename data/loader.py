"""Read, check and freeze the evidence base.

Layout under the data root::

    MANIFEST.toml                   SHA-256 of every data file
    trials/<trial_id>/trial.toml    one trial (closed schema, data/schema.py)
    trials/<trial_id>/at_risk.csv   numbers at risk for the trial's curves (optional)
    trials/<trial_id>/ipd_*.csv     patient-level rows (optional; none shipped today)

Every problem found (manifest, TOML syntax, schema, cross references, CSV rows) is collected and
raised together as one :class:`~data.errors.DataValidationError`, each naming file, key path and
rule. Nothing is returned unless everything passes.
"""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from data.digitised import digitised_problems
from data.errors import (
    MAX_PROBLEMS_PER_FILE,
    DataValidationError,
    Problem,
    cap_problems,
    more_problems,
)
from data.files import DataFiles, read_verified_files
from data.manifest import data_version_of, read_manifest
from data.registry import Registry
from data.schema import Trial, cross_reference_problems

__all__ = ["DEFAULT_ROOT", "load_uncached"]

DEFAULT_ROOT = Path(__file__).resolve().parent
TRIAL_FILE = "trial.toml"
AT_RISK_COLUMNS = ("curve_id", "time_months", "n_at_risk", "n_censored_cumulative")
IPD_COLUMNS = ("time_months", "event")

_PYDANTIC_RULES = {
    "extra_forbidden": "unknown-key",
    "missing": "required-field",
    "literal_error": "allowed-values",
    "string_pattern_mismatch": "identifier-format",
    "finite_number": "finite-number",
}


def _key_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


class _CsvOrigin:
    """Remembers which CSV line each injected at-risk/IPD row came from."""

    def __init__(self) -> None:
        self.by_curve: dict[int, tuple[str, str, list[int]]] = {}

    def locate(self, loc: tuple[int | str, ...]) -> tuple[str, str] | None:
        """Map a schema location inside ``curves[i].at_risk``/``ipd`` to (csv file, row key)."""
        if len(loc) < 2 or loc[0] != "curves" or not isinstance(loc[1], int):
            return None
        entry = self.by_curve.get(loc[1])
        if entry is None:
            return None
        rel, curve_id, lines = entry
        rest = loc[2:]
        if len(rest) >= 2 and rest[0] in ("at_risk", "ipd") and isinstance(rest[1], int):
            line = lines[rest[1]] if rest[1] < len(lines) else -1
            tail = _key_path(rest[2:]) if len(rest) > 2 else ""
            return rel, f"line {line} (curve {curve_id!r}){'.' + tail if tail else ''}"
        return None


def _read_csv(
    files: DataFiles, rel: str, columns: tuple[str, ...]
) -> tuple[list[dict[str, str]], list[int], list[Problem]]:
    """Rows of a verified CSV as dicts, with their 1-based line numbers; header must match.

    At most :data:`~data.errors.MAX_PROBLEMS_PER_FILE` row problems are kept; the rest are only
    counted (one summary problem), so a file of bad rows cannot flood memory or the report.
    """
    problems: list[Problem] = []
    text = files.text(rel)
    if text is None:  # refused by the reader, which reported why
        return [], [], []
    reader = csv.DictReader(io.StringIO(text))
    header = tuple(reader.fieldnames or ())
    if header != columns:
        shown = ", ".join(repr(h[:40]) for h in header[:8])
        problems.append(
            Problem(rel, "line 1", "csv-header", f"expected columns {columns}, got ({shown})")
        )
        return [], [], problems
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    bad = 0
    for row in reader:
        if None in row or any(v is None for v in row.values()):
            bad += 1
            if bad <= MAX_PROBLEMS_PER_FILE:
                problems.append(
                    Problem(rel, f"line {reader.line_num}", "csv-shape", "wrong number of cells")
                )
            continue
        rows.append(row)
        lines.append(reader.line_num)
    if bad > MAX_PROBLEMS_PER_FILE:
        problems.append(more_problems(rel, bad - MAX_PROBLEMS_PER_FILE))
    return rows, lines, problems


def _to_number(text: str, kind: type[int] | type[float]) -> int | float | None:
    text = text.strip()
    if text == "":
        return None
    try:
        return kind(text)
    except ValueError:
        if kind is int:
            as_float = float(text)
            if as_float.is_integer():
                return int(as_float)
        raise


def _inject_csv(
    files: DataFiles, trial_rel: str, raw: dict[str, Any], origin: _CsvOrigin
) -> list[Problem]:
    """Read the CSV files named by the curves and put their rows into the raw TOML dict."""
    problems: list[Problem] = []
    curves = raw.get("curves")
    if not isinstance(curves, list):
        return problems
    at_risk_cache: dict[str, tuple[list[dict[str, str]], list[int]]] = {}
    used: dict[str, set[str]] = {}
    for index, curve in enumerate(curves):
        if not isinstance(curve, dict):
            continue
        curve_id = str(curve.get("id", f"#{index}"))
        for file_key, target, columns in (
            ("at_risk_file", "at_risk", AT_RISK_COLUMNS),
            ("ipd_file", "ipd", IPD_COLUMNS),
        ):
            name = curve.get(file_key)
            if name is None:
                continue
            key = f"curves[{index}].{file_key}"
            if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith("."):
                problems.append(Problem(trial_rel, key, "file-missing", f"bad file name {name!r}"))
                continue
            if target in curve:
                problems.append(
                    Problem(trial_rel, key, "unknown-key", f"give either {file_key} or {target}")
                )
                continue
            rel = f"{Path(trial_rel).parent.as_posix()}/{name}"
            if not files.exists(rel):
                problems.append(Problem(trial_rel, key, "file-missing", f"{rel} does not exist"))
                continue
            if not files.has(rel):
                continue  # on disk but refused (link, size, manifest): reported by the reader
            if target == "at_risk":
                if name not in at_risk_cache:
                    rows, lines, csv_problems = _read_csv(files, rel, columns)
                    problems.extend(csv_problems)
                    at_risk_cache[name] = (rows, lines)
                rows, lines = at_risk_cache[name]
                used.setdefault(name, set()).add(curve_id)
                mine = [
                    (r, ln) for r, ln in zip(rows, lines, strict=True) if r["curve_id"] == curve_id
                ]
            else:
                rows, lines, csv_problems = _read_csv(files, rel, columns)
                problems.extend(csv_problems)
                mine = list(zip(rows, lines, strict=True))
            parsed: list[dict[str, Any]] = []
            parsed_lines: list[int] = []
            for row, line in mine:
                try:
                    if target == "at_risk":
                        parsed.append(
                            {
                                "time_months": _to_number(row["time_months"], float),
                                "n_at_risk": _to_number(row["n_at_risk"], int),
                                "n_censored_cumulative": _to_number(
                                    row["n_censored_cumulative"], int
                                ),
                            }
                        )
                    else:
                        parsed.append(
                            {
                                "time_months": _to_number(row["time_months"], float),
                                "event": _to_number(row["event"], int),
                            }
                        )
                    parsed_lines.append(line)
                except ValueError as exc:
                    problems.append(
                        Problem(rel, f"line {line} (curve {curve_id!r})", "csv-number", str(exc))
                    )
            curve[target] = parsed
            origin.by_curve[index] = (rel, curve_id, parsed_lines)
    for name, (rows, lines) in at_risk_cache.items():
        rel = f"{Path(trial_rel).parent.as_posix()}/{name}"
        for row, line in zip(rows, lines, strict=True):
            if row["curve_id"] not in used.get(name, set()):
                problems.append(
                    Problem(
                        rel,
                        f"line {line}",
                        "dangling-id",
                        f"curve_id {row['curve_id']!r} is not a curve using {name}",
                    )
                )
    return problems


def _expand(
    file: str, loc: tuple[int | str, ...], err: dict[str, Any], origin: _CsvOrigin
) -> list[Problem]:
    """Turn one pydantic error (possibly bundling several rule failures) into problems."""
    ctx = err.get("ctx") or {}
    bundled = ctx.get("problems")
    base = _key_path(loc)
    out: list[Problem] = []
    if isinstance(bundled, list):
        for field, rule, detail in bundled:
            sub = f"{base}.{field}" if base != "(top level)" else str(field)
            located = None
            if field.startswith("at_risk["):
                index = int(field[len("at_risk[") : field.index("]")])
                located = origin.locate((*loc, "at_risk", index))
            if located is None:
                located = origin.locate(loc)
                if located is not None:
                    located = (located[0], f"{located[1]}.{field}")
            if located is not None:
                out.append(Problem(located[0], located[1], rule, detail))
            else:
                out.append(Problem(file, sub, rule, detail))
        return out
    etype = str(err.get("type", "invalid"))
    rule = _PYDANTIC_RULES.get(etype, etype if "-" in etype else f"type:{etype}")
    value = err.get("input")
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    detail = str(err.get("msg", ""))
    if etype != "missing":
        detail += f" (got {shown})"
    located = origin.locate(loc)
    if located is not None:
        return [Problem(located[0], located[1], rule, detail)]
    return [Problem(file, base, rule, detail)]


def _load_trial(files: DataFiles, folder: str) -> tuple[Trial | None, list[Problem]]:
    trial_rel = f"{folder}/{TRIAL_FILE}"
    if not files.exists(trial_rel):
        return None, [
            Problem(trial_rel, "(file)", "file-missing", "trial folder has no trial.toml")
        ]
    text = files.text(trial_rel)
    if text is None:  # refused by the reader, which reported why
        return None, []
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(trial_rel, "(file)", "toml-syntax", str(exc))]
    origin = _CsvOrigin()
    problems = _inject_csv(files, trial_rel, raw, origin)
    try:
        trial = Trial.model_validate(raw, context={"defer_cross_checks": True})
    except ValidationError as exc:
        for err in exc.errors():
            problems.extend(_expand(trial_rel, tuple(err["loc"]), dict(err), origin))
        return None, problems
    for key, rule, detail in cross_reference_problems(trial):
        located = None
        if key.startswith("curves[") and ".at_risk" in key:
            index = int(key[len("curves[") : key.index("]")])
            located = origin.locate(("curves", index, "at_risk", 0))
        problems.append(
            Problem(located[0], located[1], rule, detail)
            if located
            else Problem(trial_rel, key, rule, detail)
        )
    folder_name = folder.rsplit("/", 1)[-1]
    if folder_name != trial.id:
        problems.append(
            Problem(trial_rel, "id", "folder-name", f"id {trial.id!r} != folder {folder_name!r}")
        )
    return trial, problems


def load_uncached(root: Path) -> Registry:
    """Validate everything under ``root`` and return a frozen registry, or raise.

    Only verified bytes are parsed (:func:`data.files.read_verified_files`): no link, nothing
    outside the manifest, nothing over its size limit, nothing changed since the manifest.
    """
    root = root.resolve()
    problems: list[Problem] = []
    hashes, manifest_errors = read_manifest(root)
    problems.extend(manifest_errors)
    files, file_problems = read_verified_files(root, hashes)
    if not manifest_errors:
        problems.extend(file_problems)
    else:  # without a manifest every file would be "unlisted": report links only
        problems.extend(p for p in file_problems if p.rule in ("symlink", "not-a-regular-file"))
    folders = sorted(f"trials/{name}" for name in files.subdirs("trials"))
    if not folders:
        problems.append(Problem("trials", "(folder)", "file-missing", "no trial folders found"))
    trials: list[Trial] = []
    first_file: dict[str, str] = {}
    for folder in folders:
        trial, trial_problems = _load_trial(files, folder)
        problems.extend(trial_problems)
        if trial is None:
            continue
        rel = f"{folder}/{TRIAL_FILE}"
        if trial.id in first_file:
            problems.append(
                Problem(
                    rel,
                    "id",
                    "duplicate-trial-id",
                    f"trial id {trial.id!r} already declared in {first_file[trial.id]}",
                )
            )
            continue
        first_file[trial.id] = rel
        trials.append(trial)
    # Curves digitised by the project (data/digitised.py), checked against their trials.
    problems.extend(digitised_problems(root, trials, files)[1])
    if problems:
        raise DataValidationError(cap_problems(problems))
    return Registry.build(tuple(trials), data_version_of(hashes), root, files)
