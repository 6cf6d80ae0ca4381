"""Screen defects a new user hit working the queue (issue "Work the queue at speed")."""

from datetime import timedelta

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


async def settle(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


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


async def test_wide_characters_do_not_shift_the_columns(tmp_path):
    path = tmp_path / "inbox.db"
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


async def test_columns_follow_the_width_after_a_search_and_escape(tmp_path):
    path = tmp_path / "inbox.db"
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


async def test_a_new_sort_or_filter_starts_at_the_top(tmp_path):
    path = tmp_path / "inbox.db"
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


async def test_a_live_change_keeps_the_cursor_on_its_ticket(tmp_path):
    path = tmp_path / "inbox.db"
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
