"""The Survival view's domain rules, each with the reason it is the rule.

* :func:`choose_curves` — which reconstructed curve stands for each chosen arm;
* :func:`missing_reason` — what the reader is told about an arm that has none;
* :func:`published_hr` — which published HR is shown beside a reconstructed one;
* :func:`display_ticks` — which times the x axis and the numbers-at-risk table use;
* :func:`choose_reference` — which arm the comparisons are against;
* :func:`caveats` — what the caption and the export footnote must say;
* :func:`fidelity_report` — the published-vs-reconstructed check of one curve, as text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from analysis.curve_library import (
    CurveLibrary,
    HazardRatioFidelity,
    LibraryCurve,
    shared_curve_library,
)
from analysis.survival import regular_ticks
from analysis.views.survival.model import (
    FidelityCheck,
    FidelityReport,
    PublishedHR,
    ShownCurve,
)
from analysis.views.survival.published import hr_only, hr_only_reason
from analysis.views.survival.state import (
    SurvivalState,
    arm_of,
    population_keys,
    population_label,
)
from data import Registry
from data.pdl1 import ITT_KEY, population_key

RECONSTRUCTION_CAVEAT = (
    "Curves are reconstructed pseudo-patient data, not the trials' patient data: grade A from the "
    "published curve as digitised by this project with the published numbers at risk and events; "
    "grade B from the published numbers-at-risk table with events, medians and landmarks; grade C "
    "from summary numbers only (shape between published anchors assumed)."
)
PDL1_CAVEAT = (
    "PD-L1 subgroups are defined by scoring system and cut-off; assays and scoring differ "
    "between trials."
)
#: Regular tick steps: 3 months up to 36 months of follow-up, else 6 (readable at-risk rows).
SHORT_TICK_MONTHS = 3.0
LONG_TICK_MONTHS = 6.0
SHORT_AXIS_LIMIT_MONTHS = 36.0
#: Axis drawn when nothing is (months).
EMPTY_AXIS_MONTHS = 24.0
#: Tolerances as the fidelity popover states them (they are applied in analysis.fidelity).
TOLERANCE_TEXT = (
    "Tolerances (RELIABILITY DATA-03): N exact; events exact when used as a constraint, "
    "else ±2 %; median ±0.5 months or ±5 %; landmarks ±2 points; |Δ ln HR| ≤ 0.05 with "
    "overlapping CIs (reconstructed CI at the published level)."
)


def choose_curves(
    library: CurveLibrary, registry: Registry, state: SurvivalState
) -> tuple[dict[str, LibraryCurve], dict[str, str]]:
    """One curve per chosen arm, or the reason there is none.

    Within a trial every drawn arm comes from the same analysis (data cut-off): comparing an
    interim curve of one arm with a final curve of the other would compare different follow-up.
    The analysis chosen is the one covering most chosen arms, then the **latest** (or, with
    ``cutoff = "earliest"``, the first) in the trial file, which lists analyses in chronological
    order (issue 13), then the best grade. The population is exactly the chosen one: a subgroup
    is never replaced by ITT.
    """
    found: dict[str, LibraryCurve] = {}
    reasons: dict[str, str] = {}
    by_trial: dict[str, list[str]] = {}
    for token in state.arms:
        by_trial.setdefault(token.split(":", 1)[0], []).append(token)
    for trial_id, tokens in by_trial.items():
        trial = registry.trial(trial_id)
        options: dict[str, dict[str, LibraryCurve]] = {}
        for token in tokens:
            arm_id = token.split(":", 1)[1]
            for curve in library.curves_for(trial_id, arm_id, state.endpoint, state.population):
                options.setdefault(curve.key.analysis_id, {})[token] = curve
        order = {a.id: i for i, a in enumerate(trial.analyses)}
        recency = -1 if state.cutoff == "latest" else 1
        best = min(
            options,
            key=lambda an: (
                -len(options[an]),
                recency * order.get(an, 99),
                max(c.grade for c in options[an].values()),
            ),
            default=None,
        )
        chosen = options.get(best, {}) if best is not None else {}
        for token in tokens:
            if token in chosen:
                found[token] = chosen[token]
            else:
                reasons[token] = missing_reason(library, registry, token, state, best)
    return found, reasons


def missing_reason(
    library: CurveLibrary,
    registry: Registry,
    token: str,
    state: SurvivalState,
    analysis: str | None,
) -> str:
    """Why an arm has no curve, most specific first: the library's own reason (what the
    reconstruction lacks), another analysis than the one drawn for its trial, a population the
    trial does not report, or no result for this endpoint in it. Never silent."""
    trial, arm = arm_of(registry, token)
    pop_text = population_label(state.population)
    if hr_only(registry, token, state):
        return hr_only_reason(state)
    listed = library.reasons_for(trial.id, arm.id, state.endpoint, state.population)
    if listed:
        parts = [f"{trial.analysis(item.key.analysis_id).label}: {item.reason}" for item in listed]
        return "not reconstructable — " + "; ".join(parts)
    if library.curves_for(trial.id, arm.id, state.endpoint, state.population):
        label = trial.analysis(analysis).label if analysis else "another analysis"
        return (
            f"its curve comes from another analysis than the one shown for {trial.name} "
            f"({label}); choose this arm alone to see it"
        )
    if not any(population_key(p) == state.population for p in trial.populations):
        return f"not reported: {trial.name} reports no {pop_text} subgroup"
    return f"not reported: the sources give no {state.endpoint} result for this arm in {pop_text}"


def published_hr(
    library: CurveLibrary, arm: ShownCurve, reference: ShownCurve
) -> PublishedHR | None:
    """The published HR of the same trial, endpoint, population and analysis for this pair.

    Only within a trial (randomised); a paper that reports the reference against the arm is
    inverted (HR and CI bounds) so both columns read "arm vs reference". The CI keeps its
    printed level (e.g. 99.1 %): levels are never silently converted.
    """
    key = arm.curve.key
    for check in library.hazard_ratio_checks:
        if (check.trial_id, check.endpoint, check.population, check.analysis_id) != (
            key.trial_id,
            key.endpoint,
            key.population,
            key.analysis_id,
        ):
            continue
        pair = (check.arm_id, check.comparator_id)
        if pair == (arm.arm.id, reference.arm.id):
            return PublishedHR(
                check.hr_published,
                check.ci_lower_published,
                check.ci_upper_published,
                check.ci_level_published,
                key.trial_id,
                check.source_ref,
                inverted=False,
            )
        if pair == (reference.arm.id, arm.arm.id):
            lo, hi = check.ci_lower_published, check.ci_upper_published
            return PublishedHR(
                1.0 / check.hr_published,
                None if hi is None else 1.0 / hi,
                None if lo is None else 1.0 / lo,
                check.ci_level_published,
                key.trial_id,
                check.source_ref,
                inverted=True,
            )
    return None


def display_ticks(curves: Sequence[LibraryCurve]) -> tuple[tuple[float, ...], float]:
    """Display ticks and x range.

    One trial's grade-A/B curves use its published at-risk times, so the numbers shown under the
    chart equal the paper's table, extended by the same step to the end of follow-up. Otherwise
    a regular 3- or 6-month grid (different trials print their tables at different times).
    """
    if not curves:
        return regular_ticks(EMPTY_AXIS_MONTHS, SHORT_TICK_MONTHS), EMPTY_AXIS_MONTHS
    x_end = max(
        max(
            float(c.sample.times_months[-1]),
            c.inputs.at_risk_times_months[-1] if c.inputs.at_risk_times_months else 0.0,
        )
        for c in curves
    )
    trials = {c.key.trial_id for c in curves}
    if len(trials) == 1 and all(
        c.grade in ("A", "B") and c.inputs.at_risk_times_months for c in curves
    ):
        times = sorted({t for c in curves for t in c.inputs.at_risk_times_months})
        step = times[-1] - times[-2] if len(times) > 1 else SHORT_TICK_MONTHS
        while times[-1] + step <= x_end + 1e-9:
            times.append(times[-1] + step)
        return tuple(float(t) for t in times), max(times[-1], x_end)
    step = SHORT_TICK_MONTHS if x_end <= SHORT_AXIS_LIMIT_MONTHS else LONG_TICK_MONTHS
    x_max = math.ceil(x_end / step) * step
    return regular_ticks(x_max, step), x_max


def choose_reference(
    shown: Sequence[ShownCurve], state: SurvivalState
) -> tuple[ShownCurve | None, str | None]:
    """The chosen reference if it is drawn; else the first drawn control arm (the randomised
    comparator readers expect); else none, and the note says plainly that none is selected
    (an experimental arm is never made the reference silently). A chosen reference that is not
    drawn is replaced and the note says so."""
    if not shown:
        return None, None
    if state.reference is not None:
        for item in shown:
            if item.token == state.reference:
                return item, None
    default = next((s for s in shown if s.arm.role == "control"), None)
    if default is None:
        why = "the chosen reference arm has no curve in this view and " if state.reference else ""
        return None, (
            f"No reference arm selected: {why}none of the drawn arms is a control arm. "
            "Choose a reference arm to compare the curves (across trials such a comparison is "
            "unanchored)."
        )
    if state.reference is not None:
        return default, (
            "The chosen reference arm has no curve in this view; "
            f"comparisons use {default.label} instead."
        )
    return default, None


def caveats(state: SurvivalState, shown: Sequence[ShownCurve]) -> tuple[str, ...]:
    """Reconstruction caveat when curves are drawn; PD-L1 caveat for a subgroup; populations that
    are not ESCC-only (some trials enrolled several histologies); failing fidelity checks."""
    notes: list[str] = []
    if shown:
        notes.append(RECONSTRUCTION_CAVEAT)
    if state.population != ITT_KEY:
        notes.append(PDL1_CAVEAT)
    for item in shown:
        pop = item.trial.population_by_id(item.curve.key.population)
        if pop.histology != "ESCC":
            notes.append(
                f"{item.trial.name}: {pop.label} includes {pop.histology} (not ESCC only)."
            )
    by_trial: dict[str, list[str]] = {}
    for item in shown:
        analysis = item.trial.analysis(item.curve.key.analysis_id)
        cutoff = analysis.data_cutoff.date if analysis.data_cutoff.status == "reported" else None
        text = f"{item.trial.name} {analysis.kind} (cut-off {cutoff or 'not reported'})"
        by_trial.setdefault(item.trial.id, [])
        if text not in by_trial[item.trial.id]:
            by_trial[item.trial.id].append(text)
    if by_trial:
        which = "latest" if state.cutoff == "latest" else "first reported"
        other = "First report" if state.cutoff == "latest" else "Latest cut-off"
        notes.append(
            f"Curves from each trial's {which} analysis with a curve: "
            + "; ".join(t for texts in by_trial.values() for t in texts)
            + f". Choose '{other}' for the other cut-off."
        )
    failing = [c.label for c in shown if c.passed is False]
    if failing:
        notes.append("Fidelity check not passed (see the badge): " + "; ".join(failing) + ".")
    return tuple(dict.fromkeys(notes))


# -- text shared by the tables, the fidelity check and the CSV ----------------------------------


def hr_text(hr: float | None, lo: float | None, hi: float | None) -> str:
    if hr is None:
        return "not estimable"
    if lo is None or hi is None:
        return f"{hr:.2f} (CI not reported)"
    return f"{hr:.2f} ({lo:.2f}–{hi:.2f})"


def published_ci_text(pub: PublishedHR) -> str:
    if pub.ci_lower is None or pub.ci_upper is None or pub.ci_level is None:
        return "CI not reported"
    return f"{pub.ci_lower:.2f}–{pub.ci_upper:.2f} ({100 * pub.ci_level:g}% CI)"


def _hr_check(registry: Registry, check: HazardRatioFidelity) -> FidelityCheck:
    trial = registry.trial(check.trial_id)
    arm = trial.arm(check.arm_id).label
    comp = trial.arm(check.comparator_id).label
    if check.ci_lower_published is not None and check.ci_upper_published is not None:
        level = check.ci_level_published or 0.95
        pub = (
            f"{check.hr_published:g} ({check.ci_lower_published:g}–"
            f"{check.ci_upper_published:g}, {100 * level:g}% CI)"
        )
    else:
        pub = f"{check.hr_published:g} (CI not reported)"
    rec = (
        hr_text(check.hr_reconstructed, check.ci_lower_reconstructed, check.ci_upper_reconstructed)
        + f", {100 * check.ci_level_reconstructed:g}% CI"
    )
    if check.abs_log_diff is not None:
        rec += f"; |Δ ln HR| {check.abs_log_diff:.3f}"
    return FidelityCheck(f"HR {arm} vs {comp}", pub, rec, check.passed)


def fidelity_report(
    registry: Registry, library: CurveLibrary, curve: LibraryCurve
) -> FidelityReport:
    """Published vs reconstructed N, events, median, landmarks, within-trial HRs and follow-up,
    each with its verdict, so a reader can see how faithful the drawn curve is."""
    fid = curve.fidelity
    trial = registry.trial(curve.key.trial_id)
    analysis = trial.analysis(curve.key.analysis_id)
    if fid.median_published_not_reached:
        median_pub = "NR (not reached)"
    elif fid.median_published_months is None:
        median_pub = "not reported"
    else:
        median_pub = f"{fid.median_published_months:g}"
    median_rec = (
        "NR (not reached)"
        if fid.median_reconstructed_months is None
        else f"{fid.median_reconstructed_months:.2f}"
    )
    checks = [
        FidelityCheck(
            "N",
            "not reported" if fid.n_published is None else str(fid.n_published),
            str(fid.n_reconstructed),
            fid.n_passed,
        ),
        FidelityCheck(
            "Events" + (" (used as a constraint)" if fid.events_constrained else ""),
            "not reported" if fid.events_published is None else str(fid.events_published),
            str(fid.events_reconstructed),
            fid.events_passed,
        ),
        FidelityCheck("Median (months)", median_pub, median_rec, fid.median_passed),
    ]
    checks.extend(
        FidelityCheck(
            f"S({lm.time_months:g} months)",
            f"{100 * lm.published:.1f}%",
            f"{100 * lm.reconstructed:.1f}%",
            lm.passed,
        )
        for lm in fid.landmarks
    )
    checks.extend(_hr_check(registry, h) for h in library.hr_checks_for(curve.key))
    limit = curve.longest_followup_months
    checks.append(
        FidelityCheck(
            "Longest follow-up (months)",
            "not derivable" if limit is None else f"≤ {limit:.1f}",
            f"{float(curve.sample.times_months[-1]):.1f}",
            curve.within_followup,
        )
    )
    heading = (
        f"{trial.name} · {curve.key.endpoint} · "
        f"{trial.population_by_id(curve.key.population).label} · {analysis.label} "
        f"(data cut-off {analysis.data_cutoff.date or 'not reported'}) · grade {curve.grade}"
    )
    return FidelityReport(
        heading=heading,
        method=curve.ipd.method + ".",
        checks=tuple(checks),
        followup_notes=tuple(curve.followup_notes),
        engine_warnings=tuple(curve.ipd.warnings),
        source_refs=tuple(curve.inputs.source_refs),
    )


def curves_per_population(registry: Registry) -> dict[str, int]:
    """Reconstructed curves per population key, for every key of the allow-list (0 when none):
    the population control says which subgroups have nothing to draw before anyone picks them."""
    library = shared_curve_library(registry)
    counts = dict.fromkeys(population_keys(registry), 0)
    for curve in library.curves:
        if curve.population_key in counts:
            counts[curve.population_key] += 1
    return counts


def library_curve(registry: Registry, slug: str) -> LibraryCurve | None:
    """The shipped curve whose key's slug is ``slug`` (the allow-list of a fidelity request)."""
    for curve in shared_curve_library(registry).curves:
        if curve.key.slug == slug:
            return curve
    return None
