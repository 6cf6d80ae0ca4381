"""Alert rules a lead writes in the config file, and their evaluation.

```toml
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
```

Each rule compares one number with its threshold; ``evaluate_alerts`` computes only the metrics the
rules name, each with one small indexed query. Metrics and their units: ``METRICS`` below and
docs/health.md.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from deskui.analytics import metrics as m
from deskui.analytics.alert_rules import CRITICAL, FIELDS, METRICS, OPS, AlertRule, MetricSpec, parse_alert_rules  # noqa: F401
from deskui.analytics.health import IMPACT, UNCATEGORISED, _OTHER_IMPACT
from deskui.policy.model import Policy
from deskui.store import alerts as reads
from deskui.timeutil import from_db

UTC = timezone.utc
MAX_IDS = 50


@dataclass
class FiredAlert:
    rule: AlertRule
    value: float
    message: str
    ticket_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        """For ``deskui alerts --json``."""
        rule = self.rule
        return {
            "name": rule.name, "metric": rule.metric, "op": rule.op, "threshold": rule.threshold,
            "window": (rule.window or METRICS[rule.metric].default_window) if METRICS[rule.metric].windowed else None,
            "channel": rule.channel, "tier": rule.effective_tier,
            "value": self.value, "message": self.message, "ticket_ids": list(self.ticket_ids),
        }


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------

def evaluate_alerts(conn: sqlite3.Connection, policy: Policy, now: datetime, rules: list[AlertRule]) -> list[FiredAlert]:
    """The rules that fire now, in the order given. A metric with nothing to measure (no first
    response in the window, no open ticket) has no value and never fires."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC).replace(microsecond=0)
    fired = []
    spike_cache: dict[str | None, dict] = {}
    with m.no_gc():
        for rule in rules:
            value, ids, detail = _measure(conn, now, rule, spike_cache)
            if value is None or not OPS[rule.op](value, rule.threshold):
                continue
            fired.append(FiredAlert(rule, value, _message(rule, value, detail), ids))
    return fired


def _measure(conn, now, rule: AlertRule, spike_cache) -> tuple[float | None, list[int], str]:
    metric, channel, tier = rule.metric, rule.channel, rule.effective_tier
    delta = rule.window_delta
    if metric in ("frt_hours", "aht_minutes", "sla_attainment_pct"):
        start = now - delta
        need = {"frt_hours": "frt", "aht_minutes": "aht", "sla_attainment_pct": "attainment"}[metric]
        clocks = m.clock_pass(conn, start, now, start, channel=channel, tier=tier, frt_by="stopped", track_tickets=True,
                              need=frozenset({need}))
        if metric == "sla_attainment_pct":
            found = clocks.attained("all")
            if found["pct"] is None:
                return None, [], ""
            return found["pct"], _missed_tickets(conn, start, now, channel, tier), f"{found['met']} of {found['total']} targets met"
        timing, scale, noun = (clocks.frt, 60.0, "first responses") if metric == "frt_hours" else (clocks.aht, 1.0, "replies")
        found = m.stats(timing.window)
        if found["median"] is None:
            return None, [], ""
        compare = OPS[rule.op]
        ids = sorted({ticket_id for value, ticket_id in timing.tickets if compare(value / scale, rule.threshold)})
        return round(found["median"] / scale, 2), ids[:MAX_IDS], f"median of {found['n']} {noun}"
    if metric in ("min_minutes_left", "critical_minutes_left"):
        return _minutes_left(conn, now, rule, channel, tier)
    if metric == "breached_open":
        count, ids = reads.breached_open(conn, now, channel, tier, MAX_IDS)
        return float(count), ids, ""
    if metric == "waiting_hours":
        oldest = from_db(reads.oldest_waiting(conn, channel, tier))
        if oldest is None:
            return None, [], ""
        ids = reads.waiting_ids(conn, rule.op, now - timedelta(hours=rule.threshold), channel, tier, MAX_IDS)
        return round((now - oldest).total_seconds() / 3600, 2), ids, ""
    if metric == "spike":
        if channel not in spike_cache:
            spike_cache[channel] = m.spikes(conn, now, channel=channel)
        spiking = {category: test for category, test in spike_cache[channel].items() if test["spike"]}
        if not spiking:
            return None, [], ""
        ordered = sorted(spiking.items(), key=lambda item: -item[1]["rise_pct"])
        parts = []
        for category, test in ordered:
            impact = IMPACT.get(category, _OTHER_IMPACT)
            parts.append(f"{category or UNCATEGORISED} +{test['rise_pct']:g} % ({', '.join(impact[0])})")
        ids = m.spike_ticket_ids(conn, now, [category for category, _ in ordered], channel=channel, limit=MAX_IDS)
        return ordered[0][1]["rise_pct"], ids, "; ".join(parts)
    raise ValueError(f"unknown metric {metric!r}")


def _missed_tickets(conn, start: datetime, end: datetime, channel, tier) -> list[int]:
    """Tickets with a response target missed in the window: stopped late, or still past due."""
    return reads.missed_ticket_ids(conn, start, end, channel, tier, MAX_IDS)


def _minutes_left(conn, now, rule: AlertRule, channel, tier) -> tuple[float | None, list[int], str]:
    """Running, not yet breached clocks of open (unpaused) tickets: the inbox's countdowns."""
    due = from_db(reads.next_due(conn, now, channel, tier))
    if due is None:
        return None, [], ""
    value = round((due - now).total_seconds() / 60, 1)
    ids = reads.running_ids(conn, now, rule.op, now + timedelta(minutes=rule.threshold), channel, tier, MAX_IDS)
    return value, ids, ""


def _message(rule: AlertRule, value: float, detail: str) -> str:
    spec = METRICS[rule.metric]
    unit = {"h": " h", "min": " min", "%": " %", "": ""}[spec.unit]
    scope = []
    if rule.channel:
        scope.append(rule.channel)
    if rule.effective_tier:
        scope.append(f"tier {rule.effective_tier}")
    if spec.windowed:
        scope.append(f"last {rule.window or spec.default_window}")
    where = f" ({', '.join(scope)})" if scope else ""
    text = f"{rule.name}: {spec.description} {value:g}{unit} {rule.op} {rule.threshold:g}{unit}{where}"
    return f"{text}: {detail}" if detail else text
