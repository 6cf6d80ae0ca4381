"""The lead's board: its numbers and the measures it shares with the check-up.

``deskui.store.live_board.LiveBoard`` keeps the numbers in memory and moves them with what
changed; this module holds what it reports. The handle times it forecasts with are measured by
``deskui.analytics.board.handle_minutes`` (the check-up's definition; the store never imports
analytics).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from statistics import median

from deskui.sla import Timer

DEFAULT_HANDLE_MINUTES = 8.0  # used for a tier with no measured history yet
ACTIVE_WINDOW = timedelta(minutes=60)  # an agent who did something in the last hour is on shift
HISTORY_WINDOW = timedelta(days=7)


def local_day_start(moment: datetime, zone: tzinfo) -> datetime:
    """The start (as an aware UTC time) of the local day that holds ``moment``: "today" for the
    board's breaches and first responses. The check-up's rule (``analytics.days.local_midnight``,
    held to this one by a test): the board's screen cannot import ``deskui.analytics`` before its
    counts are on screen without ~0.2 s of imports."""
    local = moment.astimezone(zone)
    return datetime.combine(local.date(), datetime.min.time(), tzinfo=zone).astimezone(UTC)


@dataclass
class NextBreach:
    id: int
    tier: str | None
    channel: str
    subject: str
    assignee: str | None
    timer: Timer

    @property
    def due_at(self) -> datetime | None:
        return self.timer.due_at


@dataclass
class AgentLoad:
    agent: str
    claimed: int  # every unsolved ticket the agent holds
    open: int  # of those, the ones waiting on the agent (not pending or snoozed)
    breached: int
    oldest: datetime | None  # creation of the oldest ticket held
    active: bool  # did something in the last hour


@dataclass
class Forecast:
    horizon_minutes: int
    by_tier: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_tier.values())


@dataclass
class BoardData:
    next_breaches: list[NextBreach]
    matrix: dict[str, dict[str, int]]  # tier -> state -> count
    breaches_today: int
    agents: list[AgentLoad]
    handle_minutes: dict[str, float]
    forecasts: list[Forecast] = field(default_factory=list)
    active_agents: int = 0
    first_response_today: float | None = None  # median minutes, first responses sent today
    attainment_today: float | None = None  # % of response clocks stopped today that were met
    first_response_by_tier: dict[str, float] = field(default_factory=dict)  # median minutes today, per tier


def summarise_responses(rows) -> tuple[float | None, float | None, dict[str, float]]:
    """From (kind, minutes, outcome, tier) of response clocks stopped today: the median first
    response, the % of targets met, and the median first response per tier."""
    first = [(minutes, tier) for kind, minutes, _, tier in rows if kind == "first_response" and minutes is not None]
    met = sum(1 for _, _, outcome, _ in rows if outcome == "met")
    by_tier: dict[str, list[float]] = {}
    for minutes, tier in first:
        by_tier.setdefault(tier or "untriaged", []).append(minutes)
    return (
        round(median(minutes for minutes, _ in first), 1) if first else None,
        round(100.0 * met / len(rows), 1) if rows else None,
        {tier: round(median(values), 1) for tier, values in by_tier.items()},
    )
