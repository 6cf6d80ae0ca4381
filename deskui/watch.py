"""``deskui watch DIR``: import files as they are dropped into a folder.

A file is imported once it has stopped growing (a mail client or a report export may still be
writing it), then moved to ``done/`` or, with the error written beside it, to ``failed/``.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from deskui.clock import Clock
from deskui.ingest import ImportFailed, import_file

SETTLE_SECONDS = 1.0


def _destination(folder: Path, name: str) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / name
    counter = 1
    while target.exists():  # never overwrite an earlier file of the same name
        target = folder / f"{Path(name).stem}.{counter}{Path(name).suffix}"
        counter += 1
    return target


def process_ready(directory: Path, conn, policy, clock: Clock, sizes: dict[Path, tuple[int, float]],
                  report: Callable[[str], None], **import_options) -> int:
    """One scan: import every file that has been the same size for SETTLE_SECONDS. Returns how
    many files were handled."""
    handled = 0
    now = time.monotonic()
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.name.startswith(".") or path.name.endswith((".error.txt", ".part", ".tmp")):
            continue
        size = path.stat().st_size
        seen = sizes.get(path)
        if seen is None or seen[0] != size:
            sizes[path] = (size, now)
            continue
        if now - seen[1] < SETTLE_SECONDS:
            continue
        sizes.pop(path, None)
        handled += 1
        try:
            summary = import_file(conn, path, policy=policy, now=clock.now(), **import_options)
        except ImportFailed as failed:
            target = _destination(directory / "failed", path.name)
            shutil.move(str(path), target)
            target.with_name(target.name + ".error.txt").write_text("\n".join(failed.summary.lines()) + "\n", encoding="utf-8")
            report(f"failed: {path.name} -> {target} ({failed.summary.rejected} problem(s), see {target.name}.error.txt)")
            continue
        target = _destination(directory / "done", path.name)
        shutil.move(str(path), target)
        report(f"imported: {path.name} -> {target}: " + "; ".join(summary.lines()[1:3]))
    return handled


def watch(directory: Path, conn, policy, clock: Clock, *, interval: float = 0.5, report: Callable[[str], None] = print,
          stop: Callable[[], bool] = lambda: False, **import_options) -> None:
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: not a folder")
    sizes: dict[Path, tuple[int, float]] = {}
    while not stop():
        process_ready(directory, conn, policy, clock, sizes, report, **import_options)
        time.sleep(interval)
