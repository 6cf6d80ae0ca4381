"""Reads behind the lead's alert rules (``deskui.analytics.alerts``): open tickets past due, the
longest wait, the least time left and the tickets with a missed response target.

Each is one small indexed query (the inbox's due-time index ``tickets_due``, whose expression is
``SORT_DUE``); open tickets that are paused (pending, snoozed) are read apart, frozen at their
pause.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from deskui.store.metrics import filters, query
from deskui.store.schema import SORT_DUE
from deskui.timeutil import to_db

REVERSED = {">": "<", ">=": "<=", "<": ">", "<=": ">="}


def _where(params: dict, channel: str | None, tier: str | None) -> str:
    return filters(channel, tier, channel_col="channel", tier_col="tier", params=params)


def breached_open(conn: sqlite3.Connection, now: datetime, channel: str | None, tier: str | None,
                  limit: int) -> tuple[int, list[int]]:
    """(how many unsolved tickets are past due, the first ``limit`` of them by due time)."""
    params = {"now": to_db(now)}
    where = _where(params, channel, tier)
    breached = (f"SELECT id, due_at FROM tickets WHERE status != 'solved' AND {SORT_DUE} <= :now{where} "
                f"UNION ALL SELECT id, due_at FROM tickets WHERE status IN ('pending', 'snoozed') "
                f"AND status != 'solved' AND due_at <= paused_at{where}")
    count = query(conn, f"SELECT count(*) FROM ({breached})", params).fetchone()[0]
    ids = [row[0] for row in query(conn, f"SELECT id FROM ({breached}) ORDER BY due_at, id LIMIT {int(limit)}", params)]
    return count, ids


def oldest_waiting(conn: sqlite3.Connection, channel: str | None, tier: str | None) -> str | None:
    """When the longest-waiting open ticket's unanswered buyer message came in (stored text)."""
    params: dict = {}
    where = _where(params, channel, tier)
    return query(conn,
        f"SELECT min(awaiting_reply_since) FROM tickets WHERE status = 'open' AND status != 'solved' "
        f"AND awaiting_reply_since IS NOT NULL{where}", params).fetchone()[0]


def waiting_ids(conn: sqlite3.Connection, op: str, bound: datetime, channel: str | None, tier: str | None,
                limit: int) -> list[int]:
    """Open tickets whose wait compares with ``op`` to the wait since ``bound``: a wait longer
    than ``bound``'s means waiting since before it, so the comparison of the times is reversed."""
    params = {"bound": to_db(bound)}
    where = _where(params, channel, tier)
    return [row[0] for row in query(conn,
        f"SELECT id FROM tickets WHERE status = 'open' AND status != 'solved' AND awaiting_reply_since {REVERSED[op]} :bound{where} "
        f"ORDER BY awaiting_reply_since, id LIMIT {int(limit)}", params)]


def missed_ticket_ids(conn: sqlite3.Connection, start: datetime, end: datetime, channel: str | None,
                      tier: str | None, limit: int) -> list[int]:
    """Tickets with a response target missed in [start, end]: stopped late, or still past due."""
    params = {"start": to_db(start), "end": to_db(end)}
    clock_where = filters(channel, tier, channel_col="t.channel", tier_col="coalesce(c.tier, t.tier)", params=params)
    open_where = _where(params, channel, tier)
    return [row[0] for row in query(conn,
        f"""
        SELECT c.ticket_id FROM sla_clocks c JOIN tickets t ON t.id = c.ticket_id
        WHERE c.stopped_at >= :start AND c.stopped_at <= :end AND c.kind IN ('first_response', 'next_response')
          AND c.outcome = 'missed'{clock_where}
        UNION
        SELECT id FROM tickets WHERE status != 'solved' AND sla_due_at >= :start
          AND sla_due_at <= min(coalesce(paused_at, :end), :end){open_where}
        ORDER BY 1 LIMIT {int(limit)}
        """, params)]


def next_due(conn: sqlite3.Connection, now: datetime, channel: str | None, tier: str | None) -> str | None:
    """The due time (stored text) of the running, not yet breached clock of an open, unpaused
    ticket that falls due first: the inbox's first countdown."""
    params = {"now": to_db(now)}
    first = query(conn, f"SELECT due_at {_running(params, channel, tier)} ORDER BY {SORT_DUE}, id LIMIT 1", params).fetchone()
    return first[0] if first else None


def running_ids(conn: sqlite3.Connection, now: datetime, op: str, bound: datetime, channel: str | None,
                tier: str | None, limit: int) -> list[int]:
    """Open, unpaused tickets not yet breached whose due time compares with ``op`` to ``bound``."""
    params = {"now": to_db(now), "bound": to_db(bound)}
    base = _running(params, channel, tier)
    return [row[0] for row in query(conn,
        f"SELECT id {base} AND {SORT_DUE} {op} :bound ORDER BY {SORT_DUE}, id LIMIT {int(limit)}", params)]


def _running(params: dict, channel: str | None, tier: str | None) -> str:
    # SORT_DUE is '9999' for paused (not open) and untimed tickets: the range keeps running clocks only.
    return f"FROM tickets WHERE status != 'solved' AND {SORT_DUE} > :now AND {SORT_DUE} < '9999'{_where(params, channel, tier)}"
