"""`deskui sync` against real servers on 127.0.0.1: dovecot (IMAP) and aiosmtpd (SMTP)."""

from __future__ import annotations

import signal

import pytest

from deskui.clock import SystemClock
from deskui.policy import default_policy
from deskui.store import connect
from deskui.store.tickets import add_reply, set_status
from tests.connect_servers import (FIXTURES, SENDER, Dovecot, SmtpServer, need_dovecot, run_sync, shopify_mail,
                                   start_sync, wait_for, write_config)


@pytest.fixture
def imap():
    server = Dovecot(need_dovecot())
    yield server
    server.stop()


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


pytestmark = pytest.mark.backends


@pytest.fixture
def db(db_target):
    """An empty deskui database: an SQLite file, or a PostgreSQL database that `deskui sync --db URL` fills."""
    return db_target


def rows(db, sql, *params):
    conn = connect(db)
    try:
        return [tuple(row) for row in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()


def thread_and_relay():
    return [(FIXTURES / name).read_bytes() for name in
            ("amazon-buyer-message.eml", "thread-1.eml", "thread-2.eml", "thread-3.eml")] + [shopify_mail(1)]


def test_fetched_mail_is_stored_once_threaded_and_triaged(imap, db, tmp_path):
    imap.append(thread_and_relay())
    config = write_config(tmp_path / "config.toml", imap, None)
    done = run_sync(db, config)
    assert done.returncode == 0, done.stderr
    assert "mailbox shop: fetched 5 new message(s)" in done.stdout
    amazon = rows(db, "SELECT order_number, marketplace, tier, needs_triage FROM tickets WHERE channel = 'amazon'")
    assert amazon == [("114-3941689-8772232", "amazon.com", amazon[0][2], 0)] and amazon[0][2]
    thread = rows(db, "SELECT t.channel, count(*), group_concat(m.direction, '') FROM tickets t JOIN messages m ON m.ticket_id = t.id "
                      "WHERE t.external_id = '<CAF7x1a2b3c4d5e6f7@mail.gmail.com>' GROUP BY t.id")
    assert thread == [("shopify", 3, "ioutin".replace("ioutin", "inoutin"))]
    assert rows(db, "SELECT channel, tier IS NOT NULL FROM tickets WHERE external_id = '<buyer-1@example.net>'") == [("shopify", 1)]
    assert rows(db, "SELECT mailbox, folder, last_uid FROM mailbox_folders") == [("shop", "INBOX", 5)]
    again = run_sync(db, config)
    assert again.returncode == 0 and "fetched 0 new message(s)" in again.stdout
    assert rows(db, "SELECT count(*) FROM messages") == [(5,)]
    status = rows(db, "SELECT name, connected, last_sync_at IS NOT NULL, error FROM mailboxes")
    assert status == [("shop", 0, 1, None)]


def test_a_new_uidvalidity_rereads_the_folder_without_duplicates(imap, db, tmp_path):
    imap.append(thread_and_relay())
    config = write_config(tmp_path / "config.toml", imap, None)
    assert run_sync(db, config).returncode == 0
    before = rows(db, "SELECT uidvalidity FROM mailbox_folders")[0][0]
    imap.renumber()
    imap.append(shopify_mail(2))
    done = run_sync(db, config)
    assert done.returncode == 0, done.stderr
    assert rows(db, "SELECT uidvalidity != ? FROM mailbox_folders", before) == [(1,)]
    assert "fetched 1 new message(s)" in done.stdout
    assert rows(db, "SELECT count(*), count(DISTINCT external_id) FROM messages") == [(6, 6)]


def test_wrong_password_is_one_line_naming_the_mailbox(imap, db, tmp_path):
    config = write_config(tmp_path / "config.toml", imap, None)
    done = run_sync(db, config, password="not-the-password")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"deskui: mailbox shop: authentication failed for user 'shop' at 127.0.0.1:{imap.port}: check the user and the password"]
    assert "Traceback" not in done.stderr + done.stdout
    from deskui.connect import mailbox_statuses

    conn = connect(db)
    [status] = mailbox_statuses(conn)
    conn.close()
    assert (status.name, status.connected, status.last_sync_at) == ("shop", False, None)
    assert "authentication failed" in status.error and status.error_at


