"""Which rules apply per channel, and the ``[lint.<channel>]`` tables a lead writes to change that.

Read with the shared config reader (deskui/configfile.py): every problem is ``FILE:LINE: field: what``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from deskui.configfile import ConfigFileError, Document, Reader
from deskui.policy import CHANNELS, PolicyError
from deskui.replies.rules.base import BLOCK, WARN
from deskui.replies.rules.catalog import ALL_RULES, RULES


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


DEFAULT_RULES = default_rules()
_CHANNEL_KEYS = ("enable", "disable", "rules", "block", "warn", "max_length")


def _hint(word: str, choices, otherwise: str) -> str:
    close = difflib.get_close_matches(str(word), choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else otherwise


def parse_lint_rules(data: dict | Document, file: str = "<config>", *, source: str | None = None,
                     base: LintRules | None = None) -> LintRules:
    """Build LintRules from parsed TOML: a :class:`Document` or a whole document holding
    ``[lint.<channel>]`` tables, or the ``lint`` table itself. Per channel (or ``[lint.all]``,
    applied first to every channel)::

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
    document = data if isinstance(data, Document) else Document(data if isinstance(data, dict) else {}, source, file)
    reader = Reader(document)
    prefix: tuple[str, ...] = ()
    table = document.data
    if "lint" in table:
        table, prefix = table["lint"], ("lint",)
        if not isinstance(table, dict):
            reader.problem(("lint",), "must be a table of [lint.<channel>] tables")
            raise PolicyError(reader.problems)
    rules = dict((base or DEFAULT_RULES).channels)
    names = list(table)
    if "all" in table:  # apply [lint.all] first
        names = ["all"] + [name for name in names if name != "all"]
    for name in names:
        path = (*prefix, name)
        settings = table[name]
        if name != "all" and name not in CHANNELS:
            reader.problem(path, "unknown channel" + _hint(name, CHANNELS, f"; use one of {', '.join(CHANNELS)} or 'all'"))
            continue
        if not isinstance(settings, dict):
            reader.problem(path, "must be a table, e.g. [lint.amazon] with disable = [\"phone_number\"]")
            continue
        _apply(reader, path, settings, list(CHANNELS) if name == "all" else [name], rules)
    if reader.problems:
        raise PolicyError(sorted(reader.problems, key=lambda p: p.line))
    return LintRules(rules)


def _rule_list(reader: Reader, path: tuple, settings: dict, key: str) -> list[str] | None:
    if key not in settings:
        return None
    value = settings[key]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        reader.problem((*path, key), "must be a list of rule names, e.g. [\"phone_number\"]")
        return None
    good = []
    for item in value:
        if item in RULES:
            good.append(item)
        else:
            reader.problem((*path, key), f"unknown rule {item!r}" + _hint(item, RULES, f"; rules: {', '.join(RULES)}"))
    return good


def _apply(reader: Reader, path: tuple, settings: dict, targets: list[str], rules: dict[str, ChannelRules]) -> None:
    """One ``[lint.<channel>]`` table (or ``[lint.all]``), applied to each of ``targets``."""
    reader.unknown(settings, path, _CHANNEL_KEYS,
                   lambda key: "unknown setting" + _hint(key, _CHANNEL_KEYS, f"; use {', '.join(_CHANNEL_KEYS)}"))
    exact, enable, disable = (_rule_list(reader, path, settings, key) for key in ("rules", "enable", "disable"))
    block, warn = _rule_list(reader, path, settings, "block"), _rule_list(reader, path, settings, "warn")
    max_length: int | None | bool = True  # True: unchanged
    if "max_length" in settings:
        value = settings["max_length"]
        if value is False or value == 0:
            max_length = None
        elif isinstance(value, int) and not isinstance(value, bool) and value > 0:
            max_length = value
        else:
            reader.problem((*path, "max_length"), f"{value!r} must be a positive number of characters (0 or false: no limit)")
    both = set(block or ()) & set(warn or ())
    if both:
        reader.problem((*path, "block"), f"{', '.join(sorted(both))} listed in both block and warn")
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


def lint_rules_from_toml(source: str, file: str = "<config>", *, base: LintRules | None = None) -> LintRules:
    """Parse TOML text (e.g. deskui's config.toml) and read its ``[lint.<channel>]`` tables;
    without any, the defaults. Raises PolicyError with FILE:LINE on a problem."""
    try:
        document = Document.parse(source, file)
    except ConfigFileError as error:
        raise PolicyError(error.problems) from None
    return parse_lint_rules(Document({"lint": document.get("lint", {})}, source, file), base=base)
