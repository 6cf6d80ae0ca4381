"""Screen defects a new user hit working the queue (issue "Work the queue at speed")."""

from datetime import timedelta

import pytest
from rich.cells import cell_len

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect, write
from deskui.store.tickets import refresh_tickets
from deskui.timeutil import to_db
from deskui.ui.app import DeskApp
from deskui.ui.widgets.ticket_list import TicketList
from tests.conftest import NOW
from tests.inbox_data import build
from tests.helpers import pilot_wait_for, settle

pytestmark = pytest.mark.backends

WIDE_SUBJECT = "我的包裹在哪里？订单还没有到，已经等了两个星期了，请尽快回复我"
EMOJI_NAME = "Zoë 🌸🌸 Müller"


def add_wide_rows(path):
    conn = connect(path)
    with write(conn):
        conn.execute("INSERT INTO customers (id, channel, external_id, name) VALUES (9, 'amazon', 'A9', ?)", (EMOJI_NAME,))
        for minutes, subject in ((40, WIDE_SUBJECT), (50, "📦📦📦 where is it 📦📦📦")):
            ticket_id = conn.execute(
                "INSERT INTO tickets (channel, subject, created_at, customer_id) VALUES ('amazon', ?, ?, 9)",
                (subject, to_db(NOW - timedelta(minutes=minutes)))).lastrowid
            conn.execute("INSERT INTO messages (ticket_id, direction, author, body, sent_at) VALUES (?, 'in', 'buyer', ?, ?)",
                         (ticket_id, subject, to_db(NOW - timedelta(minutes=minutes))))
    refresh_tickets(conn, default_policy(), NOW)
    conn.close()


def make_app(path):
    return DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")


def lines(app) -> list[str]:
    ticket_list = app.screen.query_one(TicketList)
    return [ticket_list.render_line(y).text for y in range(ticket_list.scrollable_content_region.height)]


def age_column(line: str, header: str) -> str:
    """The text under the AGE title, found by cells (a wide character takes two)."""
    start = header.rindex("AGE")
    cells = 0
    out = ""
    for char in line:
        width = cell_len(char)
        if cells >= start:
            out += char
        cells += width
    return out.strip()


async def test_wide_characters_do_not_shift_the_columns(db_target):
    path = db_target
    build(path, NOW)
    add_wide_rows(path)
    for size in ((160, 45), (200, 50), (80, 24)):
        async with make_app(path).run_test(size=size) as pilot:
            await settle(pilot)
            ticket_list = pilot.app.screen.query_one(TicketList)
            width = ticket_list.scrollable_content_region.width
            shown = [line for line in lines(pilot.app) if line.strip()]
            header, rows = shown[0], shown[1:]
            assert all(cell_len(line) == width for line in rows), size
            wide = next(line for line in rows if WIDE_SUBJECT[:4] in line)
            assert "…" in wide and WIDE_SUBJECT not in wide  # cut, and says so
            ages = {age_column(line, header) for line in rows if WIDE_SUBJECT[:4] in line or "📦" in line}
            assert ages <= {"40m", "50m"} and ages, (size, ages)  # AGE stays in its column


async def test_columns_follow_the_width_after_a_search_and_escape(db_target):
    path = db_target
    build(path, NOW)
    async with make_app(path).run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        for key in ("slash", "r", "e", "f", "enter", "escape"):
            await pilot.press(key)
            await settle(pilot)
        header = lines(pilot.app)[0]
        ticket_list = pilot.app.screen.query_one(TicketList)
        assert cell_len(header) == ticket_list.scrollable_content_region.width
        assert header.rstrip().endswith("AGE")  # the last title whole, never "AG"


async def test_a_new_sort_or_filter_starts_at_the_top(db_target):
    path = db_target
    ids = build(path, NOW)
    async with make_app(path).run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        for _ in range(4):
            await pilot.press("j")
        ticket_list = pilot.app.screen.query_one(TicketList)
        assert ticket_list.cursor == 4
        for _ in range(2):  # risk -> next breach -> oldest first
            await pilot.press("o")
            await settle(pilot)
        assert ticket_list.cursor == 0
        oldest = connect(path).execute(
            "SELECT id FROM tickets WHERE status != 'solved' ORDER BY created_at, id LIMIT 1").fetchone()[0]
        assert ticket_list.highlighted_id == oldest
        await pilot.press("j", "j", "u")  # unassigned only
        await settle(pilot)
        assert ticket_list.cursor == 0
        assert "▶" in lines(pilot.app)[1]  # the cursor row is marked, not only coloured
        assert ids


