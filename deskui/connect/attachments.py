"""Attachments of fetched mail: found in the MIME parts, stored beside their message (the SQL is in
``deskui.store.attachments``), opened with the system's opener (docs/mail.md)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from email import message_from_bytes
from email.message import Message

from deskui.ingest.mailtext import header_text
from deskui.store.attachments import Attachment, add_attachments, content, for_ticket, has_attachments
from deskui.text import one_line

__all__ = ["Attachment", "content", "extract", "for_ticket", "open_attachment", "store"]


def _is_attachment(part: Message) -> bool:
    if part.is_multipart():
        return False
    disposition = (part.get("Content-Disposition") or "").split(";", 1)[0].strip().lower()
    return disposition == "attachment" or bool(part.get_filename()) or part.get_content_maintype() in ("image", "application")


def extract(data: bytes) -> list[tuple[str, str, bytes]]:
    """(name, type, content) of each attached file; the text and HTML bodies are not attachments."""
    head = data[:8192].lower()
    if b"multipart/" not in head:
        return []
    found = []
    for index, part in enumerate(message_from_bytes(data).walk()):
        if not _is_attachment(part):
            continue
        payload = part.get_payload(decode=True) or b""
        name = one_line(header_text(part.get_filename()), limit=200) or f"attachment-{index}"
        found.append((name, part.get_content_type(), payload))
    return found


def store(conn: sqlite3.Connection, message_row: int, data: bytes) -> int:
    """Store a message's attachments once (a re-read message already has them)."""
    if has_attachments(conn, message_row):
        return 0
    files = extract(data)
    add_attachments(conn, message_row, files)
    return len(files)


def open_attachment(conn: sqlite3.Connection, attachment: Attachment) -> Path:
    """Write the file to a private temporary folder (0600: a buyer's photo is personal data) and
    hand it to the system's opener (``$DESKUI_OPENER``, else xdg-open / open). Returns its path."""
    folder = Path(tempfile.mkdtemp(prefix="deskui-attachment-"))
    # The buyer chose the name: keep its last part only, in plain characters, never a path.
    base = Path(attachment.name.replace("\\", "/")).name
    safe = re.sub(r"[^\w.\- ]+", "_", base).strip(" .") or f"attachment-{attachment.id}"
    path = folder / safe[:120]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content(conn, attachment.id))
    opener = os.environ.get("DESKUI_OPENER") or ("open" if sys.platform == "darwin" else "xdg-open")
    if shutil.which(opener) is None:
        raise FileNotFoundError(f"no {opener} to open {path} with; set $DESKUI_OPENER")
    # No shell, and the opener's output kept off the screen the app draws on.
    subprocess.Popen([opener, str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)
    return path
