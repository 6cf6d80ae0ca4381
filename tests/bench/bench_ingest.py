"""Import benchmark: ``python tests/bench/bench_ingest.py [--rows N] [--messages N] [--naive N]``.

Not collected by pytest. Generates, in a temporary folder (``/tmp`` by default):

* an Amazon "All Orders" report of N rows (default 100,000; orders of 1-3 items, FBA/FBM, five
  marketplaces, the documented by-last-update columns);
* an mbox of N messages (default 100,000): ~60 % Amazon buyer messages (aliases, orders, follow-ups
  on the same order, the relay footer), ~40 % store mail in threads of 1-3 (In-Reply-To and
  References, quoted replies, one in ten HTML-only, some ISO-8859-1).

Each file is imported by ``deskui.ingest.import_file`` into a fresh database **in its own
process**, which reports its wall time and its peak resident memory (``ru_maxrss``). In the same
run a naive importer (csv.DictReader / mailbox.mbox with ``email.policy.default``, one INSERT at a
time and a COMMIT per row) imports the first ``--naive`` rows/messages (default 5,000) of the same
files; its time is extrapolated to the full size and labelled as such.

Targets (issue 7): each import <= 20 s and <= 200 MB peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 20.0
TARGET_RSS_MB = 200.0
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)

HEADER = ["amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status", "fulfillment-channel",
          "sales-channel", "order-channel", "ship-service-level", "product-name", "sku", "asin", "item-status", "quantity",
          "currency", "item-price", "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax",
          "item-promotion-discount", "ship-promotion-discount", "ship-city", "ship-state", "ship-postal-code", "ship-country",
          "promotion-ids", "is-business-order", "purchase-order-number", "price-designation"]
MARKETS = [("Amazon.com", "USD", "US", "111"), ("Amazon.co.uk", "GBP", "GB", "202"), ("Amazon.de", "EUR", "DE", "302"),
           ("Amazon.fr", "EUR", "FR", "171"), ("Amazon.it", "EUR", "IT", "405")]
PRODUCTS = [(f"SKU-{i:04d}", f"B0{i:08d}", f"Product number {i} with a reasonably long Amazon-style title, Black") for i in range(400)]
CITIES = ["SEATTLE", "LONDON", "BERLIN", "PARIS", "MILANO", "AUSTIN", "LYON", "MUNICH"]
BODIES = [
    "Hello, my parcel has not arrived yet and the tracking has not moved for four days. Where is my order? "
    "It is a birthday present and I need it by Saturday. Could you please check with the carrier and tell me "
    "what is going on? If it is lost, please send a replacement or refund me. Thank you in advance for your help.",
    "Bonjour, j'ai reçu la commande mais l'article est endommagé : la boîte était écrasée et le produit est cassé. "
    "Je souhaite un remplacement ou un remboursement rapidement. Merci de me dire comment procéder pour le retour, "
    "je peux envoyer des photos si nécessaire. Cordialement.",
    "Hallo, leider fehlt ein Artikel in meiner Lieferung. Ich habe zwei Stück bestellt, aber nur eines erhalten. "
    "Bitte schicken Sie mir den fehlenden Artikel so schnell wie möglich oder erstatten Sie den Betrag. Vielen Dank.",
    "Hi, could you tell me if this item is compatible with the older model? I want to order a second one for my "
    "parents but I am not sure it fits. The listing does not say. Thanks a lot for your answer and have a nice day.",
]
FOOTER = ("\n------------- End message -------------\n\nFor Your Information: To help arbitrate disputes and preserve trust "
          "and safety, we retain all messages buyers and sellers send through Amazon for two years.\n\nIf this message "
          "does not need a response, mark this message as no response needed.\n[commMgrTok:{token}]\n")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def make_report(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = NOW - timedelta(days=60)
    written = 0
    serial = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("\t".join(HEADER) + "\n")
        while written < rows:
            serial += 1
            market, currency, country, prefix = MARKETS[serial % len(MARKETS)]
            number = f"{prefix}-{rng.randrange(10**7):07d}-{serial:07d}"
            bought = start + timedelta(seconds=rng.randrange(60 * 86400))
            updated = bought + timedelta(hours=rng.randrange(1, 72))
            status = rng.choice(["Shipped", "Shipped", "Shipped", "Unshipped", "Pending", "Cancelled"])
            channel = rng.choice(["Amazon", "Merchant", "AFN", "MFN"])
            city = rng.choice(CITIES)
            for _ in range(min(rows - written, rng.choice([1, 1, 1, 2, 2, 3]))):
                sku, asin, title = rng.choice(PRODUCTS)
                quantity = rng.choice([1, 1, 1, 2, 3])
                price = "" if status == "Pending" else f"{quantity * rng.uniform(5, 120):.2f}"
                row = [number, "", _stamp(bought), _stamp(updated), status, channel, market, "", "Standard", title, sku, asin,
                       status, str(quantity), currency if price else "", price, "1.00" if price else "", "4.99" if price else "",
                       "0.00" if price else "", "", "", "", "", city, "", "10115", country, "", "false", "", ""]
                out.write("\t".join(row) + "\n")
                written += 1


def make_mbox(path: Path, messages: int, seed: int = 11) -> None:
    from email.utils import format_datetime

    rng = random.Random(seed)
    start = NOW - timedelta(days=30)
    written = 0
    threads: list[tuple[str, str, str, list[str]]] = []  # store threads: (customer, subject, root id, ids)
    aliases: list[tuple[str, str, str]] = []
    with open(path, "wb") as out:
        while written < messages:
            written += 1
            moment = start + timedelta(seconds=written * (30 * 86400 // messages))
            date = format_datetime(moment)
            body = rng.choice(BODIES)
            roll = rng.random()
            if roll < 0.6:
                if aliases and rng.random() < 0.25:
                    alias, order, name = rng.choice(aliases)  # a follow-up on the same order
                else:
                    market = rng.choice(["com", "co.uk", "de", "fr", "it"])
                    alias = f"{rng.randrange(36**12):012x}{written:06d}@marketplace.amazon.{market}"
                    order = f"{rng.choice(['111', '302', '171', '202'])}-{rng.randrange(10**7):07d}-{written:07d}"
                    name = rng.choice(["Alisa", "Josh", "Claire", "Jürgen", "Lucia", "Marco"])
                    aliases.append((alias, order, name))
                    if len(aliases) > 5000:
                        aliases.pop(0)
                headers = [f"From: \"{name} - Amazon Marketplace\" <{alias}>", "To: seller@myshop.example",
                           f"Subject: Order inquiry from Amazon customer {name} (Order: {order})",
                           f"Message-ID: <bench-{written}@email.amazonses.com>", f"Date: {date}",
                           "MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: 8bit"]
                text = "------------- Begin message -------------\n\n" + body + "\n" + FOOTER.format(token=f"A{written:020d}")
            else:
                message_id = f"<bench-{written}@mail.example.com>"
                if threads and rng.random() < 0.45:  # a reply in an open thread
                    customer, subject, root, ids = rng.choice(threads)
                    outgoing = rng.random() < 0.5
                    sender = "support@myshop.example" if outgoing else customer
                    headers = [f"From: {sender}", f"To: {customer if outgoing else 'support@myshop.example'}",
                               f"Subject: Re: {subject}", f"In-Reply-To: {ids[-1]}", f"References: {' '.join(ids[-3:])}"]
                    if root not in ids[-3:]:
                        headers[-1] = f"References: {root} {' '.join(ids[-2:])}"
                    ids.append(message_id)
                    text = body + "\n\nOn Mon, 23 Nov 2026 at 14:00, someone wrote:\n> " + body[:200]
                else:
                    customer = f"buyer{written}@example.com"
                    subject = f"Question about order #{1000 + written}"
                    threads.append((customer, subject, message_id, [message_id]))
                    if len(threads) > 5000:
                        threads.pop(0)
                    headers = [f"From: Buyer {written} <{customer}>", "To: support@myshop.example", f"Subject: {subject}"]
                    text = body
                headers += [f"Message-ID: {message_id}", f"Date: {date}", "MIME-Version: 1.0"]
                if rng.random() < 0.1:
                    headers.append("Content-Type: text/html; charset=UTF-8")
                    text = "<html><head><style>p{margin:0}</style></head><body><p>" + text.replace("\n", "<br>") + "</p></body></html>"
                elif rng.random() < 0.1:
                    headers += ["Content-Type: text/plain; charset=ISO-8859-1", "Content-Transfer-Encoding: 8bit"]
                else:
                    headers += ["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: 8bit"]
            charset = "latin-1" if "ISO-8859-1" in headers[-1] else "utf-8"
            data = ("\n".join(headers) + "\n\n" + text).encode(charset, errors="replace")
            data = b"\n".join(b">" + line if line.startswith(b"From ") else line for line in data.split(b"\n"))
            out.write(f"From bench@example.com {moment.strftime('%a %b %d %H:%M:%S %Y')}\n".encode() + data + b"\n\n")


# ---------------------------------------------------------------------- child processes
def child_import(db: str, path: str) -> None:
    from deskui.ingest import import_file
    from deskui.policy import default_policy
    from deskui.store import connect

    conn = connect(db, create=True)
    started = time.perf_counter()
    summary = import_file(conn, Path(path), policy=default_policy(), now=NOW, seller_addresses=["support@myshop.example"])
    seconds = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the e-mail parsing worker, if any
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()  # the same file again: every row "unchanged", nothing written
    again = import_file(conn, Path(path), policy=default_policy(), now=NOW, seller_addresses=["support@myshop.example"])
    reimport = time.perf_counter() - started
    assert all(c["added"] == c["updated"] == 0 for c in again.counts.values()), again.counts
    print(json.dumps({"seconds": seconds, "rss_mb": rss_mb, "worker_rss_mb": worker_mb, "counts": summary.counts,
                      "cpu": cpu.ru_utime + cpu.ru_stime, "worker_cpu": child.ru_utime + child.ru_stime, "reimport": reimport}))


def child_naive(db: str, path: str, kind: str, limit: int) -> None:
    """Row by row, a COMMIT per row, no caches: what a first script looks like."""
    import csv
    import mailbox
    from email import policy as email_policy

    from deskui.store import connect
    from deskui.timeutil import parse_time, to_db

    conn = connect(db, create=True)
    started = time.perf_counter()
    done = 0
    if kind == "amazon":
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if done >= limit:
                    break
                conn.execute("BEGIN")
                conn.execute(
                    "INSERT OR IGNORE INTO orders (channel, order_number, marketplace, purchased_at, status, currency) VALUES ('amazon', ?, ?, ?, ?, ?)",
                    (row["amazon-order-id"], row["sales-channel"].lower(), to_db(parse_time(row["purchase-date"])), row["order-status"].lower(), row["currency"]),
                )
                order_id = conn.execute("SELECT id FROM orders WHERE channel = 'amazon' AND order_number = ?", (row["amazon-order-id"],)).fetchone()[0]
                conn.execute(
                    "INSERT INTO order_items (order_id, sku, asin, title, quantity, price) VALUES (?, ?, ?, ?, ?, ?)",
                    (order_id, row["sku"], row["asin"], row["product-name"], int(row["quantity"]), float(row["item-price"] or 0)),
                )
                conn.execute("COMMIT")
                done += 1
    else:
        box = mailbox.mbox(path, factory=lambda f: __import__("email").message_from_binary_file(f, policy=email_policy.default), create=False)
        for message in box:
            if done >= limit:
                break
            conn.execute("BEGIN")
            sender = str(message["From"])
            body = message.get_body(("plain", "html"))
            text = body.get_content() if body is not None else ""
            sent = to_db(message["Date"].datetime) if message["Date"] is not None and message["Date"].datetime else to_db(NOW)
            ticket_id = conn.execute(
                "INSERT OR IGNORE INTO tickets (channel, external_id, subject, created_at) VALUES ('amazon', ?, ?, ?)",
                (str(message["Message-ID"]), str(message["Subject"]), sent),
            ).lastrowid
            conn.execute("INSERT INTO messages (ticket_id, direction, author, body, sent_at, external_id) VALUES (?, 'in', ?, ?, ?, ?)",
                         (ticket_id, sender, text, sent, str(message["Message-ID"])))
            conn.execute("COMMIT")
            done += 1
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "done": done, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _run(*args: str) -> dict:
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        raise SystemExit(f"child failed: {' '.join(args)}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--naive", type=int, default=5_000)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child[0] == "import":
            child_import(args.child[1], args.child[2])
        else:
            child_naive(args.child[1], args.child[2], args.child[3], int(args.child[4]))
        return
    work = Path(tempfile.mkdtemp(prefix="deskui-bench-", dir=args.dir))
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()} ({platform.python_implementation()})")
    if hasattr(os, "getloadavg"):
        print(f"load average at start: {os.getloadavg()[0]:.2f} (other processes share these cores: wall times vary with it)")
    print(f"sqlite {sqlite3.sqlite_version}; files in {work}")
    report, mbox = work / "orders.txt", work / "inbox.mbox"
    started = time.perf_counter()
    make_report(report, args.rows)
    make_mbox(mbox, args.messages)
    print(f"generated {args.rows:,} report rows ({report.stat().st_size / 1e6:.1f} MB) and {args.messages:,} messages "
          f"({mbox.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s\n")
    ok = True
    for label, path, kind, size in (("Amazon order report", report, "amazon", args.rows), ("mbox", mbox, "mail", args.messages)):
        result = _run("--child", "import", str(work / f"{kind}.db"), str(path))
        naive = _run("--child", "naive", str(work / f"{kind}-naive.db"), str(path), kind, str(args.naive))
        per_item = naive["seconds"] / max(1, naive["done"])
        fits = result["seconds"] <= TARGET_SECONDS and max(result["rss_mb"], result["worker_rss_mb"]) <= TARGET_RSS_MB
        ok &= fits
        print(f"{label}: {size:,} {'rows' if kind == 'amazon' else 'messages'}")
        worker = f", parsing worker {result['worker_rss_mb']:.0f} MB" if result["worker_cpu"] else ""
        print(f"  deskui import_file : {result['seconds']:6.2f} s  ({size / result['seconds']:,.0f}/s)  peak RSS {result['rss_mb']:.0f} MB{worker}  "
              f"[target <= {TARGET_SECONDS:.0f} s, <= {TARGET_RSS_MB:.0f} MB: {'ok' if fits else 'MISSED'}]")
        print(f"  CPU time           : {result['cpu']:.1f} s importing process + {result['worker_cpu']:.1f} s parsing worker")
        print(f"  re-import (no-op)  : {result['reimport']:6.2f} s  (every row unchanged, nothing written)")
        print(f"  naive row-by-row   : {naive['seconds']:6.2f} s for {naive['done']:,} -> EXTRAPOLATED {per_item * size:6.1f} s for {size:,} "
              f"({1 / per_item:,.0f}/s, {per_item * size / result['seconds']:.1f}x slower)")
        print(f"  counts: {json.dumps(result['counts'])}")
    for path in (report, mbox):
        path.unlink()
    for db in work.glob("*.db*"):
        db.unlink()
    work.rmdir()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
