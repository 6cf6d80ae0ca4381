"""Amazon's "All Orders" flat file: tab-separated, one row per item, columns read by header name.

Accepts every documented variant (by last update, by order date with ``cpf``, older files with
``url``, ``number-of-items``, the tax-collection columns, ``address-type``) because only the
columns below are looked up, by name; the others are ignored. The report carries no buyer
identity, so it never creates customers (an Amazon buyer message links the order to its buyer).
"""

from __future__ import annotations

import re

from deskui.ingest.base import BATCH, BadField, ImportContext, Rows, columns_of, parse_int, parse_number, time_problem
from deskui.ingest.orders import ItemIn, OrderIn, OrderWriter
from deskui.timeutil import TimeParseError

ORDER_ID = re.compile(r"^[0-9A-Z]{3}-\d{7}-\d{7}$")

COLUMNS = {
    "order": ("amazon-order-id", "order-id"),
    "purchased": ("purchase-date",),
    "updated": ("?", "last-updated-date"),
    "status": ("order-status",),
    "fulfillment": ("fulfillment-channel",),
    "sales_channel": ("sales-channel",),
    "sku": ("sku",),
    "asin": ("?", "asin"),
    "title": ("?", "product-name"),
    "quantity": ("quantity", "quantity-purchased"),
    "currency": ("?", "currency"),
    "price": ("item-price",),
    "shipping": ("?", "shipping-price"),
    "gift_wrap": ("?", "gift-wrap-price"),
    "item_promotion": ("?", "item-promotion-discount"),
    "ship_promotion": ("?", "ship-promotion-discount"),
    "city": ("?", "ship-city"),
    "country": ("?", "ship-country"),
    "postal_code": ("?", "ship-postal-code"),
}
MONEY = ("price", "shipping", "gift_wrap", "item_promotion", "ship_promotion")

FULFILLMENT = {"amazon": "FBA", "afn": "FBA", "merchant": "FBM", "mfn": "FBM"}
STATUS = {
    "canceled": "cancelled",
    "cancelled": "cancelled",
    "partiallyshipped": "partially_shipped",
    "shipped - delivered to buyer": "delivered",
    "shipped - returned to seller": "returned",
    "shipped - returning to seller": "returning",
    "shipped - out for delivery": "out_for_delivery",
    "shipped - picked up": "shipped",
    "shipped - rejected by buyer": "rejected_by_buyer",
    "shipped - damaged": "damaged_in_transit",
    "shipped - lost in transit": "lost_in_transit",
}


def order_status(text: str) -> str:
    lowered = text.strip().lower()
    if lowered in STATUS:
        return STATUS[lowered]
    return re.sub(r"[^0-9a-z]+", "_", re.sub(r"(?<=[a-z])(?=[A-Z])", "_", text.strip()).lower()).strip("_")


def import_amazon_orders(ctx: ImportContext) -> None:
    rows = Rows(ctx, ctx.path, delimiter="\t", quoting=False)
    header = rows.read_header()
    col = rows.require(COLUMNS)
    names = {key: header[index] for key, index in col.items()}
    optional = columns_of(ctx.conn, "orders")
    writer = OrderWriter(ctx, "amazon")
    batch: dict[str, OrderIn] = {}

    def flush() -> None:
        writer.flush(list(batch.values()), store=not ctx.failed)  # after an abort, only count
        batch.clear()

    for line, row, ok in rows:
        number = row[col["order"]].strip()
        if not ORDER_ID.match(number):
            if ok:
                ctx.reject(line, names["order"], f"not an Amazon order id: {number!r} (expected e.g. 114-3941689-8772232)")
            ctx.add("order_items", "rejected")
            continue
        order = batch.get(number)
        if order is None:
            if len(batch) >= BATCH:
                flush()
            order = batch[number] = OrderIn(number, line)
        order.rows += 1
        if not ok:
            order.bad = True
            continue
        try:
            _read_row(ctx, row, col, names, order, optional)
        except BadField as bad:
            ctx.reject(line, bad.field, bad.message)
            order.bad = True
    flush()


