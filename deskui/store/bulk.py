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
from deskui.derive import PAUSE_END, PAUSE_START
from deskui.store.bulk_clocks import (StatusChange, add_events, chunks, continue_pauses, read_tickets, retier,
                                      saved_clocks, write_statuses)
from deskui.store.db import write
from deskui.timeutil import from_db, to_db

ACTIONS = ("claim", "assign", "unassign", "tag", "untag", "snooze", "pending", "resolve", "reopen", "escalate")
ESCALATED_TAG = "escalated"
_STATUS_KINDS = ("snoozed", "pending", "solved", "resumed", "reopened")


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
        before = read_tickets(conn, ids)
        for ticket_id in ids:
            if ticket_id not in before:
                result.skipped[ticket_id] = "no such ticket"
        present = [ticket_id for ticket_id in ids if ticket_id in before]
        if action in ("claim", "assign", "unassign"):
            _assign(conn, result, before, present, action, agent, assignee, now)
        elif action in ("tag", "untag", "escalate"):
            _tag(conn, result, present, action, agent, tag_list, now)
            if _tags_move_tiers(policy):
                retier(conn, policy, now, before, result.changed)
        else:
            _status(conn, policy, result, before, present, action, agent, snoozed_until, now)
    return result


def _tags_move_tiers(policy: Policy) -> bool:
    """Only a policy rule naming tags lets a tag move a tier; with none, tagging re-derives nothing."""
    return any(rule.tags for rule in policy.rules)


def _assign(conn, result, before, ids, action, agent, assignee, now) -> None:
    target = None if action == "unassign" else (agent if action == "claim" else assignee)
    kind = "claimed" if action == "claim" else "assigned"
    events = []
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        condition = " AND (assignee IS NULL OR assignee = ?)" if action == "claim" else ""
        params = [target, to_db(now), *chunk] + ([agent] if action == "claim" else [])
        changed = {row[0] for row in conn.execute(
            f"UPDATE tickets SET assignee = ?, updated_at = ? WHERE id IN ({marks}){condition} RETURNING id", params)}
        for ticket_id in chunk:
            if ticket_id in changed:
                result.changed.append(ticket_id)
                events.append((ticket_id, kind, agent, now, {"batch": result.batch,
                               "previous_assignee": before[ticket_id]["assignee"], "assignee": target}))
            else:
                result.skipped[ticket_id] = f"held by {before[ticket_id]['assignee']}"
    add_events(conn, events)


def _tag(conn, result, ids, action, agent, tags, now) -> None:
    had = set()
    for chunk in chunks(ids):
        marks, tag_marks = ",".join("?" * len(chunk)), ",".join("?" * len(tags))
        # as tuples: a sqlite3.Row never equals the (ticket_id, tag) looked up below
        had.update((ticket_id, tag) for ticket_id, tag in conn.execute(
            f"SELECT ticket_id, tag FROM tags WHERE ticket_id IN ({marks}) AND tag IN ({tag_marks})", [*chunk, *tags]))
    events, added_rows, removed_rows = [], [], []
    for ticket_id in ids:
        if action == "untag":
            added, removed = [], [tag for tag in tags if (ticket_id, tag) in had]
        else:
            added, removed = [tag for tag in tags if (ticket_id, tag) not in had], []
        added_rows += [(ticket_id, tag) for tag in added]
        removed_rows += [(ticket_id, tag) for tag in removed]
        result.changed.append(ticket_id)
        events.append((ticket_id, "tagged", agent, now, {"batch": result.batch, "added": added, "removed": removed}))
        if action == "escalate":
            events.append((ticket_id, "escalated", agent, now, {"batch": result.batch}))
    conn.executemany("INSERT OR IGNORE INTO tags (ticket_id, tag) VALUES (?, ?)", added_rows)
    conn.executemany("DELETE FROM tags WHERE ticket_id = ? AND tag = ?", removed_rows)
    add_events(conn, events)


def _status(conn, policy, result, before, ids, action, agent, snoozed_until, now) -> None:
    status = {"snooze": "snoozed", "pending": "pending", "resolve": "solved", "reopen": "open"}[action]
    changes = []
    for ticket_id in ids:
        ticket = before[ticket_id]
        if ticket["status"] == status and status != "snoozed":
            result.skipped[ticket_id] = f"already {status}"
            continue
        changes.append(StatusChange(ticket, status, snoozed_until,
                                    {"batch": result.batch, "previous_until": ticket["snoozed_until"],
                                     **({"previous_solved_at": ticket["solved_at"]} if ticket["solved_at"] else {}),
                                     **({"previous_paused_at": ticket["paused_at"]} if ticket["paused_at"] else {}),
                                     # an open ticket's clocks, for the undo (a paused one's pause goes on instead)
                                     **({"previous_clocks": saved_clocks(ticket)}
                                        if status == "solved" and ticket["status"] == "open" and not ticket["needs_triage"] else {})}))
        result.changed.append(ticket_id)
    write_statuses(conn, policy, now, changes, agent)


