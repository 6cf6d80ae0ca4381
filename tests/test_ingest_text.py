"""The pieces that turn e-mail bytes into what an agent reads, and carrier tracking numbers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskui.ingest.base import parse_number
from deskui.ingest.carriers import guess_carrier, normalise
from deskui.ingest.mailtext import decode_bytes, header_text, html_to_text, readable, strip_amazon_footer, strip_quoted


def test_html_to_text_keeps_structure_and_drops_code():
    html = (
        "<html><head><title>t</title><style>p{color:red}</style><script>track()</script></head><body>"
        "<p>Hello&nbsp;there,</p><div>Line <b>two</b><br>three</div><ul><li>one</li><li>two</li></ul>"
        "<table><tr><td>Order</td><td>#1001</td></tr></table><p>Caf&eacute; &amp; th&eacute; &#8364;5</p>"
        "<blockquote>earlier<br>message</blockquote></body></html>"
    )
    assert html_to_text(html) == (
        "Hello there,\n\nLine two\nthree\n\n- one\n- two\n\nOrder #1001\n\nCafé & thé €5\n\n> earlier\n> message"
    )


def test_html_without_markup_and_broken_markup():
    assert html_to_text("just text") == "just text"
    assert html_to_text("<p>unclosed <b>bold<p>next") == "unclosed bold\n\nnext"


def test_decode_bytes_fallbacks():
    assert decode_bytes("café".encode("utf-8"), "utf-8") == "café"
    assert decode_bytes("“quoted” – 5 €".encode("cp1252"), "iso-8859-1") == "“quoted” – 5 €"  # latin-1 label, cp1252 bytes
    assert decode_bytes("café".encode("utf-8"), "x-unknown-charset") == "café"
    assert decode_bytes("naïve".encode("latin-1"), "utf-8") == "naïve"  # mislabelled
    assert decode_bytes("日本".encode("shift_jis"), "shift_jis") == "日本"
    assert decode_bytes(b"\xff\xfe broken", "us-ascii") == "ÿþ broken"


def test_header_text():
    assert header_text("=?utf-8?q?Caf=C3=A9?= order =?iso-8859-1?q?r=E9sum=E9?=") == "Café order résumé"
    assert header_text("=?UTF-8?B?w5xiZXJ3ZWlzdW5n?=") == "Überweisung"
    assert header_text("folded\n  subject") == "folded subject"
    assert header_text("=?bogus-charset?q?abc?=") == "abc"
    assert header_text(None) == ""


AMAZON = """------------- Begin message -------------

Where is my parcel?
I need it by Friday.

------------- End message -------------

For Your Information: To help arbitrate disputes and preserve trust and safety, we retain all messages.

Was this email helpful?

