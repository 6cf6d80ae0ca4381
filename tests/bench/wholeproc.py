"""Whole-process measuring for the benchmarks: an app launched in a pseudo-terminal as a user
meets it, its CPU read from /proc (per thread), keys typed into it, and an older revision of
deskui extracted with ``git archive`` so the previous approach runs side by side in the same run.

Nothing here asserts a time: the scripts print medians and ratios.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import statistics
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TICKS = os.sysconf("SC_CLK_TCK")


def baseline_tree(revision: str) -> Path:
    """``revision``'s deskui package, extracted once under /tmp (its imports resolve there)."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", revision], capture_output=True,
                            text=True, check=True).stdout.strip()
    target = Path(f"/tmp/deskui-baseline-{commit}")
    if not (target / "deskui").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "deskui", "tests/helpers.py", "tests/__init__.py"],
                                 capture_output=True, check=False)
        if archive.returncode:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "deskui", "tests/helpers.py"],
                                     capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def copy_db(source: Path, target: Path) -> Path:
    """A copy for one side of a comparison (the newer side migrates its file on first open)."""
    if not target.exists():
        shutil.copyfile(source, target)
    return target


class PtyApp:
    """A deskui command running in a pty of ``size`` (columns, lines), its output drained."""

    def __init__(self, argv: list[str], *, pythonpath: Path = ROOT, size: tuple[int, int] = (160, 45)) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        env = {**os.environ, "PYTHONPATH": str(pythonpath), "TERM": "xterm-256color", "COLUMNS": str(size[0]),
               "LINES": str(size[1])}
        env.pop("CI", None)
        self.started = time.perf_counter()
        # cwd too: `python -m` puts the working directory first on sys.path.
        self.process = subprocess.Popen([sys.executable, *argv], stdin=slave, stdout=slave, stderr=slave, env=env,
                                        cwd=pythonpath, start_new_session=True, close_fds=True)
        os.close(slave)
        self.output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if ready:
                    chunk = os.read(self.master, 65536)
                    if not chunk:
                        return
                    with self._lock:
                        self.output += chunk
            except OSError:
                return
            if self.process.poll() is not None and not ready:
                return

    def mark(self) -> int:
        with self._lock:
            return len(self.output)

    def wait_for(self, text: str, *, since: int = 0, timeout: float = 120.0) -> float:
        """Seconds until ``text`` appears in the output after offset ``since`` (raises on timeout)."""
        needle = text.encode()
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            with self._lock:
                if needle in self.output[since:]:
                    return time.perf_counter() - started
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited ({self.process.returncode}): {bytes(self.output[-2000:])!r}")
            time.sleep(0.002)
        raise TimeoutError(f"{text!r} did not appear in {timeout:.0f} s")

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def cpu_by_thread(self) -> dict[int, float]:
        """CPU seconds (user + system) of every thread alive now."""
        result = {}
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            try:
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            result[int(task.name)] = (int(fields[11]) + int(fields[12])) / TICKS
        return result

    def cpu_total(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def rss_kb(self) -> tuple[int, int]:
        """(VmRSS, VmHWM) in kB."""
        values = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1])
        return values.get("VmRSS", 0), values.get("VmHWM", 0)

    def idle_cpu(self, seconds: float) -> dict[str, float]:
        """ms of CPU per second over ``seconds``: the whole process, its main thread, the rest.
        Threads that start and end inside the window are in the whole-process figure only."""
        before_total, before = self.cpu_total(), self.cpu_by_thread()
        time.sleep(seconds)
        after_total, after = self.cpu_total(), self.cpu_by_thread()
        pid = self.process.pid
        main = after.get(pid, 0) - before.get(pid, 0)
        total = after_total - before_total
        return {"total": total / seconds * 1000, "main": main / seconds * 1000,
                "others": (total - main) / seconds * 1000}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        try:
            os.close(self.master)
        except OSError:
            pass


def prepare(db: Path, side: str, tree: Path) -> Path:
    """A copy of ``db`` for one side, opened (and so migrated) once by that side's deskui: a
    migration is not what the benches time."""
    copy = copy_db(db, db.with_name(f"{db.stem}.{side}.db"))
    subprocess.run([sys.executable, "-c", f"from deskui.store import connect; connect({str(copy)!r}).close()"],
                   env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree, check=True)
    return copy


def same_run_medians(db: Path, sides: dict[str, Path], runs: int,
                     measure: Callable[[Path, Path], dict[str, float]]) -> dict[str, dict[str, float]]:
    """Each side's median of every figure ``measure(copy, tree)`` returns, the sides interleaved
    run by run so both meet the same load."""
    copies = {side: prepare(db, side, tree) for side, tree in sides.items()}
    results: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    for _ in range(runs):
        for side, tree in sides.items():
            results[side].append(measure(copies[side], tree))
    return {side: {key: statistics.median(run[key] for run in side_runs) for key in side_runs[0]}
            for side, side_runs in results.items()}
