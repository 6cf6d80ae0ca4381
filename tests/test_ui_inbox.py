"""The inbox as an agent meets it: keys, filters, the panel, live updates from another process."""

from datetime import timedelta

import pytest

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect, write
from deskui.timeutil import to_db
from deskui.ui.app import DeskApp
from deskui.ui.screens.inbox import InboxScreen
from deskui.ui.widgets.order_panel import OrderPanel
from deskui.ui.widgets.ticket_list import TicketList
from tests.conftest import NOW
from tests.inbox_data import build
from tests.helpers import settle

pytestmark = pytest.mark.backends


@pytest.fixture
def inbox_db(db_target):
    return db_target, build(db_target, NOW)


def make_app(path, agent="ana", clock=None):
    return DeskApp(path, policy=default_policy(), clock=clock or FixedClock(NOW), agent=agent)


def lines(app) -> list[str]:
    ticket_list = app.screen.query_one(TicketList)
    return [ticket_list.render_line(y).text for y in range(ticket_list.scrollable_content_region.height)]


def panel_text(app) -> str:
    return app.screen.query_one(OrderPanel).plain


async def test_rows_are_sorted_by_risk_with_countdowns(inbox_db):
    path, ids = inbox_db
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        shown = lines(app)
        assert shown[0].split()[0] == "DUE"
        assert "-15:00" in shown[1] and "breached" in shown[1] and "A-to-z" in shown[1]
        assert "imminent" in shown[2] and "10:00" in shown[2]
        ticket_list = app.screen.query_one(TicketList)
        assert ticket_list.count == 9
        assert ticket_list.highlighted_id == ids["breached"]


async def test_panel_shows_order_context_and_why(inbox_db):
    path, ids = inbox_db
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        text = panel_text(app)
        for expected in ("171-5550123-1234567", "LAMP-BRS-01", "B0C1234567", "FBM", "Colissimo", "6A12345678901",
                         "LATE", "exception", "Claire Dubois", "A-to-z claim", "1 A-to-z claim(s)", "marketplace"):
            assert expected in text, expected


async def test_moving_the_cursor_fills_the_panel(inbox_db):
    path, ids = inbox_db
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        assert app.screen.query_one(TicketList).highlighted_id == ids["imminent"]
        assert "damaged" in panel_text(app)
        await pilot.press("G")
        assert app.screen.query_one(TicketList).cursor == 8
        await pilot.press("g")
        assert app.screen.query_one(TicketList).cursor == 0
        await pilot.press("down", "down", "up")
        assert app.screen.query_one(TicketList).cursor == 1


async def test_a_ticket_without_order_says_so(inbox_db):
    path, ids = inbox_db
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        ticket_list = app.screen.query_one(TicketList)
        ticket_list.cursor = ticket_list.query_view.position_of(ids["no_order"])
        await pilot.pause()
        assert "is not in the database" in panel_text(app)
        ticket_list.cursor = ticket_list.query_view.position_of(ids["on_track"])
        await pilot.pause()
        assert "No order linked" in panel_text(app)


async def test_hostile_text_is_shown_as_text(inbox_db):
    path, ids = inbox_db
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        row = next(line for line in lines(app) if "FREE" in line)
        assert "[bold red]FREE[/]" in row and "\x1b" not in row and "\u202e" not in row and "money" in row
        ticket_list = app.screen.query_one(TicketList)
        ticket_list.cursor = ticket_list.query_view.position_of(ids["hostile"])
        await pilot.pause()
        assert "[bold red]Evil[/]" in panel_text(app)


@pytest.mark.parametrize(
    ("keys", "expected_count"),
    [(["m"], 1), (["u"], 7), (["b"], 2), (["t"], 1), (["t", "t"], 1), (["c"], 3), (["m", "m"], 9), (["b", "escape"], 9)],
)
async def test_filters(inbox_db, keys, expected_count):
    path, _ = inbox_db
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press(*keys)
        await pilot.pause()
        assert app.screen.query_one(TicketList).count == expected_count
        assert f"{expected_count} ticket(s)" in str(app.screen.query_one("#view").render())


async def test_search_over_subject_customer_order_and_body(inbox_db):
    path, ids = inbox_db
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        for query, expected in (("crushed", ids["imminent"]), ("Ben Carter", ids["at_risk"]), ("#1042", ids["at_risk"]), ("compatible", ids["paused"])):
            await pilot.press("slash")
            search = app.screen.query_one("#search")
            search.value = query
            await pilot.press("enter")
            await pilot.pause()
            ticket_list = app.screen.query_one(TicketList)
            assert ticket_list.count == 1, query
            assert ticket_list.highlighted_id == expected
        await pilot.press("escape")
        assert app.screen.query_one(TicketList).count == 9


async def test_sort_cycles(inbox_db):
    path, ids = inbox_db
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        assert "next breach" in str(app.screen.query_one("#view").render())
        await pilot.press("o")
        assert "oldest" in str(app.screen.query_one("#view").render())


async def test_next_ticket_jumps_to_most_urgent_unassigned(inbox_db):
    path, ids = inbox_db
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert app.screen.query_one(TicketList).highlighted_id == ids["imminent"]


