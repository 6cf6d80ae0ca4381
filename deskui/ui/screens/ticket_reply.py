"""The ticket's reply box, mixed into TicketScreen: the editor, templates and macros put into it,
the compliance linter's line, drafts saved as you type, $EDITOR, attached files, and sending.

The screen keeps the bindings (the help screen reads them live) and the ``@on`` handler for the
editor: Textual collects ``@on`` handlers only on its own classes, never on a mixin."""

from __future__ import annotations

import sqlite3
from uuid import uuid4

from rich.text import Text
from textual import events
from textual.widgets import Static

from deskui.store.workspace import parse_snooze
from deskui.text import clean, one_line
from deskui.timeutil import from_db
from deskui.ui.busy import BUSY, DISK_FULL, READ_ONLY, SERVER_GONE, tolerate_busy, write_problem
from deskui.ui.screens.dialogs import ConfirmScreen, PickScreen
from deskui.ui.screens.ticket_thread import ago

# A draft is written at most this long after its first unsaved keystroke, however fast the typing
# goes on (a debounce would wait for a pause that a fast typist never makes): a kill loses at most this.
DRAFT_SAVE_WITHIN = 0.8
DRAFT_RETRY_SECONDS = 2.0  # a draft that could not be written (full disk, busy file) is tried again
DRAFT_PROBLEMS = {  # the line above the box: short enough for an 80-column terminal
    BUSY: "⚠ Draft not saved yet: the database is busy; trying again.",
    DISK_FULL: "⚠ Draft not saved: the disk is full. Free some space; it is tried again.",
    READ_ONLY: "⚠ Draft not saved: the database is read-only.",
    SERVER_GONE: "⚠ Draft kept on this machine: the database server is unreachable; saved when it answers.",
}


