"""SQL that must answer the same on both backends where SQLite and PostgreSQL differ by default:
where NULLs sort, and how a time written as text is read."""

import pytest

from deskui.store import connect, write

pytestmark = pytest.mark.backends


@pytest.fixture
def tickets(db_target):
    conn = connect(db_target)
    with write(conn):
        conn.executemany("INSERT INTO tickets (channel, subject, created_at, due_at, assignee) VALUES ('amazon', ?, ?, ?, ?)",
                         [("b", "2026-11-25T10:00:00Z", "2026-11-25T12:00:00Z", "ana"),
                          ("a", "2026-11-25T09:00:00Z", None, None),
                          ("c", "2026-11-25T11:00:00Z", "2026-11-25T11:00:00Z", None),
                          ("d", "2026-11-25T08:00:00Z", None, "ben")])
    yield conn
    conn.close()


def subjects(conn, sql):
    return [row[0] for row in conn.execute(sql)]


def test_nulls_sort_first_ascending_and_last_descending_as_sqlite_does(tickets):
    assert subjects(tickets, "SELECT subject FROM tickets ORDER BY due_at, id") == ["a", "d", "c", "b"]
    assert subjects(tickets, "SELECT subject FROM tickets ORDER BY due_at DESC, id") == ["b", "c", "a", "d"]
    assert subjects(tickets, "SELECT subject FROM tickets ORDER BY assignee ASC, subject DESC LIMIT 3") == ["c", "a", "b"]
    # positions, windows and subqueries too
    assert subjects(tickets, "SELECT subject, assignee FROM tickets ORDER BY 2 DESC, 1") == ["d", "b", "a", "c"]
    assert subjects(tickets, "SELECT subject FROM (SELECT subject, row_number() OVER (ORDER BY due_at DESC, id) AS n "
                             "FROM tickets) ORDER BY n") == ["b", "c", "a", "d"]
    # a NULLS clause the query writes itself is kept
    assert subjects(tickets, "SELECT subject FROM tickets ORDER BY due_at NULLS LAST, id") == ["c", "b", "a", "d"]
    # keys that are never NULL (PostgreSQL gets them without a NULLS clause, so their index serves the order)
    assert subjects(tickets, "SELECT subject FROM tickets t ORDER BY coalesce(t.due_at, '9999') DESC, t.created_at") == \
        ["d", "a", "b", "c"]
    # a NOT NULL column of a table on the outer side of a join reads NULL where it has no row
    with write(tickets):
        tickets.execute("INSERT INTO customers (channel, external_id) VALUES ('amazon', 'x1')")
        tickets.execute("UPDATE tickets SET customer_id = (SELECT max(id) FROM customers) WHERE subject = 'b'")
    assert subjects(tickets, "SELECT t.subject FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id "
                             "ORDER BY c.external_id, t.created_at DESC") == ["c", "a", "d", "b"]


def test_times_are_read_as_sqlite_reads_them(tickets):
    def day(text):
        return tickets.execute("SELECT julianday(?)", (text,)).fetchone()[0]

    utc = day("2026-11-25T12:00:00Z")
    assert utc == pytest.approx(2461370.0, abs=1e-6)
    assert day("2026-11-25 12:00:00") == pytest.approx(utc, abs=1e-6)  # no zone: UTC
    assert day("2026-11-25T14:00:00+02:00") == pytest.approx(utc, abs=1e-6)
    assert day("2026-11-25") == pytest.approx(utc - 0.5, abs=1e-6)
    for garbage in ("soon", "yesterday", "2026-13-01", "2026-11-25T25:00:00Z"):
        assert day(garbage) is None, garbage
    assert day(None) is None
    # Unix seconds, of deskui's own form (PostgreSQL reads it by a cast) and of the others
    def seconds(text):
        return tickets.execute("SELECT CAST(strftime('%s', ?) AS INTEGER)", (text,)).fetchone()[0]

    assert seconds("2026-11-25T12:00:00Z") == 1_795_608_000
    assert seconds("2026-11-25T14:00:00+02:00") == seconds("2026-11-25 12:00:00") == 1_795_608_000
    assert seconds("1969-12-31T23:59:59.5Z") == -1  # floored, as SQLite does
    for nothing in (None, "soon", "2026-13-01T00:00:00Z", "2026-11-25T25:00:00Z"):
        assert seconds(nothing) is None, nothing
    assert tickets.execute("SELECT strftime('%Y-%m-%d %H:%M', ?, '+90 minutes')",
                           ("2026-11-25T23:00:00Z",)).fetchone()[0] == "2026-11-26 00:30"


def test_a_server_in_another_time_zone_reads_the_same_times(tickets, backend):
    if backend == "postgresql":
        tickets.raw.execute("SET TIME ZONE 'America/New_York'")
    # (parameters: PostgreSQL reads date('literal') as a cast to its own date type)
    assert tuple(tickets.execute("SELECT julianday(?), date(?), datetime(?, '+1 day')",
                                 ("2026-11-25 12:00:00", "2026-11-25T23:30:00Z", "2026-03-07T12:00:00Z")).fetchone()) == \
        (pytest.approx(2461370.0, abs=1e-6), "2026-11-25", "2026-03-08 12:00:00")


def test_rows_written_in_one_go_with_their_ids_are_all_or_nothing(db_target):
    # An import's batch (executemany on SQLite, one COPY on PostgreSQL): the ids it hands out
    # are passed by the next row written without one, and a clash is sqlite3's IntegrityError
    # with nothing of its batch left behind.
    import sqlite3

    from deskui.store import mail_rows

    conn = connect(db_target)
    batch = [(n, "amazon", f"c{n}", f"Buyer {n}", None, "2026-11-25T08:00:00Z") for n in range(1, 301)]
    with write(conn):
        mail_rows.insert_customers(conn, batch)
    with write(conn):
        conn.execute("INSERT INTO customers (channel, external_id, name) VALUES ('amazon', 'later', 'Later')")
    assert conn.execute("SELECT id FROM customers WHERE external_id = 'later'").fetchone()[0] == 301
    with pytest.raises(sqlite3.IntegrityError):
        with write(conn):
            mail_rows.insert_customers(conn, [(400, "amazon", "c400", "New", None, None), (5, "amazon", "again", "Clash", None, None)])
    assert tuple(conn.execute("SELECT count(*), max(id) FROM customers").fetchone()) == (301, 301)
    conn.close()


def test_sum_and_total_of_comparisons_count_as_sqlite_does(tickets):
    # SQLite's booleans are 0 and 1: sum() of a comparison counts the true ones, and is NULL
    # when every comparison is NULL; total() is 0.0 then (PostgreSQL: compat.py's aggregates).
    row = tickets.execute("SELECT sum(assignee = 'ana'), sum(assignee = 'zed'), sum(due_at IS NOT NULL), "
                          "total(CASE WHEN assignee = 'ana' THEN 2.5 END) FROM tickets").fetchone()
    assert tuple(row) == (1, 0, 2, 2.5)
    row = tickets.execute("SELECT sum(assignee = 'ana'), total(CASE WHEN assignee = 'ana' THEN 2.5 END) FROM tickets "
                          "WHERE assignee IS NULL").fetchone()
    assert tuple(row) == (None, 0.0)
