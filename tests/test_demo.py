"""The demo generator: deterministic, complete, realistic enough to exercise every screen."""

import hashlib
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from deskui.store.context import headline_timer

from deskui import sla
from deskui.demo import PRODUCTS, SPIKE_PRODUCT, DemoExists, generate
from deskui.policy import CHANNELS
from deskui.store import connect, write
from deskui.timeutil import from_db, to_db
from tests.conftest import NOW, PG_TEMPLATE

TICKETS = 300


pytestmark = pytest.mark.backends


@pytest.fixture(scope="module")
def built():
    """The module's demo per backend, made by the first test that asks for it: (target, summary,
    progress calls)."""
    return {}


@pytest.fixture
def demo(backend, built, tmp_path_factory, request):
    if backend not in built:
        if backend == "sqlite":
            target = tmp_path_factory.mktemp("demo") / "demo.db"
        else:  # the database lives as long as the session's server; the test reads it only
            server = request.getfixturevalue("pg_server")
            target = server.url(server.create_database(template=PG_TEMPLATE))
        calls = []
        summary = generate(target, seed=7, tickets=TICKETS, now=NOW, progress=lambda done, total: calls.append((done, total)))
        built[backend] = (target, summary, calls)
    return built[backend]


@pytest.fixture
def db(demo):
    conn = connect(demo[0])
    yield conn
    conn.close()


def _digest(target) -> str:
    conn = connect(target)
    digest = hashlib.sha256()
    for table in ("tickets", "messages", "orders", "order_items", "events", "sla_clocks", "tags"):
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
            digest.update(repr(tuple(row)).encode())
    conn.close()
    return digest.hexdigest()


def test_same_seed_same_rows_and_another_seed_others(demo, db_factory):
    with db_factory() as again:
        generate(again, seed=7, tickets=TICKETS, now=NOW)
        assert _digest(again) == _digest(demo[0])
    with db_factory() as other:
        generate(other, seed=8, tickets=TICKETS, now=NOW)
        assert _digest(other) != _digest(demo[0])


def _with_writer(backend, monkeypatch):
    """The build with a forked writer process (deskui/demo/build.py: from WRITER_MIN_TICKETS
    up), made to run at this module's size. A file only; fork only in a single-threaded process."""
    from deskui.demo import build

    if backend != "sqlite":
        pytest.skip("a server's database is written by the generating process itself")
    monkeypatch.setattr(build, "WRITER_MIN_TICKETS", 1)
    if not build._writer_fits(TICKETS):
        pytest.skip("another thread is running in this test process: the demo does not fork then")


@pytest.mark.parametrize("chunk", [None, 70], ids=["one chunk", "five chunks"])
def test_a_writer_process_writes_the_same_rows(demo, backend, tmp_path, monkeypatch, chunk):
    """Five chunks: the writer triages every other one itself (sent as generated)."""
    from deskui.demo import build

    _with_writer(backend, monkeypatch)
    if chunk:
        monkeypatch.setattr(build, "CHUNK", chunk)
    target = tmp_path / "written.db"
    summary = generate(target, seed=7, tickets=TICKETS, now=NOW)
    assert _digest(target) == _digest(demo[0])
    assert summary.by_state == demo[1].by_state and summary.messages == demo[1].messages
    assert sorted(path.name for path in tmp_path.iterdir()) == ["written.db"]  # no chunk files left


def test_a_failing_writer_process_fails_the_demo_and_leaves_nothing(demo, backend, tmp_path, monkeypatch):
    from deskui.store import demo_rows

    _with_writer(backend, monkeypatch)

    def full(*args):  # inherited by the forked writer
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(demo_rows, "insert_rows", full)
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        generate(tmp_path / "demo.db", seed=7, tickets=TICKETS, now=NOW)
    assert list(tmp_path.iterdir()) == []


def test_summary_counts_match_the_file(demo, db):
    _, summary, _ = demo
    assert summary.tickets == TICKETS == db.execute("SELECT count(*) FROM tickets").fetchone()[0]
    assert summary.open_tickets == db.execute("SELECT count(*) FROM tickets WHERE status != 'solved'").fetchone()[0]
    assert summary.messages == db.execute("SELECT count(*) FROM messages").fetchone()[0]
    assert sum(summary.by_state.values()) == summary.open_tickets == sum(summary.by_tier.values())
    assert sum(summary.by_channel.values()) == TICKETS
    assert summary.seconds > 0
    lines = summary.lines()
    assert lines and all(isinstance(line, str) and line for line in lines)


