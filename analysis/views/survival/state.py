"""Survival view state: what the user chose, the allow-lists it is checked against, the presets.

URL keys (sorted, only non-defaults are written): ``arms=<trial:arm>,…`` (``-`` = none),
``ep=PFS``, ``pop=<population key>``, ``ref=<trial:arm>``, ``lm=<months>``, ``tau=<months>``,
``ci=1``, ``censor=0``, ``median=1``, ``risk=0``, ``user=<id>,…`` (user-supplied curves,
issue 16). Links written before the view was restructured
use the same keys and values and open the same view.

Population keys are the evidence base's (:mod:`data.pdl1`): ``ITT`` or one PD-L1 scoring system
and cut-off. A subgroup is never replaced by ITT and scoring systems are never merged, so the
allow-list is ``ITT`` followed by every PD-L1 key that some trial reports.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from analysis.usercurves.model import ID_RE as USER_ID_RE
from analysis.views.state import Choice, Flag, MultiChoice, Number, StateSpec, Tokens
from data import Registry
from data.pdl1 import ITT_KEY, key_sort, key_text
from data.schema import Arm, Trial

ENDPOINTS: tuple[str, ...] = ("OS", "PFS")
ENDPOINT_LABELS = {"OS": "Overall survival", "PFS": "Progression-free survival"}
#: Most arms drawn at once (legend and at-risk table stay readable; 12 covers every arm with an
#: OS ITT curve plus one listed as not reconstructable).
MAX_ARMS = 12
#: Most user-supplied curves drawn at once (``user=`` in the URL).
MAX_USER_CURVES = 4
#: Confidence level of every interval the view computes (KM band, median, landmark, RMST, HR).
CI_LEVEL = 0.95
LANDMARK_RANGE_MONTHS = (1.0, 60.0)
TAU_RANGE_MONTHS = (3.0, 60.0)
DEFAULT_LANDMARK_MONTHS = 12.0
DEFAULT_TAU_MONTHS = 18.0
NO_ARMS = "-"
DEFAULT_PRESET = "seeds-vs-pd1"
CHEMO_CONTROL_CLASSES = frozenset({"chemo", "placebo+chemo"})
#: Preset key -> (button label, description). The arms come from the registry
#: (:func:`preset_arms`), never from a list of ids.
PRESETS: dict[str, tuple[str, str]] = {
    "seeds-vs-pd1": (
        "Seed studies vs PD-1 + chemo",
        "The seed studies and every experimental ICI + chemotherapy arm of the phase 3 trials "
        "(PD-1 or PD-L1 antibodies; SKYSCRAPER-08 adds anti-TIGIT).",
    ),
    "chemo-free": (
        "Chemo-free regimens",
        "Every chemo-free arm (regimen class) with the control arms of the same trials.",
    ),
    "chemo-controls": (
        "Chemotherapy control arms",
        "Every control arm given chemotherapy with or without placebo.",
    ),
}


def arm_token(trial_id: str, arm_id: str) -> str:
    """``trial:arm``, the arm's id in URLs and controls (registry ids are slugs, no colon)."""
    return f"{trial_id}:{arm_id}"


@functools.lru_cache(maxsize=8)
def arm_tokens(registry: Registry) -> tuple[str, ...]:
    """Every arm of every trial, in registry order (the arms allow-list)."""
    return tuple(arm_token(t.id, a.id) for t in registry.trials for a in t.arms)


def arm_of(registry: Registry, token: str) -> tuple[Trial, Arm]:
    trial_id, arm_id = token.split(":", 1)
    trial = registry.trial(trial_id)
    return trial, trial.arm(arm_id)


def population_label(key: str) -> str:
    """``ITT (intention to treat)`` or ``PD-L1 CPS ≥10`` / ``PD-L1 TAP ≥5 to <10``."""
    if key == ITT_KEY:
        return "ITT (intention to treat)"
    text = key_text(key)
    return f"PD-L1 {text}" if text else key


@functools.lru_cache(maxsize=8)
def population_keys(registry: Registry) -> tuple[str, ...]:
    """``ITT`` then every PD-L1 key in the registry, by scoring system and cut-off."""
    keys = {p.pdl1_key for t in registry.trials for p in t.populations if p.pdl1_key is not None}
    return (ITT_KEY, *sorted(keys, key=key_sort))


