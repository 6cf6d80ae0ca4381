"""The measures behind the health check and the alerts.

Each function groups the rows of one indexed read of ``deskui.store.metrics`` (joins, filters
and date arithmetic are done in SQL there) and returns plain dicts, so ``health.py`` assembles
the report and ``alerts.py`` compares one number with a rule. Definitions
(also in docs/health.md):

- **First response time (FRT)**: for each ``sla_clocks`` row of kind ``first_response`` (written
  when a *substantive* reply stops the internal clock; an automatic acknowledgement never writes
  one), ``stopped_at - started_at`` in calendar minutes. The health check counts it on the day
  the buyer wrote (``started_at``), so a Saturday message answered on Monday counts against
  Saturday; alerts count first responses sent in their window.
- **Handle time (AHT)**: for each reply that stopped a first/next response clock (a substantive
  reply), the minutes since the replying agent took the ticket (their latest ``claimed``,
  ``assigned`` or ``opened`` event on it), for the first such reply after each take only. A
  take more than ``AHT_MAX_MINUTES`` before the reply is queue time, not work: such replies are
  not measured and are counted as ``no_recent_take`` (the board's forecast uses the same 8 h
  cap). Counted on the day of the reply.
- **SLA attainment**: response targets (first / next response) met over all settled targets: the
  ``sla_clocks`` rows stopped in the window (``outcome``), plus open tickets whose internal clock
  is already past due (a missed target not yet stopped counts as missed on its due day).
  ``marketplace`` clocks (Amazon's 24 h, which an auto-ack stops) are counted apart.

SQLite has no percentile aggregate, and window functions measured slower than this (docs/health.md):
exact medians and p90s come from the window's values, fetched once in time order (one row per
stopped clock of the window, never a whole table) and grouped in one Python pass.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from deskui.analytics.days import LocalDays
from deskui.gcpause import no_gc  # noqa: F401  (health.py and alerts.py use it as m.no_gc)
from deskui.policy.model import Calendar, Policy
from deskui.sla import working_intervals, working_minutes_between
from deskui.store import metrics as reads
from deskui.timeutil import to_db

AHT_MAX_MINUTES = 8 * 60
WARNING_MINUTES = 12 * 60  # the seed: an FRT near 12 h is too close to Amazon's 24 h
RULE_MINUTES = 24 * 60  # Amazon: every buyer message answered within 24 h
RESPONSE_KINDS = ("first_response", "next_response")
_SEP = "\x1f"  # joins agent, tier, channel and category into one key (SQL: char(31))

# Spike rule (docs/health.md): the last RECENT_DAYS 24-hour periods ending now against the
# BASELINE_DAYS periods before them.
RECENT_DAYS = 3
BASELINE_DAYS = 14
MIN_RISE_PCT = 15
MIN_RECENT_TICKETS = 5
SUSTAINED_DAYS = 2


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


# --------------------------------------------------------------------------------------------
# Distributions
# --------------------------------------------------------------------------------------------

def empty_stats() -> dict:
    return {"n": 0, "mean": None, "median": None, "p90": None, "max": None, "over_12h": 0, "over_24h": 0}


def stats(values: Sequence[float]) -> dict:
    """Count, mean, median, p90 (nearest rank), max and the 12 h / 24 h counts, in minutes."""
    if not values:
        return empty_stats()
    ordered = sorted(values)
    n = len(ordered)
    middle = n // 2
    median = ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {
        "n": n,
        "mean": _round(sum(ordered) / n),
        "median": _round(median),
        "p90": _round(ordered[-(-9 * n // 10) - 1]),  # nearest rank: ceil(0.9 n)
        "max": _round(ordered[-1]),
        # minutes come from julianday differences: a hair of tolerance keeps 720.0 at 12 h
        "over_12h": n - _first_at_least(ordered, WARNING_MINUTES - 1e-6),
        "over_24h": n - _first_at_least(ordered, RULE_MINUTES - 1e-6),
    }


def _first_at_least(ordered: Sequence[float], bound: float) -> int:
    low, high = 0, len(ordered)
    while low < high:
        middle = (low + high) // 2
        if ordered[middle] < bound:
            low = middle + 1
        else:
            high = middle
    return low


def attainment_entry(met: int, total: int) -> dict:
    return {"met": met, "missed": total - met, "total": total,
            "pct": round(100.0 * met / total, 1) if total else None}


class Timing:
    """Values of one measure (minutes) grouped by day and, inside the window, by agent, tier,
    channel, category and agent x category. Rows are collected per combination of those keys
    (one dict operation per row) and rolled up per dimension afterwards."""

    def __init__(self) -> None:
        # (day, inside, "agent\x1ftier\x1fchannel\x1fcategory") -> values
        self.combos: dict[tuple, list[float]] = defaultdict(list)
        self.no_recent_take = 0  # AHT only: window replies with no take by their agent in the 8 h before
        self.tickets: list[tuple[float, int]] | None = None  # (value, ticket id) in the window, if asked
        self._rolled = False

    def _roll(self) -> None:
        if self._rolled:
            return
        self._rolled = True
        self._days: dict[str, list[float]] = defaultdict(list)
        self._dims: dict[str, dict] = {name: defaultdict(list) for name in ("agent", "tier", "channel", "category", "agent_category")}
        self._window: list[float] = []
        agent_dim, tier_dim, channel_dim, category_dim, pair_dim = self._dims.values()
        for values in self.combos.values():
            values.sort()  # every roll-up is then a run of sorted pieces: cheap to sort again
        for (day, inside, combo), values in self.combos.items():
            self._days[day].extend(values)
            if inside:
                agent, tier, channel, category = combo.split(_SEP, 3)
                self._window.extend(values)
                agent_dim[agent].extend(values)
                tier_dim[tier].extend(values)
                channel_dim[channel].extend(values)
                category_dim[category].extend(values)
                pair_dim[agent, category].extend(values)
        for values in self._days.values():
            # Sorted here once, a day's values make every union of days (a weekday, the weekend,
            # a trend's week) a few sorted runs, which sorting merges instead of sorting anew.
            values.sort()

    @property
    def days(self) -> dict[str, list[float]]:
        self._roll()
        return self._days

    @property
    def window(self) -> list[float]:
        self._roll()
        return self._window

    def dim(self, name: str) -> dict:
        """``agent``, ``tier``, ``channel``, ``category`` or ``agent_category`` -> values."""
        self._roll()
        return self._dims[name]

    def over_days(self, days: Iterable[str]) -> list[float]:
        values: list[float] = []
        for day in days:
            values.extend(self.days.get(day, ()))
        return values


@dataclass
class ClockPass:
    """FRT, AHT and attainment of one window, from one read of its stopped clocks."""

    frt: Timing
    aht: Timing
    attainment: dict[tuple[str, str], list[int]]  # (dim, key) -> [met, total]
    frt_business: Timing | None = None  # FRT in the tiers' working minutes, when a tier has business hours

    def add(self, counts: dict[tuple[str, str], list[int]]) -> None:
        """Merge attainment counts read apart (``unstopped_counts``)."""
        for key, (met, total) in counts.items():
            entry = self.attainment.setdefault(key, [0, 0])
            entry[0] += met
            entry[1] += total

    def attained(self, dim: str, key: str = "") -> dict:
        met, total = self.attainment.get((dim, key), (0, 0))
        return attainment_entry(met, total)

    def attainment_keys(self, dim: str) -> list[str]:
        return sorted(key for d, key in self.attainment if d == dim)


def clock_pass(conn: sqlite3.Connection, start: datetime, end: datetime, window_start: datetime, *,
               channel: str | None = None, tier: str | None = None, frt_by: str = "started",
               track_tickets: bool = False, need: frozenset[str] = frozenset({"frt", "aht", "attainment"}),
               days: LocalDays | None = None, policy: Policy | None = None, unstopped: bool = True) -> ClockPass:
    """Read the response clocks stopped in [start, end] (plus AHT_MAX_MINUTES before, so every
    reply's previous reply is known) and group them. Values from before ``window_start`` go only
    into the per-day lists (trends). ``frt_by`` = ``started`` counts a first response on the
    buyer's day, ``stopped`` on the reply's. Attainment counts only the window. With
    ``track_tickets`` each window value's ticket id is kept too (for alerts: which tickets);
    ``need`` names the measures wanted, so an alert on one of them reads no more than it needs.
    Attainment counts the targets not stopped yet too (``unstopped_counts``), unless
    ``unstopped`` is False (the caller reads them apart and ``add``s them).
    ``days`` names the per-day lists by the seller's local date (UTC dates without it). With a
    ``policy`` whose tiers or channels run on business hours, first responses are also measured
    in working minutes of the ticket's calendar (``frt_business``).

    Over 60 lines on purpose: the loop below is the check-up's one Python loop over rows (every
    stopped clock of the window), kept in one body with its lookups bound to locals rather than
    a function call per row."""
    takes = read_takes(conn, start, end) if "aht" in need else {}
    rows = reads.clock_rows(conn, start - timedelta(minutes=AHT_MAX_MINUTES), end, channel=channel, tier=tier,
                            frt_by=frt_by, sep=_SEP)

    days = days or LocalDays(UTC, start, end)
    local_day = days.day
    first_day, window_text = to_db(start), to_db(window_start)
    frt, aht = Timing(), Timing()
    business = _business_minutes(policy, start, end) if policy is not None and "frt" in need else None
    frt_business = Timing() if business is not None else None
    if track_tickets:
        frt.tickets, aht.tickets = [], []
    frt_combos, aht_combos = frt.combos, aht.combos
    attained: dict[tuple, int] = {}  # (first?, day, combo, met?) -> count
    last_reply: dict[tuple[int, str], float] = {}
    cap_days = AHT_MAX_MINUTES / 1440.0
    for first, ticket_id, stopped, frt_at_text, agent, combo, met, stop_jd, start_jd in rows:
        if stop_jd is None:
            continue  # a stop time another program wrote in another format
        if agent:
            key = (ticket_id, agent)
            previous = last_reply.get(key)
            last_reply[key] = stop_jd
            if stopped < first_day:
                continue  # read only to know the replies before the window
            times = takes.get(key)
            take_jd = None
            if times:
                index = bisect_right(times, stop_jd)
                if index:
                    take_jd = times[index - 1]
        elif stopped < first_day:
            continue
        day = local_day(stopped)
        inside = stopped >= window_text
        if inside:
            key = (first, day, combo, met)
            attained[key] = attained.get(key, 0) + 1
        if start_jd is not None and frt_at_text >= first_day:
            frt_minutes = (stop_jd - start_jd) * 1440.0
            frt_inside = frt_at_text >= window_text
            frt_combos[local_day(frt_at_text), frt_inside, combo].append(frt_minutes)
            if business is not None:
                frt_business.combos[local_day(frt_at_text), frt_inside, combo].append(business(combo, start_jd, stop_jd))
            if track_tickets and frt_inside:
                frt.tickets.append((frt_minutes, ticket_id))
        if not agent:
            continue
        if take_jd is None or stop_jd - take_jd > cap_days:
            if inside:
                aht.no_recent_take += 1
        elif previous is None or previous < take_jd:
            span = (stop_jd - take_jd) * 1440.0
            aht_combos[day, inside, combo].append(span)
            if track_tickets and inside:
                aht.tickets.append((span, ticket_id))

    counts = _attainment_counts(attained)
    if "attainment" in need and unstopped:
        unstopped_counts(conn, window_start, end, channel, tier, days, into=counts)
    return ClockPass(frt, aht, dict(counts), frt_business)


def _attainment_counts(attained: dict[tuple, int]) -> defaultdict[tuple[str, str], list[int]]:
    """(dimension, key) -> [met, total] from clock_pass's (first?, day, combo, met?) counts."""
    counts: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (first, day, combo, met), total in attained.items():
        met = total if met else 0
        kind = "first_response" if first else "next_response"
        agent, tier_name, channel_name, _category = combo.split(_SEP, 3)
        for key in (("all", ""), ("kind", kind), ("day", day), ("agent", agent), ("tier", tier_name), ("channel", channel_name)):
            entry = counts[key]
            entry[0] += met
            entry[1] += total
    return counts


