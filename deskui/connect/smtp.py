"""SMTP: delivering queued outbox rows exactly once (docs/mail.md "Sending, exactly once").

With ``sent_copy = "server"`` the mail server files the copy in Sent itself as it accepts the
message (Gmail, Microsoft 365): the copy exists exactly when the server took the reply, and the
check below is exact. With the default ``"append"`` deskui files it, as follows.

A row's delivery goes: choose and store its Message-ID and mark it ``sending`` (committed), send
the message up to the end of its data, APPEND a copy to the Sent folder, send the final dot, and on
the server's 250 commit ``sent``. The copy goes to Sent *before* the dot because the dot is where
the server accepts: a crash before the copy exists cannot have delivered anything (the row is sent
again, with the same Message-ID), and once the copy exists the server has, or within one write
call will have, the whole message. So on restart a row left ``sending`` is looked up in Sent by its
Message-ID: found means sent, absent means send again. What no client can close is a crash after
the copy and before the server has read the dot: then that reply may never arrive. It is never
sent twice; the copy carries the keyword ``$DeskuiUnconfirmed`` until the server's 250 is read, so
such a reply is recorded sent *and* its ticket tagged ``delivery-unconfirmed`` for an agent to check.
"""

from __future__ import annotations

import re
import secrets
import smtplib
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from imapclient.imapclient import SENT
from imapclient.exceptions import IMAPClientError

from deskui.connect.config import MailboxConfig, SecretError, SmtpConfig
from deskui.connect.imap import MailFailure, close_quietly, describe, open_imap, tls_context
from deskui.connect.limits import check_reply_attachments
from deskui.outbox import OutboxItem, list_outbox, to_email
from deskui.store import sending
from deskui.store.attachments import files_of_message, for_message
from deskui.store.sending import AGENT, NOT_DELIVERED_TAG, UNCONFIRMED_TAG, SendLock, mark_failed

__all__ = ["AGENT", "NOT_DELIVERED_TAG", "UNCONFIRMED_TAG", "SendLock", "SendResult", "Sender", "mark_failed", "open_smtp"]
# On deskui's own Sent copy until the server's 250 is read: a copy still flagged after a crash is
# one whose delivery nobody can confirm (see the module's docstring), and the agents are told.
UNCONFIRMED_FLAG = b"$DeskuiUnconfirmed"
_LEADING_DOT = re.compile(rb"(?m)^\.")


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)     # found in Sent after a crash: not sent again
    retry: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    skipped: str | None = None                              # why nothing was tried (another copy sends)


def open_smtp(cfg: SmtpConfig) -> smtplib.SMTP:
    try:
        password = cfg.secret.read("smtp") if cfg.user else None
        context = tls_context(cfg)
        if cfg.security == "tls":
            smtp = smtplib.SMTP_SSL(cfg.host, cfg.port, context=context, timeout=30)
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=30)
            if cfg.security == "starttls":
                smtp.starttls(context=context)
        smtp.ehlo_or_helo_if_needed()
        if cfg.user:
            smtp.login(cfg.user, password)
        return smtp
    except smtplib.SMTPAuthenticationError:
        raise MailFailure("smtp", f"authentication failed for user {cfg.user!r} at {cfg.host}:{cfg.port}: "
                                  "check the user and the password") from None
    except smtplib.SMTPConnectError as error:
        raise MailFailure("smtp", f"{cfg.host}:{cfg.port} refused the connection: {error.smtp_code} "
                                  f"{_text(error.smtp_error)}") from None
    except (SecretError, OSError, smtplib.SMTPException) as error:
        raise MailFailure("smtp", describe(error, cfg)) from None


def _text(reply) -> str:
    return (reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)).replace("\n", " ").strip()


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip(" >") or "deskui.local"


