"""What an agent does on an open ticket, besides replying: notes, tags, escalation, drafts,
presence, and the checks that stop two agents from answering the same buyer twice."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from deskui.clock import Clock
from deskui.policy.model import Policy
from deskui.store.db import write
from deskui.store.tickets import record_event, refresh_tickets
from deskui.timeutil import from_db, to_db
from deskui.when import parse_when

PRESENCE_STALE_SECONDS = 30  # heartbeats come every 10 s; three missed ones mean the agent left
ESCALATED_TAG = "escalated"


def add_note(conn: sqlite3.Connection, clock: Clock, ticket_id: int, agent: str, body: str) -> int:
    """An internal note: stored in the thread, never sent, never stops a clock."""
    if not body.strip():
        raise ValueError("an empty note is not saved")
    now = clock.now()
    with write(conn):
        message_id = conn.execute(
            "INSERT INTO messages (ticket_id, direction, author, body, sent_at) VALUES (?, 'note', ?, ?, ?)",
            (ticket_id, agent, body, to_db(now)),
        ).lastrowid
        record_event(conn, ticket_id, "noted", agent, now, message_id=message_id)
    return message_id


def normalise_tag(tag: str) -> str:
    cleaned = re.sub(r"\s+", " ", tag.strip().lower())
    if not cleaned or len(cleaned) > 40:
        raise ValueError("a tag is 1 to 40 characters")
    return cleaned


def set_tags(conn: sqlite3.Connection, policy: Policy, clock: Clock, ticket_id: int, agent: str, *,
             add: tuple[str, ...] = (), remove: tuple[str, ...] = ()) -> None:
    """Tags can move a ticket between tiers (rules may name tags), so the ticket is re-derived."""
    now = clock.now()
    added = [normalise_tag(tag) for tag in add]
    removed = [normalise_tag(tag) for tag in remove]
    with write(conn):
        for tag in added:
            conn.execute("INSERT OR IGNORE INTO tags (ticket_id, tag) VALUES (?, ?)", (ticket_id, tag))
        for tag in removed:
            conn.execute("DELETE FROM tags WHERE ticket_id = ? AND tag = ?", (ticket_id, tag))
        record_event(conn, ticket_id, "tagged", agent, now, added=added, removed=removed)
        refresh_tickets(conn, policy, now, [ticket_id])


def escalate(conn: sqlite3.Connection, policy: Policy, clock: Clock, ticket_id: int, agent: str, reason: str = "") -> str:
    """Tag the ticket ``escalated``: the default policy lifts it to the critical tier. Returns the new tier."""
    with write(conn):
        set_tags(conn, policy, clock, ticket_id, agent, add=(ESCALATED_TAG,))
        record_event(conn, ticket_id, "escalated", agent, clock.now(), reason=reason)
        return conn.execute("SELECT tier FROM tickets WHERE id = ?", (ticket_id,)).fetchone()[0]


# -- drafts ---------------------------------------------------------------------------------
def save_draft(conn: sqlite3.Connection, clock: Clock, ticket_id: int, agent: str, body: str) -> None:
    """Upsert the agent's draft; an empty one is deleted."""
    with write(conn):
        if body.strip():
            conn.execute(
                "INSERT INTO drafts (ticket_id, agent, body, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (ticket_id, agent) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                (ticket_id, agent, body, to_db(clock.now())),
            )
        else:
            conn.execute("DELETE FROM drafts WHERE ticket_id = ? AND agent = ?", (ticket_id, agent))


def load_draft(conn: sqlite3.Connection, ticket_id: int, agent: str) -> str:
    row = conn.execute("SELECT body FROM drafts WHERE ticket_id = ? AND agent = ?", (ticket_id, agent)).fetchone()
    return row[0] if row else ""


# -- presence -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Presence:
    agent: str
    activity: str
    since: datetime | None