def test_every_channel_present_amazon_about_half(db):
    counts = dict(db.execute("SELECT channel, count(*) FROM tickets GROUP BY channel"))
    assert set(counts) == set(CHANNELS)
    assert 0.35 < counts["amazon"] / TICKETS < 0.65


def test_about_sixty_percent_solved_with_replies(db):
    solved = db.execute("SELECT count(*) FROM tickets WHERE status = 'solved'").fetchone()[0]
    assert 0.5 < solved / TICKETS < 0.7
    assert db.execute("SELECT count(*) FROM tickets WHERE status = 'solved' AND solved_at IS NULL").fetchone()[0] == 0
    unanswered = db.execute(
        "SELECT count(*) FROM tickets t WHERE status = 'solved' AND NOT EXISTS "
        "(SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'out' AND m.auto_ack = 0)"
    ).fetchone()[0]
    assert unanswered == 0


def test_everything_triaged_and_nothing_in_the_future(db):
    assert db.execute("SELECT count(*) FROM tickets WHERE needs_triage = 1 OR tier IS NULL").fetchone()[0] == 0
    latest = max(
        db.execute("SELECT max(sent_at) FROM messages").fetchone()[0],
        db.execute("SELECT max(at) FROM events").fetchone()[0],
        db.execute("SELECT max(created_at) FROM tickets").fetchone()[0],
        db.execute("SELECT max(at) FROM tracking_events").fetchone()[0],
    )
    assert latest <= to_db(NOW)


def test_open_tickets_cover_every_sla_state(demo, db):
    policy_states = {}
    for row in db.execute("SELECT * FROM tickets WHERE status != 'solved'"):
        state = headline_timer(row).state(NOW)
        policy_states[state.key] = policy_states.get(state.key, 0) + 1
    assert set(policy_states) == {state.key for state in sla.SlaState}
    assert policy_states == demo[1].by_state


def test_breaches_by_minutes_and_by_hours_and_next_responses_waiting(db):
    overdue = [
        (NOW - from_db(due)).total_seconds() / 60
        for (due,) in db.execute("SELECT due_at FROM tickets WHERE status = 'open' AND due_at < ?", (to_db(NOW),))
    ]
    assert any(minutes < 60 for minutes in overdue)
    assert any(minutes > 120 for minutes in overdue)
    waiting_again = db.execute(
        "SELECT count(*) FROM tickets WHERE status = 'open' AND first_response_at IS NOT NULL "
        "AND awaiting_reply_since IS NOT NULL AND due_kind = 'next_response'"
    ).fetchone()[0]
    assert waiting_again > 0


def test_five_languages_in_buyer_messages(db):
    bodies = [row[0] for row in db.execute("SELECT body FROM messages WHERE direction = 'in'")]
    words = {
        "en": ("order", "received", "please"),
        "fr": ("commande", "reçu", "colis"),
        "de": ("Bestellung", "Paket", "Artikel"),
        "es": ("pedido", "recibido", "gracias"),
        "it": ("ordine", "ricevuto", "grazie"),
    }
    for language, needles in words.items():
        assert any(any(needle.lower() in body.lower() for needle in needles) for body in bodies), language


def test_order_numbers_look_like_each_channel(db):
    patterns = {
        "amazon": r"[0-9A-Z]{3}-\d{7}-\d{7}",
        "shopify": r"#\d{4,}",
        "ebay": r"\d{2}-\d{5}-\d{5}",
        "walmart": r"\d{13,}",
    }
    for channel, order_number in db.execute("SELECT channel, order_number FROM orders"):
        if channel in patterns:
            assert re.fullmatch(patterns[channel], order_number), (channel, order_number)


def test_amazon_subjects_and_aliases(db):
    subjects = [row[0] for row in db.execute("SELECT subject FROM tickets WHERE channel = 'amazon'")]
    pattern = re.compile(r".+ from Amazon customer .+ \(Order: [0-9A-Z]{3}-\d{7}-\d{7}\)")
    assert sum(bool(pattern.match(subject)) for subject in subjects) > len(subjects) * 0.7
    emails = [row[0] for row in db.execute("SELECT email FROM customers WHERE channel = 'amazon'")]
    assert all(re.fullmatch(r"[0-9a-z]{15}@marketplace\.amazon\.(com|co\.uk|de|fr|es|it)", email) for email in emails)


