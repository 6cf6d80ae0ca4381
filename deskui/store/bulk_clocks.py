"""Status and tier changes on many tickets at once, re-deriving only what they move.

A status change moves a ticket's clocks (a pause, a resolution), a tag its tier; neither moves its
messages, so the instants the clocks start from are read back from the row ``derive`` wrote and
``derive.derive_clocks`` recomputes the rest, with no message text read and no triage: what made
bulk pending or snooze on 10,000 tickets take seconds. Each step is one statement over all the
tickets (``executemany``), in the caller's transaction. A ticket whose row is not derived yet
(``needs_triage``) or whose tier the policy no longer has goes through the full
``refresh_tickets`` instead, so the result is always what a full derive gives.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from deskui import sla
from deskui.derive import PAUSE_START, Message, derive_clocks, tier_from_evidence
from deskui.policy.model import Policy
from deskui.store.tickets import refresh_tickets
from deskui.timeutil import from_db, to_db

CHUNK = 500  # ids per "IN (...)"
# What a bulk action reads of each ticket: its status and everything a clocks-only derive starts from.
TICKET_COLUMNS = ("id, status, assignee, paused_at, snoozed_until, tier, channel, created_at, first_response_at, "
                  "awaiting_reply_since, marketplace_waiting_since, resolution_due_at, solved_at, needs_triage, evidence")

_CLOCK_COLUMNS = ("tier", "tier_rank", "marketplace_waiting_since", "due_kind", "target_minutes", "updated_at", "due_at",
                  "at_risk_at", "imminent_at", "sla_due_at", "sla_at_risk_at", "sla_imminent_at", "marketplace_due_at",
                  "marketplace_at_risk_at", "marketplace_imminent_at", "resolution_due_at", "resolution_at_risk_at",
                  "resolution_imminent_at")
_STATUS_COLUMNS = ("status", "paused_at", "snoozed_until", "solved_at")
# What a resolve keeps in its event of the clocks it empties, so its undo puts them back without a
# re-derive: the clock columns, and the instants they were derived from (if any moved since, say a
# reply on the solved ticket, the undo re-derives instead).
SAVED_CLOCKS = tuple(column for column in _CLOCK_COLUMNS if column != "updated_at")
_CLOCK_INPUTS = ("tier", "created_at", "first_response_at", "awaiting_reply_since")
_READ_COLUMNS = TICKET_COLUMNS + ", " + ", ".join(
    column for column in SAVED_CLOCKS if column not in TICKET_COLUMNS.split(", "))
_NO_CLOCKS = ", ".join(f"{column} = NULL" for column in _CLOCK_COLUMNS[2:] if column != "updated_at")
_STATUS_SET = "status = :status, paused_at = :paused_at, snoozed_until = :snoozed_until, solved_at = :solved_at"


@dataclass
class StatusChange:
    ticket: sqlite3.Row  # TICKET_COLUMNS before the change
    status: str
    snoozed_until: datetime | None = None
    detail: dict = field(default_factory=dict)  # written into the event beside "previous"
    clocks: dict | None = None  # an undone resolve's saved clocks (``saved_clocks``), put back as they were


def saved_clocks(ticket) -> dict:
    """The clocks a resolve empties, and what they were derived from, for its event."""
    return {column: ticket[column] for column in SAVED_CLOCKS + _CLOCK_INPUTS[1:]}


def _restorable(change: StatusChange) -> bool:
    """An undone resolve whose ticket is still solved with the same tier and instants: derive would
    give it back exactly the clocks it had (a solve is no pause), so they are put back as saved."""
    ticket, clocks = change.ticket, change.clocks
    return (clocks is not None and ticket["status"] == "solved" and change.status not in PAUSE_START
            and all(ticket[column] == clocks.get(column) for column in _CLOCK_INPUTS))


def _update_tickets(conn: sqlite3.Connection, columns: Sequence[str], rows: Sequence[dict]) -> None:
    """``columns`` of each row's ticket set from the row, in one UPDATE ... FROM a temporary table:
    a third cheaper than an UPDATE per ticket, whose statement steps and name bindings 10,000
    times over are what is left once the change feed's trigger has run for each."""
    if not rows:
        return
    # Typed like tickets' own columns (PostgreSQL wants a type per column), and written in the
    # one UPDATE form both backends take: "SET a = r.a, ..." rather than "SET (a, ...) = (...)".
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS bulk_rows AS SELECT id, {', '.join(_STATUS_COLUMNS + _CLOCK_COLUMNS)} "
                 "FROM tickets WHERE 1 = 0")
    conn.executemany(f"INSERT INTO bulk_rows (id, {', '.join(columns)}) VALUES ({', '.join('?' * (len(columns) + 1))})",
                     [(row["id"], *(row[column] for column in columns)) for row in rows])
    conn.execute(f"UPDATE tickets SET {', '.join(f'{column} = r.{column}' for column in columns)} "
                 f"FROM bulk_rows r WHERE r.id = tickets.id")
    conn.execute("DELETE FROM bulk_rows")


