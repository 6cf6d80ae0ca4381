"""The board's numbers kept in memory and moved only by what changed.

Re-aggregating every open ticket costs ~300 ms at 100k. But a running clock's SLA state moves
with time only at three instants known in advance (at risk, imminent, breached), so the board
reads each open ticket once and keeps those instants in sorted columns. From then on:

- a change re-reads only the changed tickets, by id, and moves them between the columns;
- time passing is answered by bisecting the columns, O(tiers · log n), so the board recounts every
  second without reading the file;
- what still reads on a timer reads only what is new: events after the last one seen (who is
  active), the few rows of the next tickets to breach, and today's stopped clocks when the day turns.

Nothing is held as a Python object per ticket: every open ticket is one slot in typed ``array``
columns sorted by id (what the board must forget when it changes: tier, assignee, created, its
three instants, its fixed state), and each tier and agent keeps sorted ``array`` columns of those
instants. Times are whole seconds from ``EPOCH`` in 32 bits (1952-2088; other programs' odd years
are clamped to those ends, which keeps every comparison with "now"): about 70 bytes an open ticket
in all (a test measures it), where a ``_Ticket`` object with its dict entry and tuples took ~380.

The states are ``deskui.sla.Timer``'s: the instants are the ones triage stored on each ticket,
compared with "now" the same way. Tests hold an updated board to a freshly loaded one and its
matrix to every ticket's own ``Timer.state``; after the change feed overflows the board loads anew.
"""

from __future__ import annotations

import heapq
import sqlite3
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from operator import and_
from itertools import chain, compress, islice

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
from deskui.sla import STATE_SQL, Timer
from deskui.timeutil import from_db, to_db

# Past this many changed tickets, rebuilding the sorted columns (one sort) beats moving each
# ticket (each move shifts a column of every open ticket).
BULK_CHANGE = 1_500
ID_CHUNK = 500  # ids per "WHERE id IN (...)"
FETCH_ROWS = 4_096  # rows per fetchmany while loading: the rows are never all in memory at once
RESPONSE_KINDS = ("first_response", "next_response")

EPOCH = 1_577_836_800  # 2020-01-01 00:00 UTC: the board's times are seconds from here, in 32 bits
LOWEST, HIGHEST = -(2**31) + 1, 2**31 - 2
NEVER = 2**31 - 1  # no creation time (sorts after every real one)
DEAD = -1  # the tier of a slot whose ticket was solved (dropped at the next rebuild)

# A ticket with no running clock holds one of these states until it changes.
RUNNING, ON_TRACK, PAUSED, BREACHED, MET, MISSED = range(6)
FIXED_STATES = (None, "on_track", "paused", "breached", "met", "missed")


def _seconds_sql(column: str, *, unixepoch: bool = False) -> str:
    """Unix seconds of a stored time, NULL when it is no time. ``unixepoch`` (SQLite 3.38+) is
    the same number as ``strftime('%s')`` ("an integer, as CAST(strftime('%s', ...) AS INT)",
    SQLite's docs) and a third cheaper: at a million open tickets 0.8 s of CPU a column against
    1.2 s. PostgreSQL's compat functions have only strftime."""
    if unixepoch:
        return f"unixepoch({column})"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def _ticket_columns(*, unixepoch: bool) -> str:
    """What the board counts of a ticket; created only matters for an agent's oldest ticket."""
    def seconds(column: str) -> str:
        return _seconds_sql(column, unixepoch=unixepoch)

    return ("id, coalesce(tier, 'untriaged'), coalesce(tier_rank, -1), assignee, "
            f"CASE WHEN assignee IS NOT NULL THEN {seconds('created_at')} END, {seconds('due_at')}, "
            f"{seconds('imminent_at')}, {seconds('at_risk_at')}, {seconds('paused_at')}, response_outcome")


_TICKET_COLUMNS = {flag: _ticket_columns(unixepoch=flag) for flag in (False, True)}
_UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38)


