"""The inbox search: substring, case-insensitive (ASCII, as SQLite's LIKE), over the ticket's
subject and order number, its customer's name and every message's text, answered from indexes.

SQLite: FTS5 trigram tables (schema.py SCHEMA_SEARCH) hold the ASCII-lowered text; a phrase of
the lowered query matches exactly where LIKE would. Rows written since the index last caught up
are noted in ``search_pending``: the search reads those by LIKE and ignores what the index still
says about them, so it is exact whether or not the index is up to date. ``index_pending`` catches
the index up, in short transactions, on a connection of its own (see SCHEMA_SEARCH for why).
A query under three characters has no trigram: it is the LIKE scan, as before.

PostgreSQL: the same LIKE, on ``lower(column)`` (the columns collate "C": lower() folds ASCII
only, as SQLite does), which pg_trgm's GIN indexes answer where the extension is installed.
"""

from __future__ import annotations

import itertools
import sqlite3
import string
import time
from collections.abc import Callable
from pathlib import Path

MIN_INDEXED = 3  # a trigram index finds nothing shorter
BATCH = 5_000  # pending rows per indexing transaction: the write lock is held ~0.05-0.2 s (100k demo, loaded)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)

# What each kind of pending row is, in the index and in its table.
_KINDS = {
    "m": ("search_messages", "messages", ("body",)),
    "t": ("search_tickets", "tickets", ("subject", "order_number")),
    "c": ("search_customers", "customers", ("name",)),
}
# A message's index rowid is ticket_id * 2^32 + id (SCHEMA_SEARCH): its own id is the low half.
_ROW_ID = {"m": "(x.rowid & 4294967295)", "t": "x.rowid", "c": "x.rowid"}
# The rowid a row has in the index: from the row itself, and from what its pending note holds.
_NEW_ROWID = {"m": "ticket_id * 4294967296 + id", "t": "id", "c": "id"}
_OLD_ROWID = {"m": "old_b * 4294967296 + row_id", "t": "row_id", "c": "row_id"}
_OLD_TEXT = {"m": ("old_a",), "t": ("old_a", "old_b"), "c": ("old_a",)}


def like_pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def ascii_lower(text: str) -> str:
    """Python's lower() folds every script; SQLite's LIKE and lower() fold A-Z only."""
    return text.translate(_ASCII_LOWER)


def _phrase(text: str) -> str:
    return '"' + ascii_lower(text).replace('"', '""') + '"'


def is_indexed(conn) -> bool:
    return isinstance(conn, sqlite3.Connection)


def scan_clause(text: str) -> tuple[str, list]:
    """The LIKE scan over the ticket (alias t) and its customer (alias c, joined by the caller)."""
    pattern = like_pattern(text)
    return ("(t.subject LIKE ? ESCAPE '\\' OR t.order_number LIKE ? ESCAPE '\\' OR c.name LIKE ? ESCAPE '\\' "
            "OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.body LIKE ? ESCAPE '\\'))"), [pattern] * 4


def needs_customer_join(conn, text: str) -> bool:
    """Whether ``clause`` reads c.name (only the LIKE scan does)."""
    return is_indexed(conn) and len(text) < MIN_INDEXED


def clause(conn, text: str) -> tuple[str, list]:
    """A WHERE clause (ticket alias t) true for the tickets whose text holds ``text``."""
    found = matches(conn, text)
    if found is not None:
        sql, params = found
        return f"t.id IN ({sql})", params
    if not is_indexed(conn):
        pattern = like_pattern(ascii_lower(text))
        return ("t.id IN (SELECT m.ticket_id FROM messages m WHERE lower(m.body) LIKE ? ESCAPE '\\' "
                "UNION SELECT s.id FROM tickets s WHERE lower(s.subject) LIKE ? ESCAPE '\\' "
                "OR lower(s.order_number) LIKE ? ESCAPE '\\' "
                "UNION SELECT s.id FROM tickets s JOIN customers k ON k.id = s.customer_id "
                "WHERE lower(k.name) LIKE ? ESCAPE '\\')"), [pattern] * 4
    return scan_clause(text)


