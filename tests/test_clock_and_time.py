import time as real_time
from datetime import datetime, timedelta, timezone

import pytest

from deskui.clock import FixedClock, ScaledClock, SystemClock
from deskui.timeutil import format_minutes, from_db, parse_duration, parse_time, to_db, zone

UTC = timezone.utc


def test_fixed_clock_moves_only_when_told():
    clock = FixedClock(datetime(2026, 11, 25, 9, tzinfo=UTC))
    assert clock.now() == clock.now()
    clock.advance(minutes=5)
    assert clock.now() == datetime(2026, 11, 25, 9, 5, tzinfo=UTC)


def test_fixed_clock_refuses_naive_time():
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 11, 25, 9))


def test_scaled_clock_runs_faster():
    start = datetime(2026, 11, 25, 9, tzinfo=UTC)
    clock = ScaledClock(start, speed=600)
    real_time.sleep(0.05)
    elapsed = clock.now() - start
    assert timedelta(seconds=25) <= elapsed <= timedelta(seconds=120)


def test_system_clock_is_aware():
    assert SystemClock().now().tzinfo is not None


def test_stored_times_round_trip_and_sort_as_text():
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert to_db(moment) == "2026-03-29T01:30:00Z"
    assert from_db(to_db(moment)) == moment
    assert to_db(moment) < to_db(moment + timedelta(seconds=1))


def test_other_programs_times_are_read_and_garbage_is_none():
    assert from_db("2024-05-01 10:00:00 +0200") == datetime(2024, 5, 1, 8, tzinfo=UTC)
    assert from_db("2020-02-18T05:05:21+00:00") == datetime(2020, 2, 18, 5, 5, 21, tzinfo=UTC)
    assert from_db("yesterday-ish") is None
    assert from_db(None) is None


def test_naive_input_is_in_the_configured_zone():
    assert parse_time("2026-07-01 09:00", zone("Europe/Paris")) == datetime(2026, 7, 1, 7, tzinfo=UTC)


@pytest.mark.parametrize(("text", "minutes"), [("90m", 90), ("2h", 120), ("1h30m", 90), ("1d", 1440), ("45", 45)])
def test_durations(text, minutes):
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["", "two hours", "5x", "12"[:0] + "h"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_minutes():
    assert [format_minutes(m) for m in (60, 120, 240, 720, 1440, 90, 45)] == ["1h", "2h", "4h", "12h", "24h", "1h30m", "45m"]
