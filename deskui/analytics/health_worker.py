"""The check-up's aggregate sections in a second process, while the first reads the clocks.

A second thread on a second connection measured barely faster than one thread (100k demo file,
2026-12-03: 1.67-1.77 s against 1.78-1.88 s wall) and cost a third more CPU (2.35 s against
1.78 s): the two threads queue on the GIL, which the aggregates need at every statement and row,
and on SQLite's process-wide mutexes. A process of its own shares neither. Starting it (an
interpreter and deskui's store and analytics, about 0.15 s) runs on the other core while this
one starts on the clocks.

The job and the answer cross as pickles through the child's stdin and stdout: both ends are this
program, and the sections are plain dicts, lists and numbers (and a PostgreSQL URL with its
password stays out of the process list and the environment). Whatever goes wrong over there (the
process killed, a garbled answer, an error reading the file) ends in ``Started.result`` giving
None, and the caller computes the sections itself, so a real error is raised where the check-up
runs, as it would be without the second process.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

# The command that runs ``main``; a test points it at a process that dies.
COMMAND = [sys.executable, "-m", "deskui.analytics.health_worker"]
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class Started:
    """A running worker; ``result`` waits for its answer."""

    def __init__(self, process: subprocess.Popen) -> None:
        self._process = process

    def result(self) -> dict | None:
        """The sections, or None when the worker did not answer in whole."""
        try:
            with self._process.stdout:
                answer = self._process.stdout.read()
            self._process.wait()
        finally:
            if self._process.poll() is None:
                self._process.kill()
                self._process.wait()
        if self._process.returncode != 0 or not answer:
            return None
        try:
            found = pickle.loads(answer)
        except Exception:  # a cut-off or foreign answer: recompute rather than trust any of it
            return None
        return found if isinstance(found, dict) else None

    def stop(self) -> None:
        """The caller failed before asking for the answer: end the worker, do not leave it waiting."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.stdout.close()
        self._process.wait()


def start(path: str, **job) -> Started | None:
    """Start the aggregate sections of the database at ``path`` (an SQLite file or a PostgreSQL
    URL, ``store.db.connection_target``; ``job``: the keywords of
    ``health._aggregates`` with ``now``, ``days`` and ``zone`` in place of the window), or None
    when no process can be started here."""
    if not COMMAND[0]:
        return None  # an embedded interpreter with no executable to run
    env = dict(os.environ)
    if _PACKAGE_ROOT not in _site_folders():
        # A source tree (a checkout, a path a script put first): the worker imports this same
        # deskui. An installed one it finds anyway, and its site folder first on PYTHONPATH
        # would come before the standard library.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
    try:
        process = subprocess.Popen(COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, env=env)
    except OSError:
        return None
    try:
        # The job is a few kilobytes: it fits the pipe, so this write does not wait for the worker.
        process.stdin.write(pickle.dumps({"path": path, **job}, protocol=pickle.HIGHEST_PROTOCOL))
        process.stdin.close()
    except OSError:
        process.kill()
        process.wait()
        return None
    return Started(process)


def _site_folders() -> set[str]:
    import site

    folders = set(site.getsitepackages()) if hasattr(site, "getsitepackages") else set()
    folders.add(site.getusersitepackages())
    return {str(Path(folder).resolve()) for folder in folders}


def main() -> int:
    from deskui.analytics import health
    from deskui.gcpause import no_gc
    from deskui.store.health import reading_connection

    job = pickle.load(sys.stdin.buffer)
    with no_gc():
        conn = reading_connection(job.pop("path"))
        try:
            window = health._Window(job.pop("now"), job.pop("days"), job.pop("zone"))
            found = health._aggregates(conn, window=window, **job)
        finally:
            conn.close()
    sys.stdout.buffer.write(pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":
    sys.exit(main())
