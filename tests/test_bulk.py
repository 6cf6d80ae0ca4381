"""Bulk actions: one transaction, one undo, and overlapping bulk claims from two processes."""

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskui.clock import FixedClock
from deskui.store import connect
from deskui.store.bulk import bulk_apply, undo
from deskui.store.inbox import InboxQuery, state_counts
from deskui.store.tickets import refresh_tickets, set_status
from deskui.timeutil import from_db
from tests.helpers import add_ticket, ago
from tests.test_sla_truth import BASE, build, policies, ticket_plans

pytestmark = pytest.mark.backends

ROOT = Path(__file__).resolve().parents[1]


def tickets(conn, policy, now, count=6):
    ids = [add_ticket(conn, subject="the parcel arrived damaged", body="damaged", sent_at=ago(now, minutes=10 + n))
           for n in range(count)]
    refresh_tickets(conn, policy, now)
    return ids


def rows(conn, ids):
    marks = ",".join("?" * len(ids))
    return {row["id"]: dict(row) for row in conn.execute(
        f"SELECT id, status, assignee, paused_at, snoozed_until, tier, due_at FROM tickets WHERE id IN ({marks})", ids)}


def tags(conn, ticket_id):
    return sorted(row[0] for row in conn.execute("SELECT tag FROM tags WHERE ticket_id = ?", (ticket_id,)))


@pytest.mark.sqlite_only("sqlite3's trace callback counts the transactions")
def test_a_bulk_snooze_and_its_undo_each_take_one_transaction(conn, policy, clock):
    now = clock.now()
    ids = tickets(conn, policy, now)
    before = rows(conn, ids)
    statements = []
    conn.set_trace_callback(statements.append)
    done = bulk_apply(conn, policy, clock, ids, "snooze", "ana", snoozed_until=now + timedelta(hours=3))
    conn.set_trace_callback(None)
    assert sorted(done.changed) == ids and not done.skipped
    assert sum(1 for sql in statements if sql.startswith("BEGIN")) == 1
    assert all(row["status"] == "snoozed" for row in rows(conn, ids).values())
    assert InboxQuery(conn, policy).row(0).timer.paused_at is not None  # every screen sees them paused
    later = FixedClock(now + timedelta(minutes=2))
    undone = undo(conn, policy, later, done, "ana")
    assert sorted(undone.changed) == ids
    after = rows(conn, ids)
    assert all(after[i]["status"] == "open" and after[i]["paused_at"] is None for i in ids)
    # the two minutes paused push the clocks back, as a snooze and a resume one by one would
    assert all(after[i]["due_at"] > before[i]["due_at"] for i in ids)


def test_bulk_claim_skips_tickets_held_by_someone_else_and_undo_gives_them_back(conn, policy, clock):
    ids = tickets(conn, policy, clock.now())
    bulk_apply(conn, policy, clock, ids[:2], "claim", "ben")
    done = bulk_apply(conn, policy, clock, ids, "claim", "ana")
    assert sorted(done.changed) == ids[2:] and set(done.skipped) == set(ids[:2])
    assert "held by ben" in done.describe()
    undo(conn, policy, clock, done, "ana")
    assert [rows(conn, ids)[i]["assignee"] for i in ids] == ["ben", "ben", None, None, None, None]


def test_bulk_escalate_lifts_the_tier_and_undo_drops_it(conn, policy, clock):
    ids = tickets(conn, policy, clock.now(), 3)
    done = bulk_apply(conn, policy, clock, ids, "escalate", "ana")
    assert {row["tier"] for row in rows(conn, ids).values()} == {"critical"}
    undo(conn, policy, clock, done, "ana")
    assert {row["tier"] for row in rows(conn, ids).values()} == {"high"}
    assert all(tags(conn, i) == [] for i in ids)


def test_bulk_resolve_then_undo_reopens(conn, policy, clock):
    ids = tickets(conn, policy, clock.now(), 3)
    done = bulk_apply(conn, policy, clock, ids, "resolve", "ana")
    assert {row["status"] for row in rows(conn, ids).values()} == {"solved"}
    assert InboxQuery(conn, policy).count() == 0
    undo(conn, policy, clock, done, "ana")
    assert {row["status"] for row in rows(conn, ids).values()} == {"open"}
    assert InboxQuery(conn, policy).count() == 3


def test_an_undone_resolve_puts_the_saved_clocks_back_unless_the_ticket_moved_since(conn, policy, clock):
    """The resolve's event keeps the clocks it emptied; its undo puts them back without a re-derive,
    and they are what a full derive gives. A ticket replied to while solved is re-derived."""
    from deskui.store.tickets import add_reply

    ids = tickets(conn, policy, clock.now(), 4)
    before = _ticket_rows(conn)
    done = bulk_apply(conn, policy, clock, ids, "resolve", "ana")
    later = FixedClock(clock.now() + timedelta(minutes=30))
    add_reply(conn, policy, later, ids[0], "ben", "Sorted: a replacement left today.")
    undo(conn, policy, later, done, "ana")
    undone = _ticket_rows(conn)
    assert all(undone[i] == before[i] for i in ids[1:])  # as they were, clocks and all
    assert undone[ids[0]]["first_response_at"] != before[ids[0]]["first_response_at"]
    refresh_tickets(conn, policy, later.now(), ids)  # the full derive, messages, triage and all
    assert _ticket_rows(conn) == undone


