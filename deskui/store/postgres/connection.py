"""The subset of ``sqlite3.Connection`` the store uses, over a psycopg connection, so the store's
modules run the same SQL text on both backends (the shape of Harlequin's adapter classes: a
connection and a cursor that translate, nothing more; not an ORM).

Each statement text is translated once (cached): ``?`` and ``:name`` become psycopg's
placeholders, SQLite-only syntax becomes its PostgreSQL form, PRAGMAs are answered here. The
functions SQLite has and PostgreSQL lacks are created in the database (``compat.py``).

Writes keep SQLite's rule of one writer at a time: ``BEGIN IMMEDIATE`` takes a transaction-wide
advisory lock, so the store's read-then-write transactions (claims, send, imports) stay as
atomic as on SQLite, and ``PRAGMA busy_timeout`` is the lock's ``lock_timeout``. Errors come out
as ``sqlite3`` exceptions (the original as ``__cause__``), so the callers' ``except sqlite3...``
clauses hold on both.
"""

from __future__ import annotations

import functools
import itertools
import re
import sqlite3
import threading
from collections.abc import Sequence

from deskui.store.db import ConnectionLost
from deskui.store.postgres.schema import MIGRATIONS

WRITE_LOCK = 0x64657377  # "desw": the one-writer lock of BEGIN IMMEDIATE
# A connection that died is made again by a thread of its own, the wait between attempts doubling
# from the first to the last: a server back after a restart is used within a fraction of a second,
# one down for long is asked every few seconds, and the UI thread never waits for a connect.
RECONNECT_FIRST_S = 0.1
RECONNECT_MAX_S = 5.0
_ID_TABLES = frozenset(re.findall(r"CREATE TABLE (\w+) \(\s*id BIGINT GENERATED", "\n".join(MIGRATIONS)))


# Statements that change nothing when they fail on a dead connection: sent again once on a new one.
_STREAMS = itertools.count()  # server-side cursors' names, unique per process
_RETRYABLE = re.compile(r"\s*(SELECT|BEGIN)\b", re.IGNORECASE)


def _never_null_columns(migrations: list[str]) -> frozenset[str]:
    """Column names NOT NULL (or a primary key) in every table that has them: an ORDER BY on one
    needs no NULLS clause, so it keeps using its index's order."""
    seen: dict[str, bool] = {}
    for definition in re.findall(r"(?m)^\s+(?:ADD COLUMN\s+)?(\w+ (?:BIGINT|TEXT|DOUBLE PRECISION|BYTEA)\b.*)$",
                                 "\n".join(migrations)):
        name = definition.split()[0].lower()
        strict = bool(re.search(r"\bNOT NULL\b|\bPRIMARY KEY\b", definition))
        seen[name] = seen.get(name, True) and strict
    return frozenset(name for name, strict in seen.items() if strict)


_NEVER_NULL = _never_null_columns(MIGRATIONS) | {"rowid", "seq"}
_ORDER_END = re.compile(r"\b(LIMIT|OFFSET|ROWS|RANGE|GROUPS|UNION|EXCEPT|INTERSECT|FOR|FETCH)\b", re.IGNORECASE)


def _not_null_by_table(migrations: list[str]) -> dict[str, frozenset[str]]:
    """Each table's NOT NULL (or primary key) columns, from its CREATE TABLE and ADD COLUMNs."""
    found: dict[str, set[str]] = {}
    text = "\n".join(migrations)
    column = r"(\w+) (?:BIGINT|TEXT|DOUBLE PRECISION|BYTEA)\b(.*)"
    for table, body in re.findall(r"CREATE TABLE (\w+) \((.*?)\n\);", text, re.DOTALL):
        for name, rest in re.findall(rf"(?m)^\s+{column}$", body):
            if re.search(r"\bNOT NULL\b|\bPRIMARY KEY\b", rest):
                found.setdefault(table, set()).add(name.lower())
    for table, name, rest in re.findall(rf"(?m)^ALTER TABLE (\w+) ADD COLUMN {column}$", text):
        if re.search(r"\bNOT NULL\b|\bPRIMARY KEY\b", rest):
            found.setdefault(table, set()).add(name.lower())
    return {table: frozenset(names) for table, names in found.items()}


