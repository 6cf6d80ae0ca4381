import sqlite3
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest

from deskui.store import SCHEMA_VERSION, StoreError, connect, write
from deskui.store.changes import ChangeFeed, prune_changes
from deskui.store.tickets import add_reply, claim, refresh_tickets, set_status
from deskui.timeutil import from_db
from tests.helpers import add_ticket, ago

pytestmark = pytest.mark.backends


@pytest.mark.sqlite_only("WAL, foreign_keys and busy_timeout are the file's PRAGMAs")
def test_new_database_is_versioned_wal_with_foreign_keys(conn):
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"tickets", "messages", "customers", "orders", "order_items", "tracking_events", "events",
            "outbox", "drafts", "tags", "changes", "sla_clocks"} <= tables


def test_missing_file_says_what_to_run(tmp_path):
    with pytest.raises(StoreError, match="deskui init"):
        connect(tmp_path / "nope.db")


def test_foreign_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE notes (x)")
    other.execute("INSERT INTO notes VALUES (1)")
    other.commit()
    other.close()
    with pytest.raises(StoreError, match="not a deskui database"):
        connect(path)
    assert sqlite3.connect(path).execute("SELECT x FROM notes").fetchall() == [(1,)]


def test_non_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello " * 500)
    with pytest.raises(StoreError, match="not a deskui database"):
        connect(path)


@pytest.mark.sqlite_only("PostgreSQL's version table: tests/pg/test_pg_schema.py")
def test_newer_database_is_refused(db_path):
    raw = sqlite3.connect(db_path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="newer deskui"):
        connect(db_path)


def test_untriaged_row_from_another_program_is_triaged(conn, policy, clock):
    now = clock.now()
    ticket = add_ticket(conn, subject="Order delivery inquiry from Amazon customer Jo (Order: 114-3941689-8772232)",
                        body="I will open an A-to-z claim if my parcel doesn't arrive", sent_at=ago(now, minutes=10))
    assert tuple(conn.execute("SELECT needs_triage, tier FROM tickets WHERE id = ?", (ticket,)).fetchone()) == (1, None)
    assert refresh_tickets(conn, policy, now) == 1
    row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket,)).fetchone()
    assert (row["tier"], row["category"], row["needs_triage"]) == ("critical", "atoz_claim", 0)
    assert from_db(row["sla_due_at"]) == ago(now, minutes=10) + timedelta(minutes=60)
    assert from_db(row["marketplace_due_at"]) == ago(now, minutes=10) + timedelta(hours=24)
    assert row["due_at"] == row["sla_due_at"]
    assert "claim" in row["evidence"].lower()


def test_a_new_buyer_message_flags_the_ticket_again(conn, policy, clock):
    now = clock.now()
    ticket = add_ticket(conn, channel="shopify", subject="Hello", body="Question about sizes", sent_at=ago(now, hours=1))
    refresh_tickets(conn, policy, now)
    assert conn.execute("SELECT tier FROM tickets WHERE id = ?", (ticket,)).fetchone()[0] == "normal"
    with write(conn):
        conn.execute("INSERT INTO messages (ticket_id, direction, body, sent_at) VALUES (?, 'in', ?, ?)",
                     (ticket, "Actually I want a refund", "2026-11-25T11:30:00Z"))
    assert refresh_tickets(conn, policy, now) == 1
    assert conn.execute("SELECT tier FROM tickets WHERE id = ?", (ticket,)).fetchone()[0] == "clv"


