"""`deskui import` and `deskui watch` as real processes."""

import os
import shutil
import subprocess
import sys
import time

import pytest

from tests.helpers import scalar
from tests.test_cli import ROOT, deskui

pytestmark = pytest.mark.backends

FIXTURES = ROOT / "fixtures"


def test_import_then_reimport_changes_nothing(db_path):
    first = deskui("import", "--db", str(db_path), str(FIXTURES / "amazon/orders-by-order-date.txt"), str(FIXTURES / "mail/inbox.mbox"))
    assert first.returncode == 0, first.stderr
    assert "added" in first.stdout
    again = deskui("import", "--db", str(db_path), str(FIXTURES / "amazon/orders-by-order-date.txt"), str(FIXTURES / "mail/inbox.mbox"))
    assert again.returncode == 0
    for line in again.stdout.splitlines():
        if "added" in line:
            assert "added 0" in line and "updated 0" in line, line


def test_bad_file_is_named_with_line_and_field_and_stores_nothing(db_path):
    result = deskui("import", "--db", str(db_path), str(FIXTURES / "bad/amazon-bad-price.txt"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "amazon-bad-price.txt:3: field item-price" in result.stdout
    assert scalar(db_path, "SELECT count(*) FROM orders") == 0


def test_dry_run_stores_nothing(db_path):
    result = deskui("import", "--db", str(db_path), "--dry-run", str(FIXTURES / "shopify/orders-export.csv"))
    assert result.returncode == 0 and "added" in result.stdout
    assert scalar(db_path, "SELECT count(*) FROM orders") == 0


def test_watch_imports_files_as_they_arrive(db_path, tmp_path):
    inbox = tmp_path / "drop"
    inbox.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "deskui", "watch", str(inbox), "--db", str(db_path), "--interval", "0.2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        time.sleep(1.0)
        shutil.copy(FIXTURES / "mail/amazon-buyer-message.eml", inbox / "message.eml")
        shutil.copy(FIXTURES / "bad/amazon-bad-date.txt", inbox / "report.txt")
        deadline = time.time() + 30
        # the report is linked in whole after the file is moved: wait for both
        while time.time() < deadline and not ((inbox / "done/message.eml").exists()
                                              and (inbox / "failed/report.txt.error.txt").exists()):
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert (inbox / "done/message.eml").exists()
    assert (inbox / "failed/report.txt").exists()
    error = (inbox / "failed/report.txt.error.txt").read_text()
    assert "field purchase-date" in error
    assert scalar(db_path, "SELECT count(*) FROM tickets") == 1


def test_an_agent_writes_between_the_triage_batches_of_another_process_import(db_path, tmp_path):
    """The import's rows are one transaction; their triage follows in batches of their own, so an
    agent in another process gets the write lock while imported tickets still wait for triage."""
    from datetime import timedelta

    from deskui.clock import FixedClock
    from deskui.policy import default_policy
    from deskui.store import connect
    from deskui.store.tickets import add_reply
    from tests.bench.bench_ingest import NOW, make_mbox
    from tests.helpers import add_ticket

    archive = tmp_path / "big.mbox"
    make_mbox(archive, 4000)
    conn = connect(db_path)
    mine = add_ticket(conn, subject="question", body="hello", sent_at=NOW - timedelta(hours=1))
    importer = subprocess.Popen([sys.executable, "-m", "deskui", "import", "--db", str(db_path), str(archive)],
                                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    replies, between = 0, 0
    while importer.poll() is None:
        add_reply(conn, default_policy(), FixedClock(NOW), mine, "ana", f"Update {replies}")  # never raises "locked"
        replies += 1
        imported, waiting = conn.execute(
            "SELECT count(*), coalesce(sum(needs_triage), 0) FROM tickets WHERE id != ?", (mine,)).fetchone()
        if imported and waiting:
            between += 1  # our reply committed after the import's rows and before their triage ended
        time.sleep(0.01)
    assert importer.returncode == 0, importer.stderr.read()
    assert between > 0 and replies > between
    assert conn.execute("SELECT count(*) FROM tickets WHERE needs_triage = 1").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM messages WHERE ticket_id = ? AND direction = 'out'", (mine,)).fetchone()[0] == replies
