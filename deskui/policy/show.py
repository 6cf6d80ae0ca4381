"""``deskui policy show``: the policy in force, for people."""

from __future__ import annotations

from deskui.policy.model import WEEKDAYS, Policy
from deskui.timeutil import format_minutes


def describe(policy: Policy) -> str:
    lines = [f"SLA policy: {policy.source}", ""]
    lines.append(f"{'tier':<10} {'first':>6} {'next':>6} {'resolve':>8}  calendar   why")
    for tier in policy.tiers:
        resolution = format_minutes(tier.resolution_minutes) if tier.resolution_minutes else "-"
        lines.append(
            f"{tier.name:<10} {format_minutes(tier.first_response_minutes):>6} "
            f"{format_minutes(tier.next_response_minutes):>6} {resolution:>8}  "
            f"{(tier.calendar or '24x7'):<10} {tier.why}"
        )
    lines += ["", "rules (first match wins):"]
    for number, rule in enumerate(policy.rules, start=1):
        conditions = []
        if rule.channels:
            conditions.append("channel " + "|".join(sorted(rule.channels)))
        if rule.categories:
            conditions.append("category " + "|".join(sorted(rule.categories)))
        if rule.keyword_groups:
            conditions.append("keywords " + "|".join(sorted(rule.keyword_groups)))
        if rule.tags:
            conditions.append("tag " + "|".join(sorted(rule.tags)))
        when = " and ".join(conditions) or "always"
        lines.append(f"  {number}. {when} -> {rule.tier}" + (f"  ({rule.why})" if rule.why else ""))
    lines += [
        "",
        f"at risk under {policy.at_risk_fraction:.0%} of the target left, imminent under {policy.imminent_fraction:.0%}",
    ]
    for channel, minutes in sorted(policy.marketplace_deadline_minutes.items()):
        lines.append(f"marketplace deadline: {channel} {format_minutes(minutes)} (calendar time, weekends included)")
    for name, calendar in sorted(policy.calendars.items()):
        if calendar.always:
            continue
        days = ",".join(WEEKDAYS[day] for day in sorted(calendar.weekdays))
        lines.append(
            f"calendar {name}: {days} {calendar.opens:%H:%M}-{calendar.closes:%H:%M} {calendar.timezone}"
            + (f", {len(calendar.holidays)} holiday(s)" if calendar.holidays else "")
        )
    for channel, name in sorted(policy.channel_calendars.items()):
        lines.append(f"channel {channel} runs on calendar {name}")
    for name, terms in sorted(policy.keyword_groups.items()):
        lines.append(f"keyword group {name}: {', '.join(terms)}")
    return "\n".join(lines)
