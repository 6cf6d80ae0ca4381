"""Which language a buyer writes in (en/fr/de/es/it), by counting common words: it picks the
template language and how dates and money are written."""

from __future__ import annotations

import re

LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "it")

_STOPWORDS: dict[str, str] = {
    "en": "the and you your my is it to of for not have i was this that with order received please thanks thank "
          "hello hi where when what item package but did has been still are can would we haven t don didn isn "
          "wrong arrived any yet just got",
    "fr": "le la les et je vous votre vos mon ma mes est pas une des du pour avec commande colis reçu recu bonjour "
          "merci cordialement ai que qui ce cette toujours sur dans il elle au aux j d l c n qu suis été ete "
          "mais ne rien très tres article livré livre produit",
    "de": "der die das und ich sie ihr ihre mein meine ist nicht ein eine mit für fur von zu bestellung paket "
          "hallo danke habe wurde noch auf den dem es bitte aber wir kein keine sehr geehrte grüße gruesse "
          "erhalten leider artikel ware mir mich",
    "es": "el la los las y yo usted su mi mis es no un una con para por pedido paquete hola gracias he recibido "
          "que todavía todavia aún aun del al pero está esta muy saludos lo se me producto llegado artículo",
    "it": "il lo la gli le e io lei suo mio mia è non un una con per ordine pacco ciao buongiorno grazie ho "
          "ricevuto che ancora del della di ma sono cordiali saluti mi nel alla arrivato prodotto articolo "
          "salve gentile",
}
_WORD_WEIGHTS: dict[str, dict[str, float]] = {}
for _language, _words in _STOPWORDS.items():
    for _word in set(_words.split()):
        _WORD_WEIGHTS.setdefault(_word, {})[_language] = 1.0
for _word, _languages in _WORD_WEIGHTS.items():
    for _language in _languages:
        _languages[_language] = 1.0 / len(_languages)
_CHAR_HINTS = {"ñ": "es", "¿": "es", "¡": "es", "ß": "de", "ä": "de", "ö": "de", "ü": "de", "ç": "fr", "œ": "fr",
               "ê": "fr", "â": "fr", "î": "fr", "ô": "fr", "û": "fr", "ë": "fr", "ì": "it", "ò": "it"}
_TOKEN = re.compile(r"[^\W\d_]+")


def guess_language(text: str) -> str:
    """en/fr/de/es/it from a buyer's message by counting common words (and a few letters such as
    ñ, ß, ç); English when there is no evidence. Cheap: looks at the first 2,000 characters."""
    text = (text or "")[:2000].lower()
    scores = dict.fromkeys(LANGUAGES, 0.0)
    for token in _TOKEN.findall(text):
        weights = _WORD_WEIGHTS.get(token)
        if weights:
            for language, weight in weights.items():
                scores[language] += weight
    for char, language in _CHAR_HINTS.items():
        if char in text:
            scores[language] += 1.5
    best = max(LANGUAGES, key=lambda language: (scores[language], language == "en"))
    return best if scores[best] > 0 else "en"
