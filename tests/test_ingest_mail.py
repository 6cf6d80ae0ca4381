"""E-mail imports (.eml, mbox, Maildir): Amazon buyer messages and A-to-z notices, threading,
HTML and charsets, what agents read vs. what is kept, clocks starting at the message's Date."""

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

import deskui.ingest.mail as mail_module
from deskui.ingest.mail import headers as mail_headers
from deskui.clock import FixedClock
from deskui.ingest import ImportFailed, detect_format, import_file
from deskui.policy import default_policy
from deskui.store import connect
from deskui.store.tickets import set_status

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
SELLER = ["support@myshop.example", "seller@myshop.example"]
ALIAS = "th6wqr1vf6dr43f@marketplace.amazon.com"


pytestmark = pytest.mark.backends  # e-mail imports on SQLite and on PostgreSQL


@pytest.fixture
def db(conn):
    return conn


def run(conn, name, **options):
    options.setdefault("seller_addresses", SELLER)
    return import_file(conn, FIXTURES / name, policy=default_policy(), now=NOW, display=name, **options)


def tickets(conn):
    return {row["external_id"]: row for row in conn.execute("SELECT * FROM tickets")}


def messages(conn, ticket_id):
    return conn.execute("SELECT * FROM messages WHERE ticket_id = ? ORDER BY sent_at, id", (ticket_id,)).fetchall()


def count(conn, table):
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def customer(conn, customer_id):
    return conn.execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()


# ---------------------------------------------------------------------- Amazon
def test_amazon_buyer_message(db):
    run(db, "amazon/orders-by-last-update.txt")
    summary = run(db, "mail/amazon-buyer-message.eml")
    assert summary.format == "eml"
    assert summary.counts["tickets"]["added"] == 1 and summary.counts["messages"]["added"] == 1
    assert summary.counts["customers"]["added"] == 1 and summary.counts["orders"]["updated"] == 1
    ticket = tickets(db)[f"114-3941689-8772232/{ALIAS}"]
    assert (ticket["channel"], ticket["marketplace"], ticket["order_number"]) == ("amazon", "amazon.com", "114-3941689-8772232")
    assert ticket["subject"] == "Order delivery inquiry from Amazon customer Alisa (Order: 114-3941689-8772232)"
    buyer = customer(db, ticket["customer_id"])
    assert (buyer["channel"], buyer["external_id"], buyer["email"], buyer["name"]) == ("amazon", ALIAS, ALIAS, "Alisa")
    # the order now knows its buyer: the order panel can show the buyer's history
    assert db.execute("SELECT customer_id FROM orders WHERE order_number = '114-3941689-8772232'").fetchone()[0] == buyer["id"]
    (message,) = messages(db, ticket["id"])
    assert (message["direction"], message["author"], message["auto_ack"]) == ("in", ALIAS, 0)
    assert message["external_id"] == "<0100019ab6d1f2a3-4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8-000000@email.amazonses.com>"
    # the footer is folded away for agents ...
    assert message["body"] == (
        "Hello,\n\nMy order was supposed to arrive on Saturday but the tracking hasn’t moved for four days. "
        "Where is my order? It’s a birthday present.\n\nThanks,\nAlisa"
    )
    for footer in ("commMgrTok", "no response needed", "For Your Information", "Begin message"):
        assert footer not in message["body"]
    # ... and kept, with every header, in the raw message
    assert "[commMgrTok:A3NZ8Y1S7XKQ2V9WQ0RBTYN4M]" in message["raw"] and "no response =\nneeded" in message["raw"]
    assert message["raw"].startswith("Delivered-To: seller@myshop.example")
    # the clock starts at the message's own Date (09:15:07 -0800), not at import time
    assert message["sent_at"] == "2026-11-24T17:15:07Z"
    assert ticket["awaiting_reply_since"] == "2026-11-24T17:15:07Z" == ticket["created_at"]
    assert ticket["needs_triage"] == 0 and ticket["tier"] == "high"  # "Where is my order?"
    assert ticket["due_at"] == "2026-11-24T19:15:07Z"  # 2 h after the Date: already breached at NOW


