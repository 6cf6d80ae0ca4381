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

from deskui.configfile import ConfigFileError, Document, Reader
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


class ViewError(ConfigFileError, ValueError):
    pass


def parse_views(data: dict | Document, source: str | None = None, file: str = "<config>") -> list[View]:
    """The ``[[views]]`` tables of a config file (a :class:`Document`, or its data, text and name);
    every problem is ``FILE:LINE: field: what``."""
    document = data if isinstance(data, Document) else Document(data, source, file)
    reader = Reader(document)
    if not isinstance(document.get("views", []), list):
        reader.problem(("views",), "must be [[views]] tables")
        reader.raise_problems(ViewError)
    views, paths = [], []
    for path, table in reader.tables("views", "must be [[views]] tables"):
        view = _parse_one(reader, path, table)
        if view is not None:
            views.append(view)
            paths.append(path)
    keys = [view.key for view in views if view.key is not None]
    for key in sorted({key for key in keys if keys.count(key) > 1}):
        path = next(path for path, view in zip(paths, views) if view.key == key)
        reader.problem((*path, "key"), f"key {key} is used by two views")
    reader.raise_problems(ViewError)
    return views


def _parse_one(reader: Reader, path: tuple, table: dict[str, Any]) -> View | None:
    before = len(reader.problems)
    reader.unknown(table, path, _KEYS, f"unknown field; fields: {', '.join(sorted(_KEYS))}")
    name = reader.text(table, path, "name", required=True, missing="missing: every view needs a name",
                       wrong="missing: every view needs a name")
    if name is None:
        return None
    key = reader.integer(table, path, "key", None, low=1, high=9, wrong="must be a number from 1 to 9")
    lists: dict[str, tuple[str, ...]] = {}
    for field, attribute in _LISTS.items():
        value = table.get(field, [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            reader.problem((*path, field), "must be a name or a list of names")
            continue
        lists[attribute] = tuple(item.strip().lower() for item in value)
    for state in lists.get("states", ()):
        if state not in {s.key for s in SlaState}:
            reader.problem((*path, "state"), f"unknown state {state!r}; one of {', '.join(s.key for s in SlaState)}")
    for status in lists.get("statuses", ()):
        if status not in STATUSES:
            reader.problem((*path, "status"), f"unknown status {status!r}; one of {', '.join(STATUSES)}")
    texts = {}
    for field in _TEXTS:
        value = table.get(field)
        if value is not None and not isinstance(value, str):
            reader.problem((*path, field), "must be text")
        texts[field] = value.strip() if isinstance(value, str) and value.strip() else None
    older = None
    if table.get("older_than") is not None:
        try:
            older = int(parse_duration(str(table["older_than"])).total_seconds() // 60)
        except ValueError as error:
            reader.problem((*path, "older_than"), str(error))
    sort = reader.choice(table, path, "sort", SORTS, None, wrong=lambda v: f"unknown sort {v!r}; one of {', '.join(SORTS)}")
    if len(reader.problems) > before:
        return None
    return View(name, key, older_than_minutes=older, sort=sort, **lists, **texts)


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
