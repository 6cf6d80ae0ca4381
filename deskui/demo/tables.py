"""The demo's world: channels, marketplaces, names, products, carriers, scenarios and their
weights, the agents. Numbers and names, not prose (the prose is in ``texts/``). Every weight and
every tuple's order feeds the seeded generator: changing one changes every demo database."""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass

# (channel, weight): Amazon is about half of a multichannel seller's conversations.
CHANNELS = (("amazon", 50), ("shopify", 20), ("ebay", 12), ("walmart", 7), ("tiktok", 6), ("instagram", 5))

# channel -> ((marketplace, country, weight), ...)
MARKETPLACES = {
    "amazon": (
        ("amazon.com", "US", 40), ("amazon.co.uk", "GB", 15), ("amazon.de", "DE", 18),
        ("amazon.fr", "FR", 10), ("amazon.es", "ES", 8), ("amazon.it", "IT", 9),
    ),
    "shopify": (
        ("nordhaus-home.myshopify.com", "US", 45), ("nordhaus-home.myshopify.com", "GB", 15),
        ("nordhaus-home.myshopify.com", "FR", 12), ("nordhaus-home.myshopify.com", "DE", 12),
        ("nordhaus-home.myshopify.com", "ES", 8), ("nordhaus-home.myshopify.com", "IT", 8),
    ),
    "ebay": (
        ("ebay.com", "US", 40), ("ebay.co.uk", "GB", 20), ("ebay.de", "DE", 20),
        ("ebay.fr", "FR", 8), ("ebay.it", "IT", 7), ("ebay.es", "ES", 5),
    ),
    "walmart": (("walmart.com", "US", 1),),
    "tiktok": (("tiktokshop.us", "US", 70), ("tiktokshop.co.uk", "GB", 30)),
    "instagram": (
        ("instagram", "US", 40), ("instagram", "GB", 15), ("instagram", "FR", 15),
        ("instagram", "IT", 15), ("instagram", "ES", 10), ("instagram", "DE", 5),
    ),
}

LANGUAGE = {"US": "en", "GB": "en", "DE": "de", "FR": "fr", "ES": "es", "IT": "it"}
CURRENCY = {"US": ("USD", 1.0), "GB": ("GBP", 0.79), "DE": ("EUR", 0.93), "FR": ("EUR", 0.93), "ES": ("EUR", 0.93), "IT": ("EUR", 0.93)}

FIRST_NAMES = {
    "US": ("James", "Mary", "Robert", "Jennifer", "Michael", "Linda", "David", "Ashley", "Josh", "Emily",
           "Tyler", "Megan", "Brandon", "Kayla", "Chris", "Alisa", "Marcus", "Tanya"),
    "GB": ("Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Jack", "Poppy", "Charlie", "Freya",
           "Alfie", "Sophie", "Thomas", "Chloe", "Gareth", "Niamh"),
    "DE": ("Lukas", "Anna", "Leon", "Lena", "Jonas", "Laura", "Felix", "Julia", "Maximilian", "Sophie",
           "Paul", "Hannah", "Jan", "Katrin", "Jürgen", "Sabine", "Björn", "Ute"),
    "FR": ("Camille", "Louis", "Léa", "Hugo", "Chloé", "Lucas", "Manon", "Gabriel", "Inès", "Nathan",
           "Élodie", "Théo", "Margaux", "Julien", "Françoise", "Jérôme"),
    "ES": ("Lucía", "Hugo", "Martina", "Pablo", "Sofía", "Alejandro", "María", "Daniel", "Paula",
           "Javier", "Carmen", "Sergio", "Nuria", "Álvaro", "Begoña", "Íñigo"),
    "IT": ("Giulia", "Francesco", "Sofia", "Alessandro", "Aurora", "Lorenzo", "Chiara", "Matteo",
           "Martina", "Andrea", "Federica", "Marco", "Elena", "Davide", "Niccolò", "Ilaria"),
}
LAST_NAMES = {
    "US": ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Garcia", "Wilson",
           "Anderson", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Thompson", "O'Connor"),
    "GB": ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts",
           "Walker", "Wright", "Hughes", "Green", "Hall", "McKenzie", "Price"),
    "DE": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
           "Hoffmann", "Koch", "Richter", "Wolf", "Schröder", "Groß", "Krüger"),
    "FR": ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
           "Moreau", "Simon", "Laurent", "Lefèvre", "Girard", "Faure", "Rousseau"),
    "ES": ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
           "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Muñoz", "Ibáñez"),
    "IT": ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
           "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Lombardi"),
}
EMAIL_DOMAINS = {
    "US": ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "aol.com"),
    "GB": ("gmail.com", "hotmail.co.uk", "btinternet.com", "outlook.com", "sky.com"),
    "DE": ("gmx.de", "web.de", "t-online.de", "gmail.com", "outlook.de"),
    "FR": ("orange.fr", "gmail.com", "free.fr", "laposte.net", "sfr.fr", "hotmail.fr"),
    "ES": ("gmail.com", "hotmail.es", "yahoo.es", "telefonica.net", "outlook.es"),
    "IT": ("gmail.com", "libero.it", "alice.it", "virgilio.it", "hotmail.it"),
}

