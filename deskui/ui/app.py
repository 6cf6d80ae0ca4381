"""The Textual application: themes, key map, command palette, and the first screen."""

from __future__ import annotations

import argparse
from functools import cached_property
from collections.abc import Iterable
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from deskui.clock import Clock, SystemClock
from deskui.config import Config, ConfigError, config_path, default_agent, load_config
from deskui.policy import Policy, load_policy
from deskui.store.db import database_target
from deskui.store.service import Store
from deskui.timeutil import zone
from deskui.ui.changes import ChangeWatcher, StoreChanged, WatchFailed
from deskui.ui.commands import PALETTE_PROVIDERS
from deskui.ui.outage import REFUSED, DatabaseBack, OutageGuard, said

ALERT_SECONDS = 60.0
DATABASE_CHECK_SECONDS = 1.0  # a lost server is looked at this often (no round trip while all is well)
# What each background job is called when it fails, by its worker group.
WORKER_JOBS = {
    "alerts": "checking the alert rules", "triage": "triaging new tickets", "counts": "counting SLA states",
    "board-load": "reading the board", "board-slow": "measuring handle times", "board-apply": "reading changed tickets",
    "board-events": "reading agents' activity", "health": "computing the check-up", "view-counts": "counting the views",
    "changes": "watching for changes",
}

HIGH_CONTRAST = Theme(
    name="deskui-high-contrast",
    primary="#FFFFFF",
    secondary="#FFFF00",
    accent="#00FFFF",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    success="#00FF00",
    warning="#FFFF00",
    error="#FF3030",
    boost="#262626",
    dark=True,
)


