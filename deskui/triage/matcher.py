"""Multilingual keyword matching with evidence.

One regular expression, built once per :class:`Matcher`, holds every lexicon term (plus stop
phrases and policy keyword groups) as a character trie (:mod:`deskui.triage.trie`), so the
regex engine walks shared prefixes once instead of trying thousands of alternatives. It runs
over the compacted length-preserving fold of the fields (see :mod:`deskui.triage.normalize`) --
subject and body joined in one pass for ordinary mail -- with each canonical character allowed
its merged spellings, so:

* case, accents, punctuation and umlaut spellings do not matter, exactly as if the text had
  been passed through :func:`~deskui.triage.normalize.normalize`;
* every hit maps straight back to the original text (``Evidence.start``/``end``/``text``);
* a hit must start at the beginning of a word ("claim" never fires inside "reclaim"); a term
  without a trailing ``*`` must also end at the end of a word;
* at one position the longest term wins, and hits do not overlap.

Languages written without spaces (``word_boundaries = false``: Japanese) get a second regex
with no word-start rule (see :mod:`deskui.triage.lexicon`). It runs only on a text that has a
character of such a script, so it costs nothing on other mail and can never fire inside a
European word; where its hits overlap the first regex's, the longer hit wins.

Negations: a hit of a category in :data:`~deskui.triage.lexicon.NEGATABLE` (damaged,
missing_item, wrong_item, defective) is dropped when a negation of the term's language (or
English) stands just before it -- at most two words between, none of them a clause breaker
such as "and"/"mais"/"aber", and no clause punctuation (``. , ; : ! ? ( )`` ...) in between:
"not damaged", "nothing is missing", "rien ne manque", "pas endommagé", "nicht beschädigt",
"no está dañado", "non è danneggiato"; or, in languages that negate after the word, when an
``after`` negation follows ("ontbreekt niets", "hasarlı değil", "破損はありません"). French "ne ... que" is restrictive, not negative
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

from deskui.triage.lexicon import CATEGORIES, NEGATABLE, Lexicon, active_lexicon, parse_term
from deskui.triage.normalize import JOINER, fold, fold_compact, squeeze
from deskui.triage.trie import trie_pattern as _trie_pattern

__all__ = ["HEAD_CHARS", "TAIL_CHARS", "Evidence", "Matcher", "default_matcher", "parse_term"]

HEAD_CHARS = 20_000
TAIL_CHARS = 2_000
_SHORT = HEAD_CHARS + TAIL_CHARS  # a field up to this long is scanned whole
# Between the subject's fold and the body's in the one-pass scan: no term unit matches "\x01",
# so no phrase runs from one field into the other, and each side ends a word as a text end does.
_FIELD_GAP = " \x01 "

_SEVERITY = {category: rank for rank, category in enumerate(CATEGORIES)}


@dataclass(frozen=True, slots=True, init=False)
class Evidence:
    category: str  # category id or a custom keyword group name
    term: str  # the lexicon term that matched (as written in the lexicon)
    field: str  # "subject" or "body"
    start: int  # offsets into the ORIGINAL field text
    end: int
    text: str  # the original text slice that matched
    lang: str | None = None  # the language of the term (None for a policy keyword group)

    # The generated frozen __init__ calls object.__setattr__ by name per field; setting the
    # slots directly halves the cost of the most frequent allocation in a scan.
    def __init__(self, category: str, term: str, field: str, start: int, end: int, text: str,
                 lang: str | None = None) -> None:
        _set_category(self, category)
        _set_term(self, term)
        _set_field(self, field)
        _set_start(self, start)
        _set_end(self, end)
        _set_text(self, text)
        _set_lang(self, lang)


_set_category, _set_term, _set_field, _set_start, _set_end, _set_text, _set_lang = (
    getattr(Evidence, name).__set__ for name in ("category", "term", "field", "start", "end", "text", "lang")
)


# ---------------------------------------------------------------------------------------------
# Negations.

_LAST_CLAUSE_MARK = re.compile(r"(?s).*[.,;:!?()\[\]{}¡¿…|\n\r\t\"“”«»„]")
_FIRST_CLAUSE_MARK = re.compile(r"[.,;:!?()\[\]{}¡¿…|\n\r\t\"“”«»„。、！？]")
_QUE_AFTER = re.compile(r" *+(?:[^ ]++ ++)?que?\b")
_RESTRICTIVE_NE = frozenset({"ne", "n"})
_word_rest = re.compile(r"\w*+").match
# Scripts written without spaces: a text is scanned for those languages' terms only if it has one.
_UNSPACED_SCRIPT = re.compile("[\u0e00-\u0e7f\u2e80-\u9fff\uf900-\ufaff\uff66-\uff9f]")


@dataclass(frozen=True, slots=True)
class _Negation:
    before: re.Pattern[str] | None  # searched in the folded text just before the hit
    after: re.Pattern[str] | None  # matched on the folded text just after the hit


@dataclass(frozen=True, slots=True)
class _Entry:
    category: str
    term: str
    whole_word: bool  # the term needs a word end (only checked when the canonical is mixed)
    negation: _Negation | None  # None: never dropped
    languages: tuple[str, ...]  # lexicon order; () for a policy keyword group
    lang: str | None  # languages[0], or None
    shared: bool  # more than one language has this term


class _Negations:
    """Negation regexes of one lexicon, built on demand per set of languages."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.by_code = {language.code: language for language in lexicon.languages}
        spaced = [parse_term(w)[0] for lang in lexicon.languages if lang.word_boundaries
                  for w in (*lang.negations_before, *lang.negations_after)]
        unspaced = [parse_term(w)[0] for lang in lexicon.languages if not lang.word_boundaries
                    for w in (*lang.negations_before, *lang.negations_after)]
        self.spaced_words = frozenset(spaced)
        self.unspaced_words = tuple(unspaced)
        self._built: dict[tuple[frozenset[str], bool], _Negation | None] = {}

    def contains_negation(self, canonical: str) -> bool:
        """Terms such as "not what I ordered" or "入っていない" are never negated again."""
        if any(word in canonical for word in self.unspaced_words):
            return True
        padded = f" {canonical} "
        return any(f" {word} " in padded for word in self.spaced_words)

    def for_languages(self, languages: frozenset[str], spaced: bool) -> _Negation | None:
        key = (languages, spaced)
        if key not in self._built:
            self._built[key] = self._build(languages, spaced)
        return self._built[key]

    def _build(self, languages: frozenset[str], spaced: bool) -> _Negation | None:
        chosen = [self.by_code[code] for code in sorted(languages) if code in self.by_code]
        if spaced:
            english = self.by_code.get("en")
            chosen = ([english] if english else []) + [lang for lang in chosen if lang is not english]
        before = {w for lang in chosen for w in lang.negations_before}
        after = {w for lang in chosen for w in lang.negations_after}
        if not before and not after:
            return None
        breakers = _trie_pattern(parse_term(w) for lang in chosen for w in lang.clause_breakers)
        before_re = after_re = None
        if spaced:
            if before:
                negators = _trie_pattern(parse_term(w) for w in before)
                # A negator, then at most two words that are not clause breakers, then the end.
                # Searched in " " + the window: the leading space stands for the window's start,
                # and a literal first character lets the regex engine jump from space to space.
                before_re = re.compile(rf" ({negators})(?: ++(?!{breakers})[^ ]++){{0,2}} *+$")
            if after:
                negators = _trie_pattern(parse_term(w) for w in after)
                # Right after the hit: at most one word that is not a clause breaker, then a negator.
                after_re = re.compile(rf" *+(?:(?!{breakers})[^ ]++ ++)?({negators})")
        else:
            words = before | after
            negators = _trie_pattern((parse_term(w) for w in words), spaced=False)
            # Japanese: the negation is a suffix; at most four kana (particles and auxiliaries
            # such as は, も, して, がつい) between the hit and it, so "壊れていて使えない" keeps
            # its hit. Asked as a question ("偽物ではないでしょうか": isn't this a fake?) it is a
            # suspicion, not a denial (folded: で -> て).
            after_re = re.compile(rf"[\u3041-\u3096]{{0,4}}?({negators})(?!て?しょうか|て?すか|か)")
        return _Negation(before_re, after_re)


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


