"""Writes that keep a ticket's triage and SLA clocks true.

One rule: a ticket's tier, category and due times are always derived from its rows (subject,
messages, tags, pause history) by ``refresh_tickets``. Other programs only insert rows; the
``needs_triage`` flag (default 1, set again by any inbound message) tells deskui what to redo.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from deskui import sla
from deskui.clock import Clock
from deskui.derive import PAUSE_START, Message, derive
from deskui.policy.model import Policy
from deskui.store.db import data_version, write
from deskui.store.scrub import scrub_rows
from deskui.text import store_text
from deskui.timeutil import from_db, to_db

BATCH = 500
RESPONSE_KINDS = ("first_response", "next_response")
# A ticket body beyond this is still stored whole; triage reads the start (see the matcher).
TRIAGE_BODY_CHARS = 50_000


def refresh_tickets(
    conn: sqlite3.Connection,
    policy: Policy,
    now: datetime,
    ticket_ids: Iterable[int] | None = None,
    *,
    limit: int | None = None,
) -> int:
    """Triage and recompute the clocks of the given tickets, or of every ticket flagged
    ``needs_triage``. Returns how many were refreshed. Each batch is its own short transaction,
    so agents' writes interleave with a large backlog."""
    if ticket_ids is None:
        query = "SELECT id FROM tickets WHERE needs_triage = 1 ORDER BY id"
        if limit:
            query += f" LIMIT {int(limit)}"
        ids = [row[0] for row in conn.execute(query)]
    else:
        ids = list(ticket_ids)
    for start in range(0, len(ids), BATCH):
        if ticket_ids is None:  # rows other programs wrote: their text is cleaned as deskui meets it
            scrub_rows(conn, ids[start : start + BATCH])
        _refresh_batch(conn, policy, now, ids[start : start + BATCH])
    return len(ids)


def _refresh_batch(conn: sqlite3.Connection, policy: Policy, now: datetime, ids: list[int]) -> None:
    """Read and derive on a read snapshot, then take the write lock for the UPDATE alone: the
    reading and deriving (most of a batch) leave a gap in which other processes' writers, polling
    in their busy handlers, get the lock between two batches of a long backlog. If anyone
    committed since the snapshot, the batch is read and derived again under the lock, so nothing
    written meanwhile (a new message, a claim) is overwritten with stale values."""
    if conn.in_transaction:  # the caller's transaction: read and write inside it
        _write_derived(conn, _derive_batch(conn, policy, now, ids))
        return
    version = data_version(conn)
    conn.execute("BEGIN")
    try:
        updates = _derive_batch(conn, policy, now, ids)
    finally:
        conn.execute("COMMIT")
    with write(conn):
        if data_version(conn) != version:
            updates = _derive_batch(conn, policy, now, ids)
        _write_derived(conn, updates)


def _write_derived(conn: sqlite3.Connection, updates: list[dict]) -> None:
    """The UPDATEs of a batch: a ticket whose stored channel and created_at are what triage
    derived (``_derive_batch`` then leaves them out) does not set them. Setting a column rewrites
    every index holding it, even to the same value: channel and created_at are in six of the
    table's indexes (the UNIQUE one included). 100k e-mails, 67k new tickets: see
    docs/performance.md (2026-12-03)."""
    same = [update for update in updates if "channel" not in update]
    moved = [update for update in updates if "channel" in update]
    if getattr(conn, "backend", "sqlite") != "sqlite":
        _write_derived_per_statement(conn, same, _DERIVED_KEEPING)
        _write_derived_per_statement(conn, moved, _DERIVED)
        return
    if same:
        conn.executemany(_UPDATE_DERIVED_KEEPING, same)
    if moved:
        conn.executemany(_UPDATE_DERIVED, moved)


