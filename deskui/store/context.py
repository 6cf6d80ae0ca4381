"""Everything an agent needs beside a ticket to solve it on first contact, in a few indexed reads."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from deskui.sla import Timer
from deskui.store.find import newest_by_order_number
from deskui.timeutil import from_db

HISTORY_LIMIT = 8


@dataclass
class OrderItem:
    sku: str | None
    asin: str | None
    title: str | None
    quantity: int
    price: float | None


@dataclass
class TrackingEvent:
    at: datetime | None
    status: str
    location: str | None
    description: str | None


@dataclass
class Order:
    id: int
    channel: str
    order_number: str
    marketplace: str | None
    purchased_at: datetime | None
    status: str | None
    fulfillment: str | None
    ship_by: datetime | None
    deliver_by: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    carrier: str | None
    tracking_number: str | None
    currency: str | None
    total: float | None
    refunded_amount: float
    return_status: str | None
    feedback_rating: int | None
    feedback_text: str | None
    claim_status: str | None
    chargeback: bool
    items: list[OrderItem] = field(default_factory=list)
    tracking: list[TrackingEvent] = field(default_factory=list)

    def late_shipment(self, now: datetime) -> bool:
        if self.ship_by is None:
            return False
        shipped = self.shipped_at or now
        return shipped > self.ship_by

    def late_delivery(self, now: datetime) -> bool:
        if self.deliver_by is None:
            return False
        delivered = self.delivered_at or now
        return delivered > self.deliver_by


@dataclass
class PastTicket:
    id: int
    subject: str
    status: str
    category: str | None
    created_at: datetime | None


@dataclass
class Customer:
    id: int
    name: str | None
    email: str | None
    country: str | None
    orders: list[Order] = field(default_factory=list)  # earlier orders, newest first
    tickets: list[PastTicket] = field(default_factory=list)
    order_count: int = 0
    ticket_count: int = 0
    negative_feedback: int = 0
    claims: int = 0
    chargebacks: int = 0


@dataclass(frozen=True)
class ClockOutcome:
    """A stopped clock as ``sla_clocks`` recorded it."""

    kind: str
    outcome: str  # met / missed
    margin_minutes: float
    stopped_at: datetime | None


# The panel's clocks: label, the tickets columns' prefix, the sla_clocks kinds it stands for, and
# whether pending/snoozed pauses it (Amazon's own deadline never pauses).
PANEL_CLOCKS = (
    ("internal", "sla_", ("first_response", "next_response"), True),
    ("marketplace", "marketplace_", ("marketplace",), False),
    ("resolution", "resolution_", ("resolution",), True),
)


def headline_timer(ticket) -> Timer:
    """The clock a ticket's row, header and counts show: the one that ends first."""
    return Timer(from_db(ticket["due_at"]), from_db(ticket["at_risk_at"]), from_db(ticket["imminent_at"]),
                 from_db(ticket["paused_at"]), ticket["response_outcome"])


def clock_timer(ticket, prefix: str, pauses: bool) -> Timer | None:
    """One running clock of the ticket, or None when it does not run."""
    due = from_db(ticket[f"{prefix}due_at"])
    if due is None:
        return None
    return Timer(due, from_db(ticket[f"{prefix}at_risk_at"]), from_db(ticket[f"{prefix}imminent_at"]),
                 from_db(ticket["paused_at"]) if pauses else None)


@dataclass
class TicketContext:
    ticket: sqlite3.Row
    order: Order | None
    customer: Customer | None
    evidence: list[dict]
    tags: list[str]
    outcomes: dict[str, ClockOutcome] = field(default_factory=dict)  # kind -> the last one stopped

    @property
    def timer(self) -> Timer:
        return headline_timer(self.ticket)


def _order(raw: sqlite3.Row) -> Order:
    return Order(
        id=raw["id"],
        channel=raw["channel"],
        order_number=raw["order_number"],
        marketplace=raw["marketplace"],
        purchased_at=from_db(raw["purchased_at"]),
        status=raw["status"],
        fulfillment=raw["fulfillment"],
        ship_by=from_db(raw["ship_by"]),
        deliver_by=from_db(raw["deliver_by"]),
        shipped_at=from_db(raw["shipped_at"]),
        delivered_at=from_db(raw["delivered_at"]),
        carrier=raw["carrier"],
        tracking_number=raw["tracking_number"],
        currency=raw["currency"],
        total=raw["total"],
        refunded_amount=raw["refunded_amount"] or 0.0,
        return_status=raw["return_status"],
        feedback_rating=raw["feedback_rating"],
        feedback_text=raw["feedback_text"],
        claim_status=raw["claim_status"],
        chargeback=bool(raw["chargeback"]),
    )


