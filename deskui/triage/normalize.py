"""Text normalisation for keyword triage.

Two layers, so that matching is fast *and* every hit maps back to the original text:

``fold(text)`` -- one output character per input character (length-preserving):
    * letters are lower-cased and stripped of accents (``é->e``, ``ç->c``, ``ñ->n``, ``Ä->a``,
      ``æ->a``, ``œ->o``, ``ø->o``, ``ł->l``, ``ı->i``, fullwidth ``Ａ->a``...); half-width
      katakana fold to full-width ("ｶ->カ") and kana voicing marks fold away like accents
      ("ガ", "ｶﾞ" and "カ" + U+3099 all give "カ");
    * ``ß`` and ``ẞ`` fold to ``ß`` (it stands for "ss", see below);
    * digits of any script fold to ASCII digits;
    * everything else -- punctuation, apostrophes, quotes, dashes (including the non-breaking
      hyphen U+2011), symbols, emoji, whitespace, control characters, lone surrogates -- folds
      to a space, so "A-to-z", "A‑to‑Z" and "A to Z" all fold to "a to z";
    * invisible characters that live *inside* words (combining accents of decomposed text,
      soft hyphens, zero-width joiners/spaces, other format characters) fold to ``"\\0"``,
      a marker that :func:`fold_compact` deletes (keeping an offset map) before matching
      (NUL is treated the same way).
    Letters of other scripts are lower-cased and kept. The fold of an ASCII or Latin-1 text
    is computed with ``bytes.translate`` (no per-character Python code); so is a text with one
    or two other characters (each replaced everywhere by its fold first: "’", "‑") or one in
    Windows-1252, -1250 (Polish) or -1254 (Turkish), through that code page's table.

``normalize(text)`` -- the canonical form that lexicon terms and texts are compared in:
    ``fold``, then delete the ``"\\0"`` markers, then delete every run of ``e`` that follows
    ``a``, ``o`` or ``u`` (German umlaut spellings: "beschädigt", "beschaedigt" and
    "beschadigt" all give "beschadigt"; "Rückerstattung"/"Rueckerstattung" give
    "ruckerstattung"), then expand ``ß`` to ``ss`` (so "Straße" == "Strasse"), then collapse
    runs of spaces and strip. ``normalize`` is idempotent. The e-deletion applies to every
    language (English "does" becomes "dos", Spanish "que" becomes "qu"); since lexicon terms
    go through the same function this only matters where two real words collide, which the
    lexicon tests guard against.

The matcher does not run ``normalize`` on messages: it runs regular expressions built from
the canonical terms over the (compacted) *fold*, where each canonical character is allowed
the spellings that ``normalize`` would have merged (``a`` matches ``a``, ``ae``, ``aee``...;
``ss`` matches ``ss`` or ``ß``; one space matches a run of spaces). Matching there is
equivalent to matching on ``normalize(text)`` and keeps offsets exact.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right

__all__ = [
    "JOINER",
    "OffsetMap",
    "fold",
    "fold_compact",
    "normalize",
    "squeeze",
]

JOINER = "\0"  # what fold() turns in-word invisible characters into

# Letters whose compatibility decomposition does not reach a Latin base letter.
_LETTER_FALLBACK = {
    "æ": "a", "œ": "o", "ø": "o", "đ": "d", "ð": "d", "þ": "t", "ł": "l", "ı": "i", "ħ": "h",
    "ŧ": "t", "ŋ": "n", "ĸ": "k", "ſ": "s", "ƒ": "f", "ə": "e", "ɛ": "e", "ɔ": "o", "µ": "u",
}
# Spacing and half-width kana voicing marks: NFKD turns "ガ" into "カ" + a combining mark, so
# these fold away too, and half-width, full-width and decomposed kana all meet.
_KANA_VOICING = frozenset("\u309b\u309c\uff9e\uff9f")
# Modifier letters that people use as apostrophes or quotes.
_APOSTROPHE_LETTERS = frozenset("ʹʺʻʼʽʾʿˈˊˋ˴")


def _fold_char(c: str) -> str:
    """The one-character fold of one character (the single source of truth for all tables)."""
    o = ord(c)
    if o == 0:
        return JOINER  # NUL is junk: treated like a zero-width character (and keeps JOINER a fixed point)
    if o < 0x80:
        if "A" <= c <= "Z":
            return chr(o + 32)
        if "a" <= c <= "z" or "0" <= c <= "9":
            return c
        return " "
    if c in "ßẞ":
        return "ß"
    if c in _KANA_VOICING:
        return JOINER  # like a combining accent: "ｶﾞ" (half-width) folds as "ガ" does, to "カ"
    category = unicodedata.category(c)
    major = category[0]
    if major == "M" or category == "Cf":
        return JOINER
    if major == "N":
        if category == "Nd":
            return str(unicodedata.decimal(c))
        base = unicodedata.normalize("NFKD", c)
        return base if len(base) == 1 and "0" <= base <= "9" else " "
    if major != "L" or c in _APOSTROPHE_LETTERS:
        return " "
    lower = c.lower()
    if lower in _LETTER_FALLBACK:
        return _LETTER_FALLBACK[lower]
    base = "".join(ch for ch in unicodedata.normalize("NFKD", c) if not unicodedata.combining(ch)).lower()
    if len(base) == 1 and base != c:
        folded = _fold_char(base)  # a simpler letter (NFKD is idempotent), folded the same way
        return folded if folded.isalnum() else (lower if len(lower) == 1 and lower.isalnum() else c)
    if len(base) > 1 and base.isascii() and base.isalpha():
        return base[0]  # ligatures such as "ﬁ", "ĳ": keep the first letter (rare, documented)
    if len(lower) == 1 and lower.isalnum():
        return lower
    return c


class _FoldMap(dict):
    """``str.translate`` table for any code point, filled lazily."""

    def __missing__(self, key: int) -> str:
        value = _fold_char(chr(key))
        self[key] = value
        return value


_FULL = _FoldMap()
_LATIN1 = bytes(ord(_fold_char(chr(i))) for i in range(256))
_WIDE = re.compile("[^\x00-\xff]+")


_OUTSIDE = b"\x01"  # never a fold (controls fold to spaces): "this character's fold is not Latin-1"


def _code_page(codec: str) -> tuple[str, bytes]:
    """``(codec, table)``: ``text.encode(codec).translate(table)`` is the fold as Latin-1 bytes,
    unless it holds ``_OUTSIDE`` (a modifier letter such as "ˆ" or "ˇ", which folds to itself)."""
    table = bytearray(b" " * 256)  # bytes the codec never produces stay spaces
    for byte in range(256):
        try:
            char = bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            continue
        folded = _fold_char(char)
        table[byte] = ord(folded) if folded <= "\xff" else _OUTSIDE[0]
    return codec, bytes(table)


# Single-byte codecs are C lookups: a text in them folds without per-character Python code.
# Windows-1252 has the typographic quotes, dashes, "…", "€", "œ"; 1250 Polish (and Czech...);
# 1254 Turkish.
_CODE_PAGES = tuple(_code_page(codec) for codec in ("cp1252", "cp1250", "cp1254"))
_DISTINCT_REPLACED = 2  # distinct wide characters replaced one by one before the code pages


def _fold_wide(match: re.Match[str]) -> str:
    return match.group().translate(_FULL)


def fold(text: str) -> str:
    """Length-preserving fold: ``len(fold(t)) == len(t)`` and ``fold(t)[i]`` comes from ``t[i]``."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError as error:
        start = error.start
    else:
        return raw.translate(_LATIN1).decode("latin-1")
    return _fold_beyond_latin1(text, start)


