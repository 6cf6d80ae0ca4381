"""Finding a ticket by what an agent types: its id, its order number, the buyer's name or e-mail,
or words of its subject. The command palette asks on every key, so every search is one indexed
read or a scan that stops at ``limit`` rows, newest first, and can be interrupted.

The searches by kind, cheapest first (``search_kinds`` says which apply to a text):

- ``id``: ``#123`` or ``123``, the primary key.
- ``order``: the order number exactly, then as a prefix (``113-12``, Shopify's ``#1001`` or
  ``1001``, eBay's ``65-52044-11593``, a Walmart PO). ``tickets_order`` is (channel,
  order_number), so the query names every channel (``ticket_channels``, read by skipping through
  that index) and SQLite seeks once per channel instead of scanning the table.
- ``customer``: a part of the buyer's name or e-mail address, then their tickets through
  ``tickets_customer`` (open ones first). The customers table has no index on name or e-mail.
- ``subject``: a part of the subject.

Those two have no index to use (a substring needs a full-text index the schema does not have),
so ``search`` reads them in slices of the primary key, newest first, and hands over each slice's
hits as it goes: the newest tickets answer within one slice's read, a caller that stops asking
(the agent typed on) reads no further, and a text found nowhere costs a read of the table.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from deskui.store.search import ascii_lower

LIMIT = 25  # hits per kind: a palette shows a screenful, the rest is refining the text
SLICE_ROWS = 50_000  # primary keys per read of an unindexed search: ~0.1 s of tickets on a loaded machine
MIN_TEXT = 3  # a name or subject search from this many characters ("an" would match half the table)
KINDS = ("id", "order", "customer", "subject")
INDEXED = ("id", "order")
CANCEL_POLL_SECONDS = 0.05  # PostgreSQL: how soon a search typed past is cancelled

_COLUMNS = ("t.id, t.channel, t.subject, t.status, t.order_number, t.created_at, t.assignee, "
            "c.name, c.email")


@dataclass(frozen=True)
class FoundTicket:
    id: int
    kind: str  # which search found it: one of KINDS
    channel: str
    subject: str
    status: str
    order_number: str | None
    created_at: str | None
    assignee: str | None
    customer_name: str | None
    customer_email: str | None


def search_kinds(text: str) -> list[str]:
    """The searches that apply to ``text``, cheapest first."""
    wanted = text.strip()
    bare = wanted.lstrip("#").strip()
    if not bare:
        return []
    kinds = []
    if bare.isdigit() and len(bare) <= 18:  # an id (a 19-digit number is past SQLite's integers)
        kinds.append("id")
    if any(char.isdigit() for char in bare):
        kinds.append("order")
    if len(bare) >= MIN_TEXT and not wanted.startswith("#"):
        kinds += ["customer", "subject"]
    return kinds


def ticket_channels(conn: sqlite3.Connection) -> tuple[str, ...]:
    """Every channel a ticket has, by seeking through ``tickets_order`` from one channel to the
    next (six seeks for six channels, not a scan of a million rows)."""
    rows = conn.execute(
        "WITH RECURSIVE channels(name) AS ("
        " SELECT (SELECT channel FROM tickets ORDER BY channel LIMIT 1)"
        " UNION ALL"
        " SELECT (SELECT channel FROM tickets WHERE channel > channels.name ORDER BY channel LIMIT 1)"
        " FROM channels WHERE channels.name IS NOT NULL"
        ") SELECT name FROM channels WHERE name IS NOT NULL"
    ).fetchall()
    return tuple(row[0] for row in rows)


def find_by(conn: sqlite3.Connection, kind: str, text: str, *, limit: int = LIMIT,
            channels: tuple[str, ...] | None = None) -> list[FoundTicket]:
    """The tickets one kind of search finds for ``text`` (at most ``limit``, best first), read
    whole: ``search`` reads the unindexed kinds slice by slice instead."""
    found: list[FoundTicket] = []
    for batch in _batches(conn, kind, text, limit, channels):
        found += batch
    return found[:limit]


def search(conn: sqlite3.Connection, text: str, *, limit: int = LIMIT,
           slice_rows: int = SLICE_ROWS) -> Iterator[list[FoundTicket]]:
    """Every kind of search that applies to ``text``, as batches of hits, one indexed read per
    batch (``next()`` runs one; a caller that stops asking reads nothing more): the id and the
    order number first, then the customer and the subject searches by turns, one slice of
    ``slice_rows`` primary keys each, newest first, until each has ``limit`` hits or has read
    its table. Each ticket comes once, from the search that found it first."""
    seen: set[int] = set()

    def fresh(batch: list[FoundTicket]) -> list[FoundTicket]:
        batch = [hit for hit in batch if hit.id not in seen]
        seen.update(hit.id for hit in batch)
        return batch

    kinds = search_kinds(text)
    channels = ticket_channels(conn) if "order" in kinds else None
    running = []
    for kind in kinds:
        batches = _batches(conn, kind, text, limit, channels, slice_rows)
        if kind in INDEXED:
            for batch in batches:
                yield fresh(batch)
        else:
            running.append(batches)
    while running:  # the unindexed searches by turns, one slice each
        for batches in list(running):
            batch = next(batches, None)
            if batch is None:
                running.remove(batches)
            else:
                yield fresh(batch)


def find_tickets(conn: sqlite3.Connection, text: str, *, limit: int = LIMIT) -> list[FoundTicket]:
    """Everything ``search`` finds, read to the end."""
    return [hit for batch in search(conn, text, limit=limit) for hit in batch]


def _batches(conn: sqlite3.Connection, kind: str, text: str, limit: int, channels: tuple[str, ...] | None,
             slice_rows: int = SLICE_ROWS) -> Iterator[list[FoundTicket]]:
    bare = text.strip().lstrip("#").strip()
    if kind == "id":
        yield _found(kind, _select(conn, "t.id = ?", (int(bare),), limit))
    elif kind == "order":
        yield _found(kind, _by_order(conn, text.strip(), channels if channels is not None else ticket_channels(conn), limit))
    elif kind == "customer":
        pattern = _contains(ascii_lower(bare))
        name, email = _caseless(conn, "name"), _caseless(conn, "email")
        for low, high in _slices(conn, "customers", slice_rows):
            rows = _select(conn, "t.customer_id IN (SELECT id FROM customers WHERE id > ? AND id <= ? AND "
                           f"({name} LIKE ? ESCAPE '\\' OR {email} LIKE ? ESCAPE '\\'))", (low, high, pattern, pattern), limit,
                           order="(t.status = 'solved'), t.created_at DESC, t.id DESC")
            limit -= len(rows)
            yield _found(kind, rows)
            if limit <= 0:
                return
    elif kind == "subject":
        pattern = _contains(ascii_lower(bare))
        subject = _caseless(conn, "t.subject")
        for low, high in _slices(conn, "tickets", slice_rows):
            rows = _select(conn, f"t.id > ? AND t.id <= ? AND {subject} LIKE ? ESCAPE '\\'", (low, high, pattern), limit,
                           order="t.id DESC")
            limit -= len(rows)
            yield _found(kind, rows)
            if limit <= 0:
                return
    else:
        raise ValueError(f"unknown search {kind!r}; one of {', '.join(KINDS)}")


def _slices(conn: sqlite3.Connection, table: str, size: int) -> Iterator[tuple[int, int]]:
    """(low, high] ranges of ``table``'s primary key, newest first, ``size`` keys each."""
    high = conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
    low_end = conn.execute(f"SELECT min(id) FROM {table}").fetchone()[0]
    if high is None:
        return
    while high >= low_end:
        yield high - size, high
        high -= size


