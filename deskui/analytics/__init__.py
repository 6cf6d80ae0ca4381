"""Analytics: the account-health check-up and the lead's alert rules (pure core, no UI)."""

from deskui.analytics.alerts import METRICS as ALERT_METRICS
from deskui.analytics.alerts import AlertRule, FiredAlert, evaluate_alerts, parse_alert_rules
from deskui.analytics.health import health_check

__all__ = ["ALERT_METRICS", "AlertRule", "FiredAlert", "evaluate_alerts", "health_check", "parse_alert_rules"]
