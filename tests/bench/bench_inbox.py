"""Inbox benchmarks at scale, against a naive DataTable in the same run.

    python tests/bench/bench_inbox.py [--tickets 100000] [--naive-rows 100000]

Builds (once, cached in /tmp) a demo database of N tickets, then measures:
- launch to first painted inbox, whole process (median of 5), at 1k, N and, with --million, 1M;
- CPU per 1 s countdown tick at the top, middle and bottom of the list;
- highlight -> order panel filled;
- peak memory of the inbox process;
and the same first paint and tick for a DataTable holding every open ticket.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from deskui import demo  # noqa: E402
from deskui.clock import FixedClock  # noqa: E402
from deskui.policy import default_policy  # noqa: E402

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)

FIRST_PAINT = r"""
import sys, time, resource
from pathlib import Path
from datetime import datetime, timezone
from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.ui.app import DeskApp
from deskui.ui.widgets.ticket_list import TicketList

class Bench(DeskApp):
    def on_mount(self):
        # DeskApp.on_mount runs too: Textual dispatches handlers along the MRO.
        self.set_interval(0.005, self._check)
    def _check(self):
        try:
            ticket_list = self.screen.query_one(TicketList)
        except Exception:
            return
        if ticket_list.count and ticket_list.size.height:
            # The paint moment is printed, not the exit: shutting down waits for the
            # background workers, which is not what an agent waits for.
            print(f"painted {time.time()}", flush=True)
            self.exit(peak_kb())

def peak_kb():
    # VmHWM starts afresh at exec; ru_maxrss would carry the parent's peak over.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

app = Bench(Path(sys.argv[1]), policy=default_policy(), clock=FixedClock(datetime(2026, 11, 25, 12, tzinfo=timezone.utc)), agent="bench")
rss = app.run(headless=True, size=(160, 45))
print(rss)
"""

NAIVE_FIRST_PAINT = r"""
import sys, sqlite3, resource
from textual.app import App
from textual.widgets import DataTable
rows = sqlite3.connect(sys.argv[1]).execute(
    "SELECT due_at, tier, channel, subject, order_number, assignee, created_at FROM tickets "
    "WHERE status != 'solved' ORDER BY tier_rank, due_at, id LIMIT ?", (int(sys.argv[2]),)).fetchall()

class Naive(App):
    def compose(self):
        yield DataTable()
    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("due", "tier", "channel", "subject", "order", "agent", "age")
        table.add_rows(rows)
        self.call_after_refresh(lambda: self.exit(peak_kb()))

def peak_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

print(Naive().run(headless=True, size=(160, 45)))
"""


def build(open_tickets: int) -> Path:
    """A demo database with about ``open_tickets`` open (the demo keeps ~40 % of tickets open)."""
    path = Path(f"/tmp/deskui-bench-open-{open_tickets}.db")
    if not path.exists():
        started = time.perf_counter()
        demo.generate(path, seed=1, tickets=int(open_tickets / 0.4), now=NOW, policy=default_policy(), force=True)
        print(f"  built {int(open_tickets / 0.4):,} tickets in {time.perf_counter() - started:.1f} s -> {path}")
    return path


def build_synthetic(open_tickets: int) -> Path:
    """Open tickets only, written as a triaged store holds them (the demo generator would take
    ~12 min for 1M open tickets; the inbox only reads the tickets table at start-up)."""
    from deskui.store import connect
    from tests.helpers import insert_triaged_open_tickets

    path = Path(f"/tmp/deskui-bench-synthetic-{open_tickets}.db")
    if path.exists():
        return path
    started = time.perf_counter()
    conn = connect(path, create=True)
    insert_triaged_open_tickets(conn, open_tickets, NOW)
    conn.close()
    print(f"  built {open_tickets:,} synthetic open tickets in {time.perf_counter() - started:.1f} s -> {path}")
    return path


def run_script(script: str, *args: str) -> tuple[float, int]:
    """(seconds from launch to first paint, peak RSS in kB). A script that prints no paint time
    is timed to its exit."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started_wall, started = time.time(), time.perf_counter()
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, check=True)
    elapsed = time.perf_counter() - started
    lines = out.stdout.strip().splitlines()
    painted = [float(line.split()[1]) for line in lines if line.startswith("painted ")]
    return (painted[0] - started_wall if painted else elapsed), int(lines[-1])


