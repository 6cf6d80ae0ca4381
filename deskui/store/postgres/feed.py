"""The change feed and atomic claims on PostgreSQL.

SQLite's feed polls ``PRAGMA data_version`` and then reads ``changes`` after the last sequence
number. On a server that read would miss rows: sequence numbers are taken when a row is written,
not when its transaction commits, so a reader can pass number 11 while number 10's transaction
is still open. The triggers therefore also NOTIFY, and PostgreSQL delivers notifications at
commit, in commit order, to every listening session: that is the feed here. The ``changes`` rows
stay as on SQLite, for programs that read the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from deskui.clock import Clock
from deskui.store.changes import ChangeSet
from deskui.store.postgres.db import write
from deskui.store.postgres.schema import NOTIFY_CHANNEL
from deskui.timeutil import to_db

# A payload that means "reread everything" (sent after `deskui migrate` wrote a whole database).
EVERYTHING = "*"


@dataclass(frozen=True)
class Change:
    """One notification: a row of ``table`` changed, for ``ticket_id`` when the table has one.
    ``table == "*"`` means everything may have changed."""

    table: str
    ticket_id: int | None = None

    @classmethod
    def parse(cls, payload: str) -> Change:
        table, _, ticket = payload.partition(":")
        return cls(table, int(ticket) if ticket.isdigit() else None)


def start_listening(conn) -> None:
    if not conn.autocommit:
        # LISTEN inside a transaction waits for its commit, and nothing is delivered while one is open.
        raise ValueError("listen on an autocommit connection (deskui.store.postgres.connect makes one)")
    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")


def listen(conn, *, timeout: float | None = None, stop_after: int | None = None) -> Iterator[Change]:
    """Changes other sessions (and this one) commit, as they commit, from the moment of this
    call. Ends ``timeout`` seconds after the first ``next()``, or after ``stop_after`` changes;
    else runs until the caller stops."""
    # LISTEN now, not at the first next(): a generator would start listening only then and miss
    # whatever was committed in between.
    start_listening(conn)
    return (Change.parse(notify.payload) for notify in conn.notifies(timeout=timeout, stop_after=stop_after))


def notify_everything(conn) -> None:
    conn.execute("SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, EVERYTHING))


class ChangeFeed:
    """The SQLite ChangeFeed's interface over LISTEN: ``poll()`` returns what was committed since
    the last poll without waiting. ``force`` is accepted for the same calls; this session's own
    writes are notified to it anyway."""

    # watch() hands poll() its wait: a commit is reported as it arrives, not at the next poll.
    waits = True
    # How long watch() waits in one poll. A commit wakes it at once, so this is only how often an
    # idle app's watcher wakes for nothing (and how soon it sees it should stop): at 0.25 s those
    # wake-ups cost the idle inbox 3 ms of CPU a second, a third of its whole budget.
    wait_seconds = 2.0

    def __init__(self, conn, *, max_ids: int = 5_000) -> None:
        self.conn = conn
        self.max_ids = max_ids
        start_listening(conn)

    def poll(self, *, force: bool = False, timeout: float = 0.0) -> ChangeSet:
        """What arrived since the last poll; with ``timeout``, waits up to that long for the
        first change, then takes whatever else is already there. A lost server raises the
        sqlite3 error the watcher expects (``connection.ConnectionLost``)."""
        from deskui.store.postgres.connection import as_sqlite_error

        try:
            first = list(self.conn.notifies(timeout=timeout, stop_after=1)) if timeout else []
            # The wait ended with nothing: nothing to take (a later commit wakes the next poll).
            arrived = first + list(self.conn.notifies(timeout=0)) if first or not timeout else []
        except Exception as error:  # noqa: BLE001 - psycopg's, as sqlite3's
            raise as_sqlite_error(error) from error
        return self._change_set(arrived)

    def _change_set(self, arrived) -> ChangeSet:
        result = ChangeSet(0)
        for change in arrived:
            if change.payload == EVERYTHING:
                result.overflow = True
                continue
            parsed = Change.parse(change.payload)
            result.tables.add(parsed.table)
            if parsed.ticket_id is not None:
                result.ticket_ids.add(parsed.ticket_id)
            if len(result.ticket_ids) > self.max_ids:
                result.overflow = True
        return result


def claim(conn, clock: Clock, ticket_id: int, agent: str, *, force: bool = False) -> str | None:
    """Take a ticket, as ``deskui.store.tickets.claim``: None when ``agent`` holds it now, else
    the name of the agent who does. Of two sessions claiming at once exactly one wins: the second
    UPDATE waits for the first's row lock, then re-checks ``assignee IS NULL`` on the committed row."""
    now = to_db(clock.now())
    condition = "" if force else " AND (assignee IS NULL OR assignee = %s)"
    params = (agent, now, ticket_id) + (() if force else (agent,))
    with write(conn):
        won = conn.execute(f"UPDATE tickets SET assignee = %s, updated_at = %s WHERE id = %s{condition} RETURNING id",
                           params).fetchone()
        if won:
            conn.execute("INSERT INTO events (ticket_id, kind, agent, at) VALUES (%s, %s, %s, %s)",
                         (ticket_id, "assigned" if force else "claimed", agent, now))
            return None
        row = conn.execute("SELECT assignee FROM tickets WHERE id = %s", (ticket_id,)).fetchone()
    if row is None:
        raise LookupError(f"no ticket {ticket_id}")
    return row[0]
