"""Opening a deskui file: connection setup, version checks, migrations.

Several deskui processes share one file (agents, a board, an importer), so every connection uses
WAL (readers never block the writer), a busy timeout (a writer waits instead of failing with
"database is locked"), foreign keys, and autocommit with explicit short write transactions.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from deskui.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 10_000
DEFAULT_DB_ENV = "DESKUI_DB"


class StoreError(Exception):
    """A problem with the database file that the user can act on; the message says how."""


def default_db_path() -> Path:
    """``$DESKUI_DB``, else ``$XDG_DATA_HOME/deskui/deskui.db`` (``~/.local/share/...``)."""
    if os.environ.get(DEFAULT_DB_ENV):
        return Path(os.environ[DEFAULT_DB_ENV])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "deskui" / "deskui.db"


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(os.environ.get('DESKUI_BUSY_TIMEOUT_MS', BUSY_TIMEOUT_MS))}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA temp_store = MEMORY")


def connect(path: str | Path, *, create: bool = False, readonly: bool = False) -> sqlite3.Connection:
    """Open (or with ``create`` make) a deskui database, migrating an older one forward."""
    path = Path(path)
    if not create and not path.exists():
        raise StoreError(f"{path}: no such database; create one with `deskui init {path}` or try `deskui demo`")
    if path.exists() and path.is_dir():
        raise StoreError(f"{path}: is a directory, not a deskui database")
    if not create and path.is_file() and path.stat().st_size == 0:
        # SQLite takes an empty file for an empty database, which read as "another program's".
        raise StoreError(f"{path}: an empty file (0 bytes), not a deskui database; make it one with `deskui init {path}`, "
                         "or give another path")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    uri = f"file:{path}?mode=ro" if readonly else str(path)
    try:
        conn = sqlite3.connect(uri, uri=readonly, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
        _configure(conn)
        _check_and_migrate(conn, path, create=create, readonly=readonly)
    except sqlite3.DatabaseError as error:
        message = str(error)
        if "file is not a database" in message or "file is encrypted" in message:
            raise StoreError(f"{path}: not a deskui database (not an SQLite file at all)") from None
        raise StoreError(f"{path}: cannot open it: {message}") from None
    return conn


def _check_and_migrate(conn: sqlite3.Connection, path: Path, *, create: bool, readonly: bool) -> None:
    application_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    if application_id != APPLICATION_ID:
        if has_tables or not create:
            raise StoreError(
                f"{path}: not a deskui database (it is an SQLite file of another program); "
                "give another path, or create one with `deskui init PATH`"
            )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: written by a newer deskui (schema version {version}, this deskui knows up to "
            f"{SCHEMA_VERSION}); upgrade deskui to open it"
        )
    if version == SCHEMA_VERSION:
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
        return
    if readonly:
        raise StoreError(f"{path}: needs upgrading from schema {version}; open it once without read-only")
    conn.execute("PRAGMA journal_mode = WAL")
    with write(conn):
        # Re-read under the write lock: another process may have migrated meanwhile.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version, SCHEMA_VERSION):
            for statement in _split_sql(MIGRATIONS[number]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _split_sql(script: str) -> Iterator[str]:
    """Split a migration into statements (executescript would commit our transaction)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            buffer = ""
            if statement:
                yield statement
    if buffer.strip():
        yield buffer.strip()


@contextlib.contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A short write transaction. IMMEDIATE takes the write lock up front, so two processes never
    both read-then-write and deadlock; the busy timeout makes the second one wait its turn."""
    if conn.in_transaction:
        yield conn  # already inside one: join it
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # a full disk or an I/O error has already rolled it back
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def data_version(conn: sqlite3.Connection) -> int:
    """Changes when *another* connection commits: a free "did anything change?" check."""
    return conn.execute("PRAGMA data_version").fetchone()[0]
