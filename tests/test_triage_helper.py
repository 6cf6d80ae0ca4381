"""The triage helper process (store/triage_helper.py): the same rows as triage in one process,
nothing overwritten with values older than another connection's commit, and a helper killed
for real costs only time."""

from __future__ import annotations

import os
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest

from deskui.store import connect, tickets, triage_helper
from tests.faults import PROC, ROOT, alive, children, wait_for
from tests.helpers import add_ticket

pytestmark = pytest.mark.skipif(not triage_helper.can_fork() and not os.environ.get("CI"),
                                reason="the helper forks: two cores and a fork-capable platform")

TICKETS = 240
BODIES = ("Where is my parcel?", "It arrived damaged, I want a refund", "I will open an A-to-z claim",
          "Wrong size, can I return it?", "Thanks, all good", "Chargeback filed with my bank")


@pytest.fixture
def small_batches(monkeypatch, fork_despite_threads):
    monkeypatch.setattr(tickets, "BATCH", 20)  # 12 batches, so both processes get some
    monkeypatch.setattr(triage_helper, "HELPER_MIN_TICKETS", 50)


@pytest.fixture
def untriaged(tmp_path, clock):
    path = tmp_path / "desk.db"
    conn = connect(path, create=True)
    now = clock.now()
    for number in range(TICKETS):
        add_ticket(conn, subject=f"Order {number}", body=BODIES[number % len(BODIES)],
                   sent_at=now - timedelta(minutes=7 * number), channel=("amazon", "shopify", "ebay")[number % 3])
    conn.close()
    return path


def _copy(path, name):
    other = path.with_name(name)
    shutil.copy(path, other)
    return other


