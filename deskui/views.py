"""Saved views: named filters an agent switches between with the keys 1-9.

The built-in ones (all, mine, unassigned, breached, snoozed, pending) are views like any other; a
view in the config file with the same key replaces the built-in one.

```toml
[[views]]
name = "Amazon defects"
key = 7
channel = "amazon"                       # a name or a list, for every filter below
tier = ["critical", "high"]
category = ["damaged", "missing_item", "wrong_item"]
state = ["breached", "imminent", "at_risk"]
status = "open"                          # open / pending / snoozed
assignee = "me"                          # "me", "none" or an agent's name
asin = "B0C1234567"
sku = "LAMP-BRS-01"
tag = "vip"
older_than = "2d"
text = "refund"
sort = "due"                             # risk, due, oldest, channel
```
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from deskui.policy.loader import Problem, _LineIndex
from deskui.sla import SlaState
from deskui.timeutil import parse_duration

STATUSES = ("open", "pending", "snoozed")
SORTS = ("risk", "due", "oldest", "channel")
_LISTS = {"channel": "channels", "tier": "tiers", "category": "categories", "state": "states", "status": "statuses"}
_TEXTS = ("assignee", "asin", "sku", "tag", "text")
_KEYS = {"name", "key", "older_than", "sort", *_LISTS, *_TEXTS}


@dataclass(frozen=True)
class View:
    name: str
    key: int | None = None
    channels: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    assignee: str | None = None  # "me", "none" or a name
    asin: str | None = None
    sku: str | None = None
    tag: str | None = None
    older_than_minutes: int | None = None
    text: str | None = None
    sort: str | None = None


BUILTIN_VIEWS = (
    View("All", 1),
    View("Mine", 2, assignee="me"),
    View("Unassigned", 3, assignee="none"),
    View("Breached", 4, states=("breached", "imminent")),
    View("Snoozed", 5, statuses=("snoozed",)),
    View("Pending", 6, statuses=("pending",)),
)


class ViewError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def parse_views(data: dict, source: str, file: str) -> list[View]:
    """The ``[[views]]`` tables of a config file; every problem is ``FILE:LINE: field: what``."""
    raw = data.get("views", [])
    index = _LineIndex(source)
    problems: list[Problem] = []

    def problem(path: tuple, message: str) -> None:
        field = "views" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
        problems.append(Problem(file, index.line("views", *path), field, message))

    if not isinstance(raw, list):
        problem((), "must be [[views]] tables")
        raise ViewError(problems)
    views = []
    for number, table in enumerate(raw):
        if not isinstance(table, dict):
            problem((number,), "must be a table")
            continue
        view = _parse_one(table, lambda key, message, n=number: problem((n, key), message))
        if view is not None:
            views.append(view)
    keys = [view.key for view in views if view.key is not None]
    for key in {key for key in keys if keys.count(key) > 1}:
        number = next(n for n, table in enumerate(raw) if isinstance(table, dict) and table.get("key") == key)
        problem((number, "key"), f"key {key} is used by two views")
    if problems:
        raise ViewError(problems)
    return views


def _parse_one(table: dict[str, Any], problem) -> View | None:
    bad = False
    for key in table:
        if key not in _KEYS:
            problem(key, f"unknown field; fields: {', '.join(sorted(_KEYS))}")
            bad = True
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        problem("name", "missing: every view needs a name")
        return None
    key = table.get("key")
    if key is not None and (isinstance(key, bool) or not isinstance(key, int) or not 1 <= key <= 9):
        problem("key", "must be a number from 1 to 9")
        bad = True
    lists: dict[str, tuple[str, ...]] = {}
    for field, attribute in _LISTS.items():
        value = table.get(field, [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            problem(field, "must be a name or a list of names")
            bad = True
            continue
        lists[attribute] = tuple(item.strip().lower() for item in value)
    for state in lists.get("states", ()):
        if state not in {s.key for s in SlaState}:
            problem("state", f"unknown state {state!r}; one of {', '.join(s.key for s in SlaState)}")
            bad = True
    for status in lists.get("statuses", ()):
        if status not in STATUSES:
            problem("status", f"unknown status {status!r}; one of {', '.join(STATUSES)}")
            bad = True
    texts = {}
    for field in _TEXTS:
        value = table.get(field)
        if value is not None and not isinstance(value, str):
            problem(field, "must be text")
            bad = True
        texts[field] = value.strip() if isinstance(value, str) and value.strip() else None
    older = None
    if table.get("older_than") is not None:
        try:
            older = int(parse_duration(str(table["older_than"])).total_seconds() // 60)
        except ValueError as error:
            problem("older_than", str(error))
            bad = True
    sort = table.get("sort")
    if sort is not None and sort not in SORTS:
        problem("sort", f"unknown sort {sort!r}; one of {', '.join(SORTS)}")
        bad = True
    if bad:
        return None
    return View(name.strip(), key, older_than_minutes=older, sort=sort, **lists, **texts)


def views_by_key(configured: list[View]) -> dict[int, View]:
    """The views on the keys 1-9: the built-in ones, replaced by a configured view on the same
    key; configured views without a key take the free keys in order."""
    by_key = {view.key: view for view in BUILTIN_VIEWS}
    free = list(range(7, 10))
    for view in configured:
        if view.key is not None:
            by_key[view.key] = view
    for view in configured:
        if view.key is None:
            spare = [key for key in free if key not in {v.key for v in configured if v.key}]
            if spare:
                key = spare[0]
                free.remove(key)
                by_key[key] = replace(view, key=key)
    return dict(sorted(by_key.items()))
