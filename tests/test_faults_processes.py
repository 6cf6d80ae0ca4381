"""Processes and locks, tried for real: a second process holding the write lock past the busy
timeout, ``kill -9`` of an import while its worker parses and while it triages."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from datetime import timedelta

import pytest

from deskui.clock import FixedClock
from deskui.outbox import list_outbox
from deskui.store import connect
from deskui.store.tickets import add_reply, refresh_tickets
from tests.faults import PROC, WriteLock, alive, children, has_open, start, wait_for
from tests.helpers import add_ticket

pytestmark = [pytest.mark.skipif(not PROC.is_dir() and not os.environ.get("CI"), reason="needs /proc (Linux) to watch processes"),
              pytest.mark.backends]

FAST_BUSY = {"DESKUI_BUSY_TIMEOUT_MS": "300"}  # every command's usual wait, shortened for the test


def _queued_reply(db_path, policy, now) -> int:
    conn = connect(db_path)
    ticket = add_ticket(conn, subject="Where is my parcel?", body="Still nothing", sent_at=now - timedelta(hours=1))
    refresh_tickets(conn, policy, now)
    add_reply(conn, policy, FixedClock(now), ticket, "ana", "It ships today.")
    [item] = list_outbox(conn)
    conn.close()
    return item.id


def _sent_events(db_path) -> int:
    return connect(db_path).execute("SELECT count(*) FROM events WHERE kind = 'sent'").fetchone()[0]


@pytest.mark.sqlite_only("tells the command reached the database by the file among its open descriptors (/proc)")
def test_outbox_mark_waits_out_a_lock_held_past_the_busy_timeout_and_is_safe_to_repeat(db_path, policy, clock):
    outbox_id = _queued_reply(db_path, policy, clock.now())
    with WriteLock(db_path) as lock:
        marking = start("outbox", "mark", str(outbox_id), "sent", "--db", str(db_path), env=FAST_BUSY)
        wait_for(lambda: has_open(marking.pid, db_path) or marking.poll() is not None, what="mark to open the database")
        # Held for several busy timeouts: a command that only waited its busy timeout fails here.
        with pytest.raises(subprocess.TimeoutExpired):
            marking.wait(timeout=2.0)
        lock.release()
        out, err = marking.communicate(timeout=60)
    assert marking.returncode == 0, err
    assert "Traceback" not in err and out.strip() == f"outbox {outbox_id}: sent"
    again = start("outbox", "mark", str(outbox_id), "sent", "--db", str(db_path))
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0 and "nothing changed" in out, err
    assert _sent_events(db_path) == 1  # the repeat recorded nothing


def test_outbox_mark_that_runs_out_of_patience_says_so_in_one_line(db_path, policy, clock):
    outbox_id = _queued_reply(db_path, policy, clock.now())
    with WriteLock(db_path):
        marking = start("outbox", "mark", str(outbox_id), "sent", "--db", str(db_path), "--wait", "1", env=FAST_BUSY)
        out, err = marking.communicate(timeout=60)
    assert marking.returncode == 1 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "write lock" in err and "safe to repeat" in err
    assert list_outbox(connect(db_path))[0].status == "queued"
    done = start("outbox", "mark", str(outbox_id), "sent", "--db", str(db_path))
    assert done.wait(timeout=60) == 0


@pytest.mark.parametrize("command", [["refresh", "{db}"], ["import", "--db", "{db}", "{file}"]])
def test_every_command_on_a_locked_database_fails_with_one_line(db_path, clock, tmp_path, command):
    from tests.faults import ROOT

    conn = connect(db_path)
    add_ticket(conn, subject="untriaged", body="hello", sent_at=clock.now())  # something for refresh to write
    conn.close()
    argv = [word.format(db=db_path, file=ROOT / "fixtures/tickets/tickets.jsonl") for word in command]
    with WriteLock(db_path):
        proc = start(*argv, env=FAST_BUSY)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1 and "write lock" in err
    again = start(*argv)
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err


def _big_mbox(tmp_path, messages: int = 6000):
    from deskui.ingest.mail import PARALLEL_MIN_BYTES
    from tests.bench.bench_ingest import make_mbox

    archive = tmp_path / "big.mbox"
    make_mbox(archive, messages)
    assert archive.stat().st_size >= PARALLEL_MIN_BYTES  # big enough for the parsing worker
    return archive


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the parsing worker runs only with two cores or more")
def test_the_parse_worker_dies_with_an_import_killed_mid_parse(db_path, tmp_path):
    archive = _big_mbox(tmp_path)
    importer = start("import", "--db", str(db_path), str(archive), env={"DESKUI_IMPORT_WORKERS": "1"})
    worker = None
    try:
        [worker] = wait_for(lambda: children(importer.pid), what="the parsing worker to start")
        os.kill(importer.pid, signal.SIGKILL)
        importer.wait(timeout=30)
        wait_for(lambda: not alive(worker), timeout=30, what=f"worker {worker} to exit after its parent was killed")
    finally:
        if worker and alive(worker):
            os.kill(worker, signal.SIGKILL)
    conn = connect(db_path)
    assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0  # all or nothing


def test_a_reimport_finishes_the_triage_a_killed_import_left(tmp_path):
    archive = _big_mbox(tmp_path)
    for attempt in range(3):  # the kill may land after triage ended on a fast machine: try again
        db_path = tmp_path / f"desk-{attempt}.db"
        connect(db_path, create=True).close()
        watcher = connect(db_path)

        def in_triage() -> bool:
            stored, waiting = watcher.execute("SELECT count(*), coalesce(sum(needs_triage), 0) FROM tickets").fetchone()
            return stored > 0 and waiting > 0

        importer = start("import", "--db", str(db_path), str(archive))
        wait_for(lambda: in_triage() or importer.poll() is not None, timeout=120, interval=0.005, what="the triage phase")
        if importer.poll() is None:
            os.kill(importer.pid, signal.SIGKILL)
        importer.wait(timeout=30)
        if in_triage():
            break
    left = watcher.execute("SELECT count(*) FROM tickets WHERE needs_triage = 1").fetchone()[0]
    assert left > 0, "could not kill the import during its triage"
    again = start("import", "--db", str(db_path), str(archive))
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert f"triaged {left} ticket(s) an earlier import" in out
    assert "added 0" in out  # the rows themselves were all stored before the kill
    assert watcher.execute("SELECT count(*) FROM tickets WHERE needs_triage = 1 OR tier IS NULL").fetchone()[0] == 0


def test_watch_triages_what_an_earlier_import_left(db_path, clock, tmp_path):
    conn = connect(db_path)
    for number in range(3):
        add_ticket(conn, subject=f"A-to-z claim {number}", body="I will open an A-to-z claim", sent_at=clock.now())
    drop = tmp_path / "drop"
    drop.mkdir()
    watcher = start("watch", str(drop), "--db", str(db_path), "--interval", "0.1")
    said = []
    # The watcher says it after the triage commits: wait for the words, not only the rows, or a
    # terminate between the two loses the line (it was flaky on a loaded machine).
    reader = threading.Thread(target=lambda: said.extend(iter(watcher.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        wait_for(lambda: conn.execute("SELECT count(*) FROM tickets WHERE needs_triage = 1").fetchone()[0] == 0,
                 what="watch to triage the pending tickets")
        wait_for(lambda: any("triaged 3 ticket(s)" in line for line in said), what="watch to say what it triaged")
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)
        reader.join(timeout=30)
    assert any("triaged 3 ticket(s)" in line for line in said)
    assert {row[0] for row in conn.execute("SELECT tier FROM tickets")} == {"critical"}
