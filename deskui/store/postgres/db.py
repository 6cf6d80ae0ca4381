"""Opening a deskui database on a PostgreSQL server: the connection, its version checks and
migrations, and the one line a user reads when it fails.

The connection is in autocommit mode with explicit short write transactions (``write``), as the
SQLite store's is: a screen that only reads never holds a transaction open, and LISTEN works on
it between writes. Rows answer both ``row[0]`` and ``row["name"]``, like ``sqlite3.Row``.
psycopg is imported only here and in the modules beside it: a SQLite-only install never needs it.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from deskui.store.db import ServerUnreachable, StoreError
from deskui.store.postgres.schema import MIGRATIONS, SCHEMA_VERSION, VERSION_TABLE, VERSION_TABLE_SQL

URL_PREFIXES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT_S = 10
# Two deskui processes opening one new database at once: the second waits here, then finds the
# tables made (the number is "desk" again, as SQLite's application_id).
MIGRATION_LOCK = 0x6465736B
_NOW = """to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


def is_url(text: object) -> bool:
    return isinstance(text, str) and text.startswith(URL_PREFIXES)


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise StoreError("PostgreSQL needs psycopg: install deskui with `pip install 'deskui[postgres]'`") from None
    return psycopg


def shown(url: str) -> str:
    """The URL without its password, for messages: ``postgresql://ana@db.example:5432/desk``."""
    psycopg = _psycopg()
    try:
        parts = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the PostgreSQL URL"
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{host}{port}/{parts.get('dbname') or ''}"


class Row(tuple):
    """A result row: a tuple that also answers ``row["column"]`` and ``keys()``."""

    __slots__ = ()
    _index: dict[str, int] = {}

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@functools.lru_cache(maxsize=512)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"__slots__": (), "_index": {name: i for i, name in enumerate(names)}})


def row_factory(cursor):
    description = cursor.description or ()
    return _row_class(tuple(column.name for column in description))


def connect(url: str, *, create: bool = False):
    """Open a deskui database on a server, migrating an older one forward; with ``create`` an
    empty database gets deskui's tables. Every failure is a ``StoreError`` of one line."""
    psycopg = _psycopg()
    where = shown(url)
    try:
        options = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as error:
        # libpq quotes the whole URL, password and all, in some of these messages
        reason = _first_line(error).replace(url, "...")
        raise StoreError(f"{where}: not a valid connection string ({reason}); "
                         "write it as postgresql://USER@HOST:PORT/DATABASE") from None
    options.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
    options.setdefault("application_name", "deskui")
    try:
        conn = psycopg.connect(**options, autocommit=True, row_factory=row_factory)
    except psycopg.Error as error:
        kind = ServerUnreachable if unreachable(error) else StoreError
        raise kind(connect_failure(error, where)) from None
    try:
        check_and_migrate(conn, where, create=create)
    except BaseException:
        conn.close()
        raise
    return conn


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    for line in text.splitlines():
        line = line.strip()
        # libpq prefixes: "connection failed: connection to server at ... failed: FATAL:  ..."
        if line and not line.startswith(("HINT", "DETAIL", "Is the server")):
            return line.rsplit("FATAL:", 1)[-1].strip()
    return text or type(error).__name__


# What libpq says when no server answers, or one that is stopping, starting or recovering: a
# later try may connect. A wrong password or database name is not among them.
_UNREACHABLE = ("Connection refused", "could not connect", "No such file or directory", "timeout expired",
                "the database system is", "server closed the connection", "terminating connection",
                "Network is unreachable", "No route to host", "could not receive data", "could not send data")


def unreachable(error: BaseException) -> bool:
    text = str(error)
    return not _refused_for_good(text) and any(words in text for words in _UNREACHABLE)


def _refused_for_good(text: str) -> bool:
    return "password authentication failed" in text or "does not exist" in text or "no password supplied" in text


