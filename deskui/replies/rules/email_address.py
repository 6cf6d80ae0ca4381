"""E-mail addresses (also written 'name [at] domain [dot] com'): contact stays in the marketplace's messaging."""

from __future__ import annotations

import re
from typing import Iterator

from deskui.replies.rules.base import BLOCK
from deskui.replies.rules.registry import Rule, register

_EMAIL_LOCAL = re.compile(r"[\w.+\-]+\s?\Z")  # the part before an "@", matched backwards from it
_EMAIL_DOMAIN = re.compile(r"\s?[\w\-]+(?:\.[\w\-]+)*\.[a-z]{2,}\b")
_EMAIL_OBFUSCATED = re.compile(
    r"\b[\w.+\-]+\s*[\[({]\s*(?:at|arobase|chez)\s*[\])}]\s*[\w\-]+(?:\s*(?:[\[({]\s*(?:dot|point|punkt)\s*[\])}]|\.)"
    r"\s*[\w\-]+)+|"
    r"\b[\w.+\-]+\s+(?:at|arobase)\s+[\w\-]+\s+(?:dot|point|punkt)\s+(?:com|net|org|fr|de|es|it|eu|uk)\b")
_OBFUSCATION_HINT = re.compile(r"[\[({]\s*(?:at|arobase|chez)\s*[\])}]| (?:dot|point|punkt) ")


def _scan(text: str, folded: str, channel: str, settings) -> Iterator[tuple[int, int, str]]:
    at = folded.find("@")
    while at >= 0:  # anchor on each "@" rather than trying every word as a local part
        local = _EMAIL_LOCAL.search(folded, max(0, at - 64), at)
        domain = _EMAIL_DOMAIN.match(folded, at + 1)
        if local and domain and local.group(0).strip():
            yield local.start(), domain.end(), "email"
        at = folded.find("@", at + 1)
    if _OBFUSCATION_HINT.search(folded):
        for match in _EMAIL_OBFUSCATED.finditer(folded):
            yield match.start(), match.end(), "email"


register(Rule(
    "email_address",
    "e-mail addresses (also written 'name [at] domain [dot] com')",
    {
        "email": (BLOCK,
                  "{rules} forbid e-mail addresses in messages: every exchange with the buyer must stay in {m}'s "
                  "messaging."),
    },
    scan=_scan,
    inside_links=False,
))
