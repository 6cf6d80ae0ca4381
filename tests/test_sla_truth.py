"""One SLA truth: every surface reports the same state and time left for every ticket, at any
instant, exact boundaries included, on 24/7 and business-hours calendars across a DST change and
a holiday.

The surfaces: the inbox row, the header counts, the order panel, the ticket header, the board
(loaded once and updated, and loaded anew), the check-up's open breaches and the alert rules.
"""

import dataclasses
import re
import tempfile
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskui.analytics.alerts import AlertRule, evaluate_alerts
from deskui.analytics.health import _waiting_now
from deskui.clock import FixedClock
from deskui.policy import Calendar, default_policy
from deskui.sla import SlaState
from deskui.store import connect
from deskui.store.changes import ChangeFeed
from deskui.store.context import PANEL_CLOCKS, ticket_context
from deskui.store.inbox import InboxQuery, state_counts
from deskui.store.live_board import LiveBoard, first_look
from deskui.store.tickets import add_reply, refresh_tickets, set_status
from deskui.timeutil import from_db
from deskui.ui.widgets.order_panel import render_deadlines
from deskui.ui.widgets.ticket_list import countdown_text
from tests.helpers import add_ticket

pytestmark = pytest.mark.backends

UTC = timezone.utc
# Europe leaves summer time on Sunday 25 October 2026; Friday the 23rd is a holiday here.
BASE = datetime(2026, 10, 26, 9, 40, tzinfo=UTC)
PARIS_OFFICE = Calendar(name="paris", timezone="Europe/Paris", weekdays=frozenset(range(5)), opens=time(9),
                        closes=time(17), holidays=frozenset({date(2026, 10, 23)}), always=False)
SUBJECTS = [("amazon", "I will open an A-to-z claim"), ("amazon", "the parcel arrived damaged"),
            ("amazon", "question about the size"), ("shopify", "I want a refund"), ("ebay", "hello there"),
            ("walmart", "where is my order")]
HANDLE = {"critical": 6.0, "high": 9.0, "clv": 12.0, "standard": 15.0, "normal": 20.0}


def policies():
    plain = default_policy()
    office = dataclasses.replace(plain, calendars={"paris": PARIS_OFFICE}, channel_calendars={"amazon": "paris"})
    return st.sampled_from([plain, office])


ticket_plans = st.lists(
    st.tuples(
        st.sampled_from(range(len(SUBJECTS))),
        st.integers(min_value=0, max_value=4 * 24 * 60),  # minutes before BASE the buyer wrote
        st.sampled_from(["none", "reply", "pending", "snooze", "reply_then_buyer"]),
        st.integers(min_value=1, max_value=26 * 60),  # minutes after writing the agent acted
    ),
    min_size=1,
    max_size=10,
)


def build(path: Path, policy, plans) -> None:
    conn = connect(path, create=True)
    actions = []
    for subject_index, age, action, delay in plans:
        channel, subject = SUBJECTS[subject_index]
        written = BASE - timedelta(minutes=age)
        ticket_id = add_ticket(conn, channel=channel, subject=subject, body=subject, sent_at=written)
        refresh_tickets(conn, policy, written, [ticket_id])
        acted = written + timedelta(minutes=delay)
        if action != "none" and acted <= BASE:
            actions.append((acted, ticket_id, action))
    for acted, ticket_id, action in sorted(actions):
        clock = FixedClock(acted)
        if action in ("reply", "reply_then_buyer"):
            add_reply(conn, policy, clock, ticket_id, "ana", "Sorry about that, a replacement is on its way.")
            if action == "reply_then_buyer":
                add_ticket_message(conn, ticket_id, acted + timedelta(minutes=3))
                refresh_tickets(conn, policy, acted + timedelta(minutes=3), [ticket_id])
        elif action == "pending":
            set_status(conn, policy, clock, ticket_id, "pending", "ana")
        else:
            set_status(conn, policy, clock, ticket_id, "snoozed", "ana", snoozed_until=acted + timedelta(days=3))
    conn.close()


def add_ticket_message(conn, ticket_id, at):
    from deskui.store import write
    from deskui.timeutil import to_db

    with write(conn):
        conn.execute("INSERT INTO messages (ticket_id, direction, author, body, sent_at) VALUES (?, 'in', 'buyer', ?, ?)",
                     (ticket_id, "Any news? It is still broken.", to_db(at)))


def instants_of(conn) -> list[datetime]:
    found = []
    for row in conn.execute("SELECT due_at, at_risk_at, imminent_at, sla_due_at, sla_at_risk_at, sla_imminent_at, "
                            "marketplace_due_at, marketplace_at_risk_at, marketplace_imminent_at FROM tickets"):
        found += [from_db(value) for value in row if value]
    return found


PANEL_LINE = re.compile(r"^(internal|marketplace|resolution)\s+(.*?)\s+(\S+) (on track|at risk|imminent|breached|paused|met|missed)")


def panel_states(context, now) -> dict[str, tuple[str, str]]:
    """label -> (what the panel says is left, state label), read back from its text."""
    shown = {}
    for line in render_deadlines(context, now).plain.splitlines():
        match = PANEL_LINE.match(line)
        if match:
            shown[match[1]] = (match[2], match[4])
    return shown


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(policy=policies(), plans=ticket_plans, pick=st.integers(min_value=0, max_value=10_000),
       nudge=st.sampled_from([timedelta(0), timedelta(seconds=-1), timedelta(seconds=1), timedelta(microseconds=500_000)]))