def _slots_sql(conn: sqlite3.Connection, where: str) -> str:
    native = _UNIXEPOCH and isinstance(conn, sqlite3.Connection)  # not the PostgreSQL adapter
    return f"SELECT {_TICKET_COLUMNS[native]} FROM tickets WHERE {where} ORDER BY id"


def _seconds(unix: int) -> int:
    return LOWEST if unix - EPOCH < LOWEST else HIGHEST if unix - EPOCH > HIGHEST else unix - EPOCH


def _slot(row: tuple) -> tuple:
    """(id, tier, rank, assignee, created, fixed state, due, imminent, at risk) of a ticket row,
    the stored instants as ``Timer.state`` reads them (a state holds from its instant on); the
    instants are 0 when no clock runs."""
    ticket_id, tier, rank, assignee, created, due, imminent_at, at_risk_at, paused, outcome = row
    created = NEVER if created is None else _seconds(created)
    if paused is not None:
        fixed = BREACHED if due is not None and due <= paused else PAUSED
        return ticket_id, tier, rank, assignee, created, fixed, 0, 0, 0
    if due is None:
        fixed = MISSED if outcome == "missed" else MET if outcome == "met" else ON_TRACK
        return ticket_id, tier, rank, assignee, created, fixed, 0, 0, 0
    # A row another program wrote may lack the instants (never at risk then) or hold them out
    # of order; clamping keeps breached within imminent within at risk, so the counts can be
    # taken as differences of bisections.
    due = _seconds(due)
    imminent = due if imminent_at is None else min(_seconds(imminent_at), due)
    at_risk = imminent if at_risk_at is None else min(_seconds(at_risk_at), imminent)
    return ticket_id, tier, rank, assignee, created, RUNNING, due, imminent, at_risk


# Clocks stopped since the day started; both placeholders take the day's start.
_CLOCKS_TODAY = (
    "SELECT ticket_id, kind, (julianday(stopped_at) - julianday(started_at)) * 1440.0, outcome, due_at >= ?, "
    "coalesce(tier, '') "
    "FROM sla_clocks WHERE stopped_at >= ?"
)


def _epoch(moment: datetime) -> int:
    # Stored times have whole seconds; comparing against a truncated "now" matches the SQL text
    # comparison ``due_at <= :now`` exactly.
    return max(min(int(moment.timestamp()) - EPOCH, HIGHEST), LOWEST)


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds + EPOCH, UTC)


def _times() -> array:
    return array("i")


class _Tier:
    """One tier's open tickets: running clocks as (due, id) in two parallel columns sorted
    together, their imminent and at-risk instants each sorted on their own (only counted), and
    the tickets whose state no longer moves with time, counted by state."""

    __slots__ = ("at_risk", "due", "fixed", "ids", "imminent", "name", "rank", "size")

    def __init__(self, name: str, rank: int) -> None:
        self.name, self.rank, self.size = name, rank, 0
        self.due, self.ids, self.imminent, self.at_risk = _times(), array("q"), _times(), _times()
        self.fixed = [0] * len(FIXED_STATES)


class _Agent:
    __slots__ = ("created", "due", "late", "name", "paused")

    def __init__(self, name: str) -> None:
        self.name = name
        self.created, self.due = _times(), _times()  # sorted: creation of each ticket held, running dues
        self.late = 0  # paused after breaching: breached for good
        self.paused = 0  # pending or snoozed: held, not waiting on the agent


