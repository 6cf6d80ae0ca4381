"""SLA arithmetic: due times over calendars, remaining time, and the state a timer shows.

Pure functions over datetimes; the store decides when to call them and keeps the results, the
screens only read ``due_at`` and ask ``state()`` what colour to paint.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from deskui.policy.model import ALWAYS, Calendar, Policy, Tier
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
    MISSED = ("missed", "missed", "⊘")  # answered, but after the target: no longer actionable

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


@dataclass(frozen=True, slots=True)
class Timer:
    """A ticket's headline clock as the store keeps it: the instants at which it turns at risk,
    imminent and breached, computed once over the clock's calendar when the ticket is triaged or
    refreshed. Every screen and report asks this (or ``STATE_SQL``, its SQL twin, for counts)
    and nothing else, so they all agree at every instant, boundaries included.

    ``outcome`` is what ``sla_clocks`` recorded for the last response clock that stopped: it is
    what a ticket with no running clock shows (met, or missed when the reply came late).
    """

    due_at: datetime | None
    at_risk_at: datetime | None
    imminent_at: datetime | None
    paused_at: datetime | None = None
    outcome: str | None = None  # "met" / "missed": the last stopped response clock

    def state(self, now: datetime) -> SlaState:
        """A paused timer stays paused, but a target missed before the pause is still breached
        (pausing never hides a breach). A state holds from its instant on: at ``due_at`` exactly
        the timer is breached."""
        if self.due_at is None:
            if self.paused_at is not None:
                return SlaState.PAUSED
            if self.outcome == "missed":
                return SlaState.MISSED
            return SlaState.MET if self.outcome == "met" else SlaState.ON_TRACK
        if self.due_at <= (self.paused_at or now):
            return SlaState.BREACHED
        if self.paused_at is not None:
            return SlaState.PAUSED
        if self.imminent_at is not None and self.imminent_at <= now:
            return SlaState.IMMINENT
        if self.at_risk_at is not None and self.at_risk_at <= now:
            return SlaState.AT_RISK
        return SlaState.ON_TRACK

    def left(self, now: datetime) -> timedelta | None:
        """Calendar time left (negative once breached); a paused timer is frozen at its pause."""
        return remaining(now, self.due_at, self.paused_at)


# ``Timer.state`` for SQL aggregates over the tickets table (the board, the header counts, the
# check-up, alerts): the same comparisons in the same order, on the stored instants, which are
# fixed-width UTC text, so ``due_at <= :now`` compares as the datetimes do. ``:now`` is
# ``to_db(now)``; stored instants have whole seconds, so truncating "now" loses nothing.
# ``tests/test_sla_truth.py`` holds the two to each other.
STATE_SQL = """CASE
    WHEN due_at IS NOT NULL AND due_at <= coalesce(paused_at, :now) THEN 'breached'
    WHEN paused_at IS NOT NULL THEN 'paused'
    WHEN due_at IS NULL THEN CASE response_outcome WHEN 'missed' THEN 'missed' WHEN 'met' THEN 'met' ELSE 'on_track' END
    WHEN imminent_at <= :now THEN 'imminent'
    WHEN at_risk_at <= :now THEN 'at_risk'
    ELSE 'on_track'
END"""
BREACHED_SQL = "(due_at IS NOT NULL AND due_at <= coalesce(paused_at, :now))"


def remaining(now: datetime, due: datetime | None, paused_at: datetime | None = None) -> timedelta | None:
    """Calendar time left (negative once breached); a paused timer is frozen at its pause."""
    if due is None:
        return None
    return due - (paused_at if paused_at is not None else now)


def format_countdown(left: timedelta | None) -> str:
    """``mm:ss`` under an hour, ``8h14m`` above, ``-`` and counting up once breached.

    The unit shows past an hour so ``-44:20`` (minutes) and ``-8h14m`` never look alike; from 100
    hours on, days: ``2d03h``, so a week-old breach still fits in seven cells.
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
        return f"{sign}{hours}h{rest // 60:02d}m"
    days, hours = divmod(hours, 24)
    return f"{sign}{days}d{hours:02d}h"


@dataclass(frozen=True)
class SlaClock:
    """One SLA clock of a ticket (first response, next response, resolution, marketplace), with
    the instants its state changes at."""

    kind: str
    started_at: datetime
    due_at: datetime
    target_minutes: int
    at_risk_at: datetime | None = None
    imminent_at: datetime | None = None


def start_clock(
    kind: str, started_at: datetime, minutes: int, calendar: Calendar, policy: Policy, pauses: Sequence[Interval] = ()
) -> SlaClock:
    """A clock and its three instants over its calendar. At risk means at most ``at_risk_fraction``
    of the target's working time is left: the moment ``1 - fraction`` of it has been worked. On a
    business-hours calendar that moment can be a closing time, so a ticket that turns at risk
    overnight already shows at risk when the office closes (over-warning is the cheap error)."""
    def after(fraction_used: float) -> datetime:
        return add_working_time(started_at, minutes * fraction_used, calendar, pauses)

    due = after(1.0)
    return SlaClock(kind, started_at, due, minutes, at_risk_at=min(after(1 - policy.at_risk_fraction), due),
                 imminent_at=min(after(1 - policy.imminent_fraction), due))


@dataclass(frozen=True)
class Deadlines:
    """What the store keeps on the ticket row: the internal SLA due, the marketplace's, and the
    earliest of them, which orders the inbox."""

    sla: SlaClock | None
    marketplace: SlaClock | None
    resolution: SlaClock | None

    @property
    def earliest(self) -> SlaClock | None:
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
        sla_clock = start_clock(kind, awaiting_reply_since, minutes, calendar, policy, relevant)
    marketplace_clock = None
    marketplace_minutes = policy.marketplace_deadline(channel)
    if marketplace_minutes and awaiting_marketplace_since is not None and not solved:
        marketplace_clock = start_clock("marketplace", awaiting_marketplace_since, marketplace_minutes, ALWAYS, policy)
    resolution_clock = None
    if tier.resolution_minutes and not solved:
        resolution_clock = start_clock("resolution", created_at, tier.resolution_minutes, calendar, policy, pauses)
    return Deadlines(sla_clock, marketplace_clock, resolution_clock)


def outcome(clock: SlaClock, stopped_at: datetime) -> tuple[str, float]:
    """``("met" | "missed", margin in minutes)``: positive margin is time to spare. A clock
    stopped at its due instant is missed, as ``Timer.state`` shows it breached from that instant."""
    margin = (clock.due_at - stopped_at).total_seconds() / 60
    return ("met" if stopped_at < clock.due_at else "missed"), round(margin, 1)