def unstopped_counts(conn: sqlite3.Connection, window_start: datetime, end: datetime, channel: str | None,
                     tier: str | None, days: LocalDays, *, into: dict | None = None) -> dict[tuple[str, str], list[int]]:
    """The attainment counts clock_pass adds to the stopped clocks': the marketplace deadline and
    the open tickets past due. Apart, so the check-up reads them (SQL aggregates, small results)
    on its second connection while this thread groups the clocks; ``ClockPass.add`` merges them."""
    counts = into if into is not None else defaultdict(lambda: [0, 0])
    _marketplace(conn, counts, window_start, end, channel, tier, days)
    _running_breaches(conn, counts, window_start, end, channel, tier, days)
    return counts


def read_takes(conn: sqlite3.Connection, start: datetime, end: datetime) -> dict[tuple[int, str], list[float]]:
    """Every take in reach of clock_pass(start, end) (from 8 h before the first reply counted):
    (ticket, agent) -> julian days, sorted."""
    takes: dict[tuple[int, str], list[float]] = defaultdict(list)
    for ticket_id, agent, take_jd in reads.take_rows(conn, start - timedelta(minutes=AHT_MAX_MINUTES), end):
        takes[ticket_id, agent].append(take_jd)
    for times in takes.values():
        if len(times) > 1:
            times.sort()
    return takes


