"""Reads behind the support measures (``deskui.analytics.metrics``): the stopped response clocks
of a time range, the agents' takes, the marketplace deadline, running breaches and ticket volumes.

Each read is one indexed range (sla_clocks.stopped_at, events.kind/at, tickets.created_at, the
inbox's due-time index) with joins, filters and date arithmetic in SQL; rows come back as plain
tuples for analytics to group. A local date is an SQL expression the caller passes in
(``local_date``: ``LocalDays.sql``), so the seller's days are counted here without the store
knowing about zones.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime

from deskui.store.schema import SORT_DUE
from deskui.timeutil import to_db

LocalDate = Callable[[str], str]  # column name -> SQL expression of its local date
# Time order, ties broken in the order of the sla_clocks_stopped index, so SQLite walks the index
# instead of sorting the rows again by id (a temporary B-tree: 50 ms of 390 on the 100k demo file).
_STOPPED_INDEX_ORDER = "c.stopped_at, c.kind, c.outcome, c.tier, c.ticket_id, c.agent, c.started_at, c.id"
TAKE_KINDS = ("claimed", "assigned", "opened")


def query(conn: sqlite3.Connection, sql: str, params=()) -> sqlite3.Cursor:
    """Execute on a cursor of plain tuples, whatever the connection's row factory: the health
    check reads hundreds of thousands of rows and a tuple is the cheapest."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params)


def filters(channel: str | None, tier: str | None, *, channel_col: str, tier_col: str, params: dict) -> str:
    """`` AND col = :channel`` / `` AND col = :tier`` for the filters given (params filled in)."""
    sql = ""
    if channel:
        params["channel"] = channel.lower()
        sql += f" AND {channel_col} = :channel"
    if tier:
        params["tier"] = tier
        sql += f" AND {tier_col} = :tier"
    return sql


def clock_rows(conn: sqlite3.Connection, start: datetime, end: datetime, *, channel: str | None = None,
               tier: str | None = None, frt_by: str = "started", sep: str = "\x1f") -> Iterable[tuple]:
    """Response clocks stopped in [start, end], in time order: (first?, ticket id, stopped_at,
    the FRT's day column, agent, "agent SEP tier SEP channel SEP category", met?, julianday of the
    stop, julianday of the start for a first response that stopped after it started).
    A cursor, read row by row as the caller goes: the 110k rows of the check-up's window on the
    100k demo file were ~45 MB as one list, and the board's 7-day handle times ~24 MB."""
    params: dict = {"start": to_db(start), "end": to_db(end)}
    where = filters(channel, tier, channel_col="t.channel", tier_col="coalesce(c.tier, t.tier)", params=params)
    frt_at = "c.started_at" if frt_by == "started" else "c.stopped_at"
    joiner = f"char({ord(sep)})"
    return query(conn,
        f"""
        SELECT c.kind = 'first_response', c.ticket_id, c.stopped_at, {frt_at}, coalesce(c.agent, ''),
               coalesce(c.agent, '') || {joiner} || coalesce(c.tier, t.tier, '') || {joiner} || t.channel
                   || {joiner} || coalesce(t.category, ''),
               c.outcome = 'met',
               julianday(c.stopped_at),
               CASE WHEN c.kind = 'first_response' AND c.stopped_at >= c.started_at THEN julianday(c.started_at) END
        FROM sla_clocks c JOIN tickets t ON t.id = c.ticket_id
        WHERE c.stopped_at >= :start AND c.stopped_at <= :end
          AND c.kind IN ('first_response', 'next_response'){where}
        ORDER BY {_STOPPED_INDEX_ORDER}
        """,
        params,
    )


def take_rows(conn: sqlite3.Connection, start: datetime, end: datetime) -> Iterable[tuple[int, str, float]]:
    """(ticket id, agent, julianday) of every take (claimed, assigned, opened) in [start, end]."""
    kinds = ", ".join(f"'{kind}'" for kind in TAKE_KINDS)
    return query(conn,
        f"SELECT ticket_id, agent, julianday(at) FROM events WHERE kind IN ({kinds}) "
        f"AND at >= :start AND at <= :end AND agent IS NOT NULL",
        {"start": to_db(start), "end": to_db(end)},
    )


