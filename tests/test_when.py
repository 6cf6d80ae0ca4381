"""Times as agents type them (deskui.when) and whole timestamps from files (timeutil.parse_time):
issue 11, item 4."""

from datetime import date, datetime, time, timedelta, timezone

import pytest
from dateutil import tz
from hypothesis import given, settings
from hypothesis import strategies as st

from deskui.timeutil import TimeParseError, from_db, parse_time
from deskui.when import END_OF_DAY, MORNING, describe, parse_when, wall

UTC = timezone.utc
PARIS = tz.gettz("Europe/Paris")
LA = tz.gettz("America/Los_Angeles")
FRIDAY_4PM = datetime(2026, 12, 4, 16, 0, tzinfo=PARIS).astimezone(UTC)  # a Friday, 16:00 in Paris


def local(moment, zone=PARIS):
    return moment.astimezone(zone)


# ---------------------------------------------------------------------- the cases
@pytest.mark.parametrize(("text", "expected"), [
    ("in 30 minutes", datetime(2026, 12, 4, 16, 30)),
    ("30m", datetime(2026, 12, 4, 16, 30)),
    ("2h", datetime(2026, 12, 4, 18, 0)),
    ("1h30m", datetime(2026, 12, 4, 17, 30)),
    ("in 1 hour 30 minutes", datetime(2026, 12, 4, 17, 30)),
    ("tomorrow 9am", datetime(2026, 12, 5, 9, 0)),
    ("tomorrow", datetime(2026, 12, 5, 9, 0)),
    ("next monday", datetime(2026, 12, 7, 9, 0)),
    ("monday", datetime(2026, 12, 7, 9, 0)),
    ("Mon at 2:30pm", datetime(2026, 12, 7, 14, 30)),
    ("friday 14:00", datetime(2026, 12, 11, 14, 0)),  # today's weekday, earlier today: next week
    ("friday 17:00", datetime(2026, 12, 4, 17, 0)),   # today's weekday, later today: today
    ("friday", datetime(2026, 12, 11, 9, 0)),         # a bare weekday name never means today
    ("eod", datetime(2026, 12, 4, 17, 0)),
    ("tonight", datetime(2026, 12, 4, 20, 0)),
    ("9am", datetime(2026, 12, 5, 9, 0)),
    ("17:30", datetime(2026, 12, 4, 17, 30)),
    ("demain 14h30", datetime(2026, 12, 5, 14, 30)),
    ("2026-12-10 08:30", datetime(2026, 12, 10, 8, 30)),
    ("2026-12-10", datetime(2026, 12, 10, 9, 0)),
    ("1 dec 14:00", datetime(2027, 12, 1, 14, 0)),    # no year: the next 1 December
    ("13/12", datetime(2026, 12, 13, 9, 0)),
])
def test_snooze_words(text, expected):
    assert local(parse_when(text, FRIDAY_4PM, PARIS)).replace(tzinfo=None) == expected


@pytest.mark.parametrize(("text", "words"), [
    ("", "give a time"), ("someday", "cannot read"), ("friday 25:00", "cannot read"),
    ("01/12", "could be 01 Dec or 12 Jan"), ("2026-01-01 10:00", "in the past"), ("today 9am", "in the past"),
])
def test_snooze_refusals_say_why(text, words):
    with pytest.raises(ValueError, match=words):
        parse_when(text, FRIDAY_4PM, PARIS)


def test_eod_after_the_working_day_is_tomorrows_and_tonight_is_refused_once_past():
    late = datetime(2026, 12, 4, 21, 0, tzinfo=PARIS)
    assert local(parse_when("eod", late, PARIS)).replace(tzinfo=None) == datetime(2026, 12, 5, 17, 0)
    with pytest.raises(ValueError, match="in the past"):
        parse_when("tonight", late, PARIS)


def test_describe_names_the_zone_and_how_long():
    until = parse_when("friday 17:00", FRIDAY_4PM, PARIS)
    assert describe(until, PARIS, FRIDAY_4PM) == "Fri 04 Dec 17:00 CET, in 1 h"
    assert describe(until, LA) == "Fri 04 Dec 08:00 PST"


# ---------------------------------------------------------------------- DST, as a property
ZONES = st.sampled_from([PARIS, LA])
# Instants across 2026 and 2027, DST changes included (Paris: last Sundays of March and
# October; Los Angeles: second Sunday of March, first of November).
INSTANTS = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))
DST_DAYS = [date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 8), date(2026, 11, 1)]
NEAR_DST = st.builds(lambda day, minutes: datetime.combine(day, time(0), tzinfo=UTC) + timedelta(minutes=minutes),
                     st.sampled_from(DST_DAYS), st.integers(-36 * 60, 36 * 60))
NOWS = st.one_of(INSTANTS, NEAR_DST)
WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@settings(max_examples=300, deadline=None)
@given(NOWS, ZONES, st.sampled_from(WEEKDAY_NAMES), st.one_of(st.none(), st.times().map(lambda t: t.replace(second=0, microsecond=0))))
def test_a_weekday_is_the_next_such_day_in_the_agents_zone(now, zone, name, at):
    text = name if at is None else f"{name} {at:%H:%M}"
    result = parse_when(text, now, zone)
    shown, today = local(result, zone), local(now, zone)
    assert result > now
    assert shown.weekday() == WEEKDAY_NAMES.index(name)
    days = (shown.date() - today.date()).days
    assert 0 <= days <= 7
    wanted = at or MORNING
    if days == 0:
        assert at is not None and wanted > today.time()  # today only for a time still ahead
    if days == 7:
        assert at is None or wanted <= today.time()
    assert wall(shown.date(), wanted, zone) == result  # the wall time asked for, or DST's shift of it


