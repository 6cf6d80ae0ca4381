"""The live board keeps the SQL aggregates' numbers while reading only what changed."""

import random
from datetime import timedelta

import pytest

from deskui.clock import FixedClock
from deskui.store import connect
from deskui.store.changes import ChangeFeed
from deskui.store.live_board import BULK_CHANGE, LiveBoard, first_look
from deskui.store.tickets import add_reply, claim, refresh_tickets, set_status
from tests.helpers import add_ticket, ago, full_board

SUBJECTS = [("amazon", "A-to-z claim opened"), ("amazon", "item arrived damaged"), ("amazon", "where is my order"),
            ("amazon", "question about size"), ("shopify", "I want a refund"), ("ebay", "hello there"),
            ("walmart", "chargeback filed")]
AGENTS = ["ana", "ben", "chloe"]
pytestmark = pytest.mark.backends
HANDLE = {"critical": 6.0, "high": 9.0, "clv": 12.0, "standard": 15.0, "normal": 20.0}


def day_start(now):
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def reference(conn, policy, now):
    return full_board(conn, policy, now, day_start(now), dict(HANDLE))


def timers_matrix(conn, policy, now):
    """Every open ticket's own ``Timer.state``, counted: the one rule the board must agree with."""
    from deskui.store.context import headline_timer

    matrix = {tier.name: {} for tier in sorted(policy.tiers, key=lambda t: t.rank)}
    for row in conn.execute("SELECT * FROM tickets WHERE status != 'solved'"):
        state = headline_timer(row).state(now).key
        tier = matrix.setdefault(row["tier"] or "untriaged", {})
        tier[state] = tier.get(state, 0) + 1
    return matrix


def assert_same(live, conn, policy, now):
    expected = reference(conn, policy, now)
    got = live.snapshot(conn, now, dict(HANDLE))
    assert got.matrix == expected.matrix == timers_matrix(conn, policy, now)
    assert got.breaches_today == expected.breaches_today
    assert got.agents == expected.agents
    assert got.active_agents == expected.active_agents
    assert got.forecasts == expected.forecasts
    assert got.first_response_today == expected.first_response_today
    assert got.attainment_today == expected.attainment_today
    assert got.first_response_by_tier == expected.first_response_by_tier
    assert [item.id for item in got.next_breaches] == [item.id for item in expected.next_breaches]
    assert got.next_breaches == expected.next_breaches
    assert_first_look_agrees(got, conn, policy, now, live.day_start)


def assert_first_look_agrees(got, conn, policy, now, start):
    """The first look (counted in SQL by the inbox's rule) shows what the live board shows, but
    the forecast."""
    look = first_look(conn, policy, now, start, dict(HANDLE), limit=6)
    assert look.matrix == got.matrix
    assert look.breaches_today == got.breaches_today
    assert look.agents == got.agents
    assert look.active_agents == got.active_agents
    assert (look.first_response_today, look.attainment_today, look.first_response_by_tier) == (
        got.first_response_today, got.attainment_today, got.first_response_by_tier)
    assert look.next_breaches == got.next_breaches and look.forecasts == []


def random_tickets(conn, policy, now, rng, count):
    ids = []
    for _ in range(count):
        channel, subject = rng.choice(SUBJECTS)
        ids.append(add_ticket(conn, channel=channel, subject=subject, body=subject,
                              sent_at=ago(now, minutes=rng.randrange(0, 30 * 60), seconds=rng.randrange(0, 60))))
    refresh_tickets(conn, policy, now)
    return ids


def mutate(conn, policy, now, rng, ids):
    """A lead's morning: claims, replies (stopping clocks), pauses, solves and new mail."""
    clock = FixedClock(now)
    for ticket_id in rng.sample(ids, k=min(len(ids), 12)):
        action = rng.choice(["claim", "reply", "pending", "solve", "reopen"])
        if action == "claim":
            claim(conn, clock, ticket_id, rng.choice(AGENTS), force=True)
        elif action == "reply":
            add_reply(conn, policy, clock, ticket_id, rng.choice(AGENTS), "Sorry about that, a replacement is on its way.")
        elif action == "pending":
            set_status(conn, policy, clock, ticket_id, "pending", None)
        elif action == "solve":
            set_status(conn, policy, clock, ticket_id, "solved", None)
        else:
            set_status(conn, policy, clock, ticket_id, "open", None)
    return ids + random_tickets(conn, policy, now, rng, rng.randrange(0, 5))


