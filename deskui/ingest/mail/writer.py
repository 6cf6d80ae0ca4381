"""Writing classified messages, one batch at a time: a few lookups for every key the batch
names, routing each message to its ticket (new tickets and customers get their ids here), then
one statement per kind of row. The SQL is in ``deskui.store.mail_rows``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from deskui.ingest.base import ImportContext
from deskui.ingest.mail.classify import Rules
from deskui.ingest.mail.model import Mail
from deskui.store import imports as store
from deskui.store import mail_rows
from deskui.store.tickets import record_event
from deskui.timeutil import from_db


class MailImporter:
    """Writes classified messages in batches (see ``_Batch``)."""

    def __init__(self, ctx: ImportContext, rules: Rules):
        self.ctx = ctx
        self.conn = ctx.conn
        self.rules = rules
        self.channels = rules.channels
        self.by_message_index = store.has_index_on(self.conn, "messages", "external_id")
        # Tickets that got a new or changed message: triaged once, at the end of the file (a
        # ticket with follow-ups in several batches is refreshed once, not once per batch).
        self.touched: set[int] = set()
        # channels that have tickets: the (channel, external_id) lookups name only these
        self.ticket_channels = store.ticket_channels(self.conn)
        self._next: dict[str, int] = {}
        ctx.tables("tickets", "messages", "customers")

    def next_id(self, table: str) -> int:
        """Ids for new rows, handed out here so a batch is inserted with one statement. Safe:
        the import runs inside one write transaction, so no other writer can take an id."""
        if table not in self._next:
            self._next[table] = store.max_id(self.conn, table)
        self._next[table] += 1
        return self._next[table]

    def run(self, batches: Iterable[list[Mail]]) -> None:
        for batch in batches:
            self.flush(batch)
        if not self.ctx.failed:
            self.ctx.to_triage(self.touched)

    def flush(self, batch: list[Mail]) -> None:
        if not batch or self.ctx.failed:
            return
        _Batch(self, batch).write()
        self.ctx.batch_written(("customers", "tickets", "messages"))


class _Batch:
    """One batch of messages: what the database holds for it, then the writes."""

    def __init__(self, importer: MailImporter, mails: list[Mail]):
        self.importer = importer
        self.ctx = importer.ctx
        self.conn: sqlite3.Connection = importer.conn
        self.mails = mails
        self.tickets: dict[str, dict] = {}    # external_id -> ticket state
        self.by_id: dict[int, dict] = {}
        self.stored_in: dict[str, int] = {}   # Message-ID -> ticket, when an index makes this lookup cheap
        self.customers: dict[tuple[str, str], dict] = {}
        self.orders: dict[tuple[str, str], dict] = {}
        self.new_tickets: list[tuple] = []
        self.new_customers: list[tuple] = []

    def write(self) -> None:
        self._load_tickets()
        self._load_customers_and_orders()
        routed = self._route()
        order_changes = self._messages(routed)
        self._save_changes(order_changes)

    # ------------------------------------------------------------------ 1. what is stored
    def _load_tickets(self) -> None:
        keys = set()
        for mail in self.mails:
            keys.update(mail.refs)
            keys.add(mail.root)
            keys.add(mail.message_id)
            if mail.key:
                keys.add(mail.key)
        for row in mail_rows.tickets_by_external_id(self.conn, sorted(self.importer.ticket_channels), keys):
            ticket = dict(row)
            ticket["new"] = False
            self.tickets.setdefault(row["external_id"], ticket)
            self.by_id[ticket["id"]] = ticket
        if self.importer.by_message_index:
            ids = {mail.message_id for mail in self.mails} | {ref for mail in self.mails for ref in mail.refs}
            self.stored_in = mail_rows.tickets_holding(self.conn, ids)
            for row in mail_rows.tickets_by_id(self.conn, set(self.stored_in.values()) - set(self.by_id)):
                self.by_id[row["id"]] = dict(row) | {"new": False}

    def _load_customers_and_orders(self) -> None:
        wanted_customers: dict[str, set[str]] = {}
        wanted_orders: dict[str, set[str]] = {}
        for mail in self.mails:
            if mail.customer_addr:
                wanted_customers.setdefault(mail.channel, set()).add(mail.customer_addr)
            if mail.order_number:
                wanted_orders.setdefault(mail.channel, set()).add(mail.order_number)
        for channel, addresses in wanted_customers.items():
            for row in store.customers_by_key(self.conn, channel, addresses):
                self.customers[(channel, row["external_id"])] = dict(row)
        for channel, numbers in wanted_orders.items():
            for row in store.orders_by_number(self.conn, channel, numbers):
                self.orders[(channel, row["order_number"])] = dict(row)

    # ------------------------------------------------------------------ 2. routing
    def _route(self) -> list[tuple[Mail, dict, str, int | None]]:
        """Every message to its ticket; new tickets and customers are written in one statement
        each (this transaction holds the write lock, so the ids handed out are safe)."""
        batch_messages: dict[str, int] = {}
        routed = []
        for mail in self.mails:
            ticket = self._find(mail, batch_messages)
            channel = ticket["channel"] if ticket is not None else mail.channel
            customer_id = self._customer(mail, channel)
            if ticket is None:
                ticket = self._new_ticket(mail, channel, customer_id)
                self.tickets[ticket["external_id"]] = ticket
                self.by_id[ticket["id"]] = ticket
            batch_messages[mail.message_id] = ticket["id"]
            routed.append((mail, ticket, channel, customer_id))
        mail_rows.insert_customers(self.conn, self.new_customers)
        mail_rows.insert_tickets(self.conn, self.new_tickets)
        return routed

    def _find(self, mail: Mail, batch_messages: dict[str, int]) -> dict | None:
        tickets, by_id, stored_in = self.tickets, self.by_id, self.stored_in
        if mail.message_id in stored_in:  # already imported: wherever it went then
            return by_id.get(stored_in[mail.message_id])
        if mail.key and mail.key in tickets:
            return tickets[mail.key]
        for ref in mail.refs:
            ticket_id = batch_messages.get(ref) or stored_in.get(ref)
            if ticket_id is not None and ticket_id in by_id:
                return by_id[ticket_id]
        for key in (mail.root, *mail.refs, mail.message_id):
            if key in tickets:
                return tickets[key]
        return None

    def _new_ticket(self, mail: Mail, channel: str, customer_id: int | None) -> dict:
        external_id = mail.key or mail.root
        values = {
            "channel": channel,
            "marketplace": mail.marketplace,
            "external_id": external_id,
            "customer_id": customer_id,
            "order_number": mail.order_number,
            "subject": mail.subject,
            "created_at": mail.sent_at,
            "updated_at": self.ctx.now_db,
        }
        ticket_id = self.importer.next_id("tickets")
        self.new_tickets.append((ticket_id, *values.values()))
        self.importer.ticket_channels.add(channel)
        return {**values, "id": ticket_id, "status": "open", "paused_at": None, "solved_at": None, "new": True, "change": {}}

    def _customer(self, mail: Mail, channel: str) -> int | None:
        ctx = self.ctx
        if mail.kind == "atoz":  # the notice names no buyer: the order's buyer, if known
            order = self.orders.get((channel, mail.order_number)) if mail.order_number else None
            return order["customer_id"] if order else None
        address = mail.customer_addr
        if not address:
            return None
        key = (channel, address)
        known = self.customers.get(key)
        if known is None and channel != mail.channel:  # threaded into another channel's ticket
            row = store.customer_by_key(self.conn, channel, address)
            if row is not None:
                known = self.customers[key] = dict(row)
        if known is None:
            customer_id = self.importer.next_id("customers")
            self.new_customers.append((customer_id, channel, address, mail.customer_name, address, mail.sent_at))
            self.customers[key] = {"id": customer_id, "external_id": address, "name": mail.customer_name, "email": address}
            ctx.mark("customers", key, "added")
            return customer_id
        if mail.customer_name and not known["name"]:
            store.update_by_id(self.conn, "customers", known["id"], {"name": mail.customer_name})
            known["name"] = mail.customer_name
            ctx.mark("customers", key, "updated")
        else:
            ctx.mark("customers", key, "unchanged")
        return known["id"]

    # ------------------------------------------------------------------ 3. the messages
    def _messages(self, routed: list[tuple[Mail, dict, str, int | None]]) -> dict[int, dict]:
        """New messages, or already stored ones (same Message-ID in the same ticket) compared and
        updated where they differ. Returns the changes to the orders the new messages name."""
        ctx, touched = self.ctx, self.importer.touched
        held = mail_rows.stored_messages(self.conn, [(ticket["id"], mail.message_id) for mail, ticket, _, _ in routed if not ticket["new"]])
        pending: set[tuple[int, str]] = set()
        inserts, updates = [], []
        order_changes: dict[int, dict] = {}
        for mail, ticket, channel, customer_id in routed:
            ticket_id = ticket["id"]
            if ticket["new"]:
                ctx.mark("tickets", ticket_id, "added")
            values = (mail.direction, mail.from_addr, mail.body, mail.sent_at, int(mail.auto_ack and mail.direction == "out"), mail.raw)
            pair = (ticket_id, mail.message_id)
            if pair in pending:  # the same message twice in a file
                ctx.add("messages", "unchanged")
                continue
            pending.add(pair)
            row = held.get(pair)
            if row is not None:
                state = "unchanged" if row[:6] == values else "updated"
                if state == "updated":
                    updates.append((*values, row[6]))
                    touched.add(ticket_id)
                ctx.add("messages", state)
                ctx.mark("tickets", ticket_id, state)
                continue
            inserts.append((ticket_id, *values, mail.message_id))
            ctx.add("messages", "added")
            touched.add(ticket_id)
            if not ticket["new"]:
                ctx.mark("tickets", ticket_id, "updated")
            self._update_ticket(mail, ticket, customer_id)
            self._update_order(mail, channel, customer_id, order_changes)
        mail_rows.insert_messages(self.conn, inserts)
        mail_rows.update_messages(self.conn, updates)
        return order_changes

    def _update_order(self, mail: Mail, channel: str, customer_id: int | None, order_changes: dict[int, dict]) -> None:
        order = self.orders.get((channel, mail.order_number)) if mail.order_number else None
        if order is None:
            return
        change = order_changes.setdefault(order["id"], {})
        if customer_id and not order["customer_id"] and mail.kind == "amazon":
            change["customer_id"] = order["customer_id"] = customer_id
        if mail.kind == "atoz" and mail.claim_opening and not order["claim_status"]:
            change["claim_status"] = order["claim_status"] = "open"

    def _update_ticket(self, mail: Mail, ticket: dict, customer_id: int | None) -> None:
        change = ticket.setdefault("change", {})
        if mail.sent_at < (ticket["created_at"] or "9999"):
            change["created_at"] = ticket["created_at"] = mail.sent_at
        if customer_id and not ticket["customer_id"]:
            change["customer_id"] = ticket["customer_id"] = customer_id
        if mail.order_number and not ticket["order_number"] and ticket["channel"] == mail.channel:
            change["order_number"] = ticket["order_number"] = mail.order_number
        if mail.marketplace and not ticket["marketplace"]:
            change["marketplace"] = ticket["marketplace"] = mail.marketplace
        if mail.direction == "in" and ticket["status"] != "open" and not ticket["new"]:
            since = ticket["solved_at"] if ticket["status"] == "solved" else ticket["paused_at"]
            if since and mail.sent_at > since:
                # the buyer wrote again after the ticket was solved or put on hold: it is live again
                kind = "reopened" if ticket["status"] == "solved" else "resumed"
                previous = ticket["status"]
                for column, value in (("status", "open"), ("paused_at", None), ("snoozed_until", None), ("solved_at", None)):
                    change[column] = value
                ticket.update(status="open", paused_at=None, solved_at=None)
                record_event(self.conn, ticket["id"], kind, None, from_db(mail.sent_at), previous=previous, via="import")
        if change:
            change["updated_at"] = self.ctx.now_db

    # ------------------------------------------------------------------ 4. tickets and orders
    def _save_changes(self, order_changes: dict[int, dict]) -> None:
        for ticket in self.by_id.values():
            change = ticket.get("change")
            if change:
                store.update_by_id(self.conn, "tickets", ticket["id"], change)
                ticket["change"] = {}
        for order_id, change in order_changes.items():
            if change:
                self.ctx.tables("orders")
                store.update_by_id(self.conn, "orders", order_id, change)
                self.ctx.mark("orders", order_id, "updated")
