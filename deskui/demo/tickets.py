"""Tickets and their threads: the opening message, the agents' replies and notes, follow-ups,
the audit events, and the outcomes of the clocks that stopped (written once the triage has
chosen the tier)."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

from deskui.demo.codes import token
from deskui.demo.orders import Shop
from deskui.demo.plan import Customer, Plan, huge_body
from deskui.demo.tables import (
    AGENTS, DAY, HOSTILE, HOUR, LANGUAGE, PRODUCTS, REPLY_KIND, SCENARIOS, SPIKE_PRODUCT, TAG_BY_SCENARIO, UPPER36,
    WEEKEND_SLOWDOWN, weekday,
)
from deskui.policy import Policy


class Builder(Shop):
    """Turns plans into rows: a ticket, its customer and order (``Shop``) and its thread."""

    def __init__(self, rng: random.Random, now: int, policy: Policy) -> None:
        super().__init__(rng, now)
        self.policy = policy
        self.next_message = 1

    def ticket(self, plan: Plan) -> None:
        rng = self.rng
        ticket_id = self.counts.tickets = self.counts.tickets + 1
        customer = self.customer(plan)
        lang = LANGUAGE[plan.country]
        context = self._order_for(customer, plan)
        subject, author, body = self._opening(plan, customer, lang, context)
        if plan.hostile is not None:
            suffix, text = HOSTILE[plan.hostile]
            subject += suffix
            body += "\n\n" + (text if text is not None else huge_body())
        agent = rng.choice(AGENTS)
        thread = Thread(self, ticket_id, plan, customer, lang, context, agent)
        row = getattr(thread, plan.kind)(body, author)
        self._tags(thread, customer, context)
        external = f"A{token(ticket_id, 13, UPPER36)}" if plan.channel == "amazon" else f"{plan.channel[:2]}-{token(ticket_id, 10)}"
        stamp = self.stamp
        self.rows["tickets"].append((
            ticket_id, plan.channel, plan.marketplace, external, customer.id, context["order"] or None, subject,
            row["status"], row.get("assignee"), stamp(plan.created), stamp(row.get("paused")), stamp(row.get("snoozed_until")),
            stamp(row.get("solved")), stamp(thread.last),
        ))

    def _order_for(self, customer: Customer, plan: Plan) -> dict:
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

    def _opening(self, plan: Plan, customer: Customer, lang: str, context: dict) -> tuple[str, str, str]:
        """Subject, author and body of the message that opens the ticket."""
        rng, scenario = self.rng, plan.scenario
        if scenario in self.texts.notices:
            subjects, bodies, sender = self.texts.notices[scenario]
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
            templates = self.texts.subjects[scenario][lang]
            if not context["order"]:
                templates = [t for t in templates if "{order}" not in t] or ["{item}"]
            subject = rng.choice(templates).format(**context)
            subject = self.texts.subject_frames[plan.channel].format(subject=subject, user=customer.author, **context)
        return subject, customer.author, body

    def buyer_text(self, lang: str, scenario: str, context: dict, customer: Customer, templates: Sequence[str] | None = None) -> str:
        rng = self.rng
        templates = templates or self.texts.buyer[scenario][lang]
        if not context["order"]:
            templates = [t for t in templates if "{order}" not in t] or templates
        left, right = self.texts.quote[lang]
        text = rng.choice(templates).format(**{**context, "item": f"{left}{context['item']}{right}", "order": context["order"] or "-"})
        greeting, closing = rng.choice(self.texts.greetings[lang]), rng.choice(self.texts.closings[lang])
        parts = [greeting, text, f"{closing}\n{customer.first}"] if greeting else [text, f"{closing}\n{customer.first}"]
        return "\n\n".join(parts)

    def _tags(self, thread: "Thread", customer: Customer, context: dict) -> None:
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


class Thread:
    """One ticket's conversation: messages, the audit events and the clock outcomes they imply.
    Each plan kind is a method that writes the thread and returns the ticket's status columns."""

    def __init__(self, builder: Builder, ticket_id: int, plan: Plan, customer: Customer, lang: str, context: dict, agent: tuple) -> None:
        self.b = builder
        self.rng = builder.rng
        self.now = builder.now
        self.ticket_id = ticket_id
        self.plan = plan
        self.customer = customer
        self.lang = lang
        self.context = context
        self.agent_name, _, self.speed, self.return_speed = agent
        self.texts = builder.texts
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
            message_id = self.message("out", "auto-reply", self.rng.choice(self.texts.auto_acks[self.lang]), at, auto_ack=True)
            self.event("replied", None, at, f'{{"message_id": {message_id}, "auto_ack": true}}')
            return
        kind = REPLY_KIND.get(self.plan.scenario, "info")
        body = self.rng.choice(self.texts.replies[kind][self.lang]).format(**self.context)
        message_id = self.message("out", self.agent_name, body, at)
        self.event("replied", self.agent_name, at, f'{{"message_id": {message_id}, "auto_ack": false}}')

    def note(self, at: int) -> None:
        self.message("note", self.agent_name, self.rng.choice(self.texts.notes).format(**self.context), at)
        self.event("noted", self.agent_name, at)

    def clock(self, kind: str, started: int, stopped: int, pauses: tuple = ()) -> None:
        self.b.counts.clocks.append((self.ticket_id, kind, started, stopped, self.agent_name, self.plan.channel, pauses))

    def follow_up(self, at: int) -> None:
        """The buyer writes again: a nudge, or the problem told a second way."""
        rng = self.rng
        if rng.random() < 0.5 and self.plan.scenario in self.texts.buyer:
            body = self.b.buyer_text(self.lang, self.plan.scenario, self.context, self.customer)
        else:
            hours = max(1, (at - self.plan.created) // HOUR)
            body = rng.choice(self.texts.follow_ups[self.lang]).format(hours=hours, order=self.context["order"] or "-")
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
        weekend = WEEKEND_SLOWDOWN if weekday(started) >= 5 else 1.0
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
            self.buyer(start + thanks, rng.choice(self.texts.thanks[self.lang]))
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
