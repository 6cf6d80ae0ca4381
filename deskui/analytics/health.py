"""The account-health check-up (seed 002): spikes, reactivity, drill-downs, Amazon metric
estimates and a review sample, as one JSON-serialisable dict.

Each section is one or two reads of ``deskui.store.health`` / ``deskui.store.metrics`` over an
indexed time range (tickets.created_at, sla_clocks.stopped_at, events.kind/at, the inbox's
due-time index) or one pass over orders, with counts and sums done in SQL there. The only Python loop over rows is the one over the window's stopped
clocks, for exact medians (``metrics.clock_pass``); none ever reads a whole table. Definitions:
docs/health.md and ``metrics.py``.
"""

from __future__ import annotations

import random
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from datetime import date, datetime, timedelta, timezone, tzinfo
from fractions import Fraction

from deskui.analytics import metrics as m
from deskui.analytics.days import LocalDays, local_midnight
from deskui.policy.model import Policy
from deskui.store import health as reads
from deskui.timeutil import from_db, to_db, zone_name
from deskui.triage.lexicon import CATEGORIES

UTC = timezone.utc
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
UNCATEGORISED = "uncategorised"

# The Amazon metric a category threatens and what the seed says to do about a spike in it.
METRICS = {
    "ODR": "Order Defect Rate (< 1 %, 60 days)",
    "LSR": "Late Shipment Rate (< 4 %, 10 and 30 days)",
    "VTR": "Valid Tracking Rate (> 95 %, 30 days)",
    "RDR": "Return Dissatisfaction Rate (< 10 %)",
    "CR": "Pre-fulfilment Cancel Rate (< 2.5 %, 7 days)",
    "CRT": "Contact response time (every buyer message answered within 24 h)",
}
_PACKING = "Review the FBM/MCF picking and packing workflow and standards now; check the top ASIN's batch with quality control."
IMPACT: dict[str, tuple[tuple[str, ...], str]] = {
    "atoz_claim": (("ODR",), "Contact every claimant within the hour with the facts and a resolution; document each step: a claim is a defect whatever its outcome."),
    "chargeback": (("ODR",), "Answer each chargeback with proof of delivery and the order history; find what drives buyers to their bank."),
    "damaged": (("ODR",), _PACKING),
    "missing_item": (("ODR",), _PACKING),
    "wrong_item": (("ODR",), "Audit picking (SKU labels, bin locations) for the FBM/MCF flow; check the top ASIN's listing and stock."),
    "defective": (("ODR",), "Pull the top ASIN's current batch for a quality check before more negative feedback arrives."),
    "not_received": (("LSR", "VTR"), "Check the carrier APIs and that tracking is uploaded on time and accurately; look at FBM ship-by dates."),
    "tracking": (("LSR", "VTR"), "Check the carrier APIs and that tracking is uploaded on time and accurately."),
    "return": (("RDR",), "Check the return instructions are clear and that return requests are answered within 48 h."),
    "refund": (("RDR",), "Check refunds go out on time after returns arrive; answer return requests within 48 h."),
    "exchange": (("RDR",), "Check exchange and return instructions are clear; answer return requests within 48 h."),
    "cancellation": (("CR",), "Check stock levels and listing accuracy; buyers cancelling before shipment may be waiting too long."),
    "feedback": (("ODR",), "Read the feedback threads: negative feedback (1-2 stars) is an order defect."),
    "invoice": (("CRT",), "Automate invoices (VAT) or update the self-service content and macros."),
    "product_question": (("CRT",), "Update the listing details and the knowledge base; a spike often follows a listing or policy change."),
}
_OTHER_IMPACT = (("CRT",), "Read a sample: a new topic (often an old policy confusing buyers) needs updated macros and self-service content.")
GROUPS = {
    "claims": ("atoz_claim", "chargeback"),
    "defect": ("damaged", "missing_item", "wrong_item", "defective"),
    "delivery": ("not_received", "tracking"),
    "returns": ("return", "refund", "exchange"),
}
DEFECT_CATEGORIES = GROUPS["defect"]
HIGH_RISK_TAGS = ("escalated", "escalation", "a-to-z risk", "atoz risk", "a-to-z-risk")
HIGH_RISK_CATEGORIES = ("atoz_claim", "chargeback")
SLOW_FACTOR = 1.5  # an agent is "slow on" a category at 1.5 x the team's median for it...
SLOW_MIN_SAMPLES = 5  # ...over at least this many tickets
TOP_PRODUCTS = 10
NOTE_CHARS = 2000

