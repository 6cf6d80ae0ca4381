"""Reading messages out of ``.eml`` files, mbox files (mboxo and mboxrd) and Maildir folders,
one at a time, each with the file line its headers start on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from deskui.ingest.base import ImportContext, Stop, binary, is_binary
from deskui.ingest.mail.model import RawMail


def read_eml(ctx: ImportContext, path: Path, display: str | None = None) -> Iterator[RawMail]:
    data = path.read_bytes()
    name = display or ctx.name
    if is_binary(data[:8192]):
        binary(ctx, file=name)
    if data.startswith(b"From ") and b"\n" in data:  # an mbox separator line in front: skip it
        data = data.split(b"\n", 1)[1]
        yield RawMail(name, 2, data)
    else:
        yield RawMail(name, 1, data)


_SEPARATOR = re.compile(rb"^From \S+.*\d{1,2}:\d{2}")
_ESCAPED_FROM = re.compile(rb"^>(>*From )")


def read_mbox(ctx: ImportContext, path: Path) -> Iterator[RawMail]:
    """Stream an mbox one message at a time (mboxo and mboxrd: ``>From`` unescaped)."""
    total = path.stat().st_size
    with open(path, "rb") as handle:
        if is_binary(handle.read(8192)):
            binary(ctx)
        handle.seek(0)
        lineno = 0
        done = 0
        next_tick = 1 << 20
        buffer: list[bytes] = []
        start = 0
        previous_blank = True
        for raw in handle:
            lineno += 1
            done += len(raw)
            if raw.startswith(b"From ") and previous_blank and _SEPARATOR.match(raw):
                if buffer or start:
                    yield RawMail(ctx.name, start, _join(buffer))
                buffer = []
                start = lineno + 1
            else:
                if not start and not buffer and not raw.strip():
                    previous_blank = True
                    continue
                if not start:
                    ctx.reject(lineno, "file", "not an mbox: the first line is not a 'From ' separator line")
                    raise Stop
                if raw.startswith(b">") and _ESCAPED_FROM.match(raw):
                    raw = raw[1:]
                buffer.append(raw)
            previous_blank = raw in (b"\n", b"\r\n")
            if done >= next_tick:
                ctx.tick(done, total)
                next_tick = done + (1 << 20)
        if buffer or start:
            yield RawMail(ctx.name, start, _join(buffer))
        ctx.tick(done, total)


def _join(lines: list[bytes]) -> bytes:
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]  # the blank line before the next separator belongs to the mbox
    return b"".join(lines)


def read_maildir(ctx: ImportContext, path: Path) -> Iterator[RawMail]:
    """``new/`` and ``cur/`` in name order (``tmp/`` holds deliveries still being written)."""
    files = []
    for sub in ("new", "cur"):
        folder = path / sub
        if folder.is_dir():
            files.extend(sorted(entry for entry in folder.iterdir() if entry.is_file() and not entry.name.startswith(".")))
    for number, file in enumerate(files, start=1):
        display = f"{ctx.name.rstrip('/')}/{file.parent.name}/{file.name}"
        try:
            yield from read_eml(ctx, file, display)
        except Stop:
            pass  # one binary file in a Maildir rejects that message only
        ctx.tick(number, len(files))



READERS = {"eml": read_eml, "mbox": read_mbox, "maildir": read_maildir}


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()
