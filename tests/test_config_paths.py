"""Where the config file and the database live: platformdirs per platform, the DESKUI_* overrides first."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from deskui.config import config_path
from deskui.store.db import default_db_path


def test_the_environment_overrides_come_first(monkeypatch, tmp_path):
    monkeypatch.setenv("DESKUI_CONFIG", str(tmp_path / "my.toml"))
    monkeypatch.setenv("DESKUI_DB", str(tmp_path / "my.db"))
    assert config_path() == tmp_path / "my.toml"
    assert default_db_path() == tmp_path / "my.db"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are the Linux convention")
def test_xdg_folders_are_honoured_on_linux(monkeypatch, tmp_path):
    monkeypatch.delenv("DESKUI_CONFIG", raising=False)
    monkeypatch.delenv("DESKUI_DB", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "conf"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert config_path() == tmp_path / "conf" / "deskui" / "config.toml"
    assert default_db_path() == tmp_path / "data" / "deskui" / "deskui.db"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config_path() == tmp_path / "home" / ".config" / "deskui" / "config.toml"
    assert default_db_path() == tmp_path / "home" / ".local" / "share" / "deskui" / "deskui.db"


def test_other_platforms_get_their_own_folders(monkeypatch):
    monkeypatch.delenv("DESKUI_CONFIG", raising=False)
    monkeypatch.delenv("DESKUI_DB", raising=False)
    # what platformdirs says for this platform, with no vendor folder in between (appauthor=False)
    assert config_path() == Path(platformdirs.user_config_dir("deskui", appauthor=False)) / "config.toml"
    assert default_db_path() == Path(platformdirs.user_data_dir("deskui", appauthor=False)) / "deskui.db"
    from platformdirs.macos import MacOS

    assert MacOS("deskui").user_config_dir.endswith("Library/Application Support/deskui")
