"""Go to a ticket by #id or order number; the id column and sort marker; the mail connection on
the status line; attachments listed in the thread and opened with the system's opener."""

import os
import stat
from datetime import timedelta

import pytest

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect, write
from deskui.store.context import find_ticket
from deskui.timeutil import to_db
from deskui.ui.app import DeskApp
from deskui.ui.screens.ticket import TicketScreen
from deskui.ui.widgets.ticket_list import TicketList
from tests.conftest import NOW
from tests.inbox_data import build
from tests.helpers import settle

pytestmark = pytest.mark.backends


def test_find_ticket_by_id_or_order_number(db_target):
    path = db_target
    ids = build(path, NOW)
    conn = connect(path)
    assert find_ticket(conn, f"#{ids['paused']}") == ids["paused"]
    assert find_ticket(conn, str(ids["paused"])) == ids["paused"]
    assert find_ticket(conn, "171-5550123-1234567") == ids["breached"]
    assert find_ticket(conn, "#999999") is None and find_ticket(conn, "  ") is None


async def test_hash_opens_a_ticket_by_id_and_the_header_marks_the_sort(db_target):
    path = db_target
    ids = build(path, NOW)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        ticket_list = app.screen.query_one(TicketList)
        header = ticket_list.render_line(0).text
        assert "#ID" in header and "TIER▲" in header
        first = ticket_list.render_line(1).text
        assert f"#{ticket_list.highlighted_id} " in first
        await pilot.press("o", "o")  # risk -> next breach -> oldest first
        await settle(pilot)
        assert "AGE▼" in ticket_list.render_line(0).text
        await pilot.press("number_sign")
        await settle(pilot)
        await pilot.press(*str(ids["paused"]), "enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == ids["paused"]


async def test_the_status_line_shows_each_mailbox_as_sync_wrote_it(db_target):
    path = db_target
    build(path, NOW)
    conn = connect(path)
    with write(conn):
        conn.execute("INSERT INTO mailboxes (name, connected, idle, last_sync_at, updated_at) VALUES ('shop', 1, 1, ?, ?)",
                     (to_db(NOW), to_db(NOW)))
        conn.execute("INSERT INTO mailboxes (name, connected, error, updated_at) VALUES ('amazon-de', 0, ?, ?)",
                     ("mailbox amazon-de: authentication failed \x1b[31m", to_db(NOW)))
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        app.screen._show_mailboxes()
        app.screen._tick()
        await pilot.pause()
        bar = str(app.screen.query_one("#status").render())
        assert "✉ shop ●" in bar and "✉ amazon-de ✗ mailbox amazon-de: authentication failed" in bar
        assert "\x1b" not in bar


async def test_an_attachment_is_listed_and_opened_privately(tmp_path, db_target, monkeypatch):
    path = db_target
    ids = build(path, NOW)
    conn = connect(path)
    photo = b"\x89PNG\r\n\x1a\n" + b"x" * 5000
    with write(conn):
        message = conn.execute("SELECT id FROM messages WHERE ticket_id = ?", (ids["imminent"],)).fetchone()[0]
        conn.execute("INSERT INTO attachments (message_id, name, content_type, size, content) VALUES (?, ?, ?, ?, ?)",
                     (message, "../../crushed box.png", "image/png", len(photo), photo))
    opened = tmp_path / "opened.txt"
    opener = tmp_path / "opener.sh"  # a real program standing in for xdg-open: it records what it was given
    opener.write_text(f"#!/bin/sh\nprintf '%s' \"$1\" > {opened}\n", encoding="utf-8")
    opener.chmod(0o755)
    monkeypatch.setenv("DESKUI_OPENER", str(opener))
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW - timedelta(minutes=1)), agent="ana")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(ids["imminent"]))
        await settle(pilot)
        thread = str(app.screen.query_one("#messages").render())
        assert "⎘ ../../crushed box.png" in thread and "image/png, 4 KB" in thread
        await pilot.press("o")
        for _ in range(50):
            if opened.exists():
                break
            await pilot.pause(0.1)
        written = opened.read_text()
        assert written.endswith("crushed box.png") and ".." not in os.path.basename(written)
        assert open(written, "rb").read() == photo
        assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
