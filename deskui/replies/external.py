"""Writing a reply in the agent's own editor ($VISUAL / $EDITOR), for long or careful replies."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path


def editor_command() -> list[str]:
    """The agent's editor as argv: $VISUAL, else $EDITOR, else the first of nano / vi found."""
    chosen = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if chosen:
        return shlex.split(chosen)
    for fallback in ("nano", "vi"):
        if shutil.which(fallback):
            return [fallback]
    raise ValueError("no editor: set $EDITOR (e.g. export EDITOR=nano)")


def edit_text(text: str) -> str:
    """Open ``text`` in the editor and return what the file holds when the editor exits. The file
    is private (0600: a reply may quote the buyer's address) and removed afterwards. An editor
    that fails (non-zero exit) leaves the text as it was."""
    descriptor, name = tempfile.mkstemp(prefix="deskui-reply-", suffix=".txt")
    path = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        result = subprocess.run([*editor_command(), str(path)], check=False)
        if result.returncode != 0:
            raise ValueError(f"the editor exited with status {result.returncode}; the reply is as it was")
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
