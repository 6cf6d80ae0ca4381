"""Launch and a key, as a user meets them: this revision against an older one in the same run.

    python tests/bench/bench_launch.py DB [DB...] [--baseline REV] [--new REV] [--runs 5]

Each run starts ``deskui inbox DB`` in a pseudo-terminal (160x45) and times, from the process
start, the first painted list ("sorted by"), then from the key press to the screen showing the
next sort ("next breach" after ``o``). The two sides
alternate, so both meet the same load; medians and the ratio are printed. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from wholeproc import PtyApp, baseline_tree, same_run_medians  # noqa: E402


def measure(db: Path, tree: Path) -> dict[str, float]:
    app = PtyApp(["-m", "deskui", "inbox", str(db), "--agent", "bench"], pythonpath=tree)
    try:
        app.wait_for("sorted by", timeout=180)
        first_paint = time.perf_counter() - app.started
        cpu_at_paint = app.cpu_total()  # steadier than the wall clock on a shared machine
        time.sleep(2)  # the header counts and the backlog triage settle
        since = app.mark()
        pressed = time.perf_counter()
        app.type("o")
        app.wait_for("next breach", since=since, timeout=60)
        sort_key = time.perf_counter() - pressed
        return {"first_paint": first_paint, "cpu_at_paint": cpu_at_paint, "sort_key": sort_key}
    finally:
        app.stop()


def _pending_search_rows(db: Path) -> int:
    from deskui.store import connect, search

    conn = connect(db)
    try:
        return search.pending(conn)
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dbs", nargs="+", type=Path)
    parser.add_argument("--baseline", default="c49f968")
    parser.add_argument("--new", default="HEAD")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.2f}")
    sides = {"baseline": baseline_tree(args.baseline), "new": baseline_tree(args.new)}
    for db in args.dbs:
        if pending := _pending_search_rows(db):
            print(f"{db.name}: {pending:,} rows wait for the search index; each launch would "
                  "index them meanwhile: run deskui refresh on it first", file=sys.stderr)
        medians = same_run_medians(db, sides, args.runs, measure)
        for side, median in medians.items():
            print(f"{db.name} {side:8}: first paint {median['first_paint'] * 1000:.0f} ms "
                  f"(CPU {median['cpu_at_paint'] * 1000:.0f} ms), "
                  f"`o` to the next sort {median['sort_key'] * 1000:.0f} ms  [runs: {args.runs}]")
        base, new = medians["baseline"], medians["new"]
        print(f"{db.name} new/baseline: first paint {new['first_paint'] / base['first_paint']:.2f}x, "
              f"`o` {new['sort_key'] / base['sort_key']:.2f}x; load {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