def _write_derived_per_statement(conn, updates: list[dict], columns: tuple[str, ...]) -> None:
    """PostgreSQL: a batch's UPDATEs as one statement, from a temporary table the batch is
    copied into. One UPDATE per ticket was 0.24 ms each on the server in a mail import, a fifth
    of it the change feed's trigger, which fires once per statement (store/postgres/schema.py);
    the values as array parameters instead of a COPY cost the client 13-14 ms a batch of 500
    in psycopg's array dumper, against 3 ms."""
    if not updates:
        return
    names = ("id", *columns)
    types = ", ".join(f"{name} {'BIGINT' if name in _INTEGER_COLUMNS else 'TEXT'}" for name in names)
    conn.execute(f"CREATE TEMPORARY TABLE deskui_derived ({types}) ON COMMIT DROP")
    conn.copy_rows("deskui_derived", names, [tuple(update[name] for name in names) for update in updates])
    conn.execute(f"UPDATE tickets SET {', '.join(f'{name} = v.{name}' for name in columns)}, needs_triage = 0 "
                 "FROM deskui_derived v WHERE tickets.id = v.id")
    conn.execute("DROP TABLE deskui_derived")


# Every column triage writes (and needs_triage = 0); channel and created_at only when they moved.
_DERIVED = ("tier", "tier_rank", "category", "evidence", "awaiting_reply_since", "marketplace_waiting_since",
            "first_response_at", "created_at", "sla_due_at", "marketplace_due_at", "resolution_due_at", "due_at",
            "due_kind", "at_risk_at", "imminent_at", "sla_at_risk_at", "sla_imminent_at", "marketplace_at_risk_at",
            "marketplace_imminent_at", "resolution_at_risk_at", "resolution_imminent_at", "target_minutes", "channel",
            "updated_at")
_DERIVED_KEEPING = tuple(name for name in _DERIVED if name not in ("channel", "created_at"))
_INTEGER_COLUMNS = frozenset({"id", "tier_rank", "target_minutes"})
_UPDATE_DERIVED = (f"UPDATE tickets SET {', '.join(f'{name} = :{name}' for name in _DERIVED)}, needs_triage = 0 "
                   "WHERE id = :id")
_UPDATE_DERIVED_KEEPING = (f"UPDATE tickets SET {', '.join(f'{name} = :{name}' for name in _DERIVED_KEEPING)}, "
                           "needs_triage = 0 WHERE id = :id")


def _derive_batch(conn: sqlite3.Connection, policy: Policy, now: datetime, ids: list[int]) -> list[dict]:
    marks = ",".join("?" * len(ids))
    messages: dict[int, list[Message]] = defaultdict(list)
    tags: dict[int, list[str]] = defaultdict(list)
    events: dict[int, list[tuple[str, datetime | None]]] = defaultdict(list)
    tickets = conn.execute(
        f"SELECT id, channel, subject, status, created_at, first_response_at, paused_at FROM tickets WHERE id IN ({marks})",
        ids,
    ).fetchall()
    for row in conn.execute(
        # substr() of TEXT stops at a NUL, which hid the rest of another program's message from
        # triage: a body holding one is read as bytes, whole, and cleaned here.
        f"SELECT ticket_id, direction, sent_at, auto_ack, CASE WHEN instr(body, char(0)) THEN CAST(body AS BLOB) "
        f"ELSE substr(body, 1, {TRIAGE_BODY_CHARS}) END FROM messages WHERE ticket_id IN ({marks}) ORDER BY ticket_id, sent_at, id",
        ids,
    ):
        body = row[4] or ""
        if isinstance(body, bytes):
            body = store_text(body.decode("utf-8", "replace"))[:TRIAGE_BODY_CHARS]
        messages[row[0]].append(Message(row[1], from_db(row[2]), bool(row[3]), body))
    for ticket_id, tag in conn.execute(f"SELECT ticket_id, tag FROM tags WHERE ticket_id IN ({marks})", ids):
        tags[ticket_id].append(tag)
    for ticket_id, kind, at in conn.execute(
        f"SELECT ticket_id, kind, at FROM events WHERE ticket_id IN ({marks}) "
        # "+kind" keeps SQLite on events_ticket: the kind index would read every pause event
        # in the file for each batch.
        f"AND +kind IN ('pending', 'snoozed', 'resumed', 'solved', 'reopened') ORDER BY at, id",
        ids,
    ):
        events[ticket_id].append((kind, from_db(at)))
    updates = []
    for ticket in tickets:
        update = derive(policy, now, ticket, messages[ticket["id"]], tags[ticket["id"]], events[ticket["id"]])
        if update["channel"] == ticket["channel"] and update["created_at"] == ticket["created_at"]:
            del update["channel"], update["created_at"]  # unchanged: not written (_write_derived)
        updates.append(update)
    return updates


