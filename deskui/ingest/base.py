"""What every importer shares: the summary and its rejections, the per-file context (counts,
options, the transaction), and streaming readers that know which line they are on.

Nothing here reads a whole file: text files are read line by line, CSV rows one at a time.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path

from deskui.ingest.textfile import (MAX_LINE_BYTES, SNIFF_BYTES, Stop, TextLines, binary, decode_head, decode_line,  # noqa: F401
                                    is_binary, sniff, wide_encoding)
from deskui.store.imports import columns_of, flag_for_triage, gather_missing_statistics  # noqa: F401 (columns_of: the order importers use it from here)
from deskui.text import store_text
from deskui.timeutil import TimeParseError, parse_time, to_db

UTC = timezone.utc
STATES = ("added", "updated", "unchanged", "rejected")
# How many rejections a summary lists one by one; the counts stay exact beyond it.
MAX_LISTED = 1000
# Rows per database round trip (also under SQLite's bound-parameter limit when used in IN lists).
BATCH = 500


@dataclass(frozen=True)
class Rejection:
    """One thing wrong with the input, pointing at it: ``FILE:LINE: field NAME: what is wrong``."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: field {self.field}: {self.message}"


@dataclass
class ImportSummary:
    file: str
    format: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    dry_run: bool = False
    stored: bool = False  # True once the file's rows are committed (never for a dry run or an abort)
    more_rejections: int = 0  # rejections beyond the listed ones

    def count(self, table: str, state: str) -> int:
        return self.counts.get(table, {}).get(state, 0)

    @property
    def rejected(self) -> int:
        return len(self.rejections) + self.more_rejections

    def lines(self) -> list[str]:
        """The summary as ``deskui import`` prints it (see docs/import.md)."""
        return format_summary(self)


