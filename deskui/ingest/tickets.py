"""Generic tickets and messages, as JSON Lines or CSV, following docs/schema.md.

JSON Lines: one ticket per line::

    {"channel": "amazon", "external_id": "msg-8812", "subject": "...", "marketplace": "amazon.de",
     "order_number": "302-1234567-7654321", "created_at": "2026-11-25T08:12:00Z",
     "customer": {"external_id": "jo@marketplace.amazon.de", "name": "Jo", "email": "...", "country": "DE"},
     "tags": ["vip"],
     "messages": [{"direction": "in", "author": "...", "body": "...", "sent_at": "...", "external_id": "..."}]}

A ticket with one message may give ``body`` / ``direction`` / ``author`` / ``sent_at`` /
``message_id`` at the top level instead of ``messages``; ``customer_external_id`` /
``customer_email`` / ``customer_name`` / ``customer_country`` instead of ``customer``.

CSV: the same flat names as columns, one row per message; rows with the same (channel,
external_id) are one ticket. ``tags`` is a comma-separated list.

A message without an ``external_id`` gets one derived from its content, so importing the same
file twice never duplicates it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from deskui.ingest.base import BATCH, BadField, ImportContext, Rows, TextLines
from deskui.policy.model import CHANNELS
from deskui.store import ticket_rows
from deskui.store.imports import customers_by_key, update_by_id
from deskui.text import store_text
from deskui.timeutil import TimeParseError

TICKET_FIELDS = ("channel", "external_id", "subject", "marketplace", "order_number", "created_at")
CSV_COLUMNS = {
    "channel": ("channel",),
    "external_id": ("external_id", "ticket_id", "ticket_external_id"),
    "subject": ("?", "subject"),
    "marketplace": ("?", "marketplace"),
    "order_number": ("?", "order_number"),
    "created_at": ("?", "created_at"),
    "customer_external_id": ("?", "customer_external_id", "customer_id"),
    "customer_email": ("?", "customer_email", "email"),
    "customer_name": ("?", "customer_name"),
    "customer_country": ("?", "customer_country", "country"),
    "tags": ("?", "tags"),
    "direction": ("?", "direction"),
    "author": ("?", "author"),
    "body": ("body", "message", "text"),
    "sent_at": ("?", "sent_at", "date"),
    "message_id": ("?", "message_id", "message_external_id"),
    "auto_ack": ("?", "auto_ack"),
}


def _text(value, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise BadField(name, "must be text, not a JSON object or list")
    text = store_text(str(value)).strip()
    return text or None


def _time_problem(error: TimeParseError, text) -> str:
    return f"not a date/time: {text!r}" + (f" ({error.detail})" if error.detail else "")


def _record(ctx: ImportContext, raw: dict) -> dict:
    """Validate one ticket record (from a JSON line or a CSV row) into what gets written."""
    if not isinstance(raw, dict):
        raise BadField("json", "each line must be a JSON object (one ticket)")
    ticket = {name: _text(raw.get(name), name) for name in TICKET_FIELDS}
    channel = (ticket["channel"] or "").lower()
    if not channel:
        raise BadField("channel", "required")
    if channel not in CHANNELS:
        raise BadField("channel", f"unknown channel {ticket['channel']!r} (one of {', '.join(CHANNELS)})")
    ticket["channel"] = channel
    if not ticket["external_id"]:
        raise BadField("external_id", "required: the channel's id for the conversation (it makes re-imports idempotent)")
    ticket["subject"] = ticket["subject"] or ""
    if ticket["created_at"]:
        try:
            ticket["created_at"] = ctx.time(ticket["created_at"])
        except TimeParseError as error:
            raise BadField("created_at", _time_problem(error, raw.get("created_at"))) from None
    ticket["customer"] = _read_customer(raw)
    ticket["tags"] = _read_tags(raw)
    ticket["messages"] = _read_messages(ctx, raw, ticket["created_at"])
    if not ticket["created_at"]:
        ticket["created_at"] = min(message[3] for message in ticket["messages"])
    return ticket


def _read_customer(raw: dict) -> dict | None:
    """The customer as an object or as flat ``customer_*`` columns; None without an id or e-mail."""
    customer = raw.get("customer")
    if customer is not None and not isinstance(customer, dict):
        raise BadField("customer", "must be an object: {\"external_id\", \"name\", \"email\", \"country\"}")
    customer = customer or {}
    cust = {
        "external_id": _text(customer.get("external_id", raw.get("customer_external_id")), "customer.external_id"),
        "email": _text(customer.get("email", raw.get("customer_email")), "customer.email"),
        "name": _text(customer.get("name", raw.get("customer_name")), "customer.name"),
        "country": _text(customer.get("country", raw.get("customer_country")), "customer.country"),
    }
    if cust["email"]:
        cust["email"] = cust["email"].lower()
    cust["key"] = cust["external_id"] or cust["email"]
    return cust if cust["key"] else None


def _read_tags(raw: dict) -> list[str]:
    tags = raw.get("tags") or []
    if isinstance(tags, str):
        tags = [tag.strip() for tag in tags.split(",")]
    if not isinstance(tags, list):
        raise BadField("tags", "must be a list of strings or a comma-separated string")
    tags = [store_text(str(tag)).strip().lower() for tag in tags]
    return [tag for tag in tags if tag]


def _read_messages(ctx: ImportContext, raw: dict, created_at: str | None) -> list[tuple]:
    """A ``messages`` list, or the record's own columns as its one message (a CSV row)."""
    messages = raw.get("messages")
    if messages is None:
        messages = [{"direction": raw.get("direction"), "author": raw.get("author"), "body": raw.get("body"),
                     "sent_at": raw.get("sent_at"), "external_id": raw.get("message_id"), "auto_ack": raw.get("auto_ack")}]
        prefix = ""
    elif not isinstance(messages, list) or not messages:
        raise BadField("messages", "must be a non-empty list of messages")
    else:
        prefix = "messages"
    out = []
    for number, message in enumerate(messages, start=1):
        if not isinstance(message, dict):
            raise BadField(f"{prefix}[{number}]", "each message must be an object")
        out.append(_read_message(ctx, message, f"{prefix}[{number}]." if prefix else "", created_at))
    return out


