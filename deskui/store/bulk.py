"""One action on many tickets, in one transaction, with one undo.

An agent marks tickets (space, ``*``) and applies claim, assign, tag, snooze, pending, resolve or
escalate to all of them at once. Every ticket's event carries the batch id and what the ticket
was before, so ``undo`` puts each one back as it was, in one transaction too.

Claims are atomic per ticket: of two processes bulk-claiming overlapping marks, each ticket goes
to exactly one (``UPDATE ... WHERE assignee IS NULL RETURNING id`` under the write lock).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from deskui.clock import Clock
from deskui.policy.model import Policy
from deskui.store.db import write
from deskui.store.tickets import record_event, refresh_tickets, write_status
from deskui.timeutil import from_db, to_db

ACTIONS = ("claim", "assign", "unassign", "tag", "untag", "snooze", "pending", "resolve", "reopen", "escalate")
ESCALATED_TAG = "escalated"
_CHUNK = 500  # ids per "IN (...)"


@dataclass
class BulkResult:
    batch: str
    action: str
    changed: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # ticket id -> why (held by someone else, gone)

    def describe(self) -> str:
        said = f"{self.action}: {len(self.changed):,} ticket(s)"
        if self.skipped:
            said += f", {len(self.skipped):,} skipped ({next(iter(self.skipped.values()))}…)"
        return said


def _chunks(ids: Sequence[int]):
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start: start + _CHUNK])


def _current(conn: sqlite3.Connection, ids: list[int]) -> dict[int, sqlite3.Row]:
    found = {}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT id, status, assignee, snoozed_until FROM tickets WHERE id IN ({marks})", chunk):
            found[row["id"]] = row
    return found


def bulk_apply(conn: sqlite3.Connection, policy: Policy, clock: Clock, ticket_ids: Sequence[int], action: str,
               agent: str, *, assignee: str | None = None, tags: Sequence[str] = (),
               snoozed_until: datetime | None = None) -> BulkResult:
    """Apply ``action`` to every ticket in one write transaction. Tickets that can't take it (held
    by another agent for a claim, gone) are skipped and said why, never half-changed."""
    if action not in ACTIONS:
        raise ValueError(f"unknown bulk action {action!r}; one of {', '.join(ACTIONS)}")
    if action == "snooze" and snoozed_until is None:
        raise ValueError("a snooze needs a time")
    if action == "assign" and not assignee:
        raise ValueError("assign needs an agent's name")
    now = clock.now()
    result = BulkResult(uuid.uuid4().hex[:12], action)
    ids = sorted(set(ticket_ids))
    tag_list = [tag.strip().lower() for tag in tags if tag.strip()]
    if action == "escalate":
        tag_list = [ESCALATED_TAG]
    with write(conn):
        before = _current(conn, ids)
        for ticket_id in ids:
            if ticket_id not in before:
                result.skipped[ticket_id] = "no such ticket"
        present = [ticket_id for ticket_id in ids if ticket_id in before]
        if action in ("claim", "assign", "unassign"):
            _assign(conn, result, before, present, action, agent, assignee, now)
        elif action in ("tag", "untag", "escalate"):
            _tag(conn, result, present, action, agent, tag_list, now)
        else:
            _status(conn, result, before, present, action, agent, snoozed_until, now)
        if _rederives(policy, action):
            refresh_tickets(conn, policy, now, result.changed)
    return result


def _rederives(policy: Policy, action: str) -> bool:
    """Whether the action can move a tier or a clock: an assignee never does, tags only when a
    policy rule names tags (escalate always does). Re-deriving 10,000 tickets is most of a bulk
    action's time, so the others skip it."""
    if action in ("claim", "assign", "unassign"):
        return False
    if action in ("tag", "untag"):
        return any(rule.tags for rule in policy.rules)
    return True


