from datetime import time

import pytest

from deskui.policy import PolicyError, default_policy, load_policy, parse_policy
from deskui.policy.show import describe


def test_default_policy_is_the_seed_table():
    policy = default_policy()
    targets = {tier.name: tier.first_response_minutes for tier in policy.tiers}
    assert targets == {"critical": 60, "high": 120, "clv": 240, "standard": 720, "normal": 1440}
    assert [tier.name for tier in sorted(policy.tiers, key=lambda t: t.rank)] == list(targets)
    assert policy.marketplace_deadline("Amazon") == 1440
    assert policy.marketplace_deadline("shopify") is None
    assert (policy.at_risk_fraction, policy.imminent_fraction) == (0.25, 0.10)


@pytest.mark.parametrize(
    ("channel", "found", "tier"),
    [
        ("amazon", {"atoz_claim"}, "critical"),
        ("amazon", {"chargeback", "refund"}, "critical"),
        ("amazon", {"damaged"}, "high"),
        ("amazon", {"not_received"}, "high"),
        ("amazon", {"invoice"}, "standard"),
        ("amazon", set(), "standard"),
        ("shopify", {"refund"}, "clv"),
        ("shopify", {"damaged"}, "normal"),
        ("instagram", {"atoz_claim"}, "normal"),
        ("ebay", set(), "normal"),
    ],
)
def test_first_matching_rule_wins(channel, found, tier):
    assert default_policy().pick(channel, frozenset(found))[0].name == tier


def test_escalated_tag_lifts_any_ticket_to_critical():
    assert default_policy().pick("instagram", frozenset(), frozenset({"escalated"}))[0].name == "critical"


CUSTOM = """
[thresholds]
at_risk = 0.3
imminent = 0.05

[calendars.office]
timezone = "Europe/Berlin"
weekdays = ["mon", "tue", "wed", "thu", "fri"]
hours = "08:00-18:00"
holidays = ["2026-12-25", 2026-12-26]

[channel_calendars]
shopify = "office"

[keywords]
vip = ["wholesale order", "großbestellung"]

[[tiers]]
name = "urgent"
first_response = 30
next_response = "1h"

[[tiers]]
name = "later"
first_response = "1d"
calendar = "office"

[[rules]]
tier = "urgent"
keywords = ["vip"]

[[rules]]
tier = "later"
"""


def test_a_custom_policy_loads():
    policy = parse_policy(CUSTOM, "custom.toml")
    assert [t.name for t in policy.tiers] == ["urgent", "later"]
    assert policy.tier("urgent").next_response_minutes == 60
    office = policy.calendars["office"]
    assert (office.opens, office.closes, len(office.holidays), office.always) == (time(8), time(18), 2, False)
    assert policy.calendar_for(policy.tier("urgent"), "shopify") is office
    assert policy.calendar_for(policy.tier("urgent"), "amazon").always
    assert policy.pick("ebay", frozenset({"vip"}))[0].name == "urgent"
    assert "office" in describe(policy)


BROKEN = """[thresholds]
at_risk = 2

[[tiers]]
name = "fast"
first_response = "soon"

[[tiers]]
name = "fast"
first_response = "1h"
calendar = "nowhere"

[[rules]]
tier = "fastest"

[[rules]]
tier = "fast"
channels = ["amazon", "etsy"]
categories = ["damagd"]
"""


def test_check_reports_every_problem_with_its_line():
    with pytest.raises(PolicyError) as caught:
        parse_policy(BROKEN, "broken.toml")
    reported = [str(problem) for problem in caught.value.problems]
    expected = [
        ("broken.toml:2:", "thresholds.at_risk"),
        ("broken.toml:6:", "tiers[0].first_response"),
        ("broken.toml:9:", "tiers[1].name"),
        ("broken.toml:11:", "tiers[1].calendar"),
        ("broken.toml:14:", "rules[0].tier"),
        ("broken.toml:18:", "rules[1].channels"),
        ("broken.toml:19:", "rules[1].categories"),
    ]
    for location, field in expected:
        assert any(line.startswith(location) and field in line for line in reported), (location, field, reported)


def test_syntax_error_names_the_line():
    with pytest.raises(PolicyError) as caught:
        parse_policy("[[tiers]]\nname = \n", "bad.toml")
    assert str(caught.value.problems[0]).startswith("bad.toml:2:")


def test_missing_file(tmp_path):
    with pytest.raises(PolicyError, match="no such file"):
        load_policy(tmp_path / "missing.toml")
