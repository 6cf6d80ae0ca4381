from datetime import timedelta

import pytest

from deskui.store import write
from deskui.analytics.board import handle_minutes
from deskui.store.live_board import LiveBoard, _epoch
from deskui.store.tickets import claim, record_event, refresh_tickets
from tests.helpers import add_ticket, ago, full_board

pytestmark = pytest.mark.backends


def test_matrix_counts_by_tier_and_state(conn, policy, clock):
    now = clock.now()
    add_ticket(conn, subject="A-to-z claim", body="", sent_at=ago(now, minutes=70))  # critical, breached
    add_ticket(conn, subject="A-to-z claim", body="", sent_at=ago(now, minutes=55))  # critical, imminent (5 of 60 left)
    add_ticket(conn, subject="damaged", body="", sent_at=ago(now, minutes=100))  # high, at risk (20 of 120 left)
    add_ticket(conn, channel="ebay", subject="hello", body="", sent_at=now)  # normal, on track
    refresh_tickets(conn, policy, now)
    matrix = full_board(conn, policy, now, now.replace(hour=0)).matrix
    assert matrix["critical"] == {"breached": 1, "imminent": 1}
    assert matrix["high"] == {"at_risk": 1}
    assert matrix["normal"] == {"on_track": 1}


def test_forecast_counts_what_nobody_reaches(conn, policy, clock):
    now = clock.now()
    # three critical tickets due in 10, 12 and 14 minutes; one agent taking 8 min each saves only the first
    for minutes in (50, 48, 46):
        add_ticket(conn, subject="A-to-z claim", body="", sent_at=ago(now, minutes=minutes))
    refresh_tickets(conn, policy, now)
    handle = {tier.name: 8.0 for tier in policy.tiers}
    board = LiveBoard(policy)
    board.load(conn, now, now.replace(hour=0))
    fifteen, sixty = board._forecast(_epoch(now), 1, handle)
    assert fifteen.by_tier == {"critical": 2} and sixty.total == 2
    two_agents = board._forecast(_epoch(now), 2, handle)[0]
    assert two_agents.by_tier == {"critical": 1}
    nobody = board._forecast(_epoch(now), 0, handle)[0]
    assert nobody.total == 3


def test_handle_time_is_measured_from_events(conn, policy, clock):
    now = clock.now()
    from deskui.clock import FixedClock
    from deskui.store.tickets import add_reply

    ticket = add_ticket(conn, subject="damaged", body="", sent_at=ago(now, hours=1))
    refresh_tickets(conn, policy, now)
    with write(conn):
        record_event(conn, ticket, "opened", "ana", now - timedelta(minutes=30))
    add_reply(conn, policy, FixedClock(now - timedelta(minutes=18)), ticket, "ana", "Sorry, a replacement is on its way.")
    assert handle_minutes(conn, policy, now)["high"] == 12.0


def test_board_data_lists_agents_and_next_breaches(conn, policy, clock):
    now = clock.now()
    first = add_ticket(conn, subject="A-to-z claim", body="", sent_at=ago(now, minutes=70))
    soon = add_ticket(conn, subject="A-to-z claim", body="", sent_at=ago(now, minutes=50))
    add_ticket(conn, channel="ebay", subject="hello", body="", sent_at=now)
    refresh_tickets(conn, policy, now)
    claim(conn, clock, first, "ana")
    data = full_board(conn, policy, now, now.replace(hour=0, minute=0))
    assert data.next_breaches[0].id == soon  # the breached one is counted, not "next"
    assert data.breaches_today == 1
    assert data.agents[0].agent == "ana" and data.agents[0].breached == 1 and data.agents[0].active
    assert data.active_agents == 1


def test_agents_hold_claimed_tickets_of_which_some_wait_on_them(conn, policy, clock):
    from deskui.store.tickets import set_status

    now = clock.now()
    first = add_ticket(conn, subject="damaged", body="", sent_at=ago(now, minutes=30))
    second = add_ticket(conn, subject="damaged", body="", sent_at=ago(now, minutes=20))
    refresh_tickets(conn, policy, now)
    claim(conn, clock, first, "ana")
    claim(conn, clock, second, "ana")
    set_status(conn, policy, clock, second, "pending", None)  # waiting on the buyer, not on ana
    ana = full_board(conn, policy, now, now.replace(hour=0, minute=0)).agents[0]
    assert (ana.agent, ana.claimed, ana.open, ana.breached) == ("ana", 2, 1, 0)


def test_first_response_today_per_tier_against_its_target(conn, policy, clock):
    from deskui.clock import FixedClock
    from deskui.store.tickets import add_reply

    now = clock.now()
    claim_ticket = add_ticket(conn, subject="A-to-z claim", body="", sent_at=ago(now, minutes=90))
    question = add_ticket(conn, channel="ebay", subject="hello", body="", sent_at=ago(now, minutes=30))
    refresh_tickets(conn, policy, now)
    add_reply(conn, policy, FixedClock(now), claim_ticket, "ana", "Sorry, a replacement is on its way.")
    add_reply(conn, policy, FixedClock(now), question, "ana", "Happy to help with that.")
    data = full_board(conn, policy, now, now.replace(hour=0, minute=0))
    assert data.first_response_by_tier == {"critical": 90.0, "normal": 30.0}  # critical's target is 60 min
    assert data.first_response_today == 60.0


def test_the_boards_day_starts_where_the_check_ups_does():
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from deskui.analytics.days import local_midnight
    from deskui.store.board import local_day_start

    for name in ("UTC", "America/Los_Angeles", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata"):
        zone = ZoneInfo(name)
        for moment in (datetime(2026, 3, 8, 9, 59, tzinfo=UTC), datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
                       datetime(2026, 10, 25, 1, 0, tzinfo=UTC), datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
                       datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)):
            assert local_day_start(moment, zone) == local_midnight(moment, zone), (name, moment)