async def test_claim_and_claim_taken_by_someone_else(inbox_db):
    path, ids = inbox_db
    app = make_app(path, agent="zoe")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("a")  # the breached ticket belongs to ana
        await pilot.pause()
        assert any("ana" in str(n.message) for n in app._notifications)
        await pilot.press("j", "a")
        await pilot.pause()
        conn = connect(path)
        assert conn.execute("SELECT assignee FROM tickets WHERE id = ?", (ids["imminent"],)).fetchone()[0] == "zoe"


async def test_another_process_write_shows_within_a_second_and_cursor_follows(inbox_db):
    path, ids = inbox_db
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        assert app.screen.query_one(TicketList).highlighted_id == ids["imminent"]
        other = connect(path)
        with write(other):
            new_id = other.execute("INSERT INTO tickets (channel, subject, created_at) VALUES ('amazon', 'A-to-z claim incoming', ?)",
                                   (to_db(NOW - timedelta(minutes=50)),)).lastrowid
            other.execute("INSERT INTO messages (ticket_id, direction, body, sent_at) VALUES (?, 'in', 'I will file an A-to-z claim', ?)",
                          (new_id, to_db(NOW - timedelta(minutes=50))))
        await pilot.pause(1.0)
        await settle(pilot)
        await pilot.pause(0.5)
        ticket_list = app.screen.query_one(TicketList)
        assert ticket_list.count == 10
        assert ticket_list.highlighted_id == ids["imminent"]  # the same ticket, now one row lower
        assert ticket_list.cursor == 2
        assert any("A-to-z claim incoming" in line for line in lines(app))


async def test_open_ticket_and_back(inbox_db):
    path, ids = inbox_db
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "TicketScreen"
        assert "réclamation garantie A à Z" in str(app.screen.query_one("#messages").render())
        await pilot.press("escape")
        assert isinstance(app.screen, InboxScreen)


async def test_help_lists_keys(inbox_db):
    path, _ = inbox_db
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        assert isinstance(app.screen, InboxScreen)


async def test_remapped_keys_work(inbox_db):
    path, ids = inbox_db
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana", keys={"list.down": "ctrl+n"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        assert app.screen.query_one(TicketList).highlighted_id == ids["imminent"]


async def test_countdown_ticks_without_requerying(inbox_db):
    path, _ = inbox_db
    clock = FixedClock(NOW)
    app = make_app(path, clock=clock)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert "-15:00" in lines(app)[1]
        clock.advance(seconds=61)
        await pilot.pause(1.1)
        assert "-16:01" in lines(app)[1]


async def test_narrow_terminal_keeps_the_essentials(inbox_db):
    path, _ = inbox_db
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.has_class("narrow")
        first = lines(app)[1]
        assert "-15:00" in first and "✗" in first and "CRIT" in first


async def test_presence_of_another_agent_shows_on_the_row(inbox_db):
    from deskui.store.workspace import heartbeat

    path, ids = inbox_db
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        heartbeat(connect(path), FixedClock(NOW), ids["imminent"], "ben", "replying")
        await pilot.pause(0.6)
        assert "✎ben" in lines(app)[2]


async def test_command_palette_runs_screen_actions(inbox_db):
    path, _ = inbox_db
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        for key in "Breached":
            await pilot.press(key)
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.screen.query_one(TicketList).count == 2


async def test_a_long_write_lock_elsewhere_is_a_notice_not_a_crash(inbox_db, monkeypatch):
    monkeypatch.setenv("DESKUI_BUSY_TIMEOUT_MS", "200")
    path, ids = inbox_db
    app = make_app(path, agent="zoe")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        importer = connect(path)
        importer.execute("BEGIN IMMEDIATE")  # a huge import holding the write lock
        await pilot.press("j", "a")
        await pilot.pause()
        assert app.is_running
        assert any("busy" in str(n.message).lower() for n in app._notifications)
        importer.execute("ROLLBACK")
        await pilot.press("a")
        await pilot.pause()
        assert connect(path).execute("SELECT assignee FROM tickets WHERE id = ?", (ids["imminent"],)).fetchone()[0] == "zoe"


async def test_esc_after_a_search_puts_the_list_back_as_it_was_without_reading_it_again(inbox_db):
    from deskui.store import search as store_search
    from tests.helpers import pilot_wait_for

    path, ids = inbox_db
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot_wait_for(pilot, lambda: store_search.pending(app.store.conn) == 0, what="the search index built")
        await pilot.press("j", "j", "j")
        ticket_list = app.screen.query_one(TicketList)
        before, highlighted = app.screen.query_view, ticket_list.highlighted_id
        await pilot.press("slash")
        app.screen.query_one("#search").value = "crushed"
        await pilot.press("enter")
        await pilot_wait_for(pilot, lambda: ticket_list.count == 1, what="the search's one ticket")
        assert ticket_list.highlighted_id == ids["imminent"]
        await pilot.press("escape")
        await pilot_wait_for(pilot, lambda: ticket_list.count == 9, what="the whole list again")
        assert app.screen.query_view is before  # the kept view, its pages and count: nothing re-read
        assert ticket_list.cursor == 3 and ticket_list.highlighted_id == highlighted
        assert "all open tickets" in str(app.screen.query_one("#view").render())
