"""Buyer messages as e-mail: ``.eml`` files, mbox files and Maildir folders.

Each message becomes a row of ``messages`` in a ticket:

* Amazon buyer-seller messages (from ``…@marketplace.amazon.<tld>``) are ``amazon`` tickets, one
  per buyer alias and order (``tickets.external_id`` = ``ORDER/ALIAS``), linked to the order and to
  the buyer (``customers``: channel ``amazon``, ``external_id`` = the alias address). The seller's
  own mail to an alias is the same thread, direction ``out``.
* A-to-z Guarantee claim notices are ``amazon`` tickets of their own (``atoz/ORDER``), linked to
  the order and its buyer when known; the order's ``claim_status`` becomes ``open``.
* Other mail is threaded by Message-ID / In-Reply-To / References (``tickets.external_id`` = the
  thread's first Message-ID) and gets the channel a rule names (see ``channel_for``).

The header is parsed with the stdlib's ``compat32`` policy and decoded with ``email.utils`` /
``email.header``: ``email.policy.default`` builds a structured object per header and measured
~20x slower here (~820 µs against ~40 µs per message), which alone would break the 100k-message
budget.
"""

from __future__ import annotations

import binascii
import hashlib
import multiprocessing
import os
import queue as queue_module
import re
import signal
import sqlite3
import sys
import threading
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.parser import BytesParser
from email import policy as email_policy
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from fnmatch import fnmatchcase
from pathlib import Path

from deskui.ingest.base import BATCH, Context, Stop, binary, chunks, db_time, is_binary
from deskui.ingest.mailtext import decode_bytes, header_text, html_to_text, readable, store_text
from deskui.policy.model import CHANNELS
from deskui.store.tickets import record_event
from deskui.timeutil import TimeParseError, from_db, to_db

AMAZON_ALIAS = re.compile(r"^[^@\s]+@marketplace\.(amazon\.[a-z]{2,3}(?:\.[a-z]{2})?)$")
AMAZON_DOMAIN = re.compile(r"@(?:[a-z0-9-]+\.)*(amazon\.[a-z]{2,3}(?:\.[a-z]{2})?)$")
ATOZ_SENDER = re.compile(r"^atoz-guarantee-no-reply@(amazon\.[a-z]{2,3}(?:\.[a-z]{2})?)$")
ATOZ_SUBJECT = re.compile(
    r"a-?to-?z guarantee claim|claim received on order|claim decision on order|a-to-z claim|"
    r"r[ée]clamation au titre de la garantie|garantie a-?[àa]-?z|a-bis-z|garant[íi]a de la a a la z|garanzia dalla a alla z",
    re.I,
)
ATOZ_OPENING = re.compile(r"claim received|action required|your amazon a-to-z guarantee claim|r[ée]clamation re[çc]ue|antrag eingegangen", re.I)
ORDER_ID = re.compile(r"(?<![0-9A-Za-z-])([0-9A-Z]{3}-\d{7}-\d{7})(?![0-9])")
SUBJECT_NAME = re.compile(
    r"(?:from amazon customer|du client amazon|de l'acheteur amazon|von amazon-kunde[n]?|des amazon-kunden|"
    r"del cliente de amazon|dal cliente amazon|van amazon-klant)\s+(.+?)\s*\(",
    re.I,
)
DISPLAY_SUFFIX = re.compile(r"\s*-\s*(?:amazon marketplace|marketplace amazon|amazon)\s*$", re.I)
STORE_ORDER = re.compile(r"(?<![\w#])#([A-Z]{0,4}\d{3,})\b")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
HEADER_LINE = re.compile(rb"^[!-9;-~]+:")

# Built-in rules, after the caller's own: first match (on any address of the message) wins.
DEFAULT_RULES: tuple[tuple[str, str], ...] = (
    ("*@members.ebay.*", "ebay"),
    ("*@ebay.*", "ebay"),
    ("*@relay.walmart.com", "walmart"),
    ("*@*walmart.com", "walmart"),
    ("*@scs.tiktokw.us", "tiktok"),
    ("*@*tiktok*", "tiktok"),
    ("*@*instagram.com", "instagram"),
)
DEFAULT_CHANNEL = "shopify"


@dataclass
class RawMail:
    file: str
    line: int  # the line of the file the message's headers start on
    data: bytes


@dataclass
class Mail:
    file: str
    line: int
    message_id: str
    refs: list[str]            # In-Reply-To then References, nearest first
    root: str                  # the thread's first Message-ID as this message knows it
    from_addr: str
    from_name: str
    to: list[tuple[str, str]]
    others: list[str]          # Cc, Delivered-To, X-Original-To: for channel rules
    subject: str
    sent_at: str
    body: str
    raw: str
    auto_ack: bool
    kind: str = "mail"         # amazon, atoz, mail
    direction: str = "in"
    channel: str | None = None
    marketplace: str | None = None
    order_number: str | None = None
    customer_addr: str | None = None
    customer_name: str | None = None
    key: str | None = None     # Amazon thread key: ORDER/ALIAS or atoz/ORDER
    claim_opening: bool = False

    def __reduce__(self):
        # a plain tuple of the fields: about half the pickling work of a dataclass's __dict__
        return (Mail, tuple(self.__dict__.values()))