_NOT_NULL_IN = _not_null_by_table(MIGRATIONS)
_SQL_WORDS = frozenset("""WHERE JOIN LEFT RIGHT FULL INNER OUTER CROSS NATURAL ON USING ORDER GROUP HAVING LIMIT OFFSET
    UNION EXCEPT INTERSECT WINDOW FOR SET VALUES RETURNING AS""".split())


def _inner_aliases(sql: str) -> dict[str, str]:
    """alias (or table name) -> table, for the tables a statement reads in FROM or an inner JOIN.
    A table on the nullable side of an outer join is left out: its NOT NULL columns read NULL
    where it has no row."""
    aliases: dict[str, str] = {}
    for match in re.finditer(r"\b(LEFT|RIGHT|FULL)?(?:\s+OUTER)?\s*\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?",
                             sql, re.IGNORECASE):
        outer, table, alias = match.group(1), match.group(2).lower(), match.group(3)
        if outer or table not in _NOT_NULL_IN:
            continue
        aliases[table] = table
        if alias and alias.upper() not in _SQL_WORDS:
            aliases[alias.lower()] = table
    return aliases


def _never_null_literal_coalesce(expression: str) -> bool:
    """``coalesce(..., 'literal')`` or ``coalesce(..., -1)``: never NULL, whatever comes before."""
    match = re.fullmatch(r"coalesce\((.*)\)", expression, re.IGNORECASE | re.DOTALL)
    if not match:
        return False
    depth, last = 0, 0
    body = match.group(1)
    for at, char in enumerate(body):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return False  # "coalesce(a) + f(b)": the parentheses do not enclose one call
        elif char == "," and depth == 0:
            last = at + 1
    return depth == 0 and bool(re.fullmatch(r"\s*(-?\d+(\.\d+)?|'[^']*')\s*", body[last:]))


def _order_item_like_sqlite(item: str, aliases: dict[str, str] | None = None) -> str:
    """One ORDER BY term with SQLite's place for NULLs: first ascending, last descending
    (PostgreSQL's default is the opposite). A term that is never NULL keeps its plain form, so
    an index on it serves the order: with a NULLS clause the inbox's sorts sorted every open
    ticket (150 ms at 100k) instead of reading 100 rows of their index (9 ms)."""
    stripped = item.strip()
    if not stripped or re.search(r"\bNULLS\s+(FIRST|LAST)\b", stripped, re.IGNORECASE):
        return item
    descending = re.search(r"\s+DESC$", stripped, re.IGNORECASE)
    expression = re.sub(r"\s+(ASC|DESC)$", "", stripped, flags=re.IGNORECASE)
    column = re.fullmatch(r"(?:(\w+)\.)?(\w+)", expression)
    if column:
        name = column.group(2).lower()
        table = (aliases or {}).get((column.group(1) or "").lower())
        if name in _NEVER_NULL or (table is not None and name in _NOT_NULL_IN[table]):
            return item
    if re.fullmatch(r"random\(\)|count\(\*\)", expression, re.IGNORECASE) or _never_null_literal_coalesce(expression):
        return item
    leading = item[:len(item) - len(item.lstrip())]
    trailing = item[len(item.rstrip()):]
    return f"{leading}{stripped} {'NULLS LAST' if descending else 'NULLS FIRST'}{trailing}"


def _nulls_like_sqlite(sql: str) -> str:
    """Every ORDER BY (of a query, a window, an aggregate) puts NULLs where SQLite does, so rows
    with a NULL key come in the same order on both backends."""
    aliases = _inner_aliases(sql)
    out, at = [], 0
    for match in re.finditer(r"\bORDER\s+BY\b", sql, re.IGNORECASE):
        if match.start() < at:
            continue
        start = match.end()
        depth, end, items, item_start = 0, start, [], start
        quote = None
        while end < len(sql):
            char = sql[end]
            if quote:
                quote = None if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                items.append(sql[item_start:end])
                item_start = end + 1
            elif depth == 0 and _ORDER_END.match(sql, end) and (end == 0 or not (sql[end - 1].isalnum() or sql[end - 1] == "_")):
                break
            end += 1
        items.append(sql[item_start:end])
        out.append(sql[at:start])
        out.append(",".join(_order_item_like_sqlite(item, aliases) for item in items))
        at = end
    out.append(sql[at:])
    return "".join(out)


