"""A small hand-made inbox covering every SLA state, every channel and the hostile inputs."""

from datetime import datetime, timedelta

from deskui.clock import FixedClock
from deskui.policy import default_policy
from deskui.store import connect, write
from deskui.store.tickets import add_reply, refresh_tickets, set_status
from deskui.timeutil import to_db


def build(path, now: datetime) -> dict[str, int]:
    """Returns ticket ids by name."""
    conn = connect(path, create=True)
    policy = default_policy()
    ids: dict[str, int] = {}
    with write(conn):
        conn.execute("INSERT INTO customers (id, channel, external_id, name, email, country) VALUES "
                     "(1, 'amazon', 'A1', 'Claire Dubois', 'x7k2m9q4w1@marketplace.amazon.fr', 'FR'),"
                     "(2, 'shopify', 'S2', 'Ben Carter', 'ben@example.com', 'US'),"
                     "(3, 'amazon', 'A3', '[bold red]Evil[/] \x1b[31mName', 'evil@marketplace.amazon.com', 'US')")
        conn.execute("INSERT INTO orders (id, channel, order_number, marketplace, customer_id, purchased_at, status, fulfillment, "
                     "ship_by, deliver_by, shipped_at, carrier, tracking_number, currency, total) VALUES "
                     "(1, 'amazon', '171-5550123-1234567', 'amazon.fr', 1, ?, 'Shipped', 'FBM', ?, ?, ?, 'Colissimo', '6A12345678901', 'EUR', 89.9),"
                     "(2, 'amazon', '171-0000001-0000001', 'amazon.fr', 1, ?, 'Delivered', 'FBA', ?, ?, ?, 'UPS', '1Z999AA10123456784', 'EUR', 19.5),"
                     "(3, 'shopify', '#1042', 'shop', 2, ?, 'fulfilled', 'MCF', ?, ?, ?, 'USPS', '9400111899223856928499', 'USD', 45)",
                     (to_db(now - timedelta(days=6)), to_db(now - timedelta(days=4)), to_db(now - timedelta(days=1)), to_db(now - timedelta(days=3)),
                      to_db(now - timedelta(days=60)), to_db(now - timedelta(days=58)), to_db(now - timedelta(days=55)), to_db(now - timedelta(days=58)),
                      to_db(now - timedelta(days=10)), to_db(now - timedelta(days=8)), to_db(now - timedelta(days=4)), to_db(now - timedelta(days=9))))
        conn.execute("UPDATE orders SET feedback_rating = 2, feedback_text = 'slow', claim_status = 'denied' WHERE id = 2")
        conn.execute("INSERT INTO order_items (order_id, sku, asin, title, quantity, price) VALUES "
                     "(1, 'LAMP-BRS-01', 'B0C1234567', 'Lampe de chevet laiton', 1, 59.9),"
                     "(1, 'BULB-E27-4', 'B0C7654321', 'Ampoules E27 (lot de 4)', 2, 15.0),"
                     "(3, 'MUG-BLK', NULL, 'Black ceramic mug', 3, 15.0)")
        conn.execute("INSERT INTO tracking_events (order_id, at, status, location) VALUES "
                     "(1, ?, 'label created', 'Lyon'), (1, ?, 'in transit', 'Paris hub'), (1, ?, 'exception', 'Paris hub')",
                     (to_db(now - timedelta(days=3)), to_db(now - timedelta(days=2)), to_db(now - timedelta(days=1))))

    def ticket(name, channel, subject, body, minutes_ago, customer=None, order=None, assignee=None):
        with write(conn):
            ticket_id = conn.execute(
                "INSERT INTO tickets (channel, subject, created_at, customer_id, order_number, assignee) VALUES (?, ?, ?, ?, ?, ?)",
                (channel, subject, to_db(now - timedelta(minutes=minutes_ago)), customer, order, assignee)).lastrowid
            conn.execute("INSERT INTO messages (ticket_id, direction, author, body, sent_at) VALUES (?, 'in', 'buyer', ?, ?)",
                         (ticket_id, body, to_db(now - timedelta(minutes=minutes_ago))))
        ids[name] = ticket_id

    ticket("breached", "amazon", "Your Amazon A-to-z Guarantee Claim for Order 171-5550123-1234567",
           "Le colis n'est jamais arrivé, j'ai ouvert une réclamation garantie A à Z.", 75, customer=1, order="171-5550123-1234567", assignee="ana")
    ticket("imminent", "amazon", "Order delivery inquiry from Amazon customer Jo (Order: 171-0000001-0000001)",
           "My parcel arrived damaged, the box was crushed", 110, customer=1, order="171-0000001-0000001")
    ticket("at_risk", "shopify", "Refund for order #1042", "I would like a refund please", 200, customer=2, order="#1042", assignee="ben")
    ticket("on_track", "amazon", "Question about invoice", "Could you send me an invoice?", 30)
    ticket("paused", "ebay", "Is this compatible with my model?", "Does it fit the 2019 model?", 60)
    ticket("met", "walmart", "Thanks", "Can I change the colour?", 120)
    ticket("hostile", "instagram", "[bold red]FREE[/] \x1b[31mmoney\x1b[0m \u202eabc", "[link=http://evil]click[/link] " + "x" * 1_000_000, 5, customer=3)
    ticket("no_order", "tiktok", "Where is my order?", "Hello, where is my order? It has been a week.", 10, order="999-9999999-9999999")
    refresh_tickets(conn, policy, now)
    clock = FixedClock(now - timedelta(minutes=30))
    set_status(conn, policy, clock, ids["paused"], "pending", "ana")
    add_reply(conn, policy, FixedClock(now - timedelta(minutes=100)), ids["met"], "ana", "Yes, we can change the colour.")
    with write(conn):
        conn.execute("INSERT INTO tags (ticket_id, tag) VALUES (?, 'a-to-z risk')", (ids["breached"],))
        # A row another program wrote badly: a tier, but a due time that is no time at all.
        ids["nonsense"] = conn.execute(
            "INSERT INTO tickets (channel, subject, created_at, tier, tier_rank, due_at, needs_triage) "
            "VALUES ('ebay', 'Row with a nonsense due time', 'garbage', 'normal', 4, 'yesterday-ish', 0)").lastrowid
    conn.close()
    return ids