def test_reply_stops_both_clocks_and_records_outcomes(conn, policy, clock):
    now = clock.now()
    ticket = add_ticket(conn, subject="Where is my order?", body="My parcel has not arrived", sent_at=ago(now, minutes=30))
    refresh_tickets(conn, policy, now)
    add_reply(conn, policy, clock, ticket, "ana", "Hello, your parcel is with the carrier ...")
    row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket,)).fetchone()
    assert row["first_response_at"] == "2026-11-25T12:00:00Z"
    assert row["sla_due_at"] is None and row["marketplace_due_at"] is None
    outcomes = conn.execute("SELECT kind, outcome, margin_minutes FROM sla_clocks ORDER BY kind").fetchall()
    assert [tuple(o) for o in outcomes] == [("first_response", "met", 90.0), ("marketplace", "met", 1410.0)]
    assert conn.execute("SELECT count(*) FROM outbox WHERE ticket_id = ?", (ticket,)).fetchone()[0] == 1


def test_auto_ack_stops_only_the_marketplace_clock(conn, policy, clock):
    now = clock.now()
    ticket = add_ticket(conn, subject="Damaged item", body="The box arrived crushed", sent_at=ago(now, minutes=30))
    refresh_tickets(conn, policy, now)
    add_reply(conn, policy, clock, ticket, "bot", "We received your message.", auto_ack=True)
    row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket,)).fetchone()
    assert row["marketplace_due_at"] is None
    assert row["sla_due_at"] is not None and row["first_response_at"] is None


def test_pending_pauses_and_resuming_pushes_the_due_time(conn, policy, clock):
    now = clock.now()
    ticket = add_ticket(conn, channel="ebay", subject="Question", body="Is this compatible?", sent_at=now)
    refresh_tickets(conn, policy, now)
    due_before = conn.execute("SELECT sla_due_at FROM tickets WHERE id = ?", (ticket,)).fetchone()[0]
    set_status(conn, policy, clock, ticket, "pending", "ana")
    assert conn.execute("SELECT paused_at FROM tickets WHERE id = ?", (ticket,)).fetchone()[0] is not None
    clock.advance(hours=3)
    set_status(conn, policy, clock, ticket, "open", "ana")
    due_after = conn.execute("SELECT sla_due_at FROM tickets WHERE id = ?", (ticket,)).fetchone()[0]
    assert from_db(due_after) - from_db(due_before) == timedelta(hours=3)


@pytest.mark.sqlite_only("EXPLAIN QUERY PLAN is SQLite's")
def test_solved_tickets_leave_the_inbox_index(conn, policy, clock):
    now = clock.now()
    ticket = add_ticket(conn, subject="x", body="y", sent_at=now)
    refresh_tickets(conn, policy, now)
    set_status(conn, policy, clock, ticket, "solved", "ana")
    from deskui.store.inbox import DUE, RANK

    plan = " ".join(row[3] for row in conn.execute(
        f"EXPLAIN QUERY PLAN SELECT t.id FROM tickets t WHERE t.status != 'solved' "
        f"AND ({RANK}, {DUE}, t.id) > (0, '2026', 5) ORDER BY {RANK}, {DUE}, t.id LIMIT 50"))
    assert "tickets_inbox" in plan and "TEMP B-TREE" not in plan
    assert conn.execute("SELECT due_at FROM tickets WHERE id = ?", (ticket,)).fetchone()[0] is None


def test_claim_is_atomic_in_one_process(conn, policy, clock):
    ticket = add_ticket(conn, subject="x", body="y", sent_at=clock.now())
    assert claim(conn, clock, ticket, "ana") is None
    assert claim(conn, clock, ticket, "ben") == "ana"
    assert claim(conn, clock, ticket, "ana") is None  # claiming your own ticket again is fine


def test_change_feed_sees_other_connections_writes(db_path, conn, clock):
    feed = ChangeFeed(conn)
    assert not feed.poll()
    other = connect(db_path)
    ticket = add_ticket(other, subject="new", body="hi", sent_at=clock.now())
    changes = feed.poll()
    assert ticket in changes.ticket_ids and "tickets" in changes.tables
    assert not feed.poll()  # nothing new since


