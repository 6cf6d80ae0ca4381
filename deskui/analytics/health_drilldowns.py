"""The check-up's drill-downs: tickets per channel and fulfilment per 100 orders sold, the
products behind defect tickets, and each agent's times and slow categories."""

from __future__ import annotations

import sqlite3

from deskui.analytics import metrics as m
from deskui.analytics.health_terms import (
    DEFECT_CATEGORIES, GROUPS, SLOW_FACTOR, SLOW_MIN_SAMPLES, TOP_PRODUCTS, _Window, _group_of, _label,
)
from deskui.store import health as reads


def _by_channel(window: _Window, rows: list[tuple], clocks: m.ClockPass,
                orders: dict) -> list[dict]:
    """Tickets of the window per channel and fulfilment of their order, per 100 orders sold."""
    first = window.dates[0]
    entries: dict[tuple[str, str], dict] = {}
    for category, ticket_channel, day, _period, fulfillment, count in rows:
        if day < first:
            continue
        entry = entries.setdefault((ticket_channel, fulfillment), {
            "fulfillment": {"-": "no order", "": "unknown"}.get(fulfillment, fulfillment),
            "tickets": 0,
            "groups": {name: 0 for name in (*GROUPS, "other")},
            "categories": {},
        })
        entry["tickets"] += count
        entry["groups"][_group_of(category)] += count
        entry["categories"][_label(category)] = entry["categories"].get(_label(category), 0) + count
    for (ticket_channel, fulfillment), entry in entries.items():
        sold = orders["sold"].get((ticket_channel, fulfillment), 0)
        entry["orders"] = sold
        entry["tickets_per_100_orders"] = round(100.0 * entry["tickets"] / sold, 1) if sold else None
        entry["defect_tickets_per_100_orders"] = round(100.0 * entry["groups"]["defect"] / sold, 2) if sold else None
        entry["categories"] = dict(sorted(entry["categories"].items(), key=lambda item: (-item[1], item[0])))
    totals: dict[str, int] = {}
    for (ticket_channel, _), entry in entries.items():
        totals[ticket_channel] = totals.get(ticket_channel, 0) + entry["tickets"]
    return [
        {
            "channel": ticket_channel,
            "tickets": totals[ticket_channel],
            "frt": m.stats(clocks.frt.dim('channel').get(ticket_channel, [])),
            "aht": m.stats(clocks.aht.dim('channel').get(ticket_channel, [])),
            "attainment": clocks.attained("channel", ticket_channel),
            "fulfillment": sorted((entry for (c, _), entry in entries.items() if c == ticket_channel),
                                  key=lambda entry: (-entry["tickets"], entry["fulfillment"])),
        }
        for ticket_channel in sorted(totals, key=lambda name: (-totals[name], name))
    ]


def _by_product(conn: sqlite3.Connection, window: _Window, channel: str | None) -> list[dict]:
    """Products on the orders behind defect tickets (damaged, missing, wrong, defective)."""
    rows = reads.defect_product_rows(conn, window.start, window.now, DEFECT_CATEGORIES, channel)
    products: dict[tuple, dict] = {}
    for asin, sku_key, sku, title, category, count in rows:
        entry = products.setdefault((asin, sku_key), {
            "asin": asin, "sku": sku, "title": title, "defect_tickets": 0,
            **{category_name: 0 for category_name in DEFECT_CATEGORIES},
        })
        entry[category] += count
        entry["defect_tickets"] += count
    top = sorted(products.values(), key=lambda e: (-e["defect_tickets"], e["asin"] or "", e["sku"] or ""))[:TOP_PRODUCTS]
    _attach_orders(conn, window, channel, top)
    return top


def _attach_orders(conn: sqlite3.Connection, window: _Window, channel: str | None, products: list[dict]) -> None:
    """Orders of each listed product purchased in the window, for a rate per 100 orders."""
    asins = [p["asin"] for p in products if p["asin"]]
    skus = [p["sku"] for p in products if not p["asin"] and p["sku"]]
    counts = reads.product_order_counts(conn, window.start, window.now, asins, skus, channel) if products else {}
    for product in products:
        sold = counts.get(f"asin:{product['asin']}" if product["asin"] else f"sku:{product['sku']}", 0)
        product["orders_in_window"] = sold
        product["defect_tickets_per_100_orders"] = round(100.0 * product["defect_tickets"] / sold, 1) if sold else None


def _by_agent(clocks: m.ClockPass) -> list[dict]:
    """Per agent: median FRT and AHT overall and per category, attainment, and the categories
    where the agent is slow (median >= SLOW_FACTOR x the team's, over SLOW_MIN_SAMPLES+)."""
    frt, aht = clocks.frt, clocks.aht
    agents = sorted({*frt.dim('agent'), *aht.dim('agent'), *clocks.attainment_keys("agent")} - {""})
    team = {metric: {category: m.stats(values)["median"] for category, values in timing.dim('category').items()}
            for metric, timing in (("frt", frt), ("aht", aht))}
    result = []
    for agent in agents:
        categories: dict[str, dict] = {}
        slow_on = []
        for metric, timing in (("frt", frt), ("aht", aht)):
            for (name, category), values in timing.dim('agent_category').items():
                if name != agent:
                    continue
                found = m.stats(values)
                entry = categories.setdefault(_label(category), {})
                entry[f"{metric}_median"] = found["median"]
                entry[f"{metric}_n"] = found["n"]
                entry[f"team_{metric}_median"] = team_median = team[metric].get(category)
                if found["n"] >= SLOW_MIN_SAMPLES and team_median and found["median"] >= SLOW_FACTOR * team_median:
                    slow_on.append({"category": _label(category), "metric": metric, "median": found["median"],
                                    "team_median": team_median})
        result.append({
            "agent": agent,
            "frt": m.stats(frt.dim("agent").get(agent, [])),
            "aht": m.stats(aht.dim("agent").get(agent, [])),
            "attainment": clocks.attained("agent", agent),
            "by_category": dict(sorted(categories.items())),
            "slow_on": sorted(slow_on, key=lambda s: (s["metric"], -s["median"] / s["team_median"], s["category"])),
        })
    result.sort(key=lambda entry: (-(entry["frt"]["median"] or 0), entry["agent"]))  # slowest first
    return result