def _business_minutes(policy: Policy, start: datetime, end: datetime) -> Callable[[str, float, float], float] | None:
    """Working minutes between two julian days on the calendar of a combo's tier and channel, or
    None when every calendar is 24/7 (then business minutes are calendar minutes)."""
    if all(calendar.always for calendar in policy.calendars.values()):
        return None
    calendars: dict[tuple[str, str], WorkingTime | None] = {}
    # First responses stopped in the range may have started well before it.
    reach = (start - timedelta(days=BUSINESS_LOOKBACK_DAYS), end)

    def minutes(combo: str, start_jd: float, stop_jd: float) -> float:
        _, tier_name, channel_name, _ = combo.split(_SEP, 3)
        key = (tier_name, channel_name)
        if key not in calendars:
            calendar = policy.calendar_for(policy.tier(tier_name), channel_name)
            calendars[key] = None if calendar.always else WorkingTime(calendar, *reach)
        working = calendars[key]
        if working is None:
            return (stop_jd - start_jd) * 1440.0
        return working.minutes_between(_julian_seconds(start_jd), _julian_seconds(stop_jd))

    return minutes


BUSINESS_LOOKBACK_DAYS = 60


class WorkingTime:
    """A calendar's working time as a running total, so the working minutes between two instants
    are two bisections (``sla.working_minutes_between`` walks the intervals: ~18 µs a call, 1.6 s
    for 87k first responses). Instants outside the prepared range take that exact walk."""

    def __init__(self, calendar: Calendar, start: datetime, end: datetime) -> None:
        self.calendar = calendar
        self.start, self.end = start.timestamp(), end.timestamp()
        self.opens: list[float] = []
        self.closes: list[float] = []
        self.before: list[float] = []  # working seconds from the first interval to each open
        total = 0.0
        for opens, closes in working_intervals(calendar, start):
            if opens.timestamp() > self.end:
                break
            self.opens.append(opens.timestamp())
            self.closes.append(closes.timestamp())
            self.before.append(total)
            total += closes.timestamp() - opens.timestamp()

    def _worked(self, moment: float) -> float:
        index = bisect_right(self.opens, moment) - 1
        if index < 0:
            return 0.0
        return self.before[index] + min(moment, self.closes[index]) - self.opens[index]

    def minutes_between(self, first: float, last: float) -> float:
        if not (self.start <= first <= self.end and self.start <= last <= self.end):
            return working_minutes_between(datetime.fromtimestamp(first, UTC), datetime.fromtimestamp(last, UTC),
                                           self.calendar)
        return (self._worked(last) - self._worked(first)) / 60.0


