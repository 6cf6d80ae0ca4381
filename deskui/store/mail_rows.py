"""The reads and writes of an e-mail import batch (``deskui.ingest.mail.writer``): what the
database holds for the keys a batch names, then one statement per kind of new row.

New rows come with their ids (handed out by the importer inside its write transaction), so each
kind is one statement (``executemany`` or sqlite-utils on SQLite, a COPY on PostgreSQL)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

import sqlite_utils

from deskui.store.imports import insert_rows, rows_in

TICKET_STATE = "id, channel, external_id, status, customer_id, order_number, created_at, paused_at, solved_at, marketplace"
# The stored message's values in the order the importer compares them, then its id.
MESSAGE_VALUES = "m.direction, m.author, m.body, m.sent_at, m.auto_ack, m.raw, m.id"
# Pairs per statement for the (ticket, Message-ID) probe: two bound parameters each.
PAIRS_CHUNK = 400

CUSTOMER_COLUMNS = ("id", "channel", "external_id", "name", "email", "created_at")
TICKET_COLUMNS = ("id", "channel", "marketplace", "external_id", "customer_id", "order_number", "subject", "created_at", "updated_at")
MESSAGE_COLUMNS = ("ticket_id", "direction", "author", "body", "sent_at", "auto_ack", "raw", "external_id")


def tickets_by_external_id(conn: sqlite3.Connection, channels: Sequence[str], keys: Iterable[str]) -> list[sqlite3.Row]:
    if not channels:
        return []
    return rows_in(conn, f"SELECT {TICKET_STATE} FROM tickets WHERE channel IN ({','.join('?' * len(channels))}) "
                         "AND external_id IN ({marks})", list(channels), keys)


def tickets_by_id(conn: sqlite3.Connection, ids: Iterable[int]) -> list[sqlite3.Row]:
    return rows_in(conn, f"SELECT {TICKET_STATE} FROM tickets WHERE id IN ({{marks}})", [], ids)


def tickets_holding(conn: sqlite3.Connection, message_ids: Iterable[str]) -> dict[str, int]:
    """Message-ID -> the (first) ticket that already holds a message with it."""
    rows = rows_in(conn, "SELECT external_id, min(ticket_id) FROM messages WHERE external_id IN ({marks}) GROUP BY external_id", [],
                   message_ids)
    return {external_id: ticket_id for external_id, ticket_id in rows}


def stored_messages(conn: sqlite3.Connection, pairs: Sequence[tuple[int, str]]) -> dict[tuple[int, str], tuple]:
    """(ticket id, Message-ID) -> (direction, author, body, sent_at, auto_ack, raw, id) of the
    stored message, for the pairs that have one: one index probe per pair."""
    held: dict[tuple[int, str], tuple] = {}
    pairs = list(dict.fromkeys(pairs))
    for start in range(0, len(pairs), PAIRS_CHUNK):
        part = pairs[start: start + PAIRS_CHUNK]
        for row in conn.execute(
            f"WITH pairs (ticket_id, external_id) AS (VALUES {','.join(['(?, ?)'] * len(part))}) "
            f"SELECT m.ticket_id, m.external_id, {MESSAGE_VALUES} "
            "FROM pairs JOIN messages m ON m.ticket_id = pairs.ticket_id AND m.external_id = pairs.external_id",
            [value for pair in part for value in pair],
        ):
            held[(row[0], row[1])] = tuple(row[2:])
    return held


def _insert_all(conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """sqlite-utils' multi-row INSERTs (list mode: the column names, then the rows). Inside the
    caller's transaction it works in savepoints; recursive triggers stay as the connection has
    them (sqlite-utils would turn them on)."""
    if not rows:
        return
    if getattr(conn, "backend", "sqlite") != "sqlite":
        # sqlite-utils reads sqlite_master to find the table, which PostgreSQL has not got: a COPY there.
        insert_rows(conn, table, columns, rows)
    else:
        database = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
        database.table(table).insert_all([list(columns), *rows], batch_size=len(rows))


def insert_customers(conn: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    """Rows in ``CUSTOMER_COLUMNS`` order. Hand-written: sqlite-utils' ``insert_all`` measured
    slower here (tests/bench/bench_import_writes.py, batches of 500: 0.196 s against 0.116 s for
    executemany at 20k rows, medians of 3; 0.947 s against 0.866 s at 100k rows, one run)."""
    insert_rows(conn, "customers", CUSTOMER_COLUMNS, rows)


def insert_tickets(conn: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    """Rows in ``TICKET_COLUMNS`` order. sqlite-utils is not slower (bench_import_writes.py:
    0.45 s against 1.37 s for executemany at 20k rows, medians of 3; 3.32 s against 3.26 s at
    100k rows, one run: the same within noise)."""
    _insert_all(conn, "tickets", TICKET_COLUMNS, rows)


def insert_messages(conn: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    """Rows in ``MESSAGE_COLUMNS`` order. sqlite-utils: 0.49 s against 0.66 s for executemany
    at 20k rows (bench_import_writes.py, medians of 3); 2.64 s against 3.10 s at 100k, one run."""
    _insert_all(conn, "messages", MESSAGE_COLUMNS, rows)


def update_messages(conn: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    """Rows of (direction, author, body, sent_at, auto_ack, raw, id)."""
    if rows:
        conn.executemany("UPDATE messages SET direction = ?, author = ?, body = ?, sent_at = ?, auto_ack = ?, raw = ? WHERE id = ?", rows)
