"""`?`: every key of the screen underneath, from its live bindings (so remapped keys show)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str]], title: str) -> None:
        super().__init__()
        self.rows = rows
        self.title_text = title

    def compose(self) -> ComposeResult:
        text = Text()
        text.append(f"{self.title_text}\n\n", style="bold")
        for keys, description in self.rows:
            text.append(f"{keys:>18}  ", style="bold")
            text.append(f"{description}\n")
        text.append("\nKeys are remappable: see the README (keys.toml).", style="dim")
        with VerticalScroll():
            yield Static(text, markup=False)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
