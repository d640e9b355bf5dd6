"""Survival view: Kaplan–Meier curves reconstructed from the publications, across trials.

What the view does (issue 5):

* the user picks an endpoint (OS/PFS), arms from any trial (grouped by regimen class, with
  presets defined from the registry's regimen classes, roles and seed flags), a population (ITT
  or one PD-L1 subgroup keyed by scoring system and cut-off, e.g. ``CPS>=10``), a reference arm,
  a landmark time and an RMST horizon τ, and which layers to draw;
* each chosen arm is drawn from the shipped curve library (:mod:`analysis.curve_library`,
  built once per process): grade-B curves from published numbers-at-risk tables, grade-C curves
  from summary numbers. An arm without a reconstructable curve for that endpoint and population
  is listed as "not reported" with the reason — never dropped, never replaced by ITT;
* a results table: per arm N, events, median, S(landmark), RMST(τ) with 95 % CIs; per arm vs the
  reference Cox HR, log-rank p and ΔRMST. Rows comparing arms of different trials carry
  :data:`components.provenance.CROSS_TRIAL_LABEL`; within-trial rows show the published HR (with
  its CI level and source) beside the reconstructed one;
* a fidelity badge per curve (grade, coloured by whether the DATA-03 checks pass) opening the
  published-vs-reconstructed check.

Statistics go through one :class:`analysis.survival.SurvivalMemo` per app (created in
:func:`register_callbacks`): results are cached by curve content and parameters, never refit.

URL state (sorted keys, only non-defaults): ``arms=<trial:arm>,…`` (``-`` = none), ``ep=PFS``,
``pop=<key>``, ``ref=<trial:arm>``, ``lm=<months>``, ``tau=<months>``, ``ci=1``, ``censor=0``,
``median=1``, ``risk=0``. :func:`figure_for` rebuilds the figure from the same query.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import dash_mantine_components as dmc
import plotly.graph_objects as go
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from analysis.curve_library import (
    ITT_KEY,
    CurveLibrary,
    HazardRatioFidelity,
    LibraryCurve,
    population_key,
    shared_curve_library,
)
from analysis.survival import ArmComparison, ArmSummary, SurvivalMemo
from components import ids, provenance
from components.charts.km import (
    KMCurve,
    KMOptions,
    build_km_figure,
    default_ticks,
    km_figure_dict,
)
from components.charts.theme import escape_plotly_text
from components.export.bundle import ExportBundle, bundle_rows
from components.export.footnote import Footnote, SourceRef, wrap_lines
from components.export.tables import IpdArm
from components.export_menu import export_controls
from components.graph import graph
from components.pdl1 import key_sort, key_text

ENDPOINTS: tuple[str, ...] = ("OS", "PFS")
ENDPOINT_LABELS = {"OS": "Overall survival", "PFS": "Progression-free survival"}
MAX_ARMS = 12
CI_LEVEL = 0.95
LANDMARK_RANGE_MONTHS = (1.0, 60.0)
TAU_RANGE_MONTHS = (3.0, 60.0)
DEFAULT_LANDMARK_MONTHS = 12.0
DEFAULT_TAU_MONTHS = 18.0
NO_ARMS = "-"
CHECK_COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "none": "#57606a"}
# Regimen classes in the order clinicians think about them (chemo-free first).
CLASS_ORDER = (
    "ICI+TKI (chemo-free)",
    "dual ICI (chemo-free)",
    "ICI+TKI+chemo",
    "ICI+chemo",
    "TKI+chemo",
    "chemo",
    "placebo+chemo",
)
CHEMO_CONTROL_CLASSES = frozenset({"chemo", "placebo+chemo"})
PRESETS: dict[str, tuple[str, str]] = {
    "seeds-vs-pd1": (
        "Seed studies vs PD-1 + chemo",
        "The seed studies and every experimental ICI + chemotherapy arm of the phase 3 trials "
        "(PD-1 or PD-L1 antibodies; SKYSCRAPER-08 adds anti-TIGIT).",
    ),
    "chemo-free": (
        "Chemo-free regimens",
        "Every chemo-free arm (regimen class) with the control arms of the same trials.",
    ),
    "chemo-controls": (
        "Chemotherapy control arms",
        "Every control arm given chemotherapy with or without placebo.",
    ),
}
_NUMBER_RE = re.compile(r"^\d{1,3}(?:\.\d{1,2})?$")
_MAX_TEXT = 40
RECONSTRUCTION_CAVEAT = (
    "Curves are reconstructed pseudo-patient data, not the trials' patient data: grade A from the "
    "published curve as digitised by this project with the published numbers at risk and events; "
    "grade B from the published numbers-at-risk table with events, medians and landmarks; grade C "
    "from summary numbers only (shape between published anchors assumed)."
)
PDL1_CAVEAT = (
    "PD-L1 subgroups are defined by scoring system and cut-off; assays and scoring differ "
    "between trials."
)
CSV_COLUMNS: tuple[str, ...] = (
    "row_type",
    "trial",
    "arm",
    "reference",
    "comparison",
    "endpoint",
    "population",
    "analysis",
    "data_cutoff",
    "grade",
    "fidelity",
    "n",
    "events",
    "median_months",
    "median_ci_lower_months",
    "median_ci_upper_months",
    "median_status",
    "landmark_months",
    "landmark_survival_percent",
    "landmark_ci_lower_percent",
    "landmark_ci_upper_percent",
    "tau_months",
    "rmst_months",
    "rmst_ci_lower_months",
    "rmst_ci_upper_months",
    "hazard_ratio",
    "hr_ci_lower",
    "hr_ci_upper",
    "logrank_p",
    "rmst_difference_months",
    "rmst_difference_ci_lower_months",
    "rmst_difference_ci_upper_months",
    "published_hr",
    "published_hr_ci",
    "published_hr_source",
    "ci_level_percent",
)


# --------------------------------------------------------------------------------------------
# Allow-lists and state
# --------------------------------------------------------------------------------------------


def arm_token(trial_id: str, arm_id: str) -> str:
    return f"{trial_id}:{arm_id}"


def _arm_tokens(registry: Any) -> tuple[str, ...]:
    return tuple(arm_token(t.id, a.id) for t in registry.trials for a in t.arms)


def _arm_of(registry: Any, token: str) -> tuple[Any, Any]:
    trial_id, arm_id = token.split(":", 1)
    trial = registry.trial(trial_id)
    return trial, trial.arm(arm_id)


def population_label(key: str) -> str:
    """``ITT`` or ``PD-L1 CPS ≥10`` / ``PD-L1 TAP ≥5 to <10``."""
    if key == ITT_KEY:
        return "ITT (intention to treat)"
    text = key_text(key)
    return f"PD-L1 {text}" if text else key


def population_keys(registry: Any) -> tuple[str, ...]:
    """``ITT`` then every PD-L1 key in the registry (scoring systems never merged)."""
    keys = {p.pdl1_key for t in registry.trials for p in t.populations if p.pdl1_key is not None}
    return (ITT_KEY, *sorted(keys, key=key_sort))


def preset_arms(registry: Any, preset: str) -> tuple[str, ...]:
    """Arms of a preset, from regimen class, role, seed flag and phase (module docstring)."""
    out: list[str] = []
    for trial in registry.trials:
        chemo_free_trial = any("chemo-free" in a.regimen_class for a in trial.arms)
        for arm in trial.arms:
            if preset == "seeds-vs-pd1":
                keep = trial.focus or (
                    trial.phase == "3"
                    and arm.regimen_class == "ICI+chemo"
                    and arm.role != "control"
                )
            elif preset == "chemo-free":
                keep = "chemo-free" in arm.regimen_class or (
                    chemo_free_trial and arm.role == "control"
                )
            elif preset == "chemo-controls":
                keep = arm.role == "control" and arm.regimen_class in CHEMO_CONTROL_CLASSES
            else:
                keep = False
            if keep:
                out.append(arm_token(trial.id, arm.id))
    return tuple(out[:MAX_ARMS])


@dataclass(frozen=True)
class SurvivalState:
    """Validated view state; every field is inside its allow-list."""

    endpoint: str
    arms: tuple[str, ...]
    population: str
    reference: str | None
    landmark_months: float
    tau_months: float
    show_ci: bool = False
    show_censor: bool = True
    show_median: bool = False
    show_at_risk: bool = True


def default_state(registry: Any) -> SurvivalState:
    return SurvivalState(
        endpoint="OS",
        arms=preset_arms(registry, "seeds-vs-pd1"),
        population=ITT_KEY,
        reference=None,
        landmark_months=DEFAULT_LANDMARK_MONTHS,
        tau_months=DEFAULT_TAU_MONTHS,
    )


def _short(value: object) -> str:
    text = value if isinstance(value, str) else type(value).__name__
    return text[:_MAX_TEXT] + ("…" if len(text) > _MAX_TEXT else "")


def _canonical_arms(registry: Any, tokens: Sequence[str]) -> tuple[str, ...]:
    chosen = set(tokens)
    return tuple(t for t in _arm_tokens(registry) if t in chosen)


def _number(value: object, bounds: tuple[float, float]) -> float | None:
    """A finite number inside ``bounds`` (rounded to 0.1), else None. Strings are not numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    x = float(value)
    if not math.isfinite(x) or not bounds[0] <= x <= bounds[1]:
        return None
    return round(x, 1)


