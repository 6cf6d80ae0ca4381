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
        ThreadMessage(row[0], row[1], row[2], row[3] or "", row[4] or 0, from_db(row[5]), bool(row[6]), row[7], row[8])
        for row in conn.execute(
            f"SELECT m.id, m.direction, m.author, substr(m.body, 1, {SHOWN_BODY_CHARS}), length(m.body), m.sent_at, m.auto_ack, "
            "o.status, o.reason FROM messages m LEFT JOIN outbox o ON o.message_id = m.id "
            "WHERE m.ticket_id = ? ORDER BY m.sent_at, m.id",
            (ticket_id,),
        )
    ]
