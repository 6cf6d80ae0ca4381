"""How many bytes of files a reply may carry, per channel: checked when a file is attached and again
just before `deskui sync` sends the reply (docs/mail.md, "Attaching files to a reply").

``check_reply_attachments`` is the hard limit in bytes (a reply over it is never sent); the linter's
attachment rule (``deskui/replies/rules/attachment.py``) holds Amazon's figure and also warns about
file kinds in the reply box.
"""

from __future__ import annotations

from dataclasses import dataclass

from deskui.replies.rules.attachment import LIMITS as ATTACHMENT_LIMITS
from deskui.text import one_line

MB = 1_000_000  # decimal, as the marketplaces and mail providers count: the stricter reading


@dataclass(frozen=True)
class Limit:
    total_bytes: int   # all the files of one reply together
    owner: str         # whose limit it is, for the reason line


# Amazon's buyer-seller messaging takes attachments up to 10 MB (REFERENCE.md, "Amazon
# buyer-seller messaging rules"; a bigger reply comes back as a rejection notice).
# Any other channel goes out as plain e-mail: most providers refuse a message over 25 MB, and
# base64 makes 18 MB of files into 24 MB of message.
EMAIL = Limit(18 * MB, "e-mail (mail servers refuse bigger messages)")
# Amazon's figure is the linter's (one source: the attachment rule in deskui/replies/rules/).
LIMITS = {"amazon": Limit(ATTACHMENT_LIMITS["amazon"].max_total_bytes, "Amazon's buyer messages")}


def limit_for(channel: str | None) -> Limit:
    return LIMITS.get((channel or "").lower(), EMAIL)


def megabytes(size: int) -> str:
    """30 MB, 12.4 MB, 0.2 MB."""
    return f"{size / MB:.1f}".removesuffix(".0") + " MB"


def check_reply_attachments(channel: str | None, files: list[tuple[str, str, int]]) -> list[str]:
    """One line per file the reply cannot carry, naming it and what to do; empty when all may go.

    ``files`` are (filename, content_type, size in bytes) in the order they were attached: a file
    that alone is over the limit is named for its own size, one that takes the total over it for the
    total (the files before it fit)."""
    limit = limit_for(channel)
    problems, total = [], 0
    for name, _content_type, size in files:
        shown = one_line(name, limit=80) or "(no name)"
        if size > limit.total_bytes:
            problems.append(f"{shown}: {megabytes(size)} is over the {megabytes(limit.total_bytes)} allowed for "
                            f"{limit.owner}; send a smaller file")
            continue
        if total + size > limit.total_bytes:
            problems.append(f"{shown}: with it the reply's files come to {megabytes(total + size)}, over the "
                            f"{megabytes(limit.total_bytes)} allowed for {limit.owner}; leave a file out")
            continue
        total += size
    return problems
