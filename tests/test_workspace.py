from datetime import datetime, timedelta, timezone

import pytest

from deskui.store import SCHEMA_VERSION, connect
from deskui.store.tickets import add_reply, refresh_tickets
from deskui.store.workspace import (add_note, changes_since_opened, escalate, heartbeat, leave, load_draft, others_present,
                                    parse_snooze, presence_by_ticket, save_draft, set_tags)
from deskui.timeutil import zone
from tests.helpers import add_ticket, ago

pytestmark = pytest.mark.backends

PARIS = zone("Europe/Paris")


def test_schema_v2_adds_presence_to_an_old_file(tmp_path):
    import sqlite3

    from deskui.store.db import _split_sql
    from deskui.store.schema import APPLICATION_ID, MIGRATIONS

    path = tmp_path / "v1.db"
    raw = sqlite3.connect(path, isolation_level=None)
    for statement in _split_sql(MIGRATIONS[0]):
        raw.execute(statement)
    raw.execute("PRAGMA user_version = 1")
    raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    raw.execute("INSERT INTO tickets (channel, subject, created_at) VALUES ('ebay', 'kept', '2026-11-25T10:00:00Z')")
    raw.close()
    conn = connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT subject FROM tickets").fetchone()[0] == "kept"
    assert conn.execute("SELECT count(*) FROM presence").fetchone()[0] == 0


def test_note_is_never_sent_and_never_stops_a_clock(conn, policy, clock):
    ticket = add_ticket(conn, subject="Damaged", body="broken on arrival", sent_at=ago(clock.now(), minutes=5))
    refresh_tickets(conn, policy, clock.now())
    due = conn.execute("SELECT due_at FROM tickets WHERE id = ?", (ticket,)).fetchone()[0]
    add_note(conn, clock, ticket, "ana", "Checked the carrier: crushed in transit")
    assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    refresh_tickets(conn, policy, clock.now(), [ticket])
    assert conn.execute("SELECT due_at FROM tickets WHERE id = ?", (ticket,)).fetchone()[0] == due
    with pytest.raises(ValueError):
        add_note(conn, clock, ticket, "ana", "   ")


def test_escalation_lifts_the_tier(conn, policy, clock):
    ticket = add_ticket(conn, channel="instagram", subject="hi", body="question", sent_at=ago(clock.now(), minutes=5))
    refresh_tickets(conn, policy, clock.now())
    assert escalate(conn, policy, clock, ticket, "ana", "angry buyer") == "critical"
    set_tags(conn, policy, clock, ticket, "ana", remove=("Escalated",))
    assert conn.execute("SELECT tier FROM tickets WHERE id = ?", (ticket,)).fetchone()[0] == "normal"


def test_drafts_survive_another_connection(db_path, conn, clock):
    ticket = add_ticket(conn, subject="x", body="y", sent_at=clock.now())
    save_draft(conn, clock, ticket, "ana", "Bonjour Claire,")
    assert load_draft(connect(db_path), ticket, "ana") == "Bonjour Claire,"
    assert load_draft(conn, ticket, "ben") == ""
    save_draft(conn, clock, ticket, "ana", "")
    assert load_draft(conn, ticket, "ana") == ""


def test_presence_goes_stale(conn, clock):
    ticket = add_ticket(conn, subject="x", body="y", sent_at=clock.now())
    heartbeat(conn, clock, ticket, "ben", "replying")
    assert [p.agent for p in others_present(conn, clock, ticket, "ana")] == ["ben"]
    assert others_present(conn, clock, ticket, "ben") == []
    assert presence_by_ticket(conn, clock, [ticket])[ticket][0].activity == "replying"
    clock.advance(seconds=31)
    assert others_present(conn, clock, ticket, "ana") == []
    heartbeat(conn, clock, ticket, "ben")
    leave(conn, ticket, "ben")
    assert others_present(conn, clock, ticket, "ana") == []


def test_collision_shows_someone_elses_reply(conn, policy, clock):
    ticket = add_ticket(conn, subject="x", body="y", sent_at=ago(clock.now(), minutes=5))
    refresh_tickets(conn, policy, clock.now())
    opened = clock.now()
    clock.advance(minutes=1)
    assert not changes_since_opened(conn, ticket, "ana", opened)
    add_reply(conn, policy, clock, ticket, "ben", "Already answered!")
    collision = changes_since_opened(conn, ticket, "ana", opened)
    assert collision and collision.replies[0]["author"] == "ben"


NOW = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)  # 16:00 in Paris, a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", NOW + timedelta(hours=2)),
        ("90m", NOW + timedelta(minutes=90)),
        ("tomorrow 9am", datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)),
        ("tomorrow", datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)),
        ("demain 14:30", datetime(2026, 11, 26, 13, 30, tzinfo=timezone.utc)),
        ("9am", datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)),
        ("2026-12-01 08:30", datetime(2026, 12, 1, 7, 30, tzinfo=timezone.utc)),
        ("friday 10:00", datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)),
    ],
)
def test_snooze_times_in_the_agents_zone(text, expected):
    assert parse_snooze(text, NOW, PARIS) == expected


@pytest.mark.parametrize("text", ["", "someday", "2020-01-01", "soon-ish 25:99"])
def test_bad_snooze_times_say_so(text):
    with pytest.raises(ValueError):
        parse_snooze(text, NOW, PARIS)
