"""The board, the health check-up and the ticket screen while the PostgreSQL server is away, for
real (``pg_ctl stop -m immediate``, then started again on the same port): each says so, goes on
answering keys, refuses writes in one line, and reads again once the server answers.

Every wait is for a condition (``pilot_wait_for``), never a sleep; the clock is a FixedClock the
tests move, so "the board keeps counting" is a count that changes, not a duration."""

from __future__ import annotations

from datetime import timedelta

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect
from deskui.store.changes import ChangeSet
from deskui.store.tickets import refresh_tickets
from deskui.timeutil import from_db
from deskui.when import describe
from tests.conftest import NOW
from tests.helpers import add_ticket, pilot_wait_for, settle

OUTAGE = "database server unreachable — reconnecting…"
CLAIMS = 20  # critical tickets (60 min target), one opened every minute


def add_claims(url, count: int, *, opened=NOW, subject="A-to-z claim") -> list[int]:
    """``count`` critical tickets, the first opened at ``opened``, each next one a minute earlier:
    due 60, 59, … minutes after ``opened``."""
    conn = connect(url)
    ids = [add_ticket(conn, subject=f"{subject} {number}", body="I will open an A-to-z claim",
                      sent_at=opened - timedelta(minutes=number)) for number in range(count)]
    refresh_tickets(conn, default_policy(), opened)
    conn.close()
    return ids


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def notes(app, words: str) -> int:
    return sum(words in str(note.message) for note in app._notifications)


