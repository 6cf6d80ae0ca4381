"""Tracking events CSV, the generic tickets JSON Lines / CSV, and format detection."""

from datetime import datetime, timezone
from pathlib import Path

import pytest

from deskui.ingest import FORMATS, ImportFailed, detect_format, import_file
from deskui.policy import default_policy

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


pytestmark = pytest.mark.backends


@pytest.fixture
def db(conn):
    return conn


def run(conn, name, **options):
    return import_file(conn, FIXTURES / name, policy=default_policy(), now=NOW, display=name, **options)


def count(conn, table):
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def events(conn, number):
    return [
        tuple(row)
        for row in conn.execute(
            "SELECT e.at, e.status, e.location, e.description FROM tracking_events e JOIN orders o ON o.id = e.order_id "
            "WHERE o.order_number = ? ORDER BY e.at",
            (number,),
        )
    ]


# ---------------------------------------------------------------------- tracking
def test_tracking_events_by_order_number_then_by_tracking_number(db):
    run(db, "amazon/orders-by-last-update.txt")
    first = run(db, "tracking/events.csv")
    assert first.format == "tracking_csv"
    assert first.counts["tracking_events"] == {"added": 5, "updated": 0, "unchanged": 0, "rejected": 0}
    assert first.counts["orders"]["updated"] == 2
    order = db.execute("SELECT * FROM orders WHERE order_number = '114-3941689-8772232'").fetchone()
    assert (order["tracking_number"], order["carrier"], order["shipped_at"]) == ("1Z999AA10123456784", "UPS", "2026-11-19T01:30:00Z")
    assert events(db, "114-3941689-8772232") == [
        ("2026-11-18T20:10:00Z", "label_created", None, "Shipper created a label"),
        ("2026-11-19T01:30:00Z", "picked_up", "Reno, NV, US", "Pickup Scan"),
        ("2026-11-20T07:45:00Z", "in_transit", "Salt Lake City, UT, US", "Departed from Facility"),
        ("2026-11-21T10:20:00Z", "exception", "Seattle, WA, US", "Delivery exception: address information required"),
    ]
    assert events(db, "111-0944945-3989852") == [("2026-11-24T14:00:00Z", "label_created", "AUSTIN, TX 78701", "Shipping Label Created")]

    # the carrier's later feed names only tracking numbers (and repeats one event)
    later = run(db, "tracking/events-by-number.csv")
    assert later.counts["tracking_events"] == {"added": 3, "updated": 0, "unchanged": 1, "rejected": 0}
    order = db.execute("SELECT * FROM orders WHERE order_number = '114-3941689-8772232'").fetchone()
    assert order["delivered_at"] == "2026-11-24T19:02:00Z"
    assert events(db, "111-0944945-3989852")[-1] == (
        "2026-11-24T23:15:00Z", "picked_up", "AUSTIN, TX 78710", "Accepted at USPS Origin Facility")
    again = run(db, "tracking/events-by-number.csv")
    assert again.counts["tracking_events"] == {"added": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    assert "orders" not in again.counts


def test_tracking_naive_times_use_the_zone(db):
    from dateutil import tz

    run(db, "amazon/orders-by-last-update.txt")
    run(db, "tracking/events.csv", zone=tz.gettz("America/Los_Angeles"))
    assert events(db, "114-3941689-8772232")[3][0] == "2026-11-21T18:20:00Z"  # 10:20 PST


def test_unknown_tracking_number(db):
    run(db, "amazon/orders-by-last-update.txt")
    run(db, "tracking/events.csv")
    with pytest.raises(ImportFailed) as failed:
        run(db, "bad/tracking-unknown.csv")
    assert [str(r) for r in failed.value.rejections] == [
        "bad/tracking-unknown.csv:3: field tracking_number: no order has tracking number '3318810025': "
        "import the orders first, or add an order_number column"
    ]
    assert count(db, "tracking_events") == 5
    skipped = run(db, "bad/tracking-unknown.csv", on_error="skip")
    assert skipped.counts["tracking_events"] == {"added": 1, "updated": 0, "unchanged": 0, "rejected": 1}


# ---------------------------------------------------------------------- generic tickets
def test_tickets_jsonl(db):
    summary = run(db, "tickets/tickets.jsonl")
    assert summary.format == "tickets_jsonl" and not summary.rejections
    assert summary.counts["tickets"]["added"] == 3 and summary.counts["messages"]["added"] == 4
    assert summary.counts["customers"]["added"] == 3 and summary.counts["tags"]["added"] == 3
    rows = {row["external_id"]: row for row in db.execute("SELECT * FROM tickets")}
    amazon = rows["msg-8812"]
    assert (amazon["channel"], amazon["marketplace"], amazon["order_number"]) == ("amazon", "amazon.de", "302-1234567-7654321")
    assert amazon["created_at"] == "2026-11-25T08:12:00Z" and amazon["awaiting_reply_since"] == "2026-11-25T08:12:00Z"
    # the auto-acknowledgement stops Amazon's clock, not the internal SLA
    assert amazon["marketplace_waiting_since"] is None and amazon["first_response_at"] is None
    assert amazon["tier"] == "high"  # "nicht angekommen" / "Wo ist meine Bestellung"
    shop = rows["gorgias-55120"]
    assert shop["created_at"] == "2026-11-25T14:40:00Z" and shop["tier"] == "clv"
    jane = db.execute("SELECT * FROM customers WHERE id = ?", (shop["customer_id"],)).fetchone()
    assert (jane["external_id"], jane["email"], jane["name"]) == ("jane.doe@example.com", "jane.doe@example.com", "Jane Doe")
    ebay = rows["ebay-3c9f1a"]
    assert ebay["tier"] == "critical"  # tagged "escalated"
    (message,) = db.execute("SELECT * FROM messages WHERE ticket_id = ?", (ebay["id"],)).fetchall()
    assert message["sent_at"] == "2026-11-24T20:00:00Z" and message["external_id"].startswith("sha1:")
    again = run(db, "tickets/tickets.jsonl")
    assert {table: c["unchanged"] for table, c in again.counts.items()} == {"tickets": 3, "messages": 4, "customers": 3, "tags": 3}


def test_tickets_csv(db):
    summary = run(db, "tickets/tickets.csv")
    assert summary.format == "tickets_csv"
    assert summary.counts["tickets"]["added"] == 2 and summary.counts["messages"]["added"] == 3
    walmart = db.execute("SELECT * FROM tickets WHERE external_id = 'wm-884201'").fetchone()
    assert (walmart["channel"], walmart["first_response_at"], walmart["awaiting_reply_since"]) == ("walmart", "2026-11-25T08:30:00Z", None)
    tiktok = db.execute("SELECT * FROM tickets WHERE channel = 'tiktok'").fetchone()
    assert tiktok["customer_id"] is None and tiktok["created_at"] == "2026-11-25T10:15:00Z"
    again = run(db, "tickets/tickets.csv")
    assert again.counts["messages"] == {"added": 0, "updated": 0, "unchanged": 3, "rejected": 0}


def test_bad_tickets_jsonl(db):
    with pytest.raises(ImportFailed) as failed:
        run(db, "bad/tickets-bad.jsonl")
    assert [(r.line, r.field) for r in failed.value.rejections] == [(2, "json"), (3, "channel"), (4, "messages[2].sent_at")]
    assert str(failed.value.rejections[1]) == (
        "bad/tickets-bad.jsonl:3: field channel: unknown channel 'etsy' (one of amazon, shopify, ebay, walmart, tiktok, instagram)")
    assert count(db, "tickets") == 0
    skipped = run(db, "bad/tickets-bad.jsonl", on_error="skip")
    assert skipped.counts["tickets"] == {"added": 1, "updated": 0, "unchanged": 0, "rejected": 3}


# ---------------------------------------------------------------------- detection
def test_detection(tmp_path):
    for name, expected in [("tracking/events.csv", "tracking_csv"), ("tracking/events-by-number.csv", "tracking_csv"),
                           ("tickets/tickets.jsonl", "tickets_jsonl"), ("tickets/tickets.csv", "tickets_csv")]:
        assert detect_format(FIXTURES / name) == expected
    assert set(FORMATS) == {"amazon_orders", "shopify_orders", "eml", "mbox", "maildir", "tracking_csv", "tickets_jsonl", "tickets_csv"}


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "empty file"),
        (b"a,b,c\n1,2,3\n", "unknown format (first line: 'a,b,c')"),
        (b"\x00\x01\x02binary", "binary file"),
    ],
)
def test_unknown_files_fail_naming_the_file(tmp_path, content, words):
    path = tmp_path / "mystery.txt"
    path.write_bytes(content)
    with pytest.raises(ImportFailed) as failed:
        detect_format(path)
    (rejection,) = failed.value.rejections
    assert str(rejection).startswith(f"{path}:1: field file: ") and words in str(rejection)


def test_a_folder_that_is_not_a_maildir(tmp_path, db):
    with pytest.raises(ImportFailed) as failed:
        import_file(db, tmp_path, policy=default_policy(), now=NOW)
    assert "not a Maildir" in str(failed.value)
    with pytest.raises(ImportFailed):
        import_file(db, tmp_path / "missing.csv", policy=default_policy(), now=NOW)