def test_orders_items_and_tracking_are_plausible(db):
    asins = [row[0] for row in db.execute("SELECT asin FROM order_items WHERE asin IS NOT NULL")]
    assert asins and all(re.fullmatch(r"B0[0-9A-Z]{8}", asin) for asin in asins)
    fulfilment = {row[0] for row in db.execute("SELECT DISTINCT fulfillment FROM orders")}
    assert fulfilment == {"FBA", "FBM", "MCF", "SELF"}
    ups = [row[0] for row in db.execute("SELECT tracking_number FROM orders WHERE carrier = 'UPS'")]
    assert all(re.fullmatch(r"1Z[0-9A-Z]{16}", number) for number in ups)
    per_order = [row[0] for row in db.execute(
        "SELECT count(*) FROM tracking_events e JOIN orders o ON o.id = e.order_id "
        "JOIN tickets t ON t.channel = o.channel AND t.order_number = o.order_number GROUP BY e.order_id"
    )]
    assert per_order and min(per_order) >= 2 and max(per_order) <= 6
    assert db.execute("SELECT count(*) FROM orders WHERE feedback_rating <= 2").fetchone()[0] > 0
    assert db.execute("SELECT count(*) FROM orders WHERE return_status IS NOT NULL").fetchone()[0] > 0


def test_references_hold(db):
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    dangling = db.execute(
        "SELECT count(*) FROM tickets t WHERE order_number IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM orders o WHERE o.channel = t.channel AND o.order_number = t.order_number)"
    ).fetchone()[0]
    assert dangling == 0
    strangers = db.execute(
        "SELECT count(*) FROM tickets WHERE assignee IS NOT NULL AND assignee NOT IN (SELECT name FROM agents)"
    ).fetchone()[0]
    assert strangers == 0


def test_history_for_analytics(db):
    agents = db.execute("SELECT count(*) FROM agents").fetchone()[0]
    assert 5 <= agents <= 8
    kinds = {row[0] for row in db.execute("SELECT DISTINCT kind FROM events")}
    assert {"opened", "claimed", "replied", "noted", "tagged", "solved", "snoozed", "pending"} <= kinds
    outcomes = {row[0] for row in db.execute("SELECT DISTINCT outcome FROM sla_clocks")}
    assert outcomes == {"met", "missed"}
    oldest = from_db(db.execute("SELECT min(stopped_at) FROM sla_clocks").fetchone()[0])
    assert NOW - oldest > timedelta(days=20)
    assert db.execute("SELECT count(*) FROM messages WHERE auto_ack = 1").fetchone()[0] > 0
    assert db.execute("SELECT count(*) FROM messages WHERE direction = 'note'").fetchone()[0] > 0
    tags = {row[0] for row in db.execute("SELECT DISTINCT tag FROM tags")}
    assert {"escalated", "a-to-z risk"} <= tags
    open_count, assigned = db.execute(
        "SELECT count(*), count(assignee) FROM tickets WHERE status != 'solved'"
    ).fetchone()
    assert 0.25 < assigned / open_count < 0.6


def test_claims_and_notices_are_there(db):
    subjects = [row[0] for row in db.execute("SELECT subject FROM tickets")]
    assert any("A-to-z Guarantee Claim for Order" in s or "Claim received on order" in s for s in subjects)
    assert db.execute("SELECT count(*) FROM tickets WHERE category = 'atoz_claim'").fetchone()[0] > 0


def test_hostile_text_is_stored_as_text(db):
    """Markup stays literal text; escape sequences and bidi overrides, written into the file as
    another program would, are cleaned out when deskui triages the rows (store/scrub.py), and
    the words around them are kept."""
    bodies = [row[0] for row in db.execute("SELECT body FROM messages")]
    assert any("[bold red]FREE[/]" in body for body in bodies)
    assert any("Why is this red? red  (the screen just cleared)" in body for body in bodies)
    assert not any("\x1b" in body or "\u202e" in body for body in bodies)
    assert max(len(body) for body in bodies) >= 200_000
    # a fixed few, in open tickets, where the inbox shows them
    hostile = db.execute(
        "SELECT DISTINCT t.status FROM messages m JOIN tickets t ON t.id = m.ticket_id "
        "WHERE m.body LIKE '%[bold red]FREE[/]%' OR m.body LIKE '%Why is this red?%' OR length(m.body) > 100000"
    ).fetchall()
    assert all(row[0] != "solved" for row in hostile)


def test_damaged_spike_on_one_asin_in_the_last_three_days(tmp_path):
    path = tmp_path / "spike.db"
    generate(path, seed=3, tickets=3000, now=NOW)
    conn = sqlite3.connect(path)
    asin = PRODUCTS[SPIKE_PRODUCT].asin

    def damaged(since, until):
        return conn.execute(
            "SELECT count(DISTINCT t.id) FROM tickets t JOIN orders o ON o.channel = t.channel AND o.order_number = t.order_number "
            "JOIN order_items i ON i.order_id = o.id WHERE t.category = 'damaged' AND i.asin = ? "
            "AND t.created_at >= ? AND t.created_at < ?",
            (asin, to_db(since), to_db(until)),
        ).fetchone()[0]

    recent = damaged(NOW - timedelta(days=3), NOW + timedelta(seconds=1))
    before = damaged(NOW - timedelta(days=6), NOW - timedelta(days=3))
    assert recent >= 10 and recent > 4 * max(1, before)


