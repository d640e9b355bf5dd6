"""The forest view model: ``build(registry, state) -> ForestModel``.

One row per randomised comparison of the chosen regimen class (experimental arm vs its trial's
control arm) for the chosen endpoint and population; trials of the comparison that lack the
subgroup are "not reported" rows, never dropped. Each HR keeps its interval at its published
level (CheckMate 648: 99.1 %); pooling converts it to a standard error with that level's normal
quantile (:func:`analysis.meta.study_from_hr_ci`). A trial contributes at most one comparison
to a pool (a second arm of the same trial shares the control arm, so the two HRs are not
independent). Random effects (REML default, Paule–Mandel, DerSimonian–Laird; optional
Knapp–Hartung) are shown with the fixed effect beside them, a prediction interval from three
trials, leave-one-out on demand; pooling across scoring systems only when switched on,
labelled loudly. Subgroup-by-PD-L1 interactions are ratios of HRs of disjoint subgroups of one
trial (:mod:`analysis.views.forest.rules`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypedDict

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
from analysis.views.forest import rules
from analysis.views.forest.keys import ITT, key_of, key_text
from analysis.views.forest.state import (
    ENDPOINT_LABELS,
    METHODS,
    ArmPair,
    Comparison,
    ForestState,
    choices,
)
from analysis.views.forest.text import format_hr, hr_text
from data import Registry, Trial
from data.schema import EfficacyResult, Population

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
CAVEATS = (
    "Each HR is randomised within its trial; pooling across trials mixes populations, "
    "chemotherapy backbones, assays and follow-up.",
    "Filled squares: pooled (size by random-effects weight); open squares: shown, not "
    "pooled (reason in the table); open diamonds: no CI printed; N –: not reported.",
    "Confidence intervals are shown at the level each source printed; pooled standard "
    "errors use each interval's own normal quantile.",
    "Each trial shows its latest analysis (data cut-off) with a usable CI; later HRs printed "
    "without one are listed under it. Pick an earlier cut-off per trial under 'Analysis per "
    "trial'.",
)
FIXED_LABEL = "Fixed effect (inverse variance)"


@dataclass(frozen=True)
class TrialRow:
    """One row of the forest: a comparison of one trial, its chosen HR (or why there is none).

    ``alternatives`` lists the trial's other HRs for the comparison ("population, analysis:
    HR"), so a reader sees what the default choice left out.
    """

    trial_id: str
    trial_name: str
    arm_id: str
    arm_label: str
    comparator_id: str
    comparator_label: str
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
    p_sided: str | None
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
    """A ratio of HRs (higher vs lower PD-L1 group) within one trial and analysis."""

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
class ForestModel:
    """Everything the view shows for one validated state (no colours, no markup)."""

    state: ForestState
    comparison: Comparison | None
    rows: tuple[TrialRow, ...]
    random: MetaAnalysisResult | None
    fixed: MetaAnalysisResult | None
    loo: tuple[LeaveOneOut, ...]
    interactions: tuple[InteractionRow, ...]
    messages: tuple[str, ...]
    refs: tuple[tuple[str, str], ...]  # (trial id, publication key) in display order
    caveats: tuple[str, ...] = ()
    population_label: str = ""  # the chosen key, readable ("CPS ≥10")

    @property
    def title(self) -> str:
        comparison = self.comparison.label if self.comparison else ""
        return (
            f"{ENDPOINT_LABELS[self.state.endpoint]}: hazard ratios, {self.population_label}, "
            f"{comparison}"
        )

    @property
    def method_label(self) -> str:
        return method_label(self.state)

    @property
    def ci_levels(self) -> tuple[float, ...]:
        """The distinct interval levels of the rows, ascending."""
        return tuple(
            sorted({r.ci_level_percent for r in self.rows if r.ci_level_percent is not None})
        )


def method_label(state: ForestState) -> str:
    """ "Random effects (REML, Knapp–Hartung)"."""
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


# -- one row per comparison -------------------------------------------------------------------


class _PairFields(TypedDict):
    trial_id: str
    trial_name: str
    arm_id: str
    arm_label: str
    comparator_id: str
    comparator_label: str


def _pair_fields(trial: Trial, pair: ArmPair) -> _PairFields:
    """The fields of a :class:`TrialRow` that name its trial and arm pair (the same whether or
    not the row has an HR)."""
    arm, comparator = trial.arm(pair.arm_id), trial.arm(pair.comparator_id)
    return _PairFields(
        trial_id=trial.id,
        trial_name=trial.name,
        arm_id=arm.id,
        arm_label=arm.label,
        comparator_id=comparator.id,
        comparator_label=comparator.label,
    )


def _n_text(
    trial: Trial, population: Population | None, pair: ArmPair
) -> tuple[int | None, int | None, str]:
    if population is None:
        return None, None, "N not reported"
    n_exp = rules.arm_n(trial, population, pair.arm_id)
    n_ctl = rules.arm_n(trial, population, pair.comparator_id)
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


def _hr_summary(trial: Trial, row: EfficacyResult, population: Population) -> str:
    ci = rules.numeric_ci(row)
    value = row.value
    if row.status != "reported" or value is None:
        text = "not reported"
    elif ci is None:
        text = f"{format_hr(value)} (CI not reported)"
    else:
        text = hr_text(value, ci[0], ci[1], row.ci_level)
    return f"{population.label}, {rules.analysis_label(trial, row.analysis)}: {text}"


def _missing_row(
    registry: Registry,
    state: ForestState,
    trial: Trial,
    pair: ArmPair,
    rows: Sequence[EfficacyResult],
    populations: dict[str, Population],
    chosen_analysis: str | None,
) -> TrialRow:
    """The row of a trial without an HR for the selection, with the reason."""
    if rows and chosen_analysis is not None:
        label = rules.analysis_label(trial, chosen_analysis)
        reason = f"not reported at the chosen analysis ({label})"
    elif not populations:
        what = "ITT population" if state.population == ITT else key_text(registry, state.population)
        reason = f"{what} subgroup not reported for this trial in the curated sources"
    else:
        labels = ", ".join(p.label for p in populations.values())
        reason = f"{state.endpoint} HR not reported for {labels}"
    best = next(iter(populations.values()), None)
    n_exp, n_ctl, n_text = _n_text(trial, best, pair)
    return TrialRow(
        **_pair_fields(trial, pair),
        population_id=best.id if best else None,
        population_label=best.label if best else None,
        analysis_id=chosen_analysis,
        analysis_label=rules.analysis_label(trial, chosen_analysis) if chosen_analysis else None,
        hazard_ratio=None,
        ci_lower=None,
        ci_upper=None,
        ci_level_percent=None,
        p_text=None,
        p_sided=None,
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


def trial_row(
    registry: Registry, state: ForestState, pair: ArmPair, already_pooled: set[str]
) -> TrialRow:
    """The row that stands for ``pair`` in the forest, and whether (and why not) it is pooled.

    Candidates are the trial's HR rows for this arm vs its comparator, the chosen endpoint and
    a population answering the chosen key (:func:`rules.candidate_populations`); an explicit
    analysis choice keeps only that analysis. The smallest :func:`rules.row_rank` wins; the
    others are listed as alternatives. A row is pooled only if it is poolable, ESCC-only,
    whole-trial, and its trial has no other arm already in the pool (``already_pooled``).
    """
    trial = registry.trial(pair.trial_id)
    populations = {p.id: p for p in rules.candidate_populations(registry, trial, state)}
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
    system = rules.chosen_system(registry, state)
    eligible = [r for r in rows if chosen_analysis is None or r.analysis == chosen_analysis]
    ranked = sorted(
        eligible, key=lambda r: rules.row_rank(trial, system, r, populations[r.population])
    )
    if not ranked:
        return _missing_row(registry, state, trial, pair, rows, populations, chosen_analysis)
    row = ranked[0]
    population = populations[row.population]
    ci = rules.numeric_ci(row)
    reasons: list[str] = []
    study: StudyEstimate | None = None
    status_text: str | None = None
    if row.status != "reported" or row.value is None:
        status_text = f"not reported: {row.reason or 'no reason recorded'}"
        reasons.append("HR not reported")
    elif not rules.poolable(row):
        if ci is None:
            reasons.append("no confidence interval printed")
        elif row.ci_level is None:
            reasons.append("CI level not reported (no standard error)")
        else:
            reasons.append("qualified value or zero-width CI")
    elif ci is not None and row.ci_level is not None:  # always true when poolable
        study = study_from_hr_ci(trial.name, float(row.value), ci[0], ci[1], row.ci_level / 100.0)
    parent = rules.nested_in(trial, population)
    if population.histology != "ESCC":
        reasons.append(f"{population.histology} (not ESCC-only)")
    if parent is not None:
        reasons.append(f"restricted to {parent.label.lower()}")
    if trial.id in already_pooled:
        reasons.append("shares the control arm with another arm of this trial already pooled")
    n_exp, n_ctl, n_text = _n_text(trial, population, pair)
    notes = tuple(n for n in (row.note, row.curation_note) if n)
    if state.across and population.scoring_system and population.scoring_system != system:
        notes = (f"scoring system {population.scoring_system} (pooled across systems)", *notes)
    return TrialRow(
        **_pair_fields(trial, pair),
        population_id=population.id,
        population_label=population.label,
        analysis_id=row.analysis,
        analysis_label=rules.analysis_label(trial, row.analysis),
        hazard_ratio=float(row.value) if row.value is not None else None,
        ci_lower=ci[0] if ci else None,
        ci_upper=ci[1] if ci else None,
        ci_level_percent=row.ci_level,
        p_text=row.p,
        p_sided=row.p_sided,
        status_text=status_text,
        n_experimental=n_exp,
        n_control=n_ctl,
        n_text=n_text,
        source_level=trial.source_level(row) if row.ref else None,
        ref=row.ref,
        locator=row.locator,
        study=study,
        pooled=study is not None and not reasons,
        not_pooled_reason="; ".join(reasons) if reasons else None,
        alternatives=tuple(
            _hr_summary(trial, r, populations[r.population]) for r in rows if r is not row
        ),
        notes=notes,
    )


# -- subgroup-by-PD-L1 interactions -----------------------------------------------------------


def _study(label: str, row: EfficacyResult) -> StudyEstimate:
    """Log HR and SE of a poolable row, using the quantile of the row's own CI level."""
    ci = rules.numeric_ci(row)
    if ci is None or row.ci_level is None or row.value is None:
        raise ValueError(f"row {row.population}/{row.analysis} has no HR with a CI and level")
    return study_from_hr_ci(label, float(row.value), ci[0], ci[1], row.ci_level / 100.0)