class DeskApp(OutageGuard, App[None]):
    TITLE = "deskui"
    # The app's stylesheet, then one per screen (absolute: subclasses may live anywhere). All are
    # read at start, and only here: no screen sets a CSS_PATH of its own, so a screen pushed later
    # brings no stylesheet to parse, and a new screen's .tcss is added to this list.
    CSS_PATH = [Path(__file__).parent / "deskui.tcss",
                *(Path(__file__).parent / "screens" / f"{name}.tcss"
                  for name in ("inbox", "ticket", "board", "health", "dialogs", "bulk_reply", "columns",
                               "template_picker"))]
    # The palette (ctrl+p): Textual's system commands (get_system_commands below), and tickets,
    # macros and saved views (ui/commands.py).
    COMMANDS = App.COMMANDS | set(PALETTE_PROVIDERS)
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("f2", "next_theme", "Theme", show=False, id="app.theme"),
    ]

    def __init__(
        self,
        db_path: Path,
        *,
        policy: Policy,
        clock: Clock | None = None,
        agent: str | None = None,
        timezone: str | None = None,
        theme: str | None = None,
        keys: dict[str, str] | None = None,
        start: str = "inbox",
        lint_rules=None,
        alert_rules: list | None = None,
        views: list | None = None,
        macros: list | None = None,
        state_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.db_path = database_target(db_path)  # a file's Path, or a postgresql:// URL as text
        self.store = Store(self.db_path, state_dir=state_dir)  # the one way screens reach the database
        self._watcher: ChangeWatcher | None = None
        self.policy = policy
        self.clock = clock or SystemClock()
        self.agent = agent or default_agent()
        self.zone = zone(timezone) if timezone else zone("UTC")
        self.register_theme(HIGH_CONTRAST)
        self._requested_theme = theme
        self.state_dir = state_dir  # where the picked theme is remembered; None: not remembered
        self.start = start
        self.lint_rules = lint_rules
        self.alert_rules = alert_rules or []
        self.views = views or []  # the config's [[views]]; the built-in ones are added by the inbox
        self.macros = macros or []  # the config's [[macros]]: a template plus actions, m on a ticket
        self.fired_alerts: list[str] = []  # messages of the alerts firing now, for the board
        self._alerting: set[str] = set()  # names of the rules firing now
        self.failures: dict[str, str] = {}  # worker group -> the one line saying what failed
        self.store_failure: str | None = None  # the one line for a database that failed under us
        self._watch_lost = False  # the change feed cannot reach the server (it reconnects by itself)
        if keys:
            self.set_keymap(keys)

    def on_mount(self) -> None:
        if self.store.backend == "postgresql":
            self.set_interval(DATABASE_CHECK_SECONDS, self._check_database)
        self._say_if_read_only()
        self._watch_changes()
        self._restore_theme()
        if self._requested_theme:
            if self._requested_theme in self.available_themes:
                self.theme = self._requested_theme
            else:
                self.notify(f"Unknown theme {self._requested_theme!r}; try one of: {', '.join(sorted(self.available_themes))}", severity="warning")
        if self.alert_rules:
            self.set_interval(ALERT_SECONDS, self._check_alerts)
            self._check_alerts()
        if self.start == "health":
            from deskui.ui.screens.health import HealthScreen

            self.push_screen(HealthScreen(standalone=True))
        elif self.start == "board":
            from deskui.ui.screens.board import BoardScreen

            self.push_screen(BoardScreen(standalone=True))
        else:
            from deskui.ui.screens.inbox import InboxScreen

            self.push_screen(InboxScreen())

    def _restore_theme(self) -> None:
        """The theme picked last time (palette "Change theme" or f2); --theme or the config's
        theme, applied after, win. Each later change is written back."""
        if self.state_dir is None:
            return
        from deskui.ui.ui_state import read_state

        remembered = read_state(self.state_dir).get("theme")
        if isinstance(remembered, str) and remembered in self.available_themes:
            self.theme = remembered
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def _remember_theme(self, theme: Theme) -> None:
        from deskui.ui.ui_state import write_state

        write_state(self.state_dir, theme=theme.name)

    def _watch_changes(self) -> None:
        # The feed starts here, before the first screen reads, so no write falls in between.
        from deskui.store import StoreError

        try:
            feed = self.store.change_feed()
        except StoreError:
            return  # the first screen's own read reports it
        self._watcher = ChangeWatcher(self, feed, self.store.change_feed)
        self._watcher.start()

    # -- the database server going away (PostgreSQL) ------------------------------------------
    def database_unreachable(self) -> None:
        """Something met the server's absence: the status lines say so until it answers again."""
        if "database" not in self.failures:
            self.failures["database"] = self.store.outage_line()
            self.notify("The database server is unreachable: deskui reconnects; what you type is kept on this machine.",
                        title="Database", severity="error", timeout=8, markup=False)
            self.refresh_bindings()

    def _check_database(self) -> None:
        line = self.store.connection_problem()
        if line is not None:
            self.database_unreachable()
            self.failures["database"] = line
        elif "database" in self.failures and not self._watch_lost:
            del self.failures["database"]
            self.notify("The database server answers again.", title="Database", timeout=4, markup=False)
            self.refresh_bindings()
            # Each screen reads again what it could not read meanwhile (ui/outage.py: after_outage).
            for screen in self.screen_stack:
                screen.post_message(DatabaseBack())

    async def run_action(self, action, default_namespace=None, *args, **kwargs) -> bool:
        """A key whose work needs the server while it is away: refused in one line, not a crash.
        (Writes decorated with ``tolerate_busy`` say it themselves and never get here.)"""
        try:
            return await super().run_action(action, default_namespace, *args, **kwargs)
        except Exception as error:
            if not said(self, error):
                raise
            self.notify(REFUSED, title="Not done", severity="error", timeout=8, markup=False)
            return True

    @on(StoreChanged)
    def _store_changed(self, message: StoreChanged) -> None:
        """Every screen in the stack hears it (the inbox under a ticket stays current)."""
        for screen in self.screen_stack:
            screen.post_message(StoreChanged(message.changes))

    @on(WatchFailed)
    def _watch_failed(self, message: WatchFailed) -> None:
        from deskui.text import one_line

        if message.error is None:
            self._watch_lost = False
            if self.failures.pop("changes", None) is not None:
                self.refresh_bindings()
            return
        self._watch_lost = said(self, message.error)  # one line for the outage, not one per job
        if self._watch_lost:
            return
        line = f"{WORKER_JOBS['changes']} failed: {one_line(str(message.error), limit=160) or type(message.error).__name__}"
        if self.failures.get("changes") != line:
            self.notify(line + " — trying again", title="Problem", severity="error", timeout=8, markup=False)
        self.failures["changes"] = line

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        self.store.close()

    @on(Worker.StateChanged)
    def _own_worker_changed(self, event: Worker.StateChanged) -> None:
        self.worker_state_changed(event)

    def worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Every worker's failure lands here (the message does not bubble: each screen forwards
        its own, see ``ui.workers.WorkerReports``): one line says what failed, on screen until the
        job succeeds again, and the screen that owns the job is asked to try again (``retry``)."""
        from deskui.text import one_line

        worker, group = event.worker, event.worker.group
        if event.state is WorkerState.SUCCESS:
            if self.failures.pop(group, None) is not None:
                self.refresh_bindings()
            return
        if event.state is not WorkerState.ERROR:
            return
        error = worker.error
        if said(self, error):  # the outage's one line says it; the job is tried again
            retry = getattr(worker.node, "retry", None)
            if callable(retry):
                retry(group)
            return
        reason = one_line(str(error), limit=160) or type(error).__name__
        line = f"{WORKER_JOBS.get(group, worker.name or group)} failed: {reason}"
        if self.failures.get(group) != line:
            self.notify(line + " — trying again", title="Problem", severity="error", timeout=8, markup=False)
        self.failures[group] = line
        retry = getattr(worker.node, "retry", None)
        if callable(retry):
            retry(group)

    def failure_line(self) -> str:
        """The failures now, for a screen's status line ("" when all is well)."""
        return " · ".join(f"⚠ {line}" for line in self.failures.values())

    def _say_if_read_only(self) -> None:
        from deskui.store import StoreError
        from deskui.text import one_line

        try:
            read_only = self.store.read_only
        except StoreError:
            return  # the first screen's own read reports it
        if read_only:
            self.sub_title = "read-only"
            self.notify(f"{one_line(str(self.db_path), limit=120)} is read-only: you can read tickets; changes are refused.",
                        title="Read-only", severity="warning", timeout=20, markup=False)

    def _handle_exception(self, error: Exception) -> None:
        # A damaged or vanished database is the user's to fix, not a bug: one line naming the
        # file after the app closes (run_app raises it), and a non-zero exit, not a traceback.
        from deskui.store.db import describe_failure

        if said(self, error):  # a timer's read met the outage: said, reconnecting, not fatal
            return
        problem = describe_failure(error, self.db_path)
        if problem is None:
            super()._handle_exception(error)
            return
        if self.store_failure is None:
            self.store_failure = problem
        self.exit(return_code=1)

    @work(thread=True, exclusive=True, group="alerts", exit_on_error=False)
    def _check_alerts(self) -> None:
        """Evaluate the lead's alert rules; a newly firing one is announced once."""
        from deskui.analytics.alerts import evaluate_alerts

        with self.store.reading() as conn:
            fired = evaluate_alerts(conn, self.policy, self.clock.now(), self.alert_rules)
        self.call_from_thread(self._show_alerts, [(alert.rule.name, alert.message) for alert in fired])

    def _show_alerts(self, fired: list[tuple[str, str]]) -> None:
        """A toast when a rule starts firing, not each time its numbers move: while it fires it
        stays on the inbox's status line and the board's alerts panel."""
        for name, message in fired:
            if name not in self._alerting:
                self.notify(message, title="Alert", severity="error", timeout=8, markup=False)
        self._alerting = {name for name, _ in fired}
        self.fired_alerts = [message for _, message in fired]

    @cached_property
    def templates(self):
        """Built-in reply templates, overridden by the lead's (``~/.config/deskui/templates``)."""
        from deskui.replies.templates import BUILTIN_DIR, load_templates

        found = load_templates(BUILTIN_DIR, config_path().parent / "templates")
        for problem in found.problems[:3]:
            self.notify(str(problem), severity="warning", timeout=10)
        return found

    def action_next_theme(self) -> None:
        names = sorted(self.available_themes)
        self.theme = names[(names.index(self.theme) + 1) % len(names)] if self.theme in names else names[0]

    def binding_rows(self) -> list[tuple[str, str]]:
        """Every active key with what it does, for the help screen (remapped keys included)."""
        seen: dict[str, list[str]] = {}
        for key, active in self.active_bindings.items():
            binding = active.binding
            description = binding.description or binding.action.replace("_", " ")
            seen.setdefault(description, []).append(self.get_key_display(binding) if key == binding.key else key)
        return [(" ".join(dict.fromkeys(keys)), description) for description, keys in seen.items()]

    def get_driver_class(self):
        """Textual's pick, but on a Linux or macOS terminal deskui's driver, whose escape key
        is not held up to 100 ms past its delay (deskui/ui/driver.py)."""
        driver = super().get_driver_class()
        if (driver.__module__, driver.__name__) == ("textual.drivers.linux_driver", "LinuxDriver"):
            from deskui.ui.driver import DeskDriver

            return DeskDriver
        return driver

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in screen.BINDINGS:
            # The views' keys are the palette's "View N: name" (ui/commands.py), with their names.
            if isinstance(binding, Binding) and binding.description and not binding.action.startswith("view("):
                action = binding.action

                def run(action: str = action) -> None:
                    self.call_later(screen.run_action, action)

                yield SystemCommand(binding.description, f"key: {binding.key}", run)


