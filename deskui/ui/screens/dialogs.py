"""Small modal dialogs: confirm, ask for a line of text, pick from a list."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from deskui.text import complete

# The dialogs below are styled in dialogs.tcss (loaded by DeskApp). This is for a modal of
# another module that wants the same box: DEFAULT_CSS = DIALOG_CSS.format(name="ItsScreen").
DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 80; max-width: 95%; height: auto; max-height: 90%; border: thick $accent; background: $surface; padding: 0 1; }}
{name} .buttons {{ height: auto; align: right middle; }}
{name} Button {{ margin: 0 1; }}
{name} VerticalScroll {{ height: auto; max-height: 20; }}
"""


class ConfirmScreen(ModalScreen[bool]):
    """Ask before doing something the agent might regret (send past a warning, reply twice)."""

    BINDINGS = [Binding("escape,n", "answer(False)", "No", id="confirm.no"), Binding("y", "answer(True)", "Yes", id="confirm.yes")]

    def __init__(self, title: str, body: Text, yes: str = "Send anyway") -> None:
        super().__init__()
        self.title_text, self.body, self.yes = title, body, yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"), markup=False)
            with VerticalScroll():
                yield Static(self.body, markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="warning")
                yield Button("Cancel (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class FoldedSuggester(Suggester):
    """Completion from a list, folded as every typed filter of the app is (``deskui.text.complete``:
    "jose" completes "José", "strass" completes "Straßer"). Textual's ``SuggestFromList`` folds
    case only."""

    def __init__(self, suggestions: list[str]) -> None:
        super().__init__(case_sensitive=True)  # the value as typed: ``complete`` folds it itself
        self.suggestions = list(suggestions)

    async def get_suggestion(self, value: str) -> str | None:
        return complete(value, self.suggestions)


class PromptScreen(ModalScreen[str | None]):
    """One line of input: a snooze time, a tag, an agent name."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "", hint: str = "",
                 suggestions: list[str] | None = None) -> None:
        super().__init__()
        self.title_text, self.placeholder, self.value, self.hint = title, placeholder, value, hint
        self.suggestions = suggestions or []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"), markup=False)
            # Known names complete as you type (→ accepts): a typo should not become a new agent.
            suggester = FoldedSuggester(self.suggestions) if self.suggestions else None
            yield Input(value=self.value, placeholder=self.placeholder, suggester=suggester)
            if self.hint:
                yield Static(Text(self.hint, style="dim"), markup=False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickScreen(ModalScreen[str | None]):
    """Choose one item; labels are Text, so untrusted names stay plain."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="pick.cancel")]

    def __init__(self, title: str, options: list[tuple[str, Text]]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text, style="bold"), markup=False)
            yield OptionList(*[Option(label, id=key) for key, label in self.options])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
