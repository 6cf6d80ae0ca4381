"""A message over the channel's length limit (``max_length`` in ``[lint.<channel>]``)."""

from __future__ import annotations

from typing import Iterator

from deskui.replies.rules.base import BLOCK
from deskui.replies.rules.registry import Rule, register


def _scan(text: str, folded: str, channel: str, settings) -> Iterator[tuple[int, int, str]]:
    if settings.max_length and len(text) > settings.max_length:
        yield settings.max_length, len(text), "too_long"


register(Rule(
    "too_long",
    "a message over the channel's length limit",
    {
        "too_long": (BLOCK, "The message has {length:,} characters; the limit for {m} is {limit:,} ({source})."),
    },
    scan=_scan,
    fields=("body",),
))