async def test_the_board_counts_from_memory_during_an_outage_and_reads_again_after(own_server, url, tmp_path):
    """The tickets about to breach move on while the server is away, to tickets whose details
    were never read: the board says the server is gone, its clock and counts go on from memory,
    its keys work; once the server is back it sees a write another process made after."""
    from deskui.ui.app import DeskApp
    from deskui.ui.screens.board import BoardScreen

    add_claims(url, CLAIMS)
    clock = FixedClock(NOW)
    app = DeskApp(url, policy=default_policy(), clock=clock, agent="lead", start="board", state_dir=tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        await pilot_wait_for(pilot, lambda: any("A-to-z claim" in str(c.render()) for c in board.query("BreachCard .caption")),
                             what="the next tickets to breach on their cards")
        assert "breaches so far today: 0" in text(board, "#matrix")

        own_server.stop("immediate")
        await pilot_wait_for(pilot, lambda: OUTAGE in text(board, "#title"), what="the board to say the server is gone")
        # Half of them breach: the next to breach are tickets whose subjects were never read.
        clock.advance(minutes=50)
        await pilot_wait_for(pilot, lambda: "12:50:00" in text(board, "#title"), what="the board's clock to go on")
        await pilot_wait_for(pilot, lambda: "breaches so far today: 10" in text(board, "#matrix"),
                             what="the counts to move with time, from memory")
        assert "counting from memory" in text(board, "#title")
        await pilot.press("p")
        await pilot_wait_for(pilot, lambda: "PAUSED" in text(board, "#title"), what="p to pause during the outage")
        await pilot.press("p", "r", "j", "k")  # resume, re-read (it cannot: said, the board goes on counting)
        clock.advance(minutes=1)
        await pilot_wait_for(pilot, lambda: "breaches so far today: 11" in text(board, "#matrix") and
                             "12:51:00" in text(board, "#title"), what="the board to count on after r")
        assert app.is_running and app.screen is board and "PAUSED" not in text(board, "#title")

        own_server.restart()
        await pilot_wait_for(pilot, lambda: "database" not in app.failures, what="the outage line to clear")
        await pilot_wait_for(pilot, lambda: OUTAGE not in text(board, "#title"), what="the title to clear")
        add_claims(url, 1, opened=clock.now() - timedelta(minutes=59), subject="Written after the outage")
        await pilot_wait_for(pilot, lambda: any("Written after the outage" in str(c.render())
                                                for c in board.query("BreachCard .caption")),
                             what="the board to see another process's write made after the server came back")
        assert app.is_running and app.return_code is None


async def test_health_says_the_server_is_gone_keeps_its_report_and_reads_again(own_server, url, tmp_path):
    from deskui.ui.app import DeskApp
    from deskui.ui.screens.health import HealthScreen

    add_claims(url, 3)
    clock = FixedClock(NOW)
    app = DeskApp(url, policy=default_policy(), clock=clock, agent="lead", start="health", state_dir=tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        health = app.screen
        assert isinstance(health, HealthScreen)
        await pilot_wait_for(pilot, lambda: health.report is not None, what="the first check-up")
        first = health.report["generated_at"]
        spikes = text(health, "#spikes")
        assert "SPIKES" in spikes

        own_server.stop("immediate")
        clock.advance(hours=1)
        await pilot.press("r")
        await pilot_wait_for(pilot, lambda: OUTAGE in text(health, "#title"), what="health to say the server is gone")
        shown = f"shown: the check-up of {describe(from_db(first), app.zone)}"  # the report kept, as people read a time
        assert "r to try again" in text(health, "#title") and shown in text(health, "#title")
        assert text(health, "#spikes") == spikes  # the last report stays readable
        await pilot.press("r")  # and again: said again, nothing breaks
        await pilot_wait_for(pilot, lambda: not any(w.group == "health" and not w.is_finished for w in health.workers),
                             what="the second try to end")
        assert app.is_running and app.screen is health and health.report["generated_at"] == first

        own_server.restart()
        # The server's return computes it again by itself (the check-up failed meanwhile).
        await pilot_wait_for(pilot, lambda: health.report["generated_at"] != first, what="the check-up after the outage")
        assert OUTAGE not in text(health, "#title") and "r refresh" in text(health, "#title")
        second = health.report["generated_at"]
        clock.advance(hours=1)
        await pilot.press("r")
        await pilot_wait_for(pilot, lambda: health.report["generated_at"] != second, what="r to read again")


async def test_keys_that_write_during_an_outage_are_refused_in_one_line_never_lost_silently(own_server, url, tmp_path):
    """Resolve (x), snooze (s) on the ticket screen and claim (a) on the inbox meet the stopped
    server: each says it was not done, nothing is written, the screen keeps answering; once back,
    the same key works. The ticket screen opened during the outage reads itself once it is over."""
    from deskui.ui.app import DeskApp
    from deskui.ui.screens.inbox import InboxScreen
    from deskui.ui.screens.ticket import TicketScreen

    ticket = add_claims(url, 1)[0]
    app = DeskApp(url, policy=default_policy(), clock=FixedClock(NOW), agent="ana", state_dir=tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        own_server.stop("immediate")
        await pilot_wait_for(pilot, lambda: "database" in app.failures, what="the outage to be noticed")
        await pilot.press("a")
        await pilot_wait_for(pilot, lambda: notes(app, "Not done") == 1, what="the claim to be refused")

        app.push_screen(TicketScreen(ticket))  # opened during the outage: nothing of it can be read yet
        await pilot_wait_for(pilot, lambda: isinstance(app.screen, TicketScreen), what="the ticket screen")
        screen = app.screen
        await pilot_wait_for(pilot, lambda: screen.query("#status") and
                             "this ticket is read when it answers" in text(screen, "#status"),
                             what="the ticket screen to say why it is empty")
        own_server.restart()
        await pilot_wait_for(pilot, lambda: "database" not in app.failures, what="the server to answer")
        await pilot_wait_for(pilot, lambda: screen.context is not None, what="the ticket read once the server answers")

        own_server.stop("immediate")
        await pilot_wait_for(pilot, lambda: "database" in app.failures, what="the second outage to be noticed")
        await pilot.press("x")
        await pilot_wait_for(pilot, lambda: notes(app, "Not done") == 2, what="the resolve to be refused")
        await pilot.press("s")
        await pilot.press(*"2h", "enter")
        await pilot_wait_for(pilot, lambda: notes(app, "Not done") == 3, what="the snooze to be refused")
        assert app.is_running and app.screen is screen

        own_server.restart()
        await pilot_wait_for(pilot, lambda: "database" not in app.failures, what="the server to answer again")
        check = connect(url)
        row = check.execute("SELECT status, assignee FROM tickets WHERE id = ?", (ticket,)).fetchone()
        assert tuple(row) == ("open", None)  # refused means not done: nothing half-written
        await pilot.press("x")
        await pilot_wait_for(pilot, lambda: check.execute("SELECT status FROM tickets WHERE id = ?", (ticket,)
                                                          ).fetchone()[0] == "solved", what="x to resolve once back")
        check.close()


async def test_a_handler_that_meets_the_outage_does_not_end_the_screen(own_server, url, tmp_path):
    """A change notification that came in as the server went away: the ticket screen's re-read
    fails in its handler. Textual ends a screen's message loop on such an exception (its timers
    stop, its widgets are pruned); the guard (ui/outage.py) says the outage and goes on."""
    from deskui.ui.app import DeskApp
    from deskui.ui.changes import StoreChanged
    from deskui.ui.screens.ticket import TicketScreen

    ticket = add_claims(url, 1)[0]
    app = DeskApp(url, policy=default_policy(), clock=FixedClock(NOW), agent="ana", state_dir=tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(ticket))
        await pilot_wait_for(pilot, lambda: isinstance(app.screen, TicketScreen) and app.screen.context is not None,
                             what="the ticket screen")
        screen = app.screen
        own_server.stop("immediate")
        screen.post_message(StoreChanged(ChangeSet(0, overflow=True)))
        await pilot_wait_for(pilot, lambda: "database" in app.failures, what="the outage to be said")
        await pilot.press("p")
        await pilot_wait_for(pilot, lambda: screen.has_class("show-panel"), what="the screen to answer keys")
        await pilot_wait_for(pilot, lambda: OUTAGE in text(screen, "#status"), what="its 1 s status line to go on")
        assert app.is_running and app.screen is screen
        own_server.restart()
        await pilot_wait_for(pilot, lambda: OUTAGE not in text(screen, "#status"), what="the status line to clear")