class BadField(Exception):
    """One field of one row or record is unusable: the importer catches it and rejects the row
    with ``ctx.reject(line, error.field, error.message)``."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class ImportFailed(Exception):
    """The file was not imported (abort mode and at least one rejection, or an unusable file).
    ``summary`` says what was found; nothing from the file was stored."""

    def __init__(self, summary: ImportSummary):
        self.summary = summary
        self.rejections = summary.rejections
        count = summary.rejected
        first = str(summary.rejections[0]) if summary.rejections else summary.file
        more = f" (and {count - 1} more)" if count > 1 else ""
        super().__init__(f"{first}{more}; nothing from {summary.file} was stored")


def format_summary(summary: ImportSummary) -> list[str]:
    rejected = summary.rejected
    if summary.stored:
        verb = "imported" + (f", {rejected} rejected (skipped)" if rejected else "")
    elif summary.dry_run and not rejected:
        verb = "would import (dry run: nothing stored)"
    else:
        verb = f"nothing stored: {rejected} rejected" + (" (dry run)" if summary.dry_run else "")
    lines = [f"{summary.file} ({summary.format}): {verb}"]
    width = max((len(table) for table in summary.counts), default=6)
    for table, counts in summary.counts.items():
        cells = "  ".join(f"{state} {counts.get(state, 0)}" for state in STATES)
        lines.append(f"  {table:<{width}}  {cells}")
    for rejection in summary.rejections:
        lines.append(f"  {rejection}")
    if summary.more_rejections:
        lines.append(f"  ... and {summary.more_rejections} more rejection(s)")
    return lines


def storage_failure(file: str, db: str, error: sqlite3.Error) -> str:
    """One line for a database that could not take an import's rows (a full disk, an I/O
    error). SQLite rolls the file's transaction back, so nothing half-written is kept, and
    imports are idempotent, so running it again is always right."""
    reason = str(error)
    if "full" in reason:
        what = f"the disk holding {db} is full"
        todo = "free some space there"
    else:
        what = f"{db} could not be written ({reason})"
        todo = "check the disk and the file's permissions"
    return (f"{file}: import stopped: {what}; nothing half-written was kept (what is already in the database stays); "
            f"{todo}, then import the file again")


class ImportContext:
    """One file's import: where rejections and counts go, and the options."""

    def __init__(self, conn: sqlite3.Connection, path: Path, fmt: str, *, policy, now: datetime, on_error: str,
                 dry_run: bool, zone: tzinfo, progress: Callable[[int, int | None], None] | None,
                 display: str | None = None, **options):
        if on_error not in ("abort", "skip"):
            raise ValueError("on_error must be 'abort' or 'skip'")
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        self.conn = conn
        self.path = path
        self.name = display or str(path)
        self.policy = policy
        self.now = now
        self.now_db = to_db(now)
        self.on_error = on_error
        self.zone = zone or UTC
        self.progress = progress
        # The order of ambiguous numeric dates (01/02/2026): True day first, False month first,
        # None refuse them (deskui import --dayfirst / --monthfirst).
        self.dayfirst = options.pop("dayfirst", None)
        self.options = options
        self.summary = ImportSummary(file=self.name, format=fmt, dry_run=dry_run)
        self._times: dict[str, str] = {}
        self.triage: set[int] = set()  # tickets whose tier and clocks to derive once the file is stored
        # table -> key -> state, for rows met more than once in a file (an order on several rows,
        # a customer with several orders): each is counted once, by its strongest state.
        self._keyed: dict[str, dict] = {}
        self._statistics_checked = False

    def batch_written(self, tables: tuple[str, ...]) -> None:
        """After each batch of rows: the first gives a new database's planner statistics of the
        tables it fills (``store.imports.gather_missing_statistics``), the rest nothing."""
        if not self._statistics_checked:
            self._statistics_checked = True
            gather_missing_statistics(self.conn, tables)

    def to_triage(self, ticket_ids: set[int]) -> None:
        """Flag these tickets for triage, inside the file's transaction, and remember them: they
        are triaged after the commit, in short batches of their own, so the write lock is held
        for the rows only. If the process dies in between, the flag leaves them to any deskui
        (the inbox, ``deskui refresh``), as for rows another program wrote."""
        ids = sorted(ticket_ids - self.triage)
        flag_for_triage(self.conn, ids)
        self.triage.update(ids)

    # ------------------------------------------------------------------ counting
    def tables(self, *names: str) -> None:
        for name in names:
            self.summary.counts.setdefault(name, dict.fromkeys(STATES, 0))

    def add(self, table: str, state: str, n: int = 1) -> None:
        self.tables(table)
        self.summary.counts[table][state] += n

    _RANK = {"unchanged": 0, "updated": 1, "added": 2, "rejected": 3}

    def mark(self, table: str, key, state: str) -> str | None:
        """Count ``key`` of ``table`` once per file by its strongest state; returns the state it
        had before (None the first time it is met)."""
        seen = self._keyed.setdefault(table, {})
        before = seen.get(key)
        if before is None or self._RANK[state] > self._RANK[before]:
            seen[key] = state
        return before

    def seen(self, table: str, key) -> str | None:
        return self._keyed.get(table, {}).get(key)

    def finish_counts(self) -> None:
        for table, states in self._keyed.items():
            self.tables(table)
            for state in states.values():
                self.summary.counts[table][state] += 1
        self._keyed = {}

    # ------------------------------------------------------------------ rejections
    def reject(self, line: int, field_name: str, message: str, *, file: str | None = None,
               tables: Iterable[tuple[str, int]] = ()) -> None:
        if len(self.summary.rejections) < MAX_LISTED:
            self.summary.rejections.append(Rejection(file or self.name, line, field_name, message))
        else:
            self.summary.more_rejections += 1
        for table, n in tables:
            if n:
                self.add(table, "rejected", n)

    @property
    def failed(self) -> bool:
        return self.on_error == "abort" and self.summary.rejected > 0

    def tick(self, done: int, total: int | None) -> None:
        if self.progress is not None:
            self.progress(done, total)

    # ------------------------------------------------------------------ values
    def time(self, text: str) -> str:
        """A stored time (``YYYY-MM-DDTHH:MM:SSZ``) from any common format; naive = ``zone``.
        Cached: the rows of one order repeat the same dates."""
        found = self._times.get(text)
        if found is None:
            if len(self._times) > 16384:
                self._times.clear()
            found = self._times[text] = db_time(text, self.zone, self.dayfirst)
        return found


