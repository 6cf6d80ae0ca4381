"""deskui/ui/driver.py: the escape key's wait."""

from __future__ import annotations

import hashlib
import inspect
import os
import subprocess
import sys
import textwrap

import pytest

from tests.faults import ROOT

pytest.importorskip("termios")  # the Linux/macOS driver

from textual.drivers.linux_driver import LinuxDriver  # noqa: E402

from deskui.ui.driver import IDLE_WAIT, DeskDriver, input_wait  # noqa: E402

# textual 8.2.8's LinuxDriver.run_input_thread, which DeskDriver.run_input_thread copies.
COPIED_FROM = "03c4634c663e82c5dc8e7ed0baa05678412e9a33635caf01b6cf7489f78ce38d"


def test_select_waits_until_a_half_read_sequence_is_due_and_no_longer():
    assert input_wait(None, now=100.0) == IDLE_WAIT
    assert input_wait(100.05, now=100.0) == pytest.approx(0.05)  # ESC read: wake when it is the key
    assert input_wait(99.0, now=100.0) == 0.0  # already due
    assert input_wait(500.0, now=100.0) == IDLE_WAIT


def test_the_copied_input_loop_is_textuals_own():
    """A Textual upgrade that changes its loop fails here: copy the new one into DeskDriver and
    make the same one change (select's timeout), then update the digest."""
    source = textwrap.dedent(inspect.getsource(LinuxDriver.run_input_thread))
    assert hashlib.sha256(source.encode()).hexdigest() == COPIED_FROM
    assert DeskDriver.run_input_thread is not LinuxDriver.run_input_thread


def test_the_app_runs_on_deskuis_driver_with_a_50_ms_escape_delay_unless_the_user_set_one(tmp_path):
    probe = ("import deskui.cli\n"
             "from deskui.ui.app import DeskApp\n"
             "from textual import constants\n"
             "print(constants.ESCAPE_DELAY, DeskApp.get_driver_class(object.__new__(DeskApp)).__name__)\n")
    env = {key: value for key, value in os.environ.items() if key not in ("ESCDELAY", "TEXTUAL_DRIVER")}
    ran = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["0.05", "DeskDriver"]
    ran = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT), "ESCDELAY": "300"},
                         capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["0.3", "DeskDriver"]