async def test_a_live_change_keeps_the_cursor_on_its_ticket(db_target):
    path = db_target
    ids = build(path, NOW)
    async with make_app(path).run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j")
        ticket_list = pilot.app.screen.query_one(TicketList)
        held = ticket_list.highlighted_id
        other = connect(path)
        with write(other):  # a new critical ticket lands above the cursor
            ticket_id = other.execute("INSERT INTO tickets (channel, subject, created_at) VALUES ('amazon', 'A-to-z claim', ?)",
                                      (to_db(NOW),)).lastrowid
            other.execute("INSERT INTO messages (ticket_id, direction, author, body, sent_at) VALUES (?, 'in', 'b', 'A-to-z', ?)",
                          (ticket_id, to_db(NOW)))
        for _ in range(40):
            await pilot.pause(0.1)
            await settle(pilot)
            if ticket_list.count == len(ids) + 1:
                break
        assert ticket_list.highlighted_id == held and ticket_list.cursor == 4


async def test_a_standalone_board_leaves_only_on_q(db_target):
    path = db_target
    build(path, NOW)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="lead", start="board")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and app.screen.__class__.__name__ == "BoardScreen"
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_an_alert_toasts_once_when_it_starts_firing_then_stays_on_the_status_line(db_target):
    path = db_target
    build(path, NOW)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app._show_alerts([("FRT above 8 h", "FRT above 8 h: 8.4 h (median of 12 first responses)")])
        app._show_alerts([("FRT above 8 h", "FRT above 8 h: 8.6 h (median of 13 first responses)")])
        await pilot.pause()
        assert sum("FRT above 8 h" in str(note.message) for note in app._notifications) == 1
        app.screen._tick()
        await pilot.pause()
        assert "⚠ 1 alert" in str(app.screen.query_one("#status").render())
        app._show_alerts([])
        app._show_alerts([("FRT above 8 h", "FRT above 8 h: 9.0 h (median of 14 first responses)")])
        await pilot.pause()
        assert sum("FRT above 8 h" in str(note.message) for note in app._notifications) == 2  # it fired anew


def test_the_health_screen_names_each_late_shipment_window_and_each_slow_category_once():
    from deskui.ui.screens.health import HealthScreen

    account = {"basis": "", "a": {"name": "Late Shipment Rate", "rate": 1.0, "ok": True, "comparison": "<", "threshold": 4,
                                  "numerator": 1, "denominator": 100, "window": {"days": 30}},
               "b": {"name": "Late Shipment Rate", "rate": 2.0, "ok": True, "comparison": "<", "threshold": 4,
                     "numerator": 2, "denominator": 100, "window": {"days": 10}}}
    shown = HealthScreen._account_text(account).plain
    assert "Late Shipment Rate, 30 days" in shown and "Late Shipment Rate, 10 days" in shown
    drill = {"by_channel": [], "by_product": [], "by_agent": [
        {"agent": "noah", "frt": {"median": 90}, "aht": {"median": 30}, "attainment": {"pct": 80},
         "slow_on": [{"category": "missing_item", "metric": "frt"}, {"category": "missing_item", "metric": "aht"}]}]}
    line = next(line for line in HealthScreen._drilldown_text(drill).plain.splitlines() if "slow on" in line)
    assert line.count("missing item") == 1 and "first response and handle time" in line


def test_ago_keeps_the_minutes_of_the_first_hours():
    from deskui.ui.screens.ticket import ago

    assert ago(NOW, NOW - timedelta(hours=1, minutes=59)) == "1 h 59 min ago"
    assert ago(NOW, NOW - timedelta(hours=3)) == "3 h ago"
    assert ago(NOW, NOW - timedelta(hours=30)) == "30 h ago"


