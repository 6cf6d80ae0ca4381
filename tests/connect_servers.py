"""Real mail servers for the `deskui sync` tests: Debian's dovecot (IMAP) started with a throw-away
config and Maildir, and aiosmtpd (SMTP) inside the test process. Under CI=true a missing dovecot
fails the tests; on a developer machine they skip, saying how to install it."""

from __future__ import annotations

import os
import re
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from email import message_from_bytes
from pathlib import Path

import pytest
from imapclient import IMAPClient

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "mail"
PASSWORD = "s3cret-imap"
SENDER = "support@myshop.example"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float = 30.0, interval: float = 0.05, what: str = "condition"):
    """Poll until ``condition()`` is truthy (the check is the condition, never the sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def need_dovecot() -> str:
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    missing = None
    if binary is None:
        missing = "dovecot is not installed (apt-get install -y dovecot-imapd)"
    elif os.geteuid() != 0:
        missing = "dovecot's throw-away server needs root here (it switches to the dovecot user)"
    else:
        try:
            pwd.getpwnam("dovecot")
        except KeyError:
            missing = "the dovecot user is missing (reinstall dovecot-core)"
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI: {missing}")
        pytest.skip(missing)
    return binary


class Dovecot:
    """One throw-away IMAP server on 127.0.0.1 with one user, ``shop``."""

    def __init__(self, binary: str, *, idle: bool = True, tls: bool = False):
        # Not a 0700 pytest folder: dovecot's auth process (another user) reads the passwd file here.
        self.root = Path(tempfile.mkdtemp(prefix="deskui-dovecot-"))
        os.chmod(self.root, 0o755)
        self.port = free_port()
        self.user, self.password = "shop", PASSWORD
        entry = pwd.getpwnam("dovecot")
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir()
        os.chown(self.root / "mail", entry.pw_uid, entry.pw_gid)
        (self.root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        os.chmod(self.root / "passwd", 0o644)
        self.config = self.root / "dovecot.conf"
        self.tls_port, tls_settings = 0, "ssl = no"
        if tls:  # a self-signed certificate: a client that verifies must refuse it unless told its CA
            self.tls_port, self.cert = free_port(), self.root / "cert.pem"
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(self.root / "key.pem"),
                            "-out", str(self.cert)], check=True, capture_output=True)
            tls_settings = f"ssl = yes\nssl_cert = <{self.cert}\nssl_key = <{self.root / 'key.pem'}"
        self.config.write_text(CONFIG.format(root=self.root, port=self.port, tls_port=self.tls_port, tls=tls_settings,
                                             capability="" if idle else "imap_capability = IMAP4rev1 LITERAL+ UIDPLUS"))
        self.binary = binary
        # the daemon keeps its inherited stdout/stderr: never a pipe we would wait on
        with open(self.root / "start.log", "wb") as log:
            started = subprocess.run([binary, "-c", str(self.config)], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        if started.returncode != 0:
            raise RuntimeError(f"dovecot did not start: {(self.root / 'start.log').read_text()[-2000:]}")
        wait_for(self._listening, 20, what="dovecot to listen")

    @property
    def maildir(self) -> Path:
        return self.root / "mail" / self.user

    def _listening(self) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        client.login(self.user, self.password)
        return client

    def append(self, data: bytes | list[bytes], folder: str = "INBOX") -> None:
        client = self.client()
        try:
            for item in data if isinstance(data, list) else [data]:
                client.append(folder, item)
        finally:
            client.logout()

    def messages(self, folder: str) -> list:
        client = self.client()
        try:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            return [message_from_bytes(item[b"BODY[]"]) for item in client.fetch(uids, ["BODY.PEEK[]"]).values()] if uids else []
        finally:
            client.logout()

    def renumber(self) -> None:
        """Make the server give INBOX a new UIDVALIDITY, as after a restore or a server move."""
        # Dovecot takes a new UIDVALIDITY from the clock, in whole seconds: within the second
        # the old one was made it would hand the same value back (the test was flaky so).
        uidlist = self.maildir / "dovecot-uidlist"
        if uidlist.exists():
            found = re.search(r"\bV(\d+)", uidlist.read_text(errors="replace").split("\n", 1)[0])
            if found:
                old = int(found.group(1))
                wait_for(lambda: time.time() >= old + 1.5, 10, what="the clock to pass the old UIDVALIDITY")
        for path in self.maildir.glob("dovecot*"):
            if path.is_file():
                path.unlink()

    def stop(self) -> None:
        """Gone at once: the whole throw-away server is killed, its master and every child (they
        share the session the master made). A SIGTERM'd master takes 1-6 s to wind its children
        down, for nothing kept: that was most of a test's teardown, on every backend."""
        pid_file = self.root / "run" / "master.pid"
        if pid_file.exists():
            try:
                master = int(pid_file.read_text().strip())
                group = os.getpgid(master)
                if group == os.getpgid(0):  # never our own group (a master that did not daemonise)
                    os.kill(master, signal.SIGTERM)
                else:
                    os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
            wait_for(lambda: not self._listening(), 20, what="dovecot to stop")
        shutil.rmtree(self.root, ignore_errors=True)


CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{tls}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
mail_uid = dovecot
mail_gid = dovecot
first_valid_uid = 1
{capability}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
"""


class SmtpServer:
    """aiosmtpd in a process of its own, like a real mail server: the tests' own threads never delay
    it. Each accepted message is written to ``folder`` as ``N.eml`` (rename: never half a file);
    ``replies()`` queues answers to the next DATA commands (e.g. "421 4.3.2 try later")."""

    def __init__(self, delay: float = 0.0, files_sent: Dovecot | None = None):
        self.folder = Path(tempfile.mkdtemp(prefix="deskui-smtp-"))
        self.port = free_port()
        sent = [str(files_sent.port), files_sent.user, files_sent.password] if files_sent else []
        self.process = subprocess.Popen([sys.executable, __file__, "smtp", str(self.port), str(self.folder), str(delay), *sent],
                                        stdin=subprocess.DEVNULL, cwd=ROOT)
        wait_for(self._listening, 30, what="the SMTP server to listen")

    def _listening(self) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def replies(self, *lines: str) -> None:
        (self.folder / "replies.tmp").write_text("".join(f"{line}\n" for line in lines))
        os.replace(self.folder / "replies.tmp", self.folder / "replies")

    @property
    def received(self) -> list:
        out = []
        for path in sorted(self.folder.glob("*.eml"), key=lambda p: int(p.stem)):
            mail_from, rcpts, data = path.read_bytes().split(b"\n", 2)
            out.append((mail_from.decode(), rcpts.decode().split(","), message_from_bytes(data)))
        return out

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


def _serve_smtp(port: int, folder: Path, delay: float, sent: list[str]) -> None:
    """``sent`` (IMAP port, user, password): file each accepted message in that user's Sent folder
    as it is accepted, as Gmail and Microsoft 365 do."""
    import asyncio

    from aiosmtpd.controller import Controller

    class Handler:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            replies = folder / "replies"
            if replies.exists():
                lines = replies.read_text().splitlines()
                if lines:
                    (folder / "replies.tmp").write_text("".join(f"{line}\n" for line in lines[1:]))
                    os.replace(folder / "replies.tmp", replies)
                    return lines[0]
            if sent:  # blocking on purpose: no await between filing the copy and accepting
                client = IMAPClient("127.0.0.1", port=int(sent[0]), ssl=False, timeout=30)
                client.login(sent[1], sent[2])
                client.append("Sent", envelope.original_content, flags=[b"\\Seen"])
                client.logout()
            Handler.count += 1
            path = folder / f"{Handler.count}.eml"
            path.with_suffix(".tmp").write_bytes(
                f"{envelope.mail_from}\n{','.join(envelope.rcpt_tos)}\n".encode() + envelope.original_content)
            os.replace(path.with_suffix(".tmp"), path)
            if delay:  # the server's own work after it took the message: kills land here too
                await asyncio.sleep(delay)
            return "250 2.0.0 queued"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    signal.signal(signal.SIGTERM, lambda *_: (controller.stop(), os._exit(0)))
    while True:
        time.sleep(3600)


def write_config(path: Path, imap: Dovecot | None, smtp: SmtpServer | None, *, user: str = "shop",
                 extra_smtp: str = "", extra_box: str = "") -> Path:
    parts = []
    if imap is not None:
        parts.append(f"""[[mailboxes]]
name = "shop"
host = "127.0.0.1"
port = {imap.port}
security = "none"
user = "{user}"
password_env = "DESKUI_TEST_IMAP_PASSWORD"
folders = ["INBOX"]
seller_addresses = ["{SENDER}"]
poll_seconds = 0.5
{extra_box}
""")
    if smtp is not None:
        parts.append(f"""[smtp]
host = "127.0.0.1"
port = {smtp.port}
security = "none"
sender = "{SENDER}"
retry_seconds = 0.2
{extra_smtp}
""")
    path.write_text("\n".join(parts))
    return path


def sync_env(password: str = PASSWORD) -> dict:
    return {**os.environ, "DESKUI_TEST_IMAP_PASSWORD": password, "PYTHONPATH": str(ROOT)}


def run_sync(db: Path, config: Path, *, password: str = PASSWORD, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "deskui", "sync", "--once", "--db", str(db), "--config", str(config)],
                          capture_output=True, text=True, env=sync_env(password), timeout=timeout, cwd=ROOT)


def start_sync(db: Path, config: Path, log: Path) -> subprocess.Popen:
    handle = open(log, "ab")
    return subprocess.Popen([sys.executable, "-m", "deskui", "sync", "--db", str(db), "--config", str(config)],
                            stdout=handle, stderr=handle, env=sync_env(), cwd=ROOT)


def shopify_mail(n: int, *, subject: str | None = None, body: str = "Hi, where is my order? It has not arrived.") -> bytes:
    return (f"From: Buyer {n} <buyer{n}@example.net>\r\nTo: {SENDER}\r\nSubject: {subject or f'Order #{1000 + n} question'}\r\n"
            f"Date: Tue, 24 Nov 2026 10:{n % 60:02d}:00 +0000\r\nMessage-ID: <buyer-{n}@example.net>\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()


if __name__ == "__main__":
    if sys.argv[1] == "smtp":
        _serve_smtp(int(sys.argv[2]), Path(sys.argv[3]), float(sys.argv[4]), sys.argv[5:])