def test_same_buyer_and_order_is_one_ticket(db):
    run(db, "mail/amazon-buyer-message.eml")
    summary = run(db, "mail/inbox.mbox")  # holds Alisa's follow-up on the same order
    ticket = tickets(db)[f"114-3941689-8772232/{ALIAS}"]
    assert [m["sent_at"] for m in messages(db, ticket["id"])] == ["2026-11-24T17:15:07Z", "2026-11-24T18:01:12Z"]
    assert summary.counts["tickets"]["updated"] == 1
    # the follow-up threatens an A-to-z claim: the whole ticket is now critical, its clock still
    # running from the first unanswered message
    assert (ticket["tier"], ticket["category"]) == ("critical", "atoz_claim")
    assert ticket["awaiting_reply_since"] == "2026-11-24T17:15:07Z"


def test_atoz_claim_notice(db):
    run(db, "amazon/orders-by-last-update.txt")
    run(db, "mail/atoz-claim.eml")
    ticket = tickets(db)["atoz/111-0944945-3989852"]
    assert (ticket["channel"], ticket["marketplace"], ticket["order_number"]) == ("amazon", "amazon.com", "111-0944945-3989852")
    assert (ticket["tier"], ticket["category"]) == ("critical", "atoz_claim")
    assert ticket["awaiting_reply_since"] == "2026-11-25T07:30:00Z"
    assert ticket["sla_due_at"] == "2026-11-25T08:30:00Z"  # 60 min from the notice's Date
    (message,) = messages(db, ticket["id"])
    assert message["body"].startswith("Dear Seller,\n\nA buyer has filed an A-to-z Guarantee claim")  # the text part
    assert db.execute("SELECT claim_status FROM orders WHERE order_number = '111-0944945-3989852'").fetchone()[0] == "open"


def seller_reply_to_alisa(folder: Path) -> Path:
    """The seller's answer, from their own mailbox, to the buyer of amazon-buyer-message.eml."""
    reply = folder / "reply.eml"
    reply.write_text(
        "Date: Tue, 24 Nov 2026 19:00:00 +0000\n"
        "From: Oak & Ember <seller@myshop.example>\n"
        f"To: \"Alisa - Amazon Marketplace\" <{ALIAS}>\n"
        "Subject: RE: Order delivery inquiry from Amazon customer Alisa (Order: 114-3941689-8772232)\n"
        "Message-ID: <reply-1@myshop.example>\n\nHello Alisa, your parcel is with UPS: it arrives tomorrow.\n",
        encoding="utf-8",
    )
    return reply


def test_seller_reply_to_an_amazon_alias_is_outgoing(db, tmp_path):
    reply = seller_reply_to_alisa(tmp_path)
    run(db, "mail/amazon-buyer-message.eml")
    import_file(db, reply, policy=default_policy(), now=NOW)  # no seller addresses configured
    ticket = tickets(db)[f"114-3941689-8772232/{ALIAS}"]
    assert [m["direction"] for m in messages(db, ticket["id"])] == ["in", "out"]
    assert ticket["first_response_at"] == "2026-11-24T19:00:00Z" and ticket["awaiting_reply_since"] is None


# ---------------------------------------------------------------------- other mail
def test_thread_of_three(db):
    for number in (1, 2, 3):
        run(db, f"mail/thread-{number}.eml")
    assert count(db, "tickets") == 1
    ticket = tickets(db)["<CAF7x1a2b3c4d5e6f7@mail.gmail.com>"]
    assert (ticket["channel"], ticket["subject"]) == ("shopify", "Exchange for a larger board?")
    thread = messages(db, ticket["id"])
    assert [(m["direction"], m["author"]) for m in thread] == [
        ("in", "tom.baker@example.com"), ("out", "support@myshop.example"), ("in", "tom.baker@example.com")]
    # quoted earlier messages are folded away, kept in raw
    assert thread[1]["body"].endswith("Sam at Oak & Ember") and ">" not in thread[1]["body"]
    assert thread[2]["body"] == "Great, it's in the post. Tracking is 1Z999AA10123456784."
    assert "> Hi Tom," in thread[2]["raw"] and "wrote:" in thread[2]["raw"]
    assert ticket["first_response_at"] == "2026-11-23T16:05:00Z"
    assert ticket["awaiting_reply_since"] == "2026-11-24T09:30:00Z"  # the buyer's newest, unanswered
    assert customer(db, ticket["customer_id"])["email"] == "tom.baker@example.com"


