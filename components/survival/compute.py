"""The one gateway from a validated Survival state to its view model.

Callbacks pass the app's :class:`~analysis.views.memo.ViewMemo` (created in
``register_callbacks``); exports, which run rarely and outside any app, build directly. Every
state that reaches the statistics passes through :func:`view_model`, which is also what the
SEC-02 contract tests watch.
"""

from __future__ import annotations

from analysis.views.memo import ViewMemo
from analysis.views.survival import SurvivalModel, SurvivalState, build
from data import Registry


def view_model(
    registry: Registry,
    state: SurvivalState,
    memo: ViewMemo[SurvivalState, SurvivalModel] | None = None,
) -> SurvivalModel:
    return memo(registry, state) if memo is not None else build(registry, state)
