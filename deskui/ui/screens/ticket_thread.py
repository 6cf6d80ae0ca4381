"""The ticket's thread as text: who wrote each message, when, its files, whether it went out."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from deskui.store.thread import ThreadMessage
from deskui.text import clean, one_line

DIRECTION_LABELS = {"in": ("buyer", "bold cyan"), "out": ("agent", "bold green"), "note": ("internal note", "bold yellow")}


def ago(now: datetime, then: datetime | None) -> str:
    if then is None:
        return "?"
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 10 * 60:  # "1 h ago" for 1 h 59 min hides an hour
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min ago" if rest else f"{hours} h ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // 1440} days ago"


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(size // 1024, 1)} KB"


def render_thread(messages: list[ThreadMessage], now: datetime, zone, buyer: str | None = None,
                  attachments: list | None = None) -> Text:
    """The thread; ``buyer`` names inbound messages that carry no author (rows from a CSV);
    each message lists the files that came with it (``o`` opens one)."""
    files: dict[int, list] = {}
    for attachment in attachments or ():
        files.setdefault(attachment.message_id, []).append(attachment)
    text = Text()
    for message in messages:
        label, style = DIRECTION_LABELS.get(message.direction, (message.direction, "bold"))
        if message.auto_ack:
            label, style = "automatic acknowledgement", "bold magenta"
        when = message.sent_at.astimezone(zone).strftime("%a %d %b %H:%M") if message.sent_at else "?"
        text.append(f"── {label} ", style=style)
        author = one_line(message.author, limit=60) or (one_line(buyer, limit=60) if message.direction == "in" else "") or "(no name)"
        text.append(author, style="dim")
        text.append(f"  {when} ({ago(now, message.sent_at)})", style="dim")
        if message.delivery == "failed":
            text.append(f"  ⚠ NOT DELIVERED: {one_line(message.delivery_reason, limit=80)}", style="bold red")
        elif message.delivery == "queued":
            text.append("  (queued for sending)", style="dim italic")
        text.append("\n")
        text.append(clean(message.body) + "\n", style="italic" if message.direction == "note" else "")
        if message.full_length > len(message.body):
            text.append(f"[{message.full_length - len(message.body):,} more characters not shown]\n", style="dim italic")
        for attachment in files.get(message.id, ()):
            text.append(f"⎘ {one_line(attachment.name, limit=80)}", style="bold")
            text.append(f"  {one_line(attachment.content_type, limit=40)}, {_size(attachment.size)}  (o opens)\n", style="dim")
        text.append("\n")
    return text

