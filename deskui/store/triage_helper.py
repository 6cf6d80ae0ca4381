"""Triage of many tickets in two processes: a forked helper derives batches while this process
derives others and writes every batch.

After a large import, triage ran on one core while the other idled: 6.2 s of the 14.3 s a 100k
e-mail import took on the project's machine, of which deriving (reading the messages, the
matcher, the clocks) is ~70 % and the UPDATEs ~30 % (py-spy, docs/performance.md). Only one
process can write, so the helper derives only: it opens the file read-only, derives batches from
the last one backwards and sends each batch's updates back over a pipe; this process derives
from the first forwards, and whenever a helper batch has arrived it writes that one first. The
two meet wherever their speeds put them, so the split balances itself on a busy machine too.
Measured on the 67,194 tickets of 100k e-mails (2 cores, quiet): 5.8 s in one process, 3.15 s
with the helper (it derives ~97 of the 135 batches; same rows).

Nothing written by anyone else is overwritten with stale values: this process notes
``PRAGMA data_version`` before the fork, and a helper batch is written only if no other
connection has committed since (its snapshot was taken after that note). Once someone has, the
helper's work is dropped and this process derives the rest itself, each batch checked as
``tickets.refresh_tickets`` checks it. A helper that dies, is killed or sends something
unreadable costs its unfinished batches only: they are derived here.
"""

from __future__ import annotations

import marshal
import os
import select
import signal
import sqlite3
import struct
from datetime import datetime

from deskui.forking import can_fork, die_with
from deskui.policy.model import Policy
from deskui.store import tickets
from deskui.store.db import connect, connection_target, data_version, is_url, write

# Eight batches: below that, triage in one process takes ~0.35 s (43 ms a batch of 500, measured
# at 100k e-mails) and a second process is not worth starting for what it could save.
HELPER_MIN_TICKETS = 4_000
_LENGTH = struct.Struct("<Q")
PIPE_BYTES = 1 << 20


def refresh_tickets_helped(conn: sqlite3.Connection, policy: Policy, now: datetime, ticket_ids: list[int]) -> int:
    """``tickets.refresh_tickets(conn, policy, now, ticket_ids)``, with a forked helper process
    deriving part of the batches when that can help: many tickets, an SQLite file (PostgreSQL
    has not been measured), no open transaction and a process that may fork. Same rows either
    way; returns how many tickets were refreshed."""
    ids = list(ticket_ids)
    target = connection_target(conn)
    if len(ids) < HELPER_MIN_TICKETS or target is None or is_url(target) or not can_fork():
        return tickets.refresh_tickets(conn, policy, now, ids)
    batches = [ids[start: start + tickets.BATCH] for start in range(0, len(ids), tickets.BATCH)]
    version = data_version(conn)
    reading, writing = _roomy_pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the helper: never returns, never touches the parent's connection
        code = 1
        try:
            os.close(reading)
            die_with(parent)
            _derive_from_the_end(target, policy, now, batches, writing)
            code = 0
        finally:
            os._exit(code)
    os.close(writing)
    try:
        _write_all(conn, policy, now, batches, version, _Frames(reading))
    finally:
        os.close(reading)  # a helper still writing gets EPIPE and leaves
        _stop(pid)
    return len(ids)


def _roomy_pipe() -> tuple[int, int]:
    """A pipe that holds a few batches' answers (Linux: 1 MiB instead of 64 KiB). With the
    default, the helper waited on each answer until this process had read it, so the two took
    turns: 4.0 s for 67k tickets against 3.15 s when the helper can run ahead."""
    reading, writing = os.pipe()
    try:
        import fcntl

        fcntl.fcntl(writing, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or above the system's pipe-max-size: the default still works
    return reading, writing


def _derive_from_the_end(target: str, policy: Policy, now: datetime, batches: list[list[int]], out: int) -> None:
    conn = connect(target, readonly=True)
    for index in range(len(batches) - 1, -1, -1):
        conn.execute("BEGIN")  # one snapshot per batch, as refresh_tickets reads it
        try:
            updates = tickets._derive_batch(conn, policy, now, batches[index])
        finally:
            conn.execute("COMMIT")
        frame = marshal.dumps((index, updates))
        try:
            _write_fully(out, _LENGTH.pack(len(frame)) + frame)
        except BrokenPipeError:
            return  # the writing process has all it needs


def _write_all(conn: sqlite3.Connection, policy: Policy, now: datetime, batches: list[list[int]], version: int,
               helper: _Frames) -> None:
    front, back = 0, len(batches) - 1  # this process takes batches from the front, the helper's arrive from the back
    while front <= back:
        if helper.alive and helper.ready():
            received = helper.next()
            if received is None or received[0] != back:
                helper.alive = False  # gone, or out of step: the rest is done here
                continue
            index, updates = received
            with write(conn):
                if data_version(conn) != version:
                    # someone committed since the helper's snapshot: its values may be stale
                    helper.alive = False
                    updates = tickets._derive_batch(conn, policy, now, batches[index])
                tickets._write_derived(conn, updates)
            back -= 1
        else:
            tickets._refresh_batch(conn, policy, now, batches[front])
            front += 1


class _Frames:
    """The helper's answers: length-prefixed marshal frames read off a pipe, unbuffered, so
    ``ready`` (select on the descriptor) never misses a frame already read into a buffer."""

    def __init__(self, fd: int):
        self.fd = fd
        self.alive = True

    def ready(self) -> bool:
        return bool(select.select([self.fd], [], [], 0)[0])

    def next(self) -> tuple[int, list[dict]] | None:
        """The next frame, or None when the helper is gone or sent something unreadable."""
        head = self._read(_LENGTH.size)
        if head is None:
            return None
        body = self._read(_LENGTH.unpack(head)[0])
        if body is None:
            return None
        try:
            index, updates = marshal.loads(body)
        except (EOFError, ValueError, TypeError):
            return None
        return index, updates

    def _read(self, size: int) -> bytes | None:
        chunks, left = [], size
        while left:
            chunk = os.read(self.fd, min(left, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)


def _write_fully(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)  # its work is no longer wanted, finished or not
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
