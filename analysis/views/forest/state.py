"""The forest view's state and the allow-lists it is checked against.

URL: ``?cmp=<comparison>&ep=OS|PFS&pop=<key>&m=REML|PM|DL[&kh=1][&loo=1][&x=1]
[&an=<trial>:<analysis>,…]`` — the format links had before the view was restructured, so old
links still open the same view; ``cmp``, ``ep``, ``m`` and ``pop`` are always written.

The per-trial analysis choice is one :class:`~analysis.views.state.KeyedChoice` (trial ->
analysis): the page shows one select per trial with a pattern-matching id, and the callback turns
their values and ids into the mapping that field validates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from analysis.views.cache import per_registry
from analysis.views.forest.keys import ITT, pdl1_keys
from analysis.views.state import Choice, Flag, KeyedChoice, StateSpec
from data import Registry

ENDPOINTS: tuple[str, ...] = ("OS", "PFS")
ENDPOINT_LABELS: Mapping[str, str] = {"OS": "Overall survival", "PFS": "Progression-free survival"}
METHODS: Mapping[str, str] = {"REML": "REML", "PM": "Paule–Mandel", "DL": "DerSimonian–Laird"}
#: The analysis select's value for "let the view choose" (:func:`rules.row_rank`).
AUTO = "auto"
#: Longest ``an=`` value read from a link (one ``trial:analysis`` item per trial fits easily).
MAX_ANALYSES_CHARS = 1000
CHEMO_FAMILY = "chemotherapy"


def control_family(regimen_class: str) -> str:
    """Chemotherapy with or without placebo is one control family; others stay themselves.

    Placebo adds no active treatment, so "ICI + chemo vs placebo + chemo" and "ICI + chemo vs
    chemo" ask the same question and belong in one pool.
    """
    return CHEMO_FAMILY if regimen_class in ("chemo", "placebo+chemo") else regimen_class


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class Comparison:
    """A class of randomised comparison, e.g. ``ICI+chemo`` vs chemotherapy.

    Pools are formed within one comparison only, so one pool never mixes "ICI + chemo vs
    chemo" with "add a TKI to ICI + chemo": the HRs answer different questions.
    """

    key: str
    experimental_class: str
    control_family: str

    @property
    def label(self) -> str:
        return f"{self.experimental_class} vs {self.control_family}"


@dataclass(frozen=True)
class ArmPair:
    """An experimental arm and the control arm its HRs are against, within one trial."""

    trial_id: str
    arm_id: str
    comparator_id: str


@dataclass(frozen=True)
class ForestChoices:
    """Every value a control may take, from the registry (the callbacks' allow-lists)."""

    comparisons: tuple[Comparison, ...]  # most trials first
    pairs: Mapping[str, tuple[ArmPair, ...]]  # comparison key -> pairs in registry order
    population_keys: tuple[str, ...]  # ITT first, then PD-L1 keys (system, cut-off)
    analyses: Mapping[str, tuple[str, ...]]  # trial id -> analyses with HR rows (>= 2 only)
    single_arm: tuple[str, ...]  # display names of trials without a control arm
    no_hr: tuple[str, ...]  # trials with a control arm but no HR row at all


@per_registry
def choices(registry: Registry) -> ForestChoices:
    """The allow-lists: comparisons (from each HR row's arm and comparator classes), population
    keys (ITT and every PD-L1 key of a randomised trial with HRs), and, per trial that reports
    HRs at two or more analyses, those analyses (the only trials with an analysis choice)."""
    pairs: dict[str, list[ArmPair]] = {}
    comparisons: dict[str, Comparison] = {}
    analyses: dict[str, tuple[str, ...]] = {}
    keys: set[str] = set()
    single_arm: list[str] = []
    no_hr: list[str] = []
    for trial in registry.trials:
        if not any(a.role == "control" for a in trial.arms):
            single_arm.append(trial.display_name)
            continue
        hr_rows = [r for r in trial.efficacy if r.measure == "hr" and r.comparator]
        if not hr_rows:
            no_hr.append(trial.display_name)
            continue
        keys.update(p.pdl1_key for p in trial.populations if p.pdl1_key)
        seen: list[tuple[str, str]] = []
        for row in hr_rows:
            assert row.comparator is not None  # filtered above
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
        population_keys=(ITT, *(k for k in pdl1_keys(registry) if k in keys)),
        analyses=analyses,
        single_arm=tuple(single_arm),
        no_hr=tuple(no_hr),
    )


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

    @property
    def across(self) -> bool:
        """Pooling across scoring systems is on and means something (a PD-L1 key is chosen)."""
        return self.across_systems and self.population != ITT


def _default_comparison(registry: Registry) -> str:
    found = choices(registry).comparisons
    return found[0].key if found else ""


SPEC: StateSpec[ForestState] = StateSpec(
    ForestState,
    (
        Choice(
            "comparison",
            "cmp",
            "comparison",
            lambda r: [c.key for c in choices(r).comparisons],
            _default_comparison,
        ),
        Choice("endpoint", "ep", "endpoint", lambda r: ENDPOINTS, lambda r: "OS"),
        Choice(
            "population", "pop", "population", lambda r: choices(r).population_keys, lambda r: ITT
        ),
        Choice("method", "m", "pooling method", lambda r: tuple(METHODS), lambda r: "REML"),
        Flag("knapp_hartung", "kh", "Knapp–Hartung switch", False),
        Flag("leave_one_out", "loo", "leave-one-out switch", False),
        Flag("across_systems", "x", "across-systems switch", False),
        KeyedChoice(
            "analyses",
            "an",
            "analysis",
            lambda r: choices(r).analyses,
            unset=AUTO,
            max_chars=MAX_ANALYSES_CHARS,
        ),
    ),
    report_unknown_keys=True,
    always_written=("cmp", "ep", "m", "pop"),
)


def default_state(registry: Registry) -> ForestState:
    return SPEC.default(registry)
