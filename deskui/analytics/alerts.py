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

import operator
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from deskui.analytics import metrics as m
from deskui.analytics.health import IMPACT, UNCATEGORISED, _OTHER_IMPACT
from deskui.policy.model import CHANNELS, Policy
from deskui.store import alerts as reads
from deskui.timeutil import from_db, parse_duration

UTC = timezone.utc
OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
FIELDS = ("name", "metric", "op", "threshold", "window", "channel", "tier")
MAX_IDS = 50


@dataclass(frozen=True)
class MetricSpec:
    description: str
    unit: str
    windowed: bool
    default_window: str | None = None
    tiered: bool = True


METRICS: dict[str, MetricSpec] = {
    "frt_hours": MetricSpec("median first response time", "h", True, "24h"),
    "aht_minutes": MetricSpec("median handle time", "min", True, "24h"),
    "sla_attainment_pct": MetricSpec("response targets met", "%", True, "24h"),
    "min_minutes_left": MetricSpec("least time left on an open ticket", "min", False),
    "critical_minutes_left": MetricSpec("least time left on an open critical ticket", "min", False),
    "breached_open": MetricSpec("open tickets past due", "", False),
    "waiting_hours": MetricSpec("longest wait of an open ticket for a reply", "h", False),
    "spike": MetricSpec("largest category rise (spike rule)", "%", False, tiered=False),
}
CRITICAL = "critical"


@dataclass(frozen=True)
class AlertRule:
    name: str
    metric: str
    op: str
    threshold: float
    window: str | None = None
    channel: str | None = None
    tier: str | None = None

    @property
    def window_delta(self) -> timedelta | None:
        spec = METRICS[self.metric]
        text = self.window or spec.default_window
        return parse_duration(text) if spec.windowed and text else None

    @property
    def effective_tier(self) -> str | None:
        return CRITICAL if self.metric == "critical_minutes_left" else self.tier


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
# Parsing
# --------------------------------------------------------------------------------------------

def parse_alert_rules(data: dict, file: str, *, tiers: Iterable[str] | None = None) -> list[AlertRule]:
    """Rules from a parsed config document (its ``[[alerts]]`` list). ``tiers``, when given (the
    policy's tier names), checks ``tier``. Raises ValueError naming every problem, one a line:
    ``FILE: alerts[N].field: message`` (N counts from 0, like the policy's errors)."""
    raw_rules = data.get("alerts", []) if isinstance(data, dict) else data
    if not isinstance(raw_rules, list):
        raise ValueError(f"{file}: alerts: must be a list of [[alerts]] tables")
    known_tiers = set(tiers) if tiers is not None else None
    problems: list[str] = []
    rules: list[AlertRule] = []
    names: dict[str, int] = {}

    for index, raw in enumerate(raw_rules):
        def problem(name: str, message: str) -> None:
            problems.append(f"{file}: alerts[{index}].{name}: {message}" if name else f"{file}: alerts[{index}]: {message}")

        if not isinstance(raw, dict):
            problem("", "must be a table ([[alerts]] with name, metric, op, threshold)")
            continue
        before = len(problems)
        for key in sorted(set(raw) - set(FIELDS)):
            problem(key, f"unknown field (expected {', '.join(FIELDS)})")

        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            problem("name", "missing; give the alert a name, e.g. name = \"FRT above 8 h\"")
            name = None
        else:
            name = name.strip()
            if name in names:
                problem("name", f"{name!r} is already the name of alerts[{names[name]}]")
            names.setdefault(name, index)

        metric = raw.get("metric")
        spec = None
        if metric is None:
            problem("metric", f"missing (one of {', '.join(METRICS)})")
        elif not isinstance(metric, str) or metric.strip().lower() not in METRICS:
            problem("metric", f"unknown metric {metric!r} (one of {', '.join(METRICS)})")
        else:
            metric = metric.strip().lower()
            spec = METRICS[metric]

        op = raw.get("op")
        if op is None:
            problem("op", f"missing (one of {', '.join(OPS)})")
        elif not isinstance(op, str) or op.strip() not in OPS:
            problem("op", f"{op!r} is not a comparison (one of {', '.join(OPS)})")
        else:
            op = op.strip()

        threshold = raw.get("threshold")
        if threshold is None:
            problem("threshold", "missing; give a number, e.g. threshold = 8")
        elif isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or threshold != threshold:
            problem("threshold", f"{threshold!r} is not a number")

        window = raw.get("window")
        if window is not None:
            if spec is not None and not spec.windowed:
                problem("window", f"metric {metric!r} looks at open tickets now; it takes no window")
            elif isinstance(window, bool) or not isinstance(window, (str, int)):
                problem("window", f"{window!r} is not a duration (use e.g. \"24h\", \"7d\", \"90m\")")
            else:
                try:
                    if parse_duration(str(window)) <= timedelta(0):
                        raise ValueError
                    window = str(window).strip()
                except ValueError:
                    problem("window", f"{window!r} is not a duration (use e.g. \"24h\", \"7d\", \"90m\")")

        channel = raw.get("channel")
        if channel is not None:
            if not isinstance(channel, str) or channel.strip().lower() not in CHANNELS:
                problem("channel", f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
            else:
                channel = channel.strip().lower()

        tier = raw.get("tier")
        if tier is not None:
            if not isinstance(tier, str) or not tier.strip():
                problem("tier", f"{tier!r} is not a tier name")
            else:
                tier = tier.strip().lower()
                if known_tiers is not None and tier not in known_tiers:
                    problem("tier", f"unknown tier {tier!r} (one of {', '.join(sorted(known_tiers))})")
                elif spec is not None and not spec.tiered:
                    problem("tier", f"metric {metric!r} takes no tier filter")
                elif metric == "critical_minutes_left" and tier != CRITICAL:
                    problem("tier", "critical_minutes_left is about the critical tier; use min_minutes_left for another")

        if len(problems) == before:
            rules.append(AlertRule(name=name, metric=metric, op=op, threshold=float(threshold),
                                   window=window, channel=channel, tier=tier))
    if problems:
        raise ValueError("\n".join(problems))
    return rules


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