def matches(conn, text: str, union: str = "UNION") -> tuple[str, list] | None:
    """A SELECT of the ids of the tickets whose text holds ``text``, answered from the trigram
    indexes; None where there are none (PostgreSQL) or the text is too short for them.
    ``union="UNION ALL"`` leaves an id found twice in twice, for a caller that drops repeats
    itself (``INSERT OR IGNORE`` into a keyed table: one b-tree instead of two)."""
    if not is_indexed(conn) or len(text) < MIN_INDEXED:
        return None
    phrase, pattern = _phrase(text), like_pattern(text)
    # Each source twice: what the index says about rows it is up to date on, and the pending rows
    # read by LIKE. Kinds with nothing pending (most of the time) skip both checks.
    waiting = {kind for kind in _KINDS if conn.execute(
        "SELECT 1 FROM search_pending WHERE kind = ? LIMIT 1", (kind,)).fetchone()}
    params: list = []

    def part(kind: str, indexed: str, not_indexed: str, likes: int) -> str:
        params.append(phrase)
        if kind not in waiting:
            return indexed
        params.extend([pattern] * likes)
        return (f"{indexed} AND {_ROW_ID[kind]} NOT IN (SELECT row_id FROM search_pending WHERE kind = '{kind}') "
                f"{union} {not_indexed}")

    messages = part("m", "SELECT x.rowid >> 32 FROM search_messages x WHERE search_messages MATCH ?",
                    "SELECT m.ticket_id FROM search_pending p JOIN messages m ON m.id = p.row_id "
                    "WHERE p.kind = 'm' AND m.body LIKE ? ESCAPE '\\'", 1)
    tickets = part("t", "SELECT x.rowid FROM search_tickets x WHERE search_tickets MATCH ?",
                   "SELECT s.id FROM search_pending p JOIN tickets s ON s.id = p.row_id "
                   "WHERE p.kind = 't' AND (s.subject LIKE ? ESCAPE '\\' OR s.order_number LIKE ? ESCAPE '\\')", 2)
    customers = part("c", "SELECT x.rowid FROM search_customers x WHERE search_customers MATCH ?",
                     "SELECT k.id FROM search_pending p JOIN customers k ON k.id = p.row_id "
                     "WHERE p.kind = 'c' AND k.name LIKE ? ESCAPE '\\'", 1)
    return (f"{messages} {union} {tickets} "
            f"{union} SELECT s.id FROM tickets s WHERE s.customer_id IN ({customers})"), params


# Temporary tables of kept matches per connection, the newest last; past this many the oldest
# is dropped (its query reads its matches again if it is still used). A few suffice: the inbox
# keeps the search on screen and, for esc, the view from before it (which has no search).
_KEPT_TABLES = 4
_kept_serial = itertools.count(1)


class KeptMatches:
    """The ids of the tickets a search matches, read once into a temporary table, so that the
    view's count and each of its pages test ``t.id IN (SELECT id FROM temp.<table>)`` instead of
    reading the trigram indexes again (at 1M, "refund": 341k index hits, 201k tickets, ~0.15-0.2 s
    each time). A temporary table is the connection's own: nobody else sees it or waits on it.
    ``refresh`` after the tickets or messages changed. Unusable (``None`` from ``fill``) where the
    connection takes no writes at all (``PRAGMA query_only``, a read-only file): then the caller
    reads the matches inline (``clause``)."""

    def __init__(self, conn: sqlite3.Connection, text: str) -> None:
        self.conn, self.text = conn, text
        self.table: str | None = None
        self.size = 0  # matching tickets, open or not
        self.usable = True

    def fill(self) -> str | None:
        """The temporary table's name, read again if it was dropped meanwhile; None if unusable."""
        if not self.usable:
            return None
        kept = _kept(self.conn)
        if self.table is not None and self.table in kept:
            return self.table
        found = matches(self.conn, self.text, union="UNION ALL")
        if found is None or self.conn.execute("PRAGMA query_only").fetchone()[0]:
            self.usable = False
            return None
        sql, params = found
        table = f"search_hits_{next(_kept_serial)}"
        try:
            self.conn.execute(f"CREATE TEMP TABLE {table} (id INTEGER PRIMARY KEY)")
            self.size = self.conn.execute(f"INSERT OR IGNORE INTO temp.{table} {sql}", params).rowcount
        except sqlite3.OperationalError as error:
            if "readonly" not in str(error):
                raise
            self.usable = False
            return None
        kept.append(table)
        while len(kept) > _KEPT_TABLES:
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{kept.pop(0)}")
        self.table = table
        return table

    def refresh(self) -> None:
        """Forget the kept ids: the next ``fill`` reads the indexes again."""
        if self.table is not None:
            kept = _kept(self.conn)
            if self.table in kept:
                kept.remove(self.table)
                self.conn.execute(f"DROP TABLE IF EXISTS temp.{self.table}")
            self.table = None