def heartbeat(conn: sqlite3.Connection, clock: Clock, ticket_id: int, agent: str, activity: str = "viewing") -> None:
    now = to_db(clock.now())
    with write(conn):
        conn.execute(
            "INSERT INTO presence (ticket_id, agent, activity, since, heartbeat_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (ticket_id, agent) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, "
            "since = CASE WHEN presence.activity = excluded.activity THEN presence.since ELSE excluded.since END, "
            "activity = excluded.activity",
            (ticket_id, agent, activity, now, now),
        )


def leave(conn: sqlite3.Connection, ticket_id: int, agent: str) -> None:
    with write(conn):
        conn.execute("DELETE FROM presence WHERE ticket_id = ? AND agent = ?", (ticket_id, agent))


def others_present(conn: sqlite3.Connection, clock: Clock, ticket_id: int, agent: str) -> list[Presence]:
    fresh = to_db(clock.now() - timedelta(seconds=PRESENCE_STALE_SECONDS))
    return [
        Presence(row[0], row[1], from_db(row[2]))
        for row in conn.execute(
            "SELECT agent, activity, since FROM presence WHERE ticket_id = ? AND agent != ? AND heartbeat_at >= ? ORDER BY agent",
            (ticket_id, agent, fresh),
        )
    ]


def presence_by_ticket(conn: sqlite3.Connection, clock: Clock, ticket_ids: list[int]) -> dict[int, list[Presence]]:
    """Who is on each of these tickets (the inbox shows it on the visible rows)."""
    if not ticket_ids:
        return {}
    fresh = to_db(clock.now() - timedelta(seconds=PRESENCE_STALE_SECONDS))
    found: dict[int, list[Presence]] = {}
    marks = ",".join("?" * len(ticket_ids))
    for ticket_id, agent, activity, since in conn.execute(
        f"SELECT ticket_id, agent, activity, since FROM presence WHERE ticket_id IN ({marks}) AND heartbeat_at >= ?",
        [*ticket_ids, fresh],
    ):
        found.setdefault(ticket_id, []).append(Presence(agent, activity, from_db(since)))
    return found


# -- collisions -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Collision:
    """What changed on a ticket since an agent opened it, by someone else."""

    replies: list[sqlite3.Row]
    status: str
    assignee: str | None

    def __bool__(self) -> bool:
        return bool(self.replies)


def changes_since_opened(conn: sqlite3.Connection, ticket_id: int, agent: str, opened_at: datetime) -> Collision:
    replies = conn.execute(
        "SELECT author, body, sent_at, auto_ack FROM messages WHERE ticket_id = ? AND direction = 'out' "
        "AND sent_at >= ? AND coalesce(author, '') != ? ORDER BY sent_at",
        (ticket_id, to_db(opened_at), agent),
    ).fetchall()
    ticket = conn.execute("SELECT status, assignee FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    return Collision(list(replies), ticket["status"] if ticket else "solved", ticket["assignee"] if ticket else None)


# -- snooze ---------------------------------------------------------------------------------
def parse_snooze(text: str, now: datetime, zone: tzinfo) -> datetime:
    """"30m", "in 2 hours", "tomorrow 9am", "friday 14:00", "next monday", "eod", "2026-12-01 08:30"
    -> an aware UTC time, read in the agent's zone (deskui.when). Raises ValueError with a hint."""
    return parse_when(text, now, zone)


def known_agents(conn: sqlite3.Connection, since: datetime) -> list[str]:
    """Everyone who is an agent here: the agents table, whoever holds a ticket, and whoever
    claimed, replied or noted since ``since``. Names typed for an assignment complete from these."""
    rows = conn.execute(
        "SELECT name FROM agents WHERE active = 1 "
        "UNION SELECT assignee FROM tickets WHERE assignee IS NOT NULL "
        "UNION SELECT agent FROM events WHERE kind IN ('claimed', 'replied', 'noted') AND at >= ? AND agent IS NOT NULL",
        (to_db(since),),
    ).fetchall()
    return sorted({row[0] for row in rows if row[0]}, key=str.lower)
