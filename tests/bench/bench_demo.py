"""Benchmark: ``deskui demo --tickets N --no-open`` as a whole process, this tree against a
baseline revision in the same run (issue 18's target: 100k tickets in <= 20 s on 2 cores).

    PYTHONPATH=. .venv/bin/python tests/bench/bench_demo.py [N] [--runs R] [--baseline REV]

Each run is a fresh ``python -m deskui demo`` writing its own file; the two sides alternate, so a
busy spell on the shared machine hits both. Prints wall and CPU (user + sys of the process)
medians and their ratios: on a loaded machine the CPU figure is the steadier one. The baseline
(default ``c49f968``, the tree before the demo became a package) is a ``git archive`` of that
revision (``wholeproc.baseline_tree``). The two files are checked to hold as many rows per table.
Not collected by pytest (the file name does not start with test_).
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wholeproc import ROOT, baseline_tree  # noqa: E402

TABLES = ("customers", "orders", "order_items", "tracking_events", "tickets", "messages", "events", "tags",
          "sla_clocks", "agents")


def run_demo(tree: Path, path: Path, tickets: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``deskui demo`` process built from ``tree``."""
    env = dict(os.environ, PYTHONPATH=str(tree), DESKUI_CONFIG=str(path.with_suffix(".toml")))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    # cwd too: `python -m` puts the working directory first on sys.path, so run from the bench's
    # own checkout both sides were this tree (found 2026-12-03: the "baseline" used two cores).
    subprocess.run([sys.executable, "-m", "deskui", "demo", "--db", str(path), "--tickets", str(tickets),
                    "--no-open", "--force"], env=env, cwd=tree, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def counts(path: Path) -> dict[str, int]:
    """Rows per table. (Not their content: each ``deskui demo`` builds as seen at its own start,
    so two runs' times differ; tests/test_demo.py pins the content for a fixed ``now``.)"""
    conn = sqlite3.connect(path)
    found = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
    conn.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tickets", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", default="c49f968")
    args = parser.parse_args()
    sides = {"baseline": baseline_tree(args.baseline), "this tree": ROOT}
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start; "
          f"{args.tickets:,} tickets, {args.runs} runs per side, alternating")
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    with tempfile.TemporaryDirectory(prefix="deskui-bench-demo-") as tmp:
        for run in range(args.runs):
            for name, tree in sides.items():
                wall, cpu = run_demo(tree, Path(tmp) / f"{name.replace(' ', '-')}.db", args.tickets)
                results[name].append((wall, cpu))
                print(f"  run {run + 1}, {name}: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
        same = counts(Path(tmp) / "baseline.db") == counts(Path(tmp) / "this-tree.db")
    medians = {name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
               for name, runs in results.items()}
    for name, (wall, cpu) in medians.items():
        print(f"{name}: median {wall:.1f} s wall, {cpu:.1f} s CPU")
    (base_wall, base_cpu), (new_wall, new_cpu) = medians["baseline"], medians["this tree"]
    print(f"ratio baseline / this tree: {base_wall / new_wall:.2f}x wall, {base_cpu / new_cpu:.2f}x CPU; "
          f"load average {os.getloadavg()[0]:.1f} at the end; same row counts: {same}")


if __name__ == "__main__":
    main()
