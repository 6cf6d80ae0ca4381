"""SQLite against PostgreSQL, side by side in one run, each command as a user meets it.

    python tests/bench/bench_pg.py DB [DB ...] [--runs 3] [--idle 20] [--import-rows 100000]
        [--skip inbox,board,health,import] [--baseline REV] [--sides sqlite,postgres,baseline]

Each DB (a deskui SQLite file) is copied into a PostgreSQL database of a throw-away cluster
(Debian's server, started as the postgres user, durable settings: fsync on) with `deskui migrate`,
then the two backends take turns, run by run, on:

- launch: `deskui inbox` in a 160x45 pty, process start to the first painted list;
- `o`: the key press to the next sort on screen;
- idle: the inbox's CPU over ``--idle`` seconds (ms of CPU per second, all threads, from /proc),
  and the server's over the same seconds (its backends serve the idle inbox's reads);
- board: `deskui board` from process start to its matrix on screen, to its forecast (every open
  ticket read), and its peak RSS then;
- a write on the board: another process claims a ticket, to the claimer's name on the board;
- panel: the order panel's read for one ticket (in this process, median over 200 tickets);
- health: `deskui health --json`, whole command, wall and CPU (deskui's, and the server's own);
- import: `deskui import` of an Amazon order report of ``--import-rows`` rows into an empty
  database (a new file / a new PostgreSQL database), whole command.

``--baseline REV`` adds a third side: REV's deskui (``git archive``) on PostgreSQL, in a copy of
the same database opened first by REV (so its own compat functions are in place), to compare a
change with what it replaces in the same run. ``--sides`` picks which of the three run.

The server is on the same machine (loopback TCP with a password, as a team's clients connect),
so the figures show the protocol's cost, not a network's. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from wholeproc import PtyApp, baseline_tree  # noqa: E402

from tests import pg_server  # noqa: E402

# A server as a team would run it: durable commits, a page cache big enough for the 1M file.
BENCH_SETTINGS = ("shared_buffers=512MB", "max_connections=60", "listen_addresses=127.0.0.1",
                  "work_mem=16MB")


def server_cpu(data_dir: Path) -> float:
    """CPU seconds used so far by the bench cluster's processes: the postmaster (whose children's
    time counts exited backends) and its live children. Other clusters on the machine (a test
    suite's) are left out."""
    ticks = os.sysconf("SC_CLK_TCK")
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(proc.name) == postmaster:
            total += sum(int(value) for value in fields[11:15]) / ticks
        elif int(fields[1]) == postmaster:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def command(*args: str, env: dict | None = None, tree: Path = ROOT) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) for one deskui command (of ``tree``) run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "deskui", *args], cwd=tree, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, **(env or {}), "PYTHONPATH": str(tree)})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def inbox_figures(target: str, idle_seconds: float, tree: Path = ROOT, server_data: Path | None = None) -> dict[str, float]:
    app = PtyApp(["-m", "deskui", "inbox", target, "--agent", "bench"], pythonpath=tree)
    try:
        app.wait_for("sorted by", timeout=300)
        figures = {"launch": time.perf_counter() - app.started}
        time.sleep(3)  # the header counts and the backlog triage settle
        since = app.mark()
        pressed = time.perf_counter()
        app.type("o")
        app.wait_for("next breach", since=since, timeout=120)
        figures["o_key"] = time.perf_counter() - pressed
        time.sleep(2)
        server_before = server_cpu(server_data) if server_data and target.startswith("postgresql") else 0.0
        figures["idle_ms_per_s"] = app.idle_cpu(idle_seconds)["total"]
        # What the idle inbox makes the server do (0 on SQLite). Other databases of the bench
        # cluster are idle meanwhile; autovacuum, if it runs, is counted too.
        figures["idle_server_ms_per_s"] = ((server_cpu(server_data) - server_before) / idle_seconds * 1000
                                           if server_before else 0.0)
        figures["inbox_peak_mb"] = app.rss_kb()[1] / 1024
        return figures
    finally:
        app.stop()


def unassigned_ids(target: str, count: int) -> list[int]:
    from deskui.store import connect

    conn = connect(target)
    try:
        rows = conn.execute("SELECT id FROM tickets WHERE status = 'open' AND assignee IS NULL "
                            "ORDER BY id LIMIT ?", (count,)).fetchall()
        return [row[0] for row in rows]
    finally:
        conn.close()


