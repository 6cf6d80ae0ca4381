"""Template placeholders: the names a template may use, where each value comes from, and
``fill``, which writes them from a ticket's order context (dates and money in the buyer's language)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any

from deskui.replies.language import guess_language

if TYPE_CHECKING:  # pragma: no cover
    from deskui.store.context import Order, TicketContext

RETURN_DAYS = 30  # Amazon's standard return window, counted from delivery (assumption for other channels)

# name -> where the value comes from (shown by docs and by `deskui` help screens).
PLACEHOLDERS: dict[str, str] = {
    "customer_first_name": "first word of the customer's name (an Amazon alias suffix such as ' - Amazon Marketplace' "
    "is dropped); without a customer, the name in an Amazon subject '... from Amazon customer Josh (Order: ...)'",
    "customer_name": "the customer's full name (same fallbacks as customer_first_name)",
    "order_id": "the order number (order.order_number, else the ticket's order_number)",
    "purchase_date": "the order's purchase date",
    "item_title": "the first item's title",
    "items": "every item: '2 × Title, Other title'",
    "sku": "the first item's SKU",
    "asin": "the first item's ASIN",
    "order_total": "the order total with its currency",
    "refund_amount": "the amount already refunded on the order (order.refunded_amount), only when above zero",
    "carrier": "the shipping carrier",
    "tracking_number": "the tracking number",
    "ship_date": "the date the order shipped",
    "delivery_date": "the delivery date: the actual one once delivered, else the promised (deliver-by) date",
    "promised_delivery_date": "the promised (deliver-by) date",
    "last_tracking_event": "the latest carrier event: 'status, location (date)'",
    "return_deadline": "delivery date + 30 days (the return window; fill(..., return_days=N) changes it)",
    "marketplace": "where the buyer ordered, as buyers know it: 'Amazon.fr', 'eBay.de', 'Walmart', 'TikTok Shop', "
    "'Instagram', a Shopify store's name",
    "agent_name": "the agent's name from deskui's config (a login such as 'ana.lopez' reads 'Ana Lopez')",
}

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
# One scan of a body: literal braces, a {...} group (checked after), or a lone brace.
_BRACES = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|[{}]")
# A placeholder still present in text about to be sent.
_LEFT = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def placeholders_in(text: str) -> list[str]:
    """Placeholder names in a template text, in order of first use, each once (``{{``/``}}`` are
    literal braces, malformed groups are ignored)."""
    seen: dict[str, None] = {}
    for match in _BRACES.finditer(text):
        name = match.group(1)
        if name is not None and _NAME.match(name):
            seen.setdefault(name, None)
    return list(seen)


def unfilled(text: str) -> list[str]:
    """Placeholders (``{lowercase_name}``) still present in text about to be sent, each once.
    Sending is blocked while any remain. Braces around anything else are left alone."""
    seen: dict[str, None] = {}
    for match in _LEFT.finditer(text):
        seen.setdefault(match.group(1), None)
    return list(seen)


def fill(
    text: str,
    context: "TicketContext | None",
    *,
    agent: str,
    language: str | None = None,
    zone: tzinfo | None = None,
    return_days: int = RETURN_DAYS,
) -> tuple[str, list[str]]:
    """Render a template text: ``{name}`` becomes its value, ``{{``/``}}`` become ``{``/``}``.

    Returns (text, missing): a placeholder with no value (no order, no tracking yet...) is left as
    ``{name}`` for the agent to see and complete, and listed in ``missing``. Dates and money are
    written the way ``language`` writes them (default: the language the text is written in); dates
    are taken in ``zone`` (default UTC).
    """
    language = language or guess_language(text)
    values = _values(context, agent=agent, language=language, zone=zone or timezone.utc, return_days=return_days)
    missing: dict[str, None] = {}

    def replace(match: re.Match) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        if name is None:  # a lone brace: leave it as typed
            return token
        value = values.get(name)
        if value is None or value == "":
            if _NAME.match(name):
                missing.setdefault(name, None)
            return token
        return value

    return _BRACES.sub(replace, text), list(missing)


def _get(row: Any, key: str) -> Any:
    """``row[key]`` for a sqlite3.Row or a dict, None when the column is absent."""
    if row is None:
        return None
    try:
        return row[key]
    except (KeyError, IndexError, TypeError):
        return None


_ALIAS_SUFFIX = re.compile(r"\s*[-–—]\s*(amazon|ebay|walmart)\b.*$", re.IGNORECASE)
_SUBJECT_NAME = re.compile(
    r"(?:customer|client(?:e)?|kunde|kundin|cliente)\s+(?:amazon\s+)?(?:de\s+amazon\s+)?"
    r"(?P<name>[^\W\d_][\w.'’\- ]{0,40}?)\s*\((?:order|commande|bestellung|pedido|ordine)",
    re.IGNORECASE,
)


def _customer_name(context: "TicketContext") -> str | None:
    name = context.customer.name if context.customer else None
    if not name:
        subject = _get(context.ticket, "subject") or ""
        match = _SUBJECT_NAME.search(subject)
        name = match.group("name") if match else None
    if not name:
        return None
    name = _ALIAS_SUFFIX.sub("", " ".join(name.split()))
    return name or None


def _agent_display(agent: str) -> str:
    agent = agent.strip()
    if agent and agent == agent.lower() and re.fullmatch(r"[^\W\d_]+(?:[._\-][^\W\d_]+)*", agent):
        return " ".join(part.capitalize() for part in re.split(r"[._\-]", agent))
    return agent


def _marketplace(value: str | None, channel: str | None) -> str | None:
    raw = (value or "").strip()
    lower = raw.lower()
    for prefix, pretty in (("amazon.", "Amazon."), ("ebay.", "eBay."), ("walmart.", "Walmart.")):
        if lower.startswith(prefix) or lower.startswith("www." + prefix):
            rest = lower.split(prefix, 1)[1]
            return "Walmart" if prefix == "walmart." and rest == "com" else pretty + rest
    if lower.startswith("tiktok") or (not lower and channel == "tiktok"):
        return "TikTok Shop"
    if lower.startswith("instagram") or (not lower and channel == "instagram"):
        return "Instagram"
    if lower.endswith(".myshopify.com"):
        handle = lower[: -len(".myshopify.com")]
        return " ".join(part.capitalize() for part in re.split(r"[-_]+", handle) if part) or None
    if raw:
        return raw
    return {"amazon": "Amazon", "ebay": "eBay", "walmart": "Walmart"}.get(channel or "")


_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
           "novembre", "dicembre"),
}


def format_date(moment: datetime | None, language: str, zone: tzinfo = timezone.utc) -> str | None:
    """'25 November 2026', '25 novembre 2026', '25. November 2026', '25 de noviembre de 2026'."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    months = _MONTHS.get(language, _MONTHS["en"])
    month = months[moment.month - 1]
    if language == "de":
        return f"{moment.day}. {month} {moment.year}"
    if language == "es":
        return f"{moment.day} de {month} de {moment.year}"
    return f"{moment.day} {month} {moment.year}"


