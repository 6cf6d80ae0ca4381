"""One reader for deskui's TOML files: the text in, typed values out, every problem ``FILE:LINE: field: what``.

The config file (agent, keys, ``[[alerts]]``, ``[[views]]``, ``[[macros]]``, ``[lint.<channel>]``,
``[[mailboxes]]``, ``[smtp]``, ``[triage]``) and the policy file are read through it:

* :class:`Document` holds one file's parsed data, its text and name; :meth:`Document.parse` and
  :meth:`Document.read` turn TOML syntax and file errors into :class:`Problem` s too. tomllib keeps
  no positions, so :class:`LineIndex` scans the text once (only when a problem needs a line) for the
  line of every table, array-of-tables entry and key.
* :class:`Reader` collects the problems of one section while its typed helpers (``text``,
  ``strings``, ``integer``, ``number``, ``boolean``, ``choice``, ``unknown``, ``tables``) read values;
  each section's parser (deskui/policy/loader.py, deskui/views.py, ...) keeps only its own rules.

A field is written like the policy's errors always were: ``tiers[0].first_response``,
``lint.amazon.disable``, ``mailboxes[1].port``; arrays of tables count from 0.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ConfigFileError", "Document", "LineIndex", "Problem", "Reader", "field_name"]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int  # 0: no line to point at (the file itself, or parsed data given without its text)
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class ConfigFileError(Exception):
    """Every problem found in one file (or one section), one a line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def field_name(path: Iterable[Any]) -> str:
    """("tiers", 0, "name") -> "tiers[0].name"."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


# -- where things are --------------------------------------------------------------------------
_BARE_KEY = re.compile(r"[A-Za-z0-9_\-]+")
_SPACE = re.compile(r"[ \t]*")


def _key(text: str, at: int) -> tuple[tuple[str, ...], int] | None:
    """A (dotted, maybe quoted) key starting at ``at``: its parts and where it ends."""
    parts = []
    while True:
        at = _SPACE.match(text, at).end()
        if at < len(text) and text[at] in "\"'":
            quote = text[at]
            end = at + 1
            while end < len(text) and text[end] != quote:
                end += 2 if quote == '"' and text[end] == "\\" else 1
            if end >= len(text):
                return None
            parts.append(text[at + 1:end])
            at = end + 1
        else:
            bare = _BARE_KEY.match(text, at)
            if not bare:
                return None
            parts.append(bare.group(0))
            at = bare.end()
        at = _SPACE.match(text, at).end()
        if at < len(text) and text[at] == ".":
            at += 1
            continue
        return tuple(parts), at


def _scan_value(text: str, at: int, depth: int, open_string: str | None) -> tuple[int, str | None]:
    """Follow a value to the end of its line: the bracket depth and any multi-line string left
    open, so the next lines are not taken for keys or tables."""
    while at < len(text):
        if open_string:
            end = text.find(open_string, at)
            if end < 0:
                return depth, open_string
            at, open_string = end + 3, None
            continue
        char = text[at]
        if char == "#":
            break
        if text.startswith(('"""', "'''"), at):
            open_string, at = text[at:at + 3], at + 3
        elif char in "\"'":
            end = at + 1
            while end < len(text) and text[end] != char:
                end += 2 if char == '"' and text[end] == "\\" else 1
            at = end + 1
        else:
            depth += (char in "[{") - (char in "]}")
            at += 1
    return depth, open_string


class LineIndex:
    """The line of each table, array-of-tables entry and key. Paths look like
    ("tiers", 2, "first_response") for the third ``[[tiers]]``'s key."""

    def __init__(self, source: str) -> None:
        self.lines: dict[tuple, int] = {}
        arrays: dict[tuple, int] = {}  # the current index of each array of tables
        table: tuple = ()
        depth, open_string = 0, None
        for number, raw in enumerate(source.splitlines(), start=1):
            if depth > 0 or open_string:  # inside a multi-line array or string
                depth, open_string = _scan_value(raw, 0, depth, open_string)
                continue
            at = _SPACE.match(raw).end()
            if raw.startswith("[", at):
                double = raw.startswith("[[", at)
                found = _key(raw, at + (2 if double else 1))
                if found:
                    table = self._resolve(found[0], arrays)
                    if double:
                        arrays[table] = arrays.get(table, -1) + 1
                        table = (*table, arrays[table])
                        self.lines.setdefault(table[:-1], number)
                    self.lines.setdefault(table, number)
                continue
            found = _key(raw, at)
            if not found or not raw.startswith("=", found[1]):
                continue
            parts, end = found
            for length in range(1, len(parts) + 1):  # a.b = 1 also places a
                self.lines.setdefault((*table, *parts[:length]), number)
            depth, open_string = _scan_value(raw, end + 1, 0, None)

    @staticmethod
    def _resolve(name: tuple, arrays: dict[tuple, int]) -> tuple:
        """[a.b] after [[a]] belongs to a's last entry: ("a", n, "b")."""
        path: tuple = ()
        for part in name:
            path = (*path, part)
            if path in arrays and path != name:
                path = (*path, arrays[path])
        return path

    def line(self, *path: Any) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1


_SYNTAX_LINE = re.compile(r"line (\d+)")


