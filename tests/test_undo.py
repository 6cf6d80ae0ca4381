"""u on the ticket screen: the agent's last change to one ticket undone, in one transaction, as an
event; refused when someone else changed the ticket since; never twice, even from two processes."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from deskui.clock import FixedClock
from deskui.store import connect
from deskui.store.bulk import bulk_apply
from deskui.store.inbox import state_counts
from deskui.store.tickets import refresh_tickets, set_status
from deskui.store.undo import UndoRefused, last_undoable, undo_last
from deskui.ui.app import DeskApp
from deskui.ui.screens.ticket import TicketScreen
from tests.conftest import NOW
from tests.helpers import add_ticket, ago, settle
from tests.inbox_data import build

pytestmark = pytest.mark.backends

ROOT = Path(__file__).resolve().parents[1]

ACTIONS = [("claim", {}), ("assign", {"assignee": "ben"}), ("unassign", {}), ("tag", {"tags": ["vip"]}),
           ("untag", {"tags": ["fragile"]}), ("escalate", {}), ("snooze", {"snoozed_until": NOW + timedelta(hours=3)}),
           ("pending", {}), ("resolve", {})]


def one_ticket(conn, policy, assignee=None):
    ticket_id = add_ticket(conn, subject="the parcel arrived damaged", body="damaged", sent_at=ago(NOW, minutes=20),
                           assignee=assignee)
    conn.execute("INSERT INTO tags (ticket_id, tag) VALUES (?, 'fragile')", (ticket_id,))
    conn.commit()
    refresh_tickets(conn, policy, NOW)
    return ticket_id


def state(conn, policy, ticket_id, now):
    """Everything an undo must put back: the row (clocks, pause, status), its tags, its stopped
    clocks, and the counts of the inbox's header."""
    row = conn.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    counts = state_counts(conn, policy, now)
    return ({key: row[key] for key in row.keys() if key != "updated_at"},
            sorted(tag for (tag,) in conn.execute("SELECT tag FROM tags WHERE ticket_id = ?", (ticket_id,))),
            conn.execute("SELECT kind, stopped_at, outcome FROM sla_clocks WHERE ticket_id = ? ORDER BY id", (ticket_id,)).fetchall(),
            (counts.by_state, counts.by_tier, counts.total, counts.next_change))


@pytest.mark.parametrize("action, options", ACTIONS, ids=[action for action, _ in ACTIONS])
def test_apply_then_undo_leaves_the_row_its_clocks_and_the_counts_as_before(conn, policy, action, options):
    ticket_id = one_ticket(conn, policy, assignee=None if action == "claim" else "cleo")
    before = state(conn, policy, ticket_id, NOW)
    done = bulk_apply(conn, policy, FixedClock(NOW), [ticket_id], action, "ana", **options)
    assert done.changed == [ticket_id]
    assert state(conn, policy, ticket_id, NOW) != before
    undone = undo_last(conn, policy, FixedClock(NOW), ticket_id, "ana")
    assert undone.batch == done.batch
    assert state(conn, policy, ticket_id, NOW) == before
    kinds = [kind for (kind,) in conn.execute("SELECT kind FROM events WHERE ticket_id = ? ORDER BY id", (ticket_id,))]
    assert kinds[-1] == "undone"  # the undo is an event of its own
    with pytest.raises(UndoRefused, match="Nothing of yours"):
        last_undoable(conn, ticket_id, "ana")


def test_undo_goes_back_one_change_at_a_time(conn, policy, clock):
    ticket_id = one_ticket(conn, policy)
    before = state(conn, policy, ticket_id, NOW)
    bulk_apply(conn, policy, clock, [ticket_id], "claim", "ana")
    after_claim = state(conn, policy, ticket_id, NOW)
    bulk_apply(conn, policy, clock, [ticket_id], "pending", "ana")
    assert undo_last(conn, policy, clock, ticket_id, "ana").kind == "pending"
    assert state(conn, policy, ticket_id, NOW) == after_claim
    assert undo_last(conn, policy, clock, ticket_id, "ana").kind == "claimed"
    assert state(conn, policy, ticket_id, NOW) == before


def test_undo_is_refused_when_someone_else_changed_the_ticket_since(conn, policy, clock):
    ticket_id = one_ticket(conn, policy)
    bulk_apply(conn, policy, clock, [ticket_id], "pending", "ana")
    bulk_apply(conn, policy, clock, [ticket_id], "assign", "ben", assignee="ben")
    changed = state(conn, policy, ticket_id, NOW)
    with pytest.raises(UndoRefused, match="ben changed this ticket since"):
        undo_last(conn, policy, clock, ticket_id, "ana")
    assert state(conn, policy, ticket_id, NOW) == changed  # nothing of the undo stays


def test_undo_is_refused_after_the_snooze_woke_by_itself(conn, policy, clock):
    ticket_id = one_ticket(conn, policy)
    bulk_apply(conn, policy, clock, [ticket_id], "snooze", "ana", snoozed_until=NOW + timedelta(minutes=5))
    set_status(conn, policy, FixedClock(NOW + timedelta(minutes=5)), ticket_id, "open", None)  # what wake_snoozed does
    with pytest.raises(UndoRefused, match="automatically"):
        undo_last(conn, policy, clock, ticket_id, "ana")


