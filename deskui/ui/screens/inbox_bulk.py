"""The inbox's marks and the actions on many tickets, mixed into InboxScreen: space marks, * marks
the view, and resolve, pending, escalate, snooze, tag, assign, claim and z (undo) act on the marked
tickets, else on the highlighted one. The screen keeps the bindings (the help screen reads them live)."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text

from deskui.store.workspace import parse_snooze
from deskui.text import one_line, same_name
from deskui.ui.busy import tolerate_busy
from deskui.ui.screens.dialogs import ConfirmScreen, PromptScreen

MARK_LIMIT = 10_000  # "*" marks at most this many: one transaction stays well under a second


class InboxBulk:
    """Marks and batches of InboxScreen (``ticket_list``, ``query_view``, ``store``, ``_last_batch``)."""

    def action_mark(self) -> None:
        self.ticket_list.toggle_mark()
        self._show_view()

    def action_mark_view(self) -> None:
        """Mark every ticket of the view (up to MARK_LIMIT), or clear the marks if all are."""
        ids = set(self.query_view.ids(MARK_LIMIT))
        if ids and ids <= self.ticket_list.marked:
            self.ticket_list.set_marks(set())
        else:
            self.ticket_list.set_marks(ids)
            if self.query_view.count() > MARK_LIMIT:
                self.notify(f"Marked the first {MARK_LIMIT:,} tickets of this view.", severity="warning")
        self._show_view()

    def _targets(self) -> list[int]:
        if self.ticket_list.marked:
            return sorted(self.ticket_list.marked)
        return [self.ticket_list.highlighted_id] if self.ticket_list.highlighted_id is not None else []

    @tolerate_busy
    def _apply_to_targets(self, action: str, **options) -> None:
        targets = self._targets()
        if not targets:
            return
        app = self.app
        result = self.store.bulk_apply(app.policy, app.clock, targets, action, app.agent, **options)
        self._last_batch = result
        self.ticket_list.set_marks(set())
        self.notify(result.describe() + " · z undoes it", markup=False,
                    severity="warning" if result.skipped and not result.changed else "information")
        self.ticket_list.load()
        self._show_view()
        self._show_context(self.ticket_list.highlighted_id)

    def action_bulk(self, action: str) -> None:
        self._apply_to_targets(action)

    def action_snooze(self) -> None:
        app = self.app

        def chosen(value: str | None) -> None:
            if not value:
                return
            try:
                until = parse_snooze(value, app.clock.now(), app.zone)
            except ValueError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self._apply_to_targets("snooze", snoozed_until=until)

        count = len(self._targets())
        self.app.push_screen(PromptScreen(f"Snooze {count} ticket(s) until", placeholder="2h · tomorrow 9am · friday 14:00"),
                             chosen)

    def action_tag(self) -> None:
        def chosen(value: str | None) -> None:
            words = (value or "").split()
            add = [word for word in words if not word.startswith("-")]
            remove = [word[1:] for word in words if word.startswith("-") and len(word) > 1]
            if add:
                self._apply_to_targets("tag", tags=add)
            if remove:
                self._apply_to_targets("untag", tags=remove)

        self.app.push_screen(PromptScreen(f"Tags for {len(self._targets())} ticket(s)", placeholder="vip  -spam"), chosen)

    def action_assign(self) -> None:
        """A: give the marked tickets to an agent; a name nobody here has is confirmed first."""
        known = self.store.known_agents(self.app.clock.now() - timedelta(days=30))

        def chosen(value: str | None) -> None:
            name = (value or "").strip()
            if not name:
                return
            match = same_name(name, known)  # "jose" is José: folded as the completion folds
            if match is not None or name == self.app.agent:
                self._apply_to_targets("assign", assignee=match if match is not None else name)
                return
            self.app.push_screen(
                ConfirmScreen(f"{one_line(name, limit=30)} is not an agent here yet.",
                              Text(f"Known: {one_line(', '.join(known[:12]), limit=200) or 'nobody yet'}."), yes="Assign anyway"),
                lambda yes: self._apply_to_targets("assign", assignee=name) if yes else None)

        self.app.push_screen(PromptScreen(f"Assign {len(self._targets())} ticket(s) to", placeholder="an agent's name",
                                          suggestions=known), chosen)

    @tolerate_busy
    def action_undo(self) -> None:
        done = self._last_batch
        if done is None or not done.changed:
            self.notify("Nothing to undo here.")
            return
        undone = self.store.undo(self.app.policy, self.app.clock, done, self.app.agent)
        self._last_batch = None
        self.notify(f"Undone: {done.action} on {len(undone.changed):,} ticket(s).", markup=False)
        self.ticket_list.load()
        self._show_view()

    @tolerate_busy
    def action_claim(self) -> None:
        if self.ticket_list.marked:
            self._apply_to_targets("claim")
            return
        ticket_id = self.ticket_list.highlighted_id
        if ticket_id is None:
            return
        holder = self.store.claim(self.app.clock, ticket_id, self.app.agent)
        if holder is None:
            self.notify(f"Ticket #{ticket_id} is yours.")
        else:
            self.notify(f"Ticket #{ticket_id} is already held by {one_line(holder, limit=40)}.", severity="warning")
        self.ticket_list.load()
        self._show_context(ticket_id)

    # -- a bulk reply: R ------------------------------------------------------------
    def action_bulk_reply(self) -> None:
        """R: one reply to every marked ticket, from a template (the picker: filter as you type, the
        preview filled and linted for the first marked ticket) or typed; the plan (who passes, who
        the linter blocks and why) shows before anything is sent."""
        from deskui.replies.linter import lint
        from deskui.replies.placeholders import fill
        from deskui.ui.screens.template_picker import TYPED, TemplatePickerScreen

        targets = self._targets()
        if not targets:
            self.notify("Mark tickets first (space, *): R replies to all of them.", markup=False)
            return
        app = self.app
        # every template, English first, as the list was before the picker: the marks may span
        # channels and categories, so none is "suggested" over another
        templates = sorted(app.templates.templates, key=lambda t: (t.language != "en", t.language, t.key))
        # One ticket is read for the preview (the lowest id: the plan's own preview starts there too);
        # the plan fills and lints every one of them after the choice.
        sample = next(iter(self.store.bulk_reply_targets(targets[:1])), None)

        def fill_sample(template) -> tuple[str, list[str]]:
            if sample is None:
                return template.body, []
            return fill(template.body, sample.context, agent=app.agent, zone=app.zone)

        def lint_sample(text: str) -> list:
            return lint(text, sample.channel if sample is not None else "", rules=app.lint_rules)

        def typed(value: str | None) -> None:
            if value and value.strip():
                self._plan_bulk_reply(targets, value)

        def chosen(choice) -> None:
            if choice is None:
                return
            if choice == TYPED:
                self.app.push_screen(PromptScreen(f"Reply to {len(targets):,} ticket(s)",
                                                  placeholder="Hello {customer_first_name}, …"), typed)
                return
            self._plan_bulk_reply(targets, choice.body)

        # short enough for 80 columns: the count, the way to type one, whose values the preview shows
        about = f" · preview #{sample.ticket_id}" if sample is not None else ""
        title = f"Reply to {len(targets):,} ticket(s): a template, or type one (last){about}"
        help_text = (f"Type one text for the {len(targets):,} ticket(s). Placeholders such as {{customer_first_name}} "
                     "and {order_id} are filled for each ticket, and the linter runs on each, before anything is sent.")
        self.app.push_screen(TemplatePickerScreen(title, templates, (), fill_sample, lint_sample,
                                                  typed="Type a reply instead…", typed_help=help_text), chosen)

    @tolerate_busy
    def _plan_bulk_reply(self, ticket_ids: list[int], source: str) -> None:
        from deskui.replies.bulk import plan_bulk_reply
        from deskui.ui.screens.bulk_reply import BulkReplyScreen

        app = self.app
        targets = self.store.bulk_reply_targets(ticket_ids)
        plan = plan_bulk_reply(source, targets, agent=app.agent, rules=app.lint_rules, zone=app.zone)

        def done(result) -> None:
            if result is None:
                return
            self.ticket_list.set_marks(set())
            self.ticket_list.load()
            self._show_view()

        app.push_screen(BulkReplyScreen(plan, targets, f"Bulk reply to {len(targets):,} ticket(s)"), done)
