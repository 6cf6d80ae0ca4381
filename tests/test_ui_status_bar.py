"""The status bar idles cheaply: a second that changes nothing repaints nothing, and a new text
repaints its one line without laying the screen out again (that layout, once a second, was most
of the idle inbox's CPU)."""

from datetime import timedelta

import pytest

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.ui.app import DeskApp
from deskui.ui.widgets.status_bar import StatusBar
from tests.conftest import NOW
from tests.inbox_data import build

pytestmark = pytest.mark.backends


async def test_the_clock_repaints_one_line_and_an_unchanged_second_nothing(db_target):
    path = db_target
    build(path, NOW)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        bar = app.screen.query_one(StatusBar)
        refreshes = []
        real_refresh = bar.refresh

        def recording(*regions, **options):
            refreshes.append(options.get("layout", False))
            return real_refresh(*regions, **options)

        bar.refresh = recording
        bar.show(NOW)  # the frozen clock: the same second as the last tick
        assert refreshes == []
        bar.show(NOW + timedelta(seconds=1))
        assert refreshes == [False]
        assert (NOW + timedelta(seconds=1)).strftime("%H:%M:%S") in str(bar.render())
