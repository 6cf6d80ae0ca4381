"""The inbox's search keys as a user meets them: this revision against an older one in the same run.

    python tests/bench/bench_search_keys.py DB [--query refund] [--baseline REV] [--new REV] [--runs 3] [--cycles 3] [--sorts]

Each run starts ``deskui inbox DB`` in a pseudo-terminal (160x45), waits for the first painted
list and two seconds more, then ``--cycles`` times: `/` until the search box shows, the text and
enter until the view line shows the search's count, esc (half a second later, when the
frames that follow enter are done) until it shows the whole list's count again. With
``--sorts`` each cycle also presses `o` four times (risk -> next breach -> oldest -> channel ->
risk) inside the search, before esc, and four times on the whole list after it, each until the
view line names the new order. Each key is timed from the moment it is written to the pty. The two sides alternate run by
run on copies of DB (each opened first by its own side; give a file whose search index is built,
``deskui refresh DB``, or the launches index it meanwhile). Medians; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from wholeproc import PtyApp, baseline_tree, same_run_medians  # noqa: E402

from deskui.policy import default_policy  # noqa: E402
from deskui.store import connect  # noqa: E402
from deskui.store.inbox import SORT_LABELS, SORTS, InboxFilter, InboxQuery  # noqa: E402


def counts(db: Path, text: str) -> tuple[int, int]:
    """(whole list, the search) as the inbox's view line prints them."""
    conn = connect(db)
    try:
        return (InboxQuery(conn, default_policy()).count(),
                InboxQuery(conn, default_policy(), filter=InboxFilter(search=text)).count())
    finally:
        conn.close()


# What the view line says after each `o`, from the default order back to it.
SORT_CYCLE = tuple(f"sorted by {SORT_LABELS[sort]}" for sort in [*list(SORTS)[1:], next(iter(SORTS))])


def _sorts(app: "PtyApp") -> list[float]:
    times = []
    for label in SORT_CYCLE:
        times.append(_key(app, "o", label))
        time.sleep(0.3)
    return times


def measurer(text: str, whole: int, found: int, cycles: int, sorts: bool = False):
    def measure(db: Path, tree: Path) -> dict[str, float]:
        app = PtyApp(["-m", "deskui", "inbox", str(db), "--agent", "bench"], pythonpath=tree)
        try:
            app.wait_for("sorted by", timeout=180)
            time.sleep(2)  # the header counts and the search index's first check settle
            slash, enter, esc, sort_search, sort_whole = [], [], [], [], []
            for _ in range(cycles):
                slash.append(_key(app, "/", "enter to apply"))
                app.type(text)
                time.sleep(0.3)  # the text typed: only the enter is timed
                enter.append(_key(app, "\r", f"{found:,} ticket(s)"))
                time.sleep(0.5)  # the frames after the list (the footer, the panel) end first
                if sorts:
                    sort_search += _sorts(app)
                esc.append(_key(app, "\x1b", f"{whole:,} ticket(s)"))
                time.sleep(0.5)
                if sorts:
                    sort_whole += _sorts(app)
            figures = {"slash": statistics.median(slash), "enter": statistics.median(enter),
                       "esc": statistics.median(esc)}
            if sorts:
                figures.update(o_search=statistics.median(sort_search), o_whole=statistics.median(sort_whole))
            return figures
        finally:
            app.stop()
    return measure


def _key(app: PtyApp, key: str, shown: str) -> float:
    since = app.mark()
    pressed = time.perf_counter()
    app.type(key)
    app.wait_for(shown, since=since, timeout=120)
    return time.perf_counter() - pressed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--query", default="refund")
    parser.add_argument("--baseline", default="main")
    parser.add_argument("--new", default="HEAD")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--sorts", action="store_true", help="also time `o` inside the search and on the whole list")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.2f}")
    whole, found = counts(args.db, args.query)
    print(f"{args.db.name}: {whole:,} in the list, {found:,} match {args.query!r}")
    sides = {"baseline": baseline_tree(args.baseline), "new": baseline_tree(args.new)}
    medians = same_run_medians(args.db, sides, args.runs, measurer(args.query, whole, found, args.cycles, args.sorts))
    for side, median in medians.items():
        print(f"{side:8}: `/` {median['slash'] * 1000:.0f} ms, enter {median['enter'] * 1000:.0f} ms, "
              f"esc {median['esc'] * 1000:.0f} ms" + (
                  f", `o` in the search {median['o_search'] * 1000:.0f} ms, `o` on the list {median['o_whole'] * 1000:.0f} ms"
                  if args.sorts else "") + f"  [runs {args.runs} x cycles {args.cycles}]")
    base, new = medians["baseline"], medians["new"]
    print(f"new/baseline: `/` {new['slash'] / base['slash']:.2f}x, enter {new['enter'] / base['enter']:.2f}x, "
          f"esc {new['esc'] / base['esc']:.2f}x" + (
              f", `o` in the search {new['o_search'] / base['o_search']:.2f}x, on the list {new['o_whole'] / base['o_whole']:.2f}x"
              if args.sorts else "") + f"; load {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
