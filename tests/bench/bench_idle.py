"""The inbox left alone: CPU per second and memory, whole process in a pty, this tree against an
older revision in the same run.

    python tests/bench/bench_idle.py DB [DB ...] [--baseline REV] [--seconds 30] [--settle 15] [--runs 1]

Each DB (a file the baseline revision can open: build it with that revision, e.g. the synthetic
rows of tests/helpers.py with instants around the real clock, or `deskui demo`) is copied once per
side, the newer side's copy migrated before timing. The inbox opens on the real clock, waits
``--settle`` seconds (first paint, the header counts, the backlog triage), then CPU is read from
/proc over ``--seconds``: the whole process, its main thread and the rest; then the same at the
bottom of the list (`G`).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wholeproc import PtyApp, baseline_tree, same_run_medians  # noqa: E402


def measure(db: Path, tree: Path, seconds: float, settle: float) -> dict[str, float]:
    app = PtyApp(["-m", "deskui", "inbox", str(db), "--agent", "bench"], pythonpath=tree)
    try:
        app.wait_for("sorted by", timeout=180)
        time.sleep(settle)
        top = app.idle_cpu(seconds)
        app.type("G")
        time.sleep(3)
        bottom = app.idle_cpu(seconds)
        rss, hwm = app.rss_kb()
        return {"top": top["total"], "top_main": top["main"], "top_others": top["others"],
                "bottom": bottom["total"], "bottom_main": bottom["main"], "bottom_others": bottom["others"],
                "rss_mb": rss / 1024, "hwm_mb": hwm / 1024}
    finally:
        app.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dbs", nargs="+", type=Path)
    parser.add_argument("--baseline", default="4383c83", help="the revision to compare with")
    parser.add_argument("--new", default="HEAD", help="the revision measured against it (committed code only)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--settle", type=float, default=15.0)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.2f}")
    sides = {"baseline": baseline_tree(args.baseline), "new": baseline_tree(args.new)}
    for db in args.dbs:
        for side, median in same_run_medians(db, sides, args.runs, partial(measure, seconds=args.seconds,
                                                                            settle=args.settle)).items():
            print(f"{db.name} {side:8}: idle CPU top {median['top']:.1f} ms/s (main {median['top_main']:.1f}, "
                  f"workers {median['top_others']:.1f}), bottom {median['bottom']:.1f} ms/s (main "
                  f"{median['bottom_main']:.1f}, workers {median['bottom_others']:.1f}); RSS {median['rss_mb']:.0f} MB, "
                  f"peak {median['hwm_mb']:.0f} MB  [runs: {args.runs}]", flush=True)


if __name__ == "__main__":
    main()
