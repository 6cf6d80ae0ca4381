"""Read a policy from TOML, reporting every problem with its file, line and field."""

from __future__ import annotations

import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any

from deskui.configfile import ConfigFileError, Document, LineIndex, Problem, Reader
from deskui.policy.model import ALWAYS, CHANNELS, WEEKDAYS, Calendar, Policy, Rule, Tier
from deskui.timeutil import parse_duration, zone
from deskui.triage.lexicon import CATEGORIES

TOP_LEVEL_KEYS = {
    "thresholds",
    "marketplace_deadlines",
    "tiers",
    "rules",
    "calendars",
    "channel_calendars",
    "keywords",
}


class PolicyError(ConfigFileError):
    """Every problem of a policy (or lexicon, or lint rules) file, one ``FILE:LINE: field: what`` a line."""


# The lexicon reader (deskui/triage/lexicon.py) imports the line index from here.
_LineIndex = LineIndex


class _Reader(Reader):
    """The policy's own value kinds on top of the shared reader."""

    def minutes(self, value: Any, path: tuple, required: bool = True) -> int | None:
        if value is None:
            if required:
                self.problem(path, "missing; give minutes or a duration such as \"2h\"")
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, (int, float)):
                minutes = float(value)
            else:
                minutes = parse_duration(str(value)).total_seconds() / 60
        except ValueError:
            self.problem(path, f"{value!r} is not a duration (use e.g. 90, \"90m\", \"2h\", \"1d\")")
            return None
        if minutes <= 0:
            self.problem(path, "must be greater than zero")
            return None
        return int(round(minutes))

    def names(self, value: Any, path: tuple) -> frozenset[str]:
        if value is None:
            return frozenset()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem(path, "must be a list of strings")
            return frozenset()
        return frozenset(item.strip().lower() for item in value)


def _parse_clock(text: str) -> time:
    hours, _, minutes = text.strip().partition(":")
    if hours == "24" and minutes in ("", "00"):
        return time(0, 0)
    return time(int(hours), int(minutes or 0))


def _read_calendar(reader: _Reader, name: str, raw: Any) -> Calendar:
    path = ("calendars", name)
    if not isinstance(raw, dict):
        reader.problem(path, "must be a table")
        return ALWAYS
    unknown = set(raw) - {"timezone", "weekdays", "hours", "holidays"}
    for key in sorted(unknown):
        reader.problem((*path, key), "unknown key (expected timezone, weekdays, hours, holidays)")
    timezone_name = raw.get("timezone", "UTC")
    try:
        zone(timezone_name)
    except ValueError:
        reader.problem((*path, "timezone"), f"unknown time zone {timezone_name!r} (e.g. \"Europe/Paris\")")
        timezone_name = "UTC"
    weekdays = set()
    for day in raw.get("weekdays", list(WEEKDAYS[:5])):
        key = str(day).strip().lower()[:3]
        if key not in WEEKDAYS:
            reader.problem((*path, "weekdays"), f"{day!r} is not a weekday (mon ... sun)")
            continue
        weekdays.add(WEEKDAYS.index(key))
    if not weekdays:
        reader.problem((*path, "weekdays"), "a calendar needs at least one working day")
        weekdays = set(range(5))
    hours = raw.get("hours", "09:00-17:00")
    try:
        opens_text, closes_text = str(hours).split("-")
        opens, closes = _parse_clock(opens_text), _parse_clock(closes_text)
        if closes != time(0, 0) and closes <= opens:
            raise ValueError
    except ValueError:
        reader.problem((*path, "hours"), f"{hours!r} is not a range of hours like \"09:00-18:00\"")
        opens, closes = time(9), time(17)
    holidays = set()
    for day in raw.get("holidays", []):
        try:
            holidays.add(day if isinstance(day, date) else date.fromisoformat(str(day)))
        except ValueError:
            reader.problem((*path, "holidays"), f"{day!r} is not a date like 2026-12-25")
    return Calendar(
        name=name,
        timezone=timezone_name,
        weekdays=frozenset(weekdays),
        opens=opens,
        closes=closes,
        holidays=frozenset(holidays),
        always=False,
    )