def _read_row(ctx: ImportContext, row: list[str], col: dict[str, int], names: dict[str, str], order: OrderIn, optional: set[str]) -> None:
    def get(key: str) -> str:
        index = col.get(key)
        return row[index].strip() if index is not None else ""

    def time(key: str, required: bool) -> str | None:
        text = get(key)
        if not text:
            if required:
                raise BadField(names[key], "empty: a date/time is required")
            return None
        try:
            return ctx.time(text)
        except TimeParseError as error:
            raise BadField(names[key], time_problem(error, text, "2020-02-18T05:05:21+00:00")) from None

    money = _money(get, col, names)
    try:
        quantity = parse_int(get("quantity"))
    except ValueError:
        raise BadField(names["quantity"], f"not a whole quantity: {get('quantity')!r}") from None
    if quantity is None:
        raise BadField(names["quantity"], "empty: a quantity is required")
    purchased = time("purchased", True)
    updated = time("updated", False)
    fulfillment, marketplace = _fulfillment(get, names)
    status = get("status")
    if not status:
        raise BadField(names["status"], "empty: an order status is required")
    sku = get("sku") or None
    price = money.get("price")
    if order.rows == 1 or not order.values:
        order.values = _order_values(get, col, optional, order, marketplace=marketplace, purchased=purchased,
                                     status=status, fulfillment=fulfillment, updated=updated)
    elif not order.values.get("currency") and get("currency"):
        order.values["currency"] = get("currency").upper()
    if price is not None:
        line_total = price + (money.get("shipping") or 0.0) + (money.get("gift_wrap") or 0.0)
        line_total -= abs(money.get("item_promotion") or 0.0) + abs(money.get("ship_promotion") or 0.0)
        order.add_total = (order.add_total or 0.0) + line_total
    unit = round(price / quantity, 2) if price is not None and quantity else price
    order.items.append(ItemIn(0, sku, get("asin") or None, get("title") or None, quantity, unit))


def _money(get, col: dict[str, int], names: dict[str, str]) -> dict[str, float | None]:
    money = {}
    for key in MONEY:
        if key in col:
            try:
                money[key] = parse_number(get(key))
            except ValueError:
                raise BadField(names[key], f"not a number: {get(key)!r}") from None
    return money


def _fulfillment(get, names: dict[str, str]) -> tuple[str, str | None]:
    """(FBA, MCF or FBM, the Amazon marketplace the order was sold on or None)."""
    channel_text = get("fulfillment")
    fulfillment = FULFILLMENT.get(channel_text.lower())
    if fulfillment is None:
        raise BadField(names["fulfillment"], f"unknown fulfillment channel {channel_text!r} (expected Amazon, AFN, Merchant or MFN)")
    sales_channel = get("sales_channel").lower()
    marketplace = sales_channel if sales_channel.startswith("amazon.") else None
    if sales_channel.startswith("non-amazon") and fulfillment == "FBA":
        fulfillment = "MCF"  # Multi-Channel Fulfillment: Amazon ships an order sold elsewhere
    return fulfillment, marketplace


def _order_values(get, col: dict[str, int], optional: set[str], order: OrderIn, *, marketplace: str | None,
                  purchased: str | None, status: str, fulfillment: str, updated: str | None) -> dict:
    """The order's own columns, from its first row."""
    values = {
        "marketplace": marketplace,
        "purchased_at": purchased,
        "status": order_status(status),
        "fulfillment": fulfillment,
        "currency": get("currency").upper() or None,
    }
    if updated:
        values["updated_at"] = updated
        order.not_before = updated
    if "ship_city" in optional and "city" in col:
        values["ship_city"] = get("city") or None
    if "ship_country" in optional and "country" in col:
        values["ship_country"] = get("country").upper() or None
    if "ship_postal_code" in optional and "postal_code" in col:
        values["ship_postal_code"] = get("postal_code") or None
    return values


__all__ = ["ORDER_ID", "import_amazon_orders", "order_status"]
