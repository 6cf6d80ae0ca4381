"""Bulk rows from a generator that holds them in memory: the SQL of ``deskui demo``.

The demo builds a new file that only its own connection knows, so it writes the way no shared
file may be written: no journal, no fsync, the change feed's triggers and the secondary indexes
dropped while the rows go in and put back, exactly as the schema made them, at the end. Each
ticket is written once, already triaged: ``triage`` derives in memory what ``refresh_tickets``
would derive from the written rows. The live feed's few writes (a buyer message every few
seconds) are ordinary ones.
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from deskui.policy.model import Policy
from deskui.store import search
from deskui.store.db import update_statistics, write
# The demo derives its tickets in memory, with refresh's own pure step and inputs read the way
# refresh reads them (tests/test_demo_rows.py holds the two to the same rows).
from deskui.store.scrub import _CLASS, _clean
from deskui.derive import PAUSE_END, PAUSE_START, Message, derive
from deskui.store.tickets import TRIAGE_BODY_CHARS
from deskui.timeutil import from_db, to_db

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
# What triage derives (``deskui.derive.derive``), written with the ticket instead of after it.
DERIVED_COLUMNS = (
    "tier", "tier_rank", "category", "evidence", "awaiting_reply_since", "marketplace_waiting_since",
    "first_response_at", "due_kind", "target_minutes",
    "due_at", "at_risk_at", "imminent_at", "sla_due_at", "sla_at_risk_at", "sla_imminent_at",
    "marketplace_due_at", "marketplace_at_risk_at", "marketplace_imminent_at",
    "resolution_due_at", "resolution_at_risk_at", "resolution_imminent_at",
)
# A triaged ticket: the generator's columns (channel, created_at and updated_at as triage rewrites
# them), the derived ones, and the outcome of its last stopped response clock.
TRIAGED_COLUMNS = COLUMNS["tickets"] + DERIVED_COLUMNS + ("needs_triage", "response_outcome")
BULK_CACHE_KIB = 256 * 1024
CLOCK_COLUMNS = ("ticket_id", "kind", "tier", "started_at", "due_at", "stopped_at", "outcome", "margin_minutes", "agent")


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


INSERTS = {table: _insert_sql(table, columns) for table, columns in COLUMNS.items()}
INSERTS["tickets"] = _insert_sql("tickets", TRIAGED_COLUMNS)
_CLOCK_INSERT = _insert_sql("sla_clocks", CLOCK_COLUMNS)


def begin_bulk(conn: sqlite3.Connection, agents: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Make a new, private file ready for bulk rows and write the agents. Returns the dropped
    triggers and indexes as (type, name, sql), for ``restore``.

    Nobody else has the file open: no journal and no fsync; no change feed (nobody is watching,
    and two million feed rows would double the writes); the secondary indexes are built once at
    the end instead of row by row."""
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    # The references hold by construction (ids are assigned before the rows are written, and
    # tests/test_demo.py checks foreign_key_check on the result): no lookup per row. A page cache
    # that holds the UNIQUE indexes being filled, and the sorts of the indexes built at the end.
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    deferred = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') AND sql IS NOT NULL ORDER BY type, name"
    ).fetchall()
    with write(conn):
        for kind, name, _ in deferred:
            conn.execute(f'DROP {kind.upper()} "{name}"')
        conn.executemany("INSERT INTO agents (name, display_name, active) VALUES (?, ?, 1)", list(agents))
    return deferred


def insert_rows(conn: sqlite3.Connection, rows: dict[str, list[tuple]], clocks: list[tuple]) -> None:
    """One transaction for a chunk of every table's rows (tuples in ``COLUMNS`` order, the
    tickets in ``TRIAGED_COLUMNS`` order) and their stopped clocks (``CLOCK_COLUMNS``).

    Hand-written ``executemany``, not sqlite-utils' ``insert_all``: in the same run
    (tests/bench/bench_demo_rows.py, 20k tickets, 366k rows, medians of 3, 2026-12-02) insert_all
    in its fastest form (list mode, the largest batch) took 9.80 s against 4.66 s, 2.1x slower,
    1.5x-2.7x on every table: it rebuilds a multi-row INSERT and flattens its values per batch."""
    with write(conn):
        if getattr(conn, "backend", "sqlite") != "sqlite":
            # begin_bulk's sqlite_master read finds nothing to drop on PostgreSQL, so the triggers
            # stay: quieted for this transaction instead (the demo writes only into a database
            # with no tickets), else messages_inbound flags every triaged ticket for triage again
            # and the change feed gets a row per row written.
            from deskui.store.postgres.schema import BULK_COPY_SETTING

            conn.execute(f"SET LOCAL {BULK_COPY_SETTING} = 'on'")
        for table, statement in INSERTS.items():
            if rows[table]:
                conn.executemany(statement, rows[table])
        conn.executemany(_CLOCK_INSERT, clocks)


def restore(conn: sqlite3.Connection, deferred: list[tuple[str, str, str]], kind: str) -> None:
    """Put back the dropped objects of one kind ('index' or 'trigger'), as the schema wrote them."""
    with write(conn):
        for each_kind, _, sql in deferred:
            if each_kind == kind:
                conn.execute(sql)



