"""The forest view's domain rules: which HR row stands for a trial, what may be pooled, and
how PD-L1 subgroups relate to each other. Pure functions of registry objects.

Why these rules (issue 6, DESIGN "Subgroups & forest"):

* A trial often prints several HRs for one comparison and endpoint: the ESCC population and all
  histologies, interim/final/updated analyses, a PD-L1 subgroup and the same subgroup restricted
  to a region. The forest shows **one row per comparison** and lists the others under it, so
  the rule that picks that row (:func:`row_rank`) decides what is pooled and must be stated.
* Pooling needs an estimate with a standard error; a published HR gives one only with a
  printed interval at a known level (:func:`poolable`).
* PD-L1 subgroups of one scoring system are intervals of the score (CPS ≥10, CPS <10,
  TAP ≥5 to <10); two of them give an independent ratio of HRs only when they hold disjoint
  patients (:func:`disjoint`).
"""

from __future__ import annotations

import math

from analysis.types import numeric_interval
from analysis.views.forest.keys import ITT, Pdl1Key, key_of, pdl1_keys
from analysis.views.forest.state import ForestState
from data import Registry, Trial
from data.schema import EfficacyResult, Population

#: Population kinds a PD-L1 subgroup may be nested in (``<parent id>_<pd-l1 part>``).
NESTING_KINDS = ("region", "clinical", "biomarker")

#: Score interval bound: (value, closed?).
Bound = tuple[float, bool]


def numeric_ci(row: EfficacyResult) -> tuple[float, float] | None:
    """The printed interval as two numbers (None when absent or a bound is "NE"/"NR")."""
    return numeric_interval(row.ci)


def poolable(row: EfficacyResult) -> bool:
    """Whether an HR row can enter a pool: reported, exact (no "<" qualifier), with a printed
    interval at a known level that has positive width (its standard error comes from the
    interval's width and the level's normal quantile, so a zero-width or level-less interval
    gives none)."""
    ci = numeric_ci(row)
    return (
        row.status == "reported"
        and row.value is not None
        and row.qualifier is None
        and row.ci_level is not None
        and ci is not None
        and 0 < ci[0] < ci[1]
    )


def nested_in(trial: Trial, population: Population) -> Population | None:
    """The region/clinical/biomarker population a PD-L1 population is restricted to, if any.

    The registry names such populations ``<parent id>_<pd-l1 part>`` (``japanese_tap_ge10``).
    A restricted subgroup is shown but never pooled with whole-trial subgroups: its patients
    are a different population.
    """
    for other in trial.populations:
        if other.kind in NESTING_KINDS and population.id.startswith(other.id + "_"):
            return other
    return None


def candidate_populations(registry: Registry, trial: Trial, state: ForestState) -> list[Population]:
    """Populations of ``trial`` that answer the chosen population key.

    ITT: the whole randomised population, or the ESCC histology population of a trial that
    also enrolled adenocarcinoma (its ESCC-only HR is the one comparable with ESCC trials).
    A PD-L1 key: populations with exactly that key — or, when pooling across scoring systems
    is switched on, with the same cut-off in any scoring system.
    """
    if state.population == ITT:
        return [
            p
            for p in trial.populations
            if p.kind == "itt" or (p.kind == "histology" and p.histology == "ESCC")
        ]
    if state.across_systems:
        wanted = pdl1_keys(registry)[state.population].threshold
        found = []
        for p in trial.populations:
            parsed = key_of(p)
            if parsed is not None and parsed.threshold == wanted:
                found.append(p)
        return found
    return [p for p in trial.populations if p.pdl1_key == state.population]


def chosen_system(registry: Registry, state: ForestState) -> str | None:
    """The scoring system of the chosen PD-L1 key (None for ITT)."""
    parsed: Pdl1Key | None = pdl1_keys(registry).get(state.population)
    return parsed.scoring_system if parsed is not None else None


def analysis_position(trial: Trial, analysis_id: str) -> int:
    """Recency of an analysis: its position in the trial file (0 = earliest). Trial files list
    analyses in chronological order (checked against the reported cut-off dates by
    ``tests/unit/test_indirect_network.py``), so the last one is the latest data cut."""
    return [a.id for a in trial.analyses].index(analysis_id)


