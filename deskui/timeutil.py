"""Stored times are UTC ISO-8601 text of one fixed width, so SQL compares them as strings.

Input times arrive in every format sellers' files use; python-dateutil reads them, and a naive
time is taken to be in the configured zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

from dateutil import parser as date_parser
from dateutil import tz

UTC = timezone.utc
STORED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class TimeParseError(ValueError):
    pass


def to_db(moment: datetime | None) -> str | None:
    """Format an aware datetime for storage (``2026-11-25T09:30:00Z``)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("refusing to store a naive datetime")
    return moment.astimezone(UTC).strftime(STORED_FORMAT)


def from_db(text: str | None, default_zone: tzinfo = UTC) -> datetime | None:
    """Read a stored time. Rows written by other programs may hold any format, or garbage:
    garbage reads as None rather than taking the screen down."""
    if not text:
        return None
    if len(text) == 20 and text[19] == "Z" and text[10] == "T":
        try:
            # fromisoformat reads our own format ~50x faster than strptime; refresh and the
            # inbox call this for every row they touch.
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    try:
        return parse_time(text, default_zone)
    except TimeParseError:
        return None


def parse_time(text: str, default_zone: tzinfo = UTC) -> datetime:
    """Parse a time in any common format; a naive one is in ``default_zone``."""
    try:
        parsed = date_parser.parse(text)
    except (ValueError, OverflowError) as error:
        raise TimeParseError(f"not a date/time: {text!r}") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_zone)
    return parsed.astimezone(UTC)


def zone(name: str | None) -> tzinfo:
    """A time zone by IANA name; dateutil ships its own database, so this works without tzdata."""
    if not name or name.upper() == "UTC":
        return UTC
    try:
        found = tz.gettz(name)
        # "GMT+25" parses as a POSIX TZ string whose offset datetime refuses later, mid-report.
        if found is not None:
            for month in (1, 7):  # both sides of a summer time
                datetime(2026, month, 1, tzinfo=found).astimezone(UTC)
    except (OSError, ValueError, OverflowError):  # OSError: a name too long for a file path
        found = None
    if found is None:
        raise ValueError(f"unknown time zone {name!r}")
    return found


def zone_name(found: tzinfo) -> str:
    """The IANA name of a zone from ``zone`` (dateutil keeps it as ``_filename``), for reports."""
    if found is UTC:
        return "UTC"
    return getattr(found, "key", None) or getattr(found, "_filename", None) or str(found)


def parse_duration(text: str) -> timedelta:
    """``"90m"``, ``"2h"``, ``"1h30m"``, ``"1d"``, ``"45"`` (minutes) -> timedelta."""
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned:
        raise ValueError("empty duration")
    if cleaned.isdigit():
        return timedelta(minutes=int(cleaned))
    units = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
    total = timedelta()
    number = ""
    for char in cleaned:
        if char.isdigit() or char == ".":
            number += char
        elif char in units and number:
            total += timedelta(**{units[char]: float(number)})
            number = ""
        else:
            raise ValueError(f"not a duration: {text!r} (use e.g. 90m, 2h, 1h30m, 1d)")
    if number:
        raise ValueError(f"not a duration: {text!r} (a number needs a unit: m, h or d)")
    return total


def format_minutes(minutes: float) -> str:
    """A target for people: 60 -> "60m", 120 -> "2h", 1440 -> "24h", 90 -> "1h30m"."""
    minutes = int(round(minutes))
    if minutes < 60 or minutes % 60 and minutes < 120:
        return f"{minutes}m" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"
    hours, rest = divmod(minutes, 60)
    return f"{hours}h" if not rest else f"{hours}h{rest:02d}m"
