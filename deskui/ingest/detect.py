"""Which importer reads a file: decided from its header or first lines, never from its name."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from deskui.ingest.base import (ImportFailed, ImportSummary, Rejection, decode_head, is_binary, normal_key, sniff, sniff_delimiter,
                               wide_encoding)

FORMATS = {
    "amazon_orders": "Amazon order report (tab-separated, amazon-order-id ...)",
    "shopify_orders": "Shopify orders export (CSV: Name, ..., Lineitem name ...)",
    "eml": "one e-mail (.eml)",
    "mbox": "mbox mailbox (messages after 'From ' lines)",
    "maildir": "Maildir folder (cur/, new/, tmp/)",
    "tracking_csv": "tracking events CSV (carrier, tracking_number, status, time, location)",
    "tickets_jsonl": "tickets as JSON Lines (docs/import.md)",
    "tickets_csv": "tickets as CSV (channel, external_id, ..., body)",
}

_MBOX_SEPARATOR = re.compile(r"^From \S+.*\d{1,2}:\d{2}")
_HEADER = re.compile(r"^[!-9;-~]+:")
_MAIL_HEADERS = {"from", "to", "subject", "date", "message-id", "received", "return-path", "mime-version", "delivered-to",
                 "reply-to", "content-type", "x-mailer", "in-reply-to", "references", "dkim-signature", "arc-seal"}
_TRACKING = {"tracking_number", "tracking", "tracking_no", "tracking_id"}
_TIME = {"time", "at", "date", "timestamp", "event_time", "datetime", "date_time"}
_STATUS = {"status", "event", "event_status"}


def _fail(name: str, message: str, field: str = "file") -> ImportFailed:
    return ImportFailed(ImportSummary(file=name, format="unknown", rejections=[Rejection(name, 1, field, message)]))


def _not_wide_mail(name: str, wide: str | None) -> None:
    if wide:
        raise _fail(name, f"e-mail saved as {wide.upper()}: mail is read as it was sent (bytes); export it again as .eml or mbox")


def detect_format(path: Path, display: str | None = None) -> str:
    """One of ``FORMATS``; an unreadable or unknown file raises ImportFailed naming it."""
    path = Path(path)
    name = display or str(path)
    if not path.exists():
        raise _fail(name, "no such file or folder")
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            return "maildir"
        raise _fail(name, "a folder that is not a Maildir (it has no cur/ and new/ folders); give the files inside it")
    head = sniff(path)
    if not head.strip():
        raise _fail(name, "empty file")
    if is_binary(head):
        raise _fail(name, "binary file (NUL bytes or a binary signature), not a text export or e-mail; check that you picked the right file")
    text = decode_head(head)
    lines = text.splitlines()
    nonblank = [line for line in lines if line.strip()]
    first = nonblank[0] if nonblank else ""
    wide = wide_encoding(head)
    if _MBOX_SEPARATOR.match(first):
        return _not_wide_mail(name, wide) or "mbox"
    block = []
    for line in lines:
        if not line.strip():
            break
        block.append(line)
    if block and _HEADER.match(block[0]):
        names = {line.split(":", 1)[0].strip().lower() for line in block if _HEADER.match(line)}
        if len(names & _MAIL_HEADERS) >= 2:
            return _not_wide_mail(name, wide) or "eml"
    if first.lstrip().startswith("{"):
        return "tickets_jsonl"
    delimiter = sniff_delimiter(first)
    try:
        header = next(csv.reader([first], delimiter=delimiter))
    except (csv.Error, StopIteration):
        header = []
    keys = {normal_key(column) for column in header}
    if "amazon_order_id" in keys or (delimiter == "\t" and "order_id" in keys and "purchase_date" in keys):
        return "amazon_orders"
    if "name" in keys and keys & {"lineitem_name", "lineitem_quantity"}:
        return "shopify_orders"
    if keys & _TRACKING and keys & _STATUS and keys & _TIME:
        return "tracking_csv"
    if "channel" in keys and keys & {"body", "message", "text"}:
        return "tickets_csv"
    shown = first[:80] + ("..." if len(first) > 80 else "")
    raise _fail(name, f"unknown format (first line: {shown!r}); deskui reads: {', '.join(FORMATS)} (use --format to force one)")
