"""App shell: header, navigation, error banner, routed page area, footer.

Routing is done here rather than with Dash pages, because ``dash.register_page`` and the global
``@callback`` bind to the first app created (E7) and the app must be buildable many times in
tests. ``url`` (read) drives the router from its pathname; panels mirror their controls into the
query string through ``url-sync`` (write, no reload), so a copied link restores the view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

import dash_mantine_components as dmc
from dash import Dash, Input, Output, State, dcc, html, set_props

from analysis.views.memo import ViewMemo
from components import ids
from components.panel import Panel
from components.settings import APP_NAME, Settings
from components.wire import to_wire
from data import Registry

# Below this Mantine breakpoint ("md", 62em ≈ 990 px) the navigation collapses behind a burger.
NAV_BREAKPOINT = "md"

NAV_WIDTH_PX = 230


def navbar_settings(*, opened: bool) -> dict[str, Any]:
    """AppShell navbar settings; below the breakpoint the navbar shows only when ``opened``."""
    return {
        "width": NAV_WIDTH_PX,
        "breakpoint": NAV_BREAKPOINT,
        "collapsed": {"mobile": not opened},
    }


# Query strings longer than this, or with more keys, are ignored as a whole (SEC-02).
MAX_QUERY_CHARS = 2000
MAX_QUERY_KEYS = 40


def parse_query(search: object) -> tuple[dict[str, str], str | None]:
    """Parse ``?a=b&c=d`` defensively; return (params, message-or-None).

    Anything that is not a short, well-formed query string yields no parameters and a message
    that the view shows instead of failing.
    """
    if search in (None, ""):
        return {}, None
    if not isinstance(search, str) or len(search) > MAX_QUERY_CHARS:
        return {}, "The link's settings were too long or malformed and were ignored."
    try:
        pairs = parse_qsl(
            search.lstrip("?"), keep_blank_values=False, max_num_fields=MAX_QUERY_KEYS
        )
    except ValueError:
        return {}, "The link's settings were too long or malformed and were ignored."
    params: dict[str, str] = {}
    for key, value in pairs:
        params.setdefault(key, value)
    return params, None


def not_found(pathname: str) -> Any:
    return dmc.Stack(
        [
            dmc.Title("Page not found", order=2),
            dmc.Text(
                "There is no view at this address. Use the navigation on the left.", size="sm"
            ),
        ]
    )


def render_view(view: Panel, registry: Registry, query: Mapping[str, str]) -> Any:
    return view.layout(registry, query)


def _header(extra: Sequence[Any] = ()) -> Any:
    # Below the navbar breakpoint the navigation collapses behind a burger (issue 15: on a phone
    # an always-open navbar covered the page); the subtitle gives way before the title does.
    return dmc.AppShellHeader(
        dmc.Group(
            [
                dmc.Group(
                    [
                        dmc.Burger(
                            id=ids.NAV_BURGER,
                            opened=False,
                            hiddenFrom=NAV_BREAKPOINT,
                            size="sm",
                            **{"aria-label": "Show or hide the navigation"},
                        ),
                        dmc.Stack(
                            [
                                dmc.Title(APP_NAME, order=1, size="h3", className="escc-app-title"),
                                dmc.Text(
                                    "Advanced oesophageal squamous cell carcinoma: first-line "
                                    "trials, from the publications",
                                    size="xs",
                                    c="dimmed",
                                    visibleFrom="sm",
                                ),
                            ],
                            gap=0,
                            className="escc-header-titles",
                        ),
                    ],
                    gap="xs",
                    wrap="nowrap",
                    className="escc-header-left",
                ),
                dmc.Group(list(extra), gap="xs", wrap="nowrap"),
            ],
            h="100%",
            px="md",
            justify="space-between",
            wrap="nowrap",
        )
    )


def _navbar(views: Sequence[Panel]) -> Any:
    links = [
        dmc.NavLink(
            label=view.label,
            href=view.path,
            active="exact",
        )
        for view in views
    ]
    return dmc.AppShellNavbar(dmc.Stack(links, gap=2), p="xs", id=ids.NAV)


def _footer(settings: Settings, data_version: str) -> Any:
    # In the page flow, not fixed: a fixed footer covered the end of long tables and, wrapped on
    # a phone, grew over the content (issue 15).
    return html.Footer(
        dmc.Group(
            [
                dmc.Text(
                    "Summarises published trial evidence. Not for patient-specific decisions; "
                    "cross-trial comparisons are not randomised.",
                    size="xs",
                    c="dimmed",
                ),
                dmc.Text(
                    f"App {settings.version_label} · data {data_version}",
                    size="xs",
                    id=ids.FOOTER_VERSIONS,
                ),
            ],
            justify="space-between",
            gap="xs",
        ),
        id=ids.FOOTER,
        className="escc-footer",
    )


def error_banner() -> Any:
    return dmc.Alert(
        dmc.Text("", id=ids.ERROR_BANNER_TEXT, size="sm"),
        id=ids.ERROR_BANNER,
        title="Something went wrong",
        color="red",
        withCloseButton=True,
        hide=True,
        mb="md",
    )


def show_error_banner(request_ref: str) -> None:
    """Reveal the banner from inside a failing callback (used by the global ``on_error``)."""
    set_props(ids.ERROR_BANNER, {"hide": False})
    set_props(
        ids.ERROR_BANNER_TEXT,
        {
            "children": (
                "This part of the page could not be computed, so it was left as it was. "
                f"Nothing you chose was lost. If it keeps happening, quote reference {request_ref}."
            )
        },
    )


def layout(
    views: Sequence[Panel],
    settings: Settings,
    data_version: str,
    *,
    header_extra: Sequence[Any] = (),
    extra: Sequence[Any] = (),
) -> Any:
    """The page frame. ``header_extra`` goes to the header's right side (e.g. the deck
    button); ``extra`` are page-level components such as drawers and stores."""
    return dmc.MantineProvider(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Location(id=ids.URL_SYNC, refresh=False),
            *extra,
            dmc.AppShell(
                id=ids.APP_SHELL,
                children=[
                    _header(header_extra),
                    _navbar(views),
                    dmc.AppShellMain(
                        [error_banner(), html.Div(id=ids.PAGE), _footer(settings, data_version)],
                    ),
                ],
                header={"height": 64},
                navbar=navbar_settings(opened=False),
                padding="md",
            ),
        ],
        theme={"fontFamily": "DejaVu Sans, Liberation Sans, Arial, sans-serif"},
    )


#: Panels' own locations (``dcc.Location(refresh=False)``), each mirroring its controls into the
#: query string. A Location that pushes a new URL does not tell the others, so the shell's
#: location (whose search the export menu and the deck read) would keep the page's first query.
PANEL_LOCATIONS: tuple[str, ...] = (
    ids.TRIALS_URL,
    ids.SURVIVAL_URL,
    ids.FOREST_URL,
    ids.RESPONSE_URL,
    ids.SAFETY_URL,
)
#: Copies a panel location's search into the shell's (runs in the browser; no server round trip).
_MIRROR_SEARCH = "function (search) { return search; }"


#: Pages kept per app, as sent (plain data; a page is 5-370 KB as Python objects): the default
#: page of each view, and the links people share, are served without being rebuilt.
PAGE_ENTRIES = 24

PageKey = tuple[str, tuple[tuple[str, str], ...]]


def register_callbacks(app: Dash, registry: Registry, views: Sequence[Panel]) -> None:
    by_path = {view.path: view for view in views}

    def page_of(registry: Registry, key: PageKey) -> Any:
        path, query = key
        return to_wire(render_view(by_path[path], registry, dict(query)))

    pages: ViewMemo[PageKey, Any] = ViewMemo(page_of, max_entries=PAGE_ENTRIES)

    for location in PANEL_LOCATIONS:
        # The shell's search follows each panel's, so exports build the chart on screen.
        app.clientside_callback(
            _MIRROR_SEARCH,
            Output(ids.URL, "search", allow_duplicate=True),
            Input(location, "search"),
            prevent_initial_call=True,
        )

    @app.callback(Output(ids.APP_SHELL, "navbar"), Input(ids.NAV_BURGER, "opened"))
    def toggle_navigation(opened: object) -> Any:
        return navbar_settings(opened=opened is True)

    @app.callback(
        Output(ids.NAV_BURGER, "opened"),
        Input(ids.URL, "pathname"),
        prevent_initial_call=True,
    )
    def close_navigation_on_navigate(_pathname: object) -> Any:
        return False

    @app.callback(
        Output(ids.PAGE, "children"),
        Input(ids.URL, "pathname"),
        State(ids.URL, "search"),
    )
    def route(pathname: object, search: object) -> Any:
        view = by_path.get(pathname) if isinstance(pathname, str) else None
        if view is None:
            if pathname in (None, "", "/"):
                view = views[0]
            else:
                return not_found(str(pathname)[:200])
        query, message = parse_query(search)
        if view.layout_by_query:
            page = pages(registry, (view.path, tuple(sorted(query.items()))))
        else:
            page = render_view(view, registry, query)
        if message:
            return [dmc.Alert(message, color="yellow", mb="md", id=ids.PAGE_MESSAGE), page]
        return page
