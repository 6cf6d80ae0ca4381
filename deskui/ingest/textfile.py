"""Reading sellers' text files: recognising binary and wide (UTF-16/32) files, and their lines,
decoded one at a time, with no line read whole beyond ``MAX_LINE_BYTES``."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

SNIFF_BYTES = 64 * 1024


class Stop(Exception):
    """Raised inside an importer when the file cannot be read any further (missing column,
    binary data): the rejection is already recorded."""


def sniff(path: Path, size: int = SNIFF_BYTES) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


_SIGNATURES = (b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"SQLite format 3", b"\x1f\x8b")
# Control bytes that no text export holds in number (tab, LF, CR, ESC and form feed are text).
_BINARY_BYTES = bytes(range(0, 9)) + bytes((0x0B, 0x0E, 0x0F)) + bytes(range(0x10, 0x1B)) + bytes(range(0x1C, 0x20))
# The longest line deskui reads. A text export breaks its lines; a line this long is a file
# without line breaks (a binary file, one giant JSON document), and reading it whole would
# take its size in memory several times over. A 1 MB message body is far below it.
MAX_LINE_BYTES = 32 * 1024 * 1024
_UTF16_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
               (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def wide_encoding(head: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` / ``utf-32-*`` for a file written in a wide encoding (what
    Excel's "Unicode Text" and Windows tools save), from its byte-order mark, or for UTF-16
    without one, from the NUL bytes of its ASCII letters; else None."""
    for bom, name in _UTF16_BOMS:
        if head.startswith(bom):
            return name
    sample = head[:4096]
    if len(sample) >= 8:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    return None


def decode_head(head: bytes) -> str:
    """The first bytes of a file as text, for recognising its format."""
    encoding = wide_encoding(head)
    if encoding:
        return head.decode(encoding, errors="ignore").lstrip("\ufeff")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def is_binary(head: bytes) -> bool:
    """A known binary signature, or control bytes in number: no text export has them. A stray
    NUL in a text file is not enough (it is cleaned out of the text as it is stored), nor are
    the NULs of a UTF-16 file (see ``wide_encoding``)."""
    if head.startswith(_SIGNATURES):
        return True
    if not head or wide_encoding(head):
        return False
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))
    return controls > max(2, len(head) // 20)


# What store_text would take out of a line, except the CR of its CR LF ending.
_LINE_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_CONTROL_BYTES = bytes(range(0, 9)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20)) + b"\x7f"


def _needs_cleaning(line: str) -> bool:
    return _LINE_UNSAFE.search(line) is not None or "\r" in line[:-2]


def decode_line(raw: bytes) -> str:
    """UTF-8, else Windows-1252 (what spreadsheet programs and older Amazon EU reports write)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


class TextLines:
    """The lines of a text file, decoded one at a time (UTF-8 with a BOM or not, else cp1252;
    UTF-16/32 by their BOM). Binary data, or a line longer than ``MAX_LINE_BYTES``, stops the file with one rejection."""

    def __init__(self, ctx, path: Path):
        self.ctx = ctx
        self.path = path
        self.total = path.stat().st_size
        self.done = 0
        self.number = 0
        self.dirty = False  # whether the line just read holds what store_text removes

    def __iter__(self) -> Iterator[str]:
        ctx = self.ctx
        with open(self.path, "rb") as handle:
            head = handle.read(8192)
            if is_binary(head):
                binary(ctx)
            handle.seek(0)
            encoding = wide_encoding(head)
            source = self._wide(handle, encoding) if encoding else self._bytes(handle)
            next_tick = 1 << 20
            for line in source:
                self.number += 1
                if self.done >= next_tick:
                    ctx.tick(self.done, self.total)
                    next_tick = self.done + (1 << 20)
                yield line
        ctx.tick(self.done, self.total)

    def _bytes(self, handle) -> Iterator[str]:
        readline, limit = handle.readline, MAX_LINE_BYTES + 1
        while raw := readline(limit):
            size = len(raw)
            self.done += size
            if size > MAX_LINE_BYTES:
                self._too_long()
            if self.number == 0 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            line = decode_line(raw)
            if raw.isascii():  # the common case, checked on the bytes: ~2x faster than the regex
                dirty = len(raw.translate(None, _CONTROL_BYTES)) != size or raw.find(b"\r", 0, size - 2) != -1
            else:
                dirty = _needs_cleaning(line)
            if dirty and raw.count(0) > max(2, size // 20):
                self.ctx.reject(self.number + 1, "file", "binary data (NUL bytes) in a text file: not an export this importer reads")
                raise Stop
            self.dirty = dirty
            yield line

    def _wide(self, handle, encoding: str) -> Iterator[str]:
        # newline="" keeps CR LF inside quoted CSV values as the csv module expects.
        text = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")
        width = 4 if "32" in encoding else 2
        limit = MAX_LINE_BYTES // width
        while line := text.readline(limit + 1):
            self.done += len(line) * width
            if len(line) > limit:
                self._too_long()
            line = line.lstrip("\ufeff") if self.number == 0 else line
            self.dirty = _needs_cleaning(line)
            yield line

    def _too_long(self) -> None:
        self.ctx.reject(self.number + 1, "file", f"a line longer than {MAX_LINE_BYTES >> 20} MiB with no line break: not a text "
                                                 "export this importer reads (a binary file, or one JSON document instead of "
                                                 "one ticket per line?)")
        raise Stop


def binary(ctx, file: str | None = None) -> None:
    ctx.reject(1, "file", "binary file (NUL bytes or a binary signature), not a text export or e-mail; "
                          "check that you picked the right file", file=file)
    raise Stop
