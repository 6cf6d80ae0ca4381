"""Opening a deskui file: connection setup, version checks, migrations.

Several deskui processes share one file (agents, a board, an importer), so every connection uses
WAL (readers never block the writer), a busy timeout (a writer waits instead of failing with
"database is locked"), foreign keys, and autocommit with explicit short write transactions.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import urllib.parse
import weakref
from collections.abc import Iterator
from pathlib import Path

from deskui.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 10_000
# Below this many tickets SQLite's default estimates plan the inbox's reads as well as statistics do.
ANALYZE_FROM_TICKETS = 10_000
DEFAULT_DB_ENV = "DESKUI_DB"
DATABASE_URL_PREFIXES = ("postgresql://", "postgres://")


# Closing any descriptor of a file drops every POSIX lock this process holds on it (SQLite's WAL
# locks included): a process whose locks are gone is taken for absent, and the next process to
# close its own connection checkpoints and deletes the WAL under it, so its later commits go to a
# deleted file that nobody else reads. So the header check below, which opens the file itself,
# runs only while this process has no connection to that file, never beside one.
_OPENING = threading.Lock()
_OPEN: dict[tuple[int, int], weakref.WeakSet] = {}


class _Connection(sqlite3.Connection):
    """sqlite3's own connection; a subclass only so that ``_OPEN`` can hold it weakly."""


def _open_in_this_process(path: Path) -> bool:
    try:
        info = path.stat()
    except OSError:
        return False
    for conn in list(_OPEN.get((info.st_dev, info.st_ino), ())):
        try:
            conn.total_changes  # raises once the connection is closed
            return True
        except sqlite3.ProgrammingError:
            continue
    return False


def _remember(conn: sqlite3.Connection, path: Path) -> None:
    try:
        info = path.stat()
    except OSError:  # not made yet; nothing of it to lose
        return
    _OPEN.setdefault((info.st_dev, info.st_ino), weakref.WeakSet()).add(conn)


class StoreError(Exception):
    """A problem with the database file that the user can act on; the message says how."""


class ServerUnreachable(StoreError):
    """A database server that does not answer (stopped, restarting, the network down): opening
    again later may work, so the screens say so and reconnect instead of closing."""


class ConnectionLost(sqlite3.OperationalError):
    """The server went away under an open connection (stopped, restarted, the session killed).
    Nothing of the statement that failed is stored; the connection reconnects by itself."""


def is_connection_failure(error: BaseException) -> bool:
    """The server is out of reach now: the error of a connection that died, or of one that
    could not be made; a later try may succeed."""
    return isinstance(error, (ConnectionLost, ServerUnreachable))


def is_url(target: object) -> bool:
    """A database argument naming a PostgreSQL server (anything else is an SQLite file's path)."""
    return isinstance(target, str) and target.startswith(DATABASE_URL_PREFIXES)


def database_target(value: str | Path | None) -> str | Path:
    """The database argument as ``connect`` takes it: a URL stays text (a Path would fold its
    ``//``), anything else is a path; None means ``default_db_path()``."""
    if value is None or value == "":
        return default_db_path()
    return str(value) if is_url(str(value)) else Path(value)


def connection_target(conn: sqlite3.Connection) -> str | None:
    """What another process opens to read what ``conn`` reads: the SQLite file or the
    PostgreSQL URL; None for an in-memory database or inside a transaction whose writes no one
    else sees."""
    if conn.in_transaction:
        return None
    if getattr(conn, "backend", "sqlite") == "postgresql":
        return getattr(conn, "url", None)
    try:
        row = conn.execute("SELECT file FROM pragma_database_list WHERE name = 'main'").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row and row[0] else None


def shown_target(target: str | Path) -> str:
    """The database for messages: a URL without its password, or the path."""
    if is_url(str(target)):
        from deskui.store.postgres.db import shown

        return shown(str(target))
    return str(target)