def parse_policy(source: str, file: str = "<policy>") -> Policy:
    """Build a Policy from TOML text; raise PolicyError listing every problem found."""
    try:
        document = Document.parse(source, file)
    except ConfigFileError as error:
        raise PolicyError(error.problems) from None
    return policy_from_document(document)


def policy_from_document(document: Document) -> Policy:
    """The policy in a parsed file; raise PolicyError listing every problem found."""
    data = document.data
    reader = _Reader(document)
    reader.unknown(data, (), TOP_LEVEL_KEYS, f"unknown section (expected one of {', '.join(sorted(TOP_LEVEL_KEYS))})")
    at_risk, imminent = _thresholds(reader, data.get("thresholds", {}))
    deadlines = {}
    for channel, value in data.get("marketplace_deadlines", {}).items():
        if channel.lower() not in CHANNELS:
            reader.problem(("marketplace_deadlines", channel), f"unknown channel (one of {', '.join(CHANNELS)})")
        minutes = reader.minutes(value, ("marketplace_deadlines", channel))
        if minutes:
            deadlines[channel.lower()] = minutes
    calendars = {name: _read_calendar(reader, name, raw) for name, raw in data.get("calendars", {}).items()}
    calendars.setdefault(ALWAYS.name, ALWAYS)
    keyword_groups = _keyword_groups(reader, data.get("keywords", {}))
    tiers = _tiers(reader, data.get("tiers", []), calendars)
    for channel, calendar in data.get("channel_calendars", {}).items():
        if channel.lower() not in CHANNELS:
            reader.problem(("channel_calendars", channel), f"unknown channel (one of {', '.join(CHANNELS)})")
        if calendar not in calendars:
            reader.problem(("channel_calendars", channel), f"no calendar named {calendar!r} in [calendars]")
    rules = _rules(reader, data.get("rules", []), {tier.name for tier in tiers}, keyword_groups)
    reader.raise_problems(PolicyError)
    return Policy(
        tiers=tuple(tiers),
        rules=tuple(rules),
        at_risk_fraction=float(at_risk),
        imminent_fraction=float(imminent),
        marketplace_deadline_minutes=deadlines,
        calendars=calendars,
        channel_calendars={k.lower(): v for k, v in data.get("channel_calendars", {}).items()},
        keyword_groups=keyword_groups,
        source=document.file,
    )


