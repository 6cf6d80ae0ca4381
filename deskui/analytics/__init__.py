"""Analytics: the account-health check-up and the lead's alert rules (pure core, no UI).

Importing the package loads nothing: the names below load their module on first use, so
reading a config's [[alerts]] (``analytics.alert_rules``) at launch does not import the check-up
and the alert measures (~20 ms before the inbox's first paint, 2026-12-03).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deskui.analytics.alerts import METRICS as ALERT_METRICS
    from deskui.analytics.alerts import AlertRule, FiredAlert, evaluate_alerts, parse_alert_rules
    from deskui.analytics.health import health_check

# name -> (module, attribute)
_HOME = {
    "ALERT_METRICS": ("alerts", "METRICS"), "AlertRule": ("alerts", "AlertRule"), "FiredAlert": ("alerts", "FiredAlert"),
    "evaluate_alerts": ("alerts", "evaluate_alerts"), "parse_alert_rules": ("alerts", "parse_alert_rules"),
    "health_check": ("health", "health_check"),
}
__all__ = ["ALERT_METRICS", "AlertRule", "FiredAlert", "evaluate_alerts", "health_check", "parse_alert_rules"]


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _HOME[name]
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    globals()[name] = value
    return value
