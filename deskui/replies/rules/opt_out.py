"""Unsubscribe / opt-out wording (it belongs to marketing mail, which is not allowed either)."""

from __future__ import annotations

import re
from typing import Iterator

from deskui.replies.rules.base import I, WARN, has_any
from deskui.replies.rules.registry import Rule, register

_OPT_OUT = re.compile(
    r"\b(?:unsubscrib\w*|opt[\s\-]?out|stop\s+receiving\s+(?:these|our)\s+(?:e-?mails|messages)"
    r"|(?:se\s+)?desabonn\w*|desinscri\w*|ne\s+plus\s+recevoir\s+(?:nos|ces)"
    r"|abmelden|abbestellen|abmeldung|keine\s+(?:weiteren\s+)?(?:e-?mails|nachrichten)\s+mehr"
    r"|dar(?:se|te)\s+de\s+baja|dese\s+de\s+baja|date\s+de\s+baja|cancelar\s+(?:la\s+)?suscripcion"
    r"|no\s+recibir\s+mas\s+(?:correos|mensajes)"
    r"|disiscriv\w*|annulla(?:re)?\s+l'iscrizione|cancella(?:rsi|ti)\s+dalla|non\s+ricevere\s+piu)\b", I)


_OPT_OUT_HINTS = ("unsubscri", "opt", "stop receiving", "desabon", "desinscri", "ne plus recevoir", "abmeld",
                  "abbestell", "keine", "baja", "suscripcion", "no recibir", "disiscri", "iscrizione", "cancella",
                  "non ricevere")


def _scan(text: str, folded: str, channel: str, settings) -> Iterator[tuple[int, int, str]]:
    if not has_any(folded, _OPT_OUT_HINTS):
        return
    for match in _OPT_OUT.finditer(folded):
        yield match.start(), match.end(), "opt_out"


register(Rule(
    "opt_out",
    "unsubscribe / opt-out wording",
    {
        "opt_out": (WARN,
                    "{rules} forbid opt-out / unsubscribe links in messages (they belong to marketing e-mails, which "
                    "are not allowed either)."),
    },
    scan=_scan,
))
