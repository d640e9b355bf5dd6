"""Population keys: the one format for "which population" across the evidence base and the views.

A *population key* names the population a number or a curve belongs to, in a form that can be
written in a URL and compared across trials:

* :data:`ITT_KEY` (``"ITT"``) — a trial's intention-to-treat population (``Population.kind ==
  "itt"``). Whether a view also accepts an ESCC-only histology subgroup in its place (a trial that
  enrolled several histologies) is that view's rule, stated in its view model; the key itself
  always means "the trial's ITT population".
* a PD-L1 key — one scoring system and cut-off, optionally a band: ``CPS>=10``, ``TPS<1``,
  ``TAP>=5<10``. Keys of different scoring systems never compare equal, so grouping by key never
  merges CPS, TPS, TC and TAP (PD-L1 assays and scores are not interchangeable).

The evidence base writes keys (:func:`format_key`, used by ``Population.pdl1_key``); everything
else reads them with :func:`parse_key`, shows them with :func:`key_text` and orders them with
:func:`key_sort`. No other module parses the format.

Pure and typed; imports nothing from the rest of ``data`` (``data.schema`` imports this module).
"""

from __future__ import annotations

import math
import re
from typing import Literal, NamedTuple, Protocol, get_args

#: PD-L1 scoring systems (CPS, TPS, TC, TAP), in display order.
ScoringSystem = Literal["CPS", "TPS", "TC", "TAP"]
#: Comparison operators of a cut-off.
Operator = Literal[">=", "<", ">", "<="]
#: Operators allowed on the upper end of a band (``TAP>=5<10``).
UpperOperator = Literal["<", "<="]

SCORING_SYSTEMS: tuple[str, ...] = get_args(ScoringSystem)
OPERATORS: tuple[str, ...] = get_args(Operator)

#: Population key of a trial's intention-to-treat population.
ITT_KEY = "ITT"

_NUMBER = r"(\d+(?:\.\d+)?)"
_KEY_RE = re.compile(rf"^({'|'.join(SCORING_SYSTEMS)})(>=|<=|>|<){_NUMBER}(?:(<=|<){_NUMBER})?$")
_SIGNS = {">=": "≥", "<=": "≤", ">": ">", "<": "<"}


class PdL1Key(NamedTuple):
    """A parsed PD-L1 key: ``TAP>=5<10`` is ``PdL1Key("TAP", ">=", 5.0, "<", 10.0)`` (a tuple,
    so ``system, op, cut, up_op, up = parse_key(key)`` also works)."""

    system: str
    operator: str
    cutoff: float
    upper_operator: str | None = None
    cutoff_upper: float | None = None

    @property
    def threshold(self) -> str:
        """The key without its scoring system (``>=10`` for ``CPS>=10``): the part two scoring
        systems can share, for views that compare thresholds across systems on request."""
        return format_key(
            self.system, self.operator, self.cutoff, self.upper_operator, self.cutoff_upper
        )[len(self.system) :]


class _PopulationLike(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def pdl1_key(self) -> str | None: ...


def format_key(
    system: str,
    operator: str,
    cutoff: float,
    upper_operator: str | None = None,
    cutoff_upper: float | None = None,
) -> str:
    """The key of one scoring system and cut-off (``CPS>=10``), or of a band (``TAP>=5<10``).

    Cut-offs are written with ``:g`` (``10``, ``1``, ``0.5``), so the same cut-off always gives
    the same key whatever the data file's number formatting.
    """
    key = f"{system}{operator}{cutoff:g}"
    if upper_operator is not None and cutoff_upper is not None:
        key += f"{upper_operator}{cutoff_upper:g}"
    return key


def parse_key(key: str) -> PdL1Key | None:
    """``"TAP>=5<10"`` -> ``PdL1Key("TAP", ">=", 5.0, "<", 10.0)``; None when not a PD-L1 key."""
    match = _KEY_RE.match(key)
    if not match:
        return None
    system, op, cut, up_op, up = match.groups()
    return PdL1Key(system, op, float(cut), up_op, float(up) if up is not None else None)


def key_text(key: str) -> str | None:
    """``CPS ≥10``, ``TPS <1``, ``TAP ≥5 to <10``; None when not a PD-L1 key."""
    parsed = parse_key(key)
    if parsed is None:
        return None
    text = f"{parsed.system} {_SIGNS[parsed.operator]}{parsed.cutoff:g}"
    if parsed.upper_operator is not None and parsed.cutoff_upper is not None:
        text += f" to {_SIGNS[parsed.upper_operator]}{parsed.cutoff_upper:g}"
    return text


def key_sort(key: str) -> tuple[int, float, float, str]:
    """Order keys by scoring system, then cut-off, then band end (non-keys first)."""
    parsed = parse_key(key)
    if parsed is None:
        return (-1, 0.0, 0.0, key)
    upper = parsed.cutoff_upper if parsed.cutoff_upper is not None else math.inf
    return (SCORING_SYSTEMS.index(parsed.system), parsed.cutoff, upper, parsed.operator)


def population_key(population: _PopulationLike) -> str | None:
    """:data:`ITT_KEY` for an intention-to-treat population, the PD-L1 key for a PD-L1 subgroup,
    None for any other subgroup (clinical, biomarker, histology, region, evaluable)."""
    if population.kind == "itt":
        return ITT_KEY
    return population.pdl1_key
