"""Default selections of the views, read from ``data/vocab/view_defaults.toml``.

Which arms a first visit compares is an editorial choice, not evidence, and it names trial and
arm ids of the shipped data. It therefore lives in data (reviewed, hashed in the manifest, its
changes in the data changelog) with the reason it was chosen, not in panel code where a trial
id can silently outlive its trial. The file has one table per view::

    [safety]
    arms = ["alter_e003.chemo_free", ...]   # "<trial id>.<arm id>", in drawing order
    reason = "why these arms"
    reviewed_by = "who"
    reviewed_on = "YYYY-MM-DD"

A malformed file, or an arm the registry does not have, raises
:class:`data.DataValidationError` naming file, key and rule (the app refuses to start, like any
data error). A data root without the file (test fixtures) has no defaults; each view then says
what it falls back to.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from data import DataValidationError, Registry
from data.errors import Problem

DEFAULTS_PATH = Path("vocab") / "view_defaults.toml"
#: Separator of trial and arm id in an arm value (the Safety view's URL spelling).
ARM_SEPARATOR = "."
_FIELDS = {"arms", "reason", "reviewed_by", "reviewed_on"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ViewDefaults:
    """The default arms of one view and why they were chosen."""

    arms: tuple[tuple[str, str], ...]
    reason: str
    reviewed_by: str
    reviewed_on: str


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_view_defaults(
    registry: Registry, text: str, *, source: str = str(DEFAULTS_PATH)
) -> dict[str, ViewDefaults]:
    """Parse and check the defaults file (closed schema, module docstring)."""
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataValidationError([Problem(source, "(file)", "toml-syntax", str(exc))]) from None
    known = {(t.id, a.id) for t in registry.trials for a in t.arms}
    problems: list[Problem] = []
    found: dict[str, ViewDefaults] = {}
    for view, table in parsed.items():
        if not isinstance(table, dict):
            problems.append(Problem(source, view, "wrong-type", "each view is a [table]"))
            continue
        for key in sorted(set(table) - _FIELDS):
            problems.append(Problem(source, f"{view}.{key}", "unknown-key", "not a field"))
        texts = {key: _text(table.get(key)) for key in ("reason", "reviewed_by", "reviewed_on")}
        for key, value in texts.items():
            if value is None:
                problems.append(
                    Problem(source, f"{view}.{key}", "required-field", "needs a non-empty string")
                )
        if texts["reviewed_on"] and not _DATE.match(texts["reviewed_on"]):
            problems.append(Problem(source, f"{view}.reviewed_on", "date-format", "use YYYY-MM-DD"))
        raw = table.get("arms")
        arms: list[tuple[str, str]] = []
        if not isinstance(raw, list) or not raw:
            problems.append(
                Problem(source, f"{view}.arms", "required-field", "needs a non-empty list")
            )
            raw = []
        for i, value in enumerate(raw):
            trial_id, _, arm_id = str(value).partition(ARM_SEPARATOR)
            if not isinstance(value, str) or (trial_id, arm_id) not in known:
                problems.append(
                    Problem(
                        source,
                        f"{view}.arms[{i}]",
                        "unknown-arm",
                        f"{str(value)[:60]!r} is not '<trial id>{ARM_SEPARATOR}<arm id>' "
                        "of an arm in the registry",
                    )
                )
            elif (trial_id, arm_id) in arms:
                problems.append(
                    Problem(source, f"{view}.arms[{i}]", "duplicate-id", f"{value!r} repeated")
                )
            else:
                arms.append((trial_id, arm_id))
        found[view] = ViewDefaults(
            arms=tuple(arms),
            reason=texts["reason"] or "",
            reviewed_by=texts["reviewed_by"] or "",
            reviewed_on=texts["reviewed_on"] or "",
        )
    if problems:
        raise DataValidationError(problems)
    return found


@functools.lru_cache(maxsize=8)
def view_defaults(registry: Registry) -> dict[str, ViewDefaults]:
    """The checked defaults of ``registry``'s data root (empty when the root has no file)."""
    # The text verified against the manifest at load time, never a fresh read from disk.
    text = registry.data_text(DEFAULTS_PATH.as_posix())
    if text is None:
        return {}
    return parse_view_defaults(registry, text)
