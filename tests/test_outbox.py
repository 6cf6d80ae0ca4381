import email
import json
from email import policy as email_policy

import pytest

from deskui.outbox import export_eml, list_outbox, mark
from deskui.store import connect, write
from deskui.store.tickets import add_reply, refresh_tickets
from tests.helpers import add_ticket, ago
from tests.test_cli import deskui

pytestmark = pytest.mark.backends


def _replied(conn, policy, clock):
    ticket = add_ticket(conn, subject="Inquiry from Amazon customer Jo (Order: 114-3941689-8772232)", body="Where is it?",
                        sent_at=ago(clock.now(), minutes=5), order_number="114-3941689-8772232")
    with write(conn):
        conn.execute("INSERT INTO customers (id, channel, external_id, name, email) VALUES (9, 'amazon', 'x', 'Jo', 'abc123@marketplace.amazon.com')")
        conn.execute("UPDATE tickets SET customer_id = 9, marketplace = 'amazon.com' WHERE id = ?", (ticket,))
        conn.execute("UPDATE messages SET external_id = '<m1@amazon.com>' WHERE ticket_id = ?", (ticket,))
    refresh_tickets(conn, policy, clock.now())
    add_reply(conn, policy, clock, ticket, "ana", "Your parcel is with UPS, it arrives tomorrow.")
    return ticket


def test_list_has_address_marketplace_order_and_thread(conn, policy, clock):
    ticket = _replied(conn, policy, clock)
    [item] = list_outbox(conn)
    assert (item.ticket_id, item.to_address, item.marketplace, item.order_number) == (ticket, "abc123@marketplace.amazon.com", "amazon.com", "114-3941689-8772232")
    assert item.in_reply_to == "<m1@amazon.com>"


def test_export_eml_replies_into_the_thread(conn, policy, clock, tmp_path):
    _replied(conn, policy, clock)
    [path] = export_eml(conn, tmp_path / "out", "support@shop.example", clock.now())
    message = email.message_from_bytes(path.read_bytes(), policy=email_policy.default)
    assert message["To"] == "abc123@marketplace.amazon.com"
    assert message["In-Reply-To"] == "<m1@amazon.com>"
    assert "arrives tomorrow" in message.get_content()


def test_failed_send_is_logged_on_the_ticket(conn, policy, clock):
    ticket = _replied(conn, policy, clock)
    [item] = list_outbox(conn)
    mark(conn, clock, item.id, "failed", "mailbox full")
    assert list_outbox(conn) == []
    assert list_outbox(conn, "failed")[0].reason == "mailbox full"
    assert conn.execute("SELECT kind FROM events WHERE ticket_id = ? ORDER BY id DESC", (ticket,)).fetchone()[0] == "send_failed"


def test_cli_round_trip(db_path, conn, policy, clock, tmp_path):
    _replied(conn, policy, clock)
    listed = deskui("outbox", "list", str(db_path), "--json")
    assert listed.returncode == 0
    [item] = json.loads(listed.stdout)
    assert deskui("outbox", "mark", str(item["id"]), "failed", "--db", str(db_path)).returncode != 0  # needs a reason
    assert deskui("outbox", "mark", str(item["id"]), "sent", "--db", str(db_path)).returncode == 0
    assert json.loads(deskui("outbox", "list", str(db_path), "--json").stdout) == []
    missing = deskui("outbox", "mark", "999", "sent", "--db", str(db_path))
    assert missing.returncode != 0 and "Traceback" not in missing.stderr and "999" in missing.stderr


def test_mark_waits_for_another_connections_write_lock_and_keeps_its_busy_timeout(db_path, conn, policy, clock):
    import threading

    _replied(conn, policy, clock)
    [item] = list_outbox(conn)
    other = connect(db_path)
    other.execute("BEGIN IMMEDIATE")
    conn.execute("PRAGMA busy_timeout = 50")
    release = threading.Timer(0.5, other.execute, args=("ROLLBACK",))  # held ten busy timeouts
    release.start()
    try:
        assert mark(conn, clock, item.id, "sent", wait=60) is True
    finally:
        release.join()
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 50
    assert mark(conn, clock, item.id, "sent") is False  # again: nothing to do
