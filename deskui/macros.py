"""Macros: a named reply template plus what to do with the ticket once the reply is sent.

```toml
[[macros]]
name = "Damaged: replacement sent"
template = "damaged"          # a template key (docs/replies.md), in the buyer's language
tags = ["replacement"]        # added when the reply is sent; "-tag" removes
status = "solved"             # or "pending" (on the buyer), "open"
snooze = "2d"                 # or a snooze instead of a status, as the snooze key reads it
```
The reply goes through the linter and its confirmations like any reply; the actions happen only
once it is sent, so a reply that is not sent changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from deskui.configfile import ConfigFileError, Document, Reader

STATUSES = ("open", "pending", "solved")
_FIELDS = {"name", "template", "tags", "status", "snooze"}


@dataclass(frozen=True)
class Macro:
    name: str
    template: str | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    status: str | None = None
    snooze: str | None = None

    def describe(self) -> str:
        parts = [f"template {self.template}"] if self.template else []
        parts += [f"+{tag}" for tag in self.add_tags] + [f"-{tag}" for tag in self.remove_tags]
        if self.status:
            parts.append(f"then {self.status}")
        if self.snooze:
            parts.append(f"then snooze {self.snooze}")
        return ", ".join(parts)


class MacroError(ConfigFileError, ValueError):
    pass


def parse_macros(data: dict | Document, source: str | None = None, file: str = "<config>") -> list[Macro]:
    """The ``[[macros]]`` tables (of a :class:`Document`, or its data, text and name); every
    problem is ``FILE:LINE: field: what``."""
    document = data if isinstance(data, Document) else Document(data, source, file)
    reader = Reader(document)
    if not isinstance(document.get("macros", []), list):
        reader.problem(("macros",), "must be [[macros]] tables")
        reader.raise_problems(MacroError)
    macros = []
    for index, table in enumerate(document.get("macros", [])):
        path = ("macros", index)
        if not isinstance(table, dict):
            reader.problem((*path, "name"), "must be a table")
            continue
        macro = _parse_one(reader, path, table)
        if macro is not None:
            macros.append(macro)
    reader.raise_problems(MacroError)
    return macros


def _parse_one(reader: Reader, path: tuple, table: dict) -> Macro | None:
    before = len(reader.problems)
    reader.unknown(table, path, _FIELDS, f"unknown field; fields: {', '.join(sorted(_FIELDS))}")
    name = reader.text(table, path, "name", required=True, missing="missing: every macro needs a name",
                       wrong="missing: every macro needs a name")
    template = reader.text(table, path, "template", wrong="must be a template key such as \"damaged\"")
    tags = table.get("tags", [])
    tags = [tags] if isinstance(tags, str) else tags
    if not isinstance(tags, list) or not all(isinstance(tag, str) and tag.strip("- ") for tag in tags):
        reader.problem((*path, "tags"), "must be a list of tags (\"-tag\" removes one)")
        tags = []
    status = reader.choice(table, path, "status", STATUSES, None,
                           wrong=lambda value: f"unknown status {value!r}; one of {', '.join(STATUSES)}")
    snooze = table.get("snooze")
    if snooze is not None and (not isinstance(snooze, str) or not snooze.strip()):
        reader.problem((*path, "snooze"), "must be a time such as \"2d\" or \"tomorrow 9am\"")
    if "status" in table and snooze is not None:
        reader.problem((*path, "snooze"), "a macro sets a status or a snooze, not both")
    if len(reader.problems) > before:
        return None
    return Macro(name, template, tuple(tag.strip().lower() for tag in tags if not tag.startswith("-")),
                 tuple(tag[1:].strip().lower() for tag in tags if tag.startswith("-")), status, snooze)