def _pdl1_label(registry: Registry, population: Population) -> str:
    parsed = key_of(population)
    return key_text(registry, parsed.key) if parsed else population.label


def _interaction(
    registry: Registry,
    trial: Trial,
    analysis_id: str,
    low: tuple[Population, EfficacyResult],
    high: tuple[Population, EfficacyResult],
) -> InteractionRow:
    high_label, low_label = _pdl1_label(registry, high[0]), _pdl1_label(registry, low[0])
    high_study, low_study = _study(high_label, high[1]), _study(low_label, low[1])
    return InteractionRow(
        trial_id=trial.id,
        trial_name=trial.name,
        analysis_label=rules.analysis_label(trial, analysis_id),
        high_label=high_label,
        low_label=low_label,
        kind="complementary subgroups"
        if rules.complementary(low[0], high[0])
        else "disjoint bands (together not the whole trial)",
        high_hr_text=hr_text(
            high_study.hazard_ratio, high_study.ci_lower, high_study.ci_upper, high[1].ci_level
        ),
        low_hr_text=hr_text(
            low_study.hazard_ratio, low_study.ci_lower, low_study.ci_upper, low[1].ci_level
        ),
        result=ratio_of_hazard_ratios(high_study, low_study, POOLED_CI_LEVEL),
        refs=tuple(r for r in (high[1].ref, low[1].ref) if r),
    )