# Amazon account health thresholds (REFERENCE.md), in percent.
ODR_DAYS, LSR_DAYS, LSR_SHORT_DAYS, VTR_DAYS = 60, 30, 10, 30
ODR_MAX, LSR_MAX, VTR_MIN = 1, 4, 95


def _group_of(category: str) -> str:
    for group, members in GROUPS.items():
        if category in members:
            return group
    return "other"


def _label(category: str) -> str:
    return category or UNCATEGORISED


def _flags(stats: dict) -> dict:
    """The seed's reactivity marks: the slowest tenth at 12 h+, any first response at 24 h+."""
    return {
        "warning_12h": stats["p90"] is not None and stats["p90"] >= m.WARNING_MINUTES,  # p90 is rounded
        "rule_24h": stats["over_24h"] > 0,
    }


def _with_flags(values) -> dict:
    found = m.stats(values)
    return {**found, **_flags(found)}


def _trend(timing: m.Timing, today: date) -> dict:
    """Median of the last 7 calendar days (today included) against the 7 before."""
    dates = [(today - timedelta(days=i)).isoformat() for i in range(14)]
    recent, previous = m.stats(timing.over_days(dates[:7])), m.stats(timing.over_days(dates[7:]))
    change = None
    if recent["median"] is not None and previous["median"]:
        change = round(100.0 * (recent["median"] - previous["median"]) / previous["median"], 1)
    return {
        "recent_7d_median": recent["median"],
        "previous_7d_median": previous["median"],
        "change_pct": change,
        "rising": change is not None and change >= m.MIN_RISE_PCT,
    }


class _Window:
    """The check-up's days: calendar days in the seller's zone, the last one being today."""

    def __init__(self, now: datetime, days: int, zone: tzinfo = UTC) -> None:
        self.now = now
        today = now.astimezone(zone).date()
        first = today - timedelta(days=days - 1)
        self.start = local_midnight(datetime.combine(first, datetime.min.time(), tzinfo=zone), zone)
        self.dates = [(first + timedelta(days=i)).isoformat() for i in range(days)]
        self.today = today.isoformat()
        self.today_date = today
        self.zone_name = zone_name(zone)
        # The widest range any section needs: the window, the spike rule, two weeks of trend.
        self.query_start = min(self.start, now - timedelta(days=max(m.RECENT_DAYS + m.BASELINE_DAYS, 14)))
        self.days = LocalDays(zone, self.query_start - timedelta(minutes=m.AHT_MAX_MINUTES), now)


