"""The change feed (LISTEN/NOTIFY) and atomic claims on PostgreSQL, with real second processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from deskui.clock import FixedClock
from deskui.store.postgres import connect
from deskui.store.postgres.feed import Change, ChangeFeed, claim, listen
from tests.conftest import NOW
from tests.connect_servers import wait_for

CLAIMER = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone
    from deskui.clock import FixedClock
    from deskui.store.postgres import connect
    from deskui.store.postgres.feed import claim

    url, agent, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    conn = connect(url)
    clock = FixedClock(datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc))
    print("ready", flush=True)
    # The test holds this lock until both processes are ready: then they race.
    conn.execute("SELECT pg_advisory_lock_shared(15)")
    won = [ticket for ticket in range(1, count + 1) if claim(conn, clock, ticket, agent) is None]
    print(" ".join(map(str, won)), flush=True)
""")


def add_tickets(conn, count: int) -> None:
    with conn.cursor() as cursor:
        cursor.executemany("INSERT INTO tickets (id, channel, subject, created_at) VALUES (%s, 'amazon', 's', '2026-11-25T08:00:00Z')",
                           [(n,) for n in range(1, count + 1)])


def test_two_processes_racing_claim_each_ticket_exactly_once(pg_conn, pg_url):
    count = 300
    add_tickets(pg_conn, count)
    pg_conn.execute("SELECT pg_advisory_lock(15)")
    racers = [subprocess.Popen([sys.executable, "-c", CLAIMER, pg_url, agent, str(count)], stdout=subprocess.PIPE, text=True)
              for agent in ("ana", "bo")]
    for racer in racers:
        assert racer.stdout.readline().strip() == "ready"
    pg_conn.execute("SELECT pg_advisory_unlock(15)")
    won = {}
    for agent, racer in zip(("ana", "bo"), racers):
        out, _ = racer.communicate(timeout=120)
        assert racer.returncode == 0
        won[agent] = {int(n) for n in out.split()}
    assert won["ana"].isdisjoint(won["bo"])
    assert won["ana"] | won["bo"] == set(range(1, count + 1))
    rows = dict(pg_conn.execute("SELECT id, assignee FROM tickets").fetchall())
    assert all(rows[ticket] == agent for agent, tickets in won.items() for ticket in tickets)
    claimed = pg_conn.execute("SELECT count(*), count(DISTINCT ticket_id) FROM events WHERE kind = 'claimed'").fetchone()
    assert tuple(claimed) == (count, count)


def test_claim_says_who_holds_it(pg_conn):
    add_tickets(pg_conn, 1)
    clock = FixedClock(NOW)
    assert claim(pg_conn, clock, 1, "ana") is None
    assert claim(pg_conn, clock, 1, "ana") is None  # claiming your own ticket again is fine
    assert claim(pg_conn, clock, 1, "bo") == "ana"
    assert claim(pg_conn, clock, 1, "bo", force=True) is None
    assert pg_conn.execute("SELECT assignee, updated_at FROM tickets").fetchone() == ("bo", "2026-11-25T12:00:00Z")
    kinds = [r[0] for r in pg_conn.execute("SELECT kind FROM events ORDER BY id")]
    assert kinds == ["claimed", "claimed", "assigned"]


WRITER = textwrap.dedent("""
    import sys
    from deskui.store.postgres import connect

    conn = connect(sys.argv[1])
    with conn.transaction():
        ticket = conn.execute("INSERT INTO tickets (channel, subject, created_at) VALUES ('amazon', 's', 'x') RETURNING id").fetchone()[0]
        conn.execute("INSERT INTO messages (ticket_id, direction, body, sent_at) VALUES (%s, 'in', 'b', 'x')", (ticket,))
        conn.execute("INSERT INTO orders (channel, order_number) VALUES ('amazon', '1')")
    print(ticket, flush=True)
""")


