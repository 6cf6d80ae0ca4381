"""The inbox's reads on PostgreSQL are served by the indexes made for them, as on SQLite: a sort
key that can never be NULL is sent without a NULLS clause (with one, the index's order is not the
query's, and every open ticket is sorted for each page)."""

from __future__ import annotations

import pytest

from deskui.policy.loader import default_policy
from deskui.store import inbox, write
from deskui.store.postgres.connection import PgConnection, translate
from deskui.store.service import Store


def order_by(sql: str) -> str:
    return translate(sql).text.split("ORDER BY", 1)[1]


def test_never_null_sort_keys_keep_their_plain_form():
    assert order_by("SELECT 1 FROM t ORDER BY coalesce(t.tier_rank, -1), coalesce(CASE WHEN a THEN b END, '9999')") == \
        " coalesce(t.tier_rank, -1), coalesce(CASE WHEN a THEN b END, '9999')"
    # a column NOT NULL in the table its alias names (created_at is nullable in customers)
    assert order_by("SELECT 1 FROM tickets t ORDER BY t.created_at DESC, t.id") == " t.created_at DESC, t.id"
    assert order_by("SELECT 1 FROM customers c ORDER BY c.created_at") == " c.created_at NULLS FIRST"


@pytest.mark.parametrize("sql, expected", [
    # the last argument may be NULL, or the parentheses are not one call's
    ("SELECT 1 FROM t ORDER BY coalesce(a, b)", " coalesce(a, b) NULLS FIRST"),
    ("SELECT 1 FROM t ORDER BY coalesce(a, NULL) DESC", " coalesce(a, NULL) DESC NULLS LAST"),
    ("SELECT 1 FROM t ORDER BY coalesce(a, 0) + f(b)", " coalesce(a, 0) + f(b) NULLS FIRST"),
    # NOT NULL in customers, but NULL where a ticket has no customer
    ("SELECT 1 FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id ORDER BY c.external_id, t.id",
     " c.external_id NULLS FIRST, t.id"),
])
def test_keys_that_may_be_null_keep_sqlites_place_for_nulls(sql, expected):
    assert order_by(sql) == expected


@pytest.fixture
def open_tickets(pg_url):
    conn = Store(pg_url).conn
    with write(conn):
        conn.executemany(
            "INSERT INTO tickets (channel, subject, status, created_at, due_at, tier_rank) VALUES (?, ?, ?, ?, ?, ?)",
            [("amazon" if n % 3 else "ebay", f"s{n}", "pending" if n % 7 == 0 else "open",
              f"2026-11-{1 + n % 28:02d}T10:00:00Z", None if n % 5 == 0 else f"2026-12-{1 + n % 28:02d}T10:00:00Z",
              None if n % 4 == 0 else n % 3) for n in range(250)])
    yield conn
    conn.close()


@pytest.mark.parametrize("sort", sorted(inbox.SORTS))
def test_every_inbox_sort_reads_its_index_in_order(open_tickets, sort):
    conn: PgConnection = open_tickets
    statements = []
    execute = conn.execute

    def recording(sql, params=None):
        statements.append((sql, params))
        return execute(sql, params)

    conn.execute = recording  # the query's own statements, then their plans on the same connection
    query = inbox.InboxQuery(conn, default_policy(), sort=sort, page_size=100)
    ids = [row.id for row in query.rows(0, 200)]  # the first page, then the next one after its last key
    assert len(ids) == 200 and len(set(ids)) == 200
    pages = [(sql, params) for sql, params in statements if "LIMIT" in sql]
    assert len(pages) == 2
    # Sorting is made dear, so the plan sorts only where no index gives the order.
    conn.raw.execute("SET enable_sort = off")
    conn.raw.execute("SET enable_incremental_sort = off")
    for sql, params in pages:
        plan = "\n".join(row[0] for row in execute("EXPLAIN " + sql, params))
        assert "Sort" not in plan, plan
        assert "Index" in plan, plan


def test_time_functions_are_inlined_into_the_query(pg_conn):
    """julianday() and strftime('%s') of a column are one expression of the query, not a call of a
    SQL function per row (which cost the board 3.6 s for 40k open tickets)."""
    for expression in ("CAST(strftime('%s', due_at) AS BIGINT)", "julianday(stopped_at) - julianday(started_at)"):
        table = "tickets" if "due_at" in expression else "sla_clocks"
        plan = "\n".join(row[0] for row in pg_conn.execute(f"EXPLAIN VERBOSE SELECT {expression} FROM {table}"))
        output = plan.split("Output:", 1)[1]
        assert "strftime(" not in output and "julianday(" not in output, plan
        assert "deskui_epoch(" not in output, plan


def test_an_import_into_a_new_database_gives_the_planner_statistics(pg_url):
    """Without statistics the server read the whole messages table for each batch's Message-ID
    lookup (an IN list of 500 keys taken to match most rows): 42 ms each at 100k e-mails. The
    import analyzes the tables it fills after its first batch, inside its transaction."""
    from deskui.ingest import import_file
    from tests.conftest import NOW
    from tests.test_ingest_mail import FIXTURES, SELLER

    conn = Store(pg_url).conn
    import_file(conn, FIXTURES / "mail/inbox.mbox", policy=default_policy(), now=NOW, seller_addresses=SELLER)
    analyzed = {row[0] for row in conn.execute("SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = 'public'")}
    assert {"customers", "tickets", "messages"} <= analyzed
    conn.close()
