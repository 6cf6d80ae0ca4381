"""The inbox's reads: a window of rows at any position, counts, and where a ticket sits.

The list on screen shows a few dozen rows out of maybe a million, so nothing here reads the whole
table. Rows come in pages fetched by keyset pagination on the ``tickets_inbox`` index ("the 100
rows after this key"); a jump far down the list starts from the nearest page already seen and
skips only the rows in between.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from deskui.policy.model import Policy
from deskui.sla import STATE_SQL, SlaState, Timer
from deskui.timeutil import UTC, from_db, to_db
from deskui.views import View

from deskui.store import search
from deskui.store.schema import SORT_DUE, SORT_RANK

# The index expressions, read through the alias t (SQLite matches them column for column).
RANK = SORT_RANK.replace("tier_rank", "t.tier_rank")
DUE = SORT_DUE.replace("status", "t.status").replace("due_at", "t.due_at")

# Each sort is a tuple of SQL expressions ending in the id, so every key is unique.
SORTS: dict[str, tuple[str, ...]] = {
    "risk": (RANK, DUE, "t.id"),
    "due": (DUE, "t.id"),
    "oldest": ("t.created_at", "t.id"),
    "channel": ("t.channel", RANK, DUE, "t.id"),
}
SORT_LABELS = {"risk": "risk", "due": "next breach", "oldest": "oldest first", "channel": "channel"}

_COLUMNS = (
    "t.id, t.channel, t.tier, t.status, t.subject, t.order_number, t.assignee, t.created_at, t.due_at, "
    "t.target_minutes, t.paused_at, t.category, t.due_kind, t.at_risk_at, t.imminent_at, t.response_outcome, "
    "t.snoozed_until, c.name"
)
_KEY_AT = 18  # where the sort key's columns start in a selected row
# Breached or imminent (the `b` filter, Timer.state's rule): three terms, each naming the open
# tickets itself, so that SQLite counts them by the partial indexes of running imminent and due
# instants and of paused tickets (schema.py SCHEMA_URGENT). The count leaves out the outer
# open-ticket test (1M demo file: 0.07 s, 0.35 s with it, 0.58-0.82 s as one OR); the pages keep
# it, and walk their sort index as before.
_URGENT = ("((t.status != 'solved' AND t.paused_at IS NULL AND t.imminent_at <= ?) "
           "OR (t.status != 'solved' AND t.paused_at IS NULL AND t.due_at <= ?) "
           "OR (t.status != 'solved' AND t.paused_at IS NOT NULL AND t.due_at IS NOT NULL AND t.due_at <= t.paused_at))")
_WALK_FROM = 500  # a search matching more open tickets than this reads its pages in sort order


@dataclass(frozen=True)
class InboxFilter:
    agent: str | None = None  # "mine": assigned to this agent
    unassigned: bool = False
    tier: str | None = None
    channel: str | None = None
    urgent: bool = False  # breached or imminent now
    search: str | None = None
    view: View | None = None  # a saved view (deskui.views); the quick filters narrow it further

    def describe(self) -> str:
        parts = [f"view {self.view.name}"] if self.view and self.view.name != "All" else []
        if self.agent:
            parts.append(f"mine ({self.agent})")
        if self.unassigned:
            parts.append("unassigned")
        if self.tier:
            parts.append(f"tier {self.tier}")
        if self.channel:
            parts.append(f"channel {self.channel}")
        if self.urgent:
            parts.append("breached or imminent")
        if self.search:
            parts.append(f"search “{self.search}”")
        return ", ".join(parts) or "all open tickets"


@dataclass(frozen=True, slots=True)
class InboxRow:
    id: int
    channel: str
    tier: str | None
    status: str
    subject: str
    order_number: str | None
    assignee: str | None
    created_at: datetime | None
    target_minutes: int
    category: str | None
    due_kind: str | None
    timer: Timer
    snoozed_until: datetime | None
    customer: str | None
    key: tuple = field(compare=False)

    @property
    def due_at(self) -> datetime | None:
        return self.timer.due_at

    @property
    def paused_at(self) -> datetime | None:
        return self.timer.paused_at


def _row(raw: sqlite3.Row, key_width: int) -> InboxRow:
    return InboxRow(
        id=raw[0],
        channel=raw[1] or "",
        tier=raw[2],
        status=raw[3] or "open",
        subject=raw[4] or "",
        order_number=raw[5],
        assignee=raw[6],
        created_at=from_db(raw[7]),
        target_minutes=raw[9] or 0,
        category=raw[11],
        due_kind=raw[12],
        timer=Timer(from_db(raw[8]), from_db(raw[13]), from_db(raw[14]), from_db(raw[10]), raw[15]),
        snoozed_until=from_db(raw[16]),
        customer=raw[17],
        key=tuple(raw[_KEY_AT : _KEY_AT + key_width]),
    )


class InboxQuery:
    """One sorted, filtered view of the open tickets, read a page at a time."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        policy: Policy,
        *,
        sort: str = "risk",
        filter: InboxFilter = InboxFilter(),
        page_size: int = 100,
        max_pages: int = 64,
        agent: str | None = None,
    ) -> None:
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}")
        self.conn = conn
        self.policy = policy
        self.sort = sort
        self.filter = filter
        self.page_size = page_size
        self.max_pages = max_pages
        self.agent = agent  # who "me" is in a view
        self.now: datetime | None = None
        self._pages: OrderedDict[int, list[InboxRow]] = OrderedDict()
        self._anchors: dict[int, tuple] = {}  # page number -> the key of its last row
        self._count: int | None = None
        self._kept: search.KeptMatches | None = None  # a search's matches, read once (store/search.py)

    # -- building SQL -------------------------------------------------------------------
    @property
    def _keys(self) -> tuple[str, ...]:
        return SORTS[self.sort]

    def _where(self, walk: bool = False, counting: bool = False) -> tuple[str, list]:
        """``walk``: a page of a search with many matches walks the sort index and tests each
        entry against the matches ('+' keeps SQLite from looking the matches up one by one and
        sorting them all): "refund" on the 100k demo file 132 -> 55 ms, ids first wins under ~500."""
        f = self.filter
        clauses, params = ([] if counting and f.urgent else ["t.status != 'solved'"]), []
        if f.agent:
            clauses.append("t.assignee = ?")
            params.append(f.agent)
        if f.unassigned:
            clauses.append("t.assignee IS NULL")
        if f.tier:
            clauses.append("t.tier = ?")
            params.append(f.tier)
        if f.channel:
            clauses.append("t.channel = ?")
            params.append(f.channel)
        if f.urgent:
            # Breached or imminent as Timer.state says: a ticket paused after its breach stays
            # breached; one paused in time is not urgent (_URGENT: why three terms).
            now = to_db(self.now or datetime.min.replace(tzinfo=UTC))
            clauses.append(_URGENT)
            params += [now, now]
        if f.view is not None:
            view_clauses, view_params = self._view_where(f.view)
            clauses += view_clauses
            params += view_params
        if f.search:
            # From the trigram indexes (store/search.py): 13.6 s -> see docs/performance.md "Search".
            # Their matches are read once into a temporary table, which the count and every page
            # test: "refund" at 1M, count + first page 546 -> see docs/performance.md "Search".
            table = self._kept_matches()
            if table is not None:
                sql, search_params = f"t.id IN (SELECT id FROM temp.{table})", []
            else:
                sql, search_params = search.clause(self.conn, f.search)
            clauses.append("+" + sql if walk and sql.startswith("t.id IN") else sql)
            params += search_params
        return " AND ".join(clauses), params

    def _kept_matches(self) -> str | None:
        if self._kept is None:
            self._kept = search.KeptMatches(self.conn, self.filter.search or "")
        return self._kept.fill()

    def _walk_count(self) -> bool:
        """Whether the count walks the open tickets' index testing each against the kept matches
        rather than looking each match's status up: a lookup costs about three index entries (at
        1M, "refund"'s 201k matches: 216-287 ms looked up, 109-171 ms walking the 400k open)."""
        if self._kept is None or self._kept.table is None:
            return False
        open_now = search.open_estimate(self.conn)
        return open_now is not None and self._kept.size * 3 > open_now

    def _view_where(self, view: View) -> tuple[list[str], list]:
        clauses: list[str] = []
        params: list = []

        def one_of(column: str, values: tuple[str, ...]) -> None:
            if values:
                clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)

        one_of("t.channel", view.channels)
        one_of("t.tier", view.tiers)
        one_of("t.category", view.categories)
        one_of("t.status", view.statuses)
        if view.states:
            now = to_db(self.now or datetime.min.replace(tzinfo=UTC))
            state = STATE_SQL.replace("due_at", "t.due_at").replace("paused_at", "t.paused_at")
            state = state.replace("imminent_at", "t.imminent_at").replace("at_risk_at", "t.at_risk_at")
            state = state.replace("response_outcome", "t.response_outcome").replace(":now", "?")
            clauses.append(f"({state}) IN ({', '.join('?' * len(view.states))})")
            params += [now] * state.count("?") + list(view.states)
        if view.assignee == "none":
            clauses.append("t.assignee IS NULL")
        elif view.assignee:
            clauses.append("t.assignee = ?")
            params.append(self.agent if view.assignee == "me" else view.assignee)
        if view.tag:
            clauses.append("EXISTS (SELECT 1 FROM tags g WHERE g.ticket_id = t.id AND g.tag = ?)")
            params.append(view.tag.lower())
        for column, value in (("asin", view.asin), ("sku", view.sku)):
            if value:
                clauses.append(f"EXISTS (SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id "
                               f"WHERE o.channel = t.channel AND o.order_number = t.order_number AND i.{column} = ?)")
                params.append(value)
        if view.older_than_minutes and self.now is not None:
            clauses.append("t.created_at <= ?")
            params.append(to_db(self.now - timedelta(minutes=view.older_than_minutes)))
        if view.text:
            pattern = "%" + view.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append("(t.subject LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id "
                           "AND m.body LIKE ? ESCAPE '\\'))")
            params += [pattern, pattern]
        return clauses, params

    def _select(self, after: tuple | None, limit: int, offset: int = 0) -> list[InboxRow]:
        keys = self._keys
        where, params = self._where(walk=bool(self.filter.search) and (self._count or 0) > _WALK_FROM)
        if after is not None:
            where += f" AND ({', '.join(keys)}) > ({', '.join('?' * len(keys))})"
            params += list(after)
        order = ", ".join(keys)
        if offset:
            # OFFSET builds every row it skips in full (its columns, the customer join): 3.9 s to
            # skip a million. Skipping over the sort index for ids alone, then reading the page, 0.14 s.
            sql = (
                f"SELECT {_COLUMNS}, {order} FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id "
                f"WHERE t.id IN (SELECT t.id FROM {self._source} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?) "
                f"ORDER BY {order}"
            )
        else:
            sql = (
                f"SELECT {_COLUMNS}, {order} FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id "
                f"WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?"
            )
        return [_row(raw, len(keys)) for raw in self.conn.execute(sql, params + [limit, offset])]

    # -- reading ------------------------------------------------------------------------
    def invalidate(self) -> None:
        """Forget every cached page: the next reads see the database as it is now."""
        self._pages.clear()
        self._anchors.clear()
        self._count = None
        if self._kept is not None:
            self._kept.refresh()

    @property
    def _moves_with_time(self) -> bool:
        f = self.filter
        return bool(f.urgent or (f.view and (f.view.states or f.view.older_than_minutes)))

    def set_now(self, now: datetime) -> None:
        """The time the "urgent" filter is judged at; only that filter depends on it."""
        self.now = now
        if self._moves_with_time:
            self.invalidate()

    def with_view(self, *, sort: str | None = None, filter: InboxFilter | None = None) -> "InboxQuery":
        query = InboxQuery(self.conn, self.policy, sort=sort or self.sort, filter=filter if filter is not None else self.filter,
                           page_size=self.page_size, max_pages=self.max_pages, agent=self.agent)
        if query.filter == self.filter:
            # Another order of the same tickets: their count and a search's kept matches hold, so
            # `o` reads one page instead of counting again (a count over 1M open is ~50-80 ms, a
            # search's matches at 1M ~0.2 s to read again). Shared, the matches are dropped by
            # either view's invalidate and read again by whichever reads next.
            query.now, query._kept = self.now, self._kept
            if not self._moves_with_time:
                query._count = self._count
        return query

    @property
    def _source(self) -> str:
        # Only the LIKE scan of a short search reads the customer's name; a join for nothing costs
        # 20x on a count.
        if self.filter.search and search.needs_customer_join(self.conn, self.filter.search):
            return "tickets t LEFT JOIN customers c ON c.id = t.customer_id"
        return "tickets t"

    def count(self) -> int:
        if self._count is None:
            where, params = self._where(counting=True)
            if self.filter.search and self._walk_count():
                where, params = self._where(walk=True, counting=True)
            self._count = self.conn.execute(f"SELECT count(*) FROM {self._source} WHERE {where}", params).fetchone()[0]
        return self._count

    def _page(self, number: int) -> list[InboxRow]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        lower = [known for known in self._anchors if known < number]
        if lower:
            nearest = max(lower)
            page = self._select(self._anchors[nearest], self.page_size, (number - nearest - 1) * self.page_size)
        else:
            page = self._select(None, self.page_size, number * self.page_size)
        self._pages[number] = page
        if page:
            self._anchors[number] = page[-1].key
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        return page

    def rows(self, start: int, stop: int) -> list[InboxRow]:
        """Rows ``start`` to ``stop`` (exclusive) of the view."""
        if stop <= start:
            return []
        result: list[InboxRow] = []
        first, last = start // self.page_size, (stop - 1) // self.page_size
        for number in range(first, last + 1):
            page = self._page(number)
            base = number * self.page_size
            result.extend(page[max(start - base, 0) : max(stop - base, 0)])
            if len(page) < self.page_size:
                break
        return result

    def row(self, index: int) -> InboxRow | None:
        found = self.rows(index, index + 1)
        return found[0] if found else None

    def position_of(self, ticket_id: int) -> int | None:
        """Where a ticket sits in this view now (None if it left it)."""
        keys = self._keys
        where, params = self._where()
        raw = self.conn.execute(
            f"SELECT {', '.join(keys)} FROM {self._source} WHERE {where} AND t.id = ?",
            params + [ticket_id],
        ).fetchone()
        if raw is None:
            return None
        if self.filter != InboxFilter():
            # A filter reads the table for every entry: one pass over it (the row value below)
            # beats walking the index ranges and looking each row up (254 ms against 917 ms).
            return self.conn.execute(
                f"SELECT count(*) FROM {self._source} "
                f"WHERE {where} AND ({', '.join(keys)}) < ({', '.join('?' * len(keys))})",
                params + list(raw),
            ).fetchone()[0]
        # "(k1, k2, id) < (a, b, c)" as a row value is no range on the sort index: SQLite scans the
        # view (0.33 s at a million, even for the first row). Its disjoint parts, k1 < a,
        # k1 = a AND k2 < b, ..., are each a range of that index: the count reads only the entries
        # before the ticket (67 ms on average over the list).
        total = 0
        for split in range(len(keys)):
            test = " AND ".join([f"{key} = ?" for key in keys[:split]] + [f"{keys[split]} < ?"])
            total += self.conn.execute(f"SELECT count(*) FROM {self._source} WHERE {where} AND {test}",
                                       params + list(raw[: split + 1])).fetchone()[0]
        return total

    def ids(self, limit: int) -> list[int]:
        """The ids of the view in its order, at most ``limit`` of them (to mark a whole view)."""
        where, params = self._where()
        return [row[0] for row in self.conn.execute(
            f"SELECT t.id FROM {self._source} WHERE {where} ORDER BY {', '.join(self._keys)} LIMIT ?", params + [limit])]

    def next_unassigned(self) -> int | None:
        """The most urgent unassigned ticket in risk order, whatever this view shows."""
        row = self.conn.execute(
            # Walked in the inbox index's order (the first unassigned ticket is near the top), not
            # found through the assignee index and then sorted: 0.58 s at a million open.
            f"SELECT t.id FROM tickets t WHERE t.status != 'solved' AND +t.status = 'open' AND +t.assignee IS NULL "
            f"ORDER BY {', '.join(SORTS['risk'])} LIMIT 1"
        ).fetchone()
        return row[0] if row else None


