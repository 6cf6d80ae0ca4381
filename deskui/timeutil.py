"""Stored times are UTC ISO-8601 text of one fixed width, so SQL compares them as strings.

Input times arrive in many formats; ``parse_time`` reads them, but only **whole** timestamps: a
date and a time (or, where a caller allows it, a full date alone). python-dateutil fills
whatever a text leaves out from "today" (``"12"`` is the 12th of this month, ``"3 pm"`` today
at 15:00), so every text is parsed against two different sentinel defaults: a part that comes
out different between them was missing, and the text is refused, naming it. A numeric date
whose day and month could be swapped (``01/02/2026``) is refused too unless the caller says
which comes first. A naive time is taken to be in the given zone.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone, tzinfo

UTC = timezone.utc
STORED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class TimeParseError(ValueError):
    """Not a whole date/time. ``detail`` says what is wrong when it is more than "unreadable"
    (a missing year, an ambiguous day/month order); None for plain garbage."""

    def __init__(self, message: str, detail: str | None = None):
        super().__init__(message)
        self.detail = detail


def to_db(moment: datetime | None) -> str | None:
    """Format an aware datetime for storage (``2026-11-25T09:30:00Z``)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("refusing to store a naive datetime")
    return moment.astimezone(UTC).strftime(STORED_FORMAT)


def from_db(text: str | None, default_zone: tzinfo = UTC) -> datetime | None:
    """Read a stored time. Rows written by other programs may hold any format, or garbage:
    garbage, and partial values (``"12"``, ``"3 pm"``), read as None rather than taking the
    screen down or becoming a time today. A full date alone is midnight."""
    if not text:
        return None
    if not isinstance(text, str):
        text = str(text)  # another program's INTEGER or REAL column
    if len(text) == 20 and text[19] == "Z" and text[10] == "T":
        try:
            # fromisoformat reads our own format ~50x faster than strptime; refresh and the
            # inbox call this for every row they touch.
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    try:
        return parse_time(text, default_zone, date_only=True)
    except (TimeParseError, OverflowError):
        return None


# "2026-11-25 10:00:00 +0000" (Shopify), "2026-11-25T10:00Z": read without dateutil.
_ISO_LIKE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?", re.I)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_YEAR_FIRST = re.compile(r"\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)")
# Two defaults that differ in every part a text must give: dateutil copies a missing part from
# its default, so a part that comes out different between the two was missing from the text.
_SENTINELS = (datetime(2000, 1, 1, 0, 0), datetime(2001, 2, 2, 1, 0))
_PARTS = (("year", "year"), ("month", "month"), ("day", "day"))


def parse_time(text: str, default_zone: tzinfo = UTC, *, dayfirst: bool | None = None, date_only: bool = False) -> datetime:
    """A whole timestamp in any common format, as an aware UTC datetime; a naive one is in
    ``default_zone`` (a wall time that DST skips moves forward by the gap).

    * ``dayfirst``: the order of an ambiguous numeric date (``01/02/2026``): True day first,
      False month first, None (the default) refuses it. Year-first dates are never ambiguous.
    * ``date_only``: accept a full date without a time (midnight); otherwise it is refused.

    Raises TimeParseError naming the value; it never fills a missing part from today."""
    cleaned = text.strip()
    if not cleaned:
        raise TimeParseError(f"not a date/time: {text!r}")
    moment = None
    if len(cleaned) > 10:  # a date and a time at least: Python's own ISO reader, ~10x faster
        try:
            moment = datetime.fromisoformat(cleaned)
        except ValueError:
            pass
    if moment is None:
        moment = _iso(cleaned, text, date_only)
    if moment is None:
        moment = _dateutil(cleaned, text, dayfirst, date_only)
    if moment.tzinfo is None:
        from dateutil import tz

        moment = tz.resolve_imaginary(moment.replace(tzinfo=default_zone))
    return moment.astimezone(UTC)


def _iso(cleaned: str, text: str, date_only: bool) -> datetime | None:
    found = _ISO_LIKE.fullmatch(cleaned)
    if found:
        year, month, day, hour, minute, second, fraction, offset = found.groups()
        try:
            moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                              int((fraction or "0").ljust(6, "0")))
        except ValueError:
            raise TimeParseError(f"not a date/time: {text!r}") from None
        return moment.replace(tzinfo=_offset(offset)) if offset else moment
    if _ISO_DATE.fullmatch(cleaned):
        try:
            moment = datetime.fromisoformat(cleaned)
        except ValueError:
            raise TimeParseError(f"not a date/time: {text!r}") from None
        if not date_only:
            raise TimeParseError(f"not a date/time: {text!r}", "a date without a time of day")
        return moment
    return None


@functools.lru_cache(maxsize=256)
def _offset(text: str) -> tzinfo:
    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


def _dateutil(cleaned: str, text: str, dayfirst: bool | None, date_only: bool) -> datetime:
    yearfirst = bool(_YEAR_FIRST.match(cleaned))
    orders = [False] if yearfirst else [dayfirst] if dayfirst is not None else [False, True]
    results, errors = [], []
    for order in orders:
        try:
            results.append(_with_sentinels(cleaned, text, order, yearfirst, date_only))
        except TimeParseError as error:
            errors.append(error)
    if not results:
        raise max(errors, key=lambda error: error.detail is not None)
    if len(results) == 2 and results[0] != results[1]:
        first, second = results
        raise TimeParseError(
            f"not a date/time: {text!r}",
            f"ambiguous date: {first:%d %b %Y} or {second:%d %b %Y}? say which order the file uses "
            "(deskui import --dayfirst or --monthfirst)")
    return results[0]


def _with_sentinels(cleaned: str, text: str, dayfirst: bool, yearfirst: bool, date_only: bool) -> datetime:
    parsed = []
    for default in _SENTINELS:
        try:
            parsed.append(_parse_date(cleaned, default=default, dayfirst=dayfirst, yearfirst=yearfirst))
        except (ValueError, OverflowError, TypeError):
            # "29 feb" parses against a leap-year default and not the other: a missing year.
            parsed.append(None)
    if parsed[0] is None and parsed[1] is None:
        raise TimeParseError(f"not a date/time: {text!r}")
    if None in parsed:
        raise TimeParseError(f"not a date/time: {text!r}", "not a whole date (no year)")
    first, second = parsed
    missing = [name for attr, name in _PARTS if getattr(first, attr) != getattr(second, attr)]
    if missing:
        raise TimeParseError(f"not a date/time: {text!r}", f"not a whole date (no {'/'.join(missing)})")
    if first.hour != second.hour and not date_only:
        raise TimeParseError(f"not a date/time: {text!r}", "a date without a time of day")
    return first


def zone(name: str | None) -> tzinfo:
    """A time zone by IANA name; dateutil ships its own database, so this works without tzdata."""
    if not name or name.upper() == "UTC":
        return UTC
    # Imported here: 5 ms of every launch, and the default settings name no zone but UTC.
    from dateutil import tz

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


def _parse_date(text: str, **options) -> datetime:
    """dateutil's parser, imported on first use: ~11 ms of every launch otherwise, and the
    inbox's first paint parses no free-form time (python -X importtime, 2026-12-03)."""
    from dateutil import parser

    return parser.parse(text, **options)
