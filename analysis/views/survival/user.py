"""User-supplied curves in the Survival view (issue 16): the one hook between the view and
:mod:`analysis.usercurves`.

A state's ``user_curves`` are content-addressed ids. Each is looked up in the server's store and
drawn only when its endpoint and population are exactly the view's (an OS curve never stands for
PFS, a PD-L1 subgroup never for ITT — the same rule as for shipped arms); otherwise it is listed
as not shown, with the reason. User curves are kept apart from the curated arms in the model
(:class:`UserShown`, :class:`UserComparison`), so no table, chart or export can mistake one for
evidence: every place that shows one says "user-supplied" and gives the reader's citation.

Comparisons: against the view's reference arm (a shipped arm); when no shipped arm is drawn,
against the first user curve.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.survival import ArmComparison, ArmSummary, SurvivalMemo, SurvivalSample, regular_ticks
from analysis.usercurves import store
from analysis.usercurves.model import USER_LABEL, UserCurve
from analysis.views.survival.model import MissingArm
from analysis.views.survival.state import SurvivalState, population_label

USER_TRIAL_NAME = "User-supplied"
USER_CAVEAT = (
    "User-supplied curves are not curated evidence: they were added by a reader of this app "
    "from the source they cite, reconstructed here, and are shown with that citation as typed."
)
#: Tick steps when user curves are drawn (their tables were printed at their own times).
TICK_STEPS = ((36.0, 3.0), (math.inf, 6.0))


@dataclass(frozen=True)
class UserShown:
    """One drawn user curve with its statistics at the view's landmark and horizon."""

    token: str
    curve: UserCurve
    sample: SurvivalSample
    summary: ArmSummary

    @property
    def label(self) -> str:
        return self.curve.label


@dataclass(frozen=True)
class UserComparison:
    """A user curve against the reference (shipped arm, or the first user curve)."""

    arm: UserShown
    reference_label: str
    result: ArmComparison


def token_of(curve_id: str) -> str:
    return f"user:{curve_id}"


def load(state: SurvivalState) -> tuple[list[tuple[str, UserCurve]], list[MissingArm]]:
    """The state's user curves that exist and fit the view, and the others with reasons."""
    found: list[tuple[str, UserCurve]] = []
    missing: list[MissingArm] = []
    pop_text = population_label(state.population)
    for cid in state.user_curves:
        curve = store.get(cid)
        if curve is None:
            missing.append(
                MissingArm(
                    token_of(cid),
                    USER_TRIAL_NAME,
                    cid,
                    "not found on this server: user curves are removed after "
                    f"{store.EXPIRY_DAYS} days without use (or it was added elsewhere) — add it "
                    "again in Add a curve",
                )
            )
        elif curve.endpoint != state.endpoint:
            missing.append(
                MissingArm(
                    token_of(cid),
                    USER_TRIAL_NAME,
                    curve.label,
                    f"it is an {curve.endpoint} curve; this view shows {state.endpoint}",
                )
            )
        elif curve.population != state.population:
            missing.append(
                MissingArm(
                    token_of(cid),
                    USER_TRIAL_NAME,
                    curve.label,
                    f"its population is {curve.population_text}; this view shows {pop_text}",
                )
            )
        else:
            found.append((cid, curve))
    return found, missing


def ticks_with(
    ticks: tuple[float, ...], x_max: float, curves: Sequence[UserCurve], shipped: bool
) -> tuple[tuple[float, ...], float]:
    """Display ticks covering the user curves too: a regular 3- or 6-month grid (tables of
    different sources are printed at different times)."""
    if not curves:
        return ticks, x_max
    end = max(max(c.time_months) for c in curves)
    x_end = max(end, x_max) if shipped else end
    step = next(s for limit, s in TICK_STEPS if x_end <= limit)
    top = math.ceil(x_end / step) * step
    return regular_ticks(top, step), top


def summarise(
    found: Sequence[tuple[str, UserCurve]],
    state: SurvivalState,
    stats: SurvivalMemo,
    *,
    ci_level: float,
    tau: float | None,
    ticks: tuple[float, ...],
) -> tuple[UserShown, ...]:
    out = []
    for cid, curve in found:
        sample = curve.sample()
        summary = stats.summarise_arm(
            sample,
            ci_level=ci_level,
            landmark_months=state.landmark_months,
            tau_months=tau,
            ticks_months=ticks,
        )
        out.append(UserShown(token_of(cid), curve, sample, summary))
    return tuple(out)


def compare(
    shown: Sequence[UserShown],
    reference: tuple[str, SurvivalSample] | None,
    stats: SurvivalMemo,
    *,
    ci_level: float,
    tau: float | None,
) -> tuple[UserComparison, ...]:
    """Each user curve against ``reference`` (label, sample); without one, against the first
    user curve."""
    items = list(shown)
    if reference is None:
        if len(items) < 2:
            return ()
        reference = (items[0].label, items[0].sample)
        items = items[1:]
    label, sample = reference
    return tuple(
        UserComparison(
            item, label, stats.compare_arms(item.sample, sample, ci_level=ci_level, tau_months=tau)
        )
        for item in items
    )


def caveat(shown: Sequence[UserShown]) -> str | None:
    if not shown:
        return None
    cited = "; ".join(f"{s.label}: {s.curve.citation}" for s in shown)
    return f"{USER_CAVEAT} {USER_LABEL.capitalize()} — {cited}."
