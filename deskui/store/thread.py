"""A ticket's conversation, oldest first."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from deskui.timeutil import from_db

# A message body can be a megabyte; a screen shows the start and says how much it left out.
SHOWN_BODY_CHARS = 20_000


@dataclass(frozen=True)
class ThreadMessage:
    id: int
    direction: str  # in, out, note
    author: str | None
    body: str
    full_length: int
    sent_at: datetime | None
    auto_ack: bool
    delivery: str | None = None  # outbox status of an agent's reply: queued, sent, failed
    delivery_reason: str | None = None


def thread(conn: sqlite3.Connection, ticket_id: int) -> list[ThreadMessage]:
    return [
        ThreadMessage(row[0], row[1], row[2], *_body(row[3], row[4]), from_db(row[5]), bool(row[6]), row[7], row[8])
        for row in conn.execute(
            # substr() and length() of TEXT stop at a NUL (rows another program wrote before
            # triage cleaned them): such a body is read whole, as bytes, and counted in Python.
            f"SELECT m.id, m.direction, m.author, CASE WHEN instr(m.body, char(0)) THEN CAST(m.body AS BLOB) "
            f"ELSE substr(m.body, 1, {SHOWN_BODY_CHARS}) END, length(m.body), m.sent_at, m.auto_ack, "
            "o.status, o.reason FROM messages m LEFT JOIN outbox o ON o.message_id = m.id "
            "WHERE m.ticket_id = ? ORDER BY m.sent_at, m.id",
            (ticket_id,),
        )
    ]


def _body(shown, length) -> tuple[str, int]:
    """(the start of the body, its whole length in characters)."""
    if isinstance(shown, bytes):
        whole = shown.decode("utf-8", "replace")
        return whole[:SHOWN_BODY_CHARS], len(whole)
    return shown or "", length or 0