def test_a_write_in_another_process_is_notified(pg_url):
    listener = connect(pg_url)
    changes = listen(listener, timeout=30)
    writer = subprocess.run([sys.executable, "-c", WRITER, pg_url], capture_output=True, text=True, timeout=120)
    assert writer.returncode == 0, writer.stderr
    ticket = int(writer.stdout)
    seen = set()
    for change in changes:
        seen.add(change)
        if {Change("tickets", ticket), Change("messages", ticket), Change("orders")} <= seen:
            break
    assert {Change("tickets", ticket), Change("messages", ticket), Change("orders")} <= seen


def test_the_feed_polls_without_waiting_and_merges_a_transaction(pg_url):
    reader, writer = connect(pg_url), connect(pg_url)
    feed = ChangeFeed(reader)
    assert not feed.poll()
    with writer.transaction():
        for n in range(1, 4):
            writer.execute("INSERT INTO tickets (id, channel, subject, created_at) VALUES (%s, 'amazon', 's', 'x')", (n,))
            writer.execute("UPDATE tickets SET subject = 't' WHERE id = %s", (n,))
    changes = wait_for(feed.poll, what="the writer's commit on the feed")
    assert changes.tables == {"tickets"} and changes.ticket_ids == {1, 2, 3} and not changes.overflow
    # An uncommitted write is not seen; its commit is.
    with writer.transaction():
        writer.execute("DELETE FROM tickets WHERE id = 1")
        time.sleep(0.2)  # not the check: gives a wrongly early notification time to arrive
        assert not feed.poll()
    assert wait_for(feed.poll, what="the delete").ticket_ids == {1}


def test_one_statement_of_many_rows_feeds_every_row_and_notifies_every_ticket(pg_url):
    # The feed's triggers fire once per statement (schema 12): a COPY of 200 tickets, their
    # messages in one more, and an UPDATE of all of them still give a changes row per row and
    # a notification per ticket, as the row triggers did; a statement that matches nothing, none.
    reader, writer = connect(pg_url), connect(pg_url)
    feed = ChangeFeed(reader)
    ids = range(1, 201)
    with writer.transaction(), writer.cursor() as cursor:
        with cursor.copy("COPY tickets (id, channel, subject, created_at, needs_triage) FROM STDIN") as copy:
            for n in ids:
                copy.write_row((n, "amazon", "s", "2026-11-25T08:00:00Z", 0))
        with cursor.copy("COPY messages (ticket_id, direction, body, sent_at) FROM STDIN") as copy:
            for n in ids:
                copy.write_row((n, "in" if n % 2 else "out", "hello", "2026-11-25T08:00:00Z"))
    changes = wait_for(feed.poll, what="the copies on the feed")
    assert changes.tables == {"tickets", "messages"} and changes.ticket_ids == set(ids)
    rows = writer.execute("SELECT table_name, row_id, ticket_id, operation FROM changes ORDER BY seq").fetchall()
    message_ids = [row[0] for row in writer.execute("SELECT id FROM messages ORDER BY id")]
    assert rows[:200] == [("tickets", n, n, "insert") for n in ids]
    assert sorted(rows[200:400]) == sorted(("messages", m, n, "insert") for m, n in zip(message_ids, ids))
    # The inbound flag: the buyers' messages (odd tickets) flagged their tickets, one update each.
    assert sorted(rows[400:]) == [("tickets", n, n, "update") for n in ids if n % 2]
    flagged = {row[0] for row in writer.execute("SELECT id FROM tickets WHERE needs_triage = 1")}
    assert flagged == {n for n in ids if n % 2}

    seen = len(rows)
    writer.execute("UPDATE tickets SET subject = 't' WHERE id IN (SELECT unnest(%s::bigint[]))", (list(ids),))
    assert wait_for(feed.poll, what="the update").ticket_ids == set(ids)
    writer.execute("UPDATE tickets SET subject = 'u' WHERE id < 0")
    writer.execute("DELETE FROM messages WHERE id < 0")
    writer.execute("INSERT INTO orders (channel, order_number) VALUES ('amazon', '111-1')")
    assert wait_for(feed.poll, what="the order").tables == {"orders"}
    later = writer.execute("SELECT table_name, operation, count(*) FROM changes WHERE seq > %s GROUP BY 1, 2 ORDER BY 1, 2",
                           (seen,)).fetchall()
    assert later == [("orders", "insert", 1), ("tickets", "update", 200)]
