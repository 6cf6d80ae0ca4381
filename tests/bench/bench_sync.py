"""`deskui sync` against a real dovecot on 127.0.0.1 (run as root, dovecot-imapd installed).

    python tests/bench/bench_sync.py [--messages 10000] [--latency-samples 10]

- initial sync: a mailbox of N messages (a mix of Shopify mail, threads and Amazon relay mail),
  `deskui sync --once` into an empty database, wall time (target <= 30 s for 10,000);
- APPEND -> ticket: with a running `deskui sync` waiting in IDLE, the time from an IMAP APPEND
  returning to its message being in the database (target <= 2 s).
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from deskui.store import connect  # noqa: E402
from tests.connect_servers import Dovecot, need_dovecot, run_sync, shopify_mail, start_sync, wait_for, write_config  # noqa: E402


def amazon_mail(n: int) -> bytes:
    order = f"114-{3000000 + n % 5000:07d}-{8000000 + n:07d}"
    return (f"From: \"Buyer {n} - Amazon Marketplace\" <buyer{n % 5000}x@marketplace.amazon.com>\r\n"
            f"To: support@myshop.example\r\nSubject: Order delivery inquiry from Amazon customer Buyer (Order: {order})\r\n"
            f"Date: Tue, 24 Nov 2026 09:{n % 60:02d}:07 -0800\r\nMessage-ID: <amz-{n}@email.amazonses.com>\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n\r\n------------- Begin message -------------\r\n\r\n"
            "My order has not arrived and the tracking has not moved. Where is it?\r\n\r\n"
            "------------- End message -------------\r\n").encode()


def reply_in_thread(n: int) -> bytes:
    return (f"From: Buyer {n} <buyer{n}@example.net>\r\nTo: support@myshop.example\r\nSubject: Re: Order #{1000 + n} question\r\n"
            f"Date: Tue, 24 Nov 2026 11:{n % 60:02d}:00 +0000\r\nMessage-ID: <buyer-{n}-again@example.net>\r\n"
            f"In-Reply-To: <buyer-{n}@example.net>\r\nReferences: <buyer-{n}@example.net>\r\n\r\nStill nothing, please refund.\r\n").encode()


def mailbox(n: int) -> list[bytes]:
    out = []
    for i in range(n):
        kind = i % 4
        out.append(amazon_mail(i) if kind == 0 else reply_in_thread(i - 1) if kind == 3 else shopify_mail(i))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--latency-samples", type=int, default=10)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}")
    server = Dovecot(need_dovecot())
    work = Path(tempfile.mkdtemp(prefix="deskui-bench-sync-"))
    try:
        started = time.perf_counter()
        client = server.client()
        for data in mailbox(args.messages):
            client.append("INBOX", data)
        client.logout()
        print(f"appended {args.messages} messages to dovecot in {time.perf_counter() - started:.1f} s")
        db = work / "desk.db"
        connect(db, create=True).close()
        config = write_config(work / "config.toml", server, None)
        started = time.perf_counter()
        done = run_sync(db, config, timeout=1800)
        elapsed = time.perf_counter() - started
        conn = sqlite3.connect(db)
        stored = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        tickets = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
        untriaged = conn.execute("SELECT count(*) FROM tickets WHERE needs_triage = 1").fetchone()[0]
        conn.close()
        print(f"initial sync: {elapsed:.1f} s for {stored} messages ({tickets} tickets, {untriaged} untriaged), "
              f"exit {done.returncode}: {done.stdout.strip()} (target <= 30 s)")

        process = start_sync(db, config, work / "sync.log")
        try:
            wait_for(lambda: sqlite3.connect(db).execute("SELECT idle FROM mailboxes WHERE connected = 1").fetchall() == [(1,)],
                     120, what="sync to wait in IDLE")
            samples = []
            for i in range(args.latency_samples):
                data = shopify_mail(900_000 + i, subject=f"Latency probe {i}")
                client = server.client()
                client.append("INBOX", data)
                appended = time.perf_counter()
                client.logout()
                message_id = f"<buyer-{900_000 + i}@example.net>"
                wait_for(lambda: sqlite3.connect(db).execute("SELECT 1 FROM messages WHERE external_id = ?", (message_id,)).fetchone(),
                         60, interval=0.01, what="the probe in the database")
                samples.append(time.perf_counter() - appended)
                time.sleep(0.3)
            print(f"APPEND -> message in the database with IDLE: median {statistics.median(samples) * 1000:.0f} ms, "
                  f"max {max(samples) * 1000:.0f} ms over {len(samples)} (target <= 2 s)")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    finally:
        server.stop()
        subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    main()
