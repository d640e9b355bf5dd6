"""TOML spec files for grade B and grade C reconstructions (``--spec SPEC.toml``).

Format (times in months, survival as fractions; unknown keys are errors). The example values are
the ESCORT-1st camrelizumab arm (Luo H et al. JAMA 2021;326:916-925: text and OS figure)::

    grade = "B"                  # "B": at-risk table (+ anchors); "C": summary numbers only

    [followup]                   # optional for B; C needs at least one fact
    accrual_months = 17.3        # length of the randomisation window
    min_followup_months = 5.6    # last randomisation -> data cut-off
    max_followup_months = 22.9   # first randomisation -> data cut-off
    median_followup_months = 10.8  # median POTENTIAL follow-up (reverse KM / time to cut-off);
                                   # leave out a median of observed follow-up times
    accrual_start = 2018-12-03   # or dates (TOML dates or "YYYY-MM-DD" strings); a month is
    accrual_end = 2020-05-12     # 30.4375 days. Dates fill in whichever of the three lengths
    data_cutoff = 2020-10-30     # above is not given.

    [[arm]]                      # one table per arm; two arms of one analysis may be given
    label = "camrelizumab + chemotherapy"
    events = 135                 # published total events (matched exactly)
    median_months = 15.3         # or "NR" when reported as not reached
    landmarks = [ { time_months = 12, survival = 0.615 },
                  { time_months = 18, survival_percent = 42.7 } ]
    # grade B:
    time_months = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]
    n_at_risk = [298, 294, 285, 260, 218, 180, 128, 89, 51, 33]
    # censored_cumulative = [...]  # optional: cumulative censored counts as printed under
    #                               the figure, one per time (ESCORT-1st prints none)
    # grade C:
    n = 298

With two ``[[arm]]`` tables in a grade B spec whose at-risk times agree, their censoring is
fitted jointly (randomised arms share accrual and cut-off). The CLI then writes a third column
``arm`` (the label, or 1, 2).
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.reconstruct.censoring import FollowUp
from analysis.reconstruct.summary import SummaryArm, reconstruct_from_summary
from analysis.reconstruct.table import TableArm, reconstruct_arms_from_tables
from analysis.reconstruct.types import Landmark, ReconstructedIPD, ReconstructionInputError

#: Days per month used to turn dates into months (365.25 / 12).
DAYS_PER_MONTH = 30.4375

_TOP_KEYS = {"grade", "followup", "arm"}
_FOLLOWUP_KEYS = {
    "accrual_months",
    "min_followup_months",
    "max_followup_months",
    "median_followup_months",
    "accrual_start",
    "accrual_end",
    "data_cutoff",
}
_ARM_KEYS_COMMON = {"label", "events", "median_months", "landmarks"}
_ARM_KEYS_B = {"time_months", "n_at_risk", "censored_cumulative"}
_ARM_KEYS_C = {"n"}
_LANDMARK_KEYS = {"time_months", "survival", "survival_percent", "ci_lower", "ci_upper"}


@dataclass(frozen=True)
class Spec:
    """A parsed spec: grade, follow-up facts and one or more arms."""

    grade: str
    followup: FollowUp | None
    table_arms: tuple[TableArm, ...]
    summary_arms: tuple[SummaryArm, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        names = (
            [a.label for a in self.table_arms]
            if self.grade == "B"
            else [a.label for a in self.summary_arms]
        )
        return tuple(name or str(k + 1) for k, name in enumerate(names))


class _Reader:
    """Typed access to one TOML table with error messages that name the key path."""

    def __init__(self, data: dict[str, Any], where: str, source: str) -> None:
        self.data = data
        self.where = where
        self.source = source

    def fail(self, key: str, problem: str) -> ReconstructionInputError:
        path = f"{self.where}.{key}" if self.where else key
        return ReconstructionInputError(f"{path}: {problem}", source=self.source)

    def check_keys(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.data) - allowed)
        if unknown:
            raise self.fail(unknown[0], f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def number(self, key: str, *, required: bool = False) -> float | None:
        if key not in self.data:
            if required:
                raise self.fail(key, "is required")
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"must be a number, got {value!r}")
        if not math.isfinite(float(value)):
            raise self.fail(key, "must be finite")
        return float(value)

    def whole(self, key: str, *, required: bool = False) -> int | None:
        value = self.number(key, required=required)
        if value is None:
            return None
        if value != math.floor(value) or value < 0:
            raise self.fail(key, f"must be a whole number >= 0, got {value:g}")
        return int(value)

    def numbers(self, key: str, *, allow_missing: bool = False) -> list[float | None]:
        value = self.data.get(key)
        if not isinstance(value, list) or not value:
            raise self.fail(key, "must be a non-empty list of numbers")
        out: list[float | None] = []
        for k, item in enumerate(value):
            if allow_missing and item in {"", "NA"}:
                out.append(None)
                continue
            if isinstance(item, bool) or not isinstance(item, int | float):
                raise self.fail(f"{key}[{k}]", f"must be a number, got {item!r}")
            out.append(float(item))
        return out

    def date(self, key: str) -> dt.date | None:
        if key not in self.data:
            return None
        value = self.data[key]
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(key, f"must be a date YYYY-MM-DD, got {value!r}")


def _months_between(start: dt.date, end: dt.date) -> float:
    return (end - start).days / DAYS_PER_MONTH


def _followup(data: Any, source: str) -> FollowUp:
    if not isinstance(data, dict):
        raise ReconstructionInputError("followup: must be a table", source=source)
    r = _Reader(data, "followup", source)
    r.check_keys(_FOLLOWUP_KEYS)
    acc = r.number("accrual_months")
    lo = r.number("min_followup_months")
    hi = r.number("max_followup_months")
    med = r.number("median_followup_months")
    start, end, cut = r.date("accrual_start"), r.date("accrual_end"), r.date("data_cutoff")
    if acc is None and start and end:
        acc = _months_between(start, end)
    if lo is None and end and cut:
        lo = _months_between(end, cut)
    if hi is None and start and cut:
        hi = _months_between(start, cut)
    for name, value in (("accrual", acc), ("minimum follow-up", lo), ("maximum follow-up", hi)):
        if value is not None and value < 0:
            raise ReconstructionInputError(
                f"followup: {name} is negative ({value:.2f} months); check the dates",
                source=source,
            )
    return FollowUp(
        accrual_months=acc,
        min_followup_months=lo,
        max_followup_months=hi,
        median_followup_months=med,
    )


def _landmarks(r: _Reader) -> tuple[Landmark, ...]:
    raw = r.data.get("landmarks", [])
    if not isinstance(raw, list):
        raise r.fail("landmarks", "must be a list of tables")
    out = []
    for k, item in enumerate(raw):
        if not isinstance(item, dict):
            raise r.fail(f"landmarks[{k}]", "must be a table {time_months = .., survival = ..}")
        lr = _Reader(item, f"{r.where}.landmarks[{k}]", r.source)
        lr.check_keys(_LANDMARK_KEYS)
        t = lr.number("time_months", required=True) or 0.0
        s = lr.number("survival")
        pct = lr.number("survival_percent")
        if (s is None) == (pct is None):
            raise lr.fail("survival", "give exactly one of survival (fraction) or survival_percent")
        value = s if s is not None else (pct or 0.0) / 100.0
        if not 0.0 <= value <= 1.0:
            raise lr.fail("survival", f"must be between 0 and 1, got {value:g}")
        out.append(
            Landmark(
                time_months=t,
                survival=value,
                ci_lower=lr.number("ci_lower"),
                ci_upper=lr.number("ci_upper"),
            )
        )
    return tuple(out)


def _median(r: _Reader) -> tuple[float | None, bool]:
    value = r.data.get("median_months")
    if isinstance(value, str):
        if value.strip().upper() in {"NR", "NOT REACHED"}:
            return None, True
        raise r.fail("median_months", f'must be a number or "NR", got {value!r}')
    return r.number("median_months"), False


def parse_spec(data: dict[str, Any], *, source: str = "spec") -> Spec:
    """Validate a spec already loaded from TOML (see the module docstring for the format)."""
    top = _Reader(data, "", source)
    top.check_keys(_TOP_KEYS)
    grade = data.get("grade")
    if grade not in ("B", "C"):
        raise top.fail("grade", f'must be "B" or "C", got {grade!r}')
    followup = _followup(data["followup"], source) if "followup" in data else None
    arms_raw = data.get("arm")
    if not isinstance(arms_raw, list) or not arms_raw:
        raise top.fail("arm", "at least one [[arm]] table is required")
    if len(arms_raw) > 2:
        raise top.fail("arm", f"at most two arms per spec, got {len(arms_raw)}")
    table_arms: list[TableArm] = []
    summary_arms: list[SummaryArm] = []
    for k, raw in enumerate(arms_raw):
        if not isinstance(raw, dict):
            raise top.fail(f"arm[{k}]", "must be a table")
        r = _Reader(raw, f"arm[{k}]", source)
        label = raw.get("label", "")
        if not isinstance(label, str):
            raise r.fail("label", "must be text")
        events = r.whole("events")
        median, not_reached = _median(r)
        landmarks = _landmarks(r)
        if grade == "B":
            r.check_keys(_ARM_KEYS_COMMON | _ARM_KEYS_B)
            times = [float(x) for x in r.numbers("time_months") if x is not None]
            counts = r.numbers("n_at_risk")
            if len(times) != len(counts):
                raise r.fail("n_at_risk", f"has {len(counts)} values for {len(times)} times")
            for j, c in enumerate(counts):
                if c is None or c < 0 or c != math.floor(c):
                    raise r.fail(f"n_at_risk[{j}]", "must be a whole number >= 0")
            censored: tuple[int | None, ...] | None = None
            if "censored_cumulative" in raw:
                cens = r.numbers("censored_cumulative", allow_missing=True)
                if len(cens) != len(times):
                    raise r.fail(
                        "censored_cumulative", f"has {len(cens)} values for {len(times)} times"
                    )
                censored = tuple(None if c is None else int(c) for c in cens)
            table_arms.append(
                TableArm(
                    time_months=tuple(times),
                    n_at_risk=tuple(int(c or 0) for c in counts),
                    censored_cumulative=censored,
                    total_events=events,
                    median_months=median,
                    median_not_reached=not_reached,
                    landmarks=landmarks,
                    label=label,
                )
            )
        else:
            r.check_keys(_ARM_KEYS_COMMON | _ARM_KEYS_C)
            n = r.whole("n", required=True) or 0
            summary_arms.append(
                SummaryArm(
                    n=n,
                    total_events=events,
                    median_months=median,
                    median_not_reached=not_reached,
                    landmarks=landmarks,
                    label=label,
                )
            )
    if grade == "C" and followup is None:
        raise top.fail("followup", "grade C needs a [followup] table")
    return Spec(
        grade=str(grade),
        followup=followup,
        table_arms=tuple(table_arms),
        summary_arms=tuple(summary_arms),
    )


def load_spec(path: Path) -> Spec:
    """Read and validate a TOML spec file; errors name the file and the key path."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReconstructionInputError(
            f"cannot read file ({exc.strerror})", source=str(path)
        ) from exc
    except UnicodeDecodeError as exc:
        raise ReconstructionInputError("file is not UTF-8 text", source=str(path)) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReconstructionInputError(f"not valid TOML: {exc}", source=str(path)) from exc
    return parse_spec(data, source=str(path))


def reconstruct_spec(spec: Spec) -> tuple[ReconstructedIPD, ...]:
    """Run the reconstruction a spec describes; one result per arm, in spec order."""
    if spec.grade == "B":
        return reconstruct_arms_from_tables(
            spec.table_arms,
            followup=spec.followup,
            sources=[
                f"arm[{k}] ({a.label})" if a.label else f"arm[{k}]"
                for k, a in enumerate(spec.table_arms)
            ],
        )
    followup = spec.followup or FollowUp()
    return tuple(
        reconstruct_from_summary(
            arm, followup=followup, source=f"arm[{k}] ({arm.label})" if arm.label else f"arm[{k}]"
        )
        for k, arm in enumerate(spec.summary_arms)
    )
