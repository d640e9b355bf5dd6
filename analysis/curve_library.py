"""The library of shipped reconstructed survival curves, built once per process.

For every *curve input* of the evidence base — a (trial, arm, endpoint, population, analysis)
for which the registry holds a declared curve or any arm-level OS/PFS number (median, events,
landmark rate, or an HR with this arm as the experimental arm) — the library either holds
reconstructed pseudo-IPD with its fidelity report, or lists the input as *not reconstructable*
with the reason. Nothing is silently dropped.

Grades (``analysis.reconstruct``):

* **A** when this project digitised the published curve (``data/trials/*/digitised.*``) and the
  registry has the numbers-at-risk table: digitised curve + table + published total events
  (``analysis.digitised_curves``; Guyot et al. 2012). Grade B is used only where no digitised
  curve exists.
* **B** when the registry has a numbers-at-risk table. Arms of the same trial, endpoint,
  population and analysis are reconstructed together (``reconstruct_arms_from_tables``, which
  ties their censoring hazards: randomisation gives both arms the same accrual and cut-off).
  Inputs: the table, printed cumulative censored counts, published total events, median (or
  "not reached") and landmark rates, and the follow-up facts below.
* **C** when there is no table but N, the published total events, a median (or "not reached")
  and/or landmark rates, and a follow-up window are reported (``reconstruct_from_summary``).
  **Without a published event total the curve is not reconstructed**: the event count would be a
  model output presented as data, so the input is listed as "total events not reported". The same
  holds when N, every anchor, or the follow-up window is missing.

Events are never estimated. Deriving a total from the width of the median's CI was tested
against the published counts and rejected (notes/issue-05-estimated-events.md keeps the method,
the measurements and the reasons; the code was removed). Inputs without a published event total
stay "not reconstructable", and where such an estimate could have been computed the reason says
it was tried and rejected.

Follow-up facts (``followup_for``). Accrual dates and the data cut-off give the accrual length and
the minimum (cut-off − last randomisation) and maximum (cut-off − first randomisation) potential
follow-up; a date printed to the month is widened to the whole month (start → first day, end and
cut-off → last day). The accrual period is a property of the trial, so when an analysis has none
the period printed with another analysis of the same trial is used (noted). A published
*minimum* follow-up is used as printed. A published *median* follow-up is **not** used unless the
data file says it is the median time from randomisation to cut-off: papers often print the
median observed time on study (ESCORT-1st, JUPITER-06), which is shorter than the potential
follow-up the censoring model needs (notes/issue-04.md).

Fidelity (RELIABILITY.md DATA-03): ``analysis.fidelity.arm_fidelity`` per curve against the
published N, events, median and landmarks, and, when both arms of a published within-trial HR
are reconstructed, a hazard-ratio check: the reconstructed Cox HR (Efron ties, the numpy engine
of ``analysis.survival``, golden-tested against R) vs the published HR, |ln HR_rec − ln HR_pub| ≤
``analysis.fidelity.LOG_HR_TOLERANCE``, and the reconstructed CI **at the published CI's level**
(CheckMate 648 OS: 99.1 %) overlapping the published CI. ``analysis.fidelity.hazard_ratio_check``
applies the same rule with lifelines and a 95 % reconstructed CI; lifelines costs ~60 ms per pair
and ~1 s to import, which would dominate the build (a unit test checks both agree on the HRs).
One more flag beyond DATA-03: ``LibraryCurve.within_followup`` is False when reconstructed times
run past the longest potential follow-up the published facts allow (possible when the grade-C
engine stretches its follow-up window to reach the published events); ``CurveLibrary.passed``
requires it. Where a printed median follow-up exceeds the midpoint of the window from the dates,
the window's shortest follow-up is raised to match it (``followup_for``): potential follow-up is
never shorter than observed follow-up, so this is the least extreme window consistent with both.

Deterministic: the same registry gives identical curves, fidelity rows and CSV bytes. Build once
per process (``shared_curve_library``); the app never reconstructs on a request path.

Command line::

    python -m analysis.curve_library --out DIR [--data-root DATA_DIR]

writes one ``<trial>_<arm>_<endpoint>_<population>_<analysis>.csv`` per curve (columns
``time_months,event``), ``fidelity.csv`` (one row per curve) and ``not_reconstructable.csv``.
These are build outputs; they are not committed.

Units: months; survival as fractions (the registry's percentages are divided by 100).

The records live in :mod:`analysis.curve_library_types`, the follow-up rules in
:mod:`analysis.curve_followup`; this module builds, caches and writes the library.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from analysis.curve_followup import MONTH_DAYS, followup_for
from analysis.curve_library_types import (
    FIDELITY_COLUMNS,
    NOT_RECONSTRUCTABLE_COLUMNS,
    CurveKey,
    CurveLibrary,
    HazardRatioFidelity,
    LibraryCurve,
    NotReconstructable,
)
from analysis.digitised_curves import grade_a_reconstructions
from analysis.fidelity import LOG_HR_TOLERANCE, PublishedArm, arm_fidelity
from analysis.reconstruct import (
    FollowUp,
    Landmark,
    ReconstructedIPD,
    ReconstructionInputError,
    SummaryArm,
    TableArm,
    reconstruct_arms_from_tables,
    reconstruct_from_summary,
)
from analysis.reconstruct.types import TIME_DECIMALS
from analysis.survival import SurvivalSample, cox_hazard_ratio
from data.pdl1 import population_key
from data.registry import CurveInputs, Registry

__all__ = [
    "CURVE_MEASURES",
    "DEFAULT_CI_LEVEL",
    "ENDPOINTS",
    "EVENT_ESTIMATE_REJECTED",
    "FIDELITY_COLUMNS",
    "MONTH_DAYS",
    "NOT_RECONSTRUCTABLE_COLUMNS",
    "CurveKey",
    "CurveLibrary",
    "HazardRatioFidelity",
    "LibraryCurve",
    "NotReconstructable",
    "build_curve_library",
    "curve_input_keys",
    "followup_for",
    "ipd_csv",
    "main",
    "shared_curve_library",
    "table_csv",
    "write_library",
]

ENDPOINTS: tuple[str, ...] = ("OS", "PFS")
#: Efficacy measures that make an arm x endpoint x population x analysis a curve input.
CURVE_MEASURES = frozenset({"median", "events", "landmark", "hr"})
DEFAULT_CI_LEVEL = 0.95
#: Added to the "total events not reported" reason where the median's CI would have given an
#: estimate (notes/issue-05-estimated-events.md).
EVENT_ESTIMATE_REJECTED = (
    "an estimate from the width of the median's CI was tested against published counts and "
    "rejected as too inaccurate"
)


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


def curve_input_keys(registry: Registry) -> tuple[CurveKey, ...]:
    """Every curve input of the registry, in registry order (trial, arm, endpoint, population,
    analysis as listed in the trial file). See the module docstring for the definition."""
    out: list[CurveKey] = []
    for trial in registry.trials:
        found: set[CurveKey] = set()
        for curve in trial.curves:
            found.add(
                CurveKey(trial.id, curve.arm, curve.endpoint, curve.population, curve.analysis)
            )
        for row in trial.efficacy:
            if row.endpoint in ENDPOINTS and row.measure in CURVE_MEASURES:
                found.add(CurveKey(trial.id, row.arm, row.endpoint, row.population, row.analysis))
        arm_rank = {a.id: i for i, a in enumerate(trial.arms)}
        pop_rank = {p.id: i for i, p in enumerate(trial.populations)}
        an_rank = {a.id: i for i, a in enumerate(trial.analyses)}
        out.extend(
            sorted(
                found,
                key=lambda k: (
                    arm_rank[k.arm_id],
                    ENDPOINTS.index(k.endpoint),
                    pop_rank[k.population],
                    an_rank[k.analysis_id],
                ),
            )
        )
    return tuple(out)


def _landmarks(inputs: CurveInputs) -> tuple[Landmark, ...]:
    return tuple(
        Landmark(
            time_months=lm.time_months,
            survival=lm.survival_pct / 100.0,
            ci_lower=None if lm.ci_lower_pct is None else lm.ci_lower_pct / 100.0,
            ci_upper=None if lm.ci_upper_pct is None else lm.ci_upper_pct / 100.0,
        )
        for lm in inputs.landmarks
    )


def _median(inputs: CurveInputs) -> tuple[float | None, bool]:
    if inputs.median_status == "not_reached":
        return None, True
    if inputs.median_status == "reported" and inputs.median_months is not None:
        return float(inputs.median_months), False
    return None, False


def _published(inputs: CurveInputs) -> PublishedArm:
    median, not_reached = _median(inputs)
    return PublishedArm(
        n=inputs.n,
        events=inputs.events,
        median_months=median,
        median_not_reached=not_reached,
        landmarks=_landmarks(inputs),
    )


def _table_arm(inputs: CurveInputs, label: str) -> TableArm:
    censored = inputs.censored_cumulative
    median, not_reached = _median(inputs)
    return TableArm(
        time_months=inputs.at_risk_times_months,
        n_at_risk=inputs.at_risk_counts,
        censored_cumulative=censored if any(c is not None for c in censored) else None,
        total_events=inputs.events,
        median_months=median,
        median_not_reached=not_reached,
        landmarks=_landmarks(inputs),
        label=label,
    )


def _summary_gaps(inputs: CurveInputs, followup: FollowUp | None) -> list[str]:
    """What a grade-C reconstruction lacks (empty when it can be attempted)."""
    gaps: list[str] = []
    if inputs.n is None:
        gaps.append("N for this arm and population not reported")
    if inputs.events is None:
        reason = "total events not reported (a summary-only curve needs them; none invented"
        if _median_ci_has_width(inputs):
            reason += "; " + EVENT_ESTIMATE_REJECTED
        gaps.append(reason + ")")
    median, not_reached = _median(inputs)
    if median is None and not not_reached and not inputs.landmarks:
        gaps.append("neither a median nor a landmark survival rate is reported")
    if not _summary_window_known(followup):
        gaps.append(
            "follow-up window not reported (accrual period with data cut-off, or longest follow-up)"
        )
    return gaps


def _summary_window_known(followup: FollowUp | None) -> bool:
    """Grade C needs the end of potential follow-up (or a median time to cut-off)."""
    if followup is None:
        return False
    lo, hi = followup.window()
    if hi is not None:
        return True
    return lo is None and followup.median_followup_months is not None


def _median_ci_has_width(inputs: CurveInputs) -> bool:
    """Whether the input has N and a reported median whose CI has two finite positive bounds
    (lower < upper): where the rejected events-from-CI-width method would have given a number,
    so the reason can say it was tried (notes/issue-05-estimated-events.md)."""
    if inputs.n is None or inputs.n < 1 or inputs.median_status != "reported":
        return False
    if inputs.median_ci is None or inputs.median_ci_level is None:
        return False
    lower, upper = (_finite_positive(b) for b in inputs.median_ci)
    return lower is not None and upper is not None and lower < upper


def _finite_positive(bound: object) -> float | None:
    if isinstance(bound, bool) or not isinstance(bound, float | int):
        return None
    value = float(bound)
    return value if math.isfinite(value) and value > 0.0 else None


def _label(registry: Registry, key: CurveKey) -> str:
    trial = registry.trial(key.trial_id)
    return f"{trial.name} {trial.arm(key.arm_id).label} {key.endpoint} ({key.population})"


def _numeric(bound: object) -> float | None:
    return float(bound) if isinstance(bound, float | int) and not isinstance(bound, bool) else None


def _hr_check(
    key_exp: CurveKey, key_ctrl: CurveKey, exp: LibraryCurve, ctrl: LibraryCurve, row: Any
) -> HazardRatioFidelity:
    hr_pub = float(row.value)
    lo = hi = None
    if row.ci is not None:
        lo, hi = _numeric(row.ci[0]), _numeric(row.ci[1])
    level_pub = float(row.ci_level) / 100.0 if row.ci_level is not None else None
    level = level_pub if (level_pub is not None and lo is not None and hi is not None) else None
    level_rec = level if level is not None else DEFAULT_CI_LEVEL
    cox = cox_hazard_ratio(exp.sample, ctrl.sample, level_rec)
    diff = None
    overlap: bool | None = None
    passed = False
    if cox.estimable and cox.hazard_ratio is not None:
        diff = abs(math.log(cox.hazard_ratio) - math.log(hr_pub))
        if lo is not None and hi is not None:
            assert cox.ci_lower is not None and cox.ci_upper is not None
            overlap = cox.ci_lower <= hi and lo <= cox.ci_upper
        passed = diff <= LOG_HR_TOLERANCE + 1e-12 and overlap is not False
    return HazardRatioFidelity(
        trial_id=key_exp.trial_id,
        endpoint=key_exp.endpoint,
        population=key_exp.population,
        analysis_id=key_exp.analysis_id,
        arm_id=key_exp.arm_id,
        comparator_id=key_ctrl.arm_id,
        hr_published=hr_pub,
        ci_lower_published=lo,
        ci_upper_published=hi,
        ci_level_published=level_pub,
        source_ref=row.ref,
        hr_reconstructed=cox.hazard_ratio,
        ci_lower_reconstructed=cox.ci_lower,
        ci_upper_reconstructed=cox.ci_upper,
        ci_level_reconstructed=level_rec,
        abs_log_diff=diff,
        ci_overlap=overlap,
        passed=passed,
    )


def _make_curve(
    registry: Registry,
    key: CurveKey,
    inputs: CurveInputs,
    ipd: ReconstructedIPD,
    followup: FollowUp | None,
    notes: tuple[str, ...],
) -> LibraryCurve:
    time, event = ipd.arrays()
    population = registry.trial(key.trial_id).population_by_id(key.population)
    return LibraryCurve(
        key=key,
        population_key=population_key(population),
        grade=ipd.grade,
        ipd=ipd,
        sample=SurvivalSample.from_arrays(time, event, label=key.slug),
        inputs=inputs,
        followup=followup,
        followup_notes=notes,
        fidelity=arm_fidelity(
            time,
            event,
            _published(inputs),
            grade=ipd.grade,
            events_constrained=inputs.events is not None,
        ),
    )


def build_curve_library(registry: Registry) -> CurveLibrary:
    """Reconstruct every curve input of ``registry`` (see the module docstring).

    Deterministic; takes a fraction of a second for the shipped data (benchmark in
    ``benchmarks/bench_survival_view.py``). Call it once per process (``shared_curve_library``).
    """
    keys = curve_input_keys(registry)
    inputs = {
        k: registry.curve_inputs(k.trial_id, k.arm_id, k.endpoint, k.population, k.analysis_id)
        for k in keys
    }
    built: dict[CurveKey, LibraryCurve] = {}
    reasons: dict[CurveKey, str] = {}
    followups: dict[tuple[str, str], tuple[FollowUp | None, tuple[str, ...]]] = {}

    def followup(key: CurveKey) -> tuple[FollowUp | None, tuple[str, ...]]:
        group = (key.trial_id, key.analysis_id)
        if group not in followups:
            followups[group] = followup_for(registry, key.trial_id, key.analysis_id)
        return followups[group]

    # Grade A where this project digitised the published curve (analysis.digitised_curves).
    grade_a, grade_a_failures = grade_a_reconstructions(registry, keys, inputs)
    for k, ipd in grade_a.items():
        fu, notes = followup(k)
        built[k] = _make_curve(registry, k, inputs[k], ipd, fu, notes)
    # Grade B: arms sharing a trial, endpoint, population and analysis are fitted together.
    groups: dict[tuple[str, str, str, str], list[CurveKey]] = {}
    for k in keys:
        if inputs[k].at_risk_counts and k not in built:
            groups.setdefault((k.trial_id, k.endpoint, k.population, k.analysis_id), []).append(k)
    for members in groups.values():
        fu, notes = followup(members[0])
        labels = [_label(registry, k) for k in members]
        try:
            ipds = reconstruct_arms_from_tables(
                [_table_arm(inputs[k], lab) for k, lab in zip(members, labels, strict=True)],
                followup=fu,
                sources=labels,
            )
        except ReconstructionInputError as exc:
            for k in members:
                reasons[k] = f"reconstruction from the numbers-at-risk table failed: {exc}"
            continue
        for k, ipd in zip(members, ipds, strict=True):
            extra = (grade_a_failures[k],) if k in grade_a_failures else ()
            built[k] = _make_curve(registry, k, inputs[k], ipd, fu, (*notes, *extra))

    # Grade C: summary numbers only, one arm at a time.
    for k in keys:
        if k in built or k in reasons:
            continue
        fu, notes = followup(k)
        gaps = _summary_gaps(inputs[k], fu)
        if gaps:
            reasons[k] = "; ".join(gaps)
            continue
        n_arm = inputs[k].n
        # _summary_gaps guarantees both; the asserts narrow the types.
        assert fu is not None and n_arm is not None
        median, not_reached = _median(inputs[k])
        arm = SummaryArm(
            n=n_arm,
            total_events=inputs[k].events,
            median_months=median,
            median_not_reached=not_reached,
            landmarks=_landmarks(inputs[k]),
            label=_label(registry, k),
        )
        try:
            ipd = reconstruct_from_summary(arm, followup=fu, source=_label(registry, k))
        except ReconstructionInputError as exc:
            reasons[k] = f"summary reconstruction failed: {exc}"
            continue
        built[k] = _make_curve(registry, k, inputs[k], ipd, fu, notes)

    # Published within-trial HRs whose two arms were both reconstructed.
    checks: list[HazardRatioFidelity] = []
    for trial in registry.trials:
        for row in trial.efficacy:
            if not (
                row.measure == "hr"
                and row.endpoint in ENDPOINTS
                and row.status == "reported"
                and row.value is not None
                and row.comparator is not None
            ):
                continue
            k_exp = CurveKey(trial.id, row.arm, row.endpoint, row.population, row.analysis)
            k_ctrl = CurveKey(trial.id, row.comparator, row.endpoint, row.population, row.analysis)
            if k_exp in built and k_ctrl in built:
                checks.append(_hr_check(k_exp, k_ctrl, built[k_exp], built[k_ctrl], row))

    curves = [built[k] for k in keys if k in built]
    missing = [
        NotReconstructable(
            key=k,
            population_key=population_key(
                registry.trial(k.trial_id).population_by_id(k.population)
            ),
            reason=reasons[k],
        )
        for k in keys
        if k in reasons
    ]
    return CurveLibrary.create(registry.data_version, keys, curves, missing, checks)


_SHARED_LOCK = threading.Lock()
_SHARED: dict[tuple[str, str], CurveLibrary] = {}
#: Libraries kept per process (one per data version and root; tests load a few roots).
_SHARED_MAX = 4


def shared_curve_library(registry: Registry) -> CurveLibrary:
    """The process-wide library for ``registry``, built on first use and then reused.

    Keyed by (data_version, root). With gunicorn's ``preload_app`` the app builds it in the
    master at start-up and the forked workers share it. Thread-safe (built once under a lock).
    """
    key = (registry.data_version, str(registry.root))
    found = _SHARED.get(key)
    if found is not None:
        return found
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is None:
            found = build_curve_library(registry)
            while len(_SHARED) >= _SHARED_MAX:
                _SHARED.pop(next(iter(_SHARED)))
            _SHARED[key] = found
    return found


# --------------------------------------------------------------------------------------------
# Tables and CLI
# --------------------------------------------------------------------------------------------


def ipd_csv(ipd: ReconstructedIPD) -> str:
    """IPD as CSV text: header ``time_months,event``, one row per patient, fixed decimals."""
    lines = ["time_months,event"]
    lines.extend(
        f"{t:.{TIME_DECIMALS}f},{e}" for t, e in zip(ipd.time_months, ipd.event, strict=True)
    )
    return "\n".join(lines) + "\n"


def table_csv(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> str:
    """Plain CSV text (no BOM, ``\\n`` line ends) of ``rows`` in ``columns`` order."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return buffer.getvalue()


