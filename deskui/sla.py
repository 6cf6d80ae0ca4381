"""SLA arithmetic: due times over calendars, remaining time, and the state a timer shows.

Pure functions over datetimes; the store decides when to call them and keeps the results, the
screens only read ``due_at`` and ask ``state()`` what colour to paint.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from deskui.policy.model import Calendar, Policy, Tier
from deskui.timeutil import zone

Interval = tuple[datetime, datetime]

# A calendar with working hours may have a long run of holidays; it can never have none at all
# (policy check refuses that), so ten years of days is a bound we never reach in practice.
_MAX_DAYS = 3660


class SlaState(enum.Enum):
    ON_TRACK = ("on_track", "on track", "○")
    AT_RISK = ("at_risk", "at risk", "▲")
    IMMINENT = ("imminent", "imminent", "‼")
    BREACHED = ("breached", "breached", "✗")
    PAUSED = ("paused", "paused", "‖")
    MET = ("met", "met", "✓")

    def __init__(self, key: str, label: str, glyph: str) -> None:
        self.key = key
        self.label = label
        self.glyph = glyph

    @classmethod
    def from_key(cls, key: str) -> "SlaState":
        for state in cls:
            if state.key == key:
                return state
        raise KeyError(key)


def working_intervals(calendar: Calendar, since: datetime) -> Iterator[Interval]:
    """The calendar's working intervals (UTC) that end after ``since``, in order."""
    if calendar.always:
        yield since, datetime.max.replace(tzinfo=since.tzinfo)
        return
    local_zone = zone(calendar.timezone)
    day = since.astimezone(local_zone).date() - timedelta(days=1)
    for _ in range(_MAX_DAYS):
        day += timedelta(days=1)
        if day.weekday() not in calendar.weekdays or day in calendar.holidays:
            continue
        # Building the local wall-clock time and converting it is what makes DST right: a
        # 09:00-17:00 day is eight hours on both sides of the change.
        opens = datetime.combine(day, calendar.opens, tzinfo=local_zone)
        if calendar.closes == time(0, 0):  # "09:00-24:00" closes at the next midnight
            closes = datetime.combine(day + timedelta(days=1), calendar.closes, tzinfo=local_zone)
        else:
            closes = datetime.combine(day, calendar.closes, tzinfo=local_zone)
        start, end = opens.astimezone(since.tzinfo), closes.astimezone(since.tzinfo)
        if end > since:
            yield max(start, since), end
    raise ValueError(f"calendar {calendar.name!r} has no working time in ten years")


def _minus_pauses(intervals: Iterator[Interval], pauses: Sequence[Interval]) -> Iterator[Interval]:
    ordered = sorted(pauses)
    for start, end in intervals:
        cursor = start
        for pause_start, pause_end in ordered:
            if pause_end <= cursor or pause_start >= end:
                continue
            if pause_start > cursor:
                yield cursor, pause_start
            cursor = max(cursor, pause_end)
            if cursor >= end:
                break
        if cursor < end:
            yield cursor, end