def write_meta(conn: sqlite3.Connection, items: dict[str, str]) -> None:
    with write(conn):
        conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", list(items.items()))


def finish_bulk(conn: sqlite3.Connection, deferred: list[tuple[str, str, str]]) -> None:
    """Indexes back, then statistics of the finished rows (one full ANALYZE: sampled ones mislead
    the planner, see ``update_statistics``), then the change feed's triggers: the file becomes
    an ordinary deskui file."""
    restore(conn, deferred, "index")
    update_statistics(conn)
    restore(conn, deferred, "trigger")
    with write(conn):
        # The search's triggers were dropped too: every row is noted for the index, which the
        # inbox builds once it is open (store/search.py; 0.3 s here at 100k, the build ~20 s there).
        search.reindex_all(conn)
    conn.execute("PRAGMA foreign_keys = ON")


def use_wal(conn: sqlite3.Connection) -> None:
    """WAL, like every file ``connect`` makes (the last step: the file is complete). sqlite-utils
    refuses inside an open transaction, where SQLite would silently keep the old mode."""
    import sqlite_utils  # 0.1 s to import: only for the demo's last step

    sqlite_utils.Database(conn).enable_wal()


# -- triage in memory ---------------------------------------------------------------------------

_DIRTY = re.compile("\x00|" + _CLASS)  # what scrub_rows finds with instr() and GLOB, as a regex
_PAUSE_KINDS = frozenset(PAUSE_START + PAUSE_END)


def scrub(rows: dict[str, list[tuple]]) -> None:
    """Clean, in place, the subjects and bodies ``scrub_rows`` would rewrite once written: the
    rows then go in as deskui keeps them."""
    for table, column in (("messages", COLUMNS["messages"].index("body")), ("tickets", COLUMNS["tickets"].index("subject"))):
        found = rows[table]
        for index, row in enumerate(found):
            if _DIRTY.search(row[column]):
                found[index] = row[:column] + (_clean(row[column].encode("utf-8", "surrogatepass")),) + row[column + 1:]


def triage(policy: Policy, now: datetime, rows: dict[str, list[tuple]]) -> dict[int, dict]:
    """Ticket id -> what ``refresh_tickets`` would derive for each ticket in ``rows`` (a chunk of
    the generator's rows, already scrubbed: every row of its tickets): the same inputs, read
    from the rows as refresh reads them from the file -- messages by (sent_at, id), bodies cut
    at ``TRIAGE_BODY_CHARS``, the pause events by (at, id)."""
    messages: dict[int, list[tuple]] = defaultdict(list)
    tags: dict[int, list[str]] = defaultdict(list)
    events: dict[int, list[tuple]] = defaultdict(list)
    for message_id, ticket_id, direction, _, body, sent_at, auto_ack in rows["messages"]:
        messages[ticket_id].append((sent_at, message_id, direction, auto_ack, body))
    for ticket_id, tag in rows["tags"]:
        tags[ticket_id].append(tag)
    for order, (ticket_id, kind, _, at, _) in enumerate(rows["events"]):
        if kind in _PAUSE_KINDS:
            events[ticket_id].append((at, order, kind))
    derived = {}
    for row in rows["tickets"]:
        ticket = dict(zip(COLUMNS["tickets"], row), first_response_at=None)
        ticket_id = ticket["id"]
        thread = [Message(direction, from_db(sent_at), bool(auto_ack), body[:TRIAGE_BODY_CHARS])
                  for sent_at, _, direction, auto_ack, body in sorted(messages[ticket_id])]
        pauses = [(kind, from_db(at)) for at, _, kind in sorted(events[ticket_id])]
        derived[ticket_id] = derive(policy, now, ticket, thread, tags[ticket_id], pauses)
    return derived


def triaged_tickets(rows: list[tuple], derived: dict[int, dict], outcomes: dict[int, str]) -> list[tuple]:
    """The generator's ticket rows with their derived columns, in ``TRIAGED_COLUMNS`` order."""
    channel, created, updated = (COLUMNS["tickets"].index(name) for name in ("channel", "created_at", "updated_at"))
    out = []
    for row in rows:
        values = derived[row[0]]
        row = list(row)
        row[channel], row[created], row[updated] = values["channel"], values["created_at"], values["updated_at"]
        out.append((*row, *(values[name] for name in DERIVED_COLUMNS), 0, outcomes.get(row[0])))
    return out


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
    order picked at random, or None in an empty file. The id is drawn here, not by SQL's random():
    SQLite's is a 64-bit integer, PostgreSQL's a float in [0, 1), which ``%`` refuses."""
    top = conn.execute("SELECT max(id) FROM orders").fetchone()[0]
    if top is None:
        return None
    return conn.execute(
        "SELECT o.channel, o.order_number, o.marketplace, c.id, c.name, c.country, i.title FROM orders o "
        "JOIN customers c ON c.id = o.customer_id LEFT JOIN order_items i ON i.order_id = o.id "
        "WHERE o.id >= ? LIMIT 1", (random.randrange(top),)
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