def test_thread_arriving_backwards_is_still_one_ticket(db):
    for number in (3, 2, 1):
        run(db, f"mail/thread-{number}.eml")
    assert count(db, "tickets") == 1 and count(db, "messages") == 3
    ticket = next(iter(tickets(db).values()))
    assert ticket["created_at"] == "2026-11-23T14:00:00Z" and ticket["subject"] == "Re: Exchange for a larger board?"


def test_html_only_message(db):
    run(db, "shopify/orders-export.csv")
    run(db, "mail/html-only.eml")
    ticket = tickets(db)["<a1b2c3d4-9e8f-4a5b-8c7d-112233445566@example.fr>"]
    assert (ticket["channel"], ticket["order_number"], ticket["tier"]) == ("shopify", "#1002", "clv")
    (message,) = messages(db, ticket["id"])
    assert message["body"] == (
        "Bonjour,\n\nJ’ai bien reçu la planche, mais elle est fendue sur le côté.\n"
        "Je souhaite un remboursement, pas un échange.\n\n"
        "- Commande : #1002\n- Article : Planche à découper en noyer\n\nCordialement,\nPierre"
    )
    assert "trackOpen" in message["raw"] and "<style" in message["raw"]
    # a known Shopify buyer: the ticket joins the customer the order export created
    assert customer(db, ticket["customer_id"])["name"] == "Pierre Martin"


def test_iso_8859_1_message_with_windows_1252_characters(db):
    run(db, "mail/latin1.eml")
    ticket = tickets(db)["<000a01db3e5f$1c2d3e40$54a6b8c0$@example.de>"]
    assert ticket["subject"] == "Beschädigte Lieferung - Bestellung #1004"
    assert customer(db, ticket["customer_id"])["name"] == "Jürgen Weiß"
    (message,) = messages(db, ticket["id"])
    assert "das Schneidebrett kam beschädigt an – der Rand ist gesplittert" in message["body"]
    assert "Rückerstattung über 29 €, „so schnell wie möglich“." in message["body"]
    assert ticket["category"] == "damaged"  # triage reads the decoded text
    assert "beschädigt" in message["raw"]  # raw non-UTF-8 bytes kept losslessly (latin-1 text)


def test_mbox(db):
    run(db, "amazon/orders-by-last-update.txt")
    summary = run(db, "mail/inbox.mbox")
    assert summary.format == "mbox" and not summary.rejections
    assert summary.counts["tickets"] == {"added": 8, "updated": 0, "unchanged": 0, "rejected": 0}
    assert summary.counts["messages"] == {"added": 10, "updated": 0, "unchanged": 0, "rejected": 0}
    assert summary.counts["customers"] == {"added": 7, "updated": 0, "unchanged": 0, "rejected": 0}
    by_key = tickets(db)
    uk = by_key["026-9876543-2109876/7kq2mz9x4w1p8rt@marketplace.amazon.co.uk"]
    assert (uk["marketplace"], customer(db, uk["customer_id"])["name"]) == ("amazon.co.uk", "Oliver")
    claim = by_key["atoz/171-5550123-1234567"]
    assert (claim["marketplace"], claim["tier"]) == ("amazon.fr", "critical")
    assert "réclamation au titre de la Garantie A-à-z" in messages(db, claim["id"])[0]["body"]  # HTML-only notice
    ebay = by_key["<EBAY-MSG-3c9f1a2b7d@ebay.com>"]
    assert ebay["channel"] == "ebay"  # built-in rule: members.ebay.*
    assert "\nFrom what I read" in messages(db, ebay["id"])[0]["body"]  # mbox ">From " unescaped
    chloe = by_key["<5e6f7a8b9c0d@example.fr>"]
    assert chloe["subject"] == "Où est ma commande ?" and customer(db, chloe["customer_id"])["name"] == "Chloé Dubois"
    assert "j’ai commandé il y a dix jours" in messages(db, chloe["id"])[0]["body"]
    thread = by_key["<CAF7x1a2b3c4d5e6f7@mail.gmail.com>"]
    assert len(messages(db, thread["id"])) == 3


