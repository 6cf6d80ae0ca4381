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
from datetime import datetime

from deskui.policy.model import Policy
from deskui.timeutil import from_db, to_db

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
    "t.target_minutes, t.paused_at, t.category, t.due_kind, t.first_response_at, t.needs_triage, c.name"
)


@dataclass(frozen=True)
class InboxFilter:
    agent: str | None = None  # "mine": assigned to this agent
    unassigned: bool = False
    tier: str | None = None
    channel: str | None = None
    urgent: bool = False  # breached or imminent now
    search: str | None = None

    def describe(self) -> str:
        parts = []
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
    due_at: datetime | None
    target_minutes: int
    paused_at: datetime | None
    category: str | None
    due_kind: str | None
    answered: bool  # a substantive reply went out and no buyer message waits
    customer: str | None
    key: tuple = field(compare=False)


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
        due_at=from_db(raw[8]),
        target_minutes=raw[9] or 0,
        paused_at=from_db(raw[10]),
        category=raw[11],
        due_kind=raw[12],
        answered=raw[8] is None and raw[13] is not None and not raw[14],
        customer=raw[15],
        key=tuple(raw[16 : 16 + key_width]),
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
    ) -> None:
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}")
        self.conn = conn
        self.policy = policy
        self.sort = sort
        self.filter = filter
        self.page_size = page_size
        self.max_pages = max_pages
        self.now: datetime | None = None
        self._pages: OrderedDict[int, list[InboxRow]] = OrderedDict()
        self._anchors: dict[int, tuple] = {}  # page number -> the key of its last row
        self._count: int | None = None

    # -- building SQL -------------------------------------------------------------------
    @property
    def _keys(self) -> tuple[str, ...]:
        return SORTS[self.sort]

    def _where(self) -> tuple[str, list]:
        clauses, params = ["t.status != 'solved'"], []
        f = self.filter
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
            now = self.now or datetime.min
            clauses.append(
                "t.due_at IS NOT NULL AND t.paused_at IS NULL AND "
                "(julianday(t.due_at) - julianday(?)) * 1440.0 < coalesce(t.target_minutes, 0) * ?"
            )
            params += [to_db(now).replace("Z", ""), self.policy.imminent_fraction]
        if f.search:
            pattern = "%" + f.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append(
                "(t.subject LIKE ? ESCAPE '\\' OR t.order_number LIKE ? ESCAPE '\\' OR c.name LIKE ? ESCAPE '\\' "
                "OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.body LIKE ? ESCAPE '\\'))"
            )
            params += [pattern] * 4
        return " AND ".join(clauses), params

    def _select(self, after: tuple | None, limit: int, offset: int = 0) -> list[InboxRow]:
        keys = self._keys
        where, params = self._where()
        if after is not None:
            where += f" AND ({', '.join(keys)}) > ({', '.join('?' * len(keys))})"
            params += list(after)
        sql = (
            f"SELECT {_COLUMNS}, {', '.join(keys)} FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id "
            f"WHERE {where} ORDER BY {', '.join(keys)} LIMIT ? OFFSET ?"
        )
        return [_row(raw, len(keys)) for raw in self.conn.execute(sql, params + [limit, offset])]

    # -- reading ------------------------------------------------------------------------
    def invalidate(self) -> None:
        """Forget every cached page: the next reads see the database as it is now."""
        self._pages.clear()
        self._anchors.clear()
        self._count = None

    def set_now(self, now: datetime) -> None:
        """The time the "urgent" filter is judged at; only that filter depends on it."""
        self.now = now
        if self.filter.urgent:
            self.invalidate()

    def with_view(self, *, sort: str | None = None, filter: InboxFilter | None = None) -> "InboxQuery":
        return InboxQuery(self.conn, self.policy, sort=sort or self.sort, filter=filter if filter is not None else self.filter,
                          page_size=self.page_size, max_pages=self.max_pages)

    @property
    def _source(self) -> str:
        # Only a search reads the customer's name; a join for nothing costs 20x on a count.
        if self.filter.search:
            return "tickets t LEFT JOIN customers c ON c.id = t.customer_id"
        return "tickets t"

    def count(self) -> int:
        if self._count is None:
            where, params = self._where()
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
        return self.conn.execute(
            f"SELECT count(*) FROM {self._source} "
            f"WHERE {where} AND ({', '.join(keys)}) < ({', '.join('?' * len(keys))})",
            params + list(raw),
        ).fetchone()[0]

    def next_unassigned(self) -> int | None:
        """The most urgent unassigned ticket in risk order, whatever this view shows."""
        row = self.conn.execute(
            f"SELECT t.id FROM tickets t WHERE t.status = 'open' AND t.assignee IS NULL "
            f"ORDER BY {', '.join(SORTS['risk'])} LIMIT 1"
        ).fetchone()
        return row[0] if row else None


@dataclass
class StateCounts:
    by_state: dict[str, int]
    by_tier: dict[str, int]
    total: int


def state_counts(conn: sqlite3.Connection, policy: Policy, now: datetime) -> StateCounts:
    """Open tickets per SLA state and per tier, in one aggregate query."""
    now_text = to_db(now)
    at_risk, imminent = policy.at_risk_fraction, policy.imminent_fraction
    rows = conn.execute(
        """
        SELECT tier, count(*),
               sum(due_at IS NOT NULL AND due_at <= coalesce(paused_at, ?)),
               sum(paused_at IS NOT NULL AND (due_at IS NULL OR due_at > paused_at)),
               sum(due_at IS NULL AND paused_at IS NULL AND first_response_at IS NOT NULL),
               sum(paused_at IS NULL AND due_at > ? AND left_minutes < target_minutes * ?),
               sum(paused_at IS NULL AND due_at > ? AND left_minutes >= target_minutes * ?
                   AND left_minutes < target_minutes * ?)
        FROM (
            SELECT tier, due_at, paused_at, first_response_at, coalesce(target_minutes, 1) AS target_minutes,
                   (julianday(due_at) - julianday(?)) * 1440.0 AS left_minutes
            FROM tickets WHERE status != 'solved'
        )
        GROUP BY tier
        """,
        (now_text, now_text, imminent, now_text, imminent, at_risk, now_text.replace("Z", "")),
    ).fetchall()
    by_state = {"on_track": 0, "at_risk": 0, "imminent": 0, "breached": 0, "paused": 0, "met": 0}
    by_tier: dict[str, int] = {}
    total = 0
    for tier, count, breached, paused, met, imminent_count, at_risk_count in rows:
        by_tier[tier or "untriaged"] = count
        total += count
        by_state["breached"] += breached or 0
        by_state["paused"] += paused or 0
        by_state["met"] += met or 0
        by_state["imminent"] += imminent_count or 0
        by_state["at_risk"] += at_risk_count or 0
    by_state["on_track"] = total - sum(value for key, value in by_state.items() if key != "on_track")
    rank = {tier.name: tier.rank for tier in policy.tiers}
    by_tier = dict(sorted(by_tier.items(), key=lambda item: rank.get(item[0], -1)))
    return StateCounts(by_state, by_tier, total)