def _fold_beyond_latin1(text: str, start: int) -> str:
    """``fold`` of a text with characters beyond Latin-1 (the first one at ``start``).

    Every step maps each character to its fold and leaves folded characters as they are
    (``fold`` is idempotent), so the steps can follow each other on one text. Only the
    position of each encoding error is kept, never the error: one held in a local while the
    next is raised made a cycle (error -> traceback -> frame -> error) that kept the whole call
    chain's frames and their rows alive until the cyclic GC ran (found with the GC paused during
    ``deskui demo``: 880 MB instead of 410 MB at 100k).
    """
    # Curly apostrophes, a non-breaking hyphen: most mail has one or two such characters,
    # each replaced everywhere at once by its fold.
    for _ in range(_DISTINCT_REPLACED):
        char = text[start]
        folded = _FULL[ord(char)]
        if folded > "\xff":  # letters of other scripts stay letters: the general table
            return text.translate(_FULL)
        text = text.replace(char, folded)
        try:
            return text.encode("latin-1").translate(_LATIN1).decode("latin-1")
        except UnicodeEncodeError as again:
            start = again.start
    for codec, table in _CODE_PAGES:
        try:
            raw = text.encode(codec).translate(table)
        except UnicodeEncodeError:
            continue
        if _OUTSIDE not in raw:
            return raw.decode("latin-1")
    # Emoji, rare symbols: fold just those runs, then the fast path.
    narrowed = _WIDE.sub(_fold_wide, text)
    try:
        raw = narrowed.encode("latin-1")
    except UnicodeEncodeError:
        return text.translate(_FULL)
    return raw.translate(_LATIN1).decode("latin-1")


class OffsetMap:
    """Maps positions in a compacted fold back to positions in the original text."""

    __slots__ = ("_starts", "_shifts")

    def __init__(self, starts: list[int], shifts: list[int]) -> None:
        self._starts = starts  # compacted positions where the shift changes
        self._shifts = shifts  # original = compacted + shift from that position on

    def __call__(self, pos: int) -> int:
        """Original position for compacted position ``pos``.

        For a start, that is the character itself; for an exclusive end, the removed marks
        right after the last matched character (e.g. a decomposed accent) are included.
        """
        return pos + self._shifts[bisect_right(self._starts, pos) - 1]


_JOINERS = re.compile(JOINER + "+")


def fold_compact(text: str) -> tuple[str, OffsetMap | None]:
    """``fold`` with the in-word invisible characters removed.

    Returns the compacted fold and ``None`` when nothing was removed (then positions are the
    original positions), else an :class:`OffsetMap`. A joiner at the very start of a word would
    glue nothing, so removing it is always safe.
    """
    folded = fold(text)
    if JOINER not in folded:
        return folded, None
    pieces: list[str] = []
    starts = [0]
    shifts = [0]
    removed = 0
    last = 0
    for match in _JOINERS.finditer(folded):
        pieces.append(folded[last : match.start()])
        removed += match.end() - match.start()
        last = match.end()
        starts.append(match.start() - (removed - (match.end() - match.start())))
        shifts.append(removed)
    pieces.append(folded[last:])
    return "".join(pieces), OffsetMap(starts, shifts)


_UMLAUT_E = re.compile("([aou])e+")


def squeeze(folded: str) -> str:
    """Canonical form of an already folded text (see the module docstring)."""
    if JOINER in folded:
        folded = folded.replace(JOINER, "")
    if "e" in folded:
        folded = _UMLAUT_E.sub(r"\1", folded)
    if "ß" in folded:
        folded = folded.replace("ß", "ss")
    return " ".join(folded.split())


def normalize(text: str) -> str:
    """Canonical, case- and accent-insensitive form of ``text`` (see the module docstring)."""
    return squeeze(fold(text))
