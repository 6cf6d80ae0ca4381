"""``lint``: every enabled rule of the channel over a reply's subject, body and attachments."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from deskui.replies.rules.attachment import Attachment, check_attachments
from deskui.replies.rules.base import Warning, fold, market_name, whose_rules
from deskui.replies.rules.catalog import TEXT_RULES
from deskui.replies.rules.registry import KINDS
from deskui.replies.rules.settings import DEFAULT_RULES, LintRules

_FIELD_ORDER = {"subject": 0, "body": 1, "attachments": 2}
_REVIEW_CHANGES = ("review_incentive", "review_change")


def lint(text: str, channel: str, *, subject: str | None = None, rules: LintRules | None = None,
         attachments: Iterable[Attachment] | None = None) -> list[Warning]:
    """Warnings for a reply about to go to a buyer on ``channel``, in text order (subject first,
    attachments last).

    Each names its rule, says why (the marketplace rule), where (start/end offsets and an
    excerpt), and whether it blocks sending or asks for a confirmation. ``attachments``, when
    given, are (file name, content type, size) of the files going with it."""
    channel = (channel or "").lower()
    settings = (rules or DEFAULT_RULES).for_channel(channel)
    enabled = settings.enabled
    if not enabled:
        return []
    market, whose = market_name(channel), whose_rules(channel)
    found: list[Warning] = []
    seen: set[tuple[str, int, int, str]] = set()

    def add(kind: str, start: int, end: int, linted: str, where: str, **extra: Any) -> None:
        rule, severity, message = KINDS[kind]
        if rule not in enabled or (rule, start, end, where) in seen:
            return
        seen.add((rule, start, end, where))
        found.append(Warning(rule, message.format(rules=whose, m=market, **extra), start, end,
                             linted[start:end][:80], settings.severity_of(rule, severity), where))

    for where, source in (("subject", subject), ("body", text)):
        if not source:
            continue
        folded = fold(source)
        link_spans: list[tuple[int, int]] = []
        for rule in TEXT_RULES:
            if where not in rule.fields or enabled.isdisjoint(rule.triggers):
                continue
            for start, end, kind in rule.scan(source, folded, channel, settings):
                if not rule.inside_links and any(s <= start < e for s, e in link_spans):
                    continue  # the digits or @ of a URL already flagged
                add(kind, start, end, source, where, length=len(source), limit=settings.max_length,
                    source=settings.limit_source)
            if rule.id == "external_link":
                link_spans = [(w.start, w.end) for w in found if w.rule == "external_link" and w.field == where]
        # a change/incentive request already says it all: drop the plain request over the same words
        incentives = [(w.start, w.end) for w in found if w.rule in _REVIEW_CHANGES and w.field == where]
        if incentives:
            found[:] = [w for w in found if not (w.rule == "review_request" and w.field == where and
                                                 any(s < w.end and w.start < e for s, e in incentives))]
    if attachments is not None:
        found.extend(check_attachments(channel, attachments, rules))
    found.sort(key=lambda w: (_FIELD_ORDER.get(w.field, 1), w.start, w.end, w.rule))
    return found
