"""Giving a ticket back: no assignee, and the event that says who let it go and when."""

from __future__ import annotations

import sqlite3

from deskui.clock import Clock
from deskui.store.db import write
from deskui.store.tickets import record_event


def unassign(conn: sqlite3.Connection, clock: Clock, ticket_id: int, agent: str) -> None:
    with write(conn):
        conn.execute("UPDATE tickets SET assignee = NULL WHERE id = ?", (ticket_id,))
        record_event(conn, ticket_id, "assigned", agent, clock.now(), to=None)
