"""The alert rules of ``deskui demo`` when the user's config file has none (``alerts.toml``)."""

from __future__ import annotations

import tomllib
from importlib import resources

from deskui.policy import Policy


def demo_alert_rules(policy: Policy) -> list:
    from deskui.analytics.alerts import parse_alert_rules  # the analytics only for a demo that opens the app

    text = resources.files(__package__).joinpath("alerts.toml").read_text(encoding="utf-8")
    return parse_alert_rules(tomllib.loads(text), "deskui demo", tiers=[tier.name for tier in policy.tiers])
