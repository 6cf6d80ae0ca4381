"""Parsing a message: the header block, its addresses and dates, and the readable body.

The header is parsed with the stdlib's ``compat32`` policy and decoded with ``email.utils`` /
``email.header``: ``email.policy.default`` builds a structured object per header and measured
~20x slower here (~820 µs against ~40 µs per message), which alone would break the 100k-message
budget. The common single-part message skips even that (``_fast``).
"""

from __future__ import annotations

import binascii
import hashlib
import re
from email import message_from_bytes
from email import policy as email_policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from deskui.ingest.base import ImportContext
from deskui.ingest.mail.model import Mail, RawMail
from deskui.ingest.mailtext import decode_bytes, header_text, html_to_text, store_text
from deskui.timeutil import TimeParseError, to_db

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
HEADER_LINE = re.compile(rb"^[!-9;-~]+:")


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


def parse_mail(ctx: ImportContext, raw: RawMail) -> Mail | None:
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
    message_id, refs, root = _thread_ids(get, data)
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


def _thread_ids(get, data: bytes) -> tuple[str, list[str], str]:
    """(Message-ID, the ids it refers to, newest first, and its thread's root id); a message
    without a Message-ID gets one from its bytes, so a re-import finds it again."""
    found = MESSAGE_ID.findall(header_text(get("message-id")))
    message_id = found[0] if found else f"<sha1-{hashlib.sha1(data).hexdigest()}@deskui.invalid>"
    in_reply_to = MESSAGE_ID.findall(header_text(get("in-reply-to")))
    references = MESSAGE_ID.findall(header_text(get("references")))
    refs = list(dict.fromkeys([*in_reply_to, *reversed(references)]))
    refs = [ref for ref in refs if ref != message_id]
    root = references[0] if references else in_reply_to[0] if in_reply_to else message_id
    return message_id, refs, root


def _mail_time(ctx: ImportContext, text: str) -> str | None:
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

