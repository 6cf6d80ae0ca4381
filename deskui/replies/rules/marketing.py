"""Promotions, coupon codes, 'check out our products', social media, newsletters."""

from __future__ import annotations

import re
from typing import Iterator

from deskui.replies.rules.base import I, WARN, has_any
from deskui.replies.rules.registry import Rule, register

_MARKETING = re.compile(
    r"(?=[a-z0-9%])\b(?:(?:promo|coupon|discount|voucher)\s+codes?|\d+\s?%\s+off\b|(?:\d+\s?%|discount|off)\s+(?:\w+\s+){0,2}your\s+next"
    r"\s+(?:order|purchase)|(?:check\s+out|discover|browse|explore)\s+(?:all\s+)?(?:our|my)\s+(?:\w+\s+){0,2}"
    r"(?:products|items|collections?|range|store|shop|catalog(?:ue)?|offers|deals|listings)\b|follow\s+us|like\s+us\s+on"
    r"|(?:find|join)\s+us\s+on\s+(?:instagram|facebook|tiktok|twitter|youtube|pinterest|social)|newsletters?"
    r"|subscribe\s+to|mailing\s+list|(?:visit|check\s+out)\s+our\s+(?:web\s?site|online\s+(?:store|shop)|store|shop)"
    r"|black\s+friday|cyber\s+monday|flash\s+sale|special\s+offer|limited[\s\-]time\s+offer|exclusive\s+offer"
    r"|new\s+arrivals"
    r"|code\s+promo\w*|codes?\s+de\s+(?:reduction|remise)|bons?\s+de\s+reduction|\d+\s?%\s+de\s+(?:reduction|remise)"
    r"|(?:\d+\s?%|reduction|remise)\s+(?:\w+\s+){0,2}(?:sur|pour)\s+votre\s+prochaine\s+commande"
    r"|decouvr(?:ez|ir)\s+(?:toute?s?\s+)?nos\s+(?:\w+\s+){0,2}(?:produits|articles|nouveautes|collections?|offres"
    r"|boutique)|suivez[\s\-]nous|rejoignez[\s\-]nous\s+sur|abonnez[\s\-]vous|lettre\s+d'information"
    r"|visitez\s+notre\s+(?:site|boutique)|offre\s+speciale|ventes?\s+flash"
    r"|gutscheincode\w*|rabattcode\w*|aktionscode\w*|(?:rabatt|gutschein)[\s\-]code\w*|\d+\s?%\s+rabatt"
    r"|entdecken\s+sie\s+(?:auch\s+)?unser(?:e|en)?\s+(?:\w+\s+){0,2}(?:produkte|artikel|sortiment|kollektion|angebote"
    r"|shop)|folgen\s+sie\s+uns|abonnieren\s+sie|besuchen\s+sie\s+(?:auch\s+)?unser(?:en)?\s+(?:[\w\-]+\s+)?"
    r"(?:shop|webseite|website|online-?shop)|sonderangebot\w*"
    r"|(?:\d+\s?%|rabatt)\s+(?:\w+\s+){0,2}auf\s+ihre\s+nachste\s+bestellung"
    r"|codigo\s+(?:de\s+descuento|promocional|promo)|cupon\s+de\s+descuento|\d+\s?%\s+de\s+descuento"
    r"|descubr(?:a|e|ir)\s+(?:todos\s+)?nuestros\s+(?:\w+\s+){0,2}(?:productos|articulos|novedades|colecciones?|ofertas)"
    r"|siguenos|siganos|suscribete|suscribase|boletin|visit(?:e|a)\s+nuestra\s+(?:tienda|web|pagina)"
    r"|oferta\s+especial|(?:\d+\s?%|descuento)\s+(?:\w+\s+){0,2}en\s+su\s+proxim[oa]\s+(?:pedido|compra)"
    r"|codice\s+(?:sconto|promozionale|promo|coupon)|\d+\s?%\s+di\s+sconto"
    r"|scopri\s+(?:tutti\s+)?i\s+nostri\s+(?:\w+\s+){0,2}(?:prodotti|articoli|novita|collezion[ei]|offerte)"
    r"|seguici|iscriviti|visita\s+il\s+nostro\s+(?:sito|negozio|shop)|offerta\s+speciale"
    r"|(?:\d+\s?%|sconto)\s+(?:\w+\s+){0,2}sul\s+(?:tuo|suo|vostro)\s+prossimo\s+(?:ordine|acquisto))", I)


_MARKETING_HINTS = (
    "code", "%", "check out", "discover", "browse", "explore", "follow", "like us", "us on", "newsletter", "subscribe",
    "mailing", "visit", "friday", "monday", "sale", "offer", "arrivals", "bon", "decouvr", "suivez", "rejoignez",
    "abonnez", "lettre", "offre", "vente", "gutschein", "rabatt", "entdecken", "folgen", "abonnieren",
    "besuchen", "sonderangebot", "cupon", "descubr", "sigu", "sigan", "suscrib", "boletin", "oferta",
    "scopri", "seguici", "iscriviti", "sconto", "descuento", "remise", "reduction")


def _scan(text: str, folded: str, channel: str, settings) -> Iterator[tuple[int, int, str]]:
    if not has_any(folded, _MARKETING_HINTS):
        return
    for match in _MARKETING.finditer(folded):
        yield match.start(), match.end(), "marketing"


register(Rule(
    "marketing",
    "promotions, coupon codes, 'check out our products', social media, newsletters",
    {
        "marketing": (WARN,
                      "{rules} forbid marketing and promotional content in messages (coupons, discount codes, other "
                      "products, social media, newsletters)."),
    },
    scan=_scan,
))