def test_reimport_changes_nothing(db):
    run(db, "mail/inbox.mbox")
    before = (count(db, "changes"), count(db, "events"))
    again = run(db, "mail/inbox.mbox")
    assert again.counts["messages"] == {"added": 0, "updated": 0, "unchanged": 10, "rejected": 0}
    assert again.counts["tickets"] == {"added": 0, "updated": 0, "unchanged": 8, "rejected": 0}
    assert again.counts["customers"]["unchanged"] == 7 and again.counts["customers"]["added"] == 0
    assert (count(db, "changes"), count(db, "events")) == before


def test_eml_files_then_the_mbox_holding_them(db):
    for name in ("thread-1", "thread-2", "thread-3", "html-only", "latin1"):
        run(db, f"mail/{name}.eml")
    summary = run(db, "mail/inbox.mbox")
    assert summary.counts["messages"] == {"added": 5, "updated": 0, "unchanged": 5, "rejected": 0}
    assert count(db, "messages") == 10


def test_maildir(db):
    run(db, "amazon/orders-by-last-update.txt")
    run(db, "shopify/orders-export.csv")
    summary = run(db, "mail/maildir")
    assert summary.format == "maildir" and summary.counts["tickets"]["added"] == 3
    by_channel = {row["channel"]: row for row in tickets(db).values()}
    assert set(by_channel) == {"amazon", "shopify", "walmart"}  # tmp/ is never read
    lena = by_channel["amazon"]
    assert (lena["marketplace"], lena["order_number"]) == ("amazon.de", "S01-3718414-0463502")
    assert customer(db, lena["customer_id"])["name"] == "Lena"
    assert by_channel["shopify"]["order_number"] == "#1003"  # "#1003" in the subject, a known order
    assert customer(db, by_channel["shopify"]["customer_id"])["external_id"] == "jane.doe@example.com"


def test_maildir_rejection_names_the_message_file(db, tmp_path):
    box = tmp_path / "Mail"
    shutil.copytree(FIXTURES / "mail/maildir", box)
    (box / "new" / "1764000300.M104P4242.mailhost").write_bytes(b"From: x@example.com\nSubject: no date\n\nhello\n")
    with pytest.raises(ImportFailed) as failed:
        import_file(db, box, policy=default_policy(), now=NOW, display="Mail")
    assert [str(r) for r in failed.value.rejections] == [
        "Mail/new/1764000300.M104P4242.mailhost:1: field Date: missing: every message needs its Date (the SLA clock starts there)"
    ]
    assert count(db, "tickets") == 0
    skipped = import_file(db, box, policy=default_policy(), now=NOW, display="Mail", on_error="skip")
    assert skipped.counts["tickets"]["added"] == 3 and skipped.counts["messages"]["rejected"] == 1


# ---------------------------------------------------------------------- bad input
def test_malformed_mbox_is_named_and_nothing_is_stored(db):
    with pytest.raises(ImportFailed) as failed:
        run(db, "bad/malformed.mbox")
    assert [(r.line, r.field) for r in failed.value.rejections] == [(11, "headers"), (15, "Date"), (24, "Date")]
    assert str(failed.value.rejections[0]).startswith("bad/malformed.mbox:11: field headers: malformed message")
    assert "someday next week" in failed.value.rejections[1].message
    assert count(db, "tickets") == count(db, "messages") == count(db, "customers") == 0


def test_malformed_mbox_skip_mode_keeps_the_good_message(db):
    summary = run(db, "bad/malformed.mbox", on_error="skip")
    assert summary.stored and summary.counts["messages"] == {"added": 1, "updated": 0, "unchanged": 0, "rejected": 3}
    assert list(tickets(db)) == ["<ana-001@example.es>"]


