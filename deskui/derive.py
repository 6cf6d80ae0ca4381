"""Deriving a ticket: its rows in (subject, messages, tags, pause history, the policy), its tier
and clocks out. A pure step with no database: the store reads the rows, calls ``derive`` and
writes what it returns, so triage and the SLA calendars are reached from one place
(docs/architecture.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime

from deskui import sla
from deskui.policy.model import Policy, Tier
from deskui.timeutil import UTC, from_db, to_db
from deskui.triage.classify import classify

PAUSE_START = ("pending", "snoozed")
# Stored text of an instant, remembered: a batch of tickets shares "now" and many due instants,
# and formatting is most of what re-deriving clocks costs once triage is skipped.
_stored = lru_cache(maxsize=16_384)(to_db)


def _text(moment: datetime | None) -> str | None:
    """``to_db``'s text, by ``isoformat`` (C) instead of ``strftime``: 1.5x faster, and most
    instants of a ticket are its own, so the cache above misses for them. Years before 1000 go
    to ``to_db`` (strftime writes them unpadded there, isoformat with four digits)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return to_db(moment)  # raises, as to_db does
    utc = moment.astimezone(UTC)
    if utc.year < 1000:
        return to_db(moment)
    return utc.isoformat(timespec="seconds")[:19] + "Z"
PAUSE_END = ("resumed", "solved", "reopened")
# ``json.dumps(..., ensure_ascii=False)`` builds a new JSONEncoder on every call (its keyword
# arguments differ from the default's); one encoder made once writes the same text.
_evidence_text = json.JSONEncoder(ensure_ascii=False).encode


@lru_cache(maxsize=8192)
def _evidence_for(items: tuple[tuple[str, str, str, str, str | None], ...]) -> str:
    """The stored evidence list of (category, term, field, text, lang) items, remembered: most
    tickets' evidence is one of a few thousand lists ("refund" in the body, in English...), and
    the JSON was ~3 % of ``deskui demo`` at 100k (py-spy, 2026-12-03). The same text as
    ``Triage.evidence_json`` encoded (tests/test_demo_rows.py compares the rows)."""
    return _evidence_text([{"category": category, "term": term, "field": field, "text": text, "lang": lang}
                           for category, term, field, text, lang in items])


@dataclass
class Message:
    direction: str
    sent_at: datetime | None
    auto_ack: bool
    body: str


def _waiting_since(messages: Sequence[Message], *, count_auto_ack: bool) -> datetime | None:
    """The oldest buyer message after the last reply that counts."""
    since = None
    for message in messages:
        if message.sent_at is None:
            continue
        if message.direction == "in":
            if since is None:
                since = message.sent_at
        elif message.direction == "out" and (count_auto_ack or not message.auto_ack):
            since = None
    return since


def _pauses(events: Iterable[tuple[str, datetime | None]]) -> list[sla.Interval]:
    """Closed pauses only: while a ticket is still paused its due time stays put and the screens
    freeze the countdown at ``paused_at``; resuming pushes the due time back by the pause."""
    intervals, started = [], None
    for kind, at in events:
        if at is None:
            continue
        if kind in PAUSE_START and started is None:
            started = at
        elif kind in PAUSE_END and started is not None:
            intervals.append((started, at))
            started = None
    return intervals


def derive(policy: Policy, now: datetime, ticket, messages: Sequence[Message], tags: Sequence[str],
           events: Sequence[tuple[str, datetime | None]]) -> dict:
    """The tier, category, evidence and every clock instant of one ticket, as the columns
    ``store.tickets`` writes. ``ticket`` maps id, channel, subject, status, created_at and
    first_response_at (stored text); ``messages`` are oldest first, ``events`` its pause history."""
    channel = (ticket["channel"] or "").strip().lower()
    inbound = [message.body for message in messages if message.direction == "in"]
    triage = classify(policy, channel, ticket["subject"], inbound, tags)
    created = from_db(ticket["created_at"]) or (messages[0].sent_at if messages and messages[0].sent_at else now)
    first_response = from_db(ticket["first_response_at"])
    if first_response is None:
        replies = [m.sent_at for m in messages if m.direction == "out" and not m.auto_ack and m.sent_at]
        first_response = replies[0] if replies else None
    awaiting = _waiting_since(messages, count_auto_ack=False)
    if awaiting is None and not messages and first_response is None:
        awaiting = created  # a ticket written with no message yet still waits for an answer
    deadlines = sla.deadlines(
        policy,
        triage.tier,
        channel,
        created_at=created,
        awaiting_reply_since=awaiting,
        awaiting_marketplace_since=_waiting_since(messages, count_auto_ack=True),
        first_response_at=first_response,
        pauses=_pauses(events),
        solved=ticket["status"] == "solved",
    )
    derived = {
        "id": ticket["id"],
        "channel": channel,
        "category": triage.category,
        "evidence": _evidence_for(tuple((item.category, item.term, item.field, item.text, item.lang)
                                        for item in triage.evidence)) if triage.evidence else "[]",
        "awaiting_reply_since": _text(awaiting),
        "first_response_at": _text(first_response),
        "created_at": _text(created),
    }
    derived.update(_clock_columns(triage.tier, deadlines, now))
    return derived


