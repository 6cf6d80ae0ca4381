"""`deskui migrate SRC DST`: copy a whole deskui database from SQLite into PostgreSQL, or back.

Every table of the schema is copied in dependency order (customers before orders before
tickets...), in batches, ids kept, inside one transaction on each side: the source is read from
one snapshot, and the destination gets everything or nothing. The counts of every table are
checked before the commit. Into a destination that already holds rows nothing is written: if
they are the source's rows, row for row, this is a no-op (re-running `deskui migrate` is safe);
if not, one line says so.

The rows being copied carry their own change history (the ``changes`` table is copied too), so
the destination's triggers are kept quiet meanwhile: on PostgreSQL through a setting the
triggers read, on SQLite by dropping them inside the transaction and recreating them before it
commits. Pure Python, no screen: the command line draws the progress line.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from deskui.store.db import StoreError, _split_sql
from deskui.store.db import connect as sqlite_connect
from deskui.store import search
from deskui.store.postgres import db as pg
from deskui.store.postgres.schema import BULK_COPY_SETTING
from deskui.store.schema import MIGRATIONS

BATCH = 5_000


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]          # the primary key: both sides are read in its order
    identity: str | None = None   # an integer key whose PostgreSQL sequence must follow the copy


@dataclass
class Progress:
    verb: str                     # "copying" or "comparing"
    table: str
    done: int                     # rows of this table so far
    rows: int                     # rows of this table
    total_done: int
    total: int


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    already_there: bool = False

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@lru_cache(maxsize=1)
def contract_tables() -> tuple[Table, ...]:
    """The schema's tables (docs/schema.md), parents before children, read from the SQLite
    migrations themselves so that a new table is copied without a change here."""
    conn = sqlite3.connect(":memory:")
    for script in MIGRATIONS:
        for statement in _split_sql(script):
            conn.execute(statement)
    # The search's FTS5 tables (their shadow tables too) and pending notes are SQLite's own index
    # of the copied rows, not rows: a SQLite destination builds its own (search.reindex_all).
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                        "AND name NOT LIKE 'search\\_%' ESCAPE '\\' ORDER BY rowid")]
    parents = {name: {r[2] for r in conn.execute(f"PRAGMA foreign_key_list({name})")} - {name} for name in names}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [name for name in names if name not in ordered and parents[name] <= set(ordered)]
        if not ready:
            raise RuntimeError(f"foreign keys form a cycle among {sorted(set(names) - set(ordered))}")
        ordered.extend(ready)
    tables = []
    for name in ordered:
        info = list(conn.execute(f"PRAGMA table_info({name})"))
        key = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
        identity = key[0] if len(key) == 1 and next(r[2] for r in info if r[1] == key[0]) == "INTEGER" else None
        tables.append(Table(name, tuple(r[1] for r in info), key, identity))
    conn.close()
    return tuple(tables)


class SqliteSide:
    def __init__(self, path: str, *, source: bool) -> None:
        self.path = Path(path)
        self.where = str(path)
        self.created = not source and not self.path.exists()
        self.conn = sqlite_connect(self.path, create=self.created)
        self._triggers: list[str] = []

    def begin_read(self) -> None:
        self.conn.execute("BEGIN")
        self.conn.execute("SELECT count(*) FROM meta")  # takes the snapshot now, in WAL mode

    def begin_write(self, tables) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def quiet_triggers(self) -> None:
        self._triggers = [r[0] for r in self.conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")]
        for (name,) in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            self.conn.execute(f'DROP TRIGGER "{name}"')

    def count(self, table: Table) -> int:
        return self.conn.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]

    def batches(self, table: Table) -> Iterator[list[tuple]]:
        cursor = self.conn.execute(f"SELECT {', '.join(table.columns)} FROM {table.name} ORDER BY {', '.join(table.key)}")
        while batch := cursor.fetchmany(BATCH):
            yield [tuple(row) for row in batch]

    def write(self, table: Table, batches: Iterator[list[tuple]], done: Callable[[int], None]) -> None:
        sql = f"INSERT INTO {table.name} ({', '.join(table.columns)}) VALUES ({', '.join('?' * len(table.columns))})"
        for batch in batches:
            self.conn.executemany(sql, batch)
            done(len(batch))

    def commit(self, tables) -> None:
        search.reindex_all(self.conn)  # its triggers were quiet: every row is noted for the index
        for statement in self._triggers:
            self.conn.execute(statement)
        self.conn.execute("COMMIT")

    def close(self, *, failed: bool) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.conn.close()
        if failed and self.created:
            for end in ("", "-wal", "-shm"):
                Path(f"{self.path}{end}").unlink(missing_ok=True)


class PostgresSide:
    def __init__(self, url: str, *, source: bool) -> None:
        self.where = pg.shown(url)
        self.conn = pg.connect(url, create=not source)

    def begin_read(self) -> None:
        self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def begin_write(self, tables) -> None:
        self.conn.execute("BEGIN")
        # Other deskui processes may read meanwhile, not write: the check "empty?" stays true.
        self.conn.execute(f"LOCK TABLE {', '.join(t.name for t in tables)} IN EXCLUSIVE MODE")

    def quiet_triggers(self) -> None:
        self.conn.execute(f"SET LOCAL {BULK_COPY_SETTING} = 'on'")

    def count(self, table: Table) -> int:
        return self.conn.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]

    def batches(self, table: Table) -> Iterator[list[tuple]]:
        with self.conn.cursor(name=f"deskui_migrate_{table.name}") as cursor:
            cursor.execute(f"SELECT {', '.join(table.columns)} FROM {table.name} ORDER BY {', '.join(table.key)}")
            while batch := cursor.fetchmany(BATCH):
                yield [tuple(row) for row in batch]

    def write(self, table: Table, batches: Iterator[list[tuple]], done: Callable[[int], None]) -> None:
        with self.conn.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN") as copy:
            for batch in batches:
                for row in batch:
                    copy.write_row(row)
                done(len(batch))

    def commit(self, tables) -> None:
        for table in tables:
            if table.identity:
                self.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{table.identity}'), "
                    f"coalesce(max({table.identity}), 0) + 1, false) FROM {table.name}")
        from deskui.store.postgres.feed import notify_everything

        notify_everything(self.conn)  # delivered at the commit: open screens reread everything
        self.conn.execute("COMMIT")

    def close(self, *, failed: bool) -> None:
        import psycopg

        try:
            if not self.conn.broken and self.conn.info.transaction_status != 0:  # not idle: roll back
                self.conn.execute("ROLLBACK")
        except psycopg.Error:
            pass  # a server gone mid-copy: it dropped the transaction itself; the real error is on its way up
        self.conn.close()


def open_side(target: str, *, source: bool):
    if pg.is_url(target):
        return PostgresSide(target, source=source)
    if source and not Path(target).exists():
        raise StoreError(f"{target}: no such database to copy from")
    return SqliteSide(target, source=source)


def _same_database(src: str, dst: str) -> bool:
    if pg.is_url(src) or pg.is_url(dst):
        return pg.is_url(src) and pg.is_url(dst) and pg.shown(src) == pg.shown(dst)
    return Path(dst).exists() and Path(src).resolve() == Path(dst).resolve()


def migrate(src: str, dst: str, progress: Callable[[Progress], None] | None = None) -> Report:
    """Copy database ``src`` (a path or a ``postgresql://`` URL) into ``dst``. Raises
    ``StoreError`` (one line, nothing written) when it cannot."""
    if _same_database(src, dst):
        raise StoreError(f"{dst}: is the source itself; give another destination")
    source = open_side(src, source=True)
    target = None
    failed = True
    try:
        target = open_side(dst, source=False)
        report = _copy(source, target, contract_tables(), progress or (lambda _: None))
        failed = False
        return report
    except Exception as error:
        if _is_bug(error):
            raise
        # the server went away, a file is locked by a long import...: the transaction is lost whole
        raise StoreError(f"{_where(src)} -> {_where(dst)}: {pg._first_line(error)}; nothing was written") from None
    finally:
        source.close(failed=False)
        if target is not None:
            target.close(failed=failed)


def _copy(source, target, tables, progress) -> Report:
    source.begin_read()
    counts = {table.name: source.count(table) for table in tables}
    report = Report(counts)
    target.begin_write(tables)
    present = {table.name: target.count(table) for table in tables}
    if any(present.values()):
        _compare(source, target, tables, counts, present, progress)
        report.already_there = True
        return report  # close() rolls the untouched transaction back
    target.quiet_triggers()
    total, total_done = sum(counts.values()), 0
    for table in tables:
        done = 0

        def step(rows: int, table=table) -> None:
            nonlocal done, total_done
            done += rows
            total_done += rows
            progress(Progress("copying", table.name, done, counts[table.name], total_done, total))

        try:
            target.write(table, source.batches(table), step)
        except Exception as error:
            if _is_bug(error):
                raise
            raise StoreError(f"{target.where}: cannot take table {table.name} from {source.where} "
                             f"({pg._first_line(error)}); nothing was written") from None
    for table in tables:
        copied = target.count(table)
        if copied != counts[table.name]:
            raise StoreError(f"{target.where}: table {table.name} holds {copied:,} rows after the copy, "
                             f"{source.where} {counts[table.name]:,}; nothing was written")
    target.commit(tables)
    return report


def _is_bug(error: Exception) -> bool:
    """Data the destination refuses (a NUL in a text, a dangling reference, text in a number
    column) is the user's to fix; anything else is ours."""
    if isinstance(error, sqlite3.DatabaseError):
        return False
    try:
        import psycopg
    except ImportError:
        return True
    return not isinstance(error, psycopg.Error)


def _compare(source, target, tables, counts, present, progress) -> None:
    """A destination that holds rows is the source's copy, row for row, or it is refused."""
    for table in tables:
        if present[table.name] != counts[table.name]:
            raise StoreError(f"{target.where}: already holds other data ({table.name}: {present[table.name]:,} rows there, "
                             f"{counts[table.name]:,} in {source.where}); nothing was written. Copy into an empty database")
    total, total_done = sum(counts.values()), 0
    for table in tables:
        done = 0
        theirs = (row for batch in target.batches(table) for row in batch)
        for batch in source.batches(table):
            for row in batch:
                if row != next(theirs, None):
                    key = ", ".join(f"{name} {row[table.columns.index(name)]!r}" for name in table.key)
                    raise StoreError(f"{target.where}: already holds other data (table {table.name}, row {key} differs "
                                     f"from {source.where}'s); nothing was written. Copy into an empty database")
            done += len(batch)
            total_done += len(batch)
            progress(Progress("comparing", table.name, done, counts[table.name], total_done, total))


def terminal_progress(stream) -> Callable[[Progress], None] | None:
    """A progress line redrawn in place on a terminal; None (no line at all) when ``stream`` is
    not one, so a log or a pipe gets only the summary."""
    if not stream.isatty():
        return None

    def draw(state: Progress) -> None:
        share = state.total_done * 100 // state.total if state.total else 100
        stream.write(f"\r\x1b[K{state.verb} {state.table}: {state.done:,} of {state.rows:,} rows ({share} % of all)")
        if state.total_done >= state.total:
            stream.write("\r\x1b[K")
        stream.flush()

    return draw


def _where(target: str) -> str:
    return pg.shown(target) if pg.is_url(target) else target


def summary(report: Report, src: str, dst: str) -> str:
    where_from, where_to = _where(src), _where(dst)
    if report.already_there:
        return f"{where_to} already holds {where_from}'s {report.rows:,} rows, row for row: nothing to copy"
    tables = sum(1 for rows in report.counts.values() if rows)
    return f"copied {report.rows:,} rows in {tables} tables from {where_from} to {where_to}; every table's count checked"
