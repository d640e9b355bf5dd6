"""The single-arm seed studies' own subgroups: which ones (reviewed data), and what they show.

Both benmelstobart + anlotinib studies are single-arm, so they have no randomised hazard ratio
and no place in the forest. Their subgroup results (ORR by PD-L1 CPS of the triple regimen, the
TP53+/FAT1+/NOTCH3− signature of ALTER-E-003, liver metastases) are shown as printed. Which
trial, which populations and which headings form a section is reviewed data in
``data/vocab/seed_subgroups.toml`` (hashed in the manifest like every data file), read and
checked here against the registry: an unknown trial, population or fact stops the app at
start-up with the file, key and rule (RELIABILITY DATA-01). A data root without the file (test
fixtures) has no seed sections.

Intervals: ORR with counts gets the exact Clopper–Pearson 95 % interval (it reproduces the
seed papers' printed intervals); a percentage printed without counts is shown as printed,
without an interval. Group sizes that the source does not print may be *derived* only when the
printed percentages allow exactly one set of sizes (:func:`counts_matching_percent`), and are
labelled "Derived, not printed".
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.proportions import clopper_pearson
from analysis.views.cache import per_registry
from analysis.views.forest import rules
from analysis.views.forest.keys import key_of
from data import Registry, Trial
from data.errors import DataValidationError, Problem
from data.schema import Population, ResponseResult

SECTIONS_PATH = Path("vocab") / "seed_subgroups.toml"
_SECTION_KEYS = {
    "trial",
    "title",
    "populations",
    "chart_group",
    "assessed_fact",
    "derive_sizes",
    "notes",
}
#: The words the app shows next to a missing number (as components.provenance writes them).
NOT_REPORTED = "not reported"
NOT_REACHED = "NR (not reached)"
COUNTS_PRINTED = "counts printed"
PERCENT_ONLY = "percentage printed without counts or CI"


@dataclass(frozen=True)
class SeedSection:
    """One reviewed section: a trial's populations shown together (keys in the data file)."""

    trial_id: str
    title: str
    populations: tuple[str, ...]
    chart_group: str | None = None
    assessed_fact: str | None = None
    derive_sizes: bool = False
    notes: tuple[str, ...] = ()


def _problem(key: str, rule: str, detail: str) -> Problem:
    return Problem(SECTIONS_PATH.as_posix(), key, rule, detail)


