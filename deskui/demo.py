"""A deterministic, realistic demo database: ``deskui demo``.

The same seed, ticket count and ``now`` give the same rows, byte for byte: every random choice comes
from one ``random.Random(seed)`` and every time is an offset from ``now``. The generator only writes
the rows another program would write (tickets, messages, orders, events...); tier, category and due
times are derived afterwards by ``refresh_tickets``, exactly as for real data. It aims each open
ticket's last buyer message at a point of its tier's target so that, at ``now``, the inbox shows
every SLA state.

The file is built under a temporary name with journalling off, the change feed's triggers dropped
and large ``executemany`` batches, then renamed into place: a failed build never leaves half a
data set, and two data sets are never mixed.
"""

from __future__ import annotations

import bisect
import functools
import json
import math
import os
import random
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from deskui import sla
from deskui.policy import Policy, Tier, default_policy
from deskui.store.db import connect, write
from deskui.store.inbox import state_counts
from deskui.store.tickets import refresh_tickets, sync_response_outcomes
from deskui.timeutil import to_db

# ---------------------------------------------------------------------------------------------
# Data tables
# ---------------------------------------------------------------------------------------------

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


def _weekday(moment: int) -> int:
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
TRACKING_TEXT = {
    "label_created": ("Shipping label created, {carrier} awaiting item", "Shipment information received"),
    "picked_up": ("Picked up by {carrier}", "Parcel received at origin depot"),
    "in_transit": ("In transit", "Arrived at sorting facility", "Departed facility", "Processed at hub"),
    "out_for_delivery": ("Out for delivery", "With courier for delivery today"),
    "delivered": ("Delivered", "Delivered, left at front door", "Delivered to neighbour", "Delivered to parcel locker"),
    "exception": ("Delivery attempted, recipient not available", "Address could not be found",
                  "Delayed: parcel damaged in transit, repackaged", "Held at depot: customs clearance"),
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

GREETINGS = {
    "en": ("Hello,", "Hi,", "Hi there,", "Good morning,", "Dear seller,", ""),
    "fr": ("Bonjour,", "Bonjour Madame, Monsieur,", "Bonsoir,", "Bonjour à vous,", ""),
    "de": ("Hallo,", "Guten Tag,", "Sehr geehrte Damen und Herren,", "Moin,", ""),
    "es": ("Hola,", "Buenos días,", "Buenas tardes,", "Estimado vendedor:", ""),
    "it": ("Buongiorno,", "Salve,", "Ciao,", "Gentile venditore,", ""),
}
CLOSINGS = {
    "en": ("Thanks,", "Regards,", "Thank you,", "Best,", "Kind regards,", "Cheers,"),
    "fr": ("Merci d'avance,", "Cordialement,", "Bonne journée,", "Merci,"),
    "de": ("Danke,", "Mit freundlichen Grüßen", "Viele Grüße", "Danke im Voraus,"),
    "es": ("Gracias,", "Un saludo,", "Saludos,", "Muchas gracias,"),
    "it": ("Grazie,", "Cordiali saluti,", "Saluti,", "Grazie mille,"),
}
QUOTE = {"en": ("", ""), "fr": ("« ", " »"), "de": ("„", "“"), "es": ("«", "»"), "it": ("«", "»")}

# Buyer messages: scenario -> language -> templates. Placeholders: {order}, {item}, {carrier},
# {tracking}, {days}. Several per scenario and language, plus greetings and closings, so the
# threads read like different people wrote them.
BUYER = {
    "atoz_threat": {
        "en": (
            "I still have not received order {order} and nobody answers. If I don't hear back today I will open an A-to-z claim.",
            "This is my third message about {item}. Refund me now or I am filing an A-to-z Guarantee claim with Amazon.",
            "The {item} arrived broken and you ignore me. I'll go through the A to Z guarantee if this isn't sorted by tomorrow.",
        ),
        "fr": (
            "Toujours pas reçu la commande {order}, et aucune réponse. Sans retour de votre part aujourd'hui, j'ouvre une réclamation garantie A à Z.",
            "Troisième message pour {item} ! Remboursez-moi ou je fais une réclamation au titre de la garantie A-à-z auprès d'Amazon.",
            "L'article {item} est arrivé cassé et vous ne répondez pas. Je vais passer par la garantie A à Z si rien n'est fait demain.",
        ),
        "de": (
            "Die Bestellung {order} ist immer noch nicht da und niemand antwortet. Wenn ich heute nichts höre, stelle ich einen Antrag auf die A-bis-z-Garantie.",
            "Das ist meine dritte Nachricht wegen {item}. Erstatten Sie mir den Betrag, sonst mache ich einen A-bis-z-Garantieantrag bei Amazon.",
            "Der Artikel {item} kam kaputt an und Sie reagieren nicht. Ich werde die A bis Z Garantie in Anspruch nehmen, wenn das bis morgen nicht geklärt ist.",
        ),
        "es": (
            "Sigo sin recibir el pedido {order} y nadie contesta. Si hoy no tengo respuesta abriré una reclamación de la Garantía de la A a la Z.",
            "Es mi tercer mensaje sobre {item}. Devuélvanme el dinero o presento una reclamación A-to-z a Amazon.",
            "El {item} llegó roto y me ignoran. Si mañana no está resuelto iré a la garantía de la A a la z.",
        ),
        "it": (
            "Non ho ancora ricevuto l'ordine {order} e nessuno risponde. Se oggi non ho notizie apro un reclamo con la Garanzia dalla A alla Z.",
            "È il mio terzo messaggio per {item}. Rimborsatemi o apro una richiesta di Garanzia A-to-z su Amazon.",
            "L'articolo {item} è arrivato rotto e mi ignorate. Se entro domani non è risolto passo alla garanzia dalla A alla Z.",
        ),
    },
    "chargeback": {
        "en": (
            "I was charged for order {order} but the item never came. I've asked my bank to do a chargeback.",
            "If I don't get my refund for {item} this week I'm disputing the charge with my credit card company.",
            "My card was charged twice for {order}. I have opened a dispute with my bank.",
        ),
        "fr": (
            "J'ai été débité pour la commande {order} mais je n'ai rien reçu. J'ai demandé une rétrofacturation à ma banque.",
            "Sans remboursement pour {item} cette semaine, je fais opposition auprès de ma banque (chargeback).",
            "Ma carte a été débitée deux fois pour {order}. J'ai ouvert un litige avec ma banque.",
        ),
        "de": (
            "Mir wurde die Bestellung {order} abgebucht, aber nichts kam an. Ich habe meine Bank um eine Rückbuchung gebeten.",
            "Wenn ich diese Woche keine Erstattung für {item} bekomme, lasse ich die Zahlung über meine Kreditkarte zurückbuchen (Chargeback).",
            "Meine Karte wurde für {order} doppelt belastet. Ich habe bei meiner Bank widersprochen.",
        ),
        "es": (
            "Me cobraron el pedido {order} pero nunca llegó. He pedido a mi banco un contracargo.",
            "Si esta semana no recibo el reembolso de {item} abriré una disputa con mi tarjeta de crédito.",
            "Me han cobrado dos veces el pedido {order}. He abierto una disputa con mi banco.",
        ),
        "it": (
            "Mi avete addebitato l'ordine {order} ma non è mai arrivato. Ho chiesto alla banca uno storno (chargeback).",
            "Se questa settimana non ricevo il rimborso per {item} contesto l'addebito con la carta di credito.",
            "La carta è stata addebitata due volte per {order}. Ho aperto una contestazione con la banca.",
        ),
    },
    "damaged": {
        "en": (
            "The {item} from order {order} arrived damaged, the box was crushed and it's cracked. Photos attached.",
            "My {item} came broken. Half of it is in pieces. What can you do?",
            "Unfortunately the {item} was damaged in shipping - there's a big dent and it doesn't close properly.",
        ),
        "fr": (
            "L'article {item} de la commande {order} est arrivé endommagé, le carton était écrasé et il est fissuré. Photos jointes.",
            "Mon {item} est arrivé cassé, en morceaux. Que pouvez-vous faire ?",
            "Malheureusement le colis a été abîmé pendant le transport : {item} est rayé et bosselé.",
        ),
        "de": (
            "Der Artikel {item} aus Bestellung {order} kam beschädigt an, der Karton war eingedrückt und das Teil hat einen Riss. Fotos anbei.",
            "Mein {item} ist kaputt angekommen, alles in Scherben. Was können Sie tun?",
            "Leider wurde {item} beim Versand beschädigt – eine große Delle, es schließt nicht mehr richtig.",
        ),
        "es": (
            "El artículo {item} del pedido {order} llegó dañado, la caja venía aplastada y está agrietado. Adjunto fotos.",
            "Mi {item} llegó roto, en pedazos. ¿Qué pueden hacer?",
            "Por desgracia el {item} llegó dañado por el transporte, tiene un golpe grande.",
        ),
        "it": (
            "L'articolo {item} dell'ordine {order} è arrivato danneggiato, scatola schiacciata e crepa evidente. Allego foto.",
            "Il mio {item} è arrivato rotto, in pezzi. Cosa potete fare?",
            "Purtroppo {item} si è danneggiato durante la spedizione, ha un'ammaccatura grossa.",
        ),
    },
    "missing_item": {
        "en": (
            "I ordered 2 items in {order} but only one was in the parcel. The {item} is missing.",
            "The box arrived but a part is missing: no screws and no charger for the {item}.",
            "Order {order} was incomplete, the {item} wasn't in the package.",
        ),
        "fr": (
            "J'ai commandé 2 articles ({order}) mais il n'y en avait qu'un dans le colis. Il manque {item}.",
            "Le colis est arrivé mais il manque une pièce : pas de vis ni de chargeur pour {item}.",
            "Commande {order} incomplète, l'article {item} est manquant.",
        ),
        "de": (
            "Ich habe 2 Artikel bestellt ({order}), im Paket war aber nur einer. {item} fehlt.",
            "Das Paket kam an, aber es fehlt ein Teil: keine Schrauben und kein Ladegerät für {item}.",
            "Die Bestellung {order} war unvollständig, der Artikel {item} war nicht im Paket.",
        ),
        "es": (
            "Pedí 2 artículos ({order}) pero en el paquete solo venía uno. Falta el {item}.",
            "Llegó la caja pero falta una pieza: sin tornillos ni cargador para el {item}.",
            "El pedido {order} llegó incompleto, el {item} no venía en el paquete.",
        ),
        "it": (
            "Ho ordinato 2 articoli ({order}) ma nel pacco ce n'era solo uno. Manca {item}.",
            "Il pacco è arrivato ma manca un pezzo: niente viti né caricatore per {item}.",
            "L'ordine {order} era incompleto, l'articolo {item} non era nel pacco.",
        ),
    },
    "not_received": {
        "en": (
            "Where is my order? I ordered the {item} {days} days ago and still haven't received it.",
            "Order {order} was supposed to arrive last week. It never arrived. Can you check with {carrier}?",
            "Tracking says delivered but I have not received anything. Nothing at the door, nothing with the neighbours.",
        ),
        "fr": (
            "Où est ma commande ? J'ai commandé {item} il y a {days} jours et je ne l'ai toujours pas reçu.",
            "La commande {order} devait arriver la semaine dernière. Je n'ai jamais reçu le colis, pouvez-vous voir avec {carrier} ?",
            "Le suivi indique livré mais je n'ai rien reçu. Rien dans la boîte aux lettres ni chez les voisins.",
        ),
        "de": (
            "Wo ist meine Bestellung? Ich habe {item} vor {days} Tagen bestellt und es ist immer noch nicht angekommen.",
            "Die Bestellung {order} sollte letzte Woche kommen. Das Paket ist nie angekommen. Können Sie bei {carrier} nachfragen?",
            "Laut Sendungsverfolgung zugestellt, aber ich habe nichts erhalten. Weder vor der Tür noch bei den Nachbarn.",
        ),
        "es": (
            "¿Dónde está mi pedido? Pedí el {item} hace {days} días y todavía no lo he recibido.",
            "El pedido {order} tenía que llegar la semana pasada y nunca llegó. ¿Pueden consultar con {carrier}?",
            "El seguimiento dice entregado pero no he recibido nada. Ni en la puerta ni con los vecinos.",
        ),
        "it": (
            "Dov'è il mio ordine? Ho ordinato {item} {days} giorni fa e non l'ho ancora ricevuto.",
            "L'ordine {order} doveva arrivare la settimana scorsa. Non è mai arrivato, potete verificare con {carrier}?",
            "Il tracking dice consegnato ma non ho ricevuto niente. Niente alla porta, niente dai vicini.",
        ),
    },
    "wrong_item": {
        "en": (
            "I received the wrong item. I ordered the {item} but got something completely different.",
            "You sent the wrong colour/size for order {order}. I need the one I actually ordered.",
            "Wrong product in the box - this isn't the {item}.",
        ),
        "fr": (
            "J'ai reçu le mauvais article. J'avais commandé {item} et j'ai reçu tout autre chose.",
            "Ce n'est pas le bon article : mauvaise couleur pour la commande {order}.",
            "Erreur de produit dans le colis, ce n'est pas {item}.",
        ),
        "de": (
            "Ich habe den falschen Artikel erhalten. Bestellt war {item}, geliefert wurde etwas ganz anderes.",
            "Sie haben bei {order} die falsche Farbe/Größe geschickt. Ich brauche das, was ich bestellt habe.",
            "Falscher Artikel im Paket – das ist nicht {item}.",
        ),
        "es": (
            "He recibido un artículo equivocado. Pedí el {item} y me llegó otra cosa.",
            "Me enviaron el color/talla incorrecto en el pedido {order}. Necesito el que pedí.",
            "Producto incorrecto en la caja, esto no es el {item}.",
        ),
        "it": (
            "Ho ricevuto l'articolo sbagliato. Avevo ordinato {item} ed è arrivata un'altra cosa.",
            "Avete spedito il colore/la taglia sbagliata per l'ordine {order}.",
            "Prodotto sbagliato nella scatola, questo non è {item}.",
        ),
    },
    "defective": {
        "en": (
            "The {item} stopped working after {days} days. It won't turn on at all.",
            "My {item} is defective - it makes a loud noise and then shuts off.",
            "The {item} doesn't work out of the box. Tried another outlet, same thing. Faulty unit?",
        ),
        "fr": (
            "{item} ne fonctionne plus au bout de {days} jours. Il ne s'allume plus du tout.",
            "Mon {item} est défectueux : il fait un bruit fort puis s'arrête.",
            "{item} ne marche pas dès le déballage. Produit en panne ?",
        ),
        "de": (
            "{item} funktioniert nach {days} Tagen nicht mehr. Lässt sich gar nicht mehr einschalten.",
            "Mein {item} ist defekt – es macht ein lautes Geräusch und schaltet sich dann ab.",
            "{item} funktioniert schon beim Auspacken nicht. Andere Steckdose probiert, gleiches Problem.",
        ),
        "es": (
            "El {item} dejó de funcionar a los {days} días. No enciende.",
            "Mi {item} es defectuoso: hace un ruido fuerte y se apaga.",
            "El {item} no funciona desde que lo saqué de la caja. ¿Viene averiado?",
        ),
        "it": (
            "{item} ha smesso di funzionare dopo {days} giorni. Non si accende più.",
            "Il mio {item} è difettoso: fa un rumore forte e poi si spegne.",
            "{item} non funziona appena tolto dalla scatola. È guasto?",
        ),
    },
    "tracking": {
        "en": (
            "The tracking number {tracking} hasn't updated for {days} days. Is the parcel lost?",
            "Can you send me the tracking for order {order}? The link shows nothing.",
            "{carrier} tracking says 'label created' only. Has it actually shipped?",
        ),
        "fr": (
            "Le numéro de suivi {tracking} n'a pas bougé depuis {days} jours. Le colis est-il perdu ?",
            "Pouvez-vous m'envoyer le suivi de la commande {order} ? Le lien n'affiche rien.",
            "Le suivi {carrier} indique seulement « étiquette créée ». Le colis est-il vraiment parti ?",
        ),
        "de": (
            "Die Sendungsnummer {tracking} hat sich seit {days} Tagen nicht bewegt. Ist das Paket verloren?",
            "Können Sie mir die Sendungsverfolgung für {order} schicken? Der Link zeigt nichts an.",
            "Die {carrier}-Verfolgung zeigt nur 'Label erstellt'. Wurde es wirklich verschickt?",
        ),
        "es": (
            "El número de seguimiento {tracking} no se actualiza desde hace {days} días. ¿Se ha perdido?",
            "¿Me pueden enviar el seguimiento del pedido {order}? El enlace no muestra nada.",
            "El seguimiento de {carrier} solo dice 'etiqueta creada'. ¿Se ha enviado de verdad?",
        ),
        "it": (
            "Il numero di tracking {tracking} non si aggiorna da {days} giorni. Il pacco è perso?",
            "Potete mandarmi il tracciamento dell'ordine {order}? Il link non mostra nulla.",
            "Il tracking {carrier} dice solo 'etichetta creata'. È davvero partito?",
        ),
    },
    "return": {
        "en": (
            "I'd like to return the {item}, it's not what I expected. How do I send it back?",
            "How do I get a return label for order {order}? The {item} is too big.",
            "I want to return this item, still unopened. What's your return policy?",
        ),
        "fr": (
            "Je voudrais retourner {item}, ça ne correspond pas à mes attentes. Comment faire le retour ?",
            "Comment obtenir une étiquette de retour pour la commande {order} ? {item} est trop grand.",
            "Je souhaite renvoyer cet article, jamais ouvert. Quelle est votre politique de retour ?",
        ),
        "de": (
            "Ich möchte {item} zurückgeben, es entspricht nicht meinen Erwartungen. Wie schicke ich es zurück?",
            "Wie bekomme ich ein Rücksendeetikett für {order}? {item} ist zu groß.",
            "Ich möchte den Artikel zurücksenden, noch originalverpackt. Wie läuft die Rücksendung?",
        ),
        "es": (
            "Quiero devolver el {item}, no es lo que esperaba. ¿Cómo lo envío de vuelta?",
            "¿Cómo consigo una etiqueta de devolución para el pedido {order}? El {item} es demasiado grande.",
            "Quiero hacer una devolución, el artículo está sin abrir. ¿Cuál es su política?",
        ),
        "it": (
            "Vorrei restituire {item}, non è come me lo aspettavo. Come faccio il reso?",
            "Come ottengo l'etichetta per il reso dell'ordine {order}? {item} è troppo grande.",
            "Voglio fare il reso, articolo ancora sigillato. Qual è la vostra politica di reso?",
        ),
    },
    "refund": {
        "en": (
            "I returned the {item} {days} days ago and still no refund. When will I get my money back?",
            "Please refund order {order}, you confirmed the return was received.",
            "Where is my refund? The return was delivered to you last week.",
        ),
        "fr": (
            "J'ai renvoyé {item} il y a {days} jours et toujours pas de remboursement. Quand serai-je remboursé ?",
            "Merci de rembourser la commande {order}, vous avez confirmé la réception du retour.",
            "Où en est mon remboursement ? Le retour vous a été livré la semaine dernière.",
        ),
        "de": (
            "Ich habe {item} vor {days} Tagen zurückgeschickt und immer noch keine Erstattung. Wann bekomme ich mein Geld zurück?",
            "Bitte erstatten Sie die Bestellung {order}, Sie haben den Eingang der Rücksendung bestätigt.",
            "Wo bleibt meine Rückerstattung? Die Rücksendung wurde Ihnen letzte Woche zugestellt.",
        ),
        "es": (
            "Devolví el {item} hace {days} días y sigo sin reembolso. ¿Cuándo me devuelven el dinero?",
            "Por favor, reembolsen el pedido {order}, confirmaron que recibieron la devolución.",
            "¿Dónde está mi reembolso? La devolución les llegó la semana pasada.",
        ),
        "it": (
            "Ho restituito {item} {days} giorni fa e ancora nessun rimborso. Quando riavrò i soldi?",
            "Per favore rimborsate l'ordine {order}, avete confermato di aver ricevuto il reso.",
            "Dov'è il mio rimborso? Il reso vi è stato consegnato la settimana scorsa.",
        ),
    },
    "exchange": {
        "en": (
            "Can I exchange the {item} for a different size? The one I got is too small.",
            "I'd like to swap order {order} for the black version instead. Is an exchange possible?",
            "Could you exchange this for a new one? Happy to send it back first.",
        ),
        "fr": (
            "Puis-je échanger {item} contre une autre taille ? Celui reçu est trop petit.",
            "Je voudrais un échange de la commande {order} contre le modèle noir. C'est possible ?",
            "Pourriez-vous faire un échange contre un neuf ? Je peux le renvoyer d'abord.",
        ),
        "de": (
            "Kann ich {item} gegen eine andere Größe umtauschen? Das erhaltene ist zu klein.",
            "Ich würde die Bestellung {order} gern in Schwarz umtauschen. Geht ein Umtausch?",
            "Könnten Sie mir das gegen ein neues tauschen? Ich schicke es gern zuerst zurück.",
        ),
        "es": (
            "¿Puedo cambiar el {item} por otra talla? El que recibí es pequeño.",
            "Quisiera un cambio del pedido {order} por el modelo negro. ¿Es posible?",
            "¿Me lo pueden cambiar por uno nuevo? Lo envío primero si hace falta.",
        ),
        "it": (
            "Posso cambiare {item} con un'altra taglia? Quello ricevuto è piccolo.",
            "Vorrei fare un cambio dell'ordine {order} con il modello nero. È possibile?",
            "Potete sostituirlo con uno nuovo? Posso rispedirlo prima.",
        ),
    },
    "cancellation": {
        "en": (
            "Please cancel my order {order}, I ordered the wrong one by mistake.",
            "I need to cancel the {item} before it ships. Found it cheaper locally, sorry.",
            "Can you cancel order {order}? It hasn't shipped yet.",
        ),
        "fr": (
            "Merci d'annuler ma commande {order}, je me suis trompé de modèle.",
            "Je dois annuler {item} avant l'expédition, désolé.",
            "Pouvez-vous annuler la commande {order} ? Elle n'est pas encore partie.",
        ),
        "de": (
            "Bitte stornieren Sie meine Bestellung {order}, ich habe aus Versehen das falsche Modell bestellt.",
            "Ich muss {item} stornieren, bevor es verschickt wird. Tut mir leid.",
            "Können Sie die Bestellung {order} stornieren? Sie ist noch nicht versendet.",
        ),
        "es": (
            "Por favor cancelen mi pedido {order}, me equivoqué de modelo.",
            "Necesito cancelar el {item} antes de que se envíe, lo siento.",
            "¿Pueden cancelar el pedido {order}? Todavía no ha salido.",
        ),
        "it": (
            "Per favore annullate il mio ordine {order}, ho sbagliato modello.",
            "Devo annullare {item} prima della spedizione, mi dispiace.",
            "Potete annullare l'ordine {order}? Non è ancora partito.",
        ),
    },
    "invoice": {
        "en": (
            "Could you send me a VAT invoice for order {order}? I need it for my company.",
            "I need an invoice with my business name for the {item}.",
            "Please email the invoice for {order}, I can't find it in my account.",
        ),
        "fr": (
            "Pourriez-vous m'envoyer une facture avec TVA pour la commande {order} ? C'est pour ma société.",
            "J'ai besoin d'une facture au nom de mon entreprise pour {item}.",
            "Merci de m'envoyer la facture de {order}, je ne la trouve pas dans mon compte.",
        ),
        "de": (
            "Könnten Sie mir eine Rechnung mit ausgewiesener MwSt. für {order} schicken? Ich brauche sie für meine Firma.",
            "Ich benötige eine Rechnung auf meinen Firmennamen für {item}.",
            "Bitte senden Sie mir die Rechnung zu {order}, ich finde sie nicht im Konto.",
        ),
        "es": (
            "¿Me pueden enviar una factura con IVA del pedido {order}? La necesito para mi empresa.",
            "Necesito una factura a nombre de mi empresa por el {item}.",
            "Por favor envíenme la factura de {order}, no la encuentro en mi cuenta.",
        ),
        "it": (
            "Potete inviarmi la fattura con IVA per l'ordine {order}? Mi serve per l'azienda.",
            "Mi serve una fattura intestata alla mia ditta per {item}.",
            "Per favore mandatemi la fattura di {order}, non la trovo nel mio account.",
        ),
    },
    "product_question": {
        "en": (
            "Is the {item} compatible with the older model? I can't find it in the description.",
            "What are the exact dimensions of the {item}? Will it fit a 40 cm shelf?",
            "Is the {item} dishwasher safe? And is it BPA free?",
        ),
        "fr": (
            "{item} est-il compatible avec l'ancien modèle ? Je ne trouve pas l'info.",
            "Quelles sont les dimensions exactes de {item} ? Ça rentre sur une étagère de 40 cm ?",
            "{item} passe-t-il au lave-vaisselle ? Est-il sans BPA ?",
        ),
        "de": (
            "Ist {item} mit dem älteren Modell kompatibel? Ich finde das nicht in der Beschreibung.",
            "Welche Maße hat {item} genau? Passt es in ein 40-cm-Regal?",
            "Ist {item} spülmaschinenfest? Und BPA-frei?",
        ),
        "es": (
            "¿El {item} es compatible con el modelo anterior? No lo encuentro en la descripción.",
            "¿Cuáles son las medidas exactas del {item}? ¿Cabe en una estantería de 40 cm?",
            "¿El {item} se puede meter en el lavavajillas? ¿Es libre de BPA?",
        ),
        "it": (
            "{item} è compatibile con il modello precedente? Non lo trovo nella descrizione.",
            "Quali sono le dimensioni esatte di {item}? Entra in uno scaffale da 40 cm?",
            "{item} si può lavare in lavastoviglie? È senza BPA?",
        ),
    },
    "feedback": {
        "en": (
            "I left 1 star because of the delay, but you've been helpful. Can I update my feedback?",
            "Just to let you know the {item} is great, very happy with it.",
            "I'm not happy with how order {order} was handled and will say so in my review.",
        ),
        "fr": (
            "J'ai mis 1 étoile à cause du retard, mais vous avez été réactifs. Puis-je modifier mon avis ?",
            "Juste pour vous dire que {item} est super, très satisfait.",
            "Je ne suis pas satisfait de la gestion de la commande {order} et je le dirai dans mon avis.",
        ),
        "de": (
            "Ich habe wegen der Verspätung 1 Stern gegeben, aber Sie waren hilfsbereit. Kann ich meine Bewertung ändern?",
            "Nur zur Info: {item} ist super, bin sehr zufrieden.",
            "Mit der Abwicklung von {order} bin ich nicht zufrieden und schreibe das in meine Bewertung.",
        ),
        "es": (
            "Puse 1 estrella por el retraso, pero me han ayudado. ¿Puedo cambiar mi valoración?",
            "Solo quería decirles que el {item} es genial, muy contento.",
            "No estoy contento con cómo gestionaron el pedido {order} y lo diré en mi opinión.",
        ),
        "it": (
            "Ho lasciato 1 stella per il ritardo, ma siete stati gentili. Posso modificare il feedback?",
            "Volevo solo dirvi che {item} è ottimo, molto soddisfatto.",
            "Non sono contento di come è stato gestito l'ordine {order} e lo scriverò nella recensione.",
        ),
    },
    "general": {
        "en": (
            "Do you ship to Canada? I'd like to order two more.",
            "Can I change the delivery address on {order}? I'm away next week.",
            "Do you have the {item} in stock again soon?",
        ),
        "fr": (
            "Livrez-vous en Belgique ? J'aimerais en commander deux autres.",
            "Puis-je changer l'adresse de livraison de {order} ? Je serai absent la semaine prochaine.",
            "{item} sera-t-il bientôt de nouveau en stock ?",
        ),
        "de": (
            "Liefern Sie auch nach Österreich? Ich würde gern zwei weitere bestellen.",
            "Kann ich die Lieferadresse für {order} ändern? Ich bin nächste Woche verreist.",
            "Haben Sie {item} bald wieder auf Lager?",
        ),
        "es": (
            "¿Envían a Portugal? Me gustaría pedir dos más.",
            "¿Puedo cambiar la dirección de entrega del pedido {order}? La semana que viene no estoy.",
            "¿Tendrán el {item} de nuevo en stock pronto?",
        ),
        "it": (
            "Spedite anche in Svizzera? Vorrei ordinarne altri due.",
            "Posso cambiare l'indirizzo di consegna per {order}? La prossima settimana sono via.",
            "{item} tornerà presto disponibile?",
        ),
    },
}

# Marketplace notices: English, whatever the marketplace, as Amazon writes to the seller in the
# seller's language. (subject templates, body templates, sender)
NOTICES = {
    "atoz_notice": (
        ("Your Amazon A-to-z Guarantee Claim for Order {order}", "Action required: Claim received on order {order}"),
        (
            "The buyer has filed an A-to-z Guarantee claim for order {order}. Reason: item not received. "
            "Please respond within 48 hours with tracking information or a refund; claims without a response may be granted against you.",
            "We received an A-to-z Guarantee claim on order {order} ({item}). Reason given by the buyer: item damaged or defective. "
            "Action required: provide your response in Seller Central within 48 hours.",
            "An A-to-z claim has been opened for order {order}. The buyer states the item is materially different from the description. "
            "Respond to this claim to avoid a decision without your input.",
        ),
        "atoz-guarantee-no-reply@amazon.com",
    ),
    "chargeback_notice": (
        ("Action required: Chargeback claim for order {order}", "Chargeback notification - Order {order}"),
        (
            "The buyer's card issuer has initiated a chargeback for order {order} ({item}). "
            "Please provide proof of delivery and order details within 7 days to dispute the chargeback.",
            "A chargeback was filed for order {order}. Reason code: merchandise not received. "
            "Submit your evidence (tracking, invoice) so the dispute can be represented to the bank.",
        ),
        "cb-seller-notification@amazon.com",
    ),
}

# Subjects on channels where the buyer writes one (scenario -> language -> templates).
SUBJECTS = {
    "chargeback": {"en": ("Charge on my card for {order}",), "fr": ("Prélèvement {order}",), "de": ("Abbuchung {order}",), "es": ("Cargo en mi tarjeta {order}",), "it": ("Addebito {order}",)},
    "damaged": {"en": ("Damaged item", "Order {order} arrived broken"), "fr": ("Article endommagé", "Commande {order} arrivée cassée"), "de": ("Artikel beschädigt", "Bestellung {order} kaputt angekommen"), "es": ("Artículo dañado", "Pedido {order} llegó roto"), "it": ("Articolo danneggiato", "Ordine {order} arrivato rotto")},
    "missing_item": {"en": ("Missing item in {order}", "Incomplete order"), "fr": ("Article manquant {order}", "Commande incomplète"), "de": ("Fehlender Artikel {order}", "Bestellung unvollständig"), "es": ("Falta un artículo {order}", "Pedido incompleto"), "it": ("Articolo mancante {order}", "Ordine incompleto")},
    "not_received": {"en": ("Where is my order?", "Order {order} not received"), "fr": ("Où est ma commande ?", "Commande {order} non reçue"), "de": ("Wo ist meine Bestellung?", "Bestellung {order} nicht erhalten"), "es": ("¿Dónde está mi pedido?", "Pedido {order} no recibido"), "it": ("Dov'è il mio ordine?", "Ordine {order} non ricevuto")},
    "wrong_item": {"en": ("Wrong item received",), "fr": ("Mauvais article reçu",), "de": ("Falscher Artikel erhalten",), "es": ("Artículo equivocado",), "it": ("Articolo sbagliato",)},
    "defective": {"en": ("Item not working", "Defective {item}"), "fr": ("Produit défectueux",), "de": ("Artikel defekt",), "es": ("Producto defectuoso",), "it": ("Prodotto difettoso",)},
    "tracking": {"en": ("Tracking for {order}", "Tracking not updating"), "fr": ("Suivi de commande {order}",), "de": ("Sendungsverfolgung {order}",), "es": ("Seguimiento del pedido {order}",), "it": ("Tracking ordine {order}",)},
    "return": {"en": ("Return request", "Return label for {order}"), "fr": ("Demande de retour",), "de": ("Rücksendung {order}",), "es": ("Solicitud de devolución",), "it": ("Richiesta di reso",)},
    "refund": {"en": ("Refund for {order}", "Still waiting for my refund"), "fr": ("Remboursement {order}",), "de": ("Erstattung {order}",), "es": ("Reembolso {order}",), "it": ("Rimborso {order}",)},
    "exchange": {"en": ("Exchange request",), "fr": ("Demande d'échange",), "de": ("Umtausch",), "es": ("Cambio de talla",), "it": ("Richiesta di cambio",)},
    "cancellation": {"en": ("Cancel order {order}",), "fr": ("Annulation commande {order}",), "de": ("Stornierung {order}",), "es": ("Cancelar pedido {order}",), "it": ("Annullare ordine {order}",)},
    "invoice": {"en": ("Invoice request",), "fr": ("Demande de facture",), "de": ("Rechnung {order}",), "es": ("Solicitud de factura",), "it": ("Richiesta fattura",)},
    "product_question": {"en": ("Question about {item}",), "fr": ("Question sur {item}",), "de": ("Frage zu {item}",), "es": ("Pregunta sobre {item}",), "it": ("Domanda su {item}",)},
    "feedback": {"en": ("About my review",), "fr": ("À propos de mon avis",), "de": ("Zu meiner Bewertung",), "es": ("Sobre mi valoración",), "it": ("Riguardo la mia recensione",)},
    "general": {"en": ("Quick question", "Question"), "fr": ("Petite question",), "de": ("Kurze Frage",), "es": ("Una pregunta",), "it": ("Una domanda",)},
}
SUBJECTS["atoz_threat"] = SUBJECTS["not_received"]
# How each marketplace frames a buyer's subject; Instagram DMs have none, so the body's start is used.
SUBJECT_FRAMES = {
    "shopify": "{subject}",
    "ebay": "{user} sent you a message about order {order}: {subject}",
    "walmart": "Customer inquiry - PO {order}: {subject}",
    "tiktok": "TikTok Shop buyer message: {subject}",
}

FOLLOW_UPS = {
    "en": ("Any update on this? It's been {hours} hours.", "Hello? Still waiting for an answer about {order}.",
           "I need an answer today please.", "Sorry to chase, but I really need this sorted."),
    "fr": ("Des nouvelles ? Cela fait {hours} heures.", "Bonjour ? J'attends toujours une réponse pour {order}.",
           "J'ai besoin d'une réponse aujourd'hui svp.", "Désolé d'insister, mais c'est urgent pour moi."),
    "de": ("Gibt es etwas Neues? Es sind jetzt {hours} Stunden.", "Hallo? Ich warte immer noch auf eine Antwort zu {order}.",
           "Ich brauche heute bitte eine Antwort.", "Entschuldigung, dass ich nachhake, aber das ist dringend."),
    "es": ("¿Alguna novedad? Ya son {hours} horas.", "¿Hola? Sigo esperando respuesta sobre {order}.",
           "Necesito una respuesta hoy por favor.", "Perdón por insistir, pero es urgente."),
    "it": ("Novità? Sono passate {hours} ore.", "Salve? Aspetto ancora una risposta per {order}.",
           "Mi serve una risposta oggi per favore.", "Scusate se insisto, ma è urgente."),
}
THANKS = {
    "en": ("Thanks, that works for me.", "Great, thank you for the quick help!"),
    "fr": ("Merci, ça me convient.", "Parfait, merci pour votre aide rapide !"),
    "de": ("Danke, passt so.", "Super, danke für die schnelle Hilfe!"),
    "es": ("Gracias, me parece bien.", "Perfecto, gracias por la ayuda."),
    "it": ("Grazie, va bene così.", "Perfetto, grazie per l'aiuto!"),
}
AUTO_ACKS = {
    "en": ("Thank you for your message. We have received it and will get back to you shortly.",
           "Thanks for contacting us! Our team answers every message as quickly as possible."),
    "fr": ("Merci pour votre message. Nous l'avons bien reçu et vous répondrons rapidement.",
           "Merci de nous avoir contactés ! Notre équipe vous répond dans les meilleurs délais."),
    "de": ("Vielen Dank für Ihre Nachricht. Wir haben sie erhalten und melden uns in Kürze.",
           "Danke für Ihre Anfrage! Unser Team antwortet so schnell wie möglich."),
    "es": ("Gracias por su mensaje. Lo hemos recibido y le responderemos en breve.",
           "¡Gracias por contactarnos! Nuestro equipo responde lo antes posible."),
    "it": ("Grazie per il messaggio. L'abbiamo ricevuto e vi risponderemo a breve.",
           "Grazie per averci contattato! Il nostro team risponde il prima possibile."),
}
# Agent replies, by the kind of answer a scenario needs.
REPLY_KIND = {
    "atoz_threat": "claim", "atoz_notice": "claim", "chargeback": "claim", "chargeback_notice": "claim",
    "damaged": "defect", "missing_item": "defect", "wrong_item": "defect", "defective": "defect",
    "not_received": "delivery", "tracking": "delivery",
    "return": "returns", "refund": "returns", "exchange": "returns", "cancellation": "returns",
    "product_question": "product", "invoice": "invoice",
}
REPLIES = {
    "claim": {
        "en": ("I'm sorry for the trouble with order {order}. I have issued a full refund today; you will see it within 3-5 business days.",
               "Apologies for the delay. {carrier} confirms the parcel is delayed; I have sent a replacement by express and refunded the shipping."),
        "fr": ("Toutes nos excuses pour la commande {order}. Je viens d'effectuer un remboursement complet, visible sous 3 à 5 jours ouvrés.",
               "Désolé pour ce retard. {carrier} confirme le retard du colis ; je vous envoie un remplacement en express."),
        "de": ("Es tut mir leid wegen der Bestellung {order}. Ich habe heute die volle Erstattung veranlasst; sie ist in 3-5 Werktagen sichtbar.",
               "Entschuldigen Sie die Verzögerung. {carrier} bestätigt die Verspätung; ich habe Ihnen per Express Ersatz geschickt."),
        "es": ("Sentimos mucho lo ocurrido con el pedido {order}. Hemos emitido hoy el reembolso completo, lo verá en 3-5 días hábiles.",
               "Disculpe el retraso. {carrier} confirma la demora; le hemos enviado un repuesto urgente."),
        "it": ("Ci scusiamo per l'ordine {order}. Ho emesso oggi il rimborso completo, lo vedrà entro 3-5 giorni lavorativi.",
               "Ci scusiamo per il ritardo. {carrier} conferma il ritardo; le abbiamo spedito una sostituzione express."),
    },
    "defect": {
        "en": ("So sorry about the {item}. Could you send a photo of the item and the box? We'll ship a replacement right away.",
               "Thank you for letting us know. A replacement {item} is on its way; no need to send the old one back."),
        "fr": ("Désolé pour {item}. Pourriez-vous envoyer une photo de l'article et du carton ? Nous expédions un remplacement aussitôt.",
               "Merci de nous avoir prévenus. Un nouvel article {item} est en route, inutile de renvoyer l'ancien."),
        "de": ("Das tut uns leid mit {item}. Können Sie ein Foto vom Artikel und Karton schicken? Wir senden sofort Ersatz.",
               "Danke für den Hinweis. Ein neuer Artikel {item} ist unterwegs; das alte müssen Sie nicht zurückschicken."),
        "es": ("Lamentamos lo del {item}. ¿Puede enviar una foto del artículo y de la caja? Enviaremos un repuesto enseguida.",
               "Gracias por avisarnos. Un {item} nuevo ya está en camino; no hace falta devolver el anterior."),
        "it": ("Ci dispiace per {item}. Può inviare una foto dell'articolo e della scatola? Spediremo subito una sostituzione.",
               "Grazie per la segnalazione. Un nuovo {item} è in arrivo, non serve restituire il vecchio."),
    },
    "delivery": {
        "en": ("Your parcel is with {carrier}, tracking {tracking}. I've opened an investigation with them and will update you within 24 hours.",
               "I checked with {carrier}: the parcel is at the local depot and should be delivered tomorrow."),
        "fr": ("Votre colis est chez {carrier}, suivi {tracking}. J'ai ouvert une enquête et reviens vers vous sous 24 heures.",
               "J'ai vérifié auprès de {carrier} : le colis est au dépôt local et sera livré demain."),
        "de": ("Ihr Paket ist bei {carrier}, Sendungsnummer {tracking}. Ich habe einen Nachforschungsauftrag gestellt und melde mich binnen 24 Stunden.",
               "Ich habe bei {carrier} nachgefragt: Das Paket liegt im Zustelldepot und kommt morgen."),
        "es": ("Su paquete está con {carrier}, seguimiento {tracking}. He abierto una investigación y le informo en 24 horas.",
               "He consultado con {carrier}: el paquete está en la oficina local y se entregará mañana."),
        "it": ("Il pacco è con {carrier}, tracking {tracking}. Ho aperto una verifica e la aggiorno entro 24 ore.",
               "Ho verificato con {carrier}: il pacco è al deposito locale e sarà consegnato domani."),
    },
    "returns": {
        "en": ("No problem. I've sent you a prepaid return label; the refund goes out as soon as the parcel is scanned.",
               "Done: order {order} is updated and the refund has been issued to your original payment method."),
        "fr": ("Aucun problème. Je vous ai envoyé une étiquette de retour prépayée ; le remboursement part dès le premier scan.",
               "C'est fait : la commande {order} est mise à jour et le remboursement est émis sur votre moyen de paiement."),
        "de": ("Kein Problem. Ich habe Ihnen ein vorfrankiertes Rücksendeetikett geschickt; die Erstattung erfolgt beim ersten Scan.",
               "Erledigt: Die Bestellung {order} ist angepasst und die Erstattung auf Ihr Zahlungsmittel veranlasst."),
        "es": ("Sin problema. Le he enviado una etiqueta de devolución prepagada; el reembolso sale en cuanto se escanee.",
               "Hecho: el pedido {order} está actualizado y el reembolso emitido a su método de pago."),
        "it": ("Nessun problema. Le ho inviato un'etichetta di reso prepagata; il rimborso parte alla prima scansione.",
               "Fatto: l'ordine {order} è aggiornato e il rimborso è stato emesso sul metodo di pagamento."),
    },
    "product": {
        "en": ("Thanks for your question. Yes, the {item} is compatible, and the full specifications are in the product description.",
               "Good question: the {item} is dishwasher safe and BPA free; the exact dimensions are in the product description."),
        "fr": ("Merci pour votre question. Oui, {item} est compatible ; toutes les caractéristiques sont dans la fiche produit.",
               "Bonne question : {item} passe au lave-vaisselle et est sans BPA ; les dimensions exactes sont dans la fiche produit."),
        "de": ("Danke für Ihre Frage. Ja, {item} ist kompatibel; alle technischen Daten stehen in der Produktbeschreibung.",
               "Gute Frage: {item} ist spülmaschinenfest und BPA-frei; die genauen Maße stehen in der Produktbeschreibung."),
        "es": ("Gracias por su pregunta. Sí, el {item} es compatible; todas las especificaciones están en la ficha del producto.",
               "Buena pregunta: el {item} se puede lavar en lavavajillas y no tiene BPA; las medidas están en la ficha."),
        "it": ("Grazie per la domanda. Sì, {item} è compatibile; tutte le specifiche sono nella scheda prodotto.",
               "Bella domanda: {item} va in lavastoviglie ed è senza BPA; le misure esatte sono nella scheda prodotto."),
    },
    "invoice": {
        "en": ("Thank you for reaching out. I have attached the invoice for {order}, with VAT shown.",),
        "fr": ("Merci pour votre message. Vous trouverez en pièce jointe la facture de {order}, TVA incluse.",),
        "de": ("Danke für Ihre Nachricht. Die Rechnung zu {order} mit ausgewiesener MwSt. finden Sie im Anhang.",),
        "es": ("Gracias por escribirnos. Adjunto la factura de {order} con el IVA desglosado.",),
        "it": ("Grazie per averci scritto. In allegato la fattura di {order} con IVA esposta.",),
    },
    "info": {
        "en": ("Thanks for getting in touch. I've checked this for you and noted your request; we'll let you know as soon as it's done.",
               "Thank you for your message. Yes, that's possible, and I've updated everything on our side."),
        "fr": ("Merci de nous avoir contactés. J'ai vérifié et noté votre demande ; nous vous prévenons dès que c'est fait.",
               "Merci pour votre message. Oui, c'est possible, et j'ai tout mis à jour de notre côté."),
        "de": ("Danke für Ihre Nachricht. Ich habe das geprüft und Ihren Wunsch notiert; wir melden uns, sobald es erledigt ist.",
               "Danke für Ihre Nachricht. Ja, das ist möglich, und ich habe bei uns alles angepasst."),
        "es": ("Gracias por contactarnos. Lo he comprobado y he anotado su petición; le avisaremos en cuanto esté listo.",
               "Gracias por su mensaje. Sí, es posible, y lo he actualizado todo por nuestra parte."),
        "it": ("Grazie per averci contattato. Ho verificato e annotato la sua richiesta; la avviseremo appena fatto.",
               "Grazie per il messaggio. Sì, è possibile, e ho aggiornato tutto da parte nostra."),
    },
}
NOTES = (
    "Checked with the warehouse: the {item} left on time, carrier scan missing at the hub.",
    "Photos received, the damage is clearly transport-related. Replacement approved.",
    "Buyer mentions A-to-z. Escalating so it is answered within the hour.",
    "Opened a trace with {carrier} ({tracking}).",
    "Second complaint about this product this week; flagged to purchasing.",
    "Refund approved by lead, no return needed under 30.",
    "Waiting for the warehouse to confirm stock before promising an exchange.",
    "Customer is a repeat buyer (several orders): handle with care.",
)
FEEDBACK_TEXT = {
    5: ("Great product, fast delivery.", "Exactly as described, would buy again.", "Excellent seller, very quick."),
    4: ("Good product, delivery a bit slow.", "Fine, packaging could be better."),
    3: ("OK but took a long time to arrive.",),
    2: ("Arrived damaged, slow response from seller.", "Late delivery and no answer to my messages."),
    1: ("Never received the item. Terrible.", "Broken on arrival, seller ignored me.", "Wrong item and no refund yet."),
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
    ("", None),  # the ~200 KB body, built by _huge_body()
)
HUGE_BODY_CHARS = 200_000

# ---------------------------------------------------------------------------------------------
# The public API
# ---------------------------------------------------------------------------------------------


class DemoExists(Exception):
    """The target file already exists and ``force`` was not given: the caller asks the user."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path}: already exists; use --force to replace it with demo data")


@dataclass
class DemoSummary:
    path: Path
    seed: int
    tickets: int
    open_tickets: int
    messages: int
    orders: int
    customers: int
    by_state: dict[str, int]  # sla.SlaState key -> open tickets in that state at `now`
    by_tier: dict[str, int]  # tier -> open tickets
    by_channel: dict[str, int]  # channel -> all tickets
    seconds: float

    def lines(self) -> list[str]:
        states = [f"{state.glyph} {state.label} {self.by_state[state.key]:,}" for state in sla.SlaState if self.by_state.get(state.key)]
        return [
            f"Demo data in {self.path} (seed {self.seed}), built in {self.seconds:.1f} s:",
            f"  {self.tickets:,} tickets ({self.open_tickets:,} open), {self.messages:,} messages, "
            f"{self.orders:,} orders, {self.customers:,} customers",
            "  channels: " + ", ".join(f"{name} {count:,}" for name, count in self.by_channel.items()),
            "  open by tier: " + ", ".join(f"{name} {count:,}" for name, count in self.by_tier.items()),
            "  open by SLA state: " + ", ".join(states),
        ]


# The alert rules a demo runs with when the user's config file has none (the examples of
# docs/health.md), so the demo's board and inbox show alerts firing, as a lead's would.
DEMO_ALERTS = """
[[alerts]]
name = "FRT above 8 h"
metric = "frt_hours"
op = ">"
threshold = 8
window = "24h"

[[alerts]]
name = "A critical ticket with under 15 min left"
metric = "critical_minutes_left"
op = "<"
threshold = 15

[[alerts]]
name = "Amazon category spike"
metric = "spike"
op = ">="
threshold = 15
channel = "amazon"

[[alerts]]
name = "High tier under 90 % this week"
metric = "sla_attainment_pct"
op = "<"
threshold = 90
window = "7d"
tier = "high"
"""


def demo_alert_rules(policy: Policy) -> list:
    import tomllib

    from deskui.analytics.alerts import parse_alert_rules

    return parse_alert_rules(tomllib.loads(DEMO_ALERTS), "deskui demo", tiers=[tier.name for tier in policy.tiers])


def generate(
    path: Path,
    *,
    seed: int = 7,
    tickets: int = 2000,
    now: datetime,
    policy: Policy | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Build a demo database of ``tickets`` tickets at ``path`` as seen at ``now``.

    ``progress(done, total)`` is called now and then; ``total`` is ``2 * tickets`` (generating
    the rows, then triaging them). Raises DemoExists if ``path`` exists and ``force`` is false;
    with ``force`` the old file is replaced only once the new one is complete.
    """
    if tickets < 1:
        raise ValueError("tickets must be at least 1")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    path = Path(path)
    if path.exists() and not force:
        raise DemoExists(path)
    policy = policy or default_policy()
    started = time.perf_counter()
    report = progress or (lambda done, total: None)
    building = path.with_name(path.name + ".building")
    _remove_database(building)
    try:
        conn = connect(building, create=True)
        try:
            _build(conn, random.Random(seed), tickets, now, policy, report)
            _write_meta(conn, seed, tickets, now)
            summary = _summarise(conn, path, seed, now, policy)
            conn.execute("PRAGMA journal_mode = WAL")
        finally:
            conn.close()
        _remove_database(path)
        os.replace(building, path)
    except BaseException:
        _remove_database(building)
        raise
    summary.seconds = time.perf_counter() - started
    return summary


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------------

CHUNK = 2000  # tickets per transaction: large enough to be fast, small enough to keep memory flat
HOUR = 3600
DAY = 86400

INSERTS = {
    "customers": "INSERT INTO customers (id, channel, external_id, name, email, country, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    "orders": (
        "INSERT INTO orders (id, channel, order_number, marketplace, customer_id, purchased_at, status, fulfillment, "
        "ship_by, deliver_by, shipped_at, delivered_at, carrier, tracking_number, currency, total, refunded_amount, "
        "return_status, feedback_rating, feedback_text, claim_status, chargeback, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ),
    "order_items": "INSERT INTO order_items (order_id, sku, asin, title, quantity, price) VALUES (?, ?, ?, ?, ?, ?)",
    "tracking_events": "INSERT INTO tracking_events (order_id, at, status, location, description) VALUES (?, ?, ?, ?, ?)",
    "tickets": (
        "INSERT INTO tickets (id, channel, marketplace, external_id, customer_id, order_number, subject, status, "
        "assignee, created_at, paused_at, snoozed_until, solved_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ),
    "messages": "INSERT INTO messages (id, ticket_id, direction, author, body, sent_at, auto_ack) VALUES (?, ?, ?, ?, ?, ?, ?)",
    "events": "INSERT INTO events (ticket_id, kind, agent, at, detail) VALUES (?, ?, ?, ?, ?)",
    "tags": "INSERT INTO tags (ticket_id, tag) VALUES (?, ?)",
}


class _Weighted:
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


_CHANNEL_PICK = _Weighted(CHANNELS)
_MARKETPLACE_PICK = {channel: _Weighted(rows) for channel, rows in MARKETPLACES.items()}
_SCENARIO_PICK = {family: _Weighted(rows) for family, rows in SCENARIO_WEIGHTS.items()}
_OPEN_PLAN_PICK = _Weighted(OPEN_PLANS)
_AIM_PICK = _Weighted([((state, low, high), weight) for state, weight, low, high in CLOCK_AIMS])
_CARRIER_PICK = {country: _Weighted(rows) for country, rows in CARRIERS.items()}
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_UPPER36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@functools.cache
def _multiplier(modulus: int, base: int) -> int:
    """About 0.618 of the modulus and coprime to it: consecutive counters land far apart."""
    multiplier = int(modulus * 0.6180339887498949)
    while math.gcd(multiplier, base) != 1:
        multiplier += 1
    return multiplier


def _scramble(number: int, digits: int) -> int:
    """A bijection on [0, 10**digits): distinct counters give distinct, random-looking ids, so a
    generated order number never collides with another (the UNIQUE constraints hold by design)."""
    modulus = 10**digits
    return (number * _multiplier(modulus, 10) + modulus // 7) % modulus


def _token(number: int, width: int, alphabet: str = _BASE36) -> str:
    """``width`` characters, distinct for distinct ``number`` < len(alphabet)**width."""
    base = len(alphabet)
    modulus = base**width
    value = (number * _multiplier(modulus, base)) % modulus
    chars = []
    for _ in range(width):
        value, digit = divmod(value, base)
        chars.append(alphabet[digit])
    return "".join(chars)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "").replace("'", "")


class _Stamp:
    """Epoch seconds -> stored time text (what ``to_db`` writes). ``to_db`` goes through
    strftime at ~2 us a call; with three million timestamps that was a tenth of the build, so
    each day and each second of a day is formatted once and the two are joined."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}
        self._seconds = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in range(DAY)]

    def __call__(self, ts: int | None) -> str | None:
        if ts is None:
            return None
        day, seconds = divmod(int(ts), DAY)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * DAY))
        return prefix + self._seconds[seconds]


# --- tracking numbers: plausible formats, with check digits where carriers define one ---

def _ups(rng: random.Random) -> str:
    body = _token(rng.randrange(36**6), 6, _UPPER36) + rng.choice(("01", "02", "03", "12")) + _digits(rng, 7)
    total = 0
    for index, char in enumerate(body):
        value = int(char) if char.isdigit() else (ord(char) - 63) % 10
        total += value * (2 if index % 2 else 1)
    return f"1Z{body}{(10 - total % 10) % 10}"


def _mod10(digits: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return digits + str((10 - total % 10) % 10)


def _s10(rng: random.Random, prefix: str, country: str) -> str:
    """UPU S10: two letters, eight digits, a mod-11 check digit, the country code."""
    digits = [int(d) for d in _digits(rng, 8)]
    check = 11 - sum(d * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7))) % 11
    check = 0 if check == 10 else 5 if check == 11 else check
    return f"{prefix}{''.join(map(str, digits))}{check}{country}"


def _digits(rng: random.Random, count: int) -> str:
    return f"{rng.randrange(10**count):0{count}d}"


def _tracking_number(rng: random.Random, carrier: str) -> str:
    if carrier == "UPS":
        return _ups(rng)
    if carrier == "USPS":
        return _mod10("9400" + _digits(rng, 17))
    if carrier == "FedEx":
        return _digits(rng, 12)
    if carrier == "DHL":
        number = _digits(rng, 9)
        return number + str(int(number) % 7)
    if carrier == "Royal Mail":
        return _s10(rng, rng.choice(("TT", "AB", "RB")), "GB")
    if carrier == "Colissimo":
        return "6A" + _digits(rng, 11)
    if carrier == "Poste Italiane":
        return _s10(rng, rng.choice(("RR", "CP")), "IT")
    if carrier == "Correos":
        return "PQ" + _token(rng.randrange(36**4), 4, _UPPER36) + _digits(rng, 14) + rng.choice("ABCDEFGHJKLMNPRSTVWXZ")
    if carrier == "DPD":
        return _digits(rng, 14)
    if carrier == "GLS":
        return _digits(rng, 11)
    return "TBA" + _digits(rng, 12)  # Amazon Logistics


@dataclass(frozen=True)
class _Product:
    sku: str
    asin: str
    title: str
    usd: float
    fragile: bool


def _catalogue() -> list[_Product]:
    """The same products whatever the seed: a catalogue does not change between demos."""
    rng = random.Random(60)
    products = []
    for index, (title, usd, fragile) in enumerate(CATALOGUE):
        words = [word for word in title.replace(",", "").split() if word[0].isalpha()]
        sku = "-".join(word[:3].upper() for word in words[:3]) + f"-{100 + index}"
        asin = "B0" + "".join(rng.choice(_UPPER36) for _ in range(8))
        products.append(_Product(sku, asin, title, usd, fragile))
    return products


PRODUCTS = _catalogue()


@dataclass(slots=True)
class _Plan:
    """One ticket decided before any row is written, so creation times can be spread evenly."""

    channel: str
    marketplace: str
    country: str
    scenario: str
    tier: Tier  # the tier the words should triage to
    escalated: bool
    kind: str = "solved"  # solved, first, next, met, snoozed
    created: int = 0
    awaiting: int | None = None  # open tickets: the unanswered buyer message
    paused: int | None = None  # snoozed tickets: when the agent parked it
    spike: bool = False
    hostile: int | None = None


@dataclass(slots=True)
class _Customer:
    id: int
    channel: str
    country: str
    first: str
    name: str
    email: str | None
    author: str
    history: int = 0  # earlier orders


@dataclass
class _Counts:
    tickets: int = 0
    messages: int = 0
    orders: int = 0
    customers: int = 0
    clocks: list = field(default_factory=list)  # (ticket_id, kind, started, stopped, agent, channel, pauses)


def _intended_tier(policy: Policy, channel: str, scenario: str, escalated: bool) -> Tier:
    category = SCENARIOS[scenario][0]
    tier, _ = policy.pick(channel, frozenset([category] if category else []), frozenset(["escalated"] if escalated else []))
    return tier


def _plan(rng: random.Random, count: int, now: int, policy: Policy) -> list[_Plan]:
    """Decide every ticket's channel, scenario and timeline; aim open tickets' clocks."""
    spike_count = round(count * 0.008)
    plans: list[_Plan] = []
    for _ in range(count - spike_count):
        channel = _CHANNEL_PICK.pick(rng)
        marketplace, country = _MARKETPLACE_PICK[channel].pick(rng)
        family = channel if channel in ("amazon", "shopify") else "other"
        scenario = _SCENARIO_PICK[family].pick(rng)
        escalated = SCENARIOS[scenario][0] in ("atoz_claim", "chargeback") and rng.random() < 0.35
        plan = _Plan(channel, marketplace, country, scenario, _intended_tier(policy, channel, scenario, escalated), escalated)
        if rng.random() >= SOLVED_SHARE:
            _aim_open(rng, plan, _OPEN_PLAN_PICK.pick(rng), now)
        plans.append(plan)
    _spread_solved(rng, plans, now)
    for _ in range(spike_count):
        plans.append(_spike_plan(rng, now, policy))
    plans.sort(key=lambda plan: plan.created)
    _place_hostile(plans)
    return plans


def _clock_position(rng: random.Random, target: int, now: int) -> int:
    """When a buyer message must have come for its clock to stand at a chosen state at ``now``."""
    _, low, high = _AIM_PICK.pick(rng)
    if low >= 0:  # a fraction of the target left
        return now - int(target * (1 - rng.uniform(low, high)))
    return now - target - int(rng.uniform(-high, -low) * 60)  # minutes past due


def _aim_open(rng: random.Random, plan: _Plan, kind: str, now: int) -> None:
    tier = plan.tier
    # A tier with a resolution target runs that clock from creation: keep its threads younger
    # than the target so the response clock, the one being aimed, stays the earliest.
    oldest = int(tier.resolution_minutes * 60 * 0.8) if tier.resolution_minutes else 12 * DAY
    plan.kind = kind
    if kind == "first":
        plan.awaiting = plan.created = _clock_position(rng, tier.first_response_minutes * 60, now)
    elif kind == "next":
        plan.awaiting = _clock_position(rng, tier.next_response_minutes * 60, now)
        plan.created = _thread_start(rng, plan.awaiting, now, oldest)
    elif kind == "met":
        plan.created = now - int(rng.uniform(min(DAY, oldest / 2), oldest))
    else:  # snoozed: parked before the target passed (paused), or after (a breach stays a breach)
        target = tier.first_response_minutes * 60
        plan.paused = now - int(rng.uniform(600, 4 * DAY))
        elapsed = rng.uniform(0.1, 0.85) if rng.random() < 0.8 else rng.uniform(1.1, 3.0)
        plan.awaiting = plan.paused - int(target * elapsed)
        plan.created = plan.awaiting if rng.random() < 0.3 else _thread_start(rng, plan.awaiting, now, oldest)


def _thread_start(rng: random.Random, awaiting: int, now: int, oldest: int) -> int:
    """When a thread whose latest buyer message came at ``awaiting`` began: hours to days before."""
    room = max(2 * HOUR, oldest - (now - awaiting))
    return awaiting - int(rng.uniform(min(DAY, room / 2), room))


def _spread_solved(rng: random.Random, plans: list[_Plan], now: int) -> None:
    """Give solved tickets the days the open ones leave free, so the daily volume is flat and
    the one real spike stands out."""
    quota = len(plans) / HISTORY_DAYS
    taken = [0] * HISTORY_DAYS
    for plan in plans:
        if plan.kind != "solved":
            taken[min(HISTORY_DAYS - 1, max(0, (now - plan.created) // DAY))] += 1
    free = _Weighted([(day, max(0.05, quota - taken[day])) for day in range(HISTORY_DAYS)])
    for plan in plans:
        if plan.kind == "solved":
            plan.created = now - free.pick(rng) * DAY - rng.randrange(DAY)


def _spike_plan(rng: random.Random, now: int, policy: Policy) -> _Plan:
    """A "damaged" ticket about the spike product, more of them the closer to ``now``."""
    marketplace, country = _MARKETPLACE_PICK["amazon"].pick(rng)
    plan = _Plan("amazon", marketplace, country, "damaged", _intended_tier(policy, "amazon", "damaged", False), False, spike=True)
    age = int(3 * DAY * (1 - rng.random() ** 0.5))
    plan.created = now - age
    if age < 6 * HOUR:
        plan.kind, plan.awaiting = "first", plan.created
    elif rng.random() < 0.3:
        plan.kind = "next"
        plan.awaiting = max(plan.created + HOUR, _clock_position(rng, plan.tier.next_response_minutes * 60, now))
    return plan


def _place_hostile(plans: list[_Plan]) -> None:
    """The hostile texts go to the first open tickets (or any, in a tiny demo): a fixed few, so
    every demo has each of them and they sit in the inbox where they would do harm."""
    candidates = [plan for plan in plans if plan.kind != "solved"] or plans
    for index, plan in enumerate(candidates[: len(HOSTILE)]):
        plan.hostile = index


def _huge_body() -> str:
    line = "Chat transcript line {:05d}: still waiting for my parcel, tracking shows nothing new.\n"
    lines, size = [], 0
    while size < HUGE_BODY_CHARS:
        lines.append(line.format(len(lines)))
        size += len(lines[-1])
    return "I'm pasting our whole chat history so you have everything:\n" + "".join(lines)


class _Builder:
    """Turns plans into rows. Ids are assigned here (not by SQLite) so rows can point at each
    other before anything is written; rows wait in lists and go out in one ``executemany`` each."""

    def __init__(self, rng: random.Random, now: int, policy: Policy) -> None:
        self.rng = rng
        self.now = now
        self.policy = policy
        self.stamp = _Stamp()
        self.rows: dict[str, list[tuple]] = {table: [] for table in INSERTS}
        self.counts = _Counts()
        self.next_message = 1
        self.regulars: dict[tuple[str, str], list[_Customer]] = {}
        self.order_serial = {channel: 0 for channel in MARKETPLACES}

    def take_rows(self) -> dict[str, list[tuple]]:
        rows, self.rows = self.rows, {table: [] for table in INSERTS}
        return rows

    # --- customers and orders -------------------------------------------------------------

    def customer(self, plan: _Plan) -> _Customer:
        pool = self.regulars.setdefault((plan.channel, plan.country), [])
        if pool and self.rng.random() < 0.22:
            return self.rng.choice(pool)
        customer = self._new_customer(plan)
        pool.append(customer)
        if self.rng.random() < 0.3:
            self._history(customer, plan, self.rng.randint(1, 4))
        return customer

    def _new_customer(self, plan: _Plan) -> _Customer:
        rng, number = self.rng, self.counts.customers + 1
        self.counts.customers = number
        first, last = rng.choice(FIRST_NAMES[plan.country]), rng.choice(LAST_NAMES[plan.country])
        name = f"{first} {last}"
        plain = f"{_ascii(first)}.{_ascii(last)}"
        channel = plan.channel
        if channel == "amazon":
            external = _token(rng.randrange(36**9), 9) + _token(number, 6)
            email = f"{external}@marketplace.{plan.marketplace}"
            name = f"{first} {last[0]}." if rng.random() < 0.5 else name
            author = email
        elif channel == "ebay":
            external = f"{_ascii(first)}_{_ascii(last)[:4]}{_token(number, 5)}"
            email = f"{external}@members.ebay.com"
            author = external
        elif channel == "walmart":
            external = _token(number, 10, _UPPER36)
            email = f"{_token(number, 16)}@relay.walmart.com"
            author = email
        elif channel == "tiktok":
            external = f"7{_scramble(number, 18):018d}"
            email = f"{_token(number, 12)}@scs.tiktokw.us"
            author = f"{_ascii(first)}{rng.randint(10, 99)}"
        elif channel == "instagram":
            external = f"@{plain}{_token(number, 5)}"
            email = None
            author = external
        else:
            external = f"{6_000_000_000_000 + _scramble(number, 12)}"
            email = f"{plain}{rng.choice(('', '', str(rng.randint(1, 99))))}@{rng.choice(EMAIL_DOMAINS[plan.country])}"
            author = email
        created = plan.created - int(rng.uniform(0, 400 * DAY))
        self.rows["customers"].append((number, channel, external, name, email, plan.country, self.stamp(created)))
        return _Customer(number, channel, plan.country, first, name, email, author)

    def _order_number(self, channel: str, marketplace: str) -> str:
        self.order_serial[channel] += 1
        # An offset per channel, or every channel's first order would share its digits.
        serial = self.order_serial[channel] + 1_000_003 * list(MARKETPLACES).index(channel)
        rng = self.rng
        if channel == "amazon":
            first = rng.choice(("111", "112", "113", "114")) if marketplace == "amazon.com" else rng.choice(("028", "171", "302", "303", "304", "305", "306", "407"))
            number = f"{_scramble(serial, 14):014d}"
            return f"{first}-{number[:7]}-{number[7:]}"
        if channel == "shopify":
            return f"#{1000 + self.order_serial[channel]}"
        if channel == "ebay":
            number = f"{_scramble(serial, 12):012d}"
            return f"{number[:2]}-{number[2:7]}-{number[7:]}"
        if channel == "walmart":
            return f"10{_scramble(serial, 13):013d}"
        if channel == "tiktok":
            return f"57{_scramble(serial, 16):016d}"
        return f"IG{_scramble(serial, 12):012d}"

    def _history(self, customer: _Customer, plan: _Plan, count: int) -> None:
        """Earlier orders: what the order panel shows as the buyer's history."""
        for _ in range(count):
            purchased = plan.created - int(self.rng.uniform(20 * DAY, 200 * DAY))
            self.order(customer, plan, "history", purchased)
        customer.history += count

    def order(self, customer: _Customer, plan: _Plan, shape: str, moment: int, solved: bool = False) -> dict:
        """One order and its items and tracking. ``shape`` says where the parcel is when the
        buyer writes at ``moment``: delivered, late (never arrived), transit, unshipped, history."""
        rng, number = self.rng, self.counts.orders + 1
        self.counts.orders = number
        currency, rate = CURRENCY[customer.country]
        channel = plan.channel
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
        total = round(total + (0 if total > 35 else 4.99), 2)

        if channel == "amazon":
            fulfillment = "FBA" if rng.random() < 0.55 else "FBM"
        elif channel == "shopify":
            fulfillment = "MCF" if rng.random() < 0.5 else "SELF"
        else:
            fulfillment = "SELF"
        carrier = "Amazon Logistics" if fulfillment in ("FBA", "MCF") and customer.country == "US" and rng.random() < 0.5 else _CARRIER_PICK[customer.country].pick(rng)

        delivered = shipped = None
        if shape == "history":
            purchased = moment
            shipped = purchased + int(rng.uniform(2 * HOUR, 2 * DAY))
            delivered = shipped + int(rng.uniform(DAY, 5 * DAY))
        elif shape == "delivered":
            delivered = moment - int(rng.uniform(2 * HOUR, (30 if plan.scenario == "defective" else 8) * DAY))
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
        ship_by = purchased + 2 * DAY
        deliver_by = purchased + int(rng.uniform(4, 7)) * DAY
        status = "delivered" if delivered else "shipped" if shipped else "unshipped"
        tracking = _tracking_number(rng, carrier) if shipped else None
        if shipped and shape != "history":  # the panel lists old orders; their scans are noise
            self._tracking(number, customer.country, carrier, shipped, delivered, min(self.now, moment + DAY))

        refunded, return_status, claim, chargeback = 0.0, None, None, 0
        rating = feedback = None
        scenario = plan.scenario if shape != "history" else None
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
            feedback = rng.choice(FEEDBACK_TEXT[rating])
        updated = max(t for t in (purchased, shipped, delivered) if t is not None)
        order_number = self._order_number(channel, plan.marketplace)
        stamp = self.stamp
        self.rows["orders"].append((
            number, channel, order_number, plan.marketplace, customer.id, stamp(purchased), status, fulfillment,
            stamp(ship_by), stamp(deliver_by), stamp(shipped), stamp(delivered), carrier if shipped else None, tracking,
            currency, total, refunded, return_status, rating, feedback, claim, chargeback, stamp(updated),
        ))
        return {"order": order_number, "item": products[0].title, "carrier": carrier, "tracking": tracking or "-",
                "days": max(1, (moment - purchased) // DAY), "fragile": products[0].fragile}

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
            description = rng.choice(TRACKING_TEXT[status]).format(carrier=carrier)
            self.rows["tracking_events"].append((order_id, self.stamp(min(at, until)), status, rng.choice(hubs), description))

    # --- tickets ----------------------------------------------------------------------------

    def ticket(self, plan: _Plan) -> None:
        rng = self.rng
        ticket_id = self.counts.tickets = self.counts.tickets + 1
        customer = self.customer(plan)
        lang = LANGUAGE[plan.country]
        context = self._order_for(customer, plan)
        subject, author, body = self._opening(plan, customer, lang, context)
        if plan.hostile is not None:
            suffix, text = HOSTILE[plan.hostile]
            subject += suffix
            body += "\n\n" + (text if text is not None else _huge_body())
        agent = rng.choice(AGENTS)
        thread = _Thread(self, ticket_id, plan, customer, lang, context, agent)
        row = getattr(thread, plan.kind)(body, author)
        self._tags(thread, customer, context)
        external = f"A{_token(ticket_id, 13, _UPPER36)}" if plan.channel == "amazon" else f"{plan.channel[:2]}-{_token(ticket_id, 10)}"
        stamp = self.stamp
        self.rows["tickets"].append((
            ticket_id, plan.channel, plan.marketplace, external, customer.id, context["order"] or None, subject,
            row["status"], row.get("assignee"), stamp(plan.created), stamp(row.get("paused")), stamp(row.get("snoozed_until")),
            stamp(row.get("solved")), stamp(thread.last),
        ))

    def _order_for(self, customer: _Customer, plan: _Plan) -> dict:
        rng, scenario = self.rng, plan.scenario
        if scenario == "not_received" or scenario in ("atoz_threat", "atoz_notice") and rng.random() < 0.6:
            shape = "late"
        elif scenario == "tracking" or scenario == "general" and rng.random() < 0.25:
            shape = "transit"
        elif scenario == "cancellation":
            shape = "unshipped"
        elif scenario in ("product_question", "general") and rng.random() < 0.5:
            product = PRODUCTS[SPIKE_PRODUCT] if plan.spike else rng.choice(PRODUCTS)
            return {"order": "", "item": product.title, "carrier": "", "tracking": "", "days": 1, "fragile": product.fragile}
        else:
            shape = "delivered"
        return self.order(customer, plan, shape, plan.created, solved=plan.kind == "solved")

    def _opening(self, plan: _Plan, customer: _Customer, lang: str, context: dict) -> tuple[str, str, str]:
        """Subject, author and body of the message that opens the ticket."""
        rng, scenario = self.rng, plan.scenario
        if scenario in NOTICES:
            subjects, bodies, sender = NOTICES[scenario]
            if plan.channel == "shopify":
                return f"A chargeback was filed for order {context['order']}", "no-reply@shopify.com", rng.choice(bodies).format(**context)
            return rng.choice(subjects).format(**context), sender, rng.choice(bodies).format(**context)
        body = self.buyer_text(lang, scenario, context, customer)
        if plan.channel == "amazon":
            topic = SCENARIOS[scenario][1]
            if context["order"]:
                subject = f"{topic} from Amazon customer {customer.first} (Order: {context['order']})"
            else:
                subject = f"{topic} from Amazon customer {customer.first}"
        elif plan.channel == "instagram":
            line = body.split("\n\n")[1 if "\n\n" in body else 0]
            subject = line if len(line) <= 60 else line[:57].rstrip() + "..."
        else:
            templates = SUBJECTS[scenario][lang]
            if not context["order"]:
                templates = [t for t in templates if "{order}" not in t] or ["{item}"]
            subject = rng.choice(templates).format(**context)
            subject = SUBJECT_FRAMES[plan.channel].format(subject=subject, user=customer.author, **context)
        return subject, customer.author, body

    def buyer_text(self, lang: str, scenario: str, context: dict, customer: _Customer, templates: Sequence[str] | None = None) -> str:
        rng = self.rng
        templates = templates or BUYER[scenario][lang]
        if not context["order"]:
            templates = [t for t in templates if "{order}" not in t] or templates
        left, right = QUOTE[lang]
        text = rng.choice(templates).format(**{**context, "item": f"{left}{context['item']}{right}", "order": context["order"] or "-"})
        greeting, closing = rng.choice(GREETINGS[lang]), rng.choice(CLOSINGS[lang])
        parts = [greeting, text, f"{closing}\n{customer.first}"] if greeting else [text, f"{closing}\n{customer.first}"]
        return "\n\n".join(parts)

    def _tags(self, thread: "_Thread", customer: _Customer, context: dict) -> None:
        rng, plan = self.rng, thread.plan
        tags = []
        if plan.escalated:
            tags.append("escalated")
        if plan.scenario in TAG_BY_SCENARIO and rng.random() < 0.7:
            tags.append(TAG_BY_SCENARIO[plan.scenario])
        if customer.history >= 2 and rng.random() < 0.5:
            tags.append("vip")
        if context.get("fragile") and plan.scenario in ("damaged", "missing_item") and rng.random() < 0.6:
            tags.append("fragile")
        for tag in tags:
            at = thread.clamp(plan.created + int(rng.uniform(60, 1800)))
            self.rows["tags"].append((thread.ticket_id, tag))
            thread.event("escalated" if tag == "escalated" else "tagged", thread.agent_name, at, json.dumps({"tag": tag}))


_PREVIOUS_OPEN = '{"previous": "open"}'
_PREVIOUS_PENDING = '{"previous": "pending"}'


class _Thread:
    """One ticket's conversation: messages, the audit events and the clock outcomes they imply.
    Each plan kind is a method that writes the thread and returns the ticket's status columns."""

    def __init__(self, builder: _Builder, ticket_id: int, plan: _Plan, customer: _Customer, lang: str, context: dict, agent: tuple) -> None:
        self.b = builder
        self.rng = builder.rng
        self.now = builder.now
        self.ticket_id = ticket_id
        self.plan = plan
        self.customer = customer
        self.lang = lang
        self.context = context
        self.agent_name, _, self.speed, self.return_speed = agent
        self.last = plan.created

    # --- rows ---

    def clamp(self, at: int) -> int:
        return min(int(at), self.now - 1)

    def event(self, kind: str, agent: str | None, at: int, detail: str | None = None) -> None:
        """``detail`` is JSON text; the common shapes are written without json.dumps per row."""
        self.b.rows["events"].append((self.ticket_id, kind, agent, self.b.stamp(at), detail))

    def message(self, direction: str, author: str | None, body: str, at: int, auto_ack: bool = False) -> int:
        message_id = self.b.next_message
        self.b.next_message += 1
        self.b.counts.messages += 1
        self.b.rows["messages"].append((message_id, self.ticket_id, direction, author, body, self.b.stamp(at), int(auto_ack)))
        self.last = max(self.last, at)
        return message_id

    def buyer(self, at: int, body: str, author: str | None = None) -> None:
        self.message("in", author or self.customer.author, body, at)

    def reply(self, at: int, *, auto_ack: bool = False) -> None:
        if auto_ack:
            message_id = self.message("out", "auto-reply", self.rng.choice(AUTO_ACKS[self.lang]), at, auto_ack=True)
            self.event("replied", None, at, f'{{"message_id": {message_id}, "auto_ack": true}}')
            return
        kind = REPLY_KIND.get(self.plan.scenario, "info")
        body = self.rng.choice(REPLIES[kind][self.lang]).format(**self.context)
        message_id = self.message("out", self.agent_name, body, at)
        self.event("replied", self.agent_name, at, f'{{"message_id": {message_id}, "auto_ack": false}}')

    def note(self, at: int) -> None:
        self.message("note", self.agent_name, self.rng.choice(NOTES).format(**self.context), at)
        self.event("noted", self.agent_name, at)

    def clock(self, kind: str, started: int, stopped: int, pauses: tuple = ()) -> None:
        self.b.counts.clocks.append((self.ticket_id, kind, started, stopped, self.agent_name, self.plan.channel, pauses))

    def follow_up(self, at: int) -> None:
        """The buyer writes again: a nudge, or the problem told a second way."""
        rng = self.rng
        if rng.random() < 0.5 and self.plan.scenario in BUYER:
            body = self.b.buyer_text(self.lang, self.plan.scenario, self.context, self.customer)
        else:
            hours = max(1, (at - self.plan.created) // HOUR)
            body = rng.choice(FOLLOW_UPS[self.lang]).format(hours=hours, order=self.context["order"] or "-")
        self.buyer(at, body)

    def delay(self, target: int, started: int) -> int:
        """How long an agent takes to answer: mostly inside the target, sometimes late, slower
        over the last week (the health check's rising FRT), slower still for some agents, and
        slower at weekends, when the team is thin (the check-up's weekend dip)."""
        rng = self.rng
        fraction = rng.uniform(0.05, 0.9) if rng.random() < 0.85 else rng.uniform(1.05, 3.0)
        age = self.now - started
        recent = 1 + 0.5 * max(0.0, 1 - age / (7 * DAY))
        returns = self.return_speed if self.plan.scenario in ("return", "refund", "exchange") else 1.0
        weekend = WEEKEND_SLOWDOWN if _weekday(started) >= 5 else 1.0
        return max(60, int(target * fraction * self.speed * returns * recent * weekend))

    def maybe_ack(self, started: int, limit: int) -> int | None:
        """Many Amazon sellers auto-acknowledge: that stops Amazon's 24 h clock, not the SLA."""
        if self.plan.channel != "amazon" or self.rng.random() >= 0.3:
            return None
        at = started + int(self.rng.uniform(30, 300))
        if at >= limit:
            return None
        self.reply(at, auto_ack=True)
        return at

    def opened(self, body: str, author: str) -> None:
        self.event("opened", None, self.plan.created)
        self.buyer(self.plan.created, body, author)

    # --- plan kinds ---

    def solved(self, body: str, author: str) -> dict:
        rng, plan = self.rng, self.plan
        tier = plan.tier
        # Offsets from creation first: a thread that would end after `now` moves back whole.
        first_target, next_target = tier.first_response_minutes * 60, tier.next_response_minutes * 60
        ack = int(rng.uniform(30, 300)) if plan.channel == "amazon" and rng.random() < 0.3 else None
        first = self.delay(first_target, plan.created)
        claimed = int(first * rng.uniform(0.05, 0.6))
        follow = second = None
        if rng.random() < 0.35:
            follow = first + int(rng.uniform(1200, 36 * HOUR))
            second = follow + self.delay(next_target, plan.created + follow)
        pending = follow is not None and rng.random() < 0.5
        last_reply = second if second is not None else first
        thanks = last_reply + int(rng.uniform(600, 10 * HOUR)) if rng.random() < 0.25 else None
        solved = (thanks or last_reply) + int(rng.uniform(120, 20 * HOUR))
        note = int(first * rng.uniform(0.2, 0.9)) if rng.random() < 0.2 else None
        if plan.created + solved > self.now - 60:
            plan.created = self.now - 60 - solved - int(rng.uniform(0, HOUR))
        start = plan.created

        self.opened(body, author)
        if ack is not None and ack < first:
            self.reply(start + ack, auto_ack=True)
        self.event("claimed", self.agent_name, start + claimed)
        if note is not None:
            self.note(start + note)
        self.reply(start + first)
        self.clock("first_response", start, start + first)
        self.clock("marketplace", start, start + (ack if ack is not None and ack < first else first))
        pauses: tuple = ()
        if follow is not None:
            if pending:
                self.event("pending", self.agent_name, start + first + 30, _PREVIOUS_OPEN)
                self.event("resumed", None, start + follow, _PREVIOUS_PENDING)
                pauses = ((start + first + 30, start + follow),)
            self.follow_up(start + follow)
            self.reply(start + second)
            self.clock("next_response", start + follow, start + second)
            self.clock("marketplace", start + follow, start + second)
        if thanks is not None:
            self.buyer(start + thanks, rng.choice(THANKS[self.lang]))
        self.event("solved", self.agent_name, start + solved, _PREVIOUS_OPEN)
        self.clock("resolution", start, start + solved, pauses)
        self.last = start + solved
        return {"status": "solved", "assignee": self.agent_name, "solved": start + solved}

    def first(self, body: str, author: str) -> dict:
        rng, plan, now = self.rng, self.plan, self.now
        start = plan.created
        self.opened(body, author)
        ack = self.maybe_ack(start, now - 60)
        if ack is not None:
            self.clock("marketplace", start, ack)
        waited = now - start
        if waited > 1800 and rng.random() < 0.2:  # an impatient second message before any answer
            self.follow_up(start + int(waited * rng.uniform(0.3, 0.95)))
        assignee = None
        if rng.random() < 0.2:
            assignee = self.agent_name
            self.event("claimed", assignee, start + int(waited * rng.uniform(0.1, 0.9)))
            if rng.random() < 0.3:
                self.note(start + int(waited * rng.uniform(0.9, 0.99)))
        return {"status": "open", "assignee": assignee}

    def earlier_exchange(self, body: str, author: str) -> None:
        """The buyer wrote, an agent answered (perhaps asking a question and waiting), and at
        ``plan.awaiting`` the buyer wrote again."""
        rng, plan = self.rng, self.plan
        start, awaiting = plan.created, plan.awaiting
        self.opened(body, author)
        ack = self.maybe_ack(start, awaiting)
        answered = start + min(self.delay(plan.tier.first_response_minutes * 60, start), int((awaiting - start) * rng.uniform(0.3, 0.9)))
        self.event("claimed", self.agent_name, start + (answered - start) // 2)
        self.reply(answered)
        self.clock("first_response", start, answered)
        self.clock("marketplace", start, ack if ack is not None else answered)
        if rng.random() < 0.35:
            self.event("pending", self.agent_name, answered + 30, _PREVIOUS_OPEN)
            self.event("resumed", None, awaiting, _PREVIOUS_PENDING)
        self.follow_up(awaiting)

    def next(self, body: str, author: str) -> dict:
        self.earlier_exchange(body, author)
        return {"status": "open", "assignee": self.agent_name if self.rng.random() < 0.45 else None}

    def met(self, body: str, author: str) -> dict:
        rng, plan = self.rng, self.plan
        start = plan.created
        self.opened(body, author)
        answered = start + min(self.delay(plan.tier.first_response_minutes * 60, start), max(60, self.now - start - 120))
        ack = self.maybe_ack(start, answered)
        self.event("claimed", self.agent_name, start + (answered - start) // 2)
        self.reply(answered)
        self.clock("first_response", start, answered)
        self.clock("marketplace", start, ack if ack is not None else answered)
        assignee = self.agent_name if rng.random() < 0.4 else None
        if rng.random() < 0.5:  # asked the buyer for photos, an address...: waiting on them
            paused = self.clamp(answered + 30)
            self.event("pending", self.agent_name, paused, _PREVIOUS_OPEN)
            return {"status": "pending", "assignee": assignee, "paused": paused}
        return {"status": "open", "assignee": assignee}

    def snoozed(self, body: str, author: str) -> dict:
        rng, plan = self.rng, self.plan
        paused = plan.paused
        if plan.created < plan.awaiting:
            self.earlier_exchange(body, author)
        else:
            self.opened(body, author)
            ack = self.maybe_ack(plan.created, paused)
            if ack is not None:
                self.clock("marketplace", plan.created, ack)
            self.event("claimed", self.agent_name, plan.created + int((paused - plan.created) * rng.uniform(0.2, 0.9)))
        self.note(paused - 30)
        until = self.now + int(rng.uniform(HOUR, 3 * DAY))
        self.event("snoozed", self.agent_name, paused, json.dumps({"previous": "open", "until": self.b.stamp(until)}))
        assignee = self.agent_name if rng.random() < 0.7 else None
        return {"status": "snoozed", "assignee": assignee, "paused": paused, "snoozed_until": until}

# ---------------------------------------------------------------------------------------------
# The build, the clocks, the summary
# ---------------------------------------------------------------------------------------------


def _build(conn: sqlite3.Connection, rng: random.Random, count: int, now: datetime, policy: Policy,
           report: Callable[[int, int], None]) -> None:
    # The file is new and only this connection knows it: no journal, no fsync, no change feed
    # (nobody is watching; two million feed rows would double the writes), and the secondary
    # indexes are built once at the end instead of row by row. Triggers and indexes are put back
    # exactly as the schema made them: the indexes before triage, the triggers after it.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    deferred = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE type IN ('trigger', 'index') AND sql IS NOT NULL ORDER BY type, name"
    ).fetchall()
    with write(conn):
        for kind, name, _ in deferred:
            conn.execute(f'DROP {kind.upper()} "{name}"')
        conn.executemany("INSERT INTO agents (name, display_name, active) VALUES (?, ?, 1)", [agent[:2] for agent in AGENTS])

    now_ts = int(now.timestamp())
    builder = _Builder(rng, now_ts, policy)
    plans = _plan(rng, count, now_ts, policy)
    total = 2 * count
    for start in range(0, count, CHUNK):
        for plan in plans[start : start + CHUNK]:
            builder.ticket(plan)
        _insert(conn, builder.take_rows())
        report(min(start + CHUNK, count), total)
    del plans
    _restore(conn, deferred, "index")

    # Statistics first: without them SQLite reads the pause events of a batch of tickets through
    # the (kind, at) index -- every such event in the file, per batch -- and triage goes
    # quadratic (29 s instead of ~8 s at 100k tickets). A sampled ANALYZE costs a fraction of a second.
    conn.execute("PRAGMA analysis_limit = 1000")
    conn.execute("ANALYZE")
    triaged = 0
    while batch := refresh_tickets(conn, policy, now, limit=5 * CHUNK):
        triaged += batch
        report(count + triaged, total)
    _write_clocks(conn, builder.counts.clocks, policy, builder.stamp)
    sync_response_outcomes(conn)
    _restore(conn, deferred, "trigger")


def _restore(conn: sqlite3.Connection, deferred: list, kind: str) -> None:
    with write(conn):
        for each_kind, _, sql in deferred:
            if each_kind == kind:
                conn.execute(sql)


def _insert(conn: sqlite3.Connection, rows: dict[str, list[tuple]]) -> None:
    with write(conn):
        for table, statement in INSERTS.items():
            if rows[table]:
                conn.executemany(statement, rows[table])


def _write_clocks(conn: sqlite3.Connection, clocks: list, policy: Policy, stamp: _Stamp) -> None:
    """Outcomes of the clocks that stopped in the history (for FRT and breach reports), against
    the tier the triage actually chose, which only exists once ``refresh_tickets`` has run."""
    tiers = dict(conn.execute("SELECT id, tier FROM tickets"))

    def rows():
        for ticket_id, kind, started, stopped, agent, channel, pauses in clocks:
            tier = policy.tier(tiers[ticket_id])
            if kind == "marketplace":
                minutes = policy.marketplace_deadline(channel)
            elif kind == "resolution":
                minutes = tier.resolution_minutes
            else:
                minutes = tier.first_response_minutes if kind == "first_response" else tier.next_response_minutes
            if not minutes:
                continue
            due = _due(started, minutes, policy.calendar_for(tier, channel) if kind != "marketplace" else None, pauses)
            margin = round((due - stopped) / 60, 1)
            yield ticket_id, kind, tier.name, stamp(started), stamp(due), stamp(stopped), "met" if margin >= 0 else "missed", margin, agent

    with write(conn):
        conn.executemany(
            "INSERT INTO sla_clocks (ticket_id, kind, tier, started_at, due_at, stopped_at, outcome, margin_minutes, agent) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows(),
        )


def _due(started: int, minutes: int, calendar, pauses: tuple) -> int:
    """``started`` plus ``minutes`` of the calendar's working time, skipping pauses; the
    marketplace's clock (``calendar`` None) and 24/7 calendars without pauses are plain sums."""
    if calendar is None or (calendar.always and not pauses):
        return started + minutes * 60
    utc = timezone.utc
    due = sla.add_working_time(
        datetime.fromtimestamp(started, utc), minutes, calendar,
        [(datetime.fromtimestamp(a, utc), datetime.fromtimestamp(b, utc)) for a, b in pauses],
    )
    return int(due.timestamp())


def _write_meta(conn: sqlite3.Connection, seed: int, count: int, now: datetime) -> None:
    with write(conn):
        conn.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [("dataset", "demo"), ("demo_seed", str(seed)), ("demo_tickets", str(count)), ("generated_at", to_db(now))],
        )


def _summarise(conn: sqlite3.Connection, path: Path, seed: int, now: datetime, policy: Policy) -> DemoSummary:
    def count(sql: str) -> int:
        return conn.execute(sql).fetchone()[0]

    # The same counts the inbox header shows, so the summary and the screen agree.
    states = state_counts(conn, policy, now).by_state
    by_tier = dict(conn.execute(
        "SELECT tier, count(*) FROM tickets WHERE status != 'solved' GROUP BY tier ORDER BY min(tier_rank)"
    ).fetchall())
    by_channel = dict(conn.execute("SELECT channel, count(*) FROM tickets GROUP BY channel ORDER BY count(*) DESC").fetchall())
    return DemoSummary(
        path=path,
        seed=seed,
        tickets=count("SELECT count(*) FROM tickets"),
        open_tickets=count("SELECT count(*) FROM tickets WHERE status != 'solved'"),
        messages=count("SELECT count(*) FROM messages"),
        orders=count("SELECT count(*) FROM orders"),
        customers=count("SELECT count(*) FROM customers"),
        by_state={state.key: states[state.key] for state in sla.SlaState if states.get(state.key)},
        by_tier=by_tier,
        by_channel=by_channel,
        seconds=0.0,
    )


# -- the live feed ---------------------------------------------------------------------------
# While `deskui demo` is open, buyers keep writing: new tickets and follow-ups arrive the way an
# ingest script would write them (plain rows, no tier), so the demo shows live triage, the
# change feed and moving counts, not a still picture.
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
    row = conn.execute(
        "SELECT o.channel, o.order_number, o.marketplace, c.id, c.name, c.country, i.title FROM orders o "
        "JOIN customers c ON c.id = o.customer_id LEFT JOIN order_items i ON i.order_id = o.id "
        "WHERE o.id >= abs(random() % (SELECT max(id) FROM orders)) LIMIT 1"
    ).fetchone()
    if row is None:
        return
    channel, order, marketplace, customer_id, name, country, title = row
    lang = LANGUAGE.get(country or "US", "en")
    scenario = rng.choice(LIVE_SCENARIOS)
    templates = BUYER.get(scenario, BUYER["general"])
    text = rng.choice(templates.get(lang, templates["en"])).format(order=order, item=title or "the item", carrier="the carrier",
                                                                   tracking="", days=rng.randint(3, 12))
    subjects = SUBJECTS.get(scenario, SUBJECTS["general"])
    subject = rng.choice(subjects.get(lang, subjects["en"])).format(order=order, item=title or "item")
    if channel == "amazon":
        first = (name or "Buyer").split()[0]
        subject = f"Inquiry from Amazon customer {first} (Order: {order})"
    with write(conn):
        ticket_id = conn.execute(
            "INSERT INTO tickets (channel, marketplace, customer_id, order_number, subject, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (channel, marketplace, customer_id, order, subject, to_db(now)),
        ).lastrowid
        conn.execute("INSERT INTO messages (ticket_id, direction, author, body, sent_at) VALUES (?, 'in', ?, ?, ?)",
                     (ticket_id, name, text, to_db(now)))


def _live_follow_up(conn: sqlite3.Connection, rng: random.Random, now: datetime) -> None:
    row = conn.execute(
        "SELECT t.id, c.name, c.country, t.order_number FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id "
        "WHERE t.status = 'open' AND t.first_response_at IS NOT NULL ORDER BY random() LIMIT 1"
    ).fetchone()
    if row is None:
        return
    ticket_id, name, country, order = row
    lang = LANGUAGE.get(country or "US", "en")
    text = rng.choice(FOLLOW_UPS[lang]).format(hours=rng.randint(2, 20), order=order or "")
    with write(conn):
        conn.execute("INSERT INTO messages (ticket_id, direction, author, body, sent_at) VALUES (?, 'in', ?, ?, ?)",
                     (ticket_id, name, text, to_db(now)))
