"""`C` on the inbox (or "Columns" in the palette): choose the ticket list's columns and their order.

The list behind the box follows each change at once (a repaint of the rows already read: no
query), and the choice is remembered per agent in ui_state when the box closes. The columns'
widths, and which ones a narrow window leaves out, are ``ticket_list.layout``'s.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from deskui.ui.ui_state import read_columns, write_columns
from deskui.ui.widgets.ticket_columns import (CHOOSABLE, DEFAULT_COLUMNS, LOCKED, MIN_WIDTH, SORT_COLUMN, TITLES,
                                              ColumnChoice)

WHAT = {"id": "the ticket's number", "countdown": "time left to the SLA deadline", "state": "SLA state: on track, at risk, breached…",
        "tier": "priority tier", "channel": "marketplace or shop", "customer": "the buyer's name",
        "subject": "takes the room the others leave", "order": "order number", "assignee": "agent, or who is viewing or replying",
        "age": "time since the ticket came in"}
LOCKED_NOTE = ("DUE, SLA and SUBJECT are always shown: the deadline is what the inbox is sorted for, and the "
               "subject takes the width of every hidden column.")


def remembered_columns(app) -> ColumnChoice:
    """The agent's columns from the last run; the default without a state folder, or when what
    is stored is unreadable or names columns this version does not have (ColumnChoice.from_state)."""
    if getattr(app, "state_dir", None) is None:
        return DEFAULT_COLUMNS
    return ColumnChoice.from_state(read_columns(app.state_dir, app.agent))


def remember_columns(app, choice: ColumnChoice) -> None:
    if getattr(app, "state_dir", None) is not None:
        write_columns(app.state_dir, app.agent, choice.to_state())


class ColumnsScreen(ModalScreen[ColumnChoice]):
    """The columns, each with a mark: space (or a click) shows or hides one, K/J or shift+↑/↓
    move it, r puts back the default, enter or esc closes (the choice is kept either way)."""

    # styled in columns.tcss, read at start with the app's (DeskApp.CSS_PATH)
    BINDINGS = [
        Binding("space", "toggle", "Show/hide", id="columns.toggle"),
        Binding("K,shift+up", "move(-1)", "Move up", id="columns.up"),
        Binding("J,shift+down", "move(1)", "Move down", id="columns.down"),
        Binding("j", "cursor(1)", "Down", show=False, id="columns.cursor_down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="columns.cursor_up"),
        Binding("g", "cursor(-99)", "First", show=False, id="columns.first"),
        Binding("G", "cursor(99)", "Last", show=False, id="columns.last"),
        Binding("r", "reset", "Default", id="columns.reset"),
        # priority: the list under the box would take enter as "select"; here it closes.
        Binding("enter", "done", "Done", priority=True, id="columns.done"),
        Binding("escape,q,C", "done", "Close", show=False, id="columns.close"),
        Binding("question_mark", "help", "Help", show=False, id="columns.help"),
    ]

    def __init__(self, choice: ColumnChoice, *, width: int, sort: str, on_change: Callable[[ColumnChoice], None]) -> None:
        super().__init__()
        self.choice = choice
        self.list_width = width  # the ticket list's width now: says which columns it leaves out
        self.sort = sort
        self.on_change = on_change

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Columns of the inbox", style="bold"), markup=False)
            yield OptionList(*self._options(), id="columns")
            yield Static(Text(LOCKED_NOTE, style="dim"), markup=False, id="locked")
            yield Static(Text("space show/hide · K/J move · r default · enter/esc done · ? all keys", style="dim"),
                         markup=False, id="keys")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def _options(self) -> list[Option]:
        sorted_by, arrow = SORT_COLUMN.get(self.sort, (None, ""))
        options = []
        for name in self.choice.order:
            line = Text(no_wrap=True, overflow="ellipsis")
            shown = self.choice.shows(name)
            line.append("[x] " if shown else "[ ] ", style="bold" if shown else "dim")
            line.append(f"{TITLES[name]:<9}", style="bold" if shown else "dim")
            line.append(f"{WHAT[name]:<40}", style="" if shown else "dim")
            notes = []
            if name in LOCKED:
                notes.append("always shown")
            elif self.list_width < MIN_WIDTH.get(name, 0):
                notes.append(f"from {MIN_WIDTH[name]} wide")
            if name == sorted_by:
                notes.append(f"sorted {arrow}")
            line.append(" · ".join(notes), style="italic dim")
            options.append(Option(line, id=name))
        return options

    def _show(self, choice: ColumnChoice, highlight: str | None = None) -> None:
        options = self.query_one(OptionList)
        name = highlight or self._highlighted_name()
        self.choice = choice
        options.set_options(self._options())
        options.highlighted = choice.order.index(name) if name in choice.order else 0
        self.on_change(choice)

    def _highlighted_name(self) -> str | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    def action_toggle(self) -> None:
        name = self._highlighted_name()
        if name is None:
            return
        if name in LOCKED:
            self.notify(f"{TITLES[name]} is always shown.", markup=False)
            return
        self._show(self.choice.toggled(name))

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.action_toggle()  # enter is the screen's (done): a selection here is a click

    def action_move(self, step: int) -> None:
        name = self._highlighted_name()
        if name is not None:
            self._show(self.choice.moved(name, step), highlight=name)

    def action_cursor(self, step: int) -> None:
        """j/k one row, g/G (±99) to the ends, as on the list."""
        options = self.query_one(OptionList)
        if abs(step) > 1:
            options.action_last() if step > 0 else options.action_first()
        else:
            options.action_cursor_down() if step > 0 else options.action_cursor_up()

    def action_reset(self) -> None:
        self._show(DEFAULT_COLUMNS)

    def action_help(self) -> None:
        from deskui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.app.binding_rows(), "Column chooser keys"))

    def action_done(self) -> None:
        self.dismiss(self.choice)


__all__ = ["CHOOSABLE", "ColumnsScreen", "remember_columns", "remembered_columns"]