@dataclass
class StateCounts:
    by_state: dict[str, int]
    by_tier: dict[str, int]
    total: int
    # The first stored instant after the count's "now" at which a running clock changes state:
    # until then the counts hold, from then on they must be taken again.
    next_change: datetime | None = None


# Of a running clock's instants, the first one still ahead (they come in this order).
_NEXT_INSTANT = """CASE WHEN paused_at IS NOT NULL THEN NULL
    WHEN at_risk_at > :now THEN at_risk_at WHEN imminent_at > :now THEN imminent_at
    WHEN due_at > :now THEN due_at END"""


def state_counts(conn: sqlite3.Connection, policy: Policy, now: datetime) -> StateCounts:
    """Open tickets per SLA state and per tier, in one aggregate query (``sla.STATE_SQL``)."""
    rows = conn.execute(
        f"SELECT tier, {STATE_SQL} AS state, count(*), min({_NEXT_INSTANT}) "
        "FROM tickets WHERE status != 'solved' GROUP BY 1, 2",
        {"now": to_db(now)},
    ).fetchall()
    by_state = {state.key: 0 for state in SlaState}
    by_tier: dict[str, int] = {}
    upcoming = [instant for *_, instant in rows if instant]
    for tier, state, count, _ in rows:
        by_tier[tier or "untriaged"] = by_tier.get(tier or "untriaged", 0) + count
        by_state[state] += count
    rank = {tier.name: tier.rank for tier in policy.tiers}
    by_tier = dict(sorted(by_tier.items(), key=lambda item: rank.get(item[0], -1)))
    return StateCounts(by_state, by_tier, sum(by_tier.values()), from_db(min(upcoming)) if upcoming else None)


