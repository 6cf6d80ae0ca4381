"""deskui/forking.py: when a helper process may be forked."""

from __future__ import annotations

import os
import threading

import pytest

from deskui import forking


@pytest.mark.skipif((os.cpu_count() or 1) < 2 or not hasattr(os, "fork"), reason="needs two cores and fork")
def test_no_fork_while_another_thread_runs_or_when_turned_off(monkeypatch):
    others = [thread for thread in threading.enumerate() if thread is not threading.current_thread()]
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # earlier tests' idle daemon threads aside
    assert forking.can_fork(), others
    monkeypatch.undo()

    release = threading.Event()
    running = threading.Thread(target=release.wait)
    running.start()
    try:
        assert not forking.can_fork()  # it may hold a lock the child would inherit locked
    finally:
        release.set()
        running.join()

    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setenv(forking.WORKERS_ENV, "0")
    assert not forking.can_fork()
