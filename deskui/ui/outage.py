"""The database server going away, met anywhere in the UI: said in one line, never a dead screen.

Every message handler, ``call_later`` callback, timer and key of a screen may read or write the
store, and on PostgreSQL any of them can meet the server's absence (``ConnectionLost`` /
``ServerUnreachable``, ``store.db.is_connection_failure``). Textual ends a message pump's loop on
the first exception a handler raises: the screen stops answering, its timers stop and its
widgets are pruned. So the failure is caught where Textual dispatches, once for every handler:

- ``OutageGuard``, mixed into each screen (through ``WorkerReports``) and into the app, catches
  a connection failure around each message it dispatches (events, messages, Mount, callbacks
  queued by ``call_later`` / ``call_after_refresh``): the app's status line says so and the loop
  goes on. Its ``after_outage()`` is called when the server answers again (``DatabaseBack``), for
  the screen to read again what it could not read meanwhile.
- ``DeskApp`` catches the rest at its own level: a key's action (``run_action``: refused with one
  line, nothing is written), a timer's callback (``_handle_exception``), a worker's failure
  (``worker_state_changed``) and the change feed's (``WatchFailed``).
- ``read_or`` is for a read whose caller must go on with a stand-in (an empty panel, the numbers
  from memory) rather than stop where it failed.

Writes on keys go through ``ui.busy.tolerate_busy``, which refuses them in one line (drafts and
notes wait on this machine instead: ``store.pending``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from textual.message import Message

from deskui.store.db import is_connection_failure

T = TypeVar("T")

# What a key that needed the server says while it is away (nothing of it was written).
REFUSED = ("Not done: the database server is unreachable, so nothing was changed. Press the key again once the "
           "status line clears (drafts and notes typed meanwhile are kept on this machine).")


class DatabaseBack(Message, bubble=False):
    """The server answers again (posted by the app to every screen in its stack)."""


def said(app, error: BaseException) -> bool:
    """True (and the app's status line says the server is away) for a connection failure; False
    for any other error, which the caller raises again."""
    if not is_connection_failure(error):
        return False
    unreachable = getattr(app, "database_unreachable", None)
    if callable(unreachable):
        unreachable()
    return True


def read_or(app, default: T, read: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``read(*args, **kwargs)``, or ``default`` when the server is out of reach (said once on the
    status line): for a handler that must go on with a stand-in instead of stopping there."""
    try:
        return read(*args, **kwargs)
    except Exception as error:
        if not said(app, error):
            raise
        return default


class OutageGuard:
    """Mixed into a Screen (before ``Screen`` in its bases) or the App: a handler that meets the
    server's absence does not end the message loop. ``after_outage`` is this screen's re-read."""

    # Textual's one place every message of this pump passes through (pinned Textual: the tests of
    # tests/pg/test_pg_outage_screens.py fail if it moves). Mount goes through it too.
    async def _dispatch_message(self, message: Message) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except Exception as error:
            if not said(self.app, error):  # type: ignore[attr-defined]
                raise

    def on_database_back(self, message: DatabaseBack) -> None:
        self.after_outage()

    def after_outage(self) -> None:
        """Read again what the outage left unread; a screen that shows stored data overrides it."""