def test_unreachable_smtp_host_is_one_line_and_keeps_the_reply_queued(db, tmp_path):
    config = tmp_path / "config.toml"
    port = __import__("tests.connect_servers", fromlist=["free_port"]).free_port()
    config.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nsender = "{SENDER}"\n')
    ticket = _ticket_with_buyer_message(db)
    _reply(db, ticket, "Hello, it ships today.")
    done = run_sync(db, config)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"deskui: smtp: host unreachable: 127.0.0.1:{port}: Connection refused"]
    assert rows(db, "SELECT status, smtp_state, attempts FROM outbox") == [("queued", None, 0)]


def _ticket_with_buyer_message(db, imap=None, tmp_path=None) -> int:
    conn = connect(db)
    try:
        conn.execute("INSERT INTO customers (channel, external_id, email) VALUES ('shopify', 'b@example.net', 'b@example.net')")
        conn.execute("INSERT INTO tickets (channel, external_id, customer_id, subject, created_at) "
                     "VALUES ('shopify', '<q1@example.net>', 1, 'Where is #1001', '2026-11-24T10:00:00Z')")
        conn.execute("INSERT INTO messages (ticket_id, direction, author, body, sent_at, external_id) "
                     "VALUES (1, 'in', 'b@example.net', 'Where is it?', '2026-11-24T10:00:00Z', '<q1@example.net>')")
        return 1
    finally:
        conn.close()


def _reply(db, ticket_id: int, body: str, to: str | None = None) -> int:
    conn = connect(db)
    try:
        add_reply(conn, default_policy(), SystemClock(), ticket_id, "ana", body, to_address=to)
        return conn.execute("SELECT max(id) FROM outbox").fetchone()[0]
    finally:
        conn.close()


def _amazon_ticket(imap, db, config) -> int:
    imap.append((FIXTURES / "amazon-buyer-message.eml").read_bytes())
    assert run_sync(db, config).returncode == 0
    return rows(db, "SELECT id FROM tickets WHERE channel = 'amazon'")[0][0]


def test_a_queued_reply_is_received_once_with_the_threads_headers(imap, smtp, db, tmp_path):
    config = write_config(tmp_path / "config.toml", imap, smtp)
    ticket = _amazon_ticket(imap, db, config)
    outbox_id = _reply(db, ticket, "Hello Alisa, your parcel is on its way.")
    done = run_sync(db, config)
    assert done.returncode == 0, done.stderr
    assert "smtp: sent 1 reply" in done.stdout
    wait_for(lambda: smtp.received, what="the SMTP server to receive the reply")
    assert len(smtp.received) == 1
    mail_from, rcpts, message = smtp.received[0]
    buyer_id = "<0100019ab6d1f2a3-4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8-000000@email.amazonses.com>"
    assert (mail_from, rcpts) == (SENDER, ["th6wqr1vf6dr43f@marketplace.amazon.com"])
    assert message["In-Reply-To"] == buyer_id and message["References"] == buyer_id
    assert message["X-Deskui-Outbox-Id"] == str(outbox_id)
    stored = rows(db, "SELECT status, smtp_state, message_id_header, attempts FROM outbox WHERE id = ?", outbox_id)
    assert stored == [("sent", "sent", message["Message-ID"], 1)]
    assert [m["Message-ID"] for m in imap.messages("Sent")] == [message["Message-ID"]]
    client = imap.client()
    client.select_folder("Sent", readonly=True)
    assert [b"$DeskuiUnconfirmed" in flags for flags in client.get_flags(client.search(["ALL"])).values()] == [False]
    client.logout()
    assert run_sync(db, config).returncode == 0
    assert len(smtp.received) == 1


