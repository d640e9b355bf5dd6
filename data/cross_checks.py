"""Rules that span a whole trial: ids, references, sizes and headlines agree across its rows.

A single record's rules live with its model (:mod:`data.cited`, :mod:`data.design`,
:mod:`data.rows`); these need the whole trial. :class:`data.schema.Trial` runs them after field
validation, and the loader runs them itself (``defer_cross_checks``) so that it can report every
problem of a file with its key path and rule at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from data.cited import Citation
from data.rows import AdverseEventResult, EfficacyResult

if TYPE_CHECKING:
    from data.schema import Trial

__all__ = ["cited_items", "cross_reference_problems"]


def _dupes(values: Iterable[str]) -> list[str]:
    return sorted(k for k, c in Counter(values).items() if c > 1)


def cited_items(trial: Trial) -> Iterator[tuple[str, Citation]]:
    """Every cited object of a trial with its key path (for provenance walks, DATA-02)."""
    for name in ("registration", "design", "region", "population", "primary_endpoints", "n_total"):
        item = getattr(trial, name)
        if item is not None:
            yield name, item
    for i, pd in enumerate(trial.pd_l1):
        yield f"pd_l1[{i}]", pd
    for i, arm in enumerate(trial.arms):
        yield f"arms[{i}].regimen", arm.regimen
        yield f"arms[{i}].n_randomised", arm.n_randomised
        if arm.n_treated is not None:
            yield f"arms[{i}].n_treated", arm.n_treated
    for i, an in enumerate(trial.analyses):
        yield f"analyses[{i}].data_cutoff", an.data_cutoff
        if an.accrual is not None:
            yield f"analyses[{i}].accrual", an.accrual
        if an.follow_up is not None:
            yield f"analyses[{i}].follow_up", an.follow_up
    for section in ("efficacy", "response", "adverse_events", "facts", "statements"):
        for i, row in enumerate(getattr(trial, section)):
            yield f"{section}[{i}]", row
    for i, curve in enumerate(trial.curves):
        yield f"curves[{i}]", curve
        if curve.events is not None:
            yield f"curves[{i}].events", curve.events


def cross_reference_problems(trial: Trial) -> list[tuple[str, str, str]]:
    """All trial-level consistency problems as ``(key path, rule, detail)``.

    Checks: unique ids; every ``ref`` resolves to a declared publication; every arm, analysis and
    population id used by a row exists; PD-L1 subgroups use a scoring system the trial declares;
    arm sizes add up to the trial total; at-risk tables start at the arm's randomised N (ITT
    curves) and events do not exceed N; ITT rows do not claim a denominator above the arm's N;
    CR + PR equals the ORR count; at most one headline per arm and endpoint.
    """
    problems: list[tuple[str, str, str]] = []
    pub_keys = {p.key for p in trial.publications}
    arm_ids = {a.id for a in trial.arms}
    analysis_ids = {a.id for a in trial.analyses}
    pops = {p.id: p for p in trial.populations}

    for label, ids in (
        ("publications", [p.key for p in trial.publications]),
        ("arms", [a.id for a in trial.arms]),
        ("analyses", [a.id for a in trial.analyses]),
        ("populations", [p.id for p in trial.populations]),
        ("curves", [c.id for c in trial.curves]),
    ):
        for dup in _dupes(ids):
            problems.append((label, "duplicate-id", f"id {dup!r} is declared twice in {label}"))

    for key, item in trial.cited_items():
        if item.ref is not None and item.ref not in pub_keys:
            problems.append(
                (f"{key}.ref", "ref-dangling", f"ref {item.ref!r} is not a declared publication")
            )
    for i, an in enumerate(trial.analyses):
        for ref in an.refs:
            if ref not in pub_keys:
                problems.append(
                    (f"analyses[{i}].refs", "ref-dangling", f"ref {ref!r} is not declared")
                )

    def need(key: str, kind: str, value: str | None, known: set[str] | dict[str, Any]) -> None:
        if value is not None and value not in known:
            problems.append((key, "dangling-id", f"unknown {kind} {value!r}"))

    rows: list[tuple[str, Any]] = []
    for section in ("efficacy", "response", "adverse_events", "facts", "curves"):
        rows.extend((f"{section}[{i}]", r) for i, r in enumerate(getattr(trial, section)))
    for key, row in rows:
        need(f"{key}.arm", "arm", getattr(row, "arm", None), arm_ids)
        need(f"{key}.comparator", "arm", getattr(row, "comparator", None), arm_ids)
        need(f"{key}.analysis", "analysis", getattr(row, "analysis", None), analysis_ids)
        need(f"{key}.population", "population", getattr(row, "population", None), pops)
        need(
            f"{key}.comparator_population",
            "population",
            getattr(row, "comparator_population", None),
            pops,
        )

    declared_systems = {s.scoring_system for s in trial.pd_l1}
    for i, pop in enumerate(trial.populations):
        if pop.kind == "pdl1" and pop.scoring_system not in declared_systems:
            problems.append(
                (
                    f"populations[{i}].scoring_system",
                    "pdl1-definition",
                    f"{pop.scoring_system} is not declared in the trial's pd_l1 block",
                )
            )

    arm_n: dict[str, int] = {}
    for arm in trial.arms:
        if arm.n_randomised.value is not None:
            arm_n[arm.id] = int(arm.n_randomised.value)
    if (
        trial.n_total is not None
        and trial.n_total.value is not None
        and len(arm_n) == len(trial.arms)
        and sum(arm_n.values()) != trial.n_total.value
    ):
        problems.append(
            (
                "n_total",
                "n-consistent",
                f"arms add up to {sum(arm_n.values())}, n_total is {trial.n_total.value:g}",
            )
        )

    itt = {pid for pid, p in pops.items() if p.kind == "itt"}
    for i, curve in enumerate(trial.curves):
        if curve.at_risk and curve.population in itt and curve.arm in arm_n:
            start = curve.at_risk[0].n_at_risk
            if start != arm_n[curve.arm]:
                problems.append(
                    (
                        f"curves[{i}].at_risk[0]",
                        "n-consistent",
                        f"N at risk at time 0 is {start}, arm {curve.arm!r} randomised "
                        f"{arm_n[curve.arm]}",
                    )
                )
    for key, row in rows:
        if key.startswith("curves") or getattr(row, "population", None) not in itt:
            continue
        arm_id = getattr(row, "arm", None)
        if arm_id not in arm_n or isinstance(row, AdverseEventResult):
            continue
        limit = arm_n[arm_id]
        if row.N is not None and limit < row.N:
            problems.append(
                (f"{key}.N", "n-consistent", f"N={row.N} exceeds arm {arm_id!r} randomised {limit}")
            )
        if (
            isinstance(row, EfficacyResult)
            and row.measure == "events"
            and row.value is not None
            and row.value > limit
        ):
            problems.append(
                (
                    f"{key}.value",
                    "events-le-n",
                    f"{row.value:g} events exceed arm {arm_id!r} N={limit}",
                )
            )

    counts: dict[tuple[Any, ...], dict[str, int]] = {}
    for resp in trial.response:
        if resp.measure == "rate" and resp.n is not None:
            group = (resp.analysis, resp.arm, resp.population, resp.confirmed, resp.ref)
            counts.setdefault(group, {})[resp.category] = resp.n
    for group, cats in counts.items():
        if {"CR", "PR", "ORR"} <= cats.keys() and cats["CR"] + cats["PR"] != cats["ORR"]:
            problems.append(
                (
                    "response",
                    "n-consistent",
                    f"CR {cats['CR']} + PR {cats['PR']} != ORR {cats['ORR']} for {group[:3]}",
                )
            )

    units: dict[tuple[Any, ...], dict[str | None, str]] = {}
    for i, ae in enumerate(trial.adverse_events):
        if ae.status == "not_reported":
            continue
        ae_item = (ae.analysis, ae.term, ae.category, ae.grade_band, ae.summary_item)
        units.setdefault(ae_item, {}).setdefault(ae.unit, f"adverse_events[{i}]")
    for ae_item, by_unit in units.items():
        if len(by_unit) > 1:
            where = ", ".join(f"{k} ({u})" for u, k in by_unit.items())
            problems.append(
                (
                    "adverse_events",
                    "unit-consistent",
                    f"one AE item ({ae_item[1]!r}, grade {ae_item[3]}) mixes units: {where}",
                )
            )

    seen: Counter[tuple[str, str]] = Counter()
    for row in trial.efficacy:
        if row.headline:
            seen[(row.arm, f"{row.endpoint}-{row.measure}")] += 1
    for resp in trial.response:
        if resp.headline:
            seen[(resp.arm, resp.category)] += 1
    for (arm_id, what), count in seen.items():
        if count > 1:
            problems.append(
                ("headline", "headline-unique", f"{count} headline rows for {arm_id}/{what}")
            )
    return problems
