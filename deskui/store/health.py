"""Reads behind the account-health check-up (``deskui.analytics.health``): the products behind
spiking categories and defect tickets, orders sold, the Amazon order counts, who waits now and
the review sample's tickets.

Each read is one or two SQL statements over an indexed time range (tickets.created_at, the order
dates, the inbox's due-time index), counted and summed in SQL; rows come back as plain tuples.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from deskui.sla import BREACHED_SQL
from deskui.store.db import connect, is_url
from deskui.store.metrics import query
from deskui.timeutil import to_db


MMAP_BYTES = 1 << 30


@contextmanager
def mapped_reads(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Read the file through a memory map while the check-up runs: its range scans visit every
    page of the window, and each page read through SQLite's small page cache is a system call
    (on the 100k demo file 0.5 s of system time of 3.7 s). Restored afterwards."""
    usual = query(conn, "PRAGMA mmap_size").fetchone()[0]
    query(conn, f"PRAGMA mmap_size = {MMAP_BYTES}")
    try:
        yield conn
    finally:
        query(conn, f"PRAGMA mmap_size = {int(usual)}")


def reading_connection(target: str) -> sqlite3.Connection:
    """A connection for reading ``target`` (``store.db.connection_target``): an SQLite file read-only and
    through a memory map (``mapped_reads``), a PostgreSQL URL as it is."""
    if is_url(target):
        return connect(target)
    conn = connect(target, readonly=True)
    query(conn, f"PRAGMA mmap_size = {MMAP_BYTES}")
    return conn


def _channel(params: dict, channel: str | None, column: str) -> str:
    if not channel:
        return ""
    params["channel"] = channel
    return f" AND {column} = :channel"


def _marks(params: dict, prefix: str, values: Sequence) -> str:
    params.update({f"{prefix}{i}": value for i, value in enumerate(values)})
    return ", ".join(f":{prefix}{i}" for i in range(len(values)))


def spike_product_rows(conn: sqlite3.Connection, start: datetime, now: datetime, categories: Sequence[str],
                       channel: str | None) -> tuple[dict[str, int], list[tuple]]:
    """For tickets created in (start, now] in ``categories``: their count per category, and
    (category, asin, sku, title, tickets) per product on their orders, most tickets first."""
    params: dict = {"start": to_db(start), "now": to_db(now)}
    marks = _marks(params, "c", categories)
    where = _channel(params, channel, "t.channel")
    totals = dict(query(conn,
        f"SELECT coalesce(t.category, ''), count(*) FROM tickets t WHERE t.created_at > :start AND t.created_at <= :now "
        f"AND coalesce(t.category, '') IN ({marks}){where} GROUP BY 1", params))
    rows = query(conn,
        f"""
        SELECT coalesce(t.category, ''), min(nullif(oi.asin, '')), min(oi.sku), min(oi.title), count(DISTINCT t.id)
        FROM tickets t
        JOIN orders o ON o.channel = t.channel AND o.order_number = t.order_number
        JOIN order_items oi ON oi.order_id = o.id
        WHERE t.created_at > :start AND t.created_at <= :now AND coalesce(t.category, '') IN ({marks}){where}
        GROUP BY 1, coalesce(nullif(oi.asin, ''), 'sku:' || coalesce(oi.sku, ''))
        ORDER BY 1, 5 DESC, 2
        """,
        params,
    ).fetchall()
    return totals, rows


def waiting_row(conn: sqlite3.Connection, now: datetime, h12: datetime, h24: datetime,
                channel: str | None) -> tuple:
    """Over unsolved tickets: (open awaiting a reply, oldest wait start, waiting since h12 or
    earlier, since h24 or earlier, past due)."""
    params = {"now": to_db(now), "h12": to_db(h12), "h24": to_db(h24)}
    where = _channel(params, channel, "channel")
    return query(conn,
        f"""
        SELECT sum(status = 'open' AND awaiting_reply_since IS NOT NULL),
               min(CASE WHEN status = 'open' THEN awaiting_reply_since END),
               sum(status = 'open' AND awaiting_reply_since <= :h12),
               sum(status = 'open' AND awaiting_reply_since <= :h24),
               sum({BREACHED_SQL})
        FROM tickets WHERE status != 'solved'{where}
        """,
        params,
    ).fetchone()


