"""The e-mail importer's inserts: ``executemany`` (deskui.store.mail_rows) against sqlite-utils'
``Table.insert_all`` (list mode: column names first, then tuples), same rows, same run:
``python tests/bench/bench_import_writes.py [--rows N] [--runs N]``.

Not collected by pytest. Each trial inserts N customers, N tickets and N messages (the shape of
a 100k-message mbox import, with ids handed out ahead as the importer does) in batches of 500
into a fresh database inside one transaction, and reports the median per table and way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

from deskui.store import connect  # noqa: E402
from deskui.store import mail_rows  # noqa: E402

BATCH = 500
BODY = "Hello, my parcel has not arrived yet and the tracking has not moved for four days. " * 3


def rows(n: int) -> dict[str, list[tuple]]:
    customers = [(i, "amazon", f"alias{i}@marketplace.amazon.de", f"Buyer {i}", f"alias{i}@marketplace.amazon.de",
                  "2026-11-01T10:00:00Z") for i in range(1, n + 1)]
    tickets = [(i, "amazon", "amazon.de", f"302-{i:07d}-1234567/alias{i}@marketplace.amazon.de", i, f"302-{i:07d}-1234567",
                f"Order inquiry {i}", "2026-11-01T10:00:00Z", "2026-11-25T12:00:00Z") for i in range(1, n + 1)]
    messages = [(i, "in", f"alias{i}@marketplace.amazon.de", BODY, "2026-11-01T10:00:00Z", 0, "From: x\n\n" + BODY,
                 f"<bench-{i}@email.amazonses.com>") for i in range(1, n + 1)]
    return {"customers": customers, "tickets": tickets, "messages": messages}


COLUMNS = {"customers": mail_rows.CUSTOMER_COLUMNS, "tickets": mail_rows.TICKET_COLUMNS, "messages": mail_rows.MESSAGE_COLUMNS}
EXECUTEMANY = {"customers": mail_rows.insert_customers, "tickets": mail_rows.insert_tickets, "messages": mail_rows.insert_messages}


def trial(path: Path, data: dict[str, list[tuple]], way: str) -> dict[str, float]:
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    conn = connect(path, create=True)
    db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
    seconds = {}
    conn.execute("BEGIN IMMEDIATE")
    for table in ("customers", "tickets", "messages"):
        started = time.perf_counter()
        for start in range(0, len(data[table]), BATCH):
            part = data[table][start: start + BATCH]
            if way == "executemany":
                EXECUTEMANY[table](conn, part)
            else:
                db.table(table).insert_all([list(COLUMNS[table]), *part], batch_size=BATCH)
        seconds[table] = time.perf_counter() - started
    conn.execute("COMMIT")
    conn.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data = rows(args.rows)
    work = Path(tempfile.mkdtemp(prefix="deskui-bench-writes-"))
    results: dict[str, list[dict[str, float]]] = {"sqlite-utils insert_all": [], "executemany": []}
    for _ in range(args.runs):
        for way in results:
            results[way].append(trial(work / "w.db", data, way))
    print(f"{args.rows:,} rows per table, batches of {BATCH}, medians of {args.runs}")
    for table in ("customers", "tickets", "messages"):
        cells = [f"{way} {statistics.median(r[table] for r in runs):.3f} s" for way, runs in results.items()]
        print(f"  {table:<10} " + "   ".join(cells))
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()


if __name__ == "__main__":
    main()
