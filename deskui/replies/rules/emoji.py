"""Emojis (and GIFs, which a text reply cannot carry)."""

from __future__ import annotations

import re
from typing import Iterator

from deskui.replies.rules.base import WARN
from deskui.replies.rules.registry import Rule, register

_EMOJI = re.compile(
    "(?:[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B05-\u2B55\u231A\u231B\u23E9-\u23FA\u2190-\u21FF\u3030\u303D]"
    "[\uFE0F\u200D\U0001F3FB-\U0001F3FF]*)+")


def _scan(text: str, folded: str, channel: str, settings) -> Iterator[tuple[int, int, str]]:
    for match in _EMOJI.finditer(text):
        chars = match.group(0)
        if all(0x2190 <= ord(c) <= 0x21FF for c in chars):  # plain arrows (→) are typography, not emojis
            continue
        yield match.start(), match.end(), "emoji"


register(Rule(
    "emoji",
    "emojis",
    {
        "emoji": (WARN, "{rules} forbid emojis and GIFs in messages."),
    },
    scan=_scan,
))
