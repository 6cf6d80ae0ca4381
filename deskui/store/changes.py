"""The change feed: what other processes wrote since we last looked.

``PRAGMA data_version`` answers "did anyone else commit?" without touching a table; only then do
we read the ``changes`` rows after our last sequence number (an index range scan on the primary
key), so a watcher polling every few hundred milliseconds costs next to nothing when idle. One thread per
app polls (``watch``) and hands what changed to the screens.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from deskui.store.db import StoreError, data_version, write

# Enough to cover any reader that was away a while; older rows are pruned by writers.
KEEP_CHANGES = 200_000


@dataclass
class ChangeSet:
    seq: int
    ticket_ids: set[int] = field(default_factory=set)
    tables: set[str] = field(default_factory=set)
    overflow: bool = False  # the reader fell too far behind: reread everything

    def __bool__(self) -> bool:
        return bool(self.tables) or self.overflow


def latest_seq(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]


class ChangeFeed:
    """Follows one database on behalf of one reader."""

    def __init__(self, conn: sqlite3.Connection, *, max_ids: int = 5_000) -> None:
        self.conn = conn
        self.max_ids = max_ids
        self.seq = latest_seq(conn)
        self._version = data_version(conn)

    def poll(self, *, force: bool = False) -> ChangeSet:
        """Changes committed since the last poll. Our own connection's writes do not move
        ``data_version``, so callers that write pass ``force=True`` afterwards."""
        version = data_version(self.conn)
        if version == self._version and not force:
            return ChangeSet(self.seq)
        self._version = version
        result = ChangeSet(self.seq)
        oldest = self.conn.execute("SELECT min(seq) FROM changes").fetchone()[0]
        if oldest is not None and oldest > self.seq + 1 and self.seq:
            result.overflow = True
        rows = self.conn.execute(
            "SELECT seq, table_name, ticket_id FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
            (self.seq, self.max_ids + 1),
        ).fetchall()
        if len(rows) > self.max_ids:
            result.overflow = True
            result.seq = latest_seq(self.conn)
        elif rows:
            result.seq = rows[-1][0]
        for _, table, ticket_id in rows[: self.max_ids]:
            result.tables.add(table)
            if ticket_id is not None:
                result.ticket_ids.add(ticket_id)
        self.seq = result.seq
        return result


def prune_changes(conn: sqlite3.Connection, keep: int = KEEP_CHANGES) -> int:
    with write(conn):
        return conn.execute("DELETE FROM changes WHERE seq <= (SELECT max(seq) FROM changes) - ?", (keep,)).rowcount


POLL_SECONDS = 0.25  # another process's write shows within a second; an idle poll costs ~10 µs
IDLE_POLL_SECONDS = 0.5  # after a quiet while: half the wake-ups, a write still shows within a second
QUIET_POLLS = 8  # polls with nothing new before backing off
RETRY_SECONDS = 1.0  # the file was unreadable (locked schema change, vanished): look again this often


def merge(older: ChangeSet, newer: ChangeSet) -> ChangeSet:
    """Two change sets as one (a burst read as one reload)."""
    return ChangeSet(max(older.seq, newer.seq), older.ticket_ids | newer.ticket_ids, older.tables | newer.tables,
                     older.overflow or newer.overflow)


def watch(open_feed: Callable[[], ChangeFeed], report: Callable[[ChangeSet], None], stop: threading.Event, *,
          failed: Callable[[BaseException | None], None] = lambda error: None) -> None:
    """Poll one feed until ``stop`` is set, in the calling thread: ``report`` gets each non-empty
    change set. Every POLL_SECONDS, backing off to IDLE_POLL_SECONDS after QUIET_POLLS quiet polls.
    A database error is handed to ``failed`` and the feed opened again a second later; ``failed(None)``
    says it reads again."""
    feed, quiet, broken = None, 0, False
    while not stop.is_set():
        try:
            if feed is None:
                feed = open_feed()
            # A feed that can wait (PostgreSQL's LISTEN) waits inside poll, woken by a commit, as
            # long as it says (its wait bounds only how soon ``stop`` is seen).
            changes = (feed.poll(timeout=getattr(feed, "wait_seconds", POLL_SECONDS)) if getattr(feed, "waits", False)
                       else feed.poll())
        except (sqlite3.Error, StoreError) as error:
            if feed is not None:
                feed.conn.close()
            feed, broken = None, True
            failed(error)
            stop.wait(RETRY_SECONDS)
            continue
        if broken:  # what was written while the file could not be read is unknown: reread all
            broken = False
            failed(None)
            changes = merge(changes, ChangeSet(changes.seq, overflow=True))
        if changes:
            quiet = 0
            report(changes)
        else:
            quiet += 1
        if not getattr(feed, "waits", False):
            stop.wait(IDLE_POLL_SECONDS if quiet >= QUIET_POLLS else POLL_SECONDS)
    if feed is not None:
        feed.conn.close()