class _Pass:
    """One regex over the fold: spaced languages (word starts) or unspaced ones (anywhere)."""

    def __init__(self, spaced: bool) -> None:
        self.spaced = spaced
        # canonical -> {(category or None for stop phrases) -> [term, languages, prefix]}
        self.found: dict[str, dict[str | None, list]] = {}
        self.entries: dict[str, tuple[tuple[_Entry, ...], bool]] = {}
        self.cache: dict[str, tuple[tuple[_Entry, ...], bool]] = {}
        self.finditer = None

    def add(self, term: str, category: str | None, language: str | None) -> None:
        canonical, prefix = parse_term(term)
        slot = self.found.setdefault(canonical, {})
        if category in slot:  # the same canonical term again (another language, or with "*")
            entry = slot[category]
            if prefix and not entry[2]:  # the prefix form is the broader one: report it
                entry[0], entry[2] = term, True
            if language and language not in entry[1]:
                entry[1].append(language)
        else:
            slot[category] = [term, [language] if language else [], prefix]

    def build(self, negations: _Negations) -> None:
        trie_terms: list[tuple[str, bool]] = []
        for canonical, slot in self.found.items():
            real = {category: value for category, value in slot.items() if category is not None}
            kinds = {value[2] for value in slot.values()}
            for prefix in kinds:
                trie_terms.append((canonical, prefix))
            entries = []
            negatable_term = not negations.contains_negation(canonical)
            for category, (term, languages, prefix) in real.items():
                negation = None
                if category in NEGATABLE and negatable_term:
                    negation = negations.for_languages(frozenset(languages), self.spaced)
                whole = not prefix if self.spaced else False
                entries.append(_Entry(category, term, whole, negation, tuple(languages), languages[0] if languages else None,
                                      len(languages) > 1))
            entries.sort(key=lambda entry: _SEVERITY.get(entry.category, len(_SEVERITY)))
            self.entries[canonical] = (tuple(entries), len(kinds) > 1)
        body = _trie_pattern(trie_terms, self.spaced)
        self.pattern = (" (?:" + body + ")") if self.spaced else body
        self.finditer = re.compile(self.pattern).finditer
        del self.found

    def resolve(self, matched: str) -> tuple[tuple[_Entry, ...], bool]:
        canonical = squeeze(matched)
        hit = self.entries.get(canonical)
        if hit is None and canonical.endswith("s"):
            hit = self.entries.get(canonical[:-1])  # a prefix ending in "s" that met a "ß"
        if hit is None:  # cannot happen for text the regex matched; be safe, report nothing
            hit = ((), False)
        if len(self.cache) > 50_000:
            self.cache.clear()
        self.cache[matched] = hit
        return hit


