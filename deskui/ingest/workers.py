"""Worker processes of an import: when one may be forked, and how it never outlives the
importing process."""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import signal
import sys
import threading

WORKERS_ENV = "DESKUI_IMPORT_WORKERS"  # "0": never use a worker process


def can_fork_a_worker() -> bool:
    if os.environ.get(WORKERS_ENV, "").strip() == "0" or (os.cpu_count() or 1) < 2:
        return False
    # fork is only safe in a single-threaded process (another thread may hold a lock the child
    # would inherit); spawn would re-run the caller's unguarded __main__. So: fork or nothing.
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
ORPHAN_POLL_SECONDS = 1.0


def die_with(parent: int) -> None:
    """Make sure this worker does not outlive the importing process, even after a kill -9 (which
    runs no cleanup): Linux delivers SIGKILL to it when the parent dies; elsewhere the worker
    notices it was orphaned (``put_or_exit`` and every batch check ``os.getppid()``)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no usable libc: the polling below still ends it
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def put_or_exit(queue, item, parent: int) -> None:
    """``queue.put`` that gives up when the reader is gone: with the queue full and the parent
    dead, a plain put blocks forever (this process holds the pipe's read end too, so writing
    never fails)."""
    while True:
        if os.getppid() != parent:
            os._exit(1)  # no cleanup: flushing the queue would block on the same full pipe
        try:
            queue.put(item, timeout=ORPHAN_POLL_SECONDS)
            return
        except queue_module.Full:
            continue
