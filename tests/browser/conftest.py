"""Browser-test fixtures.

dash.testing's threaded server stops by raising ``SystemExit`` in every thread that did not
exist when the server started (``KillerThread.kill``). The export engine's event-loop thread is
started lazily by the first export, i.e. from a server thread, so the harness would kill it at
the end of that test and leave the next test's export waiting on a dead loop. In production the
thread lives as long as its gunicorn worker. Starting the engine once from the main thread,
before any server, makes the test process behave like a worker.
"""

from __future__ import annotations

import pytest

from components.export import default_engine


@pytest.fixture(scope="session", autouse=True)
def _export_engine_outlives_test_servers():
    engine = default_engine()
    engine.warm_up()
    return engine


@pytest.fixture
def duo(dash_duo):
    """dash_duo serving a fresh app with the shipped data, dev tools off (as in production)."""
    from app import create_app
    from components.settings import load_settings
    from tests.browser.helpers import PRODUCTION_RUN

    dash_duo.start_server(create_app(load_settings({})), **PRODUCTION_RUN)
    return dash_duo
