"""The multilingual triage lexicon: one TOML file per language, loaded once.

The built-in languages live in ``deskui/triage/lexicons/<code>.toml``; a seller adds terms, or a
whole language, with files named in the config (``[triage] extra_lexicons = [...]``, see
docs/triage.md). Nothing here is code per language: a new language is a new file.

How a term matches
------------------
* Terms are compared in :func:`deskui.triage.normalize.normalize` form: case, accents,
  punctuation, apostrophes, dashes, umlaut spellings and full-/half-width forms do not matter
  ("a-to-z" == "A‑to‑Z" == "a to z"; "beschädigt" == "beschaedigt" == "beschadigt";
  "uszkodzony" == "uszkodzony"; "Ａｍａｚｏｎ" == "amazon"). Write terms the natural way.
* In a language with ``word_boundaries = true`` (all but Japanese) a term matches whole words:
  "claim" does not match inside "reclaim". A trailing ``*`` makes the last word a prefix:
  "endommag*" matches "endommagé", "endommagées". ``*`` is only allowed at the end.
* In a language with ``word_boundaries = false`` (Japanese: no spaces between words) a term
  matches anywhere, except that a Latin letter or digit at either end of the term must not
  touch another Latin letter or digit ("Aからz" inside "のAからZ保証" matches; a Japanese
  "atoz" does not fire inside "datozone"). Those terms never match in other languages' text,
  because only text with such characters is scanned for them.
* A phrase matches its words in order with any punctuation/spaces between them; at one
  position the longest term wins, so a phrase can refine a word.

``stop_phrases`` are matched like terms but report nothing: they stop a shorter term from
firing inside a harmless idiom ("in return for", "c'est dommage", "hasarsız").

Negations: a hit of a category in :data:`NEGATABLE` is dropped when a negation of the term's
language (English ``before`` negations count for every language) stands right before it -- at
most two words between, none of them a ``clause_breakers`` word, no clause punctuation in
between -- or, for languages that negate after the word (Dutch "ontbreekt niets", Swedish
"saknas inget", Turkish "hasarlı değil", Japanese "破損していません"), an ``after`` negation
follows it (at most one word between; in Japanese at most two kana). Claim threats and
chargebacks are never dropped. Terms that contain a negation themselves are never dropped.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from deskui.triage.normalize import normalize

__all__ = [
    "CATEGORIES",
    "CLAUSE_BREAKERS",
    "LANGUAGES",
    "LEXICON",
    "NEGATABLE",
    "NEGATIONS",
    "STOP_PHRASES",
    "Language",
    "Lexicon",
    "active_lexicon",
    "builtin_lexicon",
    "check_lexicon_files",
    "load_lexicon",
    "parse_term",
]

# Most severe first.
CATEGORIES: tuple[str, ...] = (
    "atoz_claim",
    "chargeback",
    "damaged",
    "missing_item",
    "wrong_item",
    "defective",
    "not_received",
    "tracking",
    "return",
    "refund",
    "exchange",
    "cancellation",
    "invoice",
    "feedback",
    "product_question",
)

# A hit of these categories is dropped when negated ("not damaged", "rien ne manque").
NEGATABLE: frozenset[str] = frozenset({"damaged", "missing_item", "wrong_item", "defective"})

# The built-in files, in this order (English first: a term shared by several languages is
# reported in the first one unless the message's other hits say otherwise).
BUILTIN_ORDER: tuple[str, ...] = ("en", "fr", "de", "es", "it", "nl", "pl", "sv", "tr", "pt", "ja")

_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
_TOP_KEYS = frozenset({"language", "negations", "stop_phrases", *CATEGORIES})
_LANGUAGE_KEYS = frozenset({"code", "name", "marketplaces", "word_boundaries", "source"})
_NEGATION_KEYS = frozenset({"before", "after", "clause_breakers", "source"})
_GROUP_KEYS = frozenset({"terms", "source"})


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


@dataclass
class Language:
    code: str
    name: str = ""
    word_boundaries: bool = True
    marketplaces: list[str] = field(default_factory=list)
    terms: dict[str, list[str]] = field(default_factory=dict)  # category -> terms, file order
    sources: dict[str, list[str]] = field(default_factory=dict)  # category -> where they come from
    stop_phrases: list[str] = field(default_factory=list)
    negations_before: list[str] = field(default_factory=list)
    negations_after: list[str] = field(default_factory=list)
    clause_breakers: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def merge(self, other: Language) -> None:
        """Add another file's terms for the same language (a seller's extra file)."""
        for category, terms in other.terms.items():
            self.terms.setdefault(category, []).extend(terms)
            self.sources.setdefault(category, []).extend(other.sources.get(category, []))
        self.stop_phrases.extend(other.stop_phrases)
        self.negations_before.extend(other.negations_before)
        self.negations_after.extend(other.negations_after)
        self.clause_breakers.extend(other.clause_breakers)
        self.marketplaces.extend(m for m in other.marketplaces if m not in self.marketplaces)
        self.files.extend(other.files)


@dataclass(frozen=True)
class Lexicon:
    languages: tuple[Language, ...]

    def language(self, code: str) -> Language | None:
        return next((language for language in self.languages if language.code == code), None)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(language.code for language in self.languages)

    def subset(self, codes: Iterable[str]) -> Lexicon:
        wanted = set(codes)
        return Lexicon(tuple(language for language in self.languages if language.code in wanted))


# ---------------------------------------------------------------------------------------------
# Reading and checking one file.


def _strings(reader, value, path: tuple, *, terms: bool, required: bool = True) -> list[str]:
    """The list of strings at ``path``; each checked with parse_term when ``terms``."""
    if value is None:
        if required:
            reader.problem(path, "missing; give a list of strings, e.g. [\"uszkodzony\", \"uszkodzon*\"]")
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        reader.problem(path, "must be a list of strings")
        return []
    if terms:
        good = []
        for item in value:
            try:
                parse_term(item)
            except ValueError as error:
                reader.problem(path, str(error), term=item)
                continue
            good.append(item)
        return good
    return list(value)


def _groups(reader, data: dict, key: str, language: Language) -> tuple[list[str], list[str]]:
    raw = data.get(key)
    if raw is None:
        return [], []
    if not isinstance(raw, list) or not all(isinstance(group, dict) for group in raw):
        reader.problem((key,), f"write each group as [[{key}]] with terms = [...] and source = \"...\"")
        return [], []
    terms: list[str] = []
    sources: list[str] = []
    for index, group in enumerate(raw):
        for unknown in sorted(set(group) - _GROUP_KEYS):
            reader.problem((key, index, unknown), "unknown key (expected terms, source)")
        source = group.get("source")
        if not isinstance(source, str) or not source.strip():
            reader.problem((key, index, "source"), "missing; say where the terms come from, e.g. \"Amazon.pl help\" or \"common usage\"")
        else:
            sources.append(source)
        terms.extend(_strings(reader, group.get("terms"), (key, index, "terms"), terms=True))
    return terms, sources


class _Reader:
    """Problems with their line (the policy loader's line index: tomllib keeps no positions)."""

    def __init__(self, file: str, source: str) -> None:
        self.file = file
        self.source = source
        self.index = None  # built on the first problem: a good file never needs it
        self.problems: list = []

    def problem(self, path: tuple, message: str, term: str | None = None) -> None:
        # Imported here: deskui.policy imports this module, and good files never get here.
        from deskui.policy.loader import Problem, _LineIndex

        if self.index is None:
            self.index = _LineIndex(self.source)
            self.lines = self.source.splitlines()
        line = self.index.lines.get((*path, 0)) or self.index.line(*path)  # [[table]] or key
        if term is not None:  # a bad term inside a multi-line array: point at its own line
            quoted = (f'"{term}"', f"'{term}'")
            for number in range(line, len(self.lines) + 1):
                if any(q in self.lines[number - 1] for q in quoted):
                    line = number
                    break
        name = ".".join(str(part) if not isinstance(part, int) else f"[{part}]" for part in path)
        self.problems.append(Problem(self.file, line, name.replace(".[", "["), message))


def parse_lexicon(source: str, file: str) -> tuple[Language | None, list]:
    """One language file: its :class:`Language` (None if unusable) and every problem found."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        from deskui.policy.loader import Problem

        match = re.search(r"line (\d+)", str(error))
        return None, [Problem(file, int(match.group(1)) if match else 1, "toml", f"syntax error: {error}")]
    reader = _Reader(file, source)
    for key in sorted(set(data) - _TOP_KEYS):
        reader.problem((key,), f"unknown table (expected language, negations, stop_phrases or a category: {', '.join(CATEGORIES)})")
    meta = data.get("language")
    if not isinstance(meta, dict):
        reader.problem(("language",), "missing [language] table with code = \"pl\" (the language's ISO 639-1 code)")
        return None, reader.problems
    for unknown in sorted(set(meta) - _LANGUAGE_KEYS):
        reader.problem(("language", unknown), f"unknown key (expected {', '.join(sorted(_LANGUAGE_KEYS))})")
    code = meta.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        reader.problem(("language", "code"), f"{code!r} is not a language code such as \"pl\" or \"pt-BR\"")
        return None, reader.problems
    language = Language(code=code, files=[file])
    name = meta.get("name", "")
    if not isinstance(name, str):
        reader.problem(("language", "name"), "must be a string")
    else:
        language.name = name
    boundaries = meta.get("word_boundaries", True)
    if not isinstance(boundaries, bool):
        reader.problem(("language", "word_boundaries"), "must be true or false (false for languages written without spaces)")
    else:
        language.word_boundaries = boundaries
    language.marketplaces = _strings(reader, meta.get("marketplaces"), ("language", "marketplaces"), terms=False, required=False)
    negations = data.get("negations", {})
    if not isinstance(negations, dict):
        reader.problem(("negations",), "must be a table: [negations] with before = [...], after = [...]")
        negations = {}
    for unknown in sorted(set(negations) - _NEGATION_KEYS):
        reader.problem(("negations", unknown), f"unknown key (expected {', '.join(sorted(_NEGATION_KEYS))})")
    for key, attribute in (("before", "negations_before"), ("after", "negations_after"), ("clause_breakers", "clause_breakers")):
        words = _strings(reader, negations.get(key), ("negations", key), terms=True, required=False)
        setattr(language, attribute, words)
    for category in CATEGORIES:
        terms, sources = _groups(reader, data, category, language)
        if terms:
            language.terms[category] = terms
            language.sources[category] = sources
    language.stop_phrases, _ = _groups(reader, data, "stop_phrases", language)
    return language, reader.problems


def _read(path: Path | str, label: str | None = None) -> tuple[Language | None, list]:
    label = label or str(path)
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        from deskui.policy.loader import Problem

        if isinstance(error, FileNotFoundError):
            return None, [Problem(label, 0, "file", "no such file (check [triage] extra_lexicons in the config)")]
        return None, [Problem(label, 0, "file", f"cannot read it: {error}")]
    return parse_lexicon(source, label)


def _combine(languages: Iterable[Language]) -> Lexicon:
    merged: dict[str, Language] = {}
    for language in languages:
        if language.code in merged:
            merged[language.code].merge(language)
        else:
            merged[language.code] = language
    return Lexicon(tuple(merged.values()))


def _builtin_files() -> list[tuple[str, Path]]:
    # The package's own folder, not importlib.resources (5 ms of every launch): the files are read
    # as paths anyway, so a zipped install was never served.
    folder = Path(__file__).parent / "lexicons"
    names = {entry.name[:-5] for entry in folder.iterdir() if entry.name.endswith(".toml")}
    ordered = [code for code in BUILTIN_ORDER if code in names] + sorted(names - set(BUILTIN_ORDER))
    return [(f"deskui/triage/lexicons/{code}.toml", folder / f"{code}.toml") for code in ordered]


@cache
def _builtin_languages() -> tuple[Language, ...]:
    found = []
    for label, path in _builtin_files():
        language, problems = _read(path, label)
        if problems or language is None:  # a packaging error, not user input: say so loudly
            raise RuntimeError("; ".join(str(problem) for problem in problems))
        found.append(language)
    return tuple(found)


def _copy(language: Language) -> Language:
    return Language(
        language.code, language.name, language.word_boundaries, list(language.marketplaces),
        {k: list(v) for k, v in language.terms.items()}, {k: list(v) for k, v in language.sources.items()},
        list(language.stop_phrases), list(language.negations_before), list(language.negations_after),
        list(language.clause_breakers), list(language.files),
    )


def builtin_lexicon() -> Lexicon:
    """The eleven built-in languages."""
    return _combine(_copy(language) for language in _builtin_languages())


def check_lexicon_files(paths: Iterable[Path | str]) -> list:
    """Every problem (``deskui.policy.Problem``) in a seller's lexicon files; [] when all are good."""
    problems: list = []
    for path in paths:
        problems.extend(_read(path)[1])
    return problems


def load_lexicon(extra_files: Iterable[Path | str] = ()) -> Lexicon:
    """Built-in languages plus ``extra_files``; raises ``PolicyError`` listing every problem."""
    extras = []
    problems: list = []
    for path in extra_files:
        language, found = _read(path)
        problems.extend(found)
        if language is not None:
            extras.append(language)
    if problems:
        from deskui.policy.loader import PolicyError

        raise PolicyError(problems)
    return _combine([*(_copy(language) for language in _builtin_languages()), *extras])


@cache
def active_lexicon() -> Lexicon:
    """The lexicon in force: built-ins plus the config's ``[triage] extra_lexicons`` (read once)."""
    from deskui.config import triage_extra_lexicons

    return load_lexicon(triage_extra_lexicons())


# ---------------------------------------------------------------------------------------------
# The built-in lexicon as plain data, for code and tests that read it.

# Read on first use, not at import: parsing the eleven files is ~27 ms, and every launch of the
# inbox imports this module (the policy loader, the store's derive step) long before anything
# is triaged (python -X importtime, 2026-12-03). The matcher reads ``active_lexicon``.
_PLAIN_DATA = frozenset({"LANGUAGES", "LEXICON", "STOP_PHRASES", "NEGATIONS", "CLAUSE_BREAKERS"})


def _plain_data() -> dict:
    builtin = builtin_lexicon()
    return {
        "LANGUAGES": builtin.codes,
        "LEXICON": {
            category: {lang.code: lang.terms[category] for lang in builtin.languages if category in lang.terms}
            for category in CATEGORIES
        },
        "STOP_PHRASES": {lang.code: lang.stop_phrases for lang in builtin.languages},
        # Every negation word of a language, before or after the term.
        "NEGATIONS": {lang.code: [*lang.negations_before, *lang.negations_after] for lang in builtin.languages},
        "CLAUSE_BREAKERS": tuple(word for lang in builtin.languages for word in lang.clause_breakers),
    }


def __getattr__(name: str):
    """LANGUAGES (tuple of codes), LEXICON (category -> language -> terms), STOP_PHRASES and
    NEGATIONS (language -> words), CLAUSE_BREAKERS (tuple): made once, on first use."""
    if name not in _PLAIN_DATA:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    data = _plain_data()
    globals().update(data)
    return data[name]
