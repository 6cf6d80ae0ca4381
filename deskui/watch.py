"""``deskui watch DIR``: import files as they are dropped into a folder.

The folder is often writable by other users or programs (an export job, a mail client), so
nothing found in it is trusted:

* Only regular files are read, opened with ``O_NOFOLLOW`` and checked with ``fstat``: a symbolic
  link (to a root-only file, to a secrets file) or a FIFO, socket or device is refused unread and
  moved to ``failed/``. Sub-folders are left alone.
* ``done/`` and ``failed/`` are created by the watcher and used through directory descriptors; one
  that is a symbolic link or not a folder stops the watcher with one line, so files are never
  moved into a folder someone else chose.
* A file is imported once its size and modification time are the same on two scans at least
  ``SETTLE_SECONDS`` apart (a mail client or a report export may still be writing it), or at once
  when it arrived by renaming a ``.part`` file seen before: the safe way to drop a file.
* Error reports (mode 0600) name the lines and fields that were refused, never the file's content.
"""

from __future__ import annotations

import errno
import os
import re
import sqlite3
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deskui.clock import Clock
from deskui.ingest import ImportFailed, import_file, triage_pending
from deskui.text import one_line

SETTLE_SECONDS = 1.0
SUBFOLDERS = ("done", "failed")
IN_PROGRESS = (".part", ".tmp")
REPORT_SUFFIX = ".error.txt"
MAX_REPORTED = 200  # rejections listed one by one in a report; the count stays exact
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
# Importers quote the values they refuse (!r); a report keeps the rest of the message.
_QUOTED = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*\"""")


class UnsafeFolder(Exception):
    """``done/`` or ``failed/`` is a link, or not a folder: the watcher refuses to use it."""


@dataclass
class _Seen:
    key: tuple[int, int, int]  # inode, size, mtime (ns)
    since: float  # monotonic time the key was first seen


class DropFolder:
    """One drop folder and the state kept between scans."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))  # the user's own argument
        self.subfolders = {name: self._subfolder(name) for name in SUBFOLDERS}
        self.seen: dict[str, _Seen] = {}
        self.parts: dict[int, str] = {}  # inode -> name of a .part file seen in the last scan
        self.refused: set[tuple] = set()  # entries (by _identity) that could not be handled or moved away

    def _subfolder(self, name: str) -> int:
        try:
            os.mkdir(name, 0o700, dir_fd=self.fd)
        except FileExistsError:
            pass
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=self.fd)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.ENOTDIR):
                raise UnsafeFolder(f"{self.directory / name}: is a symbolic link or not a folder; remove it and "
                                   f"deskui watch creates {name}/ itself") from None
            raise

    def check_subfolders(self) -> None:
        """Stop if ``done/`` or ``failed/`` was swapped for something else since it was opened."""
        for name, fd in self.subfolders.items():
            try:
                now = os.stat(name, dir_fd=self.fd, follow_symlinks=False)
            except FileNotFoundError:
                now = None
            opened = os.fstat(fd)
            if now is None or (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
                raise UnsafeFolder(f"{self.directory / name}: was replaced while watching; check who changed it, "
                                   "then start deskui watch again")

    def close(self) -> None:
        for fd in self.subfolders.values():
            os.close(fd)
        os.close(self.fd)

    # ------------------------------------------------------------------ scanning
    def scan(self) -> tuple[list[tuple[str, os.stat_result]], list[tuple[str, str]]]:
        """Files ready to import, and entries to refuse (name, why)."""
        now = time.monotonic()
        ready, refuse, parts, present = [], [], {}, set()
        for name in sorted(os.listdir(self.fd)):
            if name in SUBFOLDERS or name.startswith(".") or name.endswith(REPORT_SUFFIX):
                continue
            try:
                info = os.stat(name, dir_fd=self.fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            if stat.S_ISDIR(info.st_mode):
                continue
            if _identity(name, info) in self.refused:
                continue
            if not stat.S_ISREG(info.st_mode):
                refuse.append((name, _kind(info)))
                continue
            if name.endswith(IN_PROGRESS):
                parts[info.st_ino] = name
                continue
            present.add(name)
            key = (info.st_ino, info.st_size, info.st_mtime_ns)
            seen = self.seen.get(name)
            if self.parts.get(info.st_ino) is not None or (seen and seen.key == key and now - seen.since >= SETTLE_SECONDS):
                ready.append((name, info))
                self.seen.pop(name, None)
            elif seen is None or seen.key != key:
                self.seen[name] = _Seen(key, now)
        self.parts = parts
        for gone in set(self.seen) - present:
            del self.seen[gone]
        return ready, refuse

    # ------------------------------------------------------------------ moving and reporting
    def move(self, name: str, folder: str) -> str:
        """Move ``name`` into ``folder`` under a name not taken yet; returns the new name. A link
        is moved as the link itself, never followed."""
        target_fd = self.subfolders[folder]
        stem, suffix = os.path.splitext(name)
        target, counter = name, 1
        while _exists(target, target_fd) or _exists(target + REPORT_SUFFIX, target_fd):
            target = f"{stem}.{counter}{suffix}"
            counter += 1
        os.rename(name, target, src_dir_fd=self.fd, dst_dir_fd=target_fd)
        return target

    def write_report(self, target: str, lines: list[str]) -> str:
        """``failed/TARGET.error.txt``, readable by the watcher's user only."""
        name = target + REPORT_SUFFIX
        failed = self.subfolders["failed"]
        # Written under a hidden name, then linked in whole: whoever lists failed/ never reads a
        # report half written (or empty). link() refuses an existing name, as O_EXCL did.
        partial = f".{name}.{os.getpid()}.partial"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(partial, flags, 0o600, dir_fd=failed)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as report:
                report.write("\n".join(lines) + "\n")
            os.link(partial, name, src_dir_fd=failed, dst_dir_fd=failed, follow_symlinks=False)
        finally:
            os.unlink(partial, dir_fd=failed)
        return name


def _identity(name: str, info: os.stat_result) -> tuple:
    """An entry as it is now: a refused one is looked at again once it changes."""
    return name, info.st_ino, info.st_size, info.st_mtime_ns


def _exists(name: str, dir_fd: int) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _kind_now(folder: DropFolder, name: str) -> str:
    try:
        return _kind(os.stat(name, dir_fd=folder.fd, follow_symlinks=False))
    except OSError:
        return "a symbolic link; drop the file itself, not a link to it"


def _kind(info: os.stat_result) -> str:
    if stat.S_ISLNK(info.st_mode):
        return "a symbolic link; drop the file itself, not a link to it"
    return "not a regular file (a FIFO, socket or device); drop a regular file"


def _masked(text: str, limit: int) -> str:
    return one_line(_QUOTED.sub("'…'", text), limit=limit)


def report_lines(name: str, summary) -> list[str]:
    """What went wrong, by line and field, with every value quoted from the file left out: the
    report must not become a copy of a file the watcher's user can read and others cannot."""
    lines = [f"{one_line(name, limit=200)} ({summary.format}): nothing stored: {summary.rejected} problem(s)"]
    for rejection in summary.rejections[:MAX_REPORTED]:
        lines.append(f"  line {rejection.line}: field {_masked(rejection.field, 60)}: {_masked(rejection.message, 300)}")
    if summary.rejected > MAX_REPORTED:
        lines.append(f"  ... and {summary.rejected - MAX_REPORTED} more")
    lines.append("Values from the file are left out of this report; open the file at the line given to see them.")
    return lines


# ---------------------------------------------------------------------- the loop
def _refuse(folder: DropFolder, name: str, why: str, report: Callable[[str], None]) -> None:
    try:
        target = folder.move(name, "failed")
    except OSError as error:
        try:
            folder.refused.add(_identity(name, os.stat(name, dir_fd=folder.fd, follow_symlinks=False)))
        except OSError:
            pass
        report(f"refused: {name}: {why} (could not move it to failed/: {error.strerror})")
        return
    try:
        folder.write_report(target, [f"{one_line(name, limit=200)}: refused, not read: {why}"])
    except OSError as error:
        why += f" (no report written: {error.strerror})"
    report(f"refused: {name} -> {folder.directory / 'failed' / target}: {why}")


def _import_one(folder: DropFolder, name: str, info: os.stat_result, conn, policy, clock: Clock,
                report: Callable[[str], None], import_options: dict) -> bool:
    """Import one ready file through the descriptor that was checked; True when it was handled."""
    try:
        fd = os.open(name, _READ_FLAGS, dir_fd=folder.fd)
    except FileNotFoundError:
        return False
    except OSError as error:
        if error.errno == errno.ELOOP:  # swapped for a link since the scan
            _refuse(folder, name, _kind_now(folder, name), report)
        else:  # e.g. another user's file this user may not read
            _refuse(folder, name, f"cannot be read ({error.strerror}); drop a file this user can read", report)
        return True
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            os.close(fd)
            fd = -1
            _refuse(folder, name, _kind(opened), report)
            return True
        if opened.st_ino != info.st_ino:
            return False  # replaced since the scan: the new file waits its own turn
        # Read what was opened, not whatever the name points to by the time the importer opens it.
        source = Path(f"/proc/self/fd/{fd}") if os.path.isdir("/proc/self/fd") else folder.directory / name
        shown = str(folder.directory / name)
        try:
            summary = import_file(conn, source, policy=policy, now=clock.now(), display=shown, **import_options)
        except ImportFailed as failed:
            target = folder.move(name, "failed")
            folder.write_report(target, report_lines(name, failed.summary))
            report(f"failed: {name} -> {folder.directory / 'failed' / target} "
                   f"({failed.summary.rejected} problem(s), see {target}{REPORT_SUFFIX})")
            return True
    finally:
        if fd >= 0:
            os.close(fd)
    target = folder.move(name, "done")
    report(f"imported: {name} -> {folder.directory / 'done' / target}: " + "; ".join(summary.lines()[1:3]))
    return True


def process_ready(folder: DropFolder, conn, policy, clock: Clock, report: Callable[[str], None], **import_options) -> int:
    """One scan: refuse what is not a regular file, import every file that has settled, then
    triage what an earlier, interrupted import left untriaged. Returns how many entries were handled."""
    folder.check_subfolders()
    ready, refuse = folder.scan()
    for name, why in refuse:
        _refuse(folder, name, why, report)
    handled = len(refuse)
    for name, info in ready:
        try:
            handled += _import_one(folder, name, info, conn, policy, clock, report, import_options)
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            # Another process held the write lock past the busy timeout: the file stays where it
            # is and is tried again once it has settled again; a watcher does not give up.
            report(f"busy: {name}: the database is locked by another process; trying again shortly")
        except OSError as error:  # moved or deleted under us, a full disk: this file, not the watcher
            folder.refused.add(_identity(name, info))
            report(f"error: {name}: {error.strerror or error}; left where it is, tried again once it changes")
    if ready:
        _triage_pending(conn, policy, clock, report)
    return handled


def _triage_pending(conn, policy, clock: Clock, report: Callable[[str], None]) -> None:
    count = triage_pending(conn, policy, clock.now())
    if count:
        report(f"triaged {count} ticket(s) an earlier import or another program left untriaged")


def watch(directory: Path, conn, policy, clock: Clock, *, interval: float = 0.5, report: Callable[[str], None] = print,
          stop: Callable[[], bool] = lambda: False, **import_options) -> None:
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: not a folder")
    folder = DropFolder(directory)
    try:
        _triage_pending(conn, policy, clock, report)
        while not stop():
            process_ready(folder, conn, policy, clock, report, **import_options)
            time.sleep(interval)
    finally:
        folder.close()
