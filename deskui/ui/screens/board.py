"""The lead's live board, readable from across the room."""

from __future__ import annotations

import sqlite3

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Digits, Footer, Static

from deskui import sla
from deskui.sla import SlaState
from deskui.store import StoreError
from deskui.store.board import BoardData, local_day_start
from deskui.store.live_board import LiveBoard
from deskui.text import one_line
from deskui.timeutil import format_minutes
from deskui.ui.widgets.order_panel import CATEGORY_LABELS
from deskui.ui.widgets.status_bar import STATE_STYLES
from deskui.ui.changes import StoreChanged
from deskui.ui.outage import said
from deskui.ui.workers import WorkerReports

RETRY_SECONDS = 0.5  # changed tickets whose re-read failed are read again this soon
EVENTS_SECONDS = 10.0  # who is active: events are not in the change feed
MAX_CARDS = 8  # big countdowns on a wall screen; one per CARD_WIDTH columns, at least two
CARD_WIDTH = 40
SLOW_SECONDS = 300.0  # the 7-day handle-time medians and 3-day spikes barely move between two changes
FRT_YELLOW_MINUTES = 8 * 60  # the board's own early colour, before analytics' 12 h warning
STATES = ("breached", "imminent", "at_risk", "on_track", "paused", "met", "missed")
PANELS = {"matrix": "OPEN TICKETS BY TIER × SLA STATE", "forecast": "BREACH FORECAST (if nothing changes)",
          "agents": "AGENTS", "alerts": "ALERTS & SPIKES"}


def _reading(heading: str) -> Text:
    text = Text()
    text.append(heading + "\n", style="bold")
    text.append("reading the open tickets…", style="dim")
    return text


def digits_countdown(left) -> str:
    """The countdown in what Digits can draw: ``8h14m`` as ``8:14``, ``4d15h`` as ``4 15``."""
    text = sla.format_countdown(left)
    if "d" in text:
        return text.replace("d", " ").replace("h", "")
    return text.replace("h", ":").replace("m", "")


class BreachCard(Vertical):
    """One of the next tickets to breach, its countdown in big digits (styled in board.tcss)."""

    def compose(self) -> ComposeResult:
        yield Digits("--:--")
        yield Static("", classes="caption", markup=False)


