"""Per-channel limits on a reply's attachments, checked before it is sent (issue #13).

A pure function over (channel, [(file name, content type, size in bytes), ...]) so that whoever
attaches files to a reply (the ticket screen, the outbox, ``deskui sync``) asks the same question.
Only the limits a marketplace documents are here (docs/replies.md):

* Amazon (Seller Central help, Buyer-Seller Messages): "one or more attachments (up to 10 MB) in a
  message"; the guidelines allow attachments only for instructions, invoices or warranty
  documents. The formats Amazon accepts are listed on that page but not confirmed here, so a file
  that is neither a document nor an image warns instead of blocking. 10 MB is read as 10,000,000
  bytes of files: the smaller reading, since a bounce costs more than a split message.
* eBay, Walmart, Shopify, TikTok Shop, Instagram: no documented limit for replies by mail, so none
  is assumed (the mail server's own limit still applies).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from deskui.replies.rules.base import BLOCK, WARN, Warning, market_name, whose_rules
from deskui.replies.rules.registry import KINDS, Rule, register


@dataclass(frozen=True)
class AttachmentLimits:
    max_total_bytes: int | None = None  # all the files of one message together
    # content types accepted without a warning: a whole type ("image/") or an exact one; None: any
    kinds: tuple[str, ...] | None = None
    source: str = ""


_DOCUMENTS = ("image/", "text/plain", "application/pdf", "application/msword",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "application/vnd.oasis.opendocument.text", "application/rtf", "text/rtf")

LIMITS: dict[str, AttachmentLimits] = {
    "amazon": AttachmentLimits(10_000_000, _DOCUMENTS, "Amazon's Buyer-Seller Messages help: up to 10 MB in a message"),
}

Attachment = tuple[str, str, int]  # (file name, content type, size in bytes)


def _size(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{count:,} bytes"


def _accepted(content_type: str, kinds: tuple[str, ...]) -> bool:
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return any(kind.startswith(accepted) if accepted.endswith("/") else kind == accepted for accepted in kinds)


def check_attachments(channel: str, attachments: Iterable[Attachment], rules=None) -> list[Warning]:
    """Warnings for the files attached to a reply on ``channel`` (none when the channel documents
    no limit, or when ``[lint.<channel>]`` disables the ``attachment`` rule). ``start``/``end``
    are indexes into ``attachments``; the field is "attachments"."""
    from deskui.replies.rules.settings import DEFAULT_RULES

    channel = (channel or "").lower()
    files = list(attachments)
    settings = (rules or DEFAULT_RULES).for_channel(channel)
    limits = LIMITS.get(channel)
    if not files or limits is None or "attachment" not in settings.enabled:
        return []
    found = []

    def add(kind: str, start: int, end: int, excerpt: str, **extra) -> None:
        rule, severity, message = KINDS[kind]
        text = message.format(rules=whose_rules(channel), m=market_name(channel), source=limits.source, **extra)
        found.append(Warning(rule, text, start, end, excerpt[:80], settings.severity_of(rule, severity), "attachments"))

    if limits.kinds is not None:
        for index, (name, content_type, _) in enumerate(files):
            if not _accepted(content_type, limits.kinds):
                add("attachment_type", index, index + 1, name, name=name, type=content_type or "unknown")
    total = sum(max(0, int(size)) for _, _, size in files)
    if limits.max_total_bytes is not None and total > limits.max_total_bytes:
        add("attachment_size", 0, len(files), ", ".join(name for name, _, _ in files),
            total=_size(total), limit=_size(limits.max_total_bytes), count=len(files))
    return found


register(Rule(
    "attachment",
    "attachments over the channel's size limit, or of a kind it does not take",
    {
        "attachment_size": (BLOCK, "The attachments come to {total} ({count} file(s)); {m} takes at most {limit} "
                                   "in a message ({source}): send fewer or smaller files, or split the reply."),
        "attachment_type": (WARN, "{name} is a {type} file: {rules} allow attachments only for instructions, "
                                  "invoices or warranty documents (a PDF, an image or a text document); other "
                                  "formats may be refused (the accepted formats are unconfirmed)."),
    },
    fields=("attachments",),
))
