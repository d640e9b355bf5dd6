"""Page parts several panels share, written once: the labelled segmented control, the
"link settings reset" notice, the "invalid selection" banner, the callback step that keeps
every output but the message when the controls send a value off its list, and :func:`plain`,
which turns rendered outputs into the plain data Dash sends (so they can be memoised).

Only markup and Dash plumbing live here; what a view accepts is its ``SPEC`` in
``analysis/views/<view>/state.py`` and what it shows is its own panel's business.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar, cast

import dash_mantine_components as dmc
from dash import Dash, Input, Output, dcc, html, no_update

from analysis.views.memo import ViewMemo
from analysis.views.state import StateSpec
from components.export_menu import export_controls
from components.graph import graph
from components.panel import keep_memo
from components.wire import to_wire
from data import Registry
from data.pdl1 import ITT_KEY, key_sort, key_text, parse_key

#: Names of the PD-L1 scoring systems in grouped population selects (systems never share a
#: group).
SYSTEM_NAMES = {
    "CPS": "CPS (combined positive score)",
    "TPS": "TPS (tumour proportion score)",
    "TC": "TC (tumour-cell PD-L1 %)",
    "TAP": "TAP (tumour area positivity)",
}

#: Most link problems named in the "settings reset" notice.
MAX_NAMED_PROBLEMS = 8

StateT = TypeVar("StateT")
ModelT = TypeVar("ModelT")

#: ``(state attribute or render key, component id, property)``, in callback order.
Binding = tuple[str, str, str]


def state_from_link(
    spec: StateSpec[StateT], registry: Registry, query: object
) -> tuple[StateT, list[str]]:
    """The state a link asks for and the settings that were reset. Never raises: a link must
    never break the page, so anything the parser cannot read gives the view's defaults."""
    try:
        return spec.from_query(registry, query if isinstance(query, Mapping) else {})
    except Exception:
        return spec.default(registry), ["the whole link"]


def page_header(title: str, blurb: str, *, url: str | None = None) -> list[Any]:
    """The page's title and one-line description, after its own ``dcc.Location`` when the
    panel keeps its state in the URL itself."""
    location = [dcc.Location(id=url, refresh=False)] if url is not None else []
    return [
        *location,
        dmc.Title(title, order=2),
        dmc.Text(blurb, size="sm", c="dimmed"),
    ]


def link_notice(problems: Sequence[str], *, ident: str | None = None) -> Any:
    """The yellow notice naming the link settings that were reset (None when there are none)."""
    if not problems:
        return None
    extra = {"id": ident} if ident is not None else {}
    return dmc.Alert(
        "Some settings in the link were not recognised and were reset: "
        + "; ".join(problems[:MAX_NAMED_PROBLEMS]),
        color="yellow",
        title="Link settings reset",
        **extra,
    )


def population_groups(keys: Iterable[str], *, itt_label: str) -> list[dict[str, Any]]:
    """Options of a population select: the whole population (ITT), then the PD-L1 ``keys``
    grouped by scoring system (systems never share a group), by system and cut-off."""
    groups: list[dict[str, Any]] = [
        {"group": "Whole population", "items": [{"value": ITT_KEY, "label": itt_label}]}
    ]
    for key in sorted(keys, key=key_sort):
        parsed = parse_key(key)
        if parsed is None:
            continue
        name = SYSTEM_NAMES.get(parsed.system, parsed.system)
        if groups[-1]["group"] != name:
            groups.append({"group": name, "items": []})
        groups[-1]["items"].append({"value": key, "label": key_text(key) or key})
    return groups


def segmented(label: str, ident: str, options: Mapping[str, str], value: str) -> Any:
    """A segmented control (``options``: value -> label) with its label above it."""
    return dmc.Stack(
        [
            dmc.Text(label, size="sm", fw=500),
            dmc.SegmentedControl(
                id=ident, data=[{"value": k, "label": v} for k, v in options.items()], value=value
            ),
        ],
        gap=2,
    )


def invalid_selection(problems: Sequence[str]) -> Any:
    """The red banner shown instead of a recomputed view when a control sent a value off its
    list (``problems`` names the fields, in the order given)."""
    return dmc.Alert(
        "Invalid selection (" + ", ".join(problems) + "): nothing was recomputed. "
        "Choose from the lists.",
        color="red",
        title="Invalid selection",
    )


