"""Benchmark: writing the demo's rows with sqlite-utils ``insert_all`` against the hand-written
``executemany`` of ``deskui/store/demo_rows.py``, in the same run.

    PYTHONPATH=. .venv/bin/python tests/bench/bench_demo_rows.py [N] [--runs R]

The rows of N tickets (default 20,000) are generated once, then written R times each way into a
fresh file prepared exactly as the demo prepares it (``demo_rows.begin_bulk``: no journal, no
triggers, no secondary indexes), chunk by chunk in one transaction per chunk, the two ways
alternating. sqlite-utils gets its fastest form: list mode (column names, then tuples), the
largest batch SQLite's variable limit allows. Prints per-table medians and the ratio.
Not collected by pytest.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from deskui.demo.plan import plan_tickets
from deskui.demo.tables import AGENTS, CHUNK
from deskui.demo.tickets import Builder
from deskui.policy import default_policy
from deskui.store import demo_rows
from deskui.store.db import connect, write

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def chunks_of_rows(tickets: int) -> list[dict[str, list[tuple]]]:
    """The generator's rows, chunk by chunk, triaged as the demo writes them."""
    policy, now = default_policy(), int(NOW.timestamp())
    rng = random.Random(7)
    builder = Builder(rng, now, policy)
    plans = plan_tickets(rng, tickets, now, policy)
    out = []
    for start in range(0, tickets, CHUNK):
        for plan in plans[start : start + CHUNK]:
            builder.ticket(plan)
        rows = builder.take_rows()
        builder.counts.clocks = []
        demo_rows.scrub(rows)
        rows["tickets"] = demo_rows.triaged_tickets(rows["tickets"], demo_rows.triage(policy, NOW, rows), {})
        out.append(rows)
    return out


def columns(table: str) -> tuple[str, ...]:
    return demo_rows.TRIAGED_COLUMNS if table == "tickets" else demo_rows.COLUMNS[table]


def write_executemany(conn, chunks, spent) -> None:
    for rows in chunks:
        with write(conn):
            for table, statement in demo_rows.INSERTS.items():
                started = time.perf_counter()
                conn.executemany(statement, rows[table])
                spent[table] += time.perf_counter() - started


def write_sqlite_utils(conn, chunks, spent) -> None:
    db = sqlite_utils.Database(conn)
    for rows in chunks:
        with write(conn):
            for table in demo_rows.INSERTS:
                names = list(columns(table))
                started = time.perf_counter()
                db[table].insert_all([names, *rows[table]], batch_size=999 // len(names))
                spent[table] += time.perf_counter() - started


def one_run(directory: Path, way, chunks) -> dict[str, float]:
    path = directory / f"{way.__name__}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = connect(path, create=True)
    demo_rows.begin_bulk(conn, [agent[:2] for agent in AGENTS])
    spent: dict[str, float] = defaultdict(float)
    way(conn, chunks, spent)
    total = sum(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in demo_rows.INSERTS)
    conn.close()
    spent["rows"] = total
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tickets", nargs="?", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    chunks = chunks_of_rows(args.tickets)
    ways = (write_executemany, write_sqlite_utils)
    results: dict[str, list[dict[str, float]]] = {way.__name__: [] for way in ways}
    with tempfile.TemporaryDirectory(prefix="deskui-bench-rows-") as tmp:
        for _ in range(args.runs):
            for way in ways:
                results[way.__name__].append(one_run(Path(tmp), way, chunks))
    rows = {name: {run["rows"] for run in runs} for name, runs in results.items()}
    print(f"{args.tickets:,} tickets, {rows['write_executemany']} rows (sqlite-utils wrote {rows['write_sqlite_utils']}), "
          f"medians of {args.runs}, seconds:")
    print(f"{'table':16} {'executemany':>12} {'sqlite-utils':>13} {'ratio':>7}")
    totals = {name: 0.0 for name in results}
    for table in demo_rows.INSERTS:
        medians = {name: statistics.median(run[table] for run in runs) for name, runs in results.items()}
        for name in totals:
            totals[name] += medians[name]
        hand, lib = medians["write_executemany"], medians["write_sqlite_utils"]
        print(f"{table:16} {hand:12.3f} {lib:13.3f} {lib / hand:6.2f}x")
    hand, lib = totals["write_executemany"], totals["write_sqlite_utils"]
    print(f"{'all':16} {hand:12.3f} {lib:13.3f} {lib / hand:6.2f}x")


if __name__ == "__main__":
    main()
