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


# ---------------------------------------------------------------------------- text entering the store
# What ``store_text`` takes out of text on its way into the database. Unlike ``clean`` (display),
# it keeps zero-width joiners and LRM/RLM marks: they are part of real Persian, Hindi or Hebrew
# text and of emoji sequences, and the screens strip them anyway.
_STORE_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_STORE_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_STORE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Escape sequences as the store removes them: like _ESCAPE_SEQUENCE, but an OSC string counts
# only with its terminator, and a lone C1 CSI (U+009B, often a mis-decoded "›") is one control,
# so that neither can swallow the buyer's words that follow it.
_STORE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]{0,2048}(?:\x07|\x1b\\)|[@-Z\\-_])")


def store_text(text: str | None) -> str | None:
    """Text as deskui stores it: whole, with nothing in it that hides or rewrites text.

    * ANSI/VT escape sequences are removed whole (``"\\x1b[31m"`` leaves nothing);
    * CR LF and lone CR become LF; vertical tab, form feed and NEL become LF (they are line
      breaks to every reader);
    * NUL, the other C0 controls except tab and LF, DEL, the C1 controls, the bidi
      embeddings/overrides/isolates and U+FEFF are **removed**, not replaced: they carry no
      text, and a file decoded in the wrong encoding puts a NUL between every letter, where
      U+FFFD would break every word for triage while removal gives the words back;
    * lone surrogates (``"\\ud800"`` from a JSON escape) become U+FFFD: they are broken text,
      and SQLite cannot store them.

    Nothing else changes and nothing is ever cut: SQLite's own string functions stop at a NUL
    (``substr``, ``length``), so a NUL left in a body would hide the rest of it from triage and
    from the screen. Text without any of these characters comes back as the same object."""
    if not text or _STORE_UNSAFE.search(text) is None:
        return text
    text = _STORE_SEQUENCE.sub("", text)
    text = _STORE_BREAKS.sub("\n", text)
    text = _STORE_CONTROLS.sub("", text)
    return _SURROGATE.sub("\ufffd", text)


def has_unsafe(text: str | None) -> bool:
    """Whether ``store_text`` would change ``text``."""
    return bool(text) and _STORE_UNSAFE.search(text) is not None
