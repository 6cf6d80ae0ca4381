"""A ticket opened from the inbox: its thread beside the same order panel."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from deskui.store import connect
from deskui.store.context import ticket_context
from deskui.store.thread import ThreadMessage, thread
from deskui.store.tickets import record_event
from deskui.store.db import write
from deskui.text import clean, one_line
from deskui.ui.widgets.order_panel import OrderPanel

DIRECTION_LABELS = {"in": ("buyer", "bold cyan"), "out": ("agent", "bold green"), "note": ("internal note", "bold yellow")}


def ago(now: datetime, then: datetime | None) -> str:
    if then is None:
        return "?"
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // 1440} days ago"


def render_thread(messages: list[ThreadMessage], now: datetime, zone) -> Text:
    text = Text()
    for message in messages:
        label, style = DIRECTION_LABELS.get(message.direction, (message.direction, "bold"))
        if message.auto_ack:
            label, style = "automatic acknowledgement", "bold magenta"
        when = message.sent_at.astimezone(zone).strftime("%a %d %b %H:%M") if message.sent_at else "?"
        text.append(f"── {label} ", style=style)
        text.append(one_line(message.author, limit=60), style="dim")
        text.append(f"  {when} ({ago(now, message.sent_at)})\n", style="dim")
        text.append(clean(message.body) + "\n")
        if message.full_length > len(message.body):
            text.append(f"[{message.full_length - len(message.body):,} more characters not shown]\n", style="dim italic")
        text.append("\n")
    return text


class TicketScreen(Screen[None]):
    DEFAULT_CSS = """
    TicketScreen #subject { height: auto; padding: 0 1; background: $panel; text-style: bold; }
    TicketScreen #body { height: 1fr; }
    TicketScreen #thread { width: 1fr; padding: 0 1; }
    TicketScreen OrderPanel { width: 44%; max-width: 72; border-left: tall $primary 40%; }
    """
    BINDINGS = [Binding("escape,q", "back", "Back", id="ticket.back")]

    def __init__(self, ticket_id: int) -> None:
        super().__init__()
        self.ticket_id = ticket_id

    def compose(self) -> ComposeResult:
        yield Static("", id="subject", markup=False)
        with Horizontal(id="body"):
            with VerticalScroll(id="thread"):
                yield Static("", id="messages", markup=False)
            yield OrderPanel(self.app.clock, self.app.policy, id="ticket-panel")
        yield Footer()

    def on_mount(self) -> None:
        app = self.app
        conn = connect(app.db_path)
        try:
            context = ticket_context(conn, self.ticket_id)
            messages = thread(conn, self.ticket_id)
            with write(conn):
                record_event(conn, self.ticket_id, "opened", app.agent, app.clock.now())
        finally:
            conn.close()
        subject = Text(f"#{self.ticket_id} ")
        if context is not None:
            subject.append(one_line(context.ticket["subject"], limit=300))
        self.query_one("#subject", Static).update(subject)
        self.query_one("#messages", Static).update(render_thread(messages, app.clock.now(), app.zone))
        self.query_one(OrderPanel).show(context)

    def action_back(self) -> None:
        self.app.pop_screen()
