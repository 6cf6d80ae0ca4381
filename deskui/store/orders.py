"""The reads and writes of order imports (``deskui.ingest.orders``, ``deskui.ingest.tracking``):
customers, orders, their items and their tracking events, a batch at a time.

Column names come from the importers, never from a file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from deskui.store.imports import insert_rows, rows_in

TRACKED_ORDER = "id, channel, order_number, tracking_number, carrier, shipped_at, delivered_at"


# ---------------------------------------------------------------------- customers
def customers_with_details(conn: sqlite3.Connection, channel: str, keys: Iterable[str]) -> list[sqlite3.Row]:
    return rows_in(conn, "SELECT id, external_id, name, email, country, created_at FROM customers "
                         "WHERE channel = ? AND external_id IN ({marks})", [channel], keys)


def insert_customers(conn: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    """Rows of (channel, external_id, name, email, country, created_at); ids from SQLite."""
    insert_rows(conn, "customers", ("channel", "external_id", "name", "email", "country", "created_at"), rows)


def customer_ids(conn: sqlite3.Connection, channel: str, keys: Iterable[str]) -> dict[str, int]:
    rows = rows_in(conn, "SELECT id, external_id FROM customers WHERE channel = ? AND external_id IN ({marks})", [channel], keys)
    return {key: customer_id for customer_id, key in rows}


# ---------------------------------------------------------------------- orders
def orders_by_number(conn: sqlite3.Connection, channel: str, numbers: Iterable[str]) -> dict[str, sqlite3.Row]:
    """order_number -> the whole stored row."""
    rows = rows_in(conn, "SELECT * FROM orders WHERE channel = ? AND order_number IN ({marks})", [channel], numbers)
    return {row["order_number"]: row for row in rows}


def insert_orders(conn: sqlite3.Connection, channel: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Rows of (order_number, *values in ``columns`` order)."""
    insert_rows(conn, "orders", ("channel", "order_number", *columns), [(channel, *row) for row in rows])


def order_ids(conn: sqlite3.Connection, channel: str, numbers: Iterable[str]) -> dict[str, int]:
    rows = rows_in(conn, "SELECT id, order_number FROM orders WHERE channel = ? AND order_number IN ({marks})", [channel], numbers)
    return {number: order_id for order_id, number in rows}


def update_orders(conn: sqlite3.Connection, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Rows of (*values in ``columns`` order, id)."""
    conn.executemany(f"UPDATE orders SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?", rows)


def orders_any_channel(conn: sqlite3.Connection, numbers: Iterable[str]) -> list[sqlite3.Row]:
    """Orders of every channel with these numbers (a tracking file may not name the channel)."""
    return rows_in(conn, f"SELECT {TRACKED_ORDER} FROM orders WHERE order_number IN ({{marks}})", [], numbers)


def orders_by_tracking(conn: sqlite3.Connection, tracking_numbers: Iterable[str]) -> list[sqlite3.Row]:
    # an index on orders.tracking_number makes this a lookup (see docs/import.md)
    return rows_in(conn, f"SELECT {TRACKED_ORDER} FROM orders WHERE tracking_number IN ({{marks}})", [], tracking_numbers)


# ---------------------------------------------------------------------- items
def items_of(conn: sqlite3.Connection, order_ids: Iterable[int]) -> list[sqlite3.Row]:
    """(id, order_id, sku, asin, title, quantity, price) of these orders' items, by id within each chunk."""
    return rows_in(conn, "SELECT id, order_id, sku, asin, title, quantity, price FROM order_items WHERE order_id IN ({marks}) ORDER BY id",
                   [], order_ids)


def insert_items(conn: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    """Rows of (order_id, sku, asin, title, quantity, price)."""
    insert_rows(conn, "order_items", ("order_id", "sku", "asin", "title", "quantity", "price"), rows)


def update_items(conn: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    """Rows of (sku, asin, title, quantity, price, id)."""
    conn.executemany("UPDATE order_items SET sku = ?, asin = ?, title = ?, quantity = ?, price = ? WHERE id = ?", rows)


# ---------------------------------------------------------------------- tracking events
def tracking_events_of(conn: sqlite3.Connection, order_ids: Iterable[int]) -> list[sqlite3.Row]:
    """(id, order_id, at, status, location, description) of these orders' events."""
    return rows_in(conn, "SELECT id, order_id, at, status, location, description FROM tracking_events WHERE order_id IN ({marks})",
                   [], order_ids)


def insert_tracking_events(conn: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    """Rows of (order_id, at, status, location, description)."""
    insert_rows(conn, "tracking_events", ("order_id", "at", "status", "location", "description"), rows)


def update_tracking_descriptions(conn: sqlite3.Connection, rows: Sequence[tuple]) -> None:
    """Rows of (description, id)."""
    conn.executemany("UPDATE tracking_events SET description = ? WHERE id = ?", rows)