class Matcher:
    """Finds lexicon categories and policy keyword groups in a message's subject and body.

    ``lexicon`` defaults to :func:`~deskui.triage.lexicon.active_lexicon` (the built-in
    languages plus the seller's extra files from the config).
    """

    def __init__(self, extra_groups: Mapping[str, Iterable[str]] | None = None, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon if lexicon is not None else active_lexicon()
        spaced, unspaced = _Pass(True), _Pass(False)
        for language in self.lexicon.languages:
            target = spaced if language.word_boundaries else unspaced
            for category in CATEGORIES:
                for term in language.terms.get(category, ()):
                    target.add(term, category, language.code)
            for phrase in language.stop_phrases:
                target.add(phrase, None, language.code)
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
                        canonical = parse_term(term)[0]
                        (unspaced if _UNSPACED_SCRIPT.search(canonical) else spaced).add(term, name, None)
                    except ValueError as error:
                        raise ValueError(f"keyword group {name!r}: {error}") from None
                names.append(name)
            self.groups = tuple(names)
        negations = _Negations(self.lexicon)
        spaced.build(negations)
        unspaced.build(negations)
        self._spaced = spaced
        self._unspaced = unspaced if unspaced.entries else None
        self.pattern: str = spaced.pattern

    # -- matching ---------------------------------------------------------------------------

    def scan(self, subject: str | None, body: str | None) -> list[Evidence]:
        """All matches in the subject, then the body, in text order. None/empty are fine.

        Bodies and subjects longer than ``HEAD_CHARS + TAIL_CHARS`` are scanned on their head
        and tail only (see the module docstring). Each hit names its language: a term of one
        language names it; a term several languages share names the one most of the message's
        other hits belong to (the lexicon's first of them on a tie).

        The common case -- both fields short, no character of a script written without
        spaces -- runs one regex pass over both folds joined by ``_FIELD_GAP``; anything else
        goes to :meth:`scan_reference`. Both give the same evidence (a property test checks it).
        """
        if (subject and len(subject) > _SHORT) or (body and len(body) > _SHORT):
            return self.scan_reference(subject, body)
        s_fold, s_offsets = fold_compact(subject) if subject else ("", None)
        b_fold, b_offsets = fold_compact(body) if body else ("", None)
        text = f" {s_fold}{_FIELD_GAP}{b_fold}"
        if self._unspaced is not None and _has_unspaced_script(text):
            return self.scan_reference(subject, body, ((s_fold, s_offsets), (b_fold, b_offsets)))
        out: list[Evidence] = []
        shared: list[tuple[int, tuple[str, ...]]] = []
        scan = self._spaced
        cache = scan.cache
        gap = len(s_fold) + 1  # text[gap] is the space before the gap's "\x01": later starts are the body's
        field, original, folded, offsets, shift = "subject", subject, s_fold, s_offsets, 0
        for match in scan.finditer(text):
            m_start, m_end = match.span()
            if m_start > gap and shift == 0:
                field, original, folded, offsets, shift = "body", body, b_fold, b_offsets, gap + len(_FIELD_GAP) - 1
            matched = match.group()
            hit = cache.get(matched)
            if hit is None:
                hit = scan.resolve(matched)
            entries, mixed = hit
            if not entries:
                continue
            start, end = m_start - shift, m_end - 1 - shift  # positions in `folded`
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
                if entry.negation is not None and _negated(entry.negation, original, o_start, eo_end, folded, e_end, offsets is None):
                    continue
                if entry.shared:
                    shared.append((len(out), entry.languages))
                out.append(Evidence(entry.category, entry.term, field, o_start, eo_end, original[o_start:eo_end], entry.lang))
        if shared:
            _name_shared_languages(out, shared)
        return out

    def scan_reference(self, subject: str | None, body: str | None, folds: tuple | None = None) -> list[Evidence]:
        """:meth:`scan` the straightforward way: each field, segment and pass on its own.

        ``folds``: the fields' ``fold_compact`` when :meth:`scan` has them (short fields only).
        """
        out: list[Evidence] = []
        shared: list[tuple[int, tuple[str, ...]]] = []  # (index in out, languages) of shared terms
        if subject:
            self._scan_field(subject, "subject", out, shared, folds[0] if folds else None)
        if body:
            self._scan_field(body, "body", out, shared, folds[1] if folds else None)
        if shared:
            _name_shared_languages(out, shared)
        return out

    def _scan_field(self, text: str, field: str, out: list[Evidence], shared: list, fold: tuple | None) -> None:
        unspaced = self._unspaced
        for base, segment in _segments(text):
            folded, offsets = fold or fold_compact(segment)
            # max() is a quick C scan: most mail has no character from U+0E00 up after the fold
            if unspaced is None or folded.isascii() or max(folded) < "\u0e00" or not _UNSPACED_SCRIPT.search(folded):
                self._run(self._spaced, base, segment, folded, offsets, field, out, shared)
                continue
            hits: list[Evidence] = []
            mixed_shared: list = []
            self._run(self._spaced, base, segment, folded, offsets, field, hits, mixed_shared)
            self._run(unspaced, base, segment, folded, offsets, field, hits, mixed_shared)
            languages = {id(hits[index]): langs for index, langs in mixed_shared}
            for item in _without_overlaps(hits):
                if id(item) in languages:
                    shared.append((len(out), languages[id(item)]))
                out.append(item)

    def _run(self, scan: _Pass, base: int, segment: str, folded: str, offsets, field: str,
             out: list[Evidence], shared: list) -> None:
        cache = scan.cache
        spaced = scan.spaced
        shift = 1 if spaced else 0  # the spaced pattern runs over " " + folded
        for match in scan.finditer(" " + folded if spaced else folded):
            matched = match.group()
            hit = cache.get(matched)
            if hit is None:
                hit = scan.resolve(matched)
            entries, mixed = hit
            if not entries:
                continue
            start, end = match.start(), match.end() - shift  # positions in `folded`
            if offsets is None:
                o_start, o_end = start, end
            else:
                o_start, o_end = offsets(start), offsets(end)
            for entry in entries:
                if not spaced:
                    e_end, eo_end = end, o_end
                elif entry.whole_word:
                    if mixed and end < len(folded) and folded[end].isalnum():
                        continue
                    e_end, eo_end = end, o_end
                else:  # a prefix term: the evidence runs to the end of the word
                    e_end = _word_rest(folded, end).end()
                    eo_end = e_end if offsets is None else offsets(e_end)
                if entry.negation is not None and _negated(entry.negation, segment, o_start, eo_end, folded, e_end):
                    continue
                if entry.shared:
                    shared.append((len(out), entry.languages))
                out.append(
                    Evidence(entry.category, entry.term, field, base + o_start, base + eo_end,
                             segment[o_start:eo_end], entry.lang)
                )

    def categories(self, evidence: list[Evidence]) -> list[str]:
        """Distinct lexicon categories in ``evidence``, most severe first (groups left out)."""
        found = {item.category for item in evidence}
        return [category for category in CATEGORIES if category in found]


def _has_unspaced_script(text: str) -> bool:
    """Whether a fold has a character of a script written without spaces (quick C scans first)."""
    if text.isascii():
        return False
    try:
        text.encode("latin-1")  # folded Latin text is ASCII but for "ß": a copy, no per-character code
    except UnicodeEncodeError:
        return max(text) >= "\u0e00" and _UNSPACED_SCRIPT.search(text) is not None
    return False


def _name_shared_languages(out: list[Evidence], shared: list[tuple[int, tuple[str, ...]]]) -> None:
    """A term several languages share names the one most of the message's other hits are in."""
    if len(shared) == len(out) or len({item.lang for item in out}) == 1:
        return  # nothing to go on, or every hit (shared ones by their first language) agrees
    taken = {index for index, _ in shared}
    votes: dict[str, int] = {}
    for index, item in enumerate(out):
        if index not in taken and item.lang is not None:
            votes[item.lang] = votes.get(item.lang, 0) + 1
    for index, languages in shared:
        best, most = languages[0], votes.get(languages[0], 0)
        for code in languages[1:]:  # first of the best on a tie
            count = votes.get(code, 0)
            if count > most:
                best, most = code, count
        item = out[index]
        if best != item.lang:
            out[index] = Evidence(item.category, item.term, item.field, item.start, item.end, item.text, best)


def _without_overlaps(hits: list[Evidence]) -> list[Evidence]:
    """Both passes' hits in text order; where two overlap, the longer (then the earlier) wins."""
    hits.sort(key=lambda item: (item.start, item.start - item.end))
    kept: list[Evidence] = []
    end = -1
    for item in hits:
        same_span = kept and (item.start, item.end) == (kept[-1].start, kept[-1].end)
        if item.start >= end or (same_span and all(k.category != item.category for k in kept if k.start == item.start)):
            kept.append(item)
            end = max(end, item.end)
    return kept


def _negated(negation: _Negation, segment: str, o_start: int, o_end: int, folded: str, end: int,
             exact: bool = False) -> bool:
    """Whether a negation stands before or after the hit at ``segment[o_start:o_end]``.

    ``exact``: ``folded`` is ``fold(segment)`` itself (nothing was compacted away), so a window's
    fold is a slice of it instead of a second fold.
    """
    if negation.after is not None and _negated_after(negation.after, segment, o_end, folded if exact else None):
        return True
    if negation.before is None:
        return False
    start = max(0, o_start - 80)
    clause = _LAST_CLAUSE_MARK.match(segment, start, o_start)
    if clause:
        start = clause.end()
    if start >= o_start:
        return False
    if exact:
        window = folded[start:o_start]
    else:
        window = fold(segment[start:o_start])
        if JOINER in window:
            window = window.replace(JOINER, "")
    match = negation.before.search(" " + window)
    if match is None:
        return False
    if squeeze(match.group(1)) in _RESTRICTIVE_NE and _QUE_AFTER.match(folded, end):
        return False  # "il ne manque qu'une pièce": restrictive, the item IS missing
    return True


def _negated_after(after: re.Pattern[str], segment: str, o_end: int, folded: str | None) -> bool:
    stop = min(len(segment), o_end + 60)
    clause = _FIRST_CLAUSE_MARK.search(segment, o_end, stop)
    if clause:
        stop = clause.start()
    if stop <= o_end:
        return False
    if folded is not None:
        window = folded[o_end:stop]
    else:
        window = fold(segment[o_end:stop])
        if JOINER in window:
            window = window.replace(JOINER, "")
    return after.match(window) is not None


@cache
def default_matcher() -> Matcher:
    """The shared matcher for the lexicon in force (no policy keyword groups)."""
    return Matcher()
