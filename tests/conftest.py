from datetime import datetime, timezone

import pytest

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
BACKENDS = ("sqlite", "postgresql")
PG_TEMPLATE = "deskui_template"


def pytest_configure(config):
    config.addinivalue_line("markers", "backends: run the module's or test's `db_path`/`conn` tests on SQLite and "
                                       "on PostgreSQL (tests/pg_server.py); `-m 'not postgresql'` skips the second")
    config.addinivalue_line("markers", "sqlite_only(reason): in a `backends` module, a test of SQLite's own file")
    config.addinivalue_line("markers", "postgresql: a test on the PostgreSQL backend (added by the backends marker)")


def pytest_generate_tests(metafunc):
    """One line opts a module in (``pytestmark = pytest.mark.backends``): every test of it that
    takes ``db_path``, ``conn`` or ``db_target`` runs once per backend."""
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("backends"):
        metafunc.parametrize("backend", [pytest.param(name, marks=[pytest.mark.postgresql] if name == "postgresql" else [])
                                         for name in BACKENDS], indirect=True)


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def policy():
    return default_policy()


@pytest.fixture
def fork_despite_threads(monkeypatch):
    """For tests of the forked helpers (deskui/forking.py): ``can_fork`` refuses while any other
    thread is alive, and earlier tests in this process may leave idle daemon threads behind (a
    server's accept loop, a pump blocked in recv). The children forked here take none of their
    locks, so the fork is allowed; the refusal itself is tested where a thread really runs."""
    from deskui.store import triage_helper

    monkeypatch.setattr(triage_helper, "can_fork", lambda: True)


@pytest.fixture(scope="session")
def pg_server():
    """One throw-away PostgreSQL cluster for the session, with a template database holding
    deskui's tables and SQLite's functions (compat.py): each test's database is a copy of it."""
    from tests.pg_server import PgServer, need_postgres

    server = PgServer(need_postgres())
    try:
        server.start()
        with server.admin() as admin:
            admin.execute(f"CREATE DATABASE {PG_TEMPLATE}")
        connect(server.url(PG_TEMPLATE), create=True).close()
        yield server
    finally:
        server.close()


@pytest.fixture
def backend(request):
    """'sqlite' unless the test is parametrised over both (the ``backends`` marker). A test of
    what only SQLite has (its file, its PRAGMAs) in an opted-in module carries ``sqlite_only``."""
    name = getattr(request, "param", "sqlite")
    marker = request.node.get_closest_marker("sqlite_only")
    if name == "postgresql" and marker is not None:
        pytest.skip(f"SQLite only: {marker.args[0] if marker.args else 'a property of the file'}")
    return name


@pytest.fixture
def db_target(backend, tmp_path, request):
    """A fresh deskui database for this test: an SQLite file's path, or the URL of a new
    PostgreSQL database copied from the session's template (about 0.1 s each)."""
    if backend == "sqlite":
        path = tmp_path / "desk.db"
        connect(path, create=True).close()
        yield path
        return
    server = request.getfixturevalue("pg_server")
    name = server.create_database(template=PG_TEMPLATE)
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture
def db_factory(backend, request):
    """``with db_factory() as target:`` a new database per call, gone after the block: for a
    test that needs many (a hypothesis example each). SQLite: a path not yet made (``connect(...,
    create=True)`` makes it); PostgreSQL: a copy of the template, its tables made."""
    import contextlib
    import tempfile
    from pathlib import Path

    @contextlib.contextmanager
    def make():
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                yield Path(folder) / "desk.db"
            return
        # One database per test, emptied for each call: TRUNCATE takes ~20 ms, a copy of the template ~0.3 s.
        if not made:
            made.append(request.getfixturevalue("db_target"))
        with contextlib.closing(connect(made[0])) as conn:
            tables = [row[0] for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename != 'deskui_schema_version'")]
            conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        yield made[0]

    made: list = []
    return make


@pytest.fixture
def db_path(db_target):
    return db_target


@pytest.fixture
def conn(db_path):
    connection = connect(db_path)
    yield connection
    connection.close()
