"""What the Survival view shows, as frozen data (no colours, no markup).

:func:`analysis.views.survival.builder.build` fills these from a validated
:class:`~analysis.views.survival.state.SurvivalState`; panels render them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis.curve_library import LibraryCurve
from analysis.survival import ArmComparison, ArmSummary
from analysis.views.survival.published import PublishedMarker, PublishedSummary
from analysis.views.survival.state import SurvivalState
from data.schema import Arm, Trial

if TYPE_CHECKING:  # user.py builds on this module's MissingArm
    from analysis.views.survival.user import UserComparison, UserShown


@dataclass(frozen=True)
class FidelityCheck:
    """One published-vs-reconstructed check (RELIABILITY DATA-03) as shown to the reader.

    ``passed`` is None when there is no published value to check against."""

    name: str
    published: str
    reconstructed: str
    passed: bool | None


@dataclass(frozen=True)
class FidelityReport:
    """The published-vs-reconstructed check of one curve (opened from its grade badge; built on
    request by :func:`analysis.views.survival.rules.fidelity_report`, not with every model)."""

    heading: str
    method: str
    checks: tuple[FidelityCheck, ...]
    followup_notes: tuple[str, ...]
    engine_warnings: tuple[str, ...]
    #: Publications (keys of the curve's trial) the reconstruction's inputs came from.
    source_refs: tuple[str, ...]


@dataclass(frozen=True)
class ShownCurve:
    """One drawn arm: its curve, the statistics at the chosen landmark and horizon, its check."""

    token: str
    trial: Trial
    arm: Arm
    curve: LibraryCurve
    label: str
    summary: ArmSummary
    #: All DATA-03 checks passed (None: nothing to check).
    passed: bool | None
    analysis_label: str
    data_cutoff: str | None
    #: The published median and landmarks of the same curve inputs (shown beside ours).
    published: PublishedSummary | None = None


@dataclass(frozen=True)
class MissingArm:
    """A chosen arm without a curve for this endpoint and population, and why."""

    token: str
    trial_name: str
    arm_label: str
    reason: str
    #: Forest view query at the same endpoint and population, when only an HR is reported.
    forest_search: str | None = None

    @property
    def label(self) -> str:
        return f"{self.trial_name}: {self.arm_label}"


@dataclass(frozen=True)
class PublishedHR:
    """A published HR for the same pair and analysis, oriented as "arm vs reference".

    ``ci_level`` is a fraction (CheckMate 648 prints 99.1 %); ``inverted`` says the paper
    reported the reference against the arm and the HR and CI were inverted."""

    hazard_ratio: float
    ci_lower: float | None
    ci_upper: float | None
    ci_level: float | None
    trial_id: str
    source_ref: str | None
    inverted: bool


@dataclass(frozen=True)
class ComparisonRow:
    """One arm against the reference: reconstructed Cox HR, log-rank, ΔRMST, and the published
    HR when both arms come from the same trial (never across trials: that HR does not exist)."""

    arm: ShownCurve
    reference: ShownCurve
    cross_trial: bool
    result: ArmComparison
    published: PublishedHR | None


@dataclass(frozen=True)
class SurvivalModel:
    """Every number, reason and caveat the Survival view shows for one state."""

    state: SurvivalState
    title: str
    endpoint_label: str
    population_label: str
    curves: tuple[ShownCurve, ...]
    missing: tuple[MissingArm, ...]
    reference: ShownCurve | None
    #: Why the reference differs from the chosen one (None when it does not).
    reference_note: str | None
    comparisons: tuple[ComparisonRow, ...]
    ticks_months: tuple[float, ...]
    x_max_months: float
    #: RMST horizon used (None without curves); ``tau_clamped`` when it is below the chosen one.
    tau_months: float | None
    tau_clamped: bool
    cross_trial: bool
    #: Caveats for the caption and the export footnote, in order, without repeats.
    caveats: tuple[str, ...]
    #: Shown in the plot area when nothing is drawn.
    empty_message: str | None
    ci_level: float
    #: Arms without a curve, drawn as their published median and landmark rates.
    markers: tuple[PublishedMarker, ...] = ()
    #: User-supplied curves (issue 16), kept apart from the curated ones, and their comparisons.
    user_curves: tuple[UserShown, ...] = ()
    user_comparisons: tuple[UserComparison, ...] = ()