def test_a_message_without_an_author_is_headed_with_the_buyers_name():
    from datetime import timezone

    from deskui.store.thread import ThreadMessage
    from deskui.ui.screens.ticket import render_thread

    message = ThreadMessage(id=1, direction="in", author=None, body="hello", full_length=5, sent_at=NOW,
                            auto_ack=False, delivery=None, delivery_reason=None)
    assert "Zoë Müller" in render_thread([message], NOW, timezone.utc, "Zoë Müller").plain
    assert "(no name)" in render_thread([message], NOW, timezone.utc).plain


async def test_w_takes_a_pending_ticket_back(db_target):
    from deskui.ui.screens.ticket import TicketScreen

    path = db_target
    ids = build(path, NOW)
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(ids["on_track"]))
        await settle(pilot)
        status = lambda: connect(path).execute("SELECT status FROM tickets WHERE id = ?", (ids["on_track"],)).fetchone()[0]  # noqa: E731
        await pilot.press("w")
        await settle(pilot)
        assert status() == "pending"
        await pilot.press("w")
        await settle(pilot)
        assert status() == "open"


async def test_marks_then_one_action_for_all_then_undo(db_target):
    path = db_target
    ids = build(path, NOW)
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        ticket_list = pilot.app.screen.query_one(TicketList)
        first, second = ticket_list.highlighted_id, None
        await pilot.press("space")
        second = ticket_list.highlighted_id
        await pilot.press("space")
        await settle(pilot)
        assert ticket_list.marked == {first, second}
        assert "● 2 marked" in str(pilot.app.screen.query_one("#view").render())
        assert sum("●" in line for line in lines(pilot.app)) == 2
        await pilot.press("plus")
        await settle(pilot)
        await pilot.press(*"vip", "enter")
        await settle(pilot)
        db = connect(path)
        tagged = {row[0] for row in db.execute("SELECT ticket_id FROM tags WHERE tag = 'vip'")}
        assert tagged == {first, second} and not ticket_list.marked
        await pilot.press("z")
        await settle(pilot)
        assert not db.execute("SELECT count(*) FROM tags WHERE tag = 'vip'").fetchone()[0]
        await pilot.press("asterisk")
        await settle(pilot)
        assert len(ticket_list.marked) == ticket_list.count
        await pilot.press("escape")
        await settle(pilot)
        assert not ticket_list.marked
        assert ids


async def test_a_typo_in_an_agent_name_is_caught_and_a_held_ticket_is_taken_only_on_confirmation(db_target):
    from deskui.ui.screens.ticket import TicketScreen

    path = db_target
    ids = build(path, NOW)
    app = make_app(path)  # ana
    holder = lambda: connect(path).execute("SELECT assignee FROM tickets WHERE id = ?", (ids["at_risk"],)).fetchone()[0]  # noqa: E731
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(ids["at_risk"]))  # held by ben
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        prompt = app.screen
        prompt.query_one("Input").value = "bne"  # a typo of ben
        await pilot.press("enter")
        await settle(pilot)
        assert "not an agent here yet" in str(app.screen.query_one("Static").render())
        await pilot.press("n")
        await settle(pilot)
        assert holder() == "ben"  # nobody new appeared
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("Input").value = "ana"
        await pilot.press("enter")
        await settle(pilot)
        assert "Held by ben" in str(app.screen.query_one("Static").render())
        await pilot.press("y")
        await settle(pilot)
        assert holder() == "ana"


async def test_agent_names_complete_and_match_without_accents_or_sharp_s(db_target):
    """The assign prompt folds as the template filter does: "strass" completes Straßer (not only
    "Stra" + case), and the name typed without the ß is that agent, not a new one to confirm."""
    from textual.widgets import Input

    from deskui.ui.screens.dialogs import ConfirmScreen, PromptScreen

    path = db_target
    ids = build(path, NOW)
    conn = connect(path)
    with write(conn):
        conn.execute("UPDATE tickets SET assignee = 'Jörg Straßer' WHERE id = ?", (ids["at_risk"],))
    conn.close()
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        highlighted = app.screen.query_one(TicketList).highlighted_id
        await pilot.press("A")
        prompt = await pilot_wait_for(pilot, lambda: isinstance(app.screen, PromptScreen) and app.screen)
        await pilot.press(*"jorg strass")
        box = prompt.query_one(Input)
        await pilot_wait_for(pilot, lambda: box._suggestion == "jorg strasser", what="the completion")
        await pilot.press("right")  # accepts it
        assert box.value == "jorg strasser"
        await pilot.press("enter")
        await pilot_wait_for(pilot, lambda: not isinstance(app.screen, PromptScreen), what="the prompt closed")
        assert not isinstance(app.screen, ConfirmScreen)  # a known agent: nothing to confirm
        assignee = connect(path).execute("SELECT assignee FROM tickets WHERE id = ?", (highlighted,)).fetchone()[0]
        assert assignee == "Jörg Straßer"


