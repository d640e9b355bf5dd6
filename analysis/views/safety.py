"""Safety view model: adverse events of the chosen arms, as the sources print them.

State (URL ``?arms=trial.arm,…&cat=tr&chart=terms&grade=both&min=10&sort=freq&strict=1``, only
non-default keys written): the arms (in the order chosen: it is the order drawn), the chart
(summary bars, term by term, heatmap), the AE category, which grade the term charts use, the
grade ≥3 definition switch, the order of terms and the minimum frequency.

:func:`build` turns a validated state into a :class:`SafetyModel`: the analysis tables of
:mod:`analysis.adverse_events` (summary or harmonised terms), the notes on definitions that
differ between the chosen arms, the sources of every number and the reasons something is not
charted. Why the rules are what they are is written beside each rule.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from analysis import adverse_events as ae
from analysis.views.defaults import ARM_SEPARATOR, view_defaults
from analysis.views.safety_notes import definition_notes
from analysis.views.state import Choice, Flag, MultiChoice, Number, StateSpec
from data import Registry
from data.schema import Trial

#: Most arms one view compares: the term chart puts arms side by side as facets, which stay
#: readable up to about ten columns.
MAX_ARMS = 10
#: Longest arm list a callback may send, repeats included (a multi-select never repeats; the
#: bound refuses a crafted list before any item is looked at).
MAX_ARMS_GIVEN = MAX_ARMS * 3
#: Arms a data root without a ``[safety]`` default shows (its first arms, registry order).
FALLBACK_ARM_COUNT = 4
#: Chart arm labels are cut at word boundaries to about this many characters.
CHART_LABEL_CHARS = 48

CHARTS: Mapping[str, str] = {
    "summary": "Summary",
    "terms": "Term by term",
    "heatmap": "Heatmap",
}
#: URL spelling of each category (links written since issue 7 use these codes).
CATEGORY_CODES: Mapping[str, str] = {
    "tr": "treatment-related",
    "ac": "all-cause",
    "ir": "immune-related",
    "te": "treatment-emergent",
}
CATEGORY_LABELS: Mapping[str, str] = {
    "treatment-related": "Treatment-related",
    "all-cause": "All-cause",
    "immune-related": "Immune-related",
    "treatment-emergent": "Treatment-emergent",
}
GRADE_OPTIONS: Mapping[str, str] = {
    "both": "Any grade + grade ≥3",
    "any": "Any grade",
    "high": "Grade ≥3",
}
SORT_OPTIONS: Mapping[str, str] = {"freq": "By frequency", "alpha": "Alphabetical"}
#: The problem named when no arm is chosen (a callback shows "choose an arm", not an error).
NO_ARM = "no arm chosen"


# --------------------------------------------------------------------------------------------
# Arms and labels
# --------------------------------------------------------------------------------------------


def arm_value(key: ae.ArmKey) -> str:
    """``"trial.arm"``: how an arm is spelled in the URL and in the arm picker."""
    return f"{key[0]}{ARM_SEPARATOR}{key[1]}"


def arm_key(value: str) -> ae.ArmKey:
    trial_id, _, arm_id = value.partition(ARM_SEPARATOR)
    return trial_id, arm_id


@functools.lru_cache(maxsize=8)
def arm_values(registry: Registry) -> tuple[str, ...]:
    """Every arm of the registry, in registry order (the arm allow-list)."""
    return tuple(arm_value((t.id, a.id)) for t in registry.trials for a in t.arms)


@functools.lru_cache(maxsize=8)
def arm_labels(registry: Registry) -> dict[ae.ArmKey, str]:
    """Full arm labels ("trial name: arm label") for tables, hovers and the picker."""
    return {(t.id, a.id): f"{t.name}: {a.label}" for t in registry.trials for a in t.arms}


def trial_short_name(trial: Trial) -> str:
    """``"Xu 1542P"`` from ``"Xu 1542P (TC + camrelizumab +/- anlotinib)"``."""
    return str(trial.name).split(" (", 1)[0]


def _cut(text: str, limit: int, *, middle: bool) -> str:
    """Cut ``text`` at word boundaries to about ``limit`` characters: keep the start (the
    experimental agents come first), or with ``middle`` both ends (arms of one trial can
    differ only at the end: "... + FP" vs "... + TP")."""
    if len(text) <= limit:
        return text
    words = text.split()
    tail: list[str] = [words.pop()] if middle else []
    while middle and words and len(" ".join([words[-1], *tail])) <= limit // 3:
        tail.insert(0, words.pop())
    budget = limit - len(" ".join(tail)) - 2
    head: list[str] = []
    for word in words:
        if len(" ".join([*head, word])) > budget:
            break
        head.append(word)
    return " ".join([*head, "…", *tail])


@functools.lru_cache(maxsize=8)
def chart_labels(registry: Registry) -> dict[ae.ArmKey, str]:
    """One-line arm labels for charts: short trial name + arm label, cut at word boundaries
    to about :data:`CHART_LABEL_CHARS`. Charts put labels beside bars and over facets, where a
    full regimen does not fit; the full label is in the hover, the table and the arm picker.
    Labels stay unique (cut in the middle, else suffixed with the arm id), because two arms
    drawn under one label could not be told apart."""
    out: dict[ae.ArmKey, str] = {}
    for trial in registry.trials:
        texts = [f"{trial_short_name(trial)}: {arm.label}" for arm in trial.arms]
        labels = [_cut(t, CHART_LABEL_CHARS, middle=False) for t in texts]
        if len(set(labels)) < len(labels):
            labels = [_cut(t, CHART_LABEL_CHARS, middle=True) for t in texts]
        for arm, label in zip(trial.arms, labels, strict=True):
            if label in out.values() or labels.count(label) > 1:
                label = f"{label} [{arm.id}]"
            out[(trial.id, arm.id)] = label
    return out


@functools.lru_cache(maxsize=8)
def categories(registry: Registry) -> tuple[str, ...]:
    """AE categories some trial reports, in :data:`analysis.adverse_events.CATEGORIES` order.
    Offering a category no source reports would only show "not reported" everywhere."""
    present = {r.category for t in registry.trials for r in t.adverse_events}
    return tuple(c for c in ae.CATEGORIES if c in present) or ("treatment-related",)


def default_arms(registry: Registry) -> tuple[str, ...]:
    """The reviewed default of ``data/vocab/view_defaults.toml`` (``[safety]``, with its
    reason there); a data root without one shows its first :data:`FALLBACK_ARM_COUNT` arms."""
    chosen = view_defaults(registry).get("safety")
    if chosen is not None:
        return tuple(arm_value(k) for k in chosen.arms)
    return arm_values(registry)[:FALLBACK_ARM_COUNT]


def default_category(registry: Registry) -> str:
    """Treatment-related AEs: the category every trial in the data reports and the one the
    sources put first (attribution by the investigators)."""
    found = categories(registry)
    return "treatment-related" if "treatment-related" in found else found[0]


# --------------------------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SafetyState:
    """A validated choice of the Safety view (every value is on an allow-list)."""

    arms: tuple[str, ...]
    chart: str = "summary"
    category: str = "treatment-related"
    grade: str = "both"
    strict: bool = False
    sort: str = "freq"
    min_pct: float = 0

    @property
    def arm_keys(self) -> tuple[ae.ArmKey, ...]:
        return tuple(arm_key(v) for v in self.arms)


def _some_arm(registry: Registry, state: SafetyState) -> tuple[SafetyState, list[str]]:
    """An empty arm list has nothing to show: a link keeps the default arms, a callback asks
    the user to choose one (:data:`NO_ARM`)."""
    if state.arms:
        return state, []
    return replace(state, arms=default_arms(registry)), [NO_ARM]


SPEC: StateSpec[SafetyState] = StateSpec(
    SafetyState,
    (
        MultiChoice(
            "arms",
            "arms",
            "arms",
            arm_values,
            default_arms,
            MAX_ARMS,
            ordered=True,
            max_given=MAX_ARMS_GIVEN,
        ),
        Choice("chart", "chart", "chart", lambda r: tuple(CHARTS), lambda r: "summary"),
        Choice(
            "category",
            "cat",
            "category",
            categories,
            default_category,
            codes=tuple((value, code) for code, value in CATEGORY_CODES.items()),
        ),
        Choice("grade", "grade", "grade", lambda r: tuple(GRADE_OPTIONS), lambda r: "both"),
        Flag("strict", "strict", "grade ≥3 definition switch", False),
        Choice("sort", "sort", "sort order", lambda r: tuple(SORT_OPTIONS), lambda r: "freq"),
        Number("min_pct", "min", "minimum frequency", (0.0, 100.0), 0.0, decimals=0, blank=0.0),
    ),
    check=_some_arm,
    report_unknown_keys=True,
    label_only_problems=True,
)


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def term_map_for(registry: Registry) -> ae.TermMap:
    """The reviewed term map of the registry's data root, checked against its data (a map
    that would merge two printed terms of one source table stops the app)."""
    return ae.check_term_map(registry)


def term_map_note(registry: Registry) -> str:
    term_map = term_map_for(registry)
    if not term_map.entries:
        return "No reviewed term map in this data root: every term is shown as printed."
    return (
        f"Terms harmonised with a reviewed map ({term_map.standard}; reviewed "
        f"{term_map.reviewed_on}); the term as printed is in the hover and the table."
    )


@dataclass(frozen=True)
class SafetyModel:
    """What the Safety view shows for one state (no colours, no markup).

    Exactly one of ``summary`` (chart "summary") and ``terms`` (term chart and heatmap) is set.
    ``empty_message`` says why a term chart draws nothing; ``blanket_arms`` are arm positions
    whose source has no term table at all (one "every term: not reported" table row each
    instead of one per term); ``sources`` are (trial id, publication key) of every number, in
    arm order.
    """

    state: SafetyState
    arms: tuple[ae.ArmKey, ...]
    labels: tuple[str, ...]
    chart_labels: tuple[str, ...]
    trial_names: tuple[tuple[str, str], ...]
    title: str
    summary: ae.SummaryTable | None
    terms: ae.TermTable | None
    empty_message: str | None
    definitions: tuple[str, ...]
    term_map_note: str | None
    cross_trial: bool
    sources: tuple[tuple[str, str], ...]
    blanket_arms: tuple[int, ...]
    charted_slots: tuple[str, ...]


def title(state: SafetyState) -> str:
    category = CATEGORY_LABELS.get(state.category, state.category)
    return f"{category} adverse events — {CHARTS[state.chart].lower()}"


def cells(summary: ae.SummaryTable | None, terms: ae.TermTable | None) -> list[ae.AeCell]:
    """Every cell behind the view (charted or table-only), for sources and notes."""
    found: list[ae.AeCell] = []
    if summary:
        for row in summary.cells:
            found.extend(row)
    if terms:
        for term_row in (*terms.rows, *terms.table_only):
            found.extend(term_row.any_cells)
            found.extend(term_row.high_cells)
            for others in term_row.other_band_cells:
                found.extend(others)
        found.extend(terms.pooled)
    return found


def _sources(found: Sequence[ae.AeCell]) -> tuple[tuple[str, str], ...]:
    seen: dict[tuple[str, str], None] = {}
    for cell in found:
        if cell.source_ref:
            seen.setdefault((cell.trial_id, cell.source_ref), None)
    return tuple(seen)


def blanket_arms(terms: ae.TermTable) -> tuple[int, ...]:
    """Arms for which every term is "not reported" because the source has no term table, pools
    its terms across arms, or reports them only for another category. Listing such an arm once
    ("every term") says the same as a row per term, without burying the reported arms."""
    return tuple(
        j
        for j in range(len(terms.arms))
        if all(
            not c.reported and c.nr_kind in ("no-table", "pooled", "other-category")
            for r in (*terms.rows, *terms.table_only)
            for c in (r.any_cells[j], r.high_cells[j])
        )
    )


def charted_slots(state: SafetyState) -> tuple[str, ...]:
    """Grade slots the chart draws: the heatmap colours one grade (grade ≥3 only when asked
    for, else any grade); the term chart draws the grades chosen. The CSV marks every other
    number as table/hover only, so nobody reads an uncharted number as charted."""
    if state.chart == "summary":
        return ()
    if state.chart == "heatmap":
        return ("high",) if state.grade == "high" else ("any",)
    return {"both": ("any", "high"), "any": ("any",), "high": ("high",)}[state.grade]


def _empty_message(state: SafetyState, terms: ae.TermTable) -> str | None:
    """A term chart with no charted term says why (nothing reported, or only below the
    minimum frequency, with the count of terms left in the table) instead of drawing axes."""
    if terms.rows:
        return None
    message = f"No {state.category} AE term is reported for the chosen arms"
    hidden = len(terms.table_only)
    if hidden:
        message += f" above the minimum frequency ({hidden} term(s) listed in the table)"
    return message + "."


def build(registry: Registry, state: SafetyState) -> SafetyModel:
    """The Safety view for a validated ``state`` (see :class:`SafetyModel`).

    The summary chart needs only the summary rows; the term charts need the harmonised term
    table (with the reviewed term map). Only the table the chart shows is computed.
    """
    keys = state.arm_keys
    summary: ae.SummaryTable | None = None
    terms: ae.TermTable | None = None
    if state.chart == "summary":
        summary = ae.summary_table(registry, keys, state.category, strict=state.strict)
    else:
        terms = ae.term_table(
            registry,
            term_map_for(registry),
            keys,
            state.category,
            grade=state.grade,
            strict=state.strict,
            min_pct=float(state.min_pct),
            sort=state.sort,
        )
    labels = arm_labels(registry)
    short = chart_labels(registry)
    names = {t: trial_short_name(registry.trial(t)) for t, _ in keys}
    return SafetyModel(
        state=state,
        arms=keys,
        labels=tuple(labels[k] for k in keys),
        chart_labels=tuple(short[k] for k in keys),
        trial_names=tuple(names.items()),
        title=title(state),
        summary=summary,
        terms=terms,
        empty_message=_empty_message(state, terms) if terms else None,
        definitions=definition_notes(labels, summary, terms, trial_names=names),
        term_map_note=term_map_note(registry) if terms else None,
        # Arms of more than one trial: the caption warns that cross-trial comparisons are
        # not randomised.
        cross_trial=len(names) > 1,
        sources=_sources(cells(summary, terms)),
        blanket_arms=blanket_arms(terms) if terms else (),
        charted_slots=charted_slots(state),
    )
