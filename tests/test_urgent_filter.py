"""The inbox's `b` filter (breached or imminent) keeps Timer.state's rule however its SQL is
written for the indexes: running tickets whose imminent instant or due time has come, and paused
tickets whose due came at or before their pause; never a solved one. On both backends, with
instants before and after now, pauses in the future and missing instants."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskui.policy import default_policy
from deskui.store import connect, write
from deskui.store.inbox import InboxFilter, InboxQuery
from deskui.timeutil import to_db

pytestmark = pytest.mark.backends

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
instants = st.none() | st.integers(-3, 3).map(lambda hours: NOW + timedelta(hours=hours))
tickets = st.tuples(st.sampled_from(["open", "pending", "snoozed", "solved"]), instants, instants, instants)


def urgent(status: str, due, imminent, paused) -> bool:
    if status == "solved":
        return False
    if paused is None and imminent is not None and imminent <= NOW:
        return True
    return due is not None and due <= (paused if paused is not None else NOW)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(tickets, min_size=1, max_size=12))
def test_breached_or_imminent_is_timer_states_rule(db_factory, rows):
    with db_factory() as target:
        conn = connect(target, create=True)
        expected = set()
        with write(conn):
            for status, due, imminent, paused in rows:
                ticket = conn.execute(
                    "INSERT INTO tickets (channel, subject, status, created_at, due_at, imminent_at, paused_at, needs_triage) "
                    "VALUES ('amazon', 'a question', ?, '2026-11-25T08:00:00Z', ?, ?, ?, 0) RETURNING id",
                    (status, *(to_db(moment) if moment else None for moment in (due, imminent, paused)))).fetchone()[0]
                if urgent(status, due, imminent, paused):
                    expected.add(ticket)
        query = InboxQuery(conn, default_policy(), filter=InboxFilter(urgent=True))
        query.set_now(NOW)
        assert query.count() == len(expected)
        assert {row.id for row in query.rows(0, 100)} == expected
        for sort in ("due", "oldest", "channel"):
            other = InboxQuery(conn, default_policy(), sort=sort, filter=InboxFilter(urgent=True))
            other.set_now(NOW)
            assert other.count() == len(expected) and {row.id for row in other.rows(0, 100)} == expected
        conn.close()