def state_from_query(registry: Any, query: Mapping[str, str]) -> tuple[SurvivalState, list[str]]:
    """State from a URL query; values outside the allow-lists are reset (and named)."""
    state = default_state(registry)
    problems: list[str] = []
    tokens = set(_arm_tokens(registry))
    values: dict[str, Any] = {}

    endpoint = query.get("ep")
    if endpoint is not None:
        if endpoint in ENDPOINTS:
            values["endpoint"] = endpoint
        else:
            problems.append(f"endpoint {_short(endpoint)}")
    arms = query.get("arms")
    if isinstance(arms, str):
        if arms == NO_ARMS:
            values["arms"] = ()
        else:
            items = [a for a in arms.split(",") if a]
            good = [a for a in items if a in tokens]
            bad = [a for a in items if a not in tokens]
            if bad:
                problems.append("arms " + ", ".join(_short(b) for b in bad[:3]))
            canonical = _canonical_arms(registry, good)
            if len(canonical) > MAX_ARMS:
                problems.append(f"more than {MAX_ARMS} arms (the first {MAX_ARMS} were kept)")
                canonical = canonical[:MAX_ARMS]
            if canonical or not bad:
                values["arms"] = canonical  # nothing recognised: keep the default arms
    elif arms is not None:
        problems.append("arms")
    pop = query.get("pop")
    if pop is not None:
        if pop in population_keys(registry):
            values["population"] = pop
        else:
            problems.append(f"population {_short(pop)}")
    ref = query.get("ref")
    if ref is not None:
        if ref in tokens:
            values["reference"] = ref
        else:
            problems.append(f"reference arm {_short(ref)}")
    for key, field, bounds in (
        ("lm", "landmark_months", LANDMARK_RANGE_MONTHS),
        ("tau", "tau_months", TAU_RANGE_MONTHS),
    ):
        raw = query.get(key)
        if raw is None:
            continue
        number = float(raw) if isinstance(raw, str) and _NUMBER_RE.match(raw) else None
        checked = _number(number, bounds) if number is not None else None
        if checked is None:
            problems.append(
                f"{'landmark' if key == 'lm' else 'RMST horizon'} {_short(raw)} "
                f"(allowed {bounds[0]:g}–{bounds[1]:g} months)"
            )
        else:
            values[field] = checked
    for key, field in (
        ("ci", "show_ci"),
        ("censor", "show_censor"),
        ("median", "show_median"),
        ("risk", "show_at_risk"),
    ):
        raw = query.get(key)
        if raw is None:
            continue
        if raw in ("0", "1"):
            values[field] = raw == "1"
        else:
            problems.append(f"{key} {_short(raw)}")
    return _replace(state, values), problems


def _replace(state: SurvivalState, values: Mapping[str, Any]) -> SurvivalState:
    merged = {f: getattr(state, f) for f in SurvivalState.__dataclass_fields__}
    merged.update(values)
    return SurvivalState(**merged)


def state_from_inputs(
    registry: Any,
    endpoint: object,
    arms: object,
    population: object,
    reference: object,
    landmark: object,
    tau: object,
    show_ci: object,
    show_censor: object,
    show_median: object,
    show_at_risk: object,
) -> tuple[SurvivalState | None, list[str]]:
    """State from callback inputs, or (None, problems) when any value is outside its list."""
    problems: list[str] = []
    tokens = set(_arm_tokens(registry))
    if endpoint not in ENDPOINTS:
        problems.append("unknown endpoint")
    if arms is None:
        arm_list: list[str] = []
    elif isinstance(arms, list) and all(isinstance(a, str) and a in tokens for a in arms):
        arm_list = list(arms)
    else:
        arm_list = []
        problems.append("unknown arm")
    if len(set(arm_list)) > MAX_ARMS:
        problems.append(f"more than {MAX_ARMS} arms")
    if not (isinstance(population, str) and population in population_keys(registry)):
        problems.append("unknown population")
    if reference is not None and not (isinstance(reference, str) and reference in tokens):
        problems.append("unknown reference arm")
    lm = _number(landmark, LANDMARK_RANGE_MONTHS)
    if lm is None:
        problems.append(
            f"landmark time must be {LANDMARK_RANGE_MONTHS[0]:g}–{LANDMARK_RANGE_MONTHS[1]:g} "
            "months"
        )
    tau_value = _number(tau, TAU_RANGE_MONTHS)
    if tau_value is None:
        problems.append(
            f"RMST horizon must be {TAU_RANGE_MONTHS[0]:g}–{TAU_RANGE_MONTHS[1]:g} months"
        )
    flags = (show_ci, show_censor, show_median, show_at_risk)
    if not all(isinstance(f, bool) for f in flags):
        problems.append("display switches must be on or off")
    if problems or lm is None or tau_value is None:
        return None, problems
    return (
        SurvivalState(
            endpoint=str(endpoint),
            arms=_canonical_arms(registry, arm_list),
            population=str(population),
            reference=reference if isinstance(reference, str) else None,
            landmark_months=lm,
            tau_months=tau_value,
            show_ci=bool(show_ci),
            show_censor=bool(show_censor),
            show_median=bool(show_median),
            show_at_risk=bool(show_at_risk),
        ),
        [],
    )


