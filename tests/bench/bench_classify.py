"""`deskui classify` end to end: JSON Lines in, JSON Lines out, a real process.

    python tests/bench/bench_classify.py [N]

Target: >= 20,000 500-character messages per second including process start, JSON decoding and
encoding. Compared in the same run with a naive script that decodes each line and runs one
case-insensitive regex per lexicon term (no normalisation), on a smaller slice.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_triage import make_corpus  # noqa: E402

NAIVE = r"""
import json, re, sys
from deskui.triage.lexicon import CATEGORIES, LEXICON
terms = [(c, re.compile(r"\b" + re.escape(t.rstrip("*")) + ("" if t.endswith("*") else r"\b"), re.I))
         for c in CATEGORIES for ts in LEXICON[c].values() for t in ts]
for line in sys.stdin:
    record = json.loads(line)
    found = [c for c, p in terms if p.search(record["subject"]) or p.search(record["body"])]
    print(json.dumps({"id": record["id"], "categories": sorted(set(found))}))
"""


def run(command: list[str], payload: bytes) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    result = subprocess.run(command, input=payload, capture_output=True, env=env)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stderr.decode()[-2000:])
    return elapsed


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    channels = ["amazon", "shopify", "ebay", "walmart", "tiktok", "instagram"]
    corpus = make_corpus(count)
    lines = [json.dumps({"id": i, "channel": channels[i % 6], "subject": s, "body": b}, ensure_ascii=False)
             for i, (s, b, _) in enumerate(corpus)]
    payload = ("\n".join(lines) + "\n").encode()
    mean_chars = statistics.mean(len(s) + len(b) for s, b, _ in corpus)
    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{count:,} messages, mean {mean_chars:.0f} characters (subject + body)")
    times = [run([sys.executable, "-m", "deskui", "classify"], payload) for _ in range(5)]
    best = statistics.median(times)
    print(f"deskui classify: median {best:.2f} s -> {count / best:,.0f} messages/s (process start included)")
    naive_count = 1_000
    naive_payload = ("\n".join(lines[:naive_count]) + "\n").encode()
    naive = statistics.median(run([sys.executable, "-c", NAIVE], naive_payload) for _ in range(3))
    print(f"naive (one regex per term): {naive_count:,} messages in {naive:.2f} s -> {naive_count / naive:,.0f} messages/s")
    print(f"ratio: {(count / best) / (naive_count / naive):,.0f}x")


if __name__ == "__main__":
    main()
