"""The check-up's review sample: a seeded draw of high-risk tickets with their notes, tags,
clocks and timings."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime

from deskui.analytics.health_terms import HIGH_RISK_CATEGORIES, HIGH_RISK_TAGS, NOTE_CHARS, UTC, _Window
from deskui.policy.model import Policy
from deskui.store import health as reads
from deskui.timeutil import from_db


def default_seed(now: datetime) -> int:
    """The same sample all day: the seed is the UTC date, e.g. 20261125."""
    return int(now.astimezone(UTC).strftime("%Y%m%d"))


def _sample(conn: sqlite3.Connection, policy: Policy, window: _Window, channel: str | None, size: int,
            seed: int | None) -> dict:
    seed = default_seed(window.now) if seed is None else seed
    critical = [tier.name for tier in policy.tiers if tier.rank == 0] or ["critical"]
    population = reads.sample_population(conn, window.start, window.now, channel, critical, HIGH_RISK_CATEGORIES,
                                         HIGH_RISK_TAGS)
    chosen = sorted(random.Random(seed).sample(population, min(size, len(population))))
    return {
        "seed": seed,
        "population": len(population),
        "criteria": {"tiers": critical, "tags": list(HIGH_RISK_TAGS), "categories": list(HIGH_RISK_CATEGORIES)},
        "tickets": _sample_details(conn, chosen),
    }


def _sample_details(conn: sqlite3.Connection, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    found = reads.sample_rows(conn, ids)
    tags: dict[int, list[str]] = {}
    for ticket_id, tag in found["tags"]:
        tags.setdefault(ticket_id, []).append(tag)
    notes: dict[int, list[dict]] = {}
    for ticket_id, author, body, sent_at in found["notes"]:
        body = body or ""
        notes.setdefault(ticket_id, []).append({
            "author": author, "at": sent_at,
            "body": body if len(body) <= NOTE_CHARS else body[:NOTE_CHARS] + "…",
        })
    clocks: dict[int, list[dict]] = {}
    for ticket_id, kind, started, stopped, outcome, margin, agent in found["clocks"]:
        clocks.setdefault(ticket_id, []).append({"kind": kind, "started_at": started, "stopped_at": stopped,
                                                 "outcome": outcome, "margin_minutes": margin, "agent": agent})
    messages = dict(found["messages"])
    result = []
    for row in found["tickets"]:
        created, first, solved = from_db(row[8]), from_db(row[9]), from_db(row[10])
        result.append({
            "id": row[0], "channel": row[1], "subject": row[2], "status": row[3], "assignee": row[4],
            "tier": row[5], "category": row[6], "order_number": row[7],
            "tags": tags.get(row[0], []),
            "notes": notes.get(row[0], []),
            "timings": {
                "created_at": row[8],
                "first_response_at": row[9],
                "solved_at": row[10],
                "due_at": row[11],
                "first_response_minutes": _minutes(created, first),
                "resolution_minutes": _minutes(created, solved),
                "messages": messages.get(row[0], 0),
                "clocks": clocks.get(row[0], []),
                "missed_targets": sum(1 for clock in clocks.get(row[0], []) if clock["outcome"] == "missed"),
            },
        })
    return result


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60, 1)
