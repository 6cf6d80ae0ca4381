"""Classifying a parsed message: Amazon buyer-seller mail, A-to-z claim notices, or store mail
with the channel a rule names. No database, so it runs in the parsing worker process."""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase

from deskui.ingest.mail.model import Mail
from deskui.ingest.mailtext import readable
from deskui.policy.model import CHANNELS

AMAZON_ALIAS = re.compile(r"^[^@\s]+@marketplace\.(amazon\.[a-z]{2,3}(?:\.[a-z]{2})?)$")
AMAZON_DOMAIN = re.compile(r"@(?:[a-z0-9-]+\.)*(amazon\.[a-z]{2,3}(?:\.[a-z]{2})?)$")
ATOZ_SENDER = re.compile(r"^atoz-guarantee-no-reply@(amazon\.[a-z]{2,3}(?:\.[a-z]{2})?)$")
ATOZ_SUBJECT = re.compile(
    r"a-?to-?z guarantee claim|claim received on order|claim decision on order|a-to-z claim|"
    r"r[ée]clamation au titre de la garantie|garantie a-?[àa]-?z|a-bis-z|garant[íi]a de la a a la z|garanzia dalla a alla z",
    re.I,
)
ATOZ_OPENING = re.compile(r"claim received|action required|your amazon a-to-z guarantee claim|r[ée]clamation re[çc]ue|antrag eingegangen", re.I)
ORDER_ID = re.compile(r"(?<![0-9A-Za-z-])([0-9A-Z]{3}-\d{7}-\d{7})(?![0-9])")
SUBJECT_NAME = re.compile(
    r"(?:from amazon customer|du client amazon|de l'acheteur amazon|von amazon-kunde[n]?|des amazon-kunden|"
    r"del cliente de amazon|dal cliente amazon|van amazon-klant)\s+(.+?)\s*\(",
    re.I,
)
DISPLAY_SUFFIX = re.compile(r"\s*-\s*(?:amazon marketplace|marketplace amazon|amazon)\s*$", re.I)
STORE_ORDER = re.compile(r"(?<![\w#])#([A-Z]{0,4}\d{3,})\b")

# Built-in rules, after the caller's own: first match (on any address of the message) wins.
DEFAULT_RULES: tuple[tuple[str, str], ...] = (
    ("*@members.ebay.*", "ebay"),
    ("*@ebay.*", "ebay"),
    ("*@relay.walmart.com", "walmart"),
    ("*@*walmart.com", "walmart"),
    ("*@scs.tiktokw.us", "tiktok"),
    ("*@*tiktok*", "tiktok"),
    ("*@*instagram.com", "instagram"),
)
DEFAULT_CHANNEL = "shopify"


def _match(patterns: Iterable[str], addresses: Iterable[str]) -> bool:
    return any(fnmatchcase(address, pattern) for pattern in patterns for address in addresses)


class Rules:
    """How a message is classified: channel rules and the seller's own addresses. No database,
    so it can run in the parsing worker process."""

    def __init__(self, *, channel_rules=None, seller_addresses=None, default_channel: str | None = None):
        rules = list(channel_rules.items()) if isinstance(channel_rules, dict) else list(channel_rules or ())
        for pattern, channel in rules:
            if channel not in CHANNELS:
                raise ValueError(f"channel rule {pattern!r}: unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
        self.rules = [(pattern.lower(), channel) for pattern, channel in rules] + list(DEFAULT_RULES)
        self.sellers = [pattern.lower() for pattern in (seller_addresses or ())]
        self.default_channel = default_channel or DEFAULT_CHANNEL
        if self.default_channel not in CHANNELS:
            raise ValueError(f"default channel {self.default_channel!r} is not one of {', '.join(CHANNELS)}")
        self.channels = sorted(set(CHANNELS) | {channel for _, channel in self.rules} | {self.default_channel})

    def channel_for(self, mail: Mail) -> str:
        addresses = [mail.from_addr, *(a for _, a in mail.to), *mail.others]
        for pattern, channel in self.rules:
            if any(fnmatchcase(address, pattern) for address in addresses):
                return channel
        return self.default_channel

    def classify(self, mail: Mail) -> None:
        sender = mail.from_addr
        outgoing = _match(self.sellers, [sender])
        alias = AMAZON_ALIAS.match(sender)
        to_alias = next((a for _, a in mail.to if AMAZON_ALIAS.match(a)), None)
        atoz = ATOZ_SENDER.match(sender) or (AMAZON_DOMAIN.search(sender) and not alias and ATOZ_SUBJECT.search(mail.subject))
        order = ORDER_ID.search(mail.subject) or ORDER_ID.search(mail.body[:5000])
        if alias and not outgoing:
            mail.kind, mail.direction, mail.channel = "amazon", "in", "amazon"
            mail.marketplace = alias.group(1)
            mail.customer_addr = sender
            mail.customer_name = _buyer_name(mail.from_name, mail.subject)
        elif to_alias and not atoz:
            mail.kind, mail.direction, mail.channel = "amazon", "out", "amazon"
            mail.marketplace = AMAZON_ALIAS.match(to_alias).group(1)
            mail.customer_addr = to_alias
            mail.customer_name = _buyer_name(next(n for n, a in mail.to if a == to_alias), mail.subject)
        elif atoz:
            mail.kind, mail.direction, mail.channel = "atoz", "in", "amazon"
            mail.marketplace = atoz.group(1)
            mail.claim_opening = bool(ATOZ_OPENING.search(mail.subject)) and "decision" not in mail.subject.lower()
        else:
            domain = AMAZON_DOMAIN.search(sender)
            mail.channel = "amazon" if domain and not outgoing else self.channel_for(mail)
            if domain and not outgoing:
                mail.marketplace = domain.group(1)
            mail.direction = "out" if outgoing else "in"
            if outgoing:
                if mail.to:
                    mail.customer_name, mail.customer_addr = mail.to[0]
            else:
                mail.customer_addr, mail.customer_name = sender, mail.from_name
            store = STORE_ORDER.search(mail.subject)
            if store and mail.channel != "amazon":
                mail.order_number = "#" + store.group(1)
        if mail.kind in ("amazon", "atoz"):
            if order:
                mail.order_number = order.group(1)
                mail.key = f"atoz/{mail.order_number}" if mail.kind == "atoz" else f"{mail.order_number}/{mail.customer_addr}"
            mail.body = readable(mail.body, amazon=True)
        else:
            mail.body = readable(mail.body, amazon=bool(AMAZON_DOMAIN.search(sender)))
        if not mail.customer_name:
            mail.customer_name = None


def _buyer_name(display: str, subject: str) -> str | None:
    display = (display or "").strip().strip('"')
    if display and DISPLAY_SUFFIX.search(display):
        name = DISPLAY_SUFFIX.sub("", display).strip()
        if name:
            return name
    found = SUBJECT_NAME.search(subject or "")
    if found:
        return found.group(1).strip()
    return display or None

