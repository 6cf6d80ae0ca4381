"""One reply to many tickets: the text filled per ticket and linted per ticket, as a plan read
before anything is sent.

The agent picks a template or types a text; ``plan_bulk_reply`` fills its placeholders from each
ticket's own context (``fill``: {customer_first_name}, {order_id}, …) and runs the channel's
compliance linter on the result, the same rules the ticket screen's reply box runs. A ticket
whose text still has an unfilled placeholder, or that a blocking rule stops, is blocked and
says why; the others pass (their warnings listed, as the reply box asks to confirm them). Pure:
the store reads the targets and queues the passing replies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, Protocol

from deskui.replies.linter import BLOCK, LintRules, lint
from deskui.replies.placeholders import fill


class ReplyTarget(Protocol):
    """What filling and linting one ticket reads (``store.bulk_replies.ReplyTarget`` is one)."""

    ticket_id: int
    channel: str
    context: Any  # a store.context.TicketContext: what ``fill`` reads the placeholders from


@dataclass(frozen=True)
class PlannedReply:
    ticket_id: int
    customer: str  # who it goes to, as a person reads it ("" when nobody is known)
    channel: str
    text: str  # filled for this ticket
    blocks: tuple[str, ...]  # why it cannot be sent as is; empty when it passes
    warnings: tuple[str, ...]  # rules that warn only: sent, but listed

    @property
    def passes(self) -> bool:
        return not self.blocks


@dataclass(frozen=True)
class BulkReplyPlan:
    source: str  # the template or the typed text, before filling
    replies: tuple[PlannedReply, ...]

    @property
    def passing(self) -> list[PlannedReply]:
        return [reply for reply in self.replies if reply.passes]

    @property
    def blocked(self) -> list[PlannedReply]:
        return [reply for reply in self.replies if not reply.passes]

    def summary(self) -> str:
        said = f"{len(self.passing):,} of {len(self.replies):,} pass"
        if self.blocked:
            said += f", {len(self.blocked):,} blocked"
        warned = sum(1 for reply in self.passing if reply.warnings)
        if warned:
            said += f", {warned:,} with a warning"
        return said


def customer_of(context: Any, agent: str) -> str:
    """The customer's name as the {customer_name} placeholder finds it, else ""."""
    name, missing = fill("{customer_name}", context, agent=agent)
    return "" if missing else name


def plan_one(source: str, target: ReplyTarget, *, agent: str, rules: LintRules | None = None,
             zone: tzinfo | None = None) -> PlannedReply:
    text, missing = fill(source, target.context, agent=agent, zone=zone)
    blocks = [f"no value for {{{name}}}" for name in missing]
    warnings = []
    for warning in lint(text, target.channel, rules=rules):
        # the rule's name first: a narrow screen cuts the message, never what the rule is
        (blocks if warning.severity == BLOCK else warnings).append(f"{warning.rule.replace('_', ' ')}: {warning.message}")
    return PlannedReply(target.ticket_id, customer_of(target.context, agent), target.channel or "", text,
                        tuple(blocks), tuple(warnings))


def plan_bulk_reply(source: str, targets: Iterable[ReplyTarget], *, agent: str, rules: LintRules | None = None,
                    zone: tzinfo | None = None) -> BulkReplyPlan:
    """Every target's filled and linted reply, in the targets' order. An empty text blocks all."""
    if not source.strip():
        return BulkReplyPlan(source, tuple(
            PlannedReply(target.ticket_id, customer_of(target.context, agent), target.channel or "", "",
                         ("the reply is empty",), ()) for target in targets))
    return BulkReplyPlan(source, tuple(plan_one(source, target, agent=agent, rules=rules, zone=zone)
                                       for target in targets))
