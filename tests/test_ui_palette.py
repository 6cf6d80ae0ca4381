"""The command palette (ctrl+p): tickets by id, order number, buyer and subject; macros; views.

Pilot tests type into the palette as an agent does, wait for the hit, press enter and look at
the screen that opened. The store's searches are tested beside them (deskui/store/find.py)."""

import sqlite3
import tomllib

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from deskui.clock import FixedClock
from deskui.macros import parse_macros
from deskui.policy import default_policy
from deskui.store import connect, write
from deskui.store.find import Interrupted, find_tickets, interruptible, search, search_kinds
from deskui.ui.app import DeskApp
from deskui.ui.screens.inbox import InboxScreen
from deskui.ui.screens.ticket import TicketScreen
from deskui.views import parse_views
from tests.conftest import NOW
from tests.helpers import pilot_wait_for, settle
from tests.inbox_data import build

pytestmark = pytest.mark.backends

HOSTILE_NAME = "[bold]x[/] Zoë 🎉 [link=http://evil]Wu[/link]"
MACROS = """\
[[macros]]
name = "Damaged: replacement sent"
template = "damaged"
tags = ["replacement"]
status = "pending"
"""
VIEWS = """\
[[views]]
name = "Amazon defects"
key = 7
channel = "amazon"
"""


@pytest.fixture
def inbox(db_target):
    """The hand-made inbox plus a buyer whose name is markup with an emoji, on a ticket of its own."""
    return build_inbox(db_target)


@pytest.fixture
def sqlite_inbox(tmp_path):
    """The same on an SQLite file: the snapshots are one picture, whichever backend."""
    return build_inbox(tmp_path / "desk.db")


def build_inbox(path):
    ids = build(path, NOW)
    conn = connect(path)
    with write(conn):
        conn.execute("INSERT INTO customers (id, channel, external_id, name, email) VALUES "
                     "(4, 'shopify', 'S4', ?, 'zoe.wu@example.net')", (HOSTILE_NAME,))
        ids["emoji"] = conn.execute(
            "INSERT INTO tickets (channel, subject, created_at, customer_id, order_number, status) "
            "VALUES ('shopify', 'Colis 📦 abîmé', '2026-11-25T11:00:00Z', 4, '#1001', 'open')").lastrowid
    conn.close()
    return path, ids


def _app(path, **options):
    return DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana", **options)


def _hits(app) -> list[str]:
    if not isinstance(app.screen, CommandPalette):
        return []
    commands = app.screen.query_one(CommandList)
    return [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]


async def wait_for_hit(pilot, wanted: str) -> list[str]:
    """The palette's hits once one contains ``wanted`` (searches run on a thread of their own)."""
    return await pilot_wait_for(pilot, lambda: (hits := _hits(pilot.app)) and any(wanted in hit for hit in hits) and hits,
                                what=f"a palette hit with {wanted!r}")


async def _gathered(pilot) -> None:
    await pilot_wait_for(pilot, lambda: not any(worker.group == CommandPalette._GATHER_COMMANDS_GROUP and not worker.is_finished
                                                for worker in pilot.app.workers), what="the palette to end its search")


