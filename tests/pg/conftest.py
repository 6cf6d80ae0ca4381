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
