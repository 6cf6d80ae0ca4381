"""One process with several connections to one file (deskui sync's threads, the app's screens and
workers) and other processes opening and closing it beside them: opening the second connection
must not cancel the first one's POSIX locks. (Closing *any* descriptor of a file drops every lock
the process holds on it; a process whose locks are gone is taken for absent, and the next process
to close its own connection checkpoints and deletes the WAL under it: its later commits go to a
deleted file, seen by nobody, and lost if it is killed.)"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from deskui.store import connect, write

READ = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "print(c.execute(\"SELECT count(*) FROM meta WHERE key LIKE 'probe%'\").fetchone()[0]); c.close()")


def other_process_count(db: Path) -> int:
    done = subprocess.run([sys.executable, "-c", READ, str(db)], capture_output=True, text=True, check=True)
    return int(done.stdout)


def probe(conn, n: int) -> None:
    with write(conn):
        conn.execute("INSERT INTO meta (key, value) VALUES (?, '1')", (f"probe{n}",))


def test_a_second_connection_keeps_the_first_ones_locks_and_other_processes_see_every_commit(tmp_path):
    db = tmp_path / "desk.db"
    connect(db, create=True).close()
    first = connect(db)
    probe(first, 1)
    second = connect(db)
    assert other_process_count(db) == 1  # that process opened and closed the file beside ours
    probe(first, 2)
    probe(second, 3)
    assert other_process_count(db) == 3
    assert Path(f"{db}-wal").exists()
    first.close()
    second.close()


def test_connections_opened_by_threads_at_once_keep_their_locks(tmp_path):
    db = tmp_path / "desk.db"
    connect(db, create=True).close()
    conns, start = [], threading.Barrier(4)

    def open_one():
        start.wait()
        conns.append(connect(db))

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for n, conn in enumerate(conns):
        probe(conn, n)
        assert other_process_count(db) == n + 1
    for conn in conns:
        conn.close()
