"""Carrier tracking events (CSV: carrier, tracking number, status, time, location[, description]).

Each event lands in ``tracking_events`` for the order holding that tracking number, or, when the
file has an order column (``order_number``, ``order_id``, ``amazon-order-id``, ``Name``), for that
order, whose tracking number and carrier are then filled in if they were empty. A delivered event
fills the order's ``delivered_at``, the first pick-up/transit event its ``shipped_at`` (only when
empty). An event is the same event when order, time, status and location match.
"""

from __future__ import annotations

import re

from deskui.ingest.base import BATCH, ImportContext, Rows, time_problem
from deskui.ingest.carriers import guess_carrier, looks_valid, normalise
from deskui.store import orders as order_store
from deskui.store.imports import update_by_id
from deskui.timeutil import TimeParseError

COLUMNS = {
    "tracking": ("tracking_number", "tracking number", "tracking", "tracking_no", "tracking_id"),
    "status": ("status", "event", "event_status"),
    "time": ("time", "at", "date", "timestamp", "event_time", "datetime", "date_time"),
    "carrier": ("?", "carrier"),
    "location": ("?", "location", "place", "city"),
    "description": ("?", "description", "details", "message", "event_description"),
    "order": ("?", "order_number", "order_id", "order", "amazon_order_id", "name"),
    "channel": ("?", "channel"),
}

_STATUS_RULES = (
    (re.compile(r"out for delivery|en cours de livraison|in zustellung|en reparto|in consegna"), "out_for_delivery"),
    (re.compile(r"not delivered|undeliver|attempt|exception|fail|return|delay|held|lost|damaged|refused|incident"), "exception"),
    (re.compile(r"delivered|livr[ée]|zugestellt|entregado|consegnato"), "delivered"),
    (re.compile(r"label|pre.?transit|pre.?shipment|information received|created|shipment information"), "label_created"),
    (re.compile(r"picked up|pickup|accepted|dispatched|shipped|pris en charge|abgeholt"), "picked_up"),
    (re.compile(r"transit|arrived|departed|processed|customs|facility|hub|sorting|en cours d.acheminement"), "in_transit"),
)


def tracking_status(text: str) -> str:
    lowered = text.strip().lower()
    for pattern, status in _STATUS_RULES:
        if pattern.search(lowered):
            return status
    return re.sub(r"[^0-9a-z]+", "_", lowered).strip("_") or "unknown"


def import_tracking(ctx: ImportContext) -> None:
    rows = Rows(ctx, ctx.path)
    header = rows.read_header()
    col = rows.require(COLUMNS)
    names = {key: header[index] for key, index in col.items()}
    ctx.tables("tracking_events")
    batch: list[dict] = []
    for line, row, ok in rows:
        if not ok:
            ctx.add("tracking_events", "rejected")
            continue
        event = _read(ctx, line, row, col, names)
        if event is None:
            ctx.add("tracking_events", "rejected")
            continue
        batch.append(event)
        if len(batch) >= BATCH:
            _flush(ctx, batch, names)
            batch = []
    _flush(ctx, batch, names)


def _read(ctx: ImportContext, line: int, row: list[str], col: dict, names: dict) -> dict | None:
    def get(key: str) -> str:
        index = col.get(key)
        return row[index].strip() if index is not None else ""

    number = normalise(get("tracking"))
    if not number:
        ctx.reject(line, names["tracking"], "empty: a tracking number is required")
        return None
    if not looks_valid(number):
        ctx.reject(line, names["tracking"], f"not a tracking number: {get('tracking')!r} (letters and digits only)")
        return None
    status_text = get("status")
    if not status_text:
        ctx.reject(line, names["status"], "empty: an event status is required")
        return None
    try:
        at = ctx.time(get("time")) if get("time") else None
    except TimeParseError as error:
        ctx.reject(line, names["time"], time_problem(error, get("time"), "2024-05-03 14:20:00+02:00"))
        return None
    if at is None:
        ctx.reject(line, names["time"], "empty: the event's time is required")
        return None
    status = tracking_status(status_text)
    description = get("description") or (status_text if status_text.lower().replace(" ", "_") != status else None)
    return {
        "line": line,
        "number": number,
        "raw_number": get("tracking"),
        "carrier": get("carrier") or guess_carrier(number),
        "status": status,
        "at": at,
        "location": get("location") or None,
        "description": description,
        "order": get("order") or None,
        "channel": get("channel").lower() or None,
    }


