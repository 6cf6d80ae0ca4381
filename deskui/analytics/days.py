"""Calendar days in the seller's time zone, for times stored as UTC text.

A lead in Los Angeles reads "today" and "Saturday" as their own days: grouping by the UTC date
would start their Monday at 16:00 on Sunday and hide the weekend dip. Stored times are
fixed-width UTC text (``2026-11-25T09:30:00Z``), so:

- in SQL, a local date is ``date(column, '+N minutes')``, with N switched by a CASE at each
  daylight-saving change inside the range (a window of weeks holds one at most, usually none);
- in Python loops, a local date is a bisection into the UTC instants at which local days start.

Both are exact across DST changes; UTC itself keeps the plain ``substr(column, 1, 10)``.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta, tzinfo

from deskui.timeutil import from_db, to_db


def local_midnight(moment: datetime, zone: tzinfo) -> datetime:
    """The start (as an aware UTC time) of the local day that holds ``moment``."""
    local = moment.astimezone(zone)
    return datetime.combine(local.date(), datetime.min.time(), tzinfo=zone).astimezone(UTC)


def _offset_minutes(moment: datetime, zone: tzinfo) -> int:
    offset = moment.astimezone(zone).utcoffset() or timedelta()
    return int(offset.total_seconds() // 60)


class LocalDays:
    """Local dates for UTC instants in [start, end] (and a day either side)."""

    def __init__(self, zone: tzinfo, start: datetime, end: datetime) -> None:
        self.zone = zone
        self._changes = _changes(zone, start - timedelta(days=1), end + timedelta(days=1))
        self.utc = self._changes == [(self._changes[0][0], 0)]
        first = start.astimezone(zone).date() - timedelta(days=1)
        last = end.astimezone(zone).date() + timedelta(days=1)
        self._starts: list[str] = []
        self._labels: list[str] = []
        day = first
        while day <= last:
            self._starts.append(to_db(datetime.combine(day, datetime.min.time(), tzinfo=zone)))
            self._labels.append(day.isoformat())
            day += timedelta(days=1)

    def day(self, text: str) -> str:
        """The local date of a stored time."""
        if self.utc:
            return text[:10]
        if self._starts[0] <= text < self._starts[-1] and len(text) == 20:
            return self._labels[bisect_right(self._starts, text) - 1]
        moment = from_db(text)
        return moment.astimezone(self.zone).date().isoformat() if moment else text[:10]

    def today(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()

    def sql(self, column: str) -> str:
        """An SQL expression for the local date of ``column`` (a trusted column name)."""
        if self.utc:
            return f"substr({column}, 1, 10)"
        if not self._changes[1:]:
            return f"date({column}, '{self._changes[0][1]:+d} minutes')"
        branches = " ".join(f"WHEN {column} < '{to_db(until)}' THEN '{minutes:+d} minutes'"
                            for (_, minutes), (until, _) in zip(self._changes, self._changes[1:]))
        return f"date({column}, CASE {branches} ELSE '{self._changes[-1][1]:+d} minutes' END)"


def _changes(zone: tzinfo, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """(from, offset in minutes) for each stretch of constant offset between start and end."""
    changes = [(start, _offset_minutes(start, zone))]
    step = timedelta(hours=1)
    moment = start
    while moment < end:
        following = min(moment + step, end)
        offset = _offset_minutes(following, zone)
        if offset != changes[-1][1]:
            low, high = moment, following  # the change lies in (low, high]: narrow it to the second
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if _offset_minutes(middle, zone) == offset:
                    high = middle
                else:
                    low = middle
            changes.append((high.replace(microsecond=0), offset))
        moment = following
    return changes
