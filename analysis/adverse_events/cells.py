"""One AE cell: a published row turned into what is shown, or the reason it is not reported.

Part of :mod:`analysis.adverse_events` (the package docstring states the rules).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from analysis.adverse_events.vocab import LEVEL_RANK, THRESHOLD_RE, NrKind
from data.schema import AdverseEventResult, Trial


def band_label(band: str) -> str:
    """Human label of a printed grade band: ``">=3"`` -> ``"grade ≥3"``, ``"3-4"`` ->
    ``"grade 3–4"``, ``"any"`` -> ``"any grade"``."""
    if band == "any":
        return "any grade"
    return "grade " + band.replace(">=", "≥").replace("-", "–")


def parse_threshold_pct(text: str | None) -> float | None:
    """The numeric inclusion threshold in a source table's rule (``">=20%"``, ``"at least
    10%"``), or None when the rule states no percentage."""
    if not text:
        return None
    match = THRESHOLD_RE.search(text)
    if not match:
        return None
    value = float(match.group(1))
    return value if 0 < value <= 100 else None


def pct(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") + "%" if value % 1 else f"{value:.0f}%"


@dataclass(frozen=True)
class AeCell:
    """One number of the Safety view (or an explicit "not reported"), with its provenance.

    ``shown_pct`` is what the chart draws: the recomputed percentage when ``n`` and ``N`` are
    known, else the published one (``qualifier`` such as ``"<="`` applies to it). Row fields
    (``printed``, ``category``, ``grade_band``, ``summary_item``, ``analysis_id``) identify the
    evidence row the number comes from. For a not-reported cell ``nr_kind`` and ``reason`` say
    why and ``threshold_pct`` is an upper bound when the source lists only terms above it.
    """

    trial_id: str
    arm_id: str | None
    status: Literal["reported", "not_reported"]
    shown_pct: float | None = None
    recomputed_pct: float | None = None
    published_pct: float | None = None
    qualifier: str | None = None
    n_patients: int | None = None
    denominator_n: int | None = None
    grade_band: str | None = None
    category: str | None = None
    summary_item: str | None = None
    printed: str | None = None
    analysis_id: str | None = None
    analysis_label: str | None = None
    source_ref: str | None = None
    locator: str | None = None
    source_level: str | None = None
    as_printed: str | None = None
    note: str | None = None
    threshold_text: str | None = None
    threshold_pct: float | None = None
    nr_kind: NrKind | None = None
    reason: str | None = None
    alternatives: tuple[str, ...] = ()

    @property
    def reported(self) -> bool:
        return self.status == "reported"

    @property
    def differs(self) -> bool:
        """Recomputed and published percentages disagree at one decimal."""
        if self.recomputed_pct is None or self.published_pct is None:
            return False
        return abs(round(self.recomputed_pct, 1) - round(self.published_pct, 1)) >= 0.05

    def value_text(self) -> str:
        """``"74%"``, ``"≤6%"``, ``"28% (printed 38%)"`` or ``"not reported (...)"``."""
        if not self.reported:
            return f"not reported ({self.reason})" if self.reason else "not reported"
        if self.shown_pct is None:
            return f"{self.n_patients} patients (percentage not computable: N not stated)"
        prefix = {"<=": "≤", "<": "<", ">=": "≥", ">": ">", "~": "~"}.get(self.qualifier or "", "")
        text = prefix + pct(self.shown_pct)
        if self.differs and self.published_pct is not None:
            text += f" (printed {pct(self.published_pct)})"
        return text

    def count_text(self) -> str:
        """``"37/50"``, ``"N = 46"`` or ``"N not stated"``."""
        if self.n_patients is not None and self.denominator_n is not None:
            return f"{self.n_patients}/{self.denominator_n}"
        if self.denominator_n is not None:
            return f"n not stated, N = {self.denominator_n}"
        if self.n_patients is not None:
            return f"n = {self.n_patients}, N not stated"
        return "N not stated"


def _level(trial: Trial, row: AdverseEventResult) -> str | None:
    try:
        return trial.source_level(row)
    except KeyError:
        return None


def _analysis_index(trial: Trial, analysis_id: str) -> int:
    for i, analysis in enumerate(trial.analyses):
        if analysis.id == analysis_id:
            return i
    return -1


def _analysis_label(trial: Trial, analysis_id: str) -> str | None:
    for analysis in trial.analyses:
        if analysis.id == analysis_id:
            return analysis.label
    return None


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def cell_from_row(trial: Trial, row: AdverseEventResult) -> AeCell:
    """The cell for one evidence row (reported or explicitly not reported)."""
    common: dict[str, Any] = {
        "trial_id": trial.id,
        "arm_id": row.arm,
        "grade_band": row.grade_band,
        "category": row.category,
        "summary_item": row.summary_item,
        "printed": row.term,
        "analysis_id": row.analysis,
        "analysis_label": _analysis_label(trial, row.analysis),
        "source_ref": row.ref,
        "locator": row.locator,
        "source_level": _level(trial, row),
        "as_printed": row.as_printed,
        "note": row.note,
        "threshold_text": row.reporting_threshold,
        "denominator_n": row.N,
    }
    if row.status != "reported":
        return AeCell(
            status="not_reported",
            nr_kind="explicit",
            reason=row.reason or "not reported in the source",
            **common,
        )
    value = _finite(row.value)
    if row.unit == "count":
        published = None
        n = row.n if row.n is not None else (int(value) if value is not None else None)
    else:
        published = value
        n = row.n
    recomputed = None
    if n is not None and row.N is not None and row.N > 0:
        recomputed = round(100.0 * n / row.N, 1)
    elif n == 0:
        recomputed = 0.0  # 0 patients is 0 % whatever the (unstated) denominator
    shown = recomputed if recomputed is not None else published
    return AeCell(
        status="reported",
        shown_pct=shown,
        recomputed_pct=recomputed,
        published_pct=published,
        qualifier=row.qualifier,
        n_patients=n,
        **common,
    )


def _count_score(row: AdverseEventResult) -> int:
    return (row.n is not None or row.unit == "count") + (row.N is not None)


def _ranked(
    trial: Trial,
    rows: Iterable[AdverseEventResult],
    *,
    bands: Sequence[str],
    summary_items: Sequence[str | None] = (None,),
) -> list[AdverseEventResult]:
    """Reported candidate rows, best first (see module docstring for the order)."""
    indexed = [
        (i, r) for i, r in enumerate(rows) if r.status == "reported" and r.grade_band in bands
    ]
    indexed.sort(
        key=lambda ir: (
            bands.index(ir[1].grade_band),
            -_count_score(ir[1]),
            LEVEL_RANK.get(_level(trial, ir[1]) or "", 9),
            summary_items.index(ir[1].summary_item) if ir[1].summary_item in summary_items else 9,
            -_analysis_index(trial, ir[1].analysis),
            ir[0],
        )
    )
    return [r for _, r in indexed]


def _short(cell: AeCell) -> str:
    parts = [cell.value_text(), band_label(cell.grade_band or "any")]
    if cell.source_level:
        parts.append(cell.source_level)
    if cell.analysis_label:
        parts.append(cell.analysis_label)
    return f"{cell.printed}: " + ", ".join(parts)


def with_changes(cell: AeCell, **changes: Any) -> AeCell:
    values = {name: getattr(cell, name) for name in cell.__dataclass_fields__}
    values.update(changes)
    return AeCell(**values)


def choose(
    trial: Trial,
    rows: Sequence[AdverseEventResult],
    *,
    bands: Sequence[str],
    summary_items: Sequence[str | None] = (None,),
) -> AeCell | None:
    """Best reported row as a cell (others as ``alternatives``), else the first explicit
    not-reported row in ``bands``, else None."""
    ranked = _ranked(trial, rows, bands=bands, summary_items=summary_items)
    if ranked:
        best = cell_from_row(trial, ranked[0])
        # Other sources of the same number (same band); other bands are listed apart.
        others = tuple(
            _short(cell_from_row(trial, r))
            for r in ranked[1:]
            if r.grade_band == ranked[0].grade_band
        )
        return with_changes(best, alternatives=others) if others else best
    for row in rows:
        if row.status != "reported" and row.grade_band in bands:
            return cell_from_row(trial, row)
    return None


def not_reported(
    trial_id: str, arm_id: str, category: str, nr_kind: NrKind, reason: str, **extra: Any
) -> AeCell:
    return AeCell(
        trial_id=trial_id,
        arm_id=arm_id,
        status="not_reported",
        category=category,
        nr_kind=nr_kind,
        reason=reason,
        **extra,
    )


def found_elsewhere(trial: Trial, rows: Sequence[AdverseEventResult]) -> str | None:
    """``"reported as grade 3–4: 47%"`` from the best reported row among ``rows``."""
    reported = [r for r in rows if r.status == "reported"]
    if not reported:
        return None
    ranked = _ranked(trial, reported, bands=tuple(dict.fromkeys(r.grade_band for r in reported)))
    cell = cell_from_row(trial, ranked[0])
    band = band_label(cell.grade_band or "any")
    where = "" if cell.category is None else f"{cell.category}, "
    return f"{where}{band}: {cell.value_text()}"
