"""'[Important]' in the subject: Amazon reserves it for messages critical to an order."""

from __future__ import annotations

import re
from typing import Iterator

from deskui.replies.rules.base import CI, WARN
from deskui.replies.rules.registry import Rule, register

_IMPORTANT = re.compile(r"\[\s*(?:important|importante|wichtig|urgent|dringend|urgente)\s*\]", CI)


def _scan(text: str, folded: str, channel: str, settings) -> Iterator[tuple[int, int, str]]:
    for match in _IMPORTANT.finditer(text):  # the original text: the pattern ignores case itself
        yield match.start(), match.end(), "important_subject"


register(Rule(
    "important_subject",
    "'[Important]' in the subject",
    {
        "important_subject": (WARN,
                              "'[Important]' in the subject is reserved for critical messages about an order (e.g. a "
                              "problem that stops delivery); {rules} forbid it on an ordinary reply."),
    },
    scan=_scan,
    fields=("subject",),
))
