"""The ``[[alerts]]`` rules a lead writes in the config file: what they say, and reading them.

Evaluation is in deskui/analytics/alerts.py; the metrics and their units are in ``METRICS`` below
and docs/health.md. Every problem reads ``FILE:LINE: alerts[N].field: what is wrong``.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from deskui.configfile import ConfigFileError, Document, Reader
from deskui.policy.model import CHANNELS
from deskui.timeutil import parse_duration

OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
FIELDS = ("name", "metric", "op", "threshold", "window", "channel", "tier")
CRITICAL = "critical"


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


class AlertRuleError(ConfigFileError, ValueError):
    """Every problem of the ``[[alerts]]`` rules, one a line (a ValueError, as it always was)."""


_DURATION = "is not a duration (use e.g. \"24h\", \"7d\", \"90m\")"


def parse_alert_rules(data: dict | list | Document, file: str = "<config>", *, tiers: Iterable[str] | None = None,
                      source: str | None = None) -> list[AlertRule]:
    """Rules from a config file's ``[[alerts]]`` list: a :class:`Document`, or the parsed data
    (the document or the list itself) with its ``source`` text for the lines. ``tiers``, when
    given (the policy's tier names), checks ``tier``. Raises :class:`AlertRuleError` naming every
    problem, one a line: ``FILE:LINE: alerts[N].field: message`` (N counts from 0, like the
    policy's errors; LINE is 0 when the text was not given)."""
    if isinstance(data, Document):
        document = data
    else:
        document = Document({"alerts": data} if isinstance(data, list) else data, source, file)
    reader = Reader(document)
    known_tiers = set(tiers) if tiers is not None else None
    rules: list[AlertRule] = []
    names: dict[str, int] = {}
    for path, raw in reader.tables("alerts", "must be a list of [[alerts]] tables",
                                   entry="must be a table ([[alerts]] with name, metric, op, threshold)"):
        before = len(reader.problems)
        reader.unknown(raw, path, FIELDS, f"unknown field (expected {', '.join(FIELDS)})")
        name = _name(reader, path, raw, names)
        metric, spec = _metric(reader, path, raw)
        op = _op(reader, path, raw)
        threshold = raw.get("threshold")
        if threshold is None:
            reader.problem((*path, "threshold"), "missing; give a number, e.g. threshold = 8")
        elif isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or threshold != threshold:
            reader.problem((*path, "threshold"), f"{threshold!r} is not a number")
        window = _window(reader, path, raw, metric, spec)
        channel = raw.get("channel")
        if channel is not None:
            if not isinstance(channel, str) or channel.strip().lower() not in CHANNELS:
                reader.problem((*path, "channel"), f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
            else:
                channel = channel.strip().lower()
        tier = _tier(reader, path, raw, metric, spec, known_tiers)
        if len(reader.problems) == before:
            rules.append(AlertRule(name=name, metric=metric, op=op, threshold=float(threshold),
                                   window=window, channel=channel, tier=tier))
    reader.raise_problems(AlertRuleError)
    return rules


def _name(reader: Reader, path: tuple, raw: dict, names: dict[str, int]) -> str | None:
    name = reader.text(raw, path, "name", required=True,
                       missing="missing; give the alert a name, e.g. name = \"FRT above 8 h\"",
                       wrong="missing; give the alert a name, e.g. name = \"FRT above 8 h\"")
    if name is not None:
        if name in names:
            reader.problem((*path, "name"), f"{name!r} is already the name of alerts[{names[name]}]")
        names.setdefault(name, path[1])
    return name


def _metric(reader: Reader, path: tuple, raw: dict) -> tuple[str | None, MetricSpec | None]:
    metric = raw.get("metric")
    if metric is None:
        reader.problem((*path, "metric"), f"missing (one of {', '.join(METRICS)})")
    elif not isinstance(metric, str) or metric.strip().lower() not in METRICS:
        reader.problem((*path, "metric"), f"unknown metric {metric!r} (one of {', '.join(METRICS)})")
    else:
        metric = metric.strip().lower()
        return metric, METRICS[metric]
    return metric, None


def _op(reader: Reader, path: tuple, raw: dict) -> str | None:
    op = raw.get("op")
    if op is None:
        reader.problem((*path, "op"), f"missing (one of {', '.join(OPS)})")
    elif not isinstance(op, str) or op.strip() not in OPS:
        reader.problem((*path, "op"), f"{op!r} is not a comparison (one of {', '.join(OPS)})")
    else:
        return op.strip()
    return op


def _window(reader: Reader, path: tuple, raw: dict, metric, spec: MetricSpec | None) -> str | None:
    window = raw.get("window")
    if window is None:
        return None
    if spec is not None and not spec.windowed:
        reader.problem((*path, "window"), f"metric {metric!r} looks at open tickets now; it takes no window")
    elif isinstance(window, bool) or not isinstance(window, (str, int)):
        reader.problem((*path, "window"), f"{window!r} {_DURATION}")
    else:
        try:
            if parse_duration(str(window)) <= timedelta(0):
                raise ValueError
            return str(window).strip()
        except ValueError:
            reader.problem((*path, "window"), f"{window!r} {_DURATION}")
    return window


def _tier(reader: Reader, path: tuple, raw: dict, metric, spec: MetricSpec | None,
          known_tiers: set[str] | None) -> str | None:
    tier = raw.get("tier")
    if tier is None:
        return None
    if not isinstance(tier, str) or not tier.strip():
        reader.problem((*path, "tier"), f"{tier!r} is not a tier name")
        return tier
    tier = tier.strip().lower()
    if known_tiers is not None and tier not in known_tiers:
        reader.problem((*path, "tier"), f"unknown tier {tier!r} (one of {', '.join(sorted(known_tiers))})")
    elif spec is not None and not spec.tiered:
        reader.problem((*path, "tier"), f"metric {metric!r} takes no tier filter")
    elif metric == "critical_minutes_left" and tier != CRITICAL:
        reader.problem((*path, "tier"), "critical_minutes_left is about the critical tier; use min_minutes_left for another")
    return tier
