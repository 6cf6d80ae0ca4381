"""Links, web addresses and URL shorteners: marketplaces keep buyers on their own site."""

from __future__ import annotations

import re
from typing import Iterator

from deskui.replies.rules.base import BLOCK, CI, I, TRAIL, WARN, has_any
from deskui.replies.rules.registry import Rule, register

_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"]+|\bwww\d{0,3}\.[a-z0-9\-]+(?:\.[a-z0-9\-]+)*[^\s<>\"]*", I)
_SHORTENER = re.compile(
    r"(?<![\w.@/\-])(?:bit\.ly|tinyurl\.com|goo\.gl|t\.co|ow\.ly|is\.gd|buff\.ly|rebrand\.ly|cutt\.ly|shorturl\.at|"
    r"tiny\.cc|rb\.gy|t\.ly|wa\.me|linktr\.ee|amzn\.to|amzn\.eu|a\.co)/[^\s<>\"]*|"
    r"(?<![\w.@/\-])(?:bit\.ly|tinyurl\.com|goo\.gl|ow\.ly|buff\.ly|rebrand\.ly|cutt\.ly|linktr\.ee|wa\.me)\b", I)
_SHORT_HINTS = ("bit.ly", "tinyurl", "goo.gl", "t.co/", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly",
                "shorturl", "tiny.cc", "rb.gy", "t.ly", "wa.me", "linktr.ee", "amzn.", "a.co/")
_TLDS = ("com|net|org|info|biz|io|co|ai|app|dev|shop|store|online|site|xyz|me|tv|eu|uk|fr|de|es|it|be|ch|nl|at|pl|"
         "se|dk|fi|pt|ie|lu|cz|us|ca|au|nz|jp|cn|br|mx|ru|cc|ws|ly|gl|gd|link|click|live|page|blog|website")
# A bare domain: labels then a known lowercase TLD (so "e.g.", "3.5mm", "invoice.pdf", "fine.Thanks" are not).
_DOMAIN = re.compile(
    r"(?<![\w@.\-/])(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+(?:" + _TLDS + r")(?![\w@\-]|\.[a-z])"
    r"(?:/[^\s<>\"]*)?")
_OWN = {
    "amazon": re.compile(r"(?:^|[./])(?:amazon|amzn|a\.co)\b", CI),
    "ebay": re.compile(r"(?:^|[./])ebay\b", CI),
    "walmart": re.compile(r"(?:^|[./])walmart\b", CI),
    "tiktok": re.compile(r"(?:^|[./])tiktok(?:shop)?\b", CI),
    "shopify": re.compile(r"(?:^|[./])myshopify\b", CI),
    "instagram": re.compile(r"(?:^|[./])instagram\b", CI),
}
_CARRIER = re.compile(
    r"(?:^|[./])(?:laposte|colissimo|chronopost|dhl|ups|fedex|usps|royalmail|parcelforce|dpd|gls-group|gls-france|"
    r"gls-italy|gls-spain|gls-pakete|hermesworld|myhermes|evri|mondialrelay|colisprive|correos|seur|mrw|poste|brt|"
    r"sda|postnl|bpost|deutschepost|ontrac|canadapost|auspost|17track|parcelsapp)\.", CI)


def _scan(text: str, folded: str, channel: str, settings) -> Iterator[tuple[int, int, str]]:
    taken: list[tuple[int, int]] = []
    own = _OWN.get(channel)
    regexes = [_URL] if ("://" in folded or "www" in folded) else []
    if has_any(folded, _SHORT_HINTS):
        regexes.append(_SHORTENER)
    for regex in regexes:
        for match in regex.finditer(folded):
            start, end = match.start(), match.end()
            while end > start and folded[end - 1] in TRAIL:
                end -= 1
            if any(s <= start < e for s, e in taken):
                continue
            url = folded[start:end]
            host = re.sub(r"^[a-z]+://", "", url).split("/", 1)[0]
            taken.append((start, end))
            if own is not None and own.search(host):
                yield start, end, "link_own"
            elif _CARRIER.search(host):
                yield start, end, "link_carrier"
            else:
                yield start, end, "link"
    for match in _DOMAIN.finditer(text):  # the original case: "fine.It works" is no domain
        start, end = match.start(), match.end()
        while end > start and folded[end - 1] in TRAIL:
            end -= 1
        if any(s <= start < e or s < end <= e for s, e in taken):
            continue
        domain = folded[start:end]
        host = domain.split("/", 1)[0]
        if own is not None and own.search(host):
            if "/" in domain:
                yield start, end, "link_own"
            continue  # "Amazon.fr" on Amazon, "eBay.de" on eBay: the marketplace's name, not a link
        yield start, end, "link_carrier" if _CARRIER.search(host) else "domain"


register(Rule(
    "external_link",
    "links, web addresses and URL shorteners",
    {
        "link": (BLOCK,
                 "{rules} forbid external links (only a link needed to complete the order is allowed): keep the buyer on "
                 "{m} and write the information in the message."),
        "link_own": (WARN,
                     "A link to {m}'s own site: probably allowed but unconfirmed; prefer telling the buyer where to click "
                     "(e.g. Your Orders) over pasting a URL."),
        "link_carrier": (WARN,
                         "A carrier's web address: possibly allowed as needed to complete the order, but unconfirmed; "
                         "give the carrier and tracking number instead (the buyer sees tracking on {m})."),
        "domain": (WARN,
                   "Looks like a web address: {rules} forbid external links and web addresses (even in a logo); "
                   "keep the buyer on {m}."),
    },
    scan=_scan,
))