class Translated:
    """A statement's PostgreSQL text; ``table``: an INSERT whose new id lastrowid reads;
    ``ids_given``: an INSERT writing its own ids, after which that table's identity must follow."""

    __slots__ = ("text", "kind", "table", "ids_given")

    def __init__(self, text: str, kind: str = "sql", table: str | None = None, ids_given: str | None = None) -> None:
        self.text, self.kind, self.table, self.ids_given = text, kind, table, ids_given


def _split_top_level(body: str) -> bool:
    depth = 0
    for char in body:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            return True
    return False


def _scalar_min_max(sql: str) -> str:
    """SQLite's two-argument min()/max() are PostgreSQL's least()/greatest()."""
    out, at = [], 0
    for match in re.finditer(r"\b(min|max)\(", sql, re.IGNORECASE):
        start = match.end()
        depth, end = 1, start
        while end < len(sql) and depth:
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            end += 1
        if _split_top_level(sql[start:end - 1]):
            out.append(sql[at:match.start()])
            out.append("least(" if match.group(1).lower() == "min" else "greatest(")
            at = start
    out.append(sql[at:])
    return "".join(out)


def _alias_subqueries(sql: str) -> str:
    """PostgreSQL wants a name for every subquery in FROM; SQLite does not."""
    out, at = [], 0
    for match in re.finditer(r"\bFROM\s*\(\s*SELECT\b", sql, re.IGNORECASE):
        if match.start() < at:
            continue
        depth, end = 0, sql.index("(", match.start())
        while end < len(sql):
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            end += 1
            if depth == 0:
                break
        following = sql[end:].lstrip()
        named = re.match(r"(AS\b|(?!(WHERE|GROUP|ORDER|LIMIT|JOIN|LEFT|CROSS|INNER|UNION|OFFSET|HAVING|ON)\b)[A-Za-z_])",
                         following, re.IGNORECASE)
        out.append(sql[at:end] + ("" if named else " AS deskui_sub"))
        at = end
    out.append(sql[at:])
    return "".join(out)


def _with_conflict_clause(sql: str, clause: str) -> str:
    """Append ``ON CONFLICT ...`` to an INSERT, before its RETURNING when it has one."""
    sql = sql.rstrip().rstrip(";")
    returning = list(re.finditer(r"\bRETURNING\b", sql, re.IGNORECASE))
    if returning:
        at = returning[-1].start()
        return f"{sql[:at]}{clause} {sql[at:]}"
    return f"{sql} {clause}"


def _insert_or(sql: str) -> str:
    match = re.match(r"\s*INSERT\s+OR\s+(IGNORE|REPLACE)\s+INTO\s+(\w+)\s*\(([^)]*)\)", sql, re.IGNORECASE)
    if not match:
        return sql
    rest = f"INSERT INTO {match.group(2)} ({match.group(3)})" + sql[match.end():]
    if match.group(1).upper() == "IGNORE":
        return _with_conflict_clause(rest, "ON CONFLICT DO NOTHING")
    # REPLACE on the table's first column, its key in every table the store replaces into (meta).
    columns = [column.strip() for column in match.group(3).split(",")]
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns[1:])
    return _with_conflict_clause(rest, f"ON CONFLICT ({columns[0]}) DO UPDATE SET {updates}")


_REWRITES = [
    # PostgreSQL's text cannot hold a NUL, so SQLite's guards against one are always false here.
    (re.compile(r"CASE WHEN instr\(([\w.]+), char\(0\)\) THEN CAST\(\1 AS BLOB\) ELSE", re.IGNORECASE),
     "CASE WHEN false THEN NULL ELSE"),
    (re.compile(r"instr\(([\w.{}]+), char\(0\)\)", re.IGNORECASE), "0"),
    (re.compile(r"([\w.]+) GLOB '\*(\[[^\]']*\])\*'"), r"\1 ~ '\2'"),
    # SQLite's CROSS JOIN ... ON fixes the join order; PostgreSQL takes an inner join only with ON.
    (re.compile(r"\bCROSS JOIN (\w+(?: \w+)?) ON\b", re.IGNORECASE), r"JOIN \1 ON"),
    (re.compile(r"\bchar\((\d+)\)", re.IGNORECASE), r"chr(\1)"),  # char is a type's name here
    # SQLite's unary + on a column keeps the planner off that column's index; a no-op here.
    (re.compile(r"(\b(?:AND|OR|WHERE|ON|BY|NOT|SELECT)\s+|[(,]\s*)\+(?=[A-Za-z_])", re.IGNORECASE), r"\1"),
    # A placeholder as a condition: SQLite takes 0/1, PostgreSQL wants a boolean.
    (re.compile(r"\bWHEN (\?|:\w+) THEN", re.IGNORECASE), r"WHEN \1 <> 0 THEN"),
    (re.compile(r"\bAS INTEGER\)", re.IGNORECASE), "AS BIGINT)"),
    (re.compile(r"\bAS REAL\)", re.IGNORECASE), "AS DOUBLE PRECISION)"),
    (re.compile(r"\bAS BLOB\)", re.IGNORECASE), "AS BYTEA)"),
]