_YEAR = re.compile(r"(?<!\d)(19[89]\d|20\d\d|21\d\d)(?!\d)")


def db_time(text: str, zone: tzinfo, dayfirst: bool | None = None) -> str:
    """A whole timestamp from a file, stored form. ``dayfirst`` is the order of ambiguous numeric
    dates (None: refuse them); see ``timeutil.parse_time``."""
    text = text.strip()
    moment = parse_time(text, zone, dayfirst=dayfirst)
    # A four-digit year, so that a shifted price or quantity column is not taken for a date.
    if not _YEAR.search(text):
        raise TimeParseError(f"not a date/time: {text!r}", "write the year with four digits")
    return to_db(moment)


def time_problem(error: TimeParseError, text: str, example: str) -> str:
    """A rejection's message for an unreadable time: what is wrong with it, or an example."""
    return f"not a date/time: {text!r} ({error.detail or f'expected e.g. {example}'})"


# Characters that group thousands besides "," and ".": spaces (fr, ru), no-break and narrow
# no-break spaces (what spreadsheets and CLDR write), and the apostrophe (de-CH).
_GROUP_MARKS = " \u00a0\u202f\u2009'"
_SHAPE = re.compile(r"^([+-]?)([0-9.," + _GROUP_MARKS + r"]*)$")
_THOUSANDS_ONLY = re.compile(r"^[1-9]\d{0,2},\d{3}$")


def parse_number(text: str | None) -> float | None:
    """A number as people write it in exports; empty -> None, anything else raises ValueError.

    The decimal mark is the last of "," and "." when both appear (``1,299.50``, ``1.299,50``);
    a single "." is a decimal point (``12.99``, ``1.299``); a single "," is a decimal comma
    (``12,50``) unless it is followed by exactly three digits after a 1-3 digit lead with no
    other grouping (``1,299`` is 1299, as spreadsheets write it). Thousands groups may also be
    separated by spaces or an apostrophe (``1 299,50``, ``1'299.50``), and every group must have
    three digits, so a shifted column such as ``12,5,0`` is refused rather than misread."""
    if text is None:
        return None
    stripped = text.strip()
    if not stripped:
        return None
    shape = _SHAPE.match(stripped)
    if not shape or not any(char.isdigit() for char in stripped):
        raise ValueError(f"not a number: {stripped!r}")
    sign, body = shape.groups()
    if "," in body and "." in body:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
    elif body.count(".") == 1:
        decimal = "."
    elif body.count(",") == 1 and not _THOUSANDS_ONLY.match(body):
        decimal = ","
    else:
        decimal = None
    whole, _, fraction = body.rpartition(decimal) if decimal else (body, "", "")
    if not fraction.isdigit() and fraction:
        raise ValueError(f"not a number: {stripped!r}")
    return float(f"{sign}{_ungrouped(whole, stripped)}.{fraction or 0}")


def _ungrouped(whole: str, text: str) -> str:
    """The digits of an integer part written with one kind of thousands separator."""
    if whole.isdigit() or not whole:
        return whole or "0"
    marks = {char for char in whole if not char.isdigit()}
    groups = whole.split(marks.pop()) if len(marks) == 1 else []
    if not groups or not (1 <= len(groups[0]) <= 3 and groups[0].isdigit()) or \
            any(len(group) != 3 or not group.isdigit() for group in groups[1:]):
        raise ValueError(f"not a number: {text!r} (thousands are grouped by three, e.g. 1,299.50 or 1.299,50)")
    return "".join(groups)


def parse_int(text: str | None) -> int | None:
    value = parse_number(text)
    if value is None:
        return None
    if value != int(value) or value < 0:
        raise ValueError(f"not a whole quantity: {text.strip()!r}")
    return int(value)


def chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sniff_delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in ("\t", ",", ";")}
    return max(counts, key=counts.get) if max(counts.values()) else ","


