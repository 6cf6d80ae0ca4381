"""Workers that fail say so: screens forward their workers' state changes to the app."""

from __future__ import annotations

from textual.worker import Worker

from deskui.ui.outage import OutageGuard


class WorkerReports(OutageGuard):
    """Mixed into a screen whose ``@work`` jobs may fail. ``Worker.StateChanged`` goes only to the
    node that owns the worker, so each screen hands it to ``DeskApp.worker_state_changed``, the one
    place failures are told and retried. A screen may define ``retry(group)``. Being an
    ``OutageGuard`` too, the screen's handlers survive the database server going away."""

    # By name, not with @on: Textual collects @on handlers only on its own classes, not mixins.
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.worker_state_changed(event)
