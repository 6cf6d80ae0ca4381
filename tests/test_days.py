"""Days in the seller's zone: the check-up counts a Los Angeles Saturday as Saturday."""

import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskui.analytics.days import LocalDays, local_midnight
from deskui.timeutil import to_db

START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 11, 25, 12, tzinfo=UTC)
# DST changes on 25 Oct (Berlin), 1 Nov (Los Angeles), 4 Oct at a half hour (Lord Howe); none in Kolkata
ZONES = ["UTC", "Europe/Berlin", "America/Los_Angeles", "Australia/Lord_Howe", "Asia/Kolkata"]
MEMORY = sqlite3.connect(":memory:")


@pytest.mark.parametrize("name", ZONES)
@settings(max_examples=300, deadline=None)
@given(seconds=st.integers(min_value=0, max_value=int((END - START).total_seconds())))
def test_local_date_in_python_and_in_sql_agrees_with_zoneinfo(name, seconds):
    zone = ZoneInfo(name)
    days = LocalDays(zone, START, END)
    moment = START + timedelta(seconds=seconds)
    expected = moment.astimezone(zone).date().isoformat()
    assert days.day(to_db(moment)) == expected
    assert MEMORY.execute(f"SELECT {days.sql('?1')}", (to_db(moment),)).fetchone()[0] == expected


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/Los_Angeles"])
def test_the_seconds_either_side_of_a_dst_change(name):
    zone = ZoneInfo(name)
    days = LocalDays(zone, START, END)
    change = {"Europe/Berlin": datetime(2026, 10, 25, 1, tzinfo=UTC),
              "America/Los_Angeles": datetime(2026, 11, 1, 9, tzinfo=UTC)}[name]
    for moment in (change - timedelta(seconds=1), change, change + timedelta(seconds=1)):
        expected = moment.astimezone(zone).date().isoformat()
        assert days.day(to_db(moment)) == expected
        assert MEMORY.execute(f"SELECT {days.sql('?1')}", (to_db(moment),)).fetchone()[0] == expected


def test_utc_keeps_the_plain_substring_and_other_formats_still_read():
    assert LocalDays(UTC, START, END).sql("x") == "substr(x, 1, 10)"
    days = LocalDays(ZoneInfo("America/Los_Angeles"), START, END)
    assert days.day("2026-11-25 03:00:00+00:00") == "2026-11-24"  # another program's format
    assert days.day("2030-01-01T12:00:00Z") == "2030-01-01"  # outside the range: computed directly


def test_local_midnight_is_a_utc_instant():
    los_angeles = ZoneInfo("America/Los_Angeles")
    assert local_midnight(datetime(2026, 11, 25, 3, tzinfo=UTC), los_angeles) == datetime(2026, 11, 24, 8, tzinfo=UTC)
    assert local_midnight(datetime(2026, 11, 25, 9, tzinfo=UTC), los_angeles) == datetime(2026, 11, 25, 8, tzinfo=UTC)
