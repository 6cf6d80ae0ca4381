"""The ticket's own actions, mixed into TicketScreen: claim or assign, resolve, pending, snooze,
escalate, tags. Each one writes through the store and reads the ticket again."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text

from deskui.store.workspace import parse_snooze
from deskui.text import one_line
from deskui.ui.busy import tolerate_busy
from deskui.ui.screens.dialogs import ConfirmScreen, PromptScreen
from deskui.when import describe as describe_when


class TicketActions:
    """Status, assignment and tags of TicketScreen's ticket (``ticket_id``, ``context``, ``store``)."""

    @tolerate_busy
    def _guarded(self, action, value) -> None:
        action(value)

    def _after_action(self, message: str) -> None:
        self.notify(message)
        self._reload()

    def action_assign(self) -> None:
        """a: claim (your name), reassign (another known name; a new one is confirmed first),
        take over a ticket someone else holds (confirmed), or unassign (empty)."""
        app = self.app
        known = self.store.known_agents(app.clock.now() - timedelta(days=30))

        def assign(name: str | None) -> None:
            if name is None:
                return
            name = name.strip()
            if not name:
                self.store.unassign(app.clock, self.ticket_id, app.agent)
                self._after_action("Unassigned.")
                return
            matches = [agent for agent in known if agent.lower() == name.lower()]
            if matches:
                name = matches[0]
            elif name != app.agent:
                self.app.push_screen(
                    ConfirmScreen(f"{one_line(name, limit=30)} is not an agent here yet.",
                                  Text(f"Known: {one_line(', '.join(known[:12]), limit=200) or 'nobody yet'}. Assign to {one_line(name, limit=30)} anyway?"), yes="Assign"),
                    lambda yes: self._guarded(give, name) if yes else None)
                return
            if name == app.agent:
                holder = self.store.claim(app.clock, self.ticket_id, app.agent)
                if holder is not None:
                    self.app.push_screen(
                        ConfirmScreen(f"Held by {one_line(holder, limit=30)}", Text("Take it over? They are told by the event log."),
                                      yes="Take it"),
                        lambda yes: self._guarded(give, app.agent) if yes else None)
                    return
                self._after_action("Claimed: it is yours.")
                return
            give(name)

        def give(name: str) -> None:
            self.store.claim(app.clock, self.ticket_id, name, force=True)
            self._after_action("Taken over: it is yours." if name == app.agent else f"Assigned to {one_line(name, limit=30)}.")

        current = self.context.ticket["assignee"] if self.context else None
        self.app.push_screen(
            PromptScreen("Assign to (your name claims it; empty unassigns)", value=self.app.agent if not current else current,
                         hint="Names complete from the agents here (→ accepts). Someone else's ticket is taken only after you confirm.",
                         suggestions=known),
            lambda value: self._guarded(assign, value),
        )

    @tolerate_busy
    def action_resolve(self) -> None:
        app = self.app
        solved = self.context is not None and self.context.ticket["status"] == "solved"
        self.store.set_status(app.policy, app.clock, self.ticket_id, "open" if solved else "solved", app.agent)
        self._after_action("Reopened." if solved else "Solved.")

    @tolerate_busy
    def action_pending(self) -> None:
        """w: pending on the buyer; w again takes it back (open, clocks running)."""
        app = self.app
        if self.context is not None and self.context.ticket["status"] == "pending":
            self.store.set_status(app.policy, app.clock, self.ticket_id, "open", app.agent)
            self._after_action("Open again: the clock runs.")
            return
        self.store.set_status(app.policy, app.clock, self.ticket_id, "pending", app.agent)
        self._after_action("Pending on the buyer: the clock is paused until they write (w takes it back).")

    def action_snooze(self) -> None:
        app = self.app

        def snooze(value: str | None) -> None:
            if value is None:
                return
            now = app.clock.now()
            try:
                until = parse_snooze(value, now, app.zone)
            except ValueError as error:
                self.notify(one_line(str(error)), severity="error")
                return
            self.store.set_status(app.policy, app.clock, self.ticket_id, "snoozed", app.agent, snoozed_until=until)
            self._after_action(f"Snoozed until {describe_when(until, app.zone, now)}.")

        self.app.push_screen(PromptScreen("Snooze until", placeholder="30m · 2h · tomorrow 9am · friday 14:00 · next monday · eod"),
                             lambda value: self._guarded(snooze, value))

    @tolerate_busy
    def action_escalate(self) -> None:
        tier = self.store.escalate(self.app.policy, self.app.clock, self.ticket_id, self.app.agent)
        self._after_action(f"Escalated: tier {tier}.")

    def action_tag(self) -> None:
        def tag(value: str | None) -> None:
            if not value:
                return
            add = tuple(t for t in value.split(",") if t.strip() and not t.strip().startswith("-"))
            remove = tuple(t.strip()[1:] for t in value.split(",") if t.strip().startswith("-"))
            try:
                self.store.set_tags(self.app.policy, self.app.clock, self.ticket_id, self.app.agent, add=add, remove=remove)
            except ValueError as error:
                self.notify(str(error), severity="error")
                return
            self._after_action("Tags updated.")

        self.app.push_screen(PromptScreen("Tags (comma separated; -tag removes)", placeholder="a-to-z risk, fragile"),
                             lambda value: self._guarded(tag, value))