def test_a_550_fails_the_reply_with_its_reason_and_reopens_the_ticket(imap, smtp, db, tmp_path):
    config = write_config(tmp_path / "config.toml", imap, smtp)
    ticket = _amazon_ticket(imap, db, config)
    outbox_id = _reply(db, ticket, "Hello Alisa, your parcel is on its way.")
    conn = connect(db)
    set_status(conn, default_policy(), SystemClock(), ticket, "solved", "ana")
    conn.close()
    smtp.replies("550 5.7.1 sender not authorised for this marketplace")
    done = run_sync(db, config)
    assert done.returncode == 0, done.stderr
    assert f"outbox {outbox_id}: NOT DELIVERED: the mail server refused it: 550 5.7.1 sender not authorised" in done.stdout
    assert rows(db, "SELECT status, reason FROM outbox") == [
        ("failed", "the mail server refused it: 550 5.7.1 sender not authorised for this marketplace")]
    assert rows(db, "SELECT status FROM tickets WHERE id = ?", ticket) == [("open",)]
    assert rows(db, "SELECT tag FROM tags WHERE ticket_id = ?", ticket) == [("not-delivered",)]
    assert rows(db, "SELECT count(*) FROM events WHERE kind = 'send_failed'") == [(1,)]
    assert smtp.received == [] and imap.messages("Sent") == []


def test_a_421_is_retried_and_then_received_once(imap, smtp, db, tmp_path):
    config = write_config(tmp_path / "config.toml", imap, smtp)
    ticket = _amazon_ticket(imap, db, config)
    outbox_id = _reply(db, ticket, "Hello Alisa, your parcel is on its way.")
    smtp.replies("421 4.3.2 too busy, try later")
    first = run_sync(db, config)
    assert first.returncode == 0, first.stderr
    assert f"outbox {outbox_id}: will retry: 421 4.3.2 too busy" in first.stdout
    assert rows(db, "SELECT status, smtp_state, attempts FROM outbox") == [("queued", "retry", 1)]
    assert imap.messages("Sent") == []

    def sent():
        run_sync(db, config)
        return rows(db, "SELECT status FROM outbox") == [("sent",)]

    wait_for(sent, 60, interval=0.3, what="the retried reply to be sent")
    assert len(smtp.received) == 1 and smtp.received[0][2]["X-Deskui-Outbox-Id"] == str(outbox_id)


def test_a_bounce_matched_by_message_id_marks_the_reply_failed(imap, smtp, db, tmp_path):
    config = write_config(tmp_path / "config.toml", imap, smtp)
    ticket = _amazon_ticket(imap, db, config)
    outbox_id = _reply(db, ticket, "Hello Alisa, your parcel is on its way.")
    assert run_sync(db, config).returncode == 0
    message_id = rows(db, "SELECT message_id_header FROM outbox")[0][0]
    bounce = (f"From: Mail Delivery System <MAILER-DAEMON@amazon.com>\r\nTo: {SENDER}\r\n"
              "Subject: Delivery Status Notification (Failure)\r\nDate: Wed, 25 Nov 2026 09:00:00 +0000\r\n"
              "Message-ID: <bounce-1@amazon.com>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b1\r\n\r\n"
              "--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
              "--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; amazon.com\r\n\r\n"
              "Final-Recipient: rfc822; th6wqr1vf6dr43f@marketplace.amazon.com\r\nAction: failed\r\nStatus: 5.7.1\r\n"
              "Diagnostic-Code: smtp; 550 5.7.1 message contains an external link\r\n"
              f"--b1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {message_id}\r\nX-Deskui-Outbox-Id: {outbox_id}\r\n--b1--\r\n").encode()
    imap.append(bounce)
    done = run_sync(db, config)
    assert done.returncode == 0, done.stderr
    assert "1 bounce(s) matched to replies" in done.stdout
    assert rows(db, "SELECT status, reason FROM outbox") == [
        ("failed", "bounced: Delivery Status Notification (Failure) (550 5.7.1 message contains an external link)")]
    assert rows(db, "SELECT tag FROM tags WHERE ticket_id = ?", ticket) == [("not-delivered",)]
    assert rows(db, "SELECT count(*) FROM tickets") == [(1,)]  # the notice is not a ticket of its own


