"""The inbox: the risk-sorted list, the order panel beside it, and the keys to find work.

Marks and the actions on many tickets are InboxBulk (inbox_bulk.py); this screen holds their bindings."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Resize
from textual.screen import Screen
from rich.text import Text
from textual.widgets import Footer, Input, Static

from deskui.policy.model import CHANNELS
from deskui.store.inbox import SORT_LABELS, SORTS, InboxFilter, KeptCounts, state_counts
from deskui.text import one_line
from deskui.ui.changes import StoreChanged
from deskui.ui.outage import read_or
from deskui.ui.screens.columns import remembered_columns
from deskui.ui.screens.dialogs import PromptScreen
from deskui.ui.screens.inbox_bulk import InboxBulk
from deskui.ui.widgets.order_panel import OrderPanel
from deskui.ui.widgets.status_bar import StatusBar
from deskui.ui.widgets.ticket_list import TicketList
from deskui.ui.workers import WorkerReports
from deskui.views import views_by_key

VIEW_COUNT_SECONDS = 30.0  # views by state or age are counted again this often when nothing changed
WIDE = 110  # from this width the order panel sits beside the list, below it otherwise


class InboxScreen(InboxBulk, WorkerReports, Screen[None]):

    BINDINGS = [
        Binding("slash", "search", "Search", id="inbox.search"),
        Binding("n", "next_ticket", "Next urgent", id="inbox.next"),
        Binding("a", "claim", "Claim", id="inbox.claim"),
        Binding("m", "filter_mine", "Mine", id="inbox.mine"),
        Binding("u", "filter_unassigned", "Unassigned", show=False, id="inbox.unassigned"),
        Binding("b", "filter_urgent", "Breached/imminent", id="inbox.urgent"),
        Binding("t", "filter_tier", "Tier", show=False, id="inbox.tier"),
        Binding("c", "filter_channel", "Channel", show=False, id="inbox.channel"),
        Binding("o", "cycle_sort", "Sort", id="inbox.sort"),
        Binding("escape", "clear_filters", "Clear filters", show=False, id="inbox.clear"),
        Binding("p", "toggle_panel", "Panel", show=False, id="inbox.panel"),
        Binding("B", "board", "Board", id="inbox.board"),
        Binding("H", "health", "Health", id="inbox.health"),
        Binding("question_mark", "help", "Help", id="inbox.help"),
        Binding("q", "app.quit", "Quit", show=False, id="inbox.quit"),
        # On the marked tickets (space marks, * marks the view), else on the highlighted one.
        Binding("space", "mark", "Mark", id="inbox.mark"),
        Binding("asterisk", "mark_view", "Mark all", show=False, id="inbox.mark_view"),
        Binding("x", "bulk('resolve')", "Resolve", show=False, id="inbox.resolve"),
        Binding("w", "bulk('pending')", "Pending", show=False, id="inbox.pending"),
        Binding("e", "bulk('escalate')", "Escalate", show=False, id="inbox.escalate"),
        Binding("s", "snooze", "Snooze", show=False, id="inbox.snooze"),
        Binding("plus", "tag", "Tag", show=False, id="inbox.tag"),
        Binding("A", "assign", "Assign to…", show=False, id="inbox.assign"),
        Binding("z", "undo", "Undo", show=False, id="inbox.undo"),
        Binding("R", "bulk_reply", "Reply to marked", show=False, id="inbox.bulk_reply"),
        Binding("number_sign", "goto", "Go to #", show=False, id="inbox.goto"),
        Binding("C", "columns", "Columns: show, hide, reorder", show=False, id="inbox.columns"),
        *[Binding(str(key), f"view({key})", f"View {key}", show=False, id=f"inbox.view{key}") for key in range(1, 10)],
    ]

    def __init__(self) -> None:
        super().__init__()
        app = self.app
        self.store = app.store
        self.query_view = self.store.inbox_query(app.policy, agent=app.agent)
        self.views = views_by_key(app.views)
        self._view_counts: dict[int, int] = {}
        self._views_stale = True
        self._views_counted_at = None
        self._counting_views = False  # one views count in flight at most
        self.ticket_list = TicketList(self.query_view, app.clock, app.policy, app.zone, columns=remembered_columns(app), id="tickets")
        self.panel = OrderPanel(app.clock, app.policy, id="panel")
        self.status_bar = StatusBar(app.agent, app.zone, id="status")
        self._ticks = 0
        self._last_batch = None  # the last action taken from this screen, for z
        self._counts_stale = False
        self._retry_triage = False
        self._kept_counts = KeptCounts(app.policy)
        self._indexing = self._index_again = self._leaving = False
        self._index_problem: str | None = None
        # The view as it was before a search, with its pages, count and cursor: esc puts it back
        # without reading it again (4.7 s at a million open tickets), unless tickets changed since.
        self._unsearched = None
        self._unsearched_stale = False
        self._counting = False  # one count worker in flight at most: a running query cannot be stopped
        self._count_conn = None  # the count worker's own connection, kept between counts

    def compose(self) -> ComposeResult:
        # Before the children exist: a class set later restyles the whole screen (25 ms at launch).
        self._set_width_class(self.app.size.width)
        yield self.status_bar
        yield Static("", id="views", markup=False)
        yield Static("", id="view", markup=False)
        with Horizontal(id="main"):
            yield self.ticket_list
            yield self.panel
        yield Input(placeholder="search subject, customer, order id, message text — enter to apply, esc to cancel", id="search")
        yield Footer()

    def on_mount(self) -> None:
        self.ticket_list.load()
        self._show_view()
        self._tick()
        self.set_interval(1.0, self._tick)
        self.ticket_list.focus()
        # Background work waits for the first paint: worker threads share the GIL with it.
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        self._count_states()
        self._triage_backlog()
        self._index_search()

    # -- the search index -----------------------------------------------------------------
    def _index_search(self) -> None:
        """Fold rows written since into the search index, in a worker (one at a time). Until it
        has, a search reads those rows by LIKE: the same answer, slower."""
        if self._indexing:
            self._index_again = True
            return
        if self.store.read_only:
            return  # nothing can be written: a search reads the pending rows by LIKE
        self._indexing, self._index_again = True, False
        self._index_worker()

    @work(thread=True, group="search-index", exit_on_error=False)
    def _index_worker(self) -> None:
        problem = None
        try:
            self.store.index_search(stop=lambda: self._leaving)
        except sqlite3.Error as error:
            # A full disk, a lock held past the timeout: the rows stay noted and are indexed at the
            # next change; the search reads them by LIKE meanwhile. Said once, in one line.
            problem = str(error).splitlines()[0] if str(error) else type(error).__name__
        self.app.call_from_thread(self._index_done, problem)

    def _index_done(self, problem: str | None) -> None:
        self._indexing = False
        if problem and problem != self._index_problem:
            self.notify(f"Search index not updated ({problem}); searches still find everything, more slowly.",
                        severity="warning", markup=False)
        self._index_problem = problem
        if self._index_again and not self._leaving:
            self._index_search()

    def on_resize(self, event: Resize) -> None:
        self._set_width_class(event.size.width)

    def _set_width_class(self, width: int) -> None:
        self.set_class(width >= WIDE, "wide")
        self.set_class(width < WIDE, "narrow")

    # -- time and change ------------------------------------------------------------------
    def _tick(self) -> None:
        now = self.app.clock.now()
        self.status_bar.problem = self.app.failure_line()
        self.status_bar.alerts = self.app.fired_alerts
        self.status_bar.show(now)
        if self._retry_triage:
            self._retry_triage = False
            self._triage_backlog()
        self.ticket_list.tick()
        self.panel.tick()
        counts = self.status_bar.counts
        if counts is not None and counts.next_change is not None and now >= counts.next_change:
            counts.next_change = None  # asked once: the recount brings the next one
            self._counts_stale = True  # a clock crossed one of its instants: the counts moved
        if self._counts_stale:
            self._counts_stale = False
            self._count_states()
        self._ticks += 1
        if self._ticks % 5 == 0:  # stale heartbeats expire with time, not with writes
            self._show_presence()
            self._show_mailboxes()

    def on_store_changed(self, message: StoreChanged) -> None:
        """The app's watcher saw commits (another process's, or this app's own)."""
        changes = message.changes
        tickets_moved = "tickets" in changes.tables or changes.overflow
        if tickets_moved or "messages" in changes.tables:
            self._triage_backlog()
            self._index_search()
            self._unsearched_stale = True  # the list kept for esc must be read again
        # Presence, drafts, the outbox (a ticket screen's own heartbeats among them) leave the list
        # as it was: re-reading it would place the cursor again over the whole view for nothing.
        if tickets_moved or ("messages" in changes.tables and self.query_view.filter.search):
            self.ticket_list.load()
            self._show_view()
        if tickets_moved:
            self._counts_stale = True  # recounted by the next tick: at most once a second under a write storm
            self._views_stale = True
        if self.ticket_list.highlighted_id in changes.ticket_ids or changes.overflow or "orders" in changes.tables:
            self._show_context(self.ticket_list.highlighted_id)
        if "presence" in changes.tables or changes.overflow:
            self._show_presence()

    def _show_presence(self) -> None:
        """Other agents viewing or replying, on the visible rows only."""
        found = self.store.presence_by_ticket(self.app.clock, self.ticket_list.visible_ids())
        markers = {}
        for ticket_id, people in found.items():
            others = [p for p in people if p.agent != self.app.agent]
            if others:
                replying = [p for p in others if p.activity == "replying"]
                shown = (replying or others)[0]
                markers[ticket_id] = ("✎" if replying else "◉") + one_line(shown.agent, limit=12)
        self.ticket_list.set_presence(markers)

    def retry(self, group: str) -> None:
        """A worker failed (the app said so): try it again at the next tick."""
        if group == "counts":
            self._counts_stale = True
        elif group == "triage":
            self._retry_triage = True
        elif group == "view-counts":
            self._counting_views, self._views_stale = False, True

    @work(thread=True, exclusive=True, group="triage", exit_on_error=False)
    def _triage_backlog(self) -> None:
        """Triage rows other programs wrote without a tier; the watcher sees our commit."""
        self.store.triage_backlog(self.app.policy, self.app.clock)

    def _count_states(self) -> None:
        if self._counting:
            self._counts_stale = True  # asked again while one runs: once more when it is done
            return
        self._counting = True
        self._count_worker()

    @work(thread=True, group="counts", exit_on_error=False)
    def _count_worker(self) -> None:
        try:
            if self._count_conn is None:
                # A full count sorts every open ticket for its GROUP BY: in a temporary file, not
                # in memory, the process holds 23 MB at a million instead of 140 (and it is faster).
                self._count_conn = self.store.worker_connection(temp_file=True)
            # state_counts is looked up here, at the call, so a test can stand in for it.
            counts = self.store.count_states(self._kept_counts, self._count_conn, self.app.clock.now(), recount=state_counts)
        except BaseException:
            self._drop_count_conn()
            self.app.call_from_thread(self._count_done)
            raise
        self.app.call_from_thread(self._count_done, counts)

    def _drop_count_conn(self) -> None:
        conn, self._count_conn = self._count_conn, None
        if conn is not None:
            conn.close()

    def _count_done(self, counts=None) -> None:
        self._counting = False
        if not self.is_attached:
            self._drop_count_conn()
            return
        if counts is not None:
            self._show_counts(counts)

    def _show_counts(self, counts) -> None:
        self.status_bar.counts = counts
        now = self.app.clock.now()
        self.status_bar.show(now)
        # A view's count moves when a ticket changes, or (a view by state or age) with time. The
        # header counts move every second at a million open tickets, as clocks cross their
        # instants; counting every view that often would cost far more than the header does.
        due = self._views_counted_at is None or (now - self._views_counted_at).total_seconds() >= VIEW_COUNT_SECONDS
        if (self._views_stale or due) and not self._counting_views:
            self._views_stale, self._views_counted_at, self._counting_views = False, now, True
            self._count_views()

    # -- the highlighted ticket ----------------------------------------------------------
    @on(TicketList.Highlighted)
    def _highlighted(self, event: TicketList.Highlighted) -> None:
        self._show_context(event.ticket_id)

    def _show_context(self, ticket_id: int | None) -> None:
        # During an outage the panel stays empty (no stale ticket's details under another row)
        # until a highlight, or the server's return (after_outage), reads it again.
        self.panel.show(read_or(self.app, None, self.store.ticket_context, ticket_id) if ticket_id is not None else None)

    def after_outage(self) -> None:
        """The server answers again: what changed meanwhile is read, as after a feed overflow."""
        self.ticket_list.load()
        self._show_view()
        self._counts_stale = self._views_stale = True
        self._show_context(self.ticket_list.highlighted_id)

    @on(TicketList.Selected)
    def _selected(self, event: TicketList.Selected) -> None:
        from deskui.ui.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(event.ticket_id))

    # -- filters and sorts ---------------------------------------------------------------
    def _apply(self, view_filter: InboxFilter | None = None, sort: str | None = None) -> None:
        query = self.query_view.with_view(sort=sort, filter=view_filter)
        self.query_view = query
        self.ticket_list.load(query)
        self._show_view()

    def action_goto(self) -> None:
        """#: open a ticket by its id or its order number, wherever it is (solved ones too)."""
        def chosen(value: str | None) -> None:
            if not value:
                return
            ticket_id = self.store.find_ticket(value)
            if ticket_id is None:
                self.notify(f"No ticket {one_line(value, limit=40)}.", severity="warning", markup=False)
                return
            from deskui.ui.screens.ticket import TicketScreen

            self.app.push_screen(TicketScreen(ticket_id))

        self.app.push_screen(PromptScreen("Go to ticket", placeholder="#1234 or an order number"), chosen)

    def action_columns(self) -> None:
        """C: show, hide and order the list's columns (screens/columns.py); the list follows each
        change from the rows it holds, and the choice is remembered when the box closes."""
        from deskui.ui.screens.columns import ColumnsScreen, remember_columns

        ticket_list = self.ticket_list
        before = ticket_list.choice
        box = ColumnsScreen(before, width=ticket_list.scrollable_content_region.width,
                            sort=self.query_view.sort, on_change=ticket_list.set_columns)
        self.app.push_screen(box, lambda choice: remember_columns(self.app, choice) if choice and choice != before else None)

    def _show_mailboxes(self) -> None:
        """The mail connection as `deskui sync` wrote it (it may run as its own service)."""
        from deskui.connect.state import mailbox_statuses

        try:
            self.status_bar.mailboxes = mailbox_statuses(self.store.conn)
        except sqlite3.Error:
            self.status_bar.mailboxes = []

    def action_view(self, key: int) -> None:
        """1-9: a saved view (built-in or from the config's [[views]]); its sort, if it names one."""
        view = self.views.get(key)
        if view is None:
            self.notify(f"No view on {key}: add one with [[views]] in the config file.", markup=False)
            return
        self._apply(InboxFilter(view=view if view.name != "All" or view.key != 1 else None), sort=view.sort or "risk")

    @work(thread=True, exclusive=True, group="view-counts", exit_on_error=False)
    def _count_views(self) -> None:
        """How many tickets each view holds now, for the views line."""
        counts = {}
        with self.store.reading() as conn:
            for key, view in self.views.items():
                query = self.store.inbox_query(self.app.policy, conn=conn, filter=InboxFilter(view=view), agent=self.app.agent)
                query.set_now(self.app.clock.now())
                counts[key] = query.count()
        self.app.call_from_thread(self._show_view_counts, counts)

    def _show_view_counts(self, counts: dict[int, int]) -> None:
        self._counting_views = False
        self._view_counts = counts
        self._show_views()

    def _show_views(self) -> None:
        current = self.query_view.filter.view
        line = Text(no_wrap=True, overflow="ellipsis")
        for key, view in self.views.items():
            active = view == current or (current is None and key == 1)
            count = self._view_counts.get(key)
            label = f" {key} {view.name}" + (f" {count:,}" if count is not None else "") + " "
            line.append(label, style="bold reverse" if active else "")
            line.append(" ")
        self.query_one("#views", Static).update(line)

    def _show_view(self) -> None:
        self._show_views()
        query = self.query_view
        view = self.query_one("#view", Static)
        marked = len(self.ticket_list.marked)
        prefix = f"● {marked:,} marked (R reply, esc clears) · " if marked else ""
        view.update(f"{prefix}{query.count():,} ticket(s) · sorted by {SORT_LABELS[query.sort]} · {query.filter.describe()}")

    def action_filter_mine(self) -> None:
        current = self.query_view.filter
        self._apply(replace(current, agent=None if current.agent else self.app.agent, unassigned=False))

    def action_filter_unassigned(self) -> None:
        current = self.query_view.filter
        self._apply(replace(current, unassigned=not current.unassigned, agent=None))

    def action_filter_urgent(self) -> None:
        current = self.query_view.filter
        self._apply(replace(current, urgent=not current.urgent))

    def action_filter_tier(self) -> None:
        tiers = [None] + [tier.name for tier in sorted(self.app.policy.tiers, key=lambda t: t.rank)]
        current = self.query_view.filter
        self._apply(replace(current, tier=tiers[(tiers.index(current.tier) + 1) % len(tiers)] if current.tier in tiers else None))

    def action_filter_channel(self) -> None:
        channels = [None, *CHANNELS]
        current = self.query_view.filter
        self._apply(replace(current, channel=channels[(channels.index(current.channel) + 1) % len(channels)] if current.channel in channels else None))

    def action_cycle_sort(self) -> None:
        sorts = list(SORTS)
        self._apply(sort=sorts[(sorts.index(self.query_view.sort) + 1) % len(sorts)])

    def action_clear_filters(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_class("visible"):
            search.remove_class("visible")
            self.ticket_list.focus()
            return
        if self.ticket_list.marked:
            self.ticket_list.set_marks(set())
            self._show_view()
            return
        if self.query_view.filter != InboxFilter():
            kept = self._unsearched
            if (kept is not None and kept[0].filter == InboxFilter() and kept[0].sort == self.query_view.sort
                    and self.query_view.filter.search):
                self._restore_unsearched()
            else:
                self._apply(InboxFilter())

    def _apply_search(self, text: str | None) -> None:
        current = self.query_view.filter
        if not current.search:
            # Kept as it is: its cached pages and count, and where the cursor was.
            self._unsearched = (self.query_view, self.ticket_list.cursor, self.ticket_list.scroll_y, self.ticket_list.highlighted_id)
            self._unsearched_stale = False
        elif (text is None and self._unsearched is not None and self._unsearched[0].filter == replace(current, search=None)
              and self._unsearched[0].sort == self.query_view.sort):
            self._restore_unsearched()
            return
        self._apply(replace(current, search=text))

    def _restore_unsearched(self) -> None:
        query, cursor, scroll_y, ticket_id = self._unsearched
        self._unsearched = None
        self.query_view = query
        if self._unsearched_stale:
            query.invalidate()  # tickets changed meanwhile: read again, the cursor at its ticket if it moved
        self.ticket_list.load(query, keep=ticket_id if self._unsearched_stale else None)
        if not self._unsearched_stale:
            self.ticket_list.scroll_to(y=scroll_y, animate=False)
            self.ticket_list.cursor = min(cursor, max(self.ticket_list.count - 1, 0))
        self._show_view()

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = self.query_view.filter.search or ""
        search.add_class("visible")
        search.focus()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.input.remove_class("visible")
        text = event.value.strip() or None
        self._apply_search(text)
        self.ticket_list.focus()

    def action_toggle_panel(self) -> None:
        self.toggle_class("panel-hidden")

    def action_next_ticket(self) -> None:
        ticket_id = self.query_view.next_unassigned()
        if ticket_id is None:
            self.notify("No unassigned open ticket.")
            return
        position = self.query_view.position_of(ticket_id)
        if position is None:  # hidden by the current filters: show everything again
            self._apply(InboxFilter(), sort="risk")
            position = self.query_view.position_of(ticket_id)
        if position is not None:
            self.ticket_list.cursor = position

    def action_board(self) -> None:
        from deskui.ui.screens.board import BoardScreen

        self.app.push_screen(BoardScreen())

    def action_health(self) -> None:
        from deskui.ui.screens.health import HealthScreen

        self.app.push_screen(HealthScreen())

    def action_help(self) -> None:
        from deskui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.app.binding_rows(), "Inbox keys"))

    def on_unmount(self) -> None:
        self._leaving = True  # the index worker stops after its batch
        if not self._counting:
            self._drop_count_conn()