class _Open:
    """Every open ticket, one slot per ticket in columns sorted by id: what the board counted
    for it, so a change can take exactly that back out."""

    __slots__ = ("agent", "at_risk", "created", "due", "fixed", "ids", "imminent", "tier")

    def __init__(self) -> None:
        self.ids = array("q")
        self.tier, self.agent = array("i"), array("i")
        self.created, self.due, self.imminent, self.at_risk = _times(), _times(), _times(), _times()
        self.fixed = array("b")

    def __len__(self) -> int:
        return len(self.ids)

    def columns(self) -> tuple[array, ...]:
        return (self.ids, self.tier, self.agent, self.created, self.due, self.imminent, self.at_risk, self.fixed)

    def insert(self, slot: int, record: tuple) -> None:
        for column, value in zip(self.columns(), record):
            column.insert(slot, value)

    def put(self, slot: int, record: tuple) -> None:
        for column, value in zip(self.columns(), record):
            column[slot] = value

    def get(self, slot: int) -> tuple:
        return tuple(column[slot] for column in self.columns())

    def slot_of(self, ticket_id: int) -> tuple[int, bool]:
        """Where the ticket is (or goes), and whether that slot holds it already."""
        slot = bisect_left(self.ids, ticket_id)
        return slot, slot < len(self.ids) and self.ids[slot] == ticket_id