def test_running_sync_sees_new_mail_through_idle_and_stops_on_sigterm(imap, db, tmp_path):
    config = write_config(tmp_path / "config.toml", imap, None)
    process = start_sync(db, config, tmp_path / "sync.log")
    try:
        wait_for(lambda: rows(db, "SELECT idle FROM mailboxes WHERE connected = 1") == [(1,)], 60,
                 what="sync to connect and announce IDLE")
        imap.append(shopify_mail(7))
        wait_for(lambda: rows(db, "SELECT count(*) FROM messages") == [(1,)], 60, what="the new mail in the database")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, (tmp_path / "sync.log").read_text()


def _tls_config(path, imap, extra: str = ""):
    path.write_text(f'[[mailboxes]]\nname = "shop"\nhost = "127.0.0.1"\nport = {imap.tls_port}\nsecurity = "tls"\n'
                    f'user = "shop"\npassword_env = "DESKUI_TEST_IMAP_PASSWORD"\n{extra}\n')
    return path


def test_a_certificate_that_does_not_verify_is_refused_unless_the_config_says_otherwise(db, tmp_path):
    server = Dovecot(need_dovecot(), tls=True)
    try:
        server.append(shopify_mail(3))
        refused = run_sync(db, _tls_config(tmp_path / "a.toml", server))
        assert refused.returncode == 1
        assert refused.stderr.startswith(f"deskui: mailbox shop: TLS certificate of 127.0.0.1:{server.tls_port} does not verify (")
        assert len(refused.stderr.strip().splitlines()) == 1 and rows(db, "SELECT count(*) FROM messages") == [(0,)]
        trusted = run_sync(db, _tls_config(tmp_path / "b.toml", server, f'ca_file = "{server.cert}"'))
        assert trusted.returncode == 0, trusted.stderr
        assert rows(db, "SELECT count(*) FROM messages") == [(1,)]
        unverified = run_sync(db, _tls_config(tmp_path / "c.toml", server, "verify_tls = false"))
        assert unverified.returncode == 0 and "fetched 0 new message(s)" in unverified.stdout
    finally:
        server.stop()


def test_a_server_without_idle_is_polled(db, tmp_path):
    server = Dovecot(need_dovecot(), idle=False)
    config = write_config(tmp_path / "config.toml", server, None)
    process = start_sync(db, config, tmp_path / "sync.log")
    try:
        wait_for(lambda: rows(db, "SELECT idle FROM mailboxes WHERE connected = 1") == [(0,)], 60, what="sync to connect without IDLE")
        server.append(shopify_mail(8))
        wait_for(lambda: rows(db, "SELECT count(*) FROM messages") == [(1,)], 60, what="the polled mail in the database")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        server.stop()


def test_an_unreadable_and_a_huge_message_do_not_stop_the_folder(imap, db, tmp_path):
    huge = shopify_mail(5, body="Photos of the broken lamp attached.")[:-2] + b"\r\n" + (b"A" * 76 + b"\r\n") * 360_000  # ~28 MB
    imap.append([b"this export lost the message headers\r\n\r\nhello\r\n", huge, shopify_mail(6)])
    config = write_config(tmp_path / "config.toml", imap, None)
    done = run_sync(db, config)
    assert done.returncode == 0, done.stderr
    assert "mailbox shop: fetched 2 new message(s), 1 rejected" in done.stdout
    assert "  shop/INBOX UID 1:1: field headers: malformed message: it starts with 'this export lost the message headers'" in done.stdout
    stored = rows(db, "SELECT external_id, length(raw) < 1000000, body LIKE '%only its start was read%' FROM messages ORDER BY id")
    assert stored == [("<buyer-5@example.net>", 1, 1), ("<buyer-6@example.net>", 1, 0)]
    assert rows(db, "SELECT last_uid, rejected, last_rejection LIKE '%malformed message%' FROM mailbox_folders") == [(3, 1, 1)]


