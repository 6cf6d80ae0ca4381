"""The inbox's header counts: one count worker at most (a running query cannot be stopped, so
requests meanwhile wait for it instead of piling up threads), a request made meanwhile runs after
it, and the kept counts follow another process's writes."""

import asyncio
import threading

import pytest

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect, write
from deskui.ui.app import DeskApp
from tests.conftest import NOW
from tests.inbox_data import build

pytestmark = pytest.mark.backends


async def wait_for(pilot, condition, timeout=20.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("timed out")
        await pilot.pause(0.05)


async def test_one_count_worker_at_most_and_the_request_made_meanwhile_runs_after_it(db_target, monkeypatch):
    import deskui.ui.screens.inbox as inbox

    path = db_target
    build(path, NOW)
    real, calls, gate = inbox.state_counts, [], threading.Event()
    running, peak = [0], [0]

    def slow(conn, policy, now):
        running[0] += 1
        peak[0] = max(peak[0], running[0])
        calls.append(now)
        try:
            gate.wait(30)
            return real(conn, policy, now)
        finally:
            running[0] -= 1

    monkeypatch.setattr(inbox, "state_counts", slow)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: len(calls) == 1)
        other = connect(path)
        for number in range(3):  # another process writes tickets while the count runs
            with write(other):
                other.execute("UPDATE tickets SET status = 'solved' WHERE id = (SELECT min(id) FROM tickets WHERE status = 'open')")
            await pilot.pause(0.4)
            app.screen._count_states()
        assert len(calls) == 1 and running[0] == 1
        gate.set()
        await wait_for(pilot, lambda: len(calls) == 2 and not app.screen._counting)
        await pilot.pause(1.5)
        assert peak[0] == 1
        open_now = other.execute("SELECT count(*) FROM tickets WHERE status != 'solved'").fetchone()[0]
        await wait_for(pilot, lambda: app.screen.status_bar.counts is not None and app.screen.status_bar.counts.total == open_now)
        other.close()
