"""Reply templates: plain files a lead can edit, with placeholders filled from the order context.

A template is one UTF-8 file, ``<dir>/<language>/<key>.txt``::

    title: Damaged item: replacement or refund
    category: damaged
    channels: amazon, shopify        # optional; omitted = every channel
    auto_ack: no                     # optional; "yes" marks an automatic acknowledgement
    ---
    Hello {customer_first_name},
    ...

Placeholders are ``{name}`` with a name from :data:`PLACEHOLDERS`; ``{{`` and ``}}`` write a literal
brace. The format, the placeholders and where each value comes from are documented in
docs/replies.md.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from deskui.policy import CHANNELS, Problem
from deskui.triage.lexicon import CATEGORIES

if TYPE_CHECKING:  # pragma: no cover
    from deskui.store.context import Order, TicketContext

__all__ = [
    "BUILTIN_DIR",
    "LANGUAGES",
    "PLACEHOLDERS",
    "RELATED_CATEGORIES",
    "RETURN_DAYS",
    "Template",
    "TemplateSet",
    "fill",
    "guess_language",
    "load_templates",
    "placeholders_in",
    "suggest",
    "unfilled",
]

BUILTIN_DIR = Path(__file__).parent / "templates"
LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "it")
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

# Categories whose templates also fit a ticket of the key's category (after exact matches).
RELATED_CATEGORIES: dict[str, tuple[str, ...]] = {
    "atoz_claim": ("chargeback", "not_received", "damaged"),
    "chargeback": ("atoz_claim",),
    "damaged": ("defective", "wrong_item", "missing_item"),
    "missing_item": ("not_received", "damaged"),
    "wrong_item": ("exchange", "return", "damaged"),
    "defective": ("damaged", "exchange", "return"),
    "not_received": ("tracking", "missing_item"),
    "tracking": ("not_received",),
    "return": ("refund", "exchange"),
    "refund": ("return", "cancellation"),
    "exchange": ("return", "wrong_item"),
    "cancellation": ("refund",),
    "invoice": (),
    "feedback": (),
    "product_question": (),
}

HEADER_KEYS = ("title", "category", "channels", "auto_ack")
_GENERIC_CATEGORY = {"", "none", "any", "all", "-", "general"}
_YES = {"yes", "true", "on", "1", "y", "oui", "ja", "si", "sì"}
_NO = {"no", "false", "off", "0", "n", "non", "nein"}

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_HEADER_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_\-]*)\s*:\s*(.*?)\s*$")
# One scan of a body: literal braces, a {...} group (checked after), or a lone brace.
_BRACES = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|[{}]")
# A placeholder still present in text about to be sent.
_LEFT = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_LANGUAGE_DIR = re.compile(r"[a-z]{2}\Z")


@dataclass(frozen=True)
class Template:
    key: str
    language: str
    title: str
    category: str | None
    channels: frozenset[str]  # empty = every channel
    auto_ack: bool
    body: str
    path: Path

    @property
    def placeholders(self) -> list[str]:
        return placeholders_in(self.body)

    def fits_channel(self, channel: str) -> bool:
        return not self.channels or channel in self.channels


@dataclass
class TemplateSet:
    templates: list[Template] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def get(self, language: str, key: str) -> Template | None:
        for template in self.templates:
            if template.language == language and template.key == key:
                return template
        return None


# -- loading -------------------------------------------------------------------------------
def load_templates(*dirs: Path | str) -> TemplateSet:
    """Load every ``<dir>/<language>/<key>.txt``; a later dir overrides an earlier one by
    (language, key). A broken file is reported (FILE:LINE) and skipped, so the template it would
    have overridden stays; every other file still loads. A missing dir is fine (no lead overrides).
    """
    found: dict[tuple[str, str], Template] = {}
    problems: list[Problem] = []
    for raw in dirs:
        directory = Path(raw).expanduser()
        if not directory.exists():
            continue
        if not directory.is_dir():
            problems.append(Problem(str(directory), 0, "file", "is not a directory of templates"))
            continue
        for entry in sorted(directory.iterdir()):
            if entry.name.startswith(".") or entry.name.lower().startswith("readme"):
                continue
            if entry.is_file():
                if entry.suffix == ".txt":
                    problems.append(Problem(str(entry), 0, "file",
                                            "templates live in a language folder, e.g. en/" + entry.name))
                continue
            if not _LANGUAGE_DIR.match(entry.name):
                problems.append(Problem(str(entry), 0, "file",
                                        "folder names are two-letter language codes (en, fr, de, es, it...)"))
                continue
            for path in sorted(entry.glob("*.txt")):
                if path.name.startswith(".") or not path.is_file():
                    continue
                template, file_problems = _read(path, entry.name)
                problems.extend(file_problems)
                if template is not None:
                    found[(template.language, template.key)] = template
    templates = sorted(found.values(), key=lambda t: (t.language, t.key))
    return TemplateSet(templates, problems)


def _read(path: Path, language: str) -> tuple[Template | None, list[Problem]]:
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(str(path), 1, "file", f"not UTF-8 text ({error.reason} at byte {error.start})")]
    except OSError as error:
        return None, [Problem(str(path), 0, "file", f"cannot read it: {error.strerror or error}")]
    return parse_template(source, path, language)


def parse_template(source: str, path: Path | str, language: str) -> tuple[Template | None, list[Problem]]:
    """Parse one template file's text; returns (template or None, problems)."""
    path = Path(path)
    file = str(path)
    problems: list[Problem] = []
    if source.startswith("\ufeff"):
        source = source[1:]
    lines = source.splitlines()
    try:
        separator = next(i for i, line in enumerate(lines) if line.strip() == "---")
    except StopIteration:
        return None, [Problem(file, 1, "header",
                              "no '---' line: write the header (title: ..., category: ...), a line '---', then the body")]

    header: dict[str, tuple[str, int]] = {}
    for index in range(separator):
        line = lines[index].strip()
        number = index + 1
        if not line or line.startswith("#"):
            continue
        match = _HEADER_LINE.match(line)
        if not match:
            problems.append(Problem(file, number, "header", f"expected 'key: value', got {line[:60]!r}"))
            continue
        key, value = match.group(1).lower(), match.group(2)
        if "#" in value:
            value = value.split("#", 1)[0].strip()
        if key not in HEADER_KEYS:
            hint = difflib.get_close_matches(key, HEADER_KEYS, n=1)
            problems.append(Problem(file, number, key, "unknown header key" + (f" (did you mean {hint[0]!r}?)" if hint
                                                                                else f"; use {', '.join(HEADER_KEYS)}")))
            continue
        if key in header:
            problems.append(Problem(file, number, key, f"given twice (first on line {header[key][1]})"))
            continue
        header[key] = (value, number)

    title = header.get("title", ("", 0))[0] or path.stem.replace("_", " ").capitalize()

    category: str | None = None
    if "category" in header:
        value, number = header["category"]
        value = value.lower()
        if value not in _GENERIC_CATEGORY:
            if value in CATEGORIES:
                category = value
            else:
                hint = difflib.get_close_matches(value, CATEGORIES, n=1)
                problems.append(Problem(file, number, "category", f"unknown category {value!r}" + (
                    f" (did you mean {hint[0]!r}?)" if hint else f"; use one of {', '.join(CATEGORIES)} or leave it out")))

    channels: frozenset[str] = frozenset()
    if "channels" in header:
        value, number = header["channels"]
        names = [name for name in re.split(r"[,\s]+", value.lower()) if name]
        unknown = [name for name in names if name not in CHANNELS]
        if unknown:
            problems.append(Problem(file, number, "channels",
                                    f"unknown channel {unknown[0]!r}; use {', '.join(CHANNELS)} (or leave it out for all)"))
        channels = frozenset(name for name in names if name in CHANNELS)

    auto_ack = False
    if "auto_ack" in header:
        value, number = header["auto_ack"]
        if value.lower() in _YES:
            auto_ack = True
        elif value.lower() not in _NO:
            problems.append(Problem(file, number, "auto_ack", f"{value!r} is not yes or no"))

    body_lines = lines[separator + 1:]
    first = 0
    while first < len(body_lines) and not body_lines[first].strip():
        first += 1
    body = "\n".join(line.rstrip() for line in body_lines[first:]).rstrip()
    body_start = separator + 2 + first  # file line number of the body's first line
    if not body:
        problems.append(Problem(file, separator + 1, "body", "the template has no text after '---'"))
    problems.extend(_check_body(body, file, body_start))

    if problems:
        return None, problems
    return Template(path.stem, language, title, category, channels, auto_ack, body, path), []


