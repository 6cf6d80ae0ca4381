"""Small builders for tests: rows the way another program would write them."""

from datetime import datetime, timedelta

from deskui.policy.model import ALWAYS
from deskui.sla import start_clock
from deskui.store import write
from deskui.timeutil import to_db


def add_ticket(conn, *, channel="amazon", subject="Question", body="Hello", sent_at: datetime, external_id=None,
               order_number=None, assignee=None, status="open", customer_id=None, direction="in") -> int:
    with write(conn):
        ticket_id = conn.execute(
            "INSERT INTO tickets (channel, external_id, subject, created_at, order_number, assignee, status, customer_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (channel, external_id, subject, to_db(sent_at), order_number, assignee, status, customer_id),
        ).lastrowid
        conn.execute(
            "INSERT INTO messages (ticket_id, direction, author, body, sent_at) VALUES (?, ?, 'buyer', ?, ?)",
            (ticket_id, direction, body, to_db(sent_at)),
        )
    return ticket_id


def ago(now: datetime, **kwargs) -> datetime:
    return now - timedelta(**kwargs)


def insert_triaged_open_tickets(conn, count: int, now: datetime) -> None:
    """``count`` open tickets written as an already-triaged store holds them: for scale tests and
    benchmarks of the screens, which read only the tickets table (going through triage would
    measure the demo generator instead)."""
    from deskui.policy import default_policy

    tiers = [(tier.name, tier.rank, tier.first_response_minutes) for tier in default_policy().tiers]
    channels = ["amazon", "shopify", "ebay", "walmart", "tiktok", "instagram"]

    policy = default_policy()

    def rows():
        for number in range(count):
            name, rank, minutes = tiers[number % len(tiers)]
            created = now - timedelta(minutes=(number * 7) % 5000)
            clock = start_clock("first_response", created, minutes, ALWAYS, policy)
            yield (channels[number % 6], f"Ticket number {number}", to_db(created), name, rank,
                   to_db(clock.due_at), to_db(clock.at_risk_at), to_db(clock.imminent_at), minutes, to_db(created))

    with write(conn):
        conn.executemany(
            "INSERT INTO tickets (channel, subject, created_at, tier, tier_rank, due_at, at_risk_at, imminent_at, "
            "target_minutes, awaiting_reply_since, needs_triage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)", rows())


def full_board(conn, policy, now: datetime, day_start: datetime, handle: dict | None = None):
    """The board's numbers from a fresh full read of the file: what an updated board must equal."""
    from deskui.analytics.board import handle_minutes
    from deskui.store.live_board import LiveBoard

    board = LiveBoard(policy)
    board.load(conn, now, day_start)
    return board.snapshot(conn, now, handle if handle is not None else handle_minutes(conn, policy, now))


async def settle(pilot):
    """Let a Pilot app finish what a key started: its messages, then its workers, then the repaint."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def pilot_wait_for(pilot, condition, *, timeout: float = 60.0, what: str = "the condition"):
    """``faults.wait_for`` for a Pilot test: the app's loop runs while it waits. Returns the
    condition's first truthy value; the timeout only stops a hung test, it measures nothing."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await pilot.pause(0.02)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def table_names(conn) -> list[str]:
    """The deskui tables of an open store, by name, on either backend (PostgreSQL's schema-version
    table is its own bookkeeping, not data: left out)."""
    if getattr(conn, "backend", "sqlite") == "postgresql":
        sql = ("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
               "AND tablename != 'deskui_schema_version' ORDER BY tablename")
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    return [row[0] for row in conn.execute(sql)]


def dump_store(target) -> list:
    """Everything a database (a path or a URL) holds, table by table, to compare before and after
    a refused write."""
    import contextlib

    from deskui.store import connect

    with contextlib.closing(connect(target)) as conn:
        return [(table, sorted(map(repr, map(tuple, conn.execute(f"SELECT * FROM {table}")))))
                for table in table_names(conn)]


def scalar(target, sql: str, params=()):
    """The first column of the first row of ``sql`` in the database at ``target`` (a path or a
    URL), through a connection of its own, closed after."""
    import contextlib

    from deskui.store import connect

    with contextlib.closing(connect(target)) as conn:
        return conn.execute(sql, params).fetchone()[0]