_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CAD": "CA$", "AUD": "A$", "JPY": "¥", "INR": "₹"}


def format_money(amount: float | None, currency: str | None, language: str) -> str | None:
    """'€59.90' / '$1,234.00' in English, '59,90 €' / '1.234,56 €' in de/es/it, '1 234,56 €' in French."""
    if amount is None:
        return None
    code = (currency or "").upper()
    symbol = _SYMBOLS.get(code)
    number = f"{amount:,.2f}"
    if language == "en":
        if symbol:
            return f"-{symbol}{number[1:]}" if number.startswith("-") else f"{symbol}{number}"
        return f"{number} {code}".strip()
    thousands = " " if language == "fr" else "."
    number = number.replace(",", "\0").replace(".", ",").replace("\0", thousands)
    return f"{number} {symbol or code}".strip()


def _values(context: "TicketContext | None", *, agent: str, language: str, zone: tzinfo,
            return_days: int) -> dict[str, str | None]:
    values: dict[str, str | None] = {name: None for name in PLACEHOLDERS}
    values["agent_name"] = _agent_display(agent) if agent else None
    if context is None:
        return values
    ticket = context.ticket
    name = _customer_name(context)
    if name:
        values["customer_name"] = name
        values["customer_first_name"] = name.split()[0]
    order: Order | None = context.order
    values["order_id"] = (order.order_number if order else None) or _get(ticket, "order_number")
    channel = (order.channel if order else None) or _get(ticket, "channel")
    values["marketplace"] = _marketplace((order.marketplace if order else None) or _get(ticket, "marketplace"), channel)
    if order is None:
        return values

    def date(moment: datetime | None) -> str | None:
        return format_date(moment, language, zone)

    values["purchase_date"] = date(order.purchased_at)
    items = [item for item in order.items if item.title or item.sku]
    if items:
        first = items[0]
        values["item_title"] = first.title
        values["sku"] = first.sku
        values["asin"] = first.asin
        values["items"] = ", ".join(
            (f"{item.quantity} × {item.title or item.sku}" if item.quantity and item.quantity > 1 else (item.title or item.sku))
            for item in items
        )
    values["order_total"] = format_money(order.total, order.currency, language)
    if order.refunded_amount and order.refunded_amount > 0:
        values["refund_amount"] = format_money(order.refunded_amount, order.currency, language)
    values["carrier"] = order.carrier
    values["tracking_number"] = order.tracking_number
    values["ship_date"] = date(order.shipped_at)
    values["delivery_date"] = date(order.delivered_at or order.deliver_by)
    values["promised_delivery_date"] = date(order.deliver_by)
    if order.delivered_at is not None:
        values["return_deadline"] = date(order.delivered_at + timedelta(days=return_days))
    if order.tracking:
        latest = max(order.tracking, key=lambda e: e.at or datetime.min.replace(tzinfo=timezone.utc))
        text = latest.description or latest.status
        if latest.location:
            text = f"{text}, {latest.location}"
        if latest.at is not None:
            text = f"{text} ({date(latest.at)})"
        values["last_tracking_event"] = text
    return values
