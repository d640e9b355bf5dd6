"""The long evidence table: one row per number (plus explicit not-reported rows and dates).

This is what ``python -m data export`` writes and what the app offers for download. Columns are
fixed (:data:`EXPORT_COLUMNS`); a view developer filters rows by ``section`` (``efficacy``,
``response``, ``safety``, ``curve``, ``arm``, ``analysis``, ``design``, a fact section such as
``baseline``, or ``gap``), then by ``endpoint``/``measure``/``arm_id``/``population``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from data.schema import (
    AdverseEventResult,
    Citation,
    CitedDate,
    CitedNumber,
    CitedPeriod,
    EfficacyResult,
    Fact,
    Population,
    ResponseResult,
    Trial,
)

__all__ = ["EXPORT_COLUMNS", "trial_rows"]

EXPORT_COLUMNS: tuple[str, ...] = (
    "trial_id",
    "trial_name",
    "nct",
    "focus",
    "phase",
    "section",
    "analysis_id",
    "analysis_kind",
    "data_cutoff",
    "arm_id",
    "arm_label",
    "regimen_class",
    "comparator_arm_id",
    "comparator_arm_label",
    "population",
    "population_label",
    "population_kind",
    "histology",
    "scoring_system",
    "assay",
    "cutoff_operator",
    "cutoff",
    "cutoff_upper_operator",
    "cutoff_upper",
    "comparator_population",
    "endpoint",
    "measure",
    "item",
    "timepoint_months",
    "confirmed",
    "assessor",
    "ae_category",
    "grade_band",
    "summary_item",
    "reporting_threshold",
    "status",
    "value",
    "value_text",
    "qualifier",
    "unit",
    "ci_lower",
    "ci_upper",
    "ci_text",
    "ci_level",
    "ci_level_reason",
    "p_value",
    "p_sided",
    "ci_p_note",
    "n",
    "N",
    "range_lower",
    "range_upper",
    "range_kind",
    "source_ref",
    "citation",
    "doi",
    "pmid",
    "link",
    "locator",
    "source_level",
    "derived",
    "derivation",
    "as_printed",
    "curation_note",
    "note",
    "not_reported_reason",
)


def _fmt_bound(bound: object) -> str:
    if isinstance(bound, (int, float)) and not isinstance(bound, bool):
        return f"{float(bound):g}"
    return str(bound)


def _population_cells(trial: Trial, population_id: str | None) -> dict[str, Any]:
    if population_id is None:
        return {}
    pop: Population = trial.population_by_id(population_id)
    return {
        "population": pop.id,
        "population_label": pop.label,
        "population_kind": pop.kind,
        "histology": pop.histology,
        "scoring_system": pop.scoring_system,
        "assay": pop.assay,
        "cutoff_operator": pop.operator,
        "cutoff": pop.cutoff,
        "cutoff_upper_operator": pop.upper_operator,
        "cutoff_upper": pop.cutoff_upper,
    }


def _source_cells(trial: Trial, item: Citation) -> dict[str, Any]:
    cells: dict[str, Any] = {
        "source_ref": item.ref,
        "locator": item.locator,
        "source_level": trial.source_level(item),
        "curation_note": item.curation_note,
        "note": item.note,
    }
    if item.ref is not None:
        pub = trial.publication(item.ref)
        cells.update(
            {
                "citation": pub.citation,
                "doi": pub.doi or pub.reports_on_doi,
                "pmid": pub.pmid,
                "link": pub.link,
            }
        )
    return cells


def _number_cells(num: CitedNumber) -> dict[str, Any]:
    lo = hi = None
    ci_text = None
    if num.ci is not None:
        lo = num.ci[0] if not isinstance(num.ci[0], str) else None
        hi = num.ci[1] if not isinstance(num.ci[1], str) else None
        ci_text = f"{_fmt_bound(num.ci[0])}–{_fmt_bound(num.ci[1])}"
    return {
        "status": num.status,
        "value": num.value,
        "qualifier": num.qualifier,
        "unit": num.unit,
        "ci_lower": lo,
        "ci_upper": hi,
        "ci_text": ci_text,
        "ci_level": num.ci_level,
        "ci_level_reason": num.ci_level_reason,
        "p_value": num.p,
        "p_sided": num.p_sided,
        "ci_p_note": num.ci_p_note,
        "n": num.n,
        "N": num.N,
        "range_lower": num.range[0] if num.range else None,
        "range_upper": num.range[1] if num.range else None,
        "range_kind": num.range_kind,
        "derived": num.derived,
        "derivation": num.derivation,
        "as_printed": num.as_printed,
        "not_reported_reason": num.reason,
    }


class _RowMaker:
    def __init__(self, trial: Trial) -> None:
        self.trial = trial
        self.base: dict[str, Any] = {
            "trial_id": trial.id,
            "trial_name": trial.name,
            "nct": trial.nct,
            "focus": trial.focus,
            "phase": trial.phase,
        }

    def analysis_cells(self, analysis_id: str | None) -> dict[str, Any]:
        if analysis_id is None:
            return {}
        an = self.trial.analysis(analysis_id)
        return {
            "analysis_id": an.id,
            "analysis_kind": an.kind,
            "data_cutoff": an.data_cutoff.date,
        }

    def arm_cells(self, arm_id: str | None, comparator: str | None = None) -> dict[str, Any]:
        cells: dict[str, Any] = {}
        if arm_id is not None:
            arm = self.trial.arm(arm_id)
            cells.update(
                {"arm_id": arm.id, "arm_label": arm.label, "regimen_class": arm.regimen_class}
            )
        if comparator is not None:
            comp = self.trial.arm(comparator)
            cells.update({"comparator_arm_id": comp.id, "comparator_arm_label": comp.label})
        return cells

    def row(self, cited: Citation, /, **cells: Any) -> dict[str, Any]:
        out: dict[str, Any] = dict.fromkeys(EXPORT_COLUMNS)
        out.update(self.base)
        out.update(_source_cells(self.trial, cited))
        if isinstance(cited, CitedNumber):
            out.update(_number_cells(cited))
        out.update(cells)
        return out


def _date_row(maker: _RowMaker, date: CitedDate, **cells: Any) -> dict[str, Any]:
    return maker.row(
        date,
        status=date.status,
        value_text=date.date,
        not_reported_reason=date.reason,
        derived=False,
        **cells,
    )


def _period_rows(maker: _RowMaker, period: CitedPeriod, **cells: Any) -> Iterator[dict[str, Any]]:
    for label, text in (("accrual start", period.start), ("accrual end", period.end)):
        yield maker.row(
            period, status="reported", value_text=text, item=label, derived=False, **cells
        )


def trial_rows(trial: Trial) -> Iterator[dict[str, Any]]:
    """All rows of one trial, in file order within each section."""
    mk = _RowMaker(trial)
    if trial.n_total is not None:
        yield mk.row(trial.n_total, section="design", measure="n_total")
    for arm in trial.arms:
        yield mk.row(
            arm.n_randomised, section="arm", measure="n_randomised", **mk.arm_cells(arm.id)
        )
        if arm.n_treated is not None:
            yield mk.row(arm.n_treated, section="arm", measure="n_treated", **mk.arm_cells(arm.id))
    for an in trial.analyses:
        cells = mk.analysis_cells(an.id)
        yield _date_row(mk, an.data_cutoff, section="analysis", measure="data_cutoff", **cells)
        if an.accrual is not None:
            yield from _period_rows(mk, an.accrual, section="analysis", measure="accrual", **cells)
        if an.follow_up is not None:
            yield mk.row(
                an.follow_up,
                section="analysis",
                measure="follow_up",
                item=an.follow_up_kind,
                **cells,
            )
    for eff in trial.efficacy:
        yield _efficacy_row(mk, eff)
    for resp in trial.response:
        yield _response_row(mk, resp)
    for ae in trial.adverse_events:
        yield _ae_row(mk, ae)
    for fact in trial.facts:
        yield _fact_row(mk, fact)
    for curve in trial.curves:
        cells = {
            "section": "curve",
            "endpoint": curve.endpoint,
            "item": curve.id,
            **mk.analysis_cells(curve.analysis),
            **mk.arm_cells(curve.arm),
            **_population_cells(trial, curve.population),
        }
        for point in curve.at_risk:
            yield mk.row(
                curve,
                measure="n_at_risk",
                timepoint_months=point.time_months,
                status="reported",
                value=point.n_at_risk,
                unit="count",
                derived=False,
                **cells,
            )
            if point.n_censored_cumulative is not None:
                yield mk.row(
                    curve,
                    measure="n_censored_cumulative",
                    timepoint_months=point.time_months,
                    status="reported",
                    value=point.n_censored_cumulative,
                    unit="count",
                    derived=False,
                    **cells,
                )
        if curve.events is not None:
            yield mk.row(curve.events, measure="events", **cells)
    for gap in trial.gaps:
        yield mk.row(
            Citation(),
            section="gap",
            item=gap.topic,
            status="not_reported",
            not_reported_reason=gap.reason,
            derived=False,
            **mk.analysis_cells(gap.analysis),
        )


def _efficacy_row(mk: _RowMaker, eff: EfficacyResult) -> dict[str, Any]:
    return mk.row(
        eff,
        section="efficacy",
        endpoint=eff.endpoint,
        measure=eff.measure,
        timepoint_months=eff.timepoint_months,
        assessor=eff.assessor,
        comparator_population=eff.comparator_population,
        **mk.analysis_cells(eff.analysis),
        **mk.arm_cells(eff.arm, eff.comparator),
        **_population_cells(mk.trial, eff.population),
    )


def _response_row(mk: _RowMaker, resp: ResponseResult) -> dict[str, Any]:
    return mk.row(
        resp,
        section="response",
        endpoint=resp.category,
        measure=resp.measure,
        confirmed=resp.confirmed,
        assessor=resp.assessor,
        item=resp.criteria,
        comparator_population=resp.comparator_population,
        **mk.analysis_cells(resp.analysis),
        **mk.arm_cells(resp.arm, resp.comparator),
        **_population_cells(mk.trial, resp.population),
    )


def _ae_row(mk: _RowMaker, ae: AdverseEventResult) -> dict[str, Any]:
    return mk.row(
        ae,
        section="safety",
        measure="adverse_event",
        item=ae.term,
        ae_category=ae.category,
        grade_band=ae.grade_band,
        summary_item=ae.summary_item,
        reporting_threshold=ae.reporting_threshold,
        **mk.analysis_cells(ae.analysis),
        **mk.arm_cells(ae.arm),
    )


def _fact_row(mk: _RowMaker, fact: Fact) -> dict[str, Any]:
    return mk.row(
        fact,
        section=fact.section,
        measure="fact",
        item=fact.item,
        **mk.analysis_cells(fact.analysis),
        **mk.arm_cells(fact.arm),
        **_population_cells(mk.trial, fact.population),
    )