def interactions(
    registry: Registry, state: ForestState, pairs: Sequence[ArmPair]
) -> list[InteractionRow]:
    """Every ratio of HRs between two disjoint PD-L1 subgroups of one scoring system, within
    one trial, comparison, endpoint and analysis (:func:`rules.interaction_candidate`)."""
    system = rules.chosen_system(registry, state)
    found: list[InteractionRow] = []
    for pair in pairs:
        trial = registry.trial(pair.trial_id)
        by_analysis: dict[str, list[tuple[Population, EfficacyResult]]] = {}
        for row in trial.efficacy:
            if not (
                row.measure == "hr"
                and row.endpoint == state.endpoint
                and row.arm == pair.arm_id
                and row.comparator == pair.comparator_id
                and rules.poolable(row)
            ):
                continue
            population = trial.population_by_id(row.population)
            if rules.interaction_candidate(trial, population, system):
                by_analysis.setdefault(row.analysis, []).append((population, row))
        for analysis_id, members in by_analysis.items():
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    if a[0].scoring_system != b[0].scoring_system:
                        continue
                    if rules.disjoint(a[0], b[0]):
                        found.append(_interaction(registry, trial, analysis_id, a, b))
                    elif rules.disjoint(b[0], a[0]):
                        found.append(_interaction(registry, trial, analysis_id, b, a))
    return found