def state_to_search(state: SurvivalState, registry: Any) -> str:
    """The URL query for ``state`` (sorted keys, defaults omitted)."""
    default = default_state(registry)
    params: dict[str, str] = {}
    if state.arms != default.arms:
        params["arms"] = ",".join(state.arms) if state.arms else NO_ARMS
    if state.endpoint != default.endpoint:
        params["ep"] = state.endpoint
    if state.population != default.population:
        params["pop"] = state.population
    if state.reference is not None:
        params["ref"] = state.reference
    if state.landmark_months != default.landmark_months:
        params["lm"] = f"{state.landmark_months:g}"
    if state.tau_months != default.tau_months:
        params["tau"] = f"{state.tau_months:g}"
    for key, field in (
        ("ci", "show_ci"),
        ("censor", "show_censor"),
        ("median", "show_median"),
        ("risk", "show_at_risk"),
    ):
        value = getattr(state, field)
        if value != getattr(default, field):
            params[key] = "1" if value else "0"
    return "?" + urlencode(sorted(params.items()), safe=":,") if params else ""


# --------------------------------------------------------------------------------------------
# Computation (the only place statistics are requested)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownCurve:
    token: str
    trial: Any
    arm: Any
    curve: LibraryCurve
    label: str
    colour: str
    dash: str
    summary: ArmSummary
    passed: bool | None


@dataclass(frozen=True)
class MissingArm:
    token: str
    label: str
    reason: str


@dataclass(frozen=True)
class PublishedHR:
    """A published HR for the same pair, oriented as "arm vs reference"."""

    hazard_ratio: float
    ci_lower: float | None
    ci_upper: float | None
    ci_level: float | None  # fraction
    source: str
    inverted: bool


@dataclass(frozen=True)
class ComparisonRow:
    arm: ShownCurve
    reference: ShownCurve
    cross_trial: bool
    result: ArmComparison
    published: PublishedHR | None


@dataclass(frozen=True)
class SurvivalView:
    state: SurvivalState
    curves: tuple[ShownCurve, ...]
    missing: tuple[MissingArm, ...]
    reference: ShownCurve | None
    reference_note: str | None
    comparisons: tuple[ComparisonRow, ...]
    ticks_months: tuple[float, ...]
    x_max_months: float
    tau_months: float | None
    tau_clamped: bool
    cross_trial: bool


def curve_library(registry: Any) -> CurveLibrary:
    """The process-wide curve library (built once per data version; shared with exports)."""
    return shared_curve_library(registry)


def _choose_curves(
    library: CurveLibrary, registry: Any, state: SurvivalState
) -> tuple[dict[str, LibraryCurve], dict[str, str]]:
    """One curve per chosen arm; within a trial all arms come from the same analysis (the one
    covering most chosen arms, then the best grade, then the first listed)."""
    found: dict[str, LibraryCurve] = {}
    reasons: dict[str, str] = {}
    by_trial: dict[str, list[str]] = {}
    for token in state.arms:
        by_trial.setdefault(token.split(":", 1)[0], []).append(token)
    for trial_id, tokens in by_trial.items():
        trial = registry.trial(trial_id)
        options: dict[str, dict[str, LibraryCurve]] = {}
        for token in tokens:
            arm_id = token.split(":", 1)[1]
            for curve in library.curves_for(trial_id, arm_id, state.endpoint, state.population):
                options.setdefault(curve.key.analysis_id, {})[token] = curve
        order = {a.id: i for i, a in enumerate(trial.analyses)}
        best = min(
            options,
            key=lambda an: (
                -len(options[an]),
                max(c.grade for c in options[an].values()),
                order.get(an, 99),
            ),
            default=None,
        )
        chosen = options.get(best, {}) if best is not None else {}
        for token in tokens:
            if token in chosen:
                found[token] = chosen[token]
            else:
                reasons[token] = _missing_reason(library, registry, token, state, best)
    return found, reasons


def _missing_reason(
    library: CurveLibrary, registry: Any, token: str, state: SurvivalState, analysis: str | None
) -> str:
    trial, arm = _arm_of(registry, token)
    pop_text = population_label(state.population)
    listed = library.reasons_for(trial.id, arm.id, state.endpoint, state.population)
    if listed:
        parts = []
        for item in listed:
            an = trial.analysis(item.key.analysis_id).label
            parts.append(f"{an}: {item.reason}")
        return "not reconstructable — " + "; ".join(parts)
    if library.curves_for(trial.id, arm.id, state.endpoint, state.population):
        label = trial.analysis(analysis).label if analysis else "another analysis"
        return (
            f"its curve comes from another analysis than the one shown for {trial.name} "
            f"({label}); choose this arm alone to see it"
        )
    has_population = any(population_key(p) == state.population for p in trial.populations)
    if not has_population:
        return f"not reported: {trial.name} reports no {pop_text} subgroup"
    return f"not reported: the sources give no {state.endpoint} result for this arm in {pop_text}"


def _published_hr(
    library: CurveLibrary, arm: ShownCurve, reference: ShownCurve
) -> PublishedHR | None:
    for check in library.hazard_ratio_checks:
        if not (
            check.trial_id == arm.curve.key.trial_id
            and check.endpoint == arm.curve.key.endpoint
            and check.population == arm.curve.key.population
            and check.analysis_id == arm.curve.key.analysis_id
        ):
            continue
        pair = (check.arm_id, check.comparator_id)
        source = _source_text(arm.trial, check.source_ref)
        if pair == (arm.arm.id, reference.arm.id):
            return PublishedHR(
                check.hr_published,
                check.ci_lower_published,
                check.ci_upper_published,
                check.ci_level_published,
                source,
                inverted=False,
            )
        if pair == (reference.arm.id, arm.arm.id):
            lo, hi = check.ci_lower_published, check.ci_upper_published
            return PublishedHR(
                1.0 / check.hr_published,
                None if hi is None else 1.0 / hi,
                None if lo is None else 1.0 / lo,
                check.ci_level_published,
                source,
                inverted=True,
            )
    return None


def _source_text(trial: Any, ref: str | None) -> str:
    if ref is None:
        return trial.name
    return SourceRef.from_publication(trial.publication(ref)).short


def _ticks(curves: Sequence[LibraryCurve]) -> tuple[tuple[float, ...], float]:
    """Display ticks and x range. One trial's grade-A/B curves use its published at-risk times
    (so the numbers shown equal the paper's table), extended by the same step to the end of
    follow-up; otherwise a regular 3- or 6-month grid."""
    if not curves:
        return default_ticks(24.0, 3.0), 24.0
    x_end = max(
        max(
            float(c.sample.times_months[-1]),
            c.inputs.at_risk_times_months[-1] if c.inputs.at_risk_times_months else 0.0,
        )
        for c in curves
    )
    trials = {c.key.trial_id for c in curves}
    if len(trials) == 1 and all(
        c.grade in ("A", "B") and c.inputs.at_risk_times_months for c in curves
    ):
        times = sorted({t for c in curves for t in c.inputs.at_risk_times_months})
        step = times[-1] - times[-2] if len(times) > 1 else 3.0
        while times[-1] + step <= x_end + 1e-9:
            times.append(times[-1] + step)
        x_max = max(times[-1], x_end)
        return tuple(float(t) for t in times), x_max
    step = 3.0 if x_end <= 36.0 else 6.0
    x_max = math.ceil(x_end / step) * step
    return default_ticks(x_max, step), x_max


