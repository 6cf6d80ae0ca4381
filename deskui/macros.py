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

from deskui.policy.loader import Problem, _LineIndex

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


class MacroError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def parse_macros(data: dict, source: str, file: str) -> list[Macro]:
    """The ``[[macros]]`` tables; every problem is ``FILE:LINE: field: what``."""
    raw = data.get("macros", [])
    index = _LineIndex(source)
    problems: list[Problem] = []

    def problem(number: int, key: str, message: str) -> None:
        problems.append(Problem(file, index.line("macros", number, key), f"macros[{number}].{key}", message))

    if not isinstance(raw, list):
        raise MacroError([Problem(file, index.line("macros"), "macros", "must be [[macros]] tables")])
    macros = []
    for number, table in enumerate(raw):
        if not isinstance(table, dict):
            problem(number, "name", "must be a table")
            continue
        before = len(problems)
        for key in sorted(set(table) - _FIELDS):
            problem(number, key, f"unknown field; fields: {', '.join(sorted(_FIELDS))}")
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            problem(number, "name", "missing: every macro needs a name")
        template = table.get("template")
        if template is not None and (not isinstance(template, str) or not template.strip()):
            problem(number, "template", "must be a template key such as \"damaged\"")
        tags = table.get("tags", [])
        tags = [tags] if isinstance(tags, str) else tags
        if not isinstance(tags, list) or not all(isinstance(tag, str) and tag.strip("- ") for tag in tags):
            problem(number, "tags", "must be a list of tags (\"-tag\" removes one)")
            tags = []
        status = table.get("status")
        if status is not None and status not in STATUSES:
            problem(number, "status", f"unknown status {status!r}; one of {', '.join(STATUSES)}")
        snooze = table.get("snooze")
        if snooze is not None and (not isinstance(snooze, str) or not snooze.strip()):
            problem(number, "snooze", "must be a time such as \"2d\" or \"tomorrow 9am\"")
        if status is not None and snooze is not None:
            problem(number, "snooze", "a macro sets a status or a snooze, not both")
        if len(problems) == before:
            macros.append(Macro(name.strip(), template.strip() if template else None,
                                tuple(tag.strip().lower() for tag in tags if not tag.startswith("-")),
                                tuple(tag[1:].strip().lower() for tag in tags if tag.startswith("-")), status, snooze))
    if problems:
        raise MacroError(problems)
    return macros