def record_event(conn: sqlite3.Connection, ticket_id: int, kind: str, agent: str | None, at: datetime, **detail) -> None:
    conn.execute(
        "INSERT INTO events (ticket_id, kind, agent, at, detail) VALUES (?, ?, ?, ?, ?)",
        (ticket_id, kind, agent, to_db(at), json.dumps(detail, ensure_ascii=False) if detail else None),
    )


def _stop_clocks(conn, ticket, kinds: Sequence[str], now: datetime, agent: str | None) -> None:
    """Store the outcome of each named clock running on the ticket, so reports need no replay,
    and the last response clock's outcome on the ticket, which is what it shows from then on."""
    columns = {"first_response": "sla_due_at", "next_response": "sla_due_at", "marketplace": "marketplace_due_at", "resolution": "resolution_due_at"}
    starts = {"first_response": "awaiting_reply_since", "next_response": "awaiting_reply_since", "marketplace": "marketplace_waiting_since", "resolution": "created_at"}
    for kind in kinds:
        due = from_db(ticket[columns[kind]])
        started = from_db(ticket[starts[kind]])
        if due is None or started is None:
            continue
        result, margin = sla.outcome(sla.SlaClock(kind, started, due, 0), now)
        conn.execute(
            "INSERT INTO sla_clocks (ticket_id, kind, tier, started_at, due_at, stopped_at, outcome, margin_minutes, agent) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ticket["id"], kind, ticket["tier"], to_db(started), to_db(due), to_db(now), result, margin, agent),
        )
        if kind in RESPONSE_KINDS:
            conn.execute("UPDATE tickets SET response_outcome = ? WHERE id = ?", (result, ticket["id"]))


def sync_response_outcomes(conn: sqlite3.Connection) -> None:
    """Copy each ticket's last stopped response clock from ``sla_clocks`` onto the ticket, for
    programs (the demo) that write the clocks' history themselves."""
    with write(conn):
        conn.execute(
            "UPDATE tickets SET response_outcome = (SELECT c.outcome FROM sla_clocks c WHERE c.ticket_id = tickets.id "
            "AND c.kind IN ('first_response', 'next_response') ORDER BY c.stopped_at DESC, c.id DESC LIMIT 1) "
            "WHERE id IN (SELECT ticket_id FROM sla_clocks)"
        )


def add_reply(
    conn: sqlite3.Connection,
    policy: Policy,
    clock: Clock,
    ticket_id: int,
    agent: str,
    body: str,
    *,
    auto_ack: bool = False,
    to_address: str | None = None,
    subject: str | None = None,
    draft_of: str | None = None,
    send_key: str | None = None,
) -> int:
    """Send a reply: the message, its outbox row, the clocks' outcomes, the event, and with
    ``draft_of`` the deletion of that agent's draft, all in one transaction: a draft never
    outlives its own send. Returns the message id. A ``send_key`` already used on this ticket
    sends nothing and returns the reply sent with it, so pressing send twice sends once. An
    automatic acknowledgement stops only the marketplace clock."""
    now = clock.now()
    with write(conn):
        if draft_of is not None:
            conn.execute("DELETE FROM drafts WHERE ticket_id = ? AND agent = ?", (ticket_id, draft_of))
        if send_key is not None:
            sent = conn.execute(
                # CAST: PostgreSQL's json_extract (compat.py) answers text, SQLite's the number itself.
                "SELECT CAST(json_extract(detail, '$.message_id') AS INTEGER) FROM events WHERE ticket_id = ? AND kind = 'replied' "
                "AND json_extract(detail, '$.send_key') = ?", (ticket_id, send_key)).fetchone()
            if sent is not None:
                return sent[0]
        ticket = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        if ticket is None:
            raise LookupError(f"no ticket {ticket_id}")
        stopped = ["marketplace"] if ticket["marketplace_due_at"] else []
        if not auto_ack and ticket["sla_due_at"]:
            stopped.append("first_response" if ticket["first_response_at"] is None else "next_response")
        _stop_clocks(conn, ticket, stopped, now, agent)
        message_id = conn.execute(
            "INSERT INTO messages (ticket_id, direction, author, body, sent_at, auto_ack) VALUES (?, 'out', ?, ?, ?, ?)",
            (ticket_id, agent, body, to_db(now), int(auto_ack)),
        ).lastrowid
        conn.execute(
            "INSERT INTO outbox (ticket_id, message_id, channel, to_address, subject, body, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (ticket_id, message_id, ticket["channel"], to_address, subject or f"Re: {ticket['subject']}", body, to_db(now), to_db(now)),
        )
        if not auto_ack and ticket["first_response_at"] is None:
            conn.execute("UPDATE tickets SET first_response_at = ? WHERE id = ?", (to_db(now), ticket_id))
        record_event(conn, ticket_id, "replied", agent, now, message_id=message_id, auto_ack=auto_ack,
                     **({"send_key": send_key} if send_key is not None else {}))
        refresh_tickets(conn, policy, now, [ticket_id])
    return message_id