def connect_failure(error: BaseException, where: str) -> str:
    """The one line for a connection that could not be made, with what to do next."""
    text = str(error)
    if "password authentication failed" in text or "no password supplied" in text:
        return f"{where}: the server refused the password; check the password in the URL, ~/.pgpass or $PGPASSWORD"
    if "does not exist" in text and "database" in text:
        return (f"{where}: no such database on the server; create it (CREATE DATABASE, docs/postgres.md) "
                "or correct the name in the URL")
    if "does not exist" in text and "role" in text:
        return f"{where}: no such role on the server; create it (CREATE ROLE, docs/postgres.md) or correct the user in the URL"
    if "Connection refused" in text or "could not connect" in text or "No such file or directory" in text:
        return f"{where}: no PostgreSQL server answers there; check the host and port, and that the server runs"
    if "the database system is" in text:  # starting up, shutting down, in recovery
        return f"{where}: the server is not accepting connections now ({_first_line(error)}); try again in a moment"
    if "timeout expired" in text:
        return f"{where}: the server did not answer within {CONNECT_TIMEOUT_S} s; check the host, the port and the network"
    if "SSL" in text:
        return f"{where}: TLS failed ({_first_line(error)}); check sslmode in the URL (docs/postgres.md)"
    return f"{where}: cannot connect: {_first_line(error)}"


def describe_failure(error: BaseException, where: str) -> str | None:
    """One line for a failure met while deskui runs (the server went away, a role lacks a right),
    or None for a bug that deserves its traceback."""
    psycopg = _psycopg()
    if isinstance(error, StoreError):
        return str(error)
    if isinstance(error, psycopg.OperationalError):
        return f"{where}: lost the connection to the server ({_first_line(error)}); deskui reconnects when it answers again"
    if isinstance(error, psycopg.errors.InsufficientPrivilege):
        return f"{where}: this role may not do that ({_first_line(error)}); ask the database's owner for the grants in docs/postgres.md"
    if isinstance(error, (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn)):
        # A table or column another program dropped: SQLite's "no such table" line (store/db.py), not a traceback.
        return f"{where}: its tables were changed by another program ({_first_line(error)}); restore it from a backup"
    return None


def schema_version(conn) -> int | None:
    """The version of deskui's tables here, or None when there are none."""
    if conn.execute("SELECT to_regclass(%s)", (VERSION_TABLE,)).fetchone()[0] is None:
        return None
    return conn.execute(f"SELECT coalesce(max(version), 0) FROM {VERSION_TABLE}").fetchone()[0]


def _foreign_tables(conn) -> int:
    return conn.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename != %s", (VERSION_TABLE,)
    ).fetchone()[0]


def check_and_migrate(conn, where: str, *, create: bool = False) -> None:
    psycopg = _psycopg()
    version = schema_version(conn)
    if version is not None and version > SCHEMA_VERSION:
        raise StoreError(f"{where}: written by a newer deskui (schema version {version}, this deskui knows up to "
                         f"{SCHEMA_VERSION}); upgrade deskui to open it")
    if version == SCHEMA_VERSION:
        return
    if version is None:
        if conn.execute("SELECT current_schema()").fetchone()[0] is None:
            raise StoreError(f"{where}: no schema to create tables in (search_path names none that exists)")
        if _foreign_tables(conn):
            raise StoreError(f"{where}: not a deskui database (it holds tables of another program); "
                             "give another database, or another schema with options=-csearch_path=NAME")
        if not create:
            raise StoreError(f"{where}: an empty database, no deskui tables yet; copy a deskui file into it with "
                             "`deskui migrate FILE URL` (docs/postgres.md)")
    try:
        migrate(conn)
    except psycopg.errors.InsufficientPrivilege as error:
        raise StoreError(f"{where}: needs its tables {'created' if version is None else 'upgraded'}, which this role may not do "
                         f"({_first_line(error)}); open it once as the database's owner (docs/postgres.md)") from None


def migrate(conn) -> int:
    """Apply the missing migrations in order, in one transaction; returns the version reached."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(VERSION_TABLE_SQL)
        # Re-read under the lock: another process may have migrated meanwhile.
        version = schema_version(conn) or 0
        if version > SCHEMA_VERSION:
            raise StoreError(f"written by a newer deskui (schema version {version}); upgrade deskui")
        for number in range(version, SCHEMA_VERSION):
            conn.execute(MIGRATIONS[number])
            conn.execute(f"INSERT INTO {VERSION_TABLE} (version, applied_at) VALUES (%s, {_NOW})", (number + 1,))
    return SCHEMA_VERSION


@contextlib.contextmanager
def write(conn) -> Iterator:
    """A short write transaction (joins one already open), as ``deskui.store.db.write``."""
    with conn.transaction():
        yield conn