def undo(conn: sqlite3.Connection, policy: Policy, clock: Clock, done: BulkResult, agent: str) -> BulkResult:
    """Put every ticket ``done`` changed back as it was before, in one transaction."""
    now = clock.now()
    batch = done.batch
    result = BulkResult(uuid.uuid4().hex[:12], "undo")
    with write(conn):
        assignees, statuses, tags_back, touched = _undo_plan(conn, batch, sorted(done.changed))
        conn.executemany("UPDATE tickets SET assignee = ?, updated_at = ? WHERE id = ?",
                         [(previous, to_db(now), ticket_id) for ticket_id, previous in assignees.items()])
        conn.executemany("DELETE FROM tags WHERE ticket_id = ? AND tag = ?", tags_back["added"])
        conn.executemany("INSERT OR IGNORE INTO tags (ticket_id, tag) VALUES (?, ?)", tags_back["removed"])
        current = read_tickets(conn, sorted(statuses))
        present = {ticket_id: step for ticket_id, step in statuses.items() if ticket_id in current}
        # back into a pause that the batch ended: the pause goes on from where it started
        paused = {ticket_id: step for ticket_id, step in present.items()
                  if step.previous in PAUSE_START and step.kind in PAUSE_END}
        continue_pauses(conn, policy, now, [(current[ticket_id], step.previous, step.until, step.paused_at, step.event_id)
                                            for ticket_id, step in paused.items()])
        write_statuses(conn, policy, now, [
            StatusChange(current[ticket_id], step.previous, from_db(step.until), {"undo_of": batch}, clocks=step.clocks)
            for ticket_id, step in present.items() if ticket_id not in paused], agent)
        # An undone resolve never happened: its resolution clock's outcome goes from the reports.
        conn.executemany("DELETE FROM sla_clocks WHERE ticket_id = ? AND kind = 'resolution' AND stopped_at = ?",
                         [(ticket_id, step.at) for ticket_id, step in present.items() if step.kind == "solved"])
        # a ticket solved again keeps the time it was solved at, not the undo's
        conn.executemany("UPDATE tickets SET solved_at = ? WHERE id = ?", [
            (step.solved_at, ticket_id) for ticket_id, step in present.items()
            if step.previous == "solved" and step.solved_at])
        retagged = sorted({ticket_id for ticket_id, _ in tags_back["added"] + tags_back["removed"]})
        if retagged and _tags_move_tiers(policy):
            retier(conn, policy, now, read_tickets(conn, retagged), retagged)
        result.changed = [ticket_id for ticket_id in touched if ticket_id not in statuses or ticket_id in present]
        add_events(conn, [(ticket_id, "undone", agent, now, {"batch": batch}) for ticket_id in result.changed])
    return result


@dataclass
class _StatusBack:
    """What a ticket's status was before a batch changed it, and the batch's event that did."""
    previous: str
    until: str | None
    solved_at: str | None
    paused_at: str | None
    kind: str
    event_id: int
    at: str  # when the batch's event was written (its resolution clock stopped then)
    clocks: dict | None = None  # a resolve's: the clocks it emptied


def _undo_plan(conn, batch: str, ids: list[int]):
    """What undoing ``batch`` puts back, per ticket, read from the batch's events newest first (so
    where a ticket has several, the oldest one's "before" wins, as undoing them in turn would)."""
    events = []
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        events += conn.execute(
            f"SELECT id, ticket_id, kind, detail, at FROM events WHERE ticket_id IN ({marks}) AND detail LIKE ?",
            (*chunk, f'%"batch": "{batch}"%')).fetchall()
    assignees: dict[int, str | None] = {}
    statuses: dict[int, _StatusBack] = {}
    tags_back: dict[str, list] = {"added": [], "removed": []}
    touched: dict[int, None] = {}  # in the order met, each once
    parsed: dict[str | None, dict] = {}  # a batch's details mostly repeat (add_events wrote each once)
    for event_id, ticket_id, kind, raw, at in sorted(events, key=lambda event: -event[0]):
        detail = parsed.get(raw)
        if detail is None:
            detail = parsed[raw] = json.loads(raw or "{}")
        if detail.get("batch") != batch:
            continue
        if kind in ("claimed", "assigned"):
            assignees[ticket_id] = detail.get("previous_assignee")
        elif kind == "tagged":
            tags_back["added"] += [(ticket_id, tag) for tag in detail.get("added", [])]
            tags_back["removed"] += [(ticket_id, tag) for tag in detail.get("removed", [])]
        elif kind in _STATUS_KINDS:
            statuses[ticket_id] = _StatusBack(detail.get("previous", "open"), detail.get("previous_until"),
                                              detail.get("previous_solved_at"), detail.get("previous_paused_at"),
                                              kind, event_id, at, detail.get("previous_clocks"))
        else:
            continue
        touched.setdefault(ticket_id, None)
    return assignees, statuses, tags_back, list(touched)
