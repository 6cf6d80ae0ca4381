"""The inbox search from its indexes (store/search.py) finds exactly what the LIKE scan finds:
substring, ASCII case-insensitive, over subject, order number, customer name and message text;
on both backends, whether the index is up to date or rows are still pending, after inserts,
updates and deletes; through a migration of an older file, a kill in the middle of the index
build and a full disk."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskui.policy import default_policy
from deskui.store import connect, search, write
from deskui.store.db import _split_sql
from deskui.store.inbox import InboxFilter, InboxQuery
from deskui.store.schema import MIGRATIONS, SCHEMA_SEARCH, SCHEMA_VERSION
from tests.faults import wait_for
from tests.test_fast_reads import scanned

pytestmark = pytest.mark.backends

# Letters whose case LIKE folds (ASCII) and some it does not (é/É, ß, the Kelvin sign that Unicode
# folds to k), and LIKE's own special characters.
ALPHABET = "abkAB K\u212aéÉß\"%_\\-1"
texts = st.text(alphabet=ALPHABET, max_size=12)
queries = st.text(alphabet=ALPHABET, min_size=1, max_size=5)


def model(tickets: dict[int, dict], text: str) -> set[int]:
    """The rule, in Python: ASCII-lowered text holds the ASCII-lowered query."""
    wanted = search.ascii_lower(text)
    return {ticket_id for ticket_id, row in tickets.items()
            if any(wanted in search.ascii_lower(value) for value in [row["subject"], row["order"], row["name"], *row["bodies"]]
                   if value is not None)}


def found(conn, text: str) -> set[int]:
    query = InboxQuery(conn, default_policy(), filter=InboxFilter(search=text))
    rows = query.rows(0, 10_000)
    assert query.count() == len(rows)
    return {row.id for row in rows}


def add(conn, subject: str, order: str | None, name: str | None, bodies: list[str]) -> int:
    customer = None
    if name is not None:
        customer = conn.execute("INSERT INTO customers (channel, external_id, name) VALUES ('amazon', ?, ?) RETURNING id",
                                (f"c{subject}{len(bodies)}{os.urandom(4).hex()}", name)).fetchone()[0]
    ticket = conn.execute("INSERT INTO tickets (channel, subject, order_number, customer_id, created_at, needs_triage) "
                          "VALUES ('amazon', ?, ?, ?, '2026-11-25T08:00:00Z', 0) RETURNING id", (subject, order, customer)).fetchone()[0]
    for body in bodies:
        conn.execute("INSERT INTO messages (ticket_id, direction, body, sent_at) VALUES (?, 'in', ?, '2026-11-25T08:00:00Z')",
                     (ticket, body))
    return ticket


def index(conn, target) -> None:
    if isinstance(conn, sqlite3.Connection):
        search.index_pending(target)
        assert search.pending(conn) == 0


def check(conn, tickets, probes) -> None:
    for text in probes:
        expected = model(tickets, text)
        assert found(conn, text) == expected, text
        if isinstance(conn, sqlite3.Connection):
            assert scanned(conn, text) == expected, text  # the model is LIKE's rule


rows = st.tuples(texts, st.none() | texts, st.none() | texts, st.lists(texts, max_size=3))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.lists(rows, min_size=1, max_size=6), probes=st.lists(queries, min_size=1, max_size=6),
       changes=st.lists(st.tuples(st.integers(0, 5), texts, texts), max_size=4), deleted=st.sets(st.integers(0, 5), max_size=2))
def test_the_indexed_search_finds_exactly_what_like_finds(db_factory, data, probes, changes, deleted):
    with db_factory() as target:
        conn = connect(target, create=True)
        tickets = {}
        with write(conn):
            for subject, order, name, bodies in data:
                tickets[add(conn, subject, order, name, bodies)] = {"subject": subject, "order": order, "name": name,
                                                                      "bodies": bodies}
        probes = probes + [value[1:4] for row in data for value in (row[0], *row[3]) if len(value) >= 3]
        check(conn, tickets, probes)  # every row pending: read by LIKE
        index(conn, target)
        check(conn, tickets, probes)  # every row from the index
        ids = sorted(tickets)
        with write(conn):  # updates and deletes: the index holds old text for these until indexed
            for which, subject, body in changes:
                ticket = ids[which % len(ids)]
                if ticket not in tickets:
                    continue
                conn.execute("UPDATE tickets SET subject = ? WHERE id = ?", (subject, ticket))
                conn.execute("UPDATE messages SET body = ? WHERE ticket_id = ?", (body, ticket))
                conn.execute("UPDATE customers SET name = ? WHERE id = (SELECT customer_id FROM tickets WHERE id = ?)",
                             (body, ticket))
                row = tickets[ticket]
                row.update(subject=subject, bodies=[body] * len(row["bodies"]), name=body if row["name"] is not None else None)
            for which in deleted:
                ticket = ids[which % len(ids)]
                if tickets.pop(ticket, None) is not None:
                    conn.execute("DELETE FROM messages WHERE ticket_id = ?", (ticket,))
                    conn.execute("DELETE FROM tickets WHERE id = ?", (ticket,))
        check(conn, tickets, probes)  # some pending, some from the index
        index(conn, target)
        check(conn, tickets, probes)
        conn.close()


def test_triggers_note_inserts_updates_and_deletes_and_the_indexer_catches_up(db_target):
    conn = connect(db_target)
    if not isinstance(conn, sqlite3.Connection):
        pytest.skip("PostgreSQL's pg_trgm indexes are kept by the server: nothing pending")
    with write(conn):
        ticket = add(conn, "Where is my parcel", "302-111", "Jo Bloggs", ["I want a REFUND"])
    assert search.pending(conn) == 3  # the ticket, its customer, its message
    search.index_pending(db_target)
    assert search.pending(conn) == 0 and found(conn, "refund") == {ticket}
    with write(conn):
        conn.execute("UPDATE tickets SET status = 'pending', assignee = 'ana' WHERE id = ?", (ticket,))
    assert search.pending(conn) == 0  # a triage or an assignment leaves the searchable text as it was
    with write(conn):
        conn.execute("UPDATE messages SET body = 'all fine now' WHERE ticket_id = ?", (ticket,))
    assert search.pending(conn) == 1 and found(conn, "refund") == set() and found(conn, "fine") == {ticket}
    search.index_pending(db_target)
    assert found(conn, "refund") == set() and found(conn, "fine") == {ticket}
    with write(conn):
        conn.execute("DELETE FROM tickets WHERE id = ?", (ticket,))
    search.index_pending(db_target)
    assert found(conn, "fine") == set() and found(conn, "parcel") == set()
    counts = [conn.execute(f"SELECT count(*) FROM {table}_docsize").fetchone()[0]
              for table in ("search_messages", "search_tickets", "search_customers")]
    assert counts == [0, 0, 1]  # the customer stays, as its row does


@pytest.mark.sqlite_only("the migration of an SQLite file")
def test_a_file_of_the_previous_version_is_migrated_and_its_index_built(tmp_path):
    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    before_search = MIGRATIONS.index(SCHEMA_SEARCH)  # later migrations may follow it
    for script in MIGRATIONS[:before_search]:
        for statement in _split_sql(script):
            raw.execute(statement)
    raw.execute(f"PRAGMA user_version = {before_search}")
    raw.execute("PRAGMA application_id = 1684370283")
    raw.commit()
    tickets = {}
    for n in range(30):
        tickets[add(raw, f"Subject {n}", f"302-{n:04}", f"Name {n % 7}", [f"body {n} refund" if n % 3 == 0 else f"body {n}"])] = {
            "subject": f"Subject {n}", "order": f"302-{n:04}", "name": f"Name {n % 7}",
            "bodies": [f"body {n} refund" if n % 3 == 0 else f"body {n}"]}
    raw.commit()
    raw.close()
    conn = connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert search.pending(conn) == 90  # noted by the migration, indexed after it
    probes = ["refund", "REFUND", "name 3", "302-00", "ubj", "zzz", "1"]
    check(conn, tickets, probes)
    assert search.index_pending(path) == 90
    check(conn, tickets, probes)


_INDEXER = """
import sys
from deskui.store import search
search.index_pending(sys.argv[1], limit=200)
"""


@pytest.mark.sqlite_only("a kill in the middle of SQLite's index build")
def test_a_kill_in_the_middle_of_the_index_build_leaves_the_file_usable_and_the_build_goes_on(tmp_path):
    path = tmp_path / "desk.db"
    conn = connect(path, create=True)
    tickets = {}
    with write(conn):
        for n in range(3000):
            body = f"message {n} " + ("refund please " if n % 10 == 0 else "where is it ") * 20
            tickets[add(conn, f"Order question {n}", None, None, [body])] = {"subject": f"Order question {n}", "order": None,
                                                                          "name": None, "bodies": [body]}
    before = search.pending(conn)
    process = subprocess.Popen([sys.executable, "-c", _INDEXER, str(path)], env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        wait_for(lambda: search.pending(conn) < before or process.poll() is not None, what="a first batch committed")
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    left = search.pending(conn)
    assert 0 < left < before, "killed after one batch and before the last"
    check(conn, tickets, ["refund", "question 12", "where"])  # usable, exact, half indexed
    assert search.index_pending(path) == left
    check(conn, tickets, ["refund", "question 12", "where"])
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.fixture
def tmpfs(tmp_path):
    """A real 8 MB tmpfs, as tests/test_faults_typing.py's (needs root with mount allowed)."""
    where = tmp_path / "mnt"
    where.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(where)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip() or 'mount failed'}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.sqlite_only("a full disk under SQLite's file")