# ---------------------------------------------------------------------- readers
def read_eml(ctx: Context, path: Path, display: str | None = None) -> Iterator[RawMail]:
    data = path.read_bytes()
    name = display or ctx.name
    if is_binary(data[:8192]):
        binary(ctx, file=name)
    if data.startswith(b"From ") and b"\n" in data:  # an mbox separator line in front: skip it
        data = data.split(b"\n", 1)[1]
        yield RawMail(name, 2, data)
    else:
        yield RawMail(name, 1, data)


_SEPARATOR = re.compile(rb"^From \S+.*\d{1,2}:\d{2}")
_ESCAPED_FROM = re.compile(rb"^>(>*From )")


def read_mbox(ctx: Context, path: Path) -> Iterator[RawMail]:
    """Stream an mbox one message at a time (mboxo and mboxrd: ``>From`` unescaped)."""
    total = path.stat().st_size
    with open(path, "rb") as handle:
        if is_binary(handle.read(8192)):
            binary(ctx)
        handle.seek(0)
        lineno = 0
        done = 0
        next_tick = 1 << 20
        buffer: list[bytes] = []
        start = 0
        previous_blank = True
        for raw in handle:
            lineno += 1
            done += len(raw)
            if raw.startswith(b"From ") and previous_blank and _SEPARATOR.match(raw):
                if buffer or start:
                    yield RawMail(ctx.name, start, _join(buffer))
                buffer = []
                start = lineno + 1
            else:
                if not start and not buffer and not raw.strip():
                    previous_blank = True
                    continue
                if not start:
                    ctx.reject(lineno, "file", "not an mbox: the first line is not a 'From ' separator line")
                    raise Stop
                if raw.startswith(b">") and _ESCAPED_FROM.match(raw):
                    raw = raw[1:]
                buffer.append(raw)
            previous_blank = raw in (b"\n", b"\r\n")
            if done >= next_tick:
                ctx.tick(done, total)
                next_tick = done + (1 << 20)
        if buffer or start:
            yield RawMail(ctx.name, start, _join(buffer))
        ctx.tick(done, total)


def _join(lines: list[bytes]) -> bytes:
    if lines and lines[-1] in (b"\n", b"\r\n"):
        lines = lines[:-1]  # the blank line before the next separator belongs to the mbox
    return b"".join(lines)


def read_maildir(ctx: Context, path: Path) -> Iterator[RawMail]:
    """``new/`` and ``cur/`` in name order (``tmp/`` holds deliveries still being written)."""
    files = []
    for sub in ("new", "cur"):
        folder = path / sub
        if folder.is_dir():
            files.extend(sorted(entry for entry in folder.iterdir() if entry.is_file() and not entry.name.startswith(".")))
    for number, file in enumerate(files, start=1):
        display = f"{ctx.name.rstrip('/')}/{file.parent.name}/{file.name}"
        try:
            yield from read_eml(ctx, file, display)
        except Stop:
            pass  # one binary file in a Maildir rejects that message only
        ctx.tick(number, len(files))


# ---------------------------------------------------------------------- parsing
def _line_of(raw: RawMail, name: bytes) -> int:
    """The file line of a header (for pointing a rejection at it), else the message's first."""
    prefix = name.lower() + b":"
    for offset, line in enumerate(raw.data.split(b"\n", 200)[:200]):
        if not line.strip():
            break
        if line.lower().startswith(prefix):
            return raw.line + offset
    return raw.line


_ADDRESS_ONLY = re.compile(r"^\s*<?([^<>\s,;\"()]+@[^<>\s,;\"()]+?)>?\s*$")
_NAME_ADDRESS = re.compile(r"^\s*(?:\"((?:[^\"\\]|\\.)*)\"|([^<>\",;()@]*?))\s*<([^<>\s,;\"()]+@[^<>\s,;\"()]+)>\s*$")


