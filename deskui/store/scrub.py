"""Other programs' rows, cleaned where deskui first meets them: at triage.

deskui's importers clean text as they store it (``deskui.text.store_text``); a program that
writes rows into the file itself may leave a NUL, an escape sequence or a bidi override in a
subject or a body. SQLite's string functions stop at a NUL, so such a body hid the rest of its
text from every query. ``scrub_rows`` rewrites those few rows with the cleaned text, whole.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from deskui.store.db import write
from deskui.text import store_text

# What store_text takes out, as a GLOB class (a plain CR is left alone: CR LF is text). GLOB
# reads TEXT up to a NUL, so a NUL is looked for with instr().
_CLASS = "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]"
_DIRTY = f"(instr({{column}}, char(0)) > 0 OR {{column}} GLOB '*{_CLASS}*')"


def scrub_rows(conn: sqlite3.Connection, ticket_ids: Sequence[int]) -> int:
    """Clean the subjects and message bodies of these tickets that hold characters
    ``store_text`` removes; returns how many rows were rewritten. A read finds them (rarely
    any); only then is the write lock taken, and they are read again under it, so a row
    changed meanwhile is cleaned as it is now."""
    if not ticket_ids or not any(_find(conn, ticket_ids)):
        return 0
    with write(conn):
        messages, subjects = _find(conn, ticket_ids)
        conn.executemany("UPDATE messages SET body = ? WHERE id = ?", [(_clean(raw), row_id) for row_id, raw in messages])
        conn.executemany("UPDATE tickets SET subject = ? WHERE id = ?", [(_clean(raw), row_id) for row_id, raw in subjects])
    return len(messages) + len(subjects)


def _find(conn: sqlite3.Connection, ticket_ids: Sequence[int]) -> tuple[list, list]:
    marks, ids = ",".join("?" * len(ticket_ids)), list(ticket_ids)
    messages = conn.execute(
        f"SELECT id, CAST(body AS BLOB) FROM messages WHERE ticket_id IN ({marks}) AND {_DIRTY.format(column='body')}", ids).fetchall()
    subjects = conn.execute(
        f"SELECT id, CAST(subject AS BLOB) FROM tickets WHERE id IN ({marks}) AND {_DIRTY.format(column='subject')}", ids).fetchall()
    return messages, subjects


def _clean(raw: bytes) -> str:
    return store_text(raw.decode("utf-8", "replace"))