def _placeholders(sql: str) -> str:
    """``?`` -> ``%s``, ``:name`` -> ``%(name)s``, ``%`` -> ``%%``, outside quotes and comments
    for the first two (psycopg reads ``%`` everywhere, so it is doubled everywhere)."""
    out, i, n = [], 0, len(sql)
    while i < n:
        char = sql[i]
        if char in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == char:
                    if end + 1 < n and sql[end + 1] == char:
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i:end + 1].replace("%", "%%"))
            i = end + 1
        elif char == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif char == "?":
            out.append("%s")
            i += 1
        elif char == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_") and (i == 0 or sql[i - 1] != ":"):
            match = re.match(r"\w+", sql[i + 1:])
            out.append(f"%({match.group(0)})s")
            i += 1 + match.end()
        elif char == "%":
            out.append("%%")
            i += 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> Translated:
    """One statement of SQLite's dialect as PostgreSQL's (cached per text)."""
    stripped = sql.strip().rstrip(";").strip()
    upper = stripped.upper()
    pragma = re.match(r"PRAGMA\s+(\w+)\s*(?:=\s*(.+)|\((.*)\))?$", stripped, re.IGNORECASE)
    if pragma:
        return Translated((pragma.group(2) or pragma.group(3) or "").strip("'\" "), "pragma", pragma.group(1).lower())
    if re.match(r"BEGIN\s+(IMMEDIATE|EXCLUSIVE)", upper):
        return Translated("BEGIN", "begin_write")
    if upper in ("BEGIN", "BEGIN DEFERRED", "BEGIN TRANSACTION"):
        # SQLite's deferred transaction reads one snapshot; READ COMMITTED would not.
        return Translated("BEGIN ISOLATION LEVEL REPEATABLE READ")
    if "sqlite_master" in stripped or "sqlite_stat" in stripped or "pragma_database_list" in stripped:
        return Translated("", "empty")  # SQLite's catalogue: nothing of it to defer or read here
    text = _insert_or(stripped)
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    if re.search(r"\bFROM\s*\(\s*SELECT", text, re.IGNORECASE):
        text = _alias_subqueries(text)
    if re.search(r"\b(min|max)\(", text, re.IGNORECASE):
        text = _scalar_min_max(text)
    if re.search(r"\bORDER\s+BY\b", text, re.IGNORECASE):
        text = _nulls_like_sqlite(text)
    table = ids_given = None
    insert = re.match(r"INSERT\s+INTO\s+(\w+)\s*(?:\(([^)]*)\))?", text, re.IGNORECASE)
    if insert and insert.group(1) in _ID_TABLES:
        if insert.group(2) and "id" in [column.strip() for column in insert.group(2).split(",")]:
            ids_given = insert.group(1)
        elif not re.search(r"\bRETURNING\b", text, re.IGNORECASE):
            table = insert.group(1)  # lastrowid: RETURNING id, added by execute()
    return Translated(_placeholders(text), "sql", table, ids_given)


def _params(params):
    if params is None:
        return ()
    if isinstance(params, dict):
        return {key: int(value) if isinstance(value, bool) else value for key, value in params.items()}
    return tuple(int(value) if isinstance(value, bool) else value for value in params)


def as_sqlite_error(error: BaseException) -> sqlite3.Error:
    """The sqlite3 exception a caller written for SQLite expects, for a psycopg one."""
    import psycopg

    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, psycopg.IntegrityError):
        made = sqlite3.IntegrityError(message)
    elif isinstance(error, (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn)):
        made = sqlite3.OperationalError(f"no such table or column: {message}")
    elif isinstance(error, psycopg.errors.LockNotAvailable):
        made = sqlite3.OperationalError(f"database is locked ({message})")
    elif isinstance(error, psycopg.errors.ProgrammingError):
        made = sqlite3.OperationalError(message)
    elif isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)):
        made = ConnectionLost(message)
    else:
        made = sqlite3.DatabaseError(message)
    made.pg_error = error
    return made




