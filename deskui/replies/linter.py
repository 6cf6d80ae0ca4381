"""Marketplace compliance linter for replies: fast enough to run on every keystroke.

``lint(text, channel)`` returns :class:`Warning` s, each naming its rule, why it matters (quoting the
marketplace rule), where it is in the text, and a severity: ``block`` (the reply cannot be sent as
is) or ``warn`` (sending needs an explicit confirmation). Rules apply per channel; a lead turns
them on/off, changes severities and length limits in ``[lint.<channel>]`` TOML tables
(:func:`parse_lint_rules`). The rules, their sources and their known blind spots are in
docs/replies.md.

Everything runs on a length-preserving "folded" copy of the text (accents dropped, curly quotes
and non-breaking spaces made plain, one character for one), so offsets point into the original
text and patterns need no accent variants. All regexes are compiled once at import.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterator

from deskui.policy import CHANNELS, PolicyError, Problem

__all__ = [
    "BLOCK",
    "WARN",
    "RULES",
    "ChannelRules",
    "LintRules",
    "Warning",
    "default_rules",
    "lint",
    "lint_rules_from_toml",
    "parse_lint_rules",
]

BLOCK = "block"
WARN = "warn"


@dataclass(frozen=True)
class Warning:  # noqa: A001 - the API's name; builtins.Warning stays reachable as builtins.Warning
    rule: str
    message: str  # why, in plain English, citing the marketplace rule
    start: int  # offsets in the linted text (or in the subject when field == "subject")
    end: int
    excerpt: str
    severity: str  # "block" | "warn"
    field: str = "body"  # "body" or "subject"


# rule id -> what it catches (for docs, config errors and `deskui` help)
RULES: dict[str, str] = {
    "external_link": "links, web addresses and URL shorteners",
    "email_address": "e-mail addresses (also written 'name [at] domain [dot] com')",
    "phone_number": "phone numbers (international, FR, DE, UK, US, ES, IT formats)",
    "review_request": "asking for a review, feedback or a rating; asking for a positive one or only happy buyers blocks",
    "review_change": "asking to change, update or remove a review or feedback",
    "review_incentive": "offering a refund, discount, gift... in exchange for a review or for changing one",
    "claim_withdrawal": "asking the buyer to withdraw or close an A-to-z claim, a dispute or a chargeback",
    "marketing": "promotions, coupon codes, 'check out our products', social media, newsletters",
    "opt_out": "unsubscribe / opt-out wording",
    "emoji": "emojis",
    "important_subject": "'[Important]' in the subject",
    "too_long": "a message over the channel's length limit",
    "thanks_only": "a short message that only says thank you",
}

MARKET_NAMES = {"amazon": "Amazon", "ebay": "eBay", "walmart": "Walmart", "tiktok": "TikTok Shop",
                "shopify": "Shopify", "instagram": "Instagram"}
# Channels whose default rules come from the marketplace's own messaging policy.
_MARKETPLACE_POLICY = {"amazon": "Amazon's buyer-seller messaging rules", "ebay": "eBay's member-messaging rules",
                       "walmart": "Walmart's seller messaging rules", "tiktok": "TikTok Shop's messaging rules"}

# kind -> (rule, default severity, message). {rules}: whose rules; {m}: the marketplace's name.
_KINDS: dict[str, tuple[str, str, str]] = {
    "link": ("external_link", BLOCK,
             "{rules} forbid external links (only a link needed to complete the order is allowed): keep the buyer on "
             "{m} and write the information in the message."),
    "link_own": ("external_link", WARN,
                 "A link to {m}'s own site: probably allowed but unconfirmed; prefer telling the buyer where to click "
                 "(e.g. Your Orders) over pasting a URL."),
    "link_carrier": ("external_link", WARN,
                     "A carrier's web address: possibly allowed as needed to complete the order, but unconfirmed; "
                     "give the carrier and tracking number instead (the buyer sees tracking on {m})."),
    "domain": ("external_link", WARN,
               "Looks like a web address: {rules} forbid external links and web addresses (even in a logo); "
               "keep the buyer on {m}."),
    "email": ("email_address", BLOCK,
              "{rules} forbid e-mail addresses in messages: every exchange with the buyer must stay in {m}'s "
              "messaging."),
    "phone": ("phone_number", WARN,
              "Looks like a phone number: {rules} forbid phone numbers in messages (a carrier's or a warranty "
              "service's number may be allowed: unconfirmed)."),
    "review_positive": ("review_request", BLOCK,
                        "{rules} forbid asking for a positive review or feedback, or asking only satisfied buyers: "
                        "it can get the account suspended."),
    "review_neutral": ("review_request", WARN,
                       "Asking for a review or feedback: {rules} allow at most a neutral request, once per order, and "
                       "forbid pressure and repeat requests; prefer {m}'s own review request over a support reply."),
    "review_change": ("review_change", BLOCK,
                      "{rules} forbid asking a buyer to change or remove a review or feedback: solve the problem, "
                      "and leave any update to the buyer."),
    "review_incentive": ("review_incentive", BLOCK,
                         "{rules} forbid offering anything (refund, discount, gift, free product) in exchange for a "
                         "review or for changing one: review manipulation can get the account suspended."),
    "review_incentive_maybe": ("review_incentive", WARN,
                               "A review request next to a refund, discount or gift reads as an incentive: {rules} "
                               "forbid offering anything for a review. Keep the two in separate messages, or drop "
                               "the review request."),
    "claim_withdrawal": ("claim_withdrawal", WARN,
                         "Do not ask the buyer to withdraw or close an A-to-z claim, a dispute or a chargeback: it is "
                         "not permitted. Solve the problem (refund, replacement) and state the facts; the claim "
                         "follows."),
    "marketing": ("marketing", WARN,
                  "{rules} forbid marketing and promotional content in messages (coupons, discount codes, other "
                  "products, social media, newsletters)."),
    "opt_out": ("opt_out", WARN,
                "{rules} forbid opt-out / unsubscribe links in messages (they belong to marketing e-mails, which "
                "are not allowed either)."),
    "emoji": ("emoji", WARN, "{rules} forbid emojis and GIFs in messages."),
    "important_subject": ("important_subject", WARN,
                          "'[Important]' in the subject is reserved for critical messages about an order (e.g. a "
                          "problem that stops delivery); {rules} forbid it on an ordinary reply."),
    "too_long": ("too_long", BLOCK, "The message has {length:,} characters; the limit for {m} is {limit:,} ({source})."),
    "thanks_only": ("thanks_only", WARN,
                    "{rules} forbid messages that only say thank you (and plain order or shipping confirmations): "
                    "answer the buyer's question, or send nothing."),
}


# -- rules per channel ------------------------------------------------------------------------
@dataclass(frozen=True)
class ChannelRules:
    enabled: frozenset[str] = frozenset()
    max_length: int | None = None
    severity: tuple[tuple[str, str], ...] = ()  # (rule, "block" | "warn") overrides
    limit_source: str = "deskui's assumed limit, unconfirmed"

    def severity_of(self, rule: str, default: str) -> str:
        for name, value in self.severity:
            if name == rule:
                return value
        return default


ALL_RULES = frozenset(RULES)
_OFF_PLATFORM = frozenset({"external_link", "email_address", "phone_number"})

_DEFAULTS: dict[str, ChannelRules] = {
    # Amazon: every rule. 4,000 characters is an assumption (Amazon documents no limit for replies).
    "amazon": ChannelRules(ALL_RULES, 4000),
    # eBay: no contact details or links (off-eBay trading), no review manipulation; 2,000 characters.
    "ebay": ChannelRules(_OFF_PLATFORM | {"review_incentive", "review_change", "too_long"}, 2000),
    # Walmart: no contact details, links, marketing or review solicitation.
    "walmart": ChannelRules(_OFF_PLATFORM | {"review_request", "review_change", "review_incentive", "marketing",
                                             "opt_out", "emoji", "too_long"}, 4000),
    # TikTok Shop: no diverting buyers off the platform, no review manipulation.
    "tiktok": ChannelRules(_OFF_PLATFORM | {"review_incentive", "review_change", "too_long"}, 2000),
    # The seller's own shop (e-mail) and Instagram DMs: only a length limit.
    "shopify": ChannelRules(frozenset({"too_long"}), 10000),
    "instagram": ChannelRules(frozenset({"too_long"}), 1000),
}


@dataclass(frozen=True)
class LintRules:
    channels: dict[str, ChannelRules] = field(default_factory=lambda: dict(_DEFAULTS))
    fallback: ChannelRules = ChannelRules()  # for a channel not listed

    def for_channel(self, channel: str) -> ChannelRules:
        return self.channels.get((channel or "").lower(), self.fallback)


def default_rules() -> LintRules:
    return LintRules(dict(_DEFAULTS))


_TOML_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_TOML_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"']+)\s*=")


def _toml_lines(source: str | None) -> dict[tuple[str, ...], int]:
    found: dict[tuple[str, ...], int] = {}
    if not source:
        return found
    table: tuple[str, ...] = ()
    for number, raw in enumerate(source.splitlines(), start=1):
        header = _TOML_HEADER.match(raw)
        if header:
            table = tuple(part.strip().strip("\"'") for part in header.group(1).split("."))
            found.setdefault(table, number)
            continue
        key = _TOML_KEY.match(raw)
        if key:
            found.setdefault((*table, key.group(1).strip("\"'")), number)
    return found


_CHANNEL_KEYS = ("enable", "disable", "rules", "block", "warn", "max_length")


def parse_lint_rules(data: dict, file: str, *, source: str | None = None,
                     base: LintRules | None = None) -> LintRules:
    """Build LintRules from parsed TOML: either a whole document holding ``[lint.<channel>]`` tables,
    or the ``lint`` table itself. Per channel (or ``[lint.all]``, applied first to every channel)::

        [lint.amazon]
        disable = ["phone_number"]      # rules to turn off
        enable = ["thanks_only"]        # rules to turn on
        rules = ["external_link", ...]  # or: exactly these rules
        block = ["marketing"]           # these rules block sending
        warn = ["review_request"]       # these rules only ask for a confirmation
        max_length = 4000               # 0 or false: no limit

    Starts from ``base`` (default: :func:`default_rules`). Pass the TOML ``source`` to get line
    numbers. Raises :class:`deskui.policy.PolicyError` listing every problem.
    """
    lines = _toml_lines(source)
    problems: list[Problem] = []
    prefix: tuple[str, ...] = ()
    if isinstance(data, dict) and "lint" in data:
        table, prefix = data["lint"], ("lint",)
        if not isinstance(table, dict):
            raise PolicyError([Problem(file, lines.get(("lint",), 1), "lint",
                                       "must be a table of [lint.<channel>] tables")])
    else:
        table = data if isinstance(data, dict) else {}

    def problem(path: tuple[str, ...], message: str) -> None:
        full = (*prefix, *path)
        line = 0
        probe = full
        while probe:
            if probe in lines:
                line = lines[probe]
                break
            probe = probe[:-1]
        problems.append(Problem(file, line or (1 if source else 0), ".".join(full), message))

    rules = dict((base or default_rules()).channels)
    names = list(table)
    if "all" in table:  # apply [lint.all] first
        names = ["all"] + [name for name in names if name != "all"]
    for name in names:
        settings = table[name]
        if name != "all" and name not in CHANNELS:
            hint = difflib.get_close_matches(str(name), CHANNELS, n=1)
            problem((name,), f"unknown channel" + (f" (did you mean {hint[0]!r}?)" if hint else
                                                    f"; use one of {', '.join(CHANNELS)} or 'all'"))
            continue
        if not isinstance(settings, dict):
            problem((name,), "must be a table, e.g. [lint.amazon] with disable = [\"phone_number\"]")
            continue
        targets = list(CHANNELS) if name == "all" else [name]
        for key in settings:
            if key not in _CHANNEL_KEYS:
                hint = difflib.get_close_matches(key, _CHANNEL_KEYS, n=1)
                problem((name, key), "unknown setting" + (f" (did you mean {hint[0]!r}?)" if hint else
                                                          f"; use {', '.join(_CHANNEL_KEYS)}"))

        def rule_list(key: str) -> list[str] | None:
            if key not in settings:
                return None
            value = settings[key]
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                problem((name, key), "must be a list of rule names, e.g. [\"phone_number\"]")
                return None
            good = []
            for item in value:
                if item in RULES:
                    good.append(item)
                else:
                    hint = difflib.get_close_matches(item, RULES, n=1)
                    problem((name, key), f"unknown rule {item!r}" + (f" (did you mean {hint[0]!r}?)" if hint else
                                                                     f"; rules: {', '.join(RULES)}"))
            return good

        exact, enable, disable = rule_list("rules"), rule_list("enable"), rule_list("disable")
        block, warn = rule_list("block"), rule_list("warn")
        max_length: int | None | bool = True  # True: unchanged
        if "max_length" in settings:
            value = settings["max_length"]
            if value is False or value == 0:
                max_length = None
            elif isinstance(value, int) and not isinstance(value, bool) and value > 0:
                max_length = value
            else:
                problem((name, "max_length"), f"{value!r} must be a positive number of characters (0 or false: no limit)")
        both = set(block or ()) & set(warn or ())
        if both:
            problem((name, "block"), f"{', '.join(sorted(both))} listed in both block and warn")
        for channel in targets:
            current = rules.get(channel, ChannelRules())
            enabled = set(current.enabled) if exact is None else set(exact)
            enabled |= set(enable or ())
            enabled -= set(disable or ())
            severity = dict(current.severity)
            severity.update({rule: BLOCK for rule in block or ()})
            severity.update({rule: WARN for rule in warn or ()})
            length, source_note = current.max_length, current.limit_source
            if max_length is not True:
                length, source_note = max_length, "set by your team"
            if length is not None and "too_long" not in enabled and "max_length" in settings and exact is None \
                    and "too_long" not in (disable or ()):
                enabled.add("too_long")
            rules[channel] = ChannelRules(frozenset(enabled), length, tuple(sorted(severity.items())), source_note)
    if problems:
        raise PolicyError(sorted(problems, key=lambda p: p.line))
    return LintRules(rules)


def lint_rules_from_toml(source: str, file: str = "<config>", *, base: LintRules | None = None) -> LintRules:
    """Parse TOML text (e.g. deskui's config.toml) and read its ``[lint.<channel>]`` tables;
    without any, the defaults. Raises PolicyError with FILE:LINE on a problem."""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise PolicyError([Problem(file, int(match.group(1)) if match else 1, "toml", f"syntax error: {error}")]) from None
    return parse_lint_rules({"lint": data.get("lint", {})}, file, source=source, base=base)


# -- folding -------------------------------------------------------------------------------------
def _build_fold() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x41, 0x250):
        char = chr(code)
        lower = char.lower()
        if len(lower) != 1:  # "İ" lowers to two characters: keep offsets
            lower = "i"
        base = unicodedata.normalize("NFD", lower)[0]
        if base.isascii() and base.isalpha() and base != lower:
            lower = base
        if lower != char:
            table[code] = lower
    table[0x1E9E] = "ß"
    for char in "’‘‛ʼ´`":
        table[ord(char)] = "'"
    for char in "“”„«»":
        table[ord(char)] = '"'
    for char in "\u00a0\u202f\u2009\u2007\u2002\u2003":
        table[ord(char)] = " "
    for char in "‐‑‒–—−":
        table[ord(char)] = "-"
    table[ord("º")] = "o"
    return table


_FOLD = _build_fold()


def _fold(text: str) -> str:
    """Lowercase, accents dropped, quotes/spaces/dashes made plain: one character for one, so
    offsets stay valid and patterns run without re.IGNORECASE (several times faster)."""
    return text.translate(_FOLD)


# -- detectors: each yields (start, end, kind) on the folded text ---------------------------------
_I = 0  # patterns over folded (already lowercase) text
_CI = re.IGNORECASE
_TRAIL = ".,;:!?)]}'\""

# Links ---------------------------------------------------------------------------------------------
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"]+|\bwww\d{0,3}\.[a-z0-9\-]+(?:\.[a-z0-9\-]+)*[^\s<>\"]*", _I)
_SHORTENER = re.compile(
    r"(?<![\w.@/\-])(?:bit\.ly|tinyurl\.com|goo\.gl|t\.co|ow\.ly|is\.gd|buff\.ly|rebrand\.ly|cutt\.ly|shorturl\.at|"
    r"tiny\.cc|rb\.gy|t\.ly|wa\.me|linktr\.ee|amzn\.to|amzn\.eu|a\.co)/[^\s<>\"]*|"
    r"(?<![\w.@/\-])(?:bit\.ly|tinyurl\.com|goo\.gl|ow\.ly|buff\.ly|rebrand\.ly|cutt\.ly|linktr\.ee|wa\.me)\b", _I)
_SHORT_HINTS = ("bit.ly", "tinyurl", "goo.gl", "t.co/", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly",
                "shorturl", "tiny.cc", "rb.gy", "t.ly", "wa.me", "linktr.ee", "amzn.", "a.co/")
_TLDS = ("com|net|org|info|biz|io|co|ai|app|dev|shop|store|online|site|xyz|me|tv|eu|uk|fr|de|es|it|be|ch|nl|at|pl|"
         "se|dk|fi|pt|ie|lu|cz|us|ca|au|nz|jp|cn|br|mx|ru|cc|ws|ly|gl|gd|link|click|live|page|blog|website")
# A bare domain: labels then a known lowercase TLD (so "e.g.", "3.5mm", "invoice.pdf", "fine.Thanks" are not).
_DOMAIN = re.compile(
    r"(?<![\w@.\-/])(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+(?:" + _TLDS + r")(?![\w@\-]|\.[a-z])"
    r"(?:/[^\s<>\"]*)?")
_OWN = {
    "amazon": re.compile(r"(?:^|[./])(?:amazon|amzn|a\.co)\b", _CI),
    "ebay": re.compile(r"(?:^|[./])ebay\b", _CI),
    "walmart": re.compile(r"(?:^|[./])walmart\b", _CI),
    "tiktok": re.compile(r"(?:^|[./])tiktok(?:shop)?\b", _CI),
    "shopify": re.compile(r"(?:^|[./])myshopify\b", _CI),
    "instagram": re.compile(r"(?:^|[./])instagram\b", _CI),
}
_CARRIER = re.compile(
    r"(?:^|[./])(?:laposte|colissimo|chronopost|dhl|ups|fedex|usps|royalmail|parcelforce|dpd|gls-group|gls-france|"
    r"gls-italy|gls-spain|gls-pakete|hermesworld|myhermes|evri|mondialrelay|colisprive|correos|seur|mrw|poste|brt|"
    r"sda|postnl|bpost|deutschepost|ontrac|canadapost|auspost|17track|parcelsapp)\.", _CI)


def _links(text: str, folded: str, channel: str) -> Iterator[tuple[int, int, str]]:
    taken: list[tuple[int, int]] = []
    own = _OWN.get(channel)
    regexes = [_URL] if ("://" in folded or "www" in folded) else []
    if _has_any(folded, _SHORT_HINTS):
        regexes.append(_SHORTENER)
    for regex in regexes:
        for match in regex.finditer(folded):
            start, end = match.start(), match.end()
            while end > start and folded[end - 1] in _TRAIL:
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
        while end > start and folded[end - 1] in _TRAIL:
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


# E-mail addresses --------------------------------------------------------------------------------
_EMAIL_LOCAL = re.compile(r"[\w.+\-]+\s?\Z")  # the part before an "@", matched backwards from it
_EMAIL_DOMAIN = re.compile(r"\s?[\w\-]+(?:\.[\w\-]+)*\.[a-z]{2,}\b")
_EMAIL_OBFUSCATED = re.compile(
    r"\b[\w.+\-]+\s*[\[({]\s*(?:at|arobase|chez)\s*[\])}]\s*[\w\-]+(?:\s*(?:[\[({]\s*(?:dot|point|punkt)\s*[\])}]|\.)"
    r"\s*[\w\-]+)+|"
    r"\b[\w.+\-]+\s+(?:at|arobase)\s+[\w\-]+\s+(?:dot|point|punkt)\s+(?:com|net|org|fr|de|es|it|eu|uk)\b")
_OBFUSCATION_HINT = re.compile(r"[\[({]\s*(?:at|arobase|chez)\s*[\])}]| (?:dot|point|punkt) ")


def _emails(text: str, folded: str) -> Iterator[tuple[int, int, str]]:
    at = folded.find("@")
    while at >= 0:  # anchor on each "@" rather than trying every word as a local part
        local = _EMAIL_LOCAL.search(folded, max(0, at - 64), at)
        domain = _EMAIL_DOMAIN.match(folded, at + 1)
        if local and domain and local.group(0).strip():
            yield local.start(), domain.end(), "email"
        at = folded.find("@", at + 1)
    if _OBFUSCATION_HINT.search(folded):
        for match in _EMAIL_OBFUSCATED.finditer(folded):
            yield match.start(), match.end(), "email"


# Phone numbers -----------------------------------------------------------------------------------
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
    r"numero\s+verde|tel(?=\s*[.:]|\s+\+?\d))", _I)
_ID_WORDS = re.compile(
    r"\b(?:track\w*|suivi|sendung\w*|seguimiento|tracciamento|spedizione|envio|colis|paket\w*|parcel|package|shipment|"
    r"order|commande|bestell\w*|pedido|ordine|invoice|facture|rechnung|factura|fattura|sku|asin|ean|upc|gtin|isbn|"
    r"iban|bic|swift|ref\w*|rma|serial|serie|lot|batch|nr|n[o°]|case|ticket|dossier|vorgang\w*|kundennummer|expediente|pratica)\b", _I)


def _phones(text: str, folded: str) -> Iterator[tuple[int, int, str]]:
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


# Reviews ---------------------------------------------------------------------------------------
_GAP = r"[^\w.!?;,:\n]+"


def _near(first: str, second: str, words: int) -> str:
    """``first``, then at most ``words`` words, then ``second``, within one clause."""
    return rf"\b(?:{first})\b(?:{_GAP}\w+){{0,{words}}}?{_GAP}(?:{second})"


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
    _near(_REQUEST_VERB, _REVIEW_NOUN, 4)
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
    + "|" + _near(r"bewertung|rezension|feedback|sterne", r"hinterlass\w*|abgeben|abgibst|schreiben|verfassen", 3),
    _I)
_POSITIVE = re.compile(
    r"\b(?:positive?|good|great|excellent|glowing|top|5[\s\-]?stars?|five[\s\-]?stars?|(?:5|five)\s+stars"
    r"|positi(?:f|ve|ves|fs)|bon|bonne|excellente?|(?:5|cinq)\s?etoiles|positiv\w*|gute[rs]?|sehr\s+gute\w*"
    r"|(?:5|funf)[\s\-]?sterne\w*|buen[ao]?|excelente|(?:5|cinco)\s+estrellas|buon[ao]?|ottim[oa]"
    r"|(?:5|cinque)\s+stelle)\b", _I)
_HAPPY_ONLY = re.compile(
    r"\bif\s+you(?:'re|\s+are|\s+were|\s+have\s+been)?\s+(?:\w+\s+)?(?:happy|satisfied|pleased|delighted|enjoy\w*)"
    r"|\bsi\s+vous\s+(?:etes|avez\s+ete)\s+(?:\w+\s+)?(?:satisfait|content|ravi)"
    r"|\b(?:wenn|falls)\s+sie\s+(?:\w+\s+){0,2}zufrieden"
    r"|\bsi\s+(?:esta|estas|ha\s+quedado|quedo|queda)\s+(?:\w+\s+)?(?:satisfech|content)"
    r"|\bse\s+(?:e|sei|siete|e\s+rimast[oa])\s+(?:\w+\s+)?(?:soddisfatt|content)", _I)
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
    _near(_CHANGE_VERB, _REVIEW_NOUN, 3)
    + "|" + _near(r"bewertung|rezension|feedback|sterne",
                  r"zu\s+)?(?:losch\w*|entfern\w*|andern\b|zuruckz\w*|zuruckn\w*|anpass\w*|uberarbeit\w*|korrigier\w*"
                  r"|aktualisier\w*|revidier\w*", 3), _I)
_INCENTIVE = re.compile(
    r"\b(?:discount\w*|coupons?|vouchers?|(?<!feel\s)free(?!\s+to\b)|gifts?|gift\s+cards?|refund\w*|reimburs\w*|cash\s?back|money\s+back"
    r"|rewards?|compensation|rebates?|promo\w*"
    r"|reduction|remise|bon\s+d'achat|gratuit\w*|cadeaux?|rembours\w*|recompense\w*|dedommag\w*"
    r"|rabatt\w*|gutschein\w*|gratis|kostenlos\w*|geschenk\w*|erstatt\w*|ruckerstatt\w*|belohnung\w*|entschadigung\w*"
    r"|nachlass\w*|descuento\w*|cupon\w*|regalo\w*|reembols\w*|recompensa\w*|compensacion\w*|bonificacion\w*"
    r"|scont\w*|buono\s+(?:sconto|regalo|acquisto)|omaggio|rimbors\w*|premio|compenso)\b|\d+\s?%", _I)
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
    r"|\bper\s+(?:una|la\s+sua|la\s+tua)\s+(?:\w+\s+)?recensione", _I)
_REVIEW_NOUN_RE = re.compile(_REVIEW_NOUN, _I)


def _sentence_around(folded: str, start: int, end: int) -> tuple[int, int]:
    left = max(folded.rfind(mark, 0, start) for mark in ".!?\n") + 1
    rights = [i for i in (folded.find(mark, end) for mark in ".!?\n") if i >= 0]
    return left, (min(rights) + 1 if rights else len(folded))


# Cheap substring checks: a detector's regexes run only when one of its words is in the text.
_REVIEW_HINTS = ("review", "rate", "feedback", "rating", "star", "testimonial", "avis", "evaluat", "comment", "etoile", "note",
                 "evalue", "bewert", "rezension", "stern", "resena", "opinion", "valor", "califica", "recension",
                 "valut", "giudizi", "stelle", "estrella")


def _has_any(folded: str, hints: tuple[str, ...]) -> bool:
    return any(hint in folded for hint in hints)


def _reviews(text: str, folded: str) -> Iterator[tuple[int, int, str]]:
    if not _has_any(folded, _REVIEW_HINTS):
        return
    incentive_sentences: set[int] = set()
    for match in _REVIEW_REQUEST.finditer(folded):
        left, right = _sentence_around(folded, match.start(), match.end())
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
        left, right = _sentence_around(folded, match.start(), match.end())
        sentence = folded[left:right]
        if _INCENTIVE.search(sentence):
            incentive_sentences.add(left)
            yield match.start(), match.end(), "review_incentive" if _IN_EXCHANGE.search(sentence) else "review_incentive_maybe"
        else:
            yield match.start(), match.end(), "review_change"
    for match in _IN_EXCHANGE.finditer(folded):
        left, right = _sentence_around(folded, match.start(), match.end())
        if left in incentive_sentences:
            continue
        sentence = folded[left:right]
        if _REVIEW_NOUN_RE.search(sentence) and _INCENTIVE.search(sentence):
            incentive_sentences.add(left)
            yield left + len(sentence) - len(sentence.lstrip()), right, "review_incentive"


# Claims ----------------------------------------------------------------------------------------------
_CLAIM_NOUN = (
    r"(?:a[\s\-]?(?:to|2)[\s\-]?z|atoz)(?:[\s\-]+(?:guarantee[\s\-]+)?claims?)?|claims?\b|disputes?\b|chargebacks?"
    r"|reclamation\w*|litiges?\b|garantie\s+(?:de\s+)?a[\s\-]+(?:a|to)[\s\-]+z|(?:demande|procedure)\s+de\s+garantie"
    r"|a[\s\-]?bis[\s\-]?z\w*(?:[\s\-]\w+)?|garantieantrag|garantie[\s\-]?anspruch|reklamation\b|ruckbuchung|streitfall"
    r"|reclamaci(?:on|ones)\b|reclamos?\b|disputas?\b|garantia\s+de\s+la\s+a\s+a\s+la\s+z|contracargos?"
    r"|reclam[oi]\b|contestazion[ei]\b|garanzia\s+dalla\s+a\s+alla\s+z|controversi[ae]\b"
)
_CLAIM_VERB = (
    r"withdraw(?:ing)?|cancel(?:l?ing)?|clos(?:e|ing)|retract(?:ing)?|drop(?:ping)?|remov(?:e|ing)|take\s+back|rescind"
    r"|retir(?:er|ez)|annul(?:er|ez)|clotur(?:er|ez)|ferm(?:er|ez)|abandonn(?:er|ez)|renonc(?:er|ez)"
    r"|zuruckzieh(?:en)?|zurucknehm(?:en)?|schlie(?:ß|ss)en|stornier(?:en)?|einstell(?:en)?"
    r"|retir(?:ar|e|en)|cancel(?:ar|e|en)|cerr(?:ar|ar)|cierre|anul(?:ar|e)|desist\w*"
    r"|ritir(?:are|a|i)|annull(?:are|a|i)|chiud(?:ere|a|i)|rinunci\w*"
)
_CLAIM_WITHDRAWAL = re.compile(
    _near(_CLAIM_VERB, _CLAIM_NOUN, 3)
    + "|" + _near(r"a[\s\-]?bis[\s\-]?z|garantieantrag|antrag|anspruch|reklamation|ruckbuchung|streitfall",
                  r"zu\s+)?(?:zuruckz\w*|zuruckn\w*|schlie\w*|stornier\w*|einstell\w*", 3), _I)


_CLAIM_HINTS = ("claim", "a-to", "a to", "atoz", "a2z", "a-2", "dispute", "chargeback", "reclam", "litige",
                "garantie", "bis", "antrag", "anspruch", "reklamation", "ruckbuchung", "streitfall", "disputa",
                "contracargo", "garantia", "garanzia", "contestazion", "controversi")


def _claims(text: str, folded: str) -> Iterator[tuple[int, int, str]]:
    if not _has_any(folded, _CLAIM_HINTS):
        return
    for match in _CLAIM_WITHDRAWAL.finditer(folded):
        yield match.start(), match.end(), "claim_withdrawal"


# Marketing, opt-out ------------------------------------------------------------------------------------
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
    r"|(?:\d+\s?%|sconto)\s+(?:\w+\s+){0,2}sul\s+(?:tuo|suo|vostro)\s+prossimo\s+(?:ordine|acquisto))", _I)
_OPT_OUT = re.compile(
    r"\b(?:unsubscrib\w*|opt[\s\-]?out|stop\s+receiving\s+(?:these|our)\s+(?:e-?mails|messages)"
    r"|(?:se\s+)?desabonn\w*|desinscri\w*|ne\s+plus\s+recevoir\s+(?:nos|ces)"
    r"|abmelden|abbestellen|abmeldung|keine\s+(?:weiteren\s+)?(?:e-?mails|nachrichten)\s+mehr"
    r"|dar(?:se|te)\s+de\s+baja|dese\s+de\s+baja|date\s+de\s+baja|cancelar\s+(?:la\s+)?suscripcion"
    r"|no\s+recibir\s+mas\s+(?:correos|mensajes)"
    r"|disiscriv\w*|annulla(?:re)?\s+l'iscrizione|cancella(?:rsi|ti)\s+dalla|non\s+ricevere\s+piu)\b", _I)


_MARKETING_HINTS = (
    "code", "%", "check out", "discover", "browse", "explore", "follow", "like us", "us on", "newsletter", "subscribe",
    "mailing", "visit", "friday", "monday", "sale", "offer", "arrivals", "bon", "decouvr", "suivez", "rejoignez",
    "abonnez", "lettre", "offre", "vente", "gutschein", "rabatt", "entdecken", "folgen", "abonnieren",
    "besuchen", "sonderangebot", "cupon", "descubr", "sigu", "sigan", "suscrib", "boletin", "oferta",
    "scopri", "seguici", "iscriviti", "sconto", "descuento", "remise", "reduction")


def _marketing(text: str, folded: str) -> Iterator[tuple[int, int, str]]:
    if not _has_any(folded, _MARKETING_HINTS):
        return
    for match in _MARKETING.finditer(folded):
        yield match.start(), match.end(), "marketing"


_OPT_OUT_HINTS = ("unsubscri", "opt", "stop receiving", "desabon", "desinscri", "ne plus recevoir", "abmeld",
                  "abbestell", "keine", "baja", "suscripcion", "no recibir", "disiscri", "iscrizione", "cancella",
                  "non ricevere")


def _opt_out(text: str, folded: str) -> Iterator[tuple[int, int, str]]:
    if not _has_any(folded, _OPT_OUT_HINTS):
        return
    for match in _OPT_OUT.finditer(folded):
        yield match.start(), match.end(), "opt_out"


# Emojis ----------------------------------------------------------------------------------------------
_EMOJI = re.compile(
    "(?:[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B05-\u2B55\u231A\u231B\u23E9-\u23FA\u2190-\u21FF\u3030\u303D]"
    "[\uFE0F\u200D\U0001F3FB-\U0001F3FF]*)+")


def _emojis(text: str, folded: str) -> Iterator[tuple[int, int, str]]:
    for match in _EMOJI.finditer(text):
        chars = match.group(0)
        if all(0x2190 <= ord(c) <= 0x21FF for c in chars):  # plain arrows (→) are typography, not emojis
            continue
        yield match.start(), match.end(), "emoji"


# Thanks-only -----------------------------------------------------------------------------------------
_THANKS = re.compile(r"\b(?:thank\w*|thx|merci|danke\w*|dank|gracias|grazie|cheers)\b", _I)
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


def _thanks_only(text: str, folded: str) -> Iterator[tuple[int, int, str]]:
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


_IMPORTANT = re.compile(r"\[\s*(?:important|importante|wichtig|urgent|dringend|urgente)\s*\]", _CI)

# rule -> detector over the body
_BODY_DETECTORS = (
    ("email_address", _emails),
    ("phone_number", _phones),
    ("review_request", _reviews),  # also yields review_change / review_incentive kinds
    ("claim_withdrawal", _claims),
    ("marketing", _marketing),
    ("opt_out", _opt_out),
    ("emoji", _emojis),
    ("thanks_only", _thanks_only),
)
_REVIEW_RULES = ("review_request", "review_change", "review_incentive")


# -- lint ------------------------------------------------------------------------------------------------
def lint(text: str, channel: str, *, subject: str | None = None, rules: LintRules | None = None) -> list[Warning]:
    """Warnings for a reply about to go to a buyer on ``channel``, in text order (subject first).

    Each names its rule, says why (the marketplace rule), where (start/end offsets and an
    excerpt), and whether it blocks sending or asks for a confirmation."""
    channel = (channel or "").lower()
    settings = (rules or _DEFAULT_RULES).for_channel(channel)
    enabled = settings.enabled
    if not enabled:
        return []
    market = MARKET_NAMES.get(channel, channel.capitalize() or "this channel")
    whose = _MARKETPLACE_POLICY.get(channel, f"Your team's rules for {market}")
    found: list[Warning] = []
    seen: set[tuple[str, int, int, str]] = set()

    def add(kind: str, start: int, end: int, linted: str, where: str, **extra: Any) -> None:
        rule, severity, message = _KINDS[kind]
        if rule not in enabled or (rule, start, end, where) in seen:
            return
        seen.add((rule, start, end, where))
        found.append(Warning(rule, message.format(rules=whose, m=market, **extra), start, end,
                             linted[start:end][:80], settings.severity_of(rule, severity), where))

    for where, source in (("subject", subject), ("body", text)):
        if not source:
            continue
        folded = _fold(source)
        if "external_link" in enabled:
            for start, end, kind in _links(source, folded, channel):
                add(kind, start, end, source, where)
        link_spans = [(w.start, w.end) for w in found if w.rule == "external_link" and w.field == where]
        for rule, detector in _BODY_DETECTORS:
            if where == "subject" and rule == "thanks_only":
                continue
            if rule == "review_request":
                if not enabled.intersection(_REVIEW_RULES):
                    continue
            elif rule not in enabled:
                continue
            for start, end, kind in detector(source, folded):
                if rule in ("email_address", "phone_number") and any(s <= start < e for s, e in link_spans):
                    continue  # the digits or @ of a URL already flagged
                add(kind, start, end, source, where)
        # a change/incentive request already says it all: drop the plain request over the same words
        incentives = [(w.start, w.end) for w in found if w.rule in ("review_incentive", "review_change") and w.field == where]
        if incentives:
            found[:] = [w for w in found if not (w.rule == "review_request" and w.field == where and
                                                 any(s < w.end and w.start < e for s, e in incentives))]
    if subject and "important_subject" in enabled:
        for match in _IMPORTANT.finditer(subject):
            add("important_subject", match.start(), match.end(), subject, "subject")
    if "too_long" in enabled and settings.max_length and len(text) > settings.max_length:
        add("too_long", settings.max_length, len(text), text, "body", length=len(text), limit=settings.max_length,
            source=settings.limit_source)
    found.sort(key=lambda w: (w.field != "subject", w.start, w.end, w.rule))
    return found


_DEFAULT_RULES = default_rules()
Warning.__doc__ = "One compliance finding in a reply. (Shadows builtins.Warning inside this module only.)"
