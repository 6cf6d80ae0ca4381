"""Untrusted text (subjects, bodies, names, file contents) made safe to show.

Rich keeps ESC and other control characters, and a bidi override can make a subject read
backwards; both are stripped before any buyer-written text reaches a widget. Markup is never an
issue if callers build ``rich.text.Text`` / Textual ``Content`` objects from these strings rather
than markup strings, which the UI does everywhere.
"""

from __future__ import annotations

import re

# C0 controls except tab/newline, DEL, C1 controls, bidi embeddings/overrides/isolates, and the
# zero-width characters used to smuggle text past filters.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# ANSI/VT escape sequences: remove them whole, not just their ESC, so "\x1b[31m" leaves no "[31m".
_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]")
_SPACES = re.compile(r"\s+")


def clean(text: str | None, *, limit: int | None = None) -> str:
    """Multi-line text for display: escape sequences and control characters removed."""
    if not text:
        return ""
    if limit is not None and len(text) > limit:
        text = text[:limit] + " …"
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\t", "    "))


def one_line(text: str | None, *, limit: int = 300) -> str:
    """Single-line text for a list cell: newlines and runs of spaces collapse to one space."""
    if not text:
        return ""
    return _SPACES.sub(" ", clean(text[: limit * 2])).strip()[:limit]
