"""Multilingual keyword matching with evidence.

One regular expression, built once per :class:`Matcher`, holds every lexicon term (plus stop
phrases and policy keyword groups) as a character trie, so the regex engine walks shared
prefixes once instead of trying thousands of alternatives. It runs over the compacted
length-preserving fold of each field (see :mod:`deskui.triage.normalize`), with each canonical
character allowed its merged spellings, so:

* case, accents, punctuation and umlaut spellings do not matter, exactly as if the text had
  been passed through :func:`~deskui.triage.normalize.normalize`;
* every hit maps straight back to the original text (``Evidence.start``/``end``/``text``);
* a hit must start at the beginning of a word ("claim" never fires inside "reclaim"); a term
  without a trailing ``*`` must also end at the end of a word;
* at one position the longest term wins, and hits do not overlap.

Negations: a hit of a category in :data:`~deskui.triage.lexicon.NEGATABLE` (damaged,
missing_item, wrong_item, defective) is dropped when a negation of the term's language (or
English) stands just before it -- at most two words between, none of them a clause breaker
such as "and"/"mais"/"aber", and no clause punctuation (``. , ; : ! ? ( )`` ...) in between:
"not damaged", "nothing is missing", "rien ne manque", "pas endommagé", "nicht beschädigt",
"no está dañado", "non è danneggiato". French "ne ... que" is restrictive, not negative
("il ne manque qu'une pièce" keeps its hit). A-to-z claims, chargebacks and every other
category are never dropped: "I don't want to open an A-to-z claim" is still a claim threat.

Huge texts: a field longer than ``HEAD_CHARS + TAIL_CHARS`` characters is scanned on its first
``HEAD_CHARS`` (20,000) and its last ``TAIL_CHARS`` (2,000) characters only, cut at word
boundaries: claim threats sit at the top of a message in practice, and the tail catches one in
a signature block or a closing line. The middle of a 1 MB body is not read, so a scan costs
the same whatever the size. A word straddling a cut is read whole (up to 100 extra characters).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from deskui.triage.lexicon import (
    CATEGORIES,
    CLAUSE_BREAKERS,
    LEXICON,
    NEGATABLE,
    NEGATIONS,
    STOP_PHRASES,
)
from deskui.triage.normalize import JOINER, fold, fold_compact, normalize, squeeze

__all__ = ["HEAD_CHARS", "TAIL_CHARS", "Evidence", "Matcher", "default_matcher", "parse_term"]

HEAD_CHARS = 20_000
TAIL_CHARS = 2_000

_SEVERITY = {category: rank for rank, category in enumerate(CATEGORIES)}


@dataclass(frozen=True, slots=True)
class Evidence:
    category: str  # category id or a custom keyword group name
    term: str  # the lexicon term that matched (as written in the lexicon)
    field: str  # "subject" or "body"
    start: int  # offsets into the ORIGINAL field text
    end: int
    text: str  # the original text slice that matched


def parse_term(term: str) -> tuple[str, bool]:
    """``(canonical form, is_prefix)`` of a lexicon or keyword-group term.

    A trailing ``*`` makes the last word a prefix; anywhere else it is an error, as is a term
    with no letters or digits.
    """
    if not isinstance(term, str):
        raise ValueError(f"term {term!r}: must be a string")
    text = term.strip()
    prefix = text.endswith("*")
    if prefix:
        text = text[:-1]
    if "*" in text:
        raise ValueError(f"term {term!r}: '*' is only allowed at the end")
    canonical = normalize(text)
    if not canonical:
        raise ValueError(f"term {term!r}: has no letters or digits")
    return canonical, prefix


# ---------------------------------------------------------------------------------------------
# Trie -> regex over the fold. Units are canonical characters, except runs of "s": normalize()
# expands "ß" to "ss", so a run of k canonical s's matches any mix of "s" and "ß" weighing k
# (and, at the open end of a prefix term, one that ends inside a "ß").

_WHOLE, _PREFIX = "w", "p"
_END = ""  # trie key holding the set of end kinds at a node
_SRun = tuple  # ("s", length, open_end)


def _units(canonical: str, prefix: bool) -> list[str | _SRun]:
    units: list[str | _SRun] = []
    i, n = 0, len(canonical)
    while i < n:
        if canonical[i] == "s":
            j = i
            while j < n and canonical[j] == "s":
                j += 1
            units.append(("s", j - i, prefix and j == n))
            i = j
        else:
            units.append(canonical[i])
            i += 1
    return units


def _s_spellings(weight: int) -> set[str]:
    if weight <= 0:
        return {""}
    found = {"s" + rest for rest in _s_spellings(weight - 1)}
    if weight >= 2:
        found |= {"ß" + rest for rest in _s_spellings(weight - 2)}
    return found


def _unit_pattern(unit: str | _SRun) -> str:
    if isinstance(unit, tuple):
        _, weight, open_end = unit
        if weight > 6:  # absurd terms only: approximate, the canonical lookup filters
            return f"[sß]{{{(weight + 1) // 2},{weight}}}"
        spellings = _s_spellings(weight)
        if open_end:
            spellings |= {rest + "ß" for rest in _s_spellings(weight - 1)}
        if len(spellings) == 1:
            return spellings.pop()
        return "(?:" + "|".join(sorted(spellings, key=lambda text: (-len(text), text))) + ")"
    if unit in "aou":
        return unit + "e*+"  # "a" also stands for "ae", "aee" (normalize deletes those e's)
    if unit == " ":
        return "  *+"  # one space stands for a run of spaces
    return re.escape(unit)


def _trie_pattern(terms: Iterable[tuple[str, bool]]) -> str:
    root: dict = {}
    for canonical, prefix in terms:
        node = root
        for unit in _units(canonical, prefix):
            node = node.setdefault(unit, {})
        node.setdefault(_END, set()).add(_PREFIX if prefix else _WHOLE)
    if not root:
        return "(?!)"
    return _emit(root)


def _emit(node: dict) -> str:
    alternatives = [
        _unit_pattern(unit) + _emit(child)
        for unit, child in sorted(node.items(), key=lambda item: str(item[0]))
        if unit != _END
    ]
    ends = node.get(_END)
    if ends:
        # Last, so that longer terms are tried first. A prefix end needs nothing after it.
        alternatives.append("" if _PREFIX in ends else r"\b")
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


# ---------------------------------------------------------------------------------------------
# Negations.

_NEGATOR_CANONICALS = frozenset(normalize(word) for words in NEGATIONS.values() for word in words)
_LAST_CLAUSE_MARK = re.compile(r"(?s).*[.,;:!?()\[\]{}¡¿…|\n\r\t\"“”«»„]")
_QUE_AFTER = re.compile(r" *+(?:[^ ]++ ++)?que?\b")
_RESTRICTIVE_NE = frozenset({"ne", "n"})
_word_rest = re.compile(r"\w*+").match


def _contains_negation(canonical: str) -> bool:
    padded = f" {canonical} "
    return any(f" {negator} " in padded for negator in _NEGATOR_CANONICALS)


@cache
def _negation_regex(languages: frozenset[str]) -> re.Pattern[str]:
    words = set(NEGATIONS["en"])
    for language in languages:
        words.update(NEGATIONS.get(language, ()))
    negators = _trie_pattern((normalize(word), False) for word in words)
    breakers = _trie_pattern((normalize(word), False) for word in CLAUSE_BREAKERS)
    # A negator, then at most two words that are not clause breakers, then the end of the window.
    return re.compile(rf"(?:^| )({negators})(?: ++(?!{breakers})[^ ]++){{0,2}} *+$")


@dataclass(frozen=True, slots=True)
class _Entry:
    category: str
    term: str
    whole_word: bool  # the term needs a word end (only checked when the canonical is mixed)
    negation: re.Pattern[str] | None  # None: never dropped


def _segments(text: str) -> tuple[tuple[int, str], ...]:
    """(offset, slice) pairs to scan: the whole text, or its head and tail (see module doc)."""
    size = len(text)
    if size <= HEAD_CHARS + TAIL_CHARS:
        return ((0, text),)
    # Never cut a word in two (a cut "claims" would read as "claim"): the head runs on to the
    # end of a straddling word, the tail starts after one (within 100 characters).
    head_end = HEAD_CHARS
    ceiling = HEAD_CHARS + 100
    while head_end < ceiling and text[head_end - 1].isalnum() and text[head_end].isalnum():
        head_end += 1
    tail_start = max(size - TAIL_CHARS, head_end)
    ceiling = tail_start + 100
    while tail_start < ceiling and text[tail_start - 1].isalnum() and text[tail_start].isalnum():
        tail_start += 1
    return ((0, text[:head_end]), (tail_start, text[tail_start:]))


class Matcher:
    """Finds lexicon categories and policy keyword groups in a message's subject and body."""

    def __init__(self, extra_groups: Mapping[str, Iterable[str]] | None = None) -> None:
        # canonical -> {(category or None for stop phrases) -> [term, languages, prefix]}
        found: dict[str, dict[str | None, list]] = {}

        def add(term: str, category: str | None, language: str | None) -> None:
            canonical, prefix = parse_term(term)
            slot = found.setdefault(canonical, {})
            if category in slot:  # the same canonical term again (another language, or with "*")
                entry = slot[category]
                if prefix and not entry[2]:  # the prefix form is the broader one: report it
                    entry[0], entry[2] = term, True
                if language:
                    entry[1].add(language)
            else:
                slot[category] = [term, {language} if language else set(), prefix]

        for category in CATEGORIES:
            for language, terms in LEXICON[category].items():
                for term in terms:
                    add(term, category, language)
        for language, phrases in STOP_PHRASES.items():
            for phrase in phrases:
                add(phrase, None, language)
        self.groups: tuple[str, ...] = ()
        if extra_groups:
            names = []
            for name, terms in extra_groups.items():
                if not isinstance(name, str) or not name:
                    raise ValueError(f"keyword group name {name!r}: must be a non-empty string")
                if isinstance(terms, str):
                    terms = [terms]
                for term in terms:
                    try:
                        add(term, name, None)
                    except ValueError as error:
                        raise ValueError(f"keyword group {name!r}: {error}") from None
                names.append(name)
            self.groups = tuple(names)

        self._entries: dict[str, tuple[tuple[_Entry, ...], bool]] = {}
        trie_terms: list[tuple[str, bool]] = []
        for canonical, slot in found.items():
            real = {category: value for category, value in slot.items() if category is not None}
            kinds = {value[2] for value in slot.values()}
            for prefix in kinds:
                trie_terms.append((canonical, prefix))
            entries = []
            negatable_term = not _contains_negation(canonical)
            for category, (term, languages, prefix) in real.items():
                negation = None
                if category in NEGATABLE and negatable_term:
                    negation = _negation_regex(frozenset(languages))
                entries.append(_Entry(category, term, not prefix, negation))
            entries.sort(key=lambda entry: _SEVERITY.get(entry.category, len(_SEVERITY)))
            self._entries[canonical] = (tuple(entries), len(kinds) > 1)
        self.pattern: str = " (?:" + _trie_pattern(trie_terms) + ")"
        self._finditer = re.compile(self.pattern).finditer
        self._cache: dict[str, tuple[tuple[_Entry, ...], bool]] = {}

    # -- matching ---------------------------------------------------------------------------

    def _resolve(self, matched: str) -> tuple[tuple[_Entry, ...], bool]:
        canonical = squeeze(matched)
        hit = self._entries.get(canonical)
        if hit is None and canonical.endswith("s"):
            hit = self._entries.get(canonical[:-1])  # a prefix ending in "s" that met a "ß"
        if hit is None:  # cannot happen for text the regex matched; be safe, report nothing
            hit = ((), False)
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[matched] = hit
        return hit

    def scan(self, subject: str | None, body: str | None) -> list[Evidence]:
        """All matches in the subject, then the body, in text order. None/empty are fine.

        Bodies and subjects longer than ``HEAD_CHARS + TAIL_CHARS`` are scanned on their head
        and tail only (see the module docstring).
        """
        evidence: list[Evidence] = []
        if subject:
            self._scan_field(subject, "subject", evidence)
        if body:
            self._scan_field(body, "body", evidence)
        return evidence

    def _scan_field(self, text: str, field: str, out: list[Evidence]) -> None:
        cache = self._cache
        for base, segment in _segments(text):
            folded, offsets = fold_compact(segment)
            for match in self._finditer(" " + folded):
                matched = match.group()
                hit = cache.get(matched)
                if hit is None:
                    hit = self._resolve(matched)
                entries, mixed = hit
                if not entries:
                    continue
                start, end = match.start(), match.end() - 1  # positions in `folded`
                if offsets is None:
                    o_start, o_end = start, end
                else:
                    o_start, o_end = offsets(start), offsets(end)
                for entry in entries:
                    if entry.whole_word:
                        if mixed and end < len(folded) and folded[end].isalnum():
                            continue
                        e_end, eo_end = end, o_end
                    else:  # a prefix term: the evidence runs to the end of the word
                        e_end = _word_rest(folded, end).end()
                        eo_end = e_end if offsets is None else offsets(e_end)
                    if entry.negation is not None and _negated(entry.negation, segment, o_start, folded, e_end):
                        continue
                    out.append(
                        Evidence(entry.category, entry.term, field, base + o_start, base + eo_end, segment[o_start:eo_end])
                    )

    def categories(self, evidence: list[Evidence]) -> list[str]:
        """Distinct lexicon categories in ``evidence``, most severe first (groups left out)."""
        found = {item.category for item in evidence}
        return [category for category in CATEGORIES if category in found]


def _negated(negation: re.Pattern[str], segment: str, o_start: int, folded: str, end: int) -> bool:
    window = segment[max(0, o_start - 80) : o_start]
    clause = _LAST_CLAUSE_MARK.match(window)
    if clause:
        window = window[clause.end() :]
    if not window:
        return False
    window = fold(window)
    if JOINER in window:
        window = window.replace(JOINER, "")
    match = negation.search(window)
    if match is None:
        return False
    if squeeze(match.group(1)) in _RESTRICTIVE_NE and _QUE_AFTER.match(folded, end):
        return False  # "il ne manque qu'une pièce": restrictive, the item IS missing
    return True


@cache
def default_matcher() -> Matcher:
    """The shared matcher for the built-in lexicon (no policy keyword groups)."""
    return Matcher()