def test_a_full_disk_during_the_index_build_loses_nothing_and_the_build_goes_on_once_there_is_room(tmpfs):
    from tests.test_faults_typing import fill

    path = tmpfs / "desk.db"
    conn = connect(path, create=True)
    tickets = {}
    with write(conn):
        for n in range(400):
            body = f"message {n} " + ("refund please " if n % 10 == 0 else "where is it ") * 20
            tickets[add(conn, f"Order question {n}", None, None, [body])] = {"subject": f"Order question {n}", "order": None,
                                                                          "name": None, "bodies": [body]}
    filler = fill(tmpfs)
    with pytest.raises(sqlite3.OperationalError, match="full") as caught:
        search.index_pending(path)
    assert "\n" not in str(caught.value)
    assert search.pending(conn) == 800  # nothing indexed, nothing lost
    check(conn, tickets, ["refund", "question 12"])
    filler.unlink()
    with write(conn):  # the app's own connection never wrote to FTS5: it still writes
        tickets[add(conn, "after the disk filled", None, None, ["refund later"])] = {
            "subject": "after the disk filled", "order": None, "name": None, "bodies": ["refund later"]}
    assert search.index_pending(path) == 802
    check(conn, tickets, ["refund", "question 12", "later"])


def test_a_search_with_many_matches_reads_its_pages_in_the_same_order(db_target):
    """Past _WALK_FROM matches the pages walk the sort index instead of sorting the matches."""
    conn = connect(db_target)
    with write(conn):
        for n in range(1200):
            add(conn, f"Question {n}", None, None, ["refund" if n % 2 else "where is it"])
        for hour in range(24):
            conn.execute("UPDATE tickets SET tier_rank = id % 5, due_at = ? WHERE id % 24 = ?", (f"2026-11-25T{hour:02}:00:00Z", hour))
    index(conn, db_target)
    query = InboxQuery(conn, default_policy(), filter=InboxFilter(search="refund"), page_size=100)
    assert query.count() == 600
    expected = [row[0] for row in conn.execute(
        "SELECT id FROM tickets t WHERE id % 2 = 0 ORDER BY coalesce(tier_rank, -1), "
        "coalesce(CASE WHEN status = 'open' THEN due_at END, '9999'), id")]
    assert [row.id for row in query.rows(0, 600)] == expected
    assert [row.id for row in query.rows(250, 260)] == expected[250:260]


