"""Files an agent attaches to a reply (docs/mail.md, "Attaching files to a reply"): read from disk,
checked against the channel's limit, kept with the draft until the reply is sent, sent by
`deskui sync` as MIME parts. Pure Python: the attach screen (ui/screens/attach.py) only asks this.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from pathlib import Path

from deskui.connect.limits import check_reply_attachments, limit_for
from deskui.store.attachments import DraftFile, add_draft_file, draft_files, remove_draft_file
from deskui.text import one_line

MAX_COMPLETIONS = 200


class RefusedFile(ValueError):
    """A file that cannot go with the reply; ``str()`` is one line naming it and what to do."""


def content_type_of(name: str) -> str:
    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


class ReplyFiles:
    """The files of one agent's reply on one ticket."""

    def __init__(self, conn, clock, ticket_id: int, agent: str, channel: str | None):
        self.conn, self.clock, self.ticket_id, self.agent, self.channel = conn, clock, ticket_id, agent, channel

    def files(self) -> list[DraftFile]:
        return draft_files(self.conn, self.ticket_id, self.agent)

    def remove(self, file_id: int) -> bool:
        return remove_draft_file(self.conn, self.ticket_id, self.agent, file_id)

    def add(self, given: str, cwd: Path | None = None) -> DraftFile:
        """Attach the file at ``given`` (relative to ``cwd``, else the current folder; ``~`` works).
        Raises RefusedFile, and then nothing is stored: the draft and its other files stay as they were."""
        shown = one_line(given, limit=80)
        if not given.strip():
            raise RefusedFile("type the path of a file to attach")
        path = Path(given.strip()).expanduser()
        if not path.is_absolute():
            path = (cwd or Path.cwd()) / path
        name = one_line(path.name, limit=200) or "attachment"
        try:
            info = path.stat()
        except FileNotFoundError:
            raise RefusedFile(f"{shown}: no such file") from None
        except OSError as error:
            raise RefusedFile(f"{shown}: cannot read it: {error.strerror or error.__class__.__name__}") from None
        if stat.S_ISDIR(info.st_mode):
            raise RefusedFile(f"{shown} is a folder: attach the files in it one by one")
        if not stat.S_ISREG(info.st_mode):  # a device or a pipe: reading it could block or never end
            raise RefusedFile(f"{shown} is not a regular file")
        kind = content_type_of(name)
        existing = self.files()
        if any(f.name == name and f.size == info.st_size for f in existing):
            raise RefusedFile(f"{name} is attached already")
        self._check(existing, name, kind, info.st_size)  # before reading: a 30 MB file is never read
        try:
            with open(path, "rb") as handle:
                data = handle.read(limit_for(self.channel).total_bytes + 1)
        except OSError as error:
            raise RefusedFile(f"{shown}: cannot read it: {error.strerror or error.__class__.__name__}") from None
        if len(data) != info.st_size:  # it changed meanwhile: what counts is what was read
            self._check(existing, name, kind, len(data))
        return add_draft_file(self.conn, self.clock.now(), self.ticket_id, self.agent, name, kind, data)

    def _check(self, existing: list[DraftFile], name: str, kind: str, size: int) -> None:
        before = [(f.name, f.content_type, f.size) for f in existing]
        problems = check_reply_attachments(self.channel, before + [(name, kind, size)])
        if len(problems) > len(check_reply_attachments(self.channel, before)):
            raise RefusedFile(problems[-1])


def complete_path(value: str, cwd: Path | None = None) -> list[str]:
    """What ``value`` can become: the entries of its folder (the current one for a bare name) that
    start with its last part, folders with a trailing ``/``; hidden ones only when asked for."""
    folder_part, _, prefix = value.rpartition("/")
    folder_text = f"{folder_part}/" if value.startswith("/") or folder_part else ""
    folder = Path(os.path.expanduser(folder_text or "."))
    if not folder.is_absolute():
        folder = (cwd or Path.cwd()) / folder
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return []
    found = []
    for entry in entries:
        if not entry.name.startswith(prefix) or (entry.name.startswith(".") and not prefix.startswith(".")):
            continue
        try:
            is_folder = entry.is_dir()
        except OSError:
            is_folder = False
        found.append(folder_text + entry.name + ("/" if is_folder else ""))
        if len(found) >= MAX_COMPLETIONS:
            break
    return found
