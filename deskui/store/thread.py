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


def thread(conn: sqlite3.Connection, ticket_id: int) -> list[ThreadMessage]:
    return [
        ThreadMessage(row[0], row[1], row[2], row[3] or "", row[4] or 0, from_db(row[5]), bool(row[6]))
        for row in conn.execute(
            f"SELECT id, direction, author, substr(body, 1, {SHOWN_BODY_CHARS}), length(body), sent_at, auto_ack "
            "FROM messages WHERE ticket_id = ? ORDER BY sent_at, id",
            (ticket_id,),
        )
    ]
