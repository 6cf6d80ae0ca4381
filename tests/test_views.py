"""Saved views: parsed from the config with line numbers, filtering the inbox, on keys 1-9."""

import pytest

from deskui.config import ConfigError, load_config
from deskui.store.inbox import InboxFilter, InboxQuery
from deskui.views import BUILTIN_VIEWS, View, ViewError, parse_views, views_by_key
from tests.conftest import NOW
from tests.inbox_data import build

pytestmark = pytest.mark.backends

CONFIG = """\
agent = "ana"

[[views]]
name = "Amazon defects"
key = 7
channel = "amazon"
state = ["breached", "imminent"]

[[views]]
name = "VIP"
tag = "a-to-z risk"
"""


def test_views_come_from_the_config_and_take_keys():
    import tomllib

    views = parse_views(tomllib.loads(CONFIG), CONFIG, "config.toml")
    assert views[0] == View("Amazon defects", 7, channels=("amazon",), states=("breached", "imminent"))
    by_key = views_by_key(views)
    assert [by_key[key].name for key in (1, 2, 6, 7, 8)] == ["All", "Mine", "Pending", "Amazon defects", "VIP"]


@pytest.mark.parametrize(("table", "line", "field", "says"), [
    ('[[views]]\nname = "x"\nkey = 12\n', 3, "views[0].key", "1 to 9"),
    ('[[views]]\nname = "x"\nstate = "late"\n', 3, "views[0].state", "unknown state"),
    ('[[views]]\nname = "x"\n\n[[views]]\nname = "y"\ncolour = "red"\n', 6, "views[1].colour", "unknown field"),
    ('[[views]]\nkey = 3\n', 1, "views[0].name", "needs a name"),
    ('[[views]]\nname = "x"\nolder_than = "soon"\n', 3, "views[0].older_than", "not a duration"),
])
def test_a_bad_view_names_the_file_line_and_field(table, line, field, says):
    import tomllib

    with pytest.raises(ViewError) as raised:
        parse_views(tomllib.loads(table), table, "config.toml")
    problem = raised.value.problems[0]
    assert (problem.file, problem.line, problem.field) == ("config.toml", line, field) and says in problem.message


def test_a_bad_view_in_the_config_file_is_one_line(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[[views]]\nname = "x"\nsort = "fastest"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value).startswith(f"{path}:3: views[0].sort: unknown sort")


def test_views_filter_the_inbox(db_target, policy):
    from deskui.store import connect

    path = db_target
    ids = build(path, NOW)
    conn = connect(path)

    def shown(view):
        query = InboxQuery(conn, policy, filter=InboxFilter(view=view), agent="ana")
        query.set_now(NOW)
        return {row.id for row in query.rows(0, 100)}

    builtin = {view.name: view for view in BUILTIN_VIEWS}
    assert ids["breached"] in shown(builtin["Mine"]) and ids["at_risk"] not in shown(builtin["Mine"])  # ben's
    assert shown(builtin["Pending"]) == {ids["paused"]}
    assert ids["breached"] in shown(builtin["Breached"]) and ids["imminent"] in shown(builtin["Breached"])
    assert ids["on_track"] not in shown(builtin["Breached"])
    assert shown(View("tag", tag="a-to-z risk")) == {ids["breached"]}
    assert shown(View("asin", asin="B0C7654321")) == {ids["breached"]}  # the lamp order's bulbs
    assert shown(View("old", older_than_minutes=150)) == {ids["at_risk"]}
    assert shown(View("text", text="compatible")) == {ids["paused"]}
    assert shown(View("shop", channels=("shopify",), tiers=("clv",))) == {ids["at_risk"]}


async def test_number_keys_switch_views_and_the_line_counts_them(db_target):
    from deskui.clock import FixedClock
    from deskui.policy import default_policy
    from deskui.ui.app import DeskApp
    from deskui.ui.widgets.ticket_list import TicketList

    path = db_target
    ids = build(path, NOW)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana",
                  views=[View("Shop refunds", 7, channels=("shopify",))])
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        line = str(app.screen.query_one("#views").render())
        assert "6 Pending 1" in line and "7 Shop refunds 1" in line
        await pilot.press("7")
        await pilot.pause()
        assert app.screen.query_one(TicketList).highlighted_id == ids["at_risk"]
        assert app.screen.query_one(TicketList).count == 1
        await pilot.press("1")
        await pilot.pause()
        assert app.screen.query_one(TicketList).count == len(ids)  # every open ticket again


async def test_views_are_counted_when_tickets_change_not_each_time_the_header_counts_move(db_target):
    from deskui.clock import FixedClock
    from deskui.policy import default_policy
    from deskui.ui.app import DeskApp

    path = db_target
    build(path, NOW)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        calls = []
        screen._count_views = lambda: calls.append(1)
        counts = screen.status_bar.counts
        for _ in range(5):  # clocks crossing instants: the header is counted again and again
            screen._show_counts(counts)
        assert calls == []
        screen._views_stale = True  # what a ticket change sets
        screen._show_counts(counts)
        screen._show_counts(counts)
        assert calls == [1]  # once, and not again while that count is in flight