# SQLite's introspection PRAGMAs, in their row shapes, from PostgreSQL's catalogue.
_CATALOGUE = {
    "table_info": "SELECT ordinal_position - 1, column_name, data_type, (is_nullable = 'NO')::int, column_default, 0 "
                  "FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = %s "
                  "ORDER BY ordinal_position",
    "index_list": "SELECT row_number() OVER (ORDER BY c.relname) - 1, c.relname, i.indisunique::int, 'c', "
                  "(i.indpred IS NOT NULL)::int FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                  "WHERE i.indrelid = to_regclass(%s)",
    "index_info": "SELECT k.n - 1, a.attnum - 1, a.attname FROM pg_index i "
                  "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
                  "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                  "WHERE i.indexrelid = to_regclass(%s) ORDER BY k.n",
}


class Cursor:
    """What ``execute`` returns: rows by index and by name, ``rowcount``, ``lastrowid``."""

    __slots__ = ("_cursor", "rowcount", "lastrowid", "row_factory", "_first")

    def __init__(self, cursor=None, *, rowcount: int = -1, lastrowid: int | None = None, rows=None) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount if cursor is not None else rowcount
        self.lastrowid = lastrowid
        self.row_factory = None
        self._first = rows

    @property
    def description(self):
        if self._cursor is None or self._cursor.description is None:
            return None
        return [(column.name, None, None, None, None, None, None) for column in self._cursor.description]

    def fetchone(self):
        if self._first is not None:
            return self._first.pop(0) if self._first else None
        if self._cursor is None or self._cursor.description is None:
            return None
        try:
            return self._cursor.fetchone()
        except Exception as error:  # noqa: BLE001 - re-raised as sqlite3's
            raise as_sqlite_error(error) from error

    def fetchall(self) -> list:
        if self._first is not None:
            rows, self._first = self._first, []
            return rows
        if self._cursor is None or self._cursor.description is None:
            return []
        try:
            return self._cursor.fetchall()
        except Exception as error:  # noqa: BLE001
            raise as_sqlite_error(error) from error

    def fetchmany(self, size: int = 1) -> list:
        if self._first is not None:
            rows, self._first = self._first[:size], self._first[size:]
            return rows
        if self._cursor is None or self._cursor.description is None:
            return []
        return self._cursor.fetchmany(size)

    def __iter__(self):
        while True:
            rows = self.fetchmany(500)
            if not rows:
                return
            yield from rows

    def close(self) -> None:
        if self._cursor is not None:
            self._cursor.close()


class _CursorMaker:
    """``conn.cursor()``: a cursor to execute on (its ``row_factory`` is accepted and ignored)."""

    def __init__(self, conn: PgConnection) -> None:
        self.conn = conn
        self.row_factory = None

    def execute(self, sql: str, params=None) -> Cursor:
        return self.conn.execute(sql, params)

    def _run(self, text: str, params, take_write_lock: bool):
        cursor = self.raw.execute(text, _params(params))
        if take_write_lock:
            self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        return cursor

    def executemany(self, sql: str, seq_of_params) -> Cursor:
        return self.conn.executemany(sql, seq_of_params)


