"""The ticket workspace: reply, note, templates, claim race, snooze, resolve, drafts, collisions."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from textual.widgets import TextArea

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect
from deskui.store.tickets import add_reply
from deskui.store.workspace import heartbeat, load_draft
from deskui.ui.app import DeskApp
from deskui.ui.screens.ticket import TicketScreen
from tests.conftest import NOW
from tests.inbox_data import build
from tests.helpers import settle

ROOT = Path(__file__).resolve().parent.parent


pytestmark = pytest.mark.backends


@pytest.fixture
def desk(db_target):
    return db_target, build(db_target, NOW)


def app_for(path, agent="ana", clock=None):
    return DeskApp(path, policy=default_policy(), clock=clock or FixedClock(NOW), agent=agent)


async def open_ticket(pilot, ticket_id):
    pilot.app.push_screen(TicketScreen(ticket_id))
    await settle(pilot)
    return pilot.app.screen


def row(path, sql, *params):
    return connect(path).execute(sql, params).fetchone()


async def type_reply(pilot, text):
    await pilot.press("r")
    editor = pilot.app.screen.query_one(TextArea)
    editor.load_text(text)
    await pilot.pause()


async def test_reply_is_queued_stops_the_clock_and_shows_in_thread(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_ticket(pilot, ids["imminent"])
        await type_reply(pilot, "Hello Claire, I am sorry the lamp arrived damaged. A replacement ships today.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "replacement ships today" in str(screen.query_one("#messages").render())
    assert row(path, "SELECT count(*) FROM outbox WHERE ticket_id = ?", ids["imminent"])[0] == 1
    assert row(path, "SELECT first_response_at FROM tickets WHERE id = ?", ids["imminent"])[0] == "2026-11-25T12:00:00Z"
    assert row(path, "SELECT outcome FROM sla_clocks WHERE ticket_id = ? AND kind = 'first_response'", ids["imminent"])[0] == "met"


async def test_linter_warning_needs_confirmation(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_ticket(pilot, ids["imminent"])
        await type_reply(pilot, "Sorry! Please leave us a 5-star review, it helps a lot.")
        lint_text = str(screen.query_one("#lint").render())
        assert "review" in lint_text.lower()
        await pilot.press("ctrl+s")  # asking for a positive review is blocked outright
        await settle(pilot)
        assert any("Not sent" in str(n.message) for n in app._notifications)
        await type_reply(pilot, "Hello, a replacement ships today. Call us on +33 6 12 34 56 78 if needed.")
        await pilot.press("ctrl+s")  # a phone number only warns: sending needs a confirmation
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        await pilot.press("n")
        await settle(pilot)
    assert row(path, "SELECT count(*) FROM outbox WHERE ticket_id = ?", ids["imminent"])[0] == 0


async def test_unfilled_placeholder_blocks_sending(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_ticket(pilot, ids["on_track"])
        await type_reply(pilot, "Hello {customer_first_name}, your invoice is attached.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("customer_first_name" in str(n.message) for n in app._notifications)
    assert row(path, "SELECT count(*) FROM outbox WHERE ticket_id = ?", ids["on_track"])[0] == 0


async def test_template_fills_from_the_order(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_ticket(pilot, ids["breached"])
        await pilot.press("t")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "TemplatePickerScreen"
        await pilot.press("enter")
        await settle(pilot)
        text = screen.query_one(TextArea).text
        assert "171-5550123-1234567" in text or "Claire" in text


async def test_note_is_saved_and_never_queued(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_ticket(pilot, ids["imminent"])
        await pilot.press("n")
        screen.query_one(TextArea).load_text("Carrier confirms the box was crushed.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "internal note" in str(screen.query_one("#messages").render())
    assert row(path, "SELECT count(*) FROM outbox WHERE ticket_id = ?", ids["imminent"])[0] == 0
    assert row(path, "SELECT count(*) FROM messages WHERE direction = 'note'")[0] == 1


async def test_resolve_and_reopen(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_ticket(pilot, ids["on_track"])
        await pilot.press("x")
        await settle(pilot)
        assert row(path, "SELECT status FROM tickets WHERE id = ?", ids["on_track"])[0] == "solved"
        await pilot.press("x")
        await settle(pilot)
        assert row(path, "SELECT status FROM tickets WHERE id = ?", ids["on_track"])[0] == "open"


async def test_snooze_parses_or_says_why(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_ticket(pilot, ids["on_track"])
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("Input").value = "someday maybe"
        await pilot.press("enter")
        await settle(pilot)
        assert row(path, "SELECT status FROM tickets WHERE id = ?", ids["on_track"])[0] == "open"
        assert any("cannot read" in str(n.message) for n in app._notifications)
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("Input").value = "2h"
        await pilot.press("enter")
        await settle(pilot)
    status, until = row(path, "SELECT status, snoozed_until FROM tickets WHERE id = ?", ids["on_track"])
    assert status == "snoozed" and until == "2026-11-25T14:00:00Z"


async def test_escalate_lifts_to_critical(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_ticket(pilot, ids["paused"])
        await pilot.press("e")
        await settle(pilot)
    assert row(path, "SELECT tier FROM tickets WHERE id = ?", ids["paused"])[0] == "critical"


async def test_claim_held_by_someone_else_is_refused(desk):
    path, ids = desk
    app = app_for(path, agent="zoe")
    async with app.run_test(size=(140, 40)) as pilot:
        await open_ticket(pilot, ids["breached"])  # held by ana
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("Input").value = "zoe"
        await pilot.press("enter")
        await settle(pilot)
        assert "Held by ana" in str(app.screen.query_one("Static").render())  # told who, asked before taking it
        await pilot.press("n")
        await settle(pilot)
    assert row(path, "SELECT assignee FROM tickets WHERE id = ?", ids["breached"])[0] == "ana"


async def test_collision_shows_the_other_reply_first(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_ticket(pilot, ids["imminent"])
        other = connect(path)
        heartbeat(other, FixedClock(NOW), ids["imminent"], "ben", "replying")
        add_reply(other, default_policy(), FixedClock(NOW), ids["imminent"], "ben", "Ben already answered this.")
        await pilot.pause(0.7)
        assert "ben is replying" in str(app.screen.query_one("#status").render())
        await type_reply(pilot, "Hello, a replacement is on its way.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ConfirmScreen"
        assert "Ben already answered" in str(app.screen.query("Static")[1].render())
        await pilot.press("n")
        await settle(pilot)
    assert row(path, "SELECT count(*) FROM outbox WHERE ticket_id = ?", ids["imminent"])[0] == 1  # only ben's


async def test_draft_comes_back_when_reopened(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_ticket(pilot, ids["at_risk"])
        await type_reply(pilot, "Half-written answer about the refund")
        await pilot.press("escape")  # leave the composer, draft kept
        await pilot.press("escape")  # back to the inbox
        await settle(pilot)
    assert load_draft(connect(path), ids["at_risk"], "ana") == "Half-written answer about the refund"
    app = app_for(path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_ticket(pilot, ids["at_risk"])
        assert screen.query_one(TextArea).text == "Half-written answer about the refund"


KILLED = textwrap.dedent(
    """
    import sys, asyncio
    from pathlib import Path
    from deskui.clock import FixedClock
    from deskui.policy import default_policy
    from deskui.ui.app import DeskApp
    from deskui.ui.screens.ticket import TicketScreen
    from tests.conftest import NOW
    from textual.widgets import TextArea

    async def main():
        app = DeskApp(sys.argv[1], policy=default_policy(), clock=FixedClock(NOW), agent="ana")
        async with app.run_test(size=(120, 40)) as pilot:
            app.push_screen(TicketScreen(int(sys.argv[2])))
            await pilot.pause()
            await pilot.press("r")
            for word in "typed before the terminal died".split():
                await pilot.press(*word, "space")
            print("typed", flush=True)
            await asyncio.sleep(60)

    asyncio.run(main())
    """
)


def test_draft_survives_a_killed_process(desk):
    path, ids = desk
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(path), str(ids["at_risk"])], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "typed"
        time.sleep(2.0)  # a draft is written within 0.8 s of its first key
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
    assert load_draft(connect(path), ids["at_risk"], "ana").strip() == "typed before the terminal died"


CLAIMER = textwrap.dedent(
    """
    import sys, asyncio, time
    from pathlib import Path
    from deskui.clock import FixedClock
    from deskui.policy import default_policy
    from deskui.ui.app import DeskApp
    from deskui.ui.widgets.ticket_list import TicketList
    from tests.conftest import NOW

    async def main():
        app = DeskApp(sys.argv[1], policy=default_policy(), clock=FixedClock(NOW), agent=sys.argv[2])
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            ticket_list = app.screen.query_one(TicketList)
            ticket_list.cursor = ticket_list.query_view.position_of(int(sys.argv[3]))
            await pilot.pause()
            while time.time() < float(sys.argv[4]):
                await asyncio.sleep(0.001)
            await pilot.press("a")
            await pilot.pause()
            print(";".join(str(n.message) for n in app._notifications), flush=True)

    asyncio.run(main())
    """
)


def test_two_app_instances_claiming_at_once(desk):
    path, ids = desk
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.time() + 4
    procs = [subprocess.Popen([sys.executable, "-c", CLAIMER, str(path), agent, str(ids["imminent"]), str(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT) for agent in ("zoe", "yan")]
    outputs = [proc.communicate(timeout=60) for proc in procs]
    for proc, (_, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
    winner = row(path, "SELECT assignee FROM tickets WHERE id = ?", ids["imminent"])[0]
    loser = "yan" if winner == "zoe" else "zoe"
    messages = dict(zip(("zoe", "yan"), (out for out, _ in outputs)))
    assert "is yours" in messages[winner]
    assert f"already held by {winner}" in messages[loser]


async def test_narrow_terminal_switches_between_thread_and_order_panel(desk):
    path, ids = desk
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ticket(pilot, ids["breached"])
        panel = screen.query_one("#ticket-panel")
        assert not panel.display or panel.region.width == 0
        await pilot.press("p")
        await pilot.pause()
        assert panel.region.width > 40
        assert "171-5550123-1234567" in panel.plain