def default_db_path() -> str | Path:
    """``$DESKUI_DB``, else the platform's data folder: ``$XDG_DATA_HOME/deskui/deskui.db``
    (``~/.local/share/...``) on Linux, ``~/Library/Application Support/deskui/`` on macOS,
    ``%LOCALAPPDATA%\\deskui\\`` on Windows."""
    if os.environ.get(DEFAULT_DB_ENV):
        value = os.environ[DEFAULT_DB_ENV]
        return value if is_url(value) else Path(value)
    import platformdirs  # here: only a command without a database path needs it

    return platformdirs.user_data_path("deskui", appauthor=False) / "deskui.db"


def busy_timeout_ms() -> int:
    """How long a write waits for another process's write lock before it fails as "busy"
    (``$DESKUI_BUSY_TIMEOUT_MS``, else 10 s): SQLite's busy_timeout, PostgreSQL's lock_timeout."""
    return int(os.environ.get("DESKUI_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS))


def _configure(conn: sqlite3.Connection) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA temp_store = MEMORY")


def connect(path: str | Path, *, create: bool = False, readonly: bool = False) -> sqlite3.Connection:
    """Open (or with ``create`` make) a deskui database, migrating an older one forward. A file
    that cannot be written (a read-only mount, an immutable file, a folder where the WAL files
    cannot be made) opens read-only: ``is_readonly`` tells, and every write fails with SQLite's
    "attempt to write a readonly database". A ``postgresql://`` URL opens the database on that
    server through the adapter of ``postgres/connection.py``, which answers as a sqlite3
    connection does."""
    if is_url(path):
        from deskui.store.postgres.connection import open_connection

        return open_connection(path, create=create)
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
    try:
        with _OPENING:  # a connection opened by another thread meanwhile takes its locks only once remembered
            if not create:
                if not _open_in_this_process(path):
                    _check_not_cut_off(path)
                readonly = readonly or not _writable(path)
            conn = sqlite3.connect(_uri(path, readonly), uri=True, isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000, factory=_Connection)
            _remember(conn, path)
        _configure(conn)
        if readonly:
            conn.execute("PRAGMA query_only = ON")
        _check_and_migrate(conn, path, create=create, readonly=readonly)
        if not readonly and not create:
            ensure_statistics(conn)
    except sqlite3.DatabaseError as error:
        message = str(error)
        if "file is not a database" in message or "file is encrypted" in message:
            raise StoreError(f"{path}: not a deskui database (not an SQLite file at all)") from None
        raise StoreError(f"{path}: cannot open it: {message}") from None
    return conn


def init_database(target: str | Path) -> str:
    """``deskui init``: a new empty deskui database (a file, or deskui's tables in an empty
    PostgreSQL database), or nothing to do for one that is already; the line to print."""
    if is_url(str(target)):
        from deskui.store.postgres.connection import init_database as init_server_database

        return init_server_database(str(target))
    path = Path(target)
    if path.exists() and path.stat().st_size > 0:
        connect(path).close()  # validates: refuses a foreign or newer file
        return f"{path}: already a deskui database; nothing to do"
    connect(path, create=True).close()
    return f"{path}: created an empty deskui database"


def holds_tickets(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM tickets LIMIT 1").fetchone() is not None


def ensure_statistics(conn: sqlite3.Connection) -> bool:
    """One full ANALYZE of a sizeable file that has no statistics (written by an import, another
    program, an older deskui). Without them SQLite guesses, and at a million tickets it guesses
    wrong: a tier filter scanned the table for 2.3 s, 0.14 s with statistics. Sampled statistics
    (``analysis_limit``) mislead it too, so this one reads every index (about 1 s per million
    tickets, once). True when it ran."""
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            return False
        if (conn.execute("SELECT max(id) FROM tickets").fetchone()[0] or 0) < ANALYZE_FROM_TICKETS:
            return False
        update_statistics(conn)
    except sqlite3.DatabaseError:
        return False  # a damaged table: opening is not the place to say so (the screens say it, in one line)
    return True


def update_statistics(conn: sqlite3.Connection) -> None:
    """A full ANALYZE, after a bulk write (an import, the demo) changed the data's shape. Skipped
    when another process holds the write lock past the busy timeout: statistics only speed reads."""
    try:
        conn.execute("PRAGMA analysis_limit = 0")
        conn.execute("ANALYZE")
    except sqlite3.OperationalError as error:
        if "locked" not in str(error) and "busy" not in str(error) and "full" not in str(error):
            raise


def is_readonly(conn: sqlite3.Connection) -> bool:
    if getattr(conn, "backend", "sqlite") != "sqlite":
        return False  # a role without write grants is told so by the server, write by write
    return bool(conn.execute("PRAGMA query_only").fetchone()[0])


def _writable(path: Path) -> bool:
    """``os.access`` answers for read-only mounts and immutable files even as root (root ignores
    only the permission bits). WAL needs its -wal and -shm files beside the database: a folder
    we cannot write is fine only while both exist and can be written."""
    if not os.access(path, os.W_OK):
        return False
    return os.access(path.parent, os.W_OK) or all(os.access(f"{path}{end}", os.W_OK) for end in ("-wal", "-shm"))


def _uri(path: Path, readonly: bool) -> str:
    uri = f"file:{urllib.parse.quote(str(path.absolute()))}"
    if not readonly:
        return uri
    if not os.access(path.parent, os.W_OK) and not os.path.exists(f"{path}-shm"):
        # Read-only WAL needs a -shm file; where none exists and none can be made, nobody can be
        # writing this file through this folder, so SQLite may read it as immutable.
        return f"{uri}?mode=ro&immutable=1"
    return f"{uri}?mode=ro"


def _check_not_cut_off(path: Path) -> None:
    """A file cut short (a copy that stopped, a full disk during a copy) opens fine and fails
    later on the first page that is missing; its header says how long it should be."""
    with open(path, "rb") as handle:
        header = handle.read(100)
    if len(header) == 0:
        raise StoreError(f"{path}: is empty (0 bytes), not a deskui database; create one with `deskui init PATH`")
    if len(header) < 100 or not header.startswith(b"SQLite format 3\0"):
        return  # not SQLite at all: SQLite itself says so, with its own message
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages, counter, valid_for = (int.from_bytes(header[at:at + 4], "big") for at in (28, 24, 92))
    wal = Path(f"{path}-wal")
    if counter != valid_for or (wal.exists() and wal.stat().st_size > 0):
        return  # the header's size is stale, or the WAL holds pages beyond the file: no verdict
    expected, actual = pages * page_size, path.stat().st_size
    if actual < expected:
        raise StoreError(f"{path}: damaged: {actual:,} of its {expected:,} bytes are there (cut off in a copy?); "
                         "restore it from a backup")


def describe_failure(error: BaseException, path: str | Path) -> str | None:
    """One line for a database failure met while the app runs (a damaged file, a file gone), or
    None when the error is a bug that deserves its traceback."""
    if isinstance(error, StoreError):
        return str(error)
    if getattr(error, "pg_error", None) is not None:
        from deskui.store.postgres.db import describe_failure as describe_pg_failure

        return describe_pg_failure(error.pg_error, shown_target(path))
    if isinstance(error, sqlite3.DatabaseError):
        message = str(error)
        if "malformed" in message or "not a database" in message or "corrupt" in message:
            return f"{path}: damaged ({message}); restore it from a backup, or check it with `sqlite3 {path} 'PRAGMA integrity_check'`"
        if "no such table" in message or "no such column" in message:
            return f"{path}: its tables were changed by another program ({message}); restore it from a backup"
        if "disk I/O error" in message or "unable to open" in message:
            return f"{path}: cannot be read any more ({message}); check the disk and the file"
    return None


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
        raise StoreError(f"{path}: needs upgrading from schema {version}, but it is opened read-only; "
                         "make it writable and open it once")
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
        conn.execute("COMMIT")
    except BaseException:
        # A full disk or an I/O error may already have rolled the transaction back; a COMMIT
        # that failed may have left it open, and a later write() would silently join it.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def data_version(conn: sqlite3.Connection) -> int:
    """Changes when *another* connection commits: a free "did anything change?" check."""
    return conn.execute("PRAGMA data_version").fetchone()[0]
