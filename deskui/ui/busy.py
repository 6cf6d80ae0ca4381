"""Writes from the screens survive another process holding the write lock for long."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import Any


def tolerate_busy(method: Callable[..., Any]) -> Callable[..., Any]:
    """A write that waited the whole busy timeout (a huge import holds the lock) tells the agent
    to retry instead of taking the app down; nothing already stored is lost. Works on methods of
    widgets and screens, and on closures that reach the app through ``self``."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            self.app.notify("The database is busy: another process is writing a large batch. "
                            "Nothing was lost; try again in a moment.", title="Busy", severity="warning", timeout=8)
            return None

    return wrapper