class Document:
    """One TOML file, parsed: ``data``, its ``source`` text (for lines) and its ``file`` name."""

    def __init__(self, data: dict, source: str | None, file: str) -> None:
        self.data = data if isinstance(data, dict) else {}
        self.source = source
        self.file = file
        self._index: LineIndex | None = None

    @classmethod
    def parse(cls, source: str, file: str) -> "Document":
        try:
            data = tomllib.loads(source)
        except tomllib.TOMLDecodeError as error:
            match = _SYNTAX_LINE.search(str(error))
            raise ConfigFileError([Problem(file, int(match.group(1)) if match else 1, "toml",
                                           f"syntax error: {error}")]) from None
        return cls(data, source, file)

    @classmethod
    def read(cls, path: str | Path, *, what: str = "the file") -> "Document":
        """Read and parse ``path``; a missing, unreadable or binary file is a problem at line 0."""
        path = Path(path)
        try:
            source = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigFileError([Problem(str(path), 0, "file", "no such file")]) from None
        except UnicodeDecodeError:
            raise ConfigFileError([Problem(str(path), 0, "file", f"not a text file (not UTF-8); write {what} as TOML "
                                                                 "text, or move it away")]) from None
        except OSError as error:
            raise ConfigFileError([Problem(str(path), 0, "file", f"cannot read it ({error.strerror or error}); fix "
                                                                 "its permissions, or move it away")]) from None
        return cls.parse(source, str(path))

    def line(self, *path: Any) -> int:
        if not self.source:
            return 0
        if self._index is None:  # built on the first problem: a good file never needs it
            self._index = LineIndex(self.source)
        return self._index.line(*path)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.data


Message = str | Callable[[str], str]


class Reader:
    """The problems of one document, and typed reads that add to them. Each read returns the
    value, or ``default`` after recording what is wrong at the value's line."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.problems: list[Problem] = []

    @property
    def file(self) -> str:
        return self.document.file

    def problem(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.file, self.document.line(*path), field_name(path), message))

    def raise_problems(self, error: Callable[[list[Problem]], Exception] = ConfigFileError) -> None:
        if self.problems:
            raise error(self.problems)

    # -- tables ------------------------------------------------------------------------------
    def unknown(self, raw: dict, path: tuple, allowed: Iterable[str], message: Message) -> bool:
        """Report each key of ``raw`` not in ``allowed`` (sorted); True when there was one."""
        allowed = set(allowed)
        bad = sorted(key for key in raw if key not in allowed)
        for key in bad:
            self.problem((*path, key), message(key) if callable(message) else message)
        return bool(bad)

    def tables(self, key: str, message: str, *, entry: str = "must be a table") -> Iterator[tuple[tuple, dict]]:
        """The entries of an array of tables (``[[views]]``): (path, table) for each good one."""
        raw = self.document.get(key, [])
        if not isinstance(raw, list):
            self.problem((key,), message)
            return
        for index, table in enumerate(raw):
            if isinstance(table, dict):
                yield (key, index), table
            else:
                self.problem((key, index), entry)

    # -- values ------------------------------------------------------------------------------
    def text(self, raw: dict, path: tuple, key: str, *, required: bool = False, missing: str = "missing",
             wrong: str = "must be a non-empty string") -> str | None:
        """A non-empty string, stripped."""
        value = raw.get(key)
        if value is None:
            if required:
                self.problem((*path, key), missing)
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem((*path, key), wrong)
            return None
        return value.strip()

    def strings(self, raw: dict, path: tuple, key: str, default: list[str], *,
                wrong: str = "must be a non-empty list of strings", allow_one: bool = False,
                allow_empty: bool = False) -> list[str]:
        """A list of non-empty strings (``allow_one``: a lone string counts as a list of one)."""
        if key not in raw:
            return default
        value = raw[key]
        if allow_one and isinstance(value, str):
            value = [value]
        if (not isinstance(value, list) or (not value and not allow_empty)
                or not all(isinstance(item, str) and item.strip() for item in value)):
            self.problem((*path, key), wrong)
            return default
        return [item.strip() for item in value]

    def integer(self, raw: dict, path: tuple, key: str, default: int | None, *, low: int, high: int,
                wrong: Message) -> int | None:
        """A whole number from ``low`` to ``high`` (never a bool)."""
        if key not in raw:
            return default
        value = raw[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.problem((*path, key), wrong(value) if callable(wrong) else wrong)
            return default
        return value

    def number(self, raw: dict, path: tuple, key: str, default: float | None, *, low: float | None = None,
               high: float | None = None, above: float | None = None, wrong: Message) -> float | None:
        """An int or float within the bounds (``above``: strictly greater), never a bool nor NaN."""
        if key not in raw:
            return default
        value = raw[key]
        good = (isinstance(value, (int, float)) and not isinstance(value, bool) and value == value
                and (low is None or value >= low) and (high is None or value <= high)
                and (above is None or value > above))
        if not good:
            self.problem((*path, key), wrong(value) if callable(wrong) else wrong)
            return default
        return float(value)

    def boolean(self, raw: dict, path: tuple, key: str, default: bool, *, wrong: str = "must be true or false") -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            self.problem((*path, key), wrong)
            return default
        return value

    def choice(self, raw: dict, path: tuple, key: str, choices: Iterable[str], default: str | None, *,
               wrong: Message) -> str | None:
        """One of ``choices``, as written."""
        if key not in raw:
            return default
        value = raw[key]
        if value not in tuple(choices):
            self.problem((*path, key), wrong(value) if callable(wrong) else wrong)
            return default
        return value
