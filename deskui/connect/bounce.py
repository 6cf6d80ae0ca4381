"""Bounces: a mail server's or Amazon's notice that a reply did not reach the buyer, matched back to
its outbox row by the Message-ID deskui chose or the ``X-Deskui-Outbox-Id`` header the notice
quotes. A matched notice marks the row failed instead of becoming a ticket of its own."""

from __future__ import annotations

import re
from email.parser import BytesHeaderParser

from deskui.ingest.mailtext import header_text
from deskui.store.sending import is_our_message_id, outbox_for_message_id, outbox_if_attempted

_OUTBOX_ID = re.compile(rb"X-Deskui-Outbox-Id:\s*(\d+)", re.I)
_OUR_MESSAGE_ID = re.compile(rb"<deskui-outbox-\d+[^<>\s]*>")
_BOUNCE_SENDER = re.compile(r"mailer-daemon|postmaster|@(?:[a-z0-9-]+\.)*amazon\.[a-z.]+$", re.I)
_DIAGNOSTIC = re.compile(rb"Diagnostic-Code:\s*(?:smtp;\s*)?([^\r\n]+)", re.I)


def find_bounced(conn, data: bytes) -> tuple[int, str] | None:
    """(outbox id, reason) when ``data`` is a delivery failure notice for one of our replies."""
    if b"deskui-outbox-" not in data and b"X-Deskui-Outbox-Id" not in data and b"x-deskui-outbox-id" not in data:
        return None
    headers = BytesHeaderParser().parsebytes(data, headersonly=True)
    own_id = header_text(headers.get("Message-ID"))
    if own_id and is_our_message_id(conn, own_id.strip()):
        return None  # our own reply (a copy in a fetched Sent folder), not a notice about it
    sender = header_text(headers.get("From"))
    kind = (headers.get_content_type() or "").lower()
    subject = header_text(headers.get("Subject"))
    if not (_BOUNCE_SENDER.search(sender) or kind == "multipart/report" or headers.get("Return-Path", "").strip() == "<>"):
        return None
    outbox_id = None
    for found in _OUR_MESSAGE_ID.findall(data):
        outbox_id = outbox_for_message_id(conn, found.decode("ascii", "replace"))
        if outbox_id is not None:
            break
    if outbox_id is None:
        for found in _OUTBOX_ID.findall(data):
            outbox_id = outbox_if_attempted(conn, int(found))
            if outbox_id is not None:
                break
    if outbox_id is None:
        return None
    diagnostic = _DIAGNOSTIC.search(data)
    detail = diagnostic.group(1).decode("utf-8", "replace").strip() if diagnostic else ""
    reason = f"bounced: {subject or 'delivery failure notice'}" + (f" ({detail})" if detail else "")
    return outbox_id, reason
