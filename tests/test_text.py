from hypothesis import given
from hypothesis import strategies as st

from deskui.text import clean, one_line


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
