"""The lead's board: live counts, big timers, pause, and the look at two sizes."""

from datetime import timedelta

import pytest

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect, write
from deskui.timeutil import to_db
from deskui.ui.app import DeskApp
from deskui.ui.screens.board import BoardScreen
from tests.conftest import NOW
from tests.helpers import settle
from tests.inbox_data import build


pytestmark = pytest.mark.backends


@pytest.fixture
def board_path(db_target):
    build(db_target, NOW)
    return db_target


def board_app(path):
    return DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="lead", start="board")


def text_of(app, selector):
    return str(app.screen.query_one(selector).render())


async def test_board_shows_matrix_cards_agents_and_forecast(board_path):
    app = board_app(board_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        matrix = text_of(app, "#matrix")
        assert "critical" in matrix and "breaches so far today: 1" in matrix
        assert "ana" in text_of(app, "#agents") and "ben" in text_of(app, "#agents")
        assert "next 15 min" in text_of(app, "#forecast")
        cards = list(app.screen.query("BreachCard"))
        assert cards[0].has_class("imminent")  # the breached ticket is counted above, not "next"


async def test_board_follows_another_process_and_pauses(board_path):
    app = board_app(board_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        other = connect(board_path)

        def add_claim():
            with write(other):
                ticket = other.execute("INSERT INTO tickets (channel, subject, created_at) VALUES ('amazon', 'A-to-z claim', ?)",
                                       (to_db(NOW - timedelta(minutes=90)),)).lastrowid
                other.execute("INSERT INTO messages (ticket_id, direction, body, sent_at) VALUES (?, 'in', 'A-to-z', ?)",
                              (ticket, to_db(NOW - timedelta(minutes=90))))
            from deskui.store.tickets import refresh_tickets
            refresh_tickets(other, default_policy(), NOW)

        add_claim()
        await pilot.pause(0.6)
        await settle(pilot)
        assert "breaches so far today: 2" in text_of(app, "#matrix")
        await pilot.press("p")
        assert "PAUSED" in text_of(app, "#title")
        add_claim()
        await pilot.pause(0.6)
        await settle(pilot)
        assert "breaches so far today: 2" in text_of(app, "#matrix")  # paused: no re-read
        await pilot.press("p")
        await pilot.pause(0.3)
        await settle(pilot)
        assert "breaches so far today: 3" in text_of(app, "#matrix")


async def test_inbox_opens_the_board_and_back(board_path):
    app = DeskApp(board_path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("B")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, BoardScreen)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_board_snapshot(snap_compare, tmp_path, size):
    # The look is the screen's, not the backend's: one snapshot per size, of an SQLite file
    # (parametrised over backends its name would change and miss the stored snapshot).
    path = tmp_path / "board.db"
    build(path, NOW)
    assert snap_compare(board_app(path), terminal_size=size, run_before=settle)


async def test_a_wall_screen_shows_more_countdowns_and_the_whole_team(board_path):
    app = board_app(board_path)
    async with app.run_test(size=(320, 90)) as pilot:
        await settle(pilot)
        shown = [card for card in app.screen.query("BreachCard") if card.display]
        assert len(shown) == 8
        assert "claimed" in text_of(app, "#agents") and "more" not in text_of(app, "#agents")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert len([card for card in app.screen.query("BreachCard") if card.display]) == 2


async def test_a_failed_re_read_is_tried_again(board_path, monkeypatch):
    import sqlite3

    from deskui.store.live_board import LiveBoard

    real_apply, failures = LiveBoard.apply, []

    def flaky_apply(self, conn, ticket_ids):
        if not failures:
            failures.append(set(ticket_ids))
            raise sqlite3.OperationalError("disk I/O error")
        return real_apply(self, conn, ticket_ids)

    monkeypatch.setattr(LiveBoard, "apply", flaky_apply)
    app = board_app(board_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        other = connect(board_path)
        with write(other):
            ticket = other.execute("SELECT id FROM tickets WHERE status = 'open' AND assignee IS NULL LIMIT 1").fetchone()[0]
            other.execute("UPDATE tickets SET assignee = 'zoe' WHERE id = ?", (ticket,))
        for _ in range(4):
            await pilot.pause(0.3)
            await settle(pilot)
        assert failures == [{ticket}]
        assert "zoe" in text_of(app, "#agents")


async def test_on_a_small_terminal_the_keys_scroll_to_the_agents(board_path):
    app = board_app(board_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = app.screen.query_one("#grid")
        assert grid.scroll_y == 0 and grid.max_scroll_y > 0
        await pilot.press("end")
        assert grid.scroll_y == grid.max_scroll_y
        await pilot.press("home")
        assert grid.scroll_y == 0
        await pilot.press("down")
        assert grid.scroll_y == 1


WRITER = r"""
import sys
from datetime import datetime, timedelta, timezone
from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect
from deskui.store.tickets import claim, refresh_tickets, set_status
from tests.helpers import add_ticket

path, now = sys.argv[1], datetime.fromisoformat(sys.argv[2])
conn, policy, clock = connect(path), default_policy(), FixedClock(now)
for number in range(30):  # one short transaction each, as agents and importers write
    ticket = add_ticket(conn, subject="A-to-z claim" if number % 3 == 0 else "item arrived damaged", body="",
                        sent_at=now - timedelta(minutes=10 + 4 * number))
    refresh_tickets(conn, policy, now)
    claim(conn, clock, ticket, ("ana", "ben", "zoe")[number % 3], force=True)
    if number % 5 == 0:
        set_status(conn, policy, clock, ticket, "pending", None)
"""


async def test_a_second_process_writing_leaves_the_board_equal_to_a_full_recount(board_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.helpers import full_board

    root = Path(__file__).resolve().parents[1]
    app = board_app(board_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(board_path), NOW.isoformat()], cwd=root,
                                  env={**os.environ, "PYTHONPATH": str(root)})
        while writer.poll() is None:  # the board keeps applying while the other process writes
            await pilot.pause(0.1)
        assert writer.returncode == 0
        for _ in range(4):
            await pilot.pause(0.3)
            await settle(pilot)
        screen = app.screen
        conn = connect(board_path)
        expected = full_board(conn, default_policy(), NOW, screen.live.day_start, dict(screen._handle))
        assert screen.data.matrix == expected.matrix
        assert screen.data.agents == expected.agents
        assert screen.data.breaches_today == expected.breaches_today
        assert screen.live.rows_read < 2 * 100  # the tickets read once at start, then only the changed ones


async def test_the_demo_runs_example_alert_rules_that_fire_on_the_board(tmp_path):
    from deskui.demo import demo_alert_rules, generate

    path = tmp_path / "demo.db"
    generate(path, seed=7, tickets=1500, now=NOW, force=True)
    rules = demo_alert_rules(default_policy())
    assert [rule.name for rule in rules] == ["FRT above 8 h", "A critical ticket with under 15 min left",
                                           "Amazon category spike", "High tier under 90 % this week"]
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="lead", start="board", alert_rules=rules)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.pause(1.1)  # the next tick redraws the panel with what the alerts worker found
        alerts = text_of(app, "#alerts")
        assert "⚠" in alerts and "Amazon category spike" in alerts


async def _until(pilot, condition, what):
    """Let the app run until ``condition()`` holds (a worker thread is behind it)."""
    for _ in range(5_000):
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"never saw {what}")


async def test_the_frame_paints_before_the_tickets_are_read_and_the_counts_before_the_handle_times(board_path, monkeypatch):
    import threading

    import deskui.analytics.board as analytics_board
    from deskui.store.live_board import LiveBoard

    import deskui.store.live_board as live_board

    reading, read_gate, measure_gate = threading.Event(), threading.Event(), threading.Event()
    looking, look_gate = threading.Event(), threading.Event()
    real_load, real_handle, real_look = LiveBoard.load, analytics_board.handle_minutes, live_board.first_look

    def held_look(*args, **kwargs):
        looking.set()
        look_gate.wait(30)
        return real_look(*args, **kwargs)

    reading_done = threading.Event()

    def held_load(self, *args):
        reading.set()
        read_gate.wait(30)
        try:
            return real_load(self, *args)
        finally:
            reading_done.set()

    def held_handle(*args):
        measure_gate.wait(30)
        return real_handle(*args)

    monkeypatch.setattr(LiveBoard, "load", held_load)
    monkeypatch.setattr(analytics_board, "handle_minutes", held_handle)
    monkeypatch.setattr(live_board, "first_look", held_look)
    app = board_app(board_path)
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await _until(pilot, looking.is_set, "the first look start")
            await pilot.pause()
            assert "OPEN TICKETS BY TIER" in text_of(app, "#matrix") and "AGENTS" in text_of(app, "#agents")
            for panel in ("#matrix", "#forecast", "#agents", "#alerts"):
                assert "reading the open tickets…" in text_of(app, panel)
            look_gate.set()
            # The first look's counts (SQL) are on screen while every open ticket is read.
            await _until(pilot, reading.is_set, "the read start")
            await _until(pilot, lambda: "breaches so far today: 1" in text_of(app, "#matrix"), "the first look's counts")
            assert "ana" in text_of(app, "#agents")
            assert "counts at" in text_of(app, "#title") and "reading the open tickets…" in text_of(app, "#title")
            # Another process's write while every ticket is read: the look is taken again.
            other = connect(board_path)
            with write(other):
                ticket = other.execute("SELECT id FROM tickets WHERE status = 'open' AND assignee IS NULL LIMIT 1").fetchone()[0]
                other.execute("UPDATE tickets SET assignee = 'zoe' WHERE id = ?", (ticket,))
            other.close()
            await _until(pilot, lambda: "zoe" in text_of(app, "#agents"), "the write in the look taken again")
            assert not reading_done.is_set()
            read_gate.set()
            await _until(pilot, lambda: "reading" not in text_of(app, "#title"), "the live board")
            # ...and the live board applied it too (it had waited for the read).
            assert "breaches so far today: 1" in text_of(app, "#matrix") and "ana" in text_of(app, "#agents")
            await _until(pilot, lambda: "zoe" in text_of(app, "#agents"), "the write on the live board")
            assert "measuring handle times…" in text_of(app, "#forecast")
            assert "measuring category spikes…" in text_of(app, "#alerts")
            measure_gate.set()
            await settle(pilot)
            await _until(pilot, lambda: "next 15 min" in text_of(app, "#forecast"), "the forecast")
            assert "measuring" not in text_of(app, "#alerts")
    finally:
        look_gate.set()
        read_gate.set()
        measure_gate.set()