def test_not_an_mbox(db, tmp_path):
    path = tmp_path / "x.mbox"
    path.write_text("hello\nFrom someone Wed Nov 25 09:00:00 2026\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_file(db, path, policy=default_policy(), now=NOW, format="mbox")
    assert failed.value.rejections[0].field == "file" and failed.value.rejections[0].line == 1


def test_dry_run(db):
    summary = run(db, "mail/inbox.mbox", dry_run=True)
    assert summary.counts["messages"]["added"] == 10 and not summary.stored
    assert count(db, "tickets") == count(db, "messages") == 0


# ---------------------------------------------------------------------- rules and state
def test_channel_rules(db):
    run(db, "mail/html-only.eml", channel_rules=[("pierre.martin@*", "instagram")])
    run(db, "mail/latin1.eml", default_channel="ebay")
    channels = {row["external_id"]: row["channel"] for row in tickets(db).values()}
    assert channels["<a1b2c3d4-9e8f-4a5b-8c7d-112233445566@example.fr>"] == "instagram"
    assert channels["<000a01db3e5f$1c2d3e40$54a6b8c0$@example.de>"] == "ebay"
    with pytest.raises(ValueError):
        run(db, "mail/latin1.eml", channel_rules={"*@x.com": "etsy"})


def test_a_buyer_writing_again_reopens_a_solved_ticket(db, policy):
    run(db, "mail/thread-1.eml")
    run(db, "mail/thread-2.eml")
    ticket_id = next(iter(tickets(db).values()))["id"]
    set_status(db, policy, FixedClock(datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)), ticket_id, "solved", "sam")
    run(db, "mail/thread-3.eml")
    ticket = db.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    assert (ticket["status"], ticket["solved_at"]) == ("open", None)
    assert ticket["awaiting_reply_since"] == "2026-11-24T09:30:00Z"
    events = db.execute("SELECT kind, at FROM events WHERE ticket_id = ? ORDER BY id", (ticket_id,)).fetchall()
    assert [tuple(e) for e in events][-1] == ("reopened", "2026-11-24T09:30:00Z")


def test_mail_formats_are_detected_from_content(tmp_path):
    for name, expected in [("mail/amazon-buyer-message.eml", "eml"), ("mail/latin1.eml", "eml"),
                           ("mail/inbox.mbox", "mbox"), ("mail/maildir", "maildir")]:
        assert detect_format(FIXTURES / name) == expected
    renamed = tmp_path / "message.txt"
    renamed.write_bytes((FIXTURES / "mail/thread-2.eml").read_bytes())
    assert detect_format(renamed) == "eml"


def test_progress_is_reported(db):
    seen = []
    run(db, "mail/inbox.mbox", progress=lambda done, total: seen.append((done, total)))
    size = (FIXTURES / "mail/inbox.mbox").stat().st_size
    assert seen and seen[-1] == (size, size)


def test_parsing_in_a_worker_process_gives_the_same_result(tmp_path, monkeypatch):
    def dump(conn):
        return (
            [tuple(r) for r in conn.execute("SELECT channel, external_id, subject, tier, awaiting_reply_since, customer_id FROM tickets ORDER BY id")],
            [tuple(r) for r in conn.execute("SELECT ticket_id, direction, author, body, sent_at, external_id, raw FROM messages ORDER BY id")],
        )

    results = []
    for parallel in (False, True):
        monkeypatch.setattr(mail_module, "worth_a_worker", lambda path, fmt, parallel=parallel: parallel)
        conn = connect(tmp_path / f"{parallel}.db", create=True)
        for name in ("mail/inbox.mbox", "bad/malformed.mbox"):
            summary = import_file(conn, FIXTURES / name, policy=default_policy(), now=NOW, on_error="skip", seller_addresses=SELLER)
        results.append((dump(conn), [str(r) for r in summary.rejections]))
        conn.close()
    assert results[0] == results[1]
    assert len(results[1][1]) == 3


