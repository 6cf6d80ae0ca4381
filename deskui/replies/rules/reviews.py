"""Review requests, review changes and review incentives: one scan, three rules.

The three share one module and one scan because they decide together: a request next to a refund
is an incentive, and a change request drops the plain request over the same words."""

from __future__ import annotations

import re
from typing import Iterator

from deskui.replies.rules.base import BLOCK, I, WARN, has_any, near, sentence_around
from deskui.replies.rules.registry import Rule, register

_REVIEW_NOUN = (
    r"reviews?\b|feedback|ratings?\b|testimonials?|(?:\d|five|four)[\s\-]?stars?\b|star[\s\-]?ratings?"
    r"|(?<!d')\bavis\b(?!\s+d(?:e|u|es)\b|\s+d')|evaluations?\b|commentaires?\b|(?:\d|cinq)\s?etoiles"
    r"|bewertung(?:en)?\b|rezension(?:en)?\b|(?:\d|funf|fuenf)[\s\-]?sterne\w*|sternebewertung\w*|kundenbewertung\w*"
    r"|resenas?\b|opinion(?:es)?\b|valoracion(?:es)?\b|calificacion(?:es)?\b|comentarios?\b|(?:\d|cinco)\s?estrellas"
    r"|recension[ei]\b|valutazion[ei]\b|opinion[ei]\b|giudizi[oa]?\b|comment[oi]\b|(?:\d|cinque)\s?stelle"
)
_REQUEST_VERB = (
    r"leav(?:e|es|ing)|writ(?:e|es|ing)|post(?:s|ing)?|submit(?:ting)?|drop(?:ping)?|giv(?:e|ing)\s+us"
    r"|laiss(?:er|ez|ant)|ecri(?:re|vez|vant)|redig(?:er|ez)|donn(?:er|ez)|publi(?:er|ez)|depos(?:er|ez)"
    r"|mett(?:re|ez)|attribu(?:er|ez)|partag(?:er|ez)"
    r"|hinterlass(?:en|t|e)?|schreib(?:en|t|e)?|abgeben|geben\s+sie\s+uns|verfass(?:en|t)"
    r"|dej(?:ar|e|en|enos|arnos|anos|ando)|escrib(?:ir|a|an|anos|enos|iendo)|publi(?:car|que|quen)"
    r"|denos|darnos|danos|compart(?:ir|a)"
    r"|lasci(?:are|a|ate|ateci|aci|ando)?|scriv(?:ere|i|ete|eteci|ici|endo)|pubblic(?:are|a|ate)|darci|dateci|dacci"
    r"|condivid(?:ere|i)"
)
_REVIEW_REQUEST = re.compile(
    near(_REQUEST_VERB, _REVIEW_NOUN, 4)
    + r"|\b(?:rate|review)\s+us\b|\brate\s+(?:the|your|our|this)\s+(?:product|purchase|order|item|experience|seller|service)"
    r"|\b(?:notez|evaluez)[\s\-]nous\b|\bnous\s+(?:noter|evaluer)\b"
    r"|\bbewerten\s+sie\s+uns\b|\b(?:bitte|uns)\s+(?:\w+\s+){0,2}?bewerten\b"
    r"|\bval(?:o|ó)r(?:enos|arnos)\b|\bcalific(?:arnos|uenos)\b"
    r"|\bvalut(?:aci|arci|ateci)\b|\brecensir(?:ci|e)\b|\brecensiteci\b"
    # "we would appreciate a review", "wir würden uns über eine Bewertung freuen"...
    r"|\bwould\s+(?:really\s+|greatly\s+|so\s+)?(?:appreciate|love)\s+(?:it\s+if\s+you\s+\w+\s+)?(?:\w+\s+){0,3}?"
    r"(?:reviews?|ratings?|feedback|(?:\d|five)[\s\-]?stars?)\b"
    r"|\b(?:serions|serais)\s+(?:\w+\s+){0,2}?(?:ravie?s?|heureu(?:x|ses?)|reconnaissante?s?)\s+(?:\w+\s+|d'|qu'){0,5}?"
    r"(?:avis|evaluations?|commentaires?)\b"
    r"|\buber\s+(?:\w+[\s\-]+){0,3}?(?:bewertung|rezension|feedback|sterne)\w*\s+(?:\w+\s+)?(?:freuen|dankbar)"
    r"|\bagradecer(?:iamos|ia|emos)\s+(?:\w+\s+){0,4}?(?:resenas?|valoracion(?:es)?|opinion(?:es)?)\b"
    r"|\b(?:farebbe|fa)\s+(?:molto\s+)?piacere\s+(?:\w+\s+|un'){0,4}?(?:recensione|valutazione|feedback)\b"
    r"|\b(?:saremmo|sarei)\s+grat[ie]\s+(?:\w+\s+|un'){0,4}?(?:recensione|valutazione|feedback)\b"
    # German puts the verb last: "eine positive Bewertung hinterlassen"
    + "|" + near(r"bewertung|rezension|feedback|sterne", r"hinterlass\w*|abgeben|abgibst|schreiben|verfassen", 3),
    I)