class PgConnection:
    """A deskui database on a server, answering as ``sqlite3.Connection`` does for the store."""

    backend = "postgresql"

    def __init__(self, raw, where: str, url: str | None = None) -> None:
        self.raw = raw
        self.where = where
        self.row_factory = None  # accepted, as sqlite3's; rows always answer by index and name
        self._ids_given: set[str] = set()
        self._url = url  # to connect again after the server went away (None: never)
        self._began = False  # a transaction this adapter began is open on ``raw``
        self._guard = threading.Lock()
        self._fresh = None  # the connection the reconnecting thread made, taken at the next statement
        self._reconnecting: threading.Thread | None = None
        self._closing = threading.Event()
        self.reconnects = 0  # how many times the server's going away was recovered from
        self.last_failure: str | None = None  # the reconnecting thread's last failed attempt, one line
        self._trace = None  # set_trace_callback's

    @property
    def url(self) -> str | None:
        """The URL this connection was opened with, for another process to open the same database."""
        return self._url

    # -- the server going away ------------------------------------------------------------
    @property
    def lost(self) -> bool:
        """The server went away under this connection and no new one has been taken yet."""
        return self.raw.closed or self.raw.broken

    def ensure_open(self) -> None:
        """Before each statement: a connection that died is replaced by the one the reconnecting
        thread made, if it has; else that thread is started and ``ConnectionLost`` raised at once.
        A transaction that was open when the server went away is gone with it: its remaining
        statements fail too (never run in autocommit on the new connection)."""
        if not self.lost:
            return
        if self._began:  # the caller's transaction died: it hears so, and its next try may reconnect
            self._began = False
            self._ids_given.clear()
            self._start_reconnecting()
            raise ConnectionLost(f"{self.where}: the database server went away during a write; nothing of it was stored")
        with self._guard:
            fresh, self._fresh = self._fresh, None
        if fresh is None:
            self._start_reconnecting()
            raise ConnectionLost(f"{self.where}: the database server is unreachable; reconnecting")
        dead, self.raw = self.raw, fresh
        self._ids_given.clear()
        self.reconnects += 1
        self.last_failure = None
        dead.close()

    def _start_reconnecting(self) -> None:
        if self._url is None or self._closing.is_set():
            return
        with self._guard:
            if self._fresh is not None or (self._reconnecting is not None and self._reconnecting.is_alive()):
                return
            self._reconnecting = threading.Thread(target=self._reconnect, name="deskui-pg-reconnect", daemon=True)
            self._reconnecting.start()

    def _reconnect(self) -> None:
        from deskui.store.db import StoreError

        delay = RECONNECT_FIRST_S
        while not self._closing.wait(delay):
            try:
                fresh = _open_raw(self._url)
            except StoreError as error:  # still down (or refusing): say why, ask again later
                self.last_failure = str(error)
                delay = min(delay * 2, RECONNECT_MAX_S)
                continue
            with self._guard:
                if self._closing.is_set():
                    fresh.close()
                else:
                    self._fresh = fresh
            return

    def _failed(self, error: BaseException) -> sqlite3.Error:
        """The sqlite3 error for a psycopg one; a connection that died on it reconnects."""
        made = as_sqlite_error(error)
        if isinstance(made, ConnectionLost) and not self.lost:  # a statement cancelled, not a server gone
            plain = sqlite3.OperationalError(str(made))
            plain.pg_error = error
            return plain
        if self.lost:
            self._began = False
            self._start_reconnecting()
            if not isinstance(made, ConnectionLost):
                lost = ConnectionLost(str(made))
                lost.pg_error = error
                made = lost
        return made

    # -- sqlite3.Connection's subset -----------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR,
                                                     TransactionStatus.ACTIVE)

    @property
    def closed(self) -> bool:
        """Closed by its owner; one the server dropped is ``lost`` and reconnects by itself."""
        return self._closing.is_set() or (self._url is None and self.lost)

    def set_trace_callback(self, callback) -> None:
        """As sqlite3's: ``callback(sql)`` for every statement run, here the text as the store
        wrote it (before translation), so a test of which statements run holds on both."""
        self._trace = callback

    def execute(self, sql: str, params=None) -> Cursor:
        if self._trace is not None:
            self._trace(sql)
        statement = translate(sql)
        if statement.kind == "empty":
            return Cursor(rows=[])
        self.ensure_open()
        if statement.kind == "pragma":
            return self._pragma(statement.table, statement.text)
        text = statement.text
        if statement.table is not None:
            text = f"{text} RETURNING id"
        elif statement.ids_given:
            self._ids_given.add(statement.ids_given)
        elif self._ids_given and text.upper() == "COMMIT":
            self._advance_identities()
        try:
            cursor = self._run(text, params, statement.kind == "begin_write")
        except Exception as error:  # noqa: BLE001 - every psycopg error, as sqlite3's
            if not (self.lost and not self._began and self._url and _RETRYABLE.match(text)):
                raise self._failed(error) from error
            # The server went away while this connection sat idle (a restart): a read, or the BEGIN
            # of a write, changed nothing, so it goes once more on a new connection, made here.
            from deskui.store.db import StoreError

            try:
                fresh = _open_raw(self._url)
            except StoreError:
                raise self._failed(error) from error
            dead, self.raw = self.raw, fresh
            self._ids_given.clear()
            self.reconnects += 1
            dead.close()
            try:
                cursor = self._run(text, params, statement.kind == "begin_write")
            except Exception as again:  # noqa: BLE001
                raise self._failed(again) from again
        word = text[:8].upper()
        if word.startswith("BEGIN"):
            self._began = True
        elif word.startswith(("COMMIT", "ROLLBACK", "END")):
            self._began = False
        if statement.table is not None:
            row = cursor.fetchone()
            return Cursor(rowcount=cursor.rowcount, lastrowid=row[0] if row else None, rows=[])
        return Cursor(cursor)

    def _run(self, text: str, params, take_write_lock: bool):
        cursor = self.raw.execute(text, _params(params))
        if take_write_lock:
            try:
                self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            except Exception:
                # SQLite's BEGIN IMMEDIATE that times out leaves no transaction open; the
                # caller's write() has not entered its try yet and would not roll it back.
                if not self.lost:
                    self.raw.execute("ROLLBACK")
                raise
        return cursor

    def stream(self, sql: str, params=None, *, rows: int = 4096) -> Cursor:
        """A read whose rows stay on the server until fetched: a server-side cursor (DECLARE in
        the transaction the caller began with BEGIN; COMMIT closes it), so ``fetchmany`` brings
        ``rows`` at a time. ``execute`` brings every row into the client at once: the board's
        million open tickets held 356 MB that way."""
        if self._trace is not None:
            self._trace(sql)
        statement = translate(sql)
        self.ensure_open()
        cursor = self.raw.cursor(name=f"deskui_stream_{next(_STREAMS)}")
        cursor.itersize = rows
        try:
            cursor.execute(statement.text, _params(params))
        except Exception as error:  # noqa: BLE001
            raise self._failed(error) from error
        return Cursor(cursor)

    def executemany(self, sql: str, seq_of_params) -> Cursor:
        if self._trace is not None:
            self._trace(sql)
        statement = translate(sql)
        rows = [_params(params) for params in seq_of_params]
        if not rows:
            return Cursor(rowcount=0, rows=[])
        self.ensure_open()
        if statement.ids_given:
            self._ids_given.add(statement.ids_given)
        try:
            with self.raw.cursor() as cursor:
                cursor.executemany(statement.text, rows)
                return Cursor(rowcount=cursor.rowcount, rows=[])
        except Exception as error:  # noqa: BLE001
            raise self._failed(error) from error

    def copy_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
        """INSERT many rows as one COPY statement: the server takes them in one stream and the
        feed's statement triggers fire once (an executemany is a statement per row: a mail
        import's message INSERT took 0.32 ms on the server, its COPY 0.18 ms a row at 20k). ``table`` and ``columns`` are the caller's
        names, never a file's."""
        if not rows:
            return
        if self._trace is not None:
            self._trace(f"COPY {table}")
        self.ensure_open()
        if "id" in columns and table in _ID_TABLES:
            self._ids_given.add(table)
        try:
            with self.raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    # As _params: sqlite3 stores a bool as 0 or 1, and COPY would send 't' to an integer column.
                    copy.write_row([int(value) if value is True or value is False else value for value in row])
        except Exception as error:  # noqa: BLE001 - every psycopg error, as sqlite3's
            raise self._failed(error) from error

    def cursor(self) -> _CursorMaker:
        return _CursorMaker(self)

    def commit(self) -> None:
        if self.in_transaction:
            self.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.execute("ROLLBACK")

    def interrupt(self) -> None:
        """As sqlite3's: the statement running on this connection stops with an OperationalError
        (PostgreSQL's cancel request, sent on a connection of its own; safe from another thread)."""
        self.raw.cancel_safe(timeout=5.0)

    def close(self) -> None:
        self._closing.set()
        with self._guard:
            fresh, self._fresh = self._fresh, None
        if fresh is not None:
            fresh.close()
        self.raw.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        """As sqlite3's ``with conn:``: commit, or roll back on an exception; it does not close."""
        if exc_type is None:
            self.commit()
        else:
            self.rollback()

    def _advance_identities(self) -> None:
        """Rows written with their own ids (an import hands them out above max(id)) leave the
        identity behind; the next INSERT without an id would collide. Moved past them before
        COMMIT, under the writers' lock."""
        for table in sorted(self._ids_given):
            self.raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table} "
                             "HAVING max(id) IS NOT NULL")
        self._ids_given.clear()

    # -- PRAGMAs -------------------------------------------------------------------------
    def _pragma(self, name: str, value: str) -> Cursor:
        if name == "busy_timeout":
            try:
                if value:
                    self.raw.execute(f"SET lock_timeout = {int(value)}")
                    return Cursor(rows=[])
                # Read back as SQLite answers, in milliseconds: a caller restoring the value it read
                # (outbox.mark) must not set 0, which is "wait forever" here.
                shown = self.raw.execute("SELECT setting FROM pg_settings WHERE name = 'lock_timeout'").fetchone()[0]
            except Exception as error:  # noqa: BLE001
                raise self._failed(error) from error
            return Cursor(rows=[(int(shown),)])
        if name == "query_only":
            return Cursor(rows=[(0,)])
        if name == "data_version":
            return Cursor(rows=[(self.data_version(),)])
        if name == "user_version":
            from deskui.store.postgres.db import schema_version

            return Cursor(rows=[(schema_version(self.raw) or 0,)])
        if name in _CATALOGUE:
            try:
                return Cursor(rows=self.raw.execute(_CATALOGUE[name], (value,)).fetchall())
            except Exception as error:  # noqa: BLE001
                raise self._failed(error) from error
        if name == "foreign_key_check" or name == "integrity_check":
            return Cursor(rows=[] if name == "foreign_key_check" else [("ok",)])
        # The file's tuning (cache, checkpoints, journal, sync): the server's own business.
        return Cursor(rows=[] if value else [(0,)])

    def data_version(self) -> int:
        """Moves when anyone committed a change since the last call (SQLite's counts only other
        connections' commits: this one may also count our own, which costs a re-read, never a
        missed change). The writers' lock orders the feed's sequence numbers by commit."""
        try:
            return self.raw.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
        except Exception as error:  # noqa: BLE001
            raise self._failed(error) from error


