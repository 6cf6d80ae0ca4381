from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskui import sla
from deskui.policy import Calendar, default_policy
from deskui.sla import SlaState, add_working_time, format_countdown, working_minutes_between

UTC = timezone.utc
PARIS_OFFICE = Calendar(
    name="paris",
    timezone="Europe/Paris",
    weekdays=frozenset(range(5)),
    opens=time(9),
    closes=time(17),
    holidays=frozenset({date(2026, 12, 25)}),
    always=False,
)
ALWAYS = Calendar(name="24x7")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_always_calendar_is_plain_addition():
    start = at("2026-11-25T10:00:00+00:00")
    assert add_working_time(start, 90, ALWAYS) == start + timedelta(minutes=90)


def test_business_hours_skip_the_night():
    # Wednesday 16:30 Paris + 60 working minutes -> Thursday 09:30 Paris
    start = at("2026-11-25T16:30:00+01:00")
    assert add_working_time(start, 60, PARIS_OFFICE) == at("2026-11-26T09:30:00+01:00")


def test_business_hours_skip_the_weekend():
    friday_evening = at("2026-11-27T16:00:00+01:00")
    assert add_working_time(friday_evening, 120, PARIS_OFFICE) == at("2026-11-30T10:00:00+01:00")


def test_a_message_sent_at_night_starts_at_opening():
    night = at("2026-11-25T23:00:00+01:00")
    assert add_working_time(night, 30, PARIS_OFFICE) == at("2026-11-26T09:30:00+01:00")


def test_holiday_is_skipped():
    christmas_eve = at("2026-12-24T16:00:00+01:00")
    # 24th 16-17 (60 min), 25th holiday, 26th/27th weekend, Monday 28th 09:00 + 60 min
    assert add_working_time(christmas_eve, 120, PARIS_OFFICE) == at("2026-12-28T10:00:00+01:00")


def test_dst_change_keeps_eight_working_hours_a_day():
    # Clocks go forward on Sunday 29 March 2026 in Paris: Friday 9:00 CET + 16 working hours
    # is Monday 17:00 CEST, i.e. 15:00 UTC where a naive UTC calendar would say 16:00.
    friday = at("2026-03-27T09:00:00+01:00")
    assert add_working_time(friday, 16 * 60, PARIS_OFFICE) == at("2026-03-30T17:00:00+02:00")
    assert working_minutes_between(friday, at("2026-03-30T17:00:00+02:00"), PARIS_OFFICE) == 16 * 60


def test_pauses_push_the_due_time_back():
    start = at("2026-11-25T10:00:00+00:00")
    pause = (at("2026-11-25T10:30:00+00:00"), at("2026-11-25T11:00:00+00:00"))
    assert add_working_time(start, 60, ALWAYS, [pause]) == at("2026-11-25T11:30:00+00:00")


times = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))


