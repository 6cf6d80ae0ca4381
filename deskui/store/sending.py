"""The SMTP delivery state of outbox rows (docs/mail.md, "Sending, exactly once"; the columns are in
docs/schema.md): which rows are due, claiming one (``sending`` and its Message-ID, committed
before the first byte goes out), and the outcomes (sent, retry, failed). The connector
(``deskui.connect.smtp``) talks to the servers; every read and write of the rows is here."""

from __future__ import annotations

import fcntl
import sqlite3
from datetime import datetime
from pathlib import Path

from deskui.store.db import is_url, write
from deskui.store.tickets import record_event, refresh_tickets, set_status
from deskui.timeutil import to_db

AGENT = "deskui-sync"
NOT_DELIVERED_TAG = "not-delivered"
UNCONFIRMED_TAG = "delivery-unconfirmed"
SEND_LOCK = 0x64657373  # "dess": PostgreSQL's advisory lock of the one sending process


class SendLock:
    """Only one process sends from a database at a time, and the lock goes when its holder dies
    (SIGKILL included). So a row found ``sending`` by the holder was left by a process that is
    gone, never one that is still talking to the server.

    SQLite: a lock file beside the database, which the kernel drops with the process.
    PostgreSQL: a session advisory lock (advisory locks are per database) on a connection of its
    own, which the server drops with the session; a lock file beside a URL could not be made,
    and would not have stopped a second `deskui sync` on another machine anyway."""

    def __init__(self, target: str | Path):
        self.target = target
        self.handle = None

    def acquire(self) -> bool:
        if self.handle is not None:
            return True
        if is_url(self.target):
            from deskui.store.postgres.db import connect

            raw = connect(str(self.target))
            try:
                held = raw.execute("SELECT pg_try_advisory_lock(%s)", (SEND_LOCK,)).fetchone()[0]
            except BaseException:
                raw.close()
                raise
            if not held:
                raw.close()
                return False
            self.handle = raw
            return True
        handle = open(f"{self.target}.sync-send.lock", "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self.handle = handle
        return True

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()  # the file's flock, or the session and its advisory lock
            self.handle = None


def due_ids(conn: sqlite3.Connection, now: datetime) -> set[int]:
    """Queued rows to try now: never tried, left ``sending`` by a process that died, or a retry whose time came."""
    return {row[0] for row in conn.execute(
        """SELECT id FROM outbox WHERE status = 'queued'
           AND (smtp_state IS NULL OR smtp_state = 'sending' OR (smtp_state = 'retry' AND next_attempt_at <= ?))""",
        (to_db(now),))}


def claim_state(conn: sqlite3.Connection, outbox_id: int) -> tuple[bool, str | None] | None:
    """(left ``sending`` by a dead process, its Message-ID) of a row still queued, else None."""
    with write(conn):
        row = conn.execute("SELECT status, smtp_state, message_id_header FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
    if row is None or row[0] != "queued":
        return None
    return row[1] == "sending", row[2]


def start_sending(conn: sqlite3.Connection, outbox_id: int, message_id: str, reply_row: int | None) -> None:
    """Commit ``sending``, the Message-ID and one more attempt before anything reaches the server."""
    with write(conn):
        conn.execute("UPDATE outbox SET smtp_state = 'sending', message_id_header = ?, attempts = attempts + 1 WHERE id = ?",
                     (message_id, outbox_id))
        if reply_row is not None:  # the buyer's answer threads onto this reply
            conn.execute("UPDATE messages SET external_id = ? WHERE id = ? AND external_id IS NULL", (message_id, reply_row))


def message_id_header(conn: sqlite3.Connection, outbox_id: int) -> str | None:
    row = conn.execute("SELECT message_id_header FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
    return row[0] if row else None


def attempts(conn: sqlite3.Connection, outbox_id: int) -> int:
    return conn.execute("SELECT attempts FROM outbox WHERE id = ?", (outbox_id,)).fetchone()[0]


def mark_sent(conn: sqlite3.Connection, outbox_id: int, ticket_id: int, now: datetime, *, message_id: str, reply: str,
              unconfirmed: bool = False) -> None:
    with write(conn):
        conn.execute("UPDATE outbox SET status = 'sent', smtp_state = 'sent', reason = NULL, updated_at = ? "
                     "WHERE id = ? AND status = 'queued'", (to_db(now), outbox_id))
        detail = {"unconfirmed": True} if unconfirmed else {}
        record_event(conn, ticket_id, "sent", AGENT, now, outbox_id=outbox_id, message_id=message_id, server=reply, **detail)
        if unconfirmed:
            conn.execute("INSERT OR IGNORE INTO tags (ticket_id, tag) VALUES (?, ?)", (ticket_id, UNCONFIRMED_TAG))


def schedule_retry(conn: sqlite3.Connection, outbox_id: int, now: datetime, next_attempt_at: datetime, reason: str) -> None:
    with write(conn):
        conn.execute("UPDATE outbox SET smtp_state = 'retry', next_attempt_at = ?, reason = ?, updated_at = ? "
                     "WHERE id = ? AND status = 'queued'", (to_db(next_attempt_at), reason, to_db(now), outbox_id))


def mark_failed(conn: sqlite3.Connection, policy, clock, outbox_id: int, reason: str) -> None:
    """NOT DELIVERED: the row fails with its reason (the ticket's thread shows it), and the ticket
    comes back to the agents: reopened if it was solved or waiting, tagged ``not-delivered``."""
    now = clock.now()
    with write(conn):
        row = conn.execute("SELECT ticket_id FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
        if row is None:
            return
        ticket_id = row[0]
        conn.execute("UPDATE outbox SET status = 'failed', smtp_state = 'failed', reason = ?, updated_at = ? WHERE id = ?",
                     (reason, to_db(now), outbox_id))
        record_event(conn, ticket_id, "send_failed", AGENT, now, outbox_id=outbox_id, reason=reason)
        status = conn.execute("SELECT status FROM tickets WHERE id = ?", (ticket_id,)).fetchone()[0]
        if status != "open":
            set_status(conn, policy, clock, ticket_id, "open", AGENT)
        conn.execute("INSERT OR IGNORE INTO tags (ticket_id, tag) VALUES (?, ?)", (ticket_id, NOT_DELIVERED_TAG))
        refresh_tickets(conn, policy, now, [ticket_id])  # the buyer is waiting again: the clocks say so


# ------------------------------------------------------------------ bounces matched back
def is_our_message_id(conn: sqlite3.Connection, message_id: str) -> bool:
    """A Message-ID deskui gave one of its replies (a copy of it in a fetched Sent folder)."""
    return conn.execute("SELECT 1 FROM outbox WHERE message_id_header = ?", (message_id,)).fetchone() is not None


def outbox_for_message_id(conn: sqlite3.Connection, message_id: str) -> int | None:
    row = conn.execute("SELECT id FROM outbox WHERE message_id_header = ?", (message_id,)).fetchone()
    return row[0] if row else None


def outbox_if_attempted(conn: sqlite3.Connection, outbox_id: int) -> int | None:
    """The row, when deskui has tried to send it (a notice cannot be about a reply never sent)."""
    row = conn.execute("SELECT id FROM outbox WHERE id = ? AND message_id_header IS NOT NULL", (outbox_id,)).fetchone()
    return row[0] if row else None
