"""A short message that only says thank you (or only confirms an order)."""

from __future__ import annotations

import re
from typing import Iterator

from deskui.replies.rules.base import I, WARN
from deskui.replies.rules.registry import Rule, register

_THANKS = re.compile(r"\b(?:thank\w*|thx|merci|danke\w*|dank|gracias|grazie|cheers)\b", I)
_FILLER = frozenset("""
thank thanks thankyou thx you your for the a an very much so again once lot lots many kind kindly truly really
all our us we of with and to order orders purchase purchases shopping business choosing support patience
hello hi hey dear good morning afternoon evening best regards wishes sincerely cheers warm warmest team
customer service care sir madam mr mrs ms
merci bonjour bonsoir madame monsieur cher chere vous votre vos pour beaucoup bien infiniment de la le les un une
nous tous mille encore commande achat confiance cordialement salutations sinceres equipe client clientele et a
danke dankeschon vielen herzlichen dank sehr geehrte geehrter liebe lieber frau herr hallo guten tag morgen sie
ihre ihren ihr fur uns bestellung einkauf vertrauen mit freundlichen grussen gruss grusse gruße grüßen beste und
ihrem kundenservice team nochmals message messages feedback
gracias muchas muchisimas hola estimado estimada senor senora buenos buenas dias tardes por su sus compra pedido
confianza saludos atentamente un cordial saludo equipo atencion al cliente de nuevo y
grazie mille ciao buongiorno buonasera salve gentile gentili signor signora per il suo sua vostro vostra ordine
acquisto fiducia cordiali saluti distinti team assistenza clienti ancora e tante
""".split())
_WORDS = re.compile(r"[^\W\d_]+")
_BRACED = re.compile(r"\{[^{}]*\}")
THANKS_ONLY_MAX = 220


def _scan(text: str, folded: str, channel: str, settings) -> Iterator[tuple[int, int, str]]:
    stripped = folded.strip()
    if not stripped or len(stripped) > THANKS_ONLY_MAX or not _THANKS.search(stripped):
        return
    body = _BRACED.sub(lambda m: " " * len(m.group(0)), text)  # the original: capitals mark names
    rest = 0
    for match in _WORDS.finditer(body):
        word = match.group(0)
        if folded[match.start():match.end()] in _FILLER:
            continue
        before = body[:match.start()].rstrip()
        if word[0].isupper() and len(word) > 1 and before and before[-1] not in ".!?\n":
            continue  # a capitalised word inside a sentence: most likely a name ("Claire", "Ana")
        rest += 1
        if rest > 1:
            return
    start = len(folded) - len(folded.lstrip())
    yield start, start + len(stripped), "thanks_only"


register(Rule(
    "thanks_only",
    "a short message that only says thank you",
    {
        "thanks_only": (WARN,
                        "{rules} forbid messages that only say thank you (and plain order or shipping confirmations): "
                        "answer the buyer's question, or send nothing."),
    },
    scan=_scan,
    fields=("body",),
))