def _addresses(headers: dict[str, list], *names: str) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs. The common one-address forms are read with a
    regular expression; anything else (several addresses, comments, groups) goes to
    ``email.utils.getaddresses``, which is exact but ~20x slower."""
    out = []
    for name in names:
        for value in headers.get(name, ()):
            text = value if isinstance(value, str) else header_text(value)
            if not text.isascii() and any("\udc80" <= char <= "\udcff" for char in text):
                text = header_text(text)
            text = store_text(text)  # a raw ESC or NUL in a name or address never reaches the store
            found = _ADDRESS_ONLY.match(text)
            if found:
                out.append(("", found.group(1).lower()))
                continue
            found = _NAME_ADDRESS.match(text)
            if found:
                display = found.group(1) if found.group(1) is not None else found.group(2)
                display = display.replace('\\"', '"').strip()
                out.append((header_text(display) if "=?" in display else display, found.group(3).lower()))
                continue
            for display, address in getaddresses([text]):
                address = address.strip().strip("<>").lower()
                if "@" in address:
                    out.append((header_text(display) if "=?" in display else display.strip(), address))
    return out


def _body(message: Message) -> str:
    plain = html = None
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        if kind not in ("text/plain", "text/html"):
            continue
        if (part.get("Content-Disposition") or "").lower().startswith("attachment"):
            continue
        payload = part.get_payload(decode=True)
        if payload is None:
            continue
        text = decode_bytes(payload, part.get_content_charset())
        if kind == "text/plain" and plain is None and text.strip():
            plain = text
        elif kind == "text/html" and html is None and text.strip():
            html = text
    if plain is not None:
        return plain
    if html is not None:
        return html_to_text(html)
    return ""


_HEADERS_ONLY = BytesParser(policy=email_policy.compat32)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.I)
# Parse with the stdlib only (no fast path): tests flip it to compare the two.
STDLIB_ONLY = False


def _fast(data: bytes) -> tuple[dict[str, list], str] | None:
    """The common case without the feed parser: a single-part message with a well-formed header
    block. Returns (headers, body text), or None for anything else (multipart, a header line
    without a colon, undecodable transfer encoding...), which the stdlib path then parses.
    Header values are decoded exactly as compat32 does (ASCII with surrogate escapes)."""
    end, gap = data.find(b"\n\n"), 2
    crlf = data.find(b"\r\n\r\n")
    if crlf != -1 and (end == -1 or crlf < end):
        end, gap = crlf, 4
    block, body = (data, b"") if end == -1 else (data[:end], data[end + gap :])
    headers: dict[str, list] = {}
    name = None
    values: list[str] = []
    for line in block.split(b"\n"):
        if line.endswith(b"\r"):
            line = line[:-1]
        if line[:1] in (b" ", b"\t"):
            if name is None:
                return None
            values.append(line.decode("ascii", "surrogateescape"))
            continue
        if name is not None:
            headers.setdefault(name, []).append("\n".join(values))
        key, colon, value = line.partition(b":")
        if not colon or not key or key != key.strip() or b" " in key:
            return None  # not a header line: let the stdlib parser record the defect
        name = key.decode("ascii", "surrogateescape").lower()
        values = [value.strip(b" \t").decode("ascii", "surrogateescape")]
    if name is not None:
        headers.setdefault(name, []).append("\n".join(values))
    content_type = (headers.get("content-type") or ["text/plain"])[0]
    kind = content_type.split(";", 1)[0].strip().lower() or "text/plain"
    if kind.startswith("multipart/") or len(headers.get("content-type", ())) > 1:
        return None
    if kind not in ("text/plain", "text/html"):
        return headers, ""
    if (headers.get("content-disposition") or [""])[0].strip().lower().startswith("attachment"):
        return headers, ""
    encoding = (headers.get("content-transfer-encoding") or [""])[0].strip().lower()
    try:
        if encoding == "base64":
            payload = binascii.a2b_base64(body)
        elif encoding == "quoted-printable":
            payload = binascii.a2b_qp(body)
        elif encoding in ("", "7bit", "8bit", "binary"):
            payload = body
        else:
            return None
    except (binascii.Error, ValueError):
        return None
    found = _CHARSET.search(content_type)
    text = decode_bytes(payload, found.group(1) if found else None)
    if not text.strip():
        return headers, ""
    return headers, html_to_text(text) if kind == "text/html" else text


def _parse(data: bytes) -> Message:
    """Headers first; the body is split into parts only for multipart messages."""
    message = _HEADERS_ONLY.parsebytes(data, headersonly=True)
    if message.get_content_maintype() == "multipart":
        message = message_from_bytes(data, policy=email_policy.compat32)
    return message


def _read(data: bytes) -> tuple[dict[str, list], str]:
    fast = None if STDLIB_ONLY else _fast(data)
    if fast is not None:
        return fast
    message = _parse(data)
    headers: dict[str, list] = {}
    for key, value in message.items():
        headers.setdefault(key.lower(), []).append(value)
    return headers, _body(message)


def parse_mail(ctx: Context, raw: RawMail) -> Mail | None:
    data = raw.data
    if not data.strip():
        ctx.reject(raw.line, "headers", "empty message", file=raw.file, tables=[("messages", 1)])
        return None
    first = data.lstrip(b"\r\n").split(b"\n", 1)[0]
    if not HEADER_LINE.match(first):
        ctx.reject(raw.line, "headers", f"malformed message: it starts with {first[:60].decode('utf-8', 'replace')!r}, "
                                        "not a header line (Name: value)", file=raw.file, tables=[("messages", 1)])
        return None
    headers, body = _read(data)

    def get(name: str):
        values = headers.get(name)
        return values[0] if values else None

    from_list = _addresses(headers, "from")
    if not from_list:
        value = header_text(get("from"))
        ctx.reject(_line_of(raw, b"From"), "From", f"missing or unreadable sender: {value!r}" if value else "missing: no From header",
                   file=raw.file, tables=[("messages", 1)])
        return None
    date_text = header_text(get("date"))
    if not date_text:
        ctx.reject(raw.line, "Date", "missing: every message needs its Date (the SLA clock starts there)",
                   file=raw.file, tables=[("messages", 1)])
        return None
    sent_at = _mail_time(ctx, date_text)
    if sent_at is None:
        ctx.reject(_line_of(raw, b"Date"), "Date", f"not a date/time: {date_text!r} (expected e.g. Tue, 18 Feb 2020 05:05:21 +0000)",
                   file=raw.file, tables=[("messages", 1)])
        return None
    found = MESSAGE_ID.findall(header_text(get("message-id")))
    message_id = found[0] if found else f"<sha1-{hashlib.sha1(data).hexdigest()}@deskui.invalid>"
    in_reply_to = MESSAGE_ID.findall(header_text(get("in-reply-to")))
    references = MESSAGE_ID.findall(header_text(get("references")))
    refs = list(dict.fromkeys([*in_reply_to, *reversed(references)]))
    refs = [ref for ref in refs if ref != message_id]
    root = references[0] if references else in_reply_to[0] if in_reply_to else message_id
    auto = (header_text(get("auto-submitted")) or "no").lower()
    try:
        raw_text = data.decode("utf-8")
    except UnicodeDecodeError:
        raw_text = data.decode("latin-1")  # lossless: the bytes come back with .encode("latin-1")
    display, address = from_list[0]
    return Mail(
        file=raw.file,
        line=raw.line,
        message_id=message_id,
        refs=refs,
        root=root,
        from_addr=address,
        from_name=display,
        to=_addresses(headers, "to"),
        others=[a for _, a in _addresses(headers, "cc", "delivered-to", "x-original-to")],
        subject=header_text(get("subject")),
        sent_at=sent_at,
        body=body,
        raw=raw_text,
        auto_ack=auto != "no" or bool(get("x-autoreply") or get("x-autorespond")),
    )


def _mail_time(ctx: Context, text: str) -> str | None:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is not None and 1970 <= moment.year <= 2200:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ctx.zone)
        return to_db(moment)
    try:
        return ctx.time(text)  # dateutil, for the dates real mailers write that RFC 5322 does not allow
    except (TimeParseError, OverflowError, ValueError):
        return None


# ---------------------------------------------------------------------- classifying
def _match(patterns: Iterable[str], addresses: Iterable[str]) -> bool:
    return any(fnmatchcase(address, pattern) for pattern in patterns for address in addresses)


class Rules:
    """How a message is classified: channel rules and the seller's own addresses. No database,
    so it can run in the parsing worker process."""

    def __init__(self, *, channel_rules=None, seller_addresses=None, default_channel: str | None = None):
        rules = list(channel_rules.items()) if isinstance(channel_rules, dict) else list(channel_rules or ())
        for pattern, channel in rules:
            if channel not in CHANNELS:
                raise ValueError(f"channel rule {pattern!r}: unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
        self.rules = [(pattern.lower(), channel) for pattern, channel in rules] + list(DEFAULT_RULES)
        self.sellers = [pattern.lower() for pattern in (seller_addresses or ())]
        self.default_channel = default_channel or DEFAULT_CHANNEL
        if self.default_channel not in CHANNELS:
            raise ValueError(f"default channel {self.default_channel!r} is not one of {', '.join(CHANNELS)}")
        self.channels = sorted(set(CHANNELS) | {channel for _, channel in self.rules} | {self.default_channel})

    def channel_for(self, mail: Mail) -> str:
        addresses = [mail.from_addr, *(a for _, a in mail.to), *mail.others]
        for pattern, channel in self.rules:
            if any(fnmatchcase(address, pattern) for address in addresses):
                return channel
        return self.default_channel

    def classify(self, mail: Mail) -> None:
        sender = mail.from_addr
        outgoing = _match(self.sellers, [sender])
        alias = AMAZON_ALIAS.match(sender)
        to_alias = next((a for _, a in mail.to if AMAZON_ALIAS.match(a)), None)
        atoz = ATOZ_SENDER.match(sender) or (AMAZON_DOMAIN.search(sender) and not alias and ATOZ_SUBJECT.search(mail.subject))
        order = ORDER_ID.search(mail.subject) or ORDER_ID.search(mail.body[:5000])
        if alias and not outgoing:
            mail.kind, mail.direction, mail.channel = "amazon", "in", "amazon"
            mail.marketplace = alias.group(1)
            mail.customer_addr = sender
            mail.customer_name = _buyer_name(mail.from_name, mail.subject)
        elif to_alias and not atoz:
            mail.kind, mail.direction, mail.channel = "amazon", "out", "amazon"
            mail.marketplace = AMAZON_ALIAS.match(to_alias).group(1)
            mail.customer_addr = to_alias
            mail.customer_name = _buyer_name(next(n for n, a in mail.to if a == to_alias), mail.subject)
        elif atoz:
            mail.kind, mail.direction, mail.channel = "atoz", "in", "amazon"
            mail.marketplace = atoz.group(1)
            mail.claim_opening = bool(ATOZ_OPENING.search(mail.subject)) and "decision" not in mail.subject.lower()
        else:
            domain = AMAZON_DOMAIN.search(sender)
            mail.channel = "amazon" if domain and not outgoing else self.channel_for(mail)
            if domain and not outgoing:
                mail.marketplace = domain.group(1)
            mail.direction = "out" if outgoing else "in"
            if outgoing:
                if mail.to:
                    mail.customer_name, mail.customer_addr = mail.to[0]
            else:
                mail.customer_addr, mail.customer_name = sender, mail.from_name
            store = STORE_ORDER.search(mail.subject)
            if store and mail.channel != "amazon":
                mail.order_number = "#" + store.group(1)
        if mail.kind in ("amazon", "atoz"):
            if order:
                mail.order_number = order.group(1)
                mail.key = f"atoz/{mail.order_number}" if mail.kind == "atoz" else f"{mail.order_number}/{mail.customer_addr}"
            mail.body = readable(mail.body, amazon=True)
        else:
            mail.body = readable(mail.body, amazon=bool(AMAZON_DOMAIN.search(sender)))
        if not mail.customer_name:
            mail.customer_name = None

class MailImporter:
    """Writes classified messages in batches (see ``_Batch``)."""

    def __init__(self, ctx: Context, rules: Rules):
        self.ctx = ctx
        self.conn = ctx.conn
        self.rules = rules
        self.channels = rules.channels
        self.by_message_index = self._has_message_id_index()
        # Tickets that got a new or changed message: triaged once, at the end of the file (a
        # ticket with follow-ups in several batches is refreshed once, not once per batch).
        self.touched: set[int] = set()
        # channels that have tickets: the (channel, external_id) lookups name only these
        self.ticket_channels = {row[0] for row in self.conn.execute("SELECT DISTINCT channel FROM tickets")}
        self._next: dict[str, int] = {}
        ctx.tables("tickets", "messages", "customers")

    def next_id(self, table: str) -> int:
        """Ids for new rows, handed out here so a batch is inserted with one executemany. Safe:
        the import runs inside one write transaction, so no other writer can take an id."""
        if table not in self._next:
            self._next[table] = self.conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
        self._next[table] += 1
        return self._next[table]

    def _has_message_id_index(self) -> bool:
        for index in self.conn.execute("PRAGMA index_list(messages)"):
            first = self.conn.execute(f"PRAGMA index_info({index[1]!r})").fetchone()
            if first is not None and first[2] == "external_id":
                return True
        return False

    def run(self, batches: Iterable[list[Mail]]) -> None:
        for batch in batches:
            self.flush(batch)
        if not self.ctx.failed:
            self.ctx.to_triage(self.touched)

    def flush(self, batch: list[Mail]) -> None:
        if not batch or self.ctx.failed:
            return
        _Batch(self, batch).write()


def _buyer_name(display: str, subject: str) -> str | None:
    display = (display or "").strip().strip('"')
    if display and DISPLAY_SUFFIX.search(display):
        name = DISPLAY_SUFFIX.sub("", display).strip()
        if name:
            return name
    found = SUBJECT_NAME.search(subject or "")
    if found:
        return found.group(1).strip()
    return display or None


class _Batch:
    """One batch of messages: a few lookups for every key the batch names, then the writes."""

    def __init__(self, importer: MailImporter, mails: list[Mail]):
        self.importer = importer
        self.ctx = importer.ctx
        self.conn: sqlite3.Connection = importer.conn
        self.mails = mails

    def _fetch(self, sql: str, prefix: list, keys: Iterable) -> list:
        rows = []
        keys = list(dict.fromkeys(keys))
        for part in chunks(keys):
            rows.extend(self.conn.execute(sql.format(marks=",".join("?" * len(part))), [*prefix, *part]).fetchall())
        return rows

    def write(self) -> None:
        ctx, conn, mails, importer = self.ctx, self.conn, self.mails, self.importer
        # 1. what the database already holds for every key the batch names
        keys = set()
        for mail in mails:
            keys.update(mail.refs)
            keys.add(mail.root)
            keys.add(mail.message_id)
            if mail.key:
                keys.add(mail.key)
        tickets: dict[str, dict] = {}   # external_id -> ticket state
        by_id: dict[int, dict] = {}
        channels = sorted(importer.ticket_channels)
        if channels:
            for row in self._fetch(
                "SELECT id, channel, external_id, status, customer_id, order_number, created_at, paused_at, solved_at, marketplace "
                f"FROM tickets WHERE channel IN ({','.join('?' * len(channels))}) AND external_id IN ({{marks}})", channels, keys,
            ):
                ticket = dict(row)
                ticket["new"] = False
                tickets.setdefault(row["external_id"], ticket)
                by_id[ticket["id"]] = ticket
        stored_in: dict[str, int] = {}  # Message-ID -> ticket, when an index makes this lookup cheap
        if importer.by_message_index:
            ids = {mail.message_id for mail in mails} | {ref for mail in mails for ref in mail.refs}
            for external_id, ticket_id in self._fetch(
                "SELECT external_id, min(ticket_id) FROM messages WHERE external_id IN ({marks}) GROUP BY external_id", [], ids
            ):
                stored_in[external_id] = ticket_id
            for row in self._fetch(
                "SELECT id, channel, external_id, status, customer_id, order_number, created_at, paused_at, solved_at, marketplace "
                "FROM tickets WHERE id IN ({marks})", [], set(stored_in.values()) - set(by_id),
            ):
                by_id[row["id"]] = dict(row) | {"new": False}
        wanted_customers: dict[str, set[str]] = {}
        wanted_orders: dict[str, set[str]] = {}
        for mail in mails:
            if mail.customer_addr:
                wanted_customers.setdefault(mail.channel, set()).add(mail.customer_addr)
            if mail.order_number:
                wanted_orders.setdefault(mail.channel, set()).add(mail.order_number)
        customers: dict[tuple[str, str], dict] = {}
        for channel, addresses in wanted_customers.items():
            for row in self._fetch("SELECT id, external_id, name, email FROM customers WHERE channel = ? AND external_id IN ({marks})", [channel], addresses):
                customers[(channel, row["external_id"])] = dict(row)
        orders: dict[tuple[str, str], dict] = {}
        for channel, numbers in wanted_orders.items():
            for row in self._fetch("SELECT id, order_number, customer_id, claim_status FROM orders WHERE channel = ? AND order_number IN ({marks})", [channel], numbers):
                orders[(channel, row["order_number"])] = dict(row)

        # 2. route every message to its ticket (new tickets and customers get their ids here and
        # are written below in one statement each: this transaction holds the write lock)
        self.new_tickets: list[tuple] = []
        self.new_customers: list[tuple] = []
        batch_messages: dict[str, int] = {}
        routed = []
        for mail in mails:
            ticket = self._find(mail, tickets, by_id, stored_in, batch_messages)
            channel = ticket["channel"] if ticket is not None else mail.channel
            customer_id = self._customer(mail, channel, customers, orders)
            if ticket is None:
                ticket = self._new_ticket(mail, channel, customer_id)
                tickets[ticket["external_id"]] = ticket
                by_id[ticket["id"]] = ticket
            batch_messages[mail.message_id] = ticket["id"]
            routed.append((mail, ticket, channel, customer_id))
        conn.executemany("INSERT INTO customers (id, channel, external_id, name, email, created_at) VALUES (?, ?, ?, ?, ?, ?)", self.new_customers)
        conn.executemany(
            "INSERT INTO tickets (id, channel, marketplace, external_id, customer_id, order_number, subject, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", self.new_tickets,
        )

        # 3. the messages: new, or already stored (same Message-ID in the same ticket)
        held: dict[tuple[int, str], tuple] = {}
        old = [(ticket["id"], mail.message_id) for mail, ticket, _, _ in routed if not ticket["new"]]
        for part in chunks(list(dict.fromkeys(old)), 400):
            # one index probe per (ticket, Message-ID) pair
            for row in conn.execute(
                f"WITH pairs (ticket_id, external_id) AS (VALUES {','.join(['(?, ?)'] * len(part))}) "
                "SELECT m.ticket_id, m.external_id, m.direction, m.author, m.body, m.sent_at, m.auto_ack, m.raw, m.id "
                "FROM pairs JOIN messages m ON m.ticket_id = pairs.ticket_id AND m.external_id = pairs.external_id",
                [value for pair in part for value in pair],
            ):
                held[(row[0], row[1])] = tuple(row[2:])
        pending: set[tuple[int, str]] = set()
        inserts, updates = [], []
        touched = importer.touched
        order_changes: dict[int, dict] = {}
        for mail, ticket, channel, customer_id in routed:
            ticket_id = ticket["id"]
            if ticket["new"]:
                ctx.mark("tickets", ticket_id, "added")
            values = (mail.direction, mail.from_addr, mail.body, mail.sent_at, int(mail.auto_ack and mail.direction == "out"), mail.raw)
            pair = (ticket_id, mail.message_id)
            if pair in pending:  # the same message twice in a file
                ctx.add("messages", "unchanged")
                continue
            pending.add(pair)
            row = held.get(pair)
            if row is not None:
                if row[:6] == values:
                    ctx.add("messages", "unchanged")
                    ctx.mark("tickets", ticket_id, "unchanged")
                else:
                    updates.append((*values, row[6]))
                    ctx.add("messages", "updated")
                    ctx.mark("tickets", ticket_id, "updated")
                    touched.add(ticket_id)
                continue
            inserts.append((ticket_id, *values, mail.message_id))
            ctx.add("messages", "added")
            touched.add(ticket_id)
            if not ticket["new"]:
                ctx.mark("tickets", ticket_id, "updated")
            self._update_ticket(mail, ticket, customer_id)
            order = orders.get((channel, mail.order_number)) if mail.order_number else None
            if order is not None:
                change = order_changes.setdefault(order["id"], {})
                if customer_id and not order["customer_id"] and mail.kind == "amazon":
                    change["customer_id"] = order["customer_id"] = customer_id
                if mail.kind == "atoz" and mail.claim_opening and not order["claim_status"]:
                    change["claim_status"] = order["claim_status"] = "open"
        conn.executemany(
            "INSERT INTO messages (ticket_id, direction, author, body, sent_at, auto_ack, raw, external_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
        conn.executemany("UPDATE messages SET direction = ?, author = ?, body = ?, sent_at = ?, auto_ack = ?, raw = ? WHERE id = ?", updates)
        for ticket in by_id.values():
            change = ticket.get("change")
            if change:
                conn.execute(f"UPDATE tickets SET {', '.join(f'{c} = ?' for c in change)} WHERE id = ?", [*change.values(), ticket["id"]])
                ticket["change"] = {}
        for order_id, change in order_changes.items():
            if change:
                ctx.tables("orders")
                conn.execute(f"UPDATE orders SET {', '.join(f'{c} = ?' for c in change)} WHERE id = ?", [*change.values(), order_id])
                ctx.mark("orders", order_id, "updated")

    # ------------------------------------------------------------------ pieces
    def _find(self, mail: Mail, tickets, by_id, stored_in, batch_messages) -> dict | None:
        if mail.message_id in stored_in:  # already imported: wherever it went then
            return by_id.get(stored_in[mail.message_id])
        if mail.key and mail.key in tickets:
            return tickets[mail.key]
        for ref in mail.refs:
            ticket_id = batch_messages.get(ref) or stored_in.get(ref)
            if ticket_id is not None and ticket_id in by_id:
                return by_id[ticket_id]
        for key in (mail.root, *mail.refs, mail.message_id):
            if key in tickets:
                return tickets[key]
        return None

    def _new_ticket(self, mail: Mail, channel: str, customer_id: int | None) -> dict:
        external_id = mail.key or mail.root
        values = {
            "channel": channel,
            "marketplace": mail.marketplace,
            "external_id": external_id,
            "customer_id": customer_id,
            "order_number": mail.order_number,
            "subject": mail.subject,
            "created_at": mail.sent_at,
            "updated_at": self.ctx.now_db,
        }
        ticket_id = self.importer.next_id("tickets")
        self.new_tickets.append((ticket_id, *values.values()))
        self.importer.ticket_channels.add(channel)
        return {**values, "id": ticket_id, "status": "open", "paused_at": None, "solved_at": None, "new": True, "change": {}}

    def _update_ticket(self, mail: Mail, ticket: dict, customer_id: int | None) -> None:
        change = ticket.setdefault("change", {})
        if mail.sent_at < (ticket["created_at"] or "9999"):
            change["created_at"] = ticket["created_at"] = mail.sent_at
        if customer_id and not ticket["customer_id"]:
            change["customer_id"] = ticket["customer_id"] = customer_id
        if mail.order_number and not ticket["order_number"] and ticket["channel"] == mail.channel:
            change["order_number"] = ticket["order_number"] = mail.order_number
        if mail.marketplace and not ticket["marketplace"]:
            change["marketplace"] = ticket["marketplace"] = mail.marketplace
        if mail.direction == "in" and ticket["status"] != "open" and not ticket["new"]:
            since = ticket["solved_at"] if ticket["status"] == "solved" else ticket["paused_at"]
            if since and mail.sent_at > since:
                # the buyer wrote again after the ticket was solved or put on hold: it is live again
                kind = "reopened" if ticket["status"] == "solved" else "resumed"
                previous = ticket["status"]
                for column, value in (("status", "open"), ("paused_at", None), ("snoozed_until", None), ("solved_at", None)):
                    change[column] = value
                ticket.update(status="open", paused_at=None, solved_at=None)
                record_event(self.conn, ticket["id"], kind, None, from_db(mail.sent_at), previous=previous, via="import")
        if change:
            change["updated_at"] = self.ctx.now_db

    def _customer(self, mail: Mail, channel: str, customers: dict, orders: dict) -> int | None:
        ctx = self.ctx
        if mail.kind == "atoz":  # the notice names no buyer: the order's buyer, if known
            order = orders.get((channel, mail.order_number)) if mail.order_number else None
            return order["customer_id"] if order else None
        address = mail.customer_addr
        if not address:
            return None
        key = (channel, address)
        known = customers.get(key)
        if known is None and channel != mail.channel:  # threaded into another channel's ticket
            row = self.conn.execute("SELECT id, external_id, name, email FROM customers WHERE channel = ? AND external_id = ?", key).fetchone()
            if row is not None:
                known = customers[key] = dict(row)
        if known is None:
            customer_id = self.importer.next_id("customers")
            self.new_customers.append((customer_id, channel, address, mail.customer_name, address, mail.sent_at))
            customers[key] = {"id": customer_id, "external_id": address, "name": mail.customer_name, "email": address}
            ctx.mark("customers", key, "added")
            return customer_id
        if mail.customer_name and not known["name"]:
            self.conn.execute("UPDATE customers SET name = ? WHERE id = ?", (mail.customer_name, known["id"]))
            known["name"] = mail.customer_name
            ctx.mark("customers", key, "updated")
        else:
            ctx.mark("customers", key, "unchanged")
        return known["id"]


READERS = {"eml": read_eml, "mbox": read_mbox, "maildir": read_maildir}
# Above this much input, parsing runs in a second process while this one writes (see _pipeline).
PARALLEL_MIN_BYTES = 4 << 20
PARALLEL_MIN_FILES = 2000
WORKERS_ENV = "DESKUI_IMPORT_WORKERS"  # "0": never use a worker process


def parsed_batches(ctx, fmt: str, rules: Rules) -> Iterator[list[Mail]]:
    """Read, parse and classify, in batches; rejections go to ``ctx``."""
    batch: list[Mail] = []
    for raw in READERS[fmt](ctx, ctx.path):
        mail = parse_mail(ctx, raw)
        if mail is None:
            continue
        rules.classify(mail)
        batch.append(mail)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _worth_a_worker(path: Path, fmt: str) -> bool:
    if os.environ.get(WORKERS_ENV, "").strip() == "0" or (os.cpu_count() or 1) < 2:
        return False
    # fork is only safe in a single-threaded process (another thread may hold a lock the child
    # would inherit); spawn would re-run the caller's unguarded __main__. So: fork or nothing.
    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if fmt == "mbox":
        return path.stat().st_size >= PARALLEL_MIN_BYTES
    if fmt == "maildir":
        return sum(len(os.listdir(path / sub)) for sub in ("cur", "new") if (path / sub).is_dir()) >= PARALLEL_MIN_FILES
    return False


def import_mail(ctx: Context, fmt: str, **options) -> None:
    rules = Rules(
        channel_rules=options.get("channel_rules"),
        seller_addresses=options.get("seller_addresses"),
        default_channel=options.get("default_channel"),
    )
    importer = MailImporter(ctx, rules)
    if _worth_a_worker(ctx.path, fmt):
        importer.run(_pipeline(ctx, fmt, rules))
    else:
        importer.run(parsed_batches(ctx, fmt, rules))


# ---------------------------------------------------------------------- the parsing worker
class _Collector:
    """Stands in for the Context inside the worker: records rejections and progress as events
    that the importing process replays, in order, before the batch they came with."""

    def __init__(self, path: Path, name: str, zone):
        self.path, self.name, self.zone = path, name, zone
        self.events: list[tuple] = []

    def reject(self, line, field_name, message, *, file=None, tables=()):
        self.events.append(("reject", line, field_name, message, file, list(tables)))

    def tick(self, done, total):
        self.events.append(("tick", done, total))

    def time(self, text: str) -> str:
        return db_time(text, self.zone)

    def drain(self) -> list[tuple]:
        events, self.events = self.events, []
        return events


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
ORPHAN_POLL_SECONDS = 1.0


def _die_with(parent: int) -> None:
    """Make sure this worker does not outlive the importing process, even after a kill -9 (which
    runs no cleanup): Linux delivers SIGKILL to it when the parent dies; elsewhere the worker
    notices it was orphaned (``_put`` and every batch check ``os.getppid()``)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no usable libc: the polling below still ends it
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _put(queue, item, parent: int) -> None:
    """``queue.put`` that gives up when the reader is gone: with the queue full and the parent
    dead, a plain put blocks forever (this process holds the pipe's read end too, so writing
    never fails)."""
    while True:
        if os.getppid() != parent:
            os._exit(1)  # no cleanup: flushing the queue would block on the same full pipe
        try:
            queue.put(item, timeout=ORPHAN_POLL_SECONDS)
            return
        except queue_module.Full:
            continue


