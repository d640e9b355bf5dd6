"""Adverse-event (AE) tables across regimens: harmonised terms, recomputed percentages and
explicit "not reported" cells.

Pure functions over the frozen registry (no dash, no plotly). What the Safety view shows is
decided here once:

* **Harmonised terms.** Each AE term row keeps the term as printed; the reviewed map
  ``data/vocab/ae_terms.toml`` (:func:`load_term_map`) assigns it one clinical term (CTCAE
  v5.0 concepts, British spelling) and a kind (``term``, ``grouped``, ``serious-only``,
  ``not-a-term``). The map is validated strictly (closed keys, one entry per printed term)
  and checked against the data (:func:`term_map_problems`): every printed term mapped, and
  no two printed terms of one source table collapsed into one row (that would need the union
  of patients, which no source gives).
* **Percentages.** When a row has a count ``n`` and a denominator ``N`` the percentage shown
  is recomputed as ``100 * n / N`` (one decimal) and the published percentage is kept beside
  it; :attr:`AeCell.differs` flags the cells where the two disagree after rounding to one
  decimal (rounding in the source, or a typo). A count of 0 is 0 % for any denominator.
  Rows with a percentage only show the published percentage; the denominator is then
  "not stated", never borrowed from another row.
* **Grade bands are never relabelled.** The high-grade slot takes, in this order, a row
  printed as grade ">=3", else "3-5", else "3-4", else "3" (grade 3 only), and the cell
  carries the band it came from; in strict mode only ">=3" is accepted and the others become
  "not reported as grade >=3 (reported as grade 3-4: ...)".
* **Not reported is never 0.** A missing cell says why: the source table lists only terms
  above a threshold (``below-threshold``, with the threshold as an upper bound), the term is
  not listed and the table's inclusion rule is not stated (``not-listed``), the arm has no
  term-level table in this category (``no-table``), the source pools arms (``pooled``), the
  data file records it as not reported (``explicit``), or it exists only in another grade
  band or category (``other-band`` / ``other-category``, with the value found there).

Reference: National Cancer Institute, Common Terminology Criteria for Adverse Events (CTCAE)
v5.0, 2017. Grade 5 = death related to the AE, so "grade 3-4" excludes deaths and "grade
3-5" includes them.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from data.registry import Registry
from data.schema import AE_CATEGORIES, AdverseEventResult, Trial

__all__ = [
    "CATEGORY_ABBREVIATIONS",
    "GRADES",
    "HIGH_BANDS",
    "KINDS",
    "SORTS",
    "TERM_MAP_PATH",
    "AeCell",
    "ArmKey",
    "SummaryItem",
    "SummaryTable",
    "TermEntry",
    "TermMap",
    "TermMapError",
    "TermRow",
    "TermTable",
    "band_label",
    "check_term_map",
    "empty_term_map",
    "load_term_map",
    "parse_term_map",
    "parse_threshold_pct",
    "pooled_cells",
    "summary_items",
    "summary_table",
    "term_map_problems",
    "term_table",
    "unmapped_terms",
]

ArmKey = tuple[str, str]  # (trial_id, arm_id)
Kind = Literal["term", "grouped", "serious-only", "not-a-term"]
NrKind = Literal[
    "below-threshold",
    "not-listed",
    "no-table",
    "pooled",
    "explicit",
    "other-band",
    "other-category",
    "no-data",
]
Grade = Literal["any", "high"]

KINDS: tuple[str, ...] = ("term", "grouped", "serious-only", "not-a-term")
CATEGORIES: tuple[str, ...] = AE_CATEGORIES
# High-grade bands in order of preference for the "grade >=3" slot (see module docstring).
HIGH_BANDS: tuple[str, ...] = (">=3", "3-5", "3-4", "3")
STRICT_HIGH_BANDS: tuple[str, ...] = (">=3",)
GRADES: tuple[str, ...] = ("any", "high")
SORTS: tuple[str, ...] = ("freq", "alpha")
TERM_MAP_PATH = Path("vocab") / "ae_terms.toml"

CATEGORY_ABBREVIATIONS: Mapping[str, str] = {
    "treatment-related": "TRAE",
    "all-cause": "AE (all-cause)",
    "immune-related": "irAE",
    "treatment-emergent": "TEAE",
}

_LEVEL_RANK = {
    "primary publication": 0,
    "conference abstract": 1,
    "registry record": 2,
    "secondary summary": 3,
}
_THRESHOLD = re.compile(r"(?:>=|≥|at least)\s*(\d+(?:\.\d+)?)\s*%", re.IGNORECASE)
_MAX_TEXT = 200


# --------------------------------------------------------------------------------------------
# Term map
# --------------------------------------------------------------------------------------------


class TermMapError(ValueError):
    """The term map is malformed or does not fit the data; ``problems`` lists every issue as
    ``file: key: [rule] detail`` (the format of :class:`data.DataValidationError`)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            f"AE term map failed validation ({len(self.problems)} problem(s)):\n  - "
            + "\n  - ".join(self.problems)
        )