def set_status(
    conn: sqlite3.Connection,
    policy: Policy,
    clock: Clock,
    ticket_id: int,
    status: str,
    agent: str | None,
    *,
    snoozed_until: datetime | None = None,
) -> None:
    """Move a ticket to open / pending / snoozed / solved, pausing or resuming its clocks."""
    if status not in ("open", "pending", "snoozed", "solved"):
        raise ValueError(f"unknown status {status!r}")
    now = clock.now()
    with write(conn):
        ticket = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        if ticket is None:
            raise LookupError(f"no ticket {ticket_id}")
        write_status(conn, ticket, status, agent, now, snoozed_until)
        refresh_tickets(conn, policy, now, [ticket_id])


def write_status(conn: sqlite3.Connection, ticket: sqlite3.Row, status: str, agent: str | None, now: datetime,
                 snoozed_until: datetime | None = None, **detail) -> None:
    """The status change and its event, inside the caller's transaction; the caller re-derives
    the ticket (one ticket, or a whole batch at once). A pause that starts while one runs keeps
    the first one's start: the countdown stays frozen where it stopped."""
    previous = ticket["status"]
    if status == "solved":
        _stop_clocks(conn, ticket, ["resolution"], now, agent)
        kind = "solved"
    elif status in PAUSE_START:
        kind = status
    else:
        kind = "reopened" if previous == "solved" else "resumed"
    paused = status in PAUSE_START
    conn.execute(
        "UPDATE tickets SET status = ?, paused_at = CASE WHEN ? THEN coalesce(paused_at, ?) END, snoozed_until = ?, "
        "solved_at = ? WHERE id = ?",
        (status, paused, to_db(now), to_db(snoozed_until) if status == "snoozed" else None,
         to_db(now) if status == "solved" else None, ticket["id"]))
    until = {"until": to_db(snoozed_until)} if status == "snoozed" and snoozed_until else {}
    record_event(conn, ticket["id"], kind, agent, now, previous=previous, **until, **detail)


def claim(conn: sqlite3.Connection, clock: Clock, ticket_id: int, agent: str, *, force: bool = False) -> str | None:
    """Take a ticket. Atomic: of two agents claiming at once exactly one wins. Returns None on
    success, or the name of the agent who holds it."""
    now = clock.now()
    with write(conn):
        condition = "" if force else " AND (assignee IS NULL OR assignee = ?)"
        params = (agent, to_db(now), ticket_id) + (() if force else (agent,))
        changed = conn.execute(f"UPDATE tickets SET assignee = ?, updated_at = ? WHERE id = ?{condition}", params).rowcount
        if changed:
            record_event(conn, ticket_id, "claimed" if not force else "assigned", agent, now)
            return None
        row = conn.execute("SELECT assignee FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise LookupError(f"no ticket {ticket_id}")
        return row[0]


def wake_snoozed(conn: sqlite3.Connection, policy: Policy, clock: Clock) -> int:
    """Reopen snoozed tickets whose time has come; returns how many."""
    now = to_db(clock.now())
    ids = [row[0] for row in conn.execute("SELECT id FROM tickets WHERE status = 'snoozed' AND snoozed_until <= ?", (now,))]
    for ticket_id in ids:
        set_status(conn, policy, clock, ticket_id, "open", None)
    return len(ids)