def compute_view(registry: Any, state: SurvivalState, memo: SurvivalMemo) -> SurvivalView:
    """Every number the view shows, from a validated state (statistics through ``memo``)."""
    library = curve_library(registry)
    colours = provenance.arm_colours(registry)
    found, reasons = _choose_curves(library, registry, state)
    ticks, x_max = _ticks(list(found.values()))
    chosen = [found[t] for t in state.arms if t in found]
    tau: float | None = None
    tau_clamped = False
    if chosen:
        common = min(float(c.sample.times_months[-1]) for c in chosen)
        tau = min(state.tau_months, common)
        tau_clamped = tau < state.tau_months
    shown: list[ShownCurve] = []
    missing: list[MissingArm] = []
    for token in state.arms:
        trial, arm = _arm_of(registry, token)
        label = f"{trial.name}: {arm.label}"
        if token not in found:
            missing.append(MissingArm(token, label, reasons[token]))
            continue
        curve = found[token]
        colour, dash = colours[(trial.id, arm.id)]
        summary = memo.summarise_arm(
            curve.sample,
            ci_level=CI_LEVEL,
            landmark_months=state.landmark_months,
            tau_months=tau,
            ticks_months=ticks,
        )
        shown.append(
            ShownCurve(
                token=token,
                trial=trial,
                arm=arm,
                curve=curve,
                label=label,
                colour=colour,
                dash=dash,
                summary=summary,
                passed=library.passed(curve.key),
            )
        )
    reference, note = _reference(shown, state)
    comparisons: list[ComparisonRow] = []
    if reference is not None:
        for item in shown:
            if item is reference:
                continue
            result = memo.compare_arms(
                item.curve.sample, reference.curve.sample, ci_level=CI_LEVEL, tau_months=tau
            )
            cross = item.trial.id != reference.trial.id
            comparisons.append(
                ComparisonRow(
                    arm=item,
                    reference=reference,
                    cross_trial=cross,
                    result=result,
                    published=None if cross else _published_hr(library, item, reference),
                )
            )
    return SurvivalView(
        state=state,
        curves=tuple(shown),
        missing=tuple(missing),
        reference=reference,
        reference_note=note,
        comparisons=tuple(comparisons),
        ticks_months=ticks,
        x_max_months=x_max,
        tau_months=tau,
        tau_clamped=tau_clamped,
        cross_trial=len({c.trial.id for c in shown}) > 1,
    )


def _reference(
    shown: Sequence[ShownCurve], state: SurvivalState
) -> tuple[ShownCurve | None, str | None]:
    if not shown:
        return None, None
    if state.reference is not None:
        for item in shown:
            if item.token == state.reference:
                return item, None
    default = next((s for s in shown if s.arm.role == "control"), shown[0])
    if state.reference is not None:
        return default, (
            "The chosen reference arm has no curve in this view; "
            f"comparisons use {default.label} instead."
        )
    return default, None


# --------------------------------------------------------------------------------------------
# Figure, footnote, CSV, IPD (also used by the export code)
# --------------------------------------------------------------------------------------------


def _title(state: SurvivalState) -> str:
    return f"{ENDPOINT_LABELS[state.endpoint]} — {population_label(state.population)}"


def _caveats(view: SurvivalView) -> list[str]:
    notes: list[str] = []
    if view.curves:
        notes.append(RECONSTRUCTION_CAVEAT)
    if view.state.population != ITT_KEY:
        notes.append(PDL1_CAVEAT)
    for item in view.curves:
        pop = item.trial.population_by_id(item.curve.key.population)
        if pop.histology != "ESCC":
            notes.append(
                f"{item.trial.name}: {pop.label} includes {pop.histology} (not ESCC only)."
            )
    failing = [c.label for c in view.curves if c.passed is False]
    if failing:
        notes.append("Fidelity check not passed (see the badge): " + "; ".join(failing) + ".")
    return list(dict.fromkeys(notes))


def footnote_of(registry: Any, view: SurvivalView) -> Footnote:
    refs = [(item.trial, ref) for item in view.curves for ref in item.curve.inputs.source_refs]
    return provenance.footnote_for(
        refs,
        data_version=registry.data_version,
        grades=[(item.label, item.curve.grade) for item in view.curves],
        cross_trial=view.cross_trial,
        caveats=_caveats(view),
    )


def _footnote_text(footnote: Footnote) -> str:
    return "<br>".join(escape_plotly_text(line) for line in wrap_lines(footnote.lines(), 160))


def build_figure(registry: Any, view: SurvivalView, footnote: Footnote | None) -> go.Figure:
    """The KM figure of ``view`` as a validated plotly Figure (export path)."""
    return build_km_figure(*_km_inputs(view, footnote))


def _km_inputs(view: SurvivalView, footnote: Footnote | None) -> tuple[list[KMCurve], KMOptions]:
    state = view.state
    curves = [
        KMCurve(
            key=item.token,
            label=item.label,
            table_label=f"{item.trial.name}: {item.arm.label}",
            colour=item.colour,
            dash=item.dash,
            km=item.summary.km,
            at_risk=item.summary.at_risk,
            median=item.summary.median,
            grade=item.curve.grade,
        )
        for item in view.curves
    ]
    empty = None
    if not curves:
        empty = (
            "No reconstructable curve for this selection — see the list of arms not reported."
            if state.arms
            else "Choose arms to draw."
        )
    options = KMOptions(
        endpoint_label=ENDPOINT_LABELS[state.endpoint],
        show_ci=state.show_ci,
        show_censor_marks=state.show_censor,
        show_median_lines=state.show_median,
        show_at_risk=state.show_at_risk,
        x_max_months=view.x_max_months,
        tick_values_months=view.ticks_months,
        title=_title(state),
        footnote=_footnote_text(footnote) if footnote is not None else None,
        empty_message=empty,
    )
    return curves, options


def _csv_number(value: float | None, digits: int = 4) -> object:
    return "" if value is None else round(value, digits)


