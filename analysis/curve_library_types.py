"""The curve library's records: curve keys, reconstructed curves, HR checks, reasons, table rows.

Built by :func:`analysis.curve_library.build_curve_library`; see that module for the grades,
the fidelity rules and the command line. ``FIDELITY_COLUMNS`` and
``NOT_RECONSTRUCTABLE_COLUMNS`` are the columns of the two audit tables the library writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol, TypeVar

from analysis.curve_followup import FOLLOWUP_SLACK_MONTHS
from analysis.fidelity import ArmFidelity
from analysis.reconstruct import FollowUp, ReconstructedIPD
from analysis.survival import SurvivalSample
from data.registry import CurveInputs

#: The columns that name a curve input, first in both audit tables.
KEY_COLUMNS: tuple[str, ...] = (
    "trial_id",
    "arm_id",
    "endpoint",
    "population",
    "population_key",
    "analysis_id",
)
FIDELITY_COLUMNS: tuple[str, ...] = (
    *KEY_COLUMNS,
    "grade",
    "n_published",
    "n_reconstructed",
    "n_passed",
    "events_published",
    "events_reconstructed",
    "events_constrained",
    "events_passed",
    "median_published",
    "median_reconstructed",
    "median_passed",
    "landmarks",
    "landmarks_passed",
    "hr_comparator",
    "hr_published",
    "hr_ci_published",
    "hr_reconstructed",
    "hr_ci_reconstructed",
    "hr_abs_log_diff",
    "hr_passed",
    "arm_passed",
    "within_followup",
    "all_passed",
    "followup",
    "warnings",
    "file",
)
NOT_RECONSTRUCTABLE_COLUMNS: tuple[str, ...] = (*KEY_COLUMNS, "reason")


@dataclass(frozen=True, order=True)
class CurveKey:
    """One curve input: registry ids of trial, arm, endpoint, population and analysis."""

    trial_id: str
    arm_id: str
    endpoint: str
    population: str
    analysis_id: str

    @property
    def slug(self) -> str:
        """File-name stem (registry ids are slugs, so this is safe as a file name)."""
        return "_".join(
            (self.trial_id, self.arm_id, self.endpoint, self.population, self.analysis_id)
        )


@dataclass(frozen=True)
class HazardRatioFidelity:
    """Published within-trial HR (``arm_id`` vs ``comparator_id``) vs the reconstructed one.

    ``ci_level_published`` and ``ci_level_reconstructed`` are fractions; the reconstructed CI is
    computed at the published level (0.95 when the paper gives no CI). ``hr_reconstructed`` is
    None when the Cox model has no finite estimate. ``passed`` follows DATA-03: |ln HR
    difference| within ``LOG_HR_TOLERANCE`` and the CIs overlapping (when a CI was published).
    """

    trial_id: str
    endpoint: str
    population: str
    analysis_id: str
    arm_id: str
    comparator_id: str
    hr_published: float
    ci_lower_published: float | None
    ci_upper_published: float | None
    ci_level_published: float | None
    source_ref: str | None
    hr_reconstructed: float | None
    ci_lower_reconstructed: float | None
    ci_upper_reconstructed: float | None
    ci_level_reconstructed: float
    abs_log_diff: float | None
    ci_overlap: bool | None
    passed: bool

    def involves(self, key: CurveKey) -> bool:
        """True when ``key`` is one of the two arms of this check."""
        return (
            key.trial_id == self.trial_id
            and key.endpoint == self.endpoint
            and key.population == self.population
            and key.analysis_id == self.analysis_id
            and key.arm_id in (self.arm_id, self.comparator_id)
        )


@dataclass(frozen=True, eq=False)
class LibraryCurve:
    """A reconstructed curve with everything needed to show and audit it.

    ``sample`` is the IPD as an ``analysis.survival.SurvivalSample`` (hashable by content, so
    memoised statistics are keyed by it). ``followup_notes`` list how the follow-up facts were
    derived or why some were not used. ``population_key`` is ``"ITT"``, a PD-L1 key or None.
    """

    key: CurveKey
    population_key: str | None
    grade: str
    ipd: ReconstructedIPD
    sample: SurvivalSample
    inputs: CurveInputs
    followup: FollowUp | None
    followup_notes: tuple[str, ...]
    fidelity: ArmFidelity

    @property
    def n_patients(self) -> int:
        return self.ipd.n_patients

    @property
    def longest_followup_months(self) -> float | None:
        """Longest potential follow-up implied by the published facts (None if unknown)."""
        if self.followup is None:
            return None
        return self.followup.window()[1]

    @property
    def within_followup(self) -> bool | None:
        """False when reconstructed times run past the longest potential follow-up implied by
        the published facts (a grade-C window the engine had to stretch); None if unknown."""
        limit = self.longest_followup_months
        if limit is None:
            return None
        return float(self.sample.times_months[-1]) <= limit + FOLLOWUP_SLACK_MONTHS

    @property
    def n_events(self) -> int:
        return self.ipd.n_events


@dataclass(frozen=True)
class NotReconstructable:
    """A curve input without a reconstruction, with the reason shown to the user."""

    key: CurveKey
    population_key: str | None
    reason: str


class _ArmInput(Protocol):
    """What :func:`_of_arm` reads: a curve or a not-reconstructable input."""

    @property
    def key(self) -> CurveKey: ...

    @property
    def population_key(self) -> str | None: ...


ArmInputT = TypeVar("ArmInputT", bound=_ArmInput)


def key_cells(item: _ArmInput) -> dict[str, object]:
    """The :data:`KEY_COLUMNS` cells of a curve or a not-reconstructable input."""
    key = item.key
    return {
        "trial_id": key.trial_id,
        "arm_id": key.arm_id,
        "endpoint": key.endpoint,
        "population": key.population,
        "population_key": item.population_key or "",
        "analysis_id": key.analysis_id,
    }


def _of_arm(
    items: Iterable[ArmInputT], trial_id: str, arm_id: str, endpoint: str, population_key: str
) -> tuple[ArmInputT, ...]:
    """The items of one arm, endpoint and population key, in their order."""
    return tuple(
        item
        for item in items
        if item.key.trial_id == trial_id
        and item.key.arm_id == arm_id
        and item.key.endpoint == endpoint
        and item.population_key == population_key
    )


@dataclass(frozen=True, eq=False)
class CurveLibrary:
    """Every curve input of one registry: reconstructed curves, the rest with reasons.

    ``input_keys`` lists every input in registry order; each is in exactly one of ``curves``
    and ``not_reconstructable``.

    Look-ups: :meth:`get` / :meth:`lookup` by full key, :meth:`curves_for` and
    :meth:`reasons_for` by (trial, arm, endpoint, population key), :meth:`hr_checks_for`.
    """

    data_version: str
    input_keys: tuple[CurveKey, ...]
    curves: tuple[LibraryCurve, ...]
    not_reconstructable: tuple[NotReconstructable, ...]
    hazard_ratio_checks: tuple[HazardRatioFidelity, ...]
    _by_key: Mapping[CurveKey, LibraryCurve] = field(repr=False)
    _reasons: Mapping[CurveKey, NotReconstructable] = field(repr=False)

    @classmethod
    def create(
        cls,
        data_version: str,
        input_keys: Sequence[CurveKey],
        curves: Sequence[LibraryCurve],
        not_reconstructable: Sequence[NotReconstructable],
        hazard_ratio_checks: Sequence[HazardRatioFidelity],
    ) -> CurveLibrary:
        return cls(
            data_version=data_version,
            input_keys=tuple(input_keys),
            curves=tuple(curves),
            not_reconstructable=tuple(not_reconstructable),
            hazard_ratio_checks=tuple(hazard_ratio_checks),
            _by_key=MappingProxyType({c.key: c for c in curves}),
            _reasons=MappingProxyType({r.key: r for r in not_reconstructable}),
        )

    def get(self, key: CurveKey) -> LibraryCurve | None:
        return self._by_key.get(key)

    def lookup(
        self, trial_id: str, arm_id: str, endpoint: str, population: str, analysis_id: str
    ) -> LibraryCurve | None:
        """The curve for registry ids, or None (then :meth:`reason` says why)."""
        return self._by_key.get(CurveKey(trial_id, arm_id, endpoint, population, analysis_id))

    def reason(self, key: CurveKey) -> str | None:
        """Why an input was not reconstructed (None if it was, or is not an input)."""
        found = self._reasons.get(key)
        return found.reason if found is not None else None

    def curves_for(
        self, trial_id: str, arm_id: str, endpoint: str, population_key: str
    ) -> tuple[LibraryCurve, ...]:
        """Reconstructed curves of an arm for a population key (``"ITT"``, ``"CPS>=10"``)."""
        return _of_arm(self.curves, trial_id, arm_id, endpoint, population_key)

    def reasons_for(
        self, trial_id: str, arm_id: str, endpoint: str, population_key: str
    ) -> tuple[NotReconstructable, ...]:
        """Not-reconstructable inputs of an arm for a population key."""
        return _of_arm(self.not_reconstructable, trial_id, arm_id, endpoint, population_key)

    def hr_checks_for(self, key: CurveKey) -> tuple[HazardRatioFidelity, ...]:
        """Hazard-ratio checks in which this curve is one of the two arms."""
        return tuple(h for h in self.hazard_ratio_checks if h.involves(key))

    def passed(self, key: CurveKey) -> bool | None:
        """Arm checks and every HR check of the curve passed (None: no such curve)."""
        curve = self._by_key.get(key)
        if curve is None:
            return None
        return (
            curve.fidelity.passed
            and curve.within_followup is not False
            and all(h.passed for h in self.hr_checks_for(key))
        )

    def fidelity_rows(self) -> list[dict[str, object]]:
        """The fidelity table, one row per reconstructed curve (columns ``FIDELITY_COLUMNS``)."""
        return [_fidelity_row(self, c) for c in self.curves]

    def not_reconstructable_rows(self) -> list[dict[str, object]]:
        """One row per input that was not reconstructed (``NOT_RECONSTRUCTABLE_COLUMNS``)."""
        return [{**key_cells(r), "reason": r.reason} for r in self.not_reconstructable]


# ---- audit table rows ------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _flag(value: bool | None) -> str:
    return "" if value is None else ("pass" if value else "FAIL")


def _fidelity_row(library: CurveLibrary, curve: LibraryCurve) -> dict[str, object]:
    fid = curve.fidelity
    key = curve.key
    if fid.median_published_not_reached:
        median_pub = "NR (not reached)"
    else:
        median_pub = _fmt(fid.median_published_months, 2)
    median_rec = (
        "NR (not reached)"
        if fid.median_reconstructed_months is None
        else _fmt(fid.median_reconstructed_months, 2)
    )
    landmarks = "; ".join(
        f"S({c.time_months:g}) {c.published:.3f}/{c.reconstructed:.3f}" for c in fid.landmarks
    )
    lm_passed = all(c.passed for c in fid.landmarks) if fid.landmarks else None
    hrs = [h for h in library.hr_checks_for(key) if h.arm_id == key.arm_id]

    def join(parts: Iterable[str]) -> str:
        return "; ".join(parts)

    return {
        **key_cells(curve),
        "grade": curve.grade,
        "n_published": "" if fid.n_published is None else fid.n_published,
        "n_reconstructed": fid.n_reconstructed,
        "n_passed": _flag(fid.n_passed),
        "events_published": "" if fid.events_published is None else fid.events_published,
        "events_reconstructed": fid.events_reconstructed,
        "events_constrained": "yes" if fid.events_constrained else "no",
        "events_passed": _flag(fid.events_passed),
        "median_published": median_pub,
        "median_reconstructed": median_rec,
        "median_passed": _flag(fid.median_passed),
        "landmarks": landmarks,
        "landmarks_passed": _flag(lm_passed),
        "hr_comparator": join(h.comparator_id for h in hrs),
        "hr_published": join(f"{h.hr_published:g}" for h in hrs),
        "hr_ci_published": join(
            f"{h.ci_lower_published:g}-{h.ci_upper_published:g} ({100 * h.ci_level_published:g}%)"
            if h.ci_lower_published is not None
            and h.ci_upper_published is not None
            and h.ci_level_published is not None
            else "not reported"
            for h in hrs
        ),
        "hr_reconstructed": join(_fmt(h.hr_reconstructed) for h in hrs),
        "hr_ci_reconstructed": join(
            f"{_fmt(h.ci_lower_reconstructed)}-{_fmt(h.ci_upper_reconstructed)} "
            f"({100 * h.ci_level_reconstructed:g}%)"
            for h in hrs
        ),
        "hr_abs_log_diff": join(_fmt(h.abs_log_diff, 4) for h in hrs),
        "hr_passed": join(_flag(h.passed) for h in hrs),
        "arm_passed": _flag(fid.passed),
        "within_followup": _flag(curve.within_followup),
        "all_passed": _flag(library.passed(key)),
        "followup": join(curve.followup_notes),
        "warnings": join(curve.ipd.warnings),
        "file": f"{key.slug}.csv",
    }