def first_paint(path: Path, runs: int = 5) -> tuple[float, int]:
    results = [run_script(FIRST_PAINT, str(path)) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


async def in_process(path: Path) -> dict[str, float]:
    from deskui.ui.app import DeskApp
    from deskui.ui.widgets.ticket_list import TicketList
    from deskui.store.context import ticket_context
    from deskui.ui.widgets.order_panel import render_context

    clock = FixedClock(NOW)
    app = DeskApp(path, policy=default_policy(), clock=clock, agent="bench")
    figures: dict[str, float] = {}
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        ticket_list = app.screen.query_one(TicketList)
        height = ticket_list.scrollable_content_region.height
        for name, position in (("top", 0), ("middle", ticket_list.count // 2), ("bottom", ticket_list.count - 1)):
            ticket_list.cursor = position
            await pilot.pause()
            samples = []
            for _ in range(30):
                clock.advance(seconds=1)
                started = time.process_time()
                ticket_list.tick()  # what the 1 s timer does ...
                for y in range(height):  # ... and the repaint it asks for
                    ticket_list.render_line(y)
                samples.append(time.process_time() - started)
            figures[f"tick_{name}_ms"] = statistics.median(samples) * 1000
        conn = app.screen.conn
        samples = []
        for position in range(0, min(ticket_list.count, 3000), 100):
            row = ticket_list.query_view.row(position)
            started = time.perf_counter()
            render_context(ticket_context(conn, row.id), clock.now(), app.policy)
            samples.append(time.perf_counter() - started)
        figures["panel_ms"] = statistics.median(samples) * 1000
        figures["panel_p95_ms"] = sorted(samples)[int(len(samples) * 0.95)] * 1000
    return figures


async def naive_tick(path: Path, rows: int) -> float:
    import sqlite3
    from textual.app import App
    from textual.widgets import DataTable

    data = sqlite3.connect(path).execute(
        "SELECT due_at, tier, channel, subject, order_number, assignee, created_at FROM tickets "
        "WHERE status != 'solved' ORDER BY tier_rank, due_at, id LIMIT ?", (rows,)).fetchall()

    class Naive(App):
        def compose(self):
            yield DataTable()

    app = Naive()
    async with app.run_test(size=(160, 45)) as pilot:
        table = app.query_one(DataTable)
        columns = table.add_columns("due", "tier", "channel", "subject", "order", "agent", "age")
        keys = table.add_rows(data)
        await pilot.pause()
        samples = []
        for tick in range(5):
            started = time.process_time()
            for key in keys[:40]:  # update only the visible rows' countdown cell
                table.update_cell(key, columns[0], f"{tick:02d}:00")
            await pilot.pause()
            samples.append(time.process_time() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000, help="open tickets")
    parser.add_argument("--naive-rows", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="also measure first paint at 1M open tickets (synthetic rows)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores, Python {platform.python_version()}")
    sizes = [1_000, args.tickets]
    paths = {size: build(size) for size in sizes}
    if args.million:
        paths[1_000_000] = build_synthetic(1_000_000)
    for size, path in paths.items():
        import sqlite3
        open_count = sqlite3.connect(path).execute("SELECT count(*) FROM tickets WHERE status != 'solved'").fetchone()[0]
        seconds, rss = first_paint(path)
        print(f"deskui first paint, {open_count:,} open tickets: median {seconds * 1000:.0f} ms, peak RSS {rss / 1024:.0f} MB")
    figures = asyncio.run(in_process(paths[args.tickets]))
    for name, value in figures.items():
        print(f"deskui {name}: {value:.2f}")
    seconds, rss = run_script(NAIVE_FIRST_PAINT, str(paths[args.tickets]), str(args.naive_rows))
    print(f"naive DataTable first paint, {args.naive_rows:,} rows: {seconds * 1000:.0f} ms, peak RSS {rss / 1024:.0f} MB")
    print(f"naive DataTable tick (40 visible cells updated): median {asyncio.run(naive_tick(paths[args.tickets], args.naive_rows)):.1f} ms CPU")


if __name__ == "__main__":
    main()
