"""The board's numbers kept in memory and moved only by what changed.

Re-aggregating every open ticket costs ~300 ms at 100k. But a running clock's SLA state moves
with time only at three instants known in advance (at risk, imminent, breached), so the board
reads each open ticket once and keeps those instants in sorted lists. From then on:

- a change re-reads only the changed tickets, by id, and moves them between the lists;
- time passing is answered by bisecting the lists, O(tiers · log n), so the board recounts every
  second without reading the file;
- what still reads on a timer reads only what is new: events after the last one seen (who is
  active), the few rows of the next tickets to breach, and today's stopped clocks when the day turns.

The states are ``deskui.sla.Timer``'s: the instants are the ones triage stored on each ticket,
compared with "now" the same way. Tests hold an updated board to a freshly loaded one and its
matrix to every ticket's own ``Timer.state``; after the change feed overflows the board loads anew.
"""

from __future__ import annotations

import heapq
import sqlite3
import threading
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import chain, islice
from math import inf

from deskui.policy.model import Policy
from deskui.store.board import (
    ACTIVE_WINDOW,
    DEFAULT_HANDLE_MINUTES,
    AgentLoad,
    BoardData,
    Forecast,
    NextBreach,
    summarise_responses,
)
from deskui.sla import Timer
from deskui.timeutil import from_db, to_db

# Past this many changed tickets, rebuilding the sorted lists (one sort) beats moving each ticket
# (each move shifts a list of every open ticket).
BULK_CHANGE = 1_500
ID_CHUNK = 500  # ids per "WHERE id IN (...)"
RESPONSE_KINDS = ("first_response", "next_response")

_TICKET_COLUMNS = (
    "id, coalesce(tier, 'untriaged'), coalesce(tier_rank, -1), assignee, CAST(strftime('%s', created_at) AS INTEGER), "
    "CAST(strftime('%s', due_at) AS INTEGER), CAST(strftime('%s', imminent_at) AS INTEGER), "
    "CAST(strftime('%s', at_risk_at) AS INTEGER), CAST(strftime('%s', paused_at) AS INTEGER), response_outcome"
)
# Clocks stopped since the day started; both placeholders take the day's start.
_CLOCKS_TODAY = (
    "SELECT ticket_id, kind, (julianday(stopped_at) - julianday(started_at)) * 1440.0, outcome, due_at >= ?, "
    "coalesce(tier, '') "
    "FROM sla_clocks WHERE stopped_at >= ?"
)


class _Ticket:
    """One open ticket, reduced to what the board counts. ``due`` is set only while a clock
    runs; otherwise ``fixed`` holds the state, which no longer moves with time."""

    __slots__ = ("assignee", "at_risk_at", "created", "due", "fixed", "imminent_at", "rank", "tier")

    def __init__(self, tier: str, rank: int, assignee: str | None, created: int | None, due: int | None,
                 imminent_at: float, at_risk_at: float, fixed: str | None) -> None:
        self.tier, self.rank, self.assignee, self.created = tier, rank, assignee, created
        self.due, self.imminent_at, self.at_risk_at, self.fixed = due, imminent_at, at_risk_at, fixed

    @property
    def paused(self) -> bool:
        """Pending or snoozed (only a paused ticket is fixed as breached: its clock stopped late)."""
        return self.fixed in ("paused", "breached")


def _epoch(moment: datetime) -> int:
    # Stored times have whole seconds; comparing against a truncated "now" matches the SQL text
    # comparison ``due_at <= :now`` exactly.
    return int(moment.timestamp())


