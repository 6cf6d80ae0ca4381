"""Writes from the screens survive another process holding the write lock for long, a full disk
and a read-only database: the agent is told in one line, nothing already stored is lost."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import Any

from deskui.store.db import StoreError

BUSY = "The database is busy: another process is writing a large batch. Nothing was lost; try again in a moment."
DISK_FULL = "The disk is full: nothing could be saved. Free some space; your text stays here and is saved again."
READ_ONLY = "The database is read-only: nothing was changed."
SERVER_GONE = ("The database server is unreachable: not done now (drafts and notes are kept on this machine); "
               "deskui reconnects.")


def write_problem(error: sqlite3.Error) -> str | None:
    """The one line to show for a write that failed for a reason the agent can act on, or None
    for anything else (a bug, or a corrupt file: those end the app with a one-line error)."""
    from deskui.store.db import is_connection_failure

    if is_connection_failure(error):
        return SERVER_GONE
    if not isinstance(error, sqlite3.OperationalError):
        return None
    message = str(error)
    if "locked" in message or "busy" in message:
        return BUSY
    if "disk is full" in message:  # SQLITE_FULL: "database or disk is full"
        return DISK_FULL
    if "readonly" in message or "read-only" in message:
        return READ_ONLY
    return None


def tolerate_busy(method: Callable[..., Any] | None = None, *, background: bool = False) -> Callable[..., Any]:
    """A write that cannot happen now (a huge import holds the lock, the disk is full, the file is
    read-only, the database server is away) tells the agent instead of taking the app down. Works
    on methods of widgets and screens, and on closures that reach the app through ``self``.
    ``background``: a write no key asked for (a heartbeat, "opened"): the server's absence is only
    the status line's, not a toast saying a key was refused."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except (sqlite3.OperationalError, StoreError) as error:
                from deskui.ui.outage import REFUSED, said

                if said(self.app, error):  # the status line says it until the server answers
                    if not background:  # a key asked for it: refused in so many words, never silently
                        self.app.notify(REFUSED, title="Not done", severity="error", timeout=8, markup=False)
                    return None
                problem = write_problem(error) if isinstance(error, sqlite3.OperationalError) else None
                if problem is None:
                    raise
                title = "Busy" if problem is BUSY else "Not saved"
                self.app.notify(problem, title=title, severity="warning", timeout=8, markup=False)
                return None

        return wrapper

    return decorate(method) if method is not None else decorate
