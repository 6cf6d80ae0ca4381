"""Triage = the matcher's findings + the policy's first matching rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from deskui.policy.model import CHANNELS, Policy, Rule, Tier
from deskui.triage.lexicon import CATEGORIES
from deskui.triage.matcher import Evidence, Matcher

_SEVERITY = {category: rank for rank, category in enumerate(CATEGORIES)}


@dataclass(frozen=True)
class Triage:
    tier: Tier
    category: str | None
    evidence: tuple[Evidence, ...]
    rule: Rule | None

    @property
    def target_minutes(self) -> int:
        return self.tier.first_response_minutes

    def evidence_json(self) -> list[dict]:
        return [
            {"category": item.category, "term": item.term, "field": item.field, "text": item.text, "lang": item.lang}
            for item in self.evidence
        ]


@lru_cache(maxsize=8)
def _matcher_for(groups: tuple[tuple[str, tuple[str, ...]], ...]) -> Matcher:
    return Matcher(dict(groups))


def matcher_for(policy: Policy) -> Matcher:
    return _matcher_for(tuple(sorted(policy.keyword_groups.items())))


def most_severe(categories: Iterable[str]) -> str | None:
    known = [category for category in categories if category in _SEVERITY]
    return min(known, key=_SEVERITY.__getitem__) if known else None


def classify(
    policy: Policy,
    channel: str,
    subject: str | None,
    bodies: str | Iterable[str] | None,
    tags: Iterable[str] = (),
) -> Triage:
    """Tier, category and evidence for a message, or for a ticket's buyer messages together."""
    matcher = matcher_for(policy)
    if bodies is None or isinstance(bodies, str):
        bodies = [bodies or ""]
    evidence: list[Evidence] = list(matcher.scan(subject, None))
    for body in bodies:
        evidence.extend(matcher.scan(None, body))
    found = frozenset(item.category for item in evidence)
    tier, rule = policy.pick(channel, found, frozenset(tag.lower() for tag in tags))
    return Triage(tier, most_severe(found), tuple(evidence), rule)


_CHANNELS = frozenset(CHANNELS)


def classify_record(policy: Policy, record: object) -> dict:
    """``deskui classify``'s answer for one decoded JSON line; ValueError names the bad field."""
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object with id, channel, subject, body")
    if "id" not in record:
        raise ValueError("field id: missing")
    channel = record.get("channel")
    if not isinstance(channel, str) or channel.strip().lower() not in _CHANNELS:
        raise ValueError(f"field channel: {channel!r} is not one of {', '.join(CHANNELS)}")
    subject, body = record.get("subject"), record.get("body")
    for name, value in (("subject", subject), ("body", body)):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"field {name}: must be a string")
    result = classify(policy, channel.strip().lower(), subject, body)
    return {
        "id": record["id"],
        "tier": result.tier.name,
        "target_minutes": result.target_minutes,
        "category": result.category,
        "evidence": result.evidence_json(),
    }