def marketplace_rows(conn: sqlite3.Connection, start: datetime, end: datetime, channel: str | None,
                     tier: str | None, local_date: LocalDate) -> list[tuple[str, int, int]]:
    """(local date, met, total) of the marketplace clocks (Amazon's 24 h) stopped in [start, end]."""
    params = {"start": to_db(start), "end": to_db(end)}
    where = filters(channel, tier, channel_col="t.channel", tier_col="coalesce(c.tier, t.tier)", params=params)
    join = " JOIN tickets t ON t.id = c.ticket_id" if where else ""
    return query(conn,
        f"SELECT {local_date('c.stopped_at')}, sum(c.outcome = 'met'), count(*) FROM sla_clocks c{join} "
        f"WHERE c.stopped_at >= :start AND c.stopped_at <= :end AND c.kind = 'marketplace'{where} GROUP BY 1",
        params,
    ).fetchall()


def running_breach_rows(conn: sqlite3.Connection, start: datetime, end: datetime, channel: str | None,
                        tier: str | None, local_date: LocalDate) -> tuple[list[tuple], list[tuple]]:
    """Open tickets whose internal or marketplace clock fell due in [start, end] and is not
    stopped: ([(kind, local date, agent, tier, channel, count)], [(local date, count)] of the
    marketplace clocks). Either clock past due means ``due_at`` (the earliest) is too, so open
    tickets are found with the inbox's due-time index; paused ones (pending, snoozed) apart."""
    params = {"start": to_db(start), "end": to_db(end)}
    where = filters(channel, tier, channel_col="channel", tier_col="tier", params=params)
    internal, marketplace = [], []
    for branch in (f"{SORT_DUE} <= :end AND status != 'solved'", "status IN ('pending', 'snoozed') AND status != 'solved'"):
        internal += query(conn,
            f"""
            SELECT CASE WHEN first_response_at IS NULL THEN 'first_response' ELSE 'next_response' END,
                   {local_date('sla_due_at')}, coalesce(assignee, ''), coalesce(tier, ''), channel, count(*)
            FROM tickets
            WHERE {branch} AND sla_due_at >= :start AND sla_due_at <= min(coalesce(paused_at, :end), :end){where}
            GROUP BY 1, 2, 3, 4, 5
            """,
            params,
        ).fetchall()
        marketplace += query(conn,
            f"SELECT {local_date('marketplace_due_at')}, count(*) FROM tickets WHERE {branch} "
            f"AND marketplace_due_at >= :start AND marketplace_due_at <= :end{where} GROUP BY 1",
            params,
        ).fetchall()
    return internal, marketplace


def volume_rows(conn: sqlite3.Connection, now: datetime, start: datetime, *, channel: str | None = None,
                fulfillment: bool = False, local_date: LocalDate | None = None) -> list[tuple]:
    """Tickets created in [start, now] counted per (category, channel, UTC date, "after now's time
    of day"[, fulfilment of the ticket's order][, local date]): one indexed range scan of
    tickets.created_at, grouped in SQL."""
    now_text = to_db(now)
    params = {"now": now_text, "start": to_db(start), "tod": now_text[11:]}
    where = filters(channel, None, channel_col="t.channel", tier_col="", params=params)
    extra, join = "", ""
    if fulfillment:
        extra = ", coalesce(upper(o.fulfillment), CASE WHEN o.id IS NULL THEN '-' ELSE '' END)"
        join = " LEFT JOIN orders o ON o.channel = t.channel AND o.order_number = t.order_number"
    local = f", {local_date('t.created_at')}" if local_date else ""
    groups = ", ".join(str(column) for column in range(1, 5 + bool(fulfillment) + bool(local)))
    return query(conn,
        f"""
        SELECT coalesce(t.category, ''), t.channel, substr(t.created_at, 1, 10), substr(t.created_at, 12) > :tod{extra}{local},
               count(*)
        FROM tickets t{join}
        WHERE t.created_at >= :start AND t.created_at <= :now{where}
        GROUP BY {groups}
        """,
        params,
    ).fetchall()


def recent_ticket_ids(conn: sqlite3.Connection, start: datetime, now: datetime, categories: Iterable[str], *,
                      channel: str | None = None, limit: int = 50) -> list[int]:
    """Tickets created in (start, now] in the given categories ('' = none), newest first."""
    categories = list(categories)
    if not categories:
        return []
    params: dict = {"start": to_db(start), "now": to_db(now), "limit": limit}
    marks = ", ".join(f":c{i}" for i in range(len(categories)))
    params.update({f"c{i}": category for i, category in enumerate(categories)})
    where = filters(channel, None, channel_col="channel", tier_col="", params=params)
    return [row[0] for row in query(conn,
        f"SELECT id FROM tickets WHERE created_at > :start AND created_at <= :now "
        f"AND coalesce(category, '') IN ({marks}){where} ORDER BY created_at DESC, id DESC LIMIT :limit",
        params,
    )]