def order_rows(conn: sqlite3.Connection, now: datetime, since: dict[str, datetime], account: str,
               channel: str | None) -> tuple[tuple, tuple, tuple, dict[tuple[str, str], int]]:
    """The order counts of the Amazon estimates for the ``account`` channel and the orders sold.
    ``since`` holds the start of each window: ``odr``, ``lsr``, ``lsr_short``, ``vtr``, ``win``.
    Returns (ODR: orders, defects, negative feedback, claims, chargebacks, FBA orders, FBA
    defects), (LSR: orders, late, short-window orders, short-window late), (VTR: shipped,
    tracked), and orders purchased since ``win`` per (channel, fulfilment)."""
    params = {"now": to_db(now), "account": account, **{name: to_db(moment) for name, moment in since.items()}}
    defect = "(feedback_rating IN (1, 2) OR coalesce(claim_status, '') != '' OR coalesce(chargeback, 0) != 0)"
    fba = "coalesce(upper(fulfillment), '') = 'FBA'"
    # ``+channel``: scan by date (an index on the date if there is one), not by the channel index.
    odr = query(conn,
        f"""
        SELECT count(*), sum({defect}), sum(feedback_rating IN (1, 2)), sum(coalesce(claim_status, '') != ''),
               sum(coalesce(chargeback, 0) != 0), sum({fba}), sum({fba} AND {defect})
        FROM orders WHERE +channel = :account AND purchased_at >= :odr AND purchased_at <= :now
        """, params).fetchone()
    late = "(shipped_at > ship_by OR (shipped_at IS NULL AND ship_by < :now))"
    lsr = query(conn,
        f"""
        SELECT count(*), sum({late}), sum(ship_by >= :lsr_short), sum(ship_by >= :lsr_short AND {late})
        FROM orders WHERE +channel = :account AND ship_by >= :lsr AND ship_by <= :now AND NOT {fba}
          AND coalesce(lower(status), '') NOT LIKE 'cancel%'
        """, params).fetchone()
    vtr = query(conn,
        f"""
        SELECT count(*), sum(trim(coalesce(tracking_number, '')) != '')
        FROM orders WHERE +channel = :account AND shipped_at >= :vtr AND shipped_at <= :now AND NOT {fba}
        """, params).fetchone()
    where = _channel(params, channel, "channel")
    sold = {(ch, f): count for ch, f, count in query(conn,
        f"SELECT lower(channel), coalesce(upper(fulfillment), ''), count(*) FROM orders "
        f"WHERE purchased_at >= :win AND purchased_at <= :now{where} GROUP BY 1, 2", params)}
    return odr, lsr, vtr, sold


def defect_product_rows(conn: sqlite3.Connection, start: datetime, now: datetime, categories: Sequence[str],
                        channel: str | None) -> list[tuple]:
    """Products on the orders of tickets created in [start, now] in ``categories``: (asin or
    None, sku when no asin, a sku, a title, category, tickets)."""
    params: dict = {"start": to_db(start), "now": to_db(now)}
    where = _channel(params, channel, "t.channel")
    marks = ", ".join(f"'{category}'" for category in categories)
    return query(conn,
        f"""
        SELECT nullif(oi.asin, ''), CASE WHEN nullif(oi.asin, '') IS NULL THEN oi.sku END, min(oi.sku), min(oi.title),
               t.category, count(DISTINCT t.id)
        FROM tickets t
        JOIN orders o ON o.channel = t.channel AND o.order_number = t.order_number
        JOIN order_items oi ON oi.order_id = o.id
        WHERE t.created_at >= :start AND t.created_at <= :now AND t.category IN ({marks}){where}
        GROUP BY 1, 2, 5
        """,
        params,
    ).fetchall()