@pytest.mark.parametrize("seed", range(6))
def test_live_board_matches_a_full_read_and_every_timer_as_time_passes_and_tickets_change(db_path, policy, clock, seed):
    rng = random.Random(seed)
    now = clock.now()
    writer = connect(db_path)
    ids = random_tickets(writer, policy, now - timedelta(hours=2), rng, 60)
    ids = mutate(writer, policy, now - timedelta(minutes=50), rng, ids)
    reader = connect(db_path)
    feed = ChangeFeed(reader)
    live = LiveBoard(policy)
    live.load(reader, now, day_start(now))
    assert_same(live, reader, policy, now)
    for step in range(1, 6):
        now += timedelta(minutes=rng.choice([1, 7, 20, 45]), seconds=rng.randrange(0, 60))
        ids = mutate(writer, policy, now, rng, ids)
        changes = feed.poll()
        assert changes and not changes.overflow
        live.apply(reader, changes.ticket_ids)
        for later in (now, now + timedelta(minutes=11, seconds=3)):  # time alone moves states too
            assert_same(live, reader, policy, later)


def test_apply_reads_only_the_changed_tickets(db_path, policy, clock):
    rng = random.Random(7)
    now = clock.now()
    writer = connect(db_path)
    ids = random_tickets(writer, policy, now, rng, 80)
    reader = connect(db_path)
    feed = ChangeFeed(reader)
    live = LiveBoard(policy)
    live.load(reader, now, day_start(now))
    assert live.rows_read == 80
    statements = []
    reader.set_trace_callback(statements.append)
    claim(writer, FixedClock(now), ids[3], "ana")
    add_reply(writer, policy, FixedClock(now), ids[4], "ben", "Sorry, a replacement is on its way.")
    changes = feed.poll()
    statements.clear()
    live.apply(reader, changes.ticket_ids)
    assert live.rows_read == 82
    reads = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    # the tickets and their clocks by id, and the events after the last one seen
    assert reads and all(" IN (" in sql or "FROM events WHERE id >" in sql for sql in reads), reads
    assert_same(live, reader, policy, now)


def test_a_bulk_change_rebuilds_the_lists_and_still_agrees(db_path, policy, clock):
    now = clock.now()
    writer = connect(db_path)
    from tests.helpers import insert_triaged_open_tickets

    insert_triaged_open_tickets(writer, 2 * BULK_CHANGE + 200, now)
    reader = connect(db_path)
    feed = ChangeFeed(reader, max_ids=10_000)
    live = LiveBoard(policy)
    live.load(reader, now, day_start(now))
    writer.execute("UPDATE tickets SET assignee = 'ana', status = CASE WHEN id % 10 = 0 THEN 'solved' ELSE status END WHERE id % 2 = 0")
    changes = feed.poll()
    assert len(changes.ticket_ids) > BULK_CHANGE
    live.apply(reader, changes.ticket_ids)
    # these tickets sit on whole minutes; a second past keeps off boundaries where julianday rounds
    assert_same(live, reader, policy, now + timedelta(seconds=1))
    assert_same(live, reader, policy, now + timedelta(hours=3, seconds=1))


def test_new_day_starts_from_no_breaches(db_path, policy, clock):
    now = clock.now()
    writer = connect(db_path)
    ticket = add_ticket(writer, subject="A-to-z claim", body="", sent_at=ago(now, minutes=90))
    refresh_tickets(writer, policy, now)
    add_reply(writer, policy, FixedClock(now), ticket, "ana", "Sorry, a replacement is on its way.")
    live = LiveBoard(policy)
    live.load(writer, now, day_start(now))
    assert live.snapshot(writer, now, HANDLE).breaches_today == 1
    tomorrow = now + timedelta(days=1)
    live.load_day(writer, day_start(tomorrow))
    board = live.snapshot(writer, tomorrow, HANDLE)
    assert board.first_response_today is None  # yesterday's reply no longer counts
    assert board.breaches_today == 1  # only the resolution clock, running past due since 10:30
    assert_same(live, writer, policy, tomorrow)