def chunks(ids: Sequence[int]):
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start: start + CHUNK])


def read_tickets(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, sqlite3.Row]:
    found = {}
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {_READ_COLUMNS} FROM tickets WHERE id IN ({marks})", chunk):
            found[row["id"]] = row
    return found


def add_events(conn: sqlite3.Connection, rows: Iterable[tuple[int, str, str | None, datetime, dict]]) -> None:
    """Events as ``record_event`` writes them, in one statement. A batch's details mostly repeat
    (the same batch, the same tags added), so each distinct one is written to JSON once."""
    written: dict[str, str] = {}
    stamps: dict[datetime, str | None] = {}

    def as_json(detail: dict) -> str | None:
        if not detail:
            return None
        key = repr(detail)
        if key not in written:
            written[key] = json.dumps(detail, ensure_ascii=False)
        return written[key]

    def stamp(at: datetime) -> str | None:
        if at not in stamps:
            stamps[at] = to_db(at)
        return stamps[at]

    conn.executemany("INSERT INTO events (ticket_id, kind, agent, at, detail) VALUES (?, ?, ?, ?, ?)",
                     [(ticket_id, kind, agent, stamp(at), as_json(detail)) for ticket_id, kind, agent, at, detail in rows])


def _pause_events(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[tuple[str, datetime | None]]]:
    events: dict[int, list] = defaultdict(list)
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        for ticket_id, kind, at in conn.execute(
                f"SELECT ticket_id, kind, at FROM events WHERE ticket_id IN ({marks}) "
                f"AND +kind IN ('pending', 'snoozed', 'resumed', 'solved', 'reopened') ORDER BY at, id", chunk):
            events[ticket_id].append((kind, from_db(at)))
    return events


def _message_times(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[Message]]:
    """Messages without their text: enough for the marketplace clock of a ticket coming back from
    solved, whose row no longer holds when the buyer started waiting."""
    messages: dict[int, list[Message]] = defaultdict(list)
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        for ticket_id, direction, sent_at, auto_ack in conn.execute(
                f"SELECT ticket_id, direction, sent_at, auto_ack FROM messages WHERE ticket_id IN ({marks}) "
                f"ORDER BY ticket_id, sent_at, id", chunk):
            messages[ticket_id].append(Message(direction, from_db(sent_at), bool(auto_ack), ""))
    return messages


