"""The frozen, read-only registry returned by :func:`data.load_registry`.

Views query it through small pure accessors; nothing here mutates. Trials are ordered: focus
(seed) studies first, then phase 3, then phase 2, each alphabetically by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from data.evidence import EXPORT_COLUMNS, trial_rows
from data.files import DataFiles
from data.schema import Bound, CitedNumber, Curve, EfficacyResult, ResponseResult, Trial

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CatalogueRow", "CurveInputs", "Landmark", "Registry", "completeness"]


@dataclass(frozen=True, slots=True)
class Landmark:
    """A published landmark survival rate (percent) at ``time_months``, with its printed CI."""

    time_months: float
    survival_pct: float
    ci_lower_pct: float | None
    ci_upper_pct: float | None
    ci_level: float | None
    source_ref: str | None


@dataclass(frozen=True, slots=True)
class CurveInputs:
    """Everything the reconstruction needs for one arm x endpoint x population x analysis.

    ``n`` is the N at time 0 (at-risk table, else the population's N for the arm, else the
    arm's randomised N); ``events`` the published total events (None if not reported).
    ``median_months`` is None when the median is not reached (``median_status == 'not_reached'``)
    or not reported. Dates are ISO strings at the precision printed (``YYYY-MM[-DD]``).
    """

    trial_id: str
    arm_id: str
    endpoint: str
    population: str
    analysis_id: str
    curve_id: str | None
    n: int | None
    events: int | None
    at_risk_times_months: tuple[float, ...]
    at_risk_counts: tuple[int, ...]
    censored_cumulative: tuple[int | None, ...]
    median_months: float | None
    median_status: str
    median_ci: tuple[Bound, Bound] | None
    median_ci_level: float | None
    landmarks: tuple[Landmark, ...]
    accrual_start: str | None
    accrual_end: str | None
    data_cutoff: str | None
    follow_up_months: float | None
    follow_up_kind: str | None
    source_refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HeadlineValue:
    """One headline number for the catalogue (value or 'not reached') with its citation."""

    value: float | None
    status: str
    unit: str | None
    ci_text: str | None
    source_ref: str | None
    source_level: str | None
    link: str | None


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    """One arm of one trial, as listed in the Trials catalogue."""

    trial_id: str
    trial_name: str
    display_name: str
    focus: bool
    phase: str
    nct: str | None
    arm_id: str
    arm_label: str
    regimen_class: str
    role: str
    n_randomised: int | None
    population: str
    pdl1_scoring: tuple[str, ...]
    pdl1_cutoffs: tuple[str, ...]
    orr: HeadlineValue | None
    median_pfs: HeadlineValue | None
    median_os: HeadlineValue | None
    completeness: float
    missing: tuple[str, ...]


COMPLETENESS_ITEMS: tuple[str, ...] = (
    "N randomised",
    "data cut-off",
    "follow-up",
    "median PFS",
    "median OS",
    "HR vs control (PFS or OS)",
    "ORR",
    "DCR",
    "CR/PR counts",
    "DoR",
    "any-grade TRAE",
    "grade >=3 TRAE",
    "AE by term",
    "discontinuation due to AE",
    "numbers at risk",
)


def completeness(trial: Trial, arm_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Which of :data:`COMPLETENESS_ITEMS` the evidence base holds for an arm (any analysis).

    Returns ``(present, missing)``. The HR item only applies to experimental arms of trials
    with a control arm. "grade >=3 TRAE" accepts the bands >=3, 3-4, 3-5 and grade 3 only (as
    printed); "follow-up" accepts an analysis follow-up or a whole-population follow-up fact;
    pooled AE rows (arm None) count for every arm.
    """
    arm = trial.arm(arm_id)
    has_control = any(a.role == "control" for a in trial.arms)

    def eff(endpoint: str, measure: str) -> bool:
        return any(
            r.is_reported and r.endpoint == endpoint and r.measure == measure and r.arm == arm_id
            for r in trial.efficacy
        )

    def resp(*cats: str) -> bool:
        return any(
            r.is_reported and r.category in cats and r.arm == arm_id and r.measure == "rate"
            for r in trial.response
        )

    def ae(pred: Any) -> bool:
        return any(
            r.is_reported and (r.arm in (arm_id, None)) and pred(r) for r in trial.adverse_events
        )

    checks: dict[str, bool] = {
        "N randomised": arm.n_randomised.is_reported,
        "data cut-off": any(a.data_cutoff.status == "reported" for a in trial.analyses),
        "follow-up": any(
            a.follow_up is not None and a.follow_up.is_reported for a in trial.analyses
        )
        or any(
            f.is_reported
            and "follow-up" in f.item.lower()
            and f.arm in (arm_id, None)
            and f.population is None
            for f in trial.facts
        ),
        "median PFS": eff("PFS", "median"),
        "median OS": eff("OS", "median"),
        "HR vs control (PFS or OS)": eff("PFS", "hr") or eff("OS", "hr"),
        "ORR": resp("ORR"),
        "DCR": resp("DCR"),
        "CR/PR counts": any(
            r.category in ("CR", "PR") and r.n is not None and r.arm == arm_id
            for r in trial.response
        ),
        "DoR": eff("DoR", "median"),
        "any-grade TRAE": ae(
            lambda r: (
                r.summary_item == "any_event"
                and r.category == "treatment-related"
                and r.grade_band == "any"
            )
        ),
        "grade >=3 TRAE": ae(
            lambda r: (
                r.summary_item == "any_event"
                and r.category == "treatment-related"
                and r.grade_band in (">=3", "3-4", "3-5", "3")
            )
        ),
        "AE by term": ae(lambda r: r.summary_item is None),
        "discontinuation due to AE": ae(lambda r: r.summary_item == "leading_to_discontinuation"),
        "numbers at risk": any(c.arm == arm_id and c.at_risk for c in trial.curves),
    }
    if not (has_control and arm.role == "experimental"):
        checks.pop("HR vs control (PFS or OS)")
    present = tuple(k for k, ok in checks.items() if ok)
    missing = tuple(k for k, ok in checks.items() if not ok)
    return present, missing


def _ci_text(num: CitedNumber) -> str | None:
    if num.ci is None:
        return None
    parts = [f"{b:g}" if isinstance(b, float) else str(b) for b in num.ci]
    return f"{parts[0]}–{parts[1]} ({num.ci_level:g}% CI)"


def _headline(trial: Trial, row: EfficacyResult | ResponseResult | None) -> HeadlineValue | None:
    if row is None:
        return None
    link = trial.publication(row.ref).link if row.ref else None
    return HeadlineValue(
        value=row.value,
        status=row.status,
        unit=row.unit,
        ci_text=_ci_text(row),
        source_ref=row.ref,
        source_level=trial.source_level(row),
        link=link,
    )


def _trial_order(trial: Trial) -> tuple[int, int, str]:
    return (0 if trial.focus else 1, 0 if trial.phase == "3" else 1, trial.name.lower())


@dataclass(frozen=True)
class Registry:
    """Read-only view of every validated trial.

    Attributes:
        trials: ordered tuple of frozen :class:`~data.schema.Trial` models.
        data_version: 12 hex digits derived from the manifest hashes (shown in UI and exports).
        root: the data root the registry was loaded from.
    """

    trials: tuple[Trial, ...]
    data_version: str
    root: Path
    _by_id: Mapping[str, Trial] = field(repr=False, compare=False)
    files: DataFiles | None = field(default=None, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        trials: tuple[Trial, ...],
        data_version: str,
        root: Path,
        files: DataFiles | None = None,
    ) -> Registry:
        ordered = tuple(sorted(trials, key=_trial_order))
        return cls(
            trials=ordered,
            data_version=data_version,
            root=root,
            _by_id=MappingProxyType({t.id: t for t in ordered}),
            files=files,
        )

    def data_text(self, rel: str) -> str | None:
        """A data file as verified at load time (``vocab/ae_terms.toml``), or None if absent.

        Files read after start-up come from here, never from disk again, so they are exactly
        the bytes the manifest and the data version vouch for (issue 14).
        """
        return None if self.files is None else self.files.text(rel)

    def __hash__(self) -> int:
        # The generated hash would hash every trial model (~26 ms per call), and views key
        # memos (lru_cache) by registry on each request. Equal registries have equal data
        # versions, so hashing the version alone keeps the hash consistent with equality.
        return hash(self.data_version)

    @property
    def trial_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.trials)

    def trial(self, trial_id: str) -> Trial:
        """The trial with this id; KeyError naming the known ids otherwise."""
        try:
            return self._by_id[trial_id]
        except KeyError:
            raise KeyError(f"unknown trial {trial_id!r}; known: {', '.join(self._by_id)}") from None

    def evidence_rows(self) -> list[dict[str, Any]]:
        """The long evidence table (fresh list of fresh dicts; columns :data:`EXPORT_COLUMNS`)."""
        rows: list[dict[str, Any]] = []
        for trial in self.trials:
            rows.extend(trial_rows(trial))
        return rows

    def evidence_frame(self) -> pd.DataFrame:
        """The long evidence table as a pandas DataFrame (pandas imported lazily)."""
        import pandas as pd  # noqa: PLC0415 - keep start-up fast for callers not needing pandas

        return pd.DataFrame(self.evidence_rows(), columns=list(EXPORT_COLUMNS))

    def curves(
        self,
        *,
        trial_id: str | None = None,
        endpoint: str | None = None,
        population_kind: str | None = None,
        with_at_risk: bool | None = None,
    ) -> tuple[tuple[Trial, Curve], ...]:
        """Declared curves as ``(trial, curve)`` pairs, filtered."""
        out: list[tuple[Trial, Curve]] = []
        for trial in self.trials:
            if trial_id is not None and trial.id != trial_id:
                continue
            for curve in trial.curves:
                if endpoint is not None and curve.endpoint != endpoint:
                    continue
                if (
                    population_kind is not None
                    and trial.population_by_id(curve.population).kind != population_kind
                ):
                    continue
                if with_at_risk is not None and bool(curve.at_risk) != with_at_risk:
                    continue
                out.append((trial, curve))
        return tuple(out)

    def curve_inputs(
        self,
        trial_id: str,
        arm_id: str,
        endpoint: str,
        population: str,
        analysis_id: str,
    ) -> CurveInputs:
        """Collect N, events, at-risk table, median, landmarks, accrual, cut-off and follow-up."""
        trial = self.trial(trial_id)
        arm = trial.arm(arm_id)
        analysis = trial.analysis(analysis_id)
        trial.population_by_id(population)
        curve = next(
            (
                c
                for c in trial.curves
                if c.arm == arm_id
                and c.endpoint == endpoint
                and c.population == population
                and c.analysis == analysis_id
            ),
            None,
        )
        rows = trial.efficacy_rows(
            endpoint=endpoint, arm=arm_id, population=population, analysis=analysis_id
        )
        refs: list[str] = []

        def note_ref(ref: str | None) -> None:
            if ref and ref not in refs:
                refs.append(ref)

        median = next((r for r in rows if r.measure == "median" and r.is_reported), None)
        events_row = next((r for r in rows if r.measure == "events" and r.is_reported), None)
        events: int | None = None
        if curve is not None and curve.events is not None and curve.events.value is not None:
            events = int(curve.events.value)
            note_ref(curve.events.ref)
        elif events_row is not None and events_row.value is not None:
            events = int(events_row.value)
            note_ref(events_row.ref)
        if median is not None:
            note_ref(median.ref)
        landmarks: list[Landmark] = []
        for r in rows:
            if r.measure == "landmark" and r.value is not None and r.timepoint_months is not None:
                lo = hi = None
                if r.ci is not None:
                    lo = r.ci[0] if isinstance(r.ci[0], float) else None
                    hi = r.ci[1] if isinstance(r.ci[1], float) else None
                landmarks.append(Landmark(r.timepoint_months, r.value, lo, hi, r.ci_level, r.ref))
                note_ref(r.ref)
        at_risk = curve.at_risk if curve is not None else ()
        if curve is not None:
            note_ref(curve.ref)
        n: int | None
        if at_risk:
            n = at_risk[0].n_at_risk
        else:
            n = trial.population_n(population, arm_id)
            if n is None and trial.population_by_id(population).kind == "itt":
                value = arm.n_randomised.value
                n = int(value) if value is not None else None
            if n is None:
                # the N printed with this arm's own median or landmark in this population
                n = next(
                    (r.N for r in rows if r.N is not None and r.measure in ("median", "landmark")),
                    None,
                )
        follow = analysis.follow_up
        return CurveInputs(
            trial_id=trial.id,
            arm_id=arm.id,
            endpoint=endpoint,
            population=population,
            analysis_id=analysis.id,
            curve_id=curve.id if curve is not None else None,
            n=n,
            events=events,
            at_risk_times_months=tuple(p.time_months for p in at_risk),
            at_risk_counts=tuple(p.n_at_risk for p in at_risk),
            censored_cumulative=tuple(p.n_censored_cumulative for p in at_risk),
            median_months=median.value if median is not None else None,
            median_status=median.status if median is not None else "not_reported",
            median_ci=median.ci if median is not None else None,
            median_ci_level=median.ci_level if median is not None else None,
            landmarks=tuple(sorted(landmarks, key=lambda lm: lm.time_months)),
            accrual_start=analysis.accrual.start if analysis.accrual else None,
            accrual_end=analysis.accrual.end if analysis.accrual else None,
            data_cutoff=analysis.data_cutoff.date,
            follow_up_months=follow.value if follow is not None else None,
            follow_up_kind=analysis.follow_up_kind,
            source_refs=tuple(refs),
        )

    def catalogue(self) -> tuple[CatalogueRow, ...]:
        """One row per arm for the Trials view (headline values are the rows flagged
        ``headline = true`` in the data files, so the choice is reviewed, not computed)."""
        out: list[CatalogueRow] = []
        for trial in self.trials:
            scoring = tuple(
                f"{s.scoring_system} ({s.assay})" if s.assay else f"{s.scoring_system} (assay NR)"
                for s in trial.pd_l1
            )
            cutoffs = tuple(
                sorted(
                    {p.pdl1_key or "" for p in trial.populations if p.kind == "pdl1" and p.pdl1_key}
                )
            )
            for arm in trial.arms:
                orr = next((r for r in trial.response if r.headline and r.arm == arm.id), None)
                pfs = next(
                    (
                        r
                        for r in trial.efficacy
                        if r.headline and r.arm == arm.id and r.endpoint == "PFS"
                    ),
                    None,
                )
                os_ = next(
                    (
                        r
                        for r in trial.efficacy
                        if r.headline and r.arm == arm.id and r.endpoint == "OS"
                    ),
                    None,
                )
                present, missing = completeness(trial, arm.id)
                value = arm.n_randomised.value
                out.append(
                    CatalogueRow(
                        trial_id=trial.id,
                        trial_name=trial.name,
                        display_name=trial.display_name,
                        focus=trial.focus,
                        phase=trial.phase,
                        nct=trial.nct,
                        arm_id=arm.id,
                        arm_label=arm.label,
                        regimen_class=arm.regimen_class,
                        role=arm.role,
                        n_randomised=int(value) if value is not None else None,
                        population=trial.population.text,
                        pdl1_scoring=scoring,
                        pdl1_cutoffs=cutoffs,
                        orr=_headline(trial, orr),
                        median_pfs=_headline(trial, pfs),
                        median_os=_headline(trial, os_),
                        completeness=len(present) / (len(present) + len(missing)),
                        missing=missing,
                    )
                )
        return tuple(out)
