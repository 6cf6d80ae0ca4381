"""A bulk reply's rows: the marked tickets read for filling (each one's context and its latest
reply), and the passing replies queued in one transaction, each as the ticket screen sends one
(``tickets.add_reply``: the out message, its outbox row, the clocks it stops, the event).

A ticket someone replied to after the plan was read is skipped and named, never answered twice;
each reply's send key makes sending the same plan again a no-op.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from deskui.clock import Clock
from deskui.policy.model import Policy
from deskui.store.context import TicketContext, ticket_context
from deskui.store.db import write
from deskui.store.tickets import add_reply


@dataclass(frozen=True)
class ReplyTarget:
    ticket_id: int
    channel: str
    context: TicketContext
    last_reply_id: int  # the newest out message when the plan was read (0: none)

    @property
    def to_address(self) -> str | None:
        return self.context.customer.email if self.context.customer else None

    @property
    def subject(self) -> str:
        return f"Re: {self.context.ticket['subject'] or ''}"


@dataclass
class BulkReplySent:
    sent: list[int] = field(default_factory=list)  # ticket ids
    skipped: dict[int, str] = field(default_factory=dict)  # ticket id -> why


def _last_reply_id(conn: sqlite3.Connection, ticket_id: int) -> int:
    row = conn.execute("SELECT max(id) FROM messages WHERE ticket_id = ? AND direction = 'out'", (ticket_id,)).fetchone()
    return row[0] or 0


def reply_targets(conn: sqlite3.Connection, ticket_ids: Sequence[int]) -> list[ReplyTarget]:
    """The marked tickets that still exist, in id order."""
    targets = []
    for ticket_id in sorted(set(ticket_ids)):
        context = ticket_context(conn, ticket_id)
        if context is not None:
            targets.append(ReplyTarget(ticket_id, context.ticket["channel"] or "", context,
                                       _last_reply_id(conn, ticket_id)))
    return targets


def _replied_since(conn: sqlite3.Connection, ticket_id: int, since: int) -> str | None:
    """Who replied to the ticket after message ``since``, or None."""
    row = conn.execute("SELECT author FROM messages WHERE ticket_id = ? AND direction = 'out' AND id > ? "
                       "ORDER BY id DESC LIMIT 1", (ticket_id, since)).fetchone()
    return None if row is None else (row[0] or "someone")


def send_bulk_replies(conn: sqlite3.Connection, policy: Policy, clock: Clock, agent: str, plan_key: str,
                      replies: Sequence[tuple[ReplyTarget, str]]) -> BulkReplySent:
    """Queue every (target, filled text) in one write transaction; a ticket replied to since its
    target was read, or gone, is skipped and said why."""
    result = BulkReplySent()
    with write(conn):
        for target, text in replies:
            who = _replied_since(conn, target.ticket_id, target.last_reply_id)
            if who is not None:
                result.skipped[target.ticket_id] = f"replied meanwhile by {who}"
                continue
            try:
                add_reply(conn, policy, clock, target.ticket_id, agent, text, to_address=target.to_address,
                          subject=target.subject, send_key=f"bulk-{plan_key}-{target.ticket_id}")
            except LookupError:
                result.skipped[target.ticket_id] = "no such ticket"
                continue
            result.sent.append(target.ticket_id)
    return result
