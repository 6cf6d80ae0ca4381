"""`deskui migrate`: a demo database copied into a real PostgreSQL server and back, row for row."""

from __future__ import annotations

import os
import pty
import shutil
import sqlite3
import subprocess
import sys

import pytest

from deskui.demo import generate
from deskui.store import StoreError
from deskui.store import connect as sqlite_connect
from deskui.store.postgres import connect
from deskui.store.postgres.feed import ChangeFeed
from deskui.store.postgres.migrate import BATCH, contract_tables, migrate
from tests.conftest import NOW
from tests.pg_server import PASSWORD


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    generate(path, seed=7, tickets=300, now=NOW)
    conn = sqlite_connect(path)
    # What the demo does not write: a file, a big IMAP UIDVALIDITY, presence, text from far away.
    conn.execute("INSERT INTO attachments (message_id, name, content_type, size, content) VALUES (1, 'p.jpg', 'image/jpeg', 4, ?)",
                 (b"\x00\xff\x10\x80",))
    conn.execute("INSERT INTO mailbox_folders (mailbox, folder, uidvalidity, last_uid, updated_at) VALUES ('shop', 'INBOX', 4294967295, 7, 'x')")
    conn.execute("INSERT INTO presence (ticket_id, agent, activity, since, heartbeat_at) VALUES (1, 'ana', 'viewing', 'x', 'x')")
    conn.execute("INSERT INTO drafts (ticket_id, agent, body, updated_at) VALUES (2, 'ana', 'Grüße 👋 ‮', 'x')")
    # Enough change rows that the copy takes more than one batch.
    conn.executemany("INSERT INTO changes (table_name, ticket_id, operation) VALUES ('tickets', ?, 'update')",
                     [(n % 300 + 1,) for n in range(BATCH + 10)])
    conn.close()
    return path


@pytest.fixture
def source(demo_file, tmp_path):
    path = tmp_path / "source.db"
    shutil.copy(demo_file, path)
    return path


def dump(conn) -> dict[str, list[tuple]]:
    return {t.name: [tuple(r) for r in conn.execute(f"SELECT {', '.join(t.columns)} FROM {t.name} ORDER BY {', '.join(t.key)}")]
            for t in contract_tables()}


def test_sqlite_to_postgresql_and_back_keeps_every_row(source, pg_empty_url, tmp_path):
    original = dump(sqlite_connect(source))
    assert len(original["changes"]) > BATCH and all(original[name] for name in ("tickets", "messages", "orders", "events"))
    report = migrate(str(source), pg_empty_url)
    assert report.counts == {name: len(rows) for name, rows in original.items()} and not report.already_there
    conn = connect(pg_empty_url)
    assert dump(conn) == original  # the triggers stayed quiet: no change row was added, no ticket re-flagged
    back = tmp_path / "back.db"
    migrate(pg_empty_url, str(back))
    assert dump(sqlite_connect(back)) == original
    # the copy is a working database on both sides: new rows get new ids and feed rows again
    conn.execute("INSERT INTO tickets (channel, subject, created_at) VALUES ('amazon', 'new', 'x')")
    assert conn.execute("SELECT max(id) FROM tickets").fetchone()[0] == max(r[0] for r in original["tickets"]) + 1
    assert conn.execute("SELECT count(*) FROM changes").fetchone()[0] == len(original["changes"]) + 1
    sqlite = sqlite_connect(back)
    sqlite.execute("INSERT INTO tickets (channel, subject, created_at) VALUES ('amazon', 'new', 'x')")
    assert sqlite.execute("SELECT count(*) FROM changes").fetchone()[0] == len(original["changes"]) + 1


def test_running_it_again_is_a_no_op(source, pg_empty_url):
    migrate(str(source), pg_empty_url)
    before = dump(connect(pg_empty_url))
    report = migrate(str(source), pg_empty_url)
    assert report.already_there and report.rows == sum(len(rows) for rows in before.values())
    assert dump(connect(pg_empty_url)) == before


@pytest.mark.parametrize("change", [
    "UPDATE tickets SET subject = 'changed' WHERE id = 7",
    "INSERT INTO tags (ticket_id, tag) VALUES (3, 'extra')",
])
def test_a_destination_with_other_data_is_refused_and_left_alone(source, pg_empty_url, change):
    migrate(str(source), pg_empty_url)
    conn = connect(pg_empty_url)
    conn.execute(change)
    before = dump(conn)
    with pytest.raises(StoreError) as caught:
        migrate(str(source), pg_empty_url)
    message = str(caught.value)
    assert "already holds other data" in message and "nothing was written" in message and "\n" not in message
    assert dump(conn) == before