def test_every_surface_tells_the_same_state_at_every_instant(db_factory, policy, plans, pick, nudge):
    with db_factory() as path:
        build(path, policy, plans)
        conn = connect(path)
        board = LiveBoard(policy)
        board.load(conn, BASE - timedelta(hours=1), BASE.replace(hour=0, minute=0))
        feed = ChangeFeed(conn)
        instants = instants_of(conn)
        # exactly on a stored instant (or a hair off it), else the plain "now"
        now = (instants[pick % len(instants)] if instants and pick % 3 else BASE) + nudge

        rows = InboxQuery(conn, policy).rows(0, 1000)
        row_states = {row.id: row.timer.state(now) for row in rows}
        assert len(rows) == conn.execute("SELECT count(*) FROM tickets WHERE status != 'solved'").fetchone()[0]

        # the header counts
        counts = state_counts(conn, policy, now)
        assert counts.by_state == {state.key: Counter(s.key for s in row_states.values())[state.key] for state in SlaState}
        if counts.next_change is not None:
            # the counts hold until the instant they name, and move at it
            assert counts.next_change > now
            just_before = max(now, counts.next_change - timedelta(seconds=1))
            assert state_counts(conn, policy, just_before).by_state == counts.by_state
            assert state_counts(conn, policy, counts.next_change).by_state != counts.by_state

        for row in rows:
            context = ticket_context(conn, row.id)
            # the ticket header reads the same stored instants
            assert context.timer.state(now) is row_states[row.id]
            assert context.timer.left(now) == row.timer.left(now)
            # the panel: the clock behind the row's countdown says the same state and time left
            if row.due_kind is None:
                continue
            label = next(label for label, prefix, kinds, _ in PANEL_CLOCKS if row.due_kind in kinds)
            shown = panel_states(context, now)
            if not (row.paused_at is not None and label == "marketplace"):
                left, state = shown[label]
                assert state == row_states[row.id].label
                if row.paused_at is None:
                    assert left.endswith(countdown_text(row_states[row.id], row.timer.left(now)).strip())

        # the board, updated and loaded anew, and every row's own state
        feed.poll()
        expected = Counter((row.tier, row_states[row.id].key) for row in rows)
        look = first_look(conn, policy, now, BASE.replace(hour=0, minute=0), {})  # the board's first frame, counted in SQL
        for matrix in (board.matrix(now), fresh_board(conn, policy, now).matrix(now), look.matrix):
            assert {(tier, state): n for tier, states in matrix.items() for state, n in states.items()} == dict(expected)

        # the check-up and the alert rules
        breached = sum(1 for state in row_states.values() if state is SlaState.BREACHED)
        assert _waiting_now(conn, now, None)["breached_open"] == breached
        rule = AlertRule(name="breaches", metric="breached_open", op=">=", threshold=0)
        fired = evaluate_alerts(conn, policy, now, [rule])
        assert (fired[0].value if fired else 0) == breached
        running = [row.timer.left(now) for row in rows if row_states[row.id] in (SlaState.ON_TRACK, SlaState.AT_RISK, SlaState.IMMINENT)
                   and row.due_at is not None]
        least = AlertRule(name="least", metric="min_minutes_left", op="<", threshold=100_000)
        fired = evaluate_alerts(conn, policy, now, [least])
        if running:
            assert fired and abs(fired[0].value - min(running).total_seconds() / 60) <= 0.05
        conn.close()


def fresh_board(conn, policy, now):
    board = LiveBoard(policy)
    board.load(conn, now, BASE.replace(hour=0, minute=0))
    return board


def test_a_late_first_reply_shows_missed_everywhere(conn, policy):
    written = datetime(2026, 11, 25, 16, 15, 40, tzinfo=UTC)
    ticket_id = add_ticket(conn, subject="the parcel arrived damaged", body="damaged", sent_at=written)
    refresh_tickets(conn, policy, written)  # high: due 18:15:40
    add_reply(conn, policy, FixedClock(datetime(2026, 11, 25, 18, 16, 25, tzinfo=UTC)), ticket_id, "ana", "Sorry, on its way.")
    now = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)
    outcome = conn.execute("SELECT outcome, margin_minutes FROM sla_clocks WHERE kind = 'first_response'").fetchone()
    assert tuple(outcome) == ("missed", -0.8)
    row = InboxQuery(conn, policy).row(0)
    assert row.timer.state(now) is SlaState.MISSED
    assert ticket_context(conn, ticket_id).timer.state(now) is SlaState.MISSED
    assert state_counts(conn, policy, now).by_state["missed"] == 1
    panel = render_deadlines(ticket_context(conn, ticket_id), now).plain
    assert "missed, late by 0.8 min" in panel


def test_a_paused_breached_ticket_shows_its_frozen_time_left_not_an_old_due_time(conn, policy):
    written = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    ticket_id = add_ticket(conn, subject="the parcel arrived damaged", body="damaged", sent_at=written)
    refresh_tickets(conn, policy, written)  # high: due 10:00
    set_status(conn, policy, FixedClock(datetime(2026, 11, 25, 19, 40, tzinfo=UTC)), ticket_id, "pending", "ana")
    now = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    panel = render_deadlines(ticket_context(conn, ticket_id), now).plain
    internal = next(line for line in panel.splitlines() if line.startswith("internal"))
    assert "paused, 9h40m past due" in internal and "✗ breached" in internal and "2026-11-25" not in internal
    # Amazon's own deadline does not pause: it ran out at 08:00 the next day
    marketplace = next(line for line in panel.splitlines() if line.startswith("marketplace"))
    assert "2026-11-26 08:00" in marketplace and "breached" in marketplace