def _read_message(ctx: ImportContext, message: dict, where: str, created_at: str | None) -> tuple:
    """(direction, author, body, sent_at, auto_ack, external_id); ``where`` prefixes the field names in errors."""
    direction = (_text(message.get("direction"), where + "direction") or "in").lower()
    if direction not in ("in", "out", "note"):
        raise BadField(where + "direction", f"must be in, out or note, not {message.get('direction')!r}")
    body = message.get("body")
    if body is not None and not isinstance(body, str):
        raise BadField(where + "body", "must be text")
    body = store_text(body)
    if body is None or not body.strip():
        raise BadField(where + "body", "required: the message text")
    sent = _text(message.get("sent_at"), where + "sent_at")
    if sent is None:
        if created_at is None:
            raise BadField(where + "sent_at", "required (or give the ticket's created_at)")
        sent_at = created_at
    else:
        try:
            sent_at = ctx.time(sent)
        except TimeParseError as error:
            raise BadField(where + "sent_at", _time_problem(error, sent)) from None
    auto = message.get("auto_ack")
    auto_ack = auto in (True, 1) or (isinstance(auto, str) and auto.strip().lower() in ("1", "true", "yes"))
    author = _text(message.get("author"), where + "author")
    external = _text(message.get("external_id", message.get("message_id")), where + "external_id")
    if external is None:
        digest = hashlib.sha1("\x1f".join((direction, sent_at, author or "", body)).encode("utf-8")).hexdigest()[:20]
        external = f"sha1:{digest}"
    return (direction, author, body, sent_at, int(auto_ack), external)


def _jsonl(ctx: ImportContext) -> Iterator[tuple[int, dict | None]]:
    lines = TextLines(ctx, ctx.path)
    for line in lines:
        number = lines.number
        if not line.strip():
            continue
        try:
            raw = json.loads(line, strict=False)  # raw control characters in strings: store_text takes them out
        except json.JSONDecodeError as error:
            ctx.reject(number, "json", f"not JSON: {error.msg} (column {error.colno})", tables=[("tickets", 1)])
            yield number, None
            continue
        except RecursionError:
            ctx.reject(number, "json", "nested too deeply to read (thousands of [ or {): a ticket is a flat JSON object, "
                                       "see docs/import.md", tables=[("tickets", 1)])
            yield number, None
            continue
        yield number, raw


def _csv(ctx: ImportContext) -> Iterator[tuple[int, dict | None]]:
    rows = Rows(ctx, ctx.path)
    rows.read_header()
    col = rows.require(CSV_COLUMNS)
    for line, row, ok in rows:
        if not ok:
            ctx.add("tickets", "rejected")
            yield line, None
            continue
        yield line, {name: row[index] for name, index in col.items()}


def import_tickets(ctx: ImportContext, fmt: str) -> None:
    ctx.tables("tickets", "messages", "customers")
    batch: list[tuple[int, dict]] = []
    source = _jsonl(ctx) if fmt == "tickets_jsonl" else _csv(ctx)
    for line, raw in source:
        if raw is None:
            continue
        try:
            record = _record(ctx, raw)
        except BadField as bad:
            field = bad.field
            ctx.reject(line, field, bad.message, tables=[("tickets", 1)])
            continue
        batch.append((line, record))
        if len(batch) >= BATCH:
            _flush(ctx, batch)
            batch = []
    _flush(ctx, batch)


