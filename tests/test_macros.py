"""Macros: a template plus actions, parsed with line numbers, acting only once the reply is sent."""

import tomllib

import pytest

from deskui.macros import Macro, MacroError, parse_macros
from tests.conftest import NOW
from tests.inbox_data import build

pytestmark = pytest.mark.backends

CONFIG = """\
[[macros]]
name = "Damaged: replacement sent"
template = "damaged"
tags = ["replacement", "-a-to-z risk"]
status = "pending"

[[macros]]
name = "Park two days"
snooze = "2d"
"""


def test_macros_parse():
    macros = parse_macros(tomllib.loads(CONFIG), CONFIG, "config.toml")
    assert macros[0] == Macro("Damaged: replacement sent", "damaged", ("replacement",), ("a-to-z risk",), "pending")
    assert macros[1] == Macro("Park two days", snooze="2d")


@pytest.mark.parametrize(("table", "line", "field"), [
    ('[[macros]]\nname = "x"\nstatus = "closed"\n', 3, "macros[0].status"),
    ('[[macros]]\nname = "x"\nstatus = "open"\nsnooze = "2h"\n', 4, "macros[0].snooze"),
    ('[[macros]]\nname = "x"\ncolor = 1\n', 3, "macros[0].color"),
])
def test_a_bad_macro_names_file_line_and_field(table, line, field):
    with pytest.raises(MacroError) as raised:
        parse_macros(tomllib.loads(table), table, "config.toml")
    problem = raised.value.problems[0]
    assert (problem.line, problem.field) == (line, field)


async def test_a_macro_fills_the_reply_and_acts_only_when_it_is_sent(db_target):
    from deskui.clock import FixedClock
    from deskui.policy import default_policy
    from deskui.store import connect
    from deskui.ui.app import DeskApp
    from deskui.ui.screens.ticket import TicketScreen

    path = db_target
    ids = build(path, NOW)
    macros = parse_macros(tomllib.loads(CONFIG), CONFIG, "config.toml")
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana", macros=macros)
    db = connect(path)
    status = lambda: db.execute("SELECT status FROM tickets WHERE id = ?", (ids["breached"],)).fetchone()[0]  # noqa: E731
    tags = lambda: {r[0] for r in db.execute("SELECT tag FROM tags WHERE ticket_id = ?", (ids["breached"],))}  # noqa: E731
    async with app.run_test(size=(140, 40)) as pilot:
        app.push_screen(TicketScreen(ids["breached"]))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("enter")  # the first macro
        await pilot.pause()
        assert app.screen.editor.text.strip()  # the damaged template, filled
        assert status() == "open" and "replacement" not in tags()  # nothing happens before the send
        app.screen.editor.load_text("Bonjour Claire, un remplacement est parti aujourd'hui.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        for _ in range(20):
            if isinstance(app.screen, TicketScreen):
                break
            await pilot.press("y")  # confirm past a linter warning, if any
            await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert db.execute("SELECT count(*) FROM outbox WHERE ticket_id = ?", (ids["breached"],)).fetchone()[0] == 1
    assert status() == "pending" and "replacement" in tags() and "a-to-z risk" not in tags()