_POSITIVE = re.compile(
    r"\b(?:positive?|good|great|excellent|glowing|top|5[\s\-]?stars?|five[\s\-]?stars?|(?:5|five)\s+stars"
    r"|positi(?:f|ve|ves|fs)|bon|bonne|excellente?|(?:5|cinq)\s?etoiles|positiv\w*|gute[rs]?|sehr\s+gute\w*"
    r"|(?:5|funf)[\s\-]?sterne\w*|buen[ao]?|excelente|(?:5|cinco)\s+estrellas|buon[ao]?|ottim[oa]"
    r"|(?:5|cinque)\s+stelle)\b", I)
_HAPPY_ONLY = re.compile(
    r"\bif\s+you(?:'re|\s+are|\s+were|\s+have\s+been)?\s+(?:\w+\s+)?(?:happy|satisfied|pleased|delighted|enjoy\w*)"
    r"|\bsi\s+vous\s+(?:etes|avez\s+ete)\s+(?:\w+\s+)?(?:satisfait|content|ravi)"
    r"|\b(?:wenn|falls)\s+sie\s+(?:\w+\s+){0,2}zufrieden"
    r"|\bsi\s+(?:esta|estas|ha\s+quedado|quedo|queda)\s+(?:\w+\s+)?(?:satisfech|content)"
    r"|\bse\s+(?:e|sei|siete|e\s+rimast[oa])\s+(?:\w+\s+)?(?:soddisfatt|content)", I)
_CHANGE_VERB = (
    r"remov(?:e|ing)|delet(?:e|ing)|chang(?:e|ing)|updat(?:e|ing)|revis(?:e|ing)|modif(?:y|ying)|edit(?:ing)?"
    r"|withdraw(?:ing)?|retract(?:ing)?|take\s+down|amend(?:ing)?|reconsider(?:ing)?"
    r"|supprim(?:er|ez)|retir(?:er|ez)|modifi(?:er|ez)|chang(?:er|ez)|revoir|revoyez|mett(?:re|ez)\s+a\s+jour"
    r"|corrig(?:er|ez)|effac(?:er|ez)|reconsiderer"
    r"|losch(?:en|e)|entfern(?:en|e)|andern|zuruckzieh(?:en)?|zurucknehm(?:en)?|anpass(?:en)|uberarbeit(?:en)"
    r"|korrigier(?:en)|aktualisier(?:en)|revidier(?:en)"
    r"|elimin(?:ar|e|en)|borr(?:ar|e|en)|retir(?:ar|e|en)|cambi(?:ar|e|en)|modific(?:ar|que|quen)|actualiz(?:ar|e)"
    r"|quitar|rectific(?:ar|que)|mejor(?:ar|e)|reconsider(?:ar|e)"
    r"|rimuov(?:ere|a|i|ete)|elimin(?:are|a|i)|cancell(?:are|a|i)|modific(?:are|a|hi|ate)|cambi(?:are|ate)"
    r"|ritir(?:are|a|i)|aggiorn(?:are|a|i)|rivedere|rivedi|migliorare|riconsiderare"
)
_REVIEW_CHANGE = re.compile(
    near(_CHANGE_VERB, _REVIEW_NOUN, 3)
    + "|" + near(r"bewertung|rezension|feedback|sterne",
                  r"zu\s+)?(?:losch\w*|entfern\w*|andern\b|zuruckz\w*|zuruckn\w*|anpass\w*|uberarbeit\w*|korrigier\w*"
                  r"|aktualisier\w*|revidier\w*", 3), I)
_INCENTIVE = re.compile(
    r"\b(?:discount\w*|coupons?|vouchers?|(?<!feel\s)free(?!\s+to\b)|gifts?|gift\s+cards?|refund\w*|reimburs\w*|cash\s?back|money\s+back"
    r"|rewards?|compensation|rebates?|promo\w*"
    r"|reduction|remise|bon\s+d'achat|gratuit\w*|cadeaux?|rembours\w*|recompense\w*|dedommag\w*"
    r"|rabatt\w*|gutschein\w*|gratis|kostenlos\w*|geschenk\w*|erstatt\w*|ruckerstatt\w*|belohnung\w*|entschadigung\w*"
    r"|nachlass\w*|descuento\w*|cupon\w*|regalo\w*|reembols\w*|recompensa\w*|compensacion\w*|bonificacion\w*"
    r"|scont\w*|buono\s+(?:sconto|regalo|acquisto)|omaggio|rimbors\w*|premio|compenso)\b|\d+\s?%", I)