def _julian_seconds(day: float) -> float:
    """Unix seconds of a julian day number, to the whole second as stored."""
    return float(round((day - 2440587.5) * 86400.0))


def _marketplace(conn, counts, window_start: datetime, end: datetime, channel, tier, days: LocalDays) -> None:
    """The marketplace's own deadline (Amazon's 24 h), which an auto-ack stops: counted apart."""
    for day, met, total in reads.marketplace_rows(conn, window_start, end, channel, tier, days.sql):
        for key in (("marketplace", ""), ("marketplace_day", day)):
            counts[key][0] += met
            counts[key][1] += total


def _running_breaches(conn, counts, window_start: datetime, end: datetime, channel, tier, days: LocalDays) -> None:
    """Open tickets whose internal or marketplace clock is past due: missed targets not stopped.
    Either clock past due means ``due_at`` (the earliest) is too, so open tickets are found with
    the inbox's due-time index; paused ones (pending, snoozed) are read apart."""
    internal, marketplace = reads.running_breach_rows(conn, window_start, end, channel, tier, days.sql)
    for kind, day, agent, tier_name, channel_name, count in internal:
        for key in (("all", ""), ("kind", kind), ("day", day), ("agent", agent), ("tier", tier_name),
                    ("channel", channel_name)):
            counts[key][1] += count
    for day, count in marketplace:
        counts["marketplace", ""][1] += count
        counts["marketplace_day", day][1] += count


# --------------------------------------------------------------------------------------------
# Volumes and spikes
# --------------------------------------------------------------------------------------------

