"""Alert rules: parsing the config's [[alerts]] tables, and evaluating them on hand-made data."""

from __future__ import annotations

import json
import tomllib
from datetime import datetime, timedelta, timezone

import pytest

from deskui.analytics import AlertRule, evaluate_alerts, parse_alert_rules
from tests.test_analytics import clock, event, ticket

pytestmark = pytest.mark.backends

UTC = timezone.utc
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
TIERS = ("critical", "high", "clv", "standard", "normal")


def ago(**kwargs) -> datetime:
    return NOW - timedelta(**kwargs)


def rules(text: str, file: str = "config.toml") -> list[AlertRule]:
    return parse_alert_rules(tomllib.loads(text), file, tiers=TIERS, source=text)


def problems(text: str) -> list[str]:
    with pytest.raises(ValueError) as raised:
        rules(text)
    return str(raised.value).splitlines()


def rule(**fields) -> AlertRule:
    fields.setdefault("name", "test")
    return AlertRule(**fields)


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------

def test_parse_the_documented_examples():
    parsed = rules(
        """
        agent = "ana"

        [[alerts]]
        name = "FRT above 8 h"
        metric = "frt_hours"
        op = ">"
        threshold = 8
        window = "24h"

        [[alerts]]
        name = "Critical ticket about to breach"
        metric = "critical_minutes_left"
        op = "<"
        threshold = 15

        [[alerts]]
        name = "Amazon spike"
        metric = "spike"
        op = ">="
        threshold = 15
        channel = "Amazon"

        [[alerts]]
        name = "High tier under 90 %"
        metric = "sla_attainment_pct"
        op = "<"
        threshold = 90.5
        window = "7d"
        tier = "high"
        """
    )
    assert parsed == [
        AlertRule("FRT above 8 h", "frt_hours", ">", 8.0, "24h", None, None),
        AlertRule("Critical ticket about to breach", "critical_minutes_left", "<", 15.0, None, None, None),
        AlertRule("Amazon spike", "spike", ">=", 15.0, None, "amazon", None),
        AlertRule("High tier under 90 %", "sla_attainment_pct", "<", 90.5, "7d", None, "high"),
    ]
    assert parsed[0].window_delta == timedelta(hours=24)
    assert parsed[3].window_delta == timedelta(days=7)
    assert parsed[1].effective_tier == "critical" and parsed[1].window_delta is None


def test_no_alerts_table_means_no_rules():
    assert rules('agent = "ana"') == []
    assert parse_alert_rules({}, "config.toml") == []


def test_a_default_window_applies_when_none_is_given():
    parsed = rules('[[alerts]]\nname = "AHT"\nmetric = "aht_minutes"\nop = ">"\nthreshold = 30\n')
    assert parsed[0].window is None and parsed[0].window_delta == timedelta(hours=24)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('metric = "frt_hours"\nop = ">"\nthreshold = 8', "config.toml:1: alerts[0].name: missing"),
        ('name = "x"\nmetric = "frt"\nop = ">"\nthreshold = 8', "config.toml:3: alerts[0].metric: unknown metric 'frt'"),
        ('name = "x"\nop = ">"\nthreshold = 8', "config.toml:1: alerts[0].metric: missing"),
        ('name = "x"\nmetric = "frt_hours"\nop = "=>"\nthreshold = 8', "config.toml:4: alerts[0].op: '=>' is not a comparison"),
        ('name = "x"\nmetric = "frt_hours"\nthreshold = 8', "config.toml:1: alerts[0].op: missing"),
        ('name = "x"\nmetric = "frt_hours"\nop = ">"\nthreshold = "8"', "config.toml:5: alerts[0].threshold: '8' is not a number"),
        ('name = "x"\nmetric = "frt_hours"\nop = ">"\nthreshold = true', "config.toml:5: alerts[0].threshold: True is not a number"),
        ('name = "x"\nmetric = "frt_hours"\nop = ">"', "config.toml:1: alerts[0].threshold: missing"),
        ('name = "x"\nmetric = "frt_hours"\nop = ">"\nthreshold = 8\nwindow = "yesterday"',
         "config.toml:6: alerts[0].window: 'yesterday' is not a duration"),
        ('name = "x"\nmetric = "frt_hours"\nop = ">"\nthreshold = 8\nwindow = "0h"', "config.toml:6: alerts[0].window: '0h' is not a duration"),
        ('name = "x"\nmetric = "breached_open"\nop = ">"\nthreshold = 0\nwindow = "24h"',
         "config.toml:6: alerts[0].window: metric 'breached_open' looks at open tickets now; it takes no window"),
        ('name = "x"\nmetric = "frt_hours"\nop = ">"\nthreshold = 8\nchannel = "etsy"', "config.toml:6: alerts[0].channel: unknown channel 'etsy'"),
        ('name = "x"\nmetric = "frt_hours"\nop = ">"\nthreshold = 8\ntier = "urgent"', "config.toml:6: alerts[0].tier: unknown tier 'urgent'"),
        ('name = "x"\nmetric = "spike"\nop = ">"\nthreshold = 8\ntier = "high"', "config.toml:6: alerts[0].tier: metric 'spike' takes no tier filter"),
        ('name = "x"\nmetric = "critical_minutes_left"\nop = "<"\nthreshold = 15\ntier = "high"',
         "config.toml:6: alerts[0].tier: critical_minutes_left is about the critical tier"),
        ('name = "x"\nmetric = "frt_hours"\nop = ">"\nthreshold = 8\ntreshold = 9', "config.toml:6: alerts[0].treshold: unknown field"),
    ],
)
def test_each_problem_names_the_file_the_rule_and_the_field(body, expected):
    found = problems("[[alerts]]\n" + body + "\n")
    assert len(found) == 1
    assert found[0].startswith(expected), found[0]