def _assign(conn, result, before, ids, action, agent, assignee, now) -> None:
    target = None if action == "unassign" else (agent if action == "claim" else assignee)
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        condition = " AND (assignee IS NULL OR assignee = ?)" if action == "claim" else ""
        params = [target, to_db(now), *chunk] + ([agent] if action == "claim" else [])
        changed = {row[0] for row in conn.execute(
            f"UPDATE tickets SET assignee = ?, updated_at = ? WHERE id IN ({marks}){condition} RETURNING id", params)}
        for ticket_id in chunk:
            if ticket_id in changed:
                result.changed.append(ticket_id)
                kind = "claimed" if action == "claim" else "assigned"
                record_event(conn, ticket_id, kind, agent, now, batch=result.batch, previous_assignee=before[ticket_id]["assignee"],
                             assignee=target)
            else:
                result.skipped[ticket_id] = f"held by {before[ticket_id]['assignee']}"


def _tag(conn, result, ids, action, agent, tags, now) -> None:
    for ticket_id in ids:
        added, removed = [], []
        for tag in tags:
            if action == "untag":
                if conn.execute("DELETE FROM tags WHERE ticket_id = ? AND tag = ?", (ticket_id, tag)).rowcount:
                    removed.append(tag)
            elif conn.execute("INSERT OR IGNORE INTO tags (ticket_id, tag) VALUES (?, ?)", (ticket_id, tag)).rowcount:
                added.append(tag)
        result.changed.append(ticket_id)
        record_event(conn, ticket_id, "tagged", agent, now, batch=result.batch, added=added, removed=removed)
        if action == "escalate":
            record_event(conn, ticket_id, "escalated", agent, now, batch=result.batch)


def _status(conn, result, before, ids, action, agent, snoozed_until, now) -> None:
    status = {"snooze": "snoozed", "pending": "pending", "resolve": "solved", "reopen": "open"}[action]
    for ticket_id in ids:
        previous = before[ticket_id]["status"]
        if previous == status and status != "snoozed":
            result.skipped[ticket_id] = f"already {status}"
            continue
        ticket = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        write_status(conn, ticket, status, agent, now, snoozed_until, batch=result.batch,
                     previous_until=before[ticket_id]["snoozed_until"])
        result.changed.append(ticket_id)


def undo(conn: sqlite3.Connection, policy: Policy, clock: Clock, done: BulkResult, agent: str) -> BulkResult:
    """Put every ticket ``done`` changed back as it was before, in one transaction."""
    now = clock.now()
    batch = done.batch
    result = BulkResult(uuid.uuid4().hex[:12], "undo")
    with write(conn):
        events = []
        for chunk in _chunks(sorted(done.changed)):
            marks = ",".join("?" * len(chunk))
            events += conn.execute(
                f"SELECT id, ticket_id, kind, detail FROM events WHERE ticket_id IN ({marks}) AND detail LIKE ?",
                (*chunk, f'%"batch": "{batch}"%')).fetchall()
        events = [event[1:] for event in sorted(events, key=lambda event: -event[0])]  # newest first
        touched: set[int] = set()
        for ticket_id, kind, raw in events:
            detail = json.loads(raw or "{}")
            if detail.get("batch") != batch:
                continue
            if kind in ("claimed", "assigned"):
                conn.execute("UPDATE tickets SET assignee = ?, updated_at = ? WHERE id = ?",
                             (detail.get("previous_assignee"), to_db(now), ticket_id))
            elif kind == "tagged":
                for tag in detail.get("added", []):
                    conn.execute("DELETE FROM tags WHERE ticket_id = ? AND tag = ?", (ticket_id, tag))
                for tag in detail.get("removed", []):
                    conn.execute("INSERT OR IGNORE INTO tags (ticket_id, tag) VALUES (?, ?)", (ticket_id, tag))
            elif kind in ("snoozed", "pending", "solved", "resumed", "reopened"):
                current = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
                if current is None:
                    continue
                previous = detail.get("previous", "open")
                write_status(conn, current, previous, agent, now, from_db(detail.get("previous_until")), undo_of=batch)
            else:
                continue
            if ticket_id not in touched:
                touched.add(ticket_id)
                result.changed.append(ticket_id)
        for ticket_id in result.changed:
            record_event(conn, ticket_id, "undone", agent, now, batch=batch)
        refresh_tickets(conn, policy, now, result.changed)
    return result