def _tickets(path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT * FROM tickets ORDER BY id").fetchall()
    finally:
        conn.close()


def _serial(path, policy, now) -> list[tuple]:
    conn = connect(path)
    tickets.refresh_tickets(conn, policy, now, _ids(conn))
    conn.close()
    return _tickets(path)


def _ids(conn) -> list[int]:
    return [row[0] for row in conn.execute("SELECT id FROM tickets ORDER BY id")]


def _helped(path, policy, now) -> None:
    conn = connect(path)
    assert triage_helper.refresh_tickets_helped(conn, policy, now, _ids(conn)) == TICKETS
    conn.close()


def _count_helper_batches(monkeypatch) -> list:
    received = []
    original = triage_helper._Frames.next

    def counting(self):
        frame = original(self)
        if frame is not None:
            received.append(frame[0])
        return frame

    monkeypatch.setattr(triage_helper._Frames, "next", counting)
    return received


def _wait_for_the_helper(monkeypatch) -> None:
    """This process takes a batch itself only when the helper has sent nothing for 30 s: so the
    helper derives them all, whatever the machine's speed."""
    monkeypatch.setattr(triage_helper._Frames, "ready", lambda self: bool(select.select([self.fd], [], [], 30)[0]))


def test_the_helper_gives_the_rows_triage_in_one_process_gives(untriaged, policy, clock, small_batches, monkeypatch):
    expected = _serial(_copy(untriaged, "serial.db"), policy, clock.now())
    received = _count_helper_batches(monkeypatch)
    _helped(untriaged, policy, clock.now())
    assert _tickets(untriaged) == expected
    assert {row[-1] for row in connect(untriaged).execute("SELECT id, needs_triage FROM tickets")} == {0}
    assert received == sorted(received, reverse=True)  # the helper works from the end


def test_every_batch_derived_by_the_helper_matches(untriaged, policy, clock, small_batches, monkeypatch):
    expected = _serial(_copy(untriaged, "serial.db"), policy, clock.now())
    received = _count_helper_batches(monkeypatch)
    _wait_for_the_helper(monkeypatch)
    _helped(untriaged, policy, clock.now())
    assert received == list(range(TICKETS // tickets.BATCH - 1, -1, -1))  # all twelve, last first
    assert _tickets(untriaged) == expected


def test_another_connections_commit_is_never_overwritten_by_the_helpers_older_values(untriaged, policy, clock,
                                                                                    small_batches, monkeypatch):
    now = clock.now()
    conn = connect(untriaged)
    last_ticket = _ids(conn)[-1]  # in the helper's first batch
    conn.close()
    written_meanwhile = []
    original = triage_helper._Frames.next

    def after_the_helper_derived(self):
        frame = original(self)  # derived from a snapshot taken before the write below
        if not written_meanwhile:
            other = connect(untriaged)
            add_claim(other, last_ticket, now)
            other.close()
            written_meanwhile.append(frame[0])
        return frame

    _wait_for_the_helper(monkeypatch)
    monkeypatch.setattr(triage_helper._Frames, "next", after_the_helper_derived)
    serial_copy = _copy(untriaged, "serial.db")
    stale = {row[0]: row for row in _serial(_copy(untriaged, "stale.db"), policy, now)}
    _helped(untriaged, policy, now)

    add_claim(connect(serial_copy), last_ticket, now)
    expected = _serial(serial_copy, policy, now)
    assert written_meanwhile == [TICKETS // tickets.BATCH - 1]
    assert _tickets(untriaged) == expected
    row = {row[0]: row for row in _tickets(untriaged)}[last_ticket]
    assert row != stale[last_ticket]  # the claim moved it: the helper's values were not kept


def add_claim(conn, ticket_id: int, now) -> None:
    from deskui.store import write
    from deskui.timeutil import to_db

    with write(conn):
        conn.execute("INSERT INTO messages (ticket_id, direction, author, body, sent_at) VALUES (?, 'in', 'buyer', ?, ?)",
                     (ticket_id, "I have opened an A-to-z guarantee claim and a chargeback", to_db(now - timedelta(minutes=1))))


def test_a_helper_killed_for_real_costs_only_time(untriaged, policy, clock, small_batches, monkeypatch):
    expected = _serial(_copy(untriaged, "serial.db"), policy, clock.now())
    forked, killed = [], []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    original = triage_helper._Frames.next

    def kill_the_helper_first(self):
        if not killed:
            [helper] = forked
            os.kill(helper, signal.SIGKILL)
            wait_for(lambda: not alive(helper), what="the helper to die")
            killed.append(helper)
        return original(self)

    _wait_for_the_helper(monkeypatch)
    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(triage_helper._Frames, "next", kill_the_helper_first)
    _helped(untriaged, policy, clock.now())
    assert killed and _tickets(untriaged) == expected
    assert not (PROC / str(killed[0])).exists()  # reaped, not left a zombie


@pytest.mark.skipif(not PROC.is_dir() and not os.environ.get("CI"), reason="needs /proc (Linux) to watch processes")
def test_the_helper_dies_with_a_process_killed_while_it_derives(untriaged):
    # A process stopped in its first batch while its helper is stopped in the helper's.
    script = textwrap.dedent(f"""
        import time
        from datetime import datetime, timezone
        from deskui.policy import default_policy
        from deskui.store import connect, tickets, triage_helper
        tickets.BATCH, triage_helper.HELPER_MIN_TICKETS = 20, 50
        tickets._derive_batch = tickets._refresh_batch = lambda *args: time.sleep(3600)
        conn = connect({str(untriaged)!r})
        ids = [row[0] for row in conn.execute("SELECT id FROM tickets")]
        triage_helper.refresh_tickets_helped(conn, default_policy(), datetime.now(timezone.utc), ids)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    helper = None
    try:
        [helper] = wait_for(lambda: children(process.pid), what="the helper to start")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        wait_for(lambda: not alive(helper), timeout=30, what=f"helper {helper} to exit after its parent was killed")
    finally:
        if process.poll() is None:
            process.kill()
        if helper and alive(helper):
            os.kill(helper, signal.SIGKILL)


def test_a_small_set_stays_in_one_process(tmp_path, policy, clock, monkeypatch):
    conn = connect(tmp_path / "desk.db", create=True)
    add_ticket(conn, body="Where is my parcel?", sent_at=clock.now())
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked for one ticket"))
    assert triage_helper.refresh_tickets_helped(conn, policy, clock.now(), _ids(conn)) == 1
    assert conn.execute("SELECT needs_triage FROM tickets").fetchone()[0] == 0
