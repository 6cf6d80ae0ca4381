"""Attach files to a reply (ctrl+f in the ticket's reply box): a path with completion from the
current folder, the files attached so far, remove one. The files stay with the draft until the
reply is sent; reading, the channel's limit and storing are ``deskui.connect.reply_files``'s."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from deskui.connect.limits import limit_for, megabytes
from deskui.connect.reply_files import RefusedFile, ReplyFiles, complete_path
from deskui.text import one_line
from deskui.ui.busy import write_problem
from deskui.ui.screens.dialogs import DIALOG_CSS

SHOWN_MATCHES = 8


class PathSuggester(Suggester):
    """The first entry of the typed folder that starts with what was typed (→ accepts it)."""

    def __init__(self, cwd: Path):
        super().__init__(use_cache=False, case_sensitive=True)  # the folder changes while the dialog is open
        self.cwd = cwd

    async def get_suggestion(self, value: str) -> str | None:
        found = complete_path(value, self.cwd) if value else []
        return next((path for path in found if path != value), None)


class AttachScreen(ModalScreen[list[str]]):
    """Dismissed with the names of the files the reply carries now."""

    DEFAULT_CSS = DIALOG_CSS.format(name="AttachScreen") + """
    AttachScreen #attach-matches { height: auto; color: $text-muted; }
    AttachScreen #attach-reason { height: auto; color: $error; text-style: bold; }
    AttachScreen OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [
        Binding("escape", "done", "Done", id="attach.done"),
        # on the list only: in the path box delete is a key for editing
        Binding("delete,backspace", "remove", "Remove file", id="attach.remove"),
    ]

    def __init__(self, files: ReplyFiles, cwd: Path | None = None) -> None:
        super().__init__()
        self.files = files
        self.cwd = cwd or Path.cwd()

    def compose(self) -> ComposeResult:
        limit = limit_for(self.files.channel)
        with Vertical():
            yield Static(Text(f"Files for this reply (up to {megabytes(limit.total_bytes)} in all for "
                              f"{limit.owner})", style="bold"), markup=False)
            yield Input(placeholder="path of a file, from the current folder (→ completes, enter attaches)",
                        suggester=PathSuggester(self.cwd), id="attach-path")
            yield Static("", id="attach-matches", markup=False)
            yield Static("", id="attach-reason", markup=False)
            yield OptionList(id="attach-files")
            yield Static(Text("enter attaches · tab to the list, delete removes the highlighted file · esc done",
                              style="dim"), markup=False)

    def on_mount(self) -> None:
        self._show_files()
        self._show_matches("")
        self.query_one("#attach-path", Input).focus()

    # -- showing ----------------------------------------------------------------------
    def _show_files(self) -> None:
        listing = self.query_one("#attach-files", OptionList)
        listing.clear_options()
        files = self.files.files()
        for item in files:
            label = Text(f"⎘ {one_line(item.name, limit=60)}", style="bold")
            label.append(f"  {one_line(item.content_type, limit=40)}, {megabytes(item.size)}", style="dim")
            listing.add_option(Option(label, id=str(item.id)))
        if not files:
            listing.add_option(Option(Text("no file attached yet", style="dim italic"), id="none", disabled=True))

    def _show_matches(self, value: str) -> None:
        found = complete_path(value, self.cwd)
        where = one_line(str(self.cwd), limit=40) if "/" not in value else ""
        text = Text(f"in {where}: " if where else "", style="dim")
        text.append("  ".join(one_line(path, limit=40) for path in found[:SHOWN_MATCHES]) or "no matching file")
        if len(found) > SHOWN_MATCHES:
            text.append(f"  … {len(found) - SHOWN_MATCHES} more")
        self.query_one("#attach-matches", Static).update(text)

    def _say(self, reason: str | None) -> None:
        self.query_one("#attach-reason", Static).update(Text(one_line(reason, limit=300) if reason else ""))

    # -- acting -----------------------------------------------------------------------
    @on(Input.Changed, "#attach-path")
    def _typed(self, event: Input.Changed) -> None:
        self._show_matches(event.value)

    @on(Input.Submitted, "#attach-path")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            added = self.files.add(event.value, cwd=self.cwd)
        except RefusedFile as refused:
            self._say(f"Not attached: {refused}")  # the typed path stays, to be corrected
            return
        except sqlite3.OperationalError as error:
            problem = write_problem(error)
            if problem is None:
                raise
            self._say(problem)
            return
        self._say(None)
        event.input.value = ""
        self._show_files()
        self.notify(f"Attached {one_line(added.name, limit=60)} ({megabytes(added.size)}).", markup=False)

    def action_remove(self) -> None:
        listing = self.query_one("#attach-files", OptionList)
        if self.focused is not listing or listing.highlighted is None:
            return
        option = listing.get_option_at_index(listing.highlighted)
        if option.id in (None, "none"):
            return
        try:
            self.files.remove(int(option.id))
        except sqlite3.OperationalError as error:
            problem = write_problem(error)
            if problem is None:
                raise
            self._say(problem)
            return
        self._say(None)
        self._show_files()

    def action_done(self) -> None:
        names = [item.name for item in self.files.files()]
        if names:
            self.notify(f"{len(names)} file(s) go with this reply: {one_line(', '.join(names), limit=120)}", markup=False)
        self.dismiss(names)