class BoardScreen(WorkerReports, Screen[None]):
    BINDINGS = [
        Binding("p", "pause", "Pause", id="board.pause"),
        Binding("r", "refresh_now", "Refresh", id="board.refresh"),
        Binding("escape", "back", "Back", id="board.back"),
        Binding("q", "leave", "Quit", id="board.quit"),
        # On a small terminal the panels stack and scroll; nothing on the board takes focus.
        Binding("down,j", "scroll_panels('down')", "Scroll", show=False),
        Binding("up,k", "scroll_panels('up')", "Scroll", show=False),
        Binding("pagedown,space", "scroll_panels('page_down')", "Scroll", show=False),
        Binding("pageup", "scroll_panels('page_up')", "Scroll", show=False),
        Binding("home", "scroll_panels('home')", "Scroll", show=False),
        Binding("end", "scroll_panels('end')", "Scroll", show=False),
    ]

    def __init__(self, *, standalone: bool = False) -> None:
        super().__init__()
        self.standalone = standalone
        self.paused = False
        self.data: BoardData | None = None
        self.spikes: dict = {}
        self.live = LiveBoard(self.app.policy)
        self._loaded = False  # ``live`` holds the open tickets (it goes on counting during a re-read)
        self._reading = True  # a full read is under way: changes wait for it
        self._retry_load = False  # the last full read failed: the next tick reads again
        self._pending: set[int] = set()  # changed tickets not applied yet
        self._overflowed = False  # the feed lost track: everything is read again
        self._applying = False
        self._handle: dict[str, float] | None = None  # measured after the board is on screen
        self._look_at = None  # when the first look (counted in SQL) was taken, shown until the load lands
        self._looking = self._look_wanted = False  # a look is being taken again; another is wanted after it
        self.store = self.app.store

    def compose(self) -> ComposeResult:
        # Before the children exist (``_fit`` then finds it set): a class set later restyles them all.
        self.set_class(self.app.size.width < 100, "narrow")
        yield Static("", id="title", markup=False)
        with Horizontal(id="cards"):
            for _ in range(MAX_CARDS):
                yield BreachCard()
        # The panels' headings and a "reading" line paint at once; the numbers fill in when the
        # worker has read the open tickets.
        with Grid(id="grid"):
            for panel, heading in PANELS.items():
                yield Static(_reading(heading), id=panel, markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._fit()
        self.set_interval(1.0, self._tick)
        self.set_interval(EVENTS_SECONDS, self._catch_up_events)
        self.set_interval(SLOW_SECONDS, self._measure_slow)
        # The first look starts at once: SQLite counts without the GIL (sqlite3 releases it while
        # a statement steps), so it overlaps the first frame's layout and paint.
        self._load()

    def on_resize(self) -> None:
        self._fit()
        if self.data is not None:
            self._render_tables()

    def _fit(self) -> None:
        width = self.app.size.width
        self.set_class(width < 100, "narrow")
        shown = 2 if width < 100 else max(2, min(MAX_CARDS, width // CARD_WIDTH))
        for index, card in enumerate(self.query(BreachCard)):
            card.display = index < shown

    def _day_start(self):
        return local_day_start(self.app.clock.now(), self.app.zone)

    @work(thread=True, exclusive=True, group="board-load", exit_on_error=False)
    def _load(self) -> None:
        """Once, and again only when the change feed overflowed or the lead asks (r): every
        open ticket, read into the live board. From then on only changed tickets are read.
        The first time, the database counts what the board shows first (index scans: 0.6 s at a
        million open tickets, where the full read takes ~9 s), and that is painted meanwhile."""
        with self.store.reading() as conn:
            if self.data is None:
                look_at = self.app.clock.now()
                look = self.store.board_first_look(self.app.policy, conn, look_at, self._day_start(), limit=MAX_CARDS)
                self.app.call_from_thread(self._first_look, look, look_at)
            live = self.store.load_board(self.app.policy, conn, self.app.clock.now(), self._day_start())
        self.app.call_from_thread(self._loaded_board, live)

    def _first_look(self, look: BoardData, look_at) -> None:
        """Counts as of one instant, shown until the live board holds the open tickets (the title
        says it is still reading; changes meanwhile wait and are applied to the live board)."""
        if self._loaded or self.data is not None:
            return
        self.data, self._look_at = look, look_at
        self._render_tables()
        self._tick()

    def _loaded_board(self, live: LiveBoard) -> None:
        self.live, self._loaded, self._reading = live, True, False
        self._tick()
        self._catch_up()  # what changed while it was read
        if self._handle is None:
            # The 7-day handle times and the spikes (~0.7 s at 100k) come after the counts are on
            # screen; the forecast says it is measuring until then.
            self._measure_slow()

    def _slow_figures(self, conn, now) -> tuple[dict[str, float], dict]:
        # Imported here: importing deskui.analytics costs ~0.2 s of CPU, after the counts are shown.
        from deskui.analytics import metrics
        from deskui.analytics.board import handle_minutes

        handle = handle_minutes(conn, self.app.policy, now)
        spikes = {category: test for category, test in metrics.spikes(conn, now).items() if test["spike"]}
        return handle, spikes

    @work(thread=True, exclusive=True, group="board-slow", exit_on_error=False)
    def _measure_slow(self) -> None:
        # Sorts spill to a temporary file: the spikes' sort at a million open tickets held 77 MB
        # in memory (25 MB this way), more than the whole board.
        conn = self.store.worker_connection(temp_file=True)
        try:
            handle, spikes = self._slow_figures(conn, self.app.clock.now())
        finally:
            conn.close()
        self.app.call_from_thread(self._slow_measured, handle, spikes)

    def _slow_measured(self, handle: dict[str, float], spikes: dict) -> None:
        self._handle, self.spikes = handle, spikes
        self._tick()

    def on_store_changed(self, message: StoreChanged) -> None:
        """Changed tickets go to a worker that re-reads just those rows; a paused board (or one
        being read) keeps them, and catches up when resumed (or read). While the first read is
        under way the first look is taken again, so a write shows before the live board lands."""
        self._pending |= message.changes.ticket_ids
        self._overflowed = self._overflowed or message.changes.overflow
        if not self._loaded and self.data is not None and not self.paused:
            self._look_again()
        self._catch_up()

    def _look_again(self) -> None:
        if self._looking:
            self._look_wanted = True  # one more after the running one: it may predate the change
            return
        self._looking, self._look_wanted = True, False
        self._retake_look()

    @work(thread=True, group="board-look", exit_on_error=False)
    def _retake_look(self) -> None:
        look = look_at = None
        try:
            with self.store.reading() as conn:
                look_at = self.app.clock.now()
                look = self.store.board_first_look(self.app.policy, conn, look_at, self._day_start(), limit=MAX_CARDS)
        except (sqlite3.Error, StoreError):
            pass  # the full read goes on; it reports a failing database itself
        self.app.call_from_thread(self._retook_look, look, look_at)

    def _retook_look(self, look: BoardData | None, look_at) -> None:
        self._looking = False
        if look is not None and not self._loaded:
            self.data, self._look_at = look, look_at
            self._render_tables()
            self._tick()
        if self._look_wanted and not self._loaded:
            self._look_again()

    def _catch_up(self) -> None:
        if self.paused or self._reading or not self._loaded:
            return
        if self._overflowed:
            self._reload_all()
            return
        self._apply_pending()

    def _apply_pending(self) -> None:
        if self._applying or not self._pending:
            return
        self._applying = True
        ids, self._pending = self._pending, set()
        self._apply(ids)

    @work(thread=True, group="board-apply", exit_on_error=False)
    def _apply(self, ids: set[int]) -> None:
        failed: set[int] = set()
        error = None
        try:
            with self.store.reading() as conn:
                self.live.apply(conn, ids)
        except (sqlite3.Error, StoreError) as problem:
            failed, error = ids, problem  # the file was unreadable for a moment: the next poll tries again
        self.app.call_from_thread(self._applied, failed, error)

    def _applied(self, failed: set[int], error: BaseException | None = None) -> None:
        self._applying = False
        self._pending |= failed
        self._tick()
        if error is not None and said(self.app, error):
            return  # they wait for the server: its return reads the whole board again (after_outage)
        if failed:  # no poll comes back to them: look again shortly
            self.set_timer(RETRY_SECONDS, self._catch_up)
        else:
            self._apply_pending()

    @work(thread=True, exclusive=True, group="board-events", exit_on_error=False)
    def _catch_up_events(self) -> None:
        if not self._loaded:
            return
        with self.store.reading() as conn:
            self.live.catch_up_events(conn)
            day_start = self._day_start()
            if self.live.day_start != day_start:
                self.live.load_day(conn, day_start)

    def _refresh_board(self) -> None:
        """Recount from memory (bisecting sorted due times, no file read) and redraw."""
        if not self._loaded or self.paused:
            return
        now, handle = self.app.clock.now(), self._handle or {}
        try:
            self.data = self.store.board_snapshot(self.live, now, handle, limit=MAX_CARDS)
        except (sqlite3.Error, StoreError) as error:
            if not said(self.app, error):
                raise
            # The server is away: every number is in memory but the subjects of tickets newly
            # among the next to breach; the board goes on counting without them.
            self.data = self.store.board_snapshot(self.live, now, handle, limit=MAX_CARDS, read_details=False)
        self._render_tables()

    def _tick(self) -> None:
        """Once a second: states move with time, so the counts are taken again (from memory)."""
        self._refresh_board()
        now = self.app.clock.now()
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append("deskui board  ", style="bold")
        # Narrow, a failure's line takes the day's place: the database's state must fit beside the time.
        title.append(f"{now.astimezone(self.app.zone):%H:%M:%S}  " if self.has_class("narrow") and self.app.failures
                     else f"{now.astimezone(self.app.zone):%a %d %b %H:%M:%S}  ")
        if self.paused:
            title.append(" PAUSED — p to resume ", style="bold reverse")
        if "database" in self.app.failures:  # counting from memory: the countdowns and states stay true
            title.append(self.app.failure_line() + " · counting from memory", style="bold red")
        elif self.app.failures:
            title.append(self.app.failure_line() + " (trying again; r re-reads)", style="bold red")
        elif not self._loaded:
            # The first look's counts hold for the instant they were taken; the cards count on.
            taken = f"counts at {self._look_at.astimezone(self.app.zone):%H:%M:%S} · " if self._look_at else ""
            title.append(taken + ("reading…" if taken and self.has_class("narrow") else "reading the open tickets…"), style="dim")
        self.query_one("#title", Static).update(title, layout=False)  # one line (board.tcss): nothing moves
        if self._retry_load and "database" not in self.app.failures:  # away: its return reads (after_outage)
            self._retry_load = False
            self._reading = True
            self._load()
        if self.data is None:
            return
        for card, ticket in zip(self.query(BreachCard), [*self.data.next_breaches, *[None] * MAX_CARDS]):
            digits, caption = card.query_one(Digits), card.query_one(Static)
            if ticket is None:
                digits.update("")
                caption.update("")
                card.set_classes("")
                continue
            state = ticket.timer.state(now)
            digits.update(digits_countdown(ticket.timer.left(now)))
            card.set_class(state is SlaState.BREACHED, "breached")
            card.set_class(state is SlaState.IMMINENT, "imminent")
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append(f"{state.glyph} {state.label} · {ticket.tier}", style=STATE_STYLES.get(state.key, ""))
            text.append(f"  #{ticket.id} {ticket.channel} · {one_line(ticket.assignee, limit=20) or 'unassigned'}\n", style="dim")
            text.append(one_line(ticket.subject, limit=200))
            caption.update(text)

    def _render_tables(self) -> None:
        data = self.data
        assert data is not None
        self.query_one("#matrix", Static).update(self._matrix_text(data))
        self.query_one("#forecast", Static).update(self._forecast_text(data))
        self.query_one("#agents", Static).update(self._agents_text(data))
        self._render_alerts()

    def _matrix_text(self, data) -> Text:
        """Open tickets by tier and SLA state, and today's breaches."""
        matrix = Text()
        matrix.append(PANELS["matrix"] + "\n", style="bold")
        # Columns widen with the largest count, so 5-digit counts never run into each other.
        width = max(5, 1 + max((len(str(count)) for states in data.matrix.values() for count in states.values()), default=0))
        matrix.append(f"{'':<10}" + "".join(f"{SlaState.from_key(s).glyph:>{width}}" for s in STATES) + "  total\n", style="dim")
        for tier, states in data.matrix.items():
            matrix.append(f"{tier:<10}")
            for state in STATES:
                count = states.get(state, 0)
                matrix.append(f"{count:>{width}}", style=STATE_STYLES[state] if count and state in ("breached", "imminent", "at_risk") else "")
            matrix.append(f"  {sum(states.values()):>5}\n")
        matrix.append("\nbreaches so far today: ", style="bold")
        matrix.append(str(data.breaches_today), style="bold red" if data.breaches_today else "green")
        return matrix

    def _forecast_text(self, data) -> Text:
        """Breaches ahead if nothing changes, then today's first response and attainment."""
        forecast = Text()
        forecast.append(PANELS["forecast"] + "\n", style="bold")
        if self._handle is None:
            forecast.append("measuring handle times…", style="dim")
            return forecast
        forecast.append(f"{data.active_agents} agent(s) active · handle time per tier: " +
                        ", ".join(f"{tier} {minutes:g}m" for tier, minutes in data.handle_minutes.items()) + "\n", style="dim")
        for item in data.forecasts:
            forecast.append(f"next {item.horizon_minutes:>2} min: ")
            forecast.append(f"{item.total} ticket(s)", style="bold red" if item.total else "green")
            if item.by_tier:
                forecast.append("  (" + ", ".join(f"{tier} {count}" for tier, count in item.by_tier.items()) + ")", style="dim")
            forecast.append("\n")
        self._append_first_response(forecast, data)
        if data.attainment_today is not None:
            forecast.append(f"\nSLA targets met today: {data.attainment_today:g} %", style="bold")
        return forecast

    def _append_first_response(self, forecast: Text, data) -> None:
        """Today's median first response, overall and per tier against each tier's own target."""
        from deskui.analytics import metrics  # imported by the handle-time worker already

        forecast.append("\nfirst response today: ", style="bold")
        if data.first_response_today is None:
            forecast.append("no replies yet", style="dim")
        else:
            frt = data.first_response_today
            forecast.append(format_minutes(frt), style="bold red" if frt >= metrics.WARNING_MINUTES
                            else "bold yellow" if frt >= FRT_YELLOW_MINUTES else "green")
            forecast.append(f"  (warning at {format_minutes(metrics.WARNING_MINUTES)}, Amazon's rule "
                            f"{format_minutes(metrics.RULE_MINUTES)})", style="dim")
            # Each tier against its own target: a 3 h median is fine for "normal", a disaster for "critical".
            for tier in self.app.policy.tiers:
                minutes = data.first_response_by_tier.get(tier.name)
                if minutes is None:
                    continue
                late = minutes > tier.first_response_minutes
                forecast.append(f"\n  {tier.name:<10} {format_minutes(minutes):>7} of {format_minutes(tier.first_response_minutes):<5}",
                                style="bold red" if late else "green")
                forecast.append(" over target" if late else " within", style="red" if late else "dim")

    def _agents_text(self, data) -> Text:
        """Each agent's load: as many rows as the panel holds."""
        agents = Text()
        agents.append(PANELS["agents"] + "\n", style="bold")
        agents.append(f"{'agent':<14}{'claimed':>8}{'open':>7}{'breached':>10}  oldest\n", style="dim")
        now = self.app.clock.now()
        panel = self.query_one("#agents", Static)
        # As many agents as the panel holds (a wall screen shows the whole team), 12 when it
        # grows with its content (narrow layout).
        rows = 12 if self.has_class("narrow") else max(3, panel.content_size.height - 3)
        for load in data.agents[:rows]:
            agents.append(f"{one_line(load.agent, limit=13):<14}", style="bold" if load.active else "dim")
            agents.append(f"{load.claimed:>8}")
            agents.append(f"{load.open:>7}")
            agents.append(f"{load.breached:>10}", style="bold red" if load.breached else "")
            agents.append(f"  {format_minutes(max((now - load.oldest).total_seconds() / 60, 0)) if load.oldest else '—'}\n")
        if not data.agents:
            agents.append("nobody holds a ticket", style="dim")
        elif len(data.agents) > rows:
            agents.append(f"… and {len(data.agents) - rows} more", style="dim")
        return agents

    def _render_alerts(self) -> None:
        alerts = Text()
        alerts.append(PANELS["alerts"] + "\n", style="bold")
        fired = getattr(self.app, "fired_alerts", None) or []
        for alert in fired:
            alerts.append(f"⚠ {one_line(alert, limit=120)}\n", style="bold red")
        if not fired:
            alerts.append("no alert firing\n", style="green")
        for category, test in sorted(self.spikes.items(), key=lambda item: -(item[1].get("rise_pct") or 0)):
            alerts.append(f"▲ {CATEGORY_LABELS.get(category, category or 'uncategorised')} spiking: +{test.get('rise_pct', 0):g} % over 3 days\n", style="bold yellow")
        if self._handle is None:  # measured with the handle times, after the counts
            alerts.append("measuring category spikes…", style="dim")
        elif not self.spikes:
            alerts.append("no category spike (seed rule: +15 %, sustained)", style="green")
        self.query_one("#alerts", Static).update(alerts)

    def action_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused:
            self._catch_up()
        self._tick()

    def action_refresh_now(self) -> None:
        self._reload_all()

    def retry(self, group: str) -> None:
        """A worker failed (the app said so): read everything again at the next tick. The
        handle-time and activity jobs run again on their own timers."""
        if group in ("board-load", "board-apply"):
            self._applying = False
            self._loaded = self._loaded and group == "board-load"  # a half-applied board is not shown
            self._retry_load = True

    def after_outage(self) -> None:
        """The server answers again: whatever was written meanwhile is read (notifications sent
        while the feed was away are lost), the board counting from memory until it lands."""
        self._retry_load = False
        self._reload_all()

    def _reload_all(self) -> None:
        # Changes stop being applied until the new load lands: those committed meanwhile are kept
        # and applied to the new board (applying a ticket twice is harmless).
        self._reading = True
        self._overflowed = False
        self._pending.clear()
        self._load()

    def action_scroll_panels(self, where: str) -> None:
        grid = self.query_one("#grid")
        getattr(grid, f"scroll_{where}")(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Standalone (a wall screen) there is nothing to go back to: esc does nothing, only q
        # quits, so a stray key never takes the board off the wall.
        if action == "back" and self.standalone:
            return False
        return True

    def action_back(self) -> None:
        if not self.standalone:
            self.app.pop_screen()

    def action_leave(self) -> None:
        """q: back where there is somewhere to go back to, else quit."""
        if self.standalone:
            self.app.exit()
        else:
            self.app.pop_screen()

