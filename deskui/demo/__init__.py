"""A deterministic, realistic demo database: ``deskui demo``.

The same seed, ticket count and ``now`` give the same rows, byte for byte: every random choice comes
from one ``random.Random(seed)`` and every time is an offset from ``now``. The generator only writes
the rows another program would write (tickets, messages, orders, events...); tier, category and due
times are derived by deskui's own triage, exactly as for real data. It aims each open ticket's last
buyer message at a point of its tier's target so that, at ``now``, the inbox shows every SLA state.

Where things are:

- ``texts/<lang>.toml``, ``texts/marketplace.toml``: every sentence (``texts.py`` reads them once)
- ``tables.py``: channels, names, products, carriers, scenarios and their weights
- ``plan.py``: each ticket decided before any row is written
- ``orders.py``: customers, orders, tracking; ``tickets.py``: tickets and their threads
- ``codes.py``: order, ticket and tracking numbers; ``build.py``: ``generate``, the file itself
- ``alerts.py``/``alerts.toml``: the demo's alert rules; ``live.py``: buyers writing while it runs
- the SQL: ``deskui/store/demo_rows.py``

Importing this package reads no file and builds nothing: the names below load their module on
first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deskui.demo.alerts import demo_alert_rules
    from deskui.demo.build import DemoExists, DemoSummary, generate
    from deskui.demo.live import live_feed
    from deskui.demo.tables import PRODUCTS, SPIKE_PRODUCT

_HOME = {
    "generate": "build", "DemoExists": "build", "DemoSummary": "build",
    "demo_alert_rules": "alerts", "live_feed": "live",
    "PRODUCTS": "tables", "SPIKE_PRODUCT": "tables",
}
__all__ = ["PRODUCTS", "SPIKE_PRODUCT", "DemoExists", "DemoSummary", "demo_alert_rules", "generate", "live_feed"]


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value