def test_rows_other_programs_wrote_in_other_formats_or_garbage_do_not_break_the_board(db_path, policy, clock):
    now = clock.now()
    writer = connect(db_path)
    with writer:
        writer.executemany(
            "INSERT INTO tickets (channel, subject, created_at, due_at, target_minutes, tier, tier_rank, assignee, needs_triage) "
            "VALUES ('amazon', 'x', ?, ?, 60, 'critical', 0, 'ana', 0)",
            [("2026-11-25 10:00:00", "2026-11-25 12:30:00"),  # another program's format: still a time
             ("yesterday", "soon"),  # garbage: no due time, no age
             ("2026-11-25T11:00:00Z", None)],
        )
    live = LiveBoard(policy)
    live.load(writer, now, day_start(now))
    board = live.snapshot(writer, now, dict(HANDLE))
    assert sum(board.matrix["critical"].values()) == 3
    assert board.matrix["critical"].get("on_track", 0) >= 1
    assert board.agents[0].agent == "ana" and board.agents[0].claimed == 3
    assert [item.id for item in board.next_breaches] == [1]


def test_a_ticket_solved_then_reopened_takes_its_slot_back(db_path, policy, clock):
    now = clock.now()
    writer = connect(db_path)
    ids = random_tickets(writer, policy, now, random.Random(3), 20)
    set_status(writer, policy, FixedClock(now), ids[2], "solved", None)  # not on the board when it loads
    reader = connect(db_path)
    feed = ChangeFeed(reader)
    live = LiveBoard(policy)
    live.load(reader, now, day_start(now))
    set_status(writer, policy, FixedClock(now), ids[2], "open", None)  # its slot goes between two others
    live.apply(reader, feed.poll().ticket_ids)
    assert live.open_tickets == 20
    for status in ("solved", "open", "solved", "open"):
        set_status(writer, policy, FixedClock(now), ids[5], status, None)
        live.apply(reader, feed.poll().ticket_ids)
        assert live.open_tickets == (19 if status == "solved" else 20)
        assert_same(live, reader, policy, now + timedelta(minutes=3))


def test_the_board_holds_no_python_object_per_open_ticket(db_path, policy, clock):
    """~60 bytes an open ticket in typed columns (a _Ticket object each with its dict entry and
    tuples held ~380): measured by allocation, not time."""
    import tracemalloc

    from tests.helpers import insert_triaged_open_tickets

    now = clock.now()
    writer = connect(db_path)
    insert_triaged_open_tickets(writer, 20_000, now)
    writer.execute("UPDATE tickets SET assignee = 'agent' || (id % 7) WHERE id % 3 = 0")
    tracemalloc.start()
    try:
        live = LiveBoard(policy)
        live.load(writer, now, day_start(now))
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert live.open_tickets == 20_000
    print(f"{held / 20_000:.0f} bytes an open ticket")
    assert held / 20_000 < 100, held / 20_000
    assert_same(live, writer, policy, now + timedelta(minutes=1, seconds=1))


@pytest.mark.sqlite_only("unixepoch() is SQLite's (3.38+); PostgreSQL reads the portable form only")
def test_unixepoch_and_strftime_read_every_stored_form_alike(db_path):
    """The board reads SQLite's unixepoch() (cheaper) and PostgreSQL's strftime('%s'): one number."""
    from deskui.store.live_board import _seconds_sql

    conn = connect(db_path)
    forms = ["2026-11-25 10:00:00", "2026-11-25T11:00:00Z", "2026-11-25 10:00:00.999", "2026-11-25 10:00",
             "2026-11-25T10:00:00+02:00", "yesterday", "soon", "", None, 2461000.5, "2026-11-25"]
    for form in forms:
        native, portable = conn.execute(
            f"SELECT {_seconds_sql('?', unixepoch=True)}, {_seconds_sql('?')}", (form, form)).fetchone()
        assert native == portable, form
