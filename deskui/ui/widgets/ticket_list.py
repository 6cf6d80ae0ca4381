"""The inbox list: a Line API widget that renders only the rows on screen.

Rows come from an ``InboxQuery`` page cache; the countdown and SLA state are computed inside
``render_line`` from the stored due time, so the once-a-second tick is just ``refresh()`` of the
visible lines: no re-sort, no re-query, no strings written into cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from deskui import sla
from deskui.clock import Clock
from deskui.policy.model import Policy
from deskui.sla import SlaState
from deskui.store.inbox import InboxQuery, InboxRow
from deskui.text import one_line

CHANNEL_SHORT = {"amazon": "AMZ", "shopify": "SHOP", "ebay": "EBAY", "walmart": "WMT", "tiktok": "TTS", "instagram": "IG"}
TIER_SHORT = {"critical": "CRIT", "high": "HIGH", "clv": "CLV", "standard": "STD", "normal": "NORM"}


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


def format_age(now: datetime, created: datetime | None) -> str:
    if created is None:
        return "?"
    seconds = max(int((now - created).total_seconds()), 0)
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def format_wake(now: datetime, until: datetime | None, zone: tzinfo) -> str:
    """When a snoozed ticket wakes, in the agent's zone: "14:00" today, "Fri 14:00" this week,
    "Dec 12 14:00" beyond."""
    if until is None:
        return "?"
    local, today = until.astimezone(zone), now.astimezone(zone).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    if 0 < (local.date() - today).days < 7:
        return local.strftime("%a %H:%M")
    return local.strftime("%b %d %H:%M")


def countdown_text(state: SlaState, left: timedelta | None) -> str:
    """What the countdown cell shows: nothing to count once the clock stopped."""
    return "  —" if state in (SlaState.MET, SlaState.MISSED) else sla.format_countdown(left)


class TicketList(ScrollView, can_focus=True):
    """The risk-sorted list of open tickets."""

    COMPONENT_CLASSES = {
        "ticket-list--header",
        "ticket-list--cursor",
        "ticket-list--on_track",
        "ticket-list--at_risk",
        "ticket-list--imminent",
        "ticket-list--breached",
        "ticket-list--paused",
        "ticket-list--met",
        "ticket-list--missed",
        "ticket-list--urgent-row",
        "ticket-list--dim",
        "ticket-list--critical",
        "ticket-list--marked",
    }

    DEFAULT_CSS = """
    TicketList { background: $surface; }
    TicketList > .ticket-list--header { background: $panel; color: $text-muted; text-style: bold; }
    TicketList > .ticket-list--cursor { background: $accent 40%; text-style: bold; }
    TicketList:focus > .ticket-list--cursor { background: $accent 70%; }
    TicketList > .ticket-list--on_track { color: $success; }
    TicketList > .ticket-list--at_risk { color: $warning; text-style: bold; }
    TicketList > .ticket-list--imminent { color: $error; text-style: bold; }
    TicketList > .ticket-list--breached { color: $text; background: $error; text-style: bold; }
    TicketList > .ticket-list--paused { color: $text-muted; text-style: italic; }
    TicketList > .ticket-list--met { color: $success; text-style: dim; }
    TicketList > .ticket-list--missed { color: $warning; text-style: dim; }
    TicketList > .ticket-list--urgent-row { background: $error 15%; }
    TicketList > .ticket-list--dim { color: $text-muted; }
    TicketList > .ticket-list--critical { color: $error; text-style: bold; }
    TicketList > .ticket-list--marked { color: $accent; text-style: bold; }
    """

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g,home", "first", "First", show=False, id="list.first"),
        Binding("G,end", "last", "Last", show=False, id="list.last"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("enter", "select", "Open", id="list.open"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        def __init__(self, ticket_id: int | None) -> None:
            super().__init__()
            self.ticket_id = ticket_id

    class Selected(Message):
        def __init__(self, ticket_id: int) -> None:
            super().__init__()
            self.ticket_id = ticket_id

    def __init__(self, query: InboxQuery, clock: Clock, policy: Policy, zone: tzinfo = UTC, *,
                 columns: ColumnChoice = DEFAULT_COLUMNS, id: str | None = None) -> None:
        super().__init__(id=id)
        self.choice = columns
        self.query_view = query
        self.clock = clock
        self.policy = policy
        self.zone = zone
        self._count = 0
        self._columns: list[Column] = layout(80, columns)
        self._columns_width: int | None = 80
        self._highlighted: int | None = None
        # ticket id -> "✎ben" (replying) / "◉ben" (viewing): other agents on the visible rows
        self.presence: dict[int, str] = {}
        self.marked: set[int] = set()  # tickets an action will apply to all at once
        self._drawn: dict[int, tuple] = {}  # line -> the moving parts it was last drawn with

    # -- data --------------------------------------------------------------------------
    @property
    def count(self) -> int:
        return self._count

    @property
    def highlighted_id(self) -> int | None:
        return self._highlighted

    def visible_ids(self) -> list[int]:
        top = round(self.scroll_y)
        return [row.id for row in self.query_view.rows(top, top + self._visible_rows)]

    def toggle_mark(self) -> None:
        """Mark or unmark the highlighted ticket, then move down (mutt's tag-and-next)."""
        ticket_id = self._highlighted
        if ticket_id is None:
            return
        self.marked.symmetric_difference_update({ticket_id})
        self.cursor += 1
        self.refresh()

    def set_marks(self, ticket_ids: set[int]) -> None:
        self.marked = set(ticket_ids)
        self.refresh()

    def set_columns(self, choice: ColumnChoice) -> None:
        """Show ``choice``'s columns: a repaint of the rows already read, never a new query."""
        if choice != self.choice:
            self.choice = choice
            self._columns_width = None  # laid out again at the next line drawn
            self._drawn.clear()
            self.refresh()

    @property
    def columns(self) -> list[Column]:
        """The columns as last drawn (the header's titles and widths)."""
        return list(self._columns)

    def set_presence(self, presence: dict[int, str]) -> None:
        if presence != self.presence:
            self.presence = presence
            self.refresh()

    def highlighted_row(self) -> InboxRow | None:
        return self.query_view.row(self.cursor) if self._count else None

    def load(self, query: InboxQuery | None = None, *, keep: int | None = None) -> None:
        """(Re)read the view. Rows moving under the cursor live keep it on its ticket (``keep``,
        default: the highlighted one) wherever it moved, or at its position if it left the view.
        A new view (another sort, filter or search) starts at its top."""
        new_view = query is not None
        if new_view:
            self.query_view = query
        else:
            self.query_view.invalidate()
        self.query_view.set_now(self.clock.now())
        keep = keep if keep is not None or new_view else self._highlighted
        self._count = self.query_view.count()
        self.virtual_size = Size(self.size.width, self._count + 1)
        position = self.query_view.position_of(keep) if keep is not None else None
        if position is not None:
            target = position
        elif new_view:
            target = 0
            self.scroll_to(y=0, animate=False)
        else:
            target = min(self.cursor, max(self._count - 1, 0))
        self.cursor = target
        self.refresh()

    # -- geometry ------------------------------------------------------------------------
    def on_resize(self, event: Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self._count + 1)

    @property
    def _visible_rows(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)  # minus the column header

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + self._visible_rows:
            self.scroll_to(y=self.cursor - self._visible_rows + 1, animate=False)

    def watch_cursor(self, old: int, new: int) -> None:
        if self._count == 0:
            self._announce(None)
            self.refresh()
            return
        clamped = max(0, min(new, self._count - 1))
        if clamped != new:
            self.cursor = clamped
            return
        self._scroll_to_cursor()
        top = round(self.scroll_y)
        for index in (old, new):
            if top <= index < top + self._visible_rows:
                self.refresh_line(index - top + 1)
        row = self.query_view.row(new)
        self._announce(row.id if row else None)

    def _announce(self, ticket_id: int | None) -> None:
        if ticket_id != self._highlighted:
            self._highlighted = ticket_id
            self.post_message(self.Highlighted(ticket_id))

    # -- actions -------------------------------------------------------------------------
    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = max(self._count - 1, 0)

    def action_page_down(self) -> None:
        self.cursor = min(self.cursor + self._visible_rows, max(self._count - 1, 0))

    def action_page_up(self) -> None:
        self.cursor = max(self.cursor - self._visible_rows, 0)

    def action_select(self) -> None:
        if self._highlighted is not None:
            self.post_message(self.Selected(self._highlighted))

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        index = round(self.scroll_y) + offset.y - 1
        if 0 <= index < self._count:
            self.cursor = index
            if event.chain >= 2:
                self.action_select()

    # -- rendering -----------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._columns_width:
            # The width a line is drawn at decides the columns: a scrollbar that comes or goes
            # after a filter changes it without a resize event.
            self._columns, self._columns_width = layout(width, self.choice), width
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("ticket-list--header")
            text = header_text(self._columns, self.query_view.sort)
            return Strip([Segment(text.ljust(width)[:width], base + header)]).simplify()
        index = round(self.scroll_y) + y - 1
        if index >= self._count:
            return Strip.blank(width, base)
        row = self.query_view.row(index)
        if row is None:
            return Strip.blank(width, base)
        self._drawn[y] = self._moving_parts(row, self.clock.now())
        return self._render_row(row, index == self.cursor, width, base)

    def _render_row(self, row: InboxRow, is_cursor: bool, width: int, base: Style) -> Strip:
        now = self.clock.now()
        if row.tier is None:
            state, countdown = None, "triage…"
        else:
            state = row.timer.state(now)
            countdown = countdown_text(state, row.timer.left(now))
        style = base
        if state in (SlaState.BREACHED, SlaState.IMMINENT):
            style = style + self.get_component_rich_style("ticket-list--urgent-row")
        if is_cursor:
            style = style + self.get_component_rich_style("ticket-list--cursor")
        state_style = style + self.get_component_rich_style(f"ticket-list--{state.key}") if state else style
        dim = style + self.get_component_rich_style("ticket-list--dim")
        segments: list[Segment] = []
        for column in self._columns:
            name, w = column.name, column.width
            if name == "mark":  # the cursor and the marks are told by a sign, not only by colour
                marked = row.id in self.marked
                segments.append(Segment(("▶" if is_cursor else " ") + ("●" if marked else " ") + " ",
                                        style + self.get_component_rich_style("ticket-list--marked") if marked else style))
            elif name == "countdown":
                segments.append(Segment(_fit(countdown, w, right=True), state_style))
            elif name == "state":
                label = "" if state is None else (state.glyph if w <= 3 else f"{state.glyph} {state.label}")
                segments.append(Segment(_fit(label, w), state_style))
            elif name == "tier":
                tier = row.tier or "?"
                text = TIER_SHORT.get(tier, tier[:4].upper()) if w <= 6 else tier
                tier_style = style + self.get_component_rich_style("ticket-list--critical") if tier == "critical" else style
                segments.append(Segment(_fit(text, w), tier_style))
            elif name == "channel":
                text = CHANNEL_SHORT.get(row.channel, row.channel[:4].upper()) if w <= 6 else row.channel
                segments.append(Segment(_fit(text, w), style))
            elif name == "customer":
                segments.append(Segment(_fit(one_line(row.customer, limit=w) or "—", w), style))
            elif name == "subject":
                subject = one_line(row.subject, limit=w + 1) or "(no subject)"
                if row.status == "snoozed":
                    subject = f"until {format_wake(now, row.snoozed_until, self.zone)} · {subject}"
                if row.id in self.presence and not any(c.name == "assignee" for c in self._columns):
                    subject = f"{self.presence[row.id][0]} {subject}"
                segments.append(Segment(_fit(subject, w), style))
            elif name == "order":
                segments.append(Segment(_fit(one_line(row.order_number, limit=w) or "—", w), dim))
            elif name == "assignee":
                if row.id in self.presence:
                    segments.append(Segment(_fit(self.presence[row.id], w), style + Style(bold=True)))
                else:
                    segments.append(Segment(_fit(one_line(row.assignee, limit=w) or "·", w), dim))
            elif name == "age":
                segments.append(Segment(_fit(format_age(now, row.created_at), w, right=True), dim))
            elif name == "id":
                segments.append(Segment(_fit(f"#{row.id}", w), dim))
        strip = Strip(segments)
        used = strip.cell_length
        if used < width:
            strip = Strip([*segments, Segment(" " * (width - used), style)])
        return strip.crop(0, width).simplify()

    def _moving_parts(self, row: InboxRow, now: datetime) -> tuple:
        """What of a row changes with time alone: its countdown, state and age."""
        if row.tier is None:
            return row.id, None
        state = row.timer.state(now)
        return row.id, countdown_text(state, row.timer.left(now)), state, format_age(now, row.created_at)

    def tick(self) -> None:
        """Repaint the visible rows whose countdown, state or age moved since they were drawn:
        a countdown over an hour moves once a minute, so most seconds repaint a few lines, not
        the whole list (Textual's repaint of every line was most of the idle CPU)."""
        now = self.clock.now()
        top = round(self.scroll_y)
        for offset, row in enumerate(self.query_view.rows(top, top + self._visible_rows)):
            y = offset + 1
            if self._drawn.get(y) != self._moving_parts(row, now):
                self.refresh_line(y)
