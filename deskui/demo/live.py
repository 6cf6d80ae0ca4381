"""While ``deskui demo`` is open, buyers keep writing: new tickets and follow-ups arrive the way
an ingest script would write them (plain rows, no tier), so the demo shows live triage, the change
feed and moving counts, not a still picture."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime
from pathlib import Path

from deskui.demo.tables import LANGUAGE
from deskui.demo.texts import texts
from deskui.store.db import connect
from deskui.store.demo_rows import add_buyer_message, add_buyer_ticket, random_answered_ticket, random_order

LIVE_SCENARIOS = ("atoz_threat", "damaged", "missing_item", "not_received", "wrong_item", "defective", "refund", "return",
                  "product_question", "tracking", "general")


def live_feed(path: Path, clock, stop, *, seed: int = 7, interval: tuple[float, float] = (8.0, 25.0)) -> None:
    """Write a buyer message every few seconds until ``stop`` (a threading.Event) is set."""
    rng = random.Random(seed * 7919)
    conn = connect(path)
    try:
        while not stop.wait(rng.uniform(*interval)):
            now = clock.now()
            if rng.random() < 0.3:
                _live_follow_up(conn, rng, now)
            else:
                _live_ticket(conn, rng, now)
    finally:
        conn.close()


def _live_ticket(conn: sqlite3.Connection, rng: random.Random, now: datetime) -> None:
    row = random_order(conn)
    if row is None:
        return
    channel, order, marketplace, customer_id, name, country, title = row
    lang = LANGUAGE.get(country or "US", "en")
    scenario = rng.choice(LIVE_SCENARIOS)
    buyer, subjects = texts().buyer, texts().subjects
    templates = buyer.get(scenario, buyer["general"])
    text = rng.choice(templates.get(lang, templates["en"])).format(order=order, item=title or "the item", carrier="the carrier",
                                                                   tracking="", days=rng.randint(3, 12))
    subjects = subjects.get(scenario, subjects["general"])
    subject = rng.choice(subjects.get(lang, subjects["en"])).format(order=order, item=title or "item")
    if channel == "amazon":
        first = (name or "Buyer").split()[0]
        subject = f"Inquiry from Amazon customer {first} (Order: {order})"
    add_buyer_ticket(conn, channel, marketplace, customer_id, order, subject, name, text, now)


def _live_follow_up(conn: sqlite3.Connection, rng: random.Random, now: datetime) -> None:
    row = random_answered_ticket(conn)
    if row is None:
        return
    ticket_id, name, country, order = row
    lang = LANGUAGE.get(country or "US", "en")
    text = rng.choice(texts().follow_ups[lang]).format(hours=rng.randint(2, 20), order=order or "")
    add_buyer_message(conn, ticket_id, name, text, now)
