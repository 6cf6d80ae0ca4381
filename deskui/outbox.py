"""The outbox contract for connectors: list what waits, export it as e-mail, mark it sent or failed.

A connector is a small program that reads ``deskui outbox list --json``, delivers each reply
through its channel (SMTP to Amazon's relay, the Shopify API, ...) and reports back with
``deskui outbox mark ID sent`` or ``... failed --reason TEXT``. docs/outbox.md has the details.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from deskui.clock import Clock
from deskui.store.db import write
from deskui.store.tickets import record_event
from deskui.timeutil import from_db, to_db

STATUSES = ("queued", "sent", "failed")


@dataclass
class OutboxItem:
    id: int
    ticket_id: int
    message_id: int | None
    channel: str
    marketplace: str | None
    order_number: str | None
    to_address: str | None
    subject: str | None
    body: str
    status: str
    reason: str | None
    created_at: str
    in_reply_to: str | None  # Message-ID of the buyer's latest message, to thread the reply
    references: list[str]

    def as_json(self) -> dict:
        return asdict(self)


def list_outbox(conn: sqlite3.Connection, status: str | None = "queued", limit: int | None = None) -> list[OutboxItem]:
    clauses, params = [], []
    if status:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        clauses.append("o.status = ?")
        params.append(status)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(
        f"""SELECT o.id, o.ticket_id, o.message_id, o.channel, t.marketplace, t.order_number,
                   coalesce(o.to_address, c.email), o.subject, o.body, o.status, o.reason, o.created_at
            FROM outbox o JOIN tickets t ON t.id = o.ticket_id LEFT JOIN customers c ON c.id = t.customer_id
            {where} ORDER BY o.id {f'LIMIT {int(limit)}' if limit else ''}""",
        params,
    ).fetchall()
    items = []
    for row in rows:
        thread_ids = [r[0] for r in conn.execute(
            "SELECT external_id FROM messages WHERE ticket_id = ? AND direction = 'in' AND external_id IS NOT NULL ORDER BY sent_at, id",
            (row[1],))]
        items.append(OutboxItem(*row, in_reply_to=thread_ids[-1] if thread_ids else None, references=thread_ids))
    return items


def mark(conn: sqlite3.Connection, clock: Clock, outbox_id: int, status: str, reason: str | None = None) -> None:
    """Record a connector's result. A failure is logged on the ticket, where agents see it."""
    if status not in ("sent", "failed"):
        raise ValueError("mark a reply 'sent' or 'failed'")
    if status == "failed" and not (reason or "").strip():
        raise ValueError("a failed send needs --reason, so the agent knows what to do")
    now = clock.now()
    with write(conn):
        row = conn.execute("SELECT ticket_id FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
        if row is None:
            raise LookupError(f"no outbox entry {outbox_id}")
        conn.execute("UPDATE outbox SET status = ?, reason = ?, updated_at = ? WHERE id = ?", (status, reason, to_db(now), outbox_id))
        record_event(conn, row[0], "send_failed" if status == "failed" else "sent", "connector", now, outbox_id=outbox_id, reason=reason)


def to_email(item: OutboxItem, sender: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = item.to_address or "undisclosed-recipients:;"
    message["Subject"] = item.subject or f"Re: ticket {item.ticket_id}"
    created = from_db(item.created_at) or now
    message["Date"] = format_datetime(created)
    message["Message-ID"] = make_msgid(idstring=f"deskui-outbox-{item.id}", domain="deskui.local")
    if item.in_reply_to:
        message["In-Reply-To"] = item.in_reply_to
        message["References"] = " ".join(item.references)
    message["X-Deskui-Outbox-Id"] = str(item.id)
    message["X-Deskui-Ticket-Id"] = str(item.ticket_id)
    if item.order_number:
        message["X-Deskui-Order"] = item.order_number
    message.set_content(item.body)
    return message


def export_eml(conn: sqlite3.Connection, directory: Path, sender: str, now: datetime) -> list[Path]:
    """Write each queued reply as ``outbox-ID.eml``, ready for any mail transfer agent."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for item in list_outbox(conn, "queued"):
        path = directory / f"outbox-{item.id}.eml"
        path.write_bytes(bytes(to_email(item, sender, now)))
        written.append(path)
    return written