def _text_list(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(value)
    return None


def _check_section(
    registry: Registry, raw: object, where: str, problems: list[Problem]
) -> SeedSection | None:
    if not isinstance(raw, dict):
        problems.append(_problem(where, "type:table", "each section must be a table"))
        return None
    for key in sorted(set(raw) - _SECTION_KEYS):
        problems.append(_problem(f"{where}.{key}", "unknown-key", "not a section field"))
    trial_id, title = raw.get("trial"), raw.get("title")
    populations = _text_list(raw.get("populations"))
    if not isinstance(trial_id, str) or trial_id not in registry.trial_ids:
        problems.append(_problem(f"{where}.trial", "dangling-ref", f"unknown trial {trial_id!r}"))
        return None
    if not isinstance(title, str) or not title.strip():
        problems.append(_problem(f"{where}.title", "required-field", "needs a non-empty title"))
    if not populations:
        problems.append(_problem(f"{where}.populations", "required-field", "needs population ids"))
        return None
    trial = registry.trial(trial_id)
    known = {p.id for p in trial.populations}
    for pop in populations:
        if pop not in known:
            problems.append(
                _problem(f"{where}.populations", "dangling-ref", f"{trial_id} has no {pop!r}")
            )
    fact = raw.get("assessed_fact")
    if fact is not None and not any(f.item == fact and f.value is not None for f in trial.facts):
        problems.append(
            _problem(f"{where}.assessed_fact", "dangling-ref", f"{trial_id} has no fact {fact!r}")
        )
    derive = raw.get("derive_sizes", False)
    if not isinstance(derive, bool) or (derive and len(populations) != 2):
        problems.append(
            _problem(f"{where}.derive_sizes", "allowed-values", "true needs two populations")
        )
    notes = _text_list(raw.get("notes", []))
    group = raw.get("chart_group")
    if notes is None or not (group is None or isinstance(group, str)):
        problems.append(_problem(where, "type:string", "notes and chart_group are text"))
    if any(p.rule != "unknown-key" and p.key.startswith(where) for p in problems):
        return None
    return SeedSection(
        trial_id=trial_id,
        title=str(title),
        populations=populations,
        chart_group=group if isinstance(group, str) else None,
        assessed_fact=fact if isinstance(fact, str) else None,
        derive_sizes=bool(derive),
        notes=notes or (),
    )


def parse_sections(registry: Registry, text: str) -> tuple[SeedSection, ...]:
    """The sections of a seed-subgroups file; :class:`DataValidationError` lists every problem."""
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataValidationError([_problem("(file)", "toml-syntax", str(exc))]) from None
    problems = [
        _problem(key, "unknown-key", "only [[section]] tables are allowed")
        for key in sorted(set(parsed) - {"section"})
    ]
    raw_sections = parsed.get("section", [])
    if not isinstance(raw_sections, list):
        raw_sections = [raw_sections]
    sections = [
        _check_section(registry, raw, f"section[{i}]", problems)
        for i, raw in enumerate(raw_sections)
    ]
    if problems:
        raise DataValidationError(problems)
    return tuple(s for s in sections if s is not None)


@per_registry
def sections(registry: Registry) -> tuple[SeedSection, ...]:
    """The registry's seed sections (none when its data root has no seed-subgroups file)."""
    # The text verified against the manifest at load time, never a fresh read from disk.
    text = registry.data_text(SECTIONS_PATH.as_posix())
    if text is None:
        return ()
    return parse_sections(registry, text)


# -- the model ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedPoint:
    """One ORR point of the seeds' chart; ``rate_percent`` None means not reported."""

    key: str
    label: str
    detail: str
    group: str
    trial_id: str
    arm_id: str
    rate_percent: float | None
    ci_lower_percent: float | None = None
    ci_upper_percent: float | None = None
    count_text: str | None = None
    from_counts: bool = False


@dataclass(frozen=True)
class SeedRow:
    """One subgroup in a seed table (texts as shown)."""

    label: str
    n_text: str
    orr_text: str
    pfs_text: str
    os_text: str


@dataclass(frozen=True)
class AssessedNote:
    """How many patients had the subgrouping marker assessed, with its source."""

    text: str
    ref: str | None
    locator: str | None


@dataclass(frozen=True)
class SeedTable:
    trial_id: str
    title: str
    rows: tuple[SeedRow, ...]
    between_p: tuple[str, ...]
    refs: tuple[str, ...]
    assessed: AssessedNote | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class SeedsModel:
    points: tuple[SeedPoint, ...]
    tables: tuple[SeedTable, ...]


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


def orr_row(trial: Trial, population: str) -> ResponseResult | None:
    """The ORR rate row of a population (the last one listed: the latest report)."""
    rows = [
        r
        for r in trial.response
        if r.category == "ORR" and r.measure == "rate" and r.population == population
    ]
    return rows[-1] if rows else None


def _median_text(trial: Trial, endpoint: str, population: str) -> str:
    rows = [
        r
        for r in trial.efficacy
        if r.endpoint == endpoint and r.measure == "median" and r.population == population
    ]
    if not rows:
        return NOT_REPORTED
    row = rows[0]
    if row.status == "not_reached":
        return NOT_REACHED
    if row.status != "reported" or row.value is None:
        return f"{NOT_REPORTED} ({row.reason or 'no reason recorded'})"
    text = f"{row.value:g} months"
    if row.ci is not None:
        text += f" ({row.ci[0]}–{row.ci[1]}, {row.ci_level:g}% CI)"
    return text


def _p_text(row: Any) -> str:
    """A p-value as printed: its qualifier kept ("p < 0.0001"), or the printed string."""
    if row.value is None:
        return f"p {row.p}" if row.p else "p not reported"
    return f"p {row.qualifier or '='} {row.value:g}"


def _between_p(trial: Trial, population: str, other: str) -> tuple[str, ...]:
    out = [
        f"{r.endpoint} {_p_text(r)}"
        for r in trial.efficacy
        if r.measure == "p_value"
        and r.population == population
        and r.comparator_population == other
    ]
    out += [
        f"{r.category} {_p_text(r)}"
        for r in trial.response
        if r.measure == "p_value"
        and r.population == population
        and r.comparator_population == other
    ]
    return tuple(out)


def _orr_text(orr: ResponseResult | None) -> str:
    if orr is None:
        return NOT_REPORTED
    if orr.n is not None and orr.N:
        cp = clopper_pearson(orr.n, orr.N)
        return (
            f"{orr.n}/{orr.N} = {100 * orr.n / orr.N:.1f}% "
            f"(Clopper–Pearson 95% CI {cp.ci_lower_percent:.1f}–{cp.ci_upper_percent:.1f})"
        )
    if orr.value is not None:
        return f"{orr.value:g}% (counts and CI not printed)"
    return f"{NOT_REPORTED} ({orr.reason})"


def _n_text(trial: Trial, pop_id: str, orr: ResponseResult | None) -> str:
    size = [
        f
        for f in trial.facts
        if f.section == "population_size" and f.population == pop_id and f.value is not None
    ]
    if size and size[0].value is not None:
        return f"{size[0].value:g}" + (" (derived)" if size[0].derived else "")
    if orr is not None and orr.N:
        return f"{orr.N} (ORR denominator)"
    medians = [
        r for r in trial.efficacy if r.population == pop_id and r.measure == "median" and r.N
    ]
    return f"{medians[0].N} (median denominator)" if medians else "not printed"


def signature_sizes(trial: Trial, populations: Sequence[str]) -> str | None:
    """Derived sizes of two subgroups printed as percentages only, if uniquely determined.

    ALTER-E-003 (abstract) prints ORR 65.6 % and 11.1 % by signature without group sizes;
    among all sizes that together hold at most the ITT N, exactly one pair prints as those
    percentages, so it can be shown — labelled derived, never stored as data.
    """
    pos, neg = orr_row(trial, populations[0]), orr_row(trial, populations[1])
    itt = [r for r in trial.response if r.population == "itt" and r.N]
    if pos is None or neg is None or pos.value is None or neg.value is None or not itt:
        return None
    total = int(itt[0].N or 0)
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


def _assessed(trial: Trial, section: SeedSection) -> AssessedNote | None:
    """ "PD-L1 CPS was available for 38 of 50 patients (12 with CPS ≥1 + 26 with CPS <1, …)":
    the assessed count (a cited fact), the arm's N, and the ORR denominators of the first
    complementary pair of the section's PD-L1 subgroups."""
    fact = next((f for f in trial.facts if f.item == section.assessed_fact), None)
    if fact is None or fact.value is None:
        return None
    arm = trial.arm(fact.arm) if fact.arm else trial.arms[0]
    total = arm.n_randomised.value
    pops: list[Population] = [trial.population_by_id(p) for p in section.populations]
    systems = {p.scoring_system for p in pops if key_of(p) is not None}
    marker = f"PD-L1 {systems.pop()}" if len(systems) == 1 else "The marker"
    text = f"{marker} was available for {fact.value:g}"
    text += f" of {total:g} patients" if total is not None else " patients"
    for i, low in enumerate(pops):
        for high in pops[i + 1 :]:
            if key_of(low) is None or key_of(high) is None:
                continue
            if not (rules.disjoint(low, high) and rules.complementary(low, high)):
                continue
            low_orr, high_orr = orr_row(trial, low.id), orr_row(trial, high.id)
            if low_orr is None or high_orr is None or not low_orr.N or not high_orr.N:
                continue
            low_key, high_key = key_of(low), key_of(high)
            assert low_key is not None and high_key is not None
            return AssessedNote(
                f"{text} ({high_orr.N} with {high_key.text} + {low_orr.N} with "
                f"{low_key.text}, the printed subgroup denominators).",
                fact.ref,
                fact.locator,
            )
    return AssessedNote(text + ".", fact.ref, fact.locator)


def _refs(trial: Trial, populations: Sequence[str]) -> tuple[str, ...]:
    """Publication keys behind a section's efficacy and response rows, sorted."""
    refs = {r.ref for r in trial.efficacy if r.population in populations and r.ref}
    refs |= {r.ref for r in trial.response if r.population in populations and r.ref}
    return tuple(sorted(refs))


def _table(trial: Trial, section: SeedSection) -> SeedTable:
    rows = []
    for pop_id in section.populations:
        orr = orr_row(trial, pop_id)
        rows.append(
            SeedRow(
                label=trial.population_by_id(pop_id).label,
                n_text=_n_text(trial, pop_id, orr),
                orr_text=_orr_text(orr),
                pfs_text=_median_text(trial, "PFS", pop_id),
                os_text=_median_text(trial, "OS", pop_id),
            )
        )
    pops = section.populations
    notes = list(section.notes)
    if section.derive_sizes:
        notes.append(
            signature_sizes(trial, pops)
            or "Group sizes are not printed and cannot be derived uniquely from the percentages."
        )
    return SeedTable(
        trial_id=trial.id,
        title=section.title,
        rows=tuple(rows),
        between_p=_between_p(trial, pops[0], pops[1]) if len(pops) == 2 else (),
        refs=_refs(trial, pops),
        assessed=_assessed(trial, section) if section.assessed_fact else None,
        notes=tuple(notes),
    )


def _points(trial: Trial, section: SeedSection) -> list[SeedPoint]:
    group = section.chart_group or ""
    out: list[SeedPoint] = []
    for pop_id in section.populations:
        row = orr_row(trial, pop_id)
        base: dict[str, Any] = {
            "key": f"{trial.id}:{pop_id}",
            "label": trial.population_by_id(pop_id).label,
            "group": group,
            "trial_id": trial.id,
            "arm_id": trial.arms[0].id,
        }
        if row is None or row.status != "reported" or row.value is None:
            out.append(SeedPoint(**base, detail="", rate_percent=None))
        elif row.n is not None and row.N:
            cp = clopper_pearson(row.n, row.N)
            out.append(
                SeedPoint(
                    **base,
                    detail=COUNTS_PRINTED,
                    rate_percent=100.0 * row.n / row.N,
                    ci_lower_percent=cp.ci_lower_percent,
                    ci_upper_percent=cp.ci_upper_percent,
                    count_text=f"{row.n}/{row.N}",
                    from_counts=True,
                )
            )
        else:
            out.append(
                SeedPoint(
                    **base, detail=PERCENT_ONLY, rate_percent=float(row.value), count_text="–"
                )
            )
    return out


def build_seeds(registry: Registry) -> SeedsModel:
    """Tables for every reviewed section, and ORR points for those with a chart group."""
    points: list[SeedPoint] = []
    tables: list[SeedTable] = []
    for section in sections(registry):
        trial = registry.trial(section.trial_id)
        if section.chart_group is not None:
            points.extend(_points(trial, section))
        tables.append(_table(trial, section))
    return SeedsModel(points=tuple(points), tables=tuple(tables))