def forget_newer_versions(server, database: str, tree: Path) -> None:
    """A copy migrated by this tree, made openable by an older one (which refuses a database of
    a newer deskui): the version rows past the older tree's are deleted. What those migrations
    added (so far only indexes) stays; the older code does not read it."""
    older = int(subprocess.run([sys.executable, "-c", "from deskui.store.postgres.schema import SCHEMA_VERSION; "
                                "print(SCHEMA_VERSION)"], cwd=tree, check=True, capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(tree)}).stdout)
    import psycopg

    with psycopg.connect(server.url(database), autocommit=True) as conn:
        conn.execute("DELETE FROM deskui_schema_version WHERE version > %s", (older,))


def board_figures(target: str, ticket_id: int, run: int, tree: Path = ROOT) -> dict[str, float]:
    app = PtyApp(["-m", "deskui", "board", target], pythonpath=tree)
    try:
        app.wait_for("breaches so far today", timeout=600)
        figures = {"board_start": time.perf_counter() - app.started}
        time.sleep(2)
        agent = f"writer{run}x"
        since = app.mark()
        started = time.perf_counter()
        # The writer prints the wall-clock instant of its commit: the board's delay is measured
        # from there, not from the writer's own start-up and exit.
        writer = subprocess.Popen([sys.executable, "-c",
                                   "import sys, time; from deskui.clock import SystemClock\n"
                                   "from deskui.store.service import Store\n"
                                   "store = Store(sys.argv[1]); store.claim(SystemClock(), int(sys.argv[2]), sys.argv[3])\n"
                                   "print(time.time(), flush=True)",
                                   target, str(ticket_id), agent], cwd=tree, stdout=subprocess.PIPE, text=True,
                                  env={**os.environ, "PYTHONPATH": str(tree)})
        app.wait_for(agent, since=since, timeout=60)
        seen = time.time()
        figures["board_write_total"] = time.perf_counter() - started
        committed = float(writer.communicate(timeout=60)[0].strip())
        figures["board_write_seen"] = seen - committed
        # The peak once every open ticket is read (the counts come first, from SQL, and the full
        # read behind them): the forecast is drawn after it.
        app.wait_for("next 15 min", timeout=600)
        figures["board_full"] = time.perf_counter() - app.started
        figures["board_peak_mb"] = app.rss_kb()[1] / 1024
        return figures
    finally:
        app.stop()


_PANEL = """import statistics, sys, time
from deskui.store.service import Store
store = Store(sys.argv[1])
timings = []
for ticket_id in map(int, sys.argv[2:]):
    started = time.perf_counter()
    store.ticket_context(ticket_id)
    timings.append(time.perf_counter() - started)
print(statistics.median(timings) * 1000)
"""