class LiveBoard:
    """The board's aggregates for one database. Thread-safe: a worker applies changes while the
    screen takes snapshots."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._lock = threading.Lock()
        self.rows_read = 0  # tickets read from the file so far: tests and benchmarks check it
        self.day_start: datetime | None = None
        self._tier_names: dict[str, int] = {}
        self._tiers: list[_Tier] = []
        self._agent_names: dict[str | None, int] = {None: -1}
        self._agents_by_code: list[_Agent] = []
        self._open = _Open()
        self._dead = 0
        self._clocks_today: dict[int, list[tuple[str, float, str, bool, str]]] = {}  # kind, minutes, outcome, due today?, tier
        self._clock_summary: tuple[int, float | None, float | None, dict[str, float]] | None = None
        self._last_event_id = 0
        self._agent_seen: dict[str, int] = {}
        self._details: dict[int, NextBreach] = {}

    @property
    def open_tickets(self) -> int:
        return len(self._open) - self._dead

    # -- reading -------------------------------------------------------------------------------

    def load(self, conn: sqlite3.Connection, now: datetime, day_start: datetime) -> None:
        """Read every open ticket once, today's stopped clocks, and the last hour's agents. The
        rows stream into the columns a few thousand at a time; the board answers from the old
        columns (or not at all, the first time) until the new ones are sorted."""
        fresh = LiveBoard(self.policy)
        # One read transaction, so the events and tickets read agree with each other.
        conn.execute("BEGIN")
        try:
            last_event = conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
            seen = conn.execute(
                f"SELECT agent, max({_seconds_sql('at')}) FROM events "
                "WHERE at >= ? AND id <= ? AND agent IS NOT NULL GROUP BY agent",
                (to_db(now - ACTIVE_WINDOW), last_event),
            ).fetchall()
            # On PostgreSQL a server-side cursor: the rows come FETCH_ROWS at a time, not all at once.
            stream = getattr(conn, "stream", None)
            sql = _slots_sql(conn, "status != 'solved'")
            cursor = stream(sql, rows=FETCH_ROWS) if stream is not None else conn.execute(sql)
            read = 0
            columns = fresh._open.columns()
            while rows := cursor.fetchmany(FETCH_ROWS):
                read += len(rows)
                # A batch goes into the columns at once: zip(*) transposes in C, and only the
                # tier and agent names are looked up, by map.
                ids, tiers, ranks, assignees, created, fixed, due, imminent, at_risk = zip(*map(_slot, rows))
                tier_codes, agent_codes = fresh._tier_codes(tiers, ranks), fresh._agent_codes(assignees)
                for column, values in zip(columns, (ids, tier_codes, agent_codes, created, due, imminent, at_risk, fixed)):
                    column.extend(values)
            cursor.close()
            clocks = conn.execute(_CLOCKS_TODAY, (to_db(day_start),) * 2).fetchall()
        finally:
            conn.execute("COMMIT")
        fresh._rebuild_indexes()
        with self._lock:
            self._tier_names, self._tiers = fresh._tier_names, fresh._tiers
            self._agent_names, self._agents_by_code = fresh._agent_names, fresh._agents_by_code
            self._open, self._dead = fresh._open, 0
            self.rows_read += read
            self._last_event_id = last_event
            self._agent_seen = {agent: _seconds(at) for agent, at in seen if at is not None}
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
            rows += conn.execute(_slots_sql(conn, f"id IN ({marks}) AND status != 'solved'"), chunk).fetchall()
            if start is not None:
                clocks += conn.execute(f"{_CLOCKS_TODAY} AND ticket_id IN ({marks})", (start, start, *chunk)).fetchall()
        fresh = {row[0]: _slot(row) for row in rows}
        new_events = self._read_events(conn)
        with self._lock:
            self.rows_read += len(rows)
            bulk = len(ids) > BULK_CHANGE
            table = self._open
            for ticket_id in ids:
                slot, held = table.slot_of(ticket_id)
                if held and table.tier[slot] != DEAD:
                    if not bulk:
                        self._unindex(table.get(slot))
                    table.tier[slot] = DEAD
                    self._dead += 1
                row = fresh.get(ticket_id)
                if row is not None:
                    record = self._record(row)
                    if held:
                        table.put(slot, record)
                        self._dead -= 1
                    else:
                        table.insert(slot, record)  # a new ticket: its id is the highest, so an append
                    if not bulk:
                        self._index(record)
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
            f"SELECT id, agent, {_seconds_sql('at')} FROM events WHERE id > ? ORDER BY id",
            (self._last_event_id,),
        ).fetchall()

    def _note_events(self, events: list[tuple[int, str | None, int | None]]) -> None:
        for event_id, agent, at in events:
            self._last_event_id = max(self._last_event_id, event_id)
            if agent is not None and at is not None and _seconds(at) > self._agent_seen.get(agent, LOWEST - 1):
                self._agent_seen[agent] = _seconds(at)

    def _record(self, row: tuple) -> tuple:
        """One ticket's slot: (id, tier, agent, created, due, imminent, at risk, fixed state)."""
        ticket_id, tier, rank, assignee, created, fixed, due, imminent, at_risk = row
        tier_code = self._tier_names.get(tier)
        if tier_code is None:
            (tier_code,) = self._tier_codes((tier,), (rank,))
        agent_code = self._agent_names.get(assignee)
        if agent_code is None:
            (agent_code,) = self._agent_codes((assignee,))
        return ticket_id, tier_code, agent_code, created, due, imminent, at_risk, fixed

    def _tier_codes(self, tiers: tuple[str, ...], ranks: tuple[int, ...]) -> Iterable[int]:
        codes = self._tier_names
        for name in set(tiers) - codes.keys():  # a tier's rank is its first ticket's
            codes[name] = len(self._tiers)
            self._tiers.append(_Tier(name, ranks[tiers.index(name)]))
        return map(codes.__getitem__, tiers)

    def _agent_codes(self, assignees: tuple[str | None, ...]) -> Iterable[int]:
        codes = self._agent_names  # None (unassigned) is -1
        for name in set(assignees) - codes.keys():
            codes[name] = len(self._agents_by_code)
            self._agents_by_code.append(_Agent(name))
        return map(codes.__getitem__, assignees)

    def _set_clocks(self, clocks: list[tuple], day_start: datetime | None, *, replace_all: bool) -> None:
        if replace_all:
            self._clocks_today = {}
            self.day_start = day_start
        for ticket_id, kind, minutes, outcome, due_today, tier in clocks:
            self._clocks_today.setdefault(ticket_id, []).append((kind, minutes, outcome, bool(due_today), tier))
        self._clock_summary = None

    # -- the sorted columns --------------------------------------------------------------------

    def _rebuild_indexes(self) -> None:
        """Every tier's and agent's columns from the open tickets, dropping solved slots. A
        tier's columns are picked out of the slot columns by ``compress`` and sorted one at a
        time (no per-ticket Python but for assigned tickets), so at most one column's worth of
        Python ints exists at once."""
        table = self._open
        if self._dead:
            alive = bytes(map((DEAD).__ne__, table.tier))
            kept = _Open()
            for column, old in zip(kept.columns(), table.columns()):
                column.extend(compress(old, alive))
            self._open, self._dead = kept, 0
            table = kept
        running = bytes(map((RUNNING).__eq__, table.fixed))  # 1 where a clock runs
        for code, tier in enumerate(self._tiers):
            in_tier = bytes(map(code.__eq__, table.tier))
            tier.size = in_tier.count(1)
            states = Counter(compress(table.fixed, in_tier))
            tier.fixed = [states.get(state, 0) if state != RUNNING else 0 for state in range(len(FIXED_STATES))]
            mask = bytes(map(and_, in_tier, running))
            due = array("i", compress(table.due, mask))
            # (due, id) sorted together: ids come in ascending order and the sort is stable, so
            # sorting the slots by due alone leaves equal dues in id order.
            order = sorted(range(len(due)), key=due.__getitem__)
            tier.due = array("i", map(due.__getitem__, order))
            tier.ids = array("q", map(array("q", compress(table.ids, mask)).__getitem__, order))
            del order, due
            tier.imminent = array("i", sorted(compress(table.imminent, mask)))
            tier.at_risk = array("i", sorted(compress(table.at_risk, mask)))
        for agent in self._agents_by_code:
            agent.created, agent.due, agent.late, agent.paused = [], [], 0, 0
        agents = self._agents_by_code
        assigned = bytes(map((0).__le__, table.agent))
        for code, created, due, fixed in compress(zip(table.agent, table.created, table.due, table.fixed), assigned):
            agent = agents[code]
            agent.created.append(created)
            if fixed == RUNNING:
                agent.due.append(due)
            elif fixed == BREACHED:
                agent.late += 1
            if fixed in (PAUSED, BREACHED):
                agent.paused += 1
        for agent in agents:
            agent.created = array("i", sorted(agent.created))
            agent.due = array("i", sorted(agent.due))

    def _index(self, record: tuple) -> None:
        ticket_id, tier_code, agent_code, created, due, imminent, at_risk, fixed = record
        tier = self._tiers[tier_code]
        tier.size += 1
        if fixed == RUNNING:
            low = bisect_left(tier.due, due)
            slot = bisect_left(tier.ids, ticket_id, low, bisect_right(tier.due, due, low))
            tier.due.insert(slot, due)
            tier.ids.insert(slot, ticket_id)
            _insort(tier.imminent, imminent)
            _insort(tier.at_risk, at_risk)
        else:
            tier.fixed[fixed] += 1
        if agent_code >= 0:
            agent = self._agents_by_code[agent_code]
            _insort(agent.created, created)
            if fixed == RUNNING:
                _insort(agent.due, due)
            elif fixed == BREACHED:
                agent.late += 1
            if fixed in (PAUSED, BREACHED):
                agent.paused += 1

    def _unindex(self, record: tuple) -> None:
        ticket_id, tier_code, agent_code, created, due, imminent, at_risk, fixed = record
        tier = self._tiers[tier_code]
        tier.size -= 1
        if fixed == RUNNING:
            low = bisect_left(tier.due, due)
            slot = bisect_left(tier.ids, ticket_id, low, bisect_right(tier.due, due, low))
            del tier.due[slot]
            del tier.ids[slot]
            _discard(tier.imminent, imminent)
            _discard(tier.at_risk, at_risk)
        else:
            tier.fixed[fixed] -= 1
        if agent_code >= 0:
            agent = self._agents_by_code[agent_code]
            _discard(agent.created, created)
            if fixed == RUNNING:
                _discard(agent.due, due)
            elif fixed == BREACHED:
                agent.late -= 1
            if fixed in (PAUSED, BREACHED):
                agent.paused -= 1

    # -- answering -----------------------------------------------------------------------------

    def matrix(self, now: datetime) -> dict[str, dict[str, int]]:
        with self._lock:
            return self._matrix(_epoch(now))

    def _matrix(self, now: int) -> dict[str, dict[str, int]]:
        matrix: dict[str, dict[str, int]] = {tier.name: {} for tier in sorted(self.policy.tiers, key=lambda t: t.rank)}
        for tier in self._tiers:
            if not tier.size:
                continue
            counts = {state: count for state, count in zip(FIXED_STATES, tier.fixed) if state and count}
            breached = bisect_right(tier.due, now)
            imminent = bisect_right(tier.imminent, now)  # instants at or before now
            at_risk = bisect_right(tier.at_risk, now)
            for state, count in (("breached", breached), ("imminent", imminent - breached),
                                 ("at_risk", at_risk - imminent), ("on_track", len(tier.due) - at_risk)):
                if count:
                    counts[state] = counts.get(state, 0) + count
            matrix.setdefault(tier.name, {}).update(counts)
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
            running_today = sum(bisect_right(tier.due, now_s) - bisect_left(tier.due, start_s) for tier in self._tiers)
            next_ids = [ticket_id for _, ticket_id in heapq.nsmallest(limit, chain.from_iterable(
                _after(tier, now_s, limit) for tier in self._tiers))]
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
        if missing and conn is not None:  # None: from memory only, the missing ones left out
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
        for agent in self._agents_by_code:
            created = agent.created
            if not created:
                continue
            oldest = created[0]
            loads[agent.name] = AgentLoad(
                agent.name, len(created), len(created) - agent.paused,
                bisect_right(agent.due, now) + agent.late,
                _moment(oldest) if oldest != NEVER else None, agent.name in active,
            )
        for name in active - loads.keys():
            loads[name] = AgentLoad(name, 0, 0, 0, None, True)
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
            for tier in sorted((tier for tier in self._tiers if tier.size), key=lambda tier: (tier.rank, tier.name)):
                minutes = handle.get(tier.name, DEFAULT_HANDLE_MINUTES) * 60
                queue = islice(tier.due, bisect_right(tier.due, now), None)
                idle = tier.size - len(tier.due)
                for due in chain(queue, (None for _ in range(idle))):
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
                        saved.setdefault(tier.name, []).append(due)
                if budget <= 0:
                    break
        results = []
        for horizon in horizons:
            limit = now + horizon * 60
            by_tier: dict[str, int] = {}
            for tier in self._tiers:
                due_within = bisect_right(tier.due, limit) - bisect_right(tier.due, now)
                count = due_within - sum(1 for due in saved.get(tier.name, ()) if due <= limit)
                if count:
                    by_tier[tier.name] = by_tier.get(tier.name, 0) + count
            results.append(Forecast(horizon, by_tier))
        return results


