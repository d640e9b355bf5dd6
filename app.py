"""ESCC first-line trial explorer: Dash app factory and entry point.

``create_app()`` builds a fresh, fully wired app (tests build many); ``app = create_app()`` is
the module-level instance and ``server = app.server`` is what gunicorn serves::

    python app.py                       # embedded server on 127.0.0.1:8050, debug off
    python app.py --debug               # developer mode: Dash dev tools and reloader
    gunicorn -c gunicorn.conf.py app:server

Start-up loads and validates the evidence base; a malformed data file raises
``DataValidationError`` naming file, key and rule, so no request is ever served from bad data.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

import flask
from dash import Dash, html
from dash.development.base_component import Component

from analysis.curve_library import shared_curve_library
from analysis.usercurves import store as user_store
from components import export_jobs, export_panel, hardening, shell
from components.allocator import tune_malloc
from components.serving import embedded_request_handler
from components.settings import APP_NAME, Settings, load_settings
from components.views import default_views
from components.wire import to_wire
from data import Registry, load_registry

ASSETS = Path(__file__).resolve().parent / "assets"

log = logging.getLogger("escc")


def _with_ids(node: Any, found: list[Any]) -> None:
    if isinstance(node, (list, tuple)):
        for child in node:
            _with_ids(child, found)
        return
    if not isinstance(node, Component):
        return
    if getattr(node, "id", None) is not None:
        found.append(node)
    for prop in node._prop_names:
        value = getattr(node, prop, None)
        if prop != "id" and value is not None:
            _with_ids(value, found)


def validation_skeleton(trees: list[Any]) -> Any:
    """One bare component (type + id) for every component with an id in ``trees``.

    Dash 4 ships the validation layout inside every page's index HTML; the fully rendered
    views (figures, tables, option lists) made it ~450 KB per page load. Callback validation
    needs only each id and its component type, so that is all we keep.
    """
    found: list[Any] = []
    _with_ids(trees, found)
    bare = []
    for component in found:
        kind = type(component)
        try:
            bare.append(kind(id=component.id))
            continue
        except TypeError:  # required props: keep them, with empty children
            pass
        props = {
            p: getattr(component, p)
            for p in component._prop_names
            if p != "children" and getattr(component, p, None) is not None
        }
        if "children" in component._prop_names:
            props["children"] = ""
        bare.append(kind(**props))
    skeleton = html.Div(bare)
    # Sent inside every page's index HTML: serialised once, not on each page load (~8 ms each;
    # issue 11, session 5). The components stay as they are for Dash's own checks.
    wire = to_wire(skeleton)
    skeleton.to_plotly_json = lambda: wire  # type: ignore[method-assign]
    return skeleton


def create_app(settings: Settings | None = None, registry: Registry | None = None) -> Dash:
    """Build the app: load data, lay out the shell, register callbacks, harden the server."""
    settings = settings if settings is not None else load_settings()
    registry = registry if registry is not None else load_registry(settings.data_dir)
    views = default_views()
    # Reconstruct every shipped curve now (about 0.1 s), before any request: with gunicorn's
    # preload the result is shared by all workers, and no request ever waits for it.
    shared_curve_library(registry)
    export_panel.configure_engine(settings)
    # User curves (Add a curve) live beside the background-callback cache (docs/add-a-curve.md).
    user_store.configure(
        (settings.cache_dir or Path(tempfile.gettempdir()) / "escc-explorer-cache") / "user-curves"
    )

    # Our own Flask instance without Flask's default /static route: every route the app serves
    # is one we chose (SEC-05).
    flask_server = flask.Flask(__name__, static_folder=None)
    app = Dash(
        __name__,
        server=flask_server,
        title=APP_NAME,
        update_title=None,
        assets_folder=str(ASSETS),
        serve_locally=True,
        # gzip/brotli for responses over 500 bytes (Flask-Compress): callback bodies shrink
        # 10-35x (PERF-05). No response carries a secret, so compression leaks nothing.
        compress=True,
        on_error=hardening.install_error_banner_logging(shell.show_error_banner),
        health_endpoint="health",
        enable_mcp=False,
        background_callback_manager=export_panel.background_manager(settings),
        suppress_callback_exceptions=False,
        meta_tags=[
            {"name": "viewport", "content": "width=device-width, initial-scale=1"},
            {"name": "description", "content": "First-line ESCC trial evidence explorer"},
        ],
    )

    def frame() -> object:
        return shell.layout(
            views,
            settings,
            registry.data_version,
            header_extra=[export_panel.deck_header_button()],
            extra=[export_panel.deck_drawer()],
        )

    app.layout = frame()
    # Pages are rendered by the router, so the callbacks' components are not in the initial
    # layout; the validation layout lists them all for Dash's callback checks.
    app.validation_layout = validation_skeleton(
        [
            frame(),
            *(shell.render_view(view, registry, {}) for view in views),
            # One instance of each pattern-matching component made at run time.
            *export_panel.validation_components(),
            *(
                component
                for view in views
                if view.validation_components is not None
                for component in view.validation_components(registry)
            ),
        ]
    )
    shell.register_callbacks(app, registry, views)
    for view in views:
        if view.register_callbacks is not None:
            view.register_callbacks(app, registry)
    export_panel.register_callbacks(app, registry, views)
    hardening.apply_hardening(app, settings)
    # After the request limits: background-callback handles must belong to this page load.
    export_jobs.bind_handles_to_page_load(app)
    return app


def _configure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )


_configure_logging()
app = create_app()
server = app.server


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=APP_NAME)
    parser.add_argument(
        "--debug",
        action="store_true",
        help="developer mode (Dash dev tools, hot reload); never use on a shared network",
    )
    args = parser.parse_args(argv)
    settings = load_settings(debug=args.debug)
    # SIGTERM (docker stop, systemd) ends the embedded server like Ctrl-C, so that atexit stops
    # the export renderers and removes their temporary directories (gunicorn: worker_exit).
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    # Two glibc heaps and fixed mmap/trim thresholds, as for gunicorn's workers (post_fork).
    tune_malloc()
    run_kwargs: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        # Deadlines on request line + headers and on the body: a client sending a byte every
        # few seconds cannot hold a thread (ESCC_HEADER_TIMEOUT_S, ESCC_BODY_TIMEOUT_S).
        "request_handler": embedded_request_handler(
            settings.header_timeout_s, settings.body_timeout_s
        ),
    }
    if args.debug:
        target = create_app(settings)
        target.run(debug=True, **run_kwargs)
    else:
        # Explicit False everywhere: Dash would otherwise read DASH_DEBUG and friends (SEC-08).
        app.run(
            debug=False,
            dev_tools_ui=False,
            dev_tools_props_check=False,
            dev_tools_hot_reload=False,
            dev_tools_serve_dev_bundles=False,
            dev_tools_silence_routes_logging=True,
            **run_kwargs,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
