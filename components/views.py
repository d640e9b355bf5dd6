"""The navigable views, in navigation order. The first one is the landing page.

Each view names the panel module that implements it (``layout(registry, query)`` and
``register_callbacks(app, registry)``). A view whose module does not exist yet is shown as a
clear "coming soon" panel; any other import error propagates, so a broken panel fails start-up
instead of silently disappearing.
"""

from __future__ import annotations

import importlib
from typing import Any

from components.shell import View

# (key, path, label, description, panel module)
_VIEWS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "trials",
        "/trials",
        "Trials",
        "Catalogue of every trial and arm, with each number's citation.",
        "components.trials_panel",
    ),
    (
        "survival",
        "/survival",
        "Survival",
        "Kaplan–Meier curves of progression-free and overall survival, reconstructed from the "
        "publications, across trials and PD-L1 subgroups.",
        "components.survival_panel",
    ),
    (
        "forest",
        "/subgroups",
        "Subgroups & forest",
        "Published hazard ratios by PD-L1 subgroup, trial by trial, with pooled estimates "
        "within one scoring system.",
        "components.forest_panel",
    ),
    (
        "safety",
        "/safety",
        "Safety",
        "Adverse events by harmonised term, with definitions and denominators.",
        "components.safety_panel",
    ),
    (
        "response",
        "/response",
        "Response",
        "Objective response, disease control and complete response with exact CIs.",
        "components.response_panel",
    ),
)


def _panel(module_name: str) -> Any | None:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise


def default_views() -> tuple[View, ...]:
    views = []
    for key, path, label, description, module_name in _VIEWS:
        panel = _panel(module_name)
        views.append(
            View(
                key=key,
                path=path,
                label=label,
                description=description,
                layout=getattr(panel, "layout", None),
                register_callbacks=getattr(panel, "register_callbacks", None),
            )
        )
    return tuple(views)
