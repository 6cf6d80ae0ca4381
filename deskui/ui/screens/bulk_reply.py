"""The bulk reply's plan: before anything is sent, how many of the marked tickets pass and which
the linter (or an unfilled placeholder) would block, and why; ctrl+s sends to the ones that pass,
in one transaction, and the screen then lists what was queued and what was skipped (a ticket
someone replied to meanwhile). The plan is made by ``deskui.replies.bulk``; the store sends."""

from __future__ import annotations

from uuid import uuid4

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from deskui.replies.bulk import BulkReplyPlan
from deskui.text import one_line
from deskui.ui.busy import tolerate_busy

PREVIEW_CHARS = 160  # of the first passing reply, filled: what the buyers will read


def _row(reply, reason: str) -> tuple[Text, Text, Text, Text]:
    return (Text(f"#{reply.ticket_id}"), Text(one_line(reply.customer, limit=40) or "—"),
            Text(one_line(reply.channel, limit=12)), Text(one_line(reason, limit=200)))


def plan_table(plan: BulkReplyPlan) -> Table:
    """Blocked tickets first (each block reason on its own row), then passing ones with a warning."""
    table = Table(box=None, pad_edge=False, expand=True, show_edge=False)
    table.add_column("ticket", no_wrap=True, style="bold")
    table.add_column("customer", no_wrap=True, max_width=24, overflow="ellipsis")
    table.add_column("channel", no_wrap=True)
    table.add_column("why", ratio=1, no_wrap=True, overflow="ellipsis")  # one line a ticket: wider terminals say more
    for reply in plan.blocked:
        for reason in reply.blocks:
            ticket, customer, channel, why = _row(reply, reason)
            table.add_row(ticket, customer, channel, Text("⛔ ", style="bold red") + why)
    for reply in plan.passing:
        for reason in reply.warnings:
            ticket, customer, channel, why = _row(reply, reason)
            table.add_row(ticket, customer, channel, Text("⚠ ", style="yellow") + why)
    return table


class BulkReplyScreen(ModalScreen[object]):
    """Dismissed with the store's result once sent, None when cancelled."""

    BINDINGS = [Binding("ctrl+s", "send", "Send to passing", id="bulk_reply.send"),
                Binding("escape", "close", "Cancel", id="bulk_reply.cancel")]

    def __init__(self, plan: BulkReplyPlan, targets: list, title: str) -> None:
        super().__init__()
        self.plan, self.title_text = plan, title
        self.targets = {target.ticket_id: target for target in targets}
        self.plan_key = uuid4().hex[:12]  # one per plan: sending it twice queues nothing twice
        self.result = None
        self.summary_shown: Text = Text()
        self.rows_shown = None  # what the rows show (a table of the blocked and warned tickets)

    def compose(self) -> ComposeResult:
        passing = len(self.plan.passing)
        with Vertical(id="bulk-reply-box"):
            yield Static(Text(self.title_text, style="bold"), id="bulk-reply-title", markup=False)
            self.summary_shown, self.rows_shown = self._summary(), self._rows()
            yield Static(self.summary_shown, id="bulk-reply-summary", markup=False)
            with VerticalScroll(id="bulk-reply-rows"):
                yield Static(self.rows_shown, id="bulk-reply-table", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"Send to {passing:,} (^s)", id="send", variant="primary", disabled=not passing)
                yield Button("Cancel (esc)", id="cancel")

    def _summary(self) -> Text:
        plan = self.plan
        text = Text()
        text.append(f"✓ {len(plan.passing):,} pass", style="bold green")
        text.append(f"  ⛔ {len(plan.blocked):,} blocked", style="bold red" if plan.blocked else "dim")
        warned = sum(1 for reply in plan.passing if reply.warnings)
        if warned:
            text.append(f"  ⚠ {warned:,} with a warning (sent)", style="yellow")
        if plan.passing:
            first = plan.passing[0]
            text.append(f"\n#{first.ticket_id} will read: ", style="dim")
            preview = one_line(first.text, limit=PREVIEW_CHARS + 1)
            text.append(preview if len(preview) <= PREVIEW_CHARS else preview[:PREVIEW_CHARS - 1].rstrip() + "…")
        return text

    def _rows(self):
        if not any(reply.blocks or reply.warnings for reply in self.plan.replies):
            return Text("Every marked ticket passes the linter.", style="green")
        return plan_table(self.plan)

    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        self.action_send()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_close()

    @tolerate_busy
    def action_send(self) -> None:
        if self.result is not None or not self.plan.passing:
            return
        app = self.app
        replies = [(self.targets[reply.ticket_id], reply.text) for reply in self.plan.passing]
        self.result = app.store.send_bulk_replies(app.policy, app.clock, app.agent, self.plan_key, replies)
        self._show_result()

    def _show_result(self) -> None:
        result = self.result
        text = Text()
        text.append(f"✓ {len(result.sent):,} replies queued in the outbox.", style="bold green")
        if result.skipped:
            text.append(f"\n{len(result.skipped):,} skipped:", style="bold yellow")
        self.summary_shown = text
        self.query_one("#bulk-reply-summary", Static).update(text)
        table = Table(box=None, pad_edge=False, expand=True, show_edge=False)
        table.add_column("ticket", no_wrap=True, style="bold")
        table.add_column("why", ratio=1)
        for ticket_id, why in result.skipped.items():
            table.add_row(Text(f"#{ticket_id}"), Text(one_line(why, limit=200)))
        blocked = Text(f"Not sent (blocked): {', '.join(f'#{reply.ticket_id}' for reply in self.plan.blocked)}"
                       if self.plan.blocked else "", style="dim")
        self.rows_shown = Group(table, blocked) if result.skipped else blocked
        self.query_one("#bulk-reply-table", Static).update(self.rows_shown)
        self.query_one("#send", Button).display = False
        self.query_one("#cancel", Button).label = "Close (esc)"

    def action_close(self) -> None:
        self.dismiss(self.result)
