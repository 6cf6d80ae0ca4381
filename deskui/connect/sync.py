"""`deskui sync`: fetch every configured mailbox and send the queued replies, once or until stopped.

Running until stopped, each (mailbox, folder) has a thread and a connection of its own: it fetches,
then waits in IMAP IDLE (new mail is seen as the server announces it) or, on a server without
IDLE, polls. One more thread sends the outbox. Each thread has its own database connection; a
mailbox that fails is retried with backoff while the others go on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

from deskui.connect.bounce import find_bounced
from deskui.connect.config import MailboxConfig, MailConfig
from deskui.connect.imap import (FetchResult, MailFailure, close_quietly, describe, fetch_folder, lost_connection,
                                open_imap)
from deskui.connect.smtp import SendResult, Sender, mark_failed
from deskui.ingest.mail import Rules
from deskui.store import mailboxes as state
from deskui.store.db import connect
from deskui.store.tickets import refresh_tickets

SMTP_STATUS = "[smtp]"      # the outgoing server's row in the mailboxes table
# RFC 2177 asks for a new IDLE within 29 minutes. Renewed far more often because a message that lands
# between the last fetch's SEARCH and the IDLE command is announced by dovecot only when IDLE ends.
IDLE_RENEW_SECONDS = 60
SEND_POLL_SECONDS = 1.0


@dataclass
class MailboxReport:
    name: str
    fetched: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)
    bounces: list[int] = field(default_factory=list)
    attachments: int = 0
    error: str | None = None
    landed: bool = False  # new mail announced during the read (FetchResult.landed)


@dataclass
class SyncReport:
    mailboxes: list[MailboxReport] = field(default_factory=list)
    send: SendResult | None = None
    smtp_error: str | None = None

    @property
    def errors(self) -> list[str]:
        return [box.error for box in self.mailboxes if box.error] + ([self.smtp_error] if self.smtp_error else [])

    def lines(self) -> list[str]:
        """What was fetched and sent, for stdout (the failures are ``errors``)."""
        out = []
        for box in self.mailboxes:
            if box.error:
                continue  # in ``errors``: one line each, for stderr
            extra = f", {len(box.rejected)} rejected" if box.rejected else ""
            extra += f", {box.attachments} attachment(s)" if box.attachments else ""
            extra += f", {len(box.bounces)} bounce(s) matched to replies" if box.bounces else ""
            out.append(f"mailbox {box.name}: fetched {box.fetched} new message(s){extra}")
            out.extend(f"  {line}" for line in box.rejected)
        if self.send is not None:
            send = self.send
            if send.skipped:
                out.append(f"smtp: not sending: {send.skipped}")
            else:
                out.append(f"smtp: sent {len(send.sent)} repl{'y' if len(send.sent) == 1 else 'ies'}"
                           + (f", {len(send.recovered)} found already sent" if send.recovered else "")
                           + (f", {len(send.retry)} to retry" if send.retry else "")
                           + (f", {len(send.failed)} failed" if send.failed else ""))
                out.extend(f"  outbox {i}: will retry: {reason}" for i, reason in send.retry)
                out.extend(f"  outbox {i}: NOT DELIVERED: {reason}" for i, reason in send.failed)
        return out


def rules_for(box: MailboxConfig, cfg: MailConfig) -> Rules:
    sellers = list(box.seller_addresses) + ([cfg.smtp.sender] if cfg.smtp else [])
    return Rules(seller_addresses=sellers, default_channel=box.default_channel)


def _sent_box(cfg: MailConfig) -> MailboxConfig | None:
    if cfg.smtp is None or not cfg.mailboxes:
        return None
    wanted = cfg.smtp.sent_mailbox
    return next((box for box in cfg.mailboxes if box.name == wanted), None) if wanted else cfg.mailboxes[0]


def _bounce_handler(policy, clock) -> Callable:
    def on_bounce(conn, data: bytes, now) -> int | None:
        found = find_bounced(conn, data)
        if found is None:
            return None
        mark_failed(conn, policy, clock, found[0], found[1])
        return found[0]
    return on_bounce


def fetch_mailbox(conn, box: MailboxConfig, cfg: MailConfig, *, policy, clock, folders=None, client=None) -> MailboxReport:
    """Fetch each folder once; the error, if any, is recorded for people and returned."""
    report = MailboxReport(box.name)
    own = client is None
    try:
        client = client or open_imap(box)
        state.set_status(conn, box.name, clock.now(), connected=True, idle=client.has_capability("IDLE"))
        for folder in folders or box.folders:
            try:
                result: FetchResult = fetch_folder(conn, client, box, folder, policy=policy, now=clock.now,
                                                   rules=rules_for(box, cfg), on_bounce=_bounce_handler(policy, clock))
            except (IMAPClientAbortError, OSError) as error:  # after the login: the server or the network dropped us
                raise MailFailure(f"mailbox {box.name}", lost_connection(error, box, folder)) from None
            except IMAPClientError as error:
                raise MailFailure(f"mailbox {box.name}", f"folder {folder!r}: {error}") from None
            report.fetched += result.fetched
            report.unchanged += result.unchanged
            report.rejected += result.rejected
            report.bounces += result.bounces
            report.attachments += result.attachments
            report.landed = report.landed or result.landed
        state.set_status(conn, box.name, clock.now(), connected=not own, synced=True)
    except MailFailure as failure:
        report.error = str(failure)
    except (OSError, IMAPClientError) as error:  # the connection dropped mid-fetch: what was committed stays
        report.error = f"mailbox {box.name}: {describe(error, box)}"
    finally:
        if own and client is not None:
            close_quietly(client)
    if report.error:
        state.set_status(conn, box.name, clock.now(), connected=False, error=report.error)
    return report


def send_queued(conn, db_path: Path, cfg: MailConfig, *, policy, clock, sender: Sender | None = None) -> tuple[SendResult | None, str | None]:
    if cfg.smtp is None:
        return None, None
    own = sender is None
    sender = sender or Sender(conn, db_path, cfg.smtp, _sent_box(cfg), policy=policy, clock=clock)
    try:
        result = sender.run_once()
    except MailFailure as failure:
        sender.failing = True
        state.set_status(conn, SMTP_STATUS, clock.now(), connected=False, error=str(failure))
        return None, str(failure)
    except (OSError, IMAPClientError) as error:
        sender.failing = True
        failure = f"smtp: Sent folder: {describe(error, cfg.smtp)}"
        state.set_status(conn, SMTP_STATUS, clock.now(), connected=False, error=failure)
        if sender.imap is not None:
            close_quietly(sender.imap)
            sender.imap = None
        return None, failure
    finally:
        if own:
            sender.close()
    # written when something happened or an error clears, not on every idle second of the loop
    if own or sender.failing or result.sent or result.recovered or result.failed or result.retry:
        sender.failing = False
        state.set_status(conn, SMTP_STATUS, clock.now(), connected=False, synced=True)
    return result, None


def sync_once(db_path: Path, cfg: MailConfig, *, policy, clock) -> SyncReport:
    conn = connect(db_path)
    try:
        refresh_tickets(conn, policy, clock.now())  # tickets a killed run stored but did not triage
        report = SyncReport([fetch_mailbox(conn, box, cfg, policy=policy, clock=clock) for box in cfg.mailboxes])
        report.send, report.smtp_error = send_queued(conn, db_path, cfg, policy=policy, clock=clock)
        return report
    finally:
        conn.close()


# ---------------------------------------------------------------- until stopped
def _wait(stop: threading.Event, seconds: float) -> bool:
    return stop.wait(seconds)


def _watch_folder(db_path: Path, box: MailboxConfig, folder: str, cfg: MailConfig, *, policy, clock,
                  stop: threading.Event, report: Callable[[str], None]) -> None:
    conn = connect(db_path)
    failures = 0
    try:
        while not stop.is_set():
            client = None
            try:
                client = open_imap(box)
                failures = 0
                idle = client.has_capability("IDLE")
                while not stop.is_set():
                    result = fetch_mailbox(conn, box, cfg, policy=policy, clock=clock, folders=[folder], client=client)
                    if result.error:
                        raise MailFailure(f"mailbox {box.name}", result.error.removeprefix(f"mailbox {box.name}: "))
                    if result.fetched or result.rejected or result.bounces:
                        report(f"mailbox {box.name}/{folder}: fetched {result.fetched}"
                               + (f", {len(result.rejected)} rejected" if result.rejected else ""))
                    if result.fetched or result.unchanged or result.rejected or result.bounces or result.landed:
                        # Mail may have landed while this batch was stored: the server told us in a
                        # reply IMAPClient does not keep, and IDLE announces only what comes after it
                        # starts. So read again until a fetch finds nothing new, then wait.
                        continue
                    if idle:
                        _idle(client, stop)
                    elif _wait(stop, box.poll_seconds):
                        break
            except (MailFailure, OSError, IMAPClientError) as error:
                failures += 1
                message = str(error) if isinstance(error, MailFailure) else f"mailbox {box.name}: {describe(error, box)}"
                state.set_status(conn, box.name, clock.now(), connected=False, error=message)
                report(message)
            finally:
                if client is not None:
                    close_quietly(client)
            if failures:
                _wait(stop, min(2 ** failures, 60))
        state.set_status(conn, box.name, clock.now(), connected=False)
    finally:
        conn.close()


def _idle(client, stop: threading.Event) -> None:
    """Wait in IDLE until the server announces a change, IDLE_RENEW_SECONDS pass, or we stop."""
    client.idle()
    started = time.monotonic()
    try:
        while not stop.is_set() and time.monotonic() - started < IDLE_RENEW_SECONDS:
            if client.idle_check(timeout=0.5):
                return
    finally:
        client.idle_done()


def _send_loop(db_path: Path, cfg: MailConfig, *, policy, clock, stop: threading.Event, report) -> None:
    conn = connect(db_path)
    sender = Sender(conn, db_path, cfg.smtp, _sent_box(cfg), policy=policy, clock=clock)
    failures = 0
    try:
        while not stop.is_set():
            result, error = send_queued(conn, db_path, cfg, policy=policy, clock=clock, sender=sender)
            if error:
                failures += 1
                report(error)
                _wait(stop, min(2 ** failures, 60))
                continue
            failures = 0
            if result and (result.sent or result.failed or result.retry or result.recovered):
                for line in SyncReport(send=result).lines():
                    report(line)
            _wait(stop, SEND_POLL_SECONDS)
    finally:
        sender.close()
        conn.close()


def run(db_path: Path, cfg: MailConfig, *, policy, clock, stop: threading.Event, report: Callable[[str], None]) -> None:
    """Serve every mailbox and the outbox until ``stop`` is set."""
    conn = connect(db_path)
    refresh_tickets(conn, policy, clock.now())
    conn.close()
    threads = [threading.Thread(target=_watch_folder, args=(db_path, box, folder, cfg),
                                kwargs=dict(policy=policy, clock=clock, stop=stop, report=report),
                                name=f"imap {box.name}/{folder}", daemon=True)
               for box in cfg.mailboxes for folder in box.folders]
    if cfg.smtp is not None:
        threads.append(threading.Thread(target=_send_loop, args=(db_path, cfg),
                                        kwargs=dict(policy=policy, clock=clock, stop=stop, report=report),
                                        name="smtp", daemon=True))
    for thread in threads:
        thread.start()
    while not stop.is_set() and any(thread.is_alive() for thread in threads):
        stop.wait(0.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=5)
