"""Drafts and notes typed while the database server was out of reach: kept in memory and, with a
state folder, in a file there (mode 0600: drafts are customers' business), so that neither a
server outage nor the app being closed during one loses a word. Written to the database, oldest
first, when the server answers again; a draft written since replaces the one kept."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path

from deskui.clock import FixedClock
from deskui.timeutil import from_db, to_db


class PendingWrites:
    def __init__(self, database: str, state_dir: Path | None) -> None:
        # One file per database (named by a hash: the shown URL has no password, but no need to spell it).
        digest = hashlib.sha256(database.encode()).hexdigest()[:16]
        self.file = state_dir / "pending" / f"{digest}.json" if state_dir is not None else None
        self.items: list[dict] = self._read()

    def __len__(self) -> int:
        return len(self.items)

    def _read(self) -> list[dict]:
        if self.file is None:
            return []
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return []
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    def _save(self) -> None:
        if self.file is None:
            return
        if not self.items:
            self.file.unlink(missing_ok=True)
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.file.parent, prefix=".pending-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:  # mkstemp makes it 0600
            json.dump(self.items, out, ensure_ascii=False)
        os.replace(temporary, self.file)

    def keep_draft(self, ticket_id: int, agent: str, body: str, at: datetime) -> None:
        kept = {"kind": "draft", "ticket_id": ticket_id, "agent": agent, "body": body, "at": to_db(at)}
        rest = [i for i in self.items if not (i["kind"] == "draft" and i["ticket_id"] == ticket_id and i["agent"] == agent)]
        if rest + [kept] != self.items:
            self.items = rest + [kept]
            self._save()

    def drop_draft(self, ticket_id: int, agent: str) -> None:
        if any(i["kind"] == "draft" and i["ticket_id"] == ticket_id and i["agent"] == agent for i in self.items):
            self.items = [i for i in self.items
                          if not (i["kind"] == "draft" and i["ticket_id"] == ticket_id and i["agent"] == agent)]
            self._save()

    def keep_note(self, ticket_id: int, agent: str, body: str, at: datetime) -> None:
        self.items.append({"kind": "note", "ticket_id": ticket_id, "agent": agent, "body": body, "at": to_db(at)})
        self._save()

    def draft(self, ticket_id: int, agent: str) -> str | None:
        found = [i["body"] for i in self.items if i["kind"] == "draft" and i["ticket_id"] == ticket_id and i["agent"] == agent]
        return found[-1] if found else None

    def flush(self, conn: sqlite3.Connection) -> int:
        """Write what waits, oldest first, each one as soon as it is written dropped from the file;
        a failure stops there (the rest waits for the next try). How many were written."""
        from deskui.store import workspace

        written = 0
        while self.items:
            item = self.items[0]
            clock = FixedClock(from_db(item["at"]))  # the time it was typed
            if item["kind"] == "draft":
                workspace.save_draft(conn, clock, item["ticket_id"], item["agent"], item["body"])
            else:
                workspace.add_note(conn, clock, item["ticket_id"], item["agent"], item["body"])
            self.items.pop(0)
            self._save()
            written += 1
        return written
