"""The lead's board at scale: the live board against re-aggregating every open ticket.

    python tests/bench/bench_board.py [--tickets 100000] [--db FILE] [--tree DIR]

Uses (and builds once, cached in /tmp) bench_inbox's demo database, or ``--db FILE``, copied so
the changes written here never touch it. ``--tree DIR`` imports deskui from DIR (a ``git archive``
of an older revision, as wholeproc.baseline_tree extracts it) to compare in the same run. Measures, each against the naive full SQL re-read in the same run:
- loading every open ticket into the live board (once at start) and the memory it holds;
- a recount at a later instant, from memory (what the 1 s tick does);
- applying a change of 1 … 5,000 tickets (what a write by another process costs);
- the board screen's 1 s tick, CPU, and a write by another connection -> shown on the board.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
if "--tree" in sys.argv:  # before deskui is imported
    sys.path.insert(0, sys.argv[sys.argv.index("--tree") + 1])

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect
from deskui.analytics.board import handle_minutes
from deskui.store.changes import ChangeFeed
from deskui.store.live_board import LiveBoard
from tests.bench.bench_inbox import NOW, build

DAY_START = NOW.replace(hour=0, minute=0)


def timed(function, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def working_copy(size: int, source: Path | None = None) -> Path:
    source = source or build(size)
    sqlite3.connect(source).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    target = Path(f"/tmp/deskui-bench-board-{source.stem if source else size}.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target


def board_data(conn, policy, now, day_start, handle):
    """The naive board: every open ticket read and counted again (the SQL board it replaced was
    deleted with issue 11; a fresh LiveBoard load is the same full re-read)."""
    board = LiveBoard(policy)
    board.load(conn, now, day_start)
    return board.snapshot(conn, now, handle)


def core(path: Path) -> None:
    policy = default_policy()
    conn = connect(path)
    open_count = conn.execute("SELECT count(*) FROM tickets WHERE status != 'solved'").fetchone()[0]
    print(f"{open_count:,} open tickets")
    handle = handle_minutes(conn, policy, NOW)
    naive = timed(lambda: board_data(conn, policy, NOW, DAY_START, handle), 5)
    print(f"naive: re-read and count every open ticket (a fresh load): median {naive:.1f} ms")

    live = LiveBoard(policy)
    load = timed(lambda: live.load(conn, NOW, DAY_START), 3)
    tracemalloc.start()
    held = LiveBoard(policy)
    held.load(conn, NOW, DAY_START)
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del held
    print(f"live: load every open ticket once: median {load:.1f} ms, holds {memory / 2**20:.1f} MB")

    moments = iter([NOW + timedelta(seconds=second) for second in range(1, 10_000)])
    recount = timed(lambda: live.snapshot(conn, next(moments), handle), 50)
    print(f"live: recount at a later instant from memory (the 1 s tick): median {recount:.2f} ms"
          f"  ({naive / recount:,.0f}x less than the naive re-read)")

    writer = connect(path)
    feed = ChangeFeed(conn, max_ids=10_000)
    ids = [row[0] for row in conn.execute("SELECT id FROM tickets WHERE status != 'solved'")]
    rng = random.Random(1)
    for count in [size for size in (1, 10, 100, 1_000, 5_000) if size <= len(ids)]:
        samples = []
        for round_ in range(5):
            chosen = rng.sample(ids, count)
            with writer:
                writer.executemany("UPDATE tickets SET assignee = ? WHERE id = ?",
                                   [(f"agent{(ticket + round_) % 7}", ticket) for ticket in chosen])
            changes = feed.poll()
            started = time.perf_counter()
            live.apply(conn, changes.ticket_ids)
            samples.append(time.perf_counter() - started)
        apply = statistics.median(samples) * 1000
        print(f"live: apply a change of {count:>5,} tickets: median {apply:8.2f} ms  ({naive / apply:,.1f}x less than naive)")
    expected = board_data(conn, policy, NOW + timedelta(seconds=7), DAY_START, handle)
    got = live.snapshot(conn, NOW + timedelta(seconds=7), handle)
    assert got.matrix == expected.matrix and got.agents == expected.agents, "live board drifted from a fresh read"
    print("live board agrees with a fresh full read after every change: yes")


async def screen(path: Path) -> None:
    from deskui.store import write
    from deskui.ui.app import DeskApp
    from deskui.ui.screens.board import BoardScreen

    clock = FixedClock(NOW)
    app = DeskApp(path, policy=default_policy(), clock=clock, agent="bench", start="board")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        board = app.screen
        # The handle times are measured after the counts show (None until then; older revisions
        # measured them with the load): wait, or the ticks below count that worker's CPU too.
        while getattr(board, "_handle", None) is None:
            await pilot.pause()
            await app.workers.wait_for_complete()
        assert isinstance(board, BoardScreen)
        samples = []
        for _ in range(30):
            clock.advance(seconds=1)
            started = time.process_time()
            board._tick()
            samples.append(time.process_time() - started)
        print(f"screen: 1 s tick (recount + redraw of every panel), median {statistics.median(samples) * 1000:.2f} ms CPU")
        other = connect(path)
        ticket_ids = [row[0] for row in other.execute("SELECT id FROM tickets WHERE status = 'open' LIMIT 20")]
        latencies = []
        for number, ticket_id in enumerate(ticket_ids[:10]):
            before = board.live.rows_read
            with write(other):
                other.execute("UPDATE tickets SET assignee = ? WHERE id = ?", (f"latency{number}", ticket_id))
            started = time.perf_counter()
            while board.live.rows_read == before or board._applying:
                await asyncio.sleep(0.005)
            latencies.append(time.perf_counter() - started)
        print(f"screen: write by another connection -> on the board: median {statistics.median(latencies) * 1000:.0f} ms,"
              f" max {max(latencies) * 1000:.0f} ms (poll every 250 ms)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000, help="open tickets")
    parser.add_argument("--db", type=Path, help="a database to copy instead of building one")
    parser.add_argument("--tree", help="import deskui from this directory (an older revision)")
    args = parser.parse_args()
    import deskui

    print(f"deskui from {Path(deskui.__file__).parent}, load {os.getloadavg()[0]:.2f}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    path = working_copy(args.tickets, args.db)
    core(path)
    asyncio.run(screen(path))


if __name__ == "__main__":
    main()