def _kept(conn: sqlite3.Connection) -> list[str]:
    kept = getattr(conn, "_deskui_search_tables", None)
    if kept is None:
        kept = []
        conn._deskui_search_tables = kept  # type: ignore[attr-defined]
    return kept


def open_estimate(conn: sqlite3.Connection) -> int | None:
    """Open tickets as ANALYZE last counted them (the partial inbox index's entries), or None."""
    try:
        row = conn.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'tickets_inbox'").fetchone()
    except sqlite3.OperationalError:  # never analyzed: no sqlite_stat1
        return None
    return int(row[0].split()[0]) if row else None


def pending(conn: sqlite3.Connection) -> int:
    """Rows the index has yet to take in. None on PostgreSQL, which has no such table: its
    trigram indexes follow every row by themselves."""
    if not is_indexed(conn):
        return 0
    return conn.execute("SELECT count(*) FROM search_pending").fetchone()[0]


def index_batch(conn: sqlite3.Connection, limit: int = BATCH) -> int:
    """Fold up to ``limit`` pending rows into the index, in one write transaction; how many."""
    done = 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        for kind, (fts, table, columns) in _KINDS.items():
            if done >= limit:
                break
            last = conn.execute("SELECT max(row_id) FROM (SELECT row_id FROM search_pending WHERE kind = ? "
                                "ORDER BY row_id LIMIT ?)", (kind, limit - done)).fetchone()[0]
            if last is None:
                continue
            olds = ", ".join(f"lower({name})" for name in _OLD_TEXT[kind])
            cols = ", ".join(columns)
            conn.execute(f"INSERT INTO {fts} ({fts}, rowid, {cols}) SELECT 'delete', {_OLD_ROWID[kind]}, {olds} "
                         "FROM search_pending WHERE kind = ? AND row_id <= ? AND indexed = 1", (kind, last))
            conn.execute(f"INSERT INTO {fts} (rowid, {cols}) SELECT {_NEW_ROWID[kind]}, "
                         f"{', '.join(f'lower({c})' for c in columns)} "
                         f"FROM {table} WHERE id IN (SELECT row_id FROM search_pending WHERE kind = ? AND row_id <= ?)",
                         (kind, last))
            done += conn.execute("DELETE FROM search_pending WHERE kind = ? AND row_id <= ?", (kind, last)).rowcount
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return done


def index_pending(path: str | Path, *, connect: Callable | None = None, limit: int = BATCH,
                  stop: Callable[[], bool] = lambda: False, pause: float = 0.0) -> int:
    """Catch the index up with every pending row, batch after batch, on a connection of its own
    that is closed after any error (a full disk leaves FTS5's connection failing for good). Each
    batch commits: killed in the middle, the next run goes on from there. Rows indexed."""
    if connect is None:
        from deskui.store.db import connect
    conn = connect(path)
    total = 0
    try:
        if not is_indexed(conn):
            return 0
        while not stop():
            done = index_batch(conn, limit)
            total += done
            if not done:  # asked again until nothing is left (a short batch once left 13,632 at 1M)
                break
            if pause:
                # Between batches the write lock is free: an agent's write waiting on its busy
                # timeout gets it, instead of the next batch taking it at once.
                time.sleep(pause)
    finally:
        conn.close()
    return total


def reindex_all(conn: sqlite3.Connection) -> None:
    """Forget the index and note every row as pending (after `deskui migrate` copied rows in with
    its triggers quiet). Inside the caller's transaction. PostgreSQL has no such index (its
    trigram indexes follow every row by themselves): nothing to do there."""
    if not is_indexed(conn):
        return
    for kind, (fts, table, _) in _KINDS.items():
        conn.execute(f"INSERT INTO {fts} ({fts}) VALUES ('delete-all')")
        conn.execute("DELETE FROM search_pending WHERE kind = ?", (kind,))
        conn.execute(f"INSERT INTO search_pending (kind, row_id, indexed) SELECT ?, id, 0 FROM {table}", (kind,))