class ReplyBox:
    """The reply box's behaviour; TicketScreen holds its widgets (``editor``, ``draft_state``) and state."""

    def _open_composer(self, mode: str, text: str | None = None) -> None:
        self.mode = mode
        composer = self.query_one("#composer")
        composer.add_class("open")
        composer.set_class(mode == "note", "note")
        # one line that fits 80 columns: the keys the footer has no room for, in its ^ notation
        title = ("Reply  ^s send  ^t templates  ^o $EDITOR  ^f files  f7 all  esc: draft kept"
                 if mode == "reply" else "Internal note (never sent) — ^s save · esc leave")
        self.query_one("#composer-title", Static).update(Text(title))
        editor = self.editor
        if text is not None:
            editor.load_text(text)
        editor.focus()
        self._show_draft_state("⚠ The database is read-only: this reply cannot be saved or sent." if self.read_only and mode == "reply" else None)
        self._lint()
        self._heartbeat()

    def action_compose(self, mode: str) -> None:
        if self.mode == mode:
            self.editor.focus()  # back into the box after tabbing out of it
            return
        if mode == "note" and not self._save_draft():
            self.notify("The reply in the box is not saved yet: send it or wait before writing a note.", markup=False)
            return
        if mode == "reply" and self._draft_dirty:
            self._open_composer(mode)  # text that could not be written yet is still in the box: keep it
        else:
            self._open_composer(mode, self.store.load_draft(self.ticket_id, self.app.agent) if mode == "reply" else "")

    def _editor_changed(self) -> None:
        self._lint()
        if self.mode == "reply":
            self._draft_dirty = True
            self._leave_unsaved = False
            if self._draft_timer is None:  # armed by the first unsaved key; later keys never push it back
                self._draft_timer = self.set_timer(DRAFT_SAVE_WITHIN, self._flush_draft)

    def _flush_draft(self) -> None:
        self._draft_timer = None
        self._save_draft()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if event.widget is self.editor:  # leaving the box (another widget, a dialog on top) saves now
            self._save_draft()

    def _save_draft(self) -> bool:
        """Write the box's text as the draft if it changed. False when it could not be written:
        the text stays in the box, one line says why, and a timer tries again."""
        if not self._draft_dirty:  # set only by typing a reply; a note never replaces unsaved reply text
            return True
        try:
            self.store.save_draft(self.app.clock, self.ticket_id, self.app.agent, self.editor.text)
        except sqlite3.OperationalError as error:
            problem = write_problem(error)
            if problem is None:
                raise
            self._show_draft_state(DRAFT_PROBLEMS[problem])
            if self._draft_timer is None:
                self._draft_timer = self.set_timer(DRAFT_RETRY_SECONDS, self._flush_draft)
            return False
        self._draft_dirty = False
        self._show_draft_state(None)
        return True

    def _show_draft_state(self, line: str | None) -> None:
        self.draft_state.update(Text(line or ""))
        self.draft_state.display = bool(line)

    def _warnings(self, text: str) -> tuple[list, list[str]]:
        from deskui.replies.linter import lint
        from deskui.replies.templates import unfilled

        channel = self.context.ticket["channel"] if self.context else ""
        # the files attached so far go through the channel's attachment rule with the text
        try:
            files = [(f.name, f.content_type, f.size) for f in self.app.store.draft_files(self.ticket_id, self.app.agent)]
        except sqlite3.OperationalError as error:  # typing goes on while the server is away; the send re-lints
            if write_problem(error) is not SERVER_GONE:
                raise
            files = []
        return lint(text, channel, rules=self.app.lint_rules, attachments=files), unfilled(text)

    def _lint(self) -> None:
        box = self.query_one("#lint", Static)
        if self.mode != "reply":
            box.update("")
            return
        warnings, missing = self._warnings(self.editor.text)
        text = Text()
        if missing:
            text.append(f"⛔ fill in: {', '.join('{' + name + '}' for name in missing)}\n", style="bold red")
        for warning in warnings:
            style = "bold red" if warning.severity == "block" else "yellow"
            text.append(f"{'⛔' if warning.severity == 'block' else '⚠'} {warning.message}", style=style)
            if warning.excerpt:
                text.append(f"  “{one_line(warning.excerpt, limit=40)}”", style="dim")
            text.append("\n")
        if not text:
            text.append("✓ no compliance warnings", style="green")
        box.update(text)

    def action_macro(self) -> None:
        """m: a macro from the config's [[macros]]: its template in the reply box, and its tags and
        status once that reply is sent (a macro with no template acts at once)."""
        macros = self.app.macros
        if not macros:
            self.notify("No macros: add [[macros]] to the config file (README, Configuration).", markup=False)
            return
        options = [(str(number), Text(f"{one_line(macro.name, limit=40)}  ", style="bold") + Text(macro.describe(), style="dim"))
                   for number, macro in enumerate(macros)]

        def chosen(value: str | None) -> None:
            if value is not None:
                self.run_macro(macros[int(value)])

        self.app.push_screen(PickScreen("Macros", options), chosen)

    def run_macro(self, macro) -> None:
        """One macro on this ticket, chosen with m or from the command palette."""
        if macro.template is None:
            self._run_macro_actions(macro)
            self._reload()
            return
        template = self._template_for(macro.template)
        if template is None:
            self.notify(f"Macro {one_line(macro.name, limit=40)}: no template {one_line(macro.template, limit=40)}.",
                        severity="error", markup=False)
            return

        def placed() -> None:  # its actions wait for the send; the title says which ones
            self._macro = macro
            self.query_one("#composer-title", Static).update(
                Text(f"Macro {one_line(macro.name, limit=40)} — once sent: {macro.describe()} · ctrl+s send · esc leave"))

        self._template_chosen(template, placed)

    def _template_for(self, key: str):
        """The template ``key`` in the buyer's language, else in any language."""
        language = self._buyer_language()
        found = [t for t in self.app.templates.templates if t.key == key]
        return next((t for t in found if t.language == language), found[0] if found else None)

    @tolerate_busy
    def _run_macro_actions(self, macro) -> None:
        # Through the ticket's undoable actions (TicketActions._apply): u takes each step back.
        app = self.app
        if macro.add_tags:
            self._apply("tag", tags=list(macro.add_tags))
        if macro.remove_tags:
            self._apply("untag", tags=list(macro.remove_tags))
        if macro.snooze:
            until = parse_snooze(macro.snooze, app.clock.now(), app.zone)
            self._apply("snooze", snoozed_until=until)
        elif macro.status:
            self._apply({"solved": "resolve", "pending": "pending", "open": "reopen"}[macro.status])
        self.notify(f"Macro {one_line(macro.name, limit=40)}: {macro.describe()}.", markup=False)

    def action_external_editor(self) -> None:
        """ctrl+o in the reply box: write the reply in $VISUAL / $EDITOR. The draft is saved before
        the editor starts and after it returns, so a crash on either side loses nothing."""
        if self.mode != "reply":
            return
        from textual.app import SuspendNotSupported

        from deskui.replies.external import edit_text

        self._draft_dirty = True
        self._save_draft()
        try:
            with self.app.suspend():
                text = edit_text(self.editor.text)
        except SuspendNotSupported:
            self.notify("An external editor needs a terminal (not the browser view).", severity="warning", markup=False)
            return
        except (OSError, ValueError) as error:
            self.notify(f"The editor did not run: {error}", severity="error", markup=False)
            return
        self.editor.load_text(text)
        self._draft_dirty = True
        self._save_draft()
        self.editor.focus()

    def action_attach(self) -> None:
        """ctrl+f in the reply box: files that go with the reply, kept with the draft until it is sent."""
        if self.mode != "reply" or self.context is None:
            self.notify("Open the reply box (r) first: files go with a reply.", markup=False)
            return
        from deskui.connect.reply_files import ReplyFiles
        from deskui.ui.screens.attach import AttachScreen

        files = ReplyFiles(self.app.store.conn, self.app.clock, self.ticket_id, self.app.agent, self.context.ticket["channel"])
        self.app.push_screen(AttachScreen(files))

    def _buyer_language(self) -> str:
        from deskui.replies.templates import guess_language

        buyer_text = " ".join(m.body[:500] for m in self.store.thread(self.ticket_id) if m.direction == "in")
        return guess_language(buyer_text or (self.context.ticket["subject"] if self.context else "") or "")

    def _fill(self, template) -> tuple[str, list[str]]:
        """The template filled for this ticket: what the picker previews is what goes in the box."""
        from deskui.replies.templates import fill

        return fill(template.body, self.context, agent=self.app.agent)

    def action_templates(self) -> None:
        """t / ctrl+t: the template picker (filter as you type, preview filled for this ticket)."""
        from deskui.replies.linter import lint
        from deskui.replies.templates import rank
        from deskui.ui.screens.template_picker import TemplatePickerScreen

        if self.context is None:
            return
        if self.mode == "note" and self.editor.text.strip():
            # a template is a reply: putting it in would throw the note away
            self.notify("A template is a reply: save the note (ctrl+s) or leave it (esc) first.", markup=False)
            return
        ticket = self.context.ticket
        language = self._buyer_language()
        suggested, rest = rank(self.app.templates.templates, ticket["category"], ticket["channel"], language)
        if not suggested and not rest:
            self.notify(f"No template fits the {ticket['channel']} channel (docs/replies.md).", markup=False)
            return
        rules, channel = self.app.lint_rules, ticket["channel"]
        about = ", ".join(one_line(part, limit=30) for part in (ticket["category"] or "no category", channel, language))
        title = f"Templates for #{self.ticket_id} ({about}): best first"
        picker = TemplatePickerScreen(title, suggested, rest,
                                      self._fill, lambda text: lint(text, channel, rules=rules))
        self.app.push_screen(picker, self._template_chosen)

    def _template_chosen(self, template, placed=None) -> None:
        """A template picked (from the picker or a macro) goes into the reply box; text already
        there is replaced or kept only as the agent answers. ``placed`` runs once it is in."""
        if template is None:
            return
        if self.mode == "note" and self.editor.text.strip():
            self.notify("A template is a reply: save the note (ctrl+s) or leave it (esc) first.", markup=False)
            return
        if self.mode != "reply":
            self.action_compose("reply")  # the saved draft (or text not saved yet) comes back into the box first
            self.editor.move_cursor(self.editor.document.end)  # and an insert goes after it, not before
        filled, missing = self._fill(template)
        if not self.editor.text.strip():
            self._put_template(template, filled, missing, "replace", placed)
            return
        from deskui.ui.screens.template_picker import TemplateChoiceScreen

        line, column = self.editor.cursor_location
        self.app.push_screen(TemplateChoiceScreen(template.title, (line + 1, column + 1), len(self.editor.text)),
                             lambda how: self._put_template(template, filled, missing, how, placed))

    def _put_template(self, template, filled: str, missing: list[str], how: str | None, placed=None) -> None:
        """Put a picked template in the reply box: "replace" its text, "insert" at the cursor, or
        (None) leave it alone. The draft is written at once: the change is the agent's choice."""
        if how is None:
            self.editor.focus()
            return
        if how == "replace":
            self.editor.load_text(filled)
            self._template_auto_ack = template.auto_ack
        else:
            self.editor.insert(filled)  # at the cursor; a selection stays, nothing typed is replaced
            # text the agent wrote plus an acknowledgement may be a real answer or not: an
            # acknowledgement flag is kept (the internal SLA keeps running), never invented away
            self._template_auto_ack = self._template_auto_ack or template.auto_ack
        self._draft_dirty = True
        self._save_draft()
        self._lint()
        self.editor.focus()
        if placed is not None:
            placed()
        if missing:
            self.notify(f"Fill in before sending: {', '.join(missing)}", severity="warning", markup=False)

    @tolerate_busy
    def action_send(self) -> None:
        if self.mode is None:
            return
        text = self.editor.text
        if not text.strip():
            self.notify("Nothing to send: the reply is empty.", severity="warning")
            return
        if self.mode == "note":
            self.store.add_note(self.app.clock, self.ticket_id, self.app.agent, text)
            self._close_composer(clear=True)
            self.notify("Note saved (internal, never sent).")
            self._reload()
            return
        warnings, missing = self._warnings(text)
        if missing:
            self.notify(f"Not sent: fill in {', '.join('{' + m + '}' for m in missing)} first.", severity="error")
            return
        blocking = [w for w in warnings if w.severity == "block"]
        if blocking:
            self.notify(f"Not sent: {blocking[0].message}", severity="error")
            return
        self._save_draft()
        collision = self.store.changes_since_opened(self.ticket_id, self.app.agent, self.opened_at)
        concerns = Text()
        if collision.replies:
            concerns.append("Someone else replied since you opened this ticket:\n\n", style="bold red")
            for reply in collision.replies:
                sent = from_db(reply["sent_at"])
                when = f"{sent.astimezone(self.app.zone):%a %d %b %H:%M} ({ago(self.app.clock.now(), sent)})" if sent else "?"
                concerns.append(f"{one_line(reply['author'], limit=30) or 'someone'} at {when}:\n", style="bold")
                concerns.append(clean(reply["body"], limit=1500) + "\n\n")
        if collision.status == "solved":
            concerns.append("This ticket was solved meanwhile.\n", style="bold red")
        if collision.assignee and collision.assignee != self.app.agent:
            concerns.append(f"It is assigned to {one_line(collision.assignee, limit=30)}.\n", style="bold yellow")
        for warning in warnings:
            concerns.append(f"⚠ {warning.message}\n", style="yellow")
        if concerns:
            self.app.push_screen(ConfirmScreen("Send this reply anyway?", concerns),
                                 lambda answer: self._send(text) if answer else None)
        else:
            self._send(text)

    @tolerate_busy
    def _send(self, text: str) -> None:
        app = self.app
        ticket = self.context.ticket if self.context else None
        customer_email = self.context.customer.email if self.context and self.context.customer else None
        auto_ack = self._template_auto_ack
        # One transaction sends and deletes the draft; the key makes a repeated send a no-op.
        self.store.add_reply(app.policy, app.clock, self.ticket_id, app.agent, text, auto_ack=auto_ack,
                  to_address=customer_email, subject=f"Re: {ticket['subject']}" if ticket else None,
                  draft_of=app.agent, send_key=self._send_key)
        self._send_key = uuid4().hex
        self._close_composer(clear=True)
        self.opened_at = app.clock.now()
        self.notify("Auto-acknowledgement queued: the internal SLA still runs." if auto_ack else "Reply queued in the outbox.")
        if self._macro is not None:
            macro, self._macro = self._macro, None
            self._run_macro_actions(macro)
        self._reload()

    def _close_composer(self, *, clear: bool = False) -> None:
        if clear:
            self.editor.load_text("")
            self._draft_dirty = False
            self._template_auto_ack = False
            self._show_draft_state(None)
        elif not self._save_draft() and not self._leave_unsaved:
            self._leave_unsaved = True  # the line above the box says why; a second esc hides it anyway
            self.notify("The draft is not saved yet; esc again hides the box (r brings the text back).", markup=False)
            return
        self._leave_unsaved = False  # leaving the ticket warns again
        self.mode = None
        self.query_one("#composer").remove_class("open")
        self.query_one("#thread").focus()
        self._heartbeat()
