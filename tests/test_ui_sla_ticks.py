"""Everything that shows a time left moves with the clock, and a failed background job says so.

The clock is a FixedClock the test advances; each check waits for the screen's 1 s tick to show
the new time (a condition, never a fixed sleep as the assertion).
"""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect
from deskui.store.tickets import add_reply, refresh_tickets, set_status
from deskui.ui.app import DeskApp
from deskui.ui.screens.ticket import TicketScreen
from deskui.ui.widgets.order_panel import OrderPanel
from tests.conftest import NOW
from tests.helpers import add_ticket
from tests.inbox_data import build

pytestmark = pytest.mark.backends

UTC = timezone.utc


async def wait_for(pilot, condition, timeout=10.0):
    """Let the app run until ``condition()`` holds (the tick is once a second)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("the screen never showed it")
        await pilot.pause(0.05)


async def open_ticket(pilot, ticket_id):
    pilot.app.push_screen(TicketScreen(ticket_id))
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def deadline_line(app, label="internal") -> str:
    text = app.screen.query_one(OrderPanel).plain
    return next(line for line in text.splitlines() if line.startswith(label))


def status_text(app) -> str:
    return str(app.screen.query_one("#status").render())


async def test_the_inbox_panel_counts_down_with_the_rows_and_turns_breached(db_target):
    path = db_target
    ids = build(path, NOW)
    clock = FixedClock(NOW)
    app = DeskApp(path, policy=default_policy(), clock=clock, agent="ana")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.press("j")  # the imminent ticket: 10:00 left
        await wait_for(pilot, lambda: app.screen.query_one("TicketList").highlighted_id == ids["imminent"])
        await wait_for(pilot, lambda: "10:00" in deadline_line(app))
        for shown in ("09:59", "09:58"):
            clock.advance(seconds=1)
            await wait_for(pilot, lambda: shown in deadline_line(app))
            assert "imminent" in deadline_line(app)
        clock.advance(minutes=10)
        await wait_for(pilot, lambda: "-00:02" in deadline_line(app))
        assert "breached" in deadline_line(app)


async def test_the_ticket_header_and_panel_tick_and_a_late_reply_shows_missed(db_target):
    path = db_target
    policy = default_policy()
    conn = connect(path, create=True)
    written = NOW - timedelta(minutes=118)  # high: 2 minutes left
    ticket_id = add_ticket(conn, subject="the parcel arrived damaged", body="damaged", sent_at=written)
    refresh_tickets(conn, policy, written)
    clock = FixedClock(NOW)
    app = DeskApp(path, policy=policy, clock=clock, agent="ana")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await open_ticket(pilot, ticket_id)
        await wait_for(pilot, lambda: "02:00" in status_text(app))
        assert "imminent" in status_text(app) and "02:00" in deadline_line(app)
        clock.advance(seconds=1)
        await wait_for(pilot, lambda: "01:59" in status_text(app) and "01:59" in deadline_line(app))
        clock.advance(minutes=3)
        await wait_for(pilot, lambda: "-01:01" in status_text(app))
        assert "breached" in status_text(app) and "breached" in deadline_line(app)
        add_reply(conn, policy, clock, ticket_id, "ana", "Sorry, a replacement is on its way.")  # 61 s late
        await wait_for(pilot, lambda: "missed" in status_text(app))
        assert "✓ met" not in status_text(app)
        assert "late by 1 min" in deadline_line(app)
    conn.close()


async def test_a_paused_breached_ticket_shows_its_frozen_time_left(db_target):
    path = db_target
    policy = default_policy()
    conn = connect(path, create=True)
    written = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    ticket_id = add_ticket(conn, subject="the parcel arrived damaged", body="damaged", sent_at=written)
    refresh_tickets(conn, policy, written)
    set_status(conn, policy, FixedClock(datetime(2026, 11, 25, 11, 0, tzinfo=UTC)), ticket_id, "pending", "ana")
    clock = FixedClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    app = DeskApp(path, policy=policy, clock=clock, agent="ana")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await open_ticket(pilot, ticket_id)
        await wait_for(pilot, lambda: "breached" in status_text(app))
        assert "-1h00m" in status_text(app)  # breached an hour before the pause, frozen there
        assert "paused, 1h00m past due" in deadline_line(app)
        clock.advance(hours=1)
        app.screen._show_status()  # the once-a-second tick, run now
        await pilot.pause()
        assert "-1h00m" in status_text(app) and "paused, 1h00m past due" in deadline_line(app)
    conn.close()


async def test_a_board_whose_read_fails_says_so_and_reads_again(db_target, monkeypatch):
    from deskui.store.live_board import LiveBoard

    path = db_target
    build(path, NOW)
    real_load, calls = LiveBoard.load, []

    def failing_once(self, conn, now, day_start):
        calls.append(now)
        if len(calls) == 1:
            raise OSError("the disk went away")
        return real_load(self, conn, now, day_start)

    monkeypatch.setattr(LiveBoard, "load", failing_once)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="lead", start="board")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: app.screen._loaded)
        await wait_for(pilot, lambda: "failed" not in str(app.screen.query_one("#title").render()))
        assert len(calls) == 2
        assert "critical" in str(app.screen.query_one("#matrix").render())
        assert any("reading the board failed: the disk went away" in str(note.message) for note in app._notifications)


async def test_a_failed_state_count_shows_on_the_inbox_status_line_and_recovers(db_target, monkeypatch):
    import deskui.ui.screens.inbox as inbox

    path = db_target
    build(path, NOW)
    real, calls = inbox.state_counts, []

    def failing_twice(conn, policy, now):
        calls.append(now)
        if len(calls) <= 2:
            raise RuntimeError("database disk image is malformed")
        return real(conn, policy, now)

    monkeypatch.setattr(inbox, "state_counts", failing_twice)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    async with app.run_test(size=(160, 45)) as pilot:
        bar = lambda: str(app.screen.query_one("#status").render())  # noqa: E731
        await wait_for(pilot, lambda: "counting SLA states failed: database disk image is malformed" in bar())
        await wait_for(pilot, lambda: len(calls) >= 3 and "failed" not in bar())
        assert "breached" in bar()


async def test_the_board_cards_count_down_every_second(db_target):
    from textual.widgets import Digits

    path = db_target
    build(path, NOW)
    clock = FixedClock(NOW)
    app = DeskApp(path, policy=default_policy(), clock=clock, agent="lead", start="board")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: app.screen._loaded)

        def first_card() -> str:
            return str(app.screen.query(Digits).first().value)

        await wait_for(pilot, lambda: first_card() == "10:00")  # the imminent ticket: 10 minutes left
        clock.advance(seconds=1)
        await wait_for(pilot, lambda: first_card() == "09:59")
        clock.advance(seconds=1)
        await wait_for(pilot, lambda: first_card() == "09:58")


async def test_the_tick_repaints_only_the_rows_whose_countdown_moved(db_target):
    from deskui.ui.widgets.ticket_list import TicketList

    path = db_target
    build(path, NOW)
    clock = FixedClock(NOW)
    app = DeskApp(path, policy=default_policy(), clock=clock, agent="ana")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        ticket_list = app.screen.query_one(TicketList)
        repainted = []
        real = ticket_list.refresh_line
        ticket_list.refresh_line = lambda y: (repainted.append(y), real(y))[1]
        clock.advance(seconds=1)
        ticket_list.tick()
        # the rows counting in mm:ss moved; those in hours (or with no clock) did not
        assert repainted and set(repainted) <= set(range(1, ticket_list.count + 1))
        assert len(repainted) < ticket_list.count
        for _ in range(100):  # once the moved rows are repainted, a tick with the clock still finds nothing
            await pilot.pause(0.02)
            repainted.clear()
            ticket_list.tick()
            if not repainted:
                break
        assert repainted == []
