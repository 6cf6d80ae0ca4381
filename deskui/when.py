"""Times as agents type them: when to wake a snoozed ticket.

``parse_when(text, now, zone)`` turns what an agent writes into an aware UTC instant, read in the
agent's zone. Pure: no clock, no database.

* **elapsed time**: ``30m``, ``2h``, ``1h30m``, ``1d``, ``90`` (minutes), ``in 30 minutes``,
  ``in 2 hours``, ``in 1 hour 30 minutes``, ``in 3 days``, ``in 1 week``. Elapsed means elapsed:
  ``2h`` across a DST change is two real hours, not two on the wall clock.
* **a day**: ``today``, ``tomorrow`` (also ``demain``, ``morgen``, ``mañana``, ``domani``), a weekday
  (``monday``, ``mon``, ``next monday``, ``on friday``), with an optional time of day
  (``tomorrow 9am``, ``friday 14:00``, ``mon at 2:30pm``). Without a time the day starts at
  ``MORNING`` (09:00). A weekday name is the **next** such day in the agent's zone: today's
  weekday with a time still ahead today is today, otherwise (a time already past, or no time)
  the same day next week. ``next monday`` is the same as ``monday``: the coming one.
* **a time of day alone**: ``9am``, ``14:00``, ``3 pm``, ``at 17:30``, ``noon``: today, or tomorrow
  when that time has passed.
* ``eod`` / ``end of day``: the end of the working day, ``END_OF_DAY`` (17:00) in the agent's zone,
  today if still ahead, else tomorrow. ``tonight``: ``TONIGHT`` (20:00) today; refused once past.
* **a date**: ``2026-12-01 08:30``, ``2026-12-01`` (at 09:00), ``1 dec 14:00``, ``dec 1`` (the next
  such date). Numeric dates must be year first: ``01/12`` is refused as ambiguous.

A wall time that a DST change skips moves forward by the gap (02:30 on the spring-forward night
is 03:30); one that happens twice is the first. Anything else, or a time not in the future,
raises ValueError with a hint.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from deskui.timeutil import TimeParseError, parse_duration, parse_time

UTC = timezone.utc
MORNING = time(9, 0)
END_OF_DAY = time(17, 0)
TONIGHT = time(20, 0)
HINT = "try 30m, 2h, in 30 minutes, tomorrow 9am, friday 14:00, next monday, eod or 2026-12-01 08:30"

WEEKDAYS = {name: number for number, names in enumerate((
    ("monday", "mon", "lundi", "montag", "lunes", "lunedi", "lunedì"),
    ("tuesday", "tue", "tues", "mardi", "dienstag", "martes", "martedi", "martedì"),
    ("wednesday", "wed", "mercredi", "mittwoch", "miercoles", "miércoles", "mercoledi", "mercoledì"),
    ("thursday", "thu", "thur", "thurs", "jeudi", "donnerstag", "jueves", "giovedi", "giovedì"),
    ("friday", "fri", "vendredi", "freitag", "viernes", "venerdi", "venerdì"),
    ("saturday", "sat", "samedi", "samstag", "sabado", "sábado"),
    ("sunday", "sun", "dimanche", "sonntag", "domingo", "domenica"),
)) for name in names}
DAY_WORDS = {"today": 0, "aujourd'hui": 0, "heute": 0, "hoy": 0, "oggi": 0,
             "tomorrow": 1, "tmrw": 1, "demain": 1, "morgen": 1, "mañana": 1, "manana": 1, "domani": 1}
_UNITS = {"m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m", "h": "h", "hr": "h", "hrs": "h", "hour": "h",
          "hours": "h", "d": "d", "day": "d", "days": "d", "w": "w", "week": "w", "weeks": "w"}
_IN = re.compile(r"^(?:in\s+)?((?:\d+(?:[.,]\d+)?\s*[a-z]+\s*(?:and\s+)?)+)$")
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:h.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")
_NAMED_TIMES = {"noon": time(12, 0), "midday": time(12, 0), "midi": time(12, 0), "midnight": time(0, 0)}


def parse_when(text: str, now: datetime, zone: tzinfo) -> datetime:
    """What an agent typed -> an aware UTC datetime after ``now`` (see the module's doc)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    cleaned = " ".join(text.strip().lower().replace(",", " ").split())
    if not cleaned:
        raise ValueError(f"give a time: {HINT}")
    result = _elapsed(cleaned, now)
    if result is None:
        result = _named(cleaned, now.astimezone(zone), zone)
    if result is None:
        raise ValueError(f"cannot read {text.strip()!r} as a time; {HINT}")
    if result <= now:
        raise ValueError(f"{text.strip()!r} is in the past ({describe(result, zone)}); {HINT}")
    return result


def _elapsed(cleaned: str, now: datetime) -> datetime | None:
    try:
        return now + parse_duration(cleaned)
    except ValueError:
        pass
    found = _IN.match(cleaned)
    if not found:
        return None
    total = timedelta()
    for amount, unit in _AMOUNT.findall(found.group(1)):
        key = _UNITS.get(unit)
        if key is None:
            return None
        value = float(amount.replace(",", "."))
        total += timedelta(weeks=value) if key == "w" else parse_duration(f"{value}{key}")
    return now + total if total else None


def _named(cleaned: str, local: datetime, zone: tzinfo) -> datetime | None:
    words = cleaned.split()
    if words[0] in ("on", "at"):
        words = words[1:]
    if not words:
        return None
    if words[0] == "next" and len(words) > 1 and words[1] in WEEKDAYS:
        words = words[1:]
    head, rest = words[0], " ".join(word for word in words[1:] if word != "at")
    if cleaned in ("eod", "end of day", "end of the day", "cob", "close of business"):
        day = local.date() if local.time() < END_OF_DAY else local.date() + timedelta(days=1)
        return wall(day, END_OF_DAY, zone)
    if cleaned in ("tonight", "this evening", "ce soir", "heute abend", "esta noche", "stasera"):
        return wall(local.date(), TONIGHT, zone)
    if head in DAY_WORDS or head in WEEKDAYS:
        at = clock_time(rest) if rest else MORNING
        if at is None:
            return None
        if head in DAY_WORDS:
            return wall(local.date() + timedelta(days=DAY_WORDS[head]), at, zone)
        ahead = (WEEKDAYS[head] - local.weekday()) % 7
        if ahead == 0 and not (rest and at > local.time()):
            ahead = 7  # today's weekday: today only for a time still ahead today
        return wall(local.date() + timedelta(days=ahead), at, zone)
    at = clock_time(" ".join(words))
    if at is not None:
        day = local.date() if at > local.time() else local.date() + timedelta(days=1)
        return wall(day, at, zone)
    return _date(" ".join(words), local, zone)


def clock_time(text: str) -> time | None:
    """``9``, ``9am``, ``9:30``, ``14h30``, ``2.30 pm``, ``noon`` -> a time of day; else None."""
    text = text.strip()
    if text in _NAMED_TIMES:
        return _NAMED_TIMES[text]
    found = _CLOCK.match(text)
    if not found:
        return None
    hour, minute, half = int(found.group(1)), int(found.group(2) or 0), found.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _date(text: str, local: datetime, zone: tzinfo) -> datetime | None:
    """A date, with or without a time: a whole one through parse_time; one without a year is
    the next such date."""
    try:
        return parse_time(text, zone, date_only=True) if _has_clock(text) else wall(_full_date(text), MORNING, zone)
    except TimeParseError as error:
        if error.detail != "not a whole date (no year)":
            return None
    default = datetime(local.year, 1, 1, MORNING.hour, MORNING.minute)
    readings = []
    for order in (False, True):
        try:
            readings.append(_parse_date(text, default=default, dayfirst=order))
        except (ValueError, OverflowError):
            pass
    if not readings:
        return None
    parsed, swapped = readings[0], readings[-1]
    if parsed != swapped:
        raise ValueError(f"{text!r} could be {swapped:%d %b} or {parsed:%d %b}: write the month as a word (1 dec) "
                         "or the whole date year first (2026-12-01)")
    for year in (local.year, local.year + 1):
        try:
            candidate = wall(date(year, parsed.month, parsed.day), parsed.time(), zone)
        except ValueError:
            continue  # 29 February
        if candidate > local:
            return candidate
    return None


def _has_clock(text: str) -> bool:
    return bool(re.search(r"\d:\d\d|\d\s*(am|pm)\b|\d{1,2}h\d{2}", text))


def _full_date(text: str) -> date:
    moment = parse_time(text, UTC, date_only=True)
    return moment.date()


def wall(day: date, at: time, zone: tzinfo) -> datetime:
    """The instant a wall clock in ``zone`` shows ``at`` on ``day``: a time DST skips moves
    forward by the gap, one it repeats is the first."""
    from dateutil import tz  # on first use: timeutil.zone says why

    local = tz.resolve_imaginary(datetime.combine(day, at, tzinfo=zone).replace(fold=0))
    return local.astimezone(UTC)


def describe(moment: datetime, zone: tzinfo, now: datetime | None = None) -> str:
    """``Fri 04 Dec 14:00 CET`` (``, in 2 h 30 min`` with ``now``): a wake-up time for people."""
    local = moment.astimezone(zone)
    text = f"{local:%a %d %b %H:%M} {local.tzname() or ''}".rstrip()
    if now is not None:
        minutes = max(0, int((moment - now).total_seconds() // 60))
        days, rest = divmod(minutes, 1440)
        hours, minutes = divmod(rest, 60)
        parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min" if minutes or not (days or hours) else ""]
        text += ", in " + " ".join(part for part in parts if part)
    return text


def _parse_date(text: str, **options) -> datetime:
    """dateutil's parser, imported on first use: ~11 ms of every launch otherwise, and the
    inbox's first paint parses no free-form time (python -X importtime, 2026-12-03)."""
    from dateutil import parser

    return parser.parse(text, **options)
