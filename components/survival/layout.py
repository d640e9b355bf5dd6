"""The Survival page: controls set from the URL's state, empty outputs the callbacks fill."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_mantine_components as dmc
from dash import html

from analysis.usercurves import store as user_store
from analysis.views.labels import CLASS_ORDER
from analysis.views.survival import (
    ENDPOINTS,
    MAX_ARMS,
    PRESETS,
    SPEC,
    arm_of,
    arm_token,
    population_label,
)
from analysis.views.survival.rules import curves_per_population
from analysis.views.survival.state import (
    CUTOFF_LABELS,
    CUTOFFS,
    ENDPOINT_LABELS,
    LANDMARK_RANGE_MONTHS,
    TAU_RANGE_MONTHS,
)
from components import ids
from components.export_menu import export_controls
from components.graph import graph
from components.page import link_notice, page_header, state_from_link
from data import Registry

#: Height of the graph box before the first figure arrives (then the figure's own height).
PLACEHOLDER_HEIGHT_PX = 520


def arm_options(registry: Registry) -> list[dict[str, Any]]:
    """Arms grouped by regimen class (chemo-free first), seed studies marked."""
    groups: dict[str, list[dict[str, str]]] = {}
    for trial in registry.trials:
        for arm in trial.arms:
            label = f"{trial.name}: {arm.label}" + (" (seed study)" if trial.focus else "")
            groups.setdefault(arm.regimen_class, []).append(
                {"value": arm_token(trial.id, arm.id), "label": label}
            )
    order = [c for c in CLASS_ORDER if c in groups] + sorted(set(groups) - set(CLASS_ORDER))
    return [{"group": cls, "items": groups[cls]} for cls in order]


def population_options(registry: Registry) -> list[dict[str, str]]:
    return [
        {
            "value": key,
            "label": population_label(key) + ("" if count else " — no reconstructable curve"),
        }
        for key, count in curves_per_population(registry).items()
    ]


def reference_options(registry: Registry, arms: Sequence[str]) -> list[dict[str, str]]:
    out = []
    for token in arms:
        trial, arm = arm_of(registry, token)
        out.append({"value": token, "label": f"{trial.name}: {arm.label}"})
    return out


def _presets() -> Any:
    return dmc.Group(
        [
            dmc.Tooltip(
                dmc.Button(
                    label,
                    id={"type": ids.SURVIVAL_PRESET, "preset": key},
                    size="xs",
                    variant="light",
                ),
                label=description,
                multiline=True,
                w=320,
            )
            for key, (label, description) in PRESETS.items()
        ],
        gap="xs",
    )


def user_control(curve_ids: Sequence[str]) -> Any:
    """The user-supplied curves of the link (issue 16): shown with their names, removable.
    Hidden when the link has none (curves are added in the Add-a-curve view)."""
    data = []
    for cid in curve_ids:
        curve = user_store.get(cid)
        name = curve.label if curve is not None else f"{cid} (not found)"
        data.append({"value": cid, "label": name})
    return dmc.MultiSelect(
        id=ids.SURVIVAL_USER,
        label="User-supplied curves (not curated evidence; add more in Add a curve)",
        data=data,
        value=list(curve_ids),
        clearable=True,
        style={} if curve_ids else {"display": "none"},
    )


def _number_input(cid: str, label: str, value: float, bounds: tuple[float, float], w: int) -> Any:
    return dmc.NumberInput(
        id=cid,
        label=label,
        value=value,
        min=bounds[0],
        max=bounds[1],
        step=1,
        decimalScale=1,
        debounce=True,
        w=w,
    )


def _controls(registry: Registry, state: Any) -> Any:
    return dmc.Stack(
        [
            dmc.Group(
                [
                    dmc.SegmentedControl(
                        id=ids.SURVIVAL_ENDPOINT,
                        data=[{"value": e, "label": ENDPOINT_LABELS[e]} for e in ENDPOINTS],
                        value=state.endpoint,
                    ),
                    dmc.Select(
                        id=ids.SURVIVAL_POPULATION,
                        label="Population",
                        data=population_options(registry),
                        value=state.population,
                        allowDeselect=False,
                        searchable=True,
                        w=360,
                    ),
                ],
                align="flex-end",
            ),
            dmc.MultiSelect(
                id=ids.SURVIVAL_ARMS,
                label=f"Arms (up to {MAX_ARMS}, any trial)",
                data=arm_options(registry),
                value=list(state.arms),
                maxValues=MAX_ARMS,
                searchable=True,
                clearable=True,
                hidePickedOptions=True,
            ),
            _presets(),
            user_control(state.user_curves),
            dmc.Group(
                [
                    dmc.Select(
                        id=ids.SURVIVAL_REFERENCE,
                        label="Reference arm for comparisons",
                        placeholder="automatic: first control arm shown (none without one)",
                        data=reference_options(registry, state.arms),
                        value=state.reference if state.reference in state.arms else None,
                        clearable=True,
                        w=380,
                    ),
                    _number_input(
                        ids.SURVIVAL_LANDMARK,
                        "Landmark (months)",
                        state.landmark_months,
                        LANDMARK_RANGE_MONTHS,
                        150,
                    ),
                    _number_input(
                        ids.SURVIVAL_TAU,
                        "RMST horizon τ (months)",
                        state.tau_months,
                        TAU_RANGE_MONTHS,
                        180,
                    ),
                ],
                align="flex-end",
            ),
            dmc.Group(
                [
                    dmc.Switch(id=cid, label=label, checked=checked)
                    for cid, label, checked in (
                        (ids.SURVIVAL_SHOW_CI, "95% CI bands", state.show_ci),
                        (ids.SURVIVAL_SHOW_CENSOR, "Censor marks", state.show_censor),
                        (ids.SURVIVAL_SHOW_MEDIAN, "Median lines", state.show_median),
                        (ids.SURVIVAL_SHOW_AT_RISK, "Numbers at risk", state.show_at_risk),
                    )
                ]
                + [
                    dmc.SegmentedControl(
                        id=ids.SURVIVAL_CUTOFF,
                        data=[{"value": c, "label": CUTOFF_LABELS[c]} for c in CUTOFFS],
                        value=state.cutoff,
                        size="xs",
                    )
                ],
                gap="lg",
            ),
        ],
        gap="sm",
    )


def layout(registry: Registry, query: Mapping[str, str]) -> Any:
    """The Survival view; never raises (unknown link settings are reset and named)."""
    state, problems = state_from_link(SPEC, registry, query)
    return dmc.Stack(
        [
            *page_header(
                "Survival",
                "Kaplan–Meier curves reconstructed from the publications. Arms from different "
                "trials are not randomised against each other: their comparisons are unanchored.",
                url=ids.SURVIVAL_URL,
            ),
            html.Div(link_notice(problems), id=ids.SURVIVAL_NOTICE),
            _controls(registry, state),
            html.Div(id=ids.SURVIVAL_MESSAGE),
            export_controls("survival-km", patient_data=True),
            # Drawn by the first callback run (models go through the app's memo).
            graph(
                ids.SURVIVAL_GRAPH,
                {"data": [], "layout": {}},
                filename="escc-km",
                # The box always has a height: the callback sets it from the figure's own
                # height (legend + curves + at-risk table); this one holds the place until then.
                height=f"{PLACEHOLDER_HEIGHT_PX}px",
            ),
            html.Div(id=ids.SURVIVAL_CAPTION),
            html.Div(id=ids.SURVIVAL_MISSING),
            html.Div(id=ids.SURVIVAL_RESULTS),
        ],
        gap="md",
    )
