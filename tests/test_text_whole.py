"""Text is whole: NUL and other control characters never hide the rest of a message, from triage
or from the agent (issue 11, item 3). Cleaned where text enters the store, never cut."""

import csv
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskui.ingest import import_file
from deskui.policy import default_policy
from deskui.store.thread import SHOWN_BODY_CHARS, thread
from deskui.store.tickets import refresh_tickets
from deskui.text import has_unsafe, store_text
from deskui.ui.screens.ticket import render_thread
from tests.conftest import NOW
from tests.helpers import add_ticket

pytestmark = pytest.mark.backends
# Another program's row with a NUL in it: PostgreSQL's text cannot hold one (the server refuses
# the write), so only an SQLite file can be handed such a row.
NUL_IN_THE_FILE = pytest.mark.sqlite_only("a NUL written into the file by another program; PostgreSQL's text refuses one")

THREAT = "I will file a chargeback with my bank and an A-to-z claim"
DIRTY = {
    "nul": f"Hello\x00 {THREAT}",
    "c0": f"Hello\x01\x02\x07\x08 {THREAT}",
    "c1": f"Hello\x85\x90\x9b {THREAT}",
    "esc": f"Hello \x1b[2J\x1b[31m\x1b]0;owned\x07{THREAT}\x1b[0m",
    "bidi": f"Hello \u202e{THREAT}\u202c",
    "many nul": "\x00".join(f"Hello {THREAT}"),
}


def tier_of(conn, ticket_id):
    return conn.execute("SELECT tier FROM tickets WHERE id = ?", (ticket_id,)).fetchone()[0]


# ---------------------------------------------------------------------- store_text itself
def test_store_text_removes_controls_and_keeps_every_word():
    for body in DIRTY.values():
        cleaned = store_text(body)
        assert THREAT in cleaned
        assert not has_unsafe(cleaned)
    assert store_text("a\r\nb\rc\x0bd\x0ce\x85f") == "a\nb\nc\nd\ne\nf"
    assert store_text("tab\tand\nline") == "tab\tand\nline"
    assert store_text("lone \ud800 surrogate") == "lone \ufffd surrogate"
    # Joiners and LRM/RLM are real text (emoji families, Persian, Hebrew): the store keeps them.
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467 \u200f"
    assert store_text(family) is family


@given(st.text())
def test_store_text_is_idempotent_and_leaves_nothing_hiding_text(text):
    cleaned = store_text(text)
    assert store_text(cleaned) == cleaned
    assert not has_unsafe(cleaned)
    assert "\x00" not in cleaned and "\x1b" not in cleaned
    cleaned.encode("utf-8")  # storable: no lone surrogates left


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cf"))), st.text(alphabet="\x00\x01\x7f\x90\x9b\u202e"))
def test_store_text_never_cuts_text(words, controls):
    """Controls between words are removed; every word character survives, in order."""
    mixed = "".join(a + b for a, b in zip(words, controls + "\x00" * len(words)))
    assert store_text(mixed) == words


# ---------------------------------------------------------------------- triage of other programs' rows
@NUL_IN_THE_FILE
def test_another_programs_row_with_a_nul_is_triaged_on_its_whole_text(conn, policy):
    clean_id = add_ticket(conn, body=f"Hello {THREAT}", sent_at=NOW)
    ids = {name: add_ticket(conn, body=body, sent_at=NOW) for name, body in DIRTY.items()}
    refresh_tickets(conn, policy, NOW)
    assert tier_of(conn, clean_id) == "critical"
    for name, ticket_id in ids.items():
        assert tier_of(conn, ticket_id) == "critical", name


@NUL_IN_THE_FILE
def test_the_threat_after_a_nul_deep_in_a_long_body_is_still_seen(conn, policy):
    body = "x" * 10_000 + "\x00" + " " + THREAT
    ticket_id = add_ticket(conn, body=body, sent_at=NOW)
    refresh_tickets(conn, policy, NOW)
    assert tier_of(conn, ticket_id) == "critical"


