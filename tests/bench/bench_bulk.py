"""A bulk action on 10,000 marked tickets in one transaction: this tree's deskui.store.bulk against
revision ddc1bd3's (which re-derived every ticket whole, messages and triage included, and wrote
row by row), in the same run, each side in its own process, the sides interleaved run by run.
Figures are CPU seconds (``time.process_time``) of ``bulk_apply`` alone, medians of the runs;
every run's apply is undone before the next, at the same instant (and a pending once more a
minute later: "undo pending +1m", the clocks pushed back and re-derived). Also the naive way: ``set_status`` per ticket, one
transaction each (this tree, extrapolated from 500).

Run on demand: ``python tests/bench/bench_bulk.py [--tickets 10000] [--runs 5] [--before REV]``. Target: < 1 s.
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
now = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)
policy, clock = default_policy(), FixedClock(now)
options = {"tag": {"tags": ["vip"]}, "snooze": {"snoozed_until": now + timedelta(hours=4)}}
figures = {}
with tempfile.TemporaryDirectory() as folder:
    conn = connect(Path(folder) / "bulk.db", create=True)
    insert_triaged_open_tickets(conn, count, now)
    ids = [row[0] for row in conn.execute("SELECT id FROM tickets ORDER BY id")]
    refresh_tickets(conn, policy, now, ids)  # the rows as deskui derives them (the helper's tiers are dealt round)
    for action in actions:
        start = time.process_time()
        done = bulk_apply(conn, policy, clock, ids, action, "ana", **options.get(action, {}))
        figures[action] = time.process_time() - start
        assert len(done.changed) == len(ids), (action, done.describe())
        start = time.process_time()
        undo(conn, policy, clock, done, "ana")
        figures["undo " + action] = time.process_time() - start
    # An undo a minute after, in working hours: the pause holds working time, so every ticket's
    # clocks are pushed back by it and re-derived (the undo above, at the same instant, moves none).
    later = FixedClock(now + timedelta(minutes=1))
    done = bulk_apply(conn, policy, clock, ids, "pending", "ana")
    start = time.process_time()
    undo(conn, policy, later, done, "ana")
    figures["undo pending +1m"] = time.process_time() - start
    if naive:
        sample = ids[:500]
        start = time.process_time()
        for ticket_id in sample:
            set_status(conn, policy, clock, ticket_id, "pending", "ana")
        figures["naive pending"] = (time.process_time() - start) * len(ids) / len(sample)
    conn.close()
print(json.dumps(figures))
"""


def one_side(tree: Path, tickets: int, naive: bool) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", ONE_SIDE, str(tickets), ",".join(ACTIONS), "1" if naive else "0"],
                         env=env, cwd=tree, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", default=BASELINE, help=f"the revision to compare with (default {BASELINE})")
    args = parser.parse_args()
    sides = {"before": baseline_tree(args.before), "after": ROOT}
    runs: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    for number in range(args.runs):
        for side, tree in sides.items():
            runs[side].append(one_side(tree, args.tickets, naive=number == 0 and side == "after"))
    median = {side: {key: statistics.median(run[key] for run in side_runs if key in run)
                     for key in side_runs[0]} for side, side_runs in runs.items()}
    print(f"{args.tickets:,} marked tickets, one transaction, CPU s, median of {args.runs} runs "
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