def find_ticket(conn: sqlite3.Connection, text: str) -> int | None:
    """A ticket by what an agent types to go to it: ``#123`` / ``123``, or an order number (its
    newest ticket; Shopify's ``#1001`` with or without the ``#``). Both by an index: the order by
    ``tickets_order`` (channel, order_number), one seek per channel."""
    wanted = text.strip().lstrip("#").strip()
    if not wanted:
        return None
    if wanted.isdigit() and len(wanted) <= 18:
        row = conn.execute("SELECT id FROM tickets WHERE id = ?", (int(wanted),)).fetchone()
        if row:
            return row[0]
    return newest_by_order_number(conn, text)


def ticket_context(conn: sqlite3.Connection, ticket_id: int) -> TicketContext | None:
    ticket = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    if ticket is None:
        return None
    order = _ticket_order(conn, ticket)
    customer_id = ticket["customer_id"] if ticket["customer_id"] is not None else (order and _order_customer(conn, order.id))
    customer = _customer_of(conn, customer_id, order, ticket_id) if customer_id is not None else None
    tags = [row[0] for row in conn.execute("SELECT tag FROM tags WHERE ticket_id = ? ORDER BY tag", (ticket_id,))]
    outcomes = {
        row[0]: ClockOutcome(row[0], row[1], row[2], from_db(row[3]))
        for row in conn.execute(
            "SELECT kind, outcome, margin_minutes, stopped_at FROM sla_clocks WHERE ticket_id = ? ORDER BY stopped_at, id",
            (ticket_id,),
        )
    }
    return TicketContext(ticket, order, customer, _evidence(ticket), tags, outcomes)


def _ticket_order(conn: sqlite3.Connection, ticket: sqlite3.Row) -> Order | None:
    """The ticket's order (same channel and number) with its items and latest tracking events."""
    if not ticket["order_number"]:
        return None
    raw = conn.execute(
        "SELECT * FROM orders WHERE channel = ? AND order_number = ?", (ticket["channel"], ticket["order_number"])
    ).fetchone()
    if raw is None:
        return None
    order = _order(raw)
    order.items = [
        OrderItem(r["sku"], r["asin"], r["title"], r["quantity"] or 1, r["price"])
        for r in conn.execute("SELECT * FROM order_items WHERE order_id = ? ORDER BY id", (order.id,))
    ]
    order.tracking = [
        TrackingEvent(from_db(r["at"]), r["status"], r["location"], r["description"])
        for r in conn.execute("SELECT * FROM tracking_events WHERE order_id = ? ORDER BY at DESC, id DESC LIMIT 6", (order.id,))
    ]
    return order


def _customer_of(conn: sqlite3.Connection, customer_id: int, order: Order | None, ticket_id: int) -> Customer | None:
    """The customer with their counts and their other orders and tickets (not this ticket nor its order)."""
    raw = conn.execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()
    if raw is None:
        return None
    customer = Customer(raw["id"], raw["name"], raw["email"], raw["country"])
    stats = conn.execute(
        "SELECT count(*), sum(feedback_rating IN (1, 2)), sum(claim_status IS NOT NULL), sum(chargeback) "
        "FROM orders WHERE customer_id = ?",
        (customer_id,),
    ).fetchone()
    customer.order_count, customer.negative_feedback, customer.claims, customer.chargebacks = (v or 0 for v in stats)
    customer.orders = [
        _order(r)
        for r in conn.execute(
            "SELECT * FROM orders WHERE customer_id = ? AND id != ? ORDER BY purchased_at DESC LIMIT ?",
            (customer_id, order.id if order else -1, HISTORY_LIMIT),
        )
    ]
    customer.ticket_count = conn.execute(
        "SELECT count(*) FROM tickets WHERE customer_id = ? AND id != ?", (customer_id, ticket_id)
    ).fetchone()[0]
    customer.tickets = [
        PastTicket(r["id"], r["subject"] or "", r["status"], r["category"], from_db(r["created_at"]))
        for r in conn.execute(
            "SELECT id, subject, status, category, created_at FROM tickets WHERE customer_id = ? AND id != ? "
            "ORDER BY created_at DESC LIMIT ?",
            (customer_id, ticket_id, HISTORY_LIMIT),
        )
    ]
    return customer


def _evidence(ticket: sqlite3.Row) -> list:
    try:
        evidence = json.loads(ticket["evidence"] or "[]")
    except ValueError:
        return []
    return evidence if isinstance(evidence, list) else []


def _order_customer(conn: sqlite3.Connection, order_id: int) -> int | None:
    row = conn.execute("SELECT customer_id FROM orders WHERE id = ?", (order_id,)).fetchone()
    return row[0] if row else None
