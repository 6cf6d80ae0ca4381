"""Customers and their orders: the order panel's data, and the facts a buyer's message refers
to (the order number, the item, the carrier and its tracking number)."""

from __future__ import annotations

import random

from deskui.demo.codes import Stamp, ascii_name, scramble, token, tracking_number
from deskui.demo.plan import Counts, Customer, Plan
from deskui.demo.tables import (
    CARRIER_PICK, CURRENCY, DAY, EMAIL_DOMAINS, FIRST_NAMES, HOUR, HUBS, LAST_NAMES, MARKETPLACES, PRODUCTS,
    SPIKE_PRODUCT, UPPER36, Product,
)
from deskui.demo.texts import texts
from deskui.store.demo_rows import COLUMNS


class Shop:
    """The customers and orders side of the builder: ids are assigned here (not by SQLite) so
    rows can point at each other before anything is written; rows wait in ``rows`` per table."""

    def __init__(self, rng: random.Random, now: int) -> None:
        self.rng = rng
        self.now = now
        self.stamp = Stamp()
        self.rows: dict[str, list[tuple]] = {table: [] for table in COLUMNS}
        self.counts = Counts()
        self.regulars: dict[tuple[str, str], list[Customer]] = {}
        self.order_serial = {channel: 0 for channel in MARKETPLACES}
        self.texts = texts()

    def take_rows(self) -> dict[str, list[tuple]]:
        rows, self.rows = self.rows, {table: [] for table in COLUMNS}
        return rows

    # --- customers and orders -------------------------------------------------------------

    def customer(self, plan: Plan) -> Customer:
        pool = self.regulars.setdefault((plan.channel, plan.country), [])
        if pool and self.rng.random() < 0.22:
            return self.rng.choice(pool)
        customer = self._new_customer(plan)
        pool.append(customer)
        if self.rng.random() < 0.3:
            self._history(customer, plan, self.rng.randint(1, 4))
        return customer

    def _new_customer(self, plan: Plan) -> Customer:
        rng, number = self.rng, self.counts.customers + 1
        self.counts.customers = number
        first, last = rng.choice(FIRST_NAMES[plan.country]), rng.choice(LAST_NAMES[plan.country])
        name = f"{first} {last}"
        plain = f"{ascii_name(first)}.{ascii_name(last)}"
        channel = plan.channel
        if channel == "amazon":
            external = token(rng.randrange(36**9), 9) + token(number, 6)
            email = f"{external}@marketplace.{plan.marketplace}"
            name = f"{first} {last[0]}." if rng.random() < 0.5 else name
            author = email
        elif channel == "ebay":
            external = f"{ascii_name(first)}_{ascii_name(last)[:4]}{token(number, 5)}"
            email = f"{external}@members.ebay.com"
            author = external
        elif channel == "walmart":
            external = token(number, 10, UPPER36)
            email = f"{token(number, 16)}@relay.walmart.com"
            author = email
        elif channel == "tiktok":
            external = f"7{scramble(number, 18):018d}"
            email = f"{token(number, 12)}@scs.tiktokw.us"
            author = f"{ascii_name(first)}{rng.randint(10, 99)}"
        elif channel == "instagram":
            external = f"@{plain}{token(number, 5)}"
            email = None
            author = external
        else:
            external = f"{6_000_000_000_000 + scramble(number, 12)}"
            email = f"{plain}{rng.choice(('', '', str(rng.randint(1, 99))))}@{rng.choice(EMAIL_DOMAINS[plan.country])}"
            author = email
        created = plan.created - int(rng.uniform(0, 400 * DAY))
        self.rows["customers"].append((number, channel, external, name, email, plan.country, self.stamp(created)))
        return Customer(number, channel, plan.country, first, name, email, author)

    def _order_number(self, channel: str, marketplace: str) -> str:
        self.order_serial[channel] += 1
        # An offset per channel, or every channel's first order would share its digits.
        serial = self.order_serial[channel] + 1_000_003 * list(MARKETPLACES).index(channel)
        rng = self.rng
        if channel == "amazon":
            first = rng.choice(("111", "112", "113", "114")) if marketplace == "amazon.com" else rng.choice(("028", "171", "302", "303", "304", "305", "306", "407"))
            number = f"{scramble(serial, 14):014d}"
            return f"{first}-{number[:7]}-{number[7:]}"
        if channel == "shopify":
            return f"#{1000 + self.order_serial[channel]}"
        if channel == "ebay":
            number = f"{scramble(serial, 12):012d}"
            return f"{number[:2]}-{number[2:7]}-{number[7:]}"
        if channel == "walmart":
            return f"10{scramble(serial, 13):013d}"
        if channel == "tiktok":
            return f"57{scramble(serial, 16):016d}"
        return f"IG{scramble(serial, 12):012d}"

    def _history(self, customer: Customer, plan: Plan, count: int) -> None:
        """Earlier orders: what the order panel shows as the buyer's history."""
        for _ in range(count):
            purchased = plan.created - int(self.rng.uniform(20 * DAY, 200 * DAY))
            self.order(customer, plan, "history", purchased)
        customer.history += count

    def order(self, customer: Customer, plan: Plan, shape: str, moment: int, solved: bool = False) -> dict:
        """One order and its items and tracking. ``shape`` says where the parcel is when the
        buyer writes at ``moment``: delivered, late (never arrived), transit, unshipped, history."""
        rng, number = self.rng, self.counts.orders + 1
        self.counts.orders = number
        currency, rate = CURRENCY[customer.country]
        channel = plan.channel
        products, total = self._items(number, plan, rate)
        fulfillment, carrier = self._shipping(channel, customer.country)
        purchased, shipped, delivered = self._timeline(shape, moment, plan.scenario)
        ship_by = purchased + 2 * DAY
        deliver_by = purchased + int(rng.uniform(4, 7)) * DAY
        status = "delivered" if delivered else "shipped" if shipped else "unshipped"
        tracking = tracking_number(rng, carrier) if shipped else None
        if shipped and shape != "history":  # the panel lists old orders; their scans are noise
            self._tracking(number, customer.country, carrier, shipped, delivered, min(self.now, moment + DAY))
        after = self._after_sale(plan.scenario if shape != "history" else None, shape, solved, status, total, delivered)
        updated = max(t for t in (purchased, shipped, delivered) if t is not None)
        order_number = self._order_number(channel, plan.marketplace)
        stamp = self.stamp
        self.rows["orders"].append((
            number, channel, order_number, plan.marketplace, customer.id, stamp(purchased), after[0], fulfillment,
            stamp(ship_by), stamp(deliver_by), stamp(shipped), stamp(delivered), carrier if shipped else None, tracking,
            currency, total, *after[1:], stamp(updated),
        ))
        return {"order": order_number, "item": products[0].title, "carrier": carrier, "tracking": tracking or "-",
                "days": max(1, (moment - purchased) // DAY), "fragile": products[0].fragile}

    def _items(self, number: int, plan: Plan, rate: float) -> tuple[list[Product], float]:
        """The order's lines (one to three products; the spike's orders hold the spike product)
        and its total in the buyer's currency, shipping included under 35."""
        rng, channel = self.rng, plan.channel
        products = [PRODUCTS[SPIKE_PRODUCT]] if plan.spike else []
        want = 1 if rng.random() < 0.65 else 2 if rng.random() < 0.7 else 3
        if plan.scenario == "missing_item":
            want = max(want, 2)
        while len(products) < want:
            product = rng.choice(PRODUCTS)
            if product not in products:
                products.append(product)
        total = 0.0
        for product in products:
            quantity = 1 if rng.random() < 0.85 else 2
            price = round(max(1, round(product.usd * rate)) - 0.01, 2)
            total += price * quantity
            self.rows["order_items"].append((number, product.sku, product.asin if channel == "amazon" else None, product.title, quantity, price))
        return products, round(total + (0 if total > 35 else 4.99), 2)

    def _shipping(self, channel: str, country: str) -> tuple[str, str]:
        rng = self.rng
        if channel == "amazon":
            fulfillment = "FBA" if rng.random() < 0.55 else "FBM"
        elif channel == "shopify":
            fulfillment = "MCF" if rng.random() < 0.5 else "SELF"
        else:
            fulfillment = "SELF"
        carrier = "Amazon Logistics" if fulfillment in ("FBA", "MCF") and country == "US" and rng.random() < 0.5 else CARRIER_PICK[country].pick(rng)
        return fulfillment, carrier

    def _timeline(self, shape: str, moment: int, scenario: str) -> tuple[int, int | None, int | None]:
        """(purchased, shipped, delivered) of an order whose parcel is in ``shape`` at ``moment``."""
        rng = self.rng
        delivered = shipped = None
        if shape == "history":
            purchased = moment
            shipped = purchased + int(rng.uniform(2 * HOUR, 2 * DAY))
            delivered = shipped + int(rng.uniform(DAY, 5 * DAY))
        elif shape == "delivered":
            delivered = moment - int(rng.uniform(2 * HOUR, (30 if scenario == "defective" else 8) * DAY))
            shipped = delivered - int(rng.uniform(DAY, 5 * DAY))
            purchased = shipped - int(rng.uniform(2 * HOUR, 2 * DAY))
        elif shape == "late":
            purchased = moment - int(rng.uniform(8 * DAY, 16 * DAY))
            shipped = purchased + int(rng.uniform(HOUR * 12, 4 * DAY))
            if rng.random() < 0.2:  # "tracking says delivered, but I have nothing"
                delivered = shipped + int(rng.uniform(2 * DAY, 5 * DAY))
        elif shape == "transit":
            purchased = moment - int(rng.uniform(2 * DAY, 6 * DAY))
            shipped = purchased + int(rng.uniform(HOUR * 8, 2 * DAY))
        else:  # unshipped
            purchased = moment - int(rng.uniform(HOUR, 20 * HOUR))
        return purchased, shipped, delivered

    def _after_sale(self, scenario: str | None, shape: str, solved: bool, status: str, total: float,
                    delivered: int | None) -> tuple:
        """What became of the order: (status, refunded, return status,
        rating, feedback, claim, chargeback). ``scenario`` is None for a history order."""
        rng = self.rng
        refunded, return_status, claim, chargeback = 0.0, None, None, 0
        rating = feedback = None
        if scenario in ("return", "exchange"):
            return_status = "refunded" if solved and rng.random() < 0.6 else rng.choice(("requested", "in_transit"))
        elif scenario == "refund":
            return_status = "refunded" if solved else "received"
        elif scenario == "cancellation" and solved:
            status = "cancelled"
        elif scenario in ("atoz_threat", "atoz_notice") and (scenario == "atoz_notice" or solved and rng.random() < 0.3):
            claim = rng.choice(("granted", "denied", "withdrawn", "withdrawn")) if solved else "open"
        elif scenario in ("chargeback", "chargeback_notice"):
            chargeback = 1
        elif shape == "history":
            roll = rng.random()
            claim = "denied" if roll < 0.006 else None
            chargeback = int(0.006 <= roll < 0.009)
            return_status = "refunded" if 0.009 <= roll < 0.05 else None
        if return_status == "refunded" or status == "cancelled" or claim == "granted" or (solved and scenario in ("damaged", "defective", "missing_item") and rng.random() < 0.5):
            refunded = total
        if scenario == "feedback":
            rating = rng.choice((1, 2, 2, 5))
        elif delivered and rng.random() < 0.12:
            rating = rng.choice((5, 5, 5, 5, 5, 5, 4, 4, 3, 2, 1))
        if rating:
            feedback = rng.choice(self.texts.feedback[rating])
        return status, refunded, return_status, rating, feedback, claim, chargeback

    def _tracking(self, order_id: int, country: str, carrier: str, shipped: int, delivered: int | None, until: int) -> None:
        rng = self.rng
        hubs = HUBS[country]
        steps = [("label_created", shipped - int(rng.uniform(HOUR, 12 * HOUR))), ("picked_up", shipped)]
        end = delivered if delivered else until
        hops = rng.randint(1 if delivered else 0, 2)
        for hop in range(hops):
            steps.append(("in_transit", shipped + int((end - shipped) * (hop + 1) / (hops + 2))))
        if delivered:
            steps.append(("out_for_delivery", delivered - int(rng.uniform(HOUR, 6 * HOUR))))
            steps.append(("delivered", delivered))
        elif rng.random() < 0.35:
            steps.append(("exception", shipped + int((end - shipped) * 0.9)))
        for status, at in steps:
            description = rng.choice(self.texts.tracking[status]).format(carrier=carrier)
            self.rows["tracking_events"].append((order_id, self.stamp(min(at, until)), status, rng.choice(hubs), description))