def test_meta_rows_and_a_normal_deskui_file(demo, backend):
    conn = connect(demo[0])
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert meta["dataset"] == "demo"
    assert meta["demo_seed"] == "7"
    assert meta["demo_tickets"] == str(TICKETS)
    assert meta["generated_at"] == to_db(NOW)
    if backend == "sqlite":
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


@pytest.mark.sqlite_only("compares sqlite_master; on PostgreSQL the demo drops nothing (it quiets the triggers)")
def test_schema_triggers_and_indexes_are_back(demo, tmp_path):
    fresh = tmp_path / "fresh.db"
    connect(fresh, create=True).close()

    def objects(path):
        conn = sqlite3.connect(path)
        found = set(conn.execute("SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'index', 'table')"))
        conn.close()
        return {item for item in found if not item[1].startswith("sqlite_stat")}

    assert objects(demo[0]) == objects(fresh)


def test_the_change_feed_is_empty_after_the_demo_and_works_again(demo):
    """The demo's bulk rows write no feed rows (nobody watches a database being built); the
    processes that open it afterwards get the feed."""
    conn = connect(demo[0])
    before = conn.execute("SELECT count(*) FROM changes").fetchone()[0]
    with write(conn):
        conn.execute("UPDATE tickets SET subject = subject || '' WHERE id = 1")
    assert before == 0  # the module's demo: no other test writes to it
    assert conn.execute("SELECT count(*) FROM changes").fetchone()[0] == 1
    conn.close()


def test_progress_reaches_the_total(demo):
    calls = demo[2]
    assert calls
    assert all(total == 2 * TICKETS for _, total in calls)
    done = [d for d, _ in calls]
    assert done == sorted(done)
    assert calls[-1] == (2 * TICKETS, 2 * TICKETS)


def test_existing_file_needs_force(tmp_path):
    path = tmp_path / "desk.db"
    generate(path, seed=1, tickets=20, now=NOW)
    with pytest.raises(DemoExists):
        generate(path, seed=2, tickets=20, now=NOW)
    Path(f"{path}-wal").write_text("stale")  # a leftover of the old file must not survive
    summary = generate(path, seed=2, tickets=30, now=NOW, force=True)
    assert summary.tickets == 30
    conn = sqlite3.connect(path)
    assert dict(conn.execute("SELECT key, value FROM meta"))["demo_seed"] == "2"
    assert conn.execute("SELECT count(*) FROM tickets").fetchone()[0] == 30
    conn.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["desk.db"]


def test_a_failed_build_leaves_the_old_file_alone(tmp_path):
    path = tmp_path / "desk.db"
    generate(path, seed=1, tickets=20, now=NOW)
    before = path.read_bytes()

    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate(path, seed=2, tickets=20, now=NOW, force=True, progress=interrupt)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["desk.db"]


def test_refuses_nonsense(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path / "x.db", tickets=0, now=NOW)
    with pytest.raises(ValueError):
        generate(tmp_path / "x.db", tickets=10, now=NOW.replace(tzinfo=None))


def test_live_feed_writes_untriaged_buyer_messages(db_factory):
    import threading

    from deskui.clock import FixedClock
    from deskui.demo import generate, live_feed
    from deskui.store import connect, write

    from tests.faults import wait_for

    with db_factory() as path:
        generate(path, seed=3, tickets=200, now=NOW, force=True)
        conn = connect(path)
        before = conn.execute("SELECT count(*) FROM messages WHERE direction = 'in'").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM tickets WHERE needs_triage = 1").fetchone()[0] == 0
        stop = threading.Event()
        feed = threading.Thread(target=live_feed, args=(path, FixedClock(NOW), stop), kwargs={"interval": (0.01, 0.02)})
        feed.start()
        try:
            wait_for(lambda: conn.execute("SELECT count(*) FROM messages WHERE direction = 'in'").fetchone()[0] > before + 2,
                     what="the live feed's buyer messages")
        finally:
            stop.set()
            feed.join(timeout=5)
        assert conn.execute("SELECT count(*) FROM tickets WHERE needs_triage = 1").fetchone()[0] > 0
        conn.close()
