"""The one gateway from a validated Survival state to its view model.

Callbacks pass the app's statistics memo (created in ``register_callbacks``, shared by every
state of that app); exports, which run rarely and outside any app, build with a fresh one. Every
state that reaches the statistics passes through :func:`view_model`, which is also what the
SEC-02 contract tests watch.
"""

from __future__ import annotations

from analysis.survival import SurvivalMemo
from analysis.views.survival import SurvivalModel, SurvivalState, build
from data import Registry


def view_model(
    registry: Registry, state: SurvivalState, stats: SurvivalMemo | None = None
) -> SurvivalModel:
    return build(registry, state, stats)