def _worker(path: str, name: str, zone, fmt: str, rules: Rules, queue, parent: int) -> None:
    _die_with(parent)
    collector = _Collector(Path(path), name, zone)
    try:
        for batch in parsed_batches(collector, fmt, rules):
            _put(queue, ("batch", batch, collector.drain()), parent)
        _put(queue, ("done", None, collector.drain()), parent)
    except Stop:
        _put(queue, ("stop", None, collector.drain()), parent)
    except BaseException:  # reported to the importing process, which raises it
        _put(queue, ("error", traceback.format_exc(), collector.drain()), parent)


def _pipeline(ctx: Context, fmt: str, rules: Rules) -> Iterator[list[Mail]]:
    """Parse in a forked worker process while this one writes: e-mail parsing and the database
    work take about as long each, and the machine has two cores. The child never touches the
    database connection it inherits and leaves through os._exit. The queue holds a few batches,
    so memory stays bounded."""
    mp = multiprocessing.get_context("fork")
    queue = mp.Queue(maxsize=4)
    worker = mp.Process(target=_worker, args=(str(ctx.path), ctx.name, ctx.zone, fmt, rules, queue, os.getpid()), daemon=True)
    worker.start()
    try:
        while True:
            try:
                kind, payload, events = queue.get(timeout=1.0)
            except queue_module.Empty:
                if not worker.is_alive():
                    raise RuntimeError(f"the e-mail parsing worker for {ctx.name} stopped (exit code {worker.exitcode})") from None
                continue
            for event in events:
                if event[0] == "reject":
                    _, line, field_name, message, file, tables = event
                    ctx.reject(line, field_name, message, file=file, tables=tables)
                else:
                    ctx.tick(event[1], event[2])
            if kind == "batch":
                yield payload
            elif kind == "done":
                break
            elif kind == "stop":
                raise Stop
            else:
                raise RuntimeError(f"parsing {ctx.name} failed in the worker process:\n{payload}")
        worker.join(timeout=10)
    finally:
        if worker.is_alive():
            worker.terminate()
            worker.join(timeout=5)
        queue.close()


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


__all__ = ["MailImporter", "RawMail", "Rules", "import_mail", "is_maildir", "parse_mail", "parsed_batches", "read_eml", "read_maildir", "read_mbox"]
