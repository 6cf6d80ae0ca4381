"""IMAP: connecting, and fetching a folder's new mail into the database through the mail importer.

A folder is read in UID order, in chunks; each chunk's messages and the folder's new last UID are
committed in one transaction, so a crash, a restart or a second running copy neither stores a
message twice (the importer matches a ticket's messages by Message-ID, and the UID is re-read under
the write lock) nor skips one (the UID moves only with the messages it covers).
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from deskui.connect import attachments
from deskui.connect.config import Endpoint, MailboxConfig, SecretError
from deskui.ingest.base import UTC, ImportContext
from deskui.ingest.mail import MailImporter, RawMail, Rules, parse_mail
from deskui.store import mailboxes as state
from deskui.store.attachments import message_row_for
from deskui.store.db import write
from deskui.store.tickets import refresh_tickets

CHUNK = 200                            # messages per fetch and per transaction
MAX_MESSAGE_BYTES = 25 * 1024 * 1024   # above this only the header and the start of the body are read
TRUNCATED_BODY_BYTES = 256 * 1024
TIMEOUT_SECONDS = 30


class MailFailure(Exception):
    """A mailbox or SMTP server that cannot be used now; ``str()`` is the one line for people."""

    def __init__(self, owner: str, what: str):
        self.owner, self.what = owner, what
        super().__init__(f"{owner}: {what}")


def tls_context(endpoint: Endpoint) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=endpoint.ca_file)
    if not endpoint.verify_tls:  # the config says so explicitly (verify_tls = false)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def describe(error: BaseException, endpoint: Endpoint) -> str:
    """What went wrong, in the words a seller can act on."""
    where = f"{endpoint.host}:{endpoint.port}"
    if isinstance(error, SecretError):
        return str(error).split(": ", 1)[-1]
    if isinstance(error, LoginError):
        return f"authentication failed for user {endpoint.user!r} at {where}: check the user and the password"
    if isinstance(error, ssl.SSLCertVerificationError):
        return (f"TLS certificate of {where} does not verify ({error.verify_message}); fix the server's certificate, "
                "give ca_file, or set verify_tls = false if you trust this network")
    if isinstance(error, ssl.SSLError):
        return f"TLS failed with {where}: {error.reason or error}; check security = \"tls\" / \"starttls\" and the port"
    if isinstance(error, socket.gaierror):
        return f"host unreachable: cannot resolve {endpoint.host!r}"
    if isinstance(error, (ConnectionError, TimeoutError, socket.timeout, OSError)):
        return f"host unreachable: {where}: {getattr(error, 'strerror', None) or error.__class__.__name__}"
    return f"{error.__class__.__name__}: {error}"


def lost_connection(error: BaseException, endpoint: Endpoint, folder: str) -> str:
    """A connection that dropped while a folder was read: what was committed stays (the folder's
    last UID moved only with its messages), so the next try reads on from there."""
    detail = str(error) if isinstance(error, IMAPClientAbortError) else (getattr(error, "strerror", None) or error.__class__.__name__)
    return (f"connection lost with {endpoint.host}:{endpoint.port} reading folder {folder!r} ({detail}); "
            "what was stored is kept and the next try reads on from there")


def open_imap(box: MailboxConfig) -> IMAPClient:
    """A logged-in connection; raises MailFailure naming the mailbox and what failed."""
    try:
        password = box.secret.read(f"mailbox {box.name}")
        context = tls_context(box)
        client = IMAPClient(box.host, port=box.port, ssl=box.security == "tls", ssl_context=context, timeout=TIMEOUT_SECONDS)
        try:
            if box.security == "starttls":
                client.starttls(context)
            client.login(box.user, password)
        except BaseException:
            close_quietly(client)
            raise
        return client
    except (SecretError, LoginError, OSError, IMAPClientError) as error:
        raise MailFailure(f"mailbox {box.name}", describe(error, box)) from None


def close_quietly(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # the connection may be gone already; nothing to save
        try:
            client.shutdown()
        except Exception:
            pass


@dataclass
class FetchResult:
    fetched: int = 0           # new messages stored
    unchanged: int = 0         # already stored (a re-read after UIDVALIDITY changed, another copy)
    rejected: list[str] = field(default_factory=list)
    bounces: list[int] = field(default_factory=list)   # outbox ids a bounce marked failed
    attachments: int = 0
    landed: bool = False       # the server announced new mail while this read ran: read again


def fetch_folder(conn, client: IMAPClient, box: MailboxConfig, folder: str, *, policy, now: Callable[[], datetime],
                 rules: Rules, on_bounce: Callable | None = None) -> FetchResult:
    """Store the folder's mail newer than its last committed UID."""
    result = FetchResult()
    info = client.select_folder(folder, readonly=True)  # EXAMINE: reading never marks mail as seen
    uidvalidity = int(info[b"UIDVALIDITY"])
    stored_validity, last_uid = state.folder_state(conn, box.name, folder)
    if stored_validity is not None and stored_validity != uidvalidity:
        last_uid = 0  # the server renumbered the folder: read it all again; Message-IDs keep it single
    uids = sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)
    if not uids and stored_validity != uidvalidity:
        with write(conn):
            state.commit_folder(conn, box.name, folder, uidvalidity, last_uid, now())
    for start in range(0, len(uids), CHUNK):
        chunk = uids[start:start + CHUNK]
        messages = _download(client, chunk)
        _store_chunk(conn, box, folder, uidvalidity, stored_validity, messages, policy=policy, now=now(), rules=rules,
                     result=result, on_bounce=on_bounce)
        stored_validity = uidvalidity
    # Mail that lands while the SEARCH or FETCH runs is announced by an untagged EXISTS in that
    # command's answer, which IMAPClient leaves unread; IDLE then announces only later changes, so
    # such a message waited for the IDLE renewal (60 s). imaplib keeps the EXISTS it read since
    # the SELECT above (which flushed the older ones): `response` takes it out.
    result.landed = client._imap.response("EXISTS")[1] != [None]
    return result