class LiveBoard:
    """The board's aggregates for one database. Thread-safe: a worker applies changes while the
    screen takes snapshots."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._lock = threading.Lock()
        self.tickets: dict[int, _Ticket] = {}
        self.rows_read = 0  # tickets read from the file so far: tests and benchmarks check it
        self.day_start: datetime | None = None
        self._clear_indexes()
        self._clocks_today: dict[int, list[tuple[str, float, str, bool, str]]] = {}  # kind, minutes, outcome, due today?, tier
        self._clock_summary: tuple[int, float | None, float | None, dict[str, float]] | None = None
        self._last_event_id = 0
        self._agent_seen: dict[str, int] = {}
        self._details: dict[int, NextBreach] = {}

    # -- reading -------------------------------------------------------------------------------

    def load(self, conn: sqlite3.Connection, now: datetime, day_start: datetime) -> None:
        """Read every open ticket once, today's stopped clocks, and the last hour's agents."""
        # One read transaction, so the events and tickets read agree with each other.
        conn.execute("BEGIN")
        try:
            last_event = conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
            seen = conn.execute(
                "SELECT agent, max(CAST(strftime('%s', at) AS INTEGER)) FROM events "
                "WHERE at >= ? AND id <= ? AND agent IS NOT NULL GROUP BY agent",
                (to_db(now - ACTIVE_WINDOW), last_event),
            ).fetchall()
            rows = conn.execute(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE status != 'solved'").fetchall()
            clocks = conn.execute(_CLOCKS_TODAY, (to_db(day_start),) * 2).fetchall()
        finally:
            conn.execute("COMMIT")
        with self._lock:
            self.tickets = {row[0]: self._ticket(row) for row in rows}
            self.rows_read += len(rows)
            self._rebuild_indexes()
            self._last_event_id = last_event
            self._agent_seen = {agent: at for agent, at in seen if at is not None}
            self._set_clocks(clocks, day_start, replace_all=True)
            self._details.clear()

    def apply(self, conn: sqlite3.Connection, ticket_ids: Iterable[int]) -> None:
        """Re-read the changed tickets (and their clocks stopped today), nothing else."""
        ids = sorted(set(ticket_ids))
        rows, clocks = [], []
        start = to_db(self.day_start) if self.day_start else None
        for offset in range(0, len(ids), ID_CHUNK):
            chunk = ids[offset: offset + ID_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows += conn.execute(
                f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id IN ({marks}) AND status != 'solved'", chunk
            ).fetchall()
            if start is not None:
                clocks += conn.execute(f"{_CLOCKS_TODAY} AND ticket_id IN ({marks})", (start, start, *chunk)).fetchall()
        fresh = {row[0]: self._ticket(row) for row in rows}
        new_events = self._read_events(conn)
        with self._lock:
            self.rows_read += len(rows)
            bulk = len(ids) > BULK_CHANGE
            for ticket_id in ids:
                old = self.tickets.pop(ticket_id, None)
                if old is not None and not bulk:
                    self._unindex(ticket_id, old)
                new = fresh.get(ticket_id)
                if new is not None:
                    self.tickets[ticket_id] = new
                    if not bulk:
                        self._index(ticket_id, new)
                self._details.pop(ticket_id, None)
                self._clocks_today.pop(ticket_id, None)
            if bulk:
                self._rebuild_indexes()
            if start is not None:
                self._set_clocks(clocks, self.day_start, replace_all=False)
            self._note_events(new_events)

    def catch_up_events(self, conn: sqlite3.Connection) -> None:
        """Agents who did something since we last looked (events are not in the change feed)."""
        new_events = self._read_events(conn)
        with self._lock:
            self._note_events(new_events)

    def load_day(self, conn: sqlite3.Connection, day_start: datetime) -> None:
        """A new day: today's clocks start from nothing, read once."""
        clocks = conn.execute(_CLOCKS_TODAY, (to_db(day_start),) * 2).fetchall()
        with self._lock:
            self._set_clocks(clocks, day_start, replace_all=True)

    def _read_events(self, conn: sqlite3.Connection) -> list[tuple[int, str | None, int | None]]:
        return conn.execute(
            "SELECT id, agent, CAST(strftime('%s', at) AS INTEGER) FROM events WHERE id > ? ORDER BY id",
            (self._last_event_id,),
        ).fetchall()

    def _note_events(self, events: list[tuple[int, str | None, int | None]]) -> None:
        for event_id, agent, at in events:
            self._last_event_id = max(self._last_event_id, event_id)
            if agent is not None and at is not None and at > self._agent_seen.get(agent, -1):
                self._agent_seen[agent] = at

    def _ticket(self, row: tuple) -> _Ticket:
        """The stored instants, as ``Timer.state`` reads them: a state holds from its instant on."""
        _, tier, rank, assignee, created, due, imminent_at, at_risk_at, paused, outcome = row
        if paused is not None:
            fixed = "breached" if due is not None and due <= paused else "paused"
            return _Ticket(tier, rank, assignee, created, None, inf, inf, fixed)
        if due is None:
            fixed = outcome if outcome in ("met", "missed") else "on_track"
            return _Ticket(tier, rank, assignee, created, None, inf, inf, fixed)
        # A row another program wrote may lack the instants (never at risk then) or hold them out
        # of order; clamping keeps breached within imminent within at risk, so the counts below
        # can be taken as differences of bisections.
        imminent = min(inf if imminent_at is None else imminent_at, due)
        at_risk = min(inf if at_risk_at is None else at_risk_at, imminent)
        return _Ticket(tier, rank, assignee, created, due, imminent, at_risk, None)

    def _set_clocks(self, clocks: list[tuple], day_start: datetime | None, *, replace_all: bool) -> None:
        if replace_all:
            self._clocks_today = {}
            self.day_start = day_start
        for ticket_id, kind, minutes, outcome, due_today, tier in clocks:
            self._clocks_today.setdefault(ticket_id, []).append((kind, minutes, outcome, bool(due_today), tier))
        self._clock_summary = None

    # -- the sorted lists ----------------------------------------------------------------------

    def _clear_indexes(self) -> None:
        self._running: dict[str, list[tuple[int, int]]] = {}  # tier -> sorted (due, id)
        self._imminent: dict[str, list[float]] = {}
        self._at_risk: dict[str, list[float]] = {}
        self._fixed: dict[str, Counter[str]] = {}
        self._size: Counter[str] = Counter()
        self._rank: dict[str, int] = {}
        self._agent_created: dict[str, list[int]] = {}
        self._agent_due: dict[str, list[int]] = {}
        self._agent_late: Counter[str] = Counter()  # paused after breaching: breached for good
        self._agent_paused: Counter[str] = Counter()  # pending or snoozed: held, not waiting on the agent

    def _rebuild_indexes(self) -> None:
        self._clear_indexes()
        for ticket_id, ticket in self.tickets.items():
            self._index(ticket_id, ticket, append=True)
        for lists in (self._running, self._imminent, self._at_risk, self._agent_created, self._agent_due):
            for values in lists.values():
                values.sort()

    def _index(self, ticket_id: int, ticket: _Ticket, *, append: bool = False) -> None:
        add = list.append if append else insort
        tier = ticket.tier
        self._size[tier] += 1
        self._rank.setdefault(tier, ticket.rank)
        if ticket.due is not None:
            add(self._running.setdefault(tier, []), (ticket.due, ticket_id))
            add(self._imminent.setdefault(tier, []), ticket.imminent_at)
            add(self._at_risk.setdefault(tier, []), ticket.at_risk_at)
        else:
            self._fixed.setdefault(tier, Counter())[ticket.fixed] += 1
        if ticket.assignee is not None:
            add(self._agent_created.setdefault(ticket.assignee, []), ticket.created if ticket.created is not None else 2**62)
            if ticket.due is not None:
                add(self._agent_due.setdefault(ticket.assignee, []), ticket.due)
            elif ticket.fixed == "breached":
                self._agent_late[ticket.assignee] += 1
            if ticket.paused:
                self._agent_paused[ticket.assignee] += 1

    def _unindex(self, ticket_id: int, ticket: _Ticket) -> None:
        tier = ticket.tier
        self._size[tier] -= 1
        if ticket.due is not None:
            _discard(self._running[tier], (ticket.due, ticket_id))
            _discard(self._imminent[tier], ticket.imminent_at)
            _discard(self._at_risk[tier], ticket.at_risk_at)
        else:
            self._fixed[tier][ticket.fixed] -= 1
        if ticket.assignee is not None:
            _discard(self._agent_created[ticket.assignee], ticket.created if ticket.created is not None else 2**62)
            if ticket.due is not None:
                _discard(self._agent_due[ticket.assignee], ticket.due)
            elif ticket.fixed == "breached":
                self._agent_late[ticket.assignee] -= 1
            if ticket.paused:
                self._agent_paused[ticket.assignee] -= 1

    # -- answering -----------------------------------------------------------------------------

    def matrix(self, now: datetime) -> dict[str, dict[str, int]]:
        with self._lock:
            return self._matrix(_epoch(now))

    def _matrix(self, now: int) -> dict[str, dict[str, int]]:
        matrix: dict[str, dict[str, int]] = {tier.name: {} for tier in sorted(self.policy.tiers, key=lambda t: t.rank)}
        for tier, size in self._size.items():
            if not size:
                continue
            counts = {state: count for state, count in self._fixed.get(tier, Counter()).items() if count}
            running = self._running.get(tier, [])
            breached = bisect_right(running, (now, inf))
            imminent = bisect_right(self._imminent.get(tier, []), now)  # instants at or before now
            at_risk = bisect_right(self._at_risk.get(tier, []), now)
            for state, count in (("breached", breached), ("imminent", imminent - breached),
                                 ("at_risk", at_risk - imminent), ("on_track", len(running) - at_risk)):
                if count:
                    counts[state] = counts.get(state, 0) + count
            matrix.setdefault(tier, {}).update(counts)
        return matrix

    def snapshot(self, conn: sqlite3.Connection, now: datetime, handle: dict[str, float], limit: int = 6) -> BoardData:
        """Everything the board shows at ``now``. ``conn`` reads the details of the next tickets
        to breach when they are not cached yet (a few rows by id)."""
        now_s = _epoch(now)
        with self._lock:
            agents = self._agents(now_s)
            active = sum(1 for load in agents if load.active)
            breaches, first_response, attainment, first_by_tier = self._clock_numbers()
            start_s = _epoch(self.day_start) if self.day_start else now_s
            running_today = sum(bisect_right(items, (now_s, inf)) - bisect_left(items, (start_s, -inf))
                                for items in self._running.values())
            next_ids = [ticket_id for _, ticket_id in heapq.nsmallest(limit, chain.from_iterable(
                _after(items, now_s, limit) for items in self._running.values()))]
            missing = [ticket_id for ticket_id in next_ids if ticket_id not in self._details]
            data = BoardData(
                next_breaches=[],
                matrix=self._matrix(now_s),
                breaches_today=breaches + running_today,
                agents=agents,
                handle_minutes=handle,
                forecasts=self._forecast(now_s, active, handle),
                active_agents=active,
                first_response_today=first_response,
                attainment_today=attainment,
                first_response_by_tier=first_by_tier,
            )
        if missing:
            self._read_details(conn, missing)
        # .get: a worker may drop a changed ticket's details meanwhile; it shows again next second
        data.next_breaches = [found for found in map(self._details.get, next_ids) if found is not None]
        return data

    def _read_details(self, conn: sqlite3.Connection, ids: list[int]) -> None:
        rows = conn.execute(
            f"SELECT id, tier, channel, subject, assignee, due_at, at_risk_at, imminent_at, paused_at FROM tickets "
            f"WHERE id IN ({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
        with self._lock:
            for r in rows:
                timer = Timer(from_db(r[5]), from_db(r[6]), from_db(r[7]), from_db(r[8]))
                self._details[r[0]] = NextBreach(r[0], r[1], r[2] or "", r[3] or "", r[4], timer)

    def _agents(self, now: int) -> list[AgentLoad]:
        active_since = now - int(ACTIVE_WINDOW.total_seconds())
        active = {agent for agent, at in self._agent_seen.items() if at >= active_since}
        loads = {}
        for agent, created in self._agent_created.items():
            if not created:
                continue
            oldest = created[0]
            loads[agent] = AgentLoad(
                agent, len(created), len(created) - self._agent_paused[agent],
                bisect_right(self._agent_due.get(agent, []), now) + self._agent_late[agent],
                datetime.fromtimestamp(oldest, UTC) if oldest < 2**62 else None, agent in active,
            )
        for agent in active - loads.keys():
            loads[agent] = AgentLoad(agent, 0, 0, 0, None, True)
        return sorted(loads.values(), key=lambda load: (-load.breached, -load.claimed, load.agent))

    def _clock_numbers(self) -> tuple[int, float | None, float | None, dict[str, float]]:
        if self._clock_summary is None:
            clocks = [clock for ticket_clocks in self._clocks_today.values() for clock in ticket_clocks]
            missed = sum(1 for kind, _, outcome, due_today, _ in clocks
                         if outcome == "missed" and kind != "marketplace" and due_today)
            responses = [(kind, minutes, outcome, tier) for kind, minutes, outcome, _, tier in clocks
                         if kind in RESPONSE_KINDS]
            self._clock_summary = (missed, *summarise_responses(responses))
        return self._clock_summary

    def _forecast(self, now: int, agents: int, handle: dict[str, float], horizons: tuple[int, ...] = (15, 60)) -> list[Forecast]:
        """The agents active now work the queue in inbox order (tier rank, then due time; tickets
        without a running clock last in their tier), each ticket taking its tier's measured
        median handle time. Tickets due within the horizon that no agent reaches in time breach.
        Only the head of the queue is simulated: agents can't get further than horizon / handle."""
        end = now + max(horizons) * 60
        saved: dict[str, list[int]] = {}  # tier -> due times of the tickets reached in time
        if agents > 0:
            shortest = max(min(handle.values(), default=DEFAULT_HANDLE_MINUTES), 0.5)
            budget = int(agents * max(horizons) / shortest) + agents
            free = [float(now)] * agents
            for tier in sorted(self._size, key=lambda name: (self._rank[name], name)):
                minutes = handle.get(tier, DEFAULT_HANDLE_MINUTES) * 60
                running = self._running.get(tier, [])
                queue = islice(running, bisect_right(running, (now, inf)), None)
                idle = self._size[tier] - len(running)
                for due, _ in chain(queue, ((None, None) for _ in range(idle))):
                    if budget <= 0:
                        break
                    budget -= 1
                    start = heapq.heappop(free)
                    if start >= end:
                        heapq.heappush(free, start)
                        budget = 0
                        break
                    finish = start + minutes
                    heapq.heappush(free, finish)
                    if due is not None and finish <= due:
                        saved.setdefault(tier, []).append(due)
                if budget <= 0:
                    break
        results = []
        for horizon in horizons:
            limit = now + horizon * 60
            by_tier: dict[str, int] = {}
            for tier, running in self._running.items():
                due_within = bisect_right(running, (limit, inf)) - bisect_right(running, (now, inf))
                count = due_within - sum(1 for due in saved.get(tier, ()) if due <= limit)
                if count:
                    by_tier[tier] = count
            results.append(Forecast(horizon, by_tier))
        return results


def _after(running: list[tuple[int, int]], now: int, limit: int) -> Iterable[tuple[int, int]]:
    """The first ``limit`` running clocks not yet due at ``now``."""
    start = bisect_right(running, (now, inf))
    return running[start: start + limit]


def _discard(values: list, value: object) -> None:
    index = bisect_left(values, value)
    if index < len(values) and values[index] == value:
        del values[index]

