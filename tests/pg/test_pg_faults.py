"""The PostgreSQL server going away under a running deskui, for real: the cluster is stopped
(``pg_ctl stop -m immediate``, as a crash) and started again on the same port. Its own cluster,
so the session's shared one never stops under other tests."""

from __future__ import annotations

import subprocess
import sys

import pytest

from deskui.clock import FixedClock
from deskui.store import StoreError
from deskui.store.db import ConnectionLost, is_connection_failure
from deskui.store.service import Store
from deskui.store.workspace import load_draft
from tests.conftest import NOW
from tests.faults import ENV, ROOT, wait_for
from tests.helpers import add_ticket, pilot_wait_for
from tests.pg_server import PASSWORD, free_port


def test_a_draft_typed_while_the_server_is_down_waits_on_this_machine_then_lands(own_server, url, tmp_path):
    from deskui.store import connect

    check = connect(url)
    ticket = add_ticket(check, subject="Broken lamp", body="It arrived broken", sent_at=NOW)
    store = Store(url, state_dir=tmp_path)
    clock = FixedClock(NOW)
    store.save_draft(clock, ticket, "ana", "Sorry")
    assert store.connection_problem() is None
    own_server.stop("immediate")
    with pytest.raises(ConnectionLost):
        store.save_draft(clock, ticket, "ana", "Sorry about the lamp: a new one ships today.")
    assert store.add_note(clock, ticket, "ana", "customer called twice") is None  # kept, not lost
    kept = list((tmp_path / "pending").glob("*.json"))
    assert len(kept) == 1 and "a new one ships today" in kept[0].read_text() and PASSWORD not in kept[0].read_text()
    assert (kept[0].stat().st_mode & 0o077) == 0
    line = store.connection_problem()
    assert line.startswith("database server unreachable — reconnecting…") and "2 change(s)" in line
    assert store.load_draft(ticket, "ana") == "Sorry about the lamp: a new one ships today."
    # a second store (the app closed during the outage and opened again) finds the same file
    assert len(Store(url, state_dir=tmp_path).pending) == 2
    own_server.restart()
    wait_for(lambda: store.connection_problem() is None, what="the store to reconnect and write what waited")
    check = connect(url)
    assert load_draft(check, ticket, "ana") == "Sorry about the lamp: a new one ships today."
    assert check.execute("SELECT count(*) FROM messages WHERE direction = 'note' AND body = 'customer called twice'"
                         ).fetchone()[0] == 1
    assert not list((tmp_path / "pending").glob("*.json"))
    assert store.conn.reconnects == 1
    store.save_draft(clock, ticket, "ana", "and a voucher")  # the same connection object works again
    assert load_draft(check, ticket, "ana") == "and a voucher"


def test_a_write_cut_by_the_server_going_away_is_not_half_stored(own_server, url):
    from deskui.store import connect
    from deskui.store.db import write

    conn = connect(url)
    with pytest.raises(ConnectionLost):
        with write(conn):
            conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
            own_server.stop("immediate")
            conn.execute("INSERT INTO meta (key, value) VALUES ('b', '2')")
    own_server.restart()
    wait_for(lambda: _answers(conn), what="the connection to come back")
    assert conn.execute("SELECT count(*) FROM meta WHERE key IN ('a', 'b')").fetchone()[0] == 0


def _answers(conn) -> bool:
    try:
        conn.execute("SELECT 1").fetchone()
        return True
    except ConnectionLost:
        return False


def test_opening_while_the_server_is_down_is_a_reconnectable_failure(own_server, url):
    from deskui.store import connect

    own_server.stop("immediate")
    with pytest.raises(StoreError) as caught:
        connect(url)
    assert is_connection_failure(caught.value) and "no PostgreSQL server answers there" in str(caught.value)


@pytest.mark.parametrize("command", [["inbox"], ["health"], ["init"], ["refresh"]])
def test_a_command_against_a_stopped_server_is_one_line(own_server, url, command):
    own_server.stop("immediate")
    done = subprocess.run([sys.executable, "-m", "deskui", *command, url], capture_output=True, text=True,
                          timeout=120, env=ENV, cwd=ROOT)
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert "no PostgreSQL server answers there" in done.stderr and PASSWORD not in done.stderr


async def until(pilot, condition, what: str):
    await pilot_wait_for(pilot, condition, what=what)


def shown(screen, selector: str) -> str:
    from textual.widgets import Static

    return str(screen.query_one(selector, Static).render())