def write_library(library: CurveLibrary, out: Path) -> list[Path]:
    """Write the IPD files, ``fidelity.csv`` and ``not_reconstructable.csv`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for curve in library.curves:
        path = out / f"{curve.key.slug}.csv"
        path.write_text(ipd_csv(curve.ipd), encoding="utf-8", newline="")
        written.append(path)
    fidelity = out / "fidelity.csv"
    fidelity.write_text(
        table_csv(library.fidelity_rows(), FIDELITY_COLUMNS), encoding="utf-8", newline=""
    )
    missing = out / "not_reconstructable.csv"
    missing.write_text(
        table_csv(library.not_reconstructable_rows(), NOT_RECONSTRUCTABLE_COLUMNS),
        encoding="utf-8",
        newline="",
    )
    return [*written, fidelity, missing]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; exit 0 on success, 2 on bad data or usage (message on stderr)."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis.curve_library",
        description="Reconstruct every shipped survival curve; write the IPD and fidelity table.",
    )
    parser.add_argument("--out", type=Path, default=None, help="output directory")
    parser.add_argument(
        "--data-root", type=Path, default=None, help="data root (default: the shipped data/)"
    )
    args = parser.parse_args(argv)
    if args.out is None:
        parser.error("--out is required")
    from data import DataValidationError, load_registry  # noqa: PLC0415 - CLI only

    try:
        registry = load_registry(args.data_root)
    except (DataValidationError, OSError) as exc:
        sys.stderr.write(f"error: the evidence base could not be loaded: {exc}\n")
        return 2
    library = build_curve_library(registry)
    try:
        write_library(library, args.out)
    except OSError as exc:
        sys.stderr.write(f"error: {args.out}: {exc.strerror or exc}\n")
        return 2
    failed = sum(1 for c in library.curves if not library.passed(c.key))
    sys.stdout.write(
        f"{len(library.curves)} curves reconstructed ({failed} with a failing DATA-03 check), "
        f"{len(library.not_reconstructable)} inputs not reconstructable; "
        f"data version {library.data_version}; written to {args.out}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
