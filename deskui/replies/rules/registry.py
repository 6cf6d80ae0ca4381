"""The one registry of linter rules: each rule module registers its :class:`Rule` at import.

A rule is an id (what ``[lint.<channel>]`` tables name), a line of description, the kinds of
finding it makes (each with a default severity and a message quoting the marketplace rule) and a
``scan`` over a reply's subject and/or body. To add a rule, copy deskui/replies/rules/emoji.py,
register it, and import it in deskui/replies/rules/catalog.py (the order there is the order of
:data:`RULES`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

Scan = Callable[..., Iterator[tuple[int, int, str]]]


@dataclass(frozen=True)
class Rule:
    id: str
    description: str  # what it catches (for docs, config errors and `deskui` help)
    # kind -> (default severity, message). {rules}: whose rules; {m}: the marketplace's name; a
    # rule may name more keys, given by its scan's caller (too_long: {length}, {limit}, {source}).
    kinds: dict[str, tuple[str, str]] = field(default_factory=dict)
    # scan(text, folded, channel, settings) -> (start, end, kind) on the text; None: no text scan
    scan: Scan | None = None
    fields: tuple[str, ...] = ("subject", "body")
    # the scan runs when any of these rules is enabled (default: this rule); one scan may make
    # findings for several rules (the review scan does: request, change, incentive)
    triggers: frozenset[str] = frozenset()
    inside_links: bool = True  # False: a finding inside a flagged link is dropped (a URL's digits, its @)


REGISTRY: dict[str, Rule] = {}
KINDS: dict[str, tuple[str, str, str]] = {}  # kind -> (rule, default severity, message)


def register(rule: Rule) -> Rule:
    if rule.id in REGISTRY:
        raise ValueError(f"linter rule {rule.id!r} is registered twice")
    if not rule.triggers:
        object.__setattr__(rule, "triggers", frozenset({rule.id}))
    REGISTRY[rule.id] = rule
    for kind, (severity, message) in rule.kinds.items():
        KINDS[kind] = (rule.id, severity, message)
    return rule
