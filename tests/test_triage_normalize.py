"""deskui.triage.normalize: folding, canonical form, offsets."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from deskui.triage.normalize import JOINER, _fold_char, fold, fold_compact, normalize, squeeze

# Text as buyers and mail clients produce it: ASCII, Latin-1, typographic punctuation, other
# scripts, emoji, decomposed accents, invisible characters, controls and lone surrogates.
NASTY = (
    "aAeEoOuUsSzZ -'.,;:!?\n\t"
    "äÄöÖüÜßẞéÉèçÇñÑàâîïôûÿœŒæÆøØłŁ"
    "’‘“”«»‐‑–—…\u00a0\u202f\u200b\u200d\u00ad\u0301\u0308\ufeff"
    "\x00\x1b\x7f\x85ΣσςДдİıǅﬁ①½²٣€😀"
)
nasty_text = st.text(alphabet=st.sampled_from(NASTY), max_size=60)
any_text = st.text(max_size=80)  # all of Unicode but surrogates


def _code_page_characters() -> str:
    found = set()
    for codec in ("cp1252", "cp1250", "cp1254"):
        for byte in range(256):
            try:
                found.add(bytes([byte]).decode(codec))
            except UnicodeDecodeError:
                pass
    return "".join(sorted(found))


# Mail in Windows code pages (Western, Polish, Turkish) with a few characters outside them: the
# fold's replace-then-code-page paths ("ˆ" and "ˇ" fold to themselves, outside Latin-1).
CODE_PAGES = _code_page_characters() + "‑ˆˇ\u0301\u200bДσ😀\x85"
code_page_text = st.text(alphabet=st.sampled_from(CODE_PAGES), max_size=60) | st.builds(
    lambda base, extra: base + extra,
    st.text(alphabet=st.sampled_from("abc ’"), max_size=30),
    st.text(alphabet=st.sampled_from(CODE_PAGES), max_size=4),
)
surrogate_text = st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF) | st.sampled_from("ab "), max_size=20)


# -- normalize: unit tests ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "variants, expected",
    [
        (["beschädigt", "beschaedigt", "beschadigt", "BESCHÄDIGT", "BESCHAEDIGT", "bescha\u0308digt"], "beschadigt"),
        (["Rückerstattung", "Rueckerstattung", "Ruckerstattung", "RÜCKERSTATTUNG"], "ruckerstattung"),
        (["geöffnet", "geoeffnet", "geoffnet"], "geoffnet"),
        (["Straße", "Strasse", "STRASSE", "Straẞe"], "strasse"),
        (["endommagé", "ENDOMMAGÉ", "endommage", "endommage\u0301"], "endommage"),
        (["reçu", "recu", "REÇU"], "recu"),
        (["daño", "dano", "DAÑO"], "dano"),
        (["A-to-z", "A to Z", "a-to-z", "A‑to‑Z", "A – to – Z", "a_to_z", "A.to.Z", "«A to Z»"], "a to z"),
        (["garantie A à Z", "Garantie a a z", "garantie A‑à‑Z"], "garantie a a z"),
        (["A-bis-z-Garantie", "A bis Z Garantie", "a‑bis‑z garantie"], "a bis z garantie"),
        (["A-Z Garantie", "a–z garantie", "A/Z-Garantie"], "a z garantie"),
        (["garanzia dalla A alla Z", "Garanzia dalla a alla z"], "garanzia dalla a alla z"),
        (["garantía de la A a la Z", "garantia de la a a la z", "GARANTÍA DE LA A A LA Z"], "garantia de la a a la z"),
        (["j’ai reçu", "j'ai reçu", "j`ai recu", "j\u02bcai recu"], "j ai recu"),
        (["don't", "don’t", "don‘t"], "don t"),
    ],
)
def test_spelling_variants_meet(variants, expected):
    assert {normalize(variant) for variant in variants} == {expected}


def test_atoz_variants_normalise_to_their_lexicon_forms():
    assert normalize("AtoZ") == "atoz"
    assert normalize("a-z guarantee") == "a z guarantee"
    assert normalize("  A‑to‑Z  ") == "a to z"


def test_whitespace_and_punctuation_collapse():
    assert normalize("  Hello,\n\n  WORLD!!!  ") == "hello world"
    assert normalize("114-3941689-8772232") == "114 3941689 8772232"
    assert normalize("") == ""
    assert normalize("—…!?") == ""


def test_other_scripts_are_lowercased_and_kept():
    assert normalize("Привет МИР") == "привет мир"
    assert normalize("ΣΟΦΙΑ") == "σοφια"
    assert normalize("İstanbul") == "istanbul"
    assert normalize("٣ items") == "3 items"


def test_controls_and_emoji_are_spaces():
    assert normalize("bad\x1b[31mred\x07 😀 item") == "bad 31mred item"


def test_invisible_in_word_characters_glue():
    assert normalize("dam\u00adaged") == "damaged"  # soft hyphen
    assert normalize("dam\u200baged") == "damaged"  # zero-width space is a format char: glued
    assert normalize("dam\u200daged") == "damaged"


def test_umlaut_e_deletion_applies_to_runs_and_is_documented():
    assert normalize("aee") == "a"
    assert normalize("does") == "dos"
    assert normalize("queue") == "quu"


# -- fold: unit tests ----------------------------------------------------------------------------


def test_fold_is_one_char_per_char_on_every_path():
    for text in ["plain ascii", "Latin-1 é ß ÿ", "wide ’ — œ €", "Cyrillic д and ’", "😀 emoji"]:
        assert len(fold(text)) == len(text)
    assert fold("Éé-ẞ") == "ee ß"
    assert fold("l’œuvre") == "l ouvre"
    assert fold("Дд’x") == "дд x"


def test_fold_marks_invisible_characters_as_joiners():
    assert fold("e\u0301") == "e" + JOINER
    assert fold("a\u00adb") == "a" + JOINER + "b"


# -- properties ----------------------------------------------------------------------------------


@given(any_text)
@example("\x00\x1b\u0301\ud7ff\U0010ffff")
def test_fold_never_raises_and_preserves_length(text):
    assert len(fold(text)) == len(text)


@given(surrogate_text)
def test_lone_surrogates_fold_to_spaces(text):
    folded = fold(text)
    assert len(folded) == len(text)
    assert all(c == " " for t, c in zip(text, folded) if 0xD800 <= ord(t) <= 0xDFFF)
    normalize(text)


@given(nasty_text | any_text | code_page_text)
@example("Zażółć gęślą jaźń ’")
@example("hasarlı ğ İ ş ’ ˆ")
@example("ˇ")
@example("\x85 ’ ‑")
def test_fold_agrees_with_the_per_character_definition(text):
    assert fold(text) == "".join(_fold_char(c) for c in text)


@given(nasty_text | any_text)
def test_fold_output_alphabet(text):
    for c in fold(text):
        assert c in (" ", JOINER) or (re.fullmatch(r"\w", c) and c != "_")


@given(nasty_text | any_text)
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@given(nasty_text | any_text)
@example("aea")
@example("ßs ss ß")
@example("oe\u0301e")
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@given(nasty_text | any_text)
def test_normalize_is_squeeze_of_fold(text):
    assert normalize(text) == squeeze(fold(text))


@given(nasty_text | any_text)
def test_normalize_output_has_no_umlaut_digraphs_or_stray_spaces(text):
    out = normalize(text)
    assert not re.search("[aou]e", out)
    assert "  " not in out and out == out.strip()
    assert "ß" not in out and JOINER not in out


LATIN = "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿñßáíóúìò -'"


@given(st.text(alphabet=st.sampled_from(LATIN), max_size=40))
def test_normalize_ignores_case_for_latin_text(text):
    assert normalize(text.upper()) == normalize(text)
    assert normalize(text.title()) == normalize(text)


@given(st.text(alphabet=st.sampled_from("aeiouyncs"), max_size=30))
def test_normalize_ignores_accents(text):
    accented = text.translate(str.maketrans("aeiouync", "àéîöùÿñç"))
    assert normalize(accented) == normalize(text)


@given(st.text(alphabet=st.sampled_from("aoubcdu "), max_size=30))
def test_umlauts_and_their_digraphs_meet(text):
    umlauts = text.translate(str.maketrans("aou", "äöü"))
    digraphs = text.replace("a", "ae").replace("o", "oe").replace("u", "ue")
    assert normalize(umlauts) == normalize(digraphs) == normalize(text)


@given(nasty_text | any_text)
@settings(max_examples=300)
def test_fold_compact_maps_every_character_back(text):
    folded = fold(text)
    compact, offsets = fold_compact(text)
    assert compact == folded.replace(JOINER, "")
    position = (lambda i: i) if offsets is None else offsets
    previous = -1
    for i, c in enumerate(compact):
        original = position(i)
        assert original > previous  # strictly increasing
        assert folded[original] == c  # the compact character comes from that original character
        assert all(ch == JOINER for ch in folded[previous + 1 : original])  # only joiners skipped
        previous = original
    # the end position includes trailing joiners and lands on the original end
    assert position(len(compact)) == len(text)


def test_fold_compact_offsets_slice_the_original():
    text = "Le colis est endommage\u0301, vraiment endommage\u0301."
    compact, offsets = fold_compact(text)
    assert offsets is not None
    start = compact.index("endommage")
    end = start + len("endommage")
    assert text[offsets(start) : offsets(end)] == "endommage\u0301"
    assert fold_compact("plain") == ("plain", None)
