"""Contract tests talk to a fresh app through Flask's test client (no browser, no network)."""

from __future__ import annotations

import pytest

from components.settings import load_settings


@pytest.fixture(scope="session")
def app():
    from app import create_app

    return create_app(load_settings({}))


@pytest.fixture
def client(app):
    return app.server.test_client()