_CLOCK_KEYS = tuple((f"{prefix}due_at", f"{prefix}at_risk_at", f"{prefix}imminent_at")
                    for prefix in ("", "sla_", "marketplace_", "resolution_"))


def _clock_columns(tier: Tier, deadlines: sla.Deadlines, now: datetime) -> dict:
    """The columns a tier and its running clocks fill: what both ``derive`` and ``derive_clocks``
    write, so a full derive and a clocks-only one cannot disagree on them."""
    earliest = deadlines.earliest
    columns = {
        "tier": tier.name,
        "tier_rank": tier.rank,
        "marketplace_waiting_since": _text(deadlines.marketplace.started_at) if deadlines.marketplace else None,
        "due_kind": earliest.kind if earliest else None,
        "target_minutes": earliest.target_minutes if earliest else None,
        "updated_at": _stored(now),
    }
    for (due_key, at_risk_key, imminent_key), clock in zip(_CLOCK_KEYS, (earliest, deadlines.sla, deadlines.marketplace,
                                                                        deadlines.resolution)):
        if clock is None:
            columns[due_key] = columns[at_risk_key] = columns[imminent_key] = None
            continue
        columns[due_key] = _text(clock.due_at)
        columns[at_risk_key] = _text(clock.at_risk_at) if clock.at_risk_at else None
        columns[imminent_key] = _text(clock.imminent_at) if clock.imminent_at else None
    return columns


def tier_from_evidence(policy: Policy, channel: str, evidence: str | None, tags: Iterable[str]) -> Tier:
    """The tier ``derive`` picks for a ticket whose messages did not change, from the evidence it
    stored and the ticket's tags now: a tag change moves only the tier, so bulk tagging re-reads
    no message text."""
    return policy.pick((channel or "").strip().lower(), _categories(evidence or "[]"),
                       frozenset(tag.lower() for tag in tags))[0]


@lru_cache(maxsize=4096)
def _categories(evidence: str) -> frozenset[str]:
    """The categories a stored evidence list names (most tickets share a handful of lists)."""
    return frozenset(item["category"] for item in json.loads(evidence))


def derive_clocks(policy: Policy, now: datetime, ticket, events: Sequence[tuple[str, datetime | None]],
                  tier: Tier | None = None, messages: Sequence[Message] | None = None) -> dict:
    """The tier's clock columns of a ticket ``derive`` already derived whose messages did not
    change since (a status change, a tag): the instants it started from are read back from the
    row (``created_at``, ``first_response_at``, ``awaiting_reply_since``, and
    ``marketplace_waiting_since``, which a solved ticket's row no longer holds: pass its
    ``messages`` then, the bodies are not read). ``tier`` defaults to the stored one; ``events``
    is the pause history after the change."""
    tier = tier or policy.tier(ticket["tier"])
    if messages is None:
        marketplace_since = from_db(ticket["marketplace_waiting_since"])
    else:
        marketplace_since = _waiting_since(messages, count_auto_ack=True)
    deadlines = sla.deadlines(
        policy,
        tier,
        (ticket["channel"] or "").strip().lower(),
        created_at=from_db(ticket["created_at"]),
        awaiting_reply_since=from_db(ticket["awaiting_reply_since"]),
        awaiting_marketplace_since=marketplace_since,
        first_response_at=from_db(ticket["first_response_at"]),
        pauses=_pauses(events),
        solved=ticket["status"] == "solved",
    )
    return {"id": ticket["id"], **_clock_columns(tier, deadlines, now)}
