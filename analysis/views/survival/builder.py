"""``build(registry, state) -> SurvivalModel``: the only place the view requests statistics."""

from __future__ import annotations

from analysis.curve_library import shared_curve_library
from analysis.survival import SurvivalMemo
from analysis.views.survival import user
from analysis.views.survival.model import (
    ComparisonRow,
    MissingArm,
    ShownCurve,
    SurvivalModel,
)
from analysis.views.survival.published import (
    PublishedMarker,
    forest_search,
    hr_only,
    published_marker,
    summary_of,
)
from analysis.views.survival.rules import (
    caveats,
    choose_curves,
    choose_reference,
    display_ticks,
    published_hr,
)
from analysis.views.survival.state import (
    CI_LEVEL,
    ENDPOINT_LABELS,
    SurvivalState,
    arm_of,
    population_label,
)
from data import Registry

NO_CURVE_MESSAGE = (
    "No reconstructable curve for this selection — see the list of arms not reported."
)
NO_ARMS_MESSAGE = "Choose arms to draw."


def build(
    registry: Registry, state: SurvivalState, stats: SurvivalMemo | None = None
) -> SurvivalModel:
    """Every number the view shows for a validated ``state``.

    Curves come from the process-wide curve library (built once; never reconstructed on a
    request). Statistics (KM with log-log CI, median, landmark, RMST, Cox, log-rank, ΔRMST) go
    through ``stats`` when given, so states that share a curve and its parameters share the
    result. The RMST horizon is clamped to the shortest drawn follow-up (RMST beyond a curve's
    follow-up is not estimable) and the model says when it was.
    """
    stats = stats if stats is not None else SurvivalMemo(maxsize=64)
    library = shared_curve_library(registry)
    found, reasons = choose_curves(library, registry, state)
    ticks, x_max = display_ticks(list(found.values()))
    chosen = [found[t] for t in state.arms if t in found]
    user_found, user_missing = user.load(state)
    ticks, x_max = user.ticks_with(ticks, x_max, [c for _, c in user_found], bool(chosen))
    ends = [float(c.sample.times_months[-1]) for c in chosen]
    ends += [max(c.time_months) for _, c in user_found]
    tau: float | None = None
    tau_clamped = False
    if ends:
        tau = min(state.tau_months, *ends)
        tau_clamped = tau < state.tau_months
    shown: list[ShownCurve] = []
    missing: list[MissingArm] = []
    markers: list[PublishedMarker] = []
    for token in state.arms:
        trial, arm = arm_of(registry, token)
        if token not in found:
            reason = reasons[token]
            marker = published_marker(registry, token, state)
            if marker is not None:
                markers.append(marker)
                reason += "; its published median and landmark rates are drawn as markers"
            link = forest_search(state) if hr_only(registry, token, state) else None
            missing.append(MissingArm(token, trial.name, arm.label, reason, link))
            continue
        curve = found[token]
        analysis = trial.analysis(curve.key.analysis_id)
        summary = stats.summarise_arm(
            curve.sample,
            ci_level=CI_LEVEL,
            landmark_months=state.landmark_months,
            tau_months=tau,
            ticks_months=ticks,
        )
        shown.append(
            ShownCurve(
                token=token,
                trial=trial,
                arm=arm,
                curve=curve,
                label=f"{trial.name}: {arm.label}",
                summary=summary,
                passed=library.passed(curve.key),
                analysis_label=analysis.label,
                data_cutoff=analysis.data_cutoff.date,
                published=summary_of(curve.inputs),
            )
        )
    reference, note = choose_reference(shown, state)
    comparisons: list[ComparisonRow] = []
    if reference is not None:
        for item in shown:
            if item is reference:
                continue
            result = stats.compare_arms(
                item.curve.sample, reference.curve.sample, ci_level=CI_LEVEL, tau_months=tau
            )
            cross = item.trial.id != reference.trial.id
            comparisons.append(
                ComparisonRow(
                    arm=item,
                    reference=reference,
                    cross_trial=cross,
                    result=result,
                    published=None if cross else published_hr(library, item, reference),
                )
            )
    user_shown = user.summarise(user_found, state, stats, ci_level=CI_LEVEL, tau=tau, ticks=ticks)
    user_comparisons = user.compare(
        user_shown,
        None if reference is None else (reference.label, reference.curve.sample),
        stats,
        ci_level=CI_LEVEL,
        tau=tau,
    )
    missing.extend(user_missing)
    notes = caveats(state, shown)
    user_note = user.caveat(user_shown)
    if user_note:
        notes = (*notes, user_note)
    empty = None
    if not shown and not user_shown:
        empty = NO_CURVE_MESSAGE if state.arms or state.user_curves else NO_ARMS_MESSAGE
    endpoint_label = ENDPOINT_LABELS[state.endpoint]
    pop_label = population_label(state.population)
    return SurvivalModel(
        state=state,
        title=f"{endpoint_label} — {pop_label}",
        endpoint_label=endpoint_label,
        population_label=pop_label,
        curves=tuple(shown),
        missing=tuple(missing),
        reference=reference,
        reference_note=note,
        comparisons=tuple(comparisons),
        ticks_months=ticks,
        x_max_months=x_max,
        tau_months=tau,
        tau_clamped=tau_clamped,
        cross_trial=len({c.trial.id for c in shown} | {m.trial_id for m in markers}) > 1,
        caveats=notes,
        empty_message=empty if not markers else None,
        ci_level=CI_LEVEL,
        markers=tuple(markers),
        user_curves=user_shown,
        user_comparisons=user_comparisons,
    )
