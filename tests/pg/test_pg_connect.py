"""Opening a PostgreSQL database: every way it fails is one line that says what to do, and never
shows the password."""

from __future__ import annotations

import pytest

from deskui.store import StoreError
from deskui.store.postgres import connect, shown
from deskui.store.postgres.db import describe_failure
from tests.pg_server import PASSWORD, free_port


def refused(url: str) -> str:
    with pytest.raises(StoreError) as caught:
        connect(url)
    message = str(caught.value)
    assert "\n" not in message and PASSWORD not in message and "wrong-pw" not in message
    return message


def test_a_wrong_password(pg_server, pg_url):
    message = refused(pg_url.replace(PASSWORD, "wrong-pw"))
    assert "refused the password" in message and message.startswith("postgresql://postgres@127.0.0.1:")


def test_a_wrong_database_name(pg_server):
    assert "no such database" in refused(pg_server.url("no_such_db"))


def test_a_wrong_role(pg_server):
    # PostgreSQL does not tell a missing role from a wrong password (it would reveal which roles exist)
    assert "refused the password" in refused(pg_server.url(user="nobody"))


def test_no_server_on_that_port(pg_server):
    message = refused(f"postgresql://postgres:{PASSWORD}@127.0.0.1:{free_port()}/postgres")
    assert "no PostgreSQL server answers there" in message


@pytest.mark.parametrize("url", ["postgresql://postgres:wrong-pw@[bad", "postgresql://h/x?nonsense=1"])
def test_a_malformed_url(pg_server, url):
    assert "not a valid connection string" in refused(url)


def test_tls_required_where_the_server_has_none(pg_server, pg_url):
    assert "TLS failed" in refused(pg_url + "?sslmode=require") and "sslmode" in refused(pg_url + "?sslmode=require")


def test_the_server_going_away_mid_session_is_one_line(pg_server, pg_conn, pg_url):
    import psycopg

    pid = pg_conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    with pg_server.admin() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(psycopg.OperationalError) as caught:
        pg_conn.execute("SELECT count(*) FROM tickets")
    message = describe_failure(caught.value, shown(pg_url))
    assert "lost the connection to the server" in message and "\n" not in message
    # and a new connection works again
    connect(pg_url).close()


def test_shown_hides_the_password():
    assert shown("postgresql://ana:secret@db.example:5433/desk?sslmode=verify-full") == "postgresql://ana@db.example:5433/desk"
