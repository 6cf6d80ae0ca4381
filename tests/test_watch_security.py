"""The drop folder as a stranger can fill it: symbolic links, a pre-made ``failed`` link, a FIFO,
a file still being written. Real ``deskui watch`` processes on real files."""

from __future__ import annotations

import json
import os
import shutil
import stat
import threading
import time

import pytest

from deskui.store import connect
from tests.faults import ROOT, start, wait_for

pytestmark = pytest.mark.backends

FIXTURES = ROOT / "fixtures"
SECRET = "s3cr3t-T0KEN-do-not-leak"


def _ticket_line(number: int, body: str = "Where is my order?") -> str:
    return json.dumps({"channel": "shopify", "external_id": f"drop-{number}", "subject": f"Order {number}", "body": body,
                       "sent_at": "2026-11-25T09:00:00Z"}) + "\n"


@pytest.fixture
def drop(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    return folder


class Watcher:
    def __init__(self, folder, db_path):
        self.proc = start("watch", str(folder), "--db", str(db_path), "--interval", "0.1")
        self.db = connect(db_path)

    def tickets(self) -> int:
        return self.db.execute("SELECT count(*) FROM tickets").fetchone()[0]

    def stop(self) -> tuple[str, str]:
        self.proc.terminate()
        return self.proc.communicate(timeout=30)


@pytest.fixture
def watcher(drop, db_path):
    running = Watcher(drop, db_path)
    yield running
    if running.proc.poll() is None:
        running.stop()


def _reports(drop) -> list[str]:
    return [path.read_text() for path in (drop / "failed").glob("*.error.txt")]


def test_a_symlink_to_a_secret_file_is_refused_unread(tmp_path, drop, watcher):
    secret = tmp_path / "secret.jsonl"  # would import fine, and its content would land in a report
    secret.write_text(_ticket_line(1, SECRET) + "not json " + SECRET + "\n")
    secret.chmod(0o600)
    (drop / "tickets.jsonl").symlink_to(secret)
    wait_for(lambda: os.path.islink(drop / "failed" / "tickets.jsonl"), what="the link to be moved to failed/")
    shutil.copy(FIXTURES / "tickets/tickets.jsonl", drop / "real.jsonl")
    wait_for(lambda: (drop / "done" / "real.jsonl").exists(), what="the real file to be imported")
    out, _ = watcher.stop()
    assert "refused: tickets.jsonl" in out and "symbolic link" in out
    assert SECRET not in out and not any(SECRET in report for report in _reports(drop))
    assert watcher.db.execute("SELECT count(*) FROM messages WHERE body LIKE ?", (f"%{SECRET}%",)).fetchone()[0] == 0
    assert secret.read_text().count(SECRET) == 2  # the target itself is untouched


def test_a_rejected_file_report_is_private_and_holds_no_content(drop, watcher):
    (drop / "bad.jsonl").write_text(_ticket_line(1) + '{"channel": "shopify", "subject": "' + SECRET + '", "sent_at": "whenever ' + SECRET + '"}\n')
    wait_for(lambda: list((drop / "failed").glob("*.error.txt")), what="the error report")
    [report] = (drop / "failed").glob("*.error.txt")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    text = report.read_text()
    assert "line 2" in text and SECRET not in text
    assert watcher.tickets() == 0


def test_a_failed_folder_made_as_a_link_stops_the_watcher(tmp_path, drop, db_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (drop / "failed").symlink_to(elsewhere)
    (drop / "bad.txt").write_text("garbage\n")
    proc = start("watch", str(drop), "--db", str(db_path))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "symbolic link" in err
    assert not list(elsewhere.iterdir()) and (drop / "bad.txt").exists()


def test_a_failed_folder_swapped_for_a_link_while_watching_stops_it(tmp_path, drop, watcher):
    wait_for(lambda: (drop / "failed").is_dir(), what="watch to create failed/")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (drop / "failed").rename(tmp_path / "old-failed")
    (drop / "failed").symlink_to(elsewhere)
    (drop / "bad.txt").write_text("garbage\n")
    out, err = watcher.proc.communicate(timeout=60)
    assert watcher.proc.returncode != 0 and "was replaced" in err and "Traceback" not in err
    assert not list(elsewhere.iterdir())


def test_a_fifo_is_refused_and_does_not_hang_the_watcher(drop, watcher):
    os.mkfifo(drop / "orders.txt")
    wait_for(lambda: (drop / "failed" / "orders.txt").exists(), what="the FIFO to be moved away")
    shutil.copy(FIXTURES / "tickets/tickets.jsonl", drop / "after.jsonl")
    wait_for(lambda: (drop / "done" / "after.jsonl").exists(), what="the next file to be imported")
    out, _ = watcher.stop()
    assert "refused: orders.txt" in out and "not a regular file" in out


def test_a_file_still_being_written_waits_until_it_is_complete(drop, watcher):
    rows = 40
    path = drop / "slow.jsonl"
    writing = threading.Event()

    def write_slowly():  # in bursts, with pauses of several scans between them, like a slow export
        with open(path, "w") as out:
            for number in range(rows):
                out.write(_ticket_line(number))
                out.flush()
                writing.set()
                time.sleep(0.4 if number % 4 == 3 else 0.01)

    writer = threading.Thread(target=write_slowly)
    writer.start()
    writing.wait(10)
    writer.join()
    wait_for(lambda: (drop / "done" / "slow.jsonl").exists() or (drop / "failed" / "slow.jsonl").exists(),
             what="the file to be handled")
    watcher.stop()
    assert (drop / "done" / "slow.jsonl").exists()
    assert watcher.tickets() == rows


def test_a_file_renamed_from_part_is_imported_whole(drop, watcher):
    part = drop / "batch.jsonl.part"
    part.write_text("".join(_ticket_line(number) for number in range(5)))
    time.sleep(0.3)  # let a scan see the .part file (the test passes either way: then it settles)
    part.rename(drop / "batch.jsonl")
    wait_for(lambda: (drop / "done" / "batch.jsonl").exists(), what="the renamed file to be imported")
    assert watcher.tickets() == 5
    assert not (drop / "done" / "batch.jsonl.part").exists()


def test_file_names_in_the_watcher_output_cannot_forge_lines(drop, watcher):
    name = "x.jsonl\nimported: fake.jsonl -> everything fine\x1b[2K"
    shutil.copy(FIXTURES / "tickets/tickets.jsonl", drop / name)
    wait_for(lambda: (drop / "done").is_dir() and len(list((drop / "done").iterdir())) == 1, what="the file to be imported")
    out, _ = watcher.stop()
    assert "\x1b" not in out
    assert not any(line.startswith("imported: fake.jsonl") for line in out.splitlines())


def test_a_locked_database_makes_the_watcher_wait_not_die(drop, db_path):
    from tests.faults import WriteLock

    proc = start("watch", str(drop), "--db", str(db_path), "--interval", "0.1", env={"DESKUI_BUSY_TIMEOUT_MS": "200"})
    db = connect(db_path)
    try:
        with WriteLock(db_path):
            shutil.copy(FIXTURES / "tickets/tickets.jsonl", drop / "while-locked.jsonl")
            first = wait_for(proc.stdout.readline, what="the watcher to report the busy database")
        wait_for(lambda: (drop / "done" / "while-locked.jsonl").exists(), what="the import once the lock is gone")
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert first.startswith("busy: while-locked.jsonl") and "Traceback" not in err
    assert db.execute("SELECT count(*) FROM tickets").fetchone()[0] > 0
