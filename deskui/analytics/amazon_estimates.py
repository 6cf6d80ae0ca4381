"""Amazon account-health estimates (ODR, late shipment, valid tracking) from the orders table,
against the thresholds in REFERENCE.md."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from fractions import Fraction

from deskui.analytics.health_terms import _Window
from deskui.store import health as reads
from deskui.timeutil import to_db

# Amazon account health thresholds (REFERENCE.md), in percent.
ODR_DAYS, LSR_DAYS, LSR_SHORT_DAYS, VTR_DAYS = 60, 30, 10, 30
ODR_MAX, LSR_MAX, VTR_MIN = 1, 4, 95


def _order_counts(conn: sqlite3.Connection, window: _Window, channel: str | None, account: str) -> dict:
    """Every order count the account-health estimates (for the ``account`` channel, split FBA /
    seller-fulfilled) and the channel drill-down (orders sold in the window per channel and
    fulfilment) need: four range queries on the order dates, summed in SQL."""
    now = window.now
    since = {
        "win": window.start,
        "odr": now - timedelta(days=ODR_DAYS),
        "lsr": now - timedelta(days=LSR_DAYS),
        "lsr_short": now - timedelta(days=LSR_SHORT_DAYS),
        "vtr": now - timedelta(days=VTR_DAYS),
    }
    odr, lsr, vtr, sold = reads.order_rows(conn, now, since, account, channel)
    odr = [value or 0 for value in odr]
    lsr = [value or 0 for value in lsr]
    vtr = [value or 0 for value in vtr]
    return {
        "odr_orders": odr[0], "odr_defects": odr[1], "negative_feedback": odr[2], "claims": odr[3],
        "chargebacks": odr[4], "fba_orders": odr[5], "fba_defects": odr[6],
        "lsr_orders": lsr[0], "lsr_late": lsr[1], "lsr_short_orders": lsr[2], "lsr_short_late": lsr[3],
        "vtr_shipped": vtr[0], "vtr_tracked": vtr[1],
        "sold": sold,
    }


def _rate(numerator: int, denominator: int, threshold: int, comparison: str, start: datetime, end: datetime,
          days: int, name: str) -> dict:
    if denominator:
        share = Fraction(numerator * 100, denominator)
        ok = share < threshold if comparison == "<" else share > threshold
        rate = round(float(share), 3)
    else:
        ok, rate = None, None
    return {
        "name": name,
        "numerator": numerator,
        "denominator": denominator,
        "rate": rate,
        "unit": "%",
        "threshold": threshold,
        "comparison": comparison,
        "ok": ok,
        "window": {"from": to_db(start), "to": to_db(end), "days": days},
    }


def _short(rate: dict) -> dict:
    return {key: rate[key] for key in ("numerator", "denominator", "rate", "ok")}


def _account_health(counts: dict, window: _Window, channel: str) -> dict:
    now = window.now
    odr_start = now - timedelta(days=ODR_DAYS)
    odr = _rate(counts["odr_defects"], counts["odr_orders"], ODR_MAX, "<", odr_start, now, ODR_DAYS, "Order Defect Rate")
    seller = (counts["odr_defects"] - counts["fba_defects"], counts["odr_orders"] - counts["fba_orders"])
    odr.update(
        negative_feedback=counts["negative_feedback"],
        claims=counts["claims"],
        chargebacks=counts["chargebacks"],
        by_fulfillment={
            "FBA": _short(_rate(counts["fba_defects"], counts["fba_orders"], ODR_MAX, "<", odr_start, now, ODR_DAYS, "")),
            "seller": _short(_rate(*seller, ODR_MAX, "<", odr_start, now, ODR_DAYS, "")),
        },
    )
    return {
        "channel": channel,
        "basis": "estimated from the orders table; late shipment and valid tracking count seller-fulfilled orders only (not FBA)",
        "odr": odr,
        "late_shipment_30d": _rate(counts["lsr_late"], counts["lsr_orders"], LSR_MAX, "<",
                                   now - timedelta(days=LSR_DAYS), now, LSR_DAYS, "Late Shipment Rate"),
        "late_shipment_10d": _rate(counts["lsr_short_late"], counts["lsr_short_orders"], LSR_MAX, "<",
                                   now - timedelta(days=LSR_SHORT_DAYS), now, LSR_SHORT_DAYS, "Late Shipment Rate"),
        "valid_tracking_30d": _rate(counts["vtr_tracked"], counts["vtr_shipped"], VTR_MIN, ">",
                                    now - timedelta(days=VTR_DAYS), now, VTR_DAYS, "Valid Tracking Rate"),
    }
