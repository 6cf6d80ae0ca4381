"""A real PostgreSQL server for the tests: Debian's `postgresql` package, one throw-away cluster per
test session in a temporary folder, listening on a free port on 127.0.0.1 only.

PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user
(`runuser -u postgres -- initdb/pg_ctl`); as anyone else it runs as that user. Under CI=true a
missing server (or psycopg) fails the tests; on a developer machine they skip, saying how to
install it.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PASSWORD = "s3cret-pg"
SUPERUSER = "postgres"
# A throw-away cluster: durability buys nothing here, and fsync on a loaded 2-core machine is
# the slowest part of every CREATE DATABASE.
SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=60",
            "shared_buffers=32MB", "listen_addresses=127.0.0.1")


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI: {reason}")
    pytest.skip(reason)


def find_bindir() -> str | None:
    """The newest installed server's binaries (Debian keeps them out of PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if candidates:
        return str(Path(candidates[-1]).parent)
    initdb = shutil.which("initdb")
    return str(Path(initdb).parent) if initdb else None


def need_postgres() -> str:
    """The folder of initdb/pg_ctl, or skip (fail under CI) with what to install."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing("psycopg is not installed (pip install -e '.[test]')")
    bindir = find_bindir()
    if bindir is None:
        _missing("PostgreSQL is not installed (apt-get install -y postgresql)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _missing("the postgres user is missing (reinstall postgresql-common)")
    return bindir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgServer:
    """One throw-away cluster; ``url(dbname)`` connects to it over TCP with a password."""

    def __init__(self, bindir: str) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="deskui-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self._names = itertools.count(1)
        self._as_root = os.geteuid() == 0
        if self._as_root:
            entry = pwd.getpwnam("postgres")
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        os.chmod(self.root, 0o700)
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self._as_root:
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--pwfile", str(pwfile), "-E", "UTF8",
                  "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync")
        pwfile.unlink()

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [os.path.join(self.bindir, tool), *args]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.root, timeout=180)
        if check and result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr.strip()[-2000:]}\n{log}")
        return result

    def start(self) -> None:
        # A port found free may be taken before the server binds it: try a few.
        for attempt in range(5):
            self.port = free_port()
            options = " ".join([f"-p {self.port}", f"-k {self.root}", *(f"-c {s}" for s in SETTINGS)])
            result = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "120",
                               "-o", options, "start", check=False)
            if result.returncode == 0:
                return
            if attempt == 4 or "already in use" not in self.log.read_text(errors="replace"):
                raise RuntimeError(f"pg_ctl start failed: {result.stderr.strip()}\n"
                                   f"{self.log.read_text(errors='replace')[-2000:]}")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def close(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, dbname: str = "postgres", *, user: str = SUPERUSER, password: str = PASSWORD) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{dbname}"

    def admin(self):
        import psycopg

        return psycopg.connect(self.url(), autocommit=True)

    def create_database(self, *, template: str | None = None) -> str:
        name = f"t{os.getpid()}_{next(self._names)}"
        with self.admin() as conn:
            clause = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
            conn.execute(f"CREATE DATABASE {name}{clause}")
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")



# A crash loses commits not yet in the WAL with synchronous_commit off: a cluster that is killed
# under a test must keep every commit.
CRASH_SAFE = tuple(setting for setting in SETTINGS if not setting.startswith("synchronous_commit")) + ("synchronous_commit=on",)


class RestartableServer(PgServer):
    """A cluster a test stops (as a crash) and starts again on the port it had, so the URLs the
    app holds stay right."""

    def start(self) -> None:
        self.port = free_port()
        self.restart()

    def restart(self) -> None:
        options = " ".join([f"-p {self.port}", f"-k {self.root}", *(f"-c {s}" for s in CRASH_SAFE)])
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "120", "-o", options, "start")

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0
