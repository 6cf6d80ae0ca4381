"""The command line's checks: options read and range-checked before a command runs, and the one
line for a database that is busy, full or read-only. Kept apart from cli.py, which wires commands.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
from pathlib import Path

from deskui.output import warn


class Parser(argparse.ArgumentParser):
    """argparse, but a bad option is one line on stderr like every other user error (argparse's
    own usage block runs to a dozen lines and buries the one that matters)."""

    def error(self, message: str):
        warn(f"{self.prog}: {message} (see `{self.prog} --help`)")
        raise SystemExit(2)


def whole(low: int, high: int, what: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range: {what}, {low} to {high}")
        return value
    return parse


def seconds(text: str) -> float:
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or not 0.05 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"{text} is out of range: seconds between scans, 0.05 to 3600")
    return value


def zone_name(text: str) -> str:
    from deskui.timeutil import zone

    try:
        zone(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{error} (use an IANA name such as Europe/Paris, or UTC)") from None
    return text


def format_name(text: str) -> str:
    from deskui.ingest.detect import FORMATS

    if text not in FORMATS:
        raise argparse.ArgumentTypeError(f"unknown format {text!r}; one of {', '.join(FORMATS)}")
    return text


# The health check's longest window: a year and a day covers every Amazon metric window (at most
# 90 days) with room for a yearly look back, and keeps the day-by-day series a few hundred rows.
MAX_HEALTH_DAYS = 366


def database_trouble(path: Path, error: sqlite3.OperationalError) -> str | None:
    """The one line for a database that is busy, full or read-only; None for a bug of ours."""
    text = str(error)
    if "locked" in text or "busy" in text:
        from deskui.store.db import BUSY_TIMEOUT_MS

        wait = int(os.environ.get("DESKUI_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)) / 1000
        return (f"{path}: another process held the database's write lock for over {wait:g} s (a long import?); "
                "nothing is half-written: run the command again when it has finished (it is safe to repeat)")
    if "full" in text:
        return f"{path}: the disk is full; nothing was changed, free some space and run the command again"
    if "readonly" in text or "read-only" in text:
        return f"{path}: the database is read-only for you; nothing was changed"
    if "disk I/O" in text:
        return f"{path}: disk I/O error; nothing was changed, check the disk and run the command again"
    return None
