"""The template picker (``t`` / ``ctrl+t`` on a ticket, ``R`` on the inbox's marks): type to filter,
see the template filled for a ticket before it goes in, and a small choice when the reply box
already holds text. The bulk reply adds one more entry, last in the list: type the reply instead
(the picker then dismisses with ``TYPED``).

The filtering is ``deskui.replies.templates.match_templates`` (pure, tested on its own); this
screen shows its answer. Template bodies come from files a lead edits and the filled text holds
the buyer's name and order: everything reaches the terminal as ``rich.text.Text`` built from
``clean``-ed strings, never as markup."""

from __future__ import annotations

from typing import Callable, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from deskui.replies.templates import Template, TemplateMatch, match_templates, unfilled_spans
from deskui.text import clean, one_line
from deskui.ui.screens.dialogs import DIALOG_CSS

# Side by side from this width on (list ~46 columns, preview the rest); below it the preview goes
# under the list, which keeps a few rows so the preview has most of an 80x24 screen.
WIDE_FROM = 120

Filler = Callable[[Template], tuple[str, list[str]]]  # template -> (filled text, placeholders left)
Linter = Callable[[str], list]  # filled text -> the linter's warnings for this ticket's channel
TYPED = "typed"  # what the picker dismisses with when the agent chose to type the reply