def csv_rows(view: SurvivalView) -> list[dict[str, object]]:
    """The numbers behind the chart (columns :data:`CSV_COLUMNS`); missing arms included."""
    state = view.state
    rows: list[dict[str, object]] = []
    for item in view.curves:
        s = item.summary
        lm = s.landmark
        rm = s.rmst
        trial = item.trial
        analysis = trial.analysis(item.curve.key.analysis_id)
        rows.append(
            {
                "row_type": "arm",
                "trial": trial.name,
                "arm": item.arm.label,
                "endpoint": state.endpoint,
                "population": population_label(state.population),
                "analysis": analysis.label,
                "data_cutoff": analysis.data_cutoff.date or "not reported",
                "grade": item.curve.grade,
                "fidelity": "passed" if item.passed else "not passed",
                "n": s.n_patients,
                "events": s.n_events,
                "median_months": _csv_number(s.median.median_months, 2),
                "median_ci_lower_months": _csv_number(s.median.ci_lower_months, 2),
                "median_ci_upper_months": _csv_number(s.median.ci_upper_months, 2),
                "median_status": "reached" if s.median.median_months is not None else "not reached",
                "landmark_months": state.landmark_months,
                "landmark_survival_percent": ""
                if lm is None or lm.survival is None
                else round(100 * lm.survival, 2),
                "landmark_ci_lower_percent": ""
                if lm is None or lm.ci_lower is None or lm.survival is None
                else round(100 * lm.ci_lower, 2),
                "landmark_ci_upper_percent": ""
                if lm is None or lm.ci_upper is None or lm.survival is None
                else round(100 * lm.ci_upper, 2),
                "tau_months": _csv_number(view.tau_months, 2),
                "rmst_months": "" if rm is None else round(rm.rmst_months, 3),
                "rmst_ci_lower_months": "" if rm is None else round(rm.ci_lower_months, 3),
                "rmst_ci_upper_months": "" if rm is None else round(rm.ci_upper_months, 3),
                "ci_level_percent": round(100 * CI_LEVEL),
            }
        )
    for row in view.comparisons:
        cox = row.result.cox
        drm = row.result.rmst_difference
        pub = row.published
        rows.append(
            {
                "row_type": "comparison",
                "trial": row.arm.trial.name,
                "arm": row.arm.arm.label,
                "reference": row.reference.label,
                "comparison": provenance.CROSS_TRIAL_LABEL
                if row.cross_trial
                else "within-trial (randomised)",
                "endpoint": state.endpoint,
                "population": population_label(state.population),
                "hazard_ratio": _csv_number(cox.hazard_ratio),
                "hr_ci_lower": _csv_number(cox.ci_lower),
                "hr_ci_upper": _csv_number(cox.ci_upper),
                "logrank_p": _csv_number(row.result.log_rank.p_value, 6),
                "tau_months": _csv_number(view.tau_months, 2),
                "rmst_difference_months": "" if drm is None else round(drm.difference_months, 3),
                "rmst_difference_ci_lower_months": ""
                if drm is None
                else round(drm.ci_lower_months, 3),
                "rmst_difference_ci_upper_months": ""
                if drm is None
                else round(drm.ci_upper_months, 3),
                "published_hr": "" if pub is None else round(pub.hazard_ratio, 4),
                "published_hr_ci": "" if pub is None else _published_ci_text(pub),
                "published_hr_source": "" if pub is None else pub.source,
                "ci_level_percent": round(100 * CI_LEVEL),
            }
        )
    for miss in view.missing:
        rows.append(
            {
                "row_type": "not shown",
                "trial": miss.label.split(": ", 1)[0],
                "arm": miss.label.split(": ", 1)[-1],
                "endpoint": state.endpoint,
                "population": population_label(state.population),
                "fidelity": miss.reason,
            }
        )
    return rows


def ipd_arms(view: SurvivalView) -> tuple[IpdArm, ...]:
    """The reconstructed patient data drawn on the chart, one entry per curve."""
    return tuple(
        IpdArm(
            trial=item.trial.name,
            arm=item.arm.label,
            sample=item.curve.sample,
            grade=item.curve.grade,
        )
        for item in view.curves
    )


_EXPORT_MEMOS: dict[str, SurvivalMemo] = {}


def figure_for(
    registry: Any, query: Mapping[str, str], *, memo: SurvivalMemo | None = None
) -> tuple[go.Figure, Footnote, list[dict[str, object]], tuple[IpdArm, ...]]:
    """Export hook: rebuild the view from the URL query the panel writes.

    The query is validated exactly as :func:`layout` does (:func:`state_from_query`: values
    outside the allow-lists fall back to defaults). Returns the figure with its in-figure
    footnote, the footnote, the CSV rows (:data:`CSV_COLUMNS`) and the reconstructed IPD of the
    shown curves. Statistics use ``memo``, else the memo of the app registered for this data
    version (so an export reuses what the screen computed), else a fresh one.
    """
    state, _problems = state_from_query(registry, query)
    memo = memo or _EXPORT_MEMOS.get(registry.data_version) or SurvivalMemo(maxsize=64)
    view = compute_view(registry, state, memo)
    footnote = footnote_of(registry, view)
    return build_figure(registry, view, footnote), footnote, csv_rows(view), ipd_arms(view)


def export_bundle(registry: Any, query: Mapping[str, str]) -> ExportBundle:
    """The chart as the export layer wants it (``components.export_panel``), rebuilt from the
    page's query exactly as :func:`figure_for` does, with the reconstructed IPD attached."""
    figure, footnote, rows, ipd = figure_for(registry, query)
    state, _problems = state_from_query(registry, query)
    subject = tuple(dict.fromkeys(arm.trial for arm in ipd))
    return ExportBundle(
        kind="km",
        title=_title(state),
        figure=figure,
        footnote=footnote,
        columns=CSV_COLUMNS,
        rows=bundle_rows(rows),
        subject=subject,
        endpoint=state.endpoint,
        population=state.population,
        ipd=ipd,
    )


# --------------------------------------------------------------------------------------------
# Page: tables, badges, caption
# --------------------------------------------------------------------------------------------


def _months(value: float | None) -> str:
    return "not reached" if value is None else f"{value:.1f}"


def _median_text(summary: ArmSummary) -> str:
    med = summary.median
    main = "NR (not reached)" if med.median_months is None else f"{med.median_months:.1f}"
    return f"{main} ({_months(med.ci_lower_months)}–{_months(med.ci_upper_months)})"


def _landmark_text(summary: ArmSummary) -> str:
    lm = summary.landmark
    if lm is None:
        return "–"
    if lm.survival is None:
        return f"beyond follow-up ({lm.n_at_risk} at risk)"
    lo = "–" if lm.ci_lower is None else f"{100 * lm.ci_lower:.1f}"
    hi = "–" if lm.ci_upper is None else f"{100 * lm.ci_upper:.1f}"
    return f"{100 * lm.survival:.1f}% ({lo}–{hi})"


def _rmst_text(summary: ArmSummary) -> str:
    rm = summary.rmst
    if rm is None:
        return "–"
    return f"{rm.rmst_months:.1f} ({rm.ci_lower_months:.1f}–{rm.ci_upper_months:.1f})"


def _hr_text(hr: float | None, lo: float | None, hi: float | None) -> str:
    if hr is None:
        return "not estimable"
    if lo is None or hi is None:
        return f"{hr:.2f} (CI not reported)"
    return f"{hr:.2f} ({lo:.2f}–{hi:.2f})"


def _p_text(value: float | None) -> str:
    if value is None:
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _published_ci_text(pub: PublishedHR) -> str:
    if pub.ci_lower is None or pub.ci_upper is None or pub.ci_level is None:
        return "CI not reported"
    return f"{pub.ci_lower:.2f}–{pub.ci_upper:.2f} ({100 * pub.ci_level:g}% CI)"


