"""The look, pinned: SVG snapshots with a frozen clock. Update on purpose with
``pytest tests/test_snapshots.py --snapshot-update`` after looking at the report."""

import pytest

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.ui.app import DeskApp
from tests.conftest import NOW
from tests.inbox_data import build


@pytest.fixture
def inbox_path(tmp_path):
    path = tmp_path / "inbox.db"
    build(path, NOW)
    return path


async def _settle(pilot):
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _app(path):
    return DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_inbox(snap_compare, inbox_path, size):
    assert snap_compare(_app(inbox_path), terminal_size=size, run_before=_settle)


def test_inbox_high_contrast(snap_compare, inbox_path):
    app = DeskApp(inbox_path, policy=default_policy(), clock=FixedClock(NOW), agent="ana", theme="deskui-high-contrast")
    assert snap_compare(app, terminal_size=(120, 30), run_before=_settle)


def test_inbox_hostile_row_highlighted(snap_compare, inbox_path):
    async def run_before(pilot):
        await _settle(pilot)
        await pilot.press("G")
        await pilot.pause()

    assert snap_compare(_app(inbox_path), terminal_size=(160, 45), run_before=run_before)


def _ticket_app(path, ticket_id):
    from deskui.ui.screens.ticket import TicketScreen

    class OnTicket(DeskApp):
        def on_mount(self) -> None:
            # Textual also runs DeskApp.on_mount (it dispatches along the MRO): the inbox comes
            # first, the ticket is opened on top of it afterwards.
            self.call_later(self.push_screen, TicketScreen(ticket_id))

    return OnTicket(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_ticket_screen(snap_compare, tmp_path, size):
    path = tmp_path / "ticket.db"
    ids = build(path, NOW)
    assert snap_compare(_ticket_app(path, ids["breached"]), terminal_size=size, run_before=_settle)


def test_ticket_reply_with_lint_warnings(snap_compare, tmp_path):
    from textual.widgets import TextArea

    path = tmp_path / "ticket.db"
    ids = build(path, NOW)

    async def run_before(pilot):
        await _settle(pilot)
        await pilot.press("r")
        editor = pilot.app.screen.query_one(TextArea)
        editor.cursor_blink = False
        editor.load_text("Hello {customer_first_name}, see www.myshop.example and please leave us a 5-star review!")
        await pilot.pause()

    assert snap_compare(_ticket_app(path, ids["imminent"]), terminal_size=(120, 40), run_before=run_before)


def test_health_screen(snap_compare, tmp_path):
    from deskui.demo import generate

    path = tmp_path / "health.db"
    generate(path, seed=7, tickets=1500, now=NOW, force=True)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="lead", start="health")
    assert snap_compare(app, terminal_size=(160, 45), run_before=_settle)
