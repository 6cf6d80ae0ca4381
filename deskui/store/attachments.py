"""Files that came with mail, and files an agent attaches to a reply (docs/mail.md, "Attachments").

Both are kept in the database itself (a BLOB per file): one file holds everything and a backup of
it is complete. A fetched or sent message's files are ``attachments`` rows of that message; the
files of a reply still being written are ``draft_attachments`` rows of the (ticket, agent) draft,
moved onto the reply by a trigger in the transaction that sends it (docs/schema.md).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from deskui.store.db import write
from deskui.timeutil import to_db


@dataclass
class Attachment:
    id: int
    message_id: int
    name: str
    content_type: str
    size: int


# ------------------------------------------------------------------ files of stored messages
def has_attachments(conn: sqlite3.Connection, message_row: int) -> bool:
    return conn.execute("SELECT 1 FROM attachments WHERE message_id = ? LIMIT 1", (message_row,)).fetchone() is not None


def add_attachments(conn: sqlite3.Connection, message_row: int, files: list[tuple[str, str, bytes]]) -> None:
    """Store (name, type, content) files of a message. Call inside the transaction that stored it."""
    conn.executemany("INSERT INTO attachments (message_id, name, content_type, size, content) VALUES (?, ?, ?, ?, ?)",
                     [(message_row, name, kind, len(content), content) for name, kind, content in files])


def message_row_for(conn: sqlite3.Connection, external_id: str) -> int | None:
    """The newest message row stored with this Message-ID (the one an import just wrote)."""
    row = conn.execute("SELECT id FROM messages WHERE external_id = ? ORDER BY id DESC LIMIT 1", (external_id,)).fetchone()
    return row[0] if row else None


def for_ticket(conn: sqlite3.Connection, ticket_id: int) -> list[Attachment]:
    """A ticket's attachments, oldest message first: what the ticket screen lists."""
    return [Attachment(*row) for row in conn.execute(
        """SELECT a.id, a.message_id, a.name, a.content_type, a.size FROM attachments a
           JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = ? ORDER BY m.sent_at, m.id, a.id""", (ticket_id,))]


def content(conn: sqlite3.Connection, attachment_id: int) -> bytes:
    row = conn.execute("SELECT content FROM attachments WHERE id = ?", (attachment_id,)).fetchone()
    if row is None:
        raise LookupError(f"no attachment {attachment_id}")
    return row[0]


def files_of_message(conn: sqlite3.Connection, message_row: int) -> list[tuple[str, str, bytes]]:
    """(name, type, content) of a message's files in the order they were attached: a reply's MIME parts."""
    return [tuple(row) for row in conn.execute(
        "SELECT name, content_type, content FROM attachments WHERE message_id = ? ORDER BY id", (message_row,))]


def for_message(conn: sqlite3.Connection, message_row: int) -> list[Attachment]:
    """A message's files without their content (enough to check a reply against the limits)."""
    return [Attachment(*row) for row in conn.execute(
        "SELECT id, message_id, name, content_type, size FROM attachments WHERE message_id = ? ORDER BY id", (message_row,))]


# ------------------------------------------------------------------ files of a reply being written
@dataclass(frozen=True)
class DraftFile:
    id: int
    name: str
    content_type: str
    size: int


def draft_files(conn: sqlite3.Connection, ticket_id: int, agent: str) -> list[DraftFile]:
    """The files the agent attached to their reply on this ticket, in the order they were attached."""
    return [DraftFile(*row) for row in conn.execute(
        "SELECT id, name, content_type, size FROM draft_attachments WHERE ticket_id = ? AND agent = ? ORDER BY id",
        (ticket_id, agent))]


def add_draft_file(conn: sqlite3.Connection, now: datetime, ticket_id: int, agent: str, name: str, content_type: str,
                   data: bytes) -> DraftFile:
    with write(conn):
        row = conn.execute(
            "INSERT INTO draft_attachments (ticket_id, agent, name, content_type, size, content, added_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", (ticket_id, agent, name, content_type, len(data), data, to_db(now))).lastrowid
    return DraftFile(row, name, content_type, len(data))


def remove_draft_file(conn: sqlite3.Connection, ticket_id: int, agent: str, file_id: int) -> bool:
    """Take one file off the draft; False when it is not (or no longer) there."""
    with write(conn):
        return conn.execute("DELETE FROM draft_attachments WHERE id = ? AND ticket_id = ? AND agent = ?",
                            (file_id, ticket_id, agent)).rowcount > 0