@settings(max_examples=200, deadline=None)
@given(NOWS, ZONES, st.integers(1, 72 * 60))
def test_elapsed_times_are_real_minutes_across_dst(now, zone, minutes):
    assert parse_when(f"{minutes}m", now, zone) == now + timedelta(minutes=minutes)
    assert parse_when(f"in {minutes} minutes", now, zone) == now + timedelta(minutes=minutes)


@settings(max_examples=200, deadline=None)
@given(NOWS, ZONES)
def test_tomorrow_and_eod_are_wall_times_in_the_agents_zone(now, zone):
    today = local(now, zone)
    tomorrow = local(parse_when("tomorrow 9am", now, zone), zone)
    assert tomorrow.date() == today.date() + timedelta(days=1) and tomorrow.time() == MORNING
    eod = local(parse_when("eod", now, zone), zone)
    assert eod.time() == END_OF_DAY and eod > today and (eod.date() - today.date()).days in (0, 1)


def test_a_wall_time_that_dst_skips_moves_forward():
    # 29 March 2026, Paris: 02:00 -> 03:00. 02:30 does not exist; it is 03:30 CEST.
    night = datetime(2026, 3, 28, 22, 0, tzinfo=PARIS)
    assert local(parse_when("2:30", night, PARIS)).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)
    assert parse_time("2026-03-29 02:30", PARIS) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


# ---------------------------------------------------------------------- whole timestamps
@pytest.mark.parametrize(("text", "detail"), [
    ("12", "no year/month"), ("3 pm", "no year/month/day"), ("Nov 25 10:00", "no year"),
    ("2026-11-25", "a date without a time of day"), ("01/02/2026 10:00", "ambiguous date"),
])
def test_partial_times_are_refused_never_filled_from_today(text, detail):
    with pytest.raises(TimeParseError) as refused:
        parse_time(text)
    assert detail in refused.value.detail and repr(text) in str(refused.value)
    assert from_db(text) is None or text == "2026-11-25"


def test_from_db_reads_whole_values_and_a_full_date_but_never_today():
    assert from_db("2026-11-25T09:30:00Z") == datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    assert from_db("2024-05-01 10:00:00 +0000") == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert from_db("2020-02-18T05:05:21+00:00") == datetime(2020, 2, 18, 5, 5, 21, tzinfo=UTC)
    assert from_db("2026-11-25") == datetime(2026, 11, 25, tzinfo=UTC)
    for garbage in ("12", "3 pm", "soon", "25/13/2026 25:61", "01/02/2026 10:00"):
        assert from_db(garbage) is None


def test_the_order_of_an_ambiguous_date_is_the_callers():
    assert parse_time("01/02/2026 10:00", dayfirst=True) == datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
    assert parse_time("01/02/2026 10:00", dayfirst=False) == datetime(2026, 1, 2, 10, 0, tzinfo=UTC)
    # Year first is never ambiguous, whatever the caller says.
    assert parse_time("2026-01-02 10:00:00 +0000", dayfirst=True) == datetime(2026, 1, 2, 10, 0, tzinfo=UTC)
    assert parse_time("2026/01/02 10:00", dayfirst=True) == datetime(2026, 1, 2, 10, 0, tzinfo=UTC)
    # A day above 12 says the order itself.
    assert parse_time("25/11/2026 10:00") == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2150, 12, 31)))
def test_whole_timestamps_read_back_exactly(moment):
    moment = moment.replace(microsecond=0, tzinfo=UTC)
    for text in (f"{moment:%Y-%m-%dT%H:%M:%SZ}", f"{moment:%Y-%m-%d %H:%M:%S +0000}", f"{moment:%a, %d %b %Y %H:%M:%S +0000}",
                 f"{moment:%d %B %Y %H:%M:%S} UTC"):
        assert parse_time(text) == moment, text


# ---------------------------------------------------------------------- the snooze dialog
async def test_the_snooze_confirmation_states_the_wake_up_time_in_the_agents_zone(tmp_path):
    from deskui.clock import FixedClock
    from deskui.policy import default_policy
    from deskui.store import connect
    from deskui.ui.app import DeskApp
    from deskui.ui.screens.ticket import TicketScreen
    from tests.inbox_data import build

    path = tmp_path / "desk.db"
    ids = build(path, FRIDAY_4PM)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(FRIDAY_4PM), agent="ana", timezone="Europe/Paris")
    async with app.run_test(size=(140, 40)) as pilot:
        app.push_screen(TicketScreen(ids["on_track"]))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("Input").value = "friday 14:00"
        await pilot.press("enter")
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
    # the message ends with how to undo it: "(u undoes it)"
    assert any(message.startswith("Snoozed until Fri 11 Dec 14:00 CET, in 6 d 22 h.") for message in messages), messages
    until = connect(path).execute("SELECT snoozed_until FROM tickets WHERE id = ?", (ids["on_track"],)).fetchone()[0]
    assert until == "2026-12-11T13:00:00Z"


@settings(max_examples=200, deadline=None)
@given(st.times(), st.sampled_from(["%H:%M", "%H:%M:%S", "%I %p", "%I:%M %p", "%d", "%d %H:%M", "%b %d %H:%M", "%d/%m %H:%M"]))
def test_a_time_without_its_whole_date_never_becomes_a_time_today(moment, layout):
    text = datetime.combine(date(2026, 11, 25), moment).strftime(layout)
    with pytest.raises(TimeParseError):
        parse_time(text)
    assert from_db(text) is None
