"""The SQL an import runs around its rows: the file's savepoint, the import-only pragmas, ids
handed out ahead of a batch, the triage flag, and the lookups every importer shares.

The importers (``deskui.ingest``) decide what to write; these functions only read and write.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

# Rows per statement for the IN (...) lookups: under SQLite's bound-parameter limit.
LOOKUP_CHUNK = 500


def _chunks(items: Sequence, size: int = LOOKUP_CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start: start + size]


def _marks(count: int) -> str:
    return ",".join("?" * count)


def rows_in(conn: sqlite3.Connection, sql: str, prefix: Sequence, keys: Iterable) -> list[sqlite3.Row]:
    """Rows of ``sql`` (with ``{marks}`` standing for the IN list) for every key, in chunks; the
    keys are deduplicated in their order."""
    keys = list(dict.fromkeys(keys))
    rows: list = []
    for part in _chunks(keys):
        rows.extend(conn.execute(sql.format(marks=_marks(len(part))), [*prefix, *part]).fetchall())
    return rows


def insert_rows(conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """A batch of new rows: one executemany on SQLite, one COPY on PostgreSQL, where a
    statement per row cost a mail import most of its server time and the change feed fires once
    per statement (store/postgres/schema.py, version 12)."""
    if not rows:
        return
    if getattr(conn, "backend", "sqlite") != "sqlite":
        conn.copy_rows(table, columns, rows)
    else:
        conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(len(columns))})", rows)


# ---------------------------------------------------------------------- the file's transaction
def savepoint(conn: sqlite3.Connection, name: str) -> None:
    conn.execute(f"SAVEPOINT {name}")


def roll_back_to(conn: sqlite3.Connection, name: str) -> None:
    conn.execute(f"ROLLBACK TO {name}")


def release(conn: sqlite3.Connection, name: str) -> None:
    conn.execute(f"RELEASE {name}")


def plan_each_statement(conn: sqlite3.Connection) -> None:
    """PostgreSQL: every statement of the caller's transaction planned for its own values
    (``SET LOCAL``, so it ends with the transaction). An import fills tables whose statistics
    still say they are empty; psycopg prepares a statement run five times, and the server's
    generic plan for the importers' ``IN (...)`` lookups scanned the whole growing orders table
    each time: 100k Amazon order rows took 83-123 s against 10.5 s with custom plans
    (tests/bench/bench_pg.py, 2026-12-03). SQLite: nothing to do."""
    if getattr(conn, "backend", "sqlite") != "sqlite":
        conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")


def gather_missing_statistics(conn: sqlite3.Connection, tables: Sequence[str]) -> None:
    """PostgreSQL: ANALYZE those of ``tables`` that have no statistics yet (a new database),
    counting the rows this transaction has written so far. Without statistics the server takes
    an ``IN (...)`` of 500 keys to match most of a table and scans the whole table for every
    batch of an import: 100k e-mails into a new database spent 12 s in the Message-ID lookups
    alone (42 ms each, the last ones reading 100k rows for 500), then 9 s reading the new
    tickets' messages for triage. Once is enough: the statistics say a key is unique in
    proportion to the table, whatever it grows to. Only tables this role may analyze (its
    own, PostgreSQL's rule): an agent's role leaves them to the server's autovacuum. SQLite:
    nothing (its planner takes the index for an IN list without statistics)."""
    if getattr(conn, "backend", "sqlite") == "sqlite":
        return
    marks = _marks(len(tables))
    missing = [row[0] for row in conn.execute(
        f"SELECT relname FROM pg_class c WHERE relname IN ({marks}) AND relkind = 'r' AND pg_table_is_visible(c.oid) "
        "AND pg_has_role(c.relowner, 'USAGE') "
        "AND NOT EXISTS (SELECT 1 FROM pg_stats s WHERE s.tablename = c.relname)", list(tables))]
    if missing:
        conn.execute(f"ANALYZE {', '.join(sorted(missing))}")


@contextlib.contextmanager
def page_cache_at_least(conn: sqlite3.Connection, kib: int) -> Iterator[None]:
    """A page cache of at least ``kib`` for the block; the connection's own setting comes back."""
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    if cache < 0 and -cache < kib:
        conn.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")


@contextlib.contextmanager
def checkpoint_once_after(conn: sqlite3.Connection) -> Iterator[None]:
    """No automatic WAL checkpoints inside the block (each commit would copy its pages into the
    database again); one passive checkpoint after it, when no transaction is open."""
    every = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(every)}")
    if not conn.in_transaction:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


# ---------------------------------------------------------------------- triage flags
def flag_for_triage(conn: sqlite3.Connection, ticket_ids: Sequence[int]) -> None:
    """``needs_triage = 1`` on these tickets (inside the caller's transaction)."""
    for part in _chunks(list(ticket_ids)):
        conn.execute(f"UPDATE tickets SET needs_triage = 1 WHERE needs_triage = 0 AND id IN ({_marks(len(part))})", part)


def flagged_for_triage(conn: sqlite3.Connection) -> list[int]:
    """Every ticket still flagged ``needs_triage``, by id."""
    if not conn.execute("SELECT 1 FROM tickets WHERE needs_triage = 1 LIMIT 1").fetchone():
        return []
    return [row[0] for row in conn.execute("SELECT id FROM tickets WHERE needs_triage = 1 ORDER BY id")]


# ---------------------------------------------------------------------- introspection and ids
def columns_of(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def has_index_on(conn: sqlite3.Connection, table: str, column: str) -> bool:
    """Whether an index of ``table`` starts with ``column`` (so a lookup by it is cheap)."""
    for index in conn.execute(f"PRAGMA index_list({table})").fetchall():
        first = conn.execute(f"PRAGMA index_info({index[1]!r})").fetchone()
        if first is not None and first[2] == column:
            return True
    return False


def max_id(conn: sqlite3.Connection, table: str) -> int:
    """The highest id in ``table`` (0 when empty): new ids are handed out above it, which is safe
    inside the import's write transaction."""
    return conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]


def ticket_channels(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT DISTINCT channel FROM tickets")}


def update_by_id(conn: sqlite3.Connection, table: str, row_id: int, change: dict) -> None:
    """``UPDATE table SET column = value, ... WHERE id = row_id`` for the columns in ``change``
    (names come from the importers, never from a file)."""
    if change:
        conn.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in change)} WHERE id = ?", [*change.values(), row_id])


# ---------------------------------------------------------------------- shared lookups
def customers_by_key(conn: sqlite3.Connection, channel: str, keys: Iterable[str], columns: str = "id, external_id, name, email") -> list:
    return rows_in(conn, f"SELECT {columns} FROM customers WHERE channel = ? AND external_id IN ({{marks}})", [channel], keys)


def customer_by_key(conn: sqlite3.Connection, channel: str, key: str) -> sqlite3.Row | None:
    return conn.execute("SELECT id, external_id, name, email FROM customers WHERE channel = ? AND external_id = ?", (channel, key)).fetchone()


def orders_by_number(conn: sqlite3.Connection, channel: str, numbers: Iterable[str],
                     columns: str = "id, order_number, customer_id, claim_status") -> list:
    return rows_in(conn, f"SELECT {columns} FROM orders WHERE channel = ? AND order_number IN ({{marks}})", [channel], numbers)
