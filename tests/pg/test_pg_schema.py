"""The PostgreSQL schema is SQLite's: the same tables, columns, indexes and change feed rows, on a
real server (tests/pg_server.py)."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from deskui.store import SCHEMA_VERSION, StoreError
from deskui.store import connect as sqlite_connect
from deskui.store.postgres import connect, schema
from deskui.store.postgres.db import migrate, schema_version

SQLITE_TYPES = {"INTEGER": "bigint", "REAL": "double precision", "TEXT": "text", "BLOB": "bytea"}


def sqlite_shape(conn: sqlite3.Connection):
    tables, indexes = {}, {}
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                        "AND name NOT LIKE 'search\\_%' ESCAPE '\\'")]  # the search's, SQLite's own
    for table in names:
        tables[table] = [(r["name"], SQLITE_TYPES[r["type"]], bool(r["notnull"] or r["pk"]))
                         for r in conn.execute(f"PRAGMA table_info({table})")]
        for r in conn.execute(f"PRAGMA index_list({table})"):
            if r["origin"] == "c":
                indexes[r["name"]] = (table, bool(r["unique"]), bool(r["partial"]))
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return tables, indexes, triggers


def pg_shape(conn):
    tables, indexes = {}, {}
    for r in conn.execute("""SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
                             WHERE table_schema = current_schema() AND table_name != 'deskui_schema_version'
                             ORDER BY table_name, ordinal_position"""):
        tables.setdefault(r[0], []).append((r[1], r[2], r[3] == "NO"))
    for r in conn.execute("""SELECT i.relname, t.relname, x.indisunique, x.indpred IS NOT NULL
                             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                             WHERE t.relnamespace = current_schema()::regnamespace
                               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"""):
        indexes[r[0]] = (r[1], r[2], r[3])
    triggers = {r[0] for r in conn.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
    return tables, indexes, triggers


def test_both_stores_have_every_migration():
    assert schema.SCHEMA_VERSION == SCHEMA_VERSION, "each SQLite migration needs its PostgreSQL twin in store/postgres/schema.py"


# The search's own (store/search.py): FTS5 tables, their shadow tables and the pending notes with
# their triggers on SQLite; pg_trgm indexes on PostgreSQL. Everything else is the same.
def _not_search(names):
    return {name: value for name, value in names.items() if not name.startswith("search_")} if isinstance(names, dict) \
        else {name for name in names if "_search_" not in name}


def test_tables_columns_indexes_and_triggers_are_sqlites(pg_conn, db_path):
    sqlite_tables, sqlite_indexes, sqlite_triggers = map(_not_search, sqlite_shape(sqlite_connect(db_path)))
    tables, indexes, triggers = map(_not_search, pg_shape(pg_conn))
    assert any(name.startswith("search_") for name in pg_shape(pg_conn)[1]), "pg_trgm is in Debian's postgresql: its indexes"
    assert tables == sqlite_tables
    assert indexes == sqlite_indexes
    assert triggers == sqlite_triggers
    assert schema_version(pg_conn) == SCHEMA_VERSION


# The same writes on both stores; the change feed must hold the same rows (row_id aside: SQLite
# reports a hidden rowid for tables without an integer id, PostgreSQL has none to report).
FEED_SCRIPT = [
    "INSERT INTO customers (id, channel, external_id) VALUES (1, 'amazon', 'c1')",
    "INSERT INTO orders (id, channel, order_number, customer_id) VALUES (1, 'amazon', '111-0000000-0000001', 1)",
    "INSERT INTO tickets (id, channel, subject, created_at, needs_triage) VALUES (1, 'amazon', 's', '2026-11-25T08:00:00Z', 0)",
    "INSERT INTO messages (id, ticket_id, direction, body, sent_at) VALUES (1, 1, 'in', 'where is it', '2026-11-25T08:00:00Z')",
    "INSERT INTO messages (id, ticket_id, direction, body, sent_at) VALUES (2, 1, 'note', 'n', '2026-11-25T08:01:00Z')",
    "INSERT INTO tags (ticket_id, tag) VALUES (1, 'vip')",
    "INSERT INTO drafts (ticket_id, agent, body, updated_at) VALUES (1, 'ana', 'hello', '2026-11-25T08:02:00Z')",
    "INSERT INTO outbox (id, ticket_id, channel, body, created_at, updated_at) VALUES (1, 1, 'amazon', 'b', 'x', 'x')",
    "INSERT INTO presence (ticket_id, agent, activity, since, heartbeat_at) VALUES (1, 'ana', 'viewing', 'x', 'x')",
    "UPDATE presence SET heartbeat_at = 'y'",
    "UPDATE presence SET activity = 'replying'",
    "UPDATE orders SET status = 'Shipped'",
    "UPDATE tickets SET assignee = 'ana'",
    "DELETE FROM tags",
    "DELETE FROM drafts",
    "DELETE FROM presence",
    "DELETE FROM tickets",
]


def test_the_change_feed_writes_the_same_rows(pg_conn, conn):
    # Per statement, in any order: SQLite fires a table's triggers newest first, PostgreSQL by name.
    query = "SELECT table_name, ticket_id, operation FROM changes WHERE seq > {} ORDER BY seq"
    seen = 0
    for statement in FEED_SCRIPT:
        conn.execute(statement)
        pg_conn.execute(statement)
        expected = [tuple(r) for r in conn.execute(query.format(seen))]
        assert sorted(tuple(r) for r in pg_conn.execute(query.format(seen))) == sorted(expected), statement
        seen += len(expected)
        if statement.startswith("INSERT INTO messages") and "'in'" in statement:
            assert ("tickets", 1, "update") in expected  # the inbound trigger flagged it for triage
    assert seen == pg_conn.execute("SELECT count(*) FROM changes").fetchone()[0] > len(FEED_SCRIPT)


def test_an_older_database_is_migrated_forward_in_order(pg_empty_url):
    conn = connect(pg_empty_url, create=True)
    conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    conn.execute(schema.VERSION_TABLE_SQL)
    for number in range(2):
        conn.execute(schema.MIGRATIONS[number])
        conn.execute("INSERT INTO deskui_schema_version VALUES (%s, 'x')", (number + 1,))
    conn.execute("INSERT INTO tickets (channel, created_at, needs_triage) VALUES ('amazon', 'x', 0)")
    conn.close()
    conn = connect(pg_empty_url)
    assert schema_version(conn) == SCHEMA_VERSION
    # v3 flags open tickets for triage, as on SQLite
    assert conn.execute("SELECT needs_triage FROM tickets").fetchone()[0] == 1
    assert [r[0] for r in conn.execute("SELECT version FROM deskui_schema_version ORDER BY version")] == list(
        range(1, SCHEMA_VERSION + 1))


def test_two_processes_creating_one_database_at_once_both_succeed(pg_empty_url):
    errors = []

    def open_it():
        try:
            connect(pg_empty_url, create=True).close()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    conn = connect(pg_empty_url)
    assert conn.execute("SELECT count(*) FROM deskui_schema_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_schema_is_refused_in_one_line(pg_conn, pg_url):
    pg_conn.execute("INSERT INTO deskui_schema_version VALUES (%s, 'x')", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError) as caught:
        connect(pg_url)
    message = str(caught.value)
    assert "newer deskui" in message and "upgrade deskui" in message and "\n" not in message


def test_an_empty_database_needs_init(pg_empty_url):
    with pytest.raises(StoreError, match="deskui migrate FILE URL"):
        connect(pg_empty_url)
    connect(pg_empty_url, create=True).close()
    connect(pg_empty_url).close()


def test_another_programs_tables_are_left_alone(pg_empty_url):
    import psycopg

    with psycopg.connect(pg_empty_url, autocommit=True) as other:
        other.execute("CREATE TABLE invoices (id int)")
    with pytest.raises(StoreError, match="not a deskui database"):
        connect(pg_empty_url, create=True)


def test_migrate_is_idempotent(pg_conn):
    assert migrate(pg_conn) == SCHEMA_VERSION
    assert pg_conn.execute("SELECT count(*) FROM deskui_schema_version").fetchone()[0] == SCHEMA_VERSION