# ---------------------------------------------------------------------- display
@NUL_IN_THE_FILE
def test_the_thread_shows_the_text_after_a_nul(conn, policy):
    ticket_id = add_ticket(conn, body=DIRTY["nul"], sent_at=NOW)
    (message,) = thread(conn, ticket_id)
    assert message.body == DIRTY["nul"] and message.full_length == len(DIRTY["nul"])
    shown = render_thread([message], NOW, NOW.tzinfo).plain
    assert THREAT in shown and "\x00" not in shown and "not shown" not in shown


def test_escape_sequences_never_reach_the_screen(conn):
    ticket_id = add_ticket(conn, body=DIRTY["esc"], sent_at=NOW)
    shown = render_thread(thread(conn, ticket_id), NOW, NOW.tzinfo).plain
    assert THREAT in shown and "\x1b" not in shown and "owned" not in shown


@NUL_IN_THE_FILE
def test_a_one_megabyte_body_says_exactly_how_much_is_hidden(conn):
    body = ("Ünïcödé line of a long complaint. " * 40_000)[:1_000_000] + "\x00" + THREAT
    ticket_id = add_ticket(conn, body=body, sent_at=NOW)
    (message,) = thread(conn, ticket_id)
    assert message.full_length == len(body)
    shown = render_thread([message], NOW, NOW.tzinfo).plain
    assert f"[{len(body) - SHOWN_BODY_CHARS:,} more characters not shown]" in shown
    plain = "plain " * 200_000
    (message,) = thread(conn, add_ticket(conn, body=plain, sent_at=NOW))
    assert message.full_length == len(plain) and len(message.body) == SHOWN_BODY_CHARS


# ---------------------------------------------------------------------- importers clean, never cut
def run(conn, path, **options):
    return import_file(conn, path, policy=default_policy(), now=NOW, **options)


def bodies(conn):
    return [row[0] for row in conn.execute("SELECT body FROM messages ORDER BY id")]


def test_jsonl_import_cleans_escaped_controls_and_triages_the_whole_text(tmp_path, conn):
    path = tmp_path / "t.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for number, (name, body) in enumerate(DIRTY.items()):
            out.write(json.dumps({"channel": "amazon", "external_id": f"t{number}", "subject": f"Hi\u0000 {name}\u001b[31m",
                                  "customer_name": "Jo\u0007\u202e", "body": body, "sent_at": "2026-11-25T08:00:00Z"}) + "\n")
    run(conn, path)
    for body in bodies(conn):
        assert not has_unsafe(body) and "A-to-z claim" in body
    assert {row[0] for row in conn.execute("SELECT tier FROM tickets")} == {"critical"}
    assert not any(has_unsafe(row[0]) for row in conn.execute("SELECT subject FROM tickets UNION ALL SELECT name FROM customers"))
    assert run(conn, path).count("messages", "unchanged") == len(DIRTY)  # cleaning is deterministic: idempotent


def test_csv_import_with_raw_control_bytes_is_read_not_called_binary(tmp_path, conn):
    """A few raw control bytes are text to clean; a file made of them is binary (is_binary)."""
    dirty = {name: body for name, body in DIRTY.items() if name != "many nul"}
    path = tmp_path / "t.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["channel", "external_id", "subject", "body", "sent_at"])
        for number, body in enumerate(dirty.values()):
            writer.writerow(["amazon", f"c{number}", "Hi", body, "2026-11-25T08:00:00Z"])
    summary = run(conn, path)
    assert summary.count("messages", "added") == len(dirty)
    for body in bodies(conn):
        assert not has_unsafe(body) and THREAT in body
    assert {row[0] for row in conn.execute("SELECT tier FROM tickets")} == {"critical"}


def test_a_one_megabyte_body_reaches_the_store_whole(tmp_path, conn):
    body = "A long story. " * 75_000 + THREAT  # > 1 MB
    jsonl, table = tmp_path / "big.jsonl", tmp_path / "big.csv"
    jsonl.write_text(json.dumps({"channel": "shopify", "external_id": "big", "body": body, "sent_at": "2026-11-25T08:00:00Z"}) + "\n")
    with open(table, "w", newline="") as out:
        csv.writer(out).writerows([["channel", "external_id", "body", "sent_at"], ["ebay", "big", body, "2026-11-25T08:00:00Z"]])
    run(conn, jsonl)
    run(conn, table)
    assert bodies(conn) == [body, body]


