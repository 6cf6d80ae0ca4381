"""The order-context panel: why the ticket is red, its deadlines, the order, the buyer's history."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from deskui import sla
from deskui.clock import Clock
from deskui.policy.model import Policy
from deskui.sla import SlaState
from deskui.store.context import PANEL_CLOCKS, Order, TicketContext, clock_timer
from deskui.text import one_line
from deskui.timeutil import format_minutes, from_db

CATEGORY_LABELS = {
    "atoz_claim": "A-to-z claim / claim threat",
    "chargeback": "chargeback / bank dispute",
    "damaged": "damaged",
    "missing_item": "missing item",
    "wrong_item": "wrong item",
    "defective": "defective",
    "not_received": "not received / where is my order",
    "tracking": "tracking",
    "return": "return",
    "refund": "refund",
    "exchange": "exchange",
    "cancellation": "cancellation",
    "invoice": "invoice",
    "feedback": "feedback",
    "product_question": "product question",
}
DUE_KIND_LABELS = {"first_response": "first response", "next_response": "next response", "resolution": "resolution", "marketplace": "marketplace"}


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


def _money(amount: float | None, currency: str | None) -> str:
    return "—" if amount is None else f"{amount:,.2f} {currency or ''}".strip()


class _Builder:
    """Appends untrusted values as plain text, never as markup."""

    def __init__(self) -> None:
        self.text = Text(no_wrap=False, overflow="fold")

    def heading(self, title: str) -> None:
        if self.text:
            self.text.append("\n")
        self.text.append(title.upper() + "\n", style="bold underline")

    def field(self, label: str, value: str | None, style: str = "") -> None:
        self.text.append(f"{label:<11} ", style="dim")
        self.text.append(one_line(value, limit=200) or "—", style=style)
        self.text.append("\n")

    def line(self, value: str, style: str = "") -> None:
        self.text.append(value, style=style)
        self.text.append("\n")

    def flag(self, value: str, style: str = "bold reverse") -> None:
        self.text.append(f" {value} ", style=style)


STATE_MARK_STYLES = {"at_risk": "bold yellow", "imminent": "bold red", "breached": "bold white on red",
                     "paused": "italic", "met": "green", "missed": "yellow"}


def _margin(minutes: float) -> str:
    minutes = abs(minutes)
    return f"{minutes:g} min" if minutes < 60 else format_minutes(minutes)


def render_deadlines(context: TicketContext, now: datetime) -> Text:
    """Each clock of the ticket and its state now: the part of the panel that ticks."""
    out = _Builder()
    out.heading("deadlines")
    ticket = context.ticket
    paused_at = from_db(ticket["paused_at"])
    for label, prefix, kinds, pauses in PANEL_CLOCKS:
        timer = clock_timer(ticket, prefix, pauses)
        if timer is not None:
            state = timer.state(now)
            left = sla.format_countdown(timer.left(now))
            out.text.append(f"{label:<11} ", style="dim")
            if timer.paused_at is not None:
                # What was left at the pause, not a due time that means nothing while it waits.
                out.text.append("paused, " + (f"{left.lstrip('-')} past due" if state is SlaState.BREACHED else f"{left} left"))
            else:
                out.text.append(f"{_when(timer.due_at)} UTC  {left}")
            out.text.append(f"  {state.glyph} {state.label}\n", style=STATE_MARK_STYLES.get(state.key, ""))
            continue
        stopped = [context.outcomes[kind] for kind in kinds if kind in context.outcomes]
        if stopped:
            last = max(stopped, key=lambda outcome: outcome.stopped_at or datetime.min.replace(tzinfo=now.tzinfo))
            met = last.outcome == "met"
            state = SlaState.MET if met else SlaState.MISSED
            detail = f"{_margin(last.margin_minutes)} to spare" if met else f"late by {_margin(last.margin_minutes)}"
            out.field(label, f"{state.glyph} {state.label}, {detail}", STATE_MARK_STYLES[state.key])
    if not any(ticket[f"{prefix}due_at"] for _, prefix, _, _ in PANEL_CLOCKS) and not context.outcomes:
        out.line("  no clock running (answered, or waiting on nothing)", "dim")
    if ticket["due_kind"]:
        out.field("next due", DUE_KIND_LABELS.get(ticket["due_kind"], ticket["due_kind"]))
    if paused_at is not None:
        out.field("paused", f"since {_when(paused_at)} ({ticket['status']})", "italic")
    return out.text


def render_context(context: TicketContext | None, now: datetime, policy: Policy) -> Text:
    """The whole panel as one text (the widget shows the same three parts in three Statics)."""
    if context is None:
        return render_why(None)
    whole = render_deadlines(context, now)
    whole.append("\n")
    whole.append_text(render_why(context))
    whole.append("\n")
    whole.append_text(render_order_and_customer(context, now))
    return whole


def render_why(context: TicketContext | None) -> Text:
    out = _Builder()
    if context is None:
        out.line("No ticket highlighted.", "dim")
        return out.text
    ticket = context.ticket
    tier = ticket["tier"]
    out.heading(f"why {tier or 'untriaged'}")
    if ticket["category"]:
        out.field("category", CATEGORY_LABELS.get(ticket["category"], ticket["category"]), "bold")
    if context.evidence:
        # The same words found twice (in the subject and again in a quoted reply) say nothing new.
        seen: set[tuple] = set()
        shown = []
        for item in context.evidence:
            if isinstance(item, dict):
                key = (str(item.get("text", "")).casefold(), item.get("field"), item.get("category"))
                if key not in seen:
                    seen.add(key)
                    shown.append(item)
        for item in shown[:6]:
            out.text.append("  “", style="dim")
            out.text.append(one_line(str(item.get("text", "")), limit=40), style="bold")
            lang = f" ({one_line(item['lang'], limit=12)})" if isinstance(item.get("lang"), str) and item["lang"] else ""
            out.text.append(f"” in {item.get('field', '?')} → {CATEGORY_LABELS.get(str(item.get('category')), str(item.get('category')))}{lang}\n", style="dim")
    elif tier:
        out.line("  no risk keywords: tier from the channel rule", "dim")
    if context.tags:
        out.field("tags", ", ".join(context.tags))
    return out.text


def render_order_and_customer(context: TicketContext, now: datetime) -> Text:
    out = _Builder()
    ticket = context.ticket
    order = context.order
    out.heading("order")
    if order is None:
        if ticket["order_number"]:
            out.line(f"Order {one_line(ticket['order_number'], limit=40)} is not in the database.", "italic")
        else:
            out.line("No order linked to this ticket.", "italic")
    else:
        _render_order(out, order, now)

    customer = context.customer
    out.heading("customer")
    if customer is None:
        out.line("Unknown customer.", "italic")
    else:
        out.field("name", customer.name)
        out.field("e-mail", customer.email)
        if customer.country:
            out.field("country", customer.country)
        out.field("history", f"{customer.order_count} order(s), {customer.ticket_count} other ticket(s)")
        risks = []
        if customer.negative_feedback:
            risks.append(f"{customer.negative_feedback} negative feedback")
        if customer.claims:
            risks.append(f"{customer.claims} A-to-z claim(s)")
        if customer.chargebacks:
            risks.append(f"{customer.chargebacks} chargeback(s)")
        if risks:
            out.field("risk", ", ".join(risks), "bold red")
        for past in customer.orders[:5]:
            marks = []
            if past.feedback_rating:
                marks.append(f"{past.feedback_rating}★")
            if past.claim_status:
                marks.append(f"claim {past.claim_status}")
            if past.chargeback:
                marks.append("chargeback")
            if past.return_status:
                marks.append(f"return {past.return_status}")
            out.line(f"  {one_line(past.order_number, limit=24)}  {_when(past.purchased_at)[:10]}  {_money(past.total, past.currency)}  {' '.join(marks)}", "dim")
        for past in customer.tickets[:5]:
            out.line(f"  #{past.id} {past.status:<7} {one_line(past.subject, limit=44)}", "dim")
    return out.text


def _render_order(out: _Builder, order: Order, now: datetime) -> None:
    out.field("number", order.order_number, "bold")
    out.field("marketplace", order.marketplace or order.channel)
    out.field("placed", _when(order.purchased_at))
    out.field("status", order.status)
    out.field("fulfilment", {"FBA": "FBA (Amazon ships)", "FBM": "FBM (you ship)", "MCF": "MCF (Amazon ships a non-Amazon order)"}.get(order.fulfillment or "", order.fulfillment))
    out.field("total", _money(order.total, order.currency))
    for item in order.items:
        out.text.append(f"  {item.quantity}× ", style="bold")
        out.text.append(one_line(item.title, limit=60) or "(untitled)")
        out.text.append(f"\n     SKU {one_line(item.sku, limit=30) or '—'}  ASIN {one_line(item.asin, limit=12) or '—'}  {_money(item.price, order.currency)}\n", style="dim")
    out.text.append(f"{'ship by':<11} ", style="dim")
    out.text.append(_when(order.ship_by))
    if order.late_shipment(now):
        out.text.append("  ")
        out.flag("LATE SHIPMENT", "bold white on red")
    out.text.append("\n")
    out.text.append(f"{'deliver by':<11} ", style="dim")
    out.text.append(_when(order.deliver_by))
    if order.late_delivery(now):
        out.text.append("  ")
        out.flag("LATE", "bold white on red")
    elif order.delivered_at:
        out.text.append(f"  delivered {_when(order.delivered_at)}", style="green")
    out.text.append("\n")
    if order.carrier or order.tracking_number:
        out.field("tracking", f"{order.carrier or '?'} {order.tracking_number or '(no number)'}")
    else:
        out.field("tracking", "no tracking number", "bold yellow")
    for event in order.tracking[:4]:
        out.line(f"  {_when(event.at)}  {one_line(event.status, limit=24)}  {one_line(event.location, limit=24)}", "dim")
    if order.return_status or order.refunded_amount:
        out.field("return", order.return_status or "—")
        out.field("refunded", _money(order.refunded_amount, order.currency))
    if order.feedback_rating:
        out.field("feedback", f"{order.feedback_rating}★ {one_line(order.feedback_text, limit=80)}", "bold red" if order.feedback_rating <= 2 else "")
    if order.claim_status:
        out.field("A-to-z", order.claim_status, "bold red")
    if order.chargeback:
        out.field("chargeback", "yes", "bold red")


class OrderPanel(VerticalScroll, can_focus=True):
    """Deadlines, why, order, customer. The deadlines tick with the rows' 1 s timer; the rest is
    rendered only when the highlighted ticket changes.

    Focusable (tab reaches it) so that where it is shorter than its text, at 80x24 above all, the
    keyboard scrolls it: arrows, page up/down, home/end are the scroll view's own keys."""

    DEFAULT_CSS = """
    OrderPanel { background: $panel; padding: 0 1; }
    OrderPanel:focus { background: $panel-lighten-1; }
    OrderPanel > Static { width: 1fr; }
    """

    def __init__(self, clock: Clock, policy: Policy, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.policy = policy
        self.context: TicketContext | None = None
        self._why = Static("", markup=False, id="order-panel-why")
        self._deadlines = Static("", markup=False, id="order-panel-deadlines")
        self._rest = Static("", markup=False, id="order-panel-rest")
        self._deadlines_shown: str | None = None

    def compose(self):
        # The deadlines first: on a small terminal the panel shows a few lines, and time left
        # is what the agent acts on.
        yield self._deadlines
        yield self._why
        yield self._rest

    def show(self, context: TicketContext | None) -> None:
        self.context = context
        now = self.clock.now()
        self._why.update(render_why(context))
        self._rest.update(render_order_and_customer(context, now) if context else "")
        self._deadlines_shown = None
        self.tick()
        self.scroll_home(animate=False)

    @property
    def plain(self) -> str:
        """Everything the panel shows, as plain text (for tests and screen readers)."""
        return "\n".join(str(part.render()) for part in (self._deadlines, self._why, self._rest))

    def tick(self) -> None:
        """Repaint the deadlines if their text moved (a countdown over an hour moves once a minute)."""
        text = render_deadlines(self.context, self.clock.now()) if self.context else Text()
        if text.plain != self._deadlines_shown:
            self._deadlines_shown = text.plain
            self._deadlines.update(text)