class TemplatePickerScreen(ModalScreen[Template | str | None]):
    """Pick a reply template: the filter keeps the focus, up/down move in the list. With ``typed``
    (its label), a last entry lets the agent type the reply instead; ``typed_help`` is its preview."""

    # styled in template_picker.tcss, read at start with the app's (DeskApp.CSS_PATH)
    AUTO_FOCUS = "#picker-filter"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="templates.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="templates.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="templates.up"),
        Binding("pagedown", "preview_page(1)", "Preview down", show=False, id="templates.preview_down"),
        Binding("pageup", "preview_page(-1)", "Preview up", show=False, id="templates.preview_up"),
    ]

    def __init__(self, title: str, suggested: Sequence[Template], rest: Sequence[Template],
                 fill: Filler, lint: Linter, *, typed: str | None = None, typed_help: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.suggested, self.rest = list(suggested), list(rest)
        self.fill, self.lint = fill, lint
        self.typed_label, self.typed_help = typed, typed_help
        self.matches: list[TemplateMatch] = []
        self._previews: dict[int, Text] = {}  # id(template) -> its preview: fill + lint once each
        self._marked: int | None = None  # the option whose label carries the ▸

    def compose(self) -> ComposeResult:
        self._layout()  # before the children exist: a class set later restyles them all
        with Vertical(id="picker"):
            yield Static(Text(self.title_text, style="bold"), id="picker-title", markup=False)
            yield Input(placeholder="type to filter: key, title or text", id="picker-filter", compact=True)
            with Container(id="picker-body"):
                with Vertical(id="picker-left"):
                    # above the list: with the bulk reply's typed entry the list stays on screen
                    # when nothing matches, and would push this line out of sight
                    yield Static("", id="picker-none", markup=False)
                    templates = OptionList(id="picker-list")
                    templates.can_focus = False  # the filter keeps the focus; up/down are bound here
                    yield templates
                preview = VerticalScroll(id="picker-preview-box")
                preview.can_focus = False  # tab never takes the focus from the filter; pgup/pgdn scroll it
                with preview:
                    yield Static("", id="picker-preview", markup=False)
            yield Static(Text("↑↓ choose · enter pick · esc cancel · pgup/pgdn scroll the preview", style="dim"),
                         id="picker-keys", markup=False)

    def on_mount(self) -> None:
        self._show("")

    def on_resize(self) -> None:
        self._layout()

    def _layout(self) -> None:
        self.set_class(self.app.size.width >= WIDE_FROM, "wide")

    # -- the list ------------------------------------------------------------------------
    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._show(event.value)

    def _show(self, query: str) -> None:
        self.matches = match_templates(query, self.suggested, self.rest)
        templates = self.query_one("#picker-list", OptionList)
        templates.clear_options()
        templates.add_options([Option(self._prompt(number, number == 0), id=str(number))
                               for number in range(self._entries())])
        self._marked = 0
        none = self.query_one("#picker-none", Static)
        none.update(Text(f"no template matches “{one_line(query, limit=40)}”", style="italic") if not self.matches else "")
        none.display = not self.matches
        templates.display = bool(self._entries())
        if self._entries():
            templates.highlighted = 0  # the best match; with none, the typed reply (if offered)
        self._preview()

    def _entries(self) -> int:
        """Options in the list: the matches, then the typed reply when the picker offers it."""
        return len(self.matches) + (self.typed_label is not None)

    def _is_typed(self, index: int | None) -> bool:
        return self.typed_label is not None and index == len(self.matches)

    def _prompt(self, index: int, marked: bool = False) -> Text:
        if self._is_typed(index):
            label = Text(no_wrap=True, overflow="ellipsis")
            label.append("▸ " if marked else "  ", style="bold")
            label.append(f"✎ {self.typed_label}", style="italic")
            return label
        return self._label(self.matches[index], marked)

    def _label(self, match: TemplateMatch, marked: bool = False) -> Text:
        template = match.template
        shown = one_line(template.title, limit=120)
        title = Text(shown)
        if shown == template.title:  # the spans are offsets in the title as written: only then they fit
            for start, end in match.title_spans:
                title.stylize("bold underline", start, end)
        label = Text(no_wrap=True, overflow="ellipsis")
        label.append("▸ " if marked else "  ", style="bold")  # the choice is marked, not only coloured
        label.append(f"{template.language} ", style="bold")
        label.append_text(title)
        if template.auto_ack:
            label.append(" (auto-ack)", style="dim")
        elif match.in_body:
            label.append(" · in text", style="dim")
        return label

    def action_move(self, step: int) -> None:
        templates = self.query_one("#picker-list", OptionList)
        if self._entries():
            current = templates.highlighted if templates.highlighted is not None else 0
            templates.highlighted = max(0, min(self._entries() - 1, current + step))

    def action_preview_page(self, step: int) -> None:
        box = self.query_one("#picker-preview-box", VerticalScroll)
        box.scroll_to(y=box.scroll_y + step * max(1, box.size.height - 1), animate=False)

    @on(OptionList.OptionHighlighted, "#picker-list")
    def _highlighted(self) -> None:
        templates = self.query_one("#picker-list", OptionList)
        highlighted = templates.highlighted
        if highlighted != self._marked and highlighted is not None:
            if self._marked is not None and self._marked < self._entries():
                templates.replace_option_prompt_at_index(self._marked, self._prompt(self._marked))
            templates.replace_option_prompt_at_index(highlighted, self._prompt(highlighted, True))
            self._marked = highlighted
        self._preview()

    def selected(self) -> Template | None:
        """The highlighted template (None when the filter matches nothing or the typed reply is highlighted)."""
        highlighted = self.query_one("#picker-list", OptionList).highlighted
        if highlighted is None or highlighted >= len(self.matches):
            return None
        return self.matches[highlighted].template

    def choice(self) -> Template | str | None:
        """What enter picks: the highlighted template, ``TYPED``, or None (nothing to pick)."""
        if self._is_typed(self.query_one("#picker-list", OptionList).highlighted):
            return TYPED
        return self.selected()

    # -- the preview ---------------------------------------------------------------------
    def _preview(self) -> None:
        template = self.selected()
        preview = self.query_one("#picker-preview", Static)
        if template is None:
            preview.update(Text(self.typed_help) if self.choice() == TYPED else "")
            return
        if id(template) not in self._previews:
            self._previews[id(template)] = self._render_preview(template)
        preview.update(self._previews[id(template)])
        self.query_one("#picker-preview-box", VerticalScroll).scroll_home(animate=False)

    def _render_preview(self, template: Template) -> Text:
        filled, missing = self.fill(template)
        shown = clean(filled)  # control characters and escape sequences out, before offsets are taken
        text = Text()
        text.append(one_line(template.title, limit=200) + "\n", style="bold")
        where = "every channel" if not template.channels else ", ".join(sorted(template.channels))
        text.append(f"{template.language}/{template.key}.txt · {template.category or 'any category'} · {where}\n", style="dim")
        if template.auto_ack:
            text.append("automatic acknowledgement: the internal SLA keeps running\n", style="italic")
        spans = unfilled_spans(shown)
        if spans:
            names = dict.fromkeys(name for _, _, name in spans)
            text.append(f"⛔ fill in: {', '.join('{' + name + '}' for name in names)}\n", style="bold red")
        else:
            text.append("✓ every placeholder filled\n", style="green")
        warnings = self.lint(filled)
        for warning in warnings:
            block = warning.severity == "block"
            text.append(f"{'⛔' if block else '⚠'} {warning.message}", style="bold red" if block else "yellow")
            if warning.excerpt:
                text.append(f"  “{one_line(warning.excerpt, limit=40)}”", style="dim")
            text.append("\n")
        if not warnings:
            text.append("✓ no compliance warnings\n", style="green")
        text.append("\n")
        body = Text(shown)
        for start, end, _ in spans:
            body.stylize("bold reverse red", start, end)
        text.append_text(body)
        return text

    # -- picking -------------------------------------------------------------------------
    @on(Input.Submitted, "#picker-filter")
    def _submitted(self) -> None:
        choice = self.choice()
        if choice is None:
            self.app.bell()
            return
        self.dismiss(choice)

    @on(OptionList.OptionSelected, "#picker-list")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        index = int(event.option.id)
        self.dismiss(TYPED if self._is_typed(index) else self.matches[index].template)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TemplateChoiceScreen(ModalScreen[str | None]):
    """The reply box holds text: replace it, insert the template at the cursor, or keep it as is.
    Dismisses with "replace", "insert" or None; the focused button is Cancel, so a stray enter
    loses nothing."""

    DEFAULT_CSS = DIALOG_CSS.format(name="TemplateChoiceScreen")
    BINDINGS = [
        Binding("r", "choose('replace')", "Replace", id="template_choice.replace"),
        Binding("i", "choose('insert')", "Insert at cursor", id="template_choice.insert"),
        Binding("escape", "choose(None)", "Cancel", id="template_choice.cancel"),
    ]

    def __init__(self, title: str, cursor: tuple[int, int], length: int) -> None:
        super().__init__()
        self.template_title, self.cursor, self.length = title, cursor, length

    def compose(self) -> ComposeResult:
        line, column = self.cursor
        body = Text()
        body.append("The reply box already holds text ", style="bold")
        body.append(f"({self.length:,} characters).\n", style="dim")
        body.append("Template: ")
        body.append(one_line(self.template_title, limit=70), style="bold")
        body.append(f"\n\nr  replace the text with the template\ni  insert it at the cursor (line {line}, column {column})"
                    "\nesc  cancel: the box stays as it is")
        with Vertical():
            yield Static(body, markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Replace (r)", id="replace", variant="warning")
                yield Button("Insert (i)", id="insert", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "cancel" else event.button.id)

    def action_choose(self, how: str | None) -> None:
        self.dismiss(how)
