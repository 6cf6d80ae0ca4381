"""Health check benchmark over 1M messages, against a naive load-everything implementation.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_health.py [--tickets 250000] [--history-days 365 ...]

Builds (once, cached in /tmp) a database of N tickets x 4 messages (1M messages at the default),
with their events, SLA clock outcomes, tags, orders (two per ticket) and order items, inserted
directly with executemany in time order (as a live helpdesk writes them). The tickets spread over
a history of 365 days (a realistic 1M-message file) and, as a stress case, 90 days (four times as
many rows fall in the 28-day window). For each, measures in the same run:
- ``health_check`` (28-day window), median of 3, parallel (the default) and on one thread;
- ``evaluate_alerts`` with one rule per metric, median of 3;
- a naive check-up: every row of every table loaded into Python and aggregated with loops;
and prints the times (wall and CPU), their ratio, figures both must agree on, and the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from deskui.analytics import evaluate_alerts, health_check, parse_alert_rules  # noqa: E402
from deskui.policy import default_policy  # noqa: E402
from deskui.store import connect  # noqa: E402
from deskui.timeutil import from_db, to_db  # noqa: E402

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
CHANNELS = (("amazon", 50), ("shopify", 20), ("ebay", 12), ("walmart", 7), ("tiktok", 6), ("instagram", 5))
CATEGORIES = (("atoz_claim", 3), ("chargeback", 1), ("damaged", 8), ("missing_item", 6), ("wrong_item", 5),
              ("defective", 7), ("not_received", 12), ("tracking", 6), ("return", 9), ("refund", 7),
              ("exchange", 2), ("cancellation", 5), ("invoice", 5), ("feedback", 2), ("product_question", 8),
              (None, 10))
TIER_MINUTES = {"critical": 60, "high": 120, "clv": 240, "standard": 720, "normal": 1440}
TIER_RANK = {"critical": 0, "high": 1, "clv": 2, "standard": 3, "normal": 4}
AGENTS = ("ana", "ben", "chloe", "dev", "emma", "farid", "gia", "hugo", "ines", "jon", "kai", "lena")
ASINS = [f"B0{n:08d}" for n in range(400)]


def _pick(rng, pairs):
    total = sum(weight for _, weight in pairs)
    roll = rng.uniform(0, total)
    for value, weight in pairs:
        roll -= weight
        if roll <= 0:
            return value
    return pairs[-1][0]


def _tier(channel, category):
    if channel == "amazon" and category in ("atoz_claim", "chargeback"):
        return "critical"
    if channel == "amazon" and category in ("damaged", "missing_item", "wrong_item", "defective", "not_received", "tracking"):
        return "high"
    if channel == "shopify" and category in ("refund", "exchange", "return"):
        return "clv"
    return "standard" if channel == "amazon" else "normal"


def build(path: Path, tickets: int, history_days: int) -> None:
    """Rows are inserted in time order, as a live helpdesk writes them: a time range of tickets,
    messages, events, clocks or orders is a contiguous run of rowids, as in a real file."""
    rng = random.Random(1)
    building = path.with_name(path.name + ".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)
    conn = connect(building, create=True)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")  # the change feed: not what is measured here
    now = int(NOW.timestamp())
    span = history_days * 86400

    def stamp(ts):
        return None if ts is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))

    orders, items, messages, events, clocks, tags, ticket_rows = [], [], [], [], [], [], []

    def add_order(channel, purchased, ticket_category=None):
        key = len(orders)
        fulfillment = ("FBA" if rng.random() < 0.55 else "FBM") if channel == "amazon" else (
            ("MCF" if rng.random() < 0.5 else "SELF") if channel == "shopify" else "SELF")
        ship_by = purchased + 2 * 86400
        shipped = purchased + int(rng.uniform(3600, 3 * 86400)) if rng.random() < 0.97 else None
        if shipped is not None and shipped > now:
            shipped = None
        tracking = f"1Z{rng.randrange(10**15):016d}" if shipped and rng.random() < 0.97 else None
        rating = rng.choice((1, 2, 3, 4, 5, 5, 5, 5)) if rng.random() < 0.1 else None
        claim = rng.choice(("open", "granted", "denied")) if rng.random() < 0.004 or ticket_category == "atoz_claim" else None
        chargeback = int(rng.random() < 0.002 or ticket_category == "chargeback")
        number = f"{channel[:2].upper()}-{key:09d}"
        orders.append((purchased, key, channel, number, stamp(purchased), "shipped" if shipped else "unshipped",
                       fulfillment, stamp(ship_by), stamp(shipped), tracking, rating, claim, chargeback))
        for _ in range(1 if rng.random() < 0.7 else 2):
            asin = ASINS[min(int(rng.expovariate(1 / 60)), len(ASINS) - 1)]
            items.append((key, f"SKU-{asin[-4:]}", asin if channel == "amazon" else None, f"Product {asin}", 1, 19.99))
        return number

    created_times = sorted(now - int(span * rng.random() ** 1.15) - 60 for _ in range(tickets))
    for ticket_id, created in enumerate(created_times, start=1):
        channel = _pick(rng, CHANNELS)
        category = _pick(rng, CATEGORIES)
        tier = _tier(channel, category)
        target = TIER_MINUTES[tier] * 60
        order = add_order(channel, created - int(rng.uniform(86400, 10 * 86400)), category)
        add_order(channel, created - int(rng.uniform(0, 20 * 86400)))  # an order with no ticket
        agent = AGENTS[ticket_id % len(AGENTS)]
        # the open backlog is mostly recent, with a stale tail
        is_open = rng.random() < (0.7 if now - created < 7 * 86400 else 0.03)
        first = int(target * (rng.uniform(0.05, 0.9) if rng.random() < 0.85 else rng.uniform(1.05, 3)))
        claimed = created + int(first * rng.uniform(0.3, 0.95))
        replied = created + first
        follow = replied + int(rng.uniform(1200, 86400))
        second = follow + int(target * rng.uniform(0.05, 1.5))
        solved = second + int(rng.uniform(600, 86400))
        answered = replied < now
        ack = channel == "amazon" and rng.random() < 0.3
        # four messages: the buyer, an auto-ack or the reply, the buyer again, the second reply or a note
        thread = [("in", "buyer", "Where is my order?", created, 0)]
        if ack:
            thread.append(("out", "auto-reply", "Thanks, we got your message.", created + 120, 1))
        if answered:
            thread.append(("out", agent, "Sorry for the trouble, here is what we do.", replied, 0))
        thread.append(("in", "buyer", "Any news?", min(follow, now - 30), 0))
        while len(thread) < 4:
            thread.append(("note", agent, "Checked with the warehouse.", min(follow, now - 30) + 5, 0))
        for direction, author, body, at, auto in thread[:4]:
            messages.append((at, ticket_id, direction, author, body, stamp(at), auto))
        events.append((created, ticket_id, "opened", None, stamp(created), None))
        if ack:
            events.append((created + 120, ticket_id, "replied", None, stamp(created + 120), '{"auto_ack": true}'))
        if claimed < now:
            events.append((claimed, ticket_id, "claimed", agent, stamp(claimed), None))
        status = "open"
        first_response_at = sla_due = None
        if answered:
            events.append((replied, ticket_id, "replied", agent, stamp(replied), '{"auto_ack": false}'))
            clocks.append((replied, ticket_id, "first_response", tier, stamp(created), stamp(created + target), stamp(replied),
                           "met" if first <= target else "missed", round((target - first) / 60, 1), agent))
            first_response_at = stamp(replied)
            if channel == "amazon":
                stop = created + 120 if ack else replied
                clocks.append((stop, ticket_id, "marketplace", tier, stamp(created), stamp(created + 86400), stamp(stop),
                               "met" if stop - created <= 86400 else "missed", round((86400 - (stop - created)) / 60, 1), agent))
            if not is_open and second < now:
                events.append((follow + 60, ticket_id, "claimed", agent, stamp(follow + 60), None))
                events.append((second, ticket_id, "replied", agent, stamp(second), '{"auto_ack": false}'))
                clocks.append((second, ticket_id, "next_response", tier, stamp(follow), stamp(follow + target), stamp(second),
                               "met" if second - follow <= target else "missed", round((follow + target - second) / 60, 1), agent))
                if solved < now:
                    events.append((solved, ticket_id, "solved", agent, stamp(solved), None))
                    status = "solved"
            if status == "open":
                sla_due = follow + target
        else:
            sla_due = created + target
        if rng.random() < 0.1:
            tags.append((ticket_id, rng.choice(("escalated", "a-to-z risk", "vip", "fragile"))))
        ticket_rows.append((
            ticket_id, channel, f"{channel}-{ticket_id}", order, f"Ticket {ticket_id} about {category}", status,
            agent if rng.random() < 0.7 else None, tier, TIER_RANK[tier], category, stamp(created),
            stamp(min(follow, now - 30)) if status == "open" and answered else (stamp(created) if status == "open" else None),
            first_response_at, stamp(sla_due) if status == "open" else None, stamp(sla_due) if status == "open" else None,
            "next_response" if answered else "first_response", TIER_MINUTES[tier], stamp(solved) if status == "solved" else None,
        ))
    print(f"  generated {tickets:,} tickets", file=sys.stderr)
    orders.sort()
    order_ids = {order[1]: number for number, order in enumerate(orders, start=1)}
    statements = {
        "orders": ("INSERT INTO orders (id, channel, order_number, purchased_at, status, fulfillment, ship_by, shipped_at, "
                   "tracking_number, feedback_rating, claim_status, chargeback) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [(order_ids[o[1]], *o[2:]) for o in orders]),
        "order_items": ("INSERT INTO order_items (order_id, sku, asin, title, quantity, price) VALUES (?, ?, ?, ?, ?, ?)",
                        sorted((order_ids[i[0]], *i[1:]) for i in items)),
        "tickets": ("INSERT INTO tickets (id, channel, external_id, order_number, subject, status, assignee, tier, tier_rank, "
                    "category, created_at, awaiting_reply_since, first_response_at, sla_due_at, due_at, due_kind, "
                    "target_minutes, solved_at, needs_triage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                    ticket_rows),
        "messages": ("INSERT INTO messages (ticket_id, direction, author, body, sent_at, auto_ack) VALUES (?, ?, ?, ?, ?, ?)",
                     [m[1:] for m in sorted(messages, key=lambda m: m[0])]),
        "events": ("INSERT INTO events (ticket_id, kind, agent, at, detail) VALUES (?, ?, ?, ?, ?)",
                   [e[1:] for e in sorted(events, key=lambda e: e[0])]),
        "sla_clocks": ("INSERT INTO sla_clocks (ticket_id, kind, tier, started_at, due_at, stopped_at, outcome, "
                       "margin_minutes, agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [c[1:] for c in sorted(clocks, key=lambda c: c[0])]),
        "tags": ("INSERT INTO tags (ticket_id, tag) VALUES (?, ?)", tags),
    }
    for table, (sql, table_rows) in statements.items():
        conn.execute("BEGIN")
        conn.executemany(sql, table_rows)
        conn.execute("COMMIT")
        print(f"  inserted {len(table_rows):,} {table}", file=sys.stderr)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("ANALYZE")
    conn.close()
    os.replace(building, path)


# ---------------------------------------------------------------------------------------------
# The naive check-up: load everything, loop in Python
# ---------------------------------------------------------------------------------------------

def naive_check(path: Path, days: int = 28) -> dict:
    conn = sqlite3.connect(path)
    tickets = conn.execute("SELECT id, channel, order_number, status, assignee, tier, category, created_at, "
                           "sla_due_at, paused_at FROM tickets").fetchall()
    messages = conn.execute("SELECT ticket_id, direction, author, sent_at, auto_ack FROM messages").fetchall()
    events = conn.execute("SELECT ticket_id, kind, agent, at, detail FROM events").fetchall()
    clocks = conn.execute("SELECT ticket_id, kind, tier, started_at, stopped_at, outcome, agent FROM sla_clocks").fetchall()
    orders = conn.execute("SELECT id, channel, order_number, purchased_at, status, fulfillment, ship_by, shipped_at, "
                          "tracking_number, feedback_rating, claim_status, chargeback FROM orders").fetchall()
    items = conn.execute("SELECT order_id, asin, sku FROM order_items").fetchall()
    tags = conn.execute("SELECT ticket_id, tag FROM tags").fetchall()
    conn.close()

    now = NOW
    start = (now.replace(hour=0, minute=0, second=0) - timedelta(days=days - 1))
    by_id = {}
    volume = defaultdict(int)
    for row in tickets:
        created = from_db(row[7])
        by_id[row[0]] = row
        if created and start <= created <= now:
            volume[(row[6] or "", created.date())] += 1
    # first response from the messages themselves: first substantive reply after the first buyer message
    firsts = {}
    seen_in = {}
    for ticket_id, direction, author, sent_at, auto_ack in sorted(messages, key=lambda r: (r[0], r[3])):
        if direction == "in" and ticket_id not in seen_in:
            seen_in[ticket_id] = from_db(sent_at)
        elif direction == "out" and not auto_ack and ticket_id in seen_in and ticket_id not in firsts:
            firsts[ticket_id] = (from_db(sent_at) - seen_in[ticket_id]).total_seconds() / 60
    frt_by_day = defaultdict(list)
    for ticket_id, minutes in firsts.items():
        began = seen_in[ticket_id]
        if start <= began <= now:
            frt_by_day[began.date()].append(minutes)
    frt_median = {day: statistics.median(values) for day, values in frt_by_day.items()}
    # handle time: claim -> next reply by the same agent
    handle = defaultdict(list)
    claims = {}
    for ticket_id, kind, agent, at, detail in sorted(events, key=lambda r: (r[0], r[3])):
        if kind == "claimed":
            claims[(ticket_id, agent)] = from_db(at)
        elif kind == "replied" and agent and (ticket_id, agent) in claims and not (detail and json.loads(detail).get("auto_ack")):
            moment = from_db(at)
            span = (moment - claims.pop((ticket_id, agent))).total_seconds() / 60
            if start <= moment <= now and 0 <= span <= 480:
                handle[agent].append(span)
    aht_median = {agent: statistics.median(values) for agent, values in handle.items()}
    # attainment
    met = total = 0
    per_agent = defaultdict(lambda: [0, 0])
    for ticket_id, kind, tier, started, stopped, outcome, agent in clocks:
        moment = from_db(stopped)
        if kind in ("first_response", "next_response") and start <= moment <= now:
            total += 1
            met += outcome == "met"
            per_agent[agent][0] += outcome == "met"
            per_agent[agent][1] += 1
    # account health (amazon)
    odr_start = now - timedelta(days=60)
    odr_num = odr_den = lsr_num = lsr_den = vtr_num = vtr_den = 0
    for row in orders:
        if row[1] != "amazon":
            continue
        purchased, ship_by, shipped = from_db(row[3]), from_db(row[6]), from_db(row[7])
        if purchased and odr_start <= purchased <= now:
            odr_den += 1
            odr_num += bool(row[9] in (1, 2) or row[10] or row[11])
        if row[5] != "FBA":
            if ship_by and now - timedelta(days=30) <= ship_by <= now:
                lsr_den += 1
                lsr_num += bool((shipped and shipped > ship_by) or (shipped is None and ship_by < now))
            if shipped and now - timedelta(days=30) <= shipped <= now:
                vtr_den += 1
                vtr_num += bool(row[8])
    # defect tickets per ASIN
    order_ids = {(row[1], row[2]): row[0] for row in orders}
    asins_of = defaultdict(set)
    for order, asin, sku in items:
        asins_of[order].add(asin or f"sku:{sku}")
    per_asin = defaultdict(int)
    for row in tickets:
        created = from_db(row[7])
        if row[6] in ("damaged", "missing_item", "wrong_item", "defective") and created and start <= created <= now:
            for asin in asins_of.get(order_ids.get((row[1], row[2])), ()):
                per_asin[asin] += 1
    high_risk = {t for t, tag in tags if tag in ("escalated", "a-to-z risk")}
    sample_population = sum(1 for row in tickets if (row[5] == "critical" or row[0] in high_risk or row[6] in ("atoz_claim", "chargeback"))
                            and start <= from_db(row[7]) <= now)
    return {
        "tickets_in_window": sum(volume.values()),
        "frt_days": len(frt_median),
        "attainment_stopped": (met, total),
        "odr": (odr_num, odr_den), "lsr": (lsr_num, lsr_den), "vtr": (vtr_num, vtr_den),
        "top_asin": max(per_asin.items(), key=lambda item: item[1]) if per_asin else None,
        "agents": len(aht_median),
        "sample_population": sample_population,
    }


def _median_time(function, runs: int = 3):
    walls, cpus, result = [], [], None
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), walls, statistics.median(cpus), result


def _ms(values) -> str:
    return ", ".join(f"{value * 1000:.0f}" for value in values)


RULES = [
    {"name": "FRT above 8 h", "metric": "frt_hours", "op": ">", "threshold": 8, "window": "24h"},
    {"name": "AHT above 30 min", "metric": "aht_minutes", "op": ">", "threshold": 30, "window": "7d"},
    {"name": "Attainment under 90 %", "metric": "sla_attainment_pct", "op": "<", "threshold": 90},
    {"name": "Critical under 15 min", "metric": "critical_minutes_left", "op": "<", "threshold": 15},
    {"name": "Breached", "metric": "breached_open", "op": ">", "threshold": 0},
    {"name": "Waiting 12 h", "metric": "waiting_hours", "op": ">=", "threshold": 12},
    {"name": "Spike", "metric": "spike", "op": ">=", "threshold": 15},
]


def run(tickets: int, history_days: int, *, rebuild: bool, naive: bool) -> None:
    path = Path(f"/tmp/deskui-bench-health-v3-{tickets}-{history_days}.db")
    if rebuild or not path.exists():
        print(f"building {path} ...", file=sys.stderr)
        started = time.perf_counter()
        build(path, tickets, history_days)
        print(f"  built in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    conn = connect(path, readonly=True)
    counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for table in ("tickets", "messages", "events", "sla_clocks", "orders", "order_items", "tags")}
    open_tickets = conn.execute("SELECT count(*) FROM tickets WHERE status != 'solved'").fetchone()[0]
    in_window = conn.execute("SELECT count(*) FROM messages WHERE sent_at >= ?", (to_db(NOW - timedelta(days=28)),)).fetchone()[0]
    policy = default_policy()

    fast, fast_runs, fast_cpu, report = _median_time(lambda: health_check(conn, policy, NOW))
    alone, alone_runs, alone_cpu, _ = _median_time(lambda: health_check(conn, policy, NOW, parallel=False))
    from zoneinfo import ZoneInfo

    seller = ZoneInfo("America/Los_Angeles")  # local days: a DST change (1 Nov) inside the window
    local, local_runs, local_cpu, _ = _median_time(lambda: health_check(conn, policy, NOW, zone=seller))
    rules = parse_alert_rules({"alerts": RULES}, "bench")
    alerts_time, alerts_runs, alerts_cpu, fired = _median_time(lambda: evaluate_alerts(conn, policy, NOW, rules))

    print(f"health check benchmark: history {history_days} days, window 28 days")
    print("  data: " + ", ".join(f"{table} {count:,}" for table, count in counts.items())
          + f"; open tickets {open_tickets:,}; messages in the window {in_window:,}")
    print(f"  health_check (parallel, default): median {fast * 1000:.0f} ms wall of 3 ({_ms(fast_runs)}), "
          f"{fast_cpu * 1000:.0f} ms CPU; {len(json.dumps(report)):,} bytes of JSON")
    print(f"  health_check (one thread):        median {alone * 1000:.0f} ms wall of 3 ({_ms(alone_runs)}), "
          f"{alone_cpu * 1000:.0f} ms CPU")
    print(f"  health_check (parallel, America/Los_Angeles days): median {local * 1000:.0f} ms wall of 3 "
          f"({_ms(local_runs)}), {local_cpu * 1000:.0f} ms CPU")
    print(f"  evaluate_alerts ({len(rules)} rules, {len(fired)} fired): median {alerts_time * 1000:.0f} ms wall "
          f"({_ms(alerts_runs)}), {alerts_cpu * 1000:.0f} ms CPU")
    if naive:
        slow, _, slow_cpu, figures = _median_time(lambda: naive_check(path), runs=1)
        print(f"  naive (load every row, Python loops): {slow * 1000:.0f} ms wall, {slow_cpu * 1000:.0f} ms CPU")
        print(f"  ratio naive / health_check: {slow / fast:.1f}x (one thread: {slow / alone:.1f}x)")
        health = report["account_health"]
        ours = {
            "odr": (health["odr"]["numerator"], health["odr"]["denominator"]),
            "lsr": (health["late_shipment_30d"]["numerator"], health["late_shipment_30d"]["denominator"]),
            "vtr": (health["valid_tracking_30d"]["numerator"], health["valid_tracking_30d"]["denominator"]),
            "tickets_in_window": sum(entry["total"] for entry in report["spikes"]["categories"]),
            "sample_population": report["sample"]["population"],
        }
        for key, value in ours.items():
            print(f"    {key}: health_check {value} / naive {figures[key]} {'same' if value == figures[key] else 'DIFFERS'}")
        top = report["drilldowns"]["by_product"][0] if report["drilldowns"]["by_product"] else None
        top = top and (top["asin"] or f"sku:{top['sku']}", top["defect_tickets"])
        print(f"    top defect product: health_check {top} / naive {figures['top_asin']}")
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=250_000)
    parser.add_argument("--history-days", type=int, action="append",
                        help="days of history the tickets spread over (repeatable; default 365 and 90)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--skip-naive", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}; load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for history_days in args.history_days or [365, 90]:
        run(args.tickets, history_days, rebuild=args.rebuild, naive=not args.skip_naive)
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