# The board's first look, counted by the database itself: what the first frame shows, before the
# columns above are built (a full read of every open ticket, ~9 s at a million). ``STATE_SQL`` is
# the inbox's counting rule, the SQL twin of ``Timer.state`` (tests/test_sla_truth.py holds them
# to each other); tests hold this look to a loaded board's snapshot at the same instant.
# Grouped by the tier alone, the index's order, with a count per state: GROUP BY tier, state sorted
# every open ticket in a temporary B-tree first (syn1m: 144 MB of RSS against 22 MB, no faster).
_LOOK_STATES = ("breached", "imminent", "at_risk", "on_track", "paused", "met", "missed")
_LOOK_MATRIX = ("SELECT tier, " + ", ".join(f"count(CASE WHEN state = '{state}' THEN 1 END)" for state in _LOOK_STATES)
                + f" FROM (SELECT tier, {STATE_SQL} AS state FROM tickets WHERE status != 'solved') AS open GROUP BY tier")
_LOOK_AGENTS = (f"SELECT assignee, count(*), count(paused_at), sum(CASE WHEN {STATE_SQL} = 'breached' THEN 1 ELSE 0 END), "
                "min(created_at) FROM tickets WHERE status != 'solved' AND assignee IS NOT NULL GROUP BY assignee")
