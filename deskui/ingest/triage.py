"""Triage after a file's commit, on both cores when the file brought many tickets.

Deriving tiers and clocks is CPU work that took ~18.5 s of a 35 s import of 100k e-mails on
one core while the other idled. Above ``PARALLEL_MIN_TICKETS`` a forked worker derives every
other batch on its own read-only connection and this process writes those batches between its
own (``deskui.store.import_triage`` says why the values it writes are never stale). The worker
never writes and never touches the connection it inherits; if it dies, this process triages
what it left. Whatever stops the whole command keeps the ``needs_triage`` flags of the tickets
not yet done, for the next ``deskui import`` or ``deskui refresh``.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import traceback
from collections.abc import Callable

from deskui.ingest.workers import can_fork_a_worker, die_with, put_or_exit
from deskui.store import connect
from deskui.store import import_triage

PARALLEL_MIN_TICKETS = 4000
WORKER_POLL_SECONDS = 1.0


def triage_tickets(conn, policy, now, ids: list[int], refresh: Callable) -> None:
    """``refresh(conn, policy, now, ids)`` (``refresh_tickets``), split over two processes when
    it is worth it."""
    path = import_triage.database_file(conn)
    if len(ids) < PARALLEL_MIN_TICKETS or path is None or conn.in_transaction or not can_fork_a_worker():
        refresh(conn, policy, now, ids)
        return
    size = import_triage.BATCH
    batches = [ids[start: start + size] for start in range(0, len(ids), size)]
    theirs = dict(enumerate(batches[1::2]))
    version = import_triage.snapshot_version(conn)  # before the worker opens its snapshot
    mp = multiprocessing.get_context("fork")
    queue = mp.Queue(maxsize=8)
    worker = mp.Process(target=_derive_in_worker, args=(path, policy, now, theirs, queue, os.getpid()), daemon=True)
    worker.start()
    try:
        for batch in batches[0::2]:
            refresh(conn, policy, now, batch)
            _write_ready(conn, policy, now, queue, theirs, version, worker, wait=False)
        while theirs and _write_ready(conn, policy, now, queue, theirs, version, worker, wait=True):
            pass
        if theirs:  # the worker stopped early: what it left is triaged here
            refresh(conn, policy, now, [ticket_id for batch in theirs.values() for ticket_id in batch])
        worker.join(timeout=10)
    finally:
        if worker.is_alive():
            worker.terminate()
            worker.join(timeout=5)
        queue.close()


def _write_ready(conn, policy, now, queue, theirs: dict[int, list[int]], version: int, worker, *, wait: bool) -> bool:
    """Write the batches the worker has derived so far (with ``wait``, at least one). False once
    the worker has nothing more to give (done, failed or gone)."""
    while theirs:
        try:
            kind, index, updates = queue.get(timeout=WORKER_POLL_SECONDS) if wait else queue.get_nowait()
        except queue_module.Empty:
            if wait and worker.is_alive():
                continue
            return not wait
        if kind != "batch":
            return False
        import_triage.write_derived(conn, policy, now, theirs.pop(index), updates, version)
        wait = False
    return False


def _derive_in_worker(path: str, policy, now, batches: dict[int, list[int]], queue, parent: int) -> None:
    die_with(parent)
    try:
        conn = connect(path, readonly=True)
        for index, ids in batches.items():
            put_or_exit(queue, ("batch", index, import_triage.derive(conn, policy, now, ids)), parent)
        put_or_exit(queue, ("done", None, None), parent)
    except BaseException:  # the importing process triages what is left itself
        put_or_exit(queue, ("error", None, traceback.format_exc()), parent)