# -- the model --------------------------------------------------------------------------------


def _pooling(
    state: ForestState, rows: list[TrialRow]
) -> tuple[
    list[TrialRow],
    MetaAnalysisResult | None,
    MetaAnalysisResult | None,
    tuple[LeaveOneOut, ...],
    list[str],
]:
    studies = tuple(r.study for r in rows if r.pooled and r.study is not None)
    k = len(studies)
    if k == 0:
        return rows, None, None, (), ["No trial gives a poolable hazard ratio for this selection."]
    if k == 1:
        message = (
            "Only one trial gives a poolable hazard ratio for this selection: nothing to pool."
        )
        return rows, None, None, (), [message]
    random = pool(
        studies,
        method=state.method,  # type: ignore[arg-type]  # on the SPEC's list of methods
        ci_level=POOLED_CI_LEVEL,
        knapp_hartung=state.knapp_hartung,
    )
    fixed = pool(studies, method="FE", ci_level=POOLED_CI_LEVEL)
    weights = dict(zip(random.labels, random.weights_percent, strict=True))
    rows = [replace(r, weight_percent=weights.get(r.trial_name)) if r.pooled else r for r in rows]
    loo: tuple[LeaveOneOut, ...] = ()
    if state.leave_one_out:
        loo = leave_one_out(
            studies,
            method=state.method,  # type: ignore[arg-type]
            ci_level=POOLED_CI_LEVEL,
            knapp_hartung=state.knapp_hartung and k >= 3,
        )
    messages = []
    if k < 3:
        messages.append(
            "Only two trials can be pooled: the between-trial variance is barely estimable "
            "and no prediction interval is given (it needs at least three)."
        )
    return rows, random, fixed, loo, messages


def build(registry: Registry, state: ForestState) -> ForestModel:
    """Everything the view shows for a validated ``state`` (pure)."""
    found = choices(registry)
    comparison = next((c for c in found.comparisons if c.key == state.comparison), None)
    label = key_text(registry, state.population)
    if comparison is None:
        return ForestModel(
            state, None, (), None, None, (), (), ("No comparison selected.",), (), (), label
        )
    pairs = found.pairs[comparison.key]
    rows: list[TrialRow] = []
    pooled_trials: set[str] = set()
    for pair in pairs:
        row = trial_row(registry, state, pair, pooled_trials)
        if row.pooled:
            pooled_trials.add(row.trial_id)
        rows.append(row)
    rows, random, fixed, loo, messages = _pooling(state, rows)
    caveats = list(CAVEATS)
    if state.across:
        messages.append(ACROSS_WARNING + ".")
        caveats.insert(0, ACROSS_WARNING + ".")
    refs: list[tuple[str, str]] = []
    for r in rows:
        if r.ref and (r.trial_id, r.ref) not in refs:
            refs.append((r.trial_id, r.ref))
    found_interactions = tuple(interactions(registry, state, pairs))
    for item in found_interactions:
        for ref in item.refs:
            if (item.trial_id, ref) not in refs:
                refs.append((item.trial_id, ref))
    return ForestModel(
        state=state,
        comparison=comparison,
        rows=tuple(rows),
        random=random,
        fixed=fixed,
        loo=loo,
        interactions=found_interactions,
        messages=tuple(messages),
        refs=tuple(refs),
        caveats=tuple(caveats),
        population_label=label,
    )