def clicked(n_clicks: object) -> bool:
    """Whether a button's ``n_clicks`` is a real click count (a positive int; not a bool, None
    or anything else a hand-made request may send)."""
    return isinstance(n_clicks, int) and not isinstance(n_clicks, bool) and n_clicks > 0


def only_message(message: Any, *, outputs: int, at: int) -> tuple[Any, ...]:
    """A callback's return value that changes nothing but the message output at index ``at``
    of ``outputs``: an invalid selection leaves the last good view on screen."""
    return (no_update,) * at + (message,) + (no_update,) * (outputs - at - 1)


def one_chart(out: Mapping[str, Any], *, chart: str, outputs: Sequence[Binding]) -> list[Any]:
    """The message, export menu, chart, caption and table of a one-chart panel, from its
    rendered parts ``out`` (``figure``, ``style``, ``message``, ``caption``, ``table``) and its
    callback's ``outputs`` (which give each part's component id; ``figure`` names the graph)."""
    ids_of = {key: cid for key, cid, _prop in outputs}
    return [
        html.Div(out["message"], id=ids_of["message"]),
        *exportable_chart(chart, ids_of["figure"], out["figure"], out["style"]),
        html.Div(out["caption"], id=ids_of["caption"]),
        html.Div(out["table"], id=ids_of["table"]),
    ]


def exportable_chart(chart: str, graph_id: str, figure: Any, style: Mapping[str, Any]) -> list[Any]:
    """A chart's export menu and its graph (height from the rendered ``style``); the modebar
    download is named ``escc-<chart>``."""
    return [
        export_controls(chart),
        graph(graph_id, figure, filename=f"escc-{chart}", height=style["height"]),
    ]


#: Rendered outputs kept per one-chart panel, as sent (plain data): a safety term table of ten
#: arms is ~0.3 MB of JSON and ~0.7 MB as Python objects, so fewer than the models' memo.
RENDERED_ENTRIES = 16


def register_view_update(
    app: Dash,
    registry: Registry,
    *,
    key: str,
    spec: StateSpec[StateT],
    build: Callable[[Registry, StateT], ModelT],
    render: Callable[[Registry, ModelT], Mapping[str, Any]],
    controls: Sequence[Binding],
    outputs: Sequence[Binding],
    url: str,
    safe: str,
    invalid: Callable[[Sequence[str]], Any],
) -> None:
    """The callback of a one-chart panel: validate the ``controls`` once (state attribute,
    id, property), take the model from the panel's app-scoped memo of ``build`` (kept as
    ``key``'s, :func:`components.panel.keep_memo`), and send ``render``'s parts to ``outputs``
    (render key, id, property) and the canonical query to ``url``. A value off its list
    changes only the ``"message"`` output, to ``invalid(problems)``. The rendered parts are
    memoised by state as plain data (:func:`components.wire.to_wire`); clearing the model
    memo clears them too."""
    memo: ViewMemo[StateT, ModelT] = ViewMemo(build)
    keep_memo(app, key, memo)
    attrs = [attr for attr, _cid, _prop in controls]
    keys = [key for key, _cid, _prop in outputs]
    message_at = keys.index("message")

    def rendered_parts(registry: Registry, state: StateT) -> tuple[Any, ...]:
        out = render(registry, memo(registry, state))
        # Figures and styles are plain dicts already (chart builders): not walked again.
        return tuple(out[key] if key in ("figure", "style") else to_wire(out[key]) for key in keys)

    rendered: ViewMemo[StateT, object] = ViewMemo(rendered_parts, max_entries=RENDERED_ENTRIES)
    memo.clears_with(rendered)

    @app.callback(
        *[Output(cid, prop) for _key, cid, prop in outputs],
        Output(url, "search"),
        *[Input(cid, prop) for _attr, cid, prop in controls],
        prevent_initial_call=True,
    )
    def update(*values: object) -> tuple[Any, ...]:
        state, problems = spec.from_inputs(registry, dict(zip(attrs, values, strict=True)))
        if state is None:
            return only_message(invalid(problems), outputs=len(keys) + 1, at=message_at)
        parts = cast("tuple[Any, ...]", rendered(registry, state))
        return (*parts, spec.to_search(registry, state, safe=safe))


def plain(value: Any) -> Any:
    """``value`` with every Dash component replaced by its plain data, recursively."""
    return to_wire(value)