class Sender:
    """Sends the queued replies of one database through one SMTP server."""

    def __init__(self, conn, db_path: Path, cfg: SmtpConfig, sent_box: MailboxConfig | None, *, policy, clock):
        self.conn, self.cfg, self.sent_box, self.policy, self.clock = conn, cfg, sent_box, policy, clock
        self.lock = SendLock(db_path)
        self.imap = None
        self.sent_folder: str | None = None
        self.failing = False  # the last pass failed: the next good one clears the error for people

    # ------------------------------------------------------------ the Sent folder
    def _sent(self):
        if self.sent_box is None:
            return None
        if self.imap is None:
            self.imap = open_imap(self.sent_box)
            folder = self.sent_box.sent_folder or self.imap.find_special_folder(SENT) or "Sent"
            if not self.imap.folder_exists(folder):
                self.imap.create_folder(folder)
            self.sent_folder = folder
        return self.imap

    def _in_sent(self, message_id: str) -> list[int]:
        imap = self._sent()
        imap.select_folder(self.sent_folder)
        return imap.search(["HEADER", "Message-ID", message_id])

    def close(self) -> None:
        if self.imap is not None:
            close_quietly(self.imap)
            self.imap = None
        self.lock.release()

    # ------------------------------------------------------------ one pass
    def due(self) -> list[OutboxItem]:
        rows = sending.due_ids(self.conn, self.clock.now())
        if not rows:
            return []
        items = [item for item in list_outbox(self.conn, "queued") if item.id in rows]
        return [item for item in items if item.to_address and "@" in item.to_address
                and (self.cfg.channels is None or item.channel in self.cfg.channels)]

    def run_once(self) -> SendResult:
        result = SendResult()
        items = self.due()
        if not items:
            return result
        if not self.lock.acquire():
            result.skipped = "another deskui sync is sending from this database"
            return result
        smtp = None
        try:
            for item in items:
                too_big = self._files_over_limit(item)
                if too_big:  # nothing to ask the server: it can never go as it is
                    self._fail(item, f"not sent: {too_big}", result)
                    continue
                if smtp is None:  # before any claim: a server that cannot be reached leaves rows untouched
                    smtp = open_smtp(self.cfg)
                if self._claim(item, result) is None:
                    continue
                if not self._send(smtp, item, result):
                    break
        finally:
            if smtp is not None:
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    pass
        return result

    def _claim(self, item: OutboxItem, result: SendResult) -> str | None:
        """Mark the row ``sending`` with its Message-ID, or settle a row a dead process left so."""
        state = sending.claim_state(self.conn, item.id)
        if state is None:
            return None
        left_sending, message_id = state
        if left_sending:
            if self.sent_box is None:
                self._fail(item, "deskui stopped while sending it and there is no Sent folder to check; "
                                 "look in your mail client's Sent folder, then resend or mark it sent", result)
                return None
            found = self._in_sent(message_id)
            if found:
                flags = self.imap.get_flags(found)
                unconfirmed = any(UNCONFIRMED_FLAG in values for values in flags.values())
                self._mark_sent(item, message_id, "found in the Sent folder after a restart", unconfirmed=unconfirmed)
                result.recovered.append(item.id)
                return None
        message_id = message_id or f"<deskui-outbox-{item.id}.{secrets.token_hex(8)}@{_domain(self.cfg.sender)}>"
        sending.start_sending(self.conn, item.id, message_id, item.message_id)
        return message_id

    def _message(self, item: OutboxItem) -> bytes:
        if self.cfg.signature:
            item.body = f"{item.body.rstrip()}\n\n-- \n{self.cfg.signature}"
        message = to_email(item, self.cfg.sender, self.clock.now())
        del message["Message-ID"]
        message["Message-ID"] = sending.message_id_header(self.conn, item.id)
        for name, kind, content in files_of_message(self.conn, item.message_id) if item.message_id else ():
            maintype, _, subtype = kind.partition("/")
            if maintype in ("multipart", "message") or not subtype:  # parts, not a structure of their own
                maintype, subtype = "application", "octet-stream"
            message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
        # 998: RFC 5322's own limit. At the policy's default 78 a long Message-ID in In-Reply-To /
        # References comes out RFC 2047-encoded, and the buyer's thread is lost.
        return message.as_bytes(policy=message.policy.clone(linesep="\r\n", max_line_length=998))

    def _files_over_limit(self, item: OutboxItem) -> str | None:
        """The channel's limit checked again before sending (the attach screen checked it too, but a
        row another program wrote, or one attached under another limit, did not pass there)."""
        if item.message_id is None:
            return None
        files = [(f.name, f.content_type, f.size) for f in for_message(self.conn, item.message_id)]
        problems = check_reply_attachments(item.channel, files) if files else []
        return problems[0] if problems else None

    def _send(self, smtp: smtplib.SMTP, item: OutboxItem, result: SendResult) -> bool:
        """One row through an open connection; False when the connection is unusable now."""
        data = self._message(item)
        message_id = sending.message_id_header(self.conn, item.id)
        dot_sent = False
        try:
            code, reply = smtp.mail(self.cfg.sender)
            if code == 250:
                code, reply = smtp.rcpt(item.to_address)
            if code in (250, 251):
                smtp.putcmd("data")
                code, reply = smtp.getreply()
            if code != 354:
                smtp.rset()
            else:
                body = _LEADING_DOT.sub(b"..", data)
                smtp.send(body if body.endswith(b"\r\n") else body + b"\r\n")
                self._copy_to_sent(data)
                dot_sent = True
                smtp.send(b".\r\n")
                code, reply = smtp.getreply()
                if code != 250 and self.cfg.sent_copy == "append":
                    self._remove_from_sent(message_id)
        except (smtplib.SMTPException, OSError, socket.timeout) as error:
            if not dot_sent:
                self._retry(item, f"connection lost: {describe(error, self.cfg)}", result)
            # else: left 'sending'; the next pass looks for it in the Sent folder
            return False
        reason = f"{code} {_text(reply)}"
        if code == 250:
            self._confirm_in_sent(message_id)
            self._mark_sent(item, message_id, reason)
            result.sent.append(item.id)
        elif 400 <= code < 500:
            self._retry(item, reason, result)
            return code != 421  # 421: the server closes the connection
        else:
            self._fail(item, f"the mail server refused it: {reason}", result)
        return True

    def _copy_to_sent(self, data: bytes) -> None:
        if self.cfg.sent_copy == "server":
            return
        imap = self._sent()
        if imap is not None:
            imap.append(self.sent_folder, data, flags=[b"\\Seen", UNCONFIRMED_FLAG])

    def _confirm_in_sent(self, message_id: str) -> None:
        if self.cfg.sent_copy == "server" or self.sent_box is None:
            return
        try:
            found = self._in_sent(message_id)
            if found:
                self.imap.remove_flags(found, [UNCONFIRMED_FLAG])
        except (IMAPClientError, OSError):
            pass  # the reply is sent: a flag left behind only means a needless "unconfirmed" after a crash

    def _remove_from_sent(self, message_id: str) -> None:
        try:
            uids = self._in_sent(message_id)
            if uids:
                self.imap.delete_messages(uids)
                self.imap.expunge(uids) if self.imap.has_capability("UIDPLUS") else self.imap.expunge()
        except (IMAPClientError, OSError, MailFailure):
            pass  # a stray copy in Sent: the row itself is marked failed or queued again, which is what counts

    # ------------------------------------------------------------ results
    def _mark_sent(self, item: OutboxItem, message_id: str, reply: str, *, unconfirmed: bool = False) -> None:
        sending.mark_sent(self.conn, item.id, item.ticket_id, self.clock.now(), message_id=message_id, reply=reply,
                          unconfirmed=unconfirmed)

    def _retry(self, item: OutboxItem, reason: str, result: SendResult) -> None:
        attempts = sending.attempts(self.conn, item.id)
        if attempts >= self.cfg.max_attempts:
            self._fail(item, f"still not accepted after {attempts} attempts: {reason}", result)
            return
        wait = min(self.cfg.retry_seconds * 2 ** max(attempts - 1, 0), 3600.0)
        now = self.clock.now()
        sending.schedule_retry(self.conn, item.id, now, now + timedelta(seconds=wait), reason)
        result.retry.append((item.id, reason))

    def _fail(self, item: OutboxItem, reason: str, result: SendResult) -> None:
        mark_failed(self.conn, self.policy, self.clock, item.id, reason)
        result.failed.append((item.id, reason))

