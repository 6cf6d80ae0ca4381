"""The lead's board: what breaches next, who holds what, and a breach forecast.

The forecast answers "if nothing changes, how many tickets breach in the next 15 / 60 minutes?":
the agents active now work the queue in inbox order (tier, then due time), each ticket taking
that tier's measured median handle time. Tickets due within the horizon that no agent reaches in
time breach. Only the head of the queue is simulated (agents can't get further than
horizon / handle time); everything due within the horizon is counted in SQL.
"""

from __future__ import annotations

import heapq
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from deskui.policy.model import Policy
from deskui.store.schema import SORT_DUE, SORT_RANK
from deskui.timeutil import from_db, to_db

DEFAULT_HANDLE_MINUTES = 8.0  # used for a tier with no measured history yet
ACTIVE_WINDOW = timedelta(minutes=60)  # an agent who did something in the last hour is on shift
HISTORY_WINDOW = timedelta(days=7)


@dataclass
class NextBreach:
    id: int
    tier: str | None
    channel: str
    subject: str
    assignee: str | None
    due_at: datetime | None
    target_minutes: int
    paused_at: datetime | None


@dataclass
class AgentLoad:
    agent: str
    claimed: int  # every unsolved ticket the agent holds
    open: int  # of those, the ones waiting on the agent (not pending or snoozed)
    breached: int
    oldest: datetime | None  # creation of the oldest ticket held
    active: bool  # did something in the last hour


@dataclass
class Forecast:
    horizon_minutes: int
    by_tier: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_tier.values())


@dataclass
class BoardData:
    next_breaches: list[NextBreach]
    matrix: dict[str, dict[str, int]]  # tier -> state -> count
    breaches_today: int
    agents: list[AgentLoad]
    handle_minutes: dict[str, float]
    forecasts: list[Forecast] = field(default_factory=list)
    active_agents: int = 0
    first_response_today: float | None = None  # median minutes, first responses sent today
    attainment_today: float | None = None  # % of response clocks stopped today that were met
    first_response_by_tier: dict[str, float] = field(default_factory=dict)  # median minutes today, per tier


def next_breaches(conn: sqlite3.Connection, now: datetime, limit: int = 6) -> list[NextBreach]:
    """Running clocks that end soonest and have not ended yet (breached ones are counted apart)."""
    rows = conn.execute(
        f"SELECT id, tier, channel, subject, assignee, due_at, target_minutes, paused_at FROM tickets "
        f"WHERE status != 'solved' AND {SORT_DUE} > ? AND {SORT_DUE} < '9999' ORDER BY {SORT_DUE}, id LIMIT ?",
        (to_db(now), limit),
    ).fetchall()
    return [NextBreach(r[0], r[1], r[2] or "", r[3] or "", r[4], from_db(r[5]), r[6] or 0, from_db(r[7])) for r in rows]


def state_matrix(conn: sqlite3.Connection, policy: Policy, now: datetime) -> dict[str, dict[str, int]]:
    """Open tickets per tier x SLA state, one aggregate query."""
    now_text = to_db(now)
    rows = conn.execute(
        """
        SELECT tier,
               CASE
                 WHEN due_at IS NOT NULL AND due_at <= coalesce(paused_at, :now) THEN 'breached'
                 WHEN paused_at IS NOT NULL THEN 'paused'
                 WHEN due_at IS NULL AND first_response_at IS NOT NULL THEN 'met'
                 WHEN due_at IS NULL THEN 'on_track'
                 WHEN (julianday(due_at) - julianday(:now)) * 1440.0 < coalesce(target_minutes, 1) * :imminent THEN 'imminent'
                 WHEN (julianday(due_at) - julianday(:now)) * 1440.0 < coalesce(target_minutes, 1) * :at_risk THEN 'at_risk'
                 ELSE 'on_track'
               END AS state,
               count(*)
        FROM tickets WHERE status != 'solved' GROUP BY 1, 2
        """,
        {"now": now_text, "imminent": policy.imminent_fraction, "at_risk": policy.at_risk_fraction},
    ).fetchall()
    matrix: dict[str, dict[str, int]] = {tier.name: {} for tier in sorted(policy.tiers, key=lambda t: t.rank)}
    for tier, state, count in rows:
        matrix.setdefault(tier or "untriaged", {})[state] = count
    return matrix


def breaches_today(conn: sqlite3.Connection, now: datetime, day_start: datetime) -> int:
    """Clocks missed since the start of the day: stopped late, or still running past due."""
    start, now_text = to_db(day_start), to_db(now)
    # Both counts are index range scans: stopped clocks by stopped_at, running ones by the
    # inbox's due expression (open tickets; a paused one was counted when it breached).
    stopped = conn.execute(
        "SELECT count(*) FROM sla_clocks WHERE stopped_at >= ? AND outcome = 'missed' AND kind != 'marketplace' AND due_at >= ?",
        (start, start),
    ).fetchone()[0]
    running = conn.execute(
        f"SELECT count(*) FROM tickets WHERE status != 'solved' AND {SORT_DUE} >= ? AND {SORT_DUE} <= ?", (start, now_text)
    ).fetchone()[0]
    return stopped + running