@dataclass(frozen=True)
class TermEntry:
    """One reviewed mapping: ``printed`` (exactly as in the data) -> ``harmonised``."""

    printed: str
    harmonised: str
    kind: Kind
    rule: str


@dataclass(frozen=True)
class TermMap:
    """The reviewed harmonisation map. ``sha256`` identifies the file content."""

    entries: tuple[TermEntry, ...]
    standard: str
    reviewed_by: str
    reviewed_on: str
    sha256: str
    _by_printed: Mapping[str, TermEntry] = field(repr=False, compare=False, hash=False)

    def get(self, printed: str) -> TermEntry | None:
        return self._by_printed.get(printed)

    def kind_of(self, harmonised: str) -> Kind | None:
        for entry in self.entries:
            if entry.harmonised == harmonised:
                return entry.kind
        return None


_META_KEYS = {"standard", "reviewed_by", "reviewed_on"}
_TERM_KEYS = {"printed", "harmonised", "kind", "rule"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _text(value: object) -> str | None:
    """A clean one-line string, or None when the value is not one."""
    if not isinstance(value, str):
        return None
    if not value.strip() or value != value.strip() or len(value) > _MAX_TEXT:
        return None
    if any(ch in value for ch in "\n\r\t"):
        return None
    return value


def parse_term_map(text: str, *, source: str = str(TERM_MAP_PATH)) -> TermMap:
    """Parse and validate the term map TOML; raise :class:`TermMapError` listing every problem.

    Closed schema: a ``[meta]`` table (``standard``, ``reviewed_by``, ``reviewed_on`` as
    ``YYYY-MM-DD``) and ``[[term]]`` entries with exactly ``printed``, ``harmonised``, ``kind``
    (one of :data:`KINDS`) and ``rule``, all non-empty one-line strings of at most 200
    characters. A printed term appears once (also case-insensitively); one harmonised term
    has one kind.
    """
    problems: list[str] = []
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TermMapError([f"{source}: (file): [toml-syntax] {exc}"]) from None
    for key in sorted(set(parsed) - {"meta", "term"}):
        problems.append(f"{source}: {key}: [unknown-key] only [meta] and [[term]] are allowed")
    meta = parsed.get("meta")
    meta_values: dict[str, str] = {}
    if not isinstance(meta, dict):
        problems.append(f"{source}: meta: [required-field] missing [meta] table")
    else:
        for key in sorted(set(meta) - _META_KEYS):
            problems.append(f"{source}: meta.{key}: [unknown-key] not a meta field")
        for key in sorted(_META_KEYS):
            value = _text(meta.get(key))
            if value is None:
                problems.append(
                    f"{source}: meta.{key}: [required-field] needs a non-empty one-line string"
                )
            else:
                meta_values[key] = value
        if "reviewed_on" in meta_values and not _DATE.match(meta_values["reviewed_on"]):
            problems.append(f"{source}: meta.reviewed_on: [status-value] expected YYYY-MM-DD")
    terms = parsed.get("term")
    entries: list[TermEntry] = []
    if not isinstance(terms, list) or not terms:
        problems.append(f"{source}: term: [required-field] needs at least one [[term]] entry")
        terms = []
    seen: dict[str, int] = {}
    kinds: dict[str, tuple[str, int]] = {}
    for i, raw in enumerate(terms):
        where = f"{source}: term[{i}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: [type:table] each term must be a table")
            continue
        for key in sorted(set(raw) - _TERM_KEYS):
            problems.append(f"{where}.{key}: [unknown-key] not a term field")
        values: dict[str, str] = {}
        for key in ("printed", "harmonised", "kind", "rule"):
            value = _text(raw.get(key))
            if value is None:
                problems.append(
                    f"{where}.{key}: [required-field] needs a non-empty one-line string"
                )
            else:
                values[key] = value
        if "kind" in values and values["kind"] not in KINDS:
            problems.append(
                f"{where}.kind: [allowed-values] {values['kind']!r} not in {', '.join(KINDS)}"
            )
            continue
        if len(values) != 4:
            continue
        folded = values["printed"].casefold()
        if folded in seen:
            problems.append(
                f"{where}.printed: [duplicate-id] {values['printed']!r} already mapped in "
                f"term[{seen[folded]}]"
            )
            continue
        seen[folded] = i
        previous = kinds.get(values["harmonised"])
        if previous is not None and previous[0] != values["kind"]:
            problems.append(
                f"{where}.kind: [allowed-values] harmonised term {values['harmonised']!r} is "
                f"kind {previous[0]!r} in term[{previous[1]}]"
            )
            continue
        kinds.setdefault(values["harmonised"], (values["kind"], i))
        entries.append(
            TermEntry(
                printed=values["printed"],
                harmonised=values["harmonised"],
                kind=values["kind"],  # type: ignore[arg-type]  # checked against KINDS above
                rule=values["rule"],
            )
        )
    if problems:
        raise TermMapError(problems)
    return TermMap(
        entries=tuple(entries),
        standard=meta_values["standard"],
        reviewed_by=meta_values["reviewed_by"],
        reviewed_on=meta_values["reviewed_on"],
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        _by_printed={e.printed: e for e in entries},
    )


