"""The ticket workspace: thread, order panel, reply with templates and the compliance linter,
notes, claim, snooze, pending, resolve, escalate; drafts saved as you type; presence."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from uuid import uuid4

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static, TextArea

from deskui.connect.attachments import for_ticket as attachments_for_ticket
from deskui.connect.attachments import open_attachment
from deskui.store.context import TicketContext
from deskui.store.thread import ThreadMessage
from deskui.store.workspace import parse_snooze
from deskui.text import clean, one_line
from deskui.timeutil import from_db
from deskui.ui.busy import BUSY, DISK_FULL, READ_ONLY, tolerate_busy, write_problem
from deskui.ui.changes import StoreChanged
from deskui.ui.screens.dialogs import ConfirmScreen, PickScreen, PromptScreen
from deskui.ui.widgets.order_panel import OrderPanel
from deskui.ui.widgets.status_bar import STATE_STYLES
from deskui.ui.widgets.ticket_list import countdown_text, format_wake
from deskui.when import describe as describe_when

DIRECTION_LABELS = {"in": ("buyer", "bold cyan"), "out": ("agent", "bold green"), "note": ("internal note", "bold yellow")}
# A draft is written at most this long after its first unsaved keystroke, however fast the typing
# goes on (a debounce would wait for a pause that a fast typist never makes): a kill loses at most this.
DRAFT_SAVE_WITHIN = 0.8
DRAFT_RETRY_SECONDS = 2.0  # a draft that could not be written (full disk, busy file) is tried again
DRAFT_PROBLEMS = {  # the line above the box: short enough for an 80-column terminal
    BUSY: "⚠ Draft not saved yet: the database is busy; trying again.",
    DISK_FULL: "⚠ Draft not saved: the disk is full. Free some space; it is tried again.",
    READ_ONLY: "⚠ Draft not saved: the database is read-only.",
}
HEARTBEAT_SECONDS = 10.0


def ago(now: datetime, then: datetime | None) -> str:
    if then is None:
        return "?"
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 10 * 60:  # "1 h ago" for 1 h 59 min hides an hour
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min ago" if rest else f"{hours} h ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // 1440} days ago"


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(size // 1024, 1)} KB"


def render_thread(messages: list[ThreadMessage], now: datetime, zone, buyer: str | None = None,
                  attachments: list | None = None) -> Text:
    """The thread; ``buyer`` names inbound messages that carry no author (rows from a CSV);
    each message lists the files that came with it (``o`` opens one)."""
    files: dict[int, list] = {}
    for attachment in attachments or ():
        files.setdefault(attachment.message_id, []).append(attachment)
    text = Text()
    for message in messages:
        label, style = DIRECTION_LABELS.get(message.direction, (message.direction, "bold"))
        if message.auto_ack:
            label, style = "automatic acknowledgement", "bold magenta"
        when = message.sent_at.astimezone(zone).strftime("%a %d %b %H:%M") if message.sent_at else "?"
        text.append(f"── {label} ", style=style)
        author = one_line(message.author, limit=60) or (one_line(buyer, limit=60) if message.direction == "in" else "") or "(no name)"
        text.append(author, style="dim")
        text.append(f"  {when} ({ago(now, message.sent_at)})", style="dim")
        if message.delivery == "failed":
            text.append(f"  ⚠ NOT DELIVERED: {one_line(message.delivery_reason, limit=80)}", style="bold red")
        elif message.delivery == "queued":
            text.append("  (queued for sending)", style="dim italic")
        text.append("\n")
        text.append(clean(message.body) + "\n", style="italic" if message.direction == "note" else "")
        if message.full_length > len(message.body):
            text.append(f"[{message.full_length - len(message.body):,} more characters not shown]\n", style="dim italic")
        for attachment in files.get(message.id, ()):
            text.append(f"⎘ {one_line(attachment.name, limit=80)}", style="bold")
            text.append(f"  {one_line(attachment.content_type, limit=40)}, {_size(attachment.size)}  (o opens)\n", style="dim")
        text.append("\n")
    return text


class TicketScreen(Screen[None]):
    BINDINGS = [
        Binding("r", "compose('reply')", "Reply", id="ticket.reply"),
        Binding("n", "compose('note')", "Note", id="ticket.note"),
        # t from the thread; ctrl+t from inside the reply box, where t is a letter to type
        Binding("t,ctrl+t", "templates", "Templates", id="ticket.templates"),
        Binding("ctrl+o", "external_editor", "Edit in $EDITOR", show=False, id="ticket.external_editor"),
        Binding("ctrl+f", "attach", "Attach files", show=False, id="ticket.attach"),
        Binding("m", "macro", "Macro", id="ticket.macro"),
        Binding("a", "assign", "Claim/assign", id="ticket.assign"),
        Binding("x", "resolve", "Resolve/reopen", id="ticket.resolve"),
        Binding("s", "snooze", "Snooze", id="ticket.snooze"),
        Binding("w", "pending", "Pending on buyer", id="ticket.pending"),
        Binding("e", "escalate", "Escalate", id="ticket.escalate"),
        Binding("plus", "tag", "Tag", id="ticket.tag"),
        Binding("p", "toggle_panel", "Order panel", id="ticket.panel"),
        Binding("o", "open_attachment", "Open attachment", show=False, id="ticket.open_attachment"),
        Binding("ctrl+s", "send", "Send", id="ticket.send", show=False),
        Binding("escape", "back", "Back", id="ticket.back"),
    ]

    def __init__(self, ticket_id: int) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.mode: str | None = None  # None, "reply" or "note"
        self.context: TicketContext | None = None
        self.attachments: list = []
        self._macro = None  # a macro whose actions wait for this reply to be sent
        self.opened_at: datetime | None = None
        self._draft_timer: Timer | None = None
        self._draft_dirty = False
        self._leave_unsaved = False  # a leave was refused once because the draft could not be written
        self._send_key = uuid4().hex  # one per reply: a second send with it sends nothing
        self._template_auto_ack = False
        self._others: list = []
        self.store = self.app.store
        self.read_only = self.store.read_only
        self.editor = TextArea(id="editor", soft_wrap=True, show_line_numbers=False)
        self.draft_state = Static("", id="draft-state", markup=False)  # kept: drafts are saved while unmounting too

    @property
    def conn(self):
        """The app's connection, which this screen's writes go through (tests watch it)."""
        return self.store.conn

    # -- layout -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="subject", markup=False)
        yield Static("", id="status", markup=False)
        with Horizontal(id="body"):
            with VerticalScroll(id="thread"):
                yield Static("", id="messages", markup=False)
            yield OrderPanel(self.app.clock, self.app.policy, id="ticket-panel")
        with Vertical(id="composer"):
            yield Static("", id="composer-title", markup=False)
            yield self.draft_state
            yield self.editor
            yield Static("", id="lint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        app = self.app
        self.opened_at = app.clock.now()
        self.set_class(app.size.width < 100, "narrow")
        self._record_opened()
        self._heartbeat()
        self._reload()
        draft = self.store.load_draft(self.ticket_id, app.agent)
        if draft:
            self._open_composer("reply", draft)
            self.notify("Your unsent draft is back.")
        self.set_interval(1.0, self._show_status)
        self.set_interval(HEARTBEAT_SECONDS, self._heartbeat)

    def action_open_attachment(self) -> None:
        """o: a file the buyer sent, opened with the system's opener (a photo of the damage)."""
        if not self.attachments:
            self.notify("No attachment on this ticket.")
            return

        def chosen(value: str | None) -> None:
            if value is None:
                return
            found = next(a for a in self.attachments if str(a.id) == value)
            try:
                path = open_attachment(self.conn, found)
            except OSError as error:
                self.notify(f"Could not open {one_line(found.name, limit=60)}: {error.strerror or error}", severity="error",
                            markup=False)
                return
            self.notify(f"Opened {one_line(found.name, limit=60)} ({path}).", markup=False)

        if len(self.attachments) == 1:
            chosen(str(self.attachments[0].id))
            return
        options = [(str(a.id), Text(f"{one_line(a.name, limit=60)}  {_size(a.size)}")) for a in self.attachments]
        self.app.push_screen(PickScreen("Open which attachment?", options), chosen)

    def on_resize(self) -> None:
        self.set_class(self.app.size.width < 100, "narrow")

    # -- reading ------------------------------------------------------------------------
    def _reload(self) -> None:
        app = self.app
        self.context = self.store.ticket_context(self.ticket_id)
        if self.context is None:
            self.query_one("#subject", Static).update(Text(f"#{self.ticket_id} no longer exists"))
            return
        subject = Text(f"#{self.ticket_id} ")
        subject.append(one_line(self.context.ticket["subject"], limit=300))
        self.query_one("#subject", Static).update(subject)
        messages = self.store.thread(self.ticket_id)
        self.attachments = attachments_for_ticket(self.conn, self.ticket_id)
        self.query_one("#messages", Static).update(render_thread(messages, app.clock.now(), app.zone,
                                                                      self.context.customer.name if self.context.customer else None,
                                                                      self.attachments))
        self.query_one(OrderPanel).show(self.context)
        self._show_status()

    def _show_status(self) -> None:
        if self.context is None:
            return
        app = self.app
        now = app.clock.now()
        ticket = self.context.ticket
        text = Text(no_wrap=True, overflow="ellipsis")
        if ticket["status"] == "solved":
            text.append(" ✓ solved ", style="bold reverse green")
        else:
            timer = self.context.timer
            state = timer.state(now)
            text.append(f" {countdown_text(state, timer.left(now)).strip()} {state.glyph} {state.label} ",
                        style=STATE_STYLES.get(state.key, ""))
            if ticket["status"] == "snoozed":
                text.append(f" wakes {format_wake(now, from_db(ticket['snoozed_until']), app.zone)}", style="italic")
        text.append(f"  {ticket['tier'] or 'untriaged'} · {ticket['channel']} · {ticket['status']}")
        text.append(f" · {'assigned to ' + one_line(ticket['assignee'], limit=30) if ticket['assignee'] else 'unassigned'}")
        if self.context.tags:
            text.append(" · tags: " + ", ".join(one_line(tag, limit=30) for tag in self.context.tags), style="dim")
        for other in self._others:
            text.append(f"  ⚠ {one_line(other.agent, limit=30)} is {other.activity}", style="bold yellow")
        self.query_one("#status", Static).update(text)
        self.query_one(OrderPanel).tick()

    def on_store_changed(self, message: StoreChanged) -> None:
        changes = message.changes
        if self.ticket_id in changes.ticket_ids or changes.overflow:
            self._read_presence()
            self._reload()

    def _read_presence(self) -> None:
        """Who else is here: read when presence rows change and with each heartbeat (stale
        heartbeats expire with time), not in the 1 s tick."""
        self._others = self.store.others_present(self.app.clock, self.ticket_id, self.app.agent)

    @tolerate_busy
    def _heartbeat(self) -> None:
        if self.read_only:
            return
        self.store.heartbeat(self.app.clock, self.ticket_id, self.app.agent, "replying" if self.mode == "reply" else "viewing")
        self._read_presence()

    # -- composing ----------------------------------------------------------------------
    def _open_composer(self, mode: str, text: str | None = None) -> None:
        self.mode = mode
        composer = self.query_one("#composer")
        composer.add_class("open")
        composer.set_class(mode == "note", "note")
        title = ("Reply to the buyer — ctrl+s send · ctrl+t templates · ctrl+o $EDITOR · f7 select all · "
                 "esc leave (draft kept)") if mode == "reply" else "Internal note (never sent) — ctrl+s save · esc leave"
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

    @on(TextArea.Changed, "#editor")
    def _typed(self) -> None:
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
        files = [(f.name, f.content_type, f.size) for f in self.app.store.draft_files(self.ticket_id, self.app.agent)]
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
            if value is None:
                return
            macro = macros[int(value)]
            if macro.template is None:
                self._run_macro_actions(macro)
                self._reload()
                return
            template = self._template_for(macro.template)
            if template is None:
                self.notify(f"Macro {one_line(macro.name, limit=40)}: no template {one_line(macro.template, limit=40)}.",
                            severity="error", markup=False)
                return
            from deskui.replies.templates import fill

            filled, missing = fill(template.body, self.context, agent=self.app.agent)
            self._template_auto_ack = template.auto_ack
            self._macro = macro
            self._open_composer("reply", filled)
            self.query_one("#composer-title", Static).update(
                Text(f"Macro {one_line(macro.name, limit=40)} — once sent: {macro.describe()} · ctrl+s send · esc leave"))
            if missing:
                self.notify(f"Fill in before sending: {', '.join(missing)}", severity="warning", markup=False)

        self.app.push_screen(PickScreen("Macros", options), chosen)

    def _template_for(self, key: str):
        """The template ``key`` in the buyer's language, else in any language."""
        from deskui.replies.templates import guess_language

        buyer_text = " ".join(m.body[:500] for m in self.store.thread(self.ticket_id) if m.direction == "in")
        language = guess_language(buyer_text or (self.context.ticket["subject"] if self.context else "") or "")
        found = [t for t in self.app.templates.templates if t.key == key]
        return next((t for t in found if t.language == language), found[0] if found else None)

    @tolerate_busy
    def _run_macro_actions(self, macro) -> None:
        app = self.app
        if macro.add_tags or macro.remove_tags:
            self.store.set_tags(app.policy, app.clock, self.ticket_id, app.agent, add=macro.add_tags, remove=macro.remove_tags)
        if macro.snooze:
            until = parse_snooze(macro.snooze, app.clock.now(), app.zone)
            self.store.set_status(app.policy, app.clock, self.ticket_id, "snoozed", app.agent, snoozed_until=until)
        elif macro.status:
            self.store.set_status(app.policy, app.clock, self.ticket_id, macro.status, app.agent)
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

    def action_templates(self) -> None:
        from deskui.replies.templates import guess_language, suggest

        if self.context is None:
            return
        templates = self.app.templates.templates
        buyer_text = " ".join(m.body[:500] for m in self.store.thread(self.ticket_id) if m.direction == "in")
        language = guess_language(buyer_text or self.context.ticket["subject"] or "")
        ranked = suggest(templates, self.context.ticket["category"], self.context.ticket["channel"], language)
        options = []
        for template in ranked:
            label = Text(f"{template.language}  ", style="bold")
            label.append(template.title)
            if template.auto_ack:
                label.append("  (auto-acknowledgement)", style="dim")
            options.append((f"{template.language}/{template.key}", label))

        def chosen(key: str | None) -> None:
            if key is None:
                return
            from deskui.replies.templates import fill

            template = next(t for t in ranked if f"{t.language}/{t.key}" == key)
            filled, missing = fill(template.body, self.context, agent=self.app.agent)
            self._template_auto_ack = template.auto_ack
            if self.mode == "reply" and self.editor.text.strip():
                # What the agent already wrote is kept: the template goes in at the cursor.
                self.editor.insert(filled)
                self.editor.focus()
            else:
                self._open_composer("reply", filled)
            if missing:
                self.notify(f"Fill in before sending: {', '.join(missing)}", severity="warning")

        self.app.push_screen(PickScreen(f"Templates ({language}, best match first)", options), chosen)

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

    # -- ticket actions -------------------------------------------------------------------
    @tolerate_busy
    def _guarded(self, action, value) -> None:
        action(value)

    def _after_action(self, message: str) -> None:
        self.notify(message)
        self._reload()

    def action_assign(self) -> None:
        """a: claim (your name), reassign (another known name; a new one is confirmed first),
        take over a ticket someone else holds (confirmed), or unassign (empty)."""
        app = self.app
        known = self.store.known_agents(app.clock.now() - timedelta(days=30))

        def assign(name: str | None) -> None:
            if name is None:
                return
            name = name.strip()
            if not name:
                self.store.unassign(app.clock, self.ticket_id, app.agent)
                self._after_action("Unassigned.")
                return
            matches = [agent for agent in known if agent.lower() == name.lower()]
            if matches:
                name = matches[0]
            elif name != app.agent:
                self.app.push_screen(
                    ConfirmScreen(f"{one_line(name, limit=30)} is not an agent here yet.",
                                  Text(f"Known: {one_line(', '.join(known[:12]), limit=200) or 'nobody yet'}. Assign to {one_line(name, limit=30)} anyway?"), yes="Assign"),
                    lambda yes: self._guarded(give, name) if yes else None)
                return
            if name == app.agent:
                holder = self.store.claim(app.clock, self.ticket_id, app.agent)
                if holder is not None:
                    self.app.push_screen(
                        ConfirmScreen(f"Held by {one_line(holder, limit=30)}", Text("Take it over? They are told by the event log."),
                                      yes="Take it"),
                        lambda yes: self._guarded(give, app.agent) if yes else None)
                    return
                self._after_action("Claimed: it is yours.")
                return
            give(name)

        def give(name: str) -> None:
            self.store.claim(app.clock, self.ticket_id, name, force=True)
            self._after_action("Taken over: it is yours." if name == app.agent else f"Assigned to {one_line(name, limit=30)}.")

        current = self.context.ticket["assignee"] if self.context else None
        self.app.push_screen(
            PromptScreen("Assign to (your name claims it; empty unassigns)", value=self.app.agent if not current else current,
                         hint="Names complete from the agents here (→ accepts). Someone else's ticket is taken only after you confirm.",
                         suggestions=known),
            lambda value: self._guarded(assign, value),
        )

    @tolerate_busy
    def action_resolve(self) -> None:
        app = self.app
        solved = self.context is not None and self.context.ticket["status"] == "solved"
        self.store.set_status(app.policy, app.clock, self.ticket_id, "open" if solved else "solved", app.agent)
        self._after_action("Reopened." if solved else "Solved.")

    @tolerate_busy
    def action_pending(self) -> None:
        """w: pending on the buyer; w again takes it back (open, clocks running)."""
        app = self.app
        if self.context is not None and self.context.ticket["status"] == "pending":
            self.store.set_status(app.policy, app.clock, self.ticket_id, "open", app.agent)
            self._after_action("Open again: the clock runs.")
            return
        self.store.set_status(app.policy, app.clock, self.ticket_id, "pending", app.agent)
        self._after_action("Pending on the buyer: the clock is paused until they write (w takes it back).")

    def action_snooze(self) -> None:
        app = self.app

        def snooze(value: str | None) -> None:
            if value is None:
                return
            now = app.clock.now()
            try:
                until = parse_snooze(value, now, app.zone)
            except ValueError as error:
                self.notify(one_line(str(error)), severity="error")
                return
            self.store.set_status(app.policy, app.clock, self.ticket_id, "snoozed", app.agent, snoozed_until=until)
            self._after_action(f"Snoozed until {describe_when(until, app.zone, now)}.")

        self.app.push_screen(PromptScreen("Snooze until", placeholder="30m · 2h · tomorrow 9am · friday 14:00 · next monday · eod"),
                             lambda value: self._guarded(snooze, value))

    @tolerate_busy
    def action_escalate(self) -> None:
        tier = self.store.escalate(self.app.policy, self.app.clock, self.ticket_id, self.app.agent)
        self._after_action(f"Escalated: tier {tier}.")

    def action_tag(self) -> None:
        def tag(value: str | None) -> None:
            if not value:
                return
            add = tuple(t for t in value.split(",") if t.strip() and not t.strip().startswith("-"))
            remove = tuple(t.strip()[1:] for t in value.split(",") if t.strip().startswith("-"))
            try:
                self.store.set_tags(self.app.policy, self.app.clock, self.ticket_id, self.app.agent, add=add, remove=remove)
            except ValueError as error:
                self.notify(str(error), severity="error")
                return
            self._after_action("Tags updated.")

        self.app.push_screen(PromptScreen("Tags (comma separated; -tag removes)", placeholder="a-to-z risk, fragile"),
                             lambda value: self._guarded(tag, value))

    def action_toggle_panel(self) -> None:
        """On a narrow terminal the order panel takes the thread's place; p switches."""
        self.toggle_class("show-panel")

    def action_back(self) -> None:
        if self.mode is not None:
            self._close_composer()
            return
        if self._draft_dirty and not self._leave_unsaved:
            self._leave_unsaved = True  # unsaved text dies with the screen: say so once before leaving
            self.notify("Your draft could not be saved: esc again leaves the ticket without it; r shows it.",
                        severity="warning", markup=False)
            return
        self.app.pop_screen()

    @tolerate_busy
    def _record_opened(self) -> None:
        if self.read_only:
            return
        self.store.record_opened(self.ticket_id, self.app.agent, self.opened_at)

    @tolerate_busy
    def _leave(self) -> None:
        if self.read_only:
            return
        self.store.leave(self.ticket_id, self.app.agent)

    def on_unmount(self) -> None:
        self._save_draft()
        self._leave()  # if it can't, the heartbeat simply goes stale in 30 s