def health_check(
    conn: sqlite3.Connection,
    policy: Policy,
    now: datetime,
    *,
    days: int = 28,
    channel: str | None = None,
    sample_size: int = 10,
    seed: int | None = None,
    parallel: bool = True,
    zone: tzinfo = UTC,
) -> dict:
    """The check-up as a JSON-serialisable dict; top-level keys ``generated_at``, ``window``,
    ``spikes``, ``response_times``, ``drilldowns``, ``account_health``, ``sample``.

    ``now`` is the end of every window (the one source of time: pass ``clock.now()``). With
    ``parallel`` (the default) the aggregate sections run on a second, read-only connection to
    the same file in a worker thread; the answer is the same either way. Days (today, per day,
    per weekday) are calendar days in ``zone``, the seller's."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if days < 1:
        raise ValueError("days must be at least 1")
    if sample_size < 0:
        raise ValueError("sample_size must not be negative")
    with m.no_gc(), reads.mapped_reads(conn):
        return _health_check(conn, policy, now.astimezone(UTC).replace(microsecond=0), days,
                             channel.strip().lower() if channel else None, sample_size, seed, parallel, zone)


def _health_check(conn: sqlite3.Connection, policy: Policy, now: datetime, days: int, channel: str | None,
                  sample_size: int, seed: int | None, parallel: bool, zone: tzinfo) -> dict:
    window = _Window(now, days, zone)

    aggregates = partial(_aggregates, window=window, policy=policy, channel=channel, sample_size=sample_size, seed=seed)
    helper = _second_connection(conn) if parallel else None
    if helper is None:
        clocks = m.clock_pass(conn, window.query_start, now, window.start, channel=channel, days=window.days,
                              policy=policy, unstopped=False)
        times = _timings(clocks, window, policy)
        found = aggregates(conn)
    else:
        # Two cores: the aggregates on a read-only connection of their own while this thread reads
        # the clocks (the part that needs Python). Same answers, about 40 % less wall time.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="deskui-health") as pool:
            future = pool.submit(_closing, helper, aggregates)
            clocks = m.clock_pass(conn, window.query_start, now, window.start, channel=channel, days=window.days,
                                  policy=policy, unstopped=False)
            times = _timings(clocks, window, policy)
            found = future.result()
    clocks.add(found["unstopped"])
    orders = found["orders"]
    return {
        "generated_at": to_db(now),
        "window": {"from": to_db(window.start), "to": to_db(now), "days": days, "channel": channel,
                   "dates": window.dates, "timezone": window.zone_name},
        "spikes": found["spikes"],
        "response_times": {
            **times,
            "attainment": _attainment_section(clocks, window),
            "waiting_now": found["waiting"],
        },
        "drilldowns": {
            "by_channel": _by_channel(window, found["tickets"], clocks, orders),
            "by_product": found["by_product"],
            "by_agent": _by_agent(clocks),
        },
        "account_health": _account_health(orders, window, channel or "amazon"),
        "sample": found["sample"],
    }


def _aggregates(connection: sqlite3.Connection, *, window: _Window, policy: Policy, channel: str | None,
                sample_size: int, seed: int | None) -> dict:
    """The sections SQLite answers with small aggregates (it runs without the GIL)."""
    now = window.now
    tickets = m.volumes(connection, now, window.query_start, channel=channel, fulfillment=True, days=window.days)
    return {
        "tickets": tickets,
        "spikes": _spikes(connection, window, channel, tickets),
        "orders": _order_counts(connection, window, channel, channel or "amazon"),
        "by_product": _by_product(connection, window, channel),
        "waiting": _waiting_now(connection, now, channel),
        "sample": _sample(connection, policy, window, channel, sample_size, seed),
        "unstopped": m.unstopped_counts(connection, window.start, now, channel, None, window.days),
    }


def _timings(clocks: m.ClockPass, window: _Window, policy: Policy) -> dict:
    """The sections that need only the stopped clocks (no attainment): built while the
    aggregates still run."""
    return {
        "first_response": _timing_section(clocks.frt, window, flags=True),
        "first_response_business_hours": _business_section(clocks.frt_business, window, policy),
        "handle_time": {**_timing_section(clocks.aht, window, flags=False), "no_recent_take": clocks.aht.no_recent_take},
    }


def _second_connection(conn: sqlite3.Connection) -> sqlite3.Connection | None:
    """A read-only connection to the same file, or None (in-memory database, or the caller is
    inside a transaction whose writes another connection would not see): then all runs here."""
    return reads.second_connection(conn)


def _closing(connection: sqlite3.Connection, work):
    try:
        with m.no_gc():
            return work(connection)
    finally:
        connection.close()


# --------------------------------------------------------------------------------------------
# Spikes
# --------------------------------------------------------------------------------------------

def _spikes(conn: sqlite3.Connection, window: _Window, channel: str | None, rows: list[tuple]) -> dict:
    index = {day: i for i, day in enumerate(window.dates)}
    series: dict[str, list[int]] = {category: [0] * len(window.dates) for category in (*CATEGORIES, "")}
    for row in rows:
        category, day, count = row[0], row[2], row[-1]
        if day in index:
            series.setdefault(category, [0] * len(window.dates))[index[day]] += count
    periods = m.category_periods(rows)
    categories, spiking = [], []
    for category, counts in series.items():
        test = m.spike_test(periods.get(category, []))
        impact = IMPACT.get(category, _OTHER_IMPACT)
        categories.append({
            "category": _label(category),
            "group": _group_of(category),
            "total": sum(counts),
            "series": counts,
            **test,
            "metrics": list(impact[0]),
        })
        if test["spike"]:
            spiking.append({
                "raw": category,
                "category": _label(category),
                "rise_pct": test["rise_pct"],
                "new": test["new"],
                "recent": test["recent"],
                "recent_avg": test["recent_avg"],
                "baseline_avg": test["baseline_avg"],
                "metrics": list(impact[0]),
                "metric_names": [METRICS[name] for name in impact[0]],
                "action": impact[1],
            })
    products = _spike_products(conn, window.now, [spike["raw"] for spike in spiking], channel)
    for spike in spiking:
        spike["top_products"] = products[spike.pop("raw")]
    totals = [sum(counts[i] for counts in periods.values()) for i in range(m.RECENT_DAYS + m.BASELINE_DAYS)]
    overall = m.spike_test(totals)
    for spike in spiking:
        spike["outpaces_total"] = spike["rise_pct"] > overall["rise_pct"]
    spiking.sort(key=lambda spike: (-spike["rise_pct"], spike["category"]))
    return {
        "rule": {
            "recent_days": m.RECENT_DAYS,
            "baseline_days": m.BASELINE_DAYS,
            "min_rise_pct": m.MIN_RISE_PCT,
            "min_recent_tickets": m.MIN_RECENT_TICKETS,
            "sustained_days": m.SUSTAINED_DAYS,
        },
        "spikes": spiking,
        "overall": {key: overall[key] for key in ("recent", "recent_avg", "baseline_avg", "rise_pct", "spike")},
        "categories": categories,
    }


def _spike_products(conn: sqlite3.Connection, now: datetime, categories: list[str], channel: str | None) -> dict[str, list[dict]]:
    """The products on the orders of each spiking category's recent tickets (the culprit ASIN):
    the top 3 per category, one query for all of them."""
    if not categories:
        return {}
    totals, rows = reads.spike_product_rows(conn, now - timedelta(days=m.RECENT_DAYS), now, categories, channel)
    found: dict[str, list[dict]] = {category: [] for category in categories}
    for category, asin, sku, title, count in rows:
        if len(found[category]) < 3:
            total = totals.get(category, 0)
            found[category].append({"asin": asin, "sku": sku, "title": title, "tickets": count,
                                    "share_pct": round(100.0 * count / total, 1) if total else None})
    return found


# --------------------------------------------------------------------------------------------
# Response times and attainment
# --------------------------------------------------------------------------------------------

def _timing_section(timing: m.Timing, window: _Window, *, flags: bool) -> dict:
    mark = _with_flags if flags else m.stats
    by_day = []
    per_weekday: list[list[float]] = [[] for _ in WEEKDAYS]
    for day in window.dates:
        values = timing.days.get(day, [])
        weekday = datetime.fromisoformat(day).weekday()
        per_weekday[weekday].extend(values)
        by_day.append({"date": day, "weekday": WEEKDAYS[weekday], "weekend": weekday >= 5, **mark(values)})
    weekend = per_weekday[5] + per_weekday[6]
    weekdays = [value for values in per_weekday[:5] for value in values]
    return {
        "unit": "minutes",
        "today": mark(timing.days.get(window.today, [])),
        "window": mark(timing.window),
        "by_day": by_day,
        "by_weekday": [{"weekday": name, "weekend": index >= 5, **mark(per_weekday[index])}
                       for index, name in enumerate(WEEKDAYS)],
        "weekdays_vs_weekend": {"weekdays": m.stats(weekdays), "weekend": m.stats(weekend)},
        "by_tier": {tier: m.stats(values) for tier, values in sorted(timing.dim('tier').items())},
        "trend": _trend(timing, window.today_date),
    }


def _business_section(timing: m.Timing | None, window: _Window, policy: Policy) -> dict | None:
    """FRT counted in working minutes of each ticket's calendar: what a team on business hours
    holds itself to. None when every calendar is 24/7 (it would equal ``first_response``)."""
    if timing is None:
        return None
    section = _timing_section(timing, window, flags=False)
    section["unit"] = "business minutes"
    section["calendars"] = {"by_tier": {tier.name: tier.calendar for tier in policy.tiers if tier.calendar},
                            "by_channel": dict(policy.channel_calendars)}
    return section


def _attainment_section(clocks: m.ClockPass, window: _Window) -> dict:
    def listing(dim: str, label: str) -> list[dict]:
        entries = [{label: key, **clocks.attained(dim, key)} for key in clocks.attainment_keys(dim)]
        if label == "agent":
            for entry in entries:
                entry["agent"] = entry["agent"] or "(unassigned)"
        return sorted(entries, key=lambda e: (e["pct"] is None, e["pct"] or 0, e[label]))

    return {
        "targets": list(m.RESPONSE_KINDS),
        "overall": clocks.attained("all"),
        "first_response": clocks.attained("kind", "first_response"),
        "next_response": clocks.attained("kind", "next_response"),
        "marketplace_24h": clocks.attained("marketplace"),
        "by_day": [{"date": day, **clocks.attained("day", day),
                    "marketplace_24h_pct": clocks.attained("marketplace_day", day)["pct"]} for day in window.dates],
        "by_agent": listing("agent", "agent"),
        "by_tier": listing("tier", "tier"),
        "by_channel": listing("channel", "channel"),
    }


def _waiting_now(conn: sqlite3.Connection, now: datetime, channel: str | None) -> dict:
    count, oldest, over12, over24, breached = reads.waiting_row(
        conn, now, now - timedelta(minutes=m.WARNING_MINUTES), now - timedelta(minutes=m.RULE_MINUTES), channel)
    oldest_at = from_db(oldest)
    return {
        "awaiting_reply": count or 0,
        "oldest_waiting_minutes": round((now - oldest_at).total_seconds() / 60, 1) if oldest_at else None,
        "waiting_over_12h": over12 or 0,
        "waiting_over_24h": over24 or 0,
        "breached_open": breached or 0,
    }


# --------------------------------------------------------------------------------------------
# Drill-downs
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Account health estimates
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# The review sample
# --------------------------------------------------------------------------------------------

def default_seed(now: datetime) -> int:
    """The same sample all day: the seed is the UTC date, e.g. 20261125."""
    return int(now.astimezone(UTC).strftime("%Y%m%d"))


def _sample(conn: sqlite3.Connection, policy: Policy, window: _Window, channel: str | None, size: int,
            seed: int | None) -> dict:
    seed = default_seed(window.now) if seed is None else seed
    critical = [tier.name for tier in policy.tiers if tier.rank == 0] or ["critical"]
    population = reads.sample_population(conn, window.start, window.now, channel, critical, HIGH_RISK_CATEGORIES,
                                         HIGH_RISK_TAGS)
    chosen = sorted(random.Random(seed).sample(population, min(size, len(population))))
    return {
        "seed": seed,
        "population": len(population),
        "criteria": {"tiers": critical, "tags": list(HIGH_RISK_TAGS), "categories": list(HIGH_RISK_CATEGORIES)},
        "tickets": _sample_details(conn, chosen),
    }


def _sample_details(conn: sqlite3.Connection, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    found = reads.sample_rows(conn, ids)
    tags: dict[int, list[str]] = {}
    for ticket_id, tag in found["tags"]:
        tags.setdefault(ticket_id, []).append(tag)
    notes: dict[int, list[dict]] = {}
    for ticket_id, author, body, sent_at in found["notes"]:
        body = body or ""
        notes.setdefault(ticket_id, []).append({
            "author": author, "at": sent_at,
            "body": body if len(body) <= NOTE_CHARS else body[:NOTE_CHARS] + "…",
        })
    clocks: dict[int, list[dict]] = {}
    for ticket_id, kind, started, stopped, outcome, margin, agent in found["clocks"]:
        clocks.setdefault(ticket_id, []).append({"kind": kind, "started_at": started, "stopped_at": stopped,
                                                 "outcome": outcome, "margin_minutes": margin, "agent": agent})
    messages = dict(found["messages"])
    result = []
    for row in found["tickets"]:
        created, first, solved = from_db(row[8]), from_db(row[9]), from_db(row[10])
        result.append({
            "id": row[0], "channel": row[1], "subject": row[2], "status": row[3], "assignee": row[4],
            "tier": row[5], "category": row[6], "order_number": row[7],
            "tags": tags.get(row[0], []),
            "notes": notes.get(row[0], []),
            "timings": {
                "created_at": row[8],
                "first_response_at": row[9],
                "solved_at": row[10],
                "due_at": row[11],
                "first_response_minutes": _minutes(created, first),
                "resolution_minutes": _minutes(created, solved),
                "messages": messages.get(row[0], 0),
                "clocks": clocks.get(row[0], []),
                "missed_targets": sum(1 for clock in clocks.get(row[0], []) if clock["outcome"] == "missed"),
            },
        })
    return result


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60, 1)
