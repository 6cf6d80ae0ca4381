"""Fixtures for the PostgreSQL store's tests: one real server per session (tests/pg_server.py),
a fresh database per test, made from a template that already holds deskui's tables."""

from __future__ import annotations

import pytest

TEMPLATE = "deskui_template"  # made by tests/conftest.py: pg_server


@pytest.fixture
def pg_empty_url(pg_server):
    """A new database with nothing in it."""
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture
def pg_url(pg_server):
    """A new database with deskui's tables at the current version."""
    name = pg_server.create_database(template=TEMPLATE)
    yield pg_server.url(name)
    pg_server.drop_database(name)


@pytest.fixture
def pg_conn(pg_url):
    from deskui.store.postgres import connect

    conn = connect(pg_url)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def own_server():
    """A cluster of the module's own that its tests stop and start (tests/pg_server.py
    RestartableServer), so the session's shared one never stops under other tests."""
    from tests.pg_server import RestartableServer, need_postgres

    server = RestartableServer(need_postgres())
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def url(own_server):
    """A new database with deskui's tables on ``own_server``, running again after the test."""
    from deskui.store import connect

    name = own_server.create_database()
    connect(own_server.url(name), create=True).close()
    yield own_server.url(name)
    if not own_server.running():
        own_server.restart()
    own_server.drop_database(name)
