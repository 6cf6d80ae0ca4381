"""What the command line prints, made as safe for a terminal as what the screens show.

Every human-readable line goes through ``deskui.text.clean`` (escape sequences, C0/C1 controls
and bidi overrides removed) and has its own newlines shown as ``\\n``, so a file name or a CSV
header cannot forge a second line ("imported: fake.jsonl -> everything fine"). JSON output keeps
every value exact but escapes the characters a terminal would act on: ``json.dumps`` escapes
C0 controls only, and leaves DEL, C1 (U+009B is a one-byte CSI) and bidi overrides raw.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from functools import lru_cache
from typing import TextIO

from deskui.text import clean

# Outside string literals JSON holds only ASCII structure, so these can only be inside strings,
# where a \\uXXXX escape stands for the very same character.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


def line(text: object) -> str:
    """One physical line of display text: cleaned, its line breaks shown as ``\\n``."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    # A file name with bytes that are not UTF-8 arrives with surrogate escapes, which stdout
    # cannot encode; show them as \\udcXX instead of raising.
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return clean(text).replace("\n", "\\n")


def say(text: object = "", *, file: TextIO | None = None, flush: bool = False) -> None:
    """Print one line to stdout (or ``file``), cleaned."""
    print(line(text), file=file or sys.stdout, flush=flush)


def warn(text: object) -> None:
    """Print one line to stderr, cleaned."""
    print(line(text), file=sys.stderr, flush=True)


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


@lru_cache(maxsize=8)
def _encoder(indent: int | None, separators: tuple[str, str] | None) -> Callable[[object], str]:
    return json.JSONEncoder(ensure_ascii=False, indent=indent, separators=separators).encode


def json_text(value: object, *, indent: int | None = None, separators: tuple[str, str] | None = None) -> str:
    """JSON with non-ASCII text kept readable but no raw terminal control character."""
    text = _encoder(indent, separators)(value)
    # `deskui classify` encodes every line: the search alone is the common case (~1 µs).
    return _JSON_UNSAFE.sub(_escape, text) if _JSON_UNSAFE.search(text) else text


def print_json(value: object, *, indent: int | None = 2) -> None:
    sys.stdout.write(json_text(value, indent=indent) + "\n")