_IN_EXCHANGE = re.compile(
    r"\b(?:in\s+exchange|in\s+return)\s+for|\bfor\s+(?:leaving|writing|posting|removing|changing|updating)"
    r"|\b(?:if|once|when|after)\s+you\s+(?:\w+\s+)?(?:leave|write|post|remove|change|update|delete|give|rate)\b"
    r"|\b(?:wenn|falls|sobald|nachdem)\s+sie\b"
    r"|\ben\s+(?:echange|contrepartie)\s+d|\bsi\s+vous\s+(?:nous\s+)?(?:laissez|retirez|modifiez|supprimez|mettez)"
    r"|\bpour\s+(?:un|votre)\s+(?:\w+\s+)?avis\b"
    r"|\bim\s+gegenzug|\bals\s+gegenleistung|\bfur\s+(?:eine|ihre|ihr)\s+(?:\w+\s+)?(?:bewertung|rezension|feedback)"
    r"|\ba\s+cambio\s+de|\bsi\s+(?:nos\s+)?(?:deja|retira|elimina|cambia|modifica)\b"
    r"|\bpor\s+(?:dejar|escribir|su\s+resena|una\s+resena)"
    r"|\bin\s+cambio\s+d|\bse\s+(?:ci\s+)?(?:lasci|rimuovi|modifichi|lascia|rimuove|modifica)\b"
    r"|\bper\s+(?:una|la\s+sua|la\s+tua)\s+(?:\w+\s+)?recensione", I)
_REVIEW_NOUN_RE = re.compile(_REVIEW_NOUN, I)


_REVIEW_HINTS = ("review", "rate", "feedback", "rating", "star", "testimonial", "avis", "evaluat", "comment", "etoile", "note",
                 "evalue", "bewert", "rezension", "stern", "resena", "opinion", "valor", "califica", "recension",
                 "valut", "giudizi", "stelle", "estrella")



def _scan(text: str, folded: str, channel: str, settings) -> Iterator[tuple[int, int, str]]:
    if not has_any(folded, _REVIEW_HINTS):
        return
    incentive_sentences: set[int] = set()
    for match in _REVIEW_REQUEST.finditer(folded):
        left, right = sentence_around(folded, match.start(), match.end())
        sentence = folded[left:right]
        if _INCENTIVE.search(sentence):
            incentive_sentences.add(left)
            yield match.start(), match.end(), "review_incentive" if _IN_EXCHANGE.search(sentence) else "review_incentive_maybe"
            continue
        # "a 5-star review", "un avis positif": the qualifier sits in or right after the request
        window = folded[match.start():min(right, match.end() + 30)]
        if _POSITIVE.search(window) or _HAPPY_ONLY.search(sentence):
            yield match.start(), match.end(), "review_positive"
        else:
            yield match.start(), match.end(), "review_neutral"
    for match in _REVIEW_CHANGE.finditer(folded):
        left, right = sentence_around(folded, match.start(), match.end())
        sentence = folded[left:right]
        if _INCENTIVE.search(sentence):
            incentive_sentences.add(left)
            yield match.start(), match.end(), "review_incentive" if _IN_EXCHANGE.search(sentence) else "review_incentive_maybe"
        else:
            yield match.start(), match.end(), "review_change"
    for match in _IN_EXCHANGE.finditer(folded):
        left, right = sentence_around(folded, match.start(), match.end())
        if left in incentive_sentences:
            continue
        sentence = folded[left:right]
        if _REVIEW_NOUN_RE.search(sentence) and _INCENTIVE.search(sentence):
            incentive_sentences.add(left)
            yield left + len(sentence) - len(sentence.lstrip()), right, "review_incentive"


register(Rule(
    "review_request",
    "asking for a review, feedback or a rating; asking for a positive one or only happy buyers blocks",
    {
        "review_positive": (BLOCK,
                            "{rules} forbid asking for a positive review or feedback, or asking only satisfied buyers: "
                            "it can get the account suspended."),
        "review_neutral": (WARN,
                           "Asking for a review or feedback: {rules} allow at most a neutral request, once per order, and "
                           "forbid pressure and repeat requests; prefer {m}'s own review request over a support reply."),
    },
    scan=_scan,
    triggers=frozenset({"review_request", "review_change", "review_incentive"}),
))


register(Rule(
    "review_change",
    "asking to change, update or remove a review or feedback",
    {
        "review_change": (BLOCK,
                          "{rules} forbid asking a buyer to change or remove a review or feedback: solve the problem, "
                          "and leave any update to the buyer."),
    },
))


register(Rule(
    "review_incentive",
    "offering a refund, discount, gift... in exchange for a review or for changing one",
    {
        "review_incentive": (BLOCK,
                             "{rules} forbid offering anything (refund, discount, gift, free product) in exchange for a "
                             "review or for changing one: review manipulation can get the account suspended."),
        "review_incentive_maybe": (WARN,
                                   "A review request next to a refund, discount or gift reads as an incentive: {rules} "
                                   "forbid offering anything for a review. Keep the two in separate messages, or drop "
                                   "the review request."),
    },
))
