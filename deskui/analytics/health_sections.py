"""The check-up's spikes and response-time sections (FRT, AHT, business hours, attainment,
what is waiting now), built from ``metrics`` passes and ``deskui.store.health`` reads."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

from deskui.analytics import metrics as m
from deskui.analytics.health_terms import IMPACT, METRICS, WEEKDAYS, _OTHER_IMPACT, _Window, _group_of, _label
from deskui.policy.model import Policy
from deskui.store import health as reads
from deskui.timeutil import from_db
from deskui.triage.lexicon import CATEGORIES


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
