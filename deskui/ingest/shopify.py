"""Shopify's orders export (CSV, one row per line item, grouped by ``Name``).

Order-level fields (financial status, totals, addresses, dates...) are on an order's first row
only; later rows of the same order add line items. Customers are keyed by e-mail address
(lower-cased), the same key the e-mail importer uses for a store's buyers.

Fulfilment: Shopify's export does not say who shipped. An order is ``MCF`` (Amazon Multi-Channel
Fulfillment) when a ``Lineitem fulfillment service`` column names Amazon, a tag says so (``MCF``,
``Amazon MCF``, ``FBA``, ``Fulfilled by Amazon``), or the fulfilment ``Location`` is an Amazon one;
otherwise ``SELF``.
"""

from __future__ import annotations

import re

from deskui.ingest.base import BATCH, BadField, ImportContext, Rows, columns_of, parse_int, parse_number, time_problem
from deskui.ingest.orders import CustomerIn, ItemIn, OrderIn, OrderWriter
from deskui.timeutil import TimeParseError

COLUMNS = {
    "name": ("Name",),
    "email": ("?", "Email"),
    "financial": ("?", "Financial Status"),
    "paid": ("?", "Paid at"),
    "fulfillment_status": ("?", "Fulfillment Status"),
    "fulfilled": ("?", "Fulfilled at", "Fulfillment Date"),
    "currency": ("?", "Currency"),
    "total": ("?", "Total"),
    "created": ("Created at",),
    "quantity": ("Lineitem quantity",),
    "title": ("Lineitem name",),
    "price": ("Lineitem price",),
    "sku": ("?", "Lineitem sku"),
    "service": ("?", "Lineitem fulfillment service"),
    "billing_name": ("?", "Billing Name"),
    "billing_country": ("?", "Billing Country"),
    "shipping_name": ("?", "Shipping Name"),
    "shipping_city": ("?", "Shipping City"),
    "shipping_zip": ("?", "Shipping Zip"),
    "shipping_country": ("?", "Shipping Country"),
    "cancelled": ("?", "Cancelled at"),
    "refunded": ("?", "Refunded Amount"),
    "tags": ("?", "Tags"),
    "location": ("?", "Location"),
}
STATUS = {"fulfilled": "shipped", "partial": "partially_shipped", "unfulfilled": "unshipped", "": "unshipped", "restocked": "cancelled"}
MCF_TAG = re.compile(r"^(mcf|amazon[ _-]?mcf|fba|fulfilled[ _-]by[ _-]amazon|amazon[ _-]fulfil+ment)$", re.IGNORECASE)


def mcf_hint(service: str, tags: str, location: str) -> bool:
    if "amazon" in service.lower() or "amazon" in location.lower():
        return True
    return any(MCF_TAG.match(tag.strip()) for tag in tags.split(","))


def import_shopify_orders(ctx: ImportContext) -> None:
    rows = Rows(ctx, ctx.path)
    header = rows.read_header()
    col = rows.require(COLUMNS)
    names = {key: header[index] for key, index in col.items()}
    optional = columns_of(ctx.conn, "orders")
    writer = OrderWriter(ctx, "shopify")
    batch: dict[str, OrderIn] = {}

    def flush() -> None:
        writer.flush(list(batch.values()), store=not ctx.failed)  # after an abort, only count
        batch.clear()

    for line, row, ok in rows:
        number = row[col["name"]].strip()
        if not number:
            if ok:
                ctx.reject(line, names["name"], "empty: every row needs the order's Name (e.g. #1001)")
            ctx.add("order_items", "rejected")
            continue
        order = batch.get(number)
        first = False
        if order is None:
            if len(batch) >= BATCH:
                flush()
            order = batch[number] = OrderIn(number, line)
            first = ctx.seen("orders", number) is None  # the order's first row in the file
        order.rows += 1
        if not ok:
            order.bad = True
            continue
        try:
            _read_row(ctx, row, col, names, order, first, optional)
        except BadField as bad:
            ctx.reject(line, bad.field, bad.message)
            order.bad = True
    flush()


def _read_row(ctx: ImportContext, row, col, names, order: OrderIn, first: bool, optional: set[str]) -> None:
    def get(key: str) -> str:
        index = col.get(key)
        return row[index].strip() if index is not None else ""

    def time(key: str, required: bool = False) -> str | None:
        text = get(key)
        if not text:
            if required:
                raise BadField(names[key], "empty on the order's first row: a date/time is required")
            return None
        try:
            return ctx.time(text)
        except TimeParseError as error:
            raise BadField(names[key], time_problem(error, text, "2024-05-01 10:00:00 +0000")) from None

    def number(key: str) -> float | None:
        try:
            return parse_number(get(key))
        except ValueError:
            raise BadField(names[key], f"not a number: {get(key)!r}") from None

    try:
        quantity = parse_int(get("quantity"))
    except ValueError:
        raise BadField(names["quantity"], f"not a whole quantity: {get('quantity')!r}") from None
    if quantity is None:
        raise BadField(names["quantity"], "empty: a quantity is required")
    price = number("price")
    title = get("title") or None
    order.items.append(ItemIn(0, get("sku") or None, None, title, quantity, price))
    if mcf_hint(get("service"), get("tags"), get("location")):
        order.values["fulfillment"] = "MCF"
    if not first or order.rows > 1:
        return
    _read_order(get, time, number, col, order, optional)


def _read_order(get, time, number, col, order: OrderIn, optional: set[str]) -> None:
    """The order's own columns and its customer, from its first row (``get``, ``time`` and
    ``number`` read that row's cells)."""
    created = time("created", required=True)
    paid, fulfilled, cancelled = time("paid"), time("fulfilled"), time("cancelled")
    total = number("total")
    refunded = number("refunded")
    financial = get("financial").lower()
    if refunded is None:
        refunded = total if financial == "refunded" and total is not None else 0.0
    fulfillment_status = get("fulfillment_status").lower()
    status = "cancelled" if cancelled else STATUS.get(fulfillment_status, re.sub(r"[^0-9a-z]+", "_", fulfillment_status))
    values = {
        "purchased_at": created,
        "status": status,
        "fulfillment": order.values.get("fulfillment", "SELF"),
        "shipped_at": fulfilled,
        "currency": get("currency").upper() or None,
        "total": total,
        "refunded_amount": refunded,
        "updated_at": max(t for t in (created, paid, fulfilled, cancelled) if t),
    }
    country = (get("shipping_country") or get("billing_country")).upper() or None
    if "ship_city" in optional and "shipping_city" in col:
        values["ship_city"] = get("shipping_city") or None
    if "ship_country" in optional:
        values["ship_country"] = get("shipping_country").upper() or None
    if "ship_postal_code" in optional:
        values["ship_postal_code"] = get("shipping_zip").lstrip("'") or None  # Excel-proofing quote
    if "tags" in optional and "tags" in col:
        values["tags"] = get("tags") or None
    order.values = values
    email = get("email").lower()
    if email:
        order.customer = CustomerIn(email, get("billing_name") or get("shipping_name") or None, email, country, created)
