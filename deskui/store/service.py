"""The one store object the app holds: screens ask it by name, never open a connection, never
write SQL.

``Store`` owns the app's connection (``conn``, the UI thread's: the reads that must answer at
once, the agent's writes) and hands each worker a connection of its own (``reading``, or
``worker_connection`` for a worker that keeps one). Every method delegates to the store module
that holds the SQL; nothing here knows a table. Functions of other core packages that take a
connection (analytics, connect) get ``conn`` or a ``reading()`` connection from the caller: the
store never imports what sits above it.

The modules no first paint needs (bulk actions, the board, a ticket's thread, attachments) are
imported by the methods that use them, so the inbox's launch does not wait for them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from deskui.clock import Clock
from deskui.policy.model import Policy
from deskui.store import context, inbox, tickets, workspace
from deskui.store.changes import ChangeFeed
from deskui.store.db import (connect, database_target, is_connection_failure, is_readonly, is_url, shown_target,
                             write)
from deskui.store.pending import PendingWrites

if TYPE_CHECKING:
    from deskui.store import attachments, bulk, live_board
    from deskui.store import thread as threads


class Store:
    """The database of one app, by path (SQLite) or ``postgresql://`` URL (a server, through
    the sqlite3-shaped adapter of ``postgres/connection.py``); the connection is opened at first
    use, and opened again after the server went away."""

    def __init__(self, path: str | Path, *, state_dir: Path | None = None) -> None:
        self.path = database_target(path)
        self._conn: sqlite3.Connection | None = None
        # Drafts and notes typed while the server was out of reach, until they are written.
        self.pending = PendingWrites(shown_target(self.path), state_dir)

    def connection_problem(self) -> str | None:
        """The one line while the database server is out of reach, else None; once it answers
        again, the drafts and notes kept meanwhile are written first. No round trip unless
        something waits or the connection is known lost."""
        conn = self._conn
        lost = conn is not None and getattr(conn, "lost", False)
        if not lost and not self.pending:
            return None
        try:
            if lost:
                conn.ensure_open()  # takes the reconnecting thread's new connection, or raises
            self.pending.flush(self.conn)
        except (sqlite3.Error, Exception) as error:  # noqa: BLE001 - only the server's absence is told here
            if not is_connection_failure(error):
                raise
            return self.outage_line()
        return None

    def outage_line(self) -> str:
        waiting = len(self.pending)
        return "database server unreachable — reconnecting…" + (
            f" ({waiting} change(s) kept on this machine until it answers)" if waiting else "")

    @property
    def backend(self) -> str:
        return "postgresql" if is_url(self.path) else "sqlite"

    # -- connections ------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        """The UI thread's connection (one for the whole app, kept open)."""
        if self._conn is not None and getattr(self._conn, "closed", False):
            self._conn = None  # the server went away: the next use reconnects (or says why not)
        if self._conn is None:
            self._conn = connect(self.path)
        return self._conn

    def worker_connection(self, *, temp_file: bool = False) -> sqlite3.Connection:
        """A connection for one worker thread, which closes it. ``temp_file``: sorts spill to a
        temporary file, not memory (a full count at a million open tickets holds 23 MB instead of 140)."""
        conn = connect(self.path)
        if temp_file:
            conn.execute("PRAGMA temp_store = FILE")
        return conn

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection for a worker: opened, used, closed."""
        conn = connect(self.path)
        try:
            yield conn
        finally:
            conn.close()

    def change_feed(self) -> ChangeFeed:
        """A feed on a connection of its own, for the one thread that watches for changes: on
        PostgreSQL the LISTEN/NOTIFY feed, which hears a commit as it happens, without polling."""
        if self.backend == "postgresql":
            from deskui.store.postgres.feed import ChangeFeed as ListeningFeed

            return ListeningFeed(connect(self.path).raw)
        return ChangeFeed(connect(self.path))

    @property
    def read_only(self) -> bool:
        return is_readonly(self.conn)

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    # -- the inbox --------------------------------------------------------------------
    def inbox_query(self, policy: Policy, *, agent: str | None = None, conn: sqlite3.Connection | None = None,
                    **view) -> inbox.InboxQuery:
        """A view of the open tickets (pages, counts, positions); on ``conn`` for a worker."""
        return inbox.InboxQuery(conn or self.conn, policy, agent=agent, **view)

    def index_search(self, stop: Callable[[], bool] = lambda: False) -> int:
        """Catch the search index up with rows written since (store/search.py; a worker). PostgreSQL's
        pg_trgm indexes are kept by the server itself."""
        if self.backend == "postgresql":
            return 0
        from deskui.store import search

        return search.index_pending(self.path, connect=connect, stop=stop, pause=0.05)

    def count_states(self, kept: inbox.KeptCounts, conn: sqlite3.Connection, now: datetime,
                     recount: Callable = inbox.state_counts) -> inbox.StateCounts:
        return kept.update(conn, now, recount=recount)

    def triage_backlog(self, policy: Policy, clock: Clock, *, batch: int = 2000) -> None:
        """Wake snoozed tickets due, then triage rows other programs wrote without a tier (worker)."""
        with self.reading() as conn:
            tickets.wake_snoozed(conn, policy, clock)
            while tickets.refresh_tickets(conn, policy, clock.now(), limit=batch):
                pass

    def ticket_context(self, ticket_id: int) -> context.TicketContext | None:
        return context.ticket_context(self.conn, ticket_id)

    def find_ticket(self, text: str) -> int | None:
        return context.find_ticket(self.conn, text)

    def presence_by_ticket(self, clock: Clock, ticket_ids: list[int]) -> dict:
        return workspace.presence_by_ticket(self.conn, clock, ticket_ids)

    def known_agents(self, since: datetime) -> list[str]:
        return workspace.known_agents(self.conn, since)

    def bulk_apply(self, policy: Policy, clock: Clock, ticket_ids: Sequence[int], action: str, agent: str,
                   **options) -> bulk.BulkResult:
        from deskui.store import bulk

        return bulk.bulk_apply(self.conn, policy, clock, ticket_ids, action, agent, **options)

    def undo(self, policy: Policy, clock: Clock, done: bulk.BulkResult, agent: str) -> bulk.BulkResult:
        from deskui.store import bulk

        return bulk.undo(self.conn, policy, clock, done, agent)

    # -- one ticket -------------------------------------------------------------------
    def thread(self, ticket_id: int) -> list[threads.ThreadMessage]:
        from deskui.store import thread as threads

        return threads.thread(self.conn, ticket_id)

    def claim(self, clock: Clock, ticket_id: int, agent: str, *, force: bool = False) -> str | None:
        return tickets.claim(self.conn, clock, ticket_id, agent, force=force)

    def unassign(self, clock: Clock, ticket_id: int, agent: str) -> None:
        from deskui.store.assignment import unassign

        unassign(self.conn, clock, ticket_id, agent)

    def record_opened(self, ticket_id: int, agent: str, at: datetime) -> None:
        with write(self.conn):
            tickets.record_event(self.conn, ticket_id, "opened", agent, at)

    def set_status(self, policy: Policy, clock: Clock, ticket_id: int, status: str, agent: str, **options) -> None:
        tickets.set_status(self.conn, policy, clock, ticket_id, status, agent, **options)

    def add_reply(self, policy: Policy, clock: Clock, ticket_id: int, agent: str, body: str, **options) -> None:
        try:
            tickets.add_reply(self.conn, policy, clock, ticket_id, agent, body, **options)
        except Exception as error:
            if is_connection_failure(error):  # not sent; its text waits as the draft (sent only by the agent)
                self.pending.keep_draft(ticket_id, agent, body, clock.now())
            raise
        self.pending.drop_draft(ticket_id, agent)

    def add_note(self, clock: Clock, ticket_id: int, agent: str, body: str) -> int | None:
        """The note's message id; None when the server is out of reach: the note is kept on this
        machine and written when it answers (``connection_problem``)."""
        try:
            return workspace.add_note(self.conn, clock, ticket_id, agent, body)
        except Exception as error:
            if not is_connection_failure(error):
                raise
            self.pending.keep_note(ticket_id, agent, body, clock.now())
            return None

    def set_tags(self, policy: Policy, clock: Clock, ticket_id: int, agent: str, *, add=(), remove=()) -> None:
        workspace.set_tags(self.conn, policy, clock, ticket_id, agent, add=add, remove=remove)

    def escalate(self, policy: Policy, clock: Clock, ticket_id: int, agent: str) -> str:
        return workspace.escalate(self.conn, policy, clock, ticket_id, agent)

    def load_draft(self, ticket_id: int, agent: str) -> str:
        kept = self.pending.draft(ticket_id, agent)  # typed while the server was away: newer than its copy
        return kept if kept is not None else workspace.load_draft(self.conn, ticket_id, agent)

    def draft_files(self, ticket_id: int, agent: str) -> list[attachments.DraftFile]:
        from deskui.store import attachments

        return attachments.draft_files(self.conn, ticket_id, agent)

    def save_draft(self, clock: Clock, ticket_id: int, agent: str, body: str) -> None:
        """Write the draft; with the server out of reach it is kept on this machine (written when
        it answers) and the error raised, so the screen says where the text is."""
        try:
            workspace.save_draft(self.conn, clock, ticket_id, agent, body)
        except Exception as error:
            if is_connection_failure(error):
                self.pending.keep_draft(ticket_id, agent, body, clock.now())
            raise
        self.pending.drop_draft(ticket_id, agent)

    def heartbeat(self, clock: Clock, ticket_id: int, agent: str, activity: str) -> None:
        workspace.heartbeat(self.conn, clock, ticket_id, agent, activity)

    def leave(self, ticket_id: int, agent: str) -> None:
        workspace.leave(self.conn, ticket_id, agent)

    def others_present(self, clock: Clock, ticket_id: int, agent: str) -> list:
        return workspace.others_present(self.conn, clock, ticket_id, agent)

    def changes_since_opened(self, ticket_id: int, agent: str, opened_at: datetime) -> workspace.Collision:
        return workspace.changes_since_opened(self.conn, ticket_id, agent, opened_at)

    # -- the board --------------------------------------------------------------------
    def load_board(self, policy: Policy, conn: sqlite3.Connection, now: datetime, day_start: datetime) -> live_board.LiveBoard:
        """Every open ticket read into a live board (worker, on ``conn``)."""
        from deskui.store import live_board

        board = live_board.LiveBoard(policy)
        board.load(conn, now, day_start)
        return board

    def board_first_look(self, policy: Policy, conn: sqlite3.Connection, now: datetime, day_start: datetime, *,
                         limit: int):
        """The board's numbers counted in SQL (worker, on ``conn``), for the first frame while
        ``load_board`` reads every open ticket; no forecast."""
        from deskui.store import live_board

        return live_board.first_look(conn, policy, now, day_start, {}, limit=limit)

    def board_snapshot(self, board: live_board.LiveBoard, now: datetime, handle: dict[str, float], *, limit: int,
                       read_details: bool = True):
        """``read_details`` False: from memory only (the server is away), without the tickets
        whose subjects were never read."""
        return board.snapshot(self.conn if read_details else None, now, handle, limit=limit)

    # -- a bulk reply (deskui/replies/bulk.py plans it) ---------------------------------
    def bulk_reply_targets(self, ticket_ids: Sequence[int]) -> list:
        from deskui.store import bulk_replies

        return bulk_replies.reply_targets(self.conn, ticket_ids)

    def send_bulk_replies(self, policy: Policy, clock: Clock, agent: str, plan_key: str, replies) -> object:
        from deskui.store import bulk_replies

        return bulk_replies.send_bulk_replies(self.conn, policy, clock, agent, plan_key, replies)
