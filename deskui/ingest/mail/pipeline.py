"""From a file to batches of classified messages: in this process, or for a large file in a
forked worker process that parses while this one writes."""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import traceback
from collections.abc import Iterator
from pathlib import Path

from deskui.forking import can_fork, die_with
from deskui.ingest.base import BATCH, ImportContext, Stop, db_time
from deskui.ingest.mail.classify import Rules
from deskui.ingest.mail.headers import parse_mail
from deskui.ingest.mail.model import Mail
from deskui.ingest.mail.reading import READERS

# Above this much input, parsing runs in a second process while this one writes (see pipeline).
PARALLEL_MIN_BYTES = 4 << 20
PARALLEL_MIN_FILES = 2000


def parsed_batches(ctx, fmt: str, rules: Rules) -> Iterator[list[Mail]]:
    """Read, parse and classify, in batches; rejections go to ``ctx``."""
    batch: list[Mail] = []
    for raw in READERS[fmt](ctx, ctx.path):
        mail = parse_mail(ctx, raw)
        if mail is None:
            continue
        rules.classify(mail)
        batch.append(mail)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def worth_a_worker(path: Path, fmt: str) -> bool:
    if not can_fork():
        return False
    if fmt == "mbox":
        return path.stat().st_size >= PARALLEL_MIN_BYTES
    if fmt == "maildir":
        return sum(len(os.listdir(path / sub)) for sub in ("cur", "new") if (path / sub).is_dir()) >= PARALLEL_MIN_FILES
    return False



# ---------------------------------------------------------------------- the parsing worker
class _Collector:
    """Stands in for the ImportContext inside the worker: records rejections and progress as events
    that the importing process replays, in order, before the batch they came with."""

    def __init__(self, path: Path, name: str, zone):
        self.path, self.name, self.zone = path, name, zone
        self.events: list[tuple] = []

    def reject(self, line, field_name, message, *, file=None, tables=()):
        self.events.append(("reject", line, field_name, message, file, list(tables)))

    def tick(self, done, total):
        self.events.append(("tick", done, total))

    def time(self, text: str) -> str:
        return db_time(text, self.zone)

    def drain(self) -> list[tuple]:
        events, self.events = self.events, []
        return events


ORPHAN_POLL_SECONDS = 1.0


def _put(queue, item, parent: int) -> None:
    """``queue.put`` that gives up when the reader is gone: with the queue full and the parent
    dead, a plain put blocks forever (this process holds the pipe's read end too, so writing
    never fails)."""
    while True:
        if os.getppid() != parent:
            os._exit(1)  # no cleanup: flushing the queue would block on the same full pipe
        try:
            queue.put(item, timeout=ORPHAN_POLL_SECONDS)
            return
        except queue_module.Full:
            continue


def _worker(path: str, name: str, zone, fmt: str, rules: Rules, queue, parent: int) -> None:
    die_with(parent)
    collector = _Collector(Path(path), name, zone)
    try:
        for batch in parsed_batches(collector, fmt, rules):
            _put(queue, ("batch", batch, collector.drain()), parent)
        _put(queue, ("done", None, collector.drain()), parent)
    except Stop:
        _put(queue, ("stop", None, collector.drain()), parent)
    except BaseException:  # reported to the importing process, which raises it
        _put(queue, ("error", traceback.format_exc(), collector.drain()), parent)


def pipeline(ctx: ImportContext, fmt: str, rules: Rules) -> Iterator[list[Mail]]:
    """Parse in a forked worker process while this one writes: e-mail parsing and the database
    work take about as long each, and the machine has two cores. The child never touches the
    database connection it inherits and leaves through os._exit. The queue holds a few batches,
    so memory stays bounded."""
    mp = multiprocessing.get_context("fork")
    queue = mp.Queue(maxsize=4)
    worker = mp.Process(target=_worker, args=(str(ctx.path), ctx.name, ctx.zone, fmt, rules, queue, os.getpid()), daemon=True)
    worker.start()
    try:
        while True:
            try:
                kind, payload, events = queue.get(timeout=1.0)
            except queue_module.Empty:
                if not worker.is_alive():
                    raise RuntimeError(f"the e-mail parsing worker for {ctx.name} stopped (exit code {worker.exitcode})") from None
                continue
            for event in events:
                if event[0] == "reject":
                    _, line, field_name, message, file, tables = event
                    ctx.reject(line, field_name, message, file=file, tables=tables)
                else:
                    ctx.tick(event[1], event[2])
            if kind == "batch":
                yield payload
            elif kind == "done":
                break
            elif kind == "stop":
                raise Stop
            else:
                raise RuntimeError(f"parsing {ctx.name} failed in the worker process:\n{payload}")
        worker.join(timeout=10)
    finally:
        if worker.is_alive():
            worker.terminate()
            worker.join(timeout=5)
        queue.close()

