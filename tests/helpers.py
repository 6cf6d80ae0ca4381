"""Small builders for tests: rows the way another program would write them."""

from datetime import datetime, timedelta

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
