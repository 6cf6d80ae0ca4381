"""`deskui health --json FILE` as a user runs it (process start, imports, the check-up, the JSON),
this tree against an older revision in the same run, alternating, on two copies of one file.

    .venv/bin/python tests/bench/bench_health_cli.py FILE [--baseline c49f968] [--runs 5]

The baseline side gets its own copy (the newer side migrates its copy on first open; that open
is timed apart). Prints each side's median wall and user+system CPU and the ratios, and the load
average: on a shared 2-core machine wall time follows the load, CPU time much less. Nothing is
asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.wholeproc import ROOT, baseline_tree, copy_db  # noqa: E402


def run(tree: Path, path: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one `deskui health --json` in ``tree`` (cwd: `-m` looks there first)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "deskui", "health", "--json", str(path)], cwd=tree, check=True,
                   stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(tree)})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--baseline", default="c49f968")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    old_tree = baseline_tree(args.baseline)
    old_db = copy_db(args.file, Path(f"/tmp/bench-health-cli-{args.baseline}.db"))
    new_db = copy_db(args.file, Path("/tmp/bench-health-cli-new.db"))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"from deskui.store import connect; connect({str(new_db)!r}).close()"],
                   cwd=ROOT, check=True)
    print(f"first open of the new side (migrations): {time.perf_counter() - started:.2f} s")
    sides: dict[str, list[tuple[float, float]]] = {"baseline": [], "this tree": []}
    run(old_tree, old_db), run(ROOT, new_db)  # warm the page cache and the bytecode
    for _ in range(args.runs):
        sides["baseline"].append(run(old_tree, old_db))
        sides["this tree"].append(run(ROOT, new_db))
    medians = {}
    for name, times in sides.items():
        wall, cpu = statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)
        medians[name] = (wall, cpu)
        print(f"{name:10s} wall {wall:.2f} s (runs {', '.join(f'{t[0]:.2f}' for t in times)}), CPU {cpu:.2f} s")
    (old_wall, old_cpu), (new_wall, new_cpu) = medians["baseline"], medians["this tree"]
    print(f"ratio baseline/this tree: wall {old_wall / new_wall:.2f}x, CPU {old_cpu / new_cpu:.2f}x; "
          f"load average {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
