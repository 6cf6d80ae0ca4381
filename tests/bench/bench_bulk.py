"""A bulk action on 10,000 marked tickets: one transaction (deskui.store.bulk) against the same
action ticket by ticket (set_status per ticket, one transaction each), in the same run.

Run on demand: ``python tests/bench/bench_bulk.py [--tickets 10000]``. Target: <= 1 s for 10,000.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deskui.clock import FixedClock  # noqa: E402
from deskui.policy import default_policy  # noqa: E402
from deskui.store import connect  # noqa: E402
from deskui.store.bulk import bulk_apply, undo  # noqa: E402
from deskui.store.tickets import set_status  # noqa: E402
from tests.conftest import NOW  # noqa: E402
from tests.helpers import insert_triaged_open_tickets  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    policy, clock = default_policy(), FixedClock(NOW)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bulk.db"
        conn = connect(path, create=True)
        insert_triaged_open_tickets(conn, args.tickets, NOW)
        ids = [row[0] for row in conn.execute("SELECT id FROM tickets ORDER BY id")]
        timings = {}
        for action, options in (("claim", {}), ("tag", {"tags": ["vip"]}), ("pending", {}),
                                ("snooze", {"snoozed_until": NOW + timedelta(hours=4)})):
            runs = []
            for _ in range(args.runs):
                start = time.perf_counter()
                done = bulk_apply(conn, policy, clock, ids, action, "ana", **options)
                runs.append(time.perf_counter() - start)
                undo(conn, policy, clock, done, "ana")
            timings[action] = statistics.median(runs)
            print(f"bulk {action:<8} {len(ids):,} tickets, one transaction: median {timings[action]:.2f} s")
        sample = ids[:500]
        start = time.perf_counter()
        for ticket_id in sample:
            set_status(conn, policy, clock, ticket_id, "pending", "ana")
        one_by_one = (time.perf_counter() - start) * len(ids) / len(sample)
        print(f"naive: set_status per ticket, one transaction each: {one_by_one:.1f} s for {len(ids):,} "
              f"(extrapolated from {len(sample)}); ratio {one_by_one / timings['pending']:.1f}x")
        conn.close()


if __name__ == "__main__":
    main()
