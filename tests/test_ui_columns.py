"""Issue #14, what to build 4: the column chooser (C on the inbox, or "Columns" in the palette)."""

import json
import re

import pytest

from rich.cells import cell_len

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.ui.app import DeskApp
from deskui.ui.screens.columns import ColumnsScreen
from deskui.ui.ui_state import read_state
from deskui.ui.widgets.ticket_list import CHOOSABLE, DEFAULT_COLUMNS, ColumnChoice, TicketList, layout
from tests.conftest import NOW
from tests.helpers import pilot_wait_for, settle
from tests.inbox_data import build
from tests.test_ui_queue_defects import EMOJI_NAME, WIDE_SUBJECT, add_wide_rows, age_column, lines

pytestmark = pytest.mark.backends


def _app(path, folder=None, agent="ana"):
    return DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent=agent, state_dir=folder)


def _list(app) -> TicketList:
    """The inbox's list, under the chooser when it is open."""
    return next(s for s in reversed(app.screen_stack) if s.query(TicketList)).query_one(TicketList)


def _names(app) -> list[str]:
    """The columns the list draws now (laid out at its width by drawing the header)."""
    ticket_list = _list(app)
    ticket_list.render_line(0)
    return [c.name for c in ticket_list.columns if c.name != "mark"]


def _header(app) -> str:
    return _list(app).render_line(0).text


async def _open(pilot):
    await pilot.press("C")
    await pilot_wait_for(pilot, lambda: isinstance(pilot.app.screen, ColumnsScreen), what="the column chooser")
    await pilot.pause()


async def _go_to(pilot, name):
    """Highlight ``name`` in the chooser with the keys an agent uses."""
    screen = pilot.app.screen
    while (at := screen._highlighted_name()) != name:
        await pilot.press("j" if screen.choice.order.index(at) < screen.choice.order.index(name) else "k")


async def test_space_hides_and_shows_a_column_and_the_subject_gets_its_width(db_target):
    path = db_target
    build(path, NOW)
    async with _app(path).run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        ticket_list = _list(pilot.app)
        assert "CUSTOMER" in _header(pilot.app)
        before = {c.name: c.width for c in ticket_list.columns}
        await _open(pilot)
        await _go_to(pilot, "customer")
        await pilot.press("space")
        await pilot.pause()
        assert "customer" not in _names(pilot.app)
        assert "CUSTOMER" not in _header(pilot.app)  # the list behind the box follows at once
        assert next(c.width for c in ticket_list.columns if c.name == "subject") == before["subject"] + before["customer"]
        assert "[ ] CUSTOMER" in str(pilot.app.screen.query_one("#columns").get_option("customer").prompt)
        await pilot.press("space")
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ColumnsScreen)
        assert "customer" in _names(pilot.app)


