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
        head = self._head(now)
        text = head
        if self.counts is not None:
            # The richest line that fits: labels and tiers when wide, then glyphs; at 80 columns
            # the brand, the total and the least urgent states go before any count is cut.
            room = self.content_region.width or max(self.size.width - 2, 0)
            for brand, counts in self._candidates():
                text = Text(no_wrap=True, overflow="ellipsis")
                if brand:
                    text.append("deskui ", style="bold")
                text.append_text(head)
                text.append_text(counts)
                if text.cell_len <= room:
                    break
        else:
            text = Text(no_wrap=True, overflow="ellipsis")
            text.append("deskui ", style="bold")
            text.append_text(head)
        if text != self._shown:
            self._shown = text
            # One line, its size set by the stylesheet: a new text never moves anything else, so
            # the screen is not laid out again (that layout was most of the idle inbox's CPU).
            self.update(text, layout=False)

    def _head(self, now: datetime) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
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
        return text

    def _candidates(self):
        """(with the brand, the counts part) from the richest to the narrowest."""
        for tiers in range(len(self.counts.by_tier), 0, -1):  # the most urgent tiers stay longest
            yield True, self._counts(ORDER, labels=True, total="tiers", tiers=tiers)
        yield True, self._counts(ORDER, labels=True, total="open")
        yield True, self._counts(ORDER, labels=False, total="open")
        yield False, self._counts(ORDER, labels=False, total="open")
        for keep in range(len(ORDER), 0, -1):
            yield False, self._counts(ORDER[:keep], labels=False, total=None)

    def _counts(self, keys, *, labels: bool, total: str | None, tiers: int = 0) -> Text:
        text = Text()
        for key in keys:
            state = SlaState.from_key(key)
            count = self.counts.by_state.get(key, 0)
            label = f" {state.glyph} {count_text(count)} {state.label} " if labels else f"{state.glyph} {count_text(count)}"
            text.append(label, style=STATE_STYLES[key] if count else "dim")
            text.append(" ")
        if total == "tiers":
            shown = "  ".join(f"{tier} {count_text(count)}" for tier, count in list(self.counts.by_tier.items())[:tiers])
            text.append(f"│ {count_text(self.counts.total)} open: {shown}", style="dim")
        elif total == "open":
            text.append(f"│ {count_text(self.counts.total)} open", style="dim")
        return text


def count_text(count: int) -> str:
    """Every count the widgets show, one way: thousands separated (``9,058``)."""
    return f"{count:,}"