def _download(client: IMAPClient, uids: list[int]) -> list[tuple[int, bytes]]:
    sizes = client.fetch(uids, ["RFC822.SIZE"])
    small = [uid for uid in uids if sizes.get(uid, {}).get(b"RFC822.SIZE", 0) <= MAX_MESSAGE_BYTES]
    large = [uid for uid in uids if uid in sizes and uid not in small]
    data: dict[int, bytes] = {}
    if small:
        for uid, item in client.fetch(small, ["BODY.PEEK[]"]).items():
            data[uid] = item.get(b"BODY[]") or b""
    for uid in large:
        item = client.fetch([uid], ["BODY.PEEK[HEADER]", f"BODY.PEEK[TEXT]<0.{TRUNCATED_BODY_BYTES}>"]).get(uid, {})
        size = sizes[uid][b"RFC822.SIZE"]
        body = item.get(b"BODY[TEXT]<0>") or b""
        data[uid] = (item.get(b"BODY[HEADER]") or b"") + body + (
            f"\r\n\r\n[deskui: this message is {size / 1048576:.0f} MB; only its start was read. "
            "Open it in your mail client for the attachments.]\r\n").encode()
    # IMAP speaks CRLF; files on disk (mbox, Maildir) have LF. Stored as the files are, so a message
    # met both ways is the same raw text (and the same hash when it has no Message-ID).
    # A UID the server no longer has (expunged meanwhile) is simply absent.
    return [(uid, data[uid].replace(b"\r\n", b"\n")) for uid in uids if uid in data]


def _store_chunk(conn, box: MailboxConfig, folder: str, uidvalidity: int, seen_validity: int | None,
                 messages: list[tuple[int, bytes]], *, policy, now: datetime, rules: Rules, result: FetchResult,
                 on_bounce: Callable | None) -> None:
    """One chunk's messages and the folder's new last UID, in one transaction; then triage."""
    if not messages:
        return
    name = f"{box.name}/{folder}"
    ctx = ImportContext(conn, Path(name), "eml", policy=policy, now=now, on_error="skip", dry_run=False, zone=UTC,
                  progress=None, display=name)
    with write(conn):
        validity, committed = state.folder_state(conn, box.name, folder)
        if validity == uidvalidity and seen_validity == uidvalidity:
            messages = [(uid, data) for uid, data in messages if uid > committed]  # another copy stored these
        if not messages:
            return
        mails, raw_of = [], {}
        for uid, data in messages:
            if on_bounce is not None:
                outbox_id = on_bounce(conn, data, now)
                if outbox_id is not None:
                    result.bounces.append(outbox_id)
                    continue
            mail = parse_mail(ctx, RawMail(f"{name} UID {uid}", 1, data))
            if mail is not None:
                rules.classify(mail)
                mails.append(mail)
                raw_of[mail.message_id] = data
        MailImporter(ctx, rules).run([mails])
        result.attachments += _store_attachments(conn, raw_of)
        ctx.finish_counts()
        rejections = [str(r) for r in ctx.summary.rejections]
        added = ctx.summary.count("messages", "added")
        state.commit_folder(conn, box.name, folder, uidvalidity, max(uid for uid, _ in messages), now,
                            fetched=added, rejected=len(rejections), rejection=rejections[-1] if rejections else None)
    result.fetched += added
    result.unchanged += ctx.summary.count("messages", "unchanged")
    result.rejected.extend(rejections)
    if ctx.triage:
        # after the commit, like an import: if this process dies first, needs_triage leaves the
        # tickets to the next pass (deskui sync runs one at start)
        refresh_tickets(conn, policy, now, sorted(ctx.triage))


def _store_attachments(conn, raw_of: dict[str, bytes]) -> int:
    stored = 0
    for message_id, data in raw_of.items():
        if b"multipart/" not in data[:8192].lower():
            continue
        row = message_row_for(conn, message_id)
        if row is not None:
            stored += attachments.store(conn, row, data)
    return stored
