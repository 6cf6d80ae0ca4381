"""The inbox search at scale: the LIKE scan (before schema 9) against the trigram indexes
(store/search.py), in the same run, on the same file; then the whole key in the app.

    python tests/bench/bench_search.py DB [--runs 5] [--no-app] [--query refund ...]

DB is written (the migration, the index build): give a copy, never /work/perfdb/demo100k.db.
Prints, in this order:
- the migration to schema 9, if the file needs it (it only notes rows: see schema.py SCHEMA_SEARCH);
- the index build (``search.index_pending``), if rows are pending, and the file's growth;
- per query: the store's reads a search makes (the view's count and its first page of 45 rows),
  LIKE then index, medians of --runs, each on a fresh InboxQuery;
- the keys in the app (Textual's Pilot, 160x45, in this process): `/`, the text, enter, until
  the list shows the search's count; esc, until it shows the whole list again. Medians.
Say the machine's load with the figures (docs/performance.md "Search").
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deskui.policy import default_policy  # noqa: E402
from deskui.store import connect, search  # noqa: E402
from deskui.store.inbox import InboxFilter, InboxQuery  # noqa: E402
from deskui.store.schema import SCHEMA_VERSION  # noqa: E402


class LikeQuery(InboxQuery):
    """The search as it was before schema 9: LIKE over every row, the customer joined."""

    def _where(self, walk: bool = False):
        text, self.filter = self.filter.search, replace(self.filter, search=None)
        try:
            where, params = super()._where()
        finally:
            self.filter = replace(self.filter, search=text)
        sql, more = search.scan_clause(text)
        return f"{where} AND {sql}", params + more

    @property
    def _source(self) -> str:
        return "tickets t LEFT JOIN customers c ON c.id = t.customer_id"

    def with_view(self, **_):
        raise NotImplementedError


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:,.0f} ms (min {min(samples) * 1000:,.0f}, max {max(samples) * 1000:,.0f})"


def store_reads(path: Path, texts: list[str], runs: int) -> None:
    conn = connect(path)
    policy, now = default_policy(), datetime.now(timezone.utc)
    for text in texts:
        for label, kind in (("LIKE ", LikeQuery), ("index", InboxQuery)):
            samples, count = [], None
            for _ in range(runs):
                start = time.perf_counter()
                query = kind(conn, policy, filter=InboxFilter(search=text))
                query.set_now(now)
                count = query.count()
                query.rows(0, 45)
                samples.append(time.perf_counter() - start)
            print(f"  {text!r:>12} {label}: {count:,} tickets, count + first page {median_ms(samples)}", flush=True)
    conn.close()


async def app_keys(path: Path, texts: list[str], runs: int) -> None:
    from deskui.ui.app import DeskApp
    from deskui.ui.widgets.ticket_list import TicketList

    app = DeskApp(path, policy=default_policy(), agent="bench")
    async with app.run_test(size=(160, 45)) as pilot:
        ticket_list = app.screen.query_one(TicketList)
        await wait(pilot, lambda: ticket_list.count > 0)
        whole = ticket_list.count
        for text in texts:
            expected = InboxQuery(app.store.conn, default_policy(), filter=InboxFilter(search=text)).count()
            enter, esc = [], []
            for _ in range(runs):
                await pilot.press("slash")
                app.screen.query_one("#search").value = text
                start = time.perf_counter()
                await pilot.press("enter")
                await wait(pilot, lambda: ticket_list.count == expected and "search" in str(app.screen.query_one("#view").render()))
                enter.append(time.perf_counter() - start)
                start = time.perf_counter()
                await pilot.press("escape")
                await wait(pilot, lambda: ticket_list.count == whole)
                esc.append(time.perf_counter() - start)
            print(f"  {text!r:>12} app: `/` text enter -> {expected:,} shown {median_ms(enter)}; "
                  f"esc -> {whole:,} shown {median_ms(esc)}", flush=True)


async def wait(pilot, condition, timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen never showed it")
        await pilot.pause(0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-app", action="store_true")
    parser.add_argument("--query", nargs="*", default=["refund", "damaged", "302-", "zqxj"])
    args = parser.parse_args()
    print(f"{args.db}: {args.db.stat().st_size / 1e6:,.0f} MB; load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    import sqlite3

    version = sqlite3.connect(args.db).execute("PRAGMA user_version").fetchone()[0]
    start = time.perf_counter()
    conn = connect(args.db)
    if version < SCHEMA_VERSION:
        print(f"migration {version} -> {SCHEMA_VERSION}: {time.perf_counter() - start:.2f} s", flush=True)
    pending = search.pending(conn)
    conn.close()
    if pending:
        size = args.db.stat().st_size
        start = time.perf_counter()
        search.index_pending(args.db)
        print(f"index build: {pending:,} rows in {time.perf_counter() - start:.1f} s; file +{(args.db.stat().st_size - size) / 1e6:,.0f} MB; "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
    print("store reads (count + first page):", flush=True)
    store_reads(args.db, args.query, args.runs)
    if not args.no_app:
        print("the keys in the app:", flush=True)
        asyncio.run(app_keys(args.db, args.query[:2], args.runs))
    print(f"load at the end {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
