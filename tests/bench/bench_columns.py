"""The column chooser at scale: a key in the chooser (space shows/hides a column, J moves one)
to the list's rows redrawn, on a copy of a big database, against the naive way in the same run.

    python tests/bench/bench_columns.py DB [--runs 15] [--size 200x50]

- "repaint": what the inbox does (TicketList.set_columns): lay the columns out again and redraw
  the visible rows from the pages already read; no query.
- "re-query": the naive way, the same and then ``TicketList.load()`` (count, position of the
  highlighted ticket, the visible page read again), as a chooser that reloads the list would.
Each is timed from the key press (Pilot, headless, in this process) until the list has drawn its
visible rows again; medians in ms, with the cursor at the top and on the last ticket (G); then
the list's own part alone (lay out and draw the visible rows, after a repaint or a re-read).
The rest of a key's time is Textual's: the chooser is a translucent modal, so each change
repaints the inbox under it blended (Screen.render -> BackgroundScreen), as any modal does.

Measured 2026-12-03 on demo100k (40,142 open) at 200x50, 2 cores at load 6.8, medians of 9: key to
rows redrawn 126-186 ms either way (Textual's key handling and the blended repaint dominate; a
key in the box that changes nothing costs ~85 ms at that load); the list's own work 13-16 ms
(repaint, 0 SQL statements) against 29-34 ms (re-query, 6-7 statements).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from deskui.policy import default_policy  # noqa: E402
from deskui.ui.app import DeskApp  # noqa: E402
from deskui.ui.screens.columns import ColumnsScreen  # noqa: E402
from deskui.ui.widgets.ticket_list import TicketList  # noqa: E402


async def measure(db: Path, runs: int, size: tuple[int, int]) -> dict[str, float]:
    app = DeskApp(db, policy=default_policy(), agent="bench")  # no state folder: nothing remembered
    results: dict[str, float] = {}
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()  # counts and view counts: not what a key waits for
        await pilot.pause()
        ticket_list = app.screen.query_one(TicketList)
        drawn = []
        render_line = ticket_list.render_line

        def counting(y):
            drawn.append(y)
            return render_line(y)

        ticket_list.render_line = counting
        original = ticket_list.set_columns

        def requery(choice):
            original(choice)
            ticket_list.load()

        statements: list[str] = []
        for where in ("top", "bottom"):
            if where == "bottom":
                await pilot.press("G")
                await pilot.pause()
            await pilot.press("C")
            await pilot.pause()
            assert isinstance(app.screen, ColumnsScreen)
            for way in ("repaint", "re-query"):
                ticket_list.set_columns = original if way == "repaint" else requery
                app.screen.on_change = ticket_list.set_columns
                for key in ("space", "J"):
                    samples = []
                    for _ in range(runs):
                        drawn.clear()
                        statements.clear()
                        app.store.conn.set_trace_callback(statements.append)
                        started = time.perf_counter()
                        await pilot.press(key)
                        while len(drawn) < ticket_list.scrollable_content_region.height - 1:
                            await asyncio.sleep(0)
                        samples.append(time.perf_counter() - started)
                        app.store.conn.set_trace_callback(None)
                        results[f"{where} {way} queries"] = len(statements)
                    results[f"{where} {way} {key}"] = statistics.median(samples) * 1000
            await pilot.press("r", "escape")
            await pilot.pause()
            # The list's own work, without the key's trip through Textual and the box's repaint:
            # lay out and draw every visible row, after a repaint or after a re-read.
            for way in ("repaint", "re-query"):
                samples = []
                for _ in range(runs):
                    started = time.perf_counter()
                    original(ticket_list.choice.toggled("tier"))
                    if way == "re-query":
                        ticket_list.load()
                    for y in range(ticket_list.scrollable_content_region.height):
                        render_line(y)
                    samples.append(time.perf_counter() - started)
                results[f"{where} {way} list only"] = statistics.median(samples) * 1000
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--size", default="200x50")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.split("x"))
    copy = Path("/tmp") / f"{args.db.stem}.columns-bench.db"
    if not copy.exists():
        shutil.copyfile(args.db, copy)  # the inbox writes (triage, presence): never the original
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.2f}; {args.db.name} at {args.size}, medians of {args.runs}")
    results = asyncio.run(measure(copy, args.runs, size))
    for where in ("top", "bottom"):
        for key in ("space", "J"):
            fast, slow = results[f"{where} repaint {key}"], results[f"{where} re-query {key}"]
            print(f"cursor at {where:6} key {key:5}  repaint {fast:7.1f} ms  re-query {slow:7.1f} ms  ({slow / max(fast, 0.01):.1f}x)")
        fast, slow = results[f"{where} repaint list only"], results[f"{where} re-query list only"]
        print(f"cursor at {where:6} the list's work only  repaint {fast:7.1f} ms  re-query {slow:7.1f} ms  ({slow / max(fast, 0.01):.1f}x)")
        print(f"cursor at {where:6} SQL statements per key: repaint {results[f'{where} repaint queries']}, "
              f"re-query {results[f'{where} re-query queries']}")


if __name__ == "__main__":
    main()
