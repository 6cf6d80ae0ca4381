"""The outbox's rows: replies waiting for a connector, the buyer's thread to answer in, and the
connector's result recorded on the ticket (``deskui.outbox`` shapes them for connectors)."""

from __future__ import annotations

import sqlite3

from deskui.clock import Clock
from deskui.store.db import write
from deskui.store.tickets import record_event
from deskui.timeutil import to_db


def outbox_rows(conn: sqlite3.Connection, status: str | None, limit: int | None) -> list[tuple]:
    """(id, ticket id, message id, channel, marketplace, order number, to address (the
    customer's e-mail when the row has none), subject, body, status, reason, created_at) of the
    outbox rows with ``status`` (every row with None), oldest first."""
    clauses, params = [], []
    if status:
        clauses.append("o.status = ?")
        params.append(status)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return conn.execute(
        f"""SELECT o.id, o.ticket_id, o.message_id, o.channel, t.marketplace, t.order_number,
                   coalesce(o.to_address, c.email), o.subject, o.body, o.status, o.reason, o.created_at
            FROM outbox o JOIN tickets t ON t.id = o.ticket_id LEFT JOIN customers c ON c.id = t.customer_id
            {where} ORDER BY o.id {f'LIMIT {int(limit)}' if limit else ''}""",
        params,
    ).fetchall()


def thread_ids(conn: sqlite3.Connection, ticket_id: int) -> list[str]:
    """Message-IDs of the buyer's messages on the ticket, oldest first (a reply's References)."""
    return [row[0] for row in conn.execute(
        "SELECT external_id FROM messages WHERE ticket_id = ? AND direction = 'in' AND external_id IS NOT NULL ORDER BY sent_at, id",
        (ticket_id,))]


def busy_timeout(conn: sqlite3.Connection, milliseconds: int | None = None) -> int:
    """The connection's busy timeout, after setting it to ``milliseconds`` when given."""
    if milliseconds is not None:
        conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    return conn.execute("PRAGMA busy_timeout").fetchone()[0]


def record_result(conn: sqlite3.Connection, clock: Clock, outbox_id: int, status: str, reason: str | None) -> bool:
    """Mark one row ``sent`` or ``failed`` and log it on its ticket, in one write transaction.
    False when the row already has that status (and reason): nothing changes."""
    with write(conn):
        now = clock.now()  # read under the lock: after a long wait, the time it was recorded
        row = conn.execute("SELECT ticket_id, status, reason FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
        if row is None:
            raise LookupError(f"no outbox entry {outbox_id}")
        if row[1] == status and (status == "sent" or row[2] == reason):
            return False
        if row[1] == "sent":
            raise ValueError("already marked sent; a delivered reply cannot fail afterwards (queue a new reply instead)")
        conn.execute("UPDATE outbox SET status = ?, reason = ?, updated_at = ? WHERE id = ?",
                     (status, reason if status == "failed" else None, to_db(now), outbox_id))
        record_event(conn, row[0], "send_failed" if status == "failed" else "sent", "connector", now, outbox_id=outbox_id, reason=reason)
    return True
