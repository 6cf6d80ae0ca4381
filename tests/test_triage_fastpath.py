"""The matcher's one-pass scan gives exactly what the straightforward per-field scan gives.

``Matcher.scan`` folds both fields, joins them and runs the regex once; ``scan_reference``
scans each field (and each head/tail segment, and the pass for languages without spaces) on
its own. Texts here are built from the lexicon itself -- every language's terms, stop phrases,
negations and clause breakers -- spelt the ways buyers spell them, so the hits, negations,
shared-language naming and offsets are all exercised.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from deskui.triage import Matcher, default_matcher
from deskui.triage.lexicon import builtin_lexicon

M = default_matcher()
FIVE = Matcher(lexicon=builtin_lexicon().subset(("en", "fr", "de", "es", "it")))
GROUPS = Matcher({"urgent": ["asap", "dringend*", "至急"], "vip": ["gold member", "a to"]})


def _words() -> list[str]:
    words: set[str] = set()
    for language in builtin_lexicon().languages:
        for terms in language.terms.values():
            words.update(term.rstrip("*") for term in terms)
        for group in (language.stop_phrases, language.negations_before, language.negations_after, language.clause_breakers):
            words.update(group)
    return sorted(words)


WORDS = _words()
FILLER = ["the", "order", "my", "und", "pas", "nie", "är", "ve", "não", "het", "は", "が", "です", "114-3941689", "Grüße"]
SEPARATORS = [" ", " ", " ", ", ", ". ", "! ", "\n", " — ", "-", "‑", "’", "'", "", " 😀 ", "\u00ad", "。", "、", " ( ", "\t"]
ENDINGS = ["", "", "", "s", "es", "en", "ą", "ış", "ne", "た"]


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


SPELLINGS = [
    lambda w: w,
    str.upper,
    str.title,
    _strip_accents,
    lambda w: w.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue"),
    lambda w: w.replace("ss", "ß"),
    lambda w: w.replace("'", "’").replace("-", "‑"),
    lambda w: unicodedata.normalize("NFD", w),  # decomposed accents: an offset map
    lambda w: w[: len(w) // 2] + "\u00ad" + w[len(w) // 2 :],  # a soft hyphen inside the word
]

word = st.builds(
    lambda w, spell, ending: SPELLINGS[spell](w) + ending,
    st.sampled_from(WORDS + FILLER),
    st.integers(0, len(SPELLINGS) - 1),
    st.sampled_from(ENDINGS),
)
field = st.lists(st.one_of(word, word, st.sampled_from(SEPARATORS)), max_size=16).map("".join)
optional_field = st.one_of(st.none(), st.just(""), field)


def _same(matcher: Matcher, subject: str | None, body: str | None) -> None:
    assert matcher.scan(subject, body) == matcher.scan_reference(subject, body)


@given(optional_field, optional_field)
@settings(max_examples=600, deadline=None)
@example("A to", "Z claim")  # a phrase never runs from the subject into the body
@example("claim ", " A-to-z")
@example("Rückerstattung beschae\u0308digt", "nicht beschädigt, aber")
@example("the item is not damaged", "商品が破損して届きました")  # a Japanese body: the reference path
@example("uszkodzon", "y")
@example(None, "chargeback retour")  # a term several languages share
def test_one_pass_scan_equals_the_reference_scan(subject, body):
    _same(M, subject, body)


@given(optional_field, optional_field)
@settings(max_examples=200, deadline=None)
def test_one_pass_scan_equals_the_reference_with_five_languages_and_keyword_groups(subject, body):
    _same(FIVE, subject, body)
    _same(GROUPS, subject, body)


@given(field, st.integers(0, 3))
@settings(max_examples=50, deadline=None)
def test_huge_fields_take_the_reference_path_with_the_same_result(text, copies):
    body = (text + " ") * 2_000 + "A-to-z claim" * copies
    _same(M, text, body)


@pytest.mark.parametrize(
    "subject, body",
    [
        ("Order 114-3941689-8772232 damaged", "Hello, the lamp arrived broken. I’ll open an A‑to‑Z claim."),
        ("Rückerstattung", "Sehr geehrte Damen und Herren, der Artikel ist beschaedigt. Mit freundlichen Grüßen"),
        ("Zamówienie", "Dzień dobry, paczka przyszła uszkodzona, proszę o zwrot pieniędzy."),
    ],
)
def test_ordinary_mail_takes_the_one_pass_path(subject, body, monkeypatch):
    """Else the property tests above would compare the reference with itself."""
    expected = M.scan_reference(subject, body)
    assert expected

    def refuse(*args, **kwargs):
        raise AssertionError("scan_reference used for ordinary mail")

    monkeypatch.setattr(Matcher, "scan_reference", refuse)
    assert M.scan(subject, body) == expected