def test_fast_header_path_matches_the_stdlib_parser(monkeypatch, tmp_path):
    """Single-part messages skip the feed parser; the result must be exactly the stdlib's."""
    from deskui.ingest.base import ImportContext
    from deskui.ingest.mail import RawMail, parse_mail, read_eml, read_mbox

    extra = [
        b"From: a@b.c\r\nDate: Wed, 25 Nov 2026 09:00:00 +0000\r\nSubject: crlf\r\n\r\nline one\r\nline two\r\n",
        b"From: a@b.c\nDate: Wed, 25 Nov 2026 09:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n"
        b"Content-Transfer-Encoding: base64\n\nSGVsbG8sIHdoZXJlIGlzIG15IG9yZGVyPyDDqQ==\n",
        b"From: =?utf-8?q?Ren=C3=A9e?= <r@b.c>\nTo: x@y.z, \"Doe, Jane\" <j@d.e>\nDate: 25 Nov 2026 09:00 +0100\n"
        b"Subject: caf\xc3\xa9 8-bit header\nContent-Type: text/html\n\n<p>Bonjour <b>caf\xc3\xa9</b></p>",
        b"From: a@b.c\nDate: Wed, 25 Nov 2026 09:00:00 +0000\nContent-Type: application/pdf\n"
        b"Content-Transfer-Encoding: base64\n\nJVBERi0=\n",
        b"From: a@b.c\nDate: Wed, 25 Nov 2026 09:00:00 +0000\nSubject: folded\n  over two lines\n\nbody",
    ]
    ctx = ImportContext(None, tmp_path, "mbox", policy=None, now=NOW, on_error="skip", dry_run=False, zone=timezone.utc, progress=None)
    raws = [*read_mbox(ctx, FIXTURES / "mail/inbox.mbox"), *read_mbox(ctx, FIXTURES / "bad/malformed.mbox")]
    for path in sorted((FIXTURES / "mail").rglob("*")):
        if path.is_file() and path.suffix != ".mbox" and path.name != ".keep":
            raws.extend(read_eml(ctx, path, path.name))
    raws.extend(RawMail("extra", 1, data) for data in extra)
    fast_hits = 0
    for raw in raws:
        monkeypatch.setattr(mail_headers, "STDLIB_ONLY", True)
        slow = parse_mail(ctx, raw)
        monkeypatch.setattr(mail_headers, "STDLIB_ONLY", False)
        fast = parse_mail(ctx, raw)
        fast_hits += mail_headers._fast(raw.data) is not None
        assert fast == slow, raw.file
    assert fast_hits >= len(raws) - 6  # only the multipart and malformed ones take the stdlib path


# ---------------------------------------------------------------------- the write lock
def test_triage_runs_after_the_files_transaction(db, monkeypatch):
    import deskui.ingest as ingest

    seen = []
    real = ingest.refresh_tickets_helped

    def watching(conn, *args, **kwargs):
        seen.append(conn.in_transaction)  # the file's rows are committed, the lock released
        return real(conn, *args, **kwargs)

    monkeypatch.setattr(ingest, "refresh_tickets_helped", watching)
    run(db, "mail/atoz-claim.eml")
    assert seen == [False]
    assert tickets(db)["atoz/111-0944945-3989852"]["tier"] == "critical"


def test_a_crash_before_triage_leaves_the_tickets_stored_and_flagged(db, monkeypatch):
    import deskui.ingest as ingest
    from deskui.store.tickets import refresh_tickets

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the process is stopped right after the commit

    monkeypatch.setattr(ingest, "refresh_tickets_helped", crash)
    with pytest.raises(KeyboardInterrupt):
        run(db, "mail/atoz-claim.eml")
    ticket = tickets(db)["atoz/111-0944945-3989852"]
    assert ticket["needs_triage"] == 1 and ticket["tier"] is None
    assert refresh_tickets(db, default_policy(), NOW) == 1  # what the inbox or `deskui refresh` runs
    assert tickets(db)["atoz/111-0944945-3989852"]["tier"] == "critical"


def test_a_seller_reply_to_a_known_ticket_is_flagged_for_triage_too(db, tmp_path, monkeypatch):
    """An outgoing message raises no inbound trigger, yet it stops the first-response clock: the
    import flags its ticket itself, so a crash before triage cannot leave the clock running."""
    import deskui.ingest as ingest

    run(db, "mail/amazon-buyer-message.eml")
    ticket_id = tickets(db)[f"114-3941689-8772232/{ALIAS}"]["id"]
    assert tickets(db)[f"114-3941689-8772232/{ALIAS}"]["needs_triage"] == 0  # triaged after the first file
    monkeypatch.setattr(ingest, "refresh_tickets_helped", lambda *args, **kwargs: 0)  # "crash" before triage
    reply = seller_reply_to_alisa(tmp_path)
    run(db, reply)
    row = db.execute("SELECT needs_triage, first_response_at FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    assert tuple(row) == (1, None)  # the reply is stored, its effect on the clocks still to derive