def panel_ms(target: str, ids: list[int], tree: Path = ROOT) -> float:
    """The median order-panel read, in a process of ``tree``'s deskui."""
    done = subprocess.run([sys.executable, "-c", _PANEL, target, *map(str, ids)], cwd=tree, check=True,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tree)})
    return float(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dbs", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--idle", type=float, default=20.0)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--skip", default="", help="comma-separated figures to leave out: inbox,board,health,import")
    parser.add_argument("--baseline", help="a git revision whose deskui runs as a third side, on PostgreSQL")
    parser.add_argument("--sides", default="sqlite,postgres,baseline", help="which sides run (baseline needs --baseline)")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    wanted = set(filter(None, args.sides.split(",")))
    base_tree = baseline_tree(args.baseline) if args.baseline and "baseline" in wanted else None
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.2f}", flush=True)

    pg_server.SETTINGS = BENCH_SETTINGS
    server = pg_server.PgServer(pg_server.need_postgres())
    server.start()
    work = Path(tempfile.mkdtemp(prefix="deskui-bench-pg-"))
    try:
        version = server.admin().execute("SHOW server_version").fetchone()[0]
        print(f"PostgreSQL {version} on 127.0.0.1:{server.port}, settings: {', '.join(BENCH_SETTINGS)}", flush=True)
        for db in args.dbs:
            sqlite_copy = work / db.name
            shutil.copyfile(db, sqlite_copy)
            subprocess.run([sys.executable, "-c", f"from deskui.store import connect; connect({str(sqlite_copy)!r}).close()"],
                           cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            url = server.url(server.create_database())
            wall, cpu = command("migrate", str(sqlite_copy), url)
            print(f"\n{db.name}: migrate into PostgreSQL {wall:.1f} s wall, {cpu:.1f} s CPU (deskui's side)", flush=True)
            targets = {"sqlite": str(sqlite_copy), "postgres": url}
            trees = {"sqlite": ROOT, "postgres": ROOT}
            if base_tree is not None:
                # The same rows, opened first by the baseline: its compat functions replace ours there.
                base_name = server.create_database(template=url.rsplit("/", 1)[1])
                base_side = f"pg@{args.baseline}"
                targets[base_side], trees[base_side] = server.url(base_name), base_tree
                forget_newer_versions(server, base_name, base_tree)
                subprocess.run([sys.executable, "-c", f"from deskui.store import connect; connect({targets[base_side]!r}).close()"],
                               cwd=base_tree, check=True, env={**os.environ, "PYTHONPATH": str(base_tree)})
            # The baseline's copy holds the same rows; opened by this tree it would be migrated again.
            claimable = {side: unassigned_ids(target, args.runs * 2 + 200) for side, target in targets.items()
                         if not side.startswith("pg@")}
            claimable |= {side: claimable["postgres"] for side in targets if side.startswith("pg@")}
            targets = {side: target for side, target in targets.items()
                       if side in wanted or (side.startswith("pg@") and "baseline" in wanted)}
            results: dict[str, list[dict[str, float]]] = {side: [] for side in targets}
            for run in range(args.runs):
                for side, target in targets.items():
                    figures: dict[str, float] = {}
                    tree = trees[side]
                    if "inbox" not in skip:
                        figures |= inbox_figures(target, args.idle, tree, server.data)
                    if "board" not in skip:
                        figures |= board_figures(target, claimable[side][run], run, tree)
                    figures["panel_ms"] = panel_ms(target, random.Random(run).sample(claimable[side][args.runs:], 200), tree)
                    if "health" not in skip:
                        server_before = server_cpu(server.data)
                        figures["health_wall"], figures["health_cpu"] = command("health", "--json", target, tree=tree)
                        # The server's own CPU for the same command (0 on SQLite: no server).
                        figures["health_server_cpu"] = server_cpu(server.data) - server_before
                    results[side].append(figures)
                    print(f"  run {run + 1} {side:8}: " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items())
                          + f"  (load {os.getloadavg()[0]:.2f})", flush=True)
            medians = {side: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
                       for side, runs in results.items()}
            print(f"{db.name} medians of {args.runs}:")
            sides = list(medians)
            first = medians[sides[0]]
            for key in first:
                cells = "  ".join(f"{side} {medians[side][key]:9.3f}" for side in sides)
                # each side against the first (sqlite, or postgres when sqlite does not run)
                ratios = "  ".join(f"{medians[side][key] / first[key] if first[key] else float('nan'):.2f}x"
                                   for side in sides[1:])
                print(f"  {key:20} {cells}  ratio {ratios}")
            server.drop_database(url.rsplit("/", 1)[1])
            if base_tree is not None:
                server.drop_database(base_name)

        if "import" not in skip:
            sys.path.insert(0, str(HERE))
            from bench_ingest import make_report

            report = work / "orders.txt"
            make_report(report, args.import_rows)
            print(f"\nimport of {args.import_rows:,} Amazon order rows into an empty database:", flush=True)
            timings: dict[str, list[tuple[float, float]]] = {"sqlite": [], "postgres": []}
            for run in range(args.runs):
                fresh = work / f"import{run}.db"
                command("init", str(fresh))
                timings["sqlite"].append(command("import", str(report), "--db", str(fresh)))
                name = server.create_database()
                command("init", server.url(name))
                timings["postgres"].append(command("import", str(report), "--db", server.url(name)))
                server.drop_database(name)
                print(f"  run {run + 1}: sqlite {timings['sqlite'][-1][0]:.2f} s, postgres {timings['postgres'][-1][0]:.2f} s "
                      f"(load {os.getloadavg()[0]:.2f})", flush=True)
            for side, runs in timings.items():
                print(f"  {side:8}: {statistics.median(w for w, _ in runs):.2f} s wall, "
                      f"{statistics.median(c for _, c in runs):.2f} s CPU (medians of {args.runs})")
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