def _check_row(name: str, published: str, reconstructed: str, passed: bool | None) -> Any:
    verdict = "no published value" if passed is None else ("pass" if passed else "FAIL")
    kind = "none" if passed is None else ("pass" if passed else "fail")
    return html.Tr(
        [
            html.Td(name),
            html.Td(published),
            html.Td(reconstructed),
            html.Td(html.Strong(verdict, style={"color": CHECK_COLOURS[kind]})),
        ]
    )


def _hr_check_rows(registry: Any, check: HazardRatioFidelity) -> Any:
    trial = registry.trial(check.trial_id)
    arm = trial.arm(check.arm_id).label
    comp = trial.arm(check.comparator_id).label
    if check.ci_lower_published is not None and check.ci_upper_published is not None:
        level = check.ci_level_published or 0.95
        pub = (
            f"{check.hr_published:g} ({check.ci_lower_published:g}–"
            f"{check.ci_upper_published:g}, {100 * level:g}% CI)"
        )
    else:
        pub = f"{check.hr_published:g} (CI not reported)"
    rec = (
        _hr_text(check.hr_reconstructed, check.ci_lower_reconstructed, check.ci_upper_reconstructed)
        + f", {100 * check.ci_level_reconstructed:g}% CI"
    )
    if check.abs_log_diff is not None:
        rec += f"; |Δ ln HR| {check.abs_log_diff:.3f}"
    return _check_row(f"HR {arm} vs {comp}", pub, rec, check.passed)


def fidelity_details(registry: Any, library: CurveLibrary, curve: LibraryCurve) -> Any:
    """The published-vs-reconstructed check of one curve (popover content)."""
    fid = curve.fidelity
    trial = registry.trial(curve.key.trial_id)
    analysis = trial.analysis(curve.key.analysis_id)
    rows = [
        _check_row(
            "N",
            "not reported" if fid.n_published is None else str(fid.n_published),
            str(fid.n_reconstructed),
            fid.n_passed,
        ),
        _check_row(
            "Events" + (" (used as a constraint)" if fid.events_constrained else ""),
            "not reported" if fid.events_published is None else str(fid.events_published),
            str(fid.events_reconstructed),
            fid.events_passed,
        ),
        _check_row(
            "Median (months)",
            "NR (not reached)"
            if fid.median_published_not_reached
            else (
                "not reported"
                if fid.median_published_months is None
                else f"{fid.median_published_months:g}"
            ),
            "NR (not reached)"
            if fid.median_reconstructed_months is None
            else f"{fid.median_reconstructed_months:.2f}",
            fid.median_passed,
        ),
    ]
    rows.extend(
        _check_row(
            f"S({lm.time_months:g} months)",
            f"{100 * lm.published:.1f}%",
            f"{100 * lm.reconstructed:.1f}%",
            lm.passed,
        )
        for lm in fid.landmarks
    )
    rows.extend(_hr_check_rows(registry, h) for h in library.hr_checks_for(curve.key))
    limit = curve.longest_followup_months
    rows.append(
        _check_row(
            "Longest follow-up (months)",
            "not derivable" if limit is None else f"≤ {limit:.1f}",
            f"{float(curve.sample.times_months[-1]):.1f}",
            curve.within_followup,
        )
    )
    table = html.Table(
        [
            html.Thead(
                html.Tr([html.Th(h) for h in ("Check", "Published", "Reconstructed", "Result")])
            ),
            html.Tbody(rows),
        ],
        className="escc-table",
    )
    notes = [
        dmc.Text(
            f"{trial.name} · {curve.key.endpoint} · "
            f"{trial.population_by_id(curve.key.population).label} · {analysis.label} "
            f"(data cut-off {analysis.data_cutoff.date or 'not reported'}) · grade {curve.grade}",
            size="sm",
            fw=600,
        ),
        dmc.Text(curve.ipd.method + ".", size="xs"),
        table,
        dmc.Text(
            "Tolerances (RELIABILITY DATA-03): N exact; events exact when used as a constraint, "
            "else ±2 %; median ±0.5 months or ±5 %; landmarks ±2 points; |Δ ln HR| ≤ 0.05 with "
            "overlapping CIs (reconstructed CI at the published level).",
            size="xs",
            c="dimmed",
        ),
    ]
    if curve.followup_notes:
        notes.append(dmc.Text("Follow-up: " + "; ".join(curve.followup_notes) + ".", size="xs"))
    if curve.ipd.warnings:
        notes.append(
            dmc.Text("Engine notes: " + "; ".join(curve.ipd.warnings) + ".", size="xs", c="orange")
        )
    links = provenance.citation_links(trial, curve.inputs.source_refs)
    if links:
        notes.append(
            html.Div([html.Span("Inputs from: "), *_join(links)], className="escc-caption")
        )
    return dmc.Stack(notes, gap=4, maw=620)


