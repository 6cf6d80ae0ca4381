"""One watcher per app: the change feed is polled in one thread, its news reach every screen."""

import asyncio
import threading

import pytest

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import StoreError, connect, write
from deskui.store.changes import ChangeFeed, ChangeSet, watch
from deskui.ui.app import DeskApp
from deskui.ui.changes import StoreChanged
from deskui.ui.screens.ticket import TicketScreen
from deskui.ui.widgets.ticket_list import TicketList
from tests.conftest import NOW
from tests.inbox_data import build

pytestmark = pytest.mark.backends


async def wait_for(pilot, condition, timeout=15.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out")
        await pilot.pause(0.05)


def test_a_burst_queued_behind_a_busy_screen_arrives_as_one_message():
    older = StoreChanged(ChangeSet(5, {1}, {"tickets"}))
    newer = StoreChanged(ChangeSet(9, {2}, {"presence"}, overflow=True))
    assert older.can_replace(newer)  # Textual then drops the older one: the newer carries both
    assert newer.changes == ChangeSet(9, {1, 2}, {"tickets", "presence"}, overflow=True)


def test_a_feed_that_cannot_be_read_says_so_then_asks_for_a_full_reread(tmp_path):
    path = tmp_path / "late.db"
    reports, failures, stop = [], [], threading.Event()

    def open_feed():
        return ChangeFeed(connect(path))  # a missing file first: StoreError

    def failed(error):
        failures.append(error)
        if error is not None:
            connect(path, create=True).close()  # the file appears: the next try reads it
        else:
            stop.set()

    watcher = threading.Thread(target=watch, args=(open_feed, reports.append, stop), kwargs={"failed": failed})
    watcher.start()
    watcher.join(30)
    assert not watcher.is_alive()
    assert isinstance(failures[0], StoreError) and failures[-1] is None
    assert stop.is_set()
    # After a gap nobody knows what was written: the screens are told to read everything again.
    assert reports and reports[0].overflow


async def test_the_inbox_under_an_open_ticket_follows_another_process(db_target):
    path = db_target
    ids = build(path, NOW)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        inbox = app.screen
        before = inbox.query_one(TicketList).count
        await app.push_screen(TicketScreen(ids["breached"]))
        other = connect(path)
        with write(other):
            other.execute("UPDATE tickets SET status = 'solved' WHERE id = ?", (ids["imminent"],))
        other.close()
        await wait_for(pilot, lambda: inbox.query_one(TicketList).count == before - 1)
        assert isinstance(app.screen, TicketScreen)


async def test_the_app_polls_the_feed_in_one_thread_and_no_screen_opens_a_connection(db_target, monkeypatch):
    import deskui.store.db as db

    path = db_target
    ids = build(path, NOW)
    opened = []
    real_connect = db.connect

    def counting(*args, **kwargs):
        opened.append(threading.current_thread().name)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(db, "connect", counting)
    import deskui.store.service as service

    monkeypatch.setattr(service, "connect", counting)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await app.push_screen(TicketScreen(ids["breached"]))
        await pilot.pause()
        await app.workers.wait_for_complete()
        watchers = [thread for thread in threading.enumerate() if thread.name == "deskui-changes"]
        assert len(watchers) == 1
        # The UI thread opened one connection (the store's) and one for the watcher's feed; the
        # rest are workers', each its own.
        main = [name for name in opened if name == threading.main_thread().name]
        assert len(main) == 2, opened
    for _ in range(200):  # the watcher stops with the app (it wakes every 0.5 s at most)
        if not any(thread.is_alive() for thread in watchers):
            break
        await asyncio.sleep(0.05)
    assert not any(thread.is_alive() for thread in watchers)
