"""The health check's metrics against small hand-computed data sets, rows inserted directly."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskui.analytics import health_check
from deskui.analytics import health as health_module, health_worker
from deskui.analytics import metrics as m
from deskui.analytics.health import default_seed
from deskui.clock import FixedClock
from deskui.store import write
from deskui.store.tickets import add_reply, refresh_tickets
from deskui.timeutil import to_db
from tests.helpers import add_ticket

pytestmark = pytest.mark.backends

UTC = timezone.utc
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
TOP_LEVEL = {"generated_at", "window", "spikes", "response_times", "drilldowns", "account_health", "sample"}


# --------------------------------------------------------------------------------------------
# Row builders: what another program (or deskui's own writes) would leave in the file
# --------------------------------------------------------------------------------------------

def ticket(conn, *, created, channel="amazon", category=None, tier=None, status="open", assignee=None,
           order_number=None, subject="Question", **columns) -> int:
    values = {"channel": channel, "category": category, "tier": tier, "status": status, "assignee": assignee,
              "order_number": order_number, "subject": subject, "created_at": to_db(created), "needs_triage": 0}
    values.update({key: to_db(value) if isinstance(value, datetime) else value for key, value in columns.items()})
    with write(conn):
        return conn.execute(
            f"INSERT INTO tickets ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})", list(values.values())
        ).lastrowid


def clock(conn, ticket_id, kind, started, stopped, *, met=True, agent=None, tier=None, due=None) -> None:
    due = due or stopped + timedelta(minutes=1 if met else -1)
    with write(conn):
        conn.execute(
            "INSERT INTO sla_clocks (ticket_id, kind, tier, started_at, due_at, stopped_at, outcome, margin_minutes, agent) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ticket_id, kind, tier, to_db(started), to_db(due), to_db(stopped), "met" if met else "missed",
             (due - stopped).total_seconds() / 60, agent),
        )


def event(conn, ticket_id, kind, agent, at, detail=None) -> None:
    with write(conn):
        conn.execute("INSERT INTO events (ticket_id, kind, agent, at, detail) VALUES (?, ?, ?, ?, ?)",
                     (ticket_id, kind, agent, to_db(at), json.dumps(detail) if detail else None))


def order(conn, number, *, channel="amazon", purchased=None, fulfillment="FBM", ship_by=None, shipped=None,
          tracking=None, rating=None, claim=None, chargeback=0, status=None) -> int:
    with write(conn):
        return conn.execute(
            "INSERT INTO orders (channel, order_number, purchased_at, fulfillment, ship_by, shipped_at, tracking_number, "
            "feedback_rating, claim_status, chargeback, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (channel, number, to_db(purchased), fulfillment, to_db(ship_by), to_db(shipped), tracking, rating, claim,
             chargeback, status),
        ).lastrowid


def item(conn, order_id, asin, sku=None, title=None) -> None:
    with write(conn):
        conn.execute("INSERT INTO order_items (order_id, sku, asin, title) VALUES (?, ?, ?, ?)",
                     (order_id, sku or f"SKU-{asin}", asin, title or f"Product {asin}"))


def tag(conn, ticket_id, name) -> None:
    with write(conn):
        conn.execute("INSERT INTO tags (ticket_id, tag) VALUES (?, ?)", (ticket_id, name))


def note(conn, ticket_id, body, at, author="ana") -> None:
    with write(conn):
        conn.execute("INSERT INTO messages (ticket_id, direction, author, body, sent_at) VALUES (?, 'note', ?, ?, ?)",
                     (ticket_id, author, body, to_db(at)))


def check(conn, policy, **kwargs) -> dict:
    report = health_check(conn, policy, NOW, **kwargs)
    json.dumps(report, allow_nan=False)  # JSON as it stands: no datetimes, no NaN/inf
    return report


def ago(**kwargs) -> datetime:
    return NOW - timedelta(**kwargs)


# --------------------------------------------------------------------------------------------
# Shape
# --------------------------------------------------------------------------------------------

def test_empty_database_gives_every_section_and_no_crash(conn, policy):
    report = check(conn, policy)
    assert set(report) == TOP_LEVEL
    assert report["generated_at"] == "2026-11-25T12:00:00Z"
    assert len(report["window"]["dates"]) == 28 and report["window"]["dates"][-1] == "2026-11-25"
    assert report["spikes"]["spikes"] == []
    assert report["response_times"]["first_response"]["window"]["median"] is None
    assert report["response_times"]["attainment"]["overall"] == {"met": 0, "missed": 0, "total": 0, "pct": None}
    for name in ("odr", "late_shipment_30d", "late_shipment_10d", "valid_tracking_30d"):
        metric = report["account_health"][name]
        assert metric["denominator"] == 0 and metric["rate"] is None and metric["ok"] is None
    assert report["sample"]["tickets"] == [] and report["sample"]["population"] == 0


def test_top_level_keys_with_data(conn, policy):
    t = ticket(conn, created=ago(hours=3), category="damaged", tier="high", assignee="ana")
    clock(conn, t, "first_response", ago(hours=3), ago(hours=2), agent="ana", tier="high")
    report = check(conn, policy, days=7)
    assert set(report) == TOP_LEVEL
    assert len(report["window"]["dates"]) == 7


def test_bad_arguments(conn, policy):
    with pytest.raises(ValueError):
        health_check(conn, policy, NOW.replace(tzinfo=None))
    with pytest.raises(ValueError):
        health_check(conn, policy, NOW, days=0)


# --------------------------------------------------------------------------------------------
# First response time
# --------------------------------------------------------------------------------------------

def test_first_response_time_statistics(conn, policy):
    for minutes in (30, 90, 600):
        t = ticket(conn, created=ago(hours=20))
        clock(conn, t, "first_response", ago(hours=20), ago(hours=20) + timedelta(minutes=minutes), agent="ana")
    t = ticket(conn, created=ago(hours=20))
    clock(conn, t, "next_response", ago(hours=20), ago(hours=1), agent="ana")  # not a first response
    frt = check(conn, policy)["response_times"]["first_response"]["window"]
    assert frt["n"] == 3
    assert frt["median"] == 90.0
    assert frt["mean"] == 240.0
    assert frt["p90"] == 600.0  # nearest rank: ceil(0.9 * 3) = 3rd value
    assert frt["max"] == 600.0
    assert frt["over_12h"] == 0 and frt["warning_12h"] is False and frt["rule_24h"] is False


def test_stats_even_count_median_is_the_mean_of_the_middle_two():
    assert m.stats([10, 40, 20, 30])["median"] == 25.0
    assert m.stats([5])["p90"] == 5.0
    assert m.stats([])["n"] == 0


def test_an_automatic_acknowledgement_does_not_count_as_the_first_response(conn, policy):
    clock_ = FixedClock(ago(hours=2))
    ticket_id = add_ticket(conn, subject="Where is my order?", body="Where is my parcel?", sent_at=clock_.now())
    refresh_tickets(conn, policy, clock_.now(), [ticket_id])
    clock_.advance(minutes=5)
    add_reply(conn, policy, clock_, ticket_id, "auto", "Thanks, we got your message.", auto_ack=True)
    clock_.advance(minutes=40)
    add_reply(conn, policy, clock_, ticket_id, "ana", "Your parcel is with the carrier, here is the tracking.")
    report = check(conn, policy)
    frt = report["response_times"]["first_response"]["today"]
    assert frt["n"] == 1
    assert frt["median"] == 45.0  # the substantive reply, not the acknowledgement at 5 min
    # the acknowledgement did stop Amazon's 24 h clock
    assert report["response_times"]["attainment"]["marketplace_24h"]["total"] == 1


def test_first_response_counts_on_the_buyers_day_with_weekend_and_the_12_and_24_hour_marks(conn, policy):
    saturday = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)
    t = ticket(conn, created=saturday)
    clock(conn, t, "first_response", saturday, saturday + timedelta(hours=35), agent="ana")  # answered Monday
    tuesday = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    for minutes in (20, 40):
        t = ticket(conn, created=tuesday)
        clock(conn, t, "first_response", tuesday, tuesday + timedelta(minutes=minutes), agent="ana")
    section = check(conn, policy)["response_times"]["first_response"]
    by_day = {entry["date"]: entry for entry in section["by_day"]}
    assert by_day["2026-11-21"]["n"] == 1 and by_day["2026-11-21"]["weekend"] is True
    assert by_day["2026-11-21"]["rule_24h"] is True and by_day["2026-11-21"]["warning_12h"] is True
    assert by_day["2026-11-23"]["n"] == 0  # Monday: the reply's day, not the buyer's
    assert by_day["2026-11-24"]["median"] == 30.0 and by_day["2026-11-24"]["warning_12h"] is False
    weekdays = {entry["weekday"]: entry for entry in section["by_weekday"]}
    assert list(weekdays) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert weekdays["Sat"]["n"] == 1 and weekdays["Sat"]["weekend"] is True and weekdays["Tue"]["n"] == 2
    assert section["weekdays_vs_weekend"]["weekend"]["median"] == 35 * 60.0
    assert section["weekdays_vs_weekend"]["weekdays"]["median"] == 30.0
    assert section["window"]["over_24h"] == 1 and section["window"]["over_12h"] == 1


def test_first_response_trend_compares_the_last_seven_days_with_the_seven_before(conn, policy):
    for days_back, minutes in ((2, 60), (3, 60), (9, 40), (10, 40)):
        start = ago(days=days_back)
        t = ticket(conn, created=start)
        clock(conn, t, "first_response", start, start + timedelta(minutes=minutes), agent="ana")
    trend = check(conn, policy)["response_times"]["first_response"]["trend"]
    assert trend == {"recent_7d_median": 60.0, "previous_7d_median": 40.0, "change_pct": 50.0, "rising": True}


# --------------------------------------------------------------------------------------------
# Handle time
# --------------------------------------------------------------------------------------------

def test_handle_time_from_take_to_the_first_reply_after_it(conn, policy):
    base = ago(hours=20)
    t = ticket(conn, created=base, category="return", tier="standard")
    event(conn, t, "claimed", "ana", base + timedelta(minutes=10))
    clock(conn, t, "first_response", base, base + timedelta(minutes=30), agent="ana", tier="standard")  # 20 min
    # the buyer writes again; ana answers without taking the ticket again: not handle time
    clock(conn, t, "next_response", base + timedelta(hours=3), base + timedelta(hours=5), agent="ana", tier="standard")
    # taken again later: the next reply counts from the new take
    event(conn, t, "assigned", "ana", base + timedelta(hours=6))
    clock(conn, t, "next_response", base + timedelta(hours=5, minutes=50), base + timedelta(hours=6, minutes=40),
          agent="ana", tier="standard")  # 40 min
    # bob replies on a ticket only ana took: no take of his, no handle time
    clock(conn, t, "next_response", base + timedelta(hours=7), base + timedelta(hours=8), agent="bob", tier="standard")
    # a take nine hours before the reply is queue time: not measured, and counted
    t2 = ticket(conn, created=base, category="return", tier="standard")
    event(conn, t2, "claimed", "carl", base)
    clock(conn, t2, "first_response", base, base + timedelta(hours=9), agent="carl", tier="standard")
    section = check(conn, policy)["response_times"]["handle_time"]
    assert section["window"]["n"] == 2
    assert section["window"]["median"] == 30.0
    assert section["window"]["max"] == 40.0
    assert section["no_recent_take"] == 2  # carl's 9 h span and bob's reply without a take
    assert section["by_tier"]["standard"]["n"] == 2


def test_handle_time_counts_opened_by_the_agent_and_a_take_at_the_reply_second(conn, policy):
    base = ago(hours=4)
    t = ticket(conn, created=base)
    event(conn, t, "opened", "ana", base)
    clock(conn, t, "first_response", base, base + timedelta(minutes=12), agent="ana")
    t2 = ticket(conn, created=base)
    event(conn, t2, "claimed", "ana", base + timedelta(minutes=5))
    clock(conn, t2, "first_response", base, base + timedelta(minutes=5), agent="ana")
    aht = check(conn, policy)["response_times"]["handle_time"]["window"]
    assert aht["n"] == 2 and aht["median"] == 6.0  # (0 + 12) / 2


# --------------------------------------------------------------------------------------------
# SLA attainment
# --------------------------------------------------------------------------------------------

def test_attainment_per_agent_tier_channel_and_day_with_running_breaches(conn, policy):
    yesterday = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    a = ticket(conn, created=yesterday, channel="amazon", tier="high")
    clock(conn, a, "first_response", yesterday, yesterday + timedelta(minutes=30), met=True, agent="ana", tier="high")
    clock(conn, a, "next_response", yesterday, yesterday + timedelta(hours=3), met=False, agent="ana", tier="high")
    clock(conn, a, "marketplace", yesterday, yesterday + timedelta(minutes=2), met=True, agent="ana", tier="high")
    s = ticket(conn, created=yesterday, channel="shopify", tier="clv")
    clock(conn, s, "first_response", yesterday, yesterday + timedelta(hours=1), met=True, agent="bob", tier="clv")
    clock(conn, s, "resolution", yesterday, yesterday + timedelta(hours=1), met=False, agent="bob", tier="clv")  # not a response
    # still open, its first response overdue since this morning: a missed target not stopped yet
    ticket(conn, created=ago(hours=5), channel="amazon", tier="high", assignee="carl",
           sla_due_at=ago(hours=3), due_at=ago(hours=3))
    # paused before it fell due: not missed
    ticket(conn, created=ago(hours=5), channel="amazon", tier="high", status="pending",
           sla_due_at=ago(hours=1), due_at=ago(hours=1), paused_at=ago(hours=2))
    section = check(conn, policy)["response_times"]["attainment"]
    assert section["overall"] == {"met": 2, "missed": 2, "total": 4, "pct": 50.0}
    assert section["first_response"] == {"met": 2, "missed": 1, "total": 3, "pct": 66.7}
    assert section["next_response"]["total"] == 1
    assert section["marketplace_24h"] == {"met": 1, "missed": 0, "total": 1, "pct": 100.0}
    agents = {entry["agent"]: entry for entry in section["by_agent"]}
    assert agents["ana"]["pct"] == 50.0 and agents["bob"]["pct"] == 100.0 and agents["carl"]["pct"] == 0.0
    assert section["by_agent"][0]["agent"] == "carl"  # worst first
    tiers = {entry["tier"]: entry for entry in section["by_tier"]}
    assert tiers["high"]["total"] == 3 and tiers["clv"]["pct"] == 100.0
    channels = {entry["channel"]: entry for entry in section["by_channel"]}
    assert channels["amazon"]["met"] == 1 and channels["amazon"]["total"] == 3
    days = {entry["date"]: entry for entry in section["by_day"]}
    assert days["2026-11-24"]["total"] == 3 and days["2026-11-25"]["total"] == 1
    assert days["2026-11-24"]["marketplace_24h_pct"] == 100.0


# --------------------------------------------------------------------------------------------
# Account health estimates
# --------------------------------------------------------------------------------------------

def test_order_defect_rate_window_edges_and_defect_kinds(conn, policy):
    order(conn, "A1", purchased=ago(days=59), rating=1)  # negative feedback
    order(conn, "A2", purchased=ago(days=61), claim="granted")  # outside the 60 days
    order(conn, "A3", purchased=ago(days=10), claim="denied")  # a claim counts whatever its outcome
    order(conn, "A4", purchased=ago(days=5), chargeback=1, rating=2)  # two defects, one order
    order(conn, "A5", purchased=ago(days=60))  # exactly 60 days: inside
    order(conn, "A6", purchased=ago(days=3), rating=3)  # 3 stars is not negative
    order(conn, "A7", purchased=ago(days=3), fulfillment="FBA", claim="withdrawn")
    for number in range(8, 11):
        order(conn, f"A{number}", purchased=ago(days=2))
    order(conn, "S1", channel="shopify", purchased=ago(days=2), claim="open")  # not an Amazon order
    odr = check(conn, policy)["account_health"]["odr"]
    assert (odr["numerator"], odr["denominator"]) == (4, 9)
    assert odr["rate"] == pytest.approx(44.444, abs=0.001)
    assert odr["threshold"] == 1 and odr["comparison"] == "<" and odr["ok"] is False
    assert (odr["negative_feedback"], odr["claims"], odr["chargebacks"]) == (2, 2, 1)
    assert odr["window"] == {"from": "2026-09-26T12:00:00Z", "to": "2026-11-25T12:00:00Z", "days": 60}
    assert odr["by_fulfillment"]["FBA"]["numerator"] == 1 and odr["by_fulfillment"]["seller"]["denominator"] == 8


def test_odr_under_one_percent_is_ok(conn, policy):
    for number in range(200):
        order(conn, f"B{number}", purchased=ago(days=number % 50 + 1), rating=1 if number == 0 else None)
    odr = check(conn, policy)["account_health"]["odr"]
    assert (odr["numerator"], odr["denominator"], odr["rate"], odr["ok"]) == (1, 200, 0.5, True)


def test_late_shipment_rate_30_and_10_days(conn, policy):
    order(conn, "L1", ship_by=ago(days=5), shipped=ago(days=4))  # shipped late
    order(conn, "L2", ship_by=ago(days=5), shipped=ago(days=6))  # on time
    order(conn, "L3", ship_by=ago(days=20), shipped=None)  # never shipped, ship-by passed: late
    order(conn, "L4", ship_by=ago(days=20), shipped=ago(days=20))  # shipped at the last second: on time
    order(conn, "L5", ship_by=NOW + timedelta(days=1))  # not due yet
    order(conn, "L6", ship_by=ago(days=5), shipped=ago(days=1), fulfillment="FBA")  # Amazon ships FBA
    order(conn, "L7", ship_by=ago(days=5), status="Cancelled")
    order(conn, "L8", ship_by=ago(days=31), shipped=ago(days=1))  # outside 30 days
    health = check(conn, policy)["account_health"]
    lsr = health["late_shipment_30d"]
    assert (lsr["numerator"], lsr["denominator"]) == (2, 4)
    assert lsr["rate"] == 50.0 and lsr["ok"] is False and lsr["threshold"] == 4
    short = health["late_shipment_10d"]
    assert (short["numerator"], short["denominator"], short["window"]["days"]) == (1, 2, 10)


def test_valid_tracking_rate(conn, policy):
    order(conn, "V1", shipped=ago(days=2), tracking="1Z999AA10123456784")
    order(conn, "V2", shipped=ago(days=2), tracking="   ")  # blank is no tracking
    order(conn, "V3", shipped=ago(days=2), tracking=None)
    order(conn, "V4", shipped=ago(days=2), tracking=None, fulfillment="FBA")  # not the seller's shipment
    order(conn, "V5", shipped=ago(days=40), tracking=None)  # outside 30 days
    for number in range(6, 23):
        order(conn, f"V{number}", shipped=ago(days=3), tracking=f"TRK{number}")
    vtr = check(conn, policy)["account_health"]["valid_tracking_30d"]
    assert (vtr["numerator"], vtr["denominator"]) == (18, 20)
    assert vtr["rate"] == 90.0 and vtr["comparison"] == ">" and vtr["threshold"] == 95 and vtr["ok"] is False


def test_account_health_follows_the_channel_filter(conn, policy):
    order(conn, "S1", channel="shopify", purchased=ago(days=2), claim="open")
    order(conn, "S2", channel="shopify", purchased=ago(days=2))
    health = check(conn, policy, channel="Shopify")["account_health"]
    assert health["channel"] == "shopify" and health["odr"]["numerator"] == 1 and health["odr"]["denominator"] == 2


# --------------------------------------------------------------------------------------------
# Spikes
# --------------------------------------------------------------------------------------------

BASELINE_20 = [20] * 14


@pytest.mark.parametrize(
    ("recent", "spike"),
    [
        ([23, 23, 23], True),  # exactly +15 %: fires
        ([23, 22, 23], False),  # +13.3 %
        ([26, 26, 17], True),  # two of three days above the baseline average
        ([20, 20, 40], False),  # a one-day blip: +33 % but not sustained
        ([21, 21, 21], False),  # sustained but only +5 %
    ],
)
def test_spike_rule_edges(recent, spike):
    periods = list(reversed(recent)) + BASELINE_20  # newest first
    assert m.spike_test(periods)["spike"] is spike


def test_spike_rule_minimum_count_and_new_categories():
    tiny = m.spike_test([1, 1, 2] + [0] * 14)  # 4 tickets from nothing: too few to alarm
    assert tiny["spike"] is False and tiny["new"] is True
    new = m.spike_test([2, 2, 1] + [0] * 14)
    assert new["spike"] is True and new["new"] is True
    assert new["rise_pct"] == pytest.approx(100 * (5 / 3 - 1 / 14) / (1 / 14), abs=0.1)
    small = m.spike_test([2, 2, 2] + [1] * 14)  # +100 % on 6 tickets: fires, 5 is the floor
    assert small["spike"] is True and small["rise_pct"] == 100.0


def _spike_data(conn, *, recent_per_day, baseline_per_day=2, category="damaged", asin="B0TEAPOT01"):
    """Tickets at noon-ish each day: ``baseline_per_day`` in days 4-17 back, then the recent ones."""
    number = 0
    for days_back in range(1, 18):
        count = recent_per_day[3 - days_back] if days_back <= 3 else baseline_per_day
        for _ in range(count):
            number += 1
            order_id = order(conn, f"O{category}{number}", purchased=ago(days=days_back + 5))
            item(conn, order_id, asin if days_back <= 3 else f"B0OTHER{number:03d}")
            ticket(conn, created=ago(days=days_back - 1, hours=1), category=category, order_number=f"O{category}{number}")


def test_a_sustained_rise_is_a_spike_mapped_to_its_metric_action_and_asin(conn, policy):
    _spike_data(conn, recent_per_day=[3, 4, 5])  # baseline 2/day, recent 4/day: +100 %
    spikes = check(conn, policy)["spikes"]
    assert [spike["category"] for spike in spikes["spikes"]] == ["damaged"]
    spike = spikes["spikes"][0]
    assert spike["recent"] == [3, 4, 5] and spike["baseline_avg"] == 2.0 and spike["rise_pct"] == 100.0
    assert spike["metrics"] == ["ODR"] and "packing" in spike["action"]
    assert spike["top_products"][0] == {"asin": "B0TEAPOT01", "sku": "SKU-B0TEAPOT01", "title": "Product B0TEAPOT01",
                                        "tickets": 12, "share_pct": 100.0}
    damaged = next(entry for entry in spikes["categories"] if entry["category"] == "damaged")
    assert len(damaged["series"]) == 28 and damaged["total"] == 3 + 4 + 5 + 2 * 14
    assert damaged["series"][-3:] == [3, 4, 5]  # calendar days: the tickets sit at 11:00
    assert spikes["rule"] == {"recent_days": 3, "baseline_days": 14, "min_rise_pct": 15, "min_recent_tickets": 5,
                              "sustained_days": 2}


def test_delivery_and_return_spikes_map_to_lsr_vtr_and_rdr(conn, policy):
    _spike_data(conn, recent_per_day=[4, 4, 4], category="tracking")
    _spike_data(conn, recent_per_day=[4, 4, 4], category="return")
    spikes = {spike["category"]: spike for spike in check(conn, policy)["spikes"]["spikes"]}
    assert spikes["tracking"]["metrics"] == ["LSR", "VTR"] and "tracking" in spikes["tracking"]["action"]
    assert spikes["return"]["metrics"] == ["RDR"] and "48 h" in spikes["return"]["action"]


def test_a_one_day_blip_is_not_a_spike(conn, policy):
    _spike_data(conn, recent_per_day=[2, 2, 9])
    assert check(conn, policy)["spikes"]["spikes"] == []


def test_spike_periods_are_24_hours_back_from_now(conn, policy):
    # exactly 72 h ago belongs to the baseline; a second later to the recent window
    rows = []
    for created in (ago(hours=72), ago(hours=72) + timedelta(seconds=1), ago(hours=24), ago(hours=24) + timedelta(seconds=1), NOW):
        rows.append(ticket(conn, created=created, category="invoice"))
    periods = m.category_periods(m.volumes(conn, NOW, ago(days=17)))["invoice"]
    assert periods[:4] == [2, 1, 1, 1]


# --------------------------------------------------------------------------------------------
# Drill-downs
# --------------------------------------------------------------------------------------------

def test_drilldown_by_channel_and_fulfilment(conn, policy):
    fbm = order(conn, "FBM1", purchased=ago(days=3))
    order(conn, "FBA1", purchased=ago(days=3), fulfillment="FBA")
    order(conn, "FBA2", purchased=ago(days=3), fulfillment="FBA")
    order(conn, "#1001", channel="shopify", purchased=ago(days=3), fulfillment="MCF")
    ticket(conn, created=ago(days=1), category="not_received", order_number="FBM1")
    ticket(conn, created=ago(days=1), category="damaged", order_number="FBM1")
    ticket(conn, created=ago(days=1), category="return", order_number="FBA1")
    ticket(conn, created=ago(days=1), channel="shopify", category="refund", order_number="#1001")
    ticket(conn, created=ago(days=1), channel="shopify", category="product_question")  # no order
    assert fbm
    channels = {entry["channel"]: entry for entry in check(conn, policy)["drilldowns"]["by_channel"]}
    amazon = {entry["fulfillment"]: entry for entry in channels["amazon"]["fulfillment"]}
    assert channels["amazon"]["tickets"] == 3
    assert amazon["FBM"]["tickets"] == 2 and amazon["FBM"]["groups"]["delivery"] == 1 and amazon["FBM"]["groups"]["defect"] == 1
    assert amazon["FBM"]["orders"] == 1 and amazon["FBM"]["tickets_per_100_orders"] == 200.0
    assert amazon["FBA"]["orders"] == 2 and amazon["FBA"]["tickets_per_100_orders"] == 50.0
    shopify = {entry["fulfillment"]: entry for entry in channels["shopify"]["fulfillment"]}
    assert shopify["MCF"]["categories"] == {"refund": 1} and shopify["no order"]["tickets"] == 1


def test_drilldown_by_product_counts_defect_tickets_per_asin(conn, policy):
    teapot = order(conn, "T1", purchased=ago(days=4))
    item(conn, teapot, "B0TEAPOT01", title="Glass Teapot")
    item(conn, teapot, "B0MUG00002")
    order_2 = order(conn, "T2", purchased=ago(days=4))
    item(conn, order_2, "B0TEAPOT01", title="Glass Teapot")
    order(conn, "T3", purchased=ago(days=4))
    ticket(conn, created=ago(days=1), category="damaged", order_number="T1")
    ticket(conn, created=ago(days=1), category="missing_item", order_number="T1")
    ticket(conn, created=ago(days=1), category="damaged", order_number="T2")
    ticket(conn, created=ago(days=1), category="return", order_number="T2")  # not a defect category
    ticket(conn, created=ago(days=40), category="damaged", order_number="T2")  # outside the window
    products = check(conn, policy)["drilldowns"]["by_product"]
    assert products[0] == {"asin": "B0TEAPOT01", "sku": "SKU-B0TEAPOT01", "title": "Glass Teapot", "defect_tickets": 3,
                           "damaged": 2, "missing_item": 1, "wrong_item": 0, "defective": 0,
                           "orders_in_window": 2, "defect_tickets_per_100_orders": 150.0}
    assert products[1]["asin"] == "B0MUG00002" and products[1]["defect_tickets"] == 2


def test_drilldown_by_agent_finds_who_is_slow_on_which_category(conn, policy):
    base = ago(days=2)
    for index in range(6):
        for agent, minutes in (("ana", 30), ("bob", 30), ("carl", 120)):
            t = ticket(conn, created=base, category="return", assignee=agent)
            clock(conn, t, "first_response", base, base + timedelta(minutes=minutes + index), agent=agent)
        t = ticket(conn, created=base, category="damaged", assignee="carl")
        clock(conn, t, "first_response", base, base + timedelta(minutes=20), agent="carl")
    agents = {entry["agent"]: entry for entry in check(conn, policy)["drilldowns"]["by_agent"]}
    carl = agents["carl"]
    assert carl["by_category"]["return"]["frt_median"] == 122.5
    assert carl["by_category"]["return"]["team_frt_median"] == 34.0  # the whole team, carl included
    assert carl["slow_on"] == [{"category": "return", "metric": "frt", "median": 122.5, "team_median": 34.0}]
    assert agents["ana"]["slow_on"] == [] and agents["ana"]["frt"]["n"] == 6


# --------------------------------------------------------------------------------------------
# The review sample
# --------------------------------------------------------------------------------------------

def _high_risk_tickets(conn):
    ids = []
    for index in range(30):
        kind = index % 3
        t = ticket(conn, created=ago(days=index % 20, hours=1), subject=f"[bold]Claim {index}[/bold]",
                   tier="critical" if kind == 0 else "standard", category="atoz_claim" if kind == 1 else "tracking",
                   first_response_at=ago(days=index % 20), assignee="ana")
        if kind == 2:
            tag(conn, t, "a-to-z risk" if index % 2 else "Escalated")
        ids.append(t)
    ticket(conn, created=ago(days=1), tier="normal", category="invoice")  # not high risk
    ticket(conn, created=ago(days=40), tier="critical")  # outside the window
    note(conn, ids[0], "Refunded, buyer agreed to withdraw the claim", ago(hours=20))
    tag(conn, ids[0], "vip")
    return ids


def test_sample_is_a_seeded_random_sample_of_high_risk_tickets(conn, policy):
    ids = _high_risk_tickets(conn)
    first = check(conn, policy, sample_size=5, seed=42)["sample"]
    again = check(conn, policy, sample_size=5, seed=42)["sample"]
    assert first == again
    assert first["population"] == 30 and first["seed"] == 42
    chosen = [entry["id"] for entry in first["tickets"]]
    assert len(chosen) == 5 and set(chosen) <= set(ids) and chosen == sorted(chosen)
    other = check(conn, policy, sample_size=5, seed=43)["sample"]
    assert [entry["id"] for entry in other["tickets"]] != chosen


def test_sample_default_seed_is_the_day(conn, policy):
    _high_risk_tickets(conn)
    sample = check(conn, policy, sample_size=3)["sample"]
    assert sample["seed"] == default_seed(NOW) == 20261125
    assert check(conn, policy, sample_size=3)["sample"] == sample


def test_sample_entries_carry_subject_tags_notes_and_timings(conn, policy):
    ids = _high_risk_tickets(conn)
    clock(conn, ids[0], "first_response", ago(hours=30), ago(hours=29), met=False, agent="ana")
    tickets = check(conn, policy, sample_size=30)["sample"]["tickets"]
    entry = next(entry for entry in tickets if entry["id"] == ids[0])
    assert entry["subject"] == "[bold]Claim 0[/bold]"  # as stored: the screens sanitise
    assert entry["tags"] == ["vip"]
    assert entry["notes"] == [{"author": "ana", "at": to_db(ago(hours=20)), "body": "Refunded, buyer agreed to withdraw the claim"}]
    assert entry["timings"]["first_response_minutes"] == 60.0
    assert entry["timings"]["missed_targets"] == 1 and entry["timings"]["clocks"][0]["kind"] == "first_response"
    assert check(conn, policy, sample_size=0)["sample"]["tickets"] == []


# --------------------------------------------------------------------------------------------
# Channel filter and the demo generator
# --------------------------------------------------------------------------------------------

def test_channel_filter_restricts_every_ticket_section(conn, policy):
    a = ticket(conn, created=ago(hours=5), channel="amazon", category="damaged")
    clock(conn, a, "first_response", ago(hours=5), ago(hours=4), agent="ana")
    s = ticket(conn, created=ago(hours=5), channel="shopify", category="refund")
    clock(conn, s, "first_response", ago(hours=5), ago(hours=3), agent="bob")
    report = check(conn, policy, channel="shopify")
    assert report["window"]["channel"] == "shopify"
    assert report["response_times"]["first_response"]["window"]["median"] == 120.0
    assert [entry["channel"] for entry in report["drilldowns"]["by_channel"]] == ["shopify"]
    assert sum(entry["total"] for entry in report["spikes"]["categories"]) == 1


@pytest.mark.slow
def test_the_demo_plants_what_the_check_up_should_find(tmp_path, policy):
    """Issue 6: a damaged spike on one ASIN, an agent slow on returns, a weekend dip."""
    from deskui.demo import PRODUCTS, SPIKE_PRODUCT, generate
    from deskui.store import connect

    path = tmp_path / "demo.db"
    generate(path, seed=7, tickets=1500, now=NOW, force=True)
    conn = connect(path)
    try:
        report = health_check(conn, policy, NOW)
    finally:
        conn.close()
    json.dumps(report, allow_nan=False)
    spiking = {spike["category"]: spike for spike in report["spikes"]["spikes"]}
    assert "damaged" in spiking
    assert spiking["damaged"]["top_products"][0]["asin"] == PRODUCTS[SPIKE_PRODUCT].asin
    noah = next(entry for entry in report["drilldowns"]["by_agent"] if entry["agent"] == "noah")
    assert {slow["category"] for slow in noah["slow_on"]} & {"return", "refund", "exchange"}
    split = report["response_times"]["first_response"]["weekdays_vs_weekend"]
    assert split["weekend"]["median"] >= 1.4 * split["weekdays"]["median"]
    assert report["account_health"]["odr"]["denominator"] > 0


def test_twelve_hours_exactly_is_at_the_warning(conn, policy):
    for minutes in (30, 720):
        t = ticket(conn, created=ago(hours=20))
        clock(conn, t, "first_response", ago(hours=20), ago(hours=20) + timedelta(minutes=minutes), agent="ana")
    frt = check(conn, policy)["response_times"]["first_response"]["window"]
    assert frt["over_12h"] == 1 and frt["p90"] == 720.0 and frt["warning_12h"] is True and frt["rule_24h"] is False


def _worker_data(conn):
    _spike_data(conn, recent_per_day=[3, 4, 5])
    ids = _high_risk_tickets(conn)
    clock(conn, ids[0], "first_response", ago(hours=30), ago(hours=29), met=False, agent="ana")
    event(conn, ids[0], "claimed", "ana", ago(hours=29, minutes=20))


def test_the_worker_process_gives_the_same_report(conn, policy, monkeypatch):
    _worker_data(conn)
    alone = health_check(conn, policy, NOW, parallel=False)

    def not_here(*args, **kwargs):  # only the worker process can answer the aggregate sections now
        raise AssertionError("the aggregate sections ran in this process")

    monkeypatch.setattr(health_module, "_aggregates", not_here)
    assert health_check(conn, policy, NOW, parallel=True) == alone
    monkeypatch.undo()
    with write(conn):  # inside a transaction another connection would not see its writes: one process
        ticket(conn, created=ago(hours=1), category="damaged")
        report = health_check(conn, policy, NOW)
    assert sum(entry["total"] for entry in report["spikes"]["categories"]) == 3 + 4 + 5 + 2 * 14 + 30 + 1 + 1


def test_a_check_up_that_fails_leaves_no_worker_process_behind(conn, policy, monkeypatch):
    _worker_data(conn)
    started = []
    real_start = health_worker.start
    monkeypatch.setattr(health_worker, "start", lambda *a, **k: started.append(real_start(*a, **k)) or started[-1])

    def failing_clock_pass(*args, **kwargs):
        raise RuntimeError("the clock read failed")

    monkeypatch.setattr(m, "clock_pass", failing_clock_pass)
    with pytest.raises(RuntimeError, match="the clock read failed"):
        health_check(conn, policy, NOW, parallel=True)
    assert len(started) == 1 and started[0] is not None
    assert started[0]._process.returncode is not None  # ended and reaped, not left waiting on its pipe


@pytest.mark.parametrize("worker", [
    "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
    "import sys; sys.stdin.buffer.read(); sys.stdout.buffer.write(b'not a pickle')",
    "import sys, pickle; sys.stdin.buffer.read(); sys.stdout.buffer.write(pickle.dumps({'cut': 1})[:-3])",
    "import sys; sys.exit('no such file')",
], ids=["killed", "garbled", "cut off", "failed"])
def test_a_worker_process_that_dies_or_garbles_costs_only_its_time(conn, policy, monkeypatch, worker):
    _worker_data(conn)
    alone = health_check(conn, policy, NOW, parallel=False)
    monkeypatch.setattr(health_worker, "COMMAND", [sys.executable, "-c", worker])
    assert health_check(conn, policy, NOW, parallel=True) == alone


def test_days_are_the_sellers_days_in_their_time_zone(conn, policy):
    from zoneinfo import ZoneInfo

    los_angeles = ZoneInfo("America/Los_Angeles")
    # 03:00 UTC on Wednesday is 19:00 on Tuesday in Los Angeles; NOW (12:00 UTC) is 04:00 Wednesday there
    late_tuesday = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    t = ticket(conn, created=late_tuesday, category="damaged")
    clock(conn, t, "first_response", late_tuesday, late_tuesday + timedelta(minutes=30), agent="ana")
    # Saturday 23:00 in Los Angeles is Sunday 07:00 UTC: a weekend either way, but which day
    saturday_night = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)
    s = ticket(conn, created=saturday_night)
    clock(conn, s, "first_response", saturday_night, saturday_night + timedelta(hours=2), agent="ana")

    utc = check(conn, policy)
    local = check(conn, policy, zone=los_angeles)
    assert utc["window"]["timezone"] == "UTC" and local["window"]["timezone"] == "America/Los_Angeles"
    assert local["window"]["dates"][-1] == "2026-11-25" and local["window"]["from"] == "2026-10-29T07:00:00Z"
    utc_days = {entry["date"]: entry["n"] for entry in utc["response_times"]["first_response"]["by_day"]}
    local_days = {entry["date"]: entry["n"] for entry in local["response_times"]["first_response"]["by_day"]}
    assert utc_days["2026-11-25"] == 1 and local_days["2026-11-25"] == 0
    assert local_days["2026-11-24"] == 1
    assert utc_days["2026-11-22"] == 1 and local_days["2026-11-21"] == 1 and local_days["2026-11-22"] == 0
    assert local["response_times"]["first_response"]["today"]["n"] == 0
    local_weekdays = {entry["weekday"]: entry["n"] for entry in local["response_times"]["first_response"]["by_weekday"]}
    assert local_weekdays["Sat"] == 1 and local_weekdays["Tue"] == 1
    # ticket volumes per day move the same way; the 24 h spike periods do not depend on the zone
    volumes = m.volumes(conn, NOW, NOW - timedelta(days=5), days=local_days_of(los_angeles))
    assert ("damaged", "amazon", "2026-11-24", 0) in [row[:4] for row in volumes]


def local_days_of(zone):
    from deskui.analytics.days import LocalDays

    return LocalDays(zone, NOW - timedelta(days=30), NOW)


def test_first_response_in_business_hours_next_to_calendar_time(conn, policy):
    from dataclasses import replace
    from datetime import time

    from deskui.policy import Calendar

    office = Calendar(name="office", timezone="UTC", weekdays=frozenset(range(5)), opens=time(9), closes=time(17),
                      always=False)
    business = replace(policy, calendars={"office": office},
                       tiers=tuple(replace(tier, calendar="office") if tier.name == "high" else tier for tier in policy.tiers))
    friday = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    late = ticket(conn, created=friday, tier="high")
    # answered Monday 10:00: 66 h for the buyer, 2 working hours (Fri 16-17, Mon 9-10) for the team
    clock(conn, late, "first_response", friday, datetime(2026, 11, 23, 10, 0, tzinfo=UTC), agent="ana", tier="high")
    tuesday = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
    quick = ticket(conn, created=tuesday, tier="normal")  # 24/7 tier: both measures agree
    clock(conn, quick, "first_response", tuesday, tuesday + timedelta(minutes=30), agent="ben", tier="normal")

    times = check(conn, business)["response_times"]
    assert times["first_response"]["window"]["median"] == (66 * 60 + 30) / 2
    hours = times["first_response_business_hours"]
    assert hours["unit"] == "business minutes" and hours["calendars"]["by_tier"] == {"high": "office"}
    assert hours["by_tier"]["high"]["median"] == 120.0 and hours["by_tier"]["normal"]["median"] == 30.0
    assert hours["window"]["median"] == 75.0
    assert {entry["date"]: entry["n"] for entry in hours["by_day"]}["2026-11-20"] == 1  # still the buyer's day
    assert check(conn, policy)["response_times"]["first_response_business_hours"] is None  # all 24/7


@settings(max_examples=200, deadline=None)
@given(first=st.integers(0, 40 * 86400), length=st.integers(0, 12 * 86400))
def test_working_time_by_running_total_matches_the_interval_walk(first, length):
    from datetime import time

    from deskui.policy import Calendar
    from deskui.sla import working_minutes_between

    # Paris office hours across the October DST change, with a holiday
    office = Calendar(name="office", timezone="Europe/Paris", weekdays=frozenset(range(5)), opens=time(9),
                      closes=time(17, 30), holidays=frozenset({datetime(2026, 11, 11).date()}), always=False)
    start = datetime(2026, 10, 10, tzinfo=UTC)
    working = m.WorkingTime(office, start, start + timedelta(days=45))
    a = start + timedelta(seconds=first)
    b = a + timedelta(seconds=length)
    expected = working_minutes_between(a, b, office)
    assert working.minutes_between(a.timestamp(), b.timestamp()) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("installed", [False, True], ids=["source tree", "installed"])
def test_the_worker_process_imports_this_deskui_without_putting_a_site_folder_first(monkeypatch, installed):
    """From a source tree the worker gets that tree first on its path; an installed deskui's
    site folder is left where it is (first on PYTHONPATH it would come before the standard library)."""
    echo = ("import os, sys, pickle; sys.stdin.buffer.read(); "
            "sys.stdout.buffer.write(pickle.dumps({'path': os.environ.get('PYTHONPATH')}))")
    monkeypatch.setattr(health_worker, "COMMAND", [sys.executable, "-c", echo])
    monkeypatch.setenv("PYTHONPATH", "/somewhere/else")
    if installed:
        monkeypatch.setattr(health_worker, "_PACKAGE_ROOT", sorted(health_worker._site_folders())[0])
    seen = health_worker.start("unused.db").result()["path"]
    assert seen == ("/somewhere/else" if installed else f"{health_worker._PACKAGE_ROOT}{os.pathsep}/somewhere/else")
