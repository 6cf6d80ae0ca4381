"""A bulk action on 10,000 marked tickets in one transaction: this tree's deskui.store.bulk against
revision ddc1bd3's (which re-derived every ticket whole, messages and triage included, and wrote
row by row), in the same run, each side in its own process, the sides interleaved run by run.
Figures are CPU seconds (``time.process_time``; with ``--pg``, on a throw-away PostgreSQL cluster,
wall seconds, the server's share included) of ``bulk_apply`` alone, medians of the runs;
every run's apply is undone before the next, at the same instant (and a pending once more a
minute later: "undo pending +1m", the clocks pushed back and re-derived). Also the naive way: ``set_status`` per ticket, one
transaction each (this tree, extrapolated from 500).

Run on demand: ``python tests/bench/bench_bulk.py [--tickets 10000] [--runs 5] [--before REV] [--pg]``. Target: < 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.wholeproc import baseline_tree  # noqa: E402

BASELINE = "ddc1bd3"
ACTIONS = ("claim", "tag", "escalate", "pending", "snooze", "resolve")

ONE_SIDE = """
import json, sys, tempfile, time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect
from deskui.store.bulk import bulk_apply, undo
from deskui.store.tickets import refresh_tickets, set_status
from tests.helpers import insert_triaged_open_tickets

count, actions, naive = int(sys.argv[1]), sys.argv[2].split(","), sys.argv[3] == "1"
target = sys.argv[4] if len(sys.argv) > 4 else ""  # a PostgreSQL URL, or "": a temporary SQLite file
# On PostgreSQL the server does part of the work in its own process: time the wall clock there.
timer = time.perf_counter if target else time.process_time
now = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)
policy, clock = default_policy(), FixedClock(now)
options = {"tag": {"tags": ["vip"]}, "snooze": {"snoozed_until": now + timedelta(hours=4)}}
figures = {}
with tempfile.TemporaryDirectory() as folder:
    conn = connect(target or Path(folder) / "bulk.db", create=True)
    insert_triaged_open_tickets(conn, count, now)
    ids = [row[0] for row in conn.execute("SELECT id FROM tickets ORDER BY id")]
    refresh_tickets(conn, policy, now, ids)  # the rows as deskui derives them (the helper's tiers are dealt round)
    for action in actions:
        start = timer()
        done = bulk_apply(conn, policy, clock, ids, action, "ana", **options.get(action, {}))
        figures[action] = timer() - start
        assert len(done.changed) == len(ids), (action, done.describe())
        start = timer()
        undo(conn, policy, clock, done, "ana")
        figures["undo " + action] = timer() - start
    # An undo a minute after, in working hours: the pause holds working time, so every ticket's
    # clocks are pushed back by it and re-derived (the undo above, at the same instant, moves none).
    later = FixedClock(now + timedelta(minutes=1))
    done = bulk_apply(conn, policy, clock, ids, "pending", "ana")
    start = timer()
    undo(conn, policy, later, done, "ana")
    figures["undo pending +1m"] = timer() - start
    if naive:
        sample = ids[:500]
        start = timer()
        for ticket_id in sample:
            set_status(conn, policy, clock, ticket_id, "pending", "ana")
        figures["naive pending"] = (timer() - start) * len(ids) / len(sample)
    conn.close()
print(json.dumps(figures))
"""


def one_side(tree: Path, tickets: int, naive: bool, target: str = "") -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", ONE_SIDE, str(tickets), ",".join(ACTIONS), "1" if naive else "0", target],
                         env=env, cwd=tree, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", default=BASELINE, help=f"the revision to compare with (default {BASELINE})")
    parser.add_argument("--pg", action="store_true",
                        help="on a throw-away PostgreSQL cluster (tests/pg_server.py), a new database per run; wall seconds")
    args = parser.parse_args()
    sides = {"before": baseline_tree(args.before), "after": ROOT}
    runs: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    server = None
    if args.pg:
        from tests import pg_server

        server = pg_server.PgServer(pg_server.need_postgres())
        server.start()
    try:
        for number in range(args.runs):
            for side, tree in sides.items():
                target = server.url(server.create_database()) if server else ""
                runs[side].append(one_side(tree, args.tickets, naive=number == 0 and side == "after", target=target))
    finally:
        if server:
            server.close()
    median = {side: {key: statistics.median(run[key] for run in side_runs if key in run)
                     for key in side_runs[0]} for side, side_runs in runs.items()}
    print(f"{args.tickets:,} marked tickets, one transaction, {'PostgreSQL, wall' if args.pg else 'SQLite, CPU'} s, median of {args.runs} runs "
          f"(before = {args.before}, same run); load {os.getloadavg()[0]:.2f}")
    print(f"{'action':<18}{'before':>9}{'after':>9}{'ratio':>8}")
    for key in median["before"]:
        before, after = median["before"][key], median["after"][key]
        print(f"{key:<18}{before:>9.2f}{after:>9.2f}{before / after:>7.1f}x")
    print(f"naive: set_status per ticket, one transaction each: {median['after']['naive pending']:.1f} s "
          f"(extrapolated from 500; {median['after']['naive pending'] / median['after']['pending']:.0f}x the bulk pending)")
    worst = max(median["after"][action] for action in ACTIONS)
    print(f"slowest bulk action after: {worst:.2f} s ({'under' if worst < 1 else 'OVER'} the 1 s target)")


if __name__ == "__main__":
    main()
