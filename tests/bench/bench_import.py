"""The whole ``deskui import`` command on an mbox, as a user runs it:
``python tests/bench/bench_import.py [--messages N] [--runs N] [--tree DIR ...] [--profile FILE] [--postgres]``.

Not collected by pytest. Generates one mbox with ``bench_ingest.make_mbox`` (100,000 messages by
default), then runs ``python -m deskui import --db NEW.db --seller support@myshop.example FILE``
in a fresh process and a fresh database per run (``deskui init``, not timed), timing the process from start to exit (process
start, imports, parsing, the rows, the triage after the commit). Each ``--tree`` is a checkout of
deskui (default: this one); the trees run in turns, so a before/after comparison shares the same
load on the machine. Prints every run and the median per tree.

``--profile FILE`` runs the first tree once more under cProfile and writes the stats there.

``--postgres`` adds a side per tree: the same import into a new database of a throw-away
PostgreSQL cluster (Debian's server, the settings of bench_pg.py: durable commits, loopback TCP
with a password), in turns with the SQLite runs. The server's own CPU is not in the CPU column.

Target (issue 18): <= 15 s for 100k e-mails on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ingest import make_mbox  # noqa: E402

TARGET_SECONDS = 15.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_import(tree: Path, mbox: Path, db: Path | str, profile: Path | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its worker processes). ``db``: a new file
    (any left from an earlier run is removed first), or the URL of an empty PostgreSQL database."""
    if isinstance(db, Path):
        for leftover in db.parent.glob(db.name + "*"):
            leftover.unlink()
    env = {**os.environ, "PYTHONPATH": str(tree), "DESKUI_DB": str(db)}
    subprocess.run([sys.executable, "-m", "deskui", "init", str(db)], env=env, cwd=tree, check=True, capture_output=True)
    command = [sys.executable]
    if profile is not None:
        command += ["-m", "cProfile", "-o", str(profile)]
    command += ["-m", "deskui", "import", "--db", str(db), "--seller", "support@myshop.example", str(mbox)]
    cpu = _children_cpu()
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    cpu = _children_cpu() - cpu
    if result.returncode:
        raise SystemExit(f"deskui import failed in {tree}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tree", action="append", type=Path, help="a deskui checkout to time (repeatable)")
    parser.add_argument("--mbox", type=Path, help="an existing mbox instead of a generated one")
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    parser.add_argument("--postgres", action="store_true", help="also import into PostgreSQL, in turns")
    args = parser.parse_args()
    trees = [tree.resolve() for tree in (args.tree or [ROOT])]
    server = None
    if args.postgres:
        sys.path.insert(0, str(ROOT))
        from bench_pg import BENCH_SETTINGS

        from tests import pg_server

        pg_server.SETTINGS = BENCH_SETTINGS
        server = pg_server.PgServer(pg_server.need_postgres())
        server.start()
    try:
        _compare(args, trees, server)
    finally:
        if server is not None:
            server.close()


def _compare(args: argparse.Namespace, trees: list[Path], server) -> None:
    work = Path(tempfile.mkdtemp(prefix="deskui-bench-import-", dir=args.dir))
    mbox = args.mbox
    if mbox is None:
        mbox = work / "inbox.mbox"
        make_mbox(mbox, args.messages)
    print(f"{os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.2f}; {mbox} ({mbox.stat().st_size / 1e6:.1f} MB)")
    sides = [(tree, backend) for tree in trees for backend in (("sqlite", "postgres") if server else ("sqlite",))]
    times: dict[tuple, list[float]] = {side: [] for side in sides}
    cpus: dict[tuple, list[float]] = {side: [] for side in sides}
    for run in range(args.runs):
        for number, (tree, backend) in enumerate(sides):
            db = work / f"import-{number}.db" if backend == "sqlite" else server.url(server.create_database())
            seconds, cpu = run_import(tree, mbox, db)
            if backend == "postgres":
                server.drop_database(db.rsplit("/", 1)[1])
            times[tree, backend].append(seconds)
            cpus[tree, backend].append(cpu)
            print(f"  run {run + 1} {tree} {backend}: {seconds:.2f} s, CPU {cpu:.1f} s (load {os.getloadavg()[0]:.2f})",
                  flush=True)
    for (tree, backend), values in times.items():
        median = statistics.median(values)
        verdict = "ok" if median <= TARGET_SECONDS else "MISSED"
        print(f"{tree} {backend}: median {median:.2f} s of {len(values)} ({', '.join(f'{v:.2f}' for v in values)}), "
              f"CPU median {statistics.median(cpus[tree, backend]):.1f} s [target <= {TARGET_SECONDS:.0f} s: {verdict}]")
    if args.profile:
        run_import(trees[0], mbox, work / "profile.db", args.profile)
        print(f"profile of {trees[0]} in {args.profile}")
    for path in work.iterdir():
        if path != args.mbox:
            path.unlink()
    work.rmdir()


if __name__ == "__main__":
    main()