def _found(kind: str, rows: list[tuple]) -> list[FoundTicket]:
    return [FoundTicket(row[0], kind, *row[1:]) for row in rows]


def order_numbers_for(text: str) -> list[str]:
    """The order numbers ``text`` may mean: as typed, and Shopify's with and without its ``#``."""
    wanted = text.strip()
    bare = wanted.lstrip("#").strip()
    if not bare:
        return []
    return list(dict.fromkeys([wanted, bare, f"#{bare}"]))


def newest_by_order_number(conn: sqlite3.Connection, text: str) -> int | None:
    """The newest ticket of the order numbered ``text`` exactly (Shopify's with or without its
    ``#``), by ``tickets_order``."""
    rows = _exact_order(conn, text.strip(), ticket_channels(conn), 1)
    return rows[0][0] if rows else None


def _exact_order(conn: sqlite3.Connection, text: str, channels: tuple[str, ...], limit: int) -> list[tuple]:
    numbers = order_numbers_for(text)
    if not channels or not numbers:
        return []
    return _select(conn, f"t.channel IN ({', '.join('?' * len(channels))}) AND t.order_number IN ({', '.join('?' * len(numbers))})",
                   (*channels, *numbers), limit, order="t.created_at DESC, t.id DESC")


def _by_order(conn: sqlite3.Connection, text: str, channels: tuple[str, ...], limit: int) -> list[tuple]:
    if not channels:
        return []
    numbers = order_numbers_for(text)
    one_of = ", ".join("?" * len(channels))
    exact = _exact_order(conn, text, channels, limit)
    rows = {row[0]: row for row in exact}
    if len(rows) < limit:
        # A prefix as a range on the index (LIKE would not use it): rows come in index order and
        # the read stops at the limit, so a one-digit prefix costs no more than a full number.
        ranges = " OR ".join(f"(t.channel IN ({one_of}) AND t.order_number >= ? AND t.order_number < ?)" for _ in numbers)
        params: list = []
        for number in numbers:
            params += [*channels, number, _after_prefix(number)]
        if not params:
            return list(rows.values())
        for row in _select(conn, ranges, params, limit):
            rows.setdefault(row[0], row)
    return list(rows.values())[:limit]


