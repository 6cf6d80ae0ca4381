"""The board's measures that come from the check-up's definitions: the handle time it forecasts
with, and the marks a first response time is read against.

The board's numbers themselves live in ``deskui.store.board`` / ``live_board``; this module
sits above them (analytics reads the store, never the other way round).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from statistics import median

from deskui.analytics import metrics
from deskui.analytics.metrics import RULE_MINUTES, WARNING_MINUTES
from deskui.policy.model import Policy
from deskui.store.board import DEFAULT_HANDLE_MINUTES, HISTORY_WINDOW

# First response marks, in minutes: the board shows a median FRT amber from CAUTION_MINUTES (the
# alert example "FRT above 8 h"), red from WARNING_MINUTES (the seed: 12 h is too close to
# Amazon's rule) and RULE_MINUTES is the rule itself (24 h).
CAUTION_MINUTES = 8 * 60
FRT_MARKS = {"caution": CAUTION_MINUTES, "warning": WARNING_MINUTES, "rule": RULE_MINUTES}


def frt_mark(minutes: float) -> str:
    """``ok``, ``caution``, ``warning`` or ``rule``: the highest mark a first response time
    reached (a screen picks the colour)."""
    reached = "ok"
    for name, bound in FRT_MARKS.items():
        if minutes >= bound:
            reached = name
    return reached


def handle_minutes(conn: sqlite3.Connection, policy: Policy, now: datetime) -> dict[str, float]:
    """Median handle time per tier over the last 7 days, as the check-up defines it (an agent's
    take of a ticket to their first substantive reply after it), so board and check-up agree."""
    start = now - HISTORY_WINDOW
    per_tier = metrics.clock_pass(conn, start, now, start, need=frozenset({"aht"})).aht.dim("tier")
    return {tier.name: round(median(per_tier[tier.name]), 1) if per_tier.get(tier.name) else DEFAULT_HANDLE_MINUTES
            for tier in policy.tiers}
