"""Benchmark: demo data generation (target: 100k tickets in <= 30 s on 2 cores).

    PYTHONPATH=. .venv/bin/python tests/bench/bench_demo.py [N] [--runs R] [--naive-slice S]

Builds N tickets (default 100,000) with ``deskui.demo.generate`` and prints the wall time (the
median when there are several runs), the part spent in ``refresh_tickets`` (triage and due times)
versus generating and writing the rows, and the peak RSS. In the same run it measures the naive
way to write the same rows -- one INSERT and one COMMIT per row, through a normal deskui
connection -- on a slice of S tickets, and extrapolates that to N (stated as extrapolated).
Not collected by pytest (the file name does not start with test_).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import deskui.demo as demo
from deskui.policy import default_policy
from deskui.store import connect

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
TABLES = tuple(demo.INSERTS) + ("sla_clocks", "agents", "meta")


def machine() -> str:
    return (
        f"{platform.platform()}, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed_generate(path: Path, tickets: int) -> tuple[float, float]:
    """Total seconds and the seconds spent inside refresh_tickets."""
    spent = [0.0]
    original = demo.refresh_tickets

    def refresh(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    demo.refresh_tickets = refresh
    try:
        started = time.perf_counter()
        demo.generate(path, tickets=tickets, now=NOW, force=True)
        return time.perf_counter() - started, spent[0]
    finally:
        demo.refresh_tickets = original


def row_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return sum(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES)
    finally:
        conn.close()


def naive_rows_per_second(directory: Path, tickets: int) -> tuple[int, float]:
    """The same generator's rows for ``tickets`` tickets, written the naive way: a deskui
    connection as any script would open it (WAL, triggers and indexes in place), one INSERT and
    one COMMIT per row. Returns (rows, seconds)."""
    policy = default_policy()
    now = int(NOW.timestamp())
    rng = random.Random(7)
    builder = demo._Builder(rng, now, policy)
    for plan in demo._plan(rng, tickets, now, policy):
        builder.ticket(plan)
    rows = builder.take_rows()
    conn = connect(directory / "naive.db", create=True)
    count = 0
    started = time.perf_counter()
    for table, statement in demo.INSERTS.items():
        for row in rows[table]:
            conn.execute("BEGIN")
            conn.execute(statement, row)
            conn.execute("COMMIT")
            count += 1
    seconds = time.perf_counter() - started
    conn.close()
    return count, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tickets", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, help="default: 3 up to 20,000 tickets, else 1")
    parser.add_argument("--naive-slice", type=int, default=2000)
    args = parser.parse_args()
    runs = args.runs or (3 if args.tickets <= 20_000 else 1)

    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="deskui-bench-") as tmp:
        directory = Path(tmp)
        path = directory / "demo.db"
        results = [timed_generate(path, args.tickets) for _ in range(runs)]
        total = statistics.median(seconds for seconds, _ in results)
        refresh = statistics.median(seconds for _, seconds in results)
        rows = row_count(path)
        size = path.stat().st_size / 1e6
        rss = peak_rss_mb()
        label = "median of" if runs > 1 else "runs:"
        print(f"demo.generate, {args.tickets:,} tickets ({label} {runs}): {total:.1f} s "
              f"{'(target <= 30 s at 100k)' if args.tickets == 100_000 else ''}".rstrip())
        print(f"  generating and writing rows: {total - refresh:.1f} s, refresh_tickets: {refresh:.1f} s "
              f"({refresh / total:.0%})")
        print(f"  {rows:,} rows, {rows / (total - refresh):,.0f} rows/s generated and written; file {size:.0f} MB; peak RSS {rss:.0f} MB")

        naive_rows, naive_seconds = naive_rows_per_second(directory, args.naive_slice)
        rate = naive_rows / naive_seconds
        print(f"naive (one INSERT + COMMIT per row), measured on {args.naive_slice:,} tickets: "
              f"{naive_rows:,} rows in {naive_seconds:.1f} s = {rate:,.0f} rows/s")
        print(f"  EXTRAPOLATED to {args.tickets:,} tickets ({rows:,} rows): {rows / rate:.0f} s of writing alone "
              f"+ the same {refresh:.1f} s of refresh_tickets = {rows / rate + refresh:.0f} s "
              f"({(rows / rate + refresh) / total:.1f}x the measured {total:.1f} s)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