@pytest.mark.sqlite_only("the demo writes an SQLite file")
def test_the_demo_file_is_searchable(tmp_path):
    path = tmp_path / "demo.db"
    subprocess.run([sys.executable, "-m", "deskui", "demo", "--tickets", "300", "--no-open", "--db", str(path)],
                   check=True, capture_output=True, env={**os.environ, "PYTHONPATH": os.getcwd()})
    conn = connect(path)
    expected = scanned(conn, "refund")
    assert expected and search.pending(conn) > 0
    assert found(conn, "refund") == expected
    search.index_pending(path)
    assert found(conn, "refund") == expected


def test_a_search_kept_in_a_temporary_table_counts_what_the_scan_counts_after_changes(db_target):
    """The matches read once (search.KeptMatches): the count, walking the open tickets' index
    (statistics say the matches are over a third of them) or looking each match up, equals the
    LIKE scan's; after a change and ``invalidate`` the same query sees it; a query whose table
    was dropped for newer ones reads its matches again. PostgreSQL reads them inline."""
    conn = connect(db_target)
    with write(conn):
        for n in range(300):
            add(conn, f"Question {n}", None, None, ["Refund please" if n % 3 else "where is it"])
        conn.execute("UPDATE tickets SET status = 'solved' WHERE id % 5 = 0")
    index(conn, db_target)
    if isinstance(conn, sqlite3.Connection):
        conn.execute("ANALYZE")

    def scan_count(text: str) -> int:
        if not isinstance(conn, sqlite3.Connection):
            return len(found(conn, text))
        sql, params = search.scan_clause(text)
        return conn.execute(f"SELECT count(*) FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id "
                            f"WHERE t.status != 'solved' AND {sql}", params).fetchone()[0]

    query = InboxQuery(conn, default_policy(), filter=InboxFilter(search="refund"))
    assert query.count() == scan_count("refund") == len(query.rows(0, 1000)) == 160
    if isinstance(conn, sqlite3.Connection):
        assert query._walk_count()  # 200 matches of 240 open: the walk
    with write(conn):
        add(conn, "New", None, None, ["a REFUND"])
        conn.execute("UPDATE tickets SET status = 'solved' WHERE id = 2")
    query.invalidate()
    assert query.count() == scan_count("refund") == 160
    for other in ("question 1", "question 2", "question 3", "question 4", "where"):
        assert InboxQuery(conn, default_policy(), filter=InboxFilter(search=other)).count() == scan_count(other)
    query.invalidate()
    assert query.count() == scan_count("refund") and [row.id for row in query.rows(0, 1000)] == [
        row.id for row in InboxQuery(conn, default_policy(), filter=InboxFilter(search="refund")).rows(0, 1000)]