def test_one_failing_mailbox_does_not_stop_the_others_and_a_missing_folder_is_named(imap, db, tmp_path):
    imap.append(shopify_mail(9))
    config = write_config(tmp_path / "config.toml", imap, None)
    text = config.read_text()
    config.write_text(text + text.replace('name = "shop"', 'name = "eu-shop"').replace(
        "DESKUI_TEST_IMAP_PASSWORD", "DESKUI_TEST_OTHER_PASSWORD") + text.replace('name = "shop"', 'name = "archive"').replace(
        'folders = ["INBOX"]', 'folders = ["Gone"]'))
    done = run_sync(db, config)
    assert done.returncode == 1
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 2 and errors[0] == "deskui: mailbox eu-shop: password_env: the variable DESKUI_TEST_OTHER_PASSWORD is not set"
    assert errors[1].startswith("deskui: mailbox archive: folder 'Gone': select failed: Mailbox doesn't exist: Gone")
    assert "mailbox shop: fetched 1 new message(s)" in done.stdout
    assert rows(db, "SELECT count(*) FROM messages") == [(1,)]
    assert rows(db, "SELECT name, error IS NOT NULL FROM mailboxes ORDER BY name") == [("archive", 1), ("eu-shop", 1), ("shop", 0)]


def test_attachments_are_stored_once_and_listed_for_the_ticket(imap, db, tmp_path):
    from email.message import EmailMessage

    from deskui.connect import attachments

    photo = bytes(range(256)) * 40
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "Jo <jo@example.net>", SENDER, "Broken lamp #1001"
    mail["Date"], mail["Message-ID"] = "Tue, 24 Nov 2026 10:00:00 +0000", "<photo-1@example.net>"
    mail.set_content("The lamp arrived broken, photo attached.")
    mail.add_attachment(photo, maintype="image", subtype="jpeg", filename="lamp \u00e9clat\u00e9e.jpg")
    imap.append(mail.as_bytes())
    config = write_config(tmp_path / "config.toml", imap, None)
    done = run_sync(db, config)
    assert done.returncode == 0, done.stderr
    assert "fetched 1 new message(s), 1 attachment(s)" in done.stdout
    conn = connect(db)
    ticket = conn.execute("SELECT ticket_id FROM messages").fetchone()[0]
    listed = attachments.for_ticket(conn, ticket)
    assert [(a.name, a.content_type, a.size) for a in listed] == [("lamp \u00e9clat\u00e9e.jpg", "image/jpeg", len(photo))]
    assert attachments.content(conn, listed[0].id) == photo
    assert "photo attached" in conn.execute("SELECT body FROM messages").fetchone()[0]
    conn.close()
    imap.renumber()  # read again from the start: still one copy
    assert run_sync(db, config).returncode == 0
    assert rows(db, "SELECT count(*) FROM attachments") == [(1,)]


def _fixture_mail(channel: str) -> bytes:
    """The eBay member message of the mbox fixture, the Walmart relay message of the Maildir one."""
    import mailbox

    if channel == "ebay":
        found = [m for m in mailbox.mbox(FIXTURES / "inbox.mbox") if "members.ebay.com" in (m["From"] or "")]
        return found[0].as_bytes()
    return (FIXTURES / "maildir" / "new" / "1764000200.M103P4242.mailhost").read_bytes()


