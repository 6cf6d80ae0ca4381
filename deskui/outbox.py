"""The outbox contract for connectors: list what waits, export it as e-mail, mark it sent or failed.

A connector is a small program that reads ``deskui outbox list --json``, delivers each reply
through its channel (SMTP to Amazon's relay, the Shopify API, ...) and reports back with
``deskui outbox mark ID sent`` or ``... failed --reason TEXT``. docs/outbox.md has the details.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from deskui.clock import Clock
from deskui.store import outbox as rows
from deskui.timeutil import from_db

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
    if status and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    items = []
    for row in rows.outbox_rows(conn, status, limit):
        thread = rows.thread_ids(conn, row[1])
        items.append(OutboxItem(*row, in_reply_to=thread[-1] if thread else None, references=thread))
    return items


def mark(conn: sqlite3.Connection, clock: Clock, outbox_id: int, status: str, reason: str | None = None,
         *, wait: float = 0) -> bool:
    """Record a connector's result. A failure is logged on the ticket, where agents see it.

    Safe to repeat: a connector that died between sending and hearing back marks again, and
    marking a reply with the status it already has changes nothing (returns False). ``wait``:
    seconds to keep trying while another process (a long import) holds the write lock, so a
    reply already sent is not left queued and sent a second time next run."""
    if status not in ("sent", "failed"):
        raise ValueError("mark a reply 'sent' or 'failed'")
    if status == "failed" and not (reason or "").strip():
        raise ValueError("a failed send needs --reason, so the agent knows what to do")
    if wait <= 0:
        return rows.record_result(conn, clock, outbox_id, status, reason)
    deadline = time.monotonic() + wait
    usual = rows.busy_timeout(conn)
    try:
        while True:
            left = deadline - time.monotonic()
            # The busy handler waits one slice at a time, up to the deadline.
            rows.busy_timeout(conn, max(1, int(min(left, 5.0) * 1000)))
            try:
                return rows.record_result(conn, clock, outbox_id, status, reason)
            except sqlite3.OperationalError as error:
                if ("locked" not in str(error) and "busy" not in str(error)) or deadline - time.monotonic() <= 0:
                    raise
    finally:
        rows.busy_timeout(conn, usual)


def _header(value: str) -> str:
    """A header value on one line: a subject written by another program may hold a line break,
    which EmailMessage refuses (and which would otherwise inject a header)."""
    return " ".join(value.split())


def to_email(item: OutboxItem, sender: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = _header(sender)
    message["To"] = _header(item.to_address or "") or "undisclosed-recipients:;"
    message["Subject"] = _header(item.subject or "") or f"Re: ticket {item.ticket_id}"
    created = from_db(item.created_at) or now
    message["Date"] = format_datetime(created)
    message["Message-ID"] = make_msgid(idstring=f"deskui-outbox-{item.id}", domain="deskui.local")
    if item.in_reply_to:
        message["In-Reply-To"] = _header(item.in_reply_to)
        message["References"] = _header(" ".join(item.references))
    message["X-Deskui-Outbox-Id"] = str(item.id)
    message["X-Deskui-Ticket-Id"] = str(item.ticket_id)
    if item.order_number:
        message["X-Deskui-Order"] = _header(item.order_number)
    message.set_content(item.body)
    return message


def export_eml(conn: sqlite3.Connection, directory: Path, sender: str, now: datetime) -> list[Path]:
    """Write each queued reply as ``outbox-ID.eml``, ready for any mail transfer agent."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for item in list_outbox(conn, "queued"):
        path = directory / f"outbox-{item.id}.eml"
        _write_new(path, bytes(to_email(item, sender, now)))
        written.append(path)
    return written


def _write_new(path: Path, data: bytes) -> None:
    """Write beside, then rename over: an earlier export's file is replaced whole (never half
    written on a full disk), and a link planted under its name is replaced, not followed. The
    file is private (0600): it holds a buyer's address and the reply."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
