"""Response view model: ORR, DCR and CR rate per arm with exact intervals, as printed.

For every arm, population and analysis that reports the chosen measure:

* when the source prints the counts (``n``/``N`` in the data), the rate is 100 n/N with the
  exact Clopper–Pearson interval (:func:`analysis.proportions.clopper_pearson`) and the printed
  interval beside it, compared at the printed precision
  (:func:`analysis.proportions.compare_with_printed`) — a mismatch is flagged, never hidden;
* when it prints only a percentage, the rate and the interval are shown **as printed**; no count
  is invented. Separately, an "exact check" says whether a count is derivable — from CR/PR/SD
  counts printed for the same arm and analysis, or as the only count of N whose percentage
  prints as the value — and whether its Clopper–Pearson interval reproduces the printed one.
  Such counts are labelled derived and never plotted as data;
* rows that are not reported stay with their reason;
* confirmed vs unconfirmed response, the assessor and the criteria are labelled; the median
  duration of response of the same arm, population and analysis is given beside it.

State (URL ``?m=ORR|DCR|CR&pop=itt|all[&cls=<class>|…][&arms=<trial>:<arm>,…]``; ``m`` and
``pop`` are always written, as links have carried them since the view was built).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.proportions import PrintedIntervalCheck, clopper_pearson, compare_with_printed
from analysis.types import numeric_interval
from analysis.views.labels import NR_NOT_REACHED, NR_NOT_REPORTED, shorten
from analysis.views.state import Choice, MultiChoice, StateSpec
from data import Registry
from data.schema import Population, ResponseResult, Trial

MEASURES: dict[str, str] = {
    "ORR": "Objective response rate",
    "DCR": "Disease control rate",
    "CR": "Complete response rate",
}
POPULATIONS: dict[str, str] = {
    "itt": "ITT / all enrolled",
    "all": "All reported populations (incl. evaluable and subgroups)",
}
#: Which analyses each arm shows (issue 13): the latest one that reports the measure, or all.
CUTOFFS: dict[str, str] = {"latest": "Latest analysis", "all": "All analyses"}
GROUP_CHEMO_FREE = "Chemo-free regimens"
GROUP_CHEMO = "Chemo-containing regimens"
#: Marker of a chemo-free class in the regimen-class vocabulary (data/schema.py).
CHEMO_FREE_MARK = "(chemo-free)"
#: Counts of these categories add up to the measure (same arm, population and analysis).
COMPONENTS = {"ORR": ("CR", "PR"), "DCR": ("CR", "PR", "SD")}
#: Largest filter list a callback may send (more than every class and arm of any registry
#: the app is built for; repeats included).
MAX_FILTER_ITEMS = 500
#: A printed rate whose component counts add up to within this many percentage points is
#: explained by them (printed percentages are rounded to one decimal at most).
COMPONENT_TOLERANCE_POINTS = 0.55
#: Characters of a DoR remark kept beside the median (the data file has the whole note).
DOR_REMARK_CHARS = 90


def regimen_group(regimen_class: str) -> str:
    """Chemo-free regimens are grouped first: they are the question the seed studies ask
    (does dropping chemotherapy cost response?). The regimen-class vocabulary names them, so a
    new chemo-free class is grouped right without a code change."""
    return GROUP_CHEMO_FREE if CHEMO_FREE_MARK in regimen_class else GROUP_CHEMO


# --------------------------------------------------------------------------------------------
# Allow-lists and state
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseChoices:
    arms: tuple[tuple[str, str], ...]  # (key "trial:arm", label) of arms with response rows
    classes: tuple[str, ...]  # regimen classes of those arms, in registry order


@functools.lru_cache(maxsize=8)
def choices(registry: Registry) -> ResponseChoices:
    """Only arms with a response rate are offered: any other arm would add an empty row."""
    arms: list[tuple[str, str]] = []
    classes: list[str] = []
    for trial in registry.trials:
        for arm in trial.arms:
            if not any(r.arm == arm.id and r.measure == "rate" for r in trial.response):
                continue
            arms.append((f"{trial.id}:{arm.id}", f"{trial.name}: {arm.label}"))
            if arm.regimen_class not in classes:
                classes.append(arm.regimen_class)
    return ResponseChoices(arms=tuple(arms), classes=tuple(classes))


def _arm_keys(registry: Registry) -> tuple[str, ...]:
    return tuple(k for k, _ in choices(registry).arms)


@dataclass(frozen=True)
class ResponseState:
    """Validated control values; empty ``classes``/``arms`` mean "all"."""

    measure: str = "ORR"
    population: str = "itt"
    classes: tuple[str, ...] = ()
    arms: tuple[str, ...] = ()
    cutoff: str = "latest"


SPEC: StateSpec[ResponseState] = StateSpec(
    ResponseState,
    (
        Choice("measure", "m", "measure", lambda r: tuple(MEASURES), lambda r: "ORR"),
        Choice("population", "pop", "population", lambda r: tuple(POPULATIONS), lambda r: "itt"),
        MultiChoice(
            "classes",
            "cls",
            "regimen classes",
            lambda r: choices(r).classes,
            lambda r: (),
            MAX_FILTER_ITEMS,
            separator="|",
            max_given=MAX_FILTER_ITEMS,
        ),
        MultiChoice(
            "arms",
            "arms",
            "arms",
            _arm_keys,
            lambda r: (),
            MAX_FILTER_ITEMS,
            max_given=MAX_FILTER_ITEMS,
        ),
        Choice("cutoff", "cut", "analyses", lambda r: tuple(CUTOFFS), lambda r: "latest"),
    ),
    report_unknown_keys=True,
    always_written=("m", "pop"),
    label_only_problems=True,
)


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExactCheck:
    """A count derived here (never printed) and whether its exact CI reproduces the printed one."""

    successes: int
    n: int
    how: str
    ci_lower_percent: float
    ci_upper_percent: float
    check: PrintedIntervalCheck | None


@dataclass(frozen=True)
class ResponseRowView:
    """One arm × population × analysis row of the chosen measure, with its intervals."""

    key: str
    trial_id: str
    trial_name: str
    arm_id: str
    arm_label: str
    regimen_class: str
    group: str
    population_label: str
    population_kind: str
    single_arm: bool
    analysis_label: str
    status: str
    reason: str | None
    printed_percent: float | None
    printed_ci: tuple[float, float] | None
    printed_ci_level: float | None
    successes: int | None
    n: int | None
    counts_derived: bool
    cp_lower_percent: float | None
    cp_upper_percent: float | None
    check: PrintedIntervalCheck | None
    exact_check: ExactCheck | None
    confirmed: str
    assessor: str
    criteria: str | None
    dor_text: str
    source_level: str | None
    ref: str | None
    locator: str | None
    notes: tuple[str, ...]

    @property
    def rate_percent(self) -> float | None:
        if self.successes is not None and self.n:
            return 100.0 * self.successes / self.n
        return self.printed_percent

    @property
    def mismatch(self) -> bool:
        checks = [c for c in (self.check, self.exact_check and self.exact_check.check) if c]
        return any(not c.matches for c in checks)


def printed_decimals(values: Sequence[float]) -> int:
    """Decimals printed: 1 if any bound has a fractional part, else 0 (e.g. "61–71"). The
    exact interval is compared with the printed one at this precision, so a paper that rounds
    to whole percent is not flagged for rounding."""
    return 0 if all(float(v).is_integer() for v in values) else 1


def _confirmed(value: bool | None) -> str:
    if value is None:
        return "confirmation not stated"
    return "confirmed" if value else "unconfirmed"


def _analysis_label(trial: Trial, analysis_id: str) -> str:
    analysis = trial.analysis(analysis_id)
    cutoff = analysis.data_cutoff.date if analysis.data_cutoff.status == "reported" else None
    return f"{analysis.kind} · cut-off {cutoff or 'not reported'}"


def _population_label(population: Population) -> str:
    label = population.label
    if population.histology != "ESCC":
        label += f" [{population.histology}]"
    return label


def _dor_text(trial: Trial, row: ResponseResult) -> str:
    """Median duration of response of the same arm, population and analysis: a response rate
    means little without how long responses last, and DoR from another analysis would not
    describe these responders."""
    found = [
        r
        for r in trial.efficacy
        if r.endpoint == "DoR"
        and r.measure == "median"
        and r.arm == row.arm
        and r.population == row.population
        and r.analysis == row.analysis
    ]
    if not found:
        return NR_NOT_REPORTED
    parts = []
    for r in found:
        if r.status == "not_reached":
            parts.append(NR_NOT_REACHED)
            continue
        if r.status != "reported" or r.value is None:
            parts.append(f"{NR_NOT_REPORTED} ({r.reason or 'no reason recorded'})")
            continue
        text = f"{r.value:g} months"
        if r.ci is not None:
            lo = "NE (not estimable)" if r.ci[0] == "NE" else r.ci[0]
            hi = "NE (not estimable)" if r.ci[1] == "NE" else r.ci[1]
            text += f" ({lo}–{hi}, {r.ci_level:g}% CI)"
        remark = r.note or r.curation_note
        if remark:
            text += f" [{shorten(remark, DOR_REMARK_CHARS)}]"
        parts.append(text)
    return "; ".join(parts)


def count_from_percent(percent: float, n: int, decimals: int = 1) -> int | None:
    """The only k in 0..n whose 100 k / n rounds (half up) to ``percent``, else None."""
    scale = 10**decimals
    target = round(percent * scale)
    found = [k for k in range(n + 1) if math.floor(100 * k * scale / n + 0.5 + 1e-9) == target]
    return found[0] if len(found) == 1 else None


def _exact_check(trial: Trial, row: ResponseResult, measure: str) -> ExactCheck | None:
    """Derive a count for a row that prints no count (module docstring), if possible. Only a
    printed interval gives a derived count something to check, so rows without one get none."""
    printed = numeric_interval(row.ci)
    if row.n is not None or not row.N or row.value is None or row.unit != "%" or not printed:
        return None
    successes: int | None = None
    how = ""
    parts = COMPONENTS.get(measure, ())
    counts = []
    for category in parts:
        match = [
            r.n
            for r in trial.response
            if r.category == category
            and r.measure == "rate"
            and r.arm == row.arm
            and r.population == row.population
            and r.analysis == row.analysis
            and r.n is not None
            and r.N == row.N
        ]
        counts.append(match[0] if match else None)
    if parts and all(c is not None for c in counts):
        total = sum(c for c in counts if c is not None)
        if abs(100.0 * total / row.N - row.value) <= COMPONENT_TOLERANCE_POINTS:
            successes = total
            how = (
                f"derived here: {' + '.join(parts)} = "
                f"{' + '.join(str(c) for c in counts)} counts printed in the same source"
            )
    if successes is None:
        decimals = 0 if float(row.value).is_integer() else 1
        successes = count_from_percent(float(row.value), int(row.N), decimals)
        if successes is None:
            return None
        how = (
            f"derived here: the only count of {row.N} that prints as {row.value:g}% "
            "(not printed in the source)"
        )
    interval = clopper_pearson(successes, int(row.N))
    check = compare_with_printed(interval, printed[0], printed[1], printed_decimals(printed))
    return ExactCheck(
        successes=successes,
        n=int(row.N),
        how=how,
        ci_lower_percent=interval.ci_lower_percent,
        ci_upper_percent=interval.ci_upper_percent,
        check=check,
    )


def _row_view(trial: Trial, arm_index: int, row: ResponseResult, measure: str) -> ResponseRowView:
    arm = trial.arms[arm_index]
    printed = numeric_interval(row.ci)
    cp_lower = cp_upper = None
    check = None
    reported = row.status == "reported"
    if reported and row.n is not None and row.N:
        interval = clopper_pearson(row.n, row.N)
        cp_lower, cp_upper = interval.ci_lower_percent, interval.ci_upper_percent
        if printed:
            check = compare_with_printed(
                interval, printed[0], printed[1], printed_decimals(printed)
            )
    population = trial.population_by_id(row.population)
    return ResponseRowView(
        key=f"{trial.id}:{arm.id}:{row.population}:{row.analysis}:{row.ref or ''}",
        trial_id=trial.id,
        trial_name=trial.name,
        arm_id=arm.id,
        arm_label=arm.label,
        regimen_class=arm.regimen_class,
        group=regimen_group(arm.regimen_class),
        population_label=_population_label(population),
        population_kind=population.kind,
        single_arm=len(trial.arms) == 1,
        analysis_label=_analysis_label(trial, row.analysis),
        status=row.status,
        reason=row.reason,
        printed_percent=(
            float(row.value) if reported and row.value is not None and row.unit == "%" else None
        ),
        printed_ci=printed,
        printed_ci_level=row.ci_level,
        successes=row.n if reported and row.N else None,
        n=row.N if reported and row.n is not None else None,
        counts_derived=bool(row.derived),
        cp_lower_percent=cp_lower,
        cp_upper_percent=cp_upper,
        check=check,
        exact_check=_exact_check(trial, row, measure) if reported else None,
        confirmed=_confirmed(row.confirmed),
        assessor=row.assessor or "assessor not stated",
        criteria=row.criteria,
        dor_text=_dor_text(trial, row),
        source_level=trial.source_level(row) if row.ref else None,
        ref=row.ref,
        locator=row.locator,
        notes=tuple(n for n in (row.note, row.curation_note) if n),
    )


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseModel:
    """What the Response view shows for one state: the rows (chemo-free group first, registry
    order within a group), the sources in row order, and the printed CI levels."""

    state: ResponseState
    title: str
    measure_label: str
    rows: tuple[ResponseRowView, ...]
    groups: tuple[str, ...]
    sources: tuple[tuple[str, str], ...]
    printed_ci_levels: tuple[float, ...]
    cutoff_note: str = ""

    @property
    def chart_rows(self) -> int:
        """Rows of the chart: one per row plus a header per group."""
        return len(self.rows) + len(self.groups)


def title(state: ResponseState) -> str:
    return f"{MEASURES[state.measure]} per arm ({POPULATIONS[state.population]})"


def build(registry: Registry, state: ResponseState) -> ResponseModel:
    """Rows of ``state.measure`` for the chosen arms/classes/population.

    With population "itt" only ITT rows are kept (comparable denominators); "all" adds
    evaluable populations and subgroups, each labelled. With ``cutoff = "latest"`` (default)
    an arm and population show only their latest analysis that reports the measure (trial
    files list analyses in chronological order); "all" shows every analysis, each labelled.
    Rows are ordered chemo-free first (:func:`regimen_group`), registry order otherwise.
    """
    rows: list[ResponseRowView] = []
    used: dict[str, list[str]] = {}
    for trial in registry.trials:
        position = {a.id: i for i, a in enumerate(trial.analyses)}
        for index, arm in enumerate(trial.arms):
            if state.arms and f"{trial.id}:{arm.id}" not in state.arms:
                continue
            if state.classes and arm.regimen_class not in state.classes:
                continue
            wanted = []
            for row in trial.response:
                if row.arm != arm.id or row.category != state.measure or row.measure != "rate":
                    continue
                population = trial.population_by_id(row.population)
                if state.population == "itt" and population.kind != "itt":
                    continue
                wanted.append(row)
            latest: dict[str, int] = {}
            for row in wanted:
                latest[row.population] = max(latest.get(row.population, -1), position[row.analysis])
            for row in wanted:
                if state.cutoff == "latest" and position[row.analysis] != latest[row.population]:
                    continue
                label = _analysis_label(trial, row.analysis)
                if label not in used.setdefault(trial.name, []):
                    used[trial.name].append(label)
                rows.append(_row_view(trial, index, row, state.measure))
    order = {GROUP_CHEMO_FREE: 0, GROUP_CHEMO: 1}
    ordered = tuple(sorted(rows, key=lambda r: order[r.group]))  # stable: registry order kept
    sources = tuple(dict.fromkeys((r.trial_id, r.ref) for r in ordered if r.ref))
    levels = sorted({r.printed_ci_level for r in ordered if r.printed_ci_level is not None})
    return ResponseModel(
        state=state,
        title=title(state),
        measure_label=MEASURES[state.measure],
        rows=ordered,
        groups=tuple(dict.fromkeys(r.group for r in ordered)),
        sources=sources,
        printed_ci_levels=tuple(levels),
        cutoff_note=_cutoff_note(state, used),
    )


def _cutoff_note(state: ResponseState, used: dict[str, list[str]]) -> str:
    """Which analyses the rows come from, per trial (shown in the caption and footnote)."""
    if not used:
        return ""
    which = "Each arm shows its latest analysis" if state.cutoff == "latest" else "All analyses"
    listed = "; ".join(f"{name}: {', '.join(labels)}" for name, labels in used.items())
    hint = " Choose 'All analyses' for earlier cut-offs." if state.cutoff == "latest" else ""
    return f"{which} ({listed}).{hint}"
