"""The check-up's vocabulary: which Amazon metric each ticket category threatens, what to do
about a spike in it, the category groups, and the window of calendar days every section counts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

from deskui.analytics import metrics as m
from deskui.analytics.days import LocalDays, local_midnight
from deskui.timeutil import zone_name

UTC = timezone.utc
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
UNCATEGORISED = "uncategorised"

# The Amazon metric a category threatens and what the seed says to do about a spike in it.
METRICS = {
    "ODR": "Order Defect Rate (< 1 %, 60 days)",
    "LSR": "Late Shipment Rate (< 4 %, 10 and 30 days)",
    "VTR": "Valid Tracking Rate (> 95 %, 30 days)",
    "RDR": "Return Dissatisfaction Rate (< 10 %)",
    "CR": "Pre-fulfilment Cancel Rate (< 2.5 %, 7 days)",
    "CRT": "Contact response time (every buyer message answered within 24 h)",
}
_PACKING = "Review the FBM/MCF picking and packing workflow and standards now; check the top ASIN's batch with quality control."
IMPACT: dict[str, tuple[tuple[str, ...], str]] = {
    "atoz_claim": (("ODR",), "Contact every claimant within the hour with the facts and a resolution; document each step: a claim is a defect whatever its outcome."),
    "chargeback": (("ODR",), "Answer each chargeback with proof of delivery and the order history; find what drives buyers to their bank."),
    "damaged": (("ODR",), _PACKING),
    "missing_item": (("ODR",), _PACKING),
    "wrong_item": (("ODR",), "Audit picking (SKU labels, bin locations) for the FBM/MCF flow; check the top ASIN's listing and stock."),
    "defective": (("ODR",), "Pull the top ASIN's current batch for a quality check before more negative feedback arrives."),
    "not_received": (("LSR", "VTR"), "Check the carrier APIs and that tracking is uploaded on time and accurately; look at FBM ship-by dates."),
    "tracking": (("LSR", "VTR"), "Check the carrier APIs and that tracking is uploaded on time and accurately."),
    "return": (("RDR",), "Check the return instructions are clear and that return requests are answered within 48 h."),
    "refund": (("RDR",), "Check refunds go out on time after returns arrive; answer return requests within 48 h."),
    "exchange": (("RDR",), "Check exchange and return instructions are clear; answer return requests within 48 h."),
    "cancellation": (("CR",), "Check stock levels and listing accuracy; buyers cancelling before shipment may be waiting too long."),
    "feedback": (("ODR",), "Read the feedback threads: negative feedback (1-2 stars) is an order defect."),
    "invoice": (("CRT",), "Automate invoices (VAT) or update the self-service content and macros."),
    "product_question": (("CRT",), "Update the listing details and the knowledge base; a spike often follows a listing or policy change."),
}
_OTHER_IMPACT = (("CRT",), "Read a sample: a new topic (often an old policy confusing buyers) needs updated macros and self-service content.")
GROUPS = {
    "claims": ("atoz_claim", "chargeback"),
    "defect": ("damaged", "missing_item", "wrong_item", "defective"),
    "delivery": ("not_received", "tracking"),
    "returns": ("return", "refund", "exchange"),
}
DEFECT_CATEGORIES = GROUPS["defect"]
HIGH_RISK_TAGS = ("escalated", "escalation", "a-to-z risk", "atoz risk", "a-to-z-risk")
HIGH_RISK_CATEGORIES = ("atoz_claim", "chargeback")
SLOW_FACTOR = 1.5  # an agent is "slow on" a category at 1.5 x the team's median for it...
SLOW_MIN_SAMPLES = 5  # ...over at least this many tickets
TOP_PRODUCTS = 10
NOTE_CHARS = 2000


def _group_of(category: str) -> str:
    for group, members in GROUPS.items():
        if category in members:
            return group
    return "other"


def _label(category: str) -> str:
    return category or UNCATEGORISED


class _Window:
    """The check-up's days: calendar days in the seller's zone, the last one being today."""

    def __init__(self, now: datetime, days: int, zone: tzinfo = UTC) -> None:
        self.now = now
        today = now.astimezone(zone).date()
        first = today - timedelta(days=days - 1)
        self.start = local_midnight(datetime.combine(first, datetime.min.time(), tzinfo=zone), zone)
        self.dates = [(first + timedelta(days=i)).isoformat() for i in range(days)]
        self.today = today.isoformat()
        self.today_date = today
        self.zone_name = zone_name(zone)
        # The widest range any section needs: the window, the spike rule, two weeks of trend.
        self.query_start = min(self.start, now - timedelta(days=max(m.RECENT_DAYS + m.BASELINE_DAYS, 14)))
        self.days = LocalDays(zone, self.query_start - timedelta(minutes=m.AHT_MAX_MINUTES), now)