def agent_loads(conn: sqlite3.Connection, now: datetime) -> list[AgentLoad]:
    now_text = to_db(now)
    active = {row[0] for row in conn.execute(
        "SELECT DISTINCT agent FROM events WHERE at >= ? AND agent IS NOT NULL", (to_db(now - ACTIVE_WINDOW),))}
    loads = {
        row[0]: AgentLoad(row[0], row[1], row[2] or 0, row[3] or 0, from_db(row[4]), row[0] in active)
        for row in conn.execute(
            # Breached as the matrix counts it: a ticket paused before its due time is not.
            "SELECT assignee, count(*), sum(paused_at IS NULL), sum(due_at IS NOT NULL AND due_at <= coalesce(paused_at, ?)), "
            "min(created_at) "
            "FROM tickets WHERE status != 'solved' AND assignee IS NOT NULL GROUP BY assignee",
            (now_text,),
        )
    }
    for agent in active - loads.keys():
        loads[agent] = AgentLoad(agent, 0, 0, 0, None, True)
    return sorted(loads.values(), key=lambda load: (-load.breached, -load.claimed, load.agent))


def handle_minutes(conn: sqlite3.Connection, policy: Policy, now: datetime) -> dict[str, float]:
    """Median handle time per tier over the last 7 days, as the check-up defines it (an agent's
    take of a ticket to their first substantive reply after it), so board and check-up agree."""
    from deskui.analytics import metrics

    start = now - HISTORY_WINDOW
    per_tier = metrics.clock_pass(conn, start, now, start, need=frozenset({"aht"})).aht.dim("tier")
    return {tier.name: round(median(per_tier[tier.name]), 1) if per_tier.get(tier.name) else DEFAULT_HANDLE_MINUTES
            for tier in policy.tiers}


def forecast(conn: sqlite3.Connection, policy: Policy, now: datetime, agents: int, handle: dict[str, float],
             horizons: tuple[int, ...] = (15, 60)) -> list[Forecast]:
    longest = max(horizons)
    end = now + timedelta(minutes=longest)
    # Tickets that breach within the horizon if nobody reaches them in time.
    due_soon = conn.execute(
        f"SELECT id, tier, due_at FROM tickets WHERE status != 'solved' AND {SORT_DUE} > ? AND {SORT_DUE} <= ?",
        (to_db(now), to_db(end)),
    ).fetchall()
    saved: set[int] = set()
    if agents > 0:
        shortest = max(min(handle.values(), default=DEFAULT_HANDLE_MINUTES), 0.5)
        reachable = int(agents * longest / shortest) + agents
        free = [now] * agents
        heapq.heapify(free)
        for ticket_id, tier, due_text in conn.execute(
            f"SELECT id, tier, due_at FROM tickets WHERE status != 'solved' AND {SORT_DUE} > ? "
            f"ORDER BY {SORT_RANK}, {SORT_DUE}, id LIMIT ?",
            (to_db(now), reachable),
        ):
            start = heapq.heappop(free)
            if start >= end:
                break
            finish = start + timedelta(minutes=handle.get(tier or "", DEFAULT_HANDLE_MINUTES))
            heapq.heappush(free, finish)
            due = from_db(due_text)
            if due is not None and finish <= due:
                saved.add(ticket_id)
    results = []
    for horizon in horizons:
        limit = now + timedelta(minutes=horizon)
        by_tier: dict[str, int] = {}
        for ticket_id, tier, due_text in due_soon:
            due = from_db(due_text)
            if due is not None and due <= limit and ticket_id not in saved:
                by_tier[tier or "untriaged"] = by_tier.get(tier or "untriaged", 0) + 1
        results.append(Forecast(horizon, by_tier))
    return results


def response_today(conn: sqlite3.Connection, day_start: datetime) -> tuple[float | None, float | None, dict[str, float]]:
    """Median first response (minutes), % of response targets met, and the median first
    response per tier, over the clocks stopped today."""
    rows = conn.execute(
        "SELECT kind, (julianday(stopped_at) - julianday(started_at)) * 1440.0, outcome, coalesce(tier, '') "
        "FROM sla_clocks WHERE stopped_at >= ? AND kind IN ('first_response', 'next_response')",
        (to_db(day_start),),
    ).fetchall()
    return summarise_responses(rows)


def summarise_responses(rows) -> tuple[float | None, float | None, dict[str, float]]:
    """From (kind, minutes, outcome, tier) of response clocks: what ``response_today`` returns."""
    first = [(minutes, tier) for kind, minutes, _, tier in rows if kind == "first_response" and minutes is not None]
    met = sum(1 for _, _, outcome, _ in rows if outcome == "met")
    by_tier: dict[str, list[float]] = {}
    for minutes, tier in first:
        by_tier.setdefault(tier or "untriaged", []).append(minutes)
    return (
        round(median(minutes for minutes, _ in first), 1) if first else None,
        round(100.0 * met / len(rows), 1) if rows else None,
        {tier: round(median(values), 1) for tier, values in by_tier.items()},
    )


def board_data(conn: sqlite3.Connection, policy: Policy, now: datetime, day_start: datetime,
               handle: dict[str, float] | None = None) -> BoardData:
    """Everything the board shows. ``handle`` (per-tier handle minutes over 7 days) moves slowly
    and costs the most to measure, so the board passes a copy it refreshes every few minutes."""
    agents = agent_loads(conn, now)
    active = sum(1 for load in agents if load.active)
    handle = handle if handle is not None else handle_minutes(conn, policy, now)
    first_response, attainment, by_tier = response_today(conn, day_start)
    return BoardData(
        next_breaches=next_breaches(conn, now),
        matrix=state_matrix(conn, policy, now),
        breaches_today=breaches_today(conn, now, day_start),
        agents=agents,
        handle_minutes=handle,
        forecasts=forecast(conn, policy, now, active, handle),
        active_agents=active,
        first_response_today=first_response,
        attainment_today=attainment,
        first_response_by_tier=by_tier,
    )