def test_text_postgresql_cannot_store_stops_the_copy_before_anything_is_written(source, pg_empty_url):
    sqlite_connect(source).execute("UPDATE messages SET body = ? WHERE id = 5", ("a\x00b",))
    with pytest.raises(StoreError) as caught:
        migrate(str(source), pg_empty_url)
    assert "cannot take table messages" in str(caught.value) and "nothing was written" in str(caught.value)
    conn = connect(pg_empty_url)
    assert all(not rows for rows in dump(conn).values())


def test_a_refused_copy_into_an_existing_file_leaves_it_as_it_was(pg_empty_url, tmp_path, source):
    migrate(str(source), pg_empty_url)
    connect(pg_empty_url).execute("UPDATE messages SET body = 'x' WHERE id = 1")
    target = tmp_path / "other.db"
    sqlite_connect(target, create=True).close()
    sqlite_connect(target).execute("INSERT INTO meta VALUES ('k', 'v')")
    with pytest.raises(StoreError, match="already holds other data"):
        migrate(pg_empty_url, str(target))
    assert sqlite_connect(target).execute("SELECT count(*) FROM meta").fetchone()[0] == 1


def test_open_screens_are_told_to_reread_everything(source, pg_url):
    feed = ChangeFeed(connect(pg_url))
    migrate(str(source), pg_url)
    changes = feed.poll(timeout=30)
    assert changes.overflow


def run_cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "deskui", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": os.getcwd()}, **kwargs)


def test_the_command_prints_one_summary_line_and_no_progress_off_a_terminal(source, pg_empty_url):
    done = run_cli("migrate", str(source), pg_empty_url)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.count("\n") == 1 and done.stdout.startswith("copied ") and "every table's count checked" in done.stdout
    assert PASSWORD not in done.stdout
    again = run_cli("migrate", str(source), pg_empty_url)
    assert again.returncode == 0 and "nothing to copy" in again.stdout


def test_the_command_fails_in_one_line(source, pg_empty_url, tmp_path):
    missing = run_cli("migrate", str(tmp_path / "nope.db"), pg_empty_url)
    assert missing.returncode != 0 and missing.stderr.count("\n") == 1 and "no such database to copy from" in missing.stderr
    assert "Traceback" not in missing.stderr
    wrong = run_cli("migrate", str(source), pg_empty_url.replace(PASSWORD, "wrong-pw"))
    assert wrong.returncode != 0 and "refused the password" in wrong.stderr and wrong.stderr.count("\n") == 1


def test_a_progress_line_on_a_terminal(source, pg_empty_url):
    leader, follower = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-m", "deskui", "migrate", str(source), pg_empty_url],
                              stdout=subprocess.PIPE, stderr=follower, text=True, timeout=300)
        os.close(follower)
        follower = None
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if follower is not None:
            os.close(follower)
        os.close(leader)
    assert done.returncode == 0
    assert b"copying changes: 5,000 of" in shown and b"\r" in shown
    assert done.stdout.startswith("copied ")


def test_the_source_is_read_from_one_snapshot(source, pg_empty_url):
    """A write to the source during the copy is not half in the copy: the counts are the snapshot's."""
    writer = sqlite3.connect(source)
    report = migrate(str(source), pg_empty_url, progress=lambda state: writer.execute(
        "INSERT INTO meta (key, value) VALUES (?, 'x')", (f"during-{state.total_done}",)) and writer.commit())
    assert report.counts["meta"] == connect(pg_empty_url).execute("SELECT count(*) FROM meta").fetchone()[0]
    assert writer.execute("SELECT count(*) FROM meta WHERE key LIKE 'during-%'").fetchone()[0] > 0


def test_the_server_going_away_mid_copy_is_one_line_and_leaves_nothing(source, pg_server, pg_empty_url):
    def kill_the_session(state):
        if state.table == "changes":
            with pg_server.admin() as admin:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                              (pg_empty_url.rsplit("/", 1)[1],))

    with pytest.raises(StoreError) as caught:
        migrate(str(source), pg_empty_url, progress=kill_the_session)
    assert "nothing was written" in str(caught.value) and "\n" not in str(caught.value)
    assert all(not rows for rows in dump(connect(pg_empty_url)).values())