def test_every_problem_is_reported_with_the_rule_index():
    found = problems(
        """
        [[alerts]]
        name = "good"
        metric = "frt_hours"
        op = ">"
        threshold = 8

        [[alerts]]
        name = "good"
        metric = "aht"
        op = "!="
        threshold = 1
        """
    )
    assert found == [
        "config.toml:9: alerts[1].name: 'good' is already the name of alerts[0]",
        "config.toml:10: alerts[1].metric: unknown metric 'aht' (one of frt_hours, aht_minutes, sla_attainment_pct, "
        "min_minutes_left, critical_minutes_left, breached_open, waiting_hours, spike)",
        "config.toml:11: alerts[1].op: '!=' is not a comparison (one of >, >=, <, <=)",
    ]


def test_alerts_must_be_a_list_of_tables():
    text = 'agent = "ana"\n[alerts]\nname = "x"\n'
    with pytest.raises(ValueError, match=r"^cfg:2: alerts: must be a list of \[\[alerts\]\] tables$"):
        parse_alert_rules(tomllib.loads(text), "cfg", source=text)
    text = 'agent = "ana"\nalerts = ["frt_hours > 8"]\n'
    with pytest.raises(ValueError, match=r"^cfg:2: alerts\[0\]: must be a table"):
        parse_alert_rules(tomllib.loads(text), "cfg", source=text)
    # parsed data without its text: the problem is there, the line is unknown (0)
    with pytest.raises(ValueError, match=r"^cfg:0: alerts: must be a list of \[\[alerts\]\] tables$"):
        parse_alert_rules({"alerts": {"name": "x"}}, "cfg")


def test_without_the_policy_tiers_any_tier_name_is_accepted():
    parsed = parse_alert_rules({"alerts": [{"name": "x", "metric": "min_minutes_left", "op": "<", "threshold": 5,
                                            "tier": "VIP"}]}, "cfg")
    assert parsed[0].tier == "vip"


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------

def test_frt_above_a_threshold_fires_with_the_slow_tickets(conn, policy):
    slow = []
    for minutes in (60, 540, 600):  # median 9 h
        t = ticket(conn, created=ago(hours=12))
        clock(conn, t, "first_response", ago(hours=12), ago(hours=12) + timedelta(minutes=minutes), agent="ana")
        if minutes > 480:
            slow.append(t)
    old = ticket(conn, created=ago(days=3))
    clock(conn, old, "first_response", ago(days=3), ago(days=2), agent="ana")  # answered before the window
    fired = evaluate_alerts(conn, policy, NOW, [rule(name="FRT above 8 h", metric="frt_hours", op=">", threshold=8, window="24h")])
    assert len(fired) == 1
    assert fired[0].value == 9.0
    assert fired[0].ticket_ids == slow
    assert fired[0].message == "FRT above 8 h: median first response time 9 h > 8 h (last 24h): median of 3 first responses"
    assert evaluate_alerts(conn, policy, NOW, [rule(metric="frt_hours", op=">", threshold=9)]) == []
    json.dumps(fired[0].as_dict())


def test_metrics_with_nothing_to_measure_never_fire(conn, policy):
    every = [rule(name=name, metric=name, op="<", threshold=1000) for name in
             ("frt_hours", "aht_minutes", "sla_attainment_pct", "min_minutes_left", "critical_minutes_left",
              "waiting_hours", "spike")]
    assert evaluate_alerts(conn, policy, NOW, every) == []
    fired = evaluate_alerts(conn, policy, NOW, [rule(metric="breached_open", op=">=", threshold=0)])
    assert fired[0].value == 0.0  # a count is always measurable


