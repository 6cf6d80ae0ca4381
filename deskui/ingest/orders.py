"""Writing orders, their items and their customers in batches, comparing before writing.

Importers hand over one batch of orders (each with its items and, for Shopify, its customer);
this module fetches what the database already holds for those keys in a few ``IN (...)``
queries, and writes only what differs, one statement per kind of row (the SQL is in
``deskui.store.orders``). Unchanged rows are not touched, so a re-import leaves the change feed
quiet and every count "unchanged".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from deskui.ingest.base import ImportContext
from deskui.store import orders as order_store
from deskui.store.imports import update_by_id

# Written only if the database has these columns (a proposed schema addition): the importers
# read them from the files and store them when the schema can hold them.
OPTIONAL_ORDER_COLUMNS = ("ship_city", "ship_country", "ship_postal_code", "tags")


@dataclass
class ItemIn:
    line: int
    sku: str | None
    asin: str | None
    title: str | None
    quantity: int
    price: float | None

    def key(self) -> tuple:
        return (self.sku or "", self.asin or "", "" if (self.sku or self.asin) else (self.title or ""))

    def values(self) -> tuple:
        return (self.title, self.quantity, self.price)


@dataclass
class CustomerIn:
    external_id: str
    name: str | None
    email: str | None
    country: str | None
    created_at: str | None


@dataclass
class OrderIn:
    number: str
    line: int
    values: dict = field(default_factory=dict)
    items: list[ItemIn] = field(default_factory=list)
    customer: CustomerIn | None = None
    add_total: float | None = None  # Amazon: this group's share of the order total (None: no prices yet)
    not_before: str | None = None   # Amazon last-updated-date: an older report never overwrites a newer one
    bad: bool = False
    rows: int = 0


def same(old, new) -> bool:
    if isinstance(new, float) and isinstance(old, (int, float)):
        return abs(old - new) < 0.005
    return old == new


class OrderWriter:
    def __init__(self, ctx: ImportContext, channel: str):
        self.ctx = ctx
        self.conn = ctx.conn
        self.channel = channel
        ctx.tables("orders", "order_items")

    # ------------------------------------------------------------------ customers
    def _customers(self, orders: list[OrderIn]) -> dict[str, int]:
        ctx, conn = self.ctx, self.conn
        wanted: dict[str, CustomerIn] = {}
        for order in orders:
            customer = order.customer
            if customer is None:
                continue
            known = wanted.get(customer.external_id)
            if known is None:
                wanted[customer.external_id] = customer
            else:  # the same buyer twice in a batch: keep the earliest date, fill blanks
                if customer.created_at and (not known.created_at or customer.created_at < known.created_at):
                    known.created_at = customer.created_at
                known.name = known.name or customer.name
                known.country = known.country or customer.country
        if not wanted:
            return {}
        ctx.tables("customers")
        ids: dict[str, int] = {}
        existing = {row[1]: row for row in order_store.customers_with_details(conn, self.channel, wanted)}
        inserts, updates = [], []
        for key, customer in wanted.items():
            row = existing.get(key)
            if row is None:
                inserts.append((self.channel, key, customer.name, customer.email, customer.country, customer.created_at))
                ctx.mark("customers", key, "added")
                continue
            ids[key] = row[0]
            change = {}
            for column, value in (("name", customer.name), ("email", customer.email), ("country", customer.country)):
                if value and row[column] != value:
                    change[column] = value
            if customer.created_at and (not row["created_at"] or customer.created_at < row["created_at"]):
                change["created_at"] = customer.created_at
            if change:
                updates.append((change, row[0]))
                ctx.mark("customers", key, "updated")
            else:
                ctx.mark("customers", key, "unchanged")
        order_store.insert_customers(conn, inserts)
        for change, customer_id in updates:
            update_by_id(conn, "customers", customer_id, change)
        if inserts:
            ids.update(order_store.customer_ids(conn, self.channel, [row[1] for row in inserts]))
        return ids

    # ------------------------------------------------------------------ orders
    def flush(self, batch: list[OrderIn], *, store: bool = True) -> None:
        ctx, conn = self.ctx, self.conn
        good = []
        for order in batch:
            if order.bad or ctx.seen("orders", order.number) == "rejected":
                # a bad row rejects its whole order: a half-stored order would mislead an agent
                ctx.mark("orders", order.number, "rejected")
                ctx.add("order_items", "rejected", order.rows)
                continue
            good.append(order)
        if not good or not store:
            return
        customer_ids = self._customers(good)
        existing = order_store.orders_by_number(conn, self.channel, [order.number for order in good])
        inserts: list[OrderIn] = []
        updates: list[tuple[dict, int]] = []
        item_work: list[tuple[OrderIn, int | None, bool]] = []  # (order, existing id, merge)
        for order in good:
            values = dict(order.values)
            if order.customer is not None and customer_ids.get(order.customer.external_id) is not None:
                values["customer_id"] = customer_ids[order.customer.external_id]
            merge = ctx.seen("orders", order.number) is not None  # met earlier in this file
            row = existing.get(order.number)
            if row is None:
                if order.add_total is not None:
                    values["total"] = round(order.add_total, 2)
                inserts.append(OrderIn(order.number, order.line, values))
                ctx.mark("orders", order.number, "added")
                item_work.append((order, None, False))
                continue
            if not merge and order.not_before and row["updated_at"] and row["updated_at"] > order.not_before:
                ctx.mark("orders", order.number, "unchanged")  # the database holds a newer report
                continue
            if order.add_total is not None:
                values["total"] = round(((row["total"] or 0.0) if merge else 0.0) + order.add_total, 2)
            change = {column: value for column, value in values.items() if not same(row[column], value)}
            if set(change) <= {"updated_at"}:
                change = {}  # a newer report that changes nothing is not an update
            if change:
                updates.append((change, row["id"]))
                ctx.mark("orders", order.number, "updated")
            else:
                ctx.mark("orders", order.number, "unchanged")
            item_work.append((order, row["id"], merge))
        if inserts:
            columns = sorted({column for order in inserts for column in order.values})
            order_store.insert_orders(conn, self.channel, columns, [(order.number, *(order.values.get(c) for c in columns)) for order in inserts])
            new_ids = order_store.order_ids(conn, self.channel, [order.number for order in inserts])
            item_work = [(order, order_id if order_id is not None else new_ids[order.number], merge) for order, order_id, merge in item_work]
        by_shape: dict[tuple, list] = defaultdict(list)
        for change, order_id in updates:
            by_shape[tuple(change)].append((*change.values(), order_id))
        for shape, values in by_shape.items():
            order_store.update_orders(conn, shape, values)
        self._items(item_work, existing_ids={order_id for order, order_id, merge in item_work if order.number in existing})
        ctx.batch_written(("customers", "orders", "order_items"))

    # ------------------------------------------------------------------ items
    def _items(self, work: list[tuple[OrderIn, int, bool]], existing_ids: set[int]) -> None:
        ctx, conn = self.ctx, self.conn
        held: dict[int, dict[tuple, list]] = defaultdict(lambda: defaultdict(list))
        for row in order_store.items_of(conn, sorted(existing_ids)):
            item = ItemIn(0, row[2], row[3], row[4], row[5], row[6])
            held[row[1]][item.key()].append((row[0], item.values(), [False]))
        inserts, updates = [], []
        added = updated = unchanged = 0
        for order, order_id, merge in work:
            mine = held.get(order_id, {})
            occurrence: dict[tuple, int] = defaultdict(int)
            for item in order.items:
                key = item.key()
                candidates = mine.get(key, [])
                match = None
                if merge:  # a later part of an order split in the file: only an identical row is the same item
                    for candidate in candidates:
                        if not candidate[2][0] and all(same(a, b) for a, b in zip(candidate[1], item.values())):
                            match = candidate
                            break
                else:
                    index = occurrence[key]
                    occurrence[key] += 1
                    if index < len(candidates):
                        match = candidates[index]
                if match is None:
                    inserts.append((order_id, item.sku, item.asin, item.title, item.quantity, item.price))
                    added += 1
                    continue
                match[2][0] = True
                if all(same(a, b) for a, b in zip(match[1], item.values())):
                    unchanged += 1
                else:
                    updates.append((item.sku, item.asin, item.title, item.quantity, item.price, match[0]))
                    updated += 1
        order_store.insert_items(conn, inserts)
        order_store.update_items(conn, updates)
        ctx.add("order_items", "added", added)
        ctx.add("order_items", "updated", updated)
        ctx.add("order_items", "unchanged", unchanged)