def add_working_time(
    start: datetime, minutes: float, calendar: Calendar, pauses: Sequence[Interval] = ()
) -> datetime:
    """The moment ``minutes`` of working time after ``start``, skipping closed hours and pauses."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    if calendar.always and not pauses:
        return start + timedelta(minutes=minutes)
    left = timedelta(minutes=minutes)
    for interval_start, interval_end in _minus_pauses(working_intervals(calendar, start), pauses):
        length = interval_end - interval_start
        if length >= left:
            return interval_start + left
        left -= length
    raise AssertionError("unreachable: working intervals are unbounded")


def working_minutes_between(
    start: datetime, end: datetime, calendar: Calendar, pauses: Sequence[Interval] = ()
) -> float:
    """Working minutes from ``start`` to ``end``; negative when ``end`` is earlier."""
    if end < start:
        return -working_minutes_between(end, start, calendar, pauses)
    if calendar.always and not pauses:
        return (end - start).total_seconds() / 60
    total = timedelta()
    for interval_start, interval_end in _minus_pauses(working_intervals(calendar, start), pauses):
        if interval_start >= end:
            break
        total += min(interval_end, end) - interval_start
    return total.total_seconds() / 60


def state(
    now: datetime,
    due: datetime | None,
    target_minutes: float,
    policy: Policy,
    *,
    calendar: Calendar | None = None,
    paused_at: datetime | None = None,
    met: bool = False,
) -> SlaState:
    """The state a timer shows. A paused timer stays paused, but a target missed before the
    pause is still breached (pausing never hides a breach)."""
    if met:
        return SlaState.MET
    if due is None:
        return SlaState.PAUSED if paused_at is not None else SlaState.ON_TRACK
    reference = paused_at if paused_at is not None else now
    if due <= reference:
        return SlaState.BREACHED
    if paused_at is not None:
        return SlaState.PAUSED
    if calendar is None or calendar.always:
        left = (due - now).total_seconds() / 60
    else:
        left = working_minutes_between(now, due, calendar)
    fraction = left / target_minutes if target_minutes > 0 else 1.0
    if fraction < policy.imminent_fraction:
        return SlaState.IMMINENT
    if fraction < policy.at_risk_fraction:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK


def ticket_state(
    policy: Policy,
    now: datetime,
    *,
    tier: str | None,
    channel: str,
    due_at: datetime | None,
    target_minutes: float,
    paused_at: datetime | None,
    answered: bool,
) -> SlaState:
    """The state of a ticket's running clock as stored on its row: no clock running means met when
    a substantive reply went out, on track otherwise. A pending or snoozed ticket shows paused."""
    if answered and paused_at is None:
        return SlaState.MET
    calendar = policy.calendar_for(policy.tier(tier), channel) if tier else None
    return state(now, due_at, target_minutes, policy, calendar=calendar, paused_at=paused_at)


def remaining(now: datetime, due: datetime | None, paused_at: datetime | None = None) -> timedelta | None:
    """Calendar time left (negative once breached); a paused timer is frozen at its pause."""
    if due is None:
        return None
    return due - (paused_at if paused_at is not None else now)


def format_countdown(left: timedelta | None) -> str:
    """``mm:ss`` under an hour, ``h:mm`` above, ``-`` and counting up once breached.

    Days show as ``2d03h`` so a week-old breach still fits in seven cells.
    """
    if left is None:
        return "--:--"
    seconds = int(left.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 3600:
        return f"{sign}{seconds // 60:02d}:{seconds % 60:02d}"
    hours, rest = divmod(seconds, 3600)
    if hours < 100:
        return f"{sign}{hours}:{rest // 60:02d}"
    days, hours = divmod(hours, 24)
    return f"{sign}{days}d{hours:02d}h"


@dataclass(frozen=True)
class Clock:
    """One SLA clock of a ticket (first response, next response, resolution, marketplace)."""

    kind: str
    started_at: datetime
    due_at: datetime
    target_minutes: int


@dataclass(frozen=True)
class Deadlines:
    """What the store keeps on the ticket row: the internal SLA due, the marketplace's, and the
    earliest of them, which orders the inbox."""

    sla: Clock | None
    marketplace: Clock | None
    resolution: Clock | None

    @property
    def earliest(self) -> Clock | None:
        clocks = [clock for clock in (self.sla, self.marketplace, self.resolution) if clock]
        return min(clocks, key=lambda clock: clock.due_at) if clocks else None


def deadlines(
    policy: Policy,
    tier: Tier,
    channel: str,
    *,
    created_at: datetime,
    awaiting_reply_since: datetime | None,
    awaiting_marketplace_since: datetime | None,
    first_response_at: datetime | None,
    pauses: Sequence[Interval] = (),
    solved: bool = False,
) -> Deadlines:
    """Every clock that runs on a ticket now.

    - The internal SLA runs from the oldest buyer message without a substantive reply: the first
      response target before any reply, the next response target afterwards.
    - The marketplace clock (Amazon's 24 h) runs from the oldest buyer message with no reply at all:
      an automatic acknowledgement stops it, calendar time, never paused.
    - The optional resolution target runs from creation until the ticket is solved.
    Pauses (pending on the buyer, snoozed) push the internal clocks back, never the marketplace's.
    """
    calendar = policy.calendar_for(tier, channel)
    sla_clock = None
    if awaiting_reply_since is not None and not solved:
        kind, minutes = (
            ("first_response", tier.first_response_minutes)
            if first_response_at is None
            else ("next_response", tier.next_response_minutes)
        )
        relevant = [pause for pause in pauses if pause[1] > awaiting_reply_since]
        due = add_working_time(awaiting_reply_since, minutes, calendar, relevant)
        sla_clock = Clock(kind, awaiting_reply_since, due, minutes)
    marketplace_clock = None
    marketplace_minutes = policy.marketplace_deadline(channel)
    if marketplace_minutes and awaiting_marketplace_since is not None and not solved:
        marketplace_clock = Clock(
            "marketplace",
            awaiting_marketplace_since,
            awaiting_marketplace_since + timedelta(minutes=marketplace_minutes),
            marketplace_minutes,
        )
    resolution_clock = None
    if tier.resolution_minutes and not solved:
        due = add_working_time(created_at, tier.resolution_minutes, calendar, pauses)
        resolution_clock = Clock("resolution", created_at, due, tier.resolution_minutes)
    return Deadlines(sla_clock, marketplace_clock, resolution_clock)


def outcome(clock: Clock, stopped_at: datetime) -> tuple[str, float]:
    """``("met" | "missed", margin in minutes)``: positive margin is time to spare."""
    margin = (clock.due_at - stopped_at).total_seconds() / 60
    return ("met" if margin >= 0 else "missed"), round(margin, 1)
