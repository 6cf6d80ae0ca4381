"""The lead's live board, readable from across the room."""

from __future__ import annotations

import time
from datetime import timedelta

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Digits, Footer, Static

from deskui import sla
from deskui.analytics import metrics
from deskui.sla import SlaState
from deskui.store import connect
from deskui.store.board import BoardData, board_data, handle_minutes
from deskui.store.changes import ChangeFeed
from deskui.text import one_line
from deskui.timeutil import format_minutes
from deskui.ui.widgets.order_panel import CATEGORY_LABELS
from deskui.ui.widgets.status_bar import STATE_STYLES

POLL_SECONDS = 0.25
REFRESH_SECONDS = 10.0
HANDLE_REFRESH = timedelta(minutes=5)
RELOAD_GAP = 0.5  # seconds between two re-reads at most  # a 7-day median barely moves between two changes  # the forecast and "active agents" move with time too
STATES = ("breached", "imminent", "at_risk", "on_track", "paused", "met")


class BreachCard(Vertical):
    DEFAULT_CSS = """
    BreachCard { height: auto; width: 1fr; border: round $primary 50%; padding: 0 1; }
    BreachCard.breached { border: heavy $error; }
    BreachCard.imminent { border: heavy $warning; }
    BreachCard Digits { width: auto; }
    BreachCard .caption { height: 2; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def compose(self) -> ComposeResult:
        yield Digits("--:--")
        yield Static("", classes="caption", markup=False)


class BoardScreen(Screen[None]):
    DEFAULT_CSS = """
    BoardScreen #title { height: 1; background: $panel; padding: 0 1; }
    BoardScreen #cards { height: auto; }
    BoardScreen #grid { grid-size: 2; grid-columns: 1fr 1fr; height: 1fr; }
    BoardScreen.narrow #grid { grid-size: 1; overflow-y: auto; grid-rows: auto; }
    BoardScreen.narrow #grid > Static { height: auto; }
    BoardScreen.narrow #cards BreachCard.extra { display: none; }
    BoardScreen #grid > Static { border: round $primary 40%; padding: 0 1; height: 1fr; }
    """
    BINDINGS = [
        Binding("p", "pause", "Pause", id="board.pause"),
        Binding("r", "refresh_now", "Refresh", id="board.refresh"),
        Binding("escape,q", "back", "Back", id="board.back"),
    ]

    def __init__(self, *, standalone: bool = False) -> None:
        super().__init__()
        self.standalone = standalone
        self.paused = False
        self.data: BoardData | None = None
        self.spikes: dict = {}
        self._stale = False
        self._last_reload = 0.0
        self._handle: dict[str, float] | None = None
        self._handle_at = None
        self.conn = connect(self.app.db_path)
        self.feed = ChangeFeed(self.conn)

    def compose(self) -> ComposeResult:
        yield Static("", id="title", markup=False)
        with Horizontal(id="cards"):
            for index in range(4):
                yield BreachCard(classes="extra" if index >= 2 else "")
        with Grid(id="grid"):
            yield Static("", id="matrix", markup=False)
            yield Static("", id="forecast", markup=False)
            yield Static("", id="agents", markup=False)
            yield Static("", id="alerts", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.set_class(self.app.size.width < 100, "narrow")
        self.set_interval(1.0, self._tick)
        self.set_interval(POLL_SECONDS, self._poll)
        self.set_interval(REFRESH_SECONDS, self._reload)
        self._reload()

    def on_resize(self) -> None:
        self.set_class(self.app.size.width < 100, "narrow")

    def _poll(self) -> None:
        """A change re-reads the board at once, or, if it re-read less than RELOAD_GAP ago, as
        soon as the gap has passed. Under a stream of writes the aggregates (~300 ms at 100k
        open tickets) run at most twice a second; any change still shows within a second."""
        if self.paused or not self.feed.poll() or self._stale:
            return
        wait = RELOAD_GAP - (time.monotonic() - self._last_reload)
        if wait <= 0:
            self._reload()
        else:
            self._stale = True
            self.set_timer(wait, self._reload_stale)

    def _reload_stale(self) -> None:
        self._stale = False
        self._reload()

    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def _reload(self) -> None:
        if self.paused:
            return
        self._last_reload = time.monotonic()
        conn = connect(self.app.db_path)
        try:
            now = self.app.clock.now()
            local = now.astimezone(self.app.zone)
            day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
            if self._handle is None or now - self._handle_at > HANDLE_REFRESH:
                self._handle, self._handle_at = handle_minutes(conn, self.app.policy, now), now
            data = board_data(conn, self.app.policy, now, day_start, self._handle)
            spikes = {category: test for category, test in metrics.spikes(conn, now).items() if test["spike"]}
        finally:
            conn.close()
        self.app.call_from_thread(self._show, data, spikes)

    def _show(self, data: BoardData, spikes: dict | None = None) -> None:
        self.data = data
        self.spikes = spikes or {}
        self._render_tables()
        self._tick()

    def _tick(self) -> None:
        """Once a second: only the big countdowns and the clock move."""
        now = self.app.clock.now()
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append("deskui board  ", style="bold")
        title.append(f"{now.astimezone(self.app.zone):%a %d %b %H:%M:%S}  ")
        if self.paused:
            title.append(" PAUSED — p to resume ", style="bold reverse")
        self.query_one("#title", Static).update(title)
        if self.data is None:
            return
        for card, ticket in zip(self.query(BreachCard), [*self.data.next_breaches, *[None] * 4]):
            digits, caption = card.query_one(Digits), card.query_one(Static)
            if ticket is None:
                digits.update("")
                caption.update("")
                card.set_classes("extra" if "extra" in card.classes else "")
                continue
            left = sla.remaining(now, ticket.due_at, ticket.paused_at)
            state = sla.state(now, ticket.due_at, ticket.target_minutes, self.app.policy, paused_at=ticket.paused_at)
            digits.update(sla.format_countdown(left).replace("d", " ").replace("h", ""))
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
        matrix = Text()
        matrix.append("OPEN TICKETS BY TIER × SLA STATE\n", style="bold")
        matrix.append(f"{'':<10}" + "".join(f"{SlaState.from_key(s).glyph:>5}" for s in STATES) + "  total\n", style="dim")
        for tier, states in data.matrix.items():
            matrix.append(f"{tier:<10}")
            for state in STATES:
                count = states.get(state, 0)
                matrix.append(f"{count:>5}", style=STATE_STYLES[state] if count and state in ("breached", "imminent", "at_risk") else "")
            matrix.append(f"  {sum(states.values()):>5}\n")
        matrix.append(f"\nbreaches so far today: ", style="bold")
        matrix.append(str(data.breaches_today), style="bold red" if data.breaches_today else "green")
        self.query_one("#matrix", Static).update(matrix)

        forecast = Text()
        forecast.append("BREACH FORECAST (if nothing changes)\n", style="bold")
        forecast.append(f"{data.active_agents} agent(s) active · handle time per tier: " +
                        ", ".join(f"{tier} {minutes:g}m" for tier, minutes in data.handle_minutes.items()) + "\n", style="dim")
        for item in data.forecasts:
            forecast.append(f"next {item.horizon_minutes:>2} min: ")
            forecast.append(f"{item.total} ticket(s)", style="bold red" if item.total else "green")
            if item.by_tier:
                forecast.append("  (" + ", ".join(f"{tier} {count}" for tier, count in item.by_tier.items()) + ")", style="dim")
            forecast.append("\n")
        forecast.append("\nfirst response today: ", style="bold")
        if data.first_response_today is None:
            forecast.append("no replies yet", style="dim")
        else:
            frt = data.first_response_today
            forecast.append(format_minutes(frt), style="bold red" if frt >= 12 * 60 else "bold yellow" if frt >= 8 * 60 else "green")
            forecast.append("  (warning at 12h, Amazon's rule 24h)", style="dim")
        if data.attainment_today is not None:
            forecast.append(f"\nSLA targets met today: {data.attainment_today:g} %", style="bold")
        self.query_one("#forecast", Static).update(forecast)

        agents = Text()
        agents.append("AGENTS\n", style="bold")
        agents.append(f"{'agent':<14}{'open':>6}{'breached':>10}  oldest\n", style="dim")
        now = self.app.clock.now()
        for load in data.agents[:12]:
            agents.append(f"{one_line(load.agent, limit=13):<14}", style="bold" if load.active else "dim")
            agents.append(f"{load.open:>6}")
            agents.append(f"{load.breached:>10}", style="bold red" if load.breached else "")
            agents.append(f"  {format_minutes(max((now - load.oldest).total_seconds() / 60, 0)) if load.oldest else '—'}\n")
        if not data.agents:
            agents.append("nobody holds a ticket", style="dim")
        self.query_one("#agents", Static).update(agents)
        self._render_alerts()

    def _render_alerts(self) -> None:
        alerts = Text()
        alerts.append("ALERTS & SPIKES\n", style="bold")
        fired = getattr(self.app, "fired_alerts", None) or []
        for alert in fired:
            alerts.append(f"⚠ {one_line(alert, limit=120)}\n", style="bold red")
        if not fired:
            alerts.append("no alert firing\n", style="green")
        for category, test in sorted(self.spikes.items(), key=lambda item: -(item[1].get("rise_pct") or 0)):
            alerts.append(f"▲ {CATEGORY_LABELS.get(category, category or 'uncategorised')} spiking: +{test.get('rise_pct', 0):g} % over 3 days\n", style="bold yellow")
        if not self.spikes:
            alerts.append("no category spike (seed rule: +15 %, sustained)", style="green")
        self.query_one("#alerts", Static).update(alerts)

    def action_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused:
            self._reload()
        self._tick()

    def action_refresh_now(self) -> None:
        self._reload()

    def action_back(self) -> None:
        if self.standalone:
            self.app.exit()
        else:
            self.app.pop_screen()

    def on_unmount(self) -> None:
        self.conn.close()