def load_term_map(path: Path) -> TermMap:
    """Read and validate the term map at ``path`` (see :func:`parse_term_map`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TermMapError([f"{path.name}: (file): [file-missing] {exc}"]) from None
    return parse_term_map(text, source=path.name)


def unmapped_terms(registry: Registry, term_map: TermMap) -> tuple[str, ...]:
    """Printed AE terms (term rows, not summary rows) that have no entry in the map, sorted."""
    found = {
        row.term
        for trial in registry.trials
        for row in trial.adverse_events
        if row.summary_item is None
    }
    return tuple(sorted(t for t in found if term_map.get(t) is None))


def term_map_problems(registry: Registry, term_map: TermMap) -> list[str]:
    """Everything that makes the map unusable with this data: unmapped printed terms, and
    two printed terms of one source table (same trial, arm, analysis, category, grade band)
    mapped to the same harmonised term."""
    source = str(TERM_MAP_PATH)
    problems = [
        f"{source}: term: [required-field] printed AE term {term!r} has no entry"
        for term in unmapped_terms(registry, term_map)
    ]
    for trial in registry.trials:
        groups: dict[tuple[Any, ...], list[str]] = {}
        for row in trial.adverse_events:
            entry = term_map.get(row.term) if row.summary_item is None else None
            if entry is None:
                continue
            key = (row.arm, row.analysis, row.category, row.grade_band, entry.harmonised)
            groups.setdefault(key, []).append(row.term)
        for key, printed in groups.items():
            if len(set(printed)) > 1:
                problems.append(
                    f"{source}: term: [duplicate-id] {trial.id}: {sorted(set(printed))} would "
                    f"merge into {key[-1]!r} within one source table (arm {key[0]}, "
                    f"analysis {key[1]}, {key[2]}, grade {key[3]})"
                )
    return problems


NOT_HARMONISED = " (not harmonised)"


def empty_term_map() -> TermMap:
    """No reviewed mapping: every printed term is shown as printed, marked not harmonised."""
    return TermMap(
        entries=(),
        standard="no reviewed term map",
        reviewed_by="nobody",
        reviewed_on="never",
        sha256="",
        _by_printed={},
    )


def check_term_map(registry: Registry, path: Path | None = None) -> TermMap:
    """Load the map from the registry's data root (or ``path``) for the app.

    A malformed map, or one that would merge two printed terms of one source table, raises
    :class:`TermMapError` (the app refuses to start, like any data error). A data root without
    a map (test fixtures; the shipped root lists the file in its manifest, so it cannot go
    missing silently) gives :func:`empty_term_map`. Printed terms without an entry do not stop
    the app: they are shown as printed and marked "(not harmonised)"; the unit test
    ``test_term_map_is_complete_for_every_ae_term_in_the_data`` fails and lists them.
    """
    if path is not None:
        term_map = load_term_map(path)
    else:
        # The text verified against the manifest at load time, never a fresh read from disk.
        text = registry.data_text(TERM_MAP_PATH.as_posix())
        if text is None:
            return empty_term_map()
        term_map = parse_term_map(text, source=TERM_MAP_PATH.name)
    problems = [p for p in term_map_problems(registry, term_map) if "[duplicate-id]" in p]
    if problems:
        raise TermMapError(problems)
    return term_map


def _entry(term_map: TermMap, printed: str) -> TermEntry:
    """The reviewed entry, or a visible stand-in for a printed term without one."""
    entry = term_map.get(printed)
    if entry is not None:
        return entry
    return TermEntry(
        printed=printed,
        harmonised=printed + NOT_HARMONISED,
        kind="term",
        rule="no reviewed mapping yet: shown as printed",
    )


# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------


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
    match = _THRESHOLD.search(text)
    if not match:
        return None
    value = float(match.group(1))
    return value if 0 < value <= 100 else None


def _pct(value: float) -> str:
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
        text = prefix + _pct(self.shown_pct)
        if self.differs and self.published_pct is not None:
            text += f" (printed {_pct(self.published_pct)})"
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
            _LEVEL_RANK.get(_level(trial, ir[1]) or "", 9),
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


def _with(cell: AeCell, **changes: Any) -> AeCell:
    values = {name: getattr(cell, name) for name in cell.__dataclass_fields__}
    values.update(changes)
    return AeCell(**values)


def _choose(
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
        return _with(best, alternatives=others) if others else best
    for row in rows:
        if row.status != "reported" and row.grade_band in bands:
            return cell_from_row(trial, row)
    return None


def _not_reported(
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


def _hint(trial: Trial, rows: Sequence[AdverseEventResult]) -> str | None:
    """``"reported as grade 3–4: 47%"`` from the best reported row among ``rows``."""
    reported = [r for r in rows if r.status == "reported"]
    if not reported:
        return None
    ranked = _ranked(trial, reported, bands=tuple(dict.fromkeys(r.grade_band for r in reported)))
    cell = cell_from_row(trial, ranked[0])
    band = band_label(cell.grade_band or "any")
    where = "" if cell.category is None else f"{cell.category}, "
    return f"{where}{band}: {cell.value_text()}"


# --------------------------------------------------------------------------------------------
# Summary items
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryItem:
    """One bar group of the summary chart: ``key`` in (any, high, serious, irae,
    discontinuation, death) and the label for the chosen category."""

    key: str
    label: str
    category: str
    summary_items: tuple[str, ...]
    grade: str  # "any", "high" or "5"


def summary_items(category: str) -> tuple[SummaryItem, ...]:
    """The summary items for one AE category (irAE as its own item unless the category is
    already immune-related)."""
    abbr = CATEGORY_ABBREVIATIONS[category]
    death = "Treatment-related death" if category == "treatment-related" else f"Death due to {abbr}"
    items = [
        SummaryItem("any", f"Any {abbr}", category, ("any_event",), "any"),
        SummaryItem("high", f"Grade ≥3 {abbr}", category, ("any_event",), "high"),
        SummaryItem("serious", f"Serious {abbr}", category, ("serious",), "any"),
    ]
    if category != "immune-related":
        items.append(SummaryItem("irae", "Any irAE", "immune-related", ("any_event",), "any"))
    items.extend(
        [
            SummaryItem(
                "discontinuation",
                f"Discontinuation due to {abbr}",
                category,
                ("leading_to_discontinuation",),
                "any",
            ),
            SummaryItem("death", death, category, ("leading_to_death", "any_event"), "5"),
        ]
    )
    return tuple(items)


def _bands_for(grade: str, strict: bool) -> tuple[str, ...]:
    if grade == "high":
        return STRICT_HIGH_BANDS if strict else HIGH_BANDS
    return (grade,)


@dataclass(frozen=True)
class SummaryTable:
    """Summary cells: ``cells[i][j]`` is item ``items[i]`` for arm ``arms[j]``."""

    arms: tuple[ArmKey, ...]
    category: str
    strict: bool
    items: tuple[SummaryItem, ...]
    cells: tuple[tuple[AeCell, ...], ...]


def _check_arms(registry: Registry, arms: Sequence[ArmKey]) -> None:
    for trial_id, arm_id in arms:
        trial = registry.trial(trial_id)
        trial.arm(arm_id)


def _check_category(category: str) -> None:
    if category not in CATEGORIES:
        raise ValueError(f"unknown AE category {category!r}; known: {', '.join(CATEGORIES)}")


def _comparable_categories(found: str, wanted: str) -> bool:
    """A value in another category is worth naming as a hint only between treatment-related,
    all-cause and treatment-emergent events; immune-related events are a different question."""
    return "immune-related" not in (found, wanted)


def _summary_cell(trial: Trial, arm_id: str, item: SummaryItem, strict: bool) -> AeCell:
    rows = [
        r for r in trial.adverse_events if r.arm == arm_id and r.summary_item in item.summary_items
    ]
    in_category = [r for r in rows if r.category == item.category]
    bands = _bands_for(item.grade, strict)
    items: tuple[str | None, ...] = item.summary_items
    cell = _choose(trial, in_category, bands=bands, summary_items=items)
    if cell is not None and cell.reported:
        return cell
    hints: list[str] = []
    nr_kind: NrKind = cell.nr_kind if cell and cell.nr_kind else "no-data"
    reason = cell.reason if cell and cell.reason else "not found in the curated sources"
    other_band: list[AdverseEventResult] = []
    if item.grade == "high":
        # Only high-grade bands can stand in for "grade >=3" (strict mode shows them as hints).
        other_band = [
            r for r in in_category if r.grade_band not in bands and r.grade_band in HIGH_BANDS
        ]
    band_hint = _hint(trial, other_band)
    if band_hint:
        hints.append(f"reported only as {band_hint}")
        nr_kind = "other-band"
    other_cat = [
        r
        for r in rows
        if r.category != item.category
        and _comparable_categories(r.category, item.category)
        and r.grade_band in bands
    ]
    cat_hint = _hint(trial, other_cat)
    if cat_hint:
        hints.append(f"reported only as {cat_hint}")
        if nr_kind != "other-band":
            nr_kind = "other-category"
    full = "; ".join([reason, *hints])
    if cell is not None:
        return _with(cell, nr_kind=nr_kind, reason=full)
    return _not_reported(trial.id, arm_id, item.category, nr_kind, full)


def summary_table(
    registry: Registry,
    arms: Sequence[ArmKey],
    category: str = "treatment-related",
    *,
    strict: bool = False,
) -> SummaryTable:
    """Summary cells (any event, grade >=3, serious, irAE, discontinuation, death) per arm.

    Raises ``KeyError``/``ValueError`` for unknown arms or categories: callers validate first.
    """
    _check_category(category)
    _check_arms(registry, arms)
    items = summary_items(category)
    cells = tuple(
        tuple(
            _summary_cell(registry.trial(trial_id), arm_id, item, strict)
            for trial_id, arm_id in arms
        )
        for item in items
    )
    return SummaryTable(
        arms=tuple(arms), category=category, strict=strict, items=items, cells=cells
    )


# --------------------------------------------------------------------------------------------
# Term table
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermRow:
    """One harmonised term across the chosen arms (cells in arm order).

    ``frequency_pct`` is the largest shown percentage of the primary grade across arms (used
    for sorting and the minimum-frequency filter); ``hidden_reason`` says why a row is in the
    table but not in the chart.
    """

    term: str
    kind: str
    printed_terms: tuple[str, ...]
    any_cells: tuple[AeCell, ...]
    high_cells: tuple[AeCell, ...]
    other_band_cells: tuple[tuple[AeCell, ...], ...]
    frequency_pct: float | None
    secondary_pct: float | None
    hidden_reason: str | None = None


@dataclass(frozen=True)
class TermTable:
    """Harmonised terms x arms for one category: ``rows`` charted in display order,
    ``table_only`` listed under the chart (below the minimum frequency, or reported only in
    other grade bands), ``pooled`` rows the source gives for all arms together."""

    arms: tuple[ArmKey, ...]
    category: str
    grade: str
    strict: bool
    min_pct: float
    sort: str
    rows: tuple[TermRow, ...]
    table_only: tuple[TermRow, ...]
    pooled: tuple[AeCell, ...]
    thresholds: tuple[tuple[ArmKey, str | None], ...]
    unmapped: tuple[str, ...] = ()  # printed terms shown as printed (no reviewed mapping)


def _arm_threshold(rows: Sequence[AdverseEventResult]) -> str | None:
    texts = Counter(r.reporting_threshold for r in rows if r.reporting_threshold)
    return texts.most_common(1)[0][0] if texts else None


def _term_cell(
    trial: Trial,
    arm_id: str,
    term: str,
    grade: Grade,
    *,
    kind: str,
    category: str,
    strict: bool,
    arm_rows: Sequence[tuple[AdverseEventResult, TermEntry]],
    all_term_rows: Sequence[tuple[AdverseEventResult, TermEntry]],
) -> AeCell:
    bands = _bands_for(grade, strict)
    mine = [r for r, e in arm_rows if e.harmonised == term]
    cell = _choose(trial, mine, bands=bands)
    if cell is not None and cell.reported:
        return cell
    if cell is not None:  # explicit not-reported row for this term and band
        return cell
    table_rows = [r for r, e in arm_rows if e.kind != "not-a-term"]
    threshold = _arm_threshold(table_rows)
    threshold_pct = parse_threshold_pct(threshold)
    extra: dict[str, Any] = {"threshold_text": threshold, "threshold_pct": None}
    other_band = _hint(trial, mine)
    if other_band:
        base = "this grade band not given"
        reason = f"{base}; reported as {other_band}"
        return _not_reported(trial.id, arm_id, category, "other-band", reason, **extra)
    other_cat_rows = [
        r
        for r, e in all_term_rows
        if e.harmonised == term
        and r.arm == arm_id
        and r.category != category
        and _comparable_categories(r.category, category)
    ]
    cat_hint = _hint(trial, [r for r in other_cat_rows if r.grade_band in bands])
    hint = f"; reported as {cat_hint}" if cat_hint else ""
    if not table_rows:
        pooled = [r for r, _ in all_term_rows if r.arm is None and r.category == category]
        gaps = [r for r, e in arm_rows if e.kind == "not-a-term" and r.status != "reported"]
        if pooled:
            reason = "the source pools all arms for term-level rows (see the pooled rows)"
            return _not_reported(trial.id, arm_id, category, "pooled", reason + hint, **extra)
        reason = f"no term-level {category} AE table for this arm in the curated sources"
        if gaps:
            reason += " (" + "; ".join(f"{g.term}: {g.reason}" for g in gaps if g.reason) + ")"
        nr_kind: NrKind = "other-category" if cat_hint else "no-table"
        return _not_reported(trial.id, arm_id, category, nr_kind, reason + hint, **extra)
    if kind != "term":
        # A grouped or serious-only row is the source's own construct: its absence elsewhere
        # says nothing about frequency, so no threshold applies.
        reason = f"the source does not report this {kind} category"
        return _not_reported(trial.id, arm_id, category, "not-listed", reason + hint, **extra)
    if threshold_pct is not None:
        extra["threshold_pct"] = threshold_pct
        reason = f"below threshold: the source lists terms ≥{_pct(threshold_pct)} ({threshold})"
        return _not_reported(trial.id, arm_id, category, "below-threshold", reason + hint, **extra)
    if threshold:
        reason = f"not listed in the source table; inclusion rule: {threshold}"
    else:
        reason = "not listed in the source; it states no inclusion threshold"
    return _not_reported(trial.id, arm_id, category, "not-listed", reason + hint, **extra)


def _max(cells: Iterable[AeCell]) -> float | None:
    values = [c.shown_pct for c in cells if c.reported and c.shown_pct is not None]
    return max(values) if values else None


def term_table(
    registry: Registry,
    term_map: TermMap,
    arms: Sequence[ArmKey],
    category: str = "treatment-related",
    *,
    grade: str = "both",
    strict: bool = False,
    min_pct: float = 0.0,
    sort: str = "freq",
) -> TermTable:
    """Harmonised term rows for ``arms`` in one ``category``.

    ``grade`` ("both", "any" or "high") chooses the primary grade for sorting and the
    minimum-frequency filter (any grade unless "high"; a term never reported at the primary
    grade falls back to the other). Terms are in ONE order for all arms: by descending
    frequency (then the other grade, then name) or alphabetically. Terms below ``min_pct`` in
    every arm, and terms reported only in other grade bands, go to ``table_only`` with the
    reason. Raises ``KeyError``/``ValueError`` on unknown arms or options.
    """
    _check_category(category)
    _check_arms(registry, arms)
    if grade not in ("both", "any", "high"):
        raise ValueError(f"unknown grade {grade!r}")
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    if not (isinstance(min_pct, (int, float)) and math.isfinite(min_pct) and 0 <= min_pct <= 100):
        raise ValueError(f"min_pct must be within 0-100, got {min_pct!r}")
    trials = {trial_id: registry.trial(trial_id) for trial_id, _ in arms}
    all_rows: dict[str, list[tuple[AdverseEventResult, TermEntry]]] = {}
    for trial_id, trial in trials.items():
        mapped = []
        for row in trial.adverse_events:
            if row.summary_item is not None:
                continue
            mapped.append((row, _entry(term_map, row.term)))
        all_rows[trial_id] = mapped
    per_arm = {
        (trial_id, arm_id): [
            (r, e) for r, e in all_rows[trial_id] if r.arm == arm_id and r.category == category
        ]
        for trial_id, arm_id in arms
    }
    terms: dict[str, set[str]] = {}
    for rows in per_arm.values():
        for row, entry in rows:
            if entry.kind != "not-a-term":
                terms.setdefault(entry.harmonised, set()).add(row.term)
    built: list[TermRow] = []
    for term, printed in terms.items():
        any_cells: list[AeCell] = []
        high_cells: list[AeCell] = []
        others: list[tuple[AeCell, ...]] = []
        for trial_id, arm_id in arms:
            trial = trials[trial_id]
            rows = per_arm[(trial_id, arm_id)]
            kwargs: dict[str, Any] = {
                "kind": term_map.kind_of(term) or "term",  # stand-ins are plain terms
                "category": category,
                "strict": strict,
                "arm_rows": rows,
                "all_term_rows": all_rows[trial_id],
            }
            any_cells.append(_term_cell(trial, arm_id, term, "any", **kwargs))
            high_cells.append(_term_cell(trial, arm_id, term, "high", **kwargs))
            # Bands not drawn (grade 1-2, 3, 4, 5 beside a ">=3" row ...) stay in the table.
            used = {"any"} | {c.grade_band for c in (any_cells[-1], high_cells[-1]) if c.reported}
            others.append(
                tuple(
                    cell_from_row(trial, r)
                    for r, e in rows
                    if e.harmonised == term and r.grade_band not in used
                )
            )
        primary, secondary = (high_cells, any_cells) if grade == "high" else (any_cells, high_cells)
        freq, second = _max(primary), _max(secondary)
        if freq is None:
            freq, second = second, None
        hidden = None
        if freq is None:
            hidden = "reported only in other grade bands"
        elif freq < min_pct:
            hidden = f"below the minimum frequency ({_pct(min_pct)}) in every chosen arm"
        built.append(
            TermRow(
                term=term,
                kind=term_map.kind_of(term) or "term",
                printed_terms=tuple(sorted(printed)),
                any_cells=tuple(any_cells),
                high_cells=tuple(high_cells),
                other_band_cells=tuple(others),
                frequency_pct=freq,
                secondary_pct=second,
                hidden_reason=hidden,
            )
        )
    if sort == "alpha":
        built.sort(key=lambda r: r.term.casefold())
    else:
        built.sort(
            key=lambda r: (
                -(r.frequency_pct if r.frequency_pct is not None else -1.0),
                -(r.secondary_pct if r.secondary_pct is not None else -1.0),
                r.term.casefold(),
            )
        )
    thresholds = tuple(
        (key, _arm_threshold([r for r, e in per_arm[key] if e.kind != "not-a-term"]))
        for key in arms
    )
    return TermTable(
        arms=tuple(arms),
        category=category,
        grade=grade,
        strict=strict,
        min_pct=float(min_pct),
        sort=sort,
        rows=tuple(r for r in built if r.hidden_reason is None),
        table_only=tuple(r for r in built if r.hidden_reason is not None),
        pooled=pooled_cells(registry, tuple(trials), category),
        thresholds=thresholds,
        unmapped=tuple(
            sorted(
                {
                    r.term
                    for rows in per_arm.values()
                    for r, _ in rows
                    if term_map.get(r.term) is None
                }
            )
        ),
    )


def pooled_cells(
    registry: Registry, trial_ids: Sequence[str], category: str | None = None
) -> tuple[AeCell, ...]:
    """Rows a source reports for all arms together (``arm`` empty): never charted per arm,
    listed under the chart so they are not silently dropped."""
    out: list[AeCell] = []
    for trial_id in dict.fromkeys(trial_ids):
        trial = registry.trial(trial_id)
        for row in trial.adverse_events:
            if row.arm is None and (category is None or row.category == category):
                out.append(cell_from_row(trial, row))
    return tuple(out)
