"""Issue #14: one number format for counts. The status bar said `✗9058` where the rest of the UI
says `40,142`; and at 80 columns the bar must still hold every count it shows, whole."""

import pytest
from rich.text import Text

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store.inbox import StateCounts
from deskui.ui.app import DeskApp
from deskui.ui.widgets.status_bar import StatusBar
from tests.conftest import NOW
from tests.inbox_data import build

pytestmark = pytest.mark.backends

BIG = StateCounts(
    by_state={"breached": 9058, "imminent": 1234, "at_risk": 2345, "on_track": 12345, "paused": 5678,
              "met": 4321, "missed": 5161},
    by_tier={"critical": 1500, "high": 8642, "clv": 2000, "standard": 10000, "normal": 18000},
    total=40142, next_change=None)


async def _bar_text(db_target, size, *, alerts=()):
    path = db_target
    build(path, NOW)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        bar = app.screen.query_one(StatusBar)
        bar.counts = BIG
        bar.alerts = list(alerts)
        bar.show(NOW)
        await pilot.pause()
        rendered = bar.render()
        text = rendered if isinstance(rendered, Text) else Text(str(rendered))
        return str(text), text.cell_len, bar.content_region.width


async def test_counts_are_thousands_separated_and_whole_at_80_columns(db_target):
    shown, cells, room = await _bar_text(db_target, (80, 24))
    assert "✗ 9,058" in shown
    assert "9058" not in shown and "…" not in shown
    assert cells <= room  # nothing cut by the ellipsis, nothing wrapped (the bar is one line)


async def test_at_80_columns_with_alerts_the_urgent_counts_stay_whole(db_target):
    shown, cells, room = await _bar_text(db_target, (80, 24), alerts=["a", "b"])
    assert "⚠ 2 alerts" in shown and "✗ 9,058" in shown and "‼ 1,234" in shown
    assert "…" not in shown and cells <= room


async def test_wide_bar_uses_the_same_format_and_never_cuts_a_tier_count(db_target):
    shown, cells, room = await _bar_text(db_target, (200, 50))
    assert "✗ 9,058 breached" in shown and "│ 40,142 open" in shown
    assert "…" not in shown and cells <= room
