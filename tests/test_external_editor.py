"""A reply written in the agent's own editor: a real editor program, the file private, the draft kept."""

import os

import pytest

from deskui.replies.external import edit_text

pytestmark = pytest.mark.backends


def editor(tmp_path, script: str) -> str:
    path = tmp_path / "editor.sh"
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_the_editor_gets_the_text_and_its_changes_come_back(tmp_path, monkeypatch):
    seen = tmp_path / "seen"
    monkeypatch.setenv("VISUAL", editor(tmp_path, f'stat -c %a "$1" > {seen}\nprintf "\\nKind regards, Ana\\n" >> "$1"\n'))
    assert edit_text("Bonjour Claire,") == "Bonjour Claire,\nKind regards, Ana\n"
    assert seen.read_text().strip() == "600"


def test_an_editor_that_fails_leaves_the_text_alone_and_no_file_behind(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("VISUAL", editor(tmp_path, 'echo ruined > "$1"\nexit 3\n'))
    with pytest.raises(ValueError, match="status 3"):
        edit_text("keep me")
    assert not [name for name in os.listdir(tmp_path) if name.startswith("deskui-reply-")]


async def test_in_the_browser_view_the_key_says_it_needs_a_terminal(db_target):
    from deskui.clock import FixedClock
    from deskui.policy import default_policy
    from deskui.store import connect
    from deskui.ui.app import DeskApp
    from deskui.ui.screens.ticket import TicketScreen
    from tests.conftest import NOW
    from tests.inbox_data import build

    path = db_target
    ids = build(path, NOW)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    async with app.run_test(size=(140, 40)) as pilot:
        app.push_screen(TicketScreen(ids["imminent"]))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("r", *"Hello", "ctrl+o")
        await pilot.pause()
        assert any("needs a terminal" in str(note.message) for note in app._notifications)
        assert connect(path).execute("SELECT body FROM drafts").fetchone()[0] == "Hello"  # saved before the editor


async def test_a_template_goes_in_at_the_cursor_when_the_box_has_text(db_target):
    from deskui.clock import FixedClock
    from deskui.policy import default_policy
    from deskui.ui.app import DeskApp
    from deskui.ui.screens.ticket import TicketScreen
    from tests.conftest import NOW
    from tests.inbox_data import build

    path = db_target
    ids = build(path, NOW)
    app = DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana")
    async with app.run_test(size=(140, 40)) as pilot:
        app.push_screen(TicketScreen(ids["imminent"]))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("r", *"Dear Jo, ", "ctrl+t")
        await pilot.pause()
        await pilot.press("enter")  # the best match
        await pilot.pause()
        await pilot.press("i")  # the box holds text: insert at the cursor (not replace)
        await pilot.pause()
        text = app.screen.editor.text
        assert text.startswith("Dear Jo, ") and len(text) > len("Dear Jo, ") + 20  # kept, and the template after it
