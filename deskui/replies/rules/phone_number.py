"""Phone numbers (international, FR, DE, UK, US, ES, IT formats)."""

from __future__ import annotations

import re
from typing import Iterator

from deskui.replies.rules.base import I, WARN
from deskui.replies.rules.registry import Rule, register

_PHONE_CANDIDATE = re.compile(
    r"(?<![\w@/.,:\-+#])(?:\+\s?|00(?=[1-9]))?(?:\(\s?\d{1,5}\s?\)[ \-.]?)?\d+"
    r"(?:(?:[ \-./]|\s?\(\d{1,4}\)\s?)\d+)*(?![\w@]|[.,:/\-]\d)")
_DATE = re.compile(r"\d{1,2}[./\-]\d{1,2}[./\-](?:\d{4}|\d{2})|\d{4}[./\-]\d{1,2}[./\-]\d{1,2}")
_STRONG_PHONE = re.compile(
    r"0[1-9](?:[ .\-]\d{2}){4}"                         # FR 06 12 34 56 78
    r"|1?[ .\-]?\(?[2-9]\d{2}\)?[ .\-]\d{3}[ .\-]\d{4}"  # US 555-123-4567, IT mobile 347 123 4567
    r"|[6-9]\d{2}(?:[ .]\d{2}){3}|[6-9]\d{2}[ .]\d{3}[ .]\d{3}")  # ES 612 34 56 78 / 612 345 678
_GROUPS = re.compile(r"\d+")
_PHONE_WORDS = re.compile(
    r"\b(?:call|calling|phone|telephone|mobile|cell|whatsapp|text\s+us|sms|hotline|helpline|ring\s+us|"
    r"appel\w*|telephonez|portable|joindre|anruf\w*|rufen|telefon\w*|handy|mobil\w*|llam\w*|movil|chiam\w*|cellulare|"
    r"numero\s+verde|tel(?=\s*[.:]|\s+\+?\d))", I)
_ID_WORDS = re.compile(
    r"\b(?:track\w*|suivi|sendung\w*|seguimiento|tracciamento|spedizione|envio|colis|paket\w*|parcel|package|shipment|"
    r"order|commande|bestell\w*|pedido|ordine|invoice|facture|rechnung|factura|fattura|sku|asin|ean|upc|gtin|isbn|"
    r"iban|bic|swift|ref\w*|rma|serial|serie|lot|batch|nr|n[o°]|case|ticket|dossier|vorgang\w*|kundennummer|expediente|pratica)\b", I)


def _scan(text: str, folded: str, channel: str, settings) -> Iterator[tuple[int, int, str]]:
    for match in _PHONE_CANDIDATE.finditer(folded):
        candidate = match.group(0)
        digits = sum(c.isdigit() for c in candidate)
        if digits < 8 or digits > 15:
            continue
        start, end = match.start(), match.end()
        stripped = candidate.strip()
        if _DATE.fullmatch(stripped):
            continue
        if stripped[0] == "+" or stripped[0] == "(" or _STRONG_PHONE.fullmatch(stripped):
            yield start, end, "phone"
            continue
        # Weaker shapes: a national number with trunk 0 in 2-4 groups ("030 1234567", "020 7946 0958"),
        # or any 8-15 digit number right after a phone word; not when an id word ("tracking", "order",
        # "SKU"...) stands closer before it.
        before = folded[max(0, start - 40):start]
        phone_word = max((m.end() for m in _PHONE_WORDS.finditer(before)), default=-1)
        id_word = max((m.end() for m in _ID_WORDS.finditer(before)), default=-1)
        if id_word > phone_word:
            continue
        groups = _GROUPS.findall(stripped)
        if stripped.startswith("00"):  # international prefix: 0049 30 1234567
            yield start, end, "phone"
            continue
        national = (stripped[0] == "0" and 9 <= digits <= 12 and 2 <= len(groups) <= 4
                    and 2 <= len(groups[0]) <= 5 and all(len(g) >= 2 for g in groups))
        if national or phone_word >= 0:
            yield start, end, "phone"


register(Rule(
    "phone_number",
    "phone numbers (international, FR, DE, UK, US, ES, IT formats)",
    {
        "phone": (WARN,
                  "Looks like a phone number: {rules} forbid phone numbers in messages (a carrier's or a warranty "
                  "service's number may be allowed: unconfirmed)."),
    },
    scan=_scan,
    inside_links=False,
))