def test_known_agents_complete_from_assignees_and_recent_work(db_target):
    from deskui.store.workspace import known_agents

    path = db_target
    build(path, NOW)
    assert {"ana", "ben"} <= set(known_agents(connect(path), NOW - timedelta(days=30)))


def test_identical_evidence_lines_are_shown_once():
    from deskui.store.context import TicketContext
    from deskui.ui.widgets.order_panel import render_why

    ticket = {"tier": "critical", "category": "atoz_claim"}
    evidence = [{"text": "A-to-z", "field": "body", "category": "atoz_claim"},
                {"text": "a-to-z", "field": "body", "category": "atoz_claim"},
                {"text": "A-to-z", "field": "subject", "category": "atoz_claim"}]
    shown = render_why(TicketContext(ticket, None, None, evidence, [])).plain
    assert shown.count("in body") == 1 and shown.count("in subject") == 1


async def test_at_80x24_tab_reaches_the_order_panel_and_the_keys_scroll_it(db_target):
    from deskui.ui.widgets.order_panel import OrderPanel

    path = db_target
    build(path, NOW)
    async with make_app(path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = pilot.app.screen.query_one(OrderPanel)
        assert panel.max_scroll_y > 0  # the panel holds more than it shows at this size
        highlighted = pilot.app.screen.query_one(TicketList).cursor
        for _ in range(8):  # every focusable widget of the inbox, and then some
            if pilot.app.focused is panel:
                break
            await pilot.press("tab")
        assert pilot.app.focused is panel
        await pilot.press("pagedown")
        await pilot.pause()
        assert panel.scroll_target_y > 0 or panel.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert panel.scroll_target_y == panel.max_scroll_y
        # the list under it did not move: the panel's keys are the panel's
        assert pilot.app.screen.query_one(TicketList).cursor == highlighted


async def test_in_the_reply_box_t_is_a_letter_ctrl_t_the_templates_and_f7_selects_all(tmp_path):
    """Defect 6: "t templates" typed a t into the reply box, and there was no select-all."""
    from textual.widgets import Static

    from deskui.ui.screens.ticket import TicketScreen

    path = tmp_path / "inbox.db"
    ids = build(path, NOW)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(ids["on_track"]))
        await settle(pilot)
        await pilot.press("r", *"that")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TicketScreen) and screen.editor.text == "that"  # t is typed, no picker
        title = str(screen.query_one("#composer-title", Static).render())
        assert "^t templates" in title and "f7 all" in title  # the box says its own keys
        await pilot.press("f7")
        assert screen.editor.selected_text == "that"
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "TemplatePickerScreen"


async def test_the_someone_else_replied_dialog_says_a_local_time_and_how_long_ago(tmp_path):
    """Defect 10: the "someone else replied" dialog showed the stored 2026-12-01T18:33:39Z."""
    import re

    from deskui.store.tickets import add_reply
    from deskui.ui.screens.ticket import TicketScreen

    path = tmp_path / "inbox.db"
    ids = build(path, NOW)
    app = make_app(path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(ids["imminent"]))
        await settle(pilot)
        other = connect(path)
        add_reply(other, default_policy(), FixedClock(NOW), ids["imminent"], "ben", "Ben already answered this.")
        other.close()
        await pilot.press("r", *"Hello, a replacement is on its way.", "ctrl+s")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        said = "\n".join(str(static.render()) for static in app.screen.query("Static"))
        assert "Ben already answered" in said
        assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", said), said  # no stored instant
        assert f"ben at {NOW.astimezone(app.zone):%a %d %b %H:%M} (" in said  # local time, then how long ago
        await pilot.press("n")
        await settle(pilot)