async def palette(pilot, text: str, wanted: str) -> list[str]:
    """ctrl+p, type ``text``, wait for a hit holding ``wanted``, highlight it."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*text)
    await wait_for_hit(pilot, wanted)
    # Hits keep arriving (and re-sorting) until the palette's gathering worker ends: highlight
    # only then, or a later hit moves the highlight before enter (seen under a loaded CI).
    await _gathered(pilot)
    hits = await wait_for_hit(pilot, wanted)
    commands = pilot.app.screen.query_one(CommandList)
    commands.highlighted = next(i for i, hit in enumerate(_hits(pilot.app)) if wanted in hit)
    await pilot.pause()
    return hits


async def open_from_palette(pilot, text: str, wanted: str) -> list[str]:
    hits = await palette(pilot, text, wanted)
    await pilot.press("enter")
    await settle(pilot)
    return hits


# -- the store's searches ------------------------------------------------------------------
def test_the_searches_that_apply_to_a_text():
    assert search_kinds("#123") == ["id", "order"]
    assert search_kinds("123") == ["id", "order", "customer", "subject"]
    assert search_kinds("113-1234567-1234567") == ["order", "customer", "subject"]
    assert search_kinds("claire") == ["customer", "subject"]
    assert search_kinds("cl") == [] and search_kinds("  #  ") == []


def test_find_tickets_by_id_order_customer_email_and_subject(inbox):
    path, ids = inbox
    conn = connect(path)
    first = lambda text: find_tickets(conn, text)[0]  # noqa: E731
    assert (first(f"#{ids['paused']}").id, first(f"#{ids['paused']}").kind) == (ids["paused"], "id")
    assert (first("171-5550123-1234567").id, first("171-5550123-1234567").kind) == (ids["breached"], "order")
    assert {hit.id for hit in find_tickets(conn, "171-")} >= {ids["breached"], ids["imminent"]}  # a prefix
    assert {hit.id for hit in find_tickets(conn, "#1042")} == {ids["at_risk"]}  # Shopify's number, with its #
    assert ids["at_risk"] in {hit.id for hit in find_tickets(conn, "1042")}  # and without
    claire = find_tickets(conn, "claire dub")
    assert {hit.id for hit in claire} == {ids["breached"], ids["imminent"]} and {hit.kind for hit in claire} == {"customer"}
    assert [hit.id for hit in find_tickets(conn, "ben@example")] == [ids["at_risk"]]
    assert [(hit.id, hit.kind) for hit in find_tickets(conn, "invoice")] == [(ids["on_track"], "subject")]
    assert find_tickets(conn, "50%") == [] and find_tickets(conn, "a_b") == []  # LIKE's wildcards are text


def test_a_search_reads_slice_by_slice_newest_first_and_stops_at_its_limit(db_target):
    path = db_target
    conn = connect(path, create=True)
    with write(conn):
        conn.executemany("INSERT INTO tickets (channel, subject, created_at) VALUES ('amazon', ?, '2026-11-25T10:00:00Z')",
                         [(f"Parcel {number}" if number % 10 == 0 else f"Other {number}",) for number in range(1000)])
    batches = list(search(conn, "parcel", limit=15, slice_rows=100))
    # One batch per slice of 100 keys, newest first: ten hits, then five to the limit, then no more reads.
    assert [len(batch) for batch in batches] == [10, 5]
    assert [hit.id for batch in batches for hit in batch] == list(range(991, 850, -10))
    assert {hit.kind for batch in batches for hit in batch} == {"subject"}


def test_a_cancelled_search_is_interrupted_in_the_middle_of_a_read(db_target):
    conn = connect(db_target, create=True)
    endless = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
    with pytest.raises(Interrupted), interruptible(conn, lambda: True):
        conn.execute(endless).fetchone()
    with interruptible(conn, lambda: False):  # not cancelled: reads to the end
        assert conn.execute("SELECT count(*) FROM (SELECT 1 UNION SELECT 2)").fetchone()[0] == 2
    assert conn.execute("SELECT 1").fetchone()[0] == 1  # the handler is gone afterwards
    with pytest.raises(sqlite3.OperationalError):
        with interruptible(conn, lambda: False):
            conn.execute("SELECT * FROM no_such_table")


# -- the palette ---------------------------------------------------------------------------
async def test_palette_opens_a_ticket_by_hash_id(inbox):
    path, ids = inbox
    app = _app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_from_palette(pilot, f"#{ids['paused']}", f"#{ids['paused']} ")
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == ids["paused"]


async def test_palette_opens_a_ticket_by_a_bare_id_from_a_ticket_screen(inbox):
    path, ids = inbox
    app = _app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(ids["breached"]))
        await settle(pilot)
        hits = await open_from_palette(pilot, str(ids["met"]), f"#{ids['met']} ")
        assert hits[0].startswith(f"#{ids['met']} ")  # the exact id first
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == ids["met"]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.ticket_id == ids["breached"]  # esc comes back


async def test_palette_opens_a_ticket_by_order_number(inbox):
    path, ids = inbox
    app = _app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        hits = await open_from_palette(pilot, "171-0000001-0000001", "order 171-0000001-0000001")
        assert hits[0].startswith(f"#{ids['imminent']} ")
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == ids["imminent"]


async def test_palette_opens_a_ticket_by_shopify_order_number(inbox):
    path, ids = inbox
    app = _app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_from_palette(pilot, "#1042", "order #1042")
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == ids["at_risk"]


async def test_palette_opens_a_ticket_by_customer_name_and_email(inbox):
    path, ids = inbox
    app = _app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_from_palette(pilot, "ben carter", "Ben Carter")
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == ids["at_risk"]
        await pilot.press("escape")
        await settle(pilot)
        await open_from_palette(pilot, "x7k2m9q4w1@", "Claire Dubois <x7k2m9q4w1@marketplace.amazon.fr>")
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id in (ids["breached"], ids["imminent"])


async def test_palette_opens_a_ticket_by_subject_text(inbox):
    path, ids = inbox
    app = _app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_from_palette(pilot, "invoice", "Question about invoice")
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == ids["on_track"]


async def test_palette_shows_a_markup_name_and_an_emoji_literally(inbox):
    path, ids = inbox
    app = _app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        hits = await palette(pilot, "zoë", "Zoë")
        assert any(HOSTILE_NAME in hit and "Colis 📦 abîmé" in hit for hit in hits)
        commands = app.screen.query_one(CommandList)
        shown = "\n".join(commands.render_line(y).text for y in range(commands.size.height))
        assert "[bold]x[/] Zoë 🎉 [link=http://evil]Wu[/link]" in shown  # drawn as typed, not as markup
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == ids["emoji"]


async def test_palette_escapes_control_characters_and_markup_in_subjects(inbox):
    path, ids = inbox
    app = _app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        hits = await palette(pilot, "money", "FREE")
        hostile = next(hit for hit in hits if "FREE" in hit)
        assert hostile.startswith(f"#{ids['hostile']}  [bold red]FREE[/] money")
        assert "\x1b" not in hostile and "\u202e" not in hostile


# -- macros and views ----------------------------------------------------------------------
def _macros():
    return parse_macros(tomllib.loads(MACROS), MACROS, "config.toml")


async def test_palette_runs_a_macro_on_the_ticket_screen_as_m_does(inbox):
    path, ids = inbox
    app = _app(path, macros=_macros())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(ids["breached"]))
        await settle(pilot)
        await open_from_palette(pilot, "damaged repl", "Macro: Damaged: replacement sent")
        screen = app.screen
        assert isinstance(screen, TicketScreen) and screen.ticket_id == ids["breached"]
        assert screen.editor.text.strip() and screen._macro is not None  # the template filled; actions wait for the send
        assert "Macro Damaged: replacement sent" in str(screen.query_one("#composer-title").render())


async def test_palette_runs_a_macro_from_the_inbox_on_the_highlighted_ticket(inbox):
    path, ids = inbox
    app = _app(path, macros=_macros())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        highlighted = app.screen.ticket_list.highlighted_id
        await open_from_palette(pilot, "macro", f"Macro: Damaged: replacement sent — on #{highlighted}")
        screen = app.screen
        assert isinstance(screen, TicketScreen) and screen.ticket_id == highlighted
        assert screen.editor.text.strip() and screen._macro is not None


async def test_palette_says_where_macros_run_elsewhere(inbox):
    path, ids = inbox
    app = _app(path, macros=_macros(), start="board")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        board = app.screen
        await open_from_palette(pilot, "macro", "Macro: Damaged")
        assert app.screen is board
        assert any("Macros run on a ticket" in str(note.message) for note in app._notifications)


async def test_palette_applies_a_saved_view_by_name(inbox):
    path, ids = inbox
    views = parse_views(tomllib.loads(VIEWS), VIEWS, "config.toml")
    app = _app(path, views=views)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(ids["at_risk"]))
        await settle(pilot)
        hits = await open_from_palette(pilot, "amazon defects", "View 7: Amazon defects")
        assert not any(hit == "View 7" for hit in hits)  # the bare binding's name is not listed twice
        screen = app.screen
        assert isinstance(screen, InboxScreen)  # back down to the inbox
        assert screen.query_view.filter.view.name == "Amazon defects"
        assert screen.ticket_list.count > 0
        assert ids["at_risk"] not in screen.ticket_list.visible_ids()  # a Shopify ticket: not in the view


# -- the look ------------------------------------------------------------------------------
def test_palette_with_ticket_hits_snapshot(snap_compare, sqlite_inbox):
    path, ids = sqlite_inbox

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        pilot.app.screen.query_one(Input).cursor_blink = False
        await pilot.press(*"claire")
        await wait_for_hit(pilot, "Claire Dubois")
        await wait_for_hit(pilot, "Your Amazon A-to-z")
        await settle(pilot)  # the search to its end: no list refresh after the picture

    assert snap_compare(_app(path), terminal_size=(80, 24), run_before=run_before)