async def test_the_deadline_state_and_subject_cannot_be_hidden_and_the_box_says_so(db_target):
    path = db_target
    build(path, NOW)
    async with _app(path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _open(pilot)
        assert "always shown" in str(pilot.app.screen.query_one("#locked").render())
        for name in ("countdown", "state", "subject"):
            await _go_to(pilot, name)
            await pilot.press("space")
            await pilot.pause()
            assert "always shown" in str(pilot.app.screen.query_one("#columns").get_option(name).prompt)
        assert pilot.app.screen.choice == DEFAULT_COLUMNS
        assert {"countdown", "state", "subject"} <= set(_names(pilot.app))


async def test_keys_move_a_column_and_the_order_is_kept(db_target):
    path = db_target
    build(path, NOW)
    async with _app(path).run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await _open(pilot)
        await _go_to(pilot, "age")
        await pilot.press("K", "K", "shift+up")  # past agent, order and subject
        await pilot.pause()
        assert _names(pilot.app)[-5:] == ["customer", "age", "subject", "order", "assignee"]
        assert pilot.app.screen._highlighted_name() == "age"  # the cursor moves with its column
        await pilot.press("J")
        await pilot.pause()
        assert _names(pilot.app)[-4:] == ["subject", "age", "order", "assignee"]
        header = _header(pilot.app)
        assert header.index("SUBJECT") < header.index("AGE") < header.index("ORDER") < header.index("AGENT")
        for _ in range(12):  # at the top it stays there
            await pilot.press("K")
        assert _names(pilot.app)[0] == "age"
        await pilot.press("r")  # the default again
        await pilot.pause()
        assert _names(pilot.app) == list(CHOOSABLE)


async def test_the_choice_is_back_after_a_restart_per_agent(tmp_path, db_target):
    path, folder = db_target, tmp_path / "state"
    build(path, NOW)
    async with _app(path, folder).run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await _open(pilot)
        await _go_to(pilot, "tier")
        await pilot.press("space")
        await _go_to(pilot, "id")
        await pilot.press("J")  # #ID after DUE
        await pilot.press("escape")
        await pilot.pause()
        wanted = _names(pilot.app)
    assert "tier" not in wanted and wanted[:2] == ["countdown", "id"]
    stored = read_state(folder)["columns"]["ana"]
    assert stored["hidden"] == ["tier"] and stored["order"][:2] == ["countdown", "id"]
    async with _app(path, folder).run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        assert _names(pilot.app) == wanted
        header = _header(pilot.app)
        assert "SUBJECT · by TIER▲" in header and "TIER" not in header.replace("by TIER▲", "")
    async with _app(path, folder, agent="ben").run_test(size=(200, 50)) as pilot:
        await settle(pilot)  # another agent sharing the folder keeps the default
        assert _names(pilot.app) == [n for n in CHOOSABLE]


async def test_a_bad_stored_choice_falls_back_to_the_default(tmp_path, db_target):
    path, folder = db_target, tmp_path / "state"
    build(path, NOW)
    folder.mkdir()
    default = list(CHOOSABLE)
    for content in (b"\xff{not json", b"[1, 2]", json.dumps({"columns": "all"}).encode(),
                    json.dumps({"columns": {"ana": {"order": 7, "hidden": {"x": 1}}}}).encode(),
                    json.dumps({"columns": {"ana": {"order": [None, 3, "subject"], "hidden": ["subject", "countdown", 5]}}}).encode()):
        (folder / "ui.json").write_bytes(content)
        async with _app(path, folder).run_test(size=(200, 50)) as pilot:
            await settle(pilot)
            assert _names(pilot.app) == default and _list(pilot.app).choice == DEFAULT_COLUMNS, content
    # A file from a newer version: a column this one lacks is ignored, the rest of the choice kept.
    (folder / "ui.json").write_text(json.dumps({"theme": "nord", "columns": {"ana": {
        "order": ["sentiment", "age", "id", "countdown"], "hidden": ["sentiment", "channel"]}}}))
    async with _app(path, folder).run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        names = _names(pilot.app)
        assert names[:3] == ["age", "id", "countdown"] and "channel" not in names
        assert set(names) == set(CHOOSABLE) - {"channel"}


def test_a_stored_choice_missing_new_columns_puts_them_at_their_default_place():
    choice = ColumnChoice.from_state({"order": ["subject", "countdown", "state"], "hidden": []})
    assert sorted(choice.order) == sorted(CHOOSABLE)
    assert choice.order.index("tier") == choice.order.index("state") + 1
    assert ColumnChoice.from_state(choice.to_state()) == choice


async def test_sorted_by_a_hidden_column_still_sorts_and_the_header_says_by_what(db_target):
    path = db_target
    build(path, NOW)
    async with _app(path).run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        await pilot.press("o", "o")  # risk -> next breach -> oldest first
        await settle(pilot)
        ticket_list = _list(pilot.app)
        assert ticket_list.query_view.sort == "oldest"
        assert "AGE▼" in _header(pilot.app)
        order_before = [row.id for row in ticket_list.query_view.rows(0, 20)]
        await _open(pilot)
        assert "sorted ▼" in str(pilot.app.screen.query_one("#columns").get_option("age").prompt)
        await _go_to(pilot, "age")
        await pilot.press("space", "enter")
        await settle(pilot)
        header = _header(pilot.app)
        assert not re.search(r"\bAGE\b", header.replace("SUBJECT · by AGE▼", ""))
        assert "SUBJECT · by AGE▼" in header
        assert [row.id for row in ticket_list.query_view.rows(0, 20)] == order_before
        assert ticket_list.query_view.sort == "oldest"
        await pilot.press("o")  # the next sort's column is shown: its marker is back on it
        await settle(pilot)
        assert "· by" not in _header(pilot.app) and "CHANNEL▲" in _header(pilot.app)


async def test_wide_text_stays_aligned_after_hiding_columns(db_target):
    path = db_target
    build(path, NOW)
    add_wide_rows(path)
    for size in ((160, 45), (80, 24)):
        async with _app(path).run_test(size=size) as pilot:
            await settle(pilot)
            await _open(pilot)
            for name in ("tier", "customer", "channel"):
                await _go_to(pilot, name)
                await pilot.press("space")
            await pilot.press("enter")
            await settle(pilot)
            ticket_list = _list(pilot.app)
            width = ticket_list.scrollable_content_region.width
            shown = [line for line in lines(pilot.app) if line.strip()]
            header, rows = shown[0], shown[1:]
            assert "SUBJECT · by TIER▲" in header  # risk sorts by tier first, and its column is hidden
            assert "TIER " not in header and "CHAN" not in header and "CUSTOMER" not in header
            assert cell_len(header) == width and all(cell_len(line) == width for line in rows), size
            wide = next(line for line in rows if WIDE_SUBJECT[:4] in line)
            assert "…" in wide or WIDE_SUBJECT in wide
            ages = {age_column(line, header) for line in rows if WIDE_SUBJECT[:4] in line or "📦" in line}
            assert ages == {"40m", "50m"}, (size, ages)
            assert EMOJI_NAME not in "".join(rows)  # the customer column is hidden


async def test_toggling_a_column_reads_nothing_from_the_database(db_target):
    path = db_target
    build(path, NOW)
    async with _app(path).run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        statements: list[str] = []
        pilot.app.store.conn.set_trace_callback(statements.append)
        try:
            await _open(pilot)
            await _go_to(pilot, "customer")
            await pilot.press("space", "J", "space")
            await pilot.pause()
            _list(pilot.app).render_line(3)
        finally:
            pilot.app.store.conn.set_trace_callback(None)
        assert [s for s in statements if "tickets" in s] == []


def test_the_default_choice_lays_out_as_before():
    for width in (80, 100, 160, 200):
        assert layout(width) == layout(width, ColumnChoice.from_state(None))
    hidden = layout(80, DEFAULT_COLUMNS.toggled("tier").toggled("channel"))
    subject = next(c.width for c in hidden if c.name == "subject")
    assert subject == next(c.width for c in layout(80) if c.name == "subject") + 10
    assert sum(c.width for c in hidden) == 80


async def test_the_palette_opens_the_chooser_on_the_inbox_and_from_a_ticket(db_target):
    from tests.test_ui_palette import _hits, open_from_palette

    path = db_target
    ids = build(path, NOW)
    async with _app(path).run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        hits = await open_from_palette(pilot, "columns", "Columns")
        assert isinstance(pilot.app.screen, ColumnsScreen)
        assert sum("olumns" in hit for hit in hits) == 1  # the binding's command, not a second one
        await pilot.press("escape")
        await pilot.pause()
        from deskui.ui.screens.ticket import TicketScreen

        await pilot.app.push_screen(TicketScreen(ids["met"]))
        await settle(pilot)
        await open_from_palette(pilot, "inbox columns", "Inbox columns")
        await pilot_wait_for(pilot, lambda: isinstance(pilot.app.screen, ColumnsScreen), what="the chooser over the inbox")
        assert not any(isinstance(screen, TicketScreen) for screen in pilot.app.screen_stack)
        assert _hits(pilot.app) == []


async def test_help_lists_the_key(db_target):
    from deskui.ui.screens.help import HelpScreen

    path = db_target
    build(path, NOW)
    async with _app(path).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot_wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), what="the help screen")
        assert ("C", "Columns: show, hide, reorder") in pilot.app.screen.rows
        await pilot.press("escape")
        await _open(pilot)
        await pilot.press("question_mark")  # in the chooser: its own keys
        await pilot_wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), what="the chooser's help")
        described = dict((description, keys) for keys, description in pilot.app.screen.rows)
        assert described["Show/hide"] == "space" and "K" in described["Move up"] and "J" in described["Move down"]


# -- the look, pinned (frozen clock; wide characters in the rows); one SQLite picture, whichever backend
@pytest.fixture
def wide_inbox(tmp_path):
    path = tmp_path / "inbox.db"
    build(path, NOW)
    add_wide_rows(path)
    return path


SIZES = pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])


@SIZES
def test_chooser_snapshot(snap_compare, wide_inbox, size):
    async def run_before(pilot):
        await settle(pilot)
        await _open(pilot)
        await _go_to(pilot, "channel")
        await pilot.press("space")  # one hidden: its mark empty, the list behind without it
        await settle(pilot)

    assert snap_compare(_app(wide_inbox), terminal_size=size, run_before=run_before)


@SIZES
def test_inbox_with_columns_hidden_snapshot(snap_compare, wide_inbox, size):
    async def run_before(pilot):
        await settle(pilot)
        await _open(pilot)
        for name in ("tier", "channel"):
            await _go_to(pilot, name)
            await pilot.press("space")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(_app(wide_inbox), terminal_size=size, run_before=run_before)
