"""Fast reads at scale: the search finds what the LIKE scan finds after every kind of write (the
rule any faster search must keep), and a sizeable file without statistics gets them when opened."""

from datetime import datetime, timezone

import pytest

from deskui.policy import default_policy
from deskui.store import connect, search, write
from deskui.store.inbox import InboxFilter, InboxQuery
from tests.helpers import add_ticket, insert_triaged_open_tickets

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
SEARCHES = ["refund", "REFUND", "Refund", "ref", "re", "x", "302-12", "Jo Bl", "école", "ÉCOLE", "damaged box",
            'say "hi"', "50%", "a_b", "back\\slash", "nothing-like-this"]


def scanned(conn, text: str) -> set[int]:
    """What the LIKE scan of earlier versions finds (the rule the indexes must keep)."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return {row[0] for row in conn.execute(
        "SELECT t.id FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id WHERE t.status != 'solved' AND "
        "(t.subject LIKE ? ESCAPE '\\' OR t.order_number LIKE ? ESCAPE '\\' OR c.name LIKE ? ESCAPE '\\' "
        "OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.body LIKE ? ESCAPE '\\'))", [pattern] * 4)}


def found(conn, text: str) -> set[int]:
    query = InboxQuery(conn, default_policy(), filter=InboxFilter(search=text))
    rows = query.rows(0, 10_000)
    assert query.count() == len(rows)
    return {row.id for row in rows}


def test_the_search_finds_what_the_scan_finds_after_inserts_updates_renames_and_deletes(tmp_path):
    conn = connect(tmp_path / "desk.db", create=True)
    first = add_ticket(conn, subject="Where is my parcel", body="I want a REFUND for the damaged box", sent_at=NOW)
    second = add_ticket(conn, subject="Order 302-1234567", body="École de musique: say \"hi\" 50% a_b back\\slash", sent_at=NOW)
    third = add_ticket(conn, subject="Refund please", body="nothing", sent_at=NOW)
    with write(conn):
        conn.execute("INSERT INTO customers (channel, external_id, name) VALUES ('amazon', 'jo', 'Jo Bloggs')")
        conn.execute("UPDATE tickets SET customer_id = last_insert_rowid(), order_number = '302-1299' WHERE id = ?", (third,))
        conn.execute("INSERT INTO messages (ticket_id, direction, body, sent_at) VALUES (?, 'in', 'ref only', '2026-11-25T10:00:00Z')", (first,))
    for text in SEARCHES:
        assert found(conn, text) == scanned(conn, text), text
    assert search.index_pending(tmp_path / "desk.db") > 0
    assert search.pending(conn) == 0
    for text in SEARCHES:
        assert found(conn, text) == scanned(conn, text), text
    with write(conn):
        conn.execute("UPDATE customers SET name = 'Jo Blue' WHERE external_id = 'jo'")
        conn.execute("UPDATE tickets SET subject = 'Damaged box' WHERE id = ?", (first,))
        conn.execute("UPDATE messages SET body = 'all fine now' WHERE ticket_id = ?", (second,))
        conn.execute("UPDATE messages SET ticket_id = ? WHERE body = 'nothing'", (first,))
        conn.execute("DELETE FROM messages WHERE body = 'ref only'")
        conn.execute("DELETE FROM tickets WHERE id = ?", (third,))
    for _ in ("pending", "indexed"):  # read by LIKE from search_pending, then from the index
        for text in SEARCHES + ["Jo Blue", "all fine", "nothing"]:
            assert found(conn, text) == scanned(conn, text), text
        assert found(conn, "refund") == {first}
        search.index_pending(tmp_path / "desk.db")


@pytest.mark.parametrize("tickets, analysed", [(50, False), (12_000, True)])
def test_a_sizeable_file_without_statistics_gets_them_when_opened(tmp_path, tickets, analysed):
    path = tmp_path / "desk.db"
    conn = connect(path, create=True)
    insert_triaged_open_tickets(conn, tickets, NOW)
    conn.close()
    conn = connect(path)
    has = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()[0] == 1
    assert has is analysed