def _join(parts: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for i, part in enumerate(parts):
        if i:
            out.append(html.Span("; "))
        out.append(part)
    return out


def fidelity_badge(registry: Any, library: CurveLibrary, item: ShownCurve) -> Any:
    """Grade badge coloured by the DATA-03 checks; opens the published-vs-reconstructed check."""
    ok = item.passed
    colour = "teal" if ok else "orange"
    text = f"grade {item.curve.grade} · {'checks passed' if ok else 'check failed'}"
    return dmc.Popover(
        [
            dmc.PopoverTarget(
                dmc.Button(
                    text,
                    size="compact-xs",
                    variant="light",
                    color=colour,
                    className="escc-fidelity-badge",
                )
            ),
            dmc.PopoverDropdown(fidelity_details(registry, library, item.curve)),
        ],
        position="bottom-start",
        shadow="md",
        withArrow=True,
        trapFocus=False,
        width=640,
    )


def _swatch(colour: str) -> Any:
    return html.Span("■ ", style={"color": colour, "fontSize": "16px"}, **{"aria-hidden": "true"})


def results_tables(registry: Any, view: SurvivalView) -> Any:
    """Per-arm table and arm-vs-reference table under the figure."""
    if not view.curves:
        return dmc.Text("No curve to summarise.", size="sm", c="dimmed")
    library = curve_library(registry)
    state = view.state
    tau_text = "–" if view.tau_months is None else f"{view.tau_months:g}"
    head = [
        "Arm",
        "Fidelity",
        "Analysis",
        "N",
        "Events",
        "Median, months (95% CI)",
        f"S({state.landmark_months:g} mo) (95% CI)",
        f"RMST({tau_text} mo), months (95% CI)",
    ]
    body = []
    for item in view.curves:
        analysis = item.trial.analysis(item.curve.key.analysis_id)
        body.append(
            html.Tr(
                [
                    html.Td([_swatch(item.colour), item.label]),
                    html.Td(fidelity_badge(registry, library, item)),
                    html.Td(f"{analysis.label} ({analysis.data_cutoff.date or 'cut-off NR'})"),
                    html.Td(str(item.summary.n_patients)),
                    html.Td(str(item.summary.n_events)),
                    html.Td(_median_text(item.summary)),
                    html.Td(_landmark_text(item.summary)),
                    html.Td(_rmst_text(item.summary)),
                ]
            )
        )
    arms_table = html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(body)],
        className="escc-table",
    )
    parts: list[Any] = [dmc.Title("Per arm", order=5), arms_table]
    if view.tau_clamped:
        parts.append(
            dmc.Alert(
                f"RMST horizon τ = {state.tau_months:g} months was clamped to "
                f"{view.tau_months:.1f} months, the shortest follow-up among the shown curves "
                "(RMST beyond a curve's follow-up is not estimable).",
                color="yellow",
                variant="light",
            )
        )
    if view.reference is not None and view.comparisons:
        comp_head = [
            f"Arm vs reference ({view.reference.label})",
            "Comparison",
            "Cox HR (95% CI), reconstructed",
            "Published HR",
            "Log-rank p",
            f"ΔRMST({tau_text} mo), months (95% CI)",
        ]
        comp_body = []
        for row in view.comparisons:
            cox = row.result.cox
            drm = row.result.rmst_difference
            if row.cross_trial:
                kind = dmc.Badge(provenance.CROSS_TRIAL_LABEL, color="red", variant="light")
                published: Any = "not applicable (different trials)"
            else:
                kind = dmc.Badge("within-trial, randomised", color="teal", variant="light")
                if row.published is None:
                    published = "not reported for this pair and analysis"
                else:
                    pub = row.published
                    published = dmc.Stack(
                        [
                            dmc.Text(
                                f"{pub.hazard_ratio:.2f} ({_published_ci_text(pub)})", size="sm"
                            ),
                            dmc.Text(
                                pub.source
                                + (
                                    " (inverted from the published direction)"
                                    if pub.inverted
                                    else ""
                                ),
                                size="xs",
                                c="dimmed",
                            ),
                        ],
                        gap=0,
                    )
            drm_text = (
                "–"
                if drm is None
                else f"{drm.difference_months:+.1f} ({drm.ci_lower_months:+.1f} to "
                f"{drm.ci_upper_months:+.1f})"
            )
            comp_body.append(
                html.Tr(
                    [
                        html.Td([_swatch(row.arm.colour), row.arm.label]),
                        html.Td(kind),
                        html.Td(_hr_text(cox.hazard_ratio, cox.ci_lower, cox.ci_upper)),
                        html.Td(published),
                        html.Td(_p_text(row.result.log_rank.p_value)),
                        html.Td(drm_text),
                    ]
                )
            )
        parts.extend(
            [
                dmc.Title("Versus the reference arm", order=5),
                html.Table(
                    [html.Thead(html.Tr([html.Th(h) for h in comp_head])), html.Tbody(comp_body)],
                    className="escc-table",
                ),
                dmc.Text(
                    "HR < 1 favours the arm over the reference. Cox model with Efron ties and "
                    "log-rank test on the reconstructed data; ΔRMST variance = sum of the two "
                    "arms' Greenwood-type variances (independent arms).",
                    size="xs",
                    c="dimmed",
                ),
            ]
        )
    if view.reference_note:
        parts.append(dmc.Alert(view.reference_note, color="yellow", variant="light"))
    return dmc.Stack(parts, gap="xs")


def missing_list(view: SurvivalView) -> Any:
    if not view.missing:
        return None
    return dmc.Alert(
        html.Ul([html.Li(f"{m.label} — {m.reason}") for m in view.missing]),
        title=f"Not shown for {view.state.endpoint}, {population_label(view.state.population)}",
        color="gray",
        variant="light",
    )


def caption_of(registry: Any, view: SurvivalView) -> Any:
    parts: list[Any] = []
    for trial_id in dict.fromkeys(c.trial.id for c in view.curves):
        trial = registry.trial(trial_id)
        refs = list(
            dict.fromkeys(
                ref
                for c in view.curves
                if c.trial.id == trial_id
                for ref in c.curve.inputs.source_refs
            )
        )
        levels = dict.fromkeys(trial.publication(r).level for r in refs)
        parts.append(
            html.Span(
                [
                    html.Strong(trial.name + " "),
                    *_join(provenance.citation_links(trial, refs)),
                    html.Span(" "),
                    *[provenance.source_badge(level) for level in levels],
                ]
            )
        )
    grades = "; ".join(f"{c.label}: grade {c.curve.grade}" for c in view.curves)
    notes = _caveats(view)
    if grades:
        notes.insert(0, f"Reconstruction grades — {grades}.")
    return provenance.caption(
        parts, data_version=registry.data_version, cross_trial=view.cross_trial, notes=notes
    )


def _outputs(registry: Any, view: SurvivalView) -> tuple[Any, Any, Any, Any]:
    # Screen path: the same figure as a plain dict (no per-element plotly validation) and
    # without the in-figure footnote: the caption under the graph carries the same sources
    # with links. Exports (figure_for) draw the footnote into the image.
    return (
        km_figure_dict(*_km_inputs(view, None)),
        caption_of(registry, view),
        missing_list(view),
        results_tables(registry, view),
    )


# --------------------------------------------------------------------------------------------
# Layout and callbacks
# --------------------------------------------------------------------------------------------


def _arm_options(registry: Any) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, str]]] = {}
    for trial in registry.trials:
        for arm in trial.arms:
            label = f"{trial.name}: {arm.label}" + (" (seed study)" if trial.focus else "")
            groups.setdefault(arm.regimen_class, []).append(
                {"value": arm_token(trial.id, arm.id), "label": label}
            )
    order = [c for c in CLASS_ORDER if c in groups] + sorted(set(groups) - set(CLASS_ORDER))
    return [{"group": cls, "items": groups[cls]} for cls in order]


def _population_options(registry: Any) -> list[dict[str, str]]:
    library = curve_library(registry)
    out = []
    for key in population_keys(registry):
        count = sum(1 for c in library.curves if c.population_key == key)
        suffix = "" if count else " — no reconstructable curve"
        out.append({"value": key, "label": population_label(key) + suffix})
    return out


def _reference_options(registry: Any, arms: Sequence[str]) -> list[dict[str, str]]:
    out = []
    for token in arms:
        trial, arm = _arm_of(registry, token)
        out.append({"value": token, "label": f"{trial.name}: {arm.label}"})
    return out