def row_rank(
    trial: Trial, system: str | None, row: EfficacyResult, population: Population
) -> tuple[bool, bool, bool, bool, bool, int, int]:
    """Sort key of the candidate HR rows of one comparison; the smallest stands for the trial.

    In order of precedence: ESCC-only before all histologies (the view is about ESCC); the
    whole-trial subgroup before one restricted to a region or clinical group; a PD-L1 or ITT
    population before the ESCC-histology stand-in; the chosen scoring system before others
    (when pooling across systems); a poolable row before one without a usable interval; then
    the **latest analysis** first (:func:`analysis_position`; an earlier cut-off is picked with
    the view's analysis control); ties by the order the trial file lists populations.
    So a trial shows its latest HR that has a usable interval, and a later HR printed without
    one (ORIENT-15's final OS, 0.661) is listed under it rather than replacing it.
    """
    return (
        population.histology != "ESCC",
        nested_in(trial, population) is not None,
        population.kind == "histology",
        system is not None and population.scoring_system != system,
        not poolable(row),
        -analysis_position(trial, row.analysis),
        [p.id for p in trial.populations].index(population.id),
    )


def analysis_label(trial: Trial, analysis_id: str) -> str:
    """ "interim · cut-off 2020-10-30" (the kind and the data cut-off, as printed)."""
    analysis = trial.analysis(analysis_id)
    cutoff = analysis.data_cutoff.date if analysis.data_cutoff.status == "reported" else None
    return f"{analysis.kind} · cut-off {cutoff or 'not reported'}"


def arm_n(trial: Trial, population: Population, arm_id: str) -> int | None:
    """Patients of one arm in a population: randomised N for the ESCC ITT population, else the
    population's reported size (None when the source prints none)."""
    if population.kind == "itt" and population.histology == "ESCC":
        n = trial.arm(arm_id).n_randomised
        return int(n.value) if n.status == "reported" and n.value is not None else None
    return trial.population_n(population.id, arm_id)


def score_interval(population: Population) -> tuple[Bound, Bound]:
    """PD-L1 score range of a subgroup as ((lower, closed), (upper, closed)).

    ``≥10`` is [10, ∞); ``<10`` is [0, 10); a band ``≥5 to <10`` is [5, 10).
    """
    cut = float(population.cutoff if population.cutoff is not None else 0.0)
    if population.operator in (">=", ">"):
        lower = (cut, population.operator == ">=")
        if population.cutoff_upper is not None:
            upper = (float(population.cutoff_upper), population.upper_operator == "<=")
        else:
            upper = (math.inf, False)
        return lower, upper
    return (0.0, True), (cut, population.operator == "<=")


def disjoint(low: Population, high: Population) -> bool:
    """Whether every score in ``low`` lies below every score in ``high`` (no patient in both).

    Only disjoint subgroups give independent HRs, which the ratio of HRs needs (its variance
    adds the two log-HR variances).
    """
    (_lo, _), (low_hi, low_hi_closed) = score_interval(low)
    (high_lo, high_lo_closed), _ = score_interval(high)
    return low_hi < high_lo or (low_hi == high_lo and not (low_hi_closed and high_lo_closed))


def complementary(low: Population, high: Population) -> bool:
    """Whether two disjoint subgroups together cover every score (e.g. CPS <10 and ≥10)."""
    (low_lo, _), (low_hi, _) = score_interval(low)
    (high_lo, _), (high_hi, _) = score_interval(high)
    return low_lo == 0.0 and high_hi == math.inf and low_hi == high_lo


def interaction_candidate(trial: Trial, population: Population, system: str | None) -> bool:
    """A PD-L1 subgroup that can enter a ratio of HRs: ESCC-only, whole-trial (not restricted
    to a region or clinical group), and of the chosen scoring system when one is chosen."""
    return (
        population.kind == "pdl1"
        and population.histology == "ESCC"
        and nested_in(trial, population) is None
        and (system is None or population.scoring_system == system)
    )
