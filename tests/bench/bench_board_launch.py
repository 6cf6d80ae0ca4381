"""`deskui board DB` as the lead meets it: this revision against an older one in the same run.

    python tests/bench/bench_board_launch.py DB [DB...] [--baseline REV] [--new REV] [--runs 5]

Each run starts ``deskui board DB`` in a pseudo-terminal (160x45) and times, from the process
start: the first painted frame (the footer's "Refresh"), the counts on screen ("breaches so far
today", which both revisions draw only with the data), and the forecast ("next 15 min", drawn once
the handle times are measured). Then, a few seconds later, the peak (VmHWM) and held (VmRSS)
memory of the process. The two sides alternate run by run on their own copies of the file, so
both meet the same load; medians are printed. Nothing is asserted.

DB is copied next to itself for each side: pass a file in a writable directory.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wholeproc import PtyApp, baseline_tree, same_run_medians  # noqa: E402

SETTLE_SECONDS = 3.0  # after the forecast: the memory held once the board idles


def measure(db: Path, tree: Path) -> dict[str, float]:
    app = PtyApp(["-m", "deskui", "board", str(db)], pythonpath=tree)
    try:
        app.wait_for("Refresh", timeout=180)
        first_paint = time.perf_counter() - app.started
        cpu_at_paint = app.cpu_total()
        app.wait_for("breaches so far today", timeout=300)
        data = time.perf_counter() - app.started
        cpu_at_data = app.cpu_total()
        app.wait_for("next 15 min", timeout=300)
        forecast = time.perf_counter() - app.started
        time.sleep(SETTLE_SECONDS)
        held, peak = app.rss_kb()
        return {"first_paint": first_paint, "cpu_at_paint": cpu_at_paint, "data": data, "forecast": forecast, "cpu_at_data": cpu_at_data,
                "peak_mb": peak / 1024, "held_mb": held / 1024}
    finally:
        app.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dbs", nargs="+", type=Path)
    parser.add_argument("--baseline", default="fa36643")
    parser.add_argument("--new", default="HEAD")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.2f}")
    sides = {"baseline": baseline_tree(args.baseline), "new": baseline_tree(args.new)}
    for db in args.dbs:
        medians = same_run_medians(db, sides, args.runs, measure)
        for side, m in medians.items():
            print(f"{db.name} {side:8}: first paint {m['first_paint'] * 1000:.0f} ms (CPU {m['cpu_at_paint']:.2f} s), counts on screen "
                  f"{m['data'] * 1000:.0f} ms (CPU {m['cpu_at_data']:.2f} s), forecast {m['forecast'] * 1000:.0f} ms, "
                  f"peak {m['peak_mb']:.0f} MB, held {m['held_mb']:.0f} MB  [median of {args.runs}]")
        base, new = medians["baseline"], medians["new"]
        print(f"{db.name} new/baseline: first paint {new['first_paint'] / base['first_paint']:.2f}x, counts "
              f"{new['data'] / base['data']:.2f}x, peak memory {new['peak_mb'] / base['peak_mb']:.2f}x; "
              f"load {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
