"""The inbox list: a Line API widget that renders only the rows on screen.

Rows come from an ``InboxQuery`` page cache; the countdown and SLA state are computed inside
``render_line`` from the stored due time, so the once-a-second tick is just ``refresh()`` of the
visible lines: no re-sort, no re-query, no strings written into cells.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

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
from deskui.ui.widgets.ticket_columns import (CHOOSABLE, DEFAULT_COLUMNS, LOCKED, MIN_WIDTH, SORT_COLUMN, TITLES, Column,
                                              ColumnChoice, _fit, header_text, layout)

__all__ = ["CHOOSABLE", "DEFAULT_COLUMNS", "LOCKED", "MIN_WIDTH", "SORT_COLUMN", "TITLES", "Column", "ColumnChoice",
           "TicketList", "countdown_text", "format_age", "format_wake", "header_text", "layout"]

CHANNEL_SHORT = {"amazon": "AMZ", "shopify": "SHOP", "ebay": "EBAY", "walmart": "WMT", "tiktok": "TTS", "instagram": "IG"}
TIER_SHORT = {"critical": "CRIT", "high": "HIGH", "clv": "CLV", "standard": "STD", "normal": "NORM"}


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
