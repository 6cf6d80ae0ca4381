"""The inbox's keys at scale: the reads each key makes (what dominates at 1M open tickets), this
revision against an older one in the same run, each in a fresh process on its own copy of the file.

    python tests/bench/bench_keys.py DB [--baseline REV] [--new REV] [--runs 5]

Per key, what the screen asks the store (see deskui/ui/screens/inbox.py and TicketList.load):
- `/` "refund" + enter: a new view with the search: its count and first page;
- esc (clearing it): a new view of everything: count and first page;
- `n`: the most urgent unassigned ticket and where it sits in the view;
- `G`: the last page of the view;
- `o`: the next sort: count and first page;
- `b`, `t`, `u`: a filter: count and first page;
- a write elsewhere (the poll): the view re-read and the highlighted ticket placed again.
Medians of ``--runs`` in ms. Each side opens its copy once before timing: a side whose deskui
runs ANALYZE on first open (``store/db.py: ensure_statistics``) is timed with those statistics.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wholeproc import baseline_tree, copy_db  # noqa: E402

PROBE = r"""
import json, statistics, sys, time
from datetime import datetime, timezone
from deskui.policy import default_policy
from deskui.store import connect
from deskui.store.inbox import InboxFilter, InboxQuery

conn = connect(sys.argv[1])
runs = int(sys.argv[2])
policy = default_policy()
now = datetime.now(timezone.utc)
base = InboxQuery(conn, policy)
base.set_now(now)

def view(**kw):
    sort = kw.pop("sort", "risk")
    q = base.with_view(sort=sort, filter=InboxFilter(**kw))
    q.set_now(now)
    q.count(); q.rows(0, 45)
    return q

def key_n():
    ticket = base.next_unassigned()
    base.invalidate(); base.position_of(ticket)

def key_G():
    q = base.with_view(); q.set_now(now)
    count = q.count(); q.rows(max(count - 45, 0), count)

def poll():
    base.invalidate(); base.count()
    row = base.rows(20000, 20001)
    if row: base.position_of(row[0].id)

keys = {
    "search refund": lambda: view(search="refund"),
    "esc clear": lambda: view(),
    "n next urgent": key_n,
    "G bottom": key_G,
    "o sort (due)": lambda: view(sort="due"),
    "o sort (oldest)": lambda: view(sort="oldest"),
    "b urgent": lambda: view(urgent=True),
    "t tier": lambda: view(tier="high"),
    "u unassigned": lambda: view(unassigned=True),
    "write elsewhere (poll, cursor at 20,000)": poll,
}
result = {}
for name, action in keys.items():
    samples = []
    for _ in range(runs):
        started = time.perf_counter(); action(); samples.append(time.perf_counter() - started)
    result[name] = statistics.median(samples) * 1000
print(json.dumps(result))
"""


def probe(tree: Path, db: Path, runs: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", PROBE, str(db), str(runs)], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--baseline", default="4383c83")
    parser.add_argument("--new", default="HEAD")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.2f}")
    sides = {"baseline": baseline_tree(args.baseline), "new": baseline_tree(args.new)}
    results = {}
    for side, tree in sides.items():
        copy = copy_db(args.db, args.db.with_name(f"{args.db.stem}.{side}.db"))
        subprocess.run([sys.executable, "-c", f"from deskui.store import connect; connect({str(copy)!r}).close()"],
                       env={**os.environ, "PYTHONPATH": str(tree)}, cwd=tree, check=True)
        results[side] = probe(tree, copy, args.runs)
    for name in results["new"]:
        old, new = results["baseline"][name], results["new"][name]
        print(f"{name:42} baseline {old:9.1f} ms   new {new:9.1f} ms   ({old / max(new, 0.01):.1f}x)")


if __name__ == "__main__":
    main()