def volumes(conn: sqlite3.Connection, now: datetime, start: datetime, *, channel: str | None = None,
            fulfillment: bool = False, days: LocalDays | None = None) -> list[tuple]:
    """Tickets created in [start, now], counted per (category, channel, local date, 24 h period
    back from now: 0 = the last 24 h[, fulfilment of the ticket's order]). One indexed range scan
    of tickets.created_at. The period needs no date arithmetic: a ticket of UTC day D at time t is
    in period (today - D) when t <= now's time of day, else in the period after it. Dates are the
    seller's (``days``), UTC without it; periods are 24 h whatever the zone."""
    days = days or LocalDays(UTC, start, now)
    local = not days.utc
    today = now.astimezone(UTC).date()  # the UTC date, like substr(created_at, 1, 10)
    rows = []
    for row in reads.volume_rows(conn, now, start, channel=channel, fulfillment=fulfillment,
                                 local_date=None if days.utc else days.sql):
        try:
            back = (today - date.fromisoformat(row[2])).days
        except ValueError:
            continue  # a created_at another program wrote in another format
        if local:
            rows.append((row[0], row[1], row[-2], back - row[3], *row[4:-2], row[-1]))
        else:
            rows.append((row[0], row[1], row[2], back - row[3], *row[4:]))
    return rows


def spike_test(periods: Sequence[int]) -> dict:
    """Apply the spike rule to daily counts, newest first (``periods[0]`` = the last 24 h).

    A spike when, over the last RECENT_DAYS periods against the BASELINE_DAYS before them:
    the recent daily average is at least MIN_RISE_PCT % above the baseline daily average, the
    recent total is at least MIN_RECENT_TICKETS, and at least SUSTAINED_DAYS of the recent
    periods are each above the baseline average. Integer arithmetic: exactly +15 % fires.
    A category absent from the baseline is compared with one ticket over the baseline (``new``).
    """
    counts = list(periods) + [0] * max(0, RECENT_DAYS + BASELINE_DAYS - len(periods))
    recent = counts[:RECENT_DAYS]
    baseline = counts[RECENT_DAYS:RECENT_DAYS + BASELINE_DAYS]
    recent_total, baseline_total = sum(recent), sum(baseline)
    # recent_avg >= baseline_avg * (1 + rise)  <=>  recent_total * B * 100 >= baseline_total * R * (100 + rise)
    rises = recent_total * BASELINE_DAYS * 100 >= baseline_total * RECENT_DAYS * (100 + MIN_RISE_PCT)
    above = sum(1 for count in recent if count * BASELINE_DAYS > baseline_total)
    enough = recent_total >= MIN_RECENT_TICKETS
    recent_avg = recent_total / RECENT_DAYS
    baseline_avg = baseline_total / BASELINE_DAYS
    reference = baseline_avg if baseline_total else 1 / BASELINE_DAYS
    return {
        "recent": list(reversed(recent)),  # oldest first, like every series
        "recent_total": recent_total,
        "baseline_total": baseline_total,
        "recent_avg": round(recent_avg, 2),
        "baseline_avg": round(baseline_avg, 2),
        "rise_pct": round(100.0 * (recent_avg - reference) / reference, 1),
        "days_above_baseline": above,
        "new": baseline_total == 0 and recent_total > 0,
        "spike": bool(rises and enough and above >= SUSTAINED_DAYS),
    }


def category_periods(rows: Iterable[tuple]) -> dict[str, list[int]]:
    """From ``volumes`` rows: category -> counts per 24 h period, newest first."""
    span = RECENT_DAYS + BASELINE_DAYS
    found: dict[str, list[int]] = {}
    for row in rows:
        category, period, count = row[0], row[3], row[-1]
        if period is None or not 0 <= period < span:
            continue
        found.setdefault(category, [0] * span)[period] += count
    return found


def spikes(conn: sqlite3.Connection, now: datetime, *, channel: str | None = None) -> dict[str, dict]:
    """category -> spike_test result, for every category seen in the last 17 days."""
    rows = volumes(conn, now, now - timedelta(days=RECENT_DAYS + BASELINE_DAYS), channel=channel)
    return {category: spike_test(counts) for category, counts in category_periods(rows).items()}


def spike_ticket_ids(conn: sqlite3.Connection, now: datetime, categories: Sequence[str], *,
                     channel: str | None = None, limit: int = 50) -> list[int]:
    return reads.recent_ticket_ids(conn, now - timedelta(days=RECENT_DAYS), now, categories, channel=channel, limit=limit)