def _flush(ctx: ImportContext, batch: list[dict], names: dict) -> None:
    if not batch or ctx.failed:
        return
    conn = ctx.conn
    linked = _link(ctx, batch, names)
    order_ids = list({order["id"] for _, order in linked})
    held: dict[tuple, tuple] = {}
    for row in order_store.tracking_events_of(conn, order_ids):
        held[(row[1], row[2], row[3], row[4] or "")] = (row[0], row[5])
    inserts, updates = [], []
    order_changes: dict[int, dict] = {}
    for event, order in linked:
        key = (order["id"], event["at"], event["status"], event["location"] or "")
        known = held.get(key)
        if known is None:
            inserts.append((order["id"], event["at"], event["status"], event["location"], event["description"]))
            held[key] = (None, event["description"])
            ctx.add("tracking_events", "added")
        elif (known[1] or None) != event["description"] and event["description"]:
            if known[0] is not None:
                updates.append((event["description"], known[0]))
            held[key] = (known[0], event["description"])
            ctx.add("tracking_events", "updated")
        else:
            ctx.add("tracking_events", "unchanged")
        _order_change(order, event, order_changes.setdefault(order["id"], {}))
    order_store.insert_tracking_events(conn, inserts)
    order_store.update_tracking_descriptions(conn, updates)
    for order_id, change in order_changes.items():
        if change:
            ctx.tables("orders")
            update_by_id(conn, "orders", order_id, change)
            ctx.mark("orders", order_id, "updated")


def _link(ctx: ImportContext, batch: list[dict], names: dict) -> list[tuple[dict, dict]]:
    """Each event with its order (by order number, else by tracking number); an event with no
    single order is rejected on its line."""
    conn = ctx.conn
    by_number: dict[str, list[dict]] = {}
    by_tracking: dict[str, dict] = {}
    for row in order_store.orders_any_channel(conn, [event["order"] for event in batch if event["order"]]):
        by_number.setdefault(row["order_number"], []).append(dict(row))
    trackings = [v for event in batch if not event["order"] for v in (event["number"], event["raw_number"])]
    for row in order_store.orders_by_tracking(conn, trackings):
        by_tracking[normalise(row["tracking_number"])] = dict(row)
    linked = []
    for event in batch:
        if event["order"]:
            candidates = by_number.get(event["order"], [])
            if event["channel"]:
                candidates = [order for order in candidates if order["channel"] == event["channel"]]
            if len(candidates) != 1:
                problem = "no order" if not candidates else f"{len(candidates)} orders (add a channel column)"
                ctx.reject(event["line"], names["order"], f"{problem} with number {event['order']!r}: import the orders first",
                           tables=[("tracking_events", 1)])
                continue
            order = candidates[0]
        else:
            order = by_tracking.get(event["number"])
            if order is None:
                ctx.reject(event["line"], names["tracking"],
                           f"no order has tracking number {event['raw_number']!r}: import the orders first, or add an order_number column",
                           tables=[("tracking_events", 1)])
                continue
        linked.append((event, order))
    return linked


def _order_change(order: dict, event: dict, change: dict) -> None:
    """What an event tells its order (tracking number, carrier, shipped and delivered times),
    written into both ``order`` (for the next event of the batch) and ``change``."""
    if not order["tracking_number"]:
        change["tracking_number"] = order["tracking_number"] = event["number"]
    if not order["carrier"] and event["carrier"]:
        change["carrier"] = order["carrier"] = event["carrier"]
    if event["status"] == "delivered" and (not order["delivered_at"] or ("delivered_at" in change and event["at"] < order["delivered_at"])):
        change["delivered_at"] = order["delivered_at"] = event["at"]
    if event["status"] in ("picked_up", "in_transit", "out_for_delivery", "delivered") and (
        not order["shipped_at"] or ("shipped_at" in change and event["at"] < order["shipped_at"])
    ):
        change["shipped_at"] = order["shipped_at"] = event["at"]
