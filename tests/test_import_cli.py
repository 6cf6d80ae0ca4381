"""`deskui import` and `deskui watch` as real processes."""

import os
import shutil
import subprocess
import sys
import time

from tests.test_cli import ROOT, deskui

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
    import sqlite3

    result = deskui("import", "--db", str(db_path), str(FIXTURES / "bad/amazon-bad-price.txt"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "amazon-bad-price.txt:3: field item-price" in result.stdout
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM orders").fetchone()[0] == 0


def test_dry_run_stores_nothing(db_path):
    import sqlite3

    result = deskui("import", "--db", str(db_path), "--dry-run", str(FIXTURES / "shopify/orders-export.csv"))
    assert result.returncode == 0 and "added" in result.stdout
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM orders").fetchone()[0] == 0


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
        while time.time() < deadline and not ((inbox / "done/message.eml").exists() and (inbox / "failed/report.txt").exists()):
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert (inbox / "done/message.eml").exists()
    assert (inbox / "failed/report.txt").exists()
    error = (inbox / "failed/report.txt.error.txt").read_text()
    assert "field purchase-date" in error
    import sqlite3

    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM tickets").fetchone()[0] == 1