def _check_body(body: str, file: str, first_line: int) -> list[Problem]:
    problems: list[Problem] = []
    for match in _BRACES.finditer(body):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        line = first_line + body.count("\n", 0, match.start())
        if token == "{":
            rest = body[match.start():body.find("\n", match.start()) if "\n" in body[match.start():] else len(body)]
            problems.append(Problem(file, line, "placeholder",
                                    f"unclosed '{{' in {rest[:30]!r}: close it with '}}', or write '{{{{' for a literal brace"))
        elif token == "}":
            problems.append(Problem(file, line, "placeholder", "'}' without a matching '{' (write '}}' for a literal brace)"))
        else:
            name = match.group(1)
            if not _NAME.match(name):
                problems.append(Problem(file, line, "placeholder",
                                        f"{token!r} is not a placeholder: names are lowercase letters, digits and '_' "
                                        "(write '{{' and '}}' for literal braces)"))
            elif name not in PLACEHOLDERS:
                hint = difflib.get_close_matches(name, PLACEHOLDERS, n=1)
                problems.append(Problem(file, line, "placeholder", f"unknown placeholder {{{name}}}" + (
                    f" (did you mean {{{hint[0]}}}?)" if hint else "; see docs/replies.md for the list")))
    return problems


# -- placeholders -------------------------------------------------------------------------
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


# -- choosing ------------------------------------------------------------------------------
def suggest(templates: Iterable[Template], category: str | None, channel: str, language: str) -> list[Template]:
    """Templates for a ticket, best first.

    Templates restricted to other channels are left out. Templates in the buyer's ``language``
    come first (ranked: same category, related category, generic, auto-acknowledgement, others);
    then templates of the same category in other languages. When nothing exists in ``language``,
    English and then every other language are offered, ranked the same way.
    """
    usable = [t for t in templates if t.fits_channel(channel)]
    related = RELATED_CATEGORIES.get(category or "", ())

    def category_rank(template: Template) -> tuple[int, int]:
        if category and template.category == category:
            return (0, 0)
        if template.category in related:
            return (1, related.index(template.category))  # in the order RELATED_CATEGORIES lists them
        if template.auto_ack:
            return (3, 0)
        if template.category is None:
            return (2, 0)
        return (4, 0)

    def key(template: Template) -> tuple:
        if template.language == language:
            language_rank = 0
        elif template.language == "en":
            language_rank = 1
        else:
            language_rank = 2
        return (language_rank, category_rank(template), 0 if template.channels else 1, template.language, template.key)

    ranked = sorted(usable, key=key)
    if any(t.language == language for t in ranked):
        ranked = [t for t in ranked if t.language == language or (category and t.category == category)]
    return ranked


# -- language ------------------------------------------------------------------------------
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
