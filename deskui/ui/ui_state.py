"""What the UI remembers between launches (the theme picked in the palette, each agent's inbox
columns), per user, in a small JSON file: ``$DESKUI_STATE_DIR/ui.json``, else platformdirs' user
state folder (``$XDG_STATE_HOME/deskui/``, ``~/.local/state/deskui/`` on Linux)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def state_dir() -> Path:
    if os.environ.get("DESKUI_STATE_DIR"):
        return Path(os.environ["DESKUI_STATE_DIR"])
    import platformdirs  # here: only a run without $DESKUI_STATE_DIR needs it

    return platformdirs.user_state_path("deskui", appauthor=False)


def read_state(folder: Path) -> dict:
    """The remembered state; a missing, unreadable or corrupt file is as good as none (it is a
    convenience, never a reason to stop the app)."""
    try:
        data = json.loads((folder / "ui.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(folder: Path, **changes) -> bool:
    """Merge ``changes`` into the file, atomically (temp file + os.replace: a crash mid-write
    leaves the old file, never half a new one). False when the folder cannot be written."""
    data = read_state(folder) | changes
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".ui.", suffix=".json", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out)
            os.replace(temp, folder / "ui.json")
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True


def read_columns(folder: Path, agent: str) -> object:
    """``agent``'s stored inbox columns as written (``ColumnChoice.from_state`` checks them), or
    None. Kept per agent: people sharing a login folder (a shared desk) choose their own."""
    columns = read_state(folder).get("columns")
    return columns.get(agent) if isinstance(columns, dict) else None


def write_columns(folder: Path, agent: str, choice: dict) -> bool:
    """Store ``agent``'s columns, keeping the other agents' (and a corrupt entry is replaced)."""
    columns = read_state(folder).get("columns")
    columns = dict(columns) if isinstance(columns, dict) else {}
    columns[agent] = choice
    return write_state(folder, columns=columns)