# A running clock's state moves with time only when one of its three instants passes; the partial
# indexes of SCHEMA_V4_FAST_READS (status != 'solved' AND paused_at IS NULL) hold each instant, so
# the clocks crossing an instant in a window of time are three short index ranges.
_RUNNING = "status != 'solved' AND paused_at IS NULL"
_CROSSING = f"""SELECT {STATE_SQL.replace(':now', ':before')}, {STATE_SQL.replace(':now', ':after')}
FROM tickets WHERE id IN (
    SELECT id FROM tickets WHERE {_RUNNING} AND at_risk_at > :before AND at_risk_at <= :after
    UNION SELECT id FROM tickets WHERE {_RUNNING} AND imminent_at > :before AND imminent_at <= :after
    UNION SELECT id FROM tickets WHERE {_RUNNING} AND due_at > :before AND due_at <= :after)"""
_NEXT_SQL = " UNION ALL ".join(
    f"SELECT min({column}) FROM tickets WHERE {_RUNNING} AND {column} > :now" for column in ("at_risk_at", "imminent_at", "due_at"))
# Past this many clocks crossing at once (the machine slept, the clock jumped) one recount is cheaper.
_MAX_CROSSING = 20_000


class KeptCounts:
    """The header's state counts, kept instead of recounted over every open ticket.

    The counts change only when a ticket is written or a running clock passes one of its stored
    instants. So they are counted once (``state_counts``), and after that, in one read snapshot:
    if no ticket row changed since (the change feed's sequence), the clocks that crossed an instant
    since the last answer move from the state they had to the one they have now, each judged by
    ``STATE_SQL`` at both times; if tickets changed, they are counted again. One caller at a time
    (the inbox runs one count worker at most)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.counts: StateCounts | None = None
        self._at: str | None = None  # to_db of the time self.counts holds for
        self._seq: int | None = None  # the change feed's last sequence number they include
        self.recounts = 0  # full counts taken (for tests and benchmarks)

    def update(self, conn: sqlite3.Connection, now: datetime, recount=state_counts) -> StateCounts:
        """The counts at ``now``. ``recount`` is the full count (``state_counts``' signature)."""
        after = to_db(now)
        conn.execute("BEGIN")  # deferred: the sequence check and the reads share one snapshot
        try:
            seq, oldest = conn.execute("SELECT coalesce(max(seq), 0), coalesce(min(seq), 0) FROM changes").fetchone()
            counts = None
            if self.counts is not None and self._at is not None and after >= self._at and self._tickets_unchanged(conn, seq, oldest):
                counts = self._advance(conn, self._at, after)
            if counts is None:
                counts = recount(conn, self.policy, now)
                self.recounts += 1
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self.counts, self._at, self._seq = counts, after, seq
        return StateCounts(dict(counts.by_state), dict(counts.by_tier), counts.total, counts.next_change)

    def _tickets_unchanged(self, conn: sqlite3.Connection, seq: int, oldest: int) -> bool:
        if seq == self._seq:
            return True
        if self._seq is None or seq < self._seq or (oldest > self._seq + 1 and self._seq):
            return False  # pruned past us, or a different file's history: no way to tell
        return conn.execute("SELECT 1 FROM changes WHERE seq > ? AND table_name = 'tickets' LIMIT 1",
                            (self._seq,)).fetchone() is None

    def _advance(self, conn: sqlite3.Connection, before: str, after: str) -> StateCounts | None:
        assert self.counts is not None
        by_state = dict(self.counts.by_state)
        if after != before:
            crossing = conn.execute(_CROSSING + " LIMIT :limit",
                                    {"before": before, "after": after, "limit": _MAX_CROSSING + 1}).fetchall()
            if len(crossing) > _MAX_CROSSING:
                return None
            for was, now_is in crossing:
                by_state[was] -= 1
                by_state[now_is] += 1
        upcoming = [row[0] for row in conn.execute(_NEXT_SQL, {"now": after}) if row[0]]
        return StateCounts(by_state, dict(self.counts.by_tier), self.counts.total,
                           from_db(min(upcoming)) if upcoming else None)