If this message does not need a response, mark this message as no response needed: https://sellercentral.amazon.com/x
[commMgrTok:A3NZ8Y1S7XKQ2V9WQ0RBTYN4M]"""


def test_amazon_footer_is_folded_away():
    assert strip_amazon_footer(AMAZON) == "Where is my parcel?\nI need it by Friday."
    without_markers = "Where is my parcel?\n\nWas this email helpful?\nmark this message as no response needed\n[commMgrTok:X1]"
    assert strip_amazon_footer(without_markers) == "Where is my parcel?"
    # a buyer who writes the words themselves keeps them: the footer only starts after content
    assert strip_amazon_footer("no response needed? you never answer!") == "no response needed? you never answer!"


def test_quoted_replies_are_folded_away():
    text = "Thanks, that works.\n\nOn Mon, 23 Nov 2026 at 14:00, Shop <s@shop.example> wrote:\n> Hi,\n> > older\n"
    assert strip_quoted(text) == "Thanks, that works."
    wrapped = "Yes please.\n\nOn Mon, 23 Nov 2026 at 16:05, Oak & Ember Support <support@myshop.example>\nwrote:\n> Hi Tom,"
    assert strip_quoted(wrapped) == "Yes please."
    french = "D'accord.\n\nLe lun. 23 nov. 2026 à 14:00, Boutique <b@x.fr> a écrit :\n> Bonjour"
    assert strip_quoted(french) == "D'accord."
    outlook = "See below.\n\n-----Original Message-----\nFrom: Shop\nSent: Monday\nold text"
    assert strip_quoted(outlook) == "See below."
    outlook_headers = "Fine.\n\nFrom: Shop <s@shop.example>\nSent: Monday, 23 November 2026 14:00\nSubject: x\n\nold"
    assert strip_quoted(outlook_headers) == "Fine."
    inline = "> question one?\nanswer one\n> question two?\nanswer two"
    assert strip_quoted(inline) == "answer one\nanswer two"
    only_quote = "> just a forward"
    assert strip_quoted(only_quote) == "> just a forward"  # never an empty message


def test_readable_combines_both():
    assert readable(AMAZON + "\n", amazon=True) == "Where is my parcel?\nI need it by Friday."
    assert "commMgrTok" in readable("x\n[commMgrTok:1]", amazon=False)


def test_numbers():
    assert parse_number("12.99") == 12.99
    assert parse_number("12,99") == 12.99
    assert parse_number("1,299.00") == 1299.0
    assert parse_number("1.299,00") == 1299.0
    assert parse_number("-4.00") == -4.0
    assert parse_number("") is None
    for bad in ("12.99 USD", "n/a", "12.OO", "1e5"):
        with pytest.raises(ValueError):
            parse_number(bad)


@pytest.mark.parametrize("text, value", [
    ("1,299", 1299.0), ("1.299,50", 1299.5), ("1,299.50", 1299.5), ("12,50", 12.5), ("1 299,50", 1299.5),
    ("1\u00a0299,50", 1299.5), ("1\u202f299,50", 1299.5), ("1'299.50", 1299.5), ("12,345,678.90", 12345678.9),
    ("1.299.000", 1299000.0), ("-1,299", -1299.0), ("0,299", 0.299), (",5", 0.5), ("1.299", 1.299),
])
def test_numbers_with_thousands_separators(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("bad", ["12,5,0", "1 29", "1..2", "1,29.50", "-", ".", "1.2.3,4"])
def test_numbers_badly_grouped_are_refused(bad):
    with pytest.raises(ValueError):
        parse_number(bad)


@given(cents=st.integers(min_value=0, max_value=10**11), negative=st.booleans(),
       style=st.sampled_from(["plain", "en", "de", "fr", "fr-nbsp", "ch"]))
def test_numbers_round_trip_every_locale_style(cents, negative, style):
    whole, fraction = divmod(cents, 100)
    grouped = f"{whole:,}"
    text = {
        "plain": f"{whole}.{fraction:02d}",
        "en": f"{grouped}.{fraction:02d}",
        "de": f"{grouped.replace(',', '.')},{fraction:02d}",
        "fr": f"{grouped.replace(',', ' ')},{fraction:02d}",
        "fr-nbsp": f"{grouped.replace(',', chr(0x202f))},{fraction:02d}",
        "ch": f"{grouped.replace(',', chr(39))}.{fraction:02d}",
    }[style]
    if negative:
        text = "-" + text
    assert parse_number(text) == pytest.approx((-1 if negative else 1) * cents / 100, rel=1e-12, abs=1e-9)


@given(whole=st.integers(min_value=1000, max_value=10**9))
def test_whole_numbers_with_comma_thousands(whole):
    assert parse_number(f"{whole:,}") == whole


@pytest.mark.parametrize(
    "number, carrier",
    [
        ("1Z999AA10123456784", "UPS"),
        ("1Z 999 AA1 01 2345 6784", "UPS"),
        ("9400111899223197428497", "USPS"),
        ("RR123456785GB", "Royal Mail"),
        ("EA123456785US", "USPS"),
        ("1Z999AA10123456785", None),  # wrong check digit
        ("hello", None),
    ],
)
def test_carrier_from_tracking_number(number, carrier):
    assert guess_carrier(number) == carrier


def test_tracking_number_normalised():
    assert normalise(" 1z 999-aa1 ") == "1Z999AA1"