def layout(registry: Any, query: Mapping[str, str]) -> Any:
    """The Survival view; never raises (unknown link settings are reset and named)."""
    try:
        state, problems = state_from_query(registry, query if isinstance(query, Mapping) else {})
    except (TypeError, ValueError, KeyError, AttributeError):
        # A malformed link must never break the page.
        state, problems = default_state(registry), ["the link's settings"]
    notice = (
        dmc.Alert(
            "Some settings in the link were not recognised and were reset: " + "; ".join(problems),
            color="yellow",
            id=ids.SURVIVAL_NOTICE,
        )
        if problems
        else html.Div(id=ids.SURVIVAL_NOTICE)
    )
    presets = dmc.Group(
        [
            dmc.Tooltip(
                dmc.Button(
                    label,
                    id={"type": ids.SURVIVAL_PRESET, "preset": key},
                    size="xs",
                    variant="light",
                ),
                label=description,
                multiline=True,
                w=320,
            )
            for key, (label, description) in PRESETS.items()
        ],
        gap="xs",
    )
    controls = dmc.Stack(
        [
            dmc.Group(
                [
                    dmc.SegmentedControl(
                        id=ids.SURVIVAL_ENDPOINT,
                        data=[{"value": e, "label": ENDPOINT_LABELS[e]} for e in ENDPOINTS],
                        value=state.endpoint,
                    ),
                    dmc.Select(
                        id=ids.SURVIVAL_POPULATION,
                        label="Population",
                        data=_population_options(registry),
                        value=state.population,
                        allowDeselect=False,
                        searchable=True,
                        w=360,
                    ),
                ],
                align="flex-end",
            ),
            dmc.MultiSelect(
                id=ids.SURVIVAL_ARMS,
                label=f"Arms (up to {MAX_ARMS}, any trial)",
                data=_arm_options(registry),
                value=list(state.arms),
                maxValues=MAX_ARMS,
                searchable=True,
                clearable=True,
                hidePickedOptions=True,
            ),
            presets,
            dmc.Group(
                [
                    dmc.Select(
                        id=ids.SURVIVAL_REFERENCE,
                        label="Reference arm for comparisons",
                        placeholder="automatic (first control arm shown)",
                        data=_reference_options(registry, state.arms),
                        value=state.reference if state.reference in state.arms else None,
                        clearable=True,
                        w=380,
                    ),
                    dmc.NumberInput(
                        id=ids.SURVIVAL_LANDMARK,
                        label="Landmark (months)",
                        value=state.landmark_months,
                        min=LANDMARK_RANGE_MONTHS[0],
                        max=LANDMARK_RANGE_MONTHS[1],
                        step=1,
                        decimalScale=1,
                        debounce=True,
                        w=150,
                    ),
                    dmc.NumberInput(
                        id=ids.SURVIVAL_TAU,
                        label="RMST horizon τ (months)",
                        value=state.tau_months,
                        min=TAU_RANGE_MONTHS[0],
                        max=TAU_RANGE_MONTHS[1],
                        step=1,
                        decimalScale=1,
                        debounce=True,
                        w=180,
                    ),
                ],
                align="flex-end",
            ),
            dmc.Group(
                [
                    dmc.Switch(
                        id=ids.SURVIVAL_SHOW_CI, label="95% CI bands", checked=state.show_ci
                    ),
                    dmc.Switch(
                        id=ids.SURVIVAL_SHOW_CENSOR, label="Censor marks", checked=state.show_censor
                    ),
                    dmc.Switch(
                        id=ids.SURVIVAL_SHOW_MEDIAN, label="Median lines", checked=state.show_median
                    ),
                    dmc.Switch(
                        id=ids.SURVIVAL_SHOW_AT_RISK,
                        label="Numbers at risk",
                        checked=state.show_at_risk,
                    ),
                ],
                gap="lg",
            ),
        ],
        gap="sm",
    )
    return dmc.Stack(
        [
            dcc.Location(id=ids.SURVIVAL_URL, refresh=False),
            dmc.Title("Survival", order=2),
            dmc.Text(
                "Kaplan–Meier curves reconstructed from the publications. Arms from different "
                "trials are not randomised against each other: their comparisons are unanchored.",
                size="sm",
                c="dimmed",
            ),
            notice,
            controls,
            html.Div(id=ids.SURVIVAL_MESSAGE),
            export_controls("survival-km", patient_data=True),
            # Drawn by the first callback run (statistics go through the app's memo).
            graph(
                ids.SURVIVAL_GRAPH,
                {"data": [], "layout": {}},
                filename="escc-km",
                height=None,  # the figure sets its own height (legend + curves + table)
            ),
            html.Div(id=ids.SURVIVAL_CAPTION),
            html.Div(id=ids.SURVIVAL_MISSING),
            html.Div(id=ids.SURVIVAL_RESULTS),
        ],
        gap="md",
    )


_CONTROL_INPUTS = (
    (ids.SURVIVAL_ENDPOINT, "value"),
    (ids.SURVIVAL_ARMS, "value"),
    (ids.SURVIVAL_POPULATION, "value"),
    (ids.SURVIVAL_REFERENCE, "value"),
    (ids.SURVIVAL_LANDMARK, "value"),
    (ids.SURVIVAL_TAU, "value"),
    (ids.SURVIVAL_SHOW_CI, "checked"),
    (ids.SURVIVAL_SHOW_CENSOR, "checked"),
    (ids.SURVIVAL_SHOW_MEDIAN, "checked"),
    (ids.SURVIVAL_SHOW_AT_RISK, "checked"),
)


def _invalid(problems: Sequence[str]) -> Any:
    return dmc.Alert(
        "Invalid selection: " + "; ".join(problems) + ". Nothing was recomputed.",
        color="red",
        variant="light",
    )


def register_callbacks(app: Dash, registry: Any) -> None:
    memo = SurvivalMemo(maxsize=2048)
    _EXPORT_MEMOS[registry.data_version] = memo

    @app.callback(
        Output(ids.SURVIVAL_MESSAGE, "children"),
        Output(ids.SURVIVAL_GRAPH, "figure"),
        Output(ids.SURVIVAL_CAPTION, "children"),
        Output(ids.SURVIVAL_MISSING, "children"),
        Output(ids.SURVIVAL_RESULTS, "children"),
        *(Input(cid, prop) for cid, prop in _CONTROL_INPUTS),
    )
    def update(*values: object) -> Any:
        state, problems = state_from_inputs(registry, *values)
        if state is None:
            return _invalid(problems), no_update, no_update, no_update, no_update
        view = compute_view(registry, state, memo)
        return (None, *_outputs(registry, view))

    @app.callback(
        Output(ids.SURVIVAL_REFERENCE, "data"),
        Output(ids.SURVIVAL_REFERENCE, "value"),
        Input(ids.SURVIVAL_ARMS, "value"),
        State(ids.SURVIVAL_REFERENCE, "value"),
        prevent_initial_call=True,
    )
    def reference_options(arms: object, current: object) -> Any:
        tokens = set(_arm_tokens(registry))
        if not isinstance(arms, list) or not all(isinstance(a, str) and a in tokens for a in arms):
            return no_update, no_update
        chosen = _canonical_arms(registry, arms)
        value = current if isinstance(current, str) and current in chosen else None
        return _reference_options(registry, chosen), value

    @app.callback(
        Output(ids.SURVIVAL_ARMS, "value"),
        Input({"type": ids.SURVIVAL_PRESET, "preset": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def apply_preset(clicks: object) -> Any:
        trigger = ctx.triggered_id
        if not isinstance(trigger, Mapping):
            return no_update
        key = trigger.get("preset")
        if not isinstance(key, str) or key not in PRESETS:
            return no_update
        if not isinstance(clicks, list) or not any(
            isinstance(c, int) and not isinstance(c, bool) and c > 0 for c in clicks
        ):
            return no_update
        return list(preset_arms(registry, key))

    @app.callback(
        Output(ids.SURVIVAL_URL, "search"),
        *(Input(cid, prop) for cid, prop in _CONTROL_INPUTS),
        prevent_initial_call=True,
    )
    def sync_url(*values: object) -> Any:
        state, _problems = state_from_inputs(registry, *values)
        if state is None:
            return no_update
        return state_to_search(state, registry)