@functools.lru_cache(maxsize=32)
def preset_arms(registry: Registry, preset: str) -> tuple[str, ...]:
    """Arms of a preset, from regimen class, role, seed flag and phase (at most MAX_ARMS).

    * ``seeds-vs-pd1`` — every arm of the seed (focus) studies and every experimental
      ICI + chemotherapy arm of a phase 3 trial: the comparison the app exists for;
    * ``chemo-free`` — every chemo-free arm, plus the control arms of trials that test a
      chemo-free regimen (the randomised reference for those arms);
    * ``chemo-controls`` — every control arm given chemotherapy with or without placebo.
    """
    out: list[str] = []
    for trial in registry.trials:
        chemo_free_trial = any("chemo-free" in a.regimen_class for a in trial.arms)
        for arm in trial.arms:
            if preset == "seeds-vs-pd1":
                keep = trial.focus or (
                    trial.phase == "3"
                    and arm.regimen_class == "ICI+chemo"
                    and arm.role != "control"
                )
            elif preset == "chemo-free":
                keep = "chemo-free" in arm.regimen_class or (
                    chemo_free_trial and arm.role == "control"
                )
            elif preset == "chemo-controls":
                keep = arm.role == "control" and arm.regimen_class in CHEMO_CONTROL_CLASSES
            else:
                keep = False
            if keep:
                out.append(arm_token(trial.id, arm.id))
    return tuple(out[:MAX_ARMS])


@dataclass(frozen=True)
class SurvivalState:
    """Validated view state; every field is inside its allow-list (built by :data:`SPEC`)."""

    endpoint: str
    arms: tuple[str, ...]
    population: str
    reference: str | None
    landmark_months: float
    tau_months: float
    show_ci: bool = False
    show_censor: bool = True
    show_median: bool = False
    show_at_risk: bool = True
    cutoff: str = "latest"
    #: Content-addressed ids of user-supplied curves drawn beside the shipped arms (issue 16;
    #: :mod:`analysis.views.survival.user`).
    user_curves: tuple[str, ...] = ()


#: Which data cut-off a trial's curves come from when it has several (issue 13).
CUTOFFS: tuple[str, ...] = ("latest", "earliest")
CUTOFF_LABELS = {"latest": "Latest cut-off", "earliest": "First report"}


def _cutoffs(_registry: Registry) -> tuple[str, ...]:
    return CUTOFFS


def _endpoints(_registry: Registry) -> tuple[str, ...]:
    return ENDPOINTS


SPEC: StateSpec[SurvivalState] = StateSpec(
    SurvivalState,
    fields=(
        Choice("endpoint", "ep", "endpoint", _endpoints, lambda _r: "OS"),
        MultiChoice(
            "arms",
            "arms",
            "arms",
            arm_tokens,
            lambda r: preset_arms(r, DEFAULT_PRESET),
            max_items=MAX_ARMS,
            empty=NO_ARMS,
        ),
        Choice("population", "pop", "population", population_keys, lambda _r: ITT_KEY),
        # Any arm of the registry: a reference that is not among the drawn curves falls back to
        # the default reference, and the view says so (rules.choose_reference).
        Choice("reference", "ref", "reference arm", arm_tokens, lambda _r: None, optional=True),
        Number(
            "landmark_months",
            "lm",
            "landmark",
            LANDMARK_RANGE_MONTHS,
            DEFAULT_LANDMARK_MONTHS,
            unit="months",
        ),
        Number(
            "tau_months", "tau", "RMST horizon", TAU_RANGE_MONTHS, DEFAULT_TAU_MONTHS, unit="months"
        ),
        Flag("show_ci", "ci", "CI bands", False),
        Flag("show_censor", "censor", "censor marks", True),
        Flag("show_median", "median", "median lines", False),
        Flag("show_at_risk", "risk", "numbers at risk", True),
        Choice("cutoff", "cut", "analysis cut-off", _cutoffs, lambda _r: "latest"),
        Tokens("user_curves", "user", "user-supplied curve", USER_ID_RE, MAX_USER_CURVES),
    ),
    quote_values=False,
)