def product_order_counts(conn: sqlite3.Connection, start: datetime, now: datetime, asins: Sequence[str],
                         skus: Sequence[str], channel: str | None) -> dict[str, int]:
    """Orders purchased in [start, now] holding each product: ``asin:A`` / ``sku:S`` -> count.
    The window's orders are the outer loop (CROSS JOIN fixes the order), so the cost follows the
    window, never a best-seller's whole history."""
    params: dict = {"start": to_db(start), "now": to_db(now)}
    asin_marks = _marks(params, "a", asins) or "NULL"
    sku_marks = _marks(params, "s", skus) or "NULL"
    where = _channel(params, channel, "o.channel")
    return dict(query(conn,
        f"""
        SELECT CASE WHEN nullif(oi.asin, '') IS NULL THEN 'sku:' || oi.sku ELSE 'asin:' || oi.asin END,
               count(DISTINCT o.id)
        FROM orders o CROSS JOIN order_items oi ON oi.order_id = o.id
        WHERE o.purchased_at >= :start AND o.purchased_at <= :now{where}
          AND (oi.asin IN ({asin_marks}) OR (nullif(oi.asin, '') IS NULL AND oi.sku IN ({sku_marks})))
        GROUP BY 1
        """,
        params,
    ))


def sample_population(conn: sqlite3.Connection, start: datetime, now: datetime, channel: str | None,
                      tiers: Sequence[str], categories: Sequence[str], tags: Sequence[str]) -> list[int]:
    """Ids of the tickets created in [start, now] in one of ``tiers`` or ``categories`` or with
    one of ``tags`` (compared trimmed, in lower case), in id order."""
    params: dict = {"start": to_db(start), "now": to_db(now)}
    where = _channel(params, channel, "channel")
    tier_marks = _marks(params, "tier", tiers)
    tag_list = ", ".join(f"'{tag}'" for tag in tags)
    category_list = ", ".join(f"'{category}'" for category in categories)
    return [row[0] for row in query(conn,
        f"""
        SELECT id FROM tickets
        WHERE created_at >= :start AND created_at <= :now{where}
          AND (tier IN ({tier_marks}) OR category IN ({category_list})
               OR id IN (SELECT ticket_id FROM tags WHERE lower(trim(tag)) IN ({tag_list})))
        ORDER BY id
        """,
        params,
    )]


def sample_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[str, list[tuple]]:
    """Everything the review sample shows of ``ids``: ``tags`` (ticket, tag), ``notes`` (ticket,
    author, body, sent_at), ``clocks`` (ticket, kind, started, stopped, outcome, margin, agent),
    ``messages`` (ticket, count of non-notes) and ``tickets`` (id, channel, subject, status,
    assignee, tier, category, order_number, created_at, first_response_at, solved_at, due_at)."""
    ids = list(ids)
    marks = ", ".join("?" * len(ids))
    return {
        "tags": query(conn, f"SELECT ticket_id, tag FROM tags WHERE ticket_id IN ({marks}) ORDER BY tag", ids).fetchall(),
        "notes": query(conn,
            f"SELECT ticket_id, author, body, sent_at FROM messages WHERE ticket_id IN ({marks}) AND direction = 'note' "
            f"ORDER BY ticket_id, sent_at, id", ids).fetchall(),
        "clocks": query(conn,
            f"SELECT ticket_id, kind, started_at, stopped_at, outcome, margin_minutes, agent FROM sla_clocks "
            f"WHERE ticket_id IN ({marks}) ORDER BY ticket_id, stopped_at, id", ids).fetchall(),
        "messages": query(conn,
            f"SELECT ticket_id, count(*) FROM messages WHERE ticket_id IN ({marks}) AND direction != 'note' GROUP BY 1",
            ids).fetchall(),
        "tickets": query(conn,
            f"SELECT id, channel, subject, status, assignee, tier, category, order_number, created_at, "
            f"first_response_at, solved_at, due_at FROM tickets WHERE id IN ({marks}) ORDER BY id", ids).fetchall(),
    }
