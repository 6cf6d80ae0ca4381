"""Asking the buyer to withdraw or close an A-to-z claim, a dispute or a chargeback."""

from __future__ import annotations

import re
from typing import Iterator

from deskui.replies.rules.base import I, WARN, has_any, near
from deskui.replies.rules.registry import Rule, register

_CLAIM_NOUN = (
    r"(?:a[\s\-]?(?:to|2)[\s\-]?z|atoz)(?:[\s\-]+(?:guarantee[\s\-]+)?claims?)?|claims?\b|disputes?\b|chargebacks?"
    r"|reclamation\w*|litiges?\b|garantie\s+(?:de\s+)?a[\s\-]+(?:a|to)[\s\-]+z|(?:demande|procedure)\s+de\s+garantie"
    r"|a[\s\-]?bis[\s\-]?z\w*(?:[\s\-]\w+)?|garantieantrag|garantie[\s\-]?anspruch|reklamation\b|ruckbuchung|streitfall"
    r"|reclamaci(?:on|ones)\b|reclamos?\b|disputas?\b|garantia\s+de\s+la\s+a\s+a\s+la\s+z|contracargos?"
    r"|reclam[oi]\b|contestazion[ei]\b|garanzia\s+dalla\s+a\s+alla\s+z|controversi[ae]\b"
)
_CLAIM_VERB = (
    r"withdraw(?:ing)?|cancel(?:l?ing)?|clos(?:e|ing)|retract(?:ing)?|drop(?:ping)?|remov(?:e|ing)|take\s+back|rescind"
    r"|retir(?:er|ez)|annul(?:er|ez)|clotur(?:er|ez)|ferm(?:er|ez)|abandonn(?:er|ez)|renonc(?:er|ez)"
    r"|zuruckzieh(?:en)?|zurucknehm(?:en)?|schlie(?:ß|ss)en|stornier(?:en)?|einstell(?:en)?"
    r"|retir(?:ar|e|en)|cancel(?:ar|e|en)|cerr(?:ar|ar)|cierre|anul(?:ar|e)|desist\w*"
    r"|ritir(?:are|a|i)|annull(?:are|a|i)|chiud(?:ere|a|i)|rinunci\w*"
)
_CLAIM_WITHDRAWAL = re.compile(
    near(_CLAIM_VERB, _CLAIM_NOUN, 3)
    + "|" + near(r"a[\s\-]?bis[\s\-]?z|garantieantrag|antrag|anspruch|reklamation|ruckbuchung|streitfall",
                  r"zu\s+)?(?:zuruckz\w*|zuruckn\w*|schlie\w*|stornier\w*|einstell\w*", 3), I)


_CLAIM_HINTS = ("claim", "a-to", "a to", "atoz", "a2z", "a-2", "dispute", "chargeback", "reclam", "litige",
                "garantie", "bis", "antrag", "anspruch", "reklamation", "ruckbuchung", "streitfall", "disputa",
                "contracargo", "garantia", "garanzia", "contestazion", "controversi")


def _scan(text: str, folded: str, channel: str, settings) -> Iterator[tuple[int, int, str]]:
    if not has_any(folded, _CLAIM_HINTS):
        return
    for match in _CLAIM_WITHDRAWAL.finditer(folded):
        yield match.start(), match.end(), "claim_withdrawal"


register(Rule(
    "claim_withdrawal",
    "asking the buyer to withdraw or close an A-to-z claim, a dispute or a chargeback",
    {
        "claim_withdrawal": (WARN,
                             "Do not ask the buyer to withdraw or close an A-to-z claim, a dispute or a chargeback: it is "
                             "not permitted. Solve the problem (refund, replacement) and state the facts; the claim "
                             "follows."),
    },
    scan=_scan,
))