def numeric_as_python(raw) -> None:
    """sum() and avg() of integers are NUMERIC on PostgreSQL: read them as SQLite answers, an
    int when whole, else a float (a Decimal would not mix with the callers' floats)."""
    from psycopg.adapt import Loader

    class NumericLoader(Loader):
        def load(self, data):
            text = bytes(data).decode()
            if "." in text or "e" in text.lower() or text in ("NaN", "Infinity", "-Infinity"):
                return float(text)
            return int(text)

    raw.adapters.register_loader("numeric", NumericLoader)


def _open_raw(url: str, *, create: bool = False):
    """A psycopg connection as the adapter needs it: migrated forward, SQLite's functions in place."""
    from deskui.store.postgres import compat
    from deskui.store.postgres.db import connect

    from deskui.store.db import busy_timeout_ms

    raw = connect(url, create=create)
    try:
        compat.apply(raw)
        numeric_as_python(raw)
        # SQLite's busy timeout: without it lock_timeout is 0, "wait forever", and a write behind a
        # long import (its BEGIN IMMEDIATE's advisory lock) hung the screen instead of saying "busy".
        # Set after compat.apply, whose migration lock may wait for another process's first open.
        raw.execute(f"SET lock_timeout = {busy_timeout_ms()}")
    except BaseException:
        raw.close()
        raise
    return raw


def open_connection(url: str, *, create: bool = False) -> PgConnection:
    """A deskui database on a server as a sqlite3-shaped connection: migrated forward, SQLite's
    functions in place, the busy timeout as the writers' lock timeout; it reconnects by itself
    after the server went away (``PgConnection.ensure_open``)."""
    from deskui.store.postgres.db import shown

    return PgConnection(_open_raw(url, create=create), shown(url), url)



def init_database(url: str) -> str:
    """``deskui init URL``: deskui's tables in an empty database, or nothing to do; the line to print."""
    from deskui.store.db import StoreError
    from deskui.store.postgres.db import shown
    from deskui.store.postgres.schema import SCHEMA_VERSION

    try:
        open_connection(url).close()
        return f"{shown(url)}: already a deskui database; nothing to do"
    except StoreError as error:
        if "an empty database" not in str(error):
            raise
    open_connection(url, create=True).close()
    return f"{shown(url)}: created deskui's tables (schema version {SCHEMA_VERSION})"