def test_ebay_and_walmart_mail_is_triaged_with_its_channel(imap, db, tmp_path):
    imap.append([_fixture_mail("ebay"), _fixture_mail("walmart")])
    config = write_config(tmp_path / "config.toml", imap, None)
    done = run_sync(db, config)
    assert done.returncode == 0, done.stderr
    assert "mailbox shop: fetched 2 new message(s)" in done.stdout
    stored = rows(db, "SELECT t.channel, t.external_id, t.tier IS NOT NULL, t.needs_triage, t.due_at IS NOT NULL, c.email "
                      "FROM tickets t JOIN customers c ON c.id = t.customer_id ORDER BY t.channel")
    assert stored == [("ebay", "<EBAY-MSG-3c9f1a2b7d@ebay.com>", 1, 0, 1, "k_baker_2k@members.ebay.com"),
                      ("walmart", "<wm-20261125061000-77aa@relay.walmart.com>", 1, 0, 1, "a8f3k2m1q9w7e5r3t1y8@relay.walmart.com")]
    assert rows(db, "SELECT direction, body FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.channel = 'walmart'") == [
        ("in", "The box was empty when it arrived. Please help.")]


def test_a_reply_with_files_is_received_with_its_parts_names_and_types(imap, smtp, db, tmp_path):
    from deskui.connect.reply_files import ReplyFiles
    from deskui.store.attachments import add_draft_file

    config = write_config(tmp_path / "config.toml", imap, smtp)
    ticket = _amazon_ticket(imap, db, config)
    files = {"invoice 114-3941689.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 30, "colis ab\u00eem\u00e9.jpg": b"\xff\xd8\xff\xe0" + b"\x00\xff" * 900,
             "instructions.txt": "1. Open the box.\n.\n2. Plug it in. \u00e9\n".encode()}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    conn = connect(db)
    attach = ReplyFiles(conn, SystemClock(), ticket, "ana", "amazon")
    for name in files:
        attach.add(name, cwd=tmp_path)
    conn.close()
    outbox_id = _reply(db, ticket, "Hello Alisa, the invoice and the instructions are attached.")
    done = run_sync(db, config)
    assert done.returncode == 0, done.stderr
    assert "smtp: sent 1 reply" in done.stdout
    wait_for(lambda: smtp.received, what="the SMTP server to receive the reply")
    [(_, rcpts, message)] = smtp.received
    assert rcpts == ["th6wqr1vf6dr43f@marketplace.amazon.com"] and message["X-Deskui-Outbox-Id"] == str(outbox_id)
    assert message["In-Reply-To"] == "<0100019ab6d1f2a3-4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8-000000@email.amazonses.com>"
    assert message.get_content_type() == "multipart/mixed"
    body, *parts = message.get_payload()
    assert body.get_content_type() == "text/plain" and "instructions are attached" in body.get_payload(decode=True).decode()
    assert [(p.get_filename(), p.get_content_type(), p.get_content_disposition(), p.get_payload(decode=True)) for p in parts] == [
        (name, kind, "attachment", data) for (name, data), kind in zip(files.items(), ("application/pdf", "image/jpeg", "text/plain"))]
    [copy] = imap.messages("Sent")  # the copy in Sent carries the same files
    assert [p.get_filename() for p in copy.get_payload()[1:]] == list(files)

    # a reply whose files are over the channel's limit (written past the attach screen) is not sent
    conn = connect(db)
    add_draft_file(conn, SystemClock().now(), ticket, "ana", "catalogue.pdf", "application/pdf", b"c" * 11_000_000)
    conn.close()
    too_big = _reply(db, ticket, "Our catalogue.")
    done = run_sync(db, config)
    assert done.returncode == 0, done.stderr
    assert (f"outbox {too_big}: NOT DELIVERED: not sent: catalogue.pdf: 11 MB is over the 10 MB allowed for Amazon's "
            "buyer messages; send a smaller file") in done.stdout
    assert rows(db, "SELECT status, attempts FROM outbox WHERE id = ?", too_big) == [("failed", 0)]
    assert len(smtp.received) == 1
