"""Importers for sellers' real files: Amazon order reports, Shopify order exports, e-mail (.eml,
mbox, Maildir), tracking events, and generic tickets (JSON Lines / CSV). See docs/import.md.

One call imports one file in one transaction::

    summary = import_file(conn, Path("orders.txt"), policy=policy, now=clock.now())

Every file is transactional (all or nothing under ``on_error="abort"``, the default; good rows
only under ``"skip"``), idempotent (a re-import counts every row "unchanged" and writes nothing),
and streamed in bounded memory.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo
from pathlib import Path

from deskui.ingest.base import UTC, ImportContext, ImportFailed, ImportSummary, Rejection, Stop, format_summary
from deskui.gcpause import no_gc
from deskui.ingest.detect import FORMATS, detect_format
from deskui.store.db import write
from deskui.store.imports import (
    checkpoint_once_after, flagged_for_triage, page_cache_at_least, plan_each_statement, release, roll_back_to, savepoint,
)
from deskui.store.triage_helper import refresh_tickets_helped

IMPORT_CACHE_KIB = 32 * 1024
SAVEPOINT = "deskui_import"

__all__ = ["FORMATS", "ImportFailed", "ImportSummary", "Rejection", "detect_format", "format_summary", "import_file",
           "triage_pending"]


def _run(ctx: ImportContext, fmt: str) -> None:
    if fmt == "amazon_orders":
        from deskui.ingest.amazon import import_amazon_orders

        import_amazon_orders(ctx)
    elif fmt == "shopify_orders":
        from deskui.ingest.shopify import import_shopify_orders

        import_shopify_orders(ctx)
    elif fmt in ("eml", "mbox", "maildir"):
        from deskui.ingest.mail import import_mail

        import_mail(ctx, fmt, **ctx.options)
    elif fmt == "tracking_csv":
        from deskui.ingest.tracking import import_tracking

        import_tracking(ctx)
    else:
        from deskui.ingest.tickets import import_tickets

        import_tickets(ctx, fmt)


def import_file(
    conn: sqlite3.Connection,
    path: Path | str,
    *,
    policy,
    now: datetime,
    format: str | None = None,
    on_error: str = "abort",
    dry_run: bool = False,
    zone: tzinfo = UTC,
    progress: Callable[[int, int | None], None] | None = None,
    channel_rules: Iterable[tuple[str, str]] | dict[str, str] | None = None,
    seller_addresses: Iterable[str] | None = None,
    default_channel: str | None = None,
    display: str | None = None,
    dayfirst: bool | None = None,
) -> ImportSummary:
    """Import one file (or Maildir folder) in one transaction and say what happened.

    * ``format``: one of ``FORMATS``; detected from the content when None.
    * ``on_error``: ``"abort"`` (any rejection rolls the whole file back and raises ImportFailed
      listing every rejection) or ``"skip"`` (good rows are stored, rejected ones reported in the
      summary). A file that cannot be read at all (unknown format, binary, a required column
      missing) raises ImportFailed in both modes.
    * ``dry_run``: do everything, report the counts, store nothing.
    * ``zone``: the zone of times written without one.
    * ``progress(done, total)``: called now and then with bytes read (files) or messages read
      (Maildir) and the total.
    * e-mail only: ``channel_rules`` [(address glob, channel)], checked before the built-in ones
      against every address of a message; ``seller_addresses`` [globs]: mail from them is the
      seller's (direction ``out``); ``default_channel`` for mail no rule names (``shopify``).
    * ``display``: the file name used in messages (default: the path as given).
    * ``dayfirst``: the order of ambiguous numeric dates (``01/02/2026``) in files whose format
      does not fix it: True day first, False month first, None (default) rejects them.
    """
    path = Path(path)
    name = display or str(path)
    fmt = format or detect_format(path, name)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    ctx = ImportContext(
        conn, path, fmt, policy=policy, now=now, on_error=on_error, dry_run=dry_run, zone=zone, progress=progress,
        display=name, channel_rules=channel_rules, seller_addresses=seller_addresses, default_channel=default_channel,
        dayfirst=dayfirst,
    )
    if not path.exists():
        ctx.reject(1, "file", "no such file or folder")
        raise ImportFailed(ctx.summary)
    # A bigger page cache for the import only: a large file inserts into random places of the
    # unique indexes, and the default 2 MB cache makes SQLite reread those pages (~5 % faster
    # at 100k messages for +32 MB); the connection's own setting comes back afterwards.
    # The cyclic GC paused too: the rows and their triage make and drop tuples and dicts by the
    # hundred thousand, none in a cycle (0.6 s of the importing process's 18 s CPU at 100k e-mails).
    with page_cache_at_least(conn, IMPORT_CACHE_KIB), no_gc():
        keep, fatal = _transaction(conn, ctx, fmt, dry_run)
        if keep and ctx.triage:
            _triage(conn, policy, now, sorted(ctx.triage))
    ctx.summary.stored = keep
    if fatal or ctx.failed:
        raise ImportFailed(ctx.summary)
    return ctx.summary


def _triage(conn: sqlite3.Connection, policy, now: datetime, ticket_ids: list[int]) -> None:
    """Derive tiers and clocks in batches, each its own short transaction, a forked helper
    deriving part of them for a large file (``store.triage_helper``). The batches' commits do
    not checkpoint: after a big file each one would copy its pages into the database again
    (+1.8 s at 100k e-mails); one checkpoint at the end does it once."""
    with checkpoint_once_after(conn):
        refresh_tickets_helped(conn, policy, now, ticket_ids)


def triage_pending(conn: sqlite3.Connection, policy, now: datetime) -> int:
    """Triage every ticket still flagged ``needs_triage``: an import killed after its commit but
    before its triage ended left them so, and re-importing the file finds every row unchanged,
    so it would not triage them itself. ``deskui import`` and ``deskui watch`` call this after
    their files. Returns how many tickets were triaged."""
    ids = flagged_for_triage(conn)
    if not ids:
        return 0
    _triage(conn, policy, now, ids)
    return len(ids)


def _transaction(conn: sqlite3.Connection, ctx: ImportContext, fmt: str, dry_run: bool) -> tuple[bool, bool]:
    """The whole file in one transaction; a savepoint inside it so a dry run or a rejected file
    rolls back cleanly even when the caller already holds a transaction."""
    fatal = False
    with write(conn):
        plan_each_statement(conn)
        savepoint(conn, SAVEPOINT)
        try:
            try:
                _run(ctx, fmt)
            except Stop:
                fatal = True  # the file cannot be read any further: nothing from it is kept
            ctx.finish_counts()
            keep = not (dry_run or fatal or ctx.failed)
        except BaseException:
            if conn.in_transaction:  # SQLite rolls the whole transaction back itself on a full disk
                roll_back_to(conn, SAVEPOINT)
                release(conn, SAVEPOINT)
            raise
        if not keep:
            roll_back_to(conn, SAVEPOINT)
        release(conn, SAVEPOINT)
    return keep, fatal
