"""Triage after a large import, split over two processes: the SQL half.

Deriving a ticket's tier and clocks is pure CPU work (the text, the policy, the history) and
after a 100k-message import it is half of the command's time on one core while the other idles.
A second process derives every other batch on its own read-only connection and hands the
results back; this process writes them, each batch under the write lock on its own, exactly as
``refresh_tickets`` writes its own batches.

Correctness rests on ``PRAGMA data_version``: it changes for a connection only when *another*
connection commits, and the deriving process never commits. If the writing connection's
``data_version`` is still what it was before the second process opened its snapshot, nothing
has been committed by anyone else since, so the derived values are current; otherwise the batch
is derived again under the lock, as ``refresh_tickets`` does for its own batches.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from deskui.policy.model import Policy
from deskui.store.db import data_version, write
from deskui.store.tickets import BATCH, _UPDATE_DERIVED, _derive_batch  # noqa: F401 (BATCH: the batch size callers split by)


def database_file(conn: sqlite3.Connection) -> str | None:
    """The main database's file, or None for an in-memory or temporary database."""
    for row in conn.execute("PRAGMA database_list"):
        if row[1] == "main":
            return row[2] or None
    return None


def snapshot_version(conn: sqlite3.Connection) -> int:
    return data_version(conn)


def derive(conn: sqlite3.Connection, policy: Policy, now: datetime, ids: list[int]) -> list[dict]:
    """The derived columns of these tickets, read on one snapshot; writes nothing."""
    conn.execute("BEGIN")
    try:
        return _derive_batch(conn, policy, now, ids)
    finally:
        conn.execute("COMMIT")


def write_derived(conn: sqlite3.Connection, policy: Policy, now: datetime, ids: list[int], updates: list[dict], version: int) -> None:
    """Store values another process derived; derived again under the lock if another connection
    committed since ``version`` was read."""
    with write(conn):
        if data_version(conn) != version:
            updates = _derive_batch(conn, policy, now, ids)
        conn.executemany(_UPDATE_DERIVED, updates)
