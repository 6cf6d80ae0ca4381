"""Shared by the fault tests: real deskui processes, a real second connection holding the write
lock, and waiting for conditions instead of sleeping."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from deskui.store.db import is_url

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
PROC = Path("/proc")


def start(*args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "deskui", *args], cwd=ROOT, env={**ENV, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def wait_for(condition, timeout: float = 60.0, interval: float = 0.02, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def children(pid: int) -> list[int]:
    try:
        text = (PROC / str(pid) / "task" / str(pid) / "children").read_text()
    except OSError:
        return []
    return [int(word) for word in text.split()]


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for a reaper (a container's init may never reap it)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def has_open(pid: int, path: Path) -> bool:
    """The process has ``path`` open: it got past start-up and is at the database."""
    target = str(path.resolve())
    try:
        fds = list((PROC / str(pid) / "fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(fd) == target:
                return True
        except OSError:
            continue
    return False


LOCKER = """
import sys
from deskui.store import connect
conn = connect(sys.argv[1])  # an SQLite file's write lock, or the advisory lock PostgreSQL's BEGIN IMMEDIATE takes
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
print("released", flush=True)
"""


class WriteLock:
    """Another process holding ``BEGIN IMMEDIATE`` on the database (a file or a URL) until ``release()``."""

    def __init__(self, db: Path):
        self.proc = subprocess.Popen([sys.executable, "-c", LOCKER, str(db)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            assert self.proc.stdout.readline().strip() == "released"
            self.proc.wait(timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def dump(db: Path | str) -> list:
    """Everything the database holds: an SQLite file's SQL dump (its schema too), or for a
    PostgreSQL URL every table's rows (tests/helpers.dump_store)."""
    if is_url(db):
        from tests.helpers import dump_store

        return dump_store(str(db))
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def sigkill_tree_leftovers(pids: list[int]) -> None:
    """Clean up after a failing test: kill only the processes the test started."""
    for pid in pids:
        try:
            os.kill(pid, 9)
        except OSError:
            pass
