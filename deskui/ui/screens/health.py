"""The lead's check-up: spikes, reactivity, attainment, drill-downs, account health, a review sample.

The analytics core computes the report; this screen only lays it out, with sparklines where a
trend reads faster than a column of numbers.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Sparkline, Static

from deskui.text import one_line
from deskui.timeutil import format_minutes, from_db
from deskui.when import describe
from deskui.ui.widgets.order_panel import CATEGORY_LABELS
from deskui.ui.workers import WorkerReports

MAX_SPARKLINES = 8
WEEKEND_SLOW = 1.5  # weekend first responses this much slower than weekdays are called out


def _minutes(value) -> str:
    return "—" if value is None else format_minutes(value)


def _pct(value) -> str:
    return "—" if value is None else f"{value:g} %"


class TrendRow(Horizontal):
    """A label, a sparkline and the latest value: one category's daily volume."""


    def __init__(self, label: str, series: list[float], value: str, spiking: bool) -> None:
        super().__init__(classes="spiking" if spiking else "")
        self.label, self.series, self.value = label, series, value

    def compose(self) -> ComposeResult:
        yield Static(Text(self.label), classes="label", markup=False)
        yield Sparkline(self.series, summary_function=max)
        yield Static(Text(self.value), classes="value", markup=False)


class HealthScreen(WorkerReports, Screen[None]):
    BINDINGS = [
        Binding("r", "reload", "Refresh", id="health.refresh"),
        Binding("escape", "back", "Back", id="health.back"),
        Binding("q", "leave", "Quit", id="health.quit"),
    ]

    def __init__(self, *, standalone: bool = False, days: int = 28) -> None:
        super().__init__()
        self.standalone = standalone
        self.days = days
        self.report: dict | None = None
        self._failed = False  # the last check-up did not come back: the server's return computes it again

    def compose(self) -> ComposeResult:
        yield Static(Text("Account-health check-up: computing…", style="bold"), id="title", markup=False)
        with VerticalScroll(id="report"):
            yield Static("", id="spikes", classes="section", markup=False)
            yield Vertical(id="trends")
            yield Static("", id="reactivity", classes="section", markup=False)
            yield Static("", id="account", classes="section", markup=False)
            yield Static("", id="drilldowns", classes="section", markup=False)
            yield Static("", id="sample", classes="section", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        if self.report is not None:  # the last report stays on screen until the new one is in
            self._title(Text("computing the check-up again…", style="dim"))
        self._compute()

    def retry(self, group: str) -> None:
        """The check-up failed (the app said so): say it where the title is, and wait for r (or,
        when the database server was away, for it to answer again)."""
        self._failed = True
        problem = self.app.failures.get("database") or self.app.failures.get(group, "the check-up failed")
        line = Text(f"⚠ {problem} · r to try again", style="bold red")
        if self.report is not None:
            line.append(f" · shown: the check-up of {self._generated()}", style="dim")
        self._title(line)

    def after_outage(self) -> None:
        if self._failed:
            self._compute()

    def _generated(self) -> str:
        """When the shown report was computed, as people read a time ("Thu 03 Dec 14:19 UTC"),
        in the agent's zone; the JSON keeps the stored instant."""
        moment = from_db(self.report["generated_at"])
        if moment is None:
            return str(self.report["generated_at"])
        return describe(moment, self.app.zone)

    def _title(self, status: Text | None = None) -> None:
        title = Text(no_wrap=True, overflow="ellipsis")
        if self.report is None:
            title.append("Account-health check-up: ", style="bold")
            title.append_text(status or Text("computing…"))
        else:
            window = self.report["window"]
            title.append("Account-health check-up  ", style="bold")
            if status is not None:
                title.append_text(status)
            else:
                title.append(f"{window['days']} days to {self._generated()} "
                             f"({window.get('timezone', 'UTC')} days) · r refresh")
        self.query_one("#title", Static).update(title)

    @work(thread=True, exclusive=True, group="health", exit_on_error=False)
    def _compute(self) -> None:
        from deskui.analytics import health_check

        with self.app.store.reading() as conn:
            report = health_check(conn, self.app.policy, self.app.clock.now(), days=self.days, zone=self.app.zone)
        self.app.call_from_thread(self._show, report)

    def _show(self, report: dict) -> None:
        self.report, self._failed = report, False
        self._title()
        self.query_one("#spikes", Static).update(self._spikes_text(report["spikes"]))
        trends = self.query_one("#trends", Vertical)
        trends.remove_children()
        spiking = {spike["category"] for spike in report["spikes"]["spikes"]}
        categories = sorted(report["spikes"]["categories"], key=lambda c: (c["category"] not in spiking, -c["total"]))
        rows = [TrendRow(f"{CATEGORY_LABELS.get(c['category'], c['category'])[:28]}", c["series"],
                         f"{c['total']} · last 3d {c['recent_total']}", c["category"] in spiking)
                for c in categories[:MAX_SPARKLINES]]
        frt_series = [day.get("median") or 0 for day in report["response_times"]["first_response"]["by_day"]]
        rows.append(TrendRow("first response (median)", frt_series,
                             _minutes(report["response_times"]["first_response"]["today"].get("median")) + " today", False))
        trends.mount(Static(Text("TICKETS PER DAY BY CATEGORY (oldest → today)", style="bold"), markup=False), *rows)
        self.query_one("#reactivity", Static).update(self._reactivity_text(report["response_times"]))
        self.query_one("#account", Static).update(self._account_text(report["account_health"]))
        self.query_one("#drilldowns", Static).update(self._drilldown_text(report["drilldowns"]))
        self.query_one("#sample", Static).update(self._sample_text(report["sample"]))

    # -- sections --------------------------------------------------------------------------
    @staticmethod
    def _spikes_text(spikes: dict) -> Text:
        rule = spikes["rule"]
        text = Text()
        text.append("1. SPIKES  ", style="bold")
        text.append(f"(last {rule['recent_days']} days vs the {rule['baseline_days']} before: +{rule['min_rise_pct']} % or more, "
                    f"{rule['sustained_days']} of {rule['recent_days']} days up, at least {rule['min_recent_tickets']} tickets)\n", style="dim")
        if not spikes["spikes"]:
            text.append("No category is spiking.\n", style="green")
        for spike in spikes["spikes"]:
            label = CATEGORY_LABELS.get(spike["category"], spike["category"])
            text.append(f"⚠ {label}: +{spike['rise_pct']:g} %", style="bold red")
            text.append(f"  ({spike['baseline_avg']:g}/day → {spike['recent_avg']:g}/day)  threatens {', '.join(spike['metric_names'])}\n")
            text.append(f"   → {spike['action']}\n")
            for product in spike.get("top_products", [])[:2]:
                text.append(f"     {product['asin'] or '—'}  {one_line(product['title'], limit=50)}  {product['tickets']} tickets ({product['share_pct']:g} %)\n", style="dim")
        overall = spikes["overall"]
        text.append(f"All tickets: {overall['baseline_avg']:g}/day → {overall['recent_avg']:g}/day ({overall['rise_pct']:+g} %)\n", style="dim")
        return text

    @staticmethod
    def _reactivity_text(times: dict) -> Text:
        text = Text()
        text.append("2. REACTIVITY\n", style="bold")
        for key, label in (("first_response", "First response"), ("handle_time", "Handle time")):
            section = times[key]
            today, window = section["today"], section["window"]
            style = "bold red" if today.get("rule_24h") else "bold yellow" if today.get("warning_12h") else "green"
            text.append(f"{label:<15} today median {_minutes(today.get('median'))}", style=style)
            text.append(f" · window median {_minutes(window.get('median'))}, p90 {_minutes(window.get('p90'))}")
            trend = section.get("trend", {})
            if trend.get("rising"):
                text.append(f"  rising {trend.get('change_pct'):+g} % week on week", style="bold red")
            text.append("\n")
        business = times.get("first_response_business_hours")
        if business:
            text.append(f"  first response in business hours: today median {_minutes(business['today'].get('median'))}"
                        f" · window median {_minutes(business['window'].get('median'))}\n", style="dim")
        first = times["first_response"]
        split = first.get("weekdays_vs_weekend", {})
        if split:
            weekday, weekend = split.get("weekdays", {}), split.get("weekend", {})
            text.append(f"  weekdays median {_minutes(weekday.get('median'))} · weekend median {_minutes(weekend.get('median'))}",
                        style="dim")
            if weekday.get("median") and weekend.get("median") and weekend["median"] >= WEEKEND_SLOW * weekday["median"]:
                text.append(f"  weekends {weekend['median'] / weekday['median']:.1f}x slower", style="bold yellow")
            text.append("  (12 h is too close to Amazon's 24 h rule)\n", style="dim")
        days = " ".join(f"{day['weekday']} {_minutes(day.get('median'))}" for day in first["by_weekday"])
        text.append(f"  by weekday: {days}\n", style="dim")
        attainment = times["attainment"]
        text.append(f"SLA targets met: {_pct(attainment['overall'].get('pct'))}", style="bold")
        text.append(f"  (first {_pct(attainment['first_response'].get('pct'))}, next {_pct(attainment['next_response'].get('pct'))}, "
                    f"Amazon 24 h {_pct(attainment['marketplace_24h'].get('pct'))})\n")
        tiers = "  ".join(f"{row.get('tier')} {_pct(row.get('pct'))}" for row in attainment["by_tier"])
        text.append(f"  by tier: {tiers}\n", style="dim")
        waiting = times.get("waiting_now", {})
        if waiting:
            text.append(f"Now: {waiting.get('awaiting_reply', 0)} waiting for a reply, {waiting.get('waiting_over_12h', 0)} over 12 h, "
                        f"{waiting.get('waiting_over_24h', 0)} over 24 h, {waiting.get('breached_open', 0)} breached\n")
        return text

    @staticmethod
    def _account_text(account: dict) -> Text:
        text = Text()
        text.append("3. ACCOUNT HEALTH (estimates)  ", style="bold")
        text.append(f"{account.get('basis', '')}\n", style="dim")
        for key, value in account.items():
            if not isinstance(value, dict) or "rate" not in value:
                continue
            ok = value.get("ok")
            mark, style = ("✓", "green") if ok else ("✗", "bold red") if ok is False else ("?", "dim")
            rate = "—" if value["rate"] is None else f"{value['rate']:.2f} %"
            days = (value.get("window") or {}).get("days")
            name = f"{value['name']}, {days} days" if days else value["name"]
            text.append(f"{mark} {name:<30} {rate:>9}  target {value['comparison']} {value['threshold']} %", style=style)
            text.append(f"   ({value['numerator']}/{value['denominator']})\n", style="dim")
        return text

    @staticmethod
    def _drilldown_text(drilldowns: dict) -> Text:
        text = Text()
        text.append("4. DRILL-DOWNS\n", style="bold")
        text.append("by channel\n", style="underline")
        for row in drilldowns["by_channel"]:
            text.append(f"  {row['channel']:<10} {row['tickets']:>6} tickets  FRT median {_minutes(row['frt'].get('median')):>6}  "
                        f"met {_pct(row['attainment'].get('pct'))}")
            splits = ", ".join(f"{f['fulfillment']} {f['tickets']}" for f in row.get("fulfillment", []))
            text.append(f"  {splits}\n" if splits else "\n", style="dim")
        text.append("by product (defect tickets: damaged, missing, wrong, defective)\n", style="underline")
        for row in drilldowns["by_product"][:6]:
            text.append(f"  {row['asin'] or '—':<11} {one_line(row['title'], limit=40):<40} {row['defect_tickets']:>4} "
                        f"({row.get('defect_tickets_per_100_orders') or 0:g} per 100 orders)\n")
        text.append("by agent\n", style="underline")
        for row in drilldowns["by_agent"]:
            slow = row.get("slow_on") or []
            text.append(f"  {one_line(row['agent'], limit=14):<14} FRT median {_minutes(row['frt'].get('median')):>6}  "
                        f"AHT median {_minutes(row['aht'].get('median')):>6}  met {_pct(row['attainment'].get('pct'))}")
            if slow:
                # One entry per category, with the measures it is slow on: it is listed once per
                # metric in the report.
                metrics: dict[str, list[str]] = {}
                for item in slow:
                    category = item["category"] if isinstance(item, dict) else str(item)
                    metric = {"frt": "first response", "aht": "handle time"}.get(item.get("metric"), "") if isinstance(item, dict) else ""
                    metrics.setdefault(CATEGORY_LABELS.get(category, category), [])
                    if metric:
                        metrics[CATEGORY_LABELS.get(category, category)].append(metric)
                names = ", ".join(f"{name} ({' and '.join(found)})" if found else name for name, found in metrics.items())
                text.append(f"  slow on {one_line(names, limit=200)}", style="bold yellow")
            text.append("\n")
        return text

    @staticmethod
    def _sample_text(sample: dict) -> Text:
        text = Text()
        text.append("5. REVIEW SAMPLE  ", style="bold")
        text.append(f"{len(sample['tickets'])} of {sample['population']} high-risk tickets (seed {sample['seed']})\n", style="dim")
        for ticket in sample["tickets"]:
            text.append(f"  #{ticket['id']} {ticket['status']:<7} {ticket.get('assignee') or '—':<8} ", style="bold")
            text.append(one_line(ticket["subject"], limit=70))
            if ticket.get("tags"):
                text.append("  [" + ", ".join(one_line(tag, limit=20) for tag in ticket["tags"]) + "]", style="dim")
            text.append("\n")
            for note in ticket.get("notes", [])[:2]:
                body = note.get("body") if isinstance(note, dict) else note
                text.append(f"      note: {one_line(body, limit=90)}\n", style="italic dim")
        return text

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
