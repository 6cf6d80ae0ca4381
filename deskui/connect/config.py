"""The ``[[mailboxes]]`` and ``[smtp]`` tables of the config file (docs/mail.md).

Errors read ``FILE:LINE: field: what is wrong``, one a line, like the policy's. Passwords are never
in the file: ``password_env`` names an environment variable, ``password_command`` a command whose
first output line is the password; both are read only when a connection is made, never stored in the
database and never printed.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from deskui.configfile import ConfigFileError, Document, Problem, Reader

SECURITY = ("tls", "starttls", "none")
MAILBOX_FIELDS = ("name", "host", "port", "security", "user", "password_env", "password_command", "folders",
                  "sent_folder", "verify_tls", "ca_file", "seller_addresses", "default_channel", "poll_seconds")
SMTP_FIELDS = ("host", "port", "security", "sender", "user", "password_env", "password_command", "verify_tls",
               "ca_file", "signature", "sent_mailbox", "channels", "retry_seconds", "max_attempts",
               "sent_copy")
_STRINGS = "must be a non-empty list of strings, e.g. [\"INBOX\"]"
_NO_PASSWORD = "passwords are not kept in the config file; use password_env or password_command"
DEFAULT_PORTS = {"imap": {"tls": 993, "starttls": 143, "none": 143}, "smtp": {"tls": 465, "starttls": 587, "none": 25}}


class MailConfigError(ValueError):
    """Every problem of the mail tables; ``problems`` holds them as ``FILE:LINE: field: what`` lines."""

    def __init__(self, problems: list[str | Problem]):
        self.problems = [str(problem) for problem in problems]
        super().__init__("\n".join(self.problems))


class SecretError(Exception):
    """The password could not be read (variable unset, command failed); the message says which."""


@dataclass
class Secret:
    """Where a password comes from; the value itself is read on use and never kept."""

    env: str | None = None
    command: str | None = None

    def __repr__(self) -> str:  # never print a password, not even by accident in a traceback
        return f"Secret(env={self.env!r}, command={self.command!r})"

    @property
    def given(self) -> bool:
        return bool(self.env or self.command)

    def read(self, owner: str) -> str:
        if self.env:
            value = os.environ.get(self.env)
            if value is None:
                raise SecretError(f"{owner}: password_env: the variable {self.env} is not set")
            return value
        try:
            done = subprocess.run(shlex.split(self.command), capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise SecretError(f"{owner}: password_command: cannot run it: {error.__class__.__name__}") from None
        if done.returncode != 0:
            raise SecretError(f"{owner}: password_command: exited {done.returncode}")
        return done.stdout.splitlines()[0] if done.stdout else ""


@dataclass
class Endpoint:
    host: str
    port: int
    security: str
    user: str | None
    secret: Secret
    verify_tls: bool = True
    ca_file: str | None = None


@dataclass
class MailboxConfig(Endpoint):
    name: str = ""
    folders: list[str] = field(default_factory=lambda: ["INBOX"])
    sent_folder: str | None = None      # None: found by its \Sent flag, else "Sent"
    seller_addresses: list[str] = field(default_factory=list)
    default_channel: str | None = None
    poll_seconds: float = 30.0          # without IDLE


@dataclass
class SmtpConfig(Endpoint):
    sender: str = ""
    signature: str | None = None
    sent_mailbox: str | None = None     # the mailbox whose Sent folder gets a copy (default: the first)
    channels: list[str] | None = None   # None: every queued reply with an e-mail address
    retry_seconds: float = 60.0         # first wait after a 4xx; doubles each time
    max_attempts: int = 8               # then the reply is marked failed
    sent_copy: str = "append"           # who files the copy in Sent: deskui ("append") or the server ("server")


@dataclass
class MailConfig:
    mailboxes: list[MailboxConfig] = field(default_factory=list)
    smtp: SmtpConfig | None = None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Reader(Reader):
    """The mail tables' reads on top of the shared reader."""

    def endpoint(self, raw: dict, path: tuple, kind: str, fields: tuple) -> dict | None:
        before = len(self.problems)
        self.unknown(raw, path, fields, lambda key: _NO_PASSWORD if key == "password" else
                     f"unknown field (expected one of {', '.join(fields)})")
        host = self.text(raw, path, "host", required=True)
        security = raw.get("security", "starttls" if kind == "smtp" else "tls")
        if security not in SECURITY:
            self.problem((*path, "security"), f"{security!r} is not one of {', '.join(SECURITY)}")
            security = "tls"
        if security == "none" and host and not is_loopback(host):
            self.problem((*path, "security"), f"\"none\" sends the password in clear text; it is refused for {host} "
                                              "(only for 127.0.0.1 / localhost): use \"tls\" or \"starttls\"")
        port = self.integer(raw, path, "port", DEFAULT_PORTS[kind][security], low=1, high=65535,
                            wrong=lambda value: f"must be a port number 1-65535, not {value!r}")
        verify = self.boolean(raw, path, "verify_tls", True)
        env, command = self.text(raw, path, "password_env"), self.text(raw, path, "password_command")
        if env and command:
            self.problem((*path, "password_command"), "give password_env or password_command, not both")
        user = self.text(raw, path, "user")
        if kind == "imap" and not user:
            self.problem((*path, "user"), "missing: the IMAP login name")
        if user and not (env or command):
            self.problem((*path, "password_env"), "missing: name the variable holding the password (or use password_command)")
        if len(self.problems) > before:
            return None
        return dict(host=host, port=port, security=security, user=user, secret=Secret(env, command),
                    verify_tls=verify, ca_file=self.text(raw, path, "ca_file"))

    def mailbox(self, raw: dict, path: tuple, names: set[str]) -> MailboxConfig | None:
        before = len(self.problems)
        name = self.text(raw, path, "name", required=True)
        if name in names:
            self.problem((*path, "name"), f"a second mailbox named {name!r}: names must differ")
        names.add(name)
        endpoint = self.endpoint(raw, path, "imap", MAILBOX_FIELDS)
        folders = self.strings(raw, path, "folders", ["INBOX"], wrong=_STRINGS)
        user = raw.get("user") if isinstance(raw.get("user"), str) and "@" in raw.get("user") else None
        sellers = self.strings(raw, path, "seller_addresses", [], wrong=_STRINGS) if "seller_addresses" in raw else ([user] if user else [])
        poll = self.number(raw, path, "poll_seconds", 30.0, low=0.2, high=3600,
                           wrong="must be a number of seconds between 0.2 and 3600")
        channel = self.text(raw, path, "default_channel")
        if channel is not None:
            from deskui.policy.model import CHANNELS

            if channel not in CHANNELS:
                self.problem((*path, "default_channel"), f"{channel!r} is not one of {', '.join(CHANNELS)}")
        if endpoint is None or len(self.problems) > before:
            return None
        return MailboxConfig(**endpoint, name=name, folders=folders, sent_folder=self.text(raw, path, "sent_folder"),
                             seller_addresses=sellers, default_channel=channel, poll_seconds=poll)

    def smtp(self, raw, mailboxes: list[MailboxConfig]) -> SmtpConfig | None:
        path = ("smtp",)
        if not isinstance(raw, dict):
            self.problem(path, "must be a table: [smtp] with host, port, security, sender")
            return None
        before = len(self.problems)
        endpoint = self.endpoint(raw, path, "smtp", SMTP_FIELDS)
        sender = self.text(raw, path, "sender", required=True)
        if sender and "@" not in sender:
            self.problem((*path, "sender"), f"{sender!r} is not an e-mail address (the one registered with the marketplaces)")
        sent = self.text(raw, path, "sent_mailbox")
        if sent and sent not in {m.name for m in mailboxes}:
            self.problem((*path, "sent_mailbox"), f"no [[mailboxes]] entry is named {sent!r}")
        signature = raw.get("signature")
        if signature is not None and not isinstance(signature, str):
            self.problem((*path, "signature"), "must be a string")
        channels = self.strings(raw, path, "channels", [], wrong=_STRINGS) if "channels" in raw else None
        retry = self.number(raw, path, "retry_seconds", 60.0, above=0, high=86400,
                            wrong="must be a number of seconds, more than 0 and at most 86400")
        attempts = self.integer(raw, path, "max_attempts", 8, low=1, high=100, wrong="must be a whole number from 1 to 100")
        sent_copy = self.choice(raw, path, "sent_copy", ("append", "server"), "append",
                                wrong=lambda value: f"{value!r} is not \"append\" (deskui files the copy in Sent) or "
                                                    "\"server\" (the server does, as Gmail and Microsoft 365 do)")
        if endpoint is None or len(self.problems) > before:
            return None
        return SmtpConfig(**endpoint, sender=sender, signature=signature, sent_mailbox=sent, channels=channels,
                          retry_seconds=retry, max_attempts=attempts, sent_copy=sent_copy)


def parse_mail_config(data: dict | Document, source: str | None = None, file: str = "<config>") -> MailConfig:
    """The mail tables of a config file (a :class:`Document`, or its data, text and name); raises
    MailConfigError listing every problem."""
    document = data if isinstance(data, Document) else Document(data, source, file)
    reader = _Reader(document)
    mailboxes: list[MailboxConfig] = []
    names: set[str] = set()
    for path, raw in reader.tables("mailboxes", "must be a list of [[mailboxes]] tables",
                                   entry="must be a table ([[mailboxes]] with name, host, user, password_env)"):
        box = reader.mailbox(raw, path, names)
        if box is not None:
            mailboxes.append(box)
    smtp = reader.smtp(document.data["smtp"], mailboxes) if "smtp" in document else None
    reader.raise_problems(MailConfigError)
    return MailConfig(mailboxes, smtp)


def load_mail_config(path: Path) -> MailConfig:
    """Read the mail tables from the config file at ``path`` (no file: nothing configured)."""
    if not path.exists():
        return MailConfig()
    try:
        document = Document.read(path, what="the config")
    except ConfigFileError as error:
        raise MailConfigError(error.problems) from None
    return parse_mail_config(document)
