"""What every linter rule shares: severities, the finding, the folded text and the pattern helpers.

Everything runs on a length-preserving "folded" copy of the text (accents dropped, curly quotes
and non-breaking spaces made plain, one character for one), so offsets point into the original
text and patterns need no accent variants. All regexes are compiled once at import.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

BLOCK = "block"
WARN = "warn"


@dataclass(frozen=True)
class Warning:  # noqa: A001 - the API's name; builtins.Warning stays reachable as builtins.Warning
    rule: str
    message: str  # why, in plain English, citing the marketplace rule
    start: int  # offsets in the linted text (or in the subject when field == "subject"; the index
    end: int    # of the file when field == "attachments")
    excerpt: str
    severity: str  # "block" | "warn"
    field: str = "body"  # "subject", "body" or "attachments"


Warning.__doc__ = "One compliance finding in a reply. (Shadows builtins.Warning inside this module only.)"

MARKET_NAMES = {"amazon": "Amazon", "ebay": "eBay", "walmart": "Walmart", "tiktok": "TikTok Shop",
                "shopify": "Shopify", "instagram": "Instagram"}
# Channels whose default rules come from the marketplace's own messaging policy.
MARKETPLACE_POLICY = {"amazon": "Amazon's buyer-seller messaging rules", "ebay": "eBay's member-messaging rules",
                      "walmart": "Walmart's seller messaging rules", "tiktok": "TikTok Shop's messaging rules"}


def market_name(channel: str) -> str:
    return MARKET_NAMES.get(channel, channel.capitalize() or "this channel")


def whose_rules(channel: str) -> str:
    return MARKETPLACE_POLICY.get(channel, f"Your team's rules for {market_name(channel)}")


# -- folding -------------------------------------------------------------------------------------
def _build_fold() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x41, 0x250):
        char = chr(code)
        lower = char.lower()
        if len(lower) != 1:  # "İ" lowers to two characters: keep offsets
            lower = "i"
        base = unicodedata.normalize("NFD", lower)[0]
        if base.isascii() and base.isalpha() and base != lower:
            lower = base
        if lower != char:
            table[code] = lower
    table[0x1E9E] = "ß"
    for char in "’‘‛ʼ´`":
        table[ord(char)] = "'"
    for char in "“”„«»":
        table[ord(char)] = '"'
    for char in "\u00a0\u202f\u2009\u2007\u2002\u2003":
        table[ord(char)] = " "
    for char in "‐‑‒–—−":
        table[ord(char)] = "-"
    table[ord("º")] = "o"
    return table


_FOLD = _build_fold()


def fold(text: str) -> str:
    """Lowercase, accents dropped, quotes/spaces/dashes made plain: one character for one, so
    offsets stay valid and patterns run without re.IGNORECASE (several times faster)."""
    return text.translate(_FOLD)


# -- pattern helpers -----------------------------------------------------------------------------
I = 0  # noqa: E741 - flags for patterns over folded (already lowercase) text
CI = re.IGNORECASE
TRAIL = ".,;:!?)]}'\""
GAP = r"[^\w.!?;,:\n]+"


def near(first: str, second: str, words: int) -> str:
    """``first``, then at most ``words`` words, then ``second``, within one clause."""
    return rf"\b(?:{first})\b(?:{GAP}\w+){{0,{words}}}?{GAP}(?:{second})"


def sentence_around(folded: str, start: int, end: int) -> tuple[int, int]:
    left = max(folded.rfind(mark, 0, start) for mark in ".!?\n") + 1
    rights = [i for i in (folded.find(mark, end) for mark in ".!?\n") if i >= 0]
    return left, (min(rights) + 1 if rights else len(folded))


def has_any(folded: str, hints: tuple[str, ...]) -> bool:
    """Cheap substring checks: a detector's regexes run only when one of its words is in the text."""
    return any(hint in folded for hint in hints)
