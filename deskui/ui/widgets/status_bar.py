"""The inbox's top line: who, when, and how many tickets sit in each SLA state."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.widgets import Static

from deskui.sla import SlaState
from deskui.store.inbox import StateCounts
from deskui.text import one_line

STATE_STYLES = {
    "breached": "bold white on red",
    "imminent": "bold red",
    "at_risk": "bold yellow",
    "on_track": "green",
    "paused": "italic",
    "met": "dim green",
    "missed": "dim yellow",
}
ORDER = ("breached", "imminent", "at_risk", "on_track", "paused", "met", "missed")


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self, agent: str, zone: tzinfo, *, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self.agent = agent
        self.zone = zone
        self.counts: StateCounts | None = None
        self.view = ""
        self.problem = ""  # a background job that failed, said in one line
        self.alerts: list[str] = []  # the lead's alert rules firing now
        self.mailboxes: list = []  # deskui.connect.MailboxStatus of each mailbox `deskui sync` serves
        self._shown: Text | None = None

    def show(self, now: datetime) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("deskui ", style="bold")
        text.append(f"{now.astimezone(self.zone):%H:%M:%S} ", style="bold")
        text.append(f"@{self.agent}  ", style="dim")
        if self.problem:
            text.append(self.problem + "  ", style="bold red")
        for mailbox in self.mailboxes:
            if mailbox.error:
                text.append(f"✉ {one_line(mailbox.name, limit=20)} ✗ {one_line(mailbox.error, limit=60)} ", style="bold red")
            else:
                text.append(f"✉ {one_line(mailbox.name, limit=20)} {'●' if mailbox.connected else '○'} ",
                            style="green" if mailbox.connected else "dim")
        if self.alerts:
            text.append(f"⚠ {len(self.alerts)} alert{'s' if len(self.alerts) > 1 else ''} ", style="bold white on red")
            text.append(" ")
        if self.counts is not None:
            compact = self.size.width < 120
            for key in ORDER:
                state = SlaState.from_key(key)
                count = self.counts.by_state.get(key, 0)
                label = f"{state.glyph}{count}" if compact else f" {state.glyph} {count} {state.label} "
                text.append(label, style=STATE_STYLES[key] if count else "dim")
                text.append(" ")
            if compact:
                text.append(f"│ {self.counts.total} open", style="dim")
            else:
                tiers = "  ".join(f"{tier} {count}" for tier, count in self.counts.by_tier.items())
                text.append(f"│ {self.counts.total} open: {tiers}", style="dim")
        if text != self._shown:
            self._shown = text
            # One line, its size set by the stylesheet: a new text never moves anything else, so
            # the screen is not laid out again (that layout was most of the idle inbox's CPU).
            self.update(text, layout=False)