def config_lint_rules(config: Config):
    """The config's ``[lint.<channel>]`` rules from the document load_config already read (its
    line numbers included), or None without a [lint] table. Raises PolicyError on a bad one.
    The linter's rules are imported only for a [lint] table: ~30 ms of every launch before the
    first paint otherwise (the app loads them when a reply is first checked)."""
    if not config.lint or config.document is None:
        return None
    from deskui.replies.linter import parse_lint_rules

    return parse_lint_rules(config.document)


def run_app(path: Path, args: argparse.Namespace, start: str = "inbox") -> int:
    from deskui.policy import PolicyError
    from deskui.ui.ui_state import state_dir

    policy = load_policy(getattr(args, "policy", None))
    try:
        config = load_config(tiers=[tier.name for tier in policy.tiers])
        lint_rules = config_lint_rules(config)
    except ConfigError as error:
        raise SystemExit(f"deskui: {error}") from None
    except PolicyError as error:
        raise SystemExit("\n".join(str(problem) for problem in error.problems)) from None
    # `deskui demo` passes its example rules in (the UI never imports the demo): they apply only
    # when the config file has no [[alerts]] of its own.
    demo_rules = getattr(args, "demo_alerts", None)
    alert_rules = config.alerts or (list(demo_rules) if isinstance(demo_rules, list) else [])
    app = DeskApp(
        path,
        policy=policy,
        agent=getattr(args, "agent", None) or config.agent,
        timezone=config.timezone,
        theme=getattr(args, "theme", None) or config.theme,
        keys=config.keys,
        start=start,
        lint_rules=lint_rules,
        alert_rules=alert_rules,
        views=config.views,
        macros=config.macros,
        state_dir=state_dir(),
    )
    app.run()
    if app.store_failure:
        from deskui.store import StoreError

        raise StoreError(app.store_failure)
    return app.return_code or 0  # a crash (Textual printed its traceback) exits non-zero


def run_inbox(path: Path, args: argparse.Namespace) -> int:
    return run_app(path, args, "inbox")


def run_board(path: Path, args: argparse.Namespace) -> int:
    return run_app(path, args, "board")


def run_health(path: Path, args: argparse.Namespace) -> int:
    return run_app(path, args, "health")


__all__ = ["Config", "DeskApp", "HIGH_CONTRAST", "run_board", "run_health", "run_inbox"]