def _thresholds(reader: _Reader, thresholds: dict) -> tuple[Any, Any]:
    at_risk = thresholds.get("at_risk", 0.25)
    imminent = thresholds.get("imminent", 0.10)
    for name, value in (("at_risk", at_risk), ("imminent", imminent)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            reader.problem(("thresholds", name), f"{value!r} must be a fraction between 0 and 1, e.g. 0.25")
    if isinstance(at_risk, float) and isinstance(imminent, float) and imminent >= at_risk:
        reader.problem(("thresholds", "imminent"), "must be smaller than at_risk")
    return at_risk, imminent


def _keyword_groups(reader: _Reader, raw: dict) -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for name, terms in raw.items():
        if name in CATEGORIES:
            reader.problem(("keywords", name), "clashes with a built-in category; pick another group name")
        if not isinstance(terms, list) or not terms or not all(isinstance(t, str) and t.strip() for t in terms):
            reader.problem(("keywords", name), "must be a non-empty list of words or phrases")
            continue
        groups[name] = tuple(terms)
    return groups


_TIER_KEYS = {"name", "first_response", "next_response", "resolution", "calendar", "why"}
_RULE_KEYS = ("tier", "channels", "categories", "keywords", "tags", "why")


def _tiers(reader: _Reader, raw_tiers: Any, calendars: dict[str, Calendar]) -> list[Tier]:
    tiers: list[Tier] = []
    if not isinstance(raw_tiers, list) or not raw_tiers:
        reader.problem(("tiers",), "a policy needs at least one [[tiers]] table")
        raw_tiers = []
    for position, raw in enumerate(raw_tiers):
        path = ("tiers", position)
        reader.unknown(raw, path, _TIER_KEYS, "unknown key")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            reader.problem((*path, "name"), "every tier needs a name")
            continue
        if any(tier.name == name for tier in tiers):
            reader.problem((*path, "name"), f"tier {name!r} is defined twice")
        first = reader.minutes(raw.get("first_response"), (*path, "first_response"))
        following = reader.minutes(raw.get("next_response", raw.get("first_response")), (*path, "next_response"))
        resolution = reader.minutes(raw.get("resolution"), (*path, "resolution"), required=False)
        calendar = raw.get("calendar")
        if calendar is not None and calendar not in calendars:
            reader.problem((*path, "calendar"), f"no calendar named {calendar!r} in [calendars]")
            calendar = None
        tiers.append(Tier(name=name, rank=position, first_response_minutes=first or 1440,
                          next_response_minutes=following or first or 1440, resolution_minutes=resolution,
                          calendar=calendar, why=str(raw.get("why", ""))))
    return tiers


def _rules(reader: _Reader, raw_rules: list, tier_names: set[str], keyword_groups: dict) -> list[Rule]:
    rules: list[Rule] = []
    for position, raw in enumerate(raw_rules):
        path = ("rules", position)
        reader.unknown(raw, path, _RULE_KEYS, f"unknown key (expected {', '.join(_RULE_KEYS)})")
        tier = raw.get("tier")
        if tier not in tier_names:
            reader.problem((*path, "tier"), f"{tier!r} is not a tier defined in [[tiers]]")
            continue
        channels = reader.names(raw.get("channels"), (*path, "channels"))
        for channel in sorted(channels - set(CHANNELS)):
            reader.problem((*path, "channels"), f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
        categories = reader.names(raw.get("categories"), (*path, "categories"))
        for category in sorted(categories - set(CATEGORIES)):
            reader.problem((*path, "categories"), f"unknown category {category!r} (one of {', '.join(CATEGORIES)})")
        groups = frozenset(raw.get("keywords", []) if isinstance(raw.get("keywords"), list) else [])
        for group in sorted(groups - set(keyword_groups)):
            reader.problem((*path, "keywords"), f"no keyword group {group!r} in [keywords]")
        rules.append(Rule(tier=tier, channels=channels, categories=categories, keyword_groups=groups,
                          tags=reader.names(raw.get("tags"), (*path, "tags")), why=str(raw.get("why", ""))))
    return rules


def default_policy_text() -> str:
    # A file beside this module (not importlib.resources: 5 ms of every launch for one read).
    return (Path(__file__).parent / "default.toml").read_text(encoding="utf-8")


_DEFAULT: Policy | None = None


def default_policy() -> Policy:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = parse_policy(default_policy_text(), "built-in default")
    return _DEFAULT


def load_policy(path: str | Path | None) -> Policy:
    if path is None:
        return default_policy()
    try:
        document = Document.read(path, what="the policy")
    except ConfigFileError as error:
        raise PolicyError(error.problems) from None
    return policy_from_document(document)


def check_lexicons(file: str | Path | None = None) -> tuple[list[Problem], list[str]]:
    """`deskui policy check`'s lexicon part: the problems and the OK lines for the seller's files.

    The files are the config's ``[triage] extra_lexicons``, plus ``file`` when it is a lexicon
    (a TOML file with a ``[language]`` table) rather than a policy.
    """
    from deskui.config import triage_extra_lexicons
    from deskui.triage.lexicon import check_lexicon_files, parse_lexicon

    try:
        paths = [Path(path) for path in triage_extra_lexicons()]
    except PolicyError as error:
        return error.problems, []
    if file is not None and is_lexicon_file(file):
        paths.insert(0, Path(file))
    problems = check_lexicon_files(paths)
    if problems:
        return problems, []
    lines = []
    for path in paths:
        language, _ = parse_lexicon(path.read_text(encoding="utf-8"), str(path))
        count = sum(len(terms) for terms in language.terms.values())
        lines.append(f"{path}: OK (lexicon {language.code}: {count} terms, {len(language.stop_phrases)} stop phrases)")
    return [], lines


def is_lexicon_file(file: str | Path) -> bool:
    """A triage lexicon file (it has a [language] table), not a policy."""
    try:
        return "language" in tomllib.loads(Path(file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
