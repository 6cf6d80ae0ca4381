"""The reads and writes of a generic ticket import (``deskui.ingest.tickets``: JSON Lines and
CSV tickets, each with its messages, tags and customer), a batch at a time."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from deskui.store.imports import rows_in


def tickets_by_key(conn: sqlite3.Connection, channel: str, keys: Iterable[str]) -> list[sqlite3.Row]:
    return rows_in(conn, "SELECT id, channel, external_id, subject, marketplace, order_number, customer_id, created_at FROM tickets "
                         "WHERE channel = ? AND external_id IN ({marks})", [channel], keys)


def insert_ticket(conn: sqlite3.Connection, values: dict) -> int:
    """One new ticket from column -> value; returns its id."""
    return conn.execute(f"INSERT INTO tickets ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})", list(values.values())).lastrowid


def update_ticket(conn: sqlite3.Connection, ticket_id: int, change: dict, updated_at: str) -> None:
    conn.execute(f"UPDATE tickets SET {', '.join(f'{c} = ?' for c in change)}, updated_at = ? WHERE id = ?", [*change.values(), updated_at, ticket_id])


def stored_message(conn: sqlite3.Connection, ticket_id: int, external_id: str) -> sqlite3.Row | None:
    """(id, direction, author, body, sent_at, auto_ack) of the ticket's message with this id."""
    return conn.execute("SELECT id, direction, author, body, sent_at, auto_ack FROM messages WHERE ticket_id = ? AND external_id = ?",
                        (ticket_id, external_id)).fetchone()


def insert_message(conn: sqlite3.Connection, ticket_id: int, direction: str, author, body: str, sent_at: str, auto_ack: int,
                   external_id: str) -> None:
    conn.execute("INSERT INTO messages (ticket_id, direction, author, body, sent_at, auto_ack, external_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (ticket_id, direction, author, body, sent_at, auto_ack, external_id))


def update_message(conn: sqlite3.Connection, message_id: int, direction: str, author, body: str, sent_at: str, auto_ack: int) -> None:
    conn.execute("UPDATE messages SET direction = ?, author = ?, body = ?, sent_at = ?, auto_ack = ? WHERE id = ?",
                 (direction, author, body, sent_at, auto_ack, message_id))


def add_tag(conn: sqlite3.Connection, ticket_id: int, tag: str) -> bool:
    """True if the ticket did not have the tag yet."""
    return bool(conn.execute("INSERT OR IGNORE INTO tags (ticket_id, tag) VALUES (?, ?)", (ticket_id, tag)).rowcount)


def insert_customer(conn: sqlite3.Connection, channel: str, external_id: str, name, email, country) -> int:
    return conn.execute("INSERT INTO customers (channel, external_id, name, email, country) VALUES (?, ?, ?, ?, ?)",
                        (channel, external_id, name, email, country)).lastrowid
