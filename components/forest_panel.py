"""Subgroups & forest view: published hazard ratios by PD-L1 subgroup, pooled honestly.

What the view does (issue 6):

* one row per randomised comparison (experimental arm vs its trial's control arm) for the chosen
  endpoint (OS/PFS) and population: the ITT population or one PD-L1 subgroup, keyed by scoring
  system and cut-off (``CPS>=10``, ``TPS<1``, ``TAP>=5<10``; keys from the registry, scoring
  systems never merged). Trials of the comparison that lack the subgroup are "not reported"
  rows, never dropped;
* each HR keeps its confidence interval **at its published level** (CheckMate 648: 99.1 %);
  pooling converts it to a standard error with that level's normal quantile
  (:func:`analysis.meta.study_from_hr_ci`);
* comparisons are grouped by regimen class (experimental class vs control family), so one pool
  never mixes "ICI + chemo vs chemo" with "add a TKI to ICI + chemo"; a trial contributes at most
  one comparison to a pool (a second arm would share the control arm);
* pooled random effects (REML default, Paule–Mandel, DerSimonian–Laird; optional
  Knapp–Hartung) with the fixed effect beside it, prediction interval, heterogeneity,
  leave-one-out on demand; pooling across scoring systems only when switched on, labelled loudly;
* subgroup-by-PD-L1 interaction (ratio of HRs, high vs low) for disjoint subgroups of one
  trial, with the independence caveat;
* the seed studies' own subgroups (single-arm, so no HR): ORR by PD-L1 CPS of the triple
  regimen, the TP53+/FAT1+/NOTCH3− signature of ALTER-E-003, liver metastases.

URL state: ``?cmp=<comparison>&ep=OS|PFS&pop=<key>&m=REML|PM|DL[&kh=1][&loo=1][&x=1]
[&an=<trial>:<analysis>,…]``. :func:`figure_for` builds the same figure, export footnote and
CSV rows from a validated :class:`ForestState` for the export code.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import dash_mantine_components as dmc
import plotly.graph_objects as go
from dash import ALL, Dash, Input, Output, State, dcc, html, no_update

from analysis.meta import (
    LeaveOneOut,
    MetaAnalysisResult,
    RatioOfHazardRatios,
    StudyEstimate,
    leave_one_out,
    pool,
    ratio_of_hazard_ratios,
    study_from_hr_ci,
)
from analysis.proportions import clopper_pearson
from components import ids, provenance
from components.charts.forest import (
    FIXED_FILL,
    ForestOptions,
    ForestRow,
    PooledSummary,
    build_forest_figure,
    figure_height_px,
    format_hr,
    hr_text,
)
from components.charts.response import (
    CI_FROM_COUNTS,
    ResponseOptions,
    ResponsePoint,
    build_response_figure,
)
from components.charts.response import figure_height_px as response_height_px
from components.charts.theme import escape_plotly_text
from components.export.bundle import ExportBundle, bundle_rows
from components.export.footnote import Footnote
from components.export_menu import export_controls
from components.graph import graph
from data.pdl1 import SCORING_SYSTEMS as SYSTEM_ORDER
from data.pdl1 import key_sort, key_text, parse_key

ENDPOINTS: tuple[str, ...] = ("OS", "PFS")
ENDPOINT_LABELS = {"OS": "Overall survival", "PFS": "Progression-free survival"}
METHODS: dict[str, str] = {
    "REML": "REML",
    "PM": "Paule–Mandel",
    "DL": "DerSimonian–Laird",
}
ITT = "ITT"
AUTO = "auto"
SYSTEM_NAMES = {
    "CPS": "CPS (combined positive score)",
    "TPS": "TPS (tumour proportion score)",
    "TC": "TC (tumour-cell PD-L1 %)",
    "TAP": "TAP (tumour area positivity)",
}
KIND_RANK = {"primary": 0, "interim": 1, "final": 2, "update": 3}
CHEMO_FAMILY = "chemotherapy"
POOLED_CI_LEVEL = 0.95
ACROSS_WARNING = (
    "POOLED ACROSS PD-L1 SCORING SYSTEMS (CPS, TPS, TC, TAP measure different things): "
    "exploratory only"
)
INDEPENDENCE_CAVEAT = (
    "Ratio of HRs = HR(higher PD-L1 group) / HR(lower group), log SEs added in quadrature. "
    "Valid only because the two groups are disjoint sets of patients of the same trial "
    "(independent estimates); it is not a formal interaction test from the trial's own model "
    "(Altman & Bland, BMJ 2003;326:219)."
)
_MAX_TEXT = 60


# --------------------------------------------------------------------------------------------
# Allow-lists derived from the registry (computed once per registry)
# --------------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def control_family(regimen_class: str) -> str:
    """Chemotherapy with or without placebo is one control family; others stay themselves."""
    return CHEMO_FAMILY if regimen_class in ("chemo", "placebo+chemo") else regimen_class


@dataclass(frozen=True)
class Comparison:
    """A class of randomised comparison, e.g. ``ICI+chemo`` vs chemotherapy."""

    key: str
    experimental_class: str
    control_family: str

    @property
    def label(self) -> str:
        return f"{self.experimental_class} vs {self.control_family}"


@dataclass(frozen=True)
class ArmPair:
    trial_id: str
    arm_id: str
    comparator_id: str


@dataclass(frozen=True)
class ForestChoices:
    comparisons: tuple[Comparison, ...]
    pairs: Mapping[str, tuple[ArmPair, ...]]  # comparison key -> pairs in registry order
    population_keys: tuple[str, ...]  # ITT first, then PD-L1 keys
    analyses: Mapping[str, tuple[str, ...]]  # trial id -> analyses with HR rows (>= 2 only)
    single_arm: tuple[str, ...]  # display names of trials without a control arm
    no_hr: tuple[str, ...]  # trials with a control arm but no HR row at all


def key_label(key: str) -> str:
    """Readable label: ``CPS ≥10``, ``TPS <1``, ``TAP ≥5 to <10``; ``ITT``."""
    if key == ITT:
        return "ITT (whole randomised ESCC population)"
    return key_text(key) or key


@functools.lru_cache(maxsize=8)
def choices(registry: Any) -> ForestChoices:
    """Every value a control may take, from the registry (the callbacks' allow-lists)."""
    pairs: dict[str, list[ArmPair]] = {}
    comparisons: dict[str, Comparison] = {}
    analyses: dict[str, tuple[str, ...]] = {}
    keys: set[str] = set()
    single_arm: list[str] = []
    no_hr: list[str] = []
    for trial in registry.trials:
        has_control = any(a.role == "control" for a in trial.arms)
        if not has_control:
            single_arm.append(trial.display_name)
            continue
        hr_rows = [r for r in trial.efficacy if r.measure == "hr" and r.comparator]
        if not hr_rows:
            no_hr.append(trial.display_name)
            continue
        for p in trial.populations:
            if p.pdl1_key:
                keys.add(p.pdl1_key)
        seen: list[tuple[str, str]] = []
        for row in hr_rows:
            if (row.arm, row.comparator) not in seen:
                seen.append((row.arm, row.comparator))
        for arm_id, comp_id in seen:
            arm, comp = trial.arm(arm_id), trial.arm(comp_id)
            family = control_family(comp.regimen_class)
            key = f"{_slug(arm.regimen_class)}_vs_{_slug(family)}"
            comparisons.setdefault(key, Comparison(key, arm.regimen_class, family))
            pairs.setdefault(key, []).append(ArmPair(trial.id, arm_id, comp_id))
        used = [a.id for a in trial.analyses if any(r.analysis == a.id for r in hr_rows)]
        if len(used) >= 2:
            analyses[trial.id] = tuple(used)
    ordered = sorted(
        comparisons.values(), key=lambda c: (-len({p.trial_id for p in pairs[c.key]}), c.key)
    )
    return ForestChoices(
        comparisons=tuple(ordered),
        pairs={k: tuple(v) for k, v in pairs.items()},
        population_keys=(ITT, *sorted(keys, key=key_sort)),
        analyses=analyses,
        single_arm=tuple(single_arm),
        no_hr=tuple(no_hr),
    )


# --------------------------------------------------------------------------------------------
# State: validation from the URL query and from callback values
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForestState:
    """Validated control values (every field is on its allow-list)."""

    comparison: str
    endpoint: str = "OS"
    population: str = ITT
    method: str = "REML"
    knapp_hartung: bool = False
    leave_one_out: bool = False
    across_systems: bool = False
    analyses: tuple[tuple[str, str], ...] = ()  # explicit (trial, analysis) choices, sorted


def default_state(registry: Any) -> ForestState:
    found = choices(registry)
    return ForestState(comparison=found.comparisons[0].key if found.comparisons else "")


def _short(value: object) -> str:
    text = value if isinstance(value, str) else type(value).__name__
    return text[:_MAX_TEXT]


def _bool_from_query(value: object) -> bool | None:
    return {"1": True, "0": False}.get(value) if isinstance(value, str) else None


def state_from_query(registry: Any, query: Mapping[str, str]) -> tuple[ForestState, list[str]]:
    """State from a URL query; unknown values are reset to defaults and named in the list."""
    found = choices(registry)
    state = default_state(registry)
    problems: list[str] = []
    comparison_keys = [c.key for c in found.comparisons]
    updates: dict[str, Any] = {}
    checks: list[tuple[str, str, Sequence[str]]] = [
        ("cmp", "comparison", comparison_keys),
        ("ep", "endpoint", ENDPOINTS),
        ("pop", "population", found.population_keys),
        ("m", "method", tuple(METHODS)),
    ]
    for query_key, attr, allowed in checks:
        if query_key in query:
            value = query[query_key]
            if isinstance(value, str) and value in allowed:
                updates[attr] = value
            else:
                problems.append(f"{attr} {_short(value)!r}")
    for query_key, attr in (("kh", "knapp_hartung"), ("loo", "leave_one_out"), ("x", "across")):
        if query_key in query:
            flag = _bool_from_query(query[query_key])
            if flag is None:
                problems.append(f"{attr} {_short(query[query_key])!r}")
            else:
                updates["across_systems" if attr == "across" else attr] = flag
    if "an" in query:
        raw = query["an"]
        chosen: dict[str, str] = {}
        parts = raw.split(",") if isinstance(raw, str) and len(raw) <= 1000 else [None]
        for part in parts:
            trial_id, _, analysis_id = (part or "").partition(":")
            if analysis_id in found.analyses.get(trial_id, ()):
                chosen[trial_id] = analysis_id
            elif part:
                problems.append(f"analysis {_short(part)!r}")
            else:
                problems.append("analysis list")
        updates["analyses"] = tuple(sorted(chosen.items()))
    unknown = sorted(set(query) - {"cmp", "ep", "pop", "m", "kh", "loo", "x", "an"})
    problems.extend(f"unknown setting {_short(k)!r}" for k in unknown[:5])
    return replace(state, **updates), problems


def state_from_inputs(
    registry: Any,
    *,
    endpoint: object,
    comparison: object,
    population: object,
    method: object,
    knapp_hartung: object,
    loo: object,
    across: object,
    analysis_values: object,
    analysis_ids: object,
) -> tuple[ForestState | None, list[str]]:
    """State from callback values, or (None, problems) if any value is off its allow-list."""
    found = choices(registry)
    problems: list[str] = []

    def pick(name: str, value: object, allowed: Sequence[str]) -> str:
        if isinstance(value, str) and value in allowed:
            return value
        problems.append(name)
        return ""

    ep = pick("endpoint", endpoint, ENDPOINTS)
    cmp = pick("comparison", comparison, [c.key for c in found.comparisons])
    pop = pick("population", population, found.population_keys)
    meth = pick("pooling method", method, tuple(METHODS))
    flags: list[bool] = []
    for name, value in (
        ("Knapp–Hartung switch", knapp_hartung),
        ("leave-one-out switch", loo),
        ("across-systems switch", across),
    ):
        if isinstance(value, bool):
            flags.append(value)
        else:
            problems.append(name)
            flags.append(False)
    chosen: dict[str, str] = {}
    if (
        not isinstance(analysis_values, list)
        or not isinstance(analysis_ids, list)
        or len(analysis_values) != len(analysis_ids)
        or len(analysis_values) > len(found.analyses)
    ):
        problems.append("analysis choices")
    else:
        for value, ident in zip(analysis_values, analysis_ids, strict=True):
            trial_id = ident.get("trial") if isinstance(ident, dict) else None
            allowed = found.analyses.get(trial_id) if isinstance(trial_id, str) else None
            if allowed is None or not isinstance(value, str):
                problems.append("analysis choice")
            elif value == AUTO:
                continue
            elif value in allowed:
                chosen[str(trial_id)] = value
            else:
                problems.append("analysis choice")
    if problems:
        return None, problems
    return (
        ForestState(
            comparison=cmp,
            endpoint=ep,
            population=pop,
            method=meth,
            knapp_hartung=flags[0],
            leave_one_out=flags[1],
            across_systems=flags[2],
            analyses=tuple(sorted(chosen.items())),
        ),
        [],
    )


def state_to_search(state: ForestState) -> str:
    """The query string that restores ``state`` (sorted keys, short values)."""
    params: dict[str, str] = {
        "cmp": state.comparison,
        "ep": state.endpoint,
        "m": state.method,
        "pop": state.population,
    }
    if state.knapp_hartung:
        params["kh"] = "1"
    if state.leave_one_out:
        params["loo"] = "1"
    if state.across_systems:
        params["x"] = "1"
    if state.analyses:
        params["an"] = ",".join(f"{t}:{a}" for t, a in state.analyses)
    return "?" + urlencode(sorted(params.items()))


# --------------------------------------------------------------------------------------------
# Assembling the rows (pure)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrialRow:
    """One row of the forest: a comparison of one trial, its chosen HR (or why there is none)."""

    trial_id: str
    trial_name: str
    arm_id: str
    arm_label: str
    comparator_id: str
    comparator_label: str
    colour: str
    population_id: str | None
    population_label: str | None
    analysis_id: str | None
    analysis_label: str | None
    hazard_ratio: float | None
    ci_lower: float | None
    ci_upper: float | None
    ci_level_percent: float | None
    p_text: str | None
    status_text: str | None
    n_experimental: int | None
    n_control: int | None
    n_text: str
    source_level: str | None
    ref: str | None
    locator: str | None
    study: StudyEstimate | None
    pooled: bool
    not_pooled_reason: str | None
    alternatives: tuple[str, ...]
    notes: tuple[str, ...]
    weight_percent: float | None = None


@dataclass(frozen=True)
class InteractionRow:
    trial_id: str
    trial_name: str
    analysis_label: str
    high_label: str
    low_label: str
    kind: str
    high_hr_text: str
    low_hr_text: str
    result: RatioOfHazardRatios
    refs: tuple[str, ...]


@dataclass(frozen=True)
class ForestResult:
    state: ForestState
    comparison: Comparison | None
    rows: tuple[TrialRow, ...]
    random: MetaAnalysisResult | None
    fixed: MetaAnalysisResult | None
    loo: tuple[LeaveOneOut, ...]
    interactions: tuple[InteractionRow, ...]
    messages: tuple[str, ...]
    refs: tuple[tuple[str, str], ...]  # (trial id, publication key) in display order
    caveats: tuple[str, ...] = field(default=())


def _numeric_ci(row: Any) -> tuple[float, float] | None:
    if row.ci is None:
        return None
    lo, hi = row.ci
    if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
        return float(lo), float(hi)
    return None


def _poolable(row: Any) -> bool:
    ci = _numeric_ci(row)
    return (
        row.status == "reported"
        and row.value is not None
        and row.qualifier is None
        and row.ci_level is not None
        and ci is not None
        and 0 < ci[0] < ci[1]  # a zero-width interval has no standard error
    )


def _nested_in(trial: Any, population: Any) -> Any | None:
    """The region/clinical/biomarker population a PD-L1 population is restricted to, if any.

    The registry names such populations ``<parent id>_<pd-l1 part>`` (``japanese_tap_ge10``).
    """
    for other in trial.populations:
        if other.kind in ("region", "clinical", "biomarker") and population.id.startswith(
            other.id + "_"
        ):
            return other
    return None


def _threshold(key: str) -> str:
    parsed = parse_key(key)
    return key[len(parsed[0]) :] if parsed else key


def _candidate_populations(trial: Any, state: ForestState) -> list[Any]:
    if state.population == ITT:
        return [
            p
            for p in trial.populations
            if p.kind == "itt" or (p.kind == "histology" and p.histology == "ESCC")
        ]
    if state.across_systems:
        wanted = _threshold(state.population)
        return [p for p in trial.populations if p.pdl1_key and _threshold(p.pdl1_key) == wanted]
    return [p for p in trial.populations if p.pdl1_key == state.population]


def analysis_label(trial: Any, analysis_id: str) -> str:
    """ "interim · cut-off 2020-10-30" (the kind and the data cut-off, as printed)."""
    analysis = trial.analysis(analysis_id)
    cutoff = analysis.data_cutoff.date if analysis.data_cutoff.status == "reported" else None
    return f"{analysis.kind} · cut-off {cutoff or 'not reported'}"


def _arm_n(trial: Any, population: Any, arm_id: str) -> int | None:
    if population.kind == "itt" and population.histology == "ESCC":
        n = trial.arm(arm_id).n_randomised
        return int(n.value) if n.status == "reported" and n.value is not None else None
    return trial.population_n(population.id, arm_id)


def _n_text(
    trial: Any, population: Any | None, pair: ArmPair
) -> tuple[int | None, int | None, str]:
    if population is None:
        return None, None, "N not reported"
    n_exp = _arm_n(trial, population, pair.arm_id)
    n_ctl = _arm_n(trial, population, pair.comparator_id)
    if n_exp is not None or n_ctl is not None:
        left = str(n_exp) if n_exp is not None else "NR"
        right = str(n_ctl) if n_ctl is not None else "NR"
        text = f"{left} / {right}"
        if "NR" in text:
            text += " (NR = not reported)"
        return n_exp, n_ctl, text
    total = trial.population_n(population.id, None)
    if total is not None:
        return None, None, f"{total} (both arms)"
    return None, None, "N not reported"


def _row_rank(trial: Any, state: ForestState, row: Any, population: Any) -> tuple[Any, ...]:
    analysis = trial.analysis(row.analysis)
    system = parse_key(state.population)[0] if parse_key(state.population) else None
    return (
        population.histology != "ESCC",
        _nested_in(trial, population) is not None,
        population.kind == "histology",
        system is not None and population.scoring_system != system,
        not _poolable(row),
        not row.headline,
        KIND_RANK.get(analysis.kind, 9),
        [a.id for a in trial.analyses].index(row.analysis),
        [p.id for p in trial.populations].index(population.id),
    )


def _hr_summary(trial: Any, row: Any, population: Any) -> str:
    ci = _numeric_ci(row)
    value = row.value
    if row.status != "reported" or value is None:
        text = "not reported"
    elif ci is None:
        text = f"{format_hr(value)} (CI not reported)"
    else:
        text = hr_text(value, ci[0], ci[1], row.ci_level)
    return f"{population.label}, {analysis_label(trial, row.analysis)}: {text}"


def _trial_row(
    registry: Any, state: ForestState, pair: ArmPair, colour: str, already_pooled: set[str]
) -> TrialRow:
    trial = registry.trial(pair.trial_id)
    arm, comp = trial.arm(pair.arm_id), trial.arm(pair.comparator_id)
    populations = {p.id: p for p in _candidate_populations(trial, state)}
    rows = [
        r
        for r in trial.efficacy
        if r.measure == "hr"
        and r.endpoint == state.endpoint
        and r.arm == pair.arm_id
        and r.comparator == pair.comparator_id
        and r.population in populations
    ]
    chosen_analysis = dict(state.analyses).get(trial.id)
    eligible = [r for r in rows if chosen_analysis is None or r.analysis == chosen_analysis]
    ranked = sorted(eligible, key=lambda r: _row_rank(trial, state, r, populations[r.population]))
    base: dict[str, Any] = {
        "trial_id": trial.id,
        "trial_name": trial.name,
        "arm_id": arm.id,
        "arm_label": arm.label,
        "comparator_id": comp.id,
        "comparator_label": comp.label,
        "colour": colour,
    }
    if not ranked:
        if rows and chosen_analysis is not None:
            reason = (
                f"not reported at the chosen analysis ({analysis_label(trial, chosen_analysis)})"
            )
        elif not populations:
            what = "ITT population" if state.population == ITT else key_label(state.population)
            reason = f"{what} subgroup not reported for this trial in the curated sources"
        else:
            labels = ", ".join(p.label for p in populations.values())
            reason = f"{state.endpoint} HR not reported for {labels}"
        best_population = next(iter(populations.values()), None)
        n_exp, n_ctl, n_text = _n_text(trial, best_population, pair)
        return TrialRow(
            **base,
            population_id=best_population.id if best_population else None,
            population_label=best_population.label if best_population else None,
            analysis_id=chosen_analysis,
            analysis_label=analysis_label(trial, chosen_analysis) if chosen_analysis else None,
            hazard_ratio=None,
            ci_lower=None,
            ci_upper=None,
            ci_level_percent=None,
            p_text=None,
            status_text=reason,
            n_experimental=n_exp,
            n_control=n_ctl,
            n_text=n_text,
            source_level=None,
            ref=None,
            locator=None,
            study=None,
            pooled=False,
            not_pooled_reason=reason,
            alternatives=tuple(_hr_summary(trial, r, populations[r.population]) for r in rows),
            notes=(),
        )
    row = ranked[0]
    population = populations[row.population]
    ci = _numeric_ci(row)
    reasons: list[str] = []
    study: StudyEstimate | None = None
    status_text: str | None = None
    if row.status != "reported" or row.value is None:
        status_text = f"not reported: {row.reason or 'no reason recorded'}"
        reasons.append("HR not reported")
    elif not _poolable(row):
        reasons.append(
            "no confidence interval printed" if ci is None else "qualified value or zero-width CI"
        )
    elif ci is not None and row.ci_level is not None:  # always true when poolable
        study = study_from_hr_ci(trial.name, float(row.value), ci[0], ci[1], row.ci_level / 100.0)
    parent = _nested_in(trial, population)
    if population.histology != "ESCC":
        reasons.append(f"{population.histology} (not ESCC-only)")
    if parent is not None:
        reasons.append(f"restricted to {parent.label.lower()}")
    if trial.id in already_pooled:
        reasons.append("shares the control arm with another arm of this trial already pooled")
    pooled = study is not None and not reasons
    n_exp, n_ctl, n_text = _n_text(trial, population, pair)
    notes = tuple(n for n in (row.note, row.curation_note) if n)
    if (
        state.across_systems
        and population.scoring_system
        and parse_key(state.population)
        and population.scoring_system != parse_key(state.population)[0]  # type: ignore[index]
    ):
        notes = (f"scoring system {population.scoring_system} (pooled across systems)", *notes)
    return TrialRow(
        **base,
        population_id=population.id,
        population_label=population.label,
        analysis_id=row.analysis,
        analysis_label=analysis_label(trial, row.analysis),
        hazard_ratio=float(row.value) if row.value is not None else None,
        ci_lower=ci[0] if ci else None,
        ci_upper=ci[1] if ci else None,
        ci_level_percent=row.ci_level,
        p_text=row.p,
        status_text=status_text,
        n_experimental=n_exp,
        n_control=n_ctl,
        n_text=n_text,
        source_level=trial.source_level(row) if row.ref else None,
        ref=row.ref,
        locator=row.locator,
        study=study,
        pooled=pooled,
        not_pooled_reason="; ".join(reasons) if reasons else None,
        alternatives=tuple(
            _hr_summary(trial, r, populations[r.population]) for r in rows if r is not row
        ),
        notes=notes,
    )


def _study(label: str, row: Any) -> StudyEstimate:
    """Log HR and SE of a poolable row, using the quantile of the row's own CI level."""
    ci = _numeric_ci(row)
    if ci is None or row.ci_level is None or row.value is None:
        raise ValueError(f"row {row.population}/{row.analysis} has no HR with a CI and level")
    return study_from_hr_ci(label, float(row.value), ci[0], ci[1], row.ci_level / 100.0)


def _interval(population: Any) -> tuple[tuple[float, bool], tuple[float, bool]]:
    """PD-L1 score range as ((lower, closed), (upper, closed))."""
    cut = float(population.cutoff)
    if population.operator in (">=", ">"):
        lower = (cut, population.operator == ">=")
        if population.cutoff_upper is not None:
            upper = (float(population.cutoff_upper), population.upper_operator == "<=")
        else:
            upper = (math.inf, False)
        return lower, upper
    return (0.0, True), (cut, population.operator == "<=")


def _disjoint(a: Any, b: Any) -> bool:
    (_a_lo, _), (a_hi, a_hi_closed) = _interval(a)
    (b_lo, b_lo_closed), _ = _interval(b)
    return a_hi < b_lo or (a_hi == b_lo and not (a_hi_closed and b_lo_closed))


def _interactions(registry: Any, state: ForestState, pairs: Sequence[ArmPair]) -> list[Any]:
    parsed = parse_key(state.population)
    system = parsed[0] if parsed else None
    found: list[InteractionRow] = []
    for pair in pairs:
        trial = registry.trial(pair.trial_id)
        by_analysis: dict[str, list[tuple[Any, Any]]] = {}
        for row in trial.efficacy:
            if not (
                row.measure == "hr"
                and row.endpoint == state.endpoint
                and row.arm == pair.arm_id
                and row.comparator == pair.comparator_id
                and _poolable(row)
            ):
                continue
            population = trial.population_by_id(row.population)
            if (
                population.kind != "pdl1"
                or population.histology != "ESCC"
                or _nested_in(trial, population) is not None
                or (system is not None and population.scoring_system != system)
            ):
                continue
            by_analysis.setdefault(row.analysis, []).append((population, row))
        for analysis_id, members in by_analysis.items():
            for i, (pa, ra) in enumerate(members):
                for pb, rb in members[i + 1 :]:
                    if pa.scoring_system != pb.scoring_system:
                        continue
                    if _disjoint(pa, pb):
                        low, high = (pa, ra), (pb, rb)
                    elif _disjoint(pb, pa):
                        low, high = (pb, rb), (pa, ra)
                    else:
                        continue
                    (l_lo, _), (l_hi, _) = _interval(low[0])
                    (h_lo, _), (h_hi, _) = _interval(high[0])
                    complementary = l_lo == 0.0 and h_hi == math.inf and l_hi == h_lo
                    studies = [_study(key_label(pop.pdl1_key), r) for pop, r in (high, low)]
                    result = ratio_of_hazard_ratios(studies[0], studies[1], POOLED_CI_LEVEL)
                    found.append(
                        InteractionRow(
                            trial_id=trial.id,
                            trial_name=trial.name,
                            analysis_label=analysis_label(trial, analysis_id),
                            high_label=key_label(high[0].pdl1_key),
                            low_label=key_label(low[0].pdl1_key),
                            kind="complementary subgroups"
                            if complementary
                            else "disjoint bands (together not the whole trial)",
                            high_hr_text=hr_text(
                                studies[0].hazard_ratio,
                                studies[0].ci_lower,
                                studies[0].ci_upper,
                                high[1].ci_level,
                            ),
                            low_hr_text=hr_text(
                                studies[1].hazard_ratio,
                                studies[1].ci_lower,
                                studies[1].ci_upper,
                                low[1].ci_level,
                            ),
                            result=result,
                            refs=tuple(r for r in (high[1].ref, low[1].ref) if r),
                        )
                    )
    return found


@functools.lru_cache(maxsize=256)
def compute(registry: Any, state: ForestState) -> ForestResult:
    """Everything the view shows for a validated ``state`` (pure; memoised per registry)."""
    found = choices(registry)
    comparison = next((c for c in found.comparisons if c.key == state.comparison), None)
    if comparison is None:
        return ForestResult(state, None, (), None, None, (), (), ("No comparison selected.",), ())
    colours = provenance.arm_colours(registry)
    pairs = found.pairs[comparison.key]
    rows: list[TrialRow] = []
    pooled_trials: set[str] = set()
    for pair in pairs:
        row = _trial_row(
            registry,
            state,
            pair,
            colours.get((pair.trial_id, pair.arm_id), ("#000000", "solid"))[0],
            pooled_trials,
        )
        if row.pooled:
            pooled_trials.add(row.trial_id)
        rows.append(row)
    studies = tuple(r.study for r in rows if r.pooled and r.study is not None)
    messages: list[str] = []
    random = fixed = None
    loo: tuple[LeaveOneOut, ...] = ()
    k = len(studies)
    if k >= 2:
        random = pool(
            studies,
            method=state.method,  # type: ignore[arg-type]
            ci_level=POOLED_CI_LEVEL,
            knapp_hartung=state.knapp_hartung,
        )
        fixed = pool(studies, method="FE", ci_level=POOLED_CI_LEVEL)
        weights = dict(zip(random.labels, random.weights_percent, strict=True))
        rows = [
            replace(r, weight_percent=weights.get(r.trial_name)) if r.pooled else r for r in rows
        ]
        if state.leave_one_out:
            loo = leave_one_out(
                studies,
                method=state.method,  # type: ignore[arg-type]
                ci_level=POOLED_CI_LEVEL,
                knapp_hartung=state.knapp_hartung and k >= 3,
            )
        if k < 3:
            messages.append(
                "Only two trials can be pooled: the between-trial variance is barely estimable "
                "and no prediction interval is given (it needs at least three)."
            )
    elif k == 1:
        messages.append(
            "Only one trial gives a poolable hazard ratio for this selection: nothing to pool."
        )
    else:
        messages.append("No trial gives a poolable hazard ratio for this selection.")
    if state.across_systems and state.population != ITT:
        messages.append(ACROSS_WARNING + ".")
    refs: list[tuple[str, str]] = []
    for r in rows:
        if r.ref and (r.trial_id, r.ref) not in refs:
            refs.append((r.trial_id, r.ref))
    interactions = tuple(_interactions(registry, state, pairs))
    for item in interactions:
        for ref in item.refs:
            if (item.trial_id, ref) not in refs:
                refs.append((item.trial_id, ref))
    caveats = [
        "Each HR is randomised within its trial; pooling across trials mixes populations, "
        "chemotherapy backbones, assays and follow-up.",
        "Filled squares: pooled (size by random-effects weight); open squares: shown, not "
        "pooled (reason in the table); open diamonds: no CI printed; N –: not reported.",
        "Confidence intervals are shown at the level each source printed; pooled standard "
        "errors use each interval's own normal quantile.",
    ]
    if state.across_systems and state.population != ITT:
        caveats.insert(0, ACROSS_WARNING + ".")
    return ForestResult(
        state=state,
        comparison=comparison,
        rows=tuple(rows),
        random=random,
        fixed=fixed,
        loo=loo,
        interactions=interactions,
        messages=tuple(messages),
        refs=tuple(refs),
        caveats=tuple(caveats),
    )


# --------------------------------------------------------------------------------------------
# Figure, footnote and CSV rows (shared by the view and the export code)
# --------------------------------------------------------------------------------------------


def _method_label(state: ForestState) -> str:
    label = f"Random effects ({METHODS[state.method]}"
    if state.knapp_hartung:
        label += ", Knapp–Hartung"
    return label + ")"


def heterogeneity_text(result: MetaAnalysisResult) -> str:
    """tau², I² (clamped 0–100), Q with df and p, k — as one line."""
    i2 = min(100.0, max(0.0, result.i2_percent))
    q_p = "–" if result.q_p_value is None else f"{result.q_p_value:.3g}"
    return (
        f"τ²={result.tau2:.3g}, I²={i2:.0f}%, Q={result.q:.2f} (df {result.q_df}), "
        f"p={q_p}, k={result.k}"
    )


def _title(result: ForestResult) -> str:
    state = result.state
    comparison = result.comparison.label if result.comparison else ""
    return (
        f"{ENDPOINT_LABELS[state.endpoint]}: hazard ratios, {key_label(state.population)}, "
        f"{comparison}"
    )


def footnote_for(registry: Any, result: ForestResult) -> Footnote:
    return provenance.footnote_for(
        [(registry.trial(t), ref) for t, ref in result.refs],
        data_version=registry.data_version,
        caveats=result.caveats,
    )


def _footnote_text(footnote: Footnote) -> str:
    return "<br>".join(escape_plotly_text(line) for line in footnote.lines())


def _figure_label(row: TrialRow, rows: Sequence[TrialRow]) -> str:
    """One line per row: trial, analysis kind and cut-off (the arm only when a trial has two
    rows); the population and reasons are in the table under the figure and in the hover."""
    label = row.trial_name
    if sum(r.trial_id == row.trial_id for r in rows) > 1:
        label += f" ({row.arm_label})"
    if row.analysis_label:
        label += f" · {row.analysis_label.replace(' · ', ', ')}"
    return label


def _chart_n(text: str) -> str:
    """Compact N for the figure ("–" = not reported, explained in the footnote)."""
    if text == "N not reported":
        return "–"
    return (
        text.replace(" (NR = not reported)", "")
        .replace("NR", "–")
        .replace("(both arms)", "both arms")
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build_figure(registry: Any, result: ForestResult, *, with_footnote: bool = True) -> go.Figure:
    rows = [
        ForestRow(
            key=f"{r.trial_id}:{r.arm_id}",
            label=_figure_label(r, result.rows),
            detail=f"{r.arm_label} vs {r.comparator_label} · "
            + (r.population_label or "no matching population"),
            colour=r.colour,
            hazard_ratio=r.hazard_ratio,
            ci_lower=r.ci_lower,
            ci_upper=r.ci_upper,
            ci_level_percent=r.ci_level_percent,
            n_text=_chart_n(r.n_text),
            # The figure says "not reported"; the table under it gives the reason.
            status_text="not reported" if r.hazard_ratio is None else None,
            pooled=r.pooled,
            weight_percent=r.weight_percent,
            note=r.not_pooled_reason,
        )
        for r in result.rows
    ]
    pooled: list[PooledSummary] = []
    het = None
    if result.random is not None and result.fixed is not None:
        rand = result.random
        pooled.append(
            PooledSummary(
                key="random",
                label=_method_label(result.state),
                hazard_ratio=rand.hr,
                ci_lower=rand.hr_ci_lower,
                ci_upper=rand.hr_ci_upper,
                ci_level_percent=100 * rand.ci_level,
                pi_lower=rand.pi_hr_lower,
                pi_upper=rand.pi_hr_upper,
                pi_level_percent=100 * rand.ci_level,
                pi_note="t with k−2 df",
            )
        )
        pooled.append(
            PooledSummary(
                key="fixed",
                label="Fixed effect (inverse variance)",
                hazard_ratio=result.fixed.hr,
                ci_lower=result.fixed.hr_ci_lower,
                ci_upper=result.fixed.hr_ci_upper,
                ci_level_percent=100 * result.fixed.ci_level,
                fill=FIXED_FILL,
            )
        )
        het = heterogeneity_text(rand)
    across = result.state.across_systems and result.state.population != ITT
    options = ForestOptions(
        title=_title(result),
        warning=ACROSS_WARNING if across else None,
        heterogeneity_text=het,
        footnote=_footnote_text(footnote_for(registry, result)) if with_footnote else None,
    )
    return build_forest_figure(rows, pooled, options)


def csv_rows(result: ForestResult) -> list[dict[str, object]]:
    """The numbers behind the figure, one dict per row (studies, then pooled estimates)."""
    state = result.state
    out: list[dict[str, object]] = []
    for r in result.rows:
        out.append(
            {
                "row": "study",
                "trial": r.trial_name,
                "comparison": f"{r.arm_label} vs {r.comparator_label}",
                "endpoint": state.endpoint,
                "population_key": state.population,
                "population": r.population_label,
                "analysis": r.analysis_label,
                "hazard_ratio": r.hazard_ratio,
                "ci_lower": r.ci_lower,
                "ci_upper": r.ci_upper,
                "ci_level_percent": r.ci_level_percent,
                "se_log_hr": r.study.se_log_hr if r.study else None,
                "p_as_printed": r.p_text,
                "pooled": "yes" if r.pooled else "no",
                "weight_percent": r.weight_percent,
                "not_pooled_reason": r.not_pooled_reason or r.status_text,
                "n_experimental": r.n_experimental,
                "n_control": r.n_control,
                "source_level": r.source_level,
                "source_locator": r.locator,
            }
        )
    for label, res in (
        (_method_label(state), result.random),
        ("Fixed effect (inverse variance)", result.fixed),
    ):
        if res is None:
            continue
        out.append(
            {
                "row": "pooled",
                "trial": label,
                "endpoint": state.endpoint,
                "population_key": state.population,
                "hazard_ratio": res.hr,
                "ci_lower": res.hr_ci_lower,
                "ci_upper": res.hr_ci_upper,
                "ci_level_percent": 100 * res.ci_level,
                "se_log_hr": res.se_log,
                "pooled": f"k = {res.k}",
                "not_pooled_reason": heterogeneity_text(res),
            }
        )
    return out


CSV_COLUMNS: tuple[str, ...] = (
    "row",
    "trial",
    "comparison",
    "endpoint",
    "population_key",
    "population",
    "analysis",
    "hazard_ratio",
    "ci_lower",
    "ci_upper",
    "ci_level_percent",
    "se_log_hr",
    "p_as_printed",
    "pooled",
    "weight_percent",
    "not_pooled_reason",
    "n_experimental",
    "n_control",
    "source_level",
    "source_locator",
)


def figure_for(
    registry: Any, state: ForestState
) -> tuple[go.Figure, Footnote, list[dict[str, object]]]:
    """Export hook: (figure with its in-figure footnote, footnote, CSV rows) for ``state``.

    ``state`` must be validated (:func:`state_from_query` / :func:`state_from_inputs`).
    Columns of the CSV rows: :data:`CSV_COLUMNS`.
    """
    result = compute(registry, state)
    return build_figure(registry, result), footnote_for(registry, result), csv_rows(result)


def export_bundle(registry: Any, query: Mapping[str, str]) -> ExportBundle:
    """The chart as the export layer wants it, rebuilt from the page's query (defaults for
    anything the query gets wrong, exactly as the page shows it)."""
    state, _problems = state_from_query(registry, query)
    figure, footnote, rows = figure_for(registry, state)
    result = compute(registry, state)
    return ExportBundle(
        kind="forest",
        title=_title(result),
        figure=figure,
        footnote=footnote,
        columns=CSV_COLUMNS,
        rows=bundle_rows(rows),
        subject=tuple(r.trial_name for r in result.rows if r.pooled),
        endpoint=state.endpoint,
        population=state.population,
    )


# --------------------------------------------------------------------------------------------
# Tables and page sections
# --------------------------------------------------------------------------------------------


def _table(head: Sequence[str], body: Sequence[Sequence[Any]], caption: str | None = None) -> Any:
    children: list[Any] = []
    if caption:
        children.append(html.Caption(caption))
    children.append(html.Thead(html.Tr([html.Th(h) for h in head])))
    children.append(html.Tbody([html.Tr([html.Td(c) for c in row]) for row in body]))
    return dmc.Table(
        children,
        striped=True,
        highlightOnHover=True,
        withTableBorder=True,
        fz="xs",
        captionSide="top",
    )


def _p(value: float | None) -> str:
    if value is None:
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _rows_table(registry: Any, result: ForestResult) -> Any:
    body = []
    for r in result.rows:
        trial = registry.trial(r.trial_id)
        source: list[Any] = [provenance.source_badge(r.source_level)] if r.source_level else []
        if r.ref:
            source += [" ", *provenance.citation_links(trial, [r.ref])]
            if r.locator:
                source.append(html.Span(f" ({r.locator})"))
        hr_cell = (
            hr_text(r.hazard_ratio, r.ci_lower, r.ci_upper, r.ci_level_percent)
            if r.hazard_ratio is not None
            else (r.status_text or provenance.NR_NOT_REPORTED)
        )
        pooled_cell = (
            f"yes ({r.weight_percent:.1f}% weight)"
            if r.pooled and r.weight_percent is not None
            else ("yes" if r.pooled else f"no — {r.not_pooled_reason}")
        )
        if r.hazard_ratio is None:
            pooled_cell = "no"  # the reason is in the HR column
        notes = [html.Div(n) for n in r.notes]
        if r.alternatives:
            notes.append(html.Div("Also in the sources: " + "; ".join(r.alternatives)))
        body.append(
            [
                html.Div(
                    [
                        html.Span("■ ", style={"color": r.colour}),
                        html.Strong(r.trial_name),
                        html.Div(f"{r.arm_label} vs {r.comparator_label}"),
                    ]
                ),
                r.population_label or "–",
                r.analysis_label or "–",
                hr_cell,
                r.p_text or "–",
                r.n_text,
                pooled_cell,
                html.Div(source) if source else "–",
                html.Div(notes) if notes else "",
            ]
        )
    return _table(
        [
            "Trial / comparison",
            "Population",
            "Analysis",
            "HR (CI at published level)",
            "p (as printed)",
            "N exp / control",
            "Pooled",
            "Source",
            "Notes",
        ],
        body,
        caption="Hazard ratios shown in the figure (HR < 1 favours the experimental arm).",
    )


def _pooled_table(result: ForestResult) -> Any:
    if result.random is None or result.fixed is None:
        return dmc.Alert(
            " ".join(result.messages) or "Nothing to pool.", color="gray", variant="light"
        )
    body = []
    for label, res in (
        (_method_label(result.state), result.random),
        ("Fixed effect (inverse variance)", result.fixed),
    ):
        pi = (
            f"{format_hr(res.pi_hr_lower, 2)}–{format_hr(res.pi_hr_upper, 2)}"
            if res.pi_hr_lower is not None and res.pi_hr_upper is not None
            else "needs ≥3 trials"
        )
        body.append(
            [
                label,
                hr_text(res.hr, res.hr_ci_lower, res.hr_ci_upper, 100 * res.ci_level, 2),
                f"{res.test}: p = {_p(res.p_value)}",
                pi if res.method != "FE" else "–",
                f"{res.tau2:.4g}",
                f"{min(100.0, max(0.0, res.i2_percent)):.1f}%",
                f"{res.q:.2f} (df {res.q_df}), p = {_p(res.q_p_value)}",
                str(res.k),
            ]
        )
    return _table(
        ["Model", "Pooled HR", "Test", "95% prediction interval", "τ²", "I²", "Q", "k"],
        body,
        caption=(
            "Pooled estimates. Prediction interval: t with k−2 df (Higgins 2009, Riley 2011). "
            + " ".join(result.messages)
        ),
    )


def _loo_table(result: ForestResult) -> Any:
    if not result.state.leave_one_out:
        return None
    if not result.loo:
        return dmc.Alert(
            "Leave-one-out needs at least two pooled trials.", color="gray", variant="light"
        )
    body = [
        [
            item.omitted_label,
            hr_text(
                item.result.hr,
                item.result.hr_ci_lower,
                item.result.hr_ci_upper,
                100 * item.result.ci_level,
                2,
            ),
            f"{item.result.tau2:.4g}",
            f"{item.result.i2_percent:.1f}%",
            str(item.result.k),
        ]
        for item in result.loo
    ]
    return _table(
        ["Trial left out", "Pooled HR without it", "τ²", "I²", "k"],
        body,
        caption=f"Leave-one-out ({_method_label(result.state)}).",
    )


def _interaction_table(result: ForestResult) -> Any:
    title = dmc.Title("Subgroup-by-PD-L1 interaction (ratio of HRs, higher vs lower)", order=4)
    if not result.interactions:
        return dmc.Stack(
            [
                title,
                dmc.Text(
                    "No trial of this comparison reports the endpoint's HR for two disjoint "
                    "PD-L1 subgroups of the same scoring system in the same analysis "
                    "(e.g. CPS ≥10 and CPS <10), so no ratio of HRs can be formed.",
                    size="sm",
                    c="dimmed",
                ),
            ],
            gap=4,
        )
    body = [
        [
            item.trial_name,
            item.analysis_label,
            f"{item.high_label} vs {item.low_label}",
            item.kind,
            item.high_hr_text,
            item.low_hr_text,
            f"{item.result.ratio:.2f} ({item.result.ci_lower:.2f}–{item.result.ci_upper:.2f})",
            _p(item.result.p_value),
        ]
        for item in result.interactions
    ]
    return dmc.Stack(
        [
            title,
            _table(
                [
                    "Trial",
                    "Analysis",
                    "Groups",
                    "Kind",
                    "HR higher group",
                    "HR lower group",
                    "Ratio of HRs (95% CI)",
                    "p (z test)",
                ],
                body,
            ),
            dmc.Text(INDEPENDENCE_CAVEAT, size="xs", c="dimmed"),
        ],
        gap=4,
    )


def _caption(registry: Any, result: ForestResult) -> Any:
    parts: list[Any] = []
    for trial_id, ref in result.refs:
        parts.extend(provenance.citation_links(registry.trial(trial_id), [ref]))
    levels = sorted({r.ci_level_percent for r in result.rows if r.ci_level_percent is not None})
    notes = list(result.caveats)
    if any(level != 95.0 for level in levels):
        notes.append(
            "Rows printed at other levels than 95% keep their level ("
            + ", ".join(f"{lv:g}%" for lv in levels)
            + ")."
        )
    return provenance.caption(parts, data_version=registry.data_version, notes=notes)


def _messages(result: ForestResult) -> Any:
    alerts: list[Any] = []
    if result.state.across_systems and result.state.population != ITT:
        alerts.append(dmc.Alert(ACROSS_WARNING, color="red", variant="filled", title="Caution"))
    found_single = [m for m in result.messages if not m.startswith("POOLED ACROSS")]
    if found_single:
        alerts.append(dmc.Alert(" ".join(found_single), color="gray", variant="light"))
    return alerts


def _outputs(registry: Any, state: ForestState) -> dict[str, Any]:
    result = compute(registry, state)
    return {
        # A plain dict: the layout walkers (ID checks) only traverse Dash components.
        "figure": build_figure(registry, result, with_footnote=False).to_dict(),
        "style": {"height": f"{figure_height_px(len(result.rows) + 6)}px"},
        "caption": _caption(registry, result),
        "table": _rows_table(registry, result),
        "pooled": _pooled_table(result),
        "loo": _loo_table(result),
        "interaction": _interaction_table(result),
        "message": _messages(result),
    }


# --------------------------------------------------------------------------------------------
# The seed studies' own subgroups (single-arm: no HR)
# --------------------------------------------------------------------------------------------


def counts_matching_percent(percent: float, max_n: int, decimals: int = 1) -> list[tuple[int, int]]:
    """Every (k, n) with 1 <= n <= max_n whose 100 k / n prints as ``percent`` (half up).

    Used only to label group sizes as *derived* when a source prints percentages without
    counts; the caller shows the derivation and never stores it as data.
    """
    scale = 10**decimals
    target = round(percent * scale)
    found = []
    for n in range(1, max_n + 1):
        for k in range(n + 1):
            if math.floor(100 * k * scale / n + 0.5 + 1e-9) == target:
                found.append((k, n))
    return found


def _median_text(trial: Any, endpoint: str, population: str) -> str:
    rows = [
        r
        for r in trial.efficacy
        if r.endpoint == endpoint and r.measure == "median" and r.population == population
    ]
    if not rows:
        return provenance.NR_NOT_REPORTED
    row = rows[0]
    if row.status == "not_reached":
        return provenance.NR_NOT_REACHED
    if row.status != "reported" or row.value is None:
        return f"{provenance.NR_NOT_REPORTED} ({row.reason or 'no reason recorded'})"
    text = f"{row.value:g} months"
    ci = row.ci
    if ci is not None:
        text += f" ({ci[0]}–{ci[1]}, {row.ci_level:g}% CI)"
    return text


def _p_text(row: Any) -> str:
    """A p-value as printed: its qualifier kept ("p < 0.0001"), or the printed string."""
    if row.value is None:
        return f"p {row.p}" if row.p else "p not reported"
    return f"p {row.qualifier or '='} {row.value:g}"


def _between_p(trial: Any, population: str, other: str) -> list[str]:
    out = []
    for r in trial.efficacy:
        if (
            r.measure == "p_value"
            and r.population == population
            and r.comparator_population == other
        ):
            out.append(f"{r.endpoint} {_p_text(r)}")
    for r in trial.response:
        if (
            r.measure == "p_value"
            and r.population == population
            and r.comparator_population == other
        ):
            out.append(f"{r.category} {_p_text(r)}")
    return out


def _orr_row(trial: Any, population: str) -> Any | None:
    rows = [
        r
        for r in trial.response
        if r.category == "ORR" and r.measure == "rate" and r.population == population
    ]
    return rows[-1] if rows else None


def _seed_points(registry: Any) -> list[ResponsePoint]:
    colours = provenance.arm_colours(registry)
    points: list[ResponsePoint] = []
    specs = (
        ("nct05013697", ("cps_lt1", "cps_ge1", "cps_lt10", "cps_ge10"), "NCT05013697: ORR by CPS"),
        ("alter_e003", ("signature_pos", "signature_neg"), "ALTER-E-003: ORR by signature"),
    )
    for trial_id, pops, group in specs:
        if trial_id not in registry.trial_ids:
            continue
        trial = registry.trial(trial_id)
        colour = colours.get((trial.id, trial.arms[0].id), ("#000000", "solid"))[0]
        for pop_id in pops:
            row = _orr_row(trial, pop_id)
            label = trial.population_by_id(pop_id).label
            if row is None or row.status != "reported" or row.value is None:
                points.append(
                    ResponsePoint(
                        f"{trial_id}:{pop_id}",
                        label,
                        "",
                        group,
                        colour,
                        None,
                        status_text=provenance.NR_NOT_REPORTED,
                    )
                )
                continue
            if row.n is not None and row.N:
                cp = clopper_pearson(row.n, row.N)
                points.append(
                    ResponsePoint(
                        f"{trial_id}:{pop_id}",
                        label,
                        "counts printed",
                        group,
                        colour,
                        100.0 * row.n / row.N,
                        cp.ci_lower_percent,
                        cp.ci_upper_percent,
                        95.0,
                        CI_FROM_COUNTS,
                        f"{row.n}/{row.N}",
                    )
                )
            else:
                points.append(
                    ResponsePoint(
                        f"{trial_id}:{pop_id}",
                        label,
                        "percentage printed without counts or CI",
                        group,
                        colour,
                        float(row.value),
                        count_text="–",
                    )
                )
    return points


def _signature_sizes(trial: Any) -> str | None:
    """Derived group sizes of the ALTER-E-003 signature subgroups, if uniquely determined."""
    pos, neg = _orr_row(trial, "signature_pos"), _orr_row(trial, "signature_neg")
    itt = [r for r in trial.response if r.population == "itt" and r.N]
    if pos is None or neg is None or pos.value is None or neg.value is None or not itt:
        return None
    total = int(itt[0].N)
    combos = [
        (a, b)
        for a in counts_matching_percent(pos.value, total)
        for b in counts_matching_percent(neg.value, total)
        if a[1] + b[1] <= total
    ]
    if len(combos) != 1:
        return None
    (kp, np_), (kn, nn) = combos[0]
    cp_pos, cp_neg = clopper_pearson(kp, np_), clopper_pearson(kn, nn)
    return (
        f"Derived, not printed: the only group sizes (together at most {total} patients) whose "
        f"percentages round to the printed {pos.value:g}% and {neg.value:g}% are {kp}/{np_} "
        f"(signature present) and {kn}/{nn} (absent); {total - np_ - nn} patients would have no "
        f"signature result. Clopper–Pearson 95% CIs from these derived counts: "
        f"{cp_pos.ci_lower_percent:.1f}–{cp_pos.ci_upper_percent:.1f}% and "
        f"{cp_neg.ci_lower_percent:.1f}–{cp_neg.ci_upper_percent:.1f}%."
    )


def _seed_table(registry: Any, trial_id: str, pops: Sequence[str], title: str) -> Any:
    trial = registry.trial(trial_id)
    body = []
    for pop_id in pops:
        population = trial.population_by_id(pop_id)
        orr = _orr_row(trial, pop_id)
        if orr is None:
            orr_text = provenance.NR_NOT_REPORTED
        elif orr.n is not None and orr.N:
            cp = clopper_pearson(orr.n, orr.N)
            orr_text = (
                f"{orr.n}/{orr.N} = {100 * orr.n / orr.N:.1f}% "
                f"(Clopper–Pearson 95% CI {cp.ci_lower_percent:.1f}–{cp.ci_upper_percent:.1f})"
            )
        elif orr.value is not None:
            orr_text = f"{orr.value:g}% (counts and CI not printed)"
        else:
            orr_text = f"{provenance.NR_NOT_REPORTED} ({orr.reason})"
        size_fact = [
            f
            for f in trial.facts
            if f.section == "population_size" and f.population == pop_id and f.value is not None
        ]
        if size_fact:
            n_text = f"{size_fact[0].value:g}" + (" (derived)" if size_fact[0].derived else "")
        elif orr is not None and orr.N:
            n_text = f"{orr.N} (ORR denominator)"
        else:
            pfs = [
                r
                for r in trial.efficacy
                if r.population == pop_id and r.measure == "median" and r.N
            ]
            n_text = f"{pfs[0].N} (median denominator)" if pfs else "not printed"
        body.append(
            [
                population.label,
                n_text,
                orr_text,
                _median_text(trial, "PFS", pop_id),
                _median_text(trial, "OS", pop_id),
            ]
        )
    p_values = _between_p(trial, pops[0], pops[1]) if len(pops) == 2 else []
    refs = sorted(
        {r.ref for r in (*trial.efficacy, *trial.response) if r.population in pops and r.ref}
    )
    children: list[Any] = [
        dmc.Title(title, order=5),
        _table(["Subgroup", "N", "ORR", "Median PFS", "Median OS"], body),
    ]
    if p_values:
        children.append(
            dmc.Text("Between-subgroup p-values as printed: " + "; ".join(p_values), size="xs")
        )
    sources = provenance.citation_links(trial, refs)
    children.append(
        provenance.caption(
            sources, data_version=registry.data_version, notes=["Single-arm study: no HR."]
        )
    )
    return dmc.Stack(children, gap=4)


def seeds_section(registry: Any) -> Any:
    """Static section: the seed studies' own subgroups (ORR by CPS, signature, liver mets)."""
    children: list[Any] = [
        dmc.Title("The seed studies' own subgroups", order=3),
        dmc.Text(
            "Both benmelstobart + anlotinib studies are single-arm: they have no randomised "
            "hazard ratio and cannot enter the forest above. Their subgroup results are shown as "
            "printed, with exact intervals where counts are printed.",
            size="sm",
        ),
    ]
    points = _seed_points(registry)
    if points:
        figure = build_response_figure(
            points, ResponseOptions(measure_label="Objective response rate")
        )
        n_rows = len(points) + len({p.group for p in points})
        children.append(
            graph(
                ids.FOREST_SEED_GRAPH,
                figure.to_dict(),
                filename="escc-seed-subgroups",
                height=f"{response_height_px(n_rows)}px",
            )
        )
    if "nct05013697" in registry.trial_ids:
        children.append(
            _seed_table(
                registry,
                "nct05013697",
                ("cps_lt1", "cps_ge1", "cps_lt10", "cps_ge10"),
                "NCT05013697 (benmelstobart + anlotinib + paclitaxel/cisplatin): PD-L1 CPS (SP263)",
            )
        )
        children.append(
            dmc.Text(
                "PD-L1 CPS was available for 38 of 50 patients (12 with CPS ≥1 + 26 with CPS "
                "<1, the printed subgroup denominators). The median PFS orientation for "
                "CPS ≥10 vs <10 is inferred from word order in the source (see the data notes).",
                size="xs",
                c="dimmed",
            )
        )
        children.append(
            _seed_table(
                registry,
                "nct05013697",
                ("liver_mets", "no_liver_mets"),
                "NCT05013697: liver metastases at baseline",
            )
        )
    if "alter_e003" in registry.trial_ids:
        trial = registry.trial("alter_e003")
        children.append(
            _seed_table(
                registry,
                "alter_e003",
                ("signature_pos", "signature_neg"),
                "ALTER-E-003 (benmelstobart + anlotinib, chemo-free): TP53+/FAT1+/NOTCH3− "
                "mutational signature (NGS, exploratory)",
            )
        )
        sizes = _signature_sizes(trial)
        children.append(
            dmc.Text(
                sizes
                or "Group sizes are not printed and cannot be derived uniquely from the "
                "percentages.",
                size="xs",
                c="dimmed",
            )
        )
    return html.Div(dmc.Stack(children, gap="sm"), id=ids.FOREST_SEEDS)


# --------------------------------------------------------------------------------------------
# Layout and callbacks
# --------------------------------------------------------------------------------------------


def _population_data(found: ForestChoices) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = [
        {"group": "Whole population", "items": [{"value": ITT, "label": key_label(ITT)}]}
    ]
    for system in SYSTEM_ORDER:
        items = [
            {"value": k, "label": key_label(k)}
            for k in found.population_keys
            if parse_key(k) and parse_key(k)[0] == system  # type: ignore[index]
        ]
        if items:
            groups.append({"group": SYSTEM_NAMES[system], "items": items})
    return groups


def _analysis_selects(registry: Any, found: ForestChoices, state: ForestState) -> Any:
    chosen = dict(state.analyses)
    selects = []
    for trial_id, analysis_ids in found.analyses.items():
        trial = registry.trial(trial_id)
        data = [{"value": AUTO, "label": "Default (primary report with a CI)"}]
        data += [
            {"value": a, "label": f"{trial.analysis(a).label} — {analysis_label(trial, a)}"}
            for a in analysis_ids
        ]
        selects.append(
            dmc.Select(
                id={"type": ids.FOREST_ANALYSIS, "trial": trial_id},
                label=trial.display_name,
                data=data,
                value=chosen.get(trial_id, AUTO),
                allowDeselect=False,
                w=420,
                size="xs",
            )
        )
    return dmc.Accordion(
        dmc.AccordionItem(
            [
                dmc.AccordionControl("Analysis per trial (interim / final / update)"),
                dmc.AccordionPanel(
                    dmc.Stack(
                        [
                            dmc.Text(
                                "Default: a row flagged headline, else the trial's primary "
                                "report (primary, then interim, final, update) among the "
                                "analyses that print a CI.",
                                size="xs",
                                c="dimmed",
                            ),
                            dmc.SimpleGrid(selects, cols=2),
                        ],
                        gap=6,
                    )
                ),
            ],
            value="analyses",
        ),
        value="analyses" if chosen else None,
    )


def layout(registry: Any, query: Mapping[str, str]) -> Any:
    """The view for ``query`` (never raises: unknown values fall back to the defaults)."""
    found = choices(registry)
    try:
        state, problems = state_from_query(registry, query if isinstance(query, Mapping) else {})
    except Exception:  # a link must never break the page
        state, problems = default_state(registry), ["the whole link"]
    outputs = _outputs(registry, state)
    notice = (
        dmc.Alert(
            "Some settings in the link were not recognised and were reset: "
            + "; ".join(problems[:8]),
            color="yellow",
            title="Link settings reset",
        )
        if problems
        else None
    )
    controls = dmc.Group(
        [
            dmc.Stack(
                [
                    dmc.Text("Endpoint", size="sm", fw=500),
                    dmc.SegmentedControl(
                        id=ids.FOREST_ENDPOINT,
                        data=[{"value": e, "label": e} for e in ENDPOINTS],
                        value=state.endpoint,
                    ),
                ],
                gap=2,
            ),
            dmc.Select(
                id=ids.FOREST_COMPARISON,
                label="Comparison (regimen class vs control)",
                data=[{"value": c.key, "label": c.label} for c in found.comparisons],
                value=state.comparison,
                allowDeselect=False,
                w=320,
            ),
            dmc.Select(
                id=ids.FOREST_POPULATION,
                label="Population (PD-L1 by scoring system and cut-off)",
                data=_population_data(found),
                value=state.population,
                allowDeselect=False,
                searchable=True,
                w=320,
            ),
            dmc.Stack(
                [
                    dmc.Text("Random-effects τ² estimator", size="sm", fw=500),
                    dmc.SegmentedControl(
                        id=ids.FOREST_METHOD,
                        data=[{"value": k, "label": v} for k, v in METHODS.items()],
                        value=state.method,
                    ),
                ],
                gap=2,
            ),
        ],
        align="flex-end",
    )
    switches = dmc.Group(
        [
            dmc.Switch(
                id=ids.FOREST_KNAPP_HARTUNG,
                label="Knapp–Hartung adjustment",
                checked=state.knapp_hartung,
            ),
            dmc.Switch(
                id=ids.FOREST_LEAVE_ONE_OUT,
                label="Leave-one-out",
                checked=state.leave_one_out,
            ),
            dmc.Switch(
                id=ids.FOREST_ACROSS_SYSTEMS,
                label="Pool across PD-L1 scoring systems (same cut-off; exploratory)",
                checked=state.across_systems,
                color="red",
            ),
        ]
    )
    single = ", ".join(found.single_arm)
    no_hr = ", ".join(found.no_hr)
    return dmc.Stack(
        [
            dcc.Location(id=ids.FOREST_URL, refresh=False),
            dmc.Title("Subgroups & forest", order=2),
            dmc.Text(
                "Published hazard ratios trial by trial for one endpoint and one population, "
                "each with its interval at the level the source printed, and pooled estimates "
                "within one scoring system.",
                size="sm",
                c="dimmed",
            ),
            notice,
            controls,
            switches,
            _analysis_selects(registry, found, state),
            html.Div(outputs["message"], id=ids.FOREST_MESSAGE),
            export_controls("forest"),
            graph(
                ids.FOREST_GRAPH,
                outputs["figure"],
                filename="escc-forest",
                height=outputs["style"]["height"],
            ),
            html.Div(outputs["caption"], id=ids.FOREST_CAPTION),
            html.Div(outputs["table"], id=ids.FOREST_TABLE),
            html.Div(outputs["pooled"], id=ids.FOREST_POOLED),
            html.Div(outputs["loo"], id=ids.FOREST_LOO),
            html.Div(outputs["interaction"], id=ids.FOREST_INTERACTION),
            dmc.Text(
                f"No randomised hazard ratio: single-arm studies ({single}). "
                + (f"Randomised, but no HR in the curated sources: {no_hr}." if no_hr else ""),
                size="sm",
                c="dimmed",
            ),
            seeds_section(registry),
        ],
        gap="md",
    )


def register_callbacks(app: Dash, registry: Any) -> None:
    analysis_pattern = {"type": ids.FOREST_ANALYSIS, "trial": ALL}

    @app.callback(
        Output(ids.FOREST_GRAPH, "figure"),
        Output(ids.FOREST_GRAPH, "style"),
        Output(ids.FOREST_CAPTION, "children"),
        Output(ids.FOREST_TABLE, "children"),
        Output(ids.FOREST_POOLED, "children"),
        Output(ids.FOREST_LOO, "children"),
        Output(ids.FOREST_INTERACTION, "children"),
        Output(ids.FOREST_MESSAGE, "children"),
        Output(ids.FOREST_URL, "search"),
        Input(ids.FOREST_ENDPOINT, "value"),
        Input(ids.FOREST_COMPARISON, "value"),
        Input(ids.FOREST_POPULATION, "value"),
        Input(ids.FOREST_METHOD, "value"),
        Input(ids.FOREST_KNAPP_HARTUNG, "checked"),
        Input(ids.FOREST_LEAVE_ONE_OUT, "checked"),
        Input(ids.FOREST_ACROSS_SYSTEMS, "checked"),
        Input(analysis_pattern, "value"),
        State(analysis_pattern, "id"),
        prevent_initial_call=True,
    )
    def update(
        endpoint: object,
        comparison: object,
        population: object,
        method: object,
        knapp_hartung: object,
        loo: object,
        across: object,
        analysis_values: object,
        analysis_ids: object,
    ) -> tuple[Any, ...]:
        state, problems = state_from_inputs(
            registry,
            endpoint=endpoint,
            comparison=comparison,
            population=population,
            method=method,
            knapp_hartung=knapp_hartung,
            loo=loo,
            across=across,
            analysis_values=analysis_values,
            analysis_ids=analysis_ids,
        )
        if state is None:
            alert = dmc.Alert(
                "Invalid selection (" + ", ".join(sorted(set(problems))) + "): nothing was "
                "recomputed. Choose from the lists.",
                color="red",
                title="Invalid selection",
            )
            return (no_update,) * 7 + (alert, no_update)
        out = _outputs(registry, state)
        return (
            out["figure"],
            out["style"],
            out["caption"],
            out["table"],
            out["pooled"],
            out["loo"],
            out["interaction"],
            out["message"],
            state_to_search(state),
        )