def test_a_critical_ticket_with_under_15_minutes_left(conn, policy):
    soon = ticket(conn, created=ago(minutes=50), tier="critical", due_at=NOW + timedelta(minutes=10), sla_due_at=NOW + timedelta(minutes=10))
    ticket(conn, created=ago(minutes=30), tier="critical", due_at=NOW + timedelta(minutes=30))
    ticket(conn, created=ago(minutes=90), tier="critical", due_at=ago(minutes=30))  # breached: another alert
    ticket(conn, created=ago(minutes=50), tier="critical", status="pending", due_at=NOW + timedelta(minutes=5),
           paused_at=ago(minutes=5))  # paused: its timer is frozen
    ticket(conn, created=ago(minutes=50), tier="high", due_at=NOW + timedelta(minutes=2))  # another tier
    ticket(conn, created=ago(minutes=50), tier="critical", status="solved", due_at=NOW + timedelta(minutes=1))
    alert = rule(name="Critical under 15 min", metric="critical_minutes_left", op="<", threshold=15)
    fired = evaluate_alerts(conn, policy, NOW, [alert])
    assert [(f.value, f.ticket_ids) for f in fired] == [(10.0, [soon])]
    assert fired[0].message == "Critical under 15 min: least time left on an open critical ticket 10 min < 15 min (tier critical)"
    any_tier = evaluate_alerts(conn, policy, NOW, [rule(metric="min_minutes_left", op="<", threshold=15)])
    assert any_tier[0].value == 2.0 and len(any_tier[0].ticket_ids) == 2
    assert evaluate_alerts(conn, policy, NOW, [rule(metric="critical_minutes_left", op="<", threshold=10)]) == []


def test_breached_open_tickets_counted_with_channel_filter(conn, policy):
    a = ticket(conn, created=ago(hours=5), channel="amazon", due_at=ago(hours=1))
    b = ticket(conn, created=ago(hours=5), channel="amazon", status="pending", due_at=ago(hours=2), paused_at=ago(hours=1))
    ticket(conn, created=ago(hours=5), channel="amazon", status="pending", due_at=ago(hours=1), paused_at=ago(hours=2))
    ticket(conn, created=ago(hours=5), channel="shopify", due_at=ago(hours=1))
    ticket(conn, created=ago(hours=5), channel="amazon", due_at=NOW + timedelta(hours=1))
    fired = evaluate_alerts(conn, policy, NOW, [rule(metric="breached_open", op=">", threshold=1, channel="amazon")])
    assert fired[0].value == 2.0 and fired[0].ticket_ids == [b, a]  # most overdue first


def test_waiting_hours(conn, policy):
    old = ticket(conn, created=ago(hours=30), awaiting_reply_since=ago(hours=30))
    ticket(conn, created=ago(hours=2), awaiting_reply_since=ago(hours=2))
    ticket(conn, created=ago(hours=50), status="pending", awaiting_reply_since=ago(hours=50))  # waiting on the buyer
    fired = evaluate_alerts(conn, policy, NOW, [rule(metric="waiting_hours", op=">=", threshold=24)])
    assert fired[0].value == 30.0 and fired[0].ticket_ids == [old]


def test_sla_attainment_below_target(conn, policy):
    hit = ticket(conn, created=ago(hours=10), tier="high")
    clock(conn, hit, "first_response", ago(hours=10), ago(hours=9), met=True, agent="ana", tier="high")
    late = ticket(conn, created=ago(hours=10), tier="high")
    clock(conn, late, "first_response", ago(hours=10), ago(hours=6), met=False, agent="ana", tier="high")
    overdue = ticket(conn, created=ago(hours=4), tier="high", sla_due_at=ago(hours=2), due_at=ago(hours=2))
    fired = evaluate_alerts(conn, policy, NOW, [rule(metric="sla_attainment_pct", op="<", threshold=90, tier="high")])
    assert fired[0].value == pytest.approx(33.3) and fired[0].ticket_ids == [late, overdue]
    assert evaluate_alerts(conn, policy, NOW, [rule(metric="sla_attainment_pct", op="<", threshold=30)]) == []


def test_aht_minutes(conn, policy):
    for minutes in (20, 40, 90):
        t = ticket(conn, created=ago(hours=6))
        event(conn, t, "claimed", "ana", ago(hours=5))
        clock(conn, t, "first_response", ago(hours=6), ago(hours=5) + timedelta(minutes=minutes), agent="ana")
    fired = evaluate_alerts(conn, policy, NOW, [rule(metric="aht_minutes", op=">", threshold=30, window="24h")])
    assert fired[0].value == 40.0 and len(fired[0].ticket_ids) == 2


def test_a_category_spike(conn, policy):
    for days_back in range(4, 18):
        ticket(conn, created=ago(days=days_back - 1, hours=2), category="damaged")
    recent = [ticket(conn, created=ago(hours=hours), category="damaged") for hours in (2, 5, 30, 33, 50, 52)]
    fired = evaluate_alerts(conn, policy, NOW, [rule(name="spike", metric="spike", op=">=", threshold=15)])
    assert fired[0].value == 100.0 * (2 - 1) / 1  # 2 a day against 1 a day
    assert sorted(fired[0].ticket_ids) == sorted(recent)
    assert "damaged +100 % (ODR)" in fired[0].message
    assert evaluate_alerts(conn, policy, NOW, [rule(metric="spike", op=">=", threshold=150)]) == []
    assert evaluate_alerts(conn, policy, NOW, [rule(metric="spike", op=">=", threshold=15, channel="shopify")]) == []


def test_naive_now_is_refused(conn, policy):
    with pytest.raises(ValueError):
        evaluate_alerts(conn, policy, NOW.replace(tzinfo=None), [])