def test_another_sort_of_a_search_reads_its_page_without_counting_or_searching_again(db_target):
    """`o` on a search: the same tickets in another order, so the new view keeps the count and
    the kept matches of the one it replaces; after a change and ``invalidate`` it sees the change."""
    conn = connect(db_target)
    with write(conn):
        for n in range(40):
            add(conn, f"Question {n}", None, None, ["refund please" if n % 2 else "where is it"])
        conn.execute("UPDATE tickets SET created_at = '2026-11-2' || (id % 9) || 'T08:00:00Z'")
    index(conn, db_target)
    by_risk = InboxQuery(conn, default_policy(), filter=InboxFilter(search="refund"))
    assert by_risk.count() == 20 and len(by_risk.rows(0, 100)) == 20
    statements: list[str] = []
    if isinstance(conn, sqlite3.Connection):
        conn.set_trace_callback(statements.append)
    oldest = by_risk.with_view(sort="oldest")
    rows = oldest.rows(0, 100)
    assert oldest.count() == 20
    if isinstance(conn, sqlite3.Connection):
        conn.set_trace_callback(None)
        assert len(statements) == 1 and "count(" not in statements[0] and "INSERT" not in statements[0], statements
    assert [row.id for row in rows] == [row[0] for row in conn.execute(
        "SELECT id FROM tickets WHERE id % 2 = 0 ORDER BY created_at, id")]
    with write(conn):
        add(conn, "Newest", None, None, ["a refund"])
    oldest.invalidate()
    assert oldest.count() == 21 == len(oldest.rows(0, 100))
    other = oldest.with_view(filter=InboxFilter(search="where"))
    assert other.count() == 20  # another filter counts its own tickets