def tags_of(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for chunk in chunks(ids):
        marks = ",".join("?" * len(chunk))
        for ticket_id, tag in conn.execute(f"SELECT ticket_id, tag FROM tags WHERE ticket_id IN ({marks})", chunk):
            found[ticket_id].add(tag)
    return found


def _derived(policy: Policy, ticket) -> bool:
    return not ticket["needs_triage"] and ticket["tier"] in policy.tier_by_name and ticket["created_at"] is not None


def _event_kind(previous: str, status: str) -> str:
    if status == "solved" or status in PAUSE_START:
        return status
    return "reopened" if previous == "solved" else "resumed"


def write_statuses(conn: sqlite3.Connection, policy: Policy, now: datetime, changes: Sequence[StatusChange],
                   agent: str | None) -> None:
    """What ``tickets.write_status`` and ``refresh_tickets`` do for one ticket, for all of them:
    the resolution clock's outcome, the event, the status and the clocks it moves."""
    events, stopped = [], []
    for change in changes:
        ticket, previous = change.ticket, change.ticket["status"]
        until = {"until": to_db(change.snoozed_until)} if change.status == "snoozed" and change.snoozed_until else {}
        events.append((ticket["id"], _event_kind(previous, change.status), agent, now,
                       {"previous": previous, **until, **change.detail}))
        due, started = from_db(ticket["resolution_due_at"]), from_db(ticket["created_at"])
        if change.status == "solved" and due is not None and started is not None:
            result, margin = sla.outcome(sla.SlaClock("resolution", started, due, 0), now)
            stopped.append((ticket["id"], "resolution", ticket["tier"], to_db(started), to_db(due), to_db(now),
                            result, margin, agent))
    conn.executemany(
        "INSERT INTO sla_clocks (ticket_id, kind, tier, started_at, due_at, stopped_at, outcome, margin_minutes, agent) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", stopped)
    add_events(conn, events)
    pausing, solving, rederived, fallback, restored = defaultdict(list), [], [], [], []
    idle = _idle_pauses(policy, now)
    stamp = to_db(now)
    for change in changes:
        ticket = change.ticket
        if not _derived(policy, ticket):
            fallback.append(change)
        elif change.status in PAUSE_START and ticket["status"] != "solved":
            # An open pause moves no clock (derive counts closed pauses only; the screens freeze
            # the countdown at paused_at), so the row's clocks stay as they are.
            until = to_db(change.snoozed_until) if change.status == "snoozed" else None
            pausing[(change.status, until)].append(ticket["id"])
        elif change.status == "solved":
            solving.append(ticket["id"])  # a solved ticket runs no clock: derive empties them all
        elif _restorable(change):
            restored.append({**_status_values(change, now), **{column: change.clocks[column] for column in SAVED_CLOCKS},
                             "updated_at": stamp})
        elif ticket["status"] in PAUSE_START and idle(ticket):
            pausing[(change.status, None)].append(ticket["id"])  # resumed: the pause ends, no clock moves
        else:
            rederived.append(change)
    _update_tickets(conn, _STATUS_COLUMNS + _CLOCK_COLUMNS, restored)
    for (status, until), ids in pausing.items():
        pausing_now = status in PAUSE_START  # else resumed: the pause is over
        paused = "coalesce(paused_at, ?)" if pausing_now else "NULL"
        for chunk in chunks(ids):
            conn.execute(f"UPDATE tickets SET status = ?, paused_at = {paused}, snoozed_until = ?, "
                         f"solved_at = NULL, updated_at = ? WHERE id IN ({','.join('?' * len(chunk))})",
                         [status, *([stamp] if pausing_now else []), until, stamp, *chunk])
    for chunk in chunks(solving):
        conn.execute(f"UPDATE tickets SET status = 'solved', paused_at = NULL, snoozed_until = NULL, solved_at = ?, "
                     f"updated_at = ?, {_NO_CLOCKS} WHERE id IN ({','.join('?' * len(chunk))})", [stamp, stamp, *chunk])
    _rederive_statuses(conn, policy, now, rederived)
    conn.executemany(f"UPDATE tickets SET {_STATUS_SET} WHERE id = :id", [_status_values(change, now) for change in fallback])
    if fallback:
        refresh_tickets(conn, policy, now, [change.ticket["id"] for change in fallback])


def _idle_pauses(policy: Policy, now: datetime):
    """Whether a paused ticket's pause, ended now, holds no working time of its clocks' calendar
    (it began this very second, or it lies wholly in closed hours): then ending it moves none of
    the due times derive would push back (``sla._minus_pauses`` takes nothing out of the working
    intervals), so the ticket resumes with its clocks as they are, with no re-derive. That is an
    undo of a bulk pending or snooze, which used to re-derive all 10,000 tickets' clocks to find
    them where they were. Asked once per distinct (tier, channel, pause start)."""
    end = from_db(to_db(now))  # the resume event's instant, as derive reads it back
    seen: dict[tuple, bool] = {}

    def idle(ticket) -> bool:
        key = (ticket["tier"], ticket["channel"], ticket["paused_at"])
        if key not in seen:
            started = from_db(ticket["paused_at"])
            if started is None or started > end:
                seen[key] = False
            elif started == end:
                seen[key] = True
            else:
                calendar = policy.calendar_for(policy.tier(ticket["tier"]), (ticket["channel"] or "").strip().lower())
                seen[key] = sla.working_minutes_between(started, end, calendar) == 0
        return seen[key]

    return idle


def _status_values(change: StatusChange, now: datetime) -> dict:
    paused = change.status in PAUSE_START
    return {"id": change.ticket["id"], "status": change.status,
            "paused_at": (change.ticket["paused_at"] or to_db(now)) if paused else None,
            "snoozed_until": to_db(change.snoozed_until) if change.status == "snoozed" else None,
            "solved_at": to_db(now) if change.status == "solved" else None}


def _rederive_statuses(conn: sqlite3.Connection, policy: Policy, now: datetime, changes: Sequence[StatusChange]) -> None:
    """The changes that move clocks: a pause that ends (its time pushes the due times back) and a
    ticket coming back from solved (its clocks start again)."""
    if not changes:
        return
    pauses = _pause_events(conn, [change.ticket["id"] for change in changes])
    messages = _message_times(conn, [change.ticket["id"] for change in changes if change.ticket["status"] == "solved"])
    rows = []
    for change in changes:
        ticket = change.ticket
        values = _status_values(change, now)
        values.update(derive_clocks(policy, now, {**dict(ticket), "status": change.status}, pauses[ticket["id"]],
                                    messages=messages[ticket["id"]] if ticket["status"] == "solved" else None))
        rows.append(values)
    _update_tickets(conn, _STATUS_COLUMNS + _CLOCK_COLUMNS, rows)


def continue_pauses(conn: sqlite3.Connection, policy: Policy, now: datetime,
                    back: Sequence[tuple[sqlite3.Row, str, str | None, str | None, int]]) -> None:
    """Undo of a change that ended a pause (resume, resolve): the pause goes on from where it
    started, as if never ended. Each item is (the ticket now, the pause status it goes back to,
    its snoozed_until and paused_at before, the id of the event that ended the pause). That event
    is kept under another kind (``undone_resumed``), so the pause history reads as before and the
    clocks come out as they were; a new pause starting now would push them back by the minutes
    between the change and its undo."""
    conn.executemany("UPDATE events SET kind = 'undone_' || kind WHERE id = ?", [(item[4],) for item in back])
    ids = [ticket["id"] for ticket, *_ in back]
    pauses = _pause_events(conn, ids)
    messages = _message_times(conn, [ticket["id"] for ticket, *_ in back if ticket["status"] == "solved"])
    rows, fallback = [], []
    for ticket, status, until, paused_at, _ in back:
        values = {"id": ticket["id"], "status": status, "paused_at": paused_at or to_db(now),
                  "snoozed_until": until if status == "snoozed" else None, "solved_at": None}
        if _derived(policy, ticket):
            values.update(derive_clocks(policy, now, {**dict(ticket), "status": status}, pauses[ticket["id"]],
                                        messages=messages[ticket["id"]] if ticket["status"] == "solved" else None))
            rows.append(values)
        else:
            fallback.append(values)
    _update_tickets(conn, _STATUS_COLUMNS + _CLOCK_COLUMNS, rows)
    conn.executemany(f"UPDATE tickets SET {_STATUS_SET} WHERE id = :id", fallback)
    if fallback:
        refresh_tickets(conn, policy, now, [values["id"] for values in fallback])


def retier(conn: sqlite3.Connection, policy: Policy, now: datetime, before: dict[int, sqlite3.Row],
           ids: Sequence[int]) -> None:
    """After a tag change: each ticket's tier from its stored evidence and its tags now, and where
    the tier moved, its clocks over the new tier's targets."""
    tags = tags_of(conn, ids)
    moved, fallback = [], []
    for ticket_id in ids:
        ticket = before[ticket_id]
        if not _derived(policy, ticket):
            fallback.append(ticket_id)
            continue
        tier = tier_from_evidence(policy, ticket["channel"], ticket["evidence"], tags[ticket_id])
        if tier.name != ticket["tier"]:
            moved.append((ticket, tier))
    if moved:
        # A solved ticket runs no clock, so its emptied marketplace start is never read here.
        pauses = _pause_events(conn, [ticket["id"] for ticket, _ in moved])
        _update_tickets(conn, _CLOCK_COLUMNS, [derive_clocks(policy, now, ticket, pauses[ticket["id"]], tier)
                                               for ticket, tier in moved])
    if fallback:
        refresh_tickets(conn, policy, now, fallback)
