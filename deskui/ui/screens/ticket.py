"""The ticket workspace: thread, order panel, reply with templates and the compliance linter,
notes, claim, snooze, pending, resolve, escalate; drafts saved as you type; presence.

The reply box is ReplyBox (ticket_reply.py), the status and assignment actions TicketActions
(ticket_actions.py), the thread's text ticket_thread.py; this screen lays them out, holds the
bindings and the state they share, and keeps presence."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static, TextArea

from deskui.connect.attachments import for_ticket as attachments_for_ticket
from deskui.connect.attachments import open_attachment
from deskui.store.context import TicketContext
from deskui.text import one_line
from deskui.timeutil import from_db
from deskui.ui.busy import tolerate_busy
from deskui.ui.changes import StoreChanged
from deskui.ui.outage import OutageGuard
from deskui.ui.screens.dialogs import PickScreen
from deskui.ui.screens.ticket_actions import TicketActions
from deskui.ui.screens.ticket_reply import ReplyBox
# ago and render_thread are imported from here by callers and tests: they stay importable
from deskui.ui.screens.ticket_thread import DIRECTION_LABELS, _size, ago, render_thread  # noqa: F401
from deskui.ui.widgets.order_panel import OrderPanel
from deskui.ui.widgets.status_bar import STATE_STYLES
from deskui.ui.widgets.ticket_list import countdown_text, format_wake

HEARTBEAT_SECONDS = 10.0


class TicketScreen(ReplyBox, TicketActions, OutageGuard, Screen[None]):
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
        Binding("u", "undo", "Undo", id="ticket.undo"),
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
        self._draft_read = False  # the saved draft was looked for (not yet when opened during an outage)
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
        # Before the children exist: a class set later restyles the whole screen.
        self.set_class(self.app.size.width < 100, "narrow")
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
        # The timers first: a read below that meets a database outage ends on_mount (ui/outage.py),
        # and after_outage reads the rest when the server answers.
        self.set_interval(1.0, self._show_status)
        self.set_interval(HEARTBEAT_SECONDS, self._heartbeat)
        self._record_opened()
        self._heartbeat()
        self._reload()
        self._restore_draft()

    def _restore_draft(self) -> None:
        draft = self.store.load_draft(self.ticket_id, self.app.agent)
        self._draft_read = True
        if draft:
            self._open_composer("reply", draft)
            self.notify("Your unsent draft is back.")

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
        app = self.app
        if self.context is None:
            if app.failures.get("database"):  # opened during an outage: nothing of it could be read yet
                self.query_one("#status", Static).update(
                    Text(f"⚠ {app.failures['database']} · this ticket is read when it answers", style="bold red"))
            return
        now = app.clock.now()
        ticket = self.context.ticket
        text = Text(no_wrap=True, overflow="ellipsis")
        if app.failures.get("database"):  # the server went away: said first, where the eye is
            text.append(f"⚠ {app.failures['database']}  ", style="bold red")
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

    def after_outage(self) -> None:
        """The server answers again: what changed meanwhile (another agent's reply) is read."""
        self._read_presence()
        self._reload()
        if not self._draft_read and self.mode is None:  # opened during the outage: the draft is read now
            self._restore_draft()

    def _read_presence(self) -> None:
        """Who else is here: read when presence rows change and with each heartbeat (stale
        heartbeats expire with time), not in the 1 s tick."""
        self._others = self.store.others_present(self.app.clock, self.ticket_id, self.app.agent)

    @tolerate_busy(background=True)
    def _heartbeat(self) -> None:
        if self.read_only:
            return
        self.store.heartbeat(self.app.clock, self.ticket_id, self.app.agent, "replying" if self.mode == "reply" else "viewing")
        self._read_presence()

    @on(TextArea.Changed, "#editor")
    def _typed(self) -> None:
        self._editor_changed()  # here, not in ReplyBox: Textual finds @on handlers only on its own classes

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

    @tolerate_busy(background=True)
    def _record_opened(self) -> None:
        if self.read_only:
            return
        self.store.record_opened(self.ticket_id, self.app.agent, self.opened_at)

    @tolerate_busy(background=True)
    def _leave(self) -> None:
        if self.read_only:
            return
        self.store.leave(self.ticket_id, self.app.agent)

    def on_unmount(self) -> None:
        self._save_draft()
        self._leave()  # if it can't, the heartbeat simply goes stale in 30 s
