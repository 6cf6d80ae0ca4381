from hypothesis import given
from hypothesis import strategies as st

from deskui.text import clean, complete, filter_key, filter_key_map, filter_span, one_line, same_name


def test_escape_sequences_are_removed_whole():
    assert clean("\x1b[31mred\x1b[0m alert") == "red alert"
    assert clean("title\x1b]0;pwned\x07 here") == "title here"


def test_bidi_overrides_and_controls_are_removed():
    assert clean("invoice\u202etxt.exe") == "invoicetxt.exe"
    assert clean("a\x00b\x07c\x85d") == "abcd"


def test_markup_is_left_as_literal_text():
    # Text is never parsed as markup by the UI; clean() must not eat the brackets either.
    assert clean("[bold red]FREE[/]") == "[bold red]FREE[/]"


def test_one_line_collapses_whitespace_and_limits():
    assert one_line("Hello\n\n  there\tyou") == "Hello there you"
    assert len(one_line("x" * 10_000, limit=80)) == 80


@given(st.text())
def test_nothing_unsafe_survives(text):
    shown = clean(text)
    assert "\x1b" not in shown and "\u202e" not in shown
    assert all(ch in "\n" or ord(ch) >= 0x20 for ch in shown)


# -- filter_key: what every filter on typed text compares ---------------------------------------

def test_filter_key_folds_case_accents_and_sharp_s():
    assert filter_key("Straße") == filter_key("STRASSE") == filter_key("strasse") == "strasse"
    assert filter_key("STRAẞE") == "strasse"
    assert filter_key("Réclamation") == "reclamation"
    assert filter_key("José") == filter_key("JOSE") == "jose"
    assert filter_key("A-to-z") == "a to z"
    assert filter_key("cœur") == "coeur" and filter_key("Ærø") == "aero" and filter_key("Łódź") == "lodz"
    assert filter_key("İstanbul") == "istanbul"
    assert filter_key("Jean\u2011Pierre") == "jean pierre"  # a non-breaking hyphen
    assert filter_key("zero\u200bwidth") == "zerowidth"  # an invisible character inside a word glues nothing
    assert filter_key("山田 太郎") == "山田 太郎"
    assert filter_key("") == filter_key(None) == ""


def test_filter_span_maps_back_to_the_text():
    text = "Größe: Straße"
    key, where = filter_key_map(text)
    at = key.find("strasse")
    assert text[slice(*filter_span(where, at, at + len("strasse")))] == "Straße"


@given(st.text(max_size=40))
def test_filter_key_map_points_into_the_text_in_order(text):
    key, where = filter_key_map(text)
    assert len(where) == len(key)
    assert where == sorted(where) and all(0 <= index < len(text) for index in where)
    assert filter_key(text) == key


AGENTS = ["José Garcia", "Straßer", "ana", "Ana-Maria"]


def test_names_complete_and_match_folded_as_the_filters_fold():
    assert complete("jos", AGENTS) == "José Garcia"  # the agent's own spelling: the typed part lines up
    assert complete("JOSE g", AGENTS) == "José Garcia"
    assert complete("strass", AGENTS) == "strasser"  # "ß" is two letters typed: what was typed, then the rest
    assert complete("ana-", AGENTS) == "Ana-Maria" and complete("an", AGENTS) == "ana"
    assert complete("x", AGENTS) is None and complete("  ", AGENTS) is None
    assert same_name("jose garcia", AGENTS) == "José Garcia"
    assert same_name(" STRASSER ", AGENTS) == same_name("strasser", AGENTS) == "Straßer"
    assert same_name("javeir", AGENTS) is None and same_name("", AGENTS) is None
