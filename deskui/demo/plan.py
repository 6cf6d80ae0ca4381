"""Every ticket decided before any row is written: its channel, scenario, intended tier and
timeline. Open tickets' last buyer messages are aimed at a point of their tier's target, so the
inbox shows every SLA state at ``now``; solved ones fill the days the open ones leave free."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from deskui.demo.tables import (
    AIM_PICK, CHANNEL_PICK, DAY, HISTORY_DAYS, HOSTILE, HOUR, HUGE_BODY_CHARS, MARKETPLACE_PICK, OPEN_PLAN_PICK,
    SCENARIO_PICK, SCENARIOS, SOLVED_SHARE, Weighted,
)
from deskui.policy import Policy, Tier


@dataclass(slots=True)
class Plan:
    """One ticket decided before any row is written, so creation times can be spread evenly."""

    channel: str
    marketplace: str
    country: str
    scenario: str
    tier: Tier  # the tier the words should triage to
    escalated: bool
    kind: str = "solved"  # solved, first, next, met, snoozed
    created: int = 0
    awaiting: int | None = None  # open tickets: the unanswered buyer message
    paused: int | None = None  # snoozed tickets: when the agent parked it
    spike: bool = False
    hostile: int | None = None


@dataclass(slots=True)
class Customer:
    id: int
    channel: str
    country: str
    first: str
    name: str
    email: str | None
    author: str
    history: int = 0  # earlier orders


@dataclass
class Counts:
    tickets: int = 0
    messages: int = 0
    orders: int = 0
    customers: int = 0
    clocks: list = field(default_factory=list)  # (ticket_id, kind, started, stopped, agent, channel, pauses)


def _intended_tier(policy: Policy, channel: str, scenario: str, escalated: bool) -> Tier:
    category = SCENARIOS[scenario][0]
    tier, _ = policy.pick(channel, frozenset([category] if category else []), frozenset(["escalated"] if escalated else []))
    return tier


def plan_tickets(rng: random.Random, count: int, now: int, policy: Policy) -> list[Plan]:
    """Decide every ticket's channel, scenario and timeline; aim open tickets' clocks."""
    spike_count = round(count * 0.008)
    plans: list[Plan] = []
    for _ in range(count - spike_count):
        channel = CHANNEL_PICK.pick(rng)
        marketplace, country = MARKETPLACE_PICK[channel].pick(rng)
        family = channel if channel in ("amazon", "shopify") else "other"
        scenario = SCENARIO_PICK[family].pick(rng)
        escalated = SCENARIOS[scenario][0] in ("atoz_claim", "chargeback") and rng.random() < 0.35
        plan = Plan(channel, marketplace, country, scenario, _intended_tier(policy, channel, scenario, escalated), escalated)
        if rng.random() >= SOLVED_SHARE:
            _aim_open(rng, plan, OPEN_PLAN_PICK.pick(rng), now)
        plans.append(plan)
    _spread_solved(rng, plans, now)
    for _ in range(spike_count):
        plans.append(_spike_plan(rng, now, policy))
    plans.sort(key=lambda plan: plan.created)
    _place_hostile(plans)
    return plans


def _clock_position(rng: random.Random, target: int, now: int) -> int:
    """When a buyer message must have come for its clock to stand at a chosen state at ``now``."""
    _, low, high = AIM_PICK.pick(rng)
    if low >= 0:  # a fraction of the target left
        return now - int(target * (1 - rng.uniform(low, high)))
    return now - target - int(rng.uniform(-high, -low) * 60)  # minutes past due


def _aim_open(rng: random.Random, plan: Plan, kind: str, now: int) -> None:
    tier = plan.tier
    # A tier with a resolution target runs that clock from creation: keep its threads younger
    # than the target so the response clock, the one being aimed, stays the earliest.
    oldest = int(tier.resolution_minutes * 60 * 0.8) if tier.resolution_minutes else 12 * DAY
    plan.kind = kind
    if kind == "first":
        plan.awaiting = plan.created = _clock_position(rng, tier.first_response_minutes * 60, now)
    elif kind == "next":
        plan.awaiting = _clock_position(rng, tier.next_response_minutes * 60, now)
        plan.created = _thread_start(rng, plan.awaiting, now, oldest)
    elif kind == "met":
        plan.created = now - int(rng.uniform(min(DAY, oldest / 2), oldest))
    else:  # snoozed: parked before the target passed (paused), or after (a breach stays a breach)
        target = tier.first_response_minutes * 60
        plan.paused = now - int(rng.uniform(600, 4 * DAY))
        elapsed = rng.uniform(0.1, 0.85) if rng.random() < 0.8 else rng.uniform(1.1, 3.0)
        plan.awaiting = plan.paused - int(target * elapsed)
        plan.created = plan.awaiting if rng.random() < 0.3 else _thread_start(rng, plan.awaiting, now, oldest)


def _thread_start(rng: random.Random, awaiting: int, now: int, oldest: int) -> int:
    """When a thread whose latest buyer message came at ``awaiting`` began: hours to days before."""
    room = max(2 * HOUR, oldest - (now - awaiting))
    return awaiting - int(rng.uniform(min(DAY, room / 2), room))


def _spread_solved(rng: random.Random, plans: list[Plan], now: int) -> None:
    """Give solved tickets the days the open ones leave free, so the daily volume is flat and
    the one real spike stands out."""
    quota = len(plans) / HISTORY_DAYS
    taken = [0] * HISTORY_DAYS
    for plan in plans:
        if plan.kind != "solved":
            taken[min(HISTORY_DAYS - 1, max(0, (now - plan.created) // DAY))] += 1
    free = Weighted([(day, max(0.05, quota - taken[day])) for day in range(HISTORY_DAYS)])
    for plan in plans:
        if plan.kind == "solved":
            plan.created = now - free.pick(rng) * DAY - rng.randrange(DAY)


def _spike_plan(rng: random.Random, now: int, policy: Policy) -> Plan:
    """A "damaged" ticket about the spike product, more of them the closer to ``now``."""
    marketplace, country = MARKETPLACE_PICK["amazon"].pick(rng)
    plan = Plan("amazon", marketplace, country, "damaged", _intended_tier(policy, "amazon", "damaged", False), False, spike=True)
    age = int(3 * DAY * (1 - rng.random() ** 0.5))
    plan.created = now - age
    if age < 6 * HOUR:
        plan.kind, plan.awaiting = "first", plan.created
    elif rng.random() < 0.3:
        plan.kind = "next"
        plan.awaiting = max(plan.created + HOUR, _clock_position(rng, plan.tier.next_response_minutes * 60, now))
    return plan


def _place_hostile(plans: list[Plan]) -> None:
    """The hostile texts go to the first open tickets (or any, in a tiny demo): a fixed few, so
    every demo has each of them and they sit in the inbox where they would do harm."""
    candidates = [plan for plan in plans if plan.kind != "solved"] or plans
    for index, plan in enumerate(candidates[: len(HOSTILE)]):
        plan.hostile = index


def huge_body() -> str:
    line = "Chat transcript line {:05d}: still waiting for my parcel, tracking shows nothing new.\n"
    lines, size = [], 0
    while size < HUGE_BODY_CHARS:
        lines.append(line.format(len(lines)))
        size += len(lines[-1])
    return "I'm pasting our whole chat history so you have everything:\n" + "".join(lines)



