"""One watcher per app: a thread polls the change feed and posts what changed as a message.

Toolong's model (``watcher.py``): the thread does the waiting and the reading, the UI thread only
reacts. The app forwards each ``StoreChanged`` to every screen in its stack; a screen handles it
with ``on_store_changed``. While a screen is busy, queued ones merge into one (``can_replace``),
so a burst of writes costs one reload, not one per poll.

The thread is not a Textual worker on purpose: it never completes, and tests and snapshots wait
for every worker to complete.
"""

from __future__ import annotations

import threading

from textual.message import Message

from deskui.store.changes import ChangeFeed, ChangeSet, merge, watch


# Not bubbling: the app hands it down to each screen, and one bubbling back up would go round again.
class StoreChanged(Message, bubble=False):
    """What was committed (by another process, or another connection of this one) since the
    last message: tables, ticket ids, or ``overflow`` (reread everything)."""

    def __init__(self, changes: ChangeSet) -> None:
        super().__init__()
        self.changes = changes

    def can_replace(self, message: Message) -> bool:
        # Called on the queued (older) message with the next one: that one takes both.
        if isinstance(message, StoreChanged):
            message.changes = merge(self.changes, message.changes)
            return True
        return False


class WatchFailed(Message, bubble=False):
    """The feed could not be read (``error``), or reads again (``error`` None)."""


    def __init__(self, error: BaseException | None) -> None:
        super().__init__()
        self.error = error


class ChangeWatcher:
    """Polls ``feed`` in a daemon thread and posts ``StoreChanged`` / ``WatchFailed`` to ``target``."""

    def __init__(self, target, feed: ChangeFeed, reopen) -> None:
        self.target = target
        self._feed: ChangeFeed | None = feed
        self._reopen = reopen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="deskui-changes", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _open(self) -> ChangeFeed:
        feed, self._feed = self._feed, None
        return feed if feed is not None else self._reopen()

    def _run(self) -> None:
        watch(self._open, lambda changes: self.target.post_message(StoreChanged(changes)), self._stop,
              failed=lambda error: self.target.post_message(WatchFailed(error)))
