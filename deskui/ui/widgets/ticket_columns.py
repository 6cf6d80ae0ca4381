"""The inbox list's columns: which there are, the agent's choice of them (shown, hidden, in which
order: the chooser on C, ui/screens/columns.py), how they fit a width by terminal cells, and the
header line with its sort marker. Plain data and text, no Textual: TicketList draws with it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    width: int  # 0 = takes the space left


# The column each sort orders by and which way, marked in the header (risk orders by tier first;
# oldest first is the largest age first).
SORT_COLUMN = {"risk": ("tier", "▲"), "due": ("countdown", "▲"), "oldest": ("age", "▼"), "channel": ("channel", "▲")}

# The columns the chooser (C on the inbox, screens/columns.py) shows, hides and orders, in their
# default order: the widest layout's. The cursor and mark signs are not a column to choose.
CHOOSABLE = ("id", "countdown", "state", "tier", "channel", "customer", "subject", "order", "assignee", "age")
# What the list cannot do without: the deadline and its state are what the inbox is sorted for,
# and the subject is the flexible column every hidden one gives its width to.
LOCKED = frozenset({"countdown", "state", "subject"})
TITLES = {"id": "#ID", "countdown": "DUE", "state": "SLA", "tier": "TIER", "channel": "CHANNEL", "customer": "CUSTOMER",
          "subject": "SUBJECT", "order": "ORDER", "assignee": "AGENT", "age": "AGE"}
# The narrowest list each column appears in: a narrower one leaves it out even when chosen, so
# the subject keeps room to be read (see layout()).
MIN_WIDTH = {"id": 120, "order": 120, "customer": 90, "assignee": 90}


@dataclass(frozen=True)
class ColumnChoice:
    """Which columns an agent shows and in which order (remembered per agent in ui_state)."""

    order: tuple[str, ...] = CHOOSABLE
    hidden: frozenset[str] = frozenset()

    def shows(self, name: str) -> bool:
        return name not in self.hidden

    def toggled(self, name: str) -> ColumnChoice:
        if name in LOCKED or name not in CHOOSABLE:
            return self
        return ColumnChoice(self.order, self.hidden ^ {name})

    def moved(self, name: str, step: int) -> ColumnChoice:
        """``name`` one place earlier (step -1) or later (+1); at an end it stays."""
        order = list(self.order)
        at = order.index(name)
        to = at + step
        if not 0 <= to < len(order):
            return self
        order[at], order[to] = order[to], order[at]
        return ColumnChoice(tuple(order), self.hidden)

    def to_state(self) -> dict:
        return {"order": list(self.order), "hidden": sorted(self.hidden)}

    @classmethod
    def from_state(cls, value: object) -> ColumnChoice:
        """A stored choice, read forgivingly: a file from a newer or older version may name
        columns this one lacks (ignored) or lack ones it has (put back at their default place);
        anything that is not the expected shape is the default."""
        if not isinstance(value, dict):
            return cls()
        stored, hidden = value.get("order"), value.get("hidden")
        order: list[str] = []
        if isinstance(stored, list):
            order = list(dict.fromkeys(name for name in stored if isinstance(name, str) and name in CHOOSABLE))
        for index, name in enumerate(CHOOSABLE):
            if name not in order:  # after the column it follows by default, else first
                before = [n for n in CHOOSABLE[:index] if n in order]
                order.insert(order.index(before[-1]) + 1 if before else 0, name)
        chosen_hidden = frozenset(name for name in hidden if isinstance(name, str) and name in CHOOSABLE and name not in LOCKED) \
            if isinstance(hidden, list) else frozenset()
        return cls(tuple(order), chosen_hidden)


DEFAULT_COLUMNS = ColumnChoice()


def _title(column: Column, arrow: str) -> str:
    """A column's title with the sort marker; where both do not fit, the marker takes the
    title's last cell ("TIE▲"), so the sort stays visible and the title is never "…"."""
    if not arrow or not column.title:
        return column.title
    if cell_len(column.title) + 1 <= column.width - 1:
        return column.title + arrow
    return column.title[: max(column.width - 2, 0)] + arrow


def layout(width: int, choice: ColumnChoice = DEFAULT_COLUMNS) -> list[Column]:
    """Columns that fit ``width``, less the hidden ones, in the chosen order; the subject takes
    what is left (so a hidden column's width goes to it). Narrow terminals keep the countdown,
    state and subject, which are what an agent decides on."""
    if width >= 120:
        columns = [Column("mark", "", 3), Column("id", "#ID", 7), Column("countdown", "DUE", 8), Column("state", "SLA", 11), Column("tier", "TIER", 9),
                   Column("channel", "CHANNEL", 10), Column("customer", "CUSTOMER", 16), Column("subject", "SUBJECT", 0),
                   Column("order", "ORDER", 20), Column("assignee", "AGENT", 10), Column("age", "AGE", 5)]
    elif width >= 90:
        columns = [Column("mark", "", 3), Column("countdown", "DUE", 8), Column("state", "SLA", 11), Column("tier", "TIER", 5),
                   Column("channel", "CHAN", 5), Column("customer", "CUSTOMER", 13), Column("subject", "SUBJECT", 0),
                   Column("assignee", "AGENT", 8), Column("age", "AGE", 4)]
    else:
        columns = [Column("mark", "", 3), Column("countdown", "DUE", 8), Column("state", "", 2), Column("tier", "TIER", 5),
                   Column("channel", "CHAN", 5), Column("subject", "SUBJECT", 0), Column("age", "AGE", 4)]
    if choice != DEFAULT_COLUMNS:
        rank = {name: index for index, name in enumerate(choice.order)}
        columns = [columns[0], *sorted((c for c in columns[1:] if choice.shows(c.name)), key=lambda c: rank.get(c.name, 0))]
    fixed = sum(column.width for column in columns)
    flexible = max(width - fixed, 8)
    return [Column(c.name, c.title, c.width or flexible) for c in columns]


def header_text(columns: list[Column], sort: str) -> str:
    """The header line: each title in its column, the sort marker on the sorted one; when that
    column is hidden the subject's title says what the list is sorted by ("SUBJECT · by AGE▼")."""
    marked, arrow = SORT_COLUMN.get(sort, (None, ""))
    shown = {c.name for c in columns}
    parts = []
    for c in columns:
        if c.name == "mark":
            parts.append(" " * c.width)
        elif c.name == "subject" and marked and marked not in shown:
            parts.append(_fit(f"{c.title} · by {TITLES[marked]}{arrow}", c.width))
        else:
            parts.append(_fit(_title(c, arrow if c.name == marked else ""), c.width))
    return "".join(parts)


def _fit(text: str, width: int, right: bool = False) -> str:
    """``text`` in ``width`` terminal cells, one of them the gap to the next column. Cells, not
    characters: CJK and emoji take two, and counting characters shifts every later column."""
    room = width - 1
    if cell_len(text) > room:
        text = set_cell_size(text, max(room - 1, 0)).rstrip() + "…" if room > 0 else ""
    padding = " " * (room - cell_len(text))
    return (padding + text + " ") if right else (text + padding + " ")
