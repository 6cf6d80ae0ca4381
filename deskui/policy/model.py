"""The SLA policy as immutable data: tiers, the rules that pick a tier, calendars, thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from functools import cached_property

CHANNELS = ("amazon", "shopify", "ebay", "walmart", "tiktok", "instagram")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Calendar:
    """When an SLA clock runs. ``always`` is 24/7; otherwise working hours in a zone."""

    name: str
    timezone: str = "UTC"
    weekdays: frozenset[int] = frozenset(range(7))  # Monday == 0
    opens: time = time(0, 0)
    closes: time = time(0, 0)  # 00:00 closing means midnight (end of day)
    holidays: frozenset[date] = frozenset()
    always: bool = True


ALWAYS = Calendar(name="24x7")


@dataclass(frozen=True)
class Tier:
    name: str
    rank: int  # 0 is the most urgent
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int | None = None
    calendar: str | None = None
    why: str = ""


@dataclass(frozen=True)
class Rule:
    """First matching rule wins. A rule matches when the channel fits (or none is named) and, if it
    names any conditions, at least one of its categories, keyword groups or tags is present."""

    tier: str
    channels: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    keyword_groups: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    why: str = ""

    @property
    def conditions(self) -> frozenset[str]:
        return self.categories | self.keyword_groups | self.tags

    def applies(self, channel: str, found: frozenset[str], tags: frozenset[str]) -> bool:
        if self.channels and channel not in self.channels:
            return False
        if not (self.categories or self.keyword_groups or self.tags):
            return True
        return bool((self.categories | self.keyword_groups) & found or self.tags & tags)


@dataclass(frozen=True)
class Policy:
    tiers: tuple[Tier, ...]
    rules: tuple[Rule, ...]
    at_risk_fraction: float = 0.25
    imminent_fraction: float = 0.10
    marketplace_deadline_minutes: dict[str, int] = field(default_factory=dict)
    calendars: dict[str, Calendar] = field(default_factory=dict)
    channel_calendars: dict[str, str] = field(default_factory=dict)
    keyword_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = "built-in default"

    @cached_property
    def tier_by_name(self) -> dict[str, Tier]:
        return {tier.name: tier for tier in self.tiers}

    @cached_property
    def fallback_tier(self) -> Tier:
        return max(self.tiers, key=lambda tier: tier.rank)

    def tier(self, name: str | None) -> Tier:
        return self.tier_by_name.get(name or "", self.fallback_tier)

    def pick(
        self, channel: str, found: frozenset[str], tags: frozenset[str] = frozenset()
    ) -> tuple[Tier, Rule | None]:
        channel = channel.lower()
        for rule in self.rules:
            if rule.applies(channel, found, tags):
                return self.tier_by_name[rule.tier], rule
        return self.fallback_tier, None

    def calendar_for(self, tier: Tier, channel: str) -> Calendar:
        name = tier.calendar or self.channel_calendars.get(channel.lower())
        if name is None:
            return ALWAYS
        return self.calendars.get(name, ALWAYS)

    def marketplace_deadline(self, channel: str) -> int | None:
        return self.marketplace_deadline_minutes.get(channel.lower())