async def test_the_screens_say_the_server_is_gone_and_a_draft_typed_meanwhile_lands(own_server, url, tmp_path):
    from textual.widgets import TextArea

    from deskui.policy import default_policy
    from deskui.store import connect
    from deskui.ui.app import DeskApp
    from deskui.ui.screens.inbox import InboxScreen
    from deskui.ui.screens.ticket import TicketScreen
    from tests.helpers import settle
    from tests.inbox_data import build

    ids = build(url, NOW)
    ticket = ids["imminent"]
    app = DeskApp(url, policy=default_policy(), clock=FixedClock(NOW), agent="ana", state_dir=tmp_path)
    outage = "database server unreachable — reconnecting…"
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        own_server.stop("immediate")
        await until(pilot, lambda: outage in inbox.status_bar.problem, "the inbox to say the server is gone")
        assert app.is_running and app.return_code is None
        own_server.restart()
        await until(pilot, lambda: outage not in inbox.status_bar.problem, "the inbox's outage line to clear")
        app.push_screen(TicketScreen(ticket))
        await settle(pilot)
        screen = app.screen
        await until(pilot, lambda: isinstance(app.screen, TicketScreen) and screen.query("#status"), "the ticket screen")
        await pilot.press("r")
        await pilot.press(*"Sorry")
        await until(pilot, lambda: load_draft(connect(url), ticket, "ana") == "Sorry", "the first draft to be saved")

        own_server.stop("immediate")
        await until(pilot, lambda: outage in shown(screen, "#status"), "the ticket screen to say the server is gone")
        await pilot.press(*" about the lamp")
        await until(pilot, lambda: "kept on this machine" in shown(screen, "#draft-state"), "the draft to wait locally")
        assert screen.query_one(TextArea).text == "Sorry about the lamp"
        kept = tmp_path / "pending"
        await until(pilot, lambda: any("Sorry about the lamp" in f.read_text() for f in kept.glob("*.json")),
                    "the whole text in the file (saved within 0.8 s of a key)")
        assert len(list(kept.glob("*.json"))) == 1
        assert app.is_running and app.return_code is None

        own_server.restart()
        await until(pilot, lambda: outage not in shown(screen, "#status"), "the outage line to clear")
        await until(pilot, lambda: load_draft(connect(url), ticket, "ana") == "Sorry about the lamp",
                    "the draft typed during the outage to land")
        await until(pilot, lambda: not shown(screen, "#draft-state").strip(), "the draft line to clear")
        assert not list((tmp_path / "pending").glob("*.json"))
        assert "database" not in app.failures
        await pilot.press(*"!")  # and the screen goes on working on the new connection
        await until(pilot, lambda: load_draft(connect(url), ticket, "ana") == "Sorry about the lamp!", "a later draft")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "deskui", *args], capture_output=True, text=True, timeout=120,
                          env=ENV, cwd=ROOT)


def _one_line(done: subprocess.CompletedProcess, words: str) -> None:
    assert done.returncode != 0, done
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert words in done.stderr and PASSWORD not in done.stderr and "wrong-pw" not in done.stderr, done.stderr


@pytest.mark.parametrize("command", ["inbox", "health", "init"])
def test_bad_connection_strings_are_one_line_for_each_command(pg_server, pg_url, command):
    """The commands a user types first, against the session's server: what is wrong, named."""
    _one_line(_cli(command, pg_url.replace(PASSWORD, "wrong-pw")), "refused the password")
    _one_line(_cli(command, pg_server.url("no_such_db")), "no such database")
    _one_line(_cli(command, f"postgresql://postgres:{PASSWORD}@127.0.0.1:{free_port()}/postgres"),
              "no PostgreSQL server answers there")
    _one_line(_cli(command, f"postgresql://postgres:{PASSWORD}@no-such-host.invalid/postgres"), "no-such-host.invalid")


@pytest.mark.parametrize("command", ["inbox", "health", "init"])
def test_a_database_of_a_newer_deskui_is_one_line_for_each_command(pg_url, command):
    from deskui.store.postgres import connect as raw_connect
    from deskui.store.postgres.schema import SCHEMA_VERSION, VERSION_TABLE

    conn = raw_connect(pg_url)
    conn.execute(f"INSERT INTO {VERSION_TABLE} (version, applied_at) VALUES (%s, 'x')", (SCHEMA_VERSION + 1,))
    conn.close()
    _one_line(_cli(command, pg_url), "newer deskui")


def test_migrate_into_a_database_holding_other_data_is_one_line_and_changes_nothing(pg_empty_url, tmp_path):
    from deskui.demo import generate
    from deskui.store import connect

    source = tmp_path / "demo.db"
    generate(source, seed=3, tickets=30, now=NOW)
    assert _cli("migrate", str(source), pg_empty_url).returncode == 0
    conn = connect(pg_empty_url)
    conn.execute("UPDATE tickets SET subject = 'changed here' WHERE id = 4")
    before = conn.execute("SELECT count(*), sum(length(subject)) FROM tickets").fetchone()
    _one_line(_cli("migrate", str(source), pg_empty_url), "already holds other data")
    assert conn.execute("SELECT count(*), sum(length(subject)) FROM tickets").fetchone() == before
    assert conn.execute("SELECT subject FROM tickets WHERE id = 4").fetchone()[0] == "changed here"


async def test_moving_through_the_inbox_while_the_server_is_down_keeps_the_screen_working(own_server, url, tmp_path):
    """Each highlight reads the ticket's details: a read that meets the outage says so and
    leaves the screen answering keys (an exception in a handler would end its message loop)."""
    from deskui.policy import default_policy
    from deskui.ui.app import DeskApp
    from tests.helpers import settle
    from tests.inbox_data import build

    build(url, NOW)
    app = DeskApp(url, policy=default_policy(), clock=FixedClock(NOW), agent="ana", state_dir=tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        inbox = app.screen
        first = inbox.ticket_list.highlighted_id
        own_server.stop("immediate")
        for _ in range(3):
            await pilot.press("j")
        await until(pilot, lambda: "database" in app.failures, "the outage to be said")
        assert app.is_running and app.screen is inbox
        assert inbox.panel.context is None  # no stale ticket's details under another ticket's row
        own_server.restart()
        await until(pilot, lambda: "database" not in app.failures, "the outage line to clear")
        await pilot.press("k")
        moved = inbox.ticket_list.highlighted_id
        assert moved not in (None, first)
        await until(pilot, lambda: inbox.panel.context is not None and inbox.panel.context.ticket["id"] == moved,
                    "the panel to show the highlighted ticket again")