def test_a_change_made_outside_the_ticket_screen_is_not_guessed_at(conn, policy, clock):
    ticket_id = one_ticket(conn, policy)
    set_status(conn, policy, clock, ticket_id, "pending", "ana")  # no "before" stored with it
    with pytest.raises(UndoRefused, match="cannot be undone"):
        undo_last(conn, policy, clock, ticket_id, "ana")


UNDOER = """
import sys
from datetime import datetime
from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect
from deskui.store.undo import UndoRefused, undo_last

target, ticket_id, batch = sys.argv[1], int(sys.argv[2]), sys.argv[3]
conn = connect(target)
sys.stdin.readline()  # both processes are started and connected: go
try:
    undo_last(conn, default_policy(), FixedClock(datetime.fromisoformat(sys.argv[4])), ticket_id, "ana", batch=batch)
    print("undone")
except UndoRefused as refused:
    print("refused:", refused)
"""


def test_two_processes_undoing_the_same_change_undo_it_once(db_target, conn, policy, clock):
    ticket_id = one_ticket(conn, policy)
    bulk_apply(conn, policy, clock, [ticket_id], "claim", "ana")
    before_pending = state(conn, policy, ticket_id, NOW)
    done = bulk_apply(conn, policy, clock, [ticket_id], "pending", "ana")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", UNDOER, str(db_target), str(ticket_id), done.batch, NOW.isoformat()],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
             for _ in range(2)]
    outs = [proc.communicate("go\n", timeout=120)[0].strip() for proc in procs]
    assert all(proc.returncode == 0 for proc in procs)
    assert sorted(out.split(":")[0] for out in outs) == ["refused", "undone"], outs
    assert any("undone already" in out for out in outs)
    # the claim before it is still there: the second undo did not reach further back
    assert state(conn, policy, ticket_id, NOW) == before_pending
    assert conn.execute("SELECT count(*) FROM events WHERE ticket_id = ? AND kind = 'undone'", (ticket_id,)).fetchone()[0] == 1


# -- the ticket screen: u --------------------------------------------------------------------

def app_for(target):
    from deskui.policy import default_policy

    return DeskApp(target, policy=default_policy(), clock=FixedClock(NOW), agent="ana")


def ticket_row(target, ticket_id):
    with connect(target) as db:
        row = db.execute("SELECT status, assignee, snoozed_until, tier FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        tags = sorted(tag for (tag,) in db.execute("SELECT tag FROM tags WHERE ticket_id = ?", (ticket_id,)))
    return tuple(row), tags


KEYS = [("resolve", ["x"]), ("claim", ["a", "enter"]), ("snooze", ["s", *"2h", "enter"]), ("pending", ["w"]),
        ("tag", ["plus", *"vip", "enter"]), ("escalate", ["e"])]


@pytest.mark.parametrize("action, keys", KEYS, ids=[action for action, _ in KEYS])
async def test_u_on_the_ticket_screen_undoes_the_last_action(db_target, action, keys):
    ids = build(db_target, NOW)
    ticket_id = ids["breached"]
    with connect(db_target) as db:
        db.execute("UPDATE tickets SET assignee = NULL WHERE id = ?", (ticket_id,))
        db.commit()
    before = ticket_row(db_target, ticket_id)
    async with app_for(db_target).run_test(size=(140, 40)) as pilot:
        pilot.app.push_screen(TicketScreen(ticket_id))
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
        await settle(pilot)
        assert ticket_row(db_target, ticket_id) != before, action
        await pilot.press("u")
        await settle(pilot)
        assert ticket_row(db_target, ticket_id) == before, action
        assert isinstance(pilot.app.screen, TicketScreen)
        assert "ana" not in str(pilot.app.screen.query_one("#status").render()) or before[0][1] == "ana"
        await pilot.press("u")  # nothing of ana's left to undo: said, and nothing changes
        await settle(pilot)
        assert ticket_row(db_target, ticket_id) == before
        assert any("Nothing of yours to undo" in str(n.message) for n in pilot.app._notifications)


async def test_u_says_who_changed_the_ticket_and_changes_nothing(db_target):
    ids = build(db_target, NOW)
    ticket_id = ids["breached"]
    async with app_for(db_target).run_test(size=(140, 40)) as pilot:
        pilot.app.push_screen(TicketScreen(ticket_id))
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        with connect(db_target) as other:  # another agent, another process's connection
            bulk_apply(other, pilot.app.policy, FixedClock(NOW), [ticket_id], "assign", "ben", assignee="ben")
        changed = ticket_row(db_target, ticket_id)
        await pilot.press("u")
        await settle(pilot)
        assert ticket_row(db_target, ticket_id) == changed
        assert any("ben changed this ticket since" in str(n.message) for n in pilot.app._notifications)
