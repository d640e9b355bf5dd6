"""Which arms the app shows together by default, for handing out arm colours.

Colours are keyed by arm (the same arm looks the same in every view), so they cannot depend on
the current selection. They can, however, avoid repeating a colour inside the groups of arms a
reader meets together most: the arms of one trial, every Survival preset and every view's
default selection. :func:`shown_together` lists those groups; the palette
(``components.charts.palette.assign_looks``) gives arms of one group different colours where the
palette has enough of them, and a different line or fill cue where it has not.
"""

from __future__ import annotations

from analysis.views.cache import per_registry
from analysis.views.defaults import view_defaults
from analysis.views.survival.state import PRESETS, preset_arms
from data import Registry

ArmKey = tuple[str, str]


def arm_order(registry: Registry) -> tuple[ArmKey, ...]:
    """Every (trial id, arm id) in the registry's stable order."""
    return tuple((trial.id, arm.id) for trial in registry.trials for arm in trial.arms)


def _from_token(token: str) -> ArmKey:
    trial_id, _, arm_id = token.partition(":")
    return (trial_id, arm_id)


@per_registry  # keyed by identity: hashing a Registry walks every trial
def shown_together(registry: Registry) -> tuple[tuple[ArmKey, ...], ...]:
    """Groups of arms shown together by default, largest concern first: each trial's arms,
    each Survival preset, each view's default arms (``data/vocab/view_defaults.toml``)."""
    groups: list[tuple[ArmKey, ...]] = [
        tuple((trial.id, arm.id) for arm in trial.arms) for trial in registry.trials
    ]
    groups.extend(
        tuple(_from_token(token) for token in preset_arms(registry, preset)) for preset in PRESETS
    )
    groups.extend(defaults.arms for defaults in view_defaults(registry).values())
    return tuple(group for group in groups if len(group) > 1)