def test_a_failed_bulk_action_changes_nothing(backend, conn, policy, clock):
    ids = tickets(conn, policy, clock.now(), 4)
    if backend == "sqlite":
        conn.execute("CREATE TRIGGER refuse AFTER UPDATE OF status ON tickets WHEN new.id = %d "
                     "BEGIN SELECT RAISE(ABORT, 'refused'); END" % ids[2])
    else:
        conn.execute("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                     "$$ BEGIN RAISE EXCEPTION 'refused'; END $$")
        conn.execute("CREATE TRIGGER refuse AFTER UPDATE OF status ON tickets FOR EACH ROW "
                     "WHEN (NEW.id = %d) EXECUTE FUNCTION refuse()" % ids[2])
    try:
        bulk_apply(conn, policy, clock, ids, "pending", "ana")
    except Exception as error:
        assert "refused" in str(error)
    else:
        raise AssertionError("the trigger should have refused the batch")
    assert {row["status"] for row in rows(conn, ids).values()} == {"open"}


CLAIMER = """
import sys
from pathlib import Path
from datetime import datetime
from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect
from deskui.store.bulk import bulk_apply

path, agent, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
conn = connect(path)
clock = FixedClock(datetime.fromisoformat(sys.argv[5]))
ids = list(range(first, last + 1))
claimed = []
for start in range(0, len(ids), 25):  # in several batches, so the two processes interleave
    claimed += bulk_apply(conn, default_policy(), clock, ids[start:start + 25], "claim", agent).changed
print(" ".join(map(str, claimed)))
"""


def test_two_processes_bulk_claiming_overlapping_marks_get_each_ticket_once(db_path, policy, clock):
    conn = connect(db_path)
    ids = tickets(conn, policy, clock.now(), 300)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first, last = ids[0], ids[-1]
    procs = [subprocess.Popen([sys.executable, "-c", CLAIMER, str(db_path), agent, str(lo), str(hi), clock.now().isoformat()],
                              stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
             for agent, lo, hi in (("ana", first, last - 50), ("ben", first + 50, last))]
    claimed = {}
    for agent, proc in zip(("ana", "ben"), procs):
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        claimed[agent] = {int(value) for value in out.split()}
    assert not claimed["ana"] & claimed["ben"]
    assert claimed["ana"] | claimed["ben"] == set(ids)
    holders = dict(conn.execute("SELECT id, assignee FROM tickets"))
    assert all(holders[i] == ("ana" if i in claimed["ana"] else "ben") for i in ids)


# -- the fast re-derive is the full one: bulk against one ticket at a time, and apply then undo --

BULK_CASES = [("pending", {}), ("snooze", {"snoozed_until": BASE + timedelta(hours=5)}), ("resolve", {}),
              ("reopen", {}), ("tag", {"tags": ["vip"]}), ("escalate", {}), ("claim", {})]


def _ticket_rows(conn):
    return {row["id"]: {key: row[key] for key in row.keys() if key != "updated_at"}
            for row in conn.execute("SELECT * FROM tickets ORDER BY id")}


def _one_by_one(conn, policy, clock, ids, action, options):
    """What the bulk action must equal: the single-ticket writes, each re-deriving its ticket whole."""
    from deskui.store import write
    from deskui.store.tickets import claim

    status = {"pending": "pending", "snooze": "snoozed", "resolve": "solved", "reopen": "open"}.get(action)
    for ticket_id in ids:
        current = conn.execute("SELECT status FROM tickets WHERE id = ?", (ticket_id,)).fetchone()[0]
        if status is not None and (current != status or status == "snoozed"):
            set_status(conn, policy, clock, ticket_id, status, "ana", snoozed_until=options.get("snoozed_until"))
        elif action in ("tag", "escalate"):
            with write(conn):
                for tag in options.get("tags", ["escalated"]):
                    conn.execute("INSERT OR IGNORE INTO tags (ticket_id, tag) VALUES (?, ?)", (ticket_id, tag))
                refresh_tickets(conn, policy, clock.now(), [ticket_id])
        elif action == "claim":
            claim(conn, clock, ticket_id, "ana")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(policy=policies(), plans=ticket_plans, case=st.sampled_from(BULK_CASES), resolved=st.booleans(),
       later=st.integers(min_value=0, max_value=3 * 60))
def test_a_bulk_action_writes_what_one_ticket_at_a_time_writes_and_undo_puts_it_back(policy, plans, case, resolved, later):
    action, options = case
    with tempfile.TemporaryDirectory() as folder:
        bulk_path, single_path = Path(folder) / "bulk.db", Path(folder) / "single.db"
        build(bulk_path, policy, plans)
        clock = FixedClock(BASE + timedelta(minutes=later))
        if resolved:  # some tickets come back from solved: their marketplace clock starts again
            conn = connect(bulk_path)
            set_status(conn, policy, FixedClock(BASE), 1, "solved", "ben")
            conn.close()
        shutil.copyfile(bulk_path, single_path)
        bulk, single = connect(bulk_path), connect(single_path)
        ids = [row[0] for row in bulk.execute("SELECT id FROM tickets ORDER BY id")]
        before, counts_before = _ticket_rows(bulk), state_counts(bulk, policy, clock.now())
        done = bulk_apply(bulk, policy, clock, ids, action, "ana", **options)
        _one_by_one(single, policy, clock, ids, action, options)
        assert _ticket_rows(bulk) == _ticket_rows(single)
        clocks = "SELECT ticket_id, kind, tier, started_at, due_at, stopped_at, outcome, margin_minutes FROM sla_clocks ORDER BY 1, 2, 4"
        assert bulk.execute(clocks).fetchall() == single.execute(clocks).fetchall()
        undo(bulk, policy, clock, done, "ana")
        assert _ticket_rows(bulk) == before  # every row, clocks and pauses included
        counts_after = state_counts(bulk, policy, clock.now())
        assert (counts_after.by_state, counts_after.by_tier, counts_after.total, counts_after.next_change) == (
            counts_before.by_state, counts_before.by_tier, counts_before.total, counts_before.next_change)
        bulk.close()
        single.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(policy=policies(), plans=ticket_plans, pause=st.sampled_from(["pending", "snooze"]), later=st.integers(min_value=0, max_value=3 * 60),
       wait=st.one_of(st.just(0), st.integers(min_value=1, max_value=5), st.integers(min_value=0, max_value=4 * 24 * 60)))
def test_undoing_a_bulk_pause_later_writes_what_resuming_one_ticket_at_a_time_writes(policy, plans, pause, later, wait):
    """The undo of a bulk pending or snooze ends each pause; where the pause holds no working time
    (undone at once, or overnight, over a weekend) it moves no clock and the undo skips the
    re-derive: either way every row is what a full derive of a pause then a resume gives."""
    options = {"snoozed_until": BASE + timedelta(days=5)} if pause == "snooze" else {}
    with tempfile.TemporaryDirectory() as folder:
        bulk_path, single_path = Path(folder) / "bulk.db", Path(folder) / "single.db"
        build(bulk_path, policy, plans)  # open tickets: the undo resumes them (back to solved is the test above)
        shutil.copyfile(bulk_path, single_path)
        bulk, single = connect(bulk_path), connect(single_path)
        ids = [row[0] for row in bulk.execute("SELECT id FROM tickets ORDER BY id")]
        before = _ticket_rows(bulk)
        paused_at, undone_at = FixedClock(BASE + timedelta(minutes=later)), FixedClock(BASE + timedelta(minutes=later + wait))
        done = bulk_apply(bulk, policy, paused_at, ids, pause, "ana", **options)
        undo(bulk, policy, undone_at, done, "ana")
        _one_by_one(single, policy, paused_at, ids, pause, options)
        for ticket_id in ids:
            previous, until = before[ticket_id]["status"], before[ticket_id]["snoozed_until"]
            if tuple(single.execute("SELECT status, snoozed_until FROM tickets WHERE id = ?", (ticket_id,)).fetchone()) != (previous, until):
                set_status(single, policy, undone_at, ticket_id, previous, "ana", snoozed_until=from_db(until))
        got, want = _ticket_rows(bulk), _ticket_rows(single)
        assert {i: {k: (v, want[i][k]) for k, v in row.items() if v != want[i][k]} for i, row in got.items()} == {i: {} for i in got}
        if wait == 0:
            assert _ticket_rows(bulk) == before
        bulk.close()
        single.close()


def test_bulk_untag_removes_the_tag_and_undoing_a_tag_keeps_the_ones_already_there(conn, policy, clock):
    ids = tickets(conn, policy, clock.now(), 2)
    conn.execute("INSERT INTO tags (ticket_id, tag) VALUES (?, 'vip')", (ids[0],))
    conn.commit()
    done = bulk_apply(conn, policy, clock, ids, "tag", "ana", tags=["vip"])
    undo(conn, policy, clock, done, "ana")
    assert tags(conn, ids[0]) == ["vip"] and tags(conn, ids[1]) == []  # ids[0] had it before: it stays
    bulk_apply(conn, policy, clock, ids, "untag", "ana", tags=["vip"])
    assert tags(conn, ids[0]) == []
