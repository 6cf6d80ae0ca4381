"""The Textual application: themes, key map, command palette, and the first screen."""

from __future__ import annotations

import argparse
from functools import cached_property
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from deskui.clock import Clock, SystemClock
from deskui.config import Config, ConfigError, config_path, default_agent, load_config
from deskui.policy import Policy, load_policy
from deskui.timeutil import zone

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


class DeskApp(App[None]):
    TITLE = "deskui"
    CSS_PATH = "deskui.tcss"
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
    ) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.policy = policy
        self.clock = clock or SystemClock()
        self.agent = agent or default_agent()
        self.zone = zone(timezone) if timezone else zone("UTC")
        self.register_theme(HIGH_CONTRAST)
        self._requested_theme = theme
        self.start = start
        self.lint_rules = lint_rules
        if keys:
            self.set_keymap(keys)

    def on_mount(self) -> None:
        if self._requested_theme:
            if self._requested_theme in self.available_themes:
                self.theme = self._requested_theme
            else:
                self.notify(f"Unknown theme {self._requested_theme!r}; try one of: {', '.join(sorted(self.available_themes))}", severity="warning")
        if self.start == "board":
            from deskui.ui.screens.board import BoardScreen

            self.push_screen(BoardScreen(standalone=True))
        else:
            from deskui.ui.screens.inbox import InboxScreen

            self.push_screen(InboxScreen())

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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in screen.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                action = binding.action

                def run(action: str = action) -> None:
                    self.call_later(screen.run_action, action)

                yield SystemCommand(binding.description, f"key: {binding.key}", run)


def run_app(path: Path, args: argparse.Namespace, start: str = "inbox") -> int:
    try:
        config = load_config()
    except ConfigError as error:
        raise SystemExit(f"deskui: {error}") from None
    policy = load_policy(getattr(args, "policy", None))
    app = DeskApp(
        path,
        policy=policy,
        agent=getattr(args, "agent", None) or config.agent,
        timezone=config.timezone,
        theme=getattr(args, "theme", None) or config.theme,
        keys=config.keys,
        start=start,
    )
    app.run()
    return 0


def run_inbox(path: Path, args: argparse.Namespace) -> int:
    return run_app(path, args, "inbox")


def run_board(path: Path, args: argparse.Namespace) -> int:
    return run_app(path, args, "board")


__all__ = ["Config", "DeskApp", "HIGH_CONTRAST", "run_board", "run_inbox"]
