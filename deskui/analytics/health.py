"""The account-health check-up (seed 002): spikes, reactivity, drill-downs, Amazon metric
estimates and a review sample, as one JSON-serialisable dict.

Each section is one or two reads of ``deskui.store.health`` / ``deskui.store.metrics`` over an
indexed time range (tickets.created_at, sla_clocks.stopped_at, events.kind/at, the inbox's
due-time index) or one pass over orders, with counts and sums done in SQL there. The only Python loop over rows is the one over the window's stopped
clocks, for exact medians (``metrics.clock_pass``); none ever reads a whole table. Definitions:
docs/health.md and ``metrics.py``.

The sections live by subject in ``health_terms`` (categories, groups, the window),
``health_sections`` (spikes, response times), ``health_drilldowns``, ``amazon_estimates`` and
``health_sample``; their names are re-exported here.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, tzinfo

from deskui.analytics import health_worker, metrics as m
from deskui.analytics.amazon_estimates import (  # noqa: F401  (re-exported)
    LSR_DAYS, LSR_MAX, LSR_SHORT_DAYS, ODR_DAYS, ODR_MAX, VTR_DAYS, VTR_MIN, _account_health, _order_counts, _rate,
)
from deskui.analytics.health_drilldowns import _by_agent, _by_channel, _by_product
from deskui.analytics.health_sample import _sample, default_seed  # noqa: F401  (re-exported)
from deskui.analytics.health_sections import (  # noqa: F401  (re-exported)
    _attainment_section, _business_section, _spikes, _timing_section, _waiting_now,
)
from deskui.analytics.health_terms import (  # noqa: F401  (re-exported)
    DEFECT_CATEGORIES, GROUPS, HIGH_RISK_CATEGORIES, HIGH_RISK_TAGS, IMPACT, METRICS, UNCATEGORISED, UTC, WEEKDAYS,
    _OTHER_IMPACT, _Window,
)
from deskui.policy.model import Policy
from deskui.store import health as reads
from deskui.store.db import connection_target
from deskui.timeutil import to_db


def health_check(
    conn: sqlite3.Connection,
    policy: Policy,
    now: datetime,
    *,
    days: int = 28,
    channel: str | None = None,
    sample_size: int = 10,
    seed: int | None = None,
    parallel: bool = True,
    zone: tzinfo = UTC,
) -> dict:
    """The check-up as a JSON-serialisable dict; top-level keys ``generated_at``, ``window``,
    ``spikes``, ``response_times``, ``drilldowns``, ``account_health``, ``sample``.

    ``now`` is the end of every window (the one source of time: pass ``clock.now()``). With
    ``parallel`` (the default) the aggregate sections run in a second process reading the same
    database (``health_worker``) while this one reads the clocks; the answer is the same either
    way. Days (today, per day, per weekday) are calendar days in ``zone``, the seller's."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if days < 1:
        raise ValueError("days must be at least 1")
    if sample_size < 0:
        raise ValueError("sample_size must not be negative")
    with m.no_gc(), reads.mapped_reads(conn):
        return _health_check(conn, policy, now.astimezone(UTC).replace(microsecond=0), days,
                             channel.strip().lower() if channel else None, sample_size, seed, parallel, zone)


def _health_check(conn: sqlite3.Connection, policy: Policy, now: datetime, days: int, channel: str | None,
                  sample_size: int, seed: int | None, parallel: bool, zone: tzinfo) -> dict:
    window = _Window(now, days, zone)

    target = connection_target(conn) if parallel else None
    worker = health_worker.start(target, now=now, days=days, zone=zone, channel=channel) if target else None
    try:
        clocks = m.clock_pass(conn, window.query_start, now, window.start, channel=channel, days=window.days,
                              policy=policy, unstopped=False)
        times = _timings(clocks, window, policy)
        # Read here while the worker still runs, so the two end together (demo100k, 2026-12-04:
        # the clocks done at 0.80 s, the worker's answer at 0.96 s with these two in it).
        waiting = _waiting_now(conn, now, channel)
        sample = _sample(conn, policy, window, channel, sample_size, seed)
    except BaseException:
        if worker:
            worker.stop()
        raise
    found = worker.result() if worker else None
    if found is None:
        found = _aggregates(conn, window=window, channel=channel)
    clocks.add(found["unstopped"])
    orders = found["orders"]
    return {
        "generated_at": to_db(now),
        "window": {"from": to_db(window.start), "to": to_db(now), "days": days, "channel": channel,
                   "dates": window.dates, "timezone": window.zone_name},
        "spikes": found["spikes"],
        "response_times": {
            **times,
            "attainment": _attainment_section(clocks, window),
            "waiting_now": waiting,
        },
        "drilldowns": {
            "by_channel": _by_channel(window, found["tickets"], clocks, orders),
            "by_product": found["by_product"],
            "by_agent": _by_agent(clocks),
        },
        "account_health": _account_health(orders, window, channel or "amazon"),
        "sample": sample,
    }


def _aggregates(connection: sqlite3.Connection, *, window: _Window, channel: str | None) -> dict:
    """The sections SQLite answers with small aggregates: the part a second process does."""
    now = window.now
    tickets = m.volumes(connection, now, window.query_start, channel=channel, fulfillment=True, days=window.days)
    return {
        "tickets": tickets,
        "spikes": _spikes(connection, window, channel, tickets),
        "orders": _order_counts(connection, window, channel, channel or "amazon"),
        "by_product": _by_product(connection, window, channel),
        "unstopped": dict(m.unstopped_counts(connection, window.start, now, channel, None, window.days)),
    }


def _timings(clocks: m.ClockPass, window: _Window, policy: Policy) -> dict:
    """The sections that need only the stopped clocks (no attainment): built while the
    aggregates still run."""
    return {
        "first_response": _timing_section(clocks.frt, window, flags=True),
        "first_response_business_hours": _business_section(clocks.frt_business, window, policy),
        "handle_time": {**_timing_section(clocks.aht, window, flags=False), "no_recent_take": clocks.aht.no_recent_take},
    }