_RUNNING_CLOCK = "status != 'solved' AND paused_at IS NULL AND due_at"  # the board's running clocks (by index)
_LOOK_DUE_TODAY = f"SELECT count(*) FROM tickets WHERE {_RUNNING_CLOCK} >= :start AND due_at <= :now"
_LOOK_NEXT = ("SELECT id, tier, channel, subject, assignee, due_at, at_risk_at, imminent_at, paused_at FROM tickets "
              f"WHERE {_RUNNING_CLOCK} > :now ORDER BY due_at, id LIMIT :limit")


def first_look(conn: sqlite3.Connection, policy: Policy, now: datetime, day_start: datetime,
               handle: dict[str, float], limit: int = 6) -> BoardData:
    """What the board shows at ``now``, aggregated in SQL (index scans, a few rows out), without
    the forecast, which needs the due times held in memory: the numbers the first frame paints
    while ``LiveBoard.load`` reads every open ticket behind it."""
    board = LiveBoard(policy)  # holds today's clocks and the active agents, as a loaded board does
    params = {"now": to_db(now), "start": to_db(day_start), "limit": limit}
    conn.execute("BEGIN")  # one read snapshot: the counts agree with each other
    try:
        counted = conn.execute(_LOOK_MATRIX, params).fetchall()
        held = conn.execute(_LOOK_AGENTS, params).fetchall()
        due_today = conn.execute(_LOOK_DUE_TODAY, params).fetchone()[0]
        upcoming = conn.execute(_LOOK_NEXT, params).fetchall()
        seen = conn.execute(
            f"SELECT agent, max({_seconds_sql('at')}) FROM events WHERE at >= ? AND agent IS NOT NULL GROUP BY agent",
            (to_db(now - ACTIVE_WINDOW),),
        ).fetchall()
        clocks = conn.execute(_CLOCKS_TODAY, (to_db(day_start),) * 2).fetchall()
    finally:
        conn.execute("COMMIT")
    matrix: dict[str, dict[str, int]] = {tier.name: {} for tier in sorted(policy.tiers, key=lambda t: t.rank)}
    for tier, *counts in sorted(counted, key=lambda row: (row[0] is None, row[0] or "")):
        states = matrix.setdefault(tier or "untriaged", {})
        for state, count in zip(_LOOK_STATES, counts):
            if count:
                states[state] = states.get(state, 0) + count
    board._agent_seen = {agent: _seconds(at) for agent, at in seen if at is not None}
    board._set_clocks(clocks, day_start, replace_all=True)
    missed, first_response, attainment, first_by_tier = board._clock_numbers()
    now_s = _epoch(now)
    active_since = now_s - int(ACTIVE_WINDOW.total_seconds())
    active = {agent for agent, at in board._agent_seen.items() if at >= active_since}
    loads = {agent: AgentLoad(agent, claimed, claimed - paused, breached or 0, from_db(oldest), agent in active)
             for agent, claimed, paused, breached, oldest in held}
    for name in active - loads.keys():
        loads[name] = AgentLoad(name, 0, 0, 0, None, True)
    nexts = [NextBreach(r[0], r[1], r[2] or "", r[3] or "", r[4],
                        Timer(from_db(r[5]), from_db(r[6]), from_db(r[7]), from_db(r[8]))) for r in upcoming]
    return BoardData(
        next_breaches=nexts,
        matrix=matrix,
        breaches_today=missed + due_today,
        agents=sorted(loads.values(), key=lambda load: (-load.breached, -load.claimed, load.agent)),
        handle_minutes=handle,
        forecasts=[],
        active_agents=len(active),
        first_response_today=first_response,
        attainment_today=attainment,
        first_response_by_tier=first_by_tier,
    )


def _after(tier: _Tier, now: int, limit: int) -> Iterable[tuple[int, int]]:
    """The first ``limit`` running clocks not yet due at ``now``, as (due, id)."""
    start = bisect_right(tier.due, now)
    return zip(tier.due[start: start + limit], tier.ids[start: start + limit])


def _insort(values: array, value: int) -> None:
    values.insert(bisect_right(values, value), value)


def _discard(values: array, value: int) -> None:
    index = bisect_left(values, value)
    if index < len(values) and values[index] == value:
        del values[index]
