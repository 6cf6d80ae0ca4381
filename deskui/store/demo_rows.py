"""Bulk rows from a generator that holds them in memory: the SQL of ``deskui demo``.

The demo builds a new file that only its own connection knows, so it writes the way no shared
file may be written: no journal, no fsync, the change feed's triggers and the secondary indexes
dropped while the rows go in and put back, exactly as the schema made them, at the end. The live
feed's few writes (a buyer message every few seconds) are ordinary ones.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime

from deskui.store.db import write
from deskui.timeutil import to_db

# The columns the generator fills, per table, in the order its row tuples hold them; the tables
# in the order they are written (parents before the rows that point at them).
COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("id", "channel", "external_id", "name", "email", "country", "created_at"),
    "orders": (
        "id", "channel", "order_number", "marketplace", "customer_id", "purchased_at", "status", "fulfillment",
        "ship_by", "deliver_by", "shipped_at", "delivered_at", "carrier", "tracking_number", "currency", "total",
        "refunded_amount", "return_status", "feedback_rating", "feedback_text", "claim_status", "chargeback", "updated_at",
    ),
    "order_items": ("order_id", "sku", "asin", "title", "quantity", "price"),
    "tracking_events": ("order_id", "at", "status", "location", "description"),
    "tickets": (
        "id", "channel", "marketplace", "external_id", "customer_id", "order_number", "subject", "status",
        "assignee", "created_at", "paused_at", "snoozed_until", "solved_at", "updated_at",
    ),
    "messages": ("id", "ticket_id", "direction", "author", "body", "sent_at", "auto_ack"),
    "events": ("ticket_id", "kind", "agent", "at", "detail"),
    "tags": ("ticket_id", "tag"),
}
CLOCK_COLUMNS = ("ticket_id", "kind", "tier", "started_at", "due_at", "stopped_at", "outcome", "margin_minutes", "agent")


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


INSERTS = {table: _insert_sql(table, columns) for table, columns in COLUMNS.items()}


def begin_bulk(conn: sqlite3.Connection, agents: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Make a new, private file ready for bulk rows and write the agents. Returns the dropped
    triggers and indexes as (type, name, sql), for ``restore``.

    Nobody else has the file open: no journal and no fsync; no change feed (nobody is watching,
    and two million feed rows would double the writes); the secondary indexes are built once at
    the end instead of row by row."""
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    deferred = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') AND sql IS NOT NULL ORDER BY type, name"
    ).fetchall()
    with write(conn):
        for kind, name, _ in deferred:
            conn.execute(f'DROP {kind.upper()} "{name}"')
        conn.executemany("INSERT INTO agents (name, display_name, active) VALUES (?, ?, 1)", list(agents))
    return deferred


def insert_rows(conn: sqlite3.Connection, rows: dict[str, list[tuple]]) -> None:
    """One transaction for a batch of every table's rows (tuples in ``COLUMNS`` order)."""
    with write(conn):
        for table, statement in INSERTS.items():
            if rows[table]:
                conn.executemany(statement, rows[table])


def restore(conn: sqlite3.Connection, deferred: list[tuple[str, str, str]], kind: str) -> None:
    """Put back the dropped objects of one kind ('index' or 'trigger'), as the schema wrote them."""
    with write(conn):
        for each_kind, _, sql in deferred:
            if each_kind == kind:
                conn.execute(sql)


def sample_statistics(conn: sqlite3.Connection) -> None:
    """Sampled statistics, before the triage reads the rows back: without them SQLite reads the
    pause events of a batch of tickets through the (kind, at) index -- every such event in the
    file, per batch -- and triage goes quadratic (29 s instead of ~8 s at 100k tickets)."""
    conn.execute("PRAGMA analysis_limit = 1000")
    conn.execute("ANALYZE")


def ticket_tiers(conn: sqlite3.Connection) -> dict[int, str]:
    return dict(conn.execute("SELECT id, tier FROM tickets"))


def insert_clocks(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """Stopped clocks' outcomes (tuples in ``CLOCK_COLUMNS`` order), in one transaction."""
    with write(conn):
        conn.executemany(_insert_sql("sla_clocks", CLOCK_COLUMNS), rows)


def write_meta(conn: sqlite3.Connection, items: dict[str, str]) -> None:
    with write(conn):
        conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(items.items()))


def finish_bulk(conn: sqlite3.Connection) -> None:
    """The file becomes an ordinary deskui file: WAL, like every file ``connect`` makes."""
    conn.execute("PRAGMA journal_mode = WAL")


def summary_counts(conn: sqlite3.Connection) -> dict:
    """What ``deskui demo`` prints about the file it built."""
    def count(sql: str) -> int:
        return conn.execute(sql).fetchone()[0]

    return {
        "tickets": count("SELECT count(*) FROM tickets"),
        "open_tickets": count("SELECT count(*) FROM tickets WHERE status != 'solved'"),
        "messages": count("SELECT count(*) FROM messages"),
        "orders": count("SELECT count(*) FROM orders"),
        "customers": count("SELECT count(*) FROM customers"),
        "by_tier": dict(conn.execute(
            "SELECT tier, count(*) FROM tickets WHERE status != 'solved' GROUP BY tier ORDER BY min(tier_rank)"
        ).fetchall()),
        "by_channel": dict(conn.execute("SELECT channel, count(*) FROM tickets GROUP BY channel ORDER BY count(*) DESC").fetchall()),
    }


# -- the live feed: rows as an ingest script writes them (no tier; deskui triages them) --------

def random_order(conn: sqlite3.Connection) -> tuple | None:
    """(channel, order number, marketplace, customer id, name, country, an item's title) of an
    order picked by SQLite's random(), or None in an empty file."""
    return conn.execute(
        "SELECT o.channel, o.order_number, o.marketplace, c.id, c.name, c.country, i.title FROM orders o "
        "JOIN customers c ON c.id = o.customer_id LEFT JOIN order_items i ON i.order_id = o.id "
        "WHERE o.id >= abs(random() % (SELECT max(id) FROM orders)) LIMIT 1"
    ).fetchone()


def random_answered_ticket(conn: sqlite3.Connection) -> tuple | None:
    """(ticket id, buyer's name, country, order number) of an open ticket already answered."""
    return conn.execute(
        "SELECT t.id, c.name, c.country, t.order_number FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id "
        "WHERE t.status = 'open' AND t.first_response_at IS NOT NULL ORDER BY random() LIMIT 1"
    ).fetchone()


def add_buyer_ticket(conn: sqlite3.Connection, channel: str, marketplace: str | None, customer_id: int, order: str,
                     subject: str, author: str | None, body: str, now: datetime) -> None:
    with write(conn):
        ticket_id = conn.execute(
            "INSERT INTO tickets (channel, marketplace, customer_id, order_number, subject, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (channel, marketplace, customer_id, order, subject, to_db(now)),
        ).lastrowid
        _add_buyer_message(conn, ticket_id, author, body, now)


def add_buyer_message(conn: sqlite3.Connection, ticket_id: int, author: str | None, body: str, now: datetime) -> None:
    with write(conn):
        _add_buyer_message(conn, ticket_id, author, body, now)


def _add_buyer_message(conn: sqlite3.Connection, ticket_id: int, author: str | None, body: str, now: datetime) -> None:
    conn.execute("INSERT INTO messages (ticket_id, direction, author, body, sent_at) VALUES (?, 'in', ?, ?, ?)",
                 (ticket_id, author, body, to_db(now)))