def test_change_feed_reports_overflow_after_pruning(db_path, conn, clock):
    feed = ChangeFeed(conn, max_ids=3)
    other = connect(db_path)
    for number in range(5):
        add_ticket(other, subject=f"t{number}", body="hi", sent_at=clock.now())
    assert feed.poll().overflow
    prune_changes(other, keep=1)
    assert conn.execute("SELECT count(*) FROM changes").fetchone()[0] <= 2


RACE = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime, timezone
    from deskui.clock import FixedClock
    from deskui.store import connect
    from deskui.store.tickets import claim
    path, agent, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    conn = connect(path)
    clock = FixedClock(datetime(2026, 11, 25, 12, tzinfo=timezone.utc))
    while time.time() < start:
        pass
    wins = 0
    for ticket_id in range(1, 201):
        if claim(conn, clock, ticket_id, agent) is None:
            wins += 1
    print(wins)
    """
)


def test_two_processes_claiming_the_same_tickets_never_both_win(db_path, conn, clock):
    import time

    for number in range(200):
        add_ticket(conn, subject=f"t{number}", body="hi", sent_at=clock.now())
    start = time.time() + 1.0
    procs = [
        subprocess.Popen([sys.executable, "-c", RACE, str(db_path), agent, str(start)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for agent in ("ana", "ben")
    ]
    results = [proc.communicate(timeout=60) for proc in procs]
    for proc, (out, err) in zip(procs, results):
        assert proc.returncode == 0, err
    wins = [int(out) for out, _ in results]
    assert sum(wins) == 200
    holders = conn.execute("SELECT assignee, count(*) FROM tickets GROUP BY assignee").fetchall()
    assert sum(count for _, count in holders) == 200 and all(holder in ("ana", "ben") for holder, _ in holders)
    claims = conn.execute("SELECT count(*) FROM events WHERE kind = 'claimed'").fetchone()[0]
    assert claims == 200  # one winning claim per ticket, never two


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timezone
    from deskui.store import connect, write
    conn = connect(sys.argv[1])
    for number in range(300):
        with write(conn):
            conn.execute("INSERT INTO tickets (channel, subject, created_at) VALUES ('ebay', ?, '2026-11-25T12:00:00Z')", (sys.argv[2] + str(number),))
    print("ok")
    """
)


def test_two_writer_processes_never_hit_database_is_locked(db_path, conn):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("a", "b")]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and out.strip() == "ok", err
    assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 600


def test_triage_reads_outside_the_lock_yet_never_writes_stale_values(db_path, conn, policy, clock, monkeypatch):
    """A buyer message committed by another connection while a batch is being derived: the batch
    is derived again under the write lock, so the ticket ends critical, not with the old tier."""
    import deskui.store.tickets as tickets_module
    from deskui.store import write as write_to
    from deskui.timeutil import to_db

    now = clock.now()
    ticket = add_ticket(conn, subject="Question", body="what size is it?", sent_at=ago(now, minutes=5))
    other = connect(db_path)
    other.execute("PRAGMA busy_timeout = 200")  # if the batch held the write lock, this would fail fast
    real, calls, wrote = tickets_module._derive_batch, [], []

    def derive_while_another_process_writes(*args):
        result = real(*args)
        calls.append(len(calls) + 1)
        if not wrote:
            wrote.append(True)
            with write_to(other):  # succeeds: deriving holds no write lock
                other.execute("INSERT INTO messages (ticket_id, direction, body, sent_at) VALUES (?, 'in', ?, ?)",
                              (ticket, "I will open an A-to-z claim today", to_db(now)))
        return result

    monkeypatch.setattr(tickets_module, "_derive_batch", derive_while_another_process_writes)
    refresh_tickets(conn, policy, now, [ticket])
    row = conn.execute("SELECT tier, needs_triage FROM tickets WHERE id = ?", (ticket,)).fetchone()
    assert tuple(row) == ("critical", 0)
    assert calls == [1, 2]  # derived again, under the lock, after the other write
    calls.clear()
    refresh_tickets(conn, policy, now, [ticket])  # nobody else writes: derived once
    assert calls == [1]
