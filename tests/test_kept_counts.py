"""The inbox header's kept counts (``KeptCounts``) equal a full count (``state_counts``) at every
instant as time passes over the stored instants, after writes by another connection, and they
count everything again only when a ticket row changed."""

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskui.clock import FixedClock
from deskui.store import connect
from deskui.store.inbox import KeptCounts, state_counts
from deskui.store.tickets import add_reply, set_status
from deskui.store.workspace import heartbeat
from tests.test_sla_truth import BASE, build, instants_of, policies, ticket_plans

pytestmark = pytest.mark.backends


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(policy=policies(), plans=ticket_plans, steps=st.lists(st.integers(min_value=0, max_value=6 * 3600), min_size=1, max_size=8),
       write_at=st.integers(min_value=0, max_value=7))
def test_kept_counts_equal_a_full_count_as_time_passes_and_tickets_change(db_factory, policy, plans, steps, write_at):
    with db_factory() as path:
        build(path, policy, plans)
        conn, other = connect(path), connect(path)
        kept = KeptCounts(policy)
        instants = sorted(instants_of(conn))
        now = BASE - timedelta(hours=2)
        moments = sorted({now + timedelta(seconds=step) for step in steps} | set(instants[:6]))
        for number, moment in enumerate(m for m in moments if m >= now):
            if number == write_at:  # another process answers a ticket meanwhile
                ticket_id = other.execute("SELECT min(id) FROM tickets WHERE status = 'open'").fetchone()[0]
                if ticket_id is not None:
                    add_reply(other, policy, FixedClock(moment), ticket_id, "ben", "On its way, sorry.")
            got = kept.update(conn, moment)
            want = state_counts(conn, policy, moment)
            assert (got.by_state, got.by_tier, got.total) == (want.by_state, want.by_tier, want.total)
            assert got.next_change == want.next_change or (
                got.next_change is not None and want.next_change is not None and got.next_change <= want.next_change)
        conn.close()
        other.close()


def test_time_alone_and_writes_to_other_tables_never_count_again(db_target):
    from deskui.policy import default_policy

    policy = default_policy()
    path = db_target
    build(path, policy, [(0, 30, "none", 1), (3, 200, "none", 1), (4, 900, "pending", 5)])
    conn, other = connect(path), connect(path)
    kept = KeptCounts(policy)
    for minutes in range(0, 24 * 60, 7):
        kept.update(conn, BASE + timedelta(minutes=minutes))
        if minutes == 70:  # an agent's heartbeat on a ticket: presence, not the ticket row
            heartbeat(other, FixedClock(BASE + timedelta(minutes=minutes)), 1, "ben", "viewing")
    assert kept.recounts == 1
    set_status(other, policy, FixedClock(BASE + timedelta(days=1)), 1, "pending", "ben")
    moment = BASE + timedelta(days=1, minutes=1)
    assert kept.update(conn, moment).by_state == state_counts(conn, policy, moment).by_state
    assert kept.recounts == 2