def test_mail_with_a_nul_in_the_body_and_an_escape_in_the_subject(tmp_path, conn):
    path = tmp_path / "m.eml"
    path.write_bytes(
        b"From: \"Jo \x1b[31mBuyer\" <jo@example.com>\r\n"
        b"To: support@myshop.example\r\n"
        b"Subject: =?utf-8?q?Order_=00_problem_=1B[2J?=\r\n"
        b"Date: Wed, 25 Nov 2026 08:00:00 +0000\r\n"
        b"Message-ID: <nul-1@example.com>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"Hello=00 " + THREAT.encode() + b"\r\n"
    )
    run(conn, path, seller_addresses=["support@myshop.example"])
    subject, name = conn.execute("SELECT t.subject, c.name FROM tickets t JOIN customers c ON c.id = t.customer_id").fetchone()
    assert not has_unsafe(subject) and "problem" in subject
    assert not has_unsafe(name) and "Buyer" in name
    (body,) = bodies(conn)
    assert body == f"Hello {THREAT}"


# ---------------------------------------------------------------------- other programs' rows, rewritten
def test_triage_rewrites_another_programs_dirty_rows_with_the_whole_clean_text(conn, policy, backend):
    # PostgreSQL's text cannot hold a NUL: the other program's dirt there is the other controls.
    nul = "\x00" if backend == "sqlite" else "\x07"
    dirty = add_ticket(conn, subject=f"Order{nul} problem \x1b[2J", body=DIRTY["nul" if backend == "sqlite" else "c0"], sent_at=NOW)
    clean_crlf = add_ticket(conn, body="Hello\r\nthere", sent_at=NOW)
    refresh_tickets(conn, policy, NOW)
    subject = conn.execute("SELECT subject FROM tickets WHERE id = ?", (dirty,)).fetchone()[0]
    body = conn.execute("SELECT body FROM messages WHERE ticket_id = ?", (dirty,)).fetchone()[0]
    assert subject == "Order problem " and body == f"Hello {THREAT}"
    # Only rows that hold what store_text removes are rewritten: a CR LF body is left as written.
    assert conn.execute("SELECT body FROM messages WHERE ticket_id = ?", (clean_crlf,)).fetchone()[0] == "Hello\r\nthere"
    # SQL now sees the whole text too.
    assert conn.execute("SELECT length(body) FROM messages WHERE ticket_id = ?", (dirty,)).fetchone()[0] == len(body)


def test_order_reports_are_cleaned_too(tmp_path, conn):
    """Amazon (TSV), Shopify and tracking CSVs go through the same reader: a title or a name with
    an escape sequence, a NUL or a bidi override is stored clean, and whole."""
    from tests.test_cli import ROOT

    original = (ROOT / "fixtures/amazon/orders-by-order-date.txt").read_text(encoding="utf-8")
    dirty = original.replace("Garrafa Térmica 1L", "Garrafa\x00 Térmica \x1b[31m1L\u202e")
    assert dirty != original
    path = tmp_path / "orders.txt"
    path.write_text(dirty, encoding="utf-8")
    run(conn, path)
    titles = [row[0] for row in conn.execute("SELECT title FROM order_items")]
    assert "Garrafa Térmica 1L" in titles and not any(has_unsafe(title) for title in titles if title)
    shopify = (ROOT / "fixtures/shopify/orders-export.csv").read_text(encoding="utf-8").replace("Jane Doe", "Jane\x07 \x1b]0;x\x07Doe")
    path = tmp_path / "shopify.csv"
    path.write_text(shopify, encoding="utf-8")
    run(conn, path)
    names = [row[0] for row in conn.execute("SELECT name FROM customers")]
    assert "Jane Doe" in names and not any(has_unsafe(name) for name in names if name)
