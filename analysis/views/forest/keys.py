"""The population keys of the forest view: ``ITT`` and the registry's PD-L1 keys.

This is the one module of the forest view that names the ITT key and reads PD-L1 keys; every
other forest module imports them from here. The key itself, its text and its order are
``data.pdl1``'s (:data:`data.pdl1.ITT_KEY`, :func:`data.pdl1.key_text`,
:func:`data.pdl1.key_sort`).

A PD-L1 key (``CPS>=10``, ``TAP>=5<10``) is written by the registry from a population's fields
(:attr:`data.schema.Population.pdl1_key`), so nothing here parses the string: the scoring
system, the cut-off and the band of a key are read back from the populations that carry it.
Two keys of different scoring systems never compare equal, so grouping by key never merges
CPS, TPS, TC and TAP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from analysis.views.cache import per_registry
from data import Registry
from data.pdl1 import ITT_KEY, SCORING_SYSTEMS, key_sort
from data.pdl1 import key_text as pdl1_text
from data.schema import Population

#: The whole randomised (ESCC) population of each trial (the key data/ defines once).
ITT = ITT_KEY
#: Scoring systems in the order the controls list them (the schema's vocabulary order).
SYSTEM_ORDER: tuple[str, ...] = SCORING_SYSTEMS


@dataclass(frozen=True)
class Pdl1Key:
    """One PD-L1 key and what it means: scoring system, cut-off and (for bands) upper bound."""

    key: str
    scoring_system: str
    operator: str
    cutoff: float
    upper_operator: str | None
    cutoff_upper: float | None

    @property
    def threshold(self) -> tuple[str, float, str | None, float | None]:
        """The cut-off without the scoring system: "the same cut-off" across systems."""
        return (self.operator, self.cutoff, self.upper_operator, self.cutoff_upper)

    @property
    def text(self) -> str:
        """``CPS ≥10``, ``TPS <1``, ``TAP ≥5 to <10`` (:func:`data.pdl1.key_text`)."""
        return pdl1_text(self.key) or self.key

    @property
    def order(self) -> tuple[int, float, float, str]:
        """Scoring system, then cut-off, then upper bound (:func:`data.pdl1.key_sort`)."""
        return key_sort(self.key)


def key_of(population: Population) -> Pdl1Key | None:
    """The key of a PD-L1 population (None for ITT, clinical and other subgroups)."""
    key = population.pdl1_key
    if key is None or population.scoring_system is None or population.operator is None:
        return None
    if population.cutoff is None:
        return None
    return Pdl1Key(
        key=key,
        scoring_system=population.scoring_system,
        operator=population.operator,
        cutoff=float(population.cutoff),
        upper_operator=population.upper_operator,
        cutoff_upper=population.cutoff_upper,
    )


@per_registry
def pdl1_keys(registry: Registry) -> Mapping[str, Pdl1Key]:
    """Every PD-L1 key of the registry, in display order (system, then cut-off)."""
    found: dict[str, Pdl1Key] = {}
    for trial in registry.trials:
        for population in trial.populations:
            parsed = key_of(population)
            if parsed is not None:
                found.setdefault(parsed.key, parsed)
    return dict(sorted(found.items(), key=lambda item: item[1].order))


def key_text(registry: Registry, key: str) -> str:
    """Readable label of a population key: ``CPS ≥10``; the ITT key spelled out."""
    if key == ITT:
        return "ITT (whole randomised ESCC population)"
    parsed = pdl1_keys(registry).get(key)
    return parsed.text if parsed is not None else key