# Buyers who write on a Saturday or Sunday wait this much longer for an answer.
WEEKEND_SLOWDOWN = 2.0


def weekday(moment: int) -> int:
    """Monday 0 .. Sunday 6 of a UTC epoch second (the demo's seller works in UTC)."""
    return (moment // DAY + 3) % 7  # 1 January 1970 was a Thursday


# (name, display name, how fast they answer, how much slower on returns): the health check's
# drill-down by agent should find the one who is slow on return tickets.
AGENTS = (
    ("camille", "Camille Martin", 0.8, 1.0),
    ("lukas", "Lukas Becker", 1.0, 1.0),
    ("sofia", "Sofia Ricci", 0.9, 1.0),
    ("javier", "Javier Ortega", 1.1, 1.0),
    ("emma", "Emma Clarke", 1.0, 1.0),
    ("noah", "Noah Patel", 1.2, 2.4),
)


# (title, USD price, fragile): ~60 products of a home-and-gadgets seller.
CATALOGUE = (
    ("Borosilicate Glass Teapot 1.2 L with Infuser", 29.99, True),
    ("Stainless Steel Insulated Water Bottle 750 ml", 24.99, False),
    ("Bamboo Cutting Board Set (3 pieces)", 32.99, False),
    ("Ceramic Pour-Over Coffee Dripper", 19.99, True),
    ("Electric Milk Frother, Rechargeable", 22.99, False),
    ("Cast Iron Skillet 26 cm, Pre-Seasoned", 39.99, False),
    ("Silicone Baking Mat Set (2 pieces)", 14.99, False),
    ("Digital Kitchen Scale 5 kg", 17.99, False),
    ("Wireless Earbuds with Charging Case", 49.99, False),
    ("USB-C Fast Charger 65 W", 34.99, False),
    ("Braided USB-C Cable 2 m (2-pack)", 12.99, False),
    ("Magnetic Phone Car Mount", 19.99, False),
    ("Bluetooth Speaker, Waterproof IPX7", 59.99, False),
    ("Smart LED Bulb E27 (4-pack)", 39.99, True),
    ("Portable Power Bank 20000 mAh", 42.99, False),
    ("Mechanical Keyboard, Brown Switches", 89.99, False),
    ("Ergonomic Wireless Mouse", 29.99, False),
    ("Laptop Stand, Aluminium", 36.99, False),
    ("Noise-Cancelling Headphones", 129.99, False),
    ("Webcam 1080p with Microphone", 45.99, False),
    ("Yoga Mat 6 mm, Non-Slip", 27.99, False),
    ("Adjustable Dumbbells 2 x 10 kg", 89.99, False),
    ("Resistance Bands Set (5 levels)", 19.99, False),
    ("Running Belt with Phone Pocket", 15.99, False),
    ("Insulated Camping Mug 350 ml", 18.99, False),
    ("Ultralight Camping Hammock", 34.99, False),
    ("LED Headlamp, Rechargeable", 21.99, False),
    ("Folding Camping Chair", 44.99, False),
    ("Linen Duvet Cover, Double", 79.99, False),
    ("Memory Foam Pillow", 39.99, False),
    ("Blackout Curtains, 2 Panels", 34.99, False),
    ("Scented Soy Candle Set (3 pieces)", 24.99, True),
    ("Glass Storage Jars with Bamboo Lids (6 pieces)", 31.99, True),
    ("Ceramic Dinner Plates (set of 6)", 49.99, True),
    ("Crystal Wine Glasses (set of 4)", 39.99, True),
    ("Round Wall Mirror 60 cm", 69.99, True),
    ("Aroma Diffuser 300 ml", 29.99, False),
    ("Robot Vacuum Replacement Brush Kit", 16.99, False),
    ("Cordless Handheld Vacuum", 79.99, False),
    ("HEPA H13 Air Purifier", 119.99, False),
    ("Sonic Electric Toothbrush", 49.99, False),
    ("Ionic Hair Dryer 2000 W", 39.99, False),
    ("Cordless Beard Trimmer", 34.99, False),
    ("Silk Sleep Mask", 12.99, False),
    ("Kids' Wooden Puzzle Set", 19.99, False),
    ("No-Pull Dog Harness, Size M", 24.99, False),
    ("Cat Scratching Post 80 cm", 34.99, False),
    ("Automatic Pet Feeder", 64.99, False),
    ("RFID Blocking Leather Wallet", 29.99, False),
    ("Canvas Backpack 25 L", 49.99, False),
    ("Travel Packing Cubes (6 pieces)", 22.99, False),
    ("Polarised Sunglasses", 24.99, False),
    ("Shockproof Phone Case for iPhone 15", 14.99, False),
    ("Tempered Glass Screen Protector (2-pack)", 9.99, True),
    ("Expandable Garden Hose 30 m", 39.99, False),
    ("Solar Garden Lights (8-pack)", 29.99, False),
    ("Cordless Drill 18 V with 2 Batteries", 89.99, False),
    ("Precision Screwdriver Set (64 bits)", 24.99, False),
    ("Anti-Colic Baby Bottle Set", 27.99, False),
    ("Reusable Beeswax Wraps (set of 9)", 17.99, False),
)
# The product whose "damaged" tickets surge over the last three days: a bad batch for the health
# check to find.
SPIKE_PRODUCT = 0

# country -> ((carrier, weight), ...); FBA orders also travel with Amazon Logistics.
CARRIERS = {
    "US": (("UPS", 35), ("USPS", 40), ("FedEx", 25)),
    "GB": (("Royal Mail", 50), ("DPD", 30), ("DHL", 20)),
    "DE": (("DHL", 55), ("DPD", 20), ("GLS", 15), ("UPS", 10)),
    "FR": (("Colissimo", 55), ("DPD", 20), ("GLS", 15), ("UPS", 10)),
    "ES": (("Correos", 55), ("GLS", 25), ("DHL", 20)),
    "IT": (("Poste Italiane", 50), ("GLS", 30), ("DHL", 20)),
}
HUBS = {
    "US": ("Louisville, KY", "Memphis, TN", "Chicago, IL", "Dallas, TX", "Columbus, OH", "Ontario, CA"),
    "GB": ("Coventry", "Warrington", "Daventry", "London", "Glasgow", "Bristol"),
    "DE": ("Leipzig", "Hamburg", "Köln", "München", "Bad Hersfeld", "Dortmund"),
    "FR": ("Chilly-Mazarin", "Lyon", "Marseille", "Lille", "Bordeaux", "Nantes"),
    "ES": ("Madrid", "Barcelona", "Zaragoza", "Valencia", "Sevilla", "Bilbao"),
    "IT": ("Milano", "Bologna", "Roma", "Napoli", "Torino", "Verona"),
}

# Scenarios: (name, intended risk category, Amazon subject topic). The category is what the
# matcher should find in the words; the triage decides, this only aims the SLA states.
SCENARIOS = {
    "atoz_threat": ("atoz_claim", "Inquiry"),
    "atoz_notice": ("atoz_claim", None),
    "chargeback": ("chargeback", "Inquiry"),
    "chargeback_notice": ("chargeback", None),
    "damaged": ("damaged", "Inquiry"),
    "missing_item": ("missing_item", "Order information inquiry"),
    "not_received": ("not_received", "Order delivery inquiry"),
    "wrong_item": ("wrong_item", "Inquiry"),
    "defective": ("defective", "Product details inquiry"),
    "tracking": ("tracking", "Shipping inquiry"),
    "return": ("return", "Return policy inquiry"),
    "refund": ("refund", "Return policy inquiry"),
    "exchange": ("exchange", "Return policy inquiry"),
    "cancellation": ("cancellation", "Order cancellation request"),
    "invoice": ("invoice", "Inquiry"),
    "product_question": ("product_question", "Product details inquiry"),
    "feedback": ("feedback", "Inquiry"),
    "general": (None, "Inquiry"),
}
# channel family -> (scenario, weight)
SCENARIO_WEIGHTS = {
    "amazon": (
        ("atoz_threat", 3), ("atoz_notice", 1.5), ("chargeback", 0.6), ("chargeback_notice", 0.4),
        ("damaged", 8), ("missing_item", 6), ("not_received", 12), ("wrong_item", 5), ("defective", 7),
        ("tracking", 6), ("return", 9), ("refund", 7), ("exchange", 2), ("cancellation", 5),
        ("invoice", 5), ("product_question", 8), ("feedback", 2), ("general", 10),
    ),
    "shopify": (
        ("chargeback_notice", 1), ("damaged", 6), ("missing_item", 4), ("not_received", 10),
        ("wrong_item", 4), ("defective", 5), ("tracking", 8), ("return", 12), ("refund", 12),
        ("exchange", 9), ("cancellation", 5), ("invoice", 3), ("product_question", 10), ("general", 11),
    ),
    "other": (
        ("damaged", 7), ("missing_item", 5), ("not_received", 12), ("wrong_item", 5), ("defective", 6),
        ("tracking", 9), ("return", 9), ("refund", 8), ("exchange", 4), ("cancellation", 5),
        ("invoice", 2), ("product_question", 14), ("feedback", 2), ("general", 12),
    ),
}

# What an open ticket is doing at `now`, of the 40 % not solved: (plan, weight).
#   first: no reply yet; next: answered, the buyer wrote again; met: answered, nothing to answer;
#   snoozed: an agent parked it with the buyer's message unanswered.
# Brand-new tickets ("first") are kept few: most open threads started days ago, so the daily
# ticket volume stays flat and only the planted spike stands out.
OPEN_PLANS = (("first", 8), ("next", 40), ("met", 30), ("snoozed", 22))
# Where a running clock stands at `now`: (state, weight, low, high) with low/high the fraction of
# the target left (negative: minutes past due) -- "breached" by minutes, by hours and by days.
CLOCK_AIMS = (
    ("on_track", 38, 0.30, 0.95), ("at_risk", 15, 0.11, 0.24), ("imminent", 10, 0.01, 0.09),
    ("breached", 14, -45, -1), ("breached", 17, -30 * 60, -60), ("breached", 6, -5 * 1440, -1440),
)
SOLVED_SHARE = 0.6
HISTORY_DAYS = 30

REPLY_KIND = {
    "atoz_threat": "claim", "atoz_notice": "claim", "chargeback": "claim", "chargeback_notice": "claim",
    "damaged": "defect", "missing_item": "defect", "wrong_item": "defect", "defective": "defect",
    "not_received": "delivery", "tracking": "delivery",
    "return": "returns", "refund": "returns", "exchange": "returns", "cancellation": "returns",
    "product_question": "product", "invoice": "invoice",
}

TAG_BY_SCENARIO = {
    "atoz_threat": "a-to-z risk", "atoz_notice": "a-to-z risk", "chargeback": "chargeback",
    "chargeback_notice": "chargeback", "return": "return dissatisfaction", "refund": "return dissatisfaction",
    "not_received": "lost parcel", "tracking": "tracking update",
}

# Hostile text, placed in a fixed few tickets (not at random): the screens must show every byte
# of it as plain text. (subject suffix, text added to the buyer's first message)
HOSTILE = (
    (" [bold red]FREE[/]", "[bold red]FREE[/] gift card for you!! [link=https://evil.example]claim it[/link] [/]"),
    (" \x1b[31mURGENT\x1b[0m", "Why is this red? \x1b[31mred\x1b[0m \x1b[2J\x1b[H\x07 (the screen just cleared)"),
    ("", "Refund for my file \u202egpj.exe\u202c please \u200f\u2066hidden\u2069"),
    ("", None),  # the ~200 KB body, built by huge_body()
)
HUGE_BODY_CHARS = 200_000

CHUNK = 2000  # tickets per transaction: large enough to be fast, small enough to keep memory flat
HOUR = 3600
DAY = 86400


class Weighted:
    """A weighted choice with the cumulative weights computed once (random.choices redoes it)."""

    def __init__(self, pairs: Sequence[tuple]) -> None:
        self.items = [pair[0] if len(pair) == 2 else pair[:-1] for pair in pairs]
        self.cumulative = []
        total = 0.0
        for pair in pairs:
            total += pair[-1]
            self.cumulative.append(total)
        self.total = total

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]


CHANNEL_PICK = Weighted(CHANNELS)
MARKETPLACE_PICK = {channel: Weighted(rows) for channel, rows in MARKETPLACES.items()}
SCENARIO_PICK = {family: Weighted(rows) for family, rows in SCENARIO_WEIGHTS.items()}
OPEN_PLAN_PICK = Weighted(OPEN_PLANS)
AIM_PICK = Weighted([((state, low, high), weight) for state, weight, low, high in CLOCK_AIMS])
CARRIER_PICK = {country: Weighted(rows) for country, rows in CARRIERS.items()}
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
UPPER36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Product:
    sku: str
    asin: str
    title: str
    usd: float
    fragile: bool


def _catalogue() -> list[Product]:
    """The same products whatever the seed: a catalogue does not change between demos."""
    rng = random.Random(60)
    products = []
    for index, (title, usd, fragile) in enumerate(CATALOGUE):
        words = [word for word in title.replace(",", "").split() if word[0].isalpha()]
        sku = "-".join(word[:3].upper() for word in words[:3]) + f"-{100 + index}"
        asin = "B0" + "".join(rng.choice(UPPER36) for _ in range(8))
        products.append(Product(sku, asin, title, usd, fragile))
    return products


PRODUCTS = _catalogue()