@settings(max_examples=200, deadline=None)
@given(start=times, minutes=st.integers(min_value=0, max_value=5 * 24 * 60), calendar=st.sampled_from([ALWAYS, PARIS_OFFICE]))
def test_due_is_never_before_the_message_and_round_trips(start, minutes, calendar):
    due = add_working_time(start, minutes, calendar)
    assert due >= start
    assert working_minutes_between(start, due, calendar) == pytest.approx(minutes, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(start=times, shorter=st.integers(0, 3000), extra=st.integers(0, 3000), calendar=st.sampled_from([ALWAYS, PARIS_OFFICE]))
def test_due_is_monotone_in_the_target(start, shorter, extra, calendar):
    assert add_working_time(start, shorter, calendar) <= add_working_time(start, shorter + extra, calendar)


@settings(max_examples=100, deadline=None)
@given(start=times, minutes=st.integers(1, 3000))
def test_business_due_never_lands_outside_working_hours(start, minutes):
    due = add_working_time(start, minutes, PARIS_OFFICE).astimezone(sla.zone("Europe/Paris"))
    assert due.weekday() < 5
    assert time(9) < due.time() <= time(17) or due.time() == time(17)
    assert due.date() != date(2026, 12, 25)


def timer_for(start: datetime, target: int, calendar=ALWAYS, paused_at=None) -> sla.Timer:
    clock = sla.start_clock("first_response", start, target, calendar, default_policy())
    return sla.Timer(clock.due_at, clock.at_risk_at, clock.imminent_at, paused_at)


def test_states_follow_the_thresholds():
    now = at("2026-11-25T12:00:00+00:00")
    target = 120
    def started(minutes_ago):
        return timer_for(now - timedelta(minutes=minutes_ago), target)
    assert started(20).state(now) is SlaState.ON_TRACK
    assert started(91).state(now) is SlaState.AT_RISK  # 29 of 120 minutes left
    assert started(109).state(now) is SlaState.IMMINENT  # 11 left
    assert started(120).state(now - timedelta(seconds=1)) is SlaState.IMMINENT
    assert started(120).state(now) is SlaState.BREACHED  # breached from the due instant on
    assert timer_for(now - timedelta(minutes=115), target, paused_at=now).state(now) is SlaState.PAUSED
    assert sla.Timer(None, None, None, outcome="met").state(now) is SlaState.MET
    assert sla.Timer(None, None, None, outcome="missed").state(now) is SlaState.MISSED


def test_each_state_holds_from_its_instant_on():
    start = at("2026-11-25T12:00:00+00:00")
    timer = timer_for(start, 120)
    assert timer.at_risk_at == start + timedelta(minutes=90) and timer.imminent_at == start + timedelta(minutes=108)
    second = timedelta(seconds=1)
    for instant, before, after in ((timer.at_risk_at, SlaState.ON_TRACK, SlaState.AT_RISK),
                                   (timer.imminent_at, SlaState.AT_RISK, SlaState.IMMINENT),
                                   (timer.due_at, SlaState.IMMINENT, SlaState.BREACHED)):
        assert timer.state(instant - second) is before and timer.state(instant) is after


def test_business_hours_instants_are_working_time():
    # Wednesday 16:00 Paris, 120 working minutes: 60 today, 60 on Thursday from 09:00. At risk once
    # 90 have been worked (Thursday 09:30), imminent at 108 (09:48), due 10:00.
    start = at("2026-11-25T16:00:00+01:00")
    timer = timer_for(start, 120, PARIS_OFFICE)
    assert (timer.at_risk_at, timer.imminent_at, timer.due_at) == (
        at("2026-11-26T09:30:00+01:00"), at("2026-11-26T09:48:00+01:00"), at("2026-11-26T10:00:00+01:00"))
    # overnight the ticket is on track: more than a quarter of its working time is left
    assert timer.state(at("2026-11-26T03:00:00+01:00")) is SlaState.ON_TRACK


def test_a_clock_stopped_at_its_due_instant_is_missed():
    start = at("2026-11-25T12:00:00+00:00")
    clock = sla.start_clock("first_response", start, 60, ALWAYS, default_policy())
    assert sla.outcome(clock, clock.due_at) == ("missed", 0.0)
    assert sla.outcome(clock, clock.due_at - timedelta(seconds=1))[0] == "met"


def test_pausing_never_hides_a_breach():
    now = at("2026-11-25T12:00:00+00:00")
    breached_then_paused = timer_for(now - timedelta(hours=2), 60, paused_at=now - timedelta(minutes=10))
    assert breached_then_paused.state(now) is SlaState.BREACHED
    assert breached_then_paused.left(now) == timedelta(minutes=-50)  # frozen at the pause


def test_every_state_has_its_own_glyph():
    assert len({state.glyph for state in SlaState}) == len(SlaState)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(59 * 60 + 59, "59:59"), (3600, "1h00m"), (2 * 3600 + 5 * 60, "2h05m"), (0, "00:00"), (-61, "-01:01"),
     (-3 * 3600, "-3h00m"), (-(99 * 3600 + 59 * 60), "-99h59m"), (-(200 * 3600), "-8d08h")],
)
def test_countdown_format(seconds, shown):
    assert format_countdown(timedelta(seconds=seconds)) == shown


def test_auto_ack_stops_only_the_marketplace_clock():
    policy = default_policy()
    tier = policy.tier("high")
    asked = at("2026-11-25T08:00:00+00:00")
    before = sla.deadlines(policy, tier, "amazon", created_at=asked, awaiting_reply_since=asked,
                           awaiting_marketplace_since=asked, first_response_at=None)
    assert before.sla.due_at == asked + timedelta(hours=2)
    assert before.marketplace.due_at == asked + timedelta(hours=24)
    assert before.earliest.kind == "first_response"
    after_ack = sla.deadlines(policy, tier, "amazon", created_at=asked, awaiting_reply_since=asked,
                              awaiting_marketplace_since=None, first_response_at=None)
    assert after_ack.marketplace is None and after_ack.sla is not None


def test_next_response_uses_its_own_target_after_a_reply():
    policy = default_policy()
    tier = policy.tier("critical")
    asked = at("2026-11-25T08:00:00+00:00")
    clocks = sla.deadlines(policy, tier, "amazon", created_at=asked - timedelta(days=1), awaiting_reply_since=asked,
                           awaiting_marketplace_since=asked, first_response_at=asked - timedelta(hours=20))
    assert clocks.sla.kind == "next_response"
    # the critical tier's 24 h resolution target from creation comes first here
    assert clocks.earliest.kind == "resolution" or clocks.earliest.due_at <= clocks.sla.due_at


def test_outcome_margin():
    clock = sla.SlaClock("first_response", at("2026-11-25T08:00:00+00:00"), at("2026-11-25T09:00:00+00:00"), 60)
    assert sla.outcome(clock, at("2026-11-25T08:45:00+00:00")) == ("met", 15.0)
    assert sla.outcome(clock, at("2026-11-25T09:30:00+00:00")) == ("missed", -30.0)