def _select(conn: sqlite3.Connection, where: str, params, limit: int, *, order: str | None = None) -> list[tuple]:
    sql = f"SELECT {_COLUMNS} FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id WHERE {where}"
    if order:
        sql += f" ORDER BY {order}"
    return [tuple(row) for row in conn.execute(sql + " LIMIT ?", (*params, limit))]


def _caseless(conn, column: str) -> str:
    """``column`` as LIKE compares it without case: SQLite's LIKE already folds A-Z; PostgreSQL's
    does not, so there the column is lowered (ASCII only under its "C" collation, as SQLite folds)."""
    return column if isinstance(conn, sqlite3.Connection) else f"lower({column})"


def _contains(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _after_prefix(prefix: str) -> str:
    """The first text after every text that starts with ``prefix`` (binary order)."""
    return prefix[:-1] + chr(min(ord(prefix[-1]) + 1, 0x10FFFF))


@contextmanager
def interruptible(conn: sqlite3.Connection, cancelled: Callable[[], bool]) -> Iterator[None]:
    """Stop a statement on ``conn`` as soon as ``cancelled()`` is true: a search the agent typed
    past frees the connection for the next one at once. Raises ``Interrupted`` then. SQLite asks a
    progress handler every few thousand steps; PostgreSQL has none, so a watcher thread asks every
    CANCEL_POLL_SECONDS and sends the server a cancel request."""
    set_handler = getattr(conn, "set_progress_handler", None)
    if set_handler is not None:
        set_handler(lambda: 1 if cancelled() else 0, 10_000)
        watcher = None
    else:
        done = threading.Event()

        def watch() -> None:
            while not done.wait(CANCEL_POLL_SECONDS):
                if cancelled():
                    conn.interrupt()
                    return

        watcher = threading.Thread(target=watch, name="deskui-search-cancel", daemon=True)
        watcher.start()
    try:
        yield
    except sqlite3.OperationalError as error:
        if cancelled() and any(said in str(error) for said in ("interrupted", "canceling statement")):
            raise Interrupted() from None
        raise
    finally:
        if watcher is None:
            set_handler(None, 0)
        else:
            done.set()
            # A cancel request in flight must land before the connection's next statement.
            watcher.join()


class Interrupted(Exception):
    """A search stopped because nobody waits for it any more."""
