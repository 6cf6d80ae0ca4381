"""Issue #14: the theme picked in the palette was forgotten at the next launch."""

import os

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.ui.app import DeskApp
from deskui.ui.ui_state import read_state, state_dir
from tests.conftest import NOW
from tests.inbox_data import build


def _app(path, folder, **options):
    return DeskApp(path, policy=default_policy(), clock=FixedClock(NOW), agent="ana", state_dir=folder, **options)


async def _run(app, change=None):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        if change:
            app.theme = change  # what the palette's "Change theme" picker does
            await pilot.pause()
        return app.theme


async def test_the_picked_theme_is_back_at_the_next_launch(tmp_path):
    path, folder = tmp_path / "inbox.db", tmp_path / "state"
    build(path, NOW)
    first = await _run(_app(path, folder))
    wanted = "nord" if first != "nord" else "gruvbox"
    assert await _run(_app(path, folder), change=wanted) == wanted
    assert read_state(folder) == {"theme": wanted}
    assert [p.name for p in folder.iterdir()] == ["ui.json"]  # no temp file left behind
    assert await _run(_app(path, folder)) == wanted


async def test_a_corrupt_state_file_is_ignored(tmp_path):
    path, folder = tmp_path / "inbox.db", tmp_path / "state"
    build(path, NOW)
    folder.mkdir()
    (folder / "ui.json").write_bytes(b"\xff{not json")
    default = await _run(_app(path, tmp_path / "empty"))
    assert await _run(_app(path, folder)) == default
    (folder / "ui.json").write_text('{"theme": "no-such-theme"}')
    assert await _run(_app(path, folder)) == default


async def test_an_explicit_theme_wins_over_the_remembered_one(tmp_path):
    path, folder = tmp_path / "inbox.db", tmp_path / "state"
    build(path, NOW)
    await _run(_app(path, folder), change="nord")
    assert await _run(_app(path, folder, theme="deskui-high-contrast")) == "deskui-high-contrast"


def test_the_state_folder_honours_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DESKUI_STATE_DIR", str(tmp_path / "mine"))
    assert state_dir() == tmp_path / "mine"
    monkeypatch.delenv("DESKUI_STATE_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    if os.name == "posix" and not os.uname().sysname == "Darwin":
        assert state_dir() == tmp_path / "xdg" / "deskui"
