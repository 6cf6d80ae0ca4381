"""The ticket's own actions, mixed into TicketScreen: claim or assign, resolve, pending, snooze,
escalate, tags, and u to undo the last of them. Each one is a bulk action on this one ticket
(``store.bulk_apply``): its event keeps what the ticket was before, which is what u puts back
(deskui/store/undo.py). Each writes through the store and reads the ticket again."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text

from deskui.store.undo import UndoRefused, last_undoable, undo_last
from deskui.store.workspace import normalise_tag, parse_snooze
from deskui.text import one_line, same_name
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

    def _apply(self, action: str, **options):
        """One action on this ticket, undoable with u; the store's BulkResult."""
        app = self.app
        return self.store.bulk_apply(app.policy, app.clock, [self.ticket_id], action, app.agent, **options)

    def _done(self, message: str) -> None:
        self._after_action(f"{message} (u undoes it)")

    @tolerate_busy
    def action_undo(self) -> None:
        """u: undo your last change to this ticket, unless someone else changed it since."""
        app = self.app
        try:
            last = last_undoable(self.conn, self.ticket_id, app.agent)
            undone = undo_last(self.conn, app.policy, app.clock, self.ticket_id, app.agent, batch=last.batch, zone=app.zone)
        except UndoRefused as refused:
            self.notify(str(refused), severity="warning", markup=False)
            self._reload()
            return
        self.notify(f"Undone: {one_line(undone.describe(), limit=60)}.", markup=False)
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
                self._apply("unassign")
                self._done("Unassigned.")
                return
            match = same_name(name, known)  # "jose" is José: folded as the completion folds
            if match is not None:
                name = match
            elif name != app.agent:
                self.app.push_screen(
                    ConfirmScreen(f"{one_line(name, limit=30)} is not an agent here yet.",
                                  Text(f"Known: {one_line(', '.join(known[:12]), limit=200) or 'nobody yet'}. Assign to {one_line(name, limit=30)} anyway?"), yes="Assign"),
                    lambda yes: self._guarded(give, name) if yes else None)
                return
            if name == app.agent:
                claimed = self._apply("claim")
                if not claimed.changed:
                    self._reload()
                    holder = (self.context.ticket["assignee"] if self.context else None) or "someone"
                    self.app.push_screen(
                        ConfirmScreen(f"Held by {one_line(holder, limit=30)}", Text("Take it over? They are told by the event log."),
                                      yes="Take it"),
                        lambda yes: self._guarded(give, app.agent) if yes else None)
                    return
                self._done("Claimed: it is yours.")
                return
            give(name)

        def give(name: str) -> None:
            self._apply("assign", assignee=name)
            self._done("Taken over: it is yours." if name == app.agent else f"Assigned to {one_line(name, limit=30)}.")

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
        self._apply("reopen" if solved else "resolve")
        self._done("Reopened." if solved else "Solved.")

    @tolerate_busy
    def action_pending(self) -> None:
        """w: pending on the buyer; w again takes it back (open, clocks running)."""
        if self.context is not None and self.context.ticket["status"] == "pending":
            self._apply("reopen")
            self._done("Open again: the clock runs.")
            return
        self._apply("pending")
        self._done("Pending on the buyer: the clock is paused until they write (w takes it back).")

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
            self._apply("snooze", snoozed_until=until)
            self._done(f"Snoozed until {describe_when(until, app.zone, now)}.")

        self.app.push_screen(PromptScreen("Snooze until", placeholder="30m · 2h · tomorrow 9am · friday 14:00 · next monday · eod"),
                             lambda value: self._guarded(snooze, value))

    @tolerate_busy
    def action_escalate(self) -> None:
        self._apply("escalate")
        self._reload()
        self._done(f"Escalated: tier {self.context.ticket['tier'] if self.context else '?'}.")

    def action_tag(self) -> None:
        def tag(value: str | None) -> None:
            if not value:
                return
            try:
                add = [normalise_tag(t) for t in value.split(",") if t.strip() and not t.strip().startswith("-")]
                remove = [normalise_tag(t.strip()[1:]) for t in value.split(",") if t.strip().startswith("-")]
            except ValueError as error:
                self.notify(str(error), severity="error")
                return
            # two changes when both: u undoes the removal first, then the addition
            if add:
                self._apply("tag", tags=add)
            if remove:
                self._apply("untag", tags=remove)
            self._done("Tags updated.")

        self.app.push_screen(PromptScreen("Tags (comma separated; -tag removes)", placeholder="a-to-z risk, fragile"),
                             lambda value: self._guarded(tag, value))