def normal_key(name: str) -> str:
    """``Tracking Number`` / ``tracking-number`` / ``tracking_number`` -> ``tracking_number``."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")




class Rows:
    """CSV/TSV rows as dicts by header name, with the line each row starts on.

    Every data row must have as many fields as the header: a short row is a truncated file, a long
    one a shifted column, and either is rejected rather than read into the wrong columns."""

    def __init__(self, ctx: ImportContext, path: Path, *, delimiter: str | None = None, quoting: bool | None = None):
        self.ctx = ctx
        self.lines = TextLines(ctx, path)
        self._iter = iter(self.lines)
        self._delimiter = delimiter
        self._quoting = quoting
        self._dirty = False
        self.header: list[str] = []

    def read_header(self) -> list[str]:
        for line in self._iter:
            if line.strip():
                first = line
                break
        else:
            self.ctx.reject(1, "file", "empty file: no header line")
            raise Stop
        delimiter = self._delimiter or sniff_delimiter(first)
        quoting = self._quoting if self._quoting is not None else True
        if quoting is False and '"' in first:
            quoting = True  # a quoted header means the whole file is quoted
        self.header_line = self.lines.number
        if csv.field_size_limit() < MAX_LINE_BYTES:
            csv.field_size_limit(MAX_LINE_BYTES)  # the default (128 KiB) refuses a long message body
        self._reader = csv.reader(
            self._watch(_chain_first(first, self._iter)),
            delimiter=delimiter,
            quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE,
            strict=False,
        )
        try:
            self.header = [store_text(name).strip() for name in next(self._reader)]
            self._dirty = False
        except csv.Error as error:
            self.ctx.reject(self.header_line, "file", f"unreadable CSV header: {error}")
            raise Stop from None
        return self.header

    def _watch(self, lines: Iterator[str]) -> Iterator[str]:
        """Note which rows hold characters ``store_text`` removes: only their values are cleaned
        (csv.reader reads no further than the row it returns)."""
        for line in lines:
            if self.lines.dirty:
                self._dirty = True
            yield line

    def require(self, names: dict[str, tuple[str, ...]]) -> dict[str, int]:
        """Map each wanted field to its column index, trying each accepted spelling; a missing
        required field is a rejection at the header line. ``names`` maps the field to accepted
        headers; a field whose tuple starts with ``?`` is optional."""
        index = {}
        by_name = {name: i for i, name in enumerate(self.header)}
        by_key = {normal_key(name): i for i, name in enumerate(self.header)}
        missing = []
        for wanted, spellings in names.items():
            optional = spellings[:1] == ("?",)
            found = None
            for spelling in spellings[1:] if optional else spellings:
                if spelling in by_name:
                    found = by_name[spelling]
                    break
                if normal_key(spelling) in by_key:
                    found = by_key[normal_key(spelling)]
                    break
            if found is not None:
                index[wanted] = found
            elif not optional:
                missing.append(spellings[0])
        for name in missing:
            self.ctx.reject(self.header_line, name, "required column missing from the header")
        if missing:
            raise Stop
        return index

    def __iter__(self) -> Iterator[tuple[int, list[str], bool]]:
        """``(line, row, ok)``: a rejected row (already reported) comes with ``ok`` False and is
        padded to the header's width, so the importer can still reject the order it belongs to."""
        reader = self._reader
        width = len(self.header)
        previous = reader.line_num + self.header_line - 1
        try:
            for row in reader:
                if self._dirty:
                    row = [store_text(value) for value in row]
                    self._dirty = False
                start = previous + 1
                previous = reader.line_num + self.header_line - 1
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) < width:
                    self.ctx.reject(start, self.header[len(row)],
                                    f"truncated row: {len(row)} of {width} columns (file cut short, or a line break inside a value)")
                    yield start, row + [""] * (width - len(row)), False
                    continue
                if len(row) > width:
                    if not any(value.strip() for value in row[width:]):
                        row = row[:width]
                    else:
                        self.ctx.reject(start, self.header[-1],
                                        f"{len(row)} columns where the header has {width} (a stray delimiter inside a value?)")
                        yield start, row[:width], False
                        continue
                yield start, row, True
        except csv.Error as error:
            self.ctx.reject(previous + 1, "file", f"unreadable CSV: {error}")
            raise Stop from None


def _chain_first(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest
