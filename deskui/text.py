"""Untrusted text (subjects, bodies, names, file contents) made safe to show.

Rich keeps ESC and other control characters, and a bidi override can make a subject read
backwards; both are stripped before any buyer-written text reaches a widget. Markup is never an
issue if callers build ``rich.text.Text`` / Textual ``Content`` objects from these strings rather
than markup strings, which the UI does everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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


# ---------------------------------------------------------------------------- text an agent filters by
# Letters whose decomposition keeps no base letter, spelled as a person types them without the key.
_FILTER_LETTERS = {"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"}
_COMBINING = frozenset({"Mn", "Mc", "Me"})


@lru_cache(maxsize=8192)
def _filter_char(char: str) -> str:
    """What one character becomes in ``filter_key``: "" (a mark or an invisible character), a
    space (punctuation, symbols, spaces) or one or more lower-case letters and digits."""
    lower = char.casefold()  # "ß" -> "ss", "ẞ" -> "ss", "Σ"/"ς" -> "σ": what str.casefold is for
    if lower in _FILTER_LETTERS:
        return _FILTER_LETTERS[lower]
    out = []
    for part in unicodedata.normalize("NFKD", lower):  # "é" -> "e" + accent, "ﬁ" -> "fi", "Ａ" -> "A"
        category = unicodedata.category(part)
        if category in _COMBINING or category == "Cf" or part == "\0":
            continue  # accents, zero-width joiners and spaces, soft hyphens: inside a word, not between
        if part.isalnum():
            out.append(_FILTER_LETTERS.get(part.casefold(), part.casefold()))
        else:
            out.append(" ")
    return "".join(out)


def filter_key(text: str | None) -> str:
    """``text`` as a typed filter compares it: case folded with ``str.casefold`` ("Straße" and
    "STRASSE" both give "strasse"), accents dropped ("Réclamation" gives "reclamation"), letters
    such as "æ", "ø", "ł" spelled out ("ae", "o", "l"), punctuation and symbols as spaces ("A-to-z"
    gives "a to z"). Every filter the app offers on typed text compares ``filter_key`` of both
    sides (templates, agent names, palette entries), so each finds what the others find."""
    return filter_key_map(text)[0]


def filter_key_map(text: str | None) -> tuple[str, list[int]]:
    """``(filter_key(text), where)``: ``where[i]`` is the index in ``text`` of the character that
    gave character ``i`` of the key, so a match in the key can be highlighted in ``text``."""
    if not text:
        return "", []
    if text.isascii():  # the common case, without a Python call per character
        key = text.lower().translate(_ASCII_FILTER)
        return key, list(range(len(text)))
    pieces, where = [], []
    for index, char in enumerate(text):
        folded = _filter_char(char)
        pieces.append(folded)
        where.extend([index] * len(folded))
    return "".join(pieces), where


def filter_span(where: list[int], start: int, end: int) -> tuple[int, int]:
    """The span of the original text that key characters ``start:end`` came from (``end`` > ``start``)."""
    return where[start], where[end - 1] + 1


_ASCII_FILTER = {code: " " for code in range(128) if not chr(code).isalnum()}


def same_name(name: str, known) -> str | None:
    """The entry of ``known`` that ``name`` means (equal by ``filter_key``: "jose" is "José",
    "strasser" is "Straßer"), else None. Spaces around ``name`` do not count."""
    wanted = " ".join(filter_key(name).split())
    if not wanted:
        return None
    return next((entry for entry in known if " ".join(filter_key(entry).split()) == wanted), None)


def complete(value: str, candidates) -> str | None:
    """The completion of ``value`` from ``candidates`` (the first whose ``filter_key`` starts with
    the value's), as an input box shows it after what was typed: the candidate itself when the
    typed part is as long as the candidate's matching part ("jos" -> "José Garcia"), else what was
    typed plus the candidate's rest ("strass" -> "strasser" for "Straßer"; ``same_name`` then
    finds the agent), so the greyed rest lines up with the typed text."""
    wanted = filter_key(value)
    if not wanted.strip():
        return None
    for candidate in candidates:
        key, where = filter_key_map(candidate)
        if not key.startswith(wanted):
            continue
        end = where[len(wanted) - 1] + 1
        while end < len(candidate) and not _filter_char(candidate[end]):
            end += 1  # a combining accent after the last matched letter belongs to it
        return candidate if end == len(value) else value + candidate[end:]
    return None
