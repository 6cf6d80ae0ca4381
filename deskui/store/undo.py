"""Undo of one ticket's last change by an agent: ``u`` on the ticket screen.

The ticket screen's actions (claim, assign, tag, escalate, snooze, pending, resolve) are bulk
actions on one ticket (``bulk.bulk_apply``), so each event carries a batch id and what the ticket
was before (the previous assignee, status, snooze time, pause start, solved time, tags added and
removed). Undoing one puts that back through ``bulk.undo`` restricted to this ticket: the same
code that undoes a bulk action, and an inbox batch can be undone ticket by ticket this way too.

An undo is refused when anyone else (another agent, the mail sync reopening it on a buyer's
message, the snooze waking) changed the ticket after the change being undone: putting back the
"before" then would silently throw their change away. The undo is one transaction, recorded as
an ``undone`` event naming the batch, so the same change is never undone twice, even by two
processes at once: each takes the ticket's row lock first, and the second then finds the
``undone`` event of the first.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from deskui.clock import Clock
from deskui.policy.model import Policy
from deskui.store.bulk import BulkResult, undo as undo_batch
from deskui.store.db import write
from deskui.timeutil import from_db, to_db

# Events an undo can reverse (they carry a batch and the "before"), and what each one says.
UNDOABLE = {"claimed": "claim", "assigned": "assignment", "tagged": "tag change", "escalated": "escalation",
            "snoozed": "snooze", "pending": "pending on the buyer", "solved": "resolve", "resumed": "reopen",
            "reopened": "reopen"}
# Events that leave the ticket as it was: someone else's note or look is no reason to refuse.
HARMLESS = ("opened", "noted", "sent", "send_failed")


class UndoRefused(Exception):
    """Why the last change cannot be undone (nothing to undo, someone changed the ticket since,
    already undone); the message is meant for the agent."""


@dataclass(frozen=True)
class Undoable:
    event_id: int
    batch: str
    kind: str
    at: datetime | None
    detail: dict

    def describe(self) -> str:
        what = UNDOABLE.get(self.kind, self.kind)
        if self.kind in ("claimed", "assigned"):
            who = self.detail.get("assignee")
            what = f"{what} to {who}" if who else "unassign"
        elif self.kind == "tagged":
            added, removed = self.detail.get("added", []), self.detail.get("removed", [])
            what = "tags " + ", ".join([f"+{tag}" for tag in added] + [f"-{tag}" for tag in removed]) if added or removed else what
        return what


def _undone_batches(conn: sqlite3.Connection, ticket_id: int) -> set[str]:
    undone = set()
    for (raw,) in conn.execute("SELECT detail FROM events WHERE ticket_id = ? AND kind = 'undone'", (ticket_id,)):
        batch = json.loads(raw or "{}").get("batch")
        if batch:
            undone.add(batch)
    return undone


def last_undoable(conn: sqlite3.Connection, ticket_id: int, agent: str) -> Undoable:
    """The agent's last change to the ticket that can still be undone, or UndoRefused saying why not."""
    undone = _undone_batches(conn, ticket_id)
    kinds = ",".join("?" * len(UNDOABLE))
    for event_id, kind, at, raw in conn.execute(
            f"SELECT id, kind, at, detail FROM events WHERE ticket_id = ? AND agent = ? AND kind IN ({kinds}) "
            "ORDER BY id DESC", (ticket_id, agent, *UNDOABLE)):
        detail = json.loads(raw or "{}")
        if "undo_of" in detail:
            continue  # written by an undo: it goes with the change it undid
        batch = detail.get("batch")
        if batch in undone:
            continue  # undone already: the one before it is next
        if not batch:
            raise UndoRefused(f"Your last change here ({UNDOABLE[kind]}) was made outside this screen and "
                              "cannot be undone: set it back by hand.")
        return Undoable(event_id, batch, kind, from_db(at), detail)
    raise UndoRefused("Nothing of yours to undo on this ticket.")


def _changed_since(conn: sqlite3.Connection, ticket_id: int, agent: str, event_id: int):
    """The first change to the ticket by anyone else after ``event_id`` (None if there is none)."""
    marks = ",".join("?" * len(HARMLESS))
    return conn.execute(
        f"SELECT kind, agent, at FROM events WHERE ticket_id = ? AND id > ? AND (agent IS NULL OR agent <> ?) "
        f"AND kind NOT IN ({marks}) ORDER BY id LIMIT 1", (ticket_id, event_id, agent, *HARMLESS)).fetchone()


def undo_last(conn: sqlite3.Connection, policy: Policy, clock: Clock, ticket_id: int, agent: str,
              batch: str | None = None, zone: tzinfo = UTC) -> Undoable:
    """Undo the agent's last change to the ticket, in one transaction; returns what was undone.
    With ``batch`` (what the agent was shown and confirmed), only that change: if it is no
    longer the last one (undone meanwhile, by this agent in another window), UndoRefused."""
    with write(conn):
        # The ticket's row first: on PostgreSQL a second undo of the same ticket waits here for
        # the first to commit, then reads its "undone" event; SQLite's write lock already did.
        if not conn.execute("UPDATE tickets SET updated_at = ? WHERE id = ? RETURNING id",
                            (to_db(clock.now()), ticket_id)).fetchall():
            raise UndoRefused(f"Ticket #{ticket_id} no longer exists.")
        last = last_undoable(conn, ticket_id, agent)
        if batch is not None and last.batch != batch:
            raise UndoRefused("That change was undone already (in another window?): nothing more was undone.")
        other = _changed_since(conn, ticket_id, agent, last.event_id)
        if other is not None:
            kind, who, at = other
            when = from_db(at)
            said = kind.replace("_", " ") + (f" at {when.astimezone(zone):%H:%M}" if when else "")
            raise UndoRefused(f"Not undone: {who or 'deskui (automatically)'} changed this ticket since ({said}). "
                              "Check it and set it by hand.")
        done = BulkResult(last.batch, last.kind, changed=[ticket_id])
        undo_batch(conn, policy, clock, done, agent)
    return last
