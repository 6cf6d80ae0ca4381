"""Forked helper processes: the importer's parsing worker, the demo's writer, the triage helper.

Each is forked, never spawned (spawn would re-run the caller's unguarded ``__main__``), and only
from a single-threaded process: another thread may hold a lock the child would inherit locked.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WORKERS_ENV = "DESKUI_IMPORT_WORKERS"  # "0": never fork a helper process


def can_fork() -> bool:
    """A second core to run on, no other thread, and fork available (not on Windows);
    ``$DESKUI_IMPORT_WORKERS=0`` turns every helper off. (Asking multiprocessing instead cost
    every caller its 8 ms import.)"""
    return (os.environ.get(WORKERS_ENV, "").strip() != "0" and (os.cpu_count() or 1) >= 2
            and threading.active_count() == 1 and hasattr(os, "fork"))


def die_with(parent: int) -> None:
    """Called first in a forked child: it must not outlive ``parent``, even after a kill -9
    (which runs no cleanup). Linux delivers SIGKILL to it when the parent dies; elsewhere the
    child's own loop has to notice ``os.getppid()`` changing."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no usable libc: the caller's polling still ends it
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