def _flush(ctx: ImportContext, batch: list[tuple[int, dict]]) -> None:
    if not batch or ctx.failed:
        return
    tickets, customers = _stored(ctx, batch)
    touched: set[int] = set()
    for _, record in batch:
        channel = record["channel"]
        customer_id = _customer(ctx, channel, record["customer"], customers)
        key = (channel, record["external_id"])
        ticket, changed = _ticket(ctx, record, tickets.get(key), customer_id)
        tickets[key] = ticket
        changed = _messages(ctx, ticket["id"], record["messages"]) or changed
        changed = _tags(ctx, ticket["id"], record["tags"]) or changed
        if not ticket["new"]:
            ctx.mark("tickets", key, "updated" if changed else "unchanged")
        if changed:
            touched.add(ticket["id"])
    ctx.to_triage(touched)


def _stored(ctx: ImportContext, batch: list[tuple[int, dict]]) -> tuple[dict, dict]:
    """What the database holds for the batch: tickets and customers by (channel, external id)."""
    tickets: dict[tuple[str, str], dict] = {}
    by_channel: dict[str, list[str]] = {}
    wanted: dict[str, list[str]] = {}
    for _, record in batch:
        by_channel.setdefault(record["channel"], []).append(record["external_id"])
        if record["customer"]:
            wanted.setdefault(record["channel"], []).append(record["customer"]["key"])
    for channel, keys in by_channel.items():
        for row in ticket_rows.tickets_by_key(ctx.conn, channel, keys):
            tickets[(channel, row["external_id"])] = dict(row) | {"new": False}
    customers: dict[tuple[str, str], dict] = {}
    for channel, keys in wanted.items():
        for row in customers_by_key(ctx.conn, channel, keys, "id, external_id, name, email, country"):
            customers[(channel, row["external_id"])] = dict(row)
    return tickets, customers


def _ticket(ctx: ImportContext, record: dict, ticket: dict | None, customer_id: int | None) -> tuple[dict, bool]:
    """The record's ticket, added or brought up to date; and whether it changed."""
    channel = record["channel"]
    wanted = {"subject": record["subject"], "marketplace": record["marketplace"], "order_number": record["order_number"], "customer_id": customer_id}
    if ticket is None:
        values = {"channel": channel, "external_id": record["external_id"], "created_at": record["created_at"], "updated_at": ctx.now_db, **wanted}
        ticket = values | {"id": ticket_rows.insert_ticket(ctx.conn, values), "new": True}
        ctx.mark("tickets", (channel, record["external_id"]), "added")
        return ticket, True
    change = {c: v for c, v in wanted.items() if v not in (None, "") and ticket[c] != v}
    if record["created_at"] < (ticket["created_at"] or "9999"):
        change["created_at"] = record["created_at"]
    if change:
        ticket_rows.update_ticket(ctx.conn, ticket["id"], change, ctx.now_db)
        ticket.update(change)
    return ticket, bool(change)


def _messages(ctx: ImportContext, ticket_id: int, messages: list[tuple]) -> bool:
    changed = False
    for direction, author, body, sent_at, auto_ack, external in messages:
        row = ticket_rows.stored_message(ctx.conn, ticket_id, external)
        if row is None:
            ticket_rows.insert_message(ctx.conn, ticket_id, direction, author, body, sent_at, auto_ack, external)
            ctx.add("messages", "added")
            changed = True
        elif tuple(row[1:]) != (direction, author, body, sent_at, auto_ack):
            ticket_rows.update_message(ctx.conn, row[0], direction, author, body, sent_at, auto_ack)
            ctx.add("messages", "updated")
            changed = True
        else:
            ctx.add("messages", "unchanged")
    return changed


def _tags(ctx: ImportContext, ticket_id: int, tags: list[str]) -> bool:
    changed = False
    for tag in tags:
        if ticket_rows.add_tag(ctx.conn, ticket_id, tag):
            ctx.add("tags", "added")
            changed = True
        else:
            ctx.add("tags", "unchanged")
    return changed


def _customer(ctx: ImportContext, channel: str, customer: dict | None, customers: dict) -> int | None:
    if not customer:
        return None
    key = (channel, customer["key"])
    known = customers.get(key)
    if known is None:
        customer_id = ticket_rows.insert_customer(ctx.conn, channel, customer["key"], customer["name"], customer["email"], customer["country"])
        customers[key] = {"id": customer_id, **{k: customer[k] for k in ("name", "email", "country")}}
        ctx.mark("customers", key, "added")
        return customer_id
    change = {c: customer[c] for c in ("name", "email", "country") if customer[c] and known.get(c) != customer[c]}
    if change:
        update_by_id(ctx.conn, "customers", known["id"], change)
        known.update(change)
        ctx.mark("customers", key, "updated")
    else:
        ctx.mark("customers", key, "unchanged")
    return known["id"]


__all__ = ["import_tickets"]
