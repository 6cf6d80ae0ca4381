"""What `deskui sync` keeps per mailbox (docs/mail.md): each folder's UIDVALIDITY and last committed
UID, and each mailbox's state for people (connected, last sync, error), so a screen of another
process can show it. The tables are ``mailbox_folders`` and ``mailboxes`` (docs/schema.md)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from deskui.store.db import write
from deskui.text import one_line
from deskui.timeutil import to_db


@dataclass
class MailboxStatus:
    name: str
    connected: bool
    idle: bool
    last_sync_at: str | None
    error: str | None
    error_at: str | None


def folder_state(conn: sqlite3.Connection, mailbox: str, folder: str) -> tuple[int | None, int]:
    """(UIDVALIDITY, last committed UID) of a folder; (None, 0) before its first sync."""
    row = conn.execute("SELECT uidvalidity, last_uid FROM mailbox_folders WHERE mailbox = ? AND folder = ?",
                       (mailbox, folder)).fetchone()
    return (row[0], row[1]) if row else (None, 0)


def commit_folder(conn: sqlite3.Connection, mailbox: str, folder: str, uidvalidity: int, last_uid: int, now: datetime,
                  *, fetched: int = 0, rejected: int = 0, rejection: str | None = None) -> None:
    """Record how far a folder was read. Call inside the transaction that stored the messages."""
    # The row's own columns named with their table: PostgreSQL takes a bare `fetched` in an upsert's
    # SET for ambiguous (the row's or excluded's); SQLite reads either form.
    conn.execute(
        """INSERT INTO mailbox_folders (mailbox, folder, uidvalidity, last_uid, fetched, rejected, last_rejection, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (mailbox, folder) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,
               fetched = mailbox_folders.fetched + excluded.fetched,
               rejected = mailbox_folders.rejected + excluded.rejected,
               last_rejection = coalesce(excluded.last_rejection, mailbox_folders.last_rejection),
               updated_at = excluded.updated_at""",
        (mailbox, folder, uidvalidity, last_uid, fetched, rejected, rejection, to_db(now)),
    )


def set_status(conn: sqlite3.Connection, mailbox: str, now: datetime, *, connected: bool, idle: bool | None = None,
               synced: bool = False, error: str | None = None) -> None:
    """A mailbox's state for people; an error is kept until a sync succeeds again."""
    stamp = to_db(now)
    with write(conn):
        conn.execute("INSERT OR IGNORE INTO mailboxes (name, updated_at) VALUES (?, ?)", (mailbox, stamp))
        # The flags go in as 0/1 compared with 1: PostgreSQL cannot type a bare `? IS NOT NULL`
        # whose value is NULL ("could not determine data type of parameter"), which failed every
        # `deskui sync --db postgresql://…` at its first mailbox.
        failed, synced_flag = int(error is not None), int(synced)
        conn.execute(
            """UPDATE mailboxes SET connected = ?, idle = coalesce(?, idle), updated_at = ?,
                   last_sync_at = CASE WHEN ? = 1 THEN ? ELSE last_sync_at END,
                   error = CASE WHEN ? = 1 THEN ? WHEN ? = 1 THEN NULL ELSE error END,
                   error_at = CASE WHEN ? = 1 THEN ? WHEN ? = 1 THEN NULL ELSE error_at END
               WHERE name = ?""",
            (int(connected), None if idle is None else int(idle), stamp, synced_flag, stamp,
             failed, one_line(error, limit=300) if error else None, synced_flag, failed, stamp, synced_flag, mailbox),
        )


def mailbox_statuses(conn: sqlite3.Connection) -> list[MailboxStatus]:
    """Every mailbox `deskui sync` has seen, by name: for a status bar."""
    return [MailboxStatus(row[0], bool(row[1]), bool(row[2]), row[3], row[4], row[5]) for row in conn.execute(
        "SELECT name, connected, idle, last_sync_at, error, error_at FROM mailboxes ORDER BY name")]
