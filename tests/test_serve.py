"""`deskui serve`: the board over HTTP on localhost, for the holder of the printed URL only.

Every test runs the real command and talks to it over real sockets: plain HTTP (http.client, so
the Host header is ours to forge), a raw websocket (aiohttp's client), and, where Chromium is
installed, a real headless browser.
"""

import asyncio
import base64
import getpass
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

from tests.conftest import NOW
from tests.inbox_data import build
from tests.helpers import scalar

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
URL_LINE = re.compile(r"(http://[^/\s]+/(?:\?token=(\S+))?)")


def config_env(tmp_path: Path) -> dict:
    """The tests' own config file (absent unless a test writes it), never the developer's."""
    return {**ENV, "DESKUI_CONFIG": str(tmp_path / "config.toml")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """One running `deskui serve`, with the URL (and token) it printed."""

    def __init__(self, tmp_path: Path, *options: str, host: str = "127.0.0.1", env: dict | None = None,
                 db: str | None = None) -> None:
        self.db = db or tmp_path / "serve.db"
        if db is None and not self.db.exists():
            build(self.db, NOW)
        self.port = free_port()
        self.stderr = tmp_path / f"serve-{self.port}.err"
        command = [sys.executable, "-m", "deskui", "serve", str(self.db), "--host", host, "--port", str(self.port), *options]
        with open(self.stderr, "wb") as err:
            self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env={**config_env(tmp_path), **(env or {})})
        deadline = time.monotonic() + 30
        while not (found := URL_LINE.search(self.stderr.read_text())):
            assert self.proc.poll() is None, f"deskui serve exited: {self.stderr.read_text()}"
            assert time.monotonic() < deadline, "deskui serve printed no URL"
            time.sleep(0.1)
        self.url, self.token = found.group(1), found.group(2)
        self.netloc = urlsplit(self.url).netloc
        self.origin = f"http://{self.netloc}"

    def get(self, path: str, headers: dict | None = None, *, method: str = "GET", body: str | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers={"Host": self.netloc, **(headers or {})})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
        finally:
            connection.close()

    def cookie(self) -> str:
        """The session cookie, as the first authenticated page load sets it."""
        status, headers, _ = self.get(f"/?token={self.token}")
        assert status == 200
        return headers["set-cookie"].split(";", 1)[0]

    def app_pids(self) -> list[int]:
        """The server's child processes: one deskui app per open session."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == str(self.proc.pid) and fields[0] != "Z":
                pids.append(int(stat.parent.name))
        return pids

    def app_processes(self) -> int:
        return len(self.app_pids())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def serve(tmp_path):
    started: list[Served] = []

    def start(*options: str, **kwargs) -> Served:
        started.append(Served(tmp_path, *options, **kwargs))
        return started[-1]

    yield start
    for served in started:
        served.stop()


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "deskui", "serve", *args], capture_output=True, text=True,
                          env=env or ENV, timeout=60)


def assert_one_line_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


# ---------------------------------------------------------------- pages, token and cookie
def test_the_page_needs_the_token_then_the_cookie(serve):
    served = serve()
    assert served.get("/")[0] == 401
    assert served.get("/?token=" + "x" * len(served.token))[0] == 401
    assert served.get("/?token=" + served.token + "x")[0] == 401
    status, headers, page = served.get(f"/?token={served.token}")
    assert status == 200 and "deskui board" in page and "textual" in page.lower()
    cookie = headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and served.token.lower() not in cookie
    assert headers["referrer-policy"] == "no-referrer"
    session = served.cookie()
    assert served.get("/", {"Cookie": session})[0] == 200
    assert served.get("/static/js/textual.js")[0] == 401
    assert served.get("/static/js/textual.js", {"Cookie": session})[0] == 200
    assert served.get("/", {"Cookie": f"deskui_serve_{served.port}=forged"})[0] == 401


def test_the_url_is_printed_once_and_the_token_changes_every_run(serve, tmp_path):
    first, second = serve(), serve()
    assert first.token != second.token and len(first.token) >= 40
    first.get(f"/?token={first.token}")
    assert first.stderr.read_text().count(first.token) == 1  # no access log repeats it
    # two servers on one host: each its own cookie, so a browser holding both keeps both
    assert first.cookie().split("=")[0] != second.cookie().split("=")[0]
    assert second.get("/", {"Cookie": first.cookie()})[0] == 401


def test_a_foreign_host_or_origin_is_refused(serve):
    """DNS rebinding: a page on evil.example resolves its name to 127.0.0.1; the browser still
    sends Host: evil.example. A cross-site request sends the page's Origin."""
    served = serve()
    token_path = f"/?token={served.token}"
    assert served.get(token_path, {"Host": f"evil.example:{served.port}"})[0] == 403
    assert served.get(token_path, {"Host": "127.0.0.1"})[0] == 403  # the port is part of the address
    assert served.get(token_path, {"Origin": "http://evil.example"})[0] == 403
    assert served.get(token_path, {"Origin": f"http://127.0.0.1:{served.port + 1}"})[0] == 403
    assert served.get(token_path, {"Origin": served.origin})[0] == 200


def test_localhost_names_are_one_address(serve):
    served = serve(host="localhost")
    for name in ("localhost", "127.0.0.1"):
        status, _, page = served.get(f"/?token={served.token}", {"Host": f"{name}:{served.port}"})
        assert status == 200 and f"ws://{name}:{served.port}/ws" in page  # the cookie is per host name


def test_all_addresses_accept_the_machines_names_only_and_warn(serve):
    served = serve(host="0.0.0.0")
    assert "anyone with the URL" in served.stderr.read_text()
    for name in ("localhost", socket.gethostname()):
        assert served.get(f"/?token={served.token}", {"Host": f"{name}:{served.port}"})[0] == 200
    assert served.get(f"/?token={served.token}", {"Host": f"evil.example:{served.port}"})[0] == 403


# ---------------------------------------------------------------- the websocket
async def _open(served: Served, *, origin: str | None, cookie: str | None, session: aiohttp.ClientSession):
    headers = {"Host": served.netloc}
    if origin is not None:
        headers["Origin"] = origin
    if cookie is not None:
        headers["Cookie"] = cookie
    return await session.ws_connect(f"http://127.0.0.1:{served.port}/ws?width=100&height=30", headers=headers,
                                    autoping=True, max_msg_size=0)


async def _status(served: Served, **kwargs) -> int:
    async with aiohttp.ClientSession() as session:
        try:
            socket_ = await _open(served, session=session, **kwargs)
        except aiohttp.WSServerHandshakeError as error:
            return error.status
        await socket_.close()
        return 101


async def _first_screen(socket_, needle: bytes = b"", timeout: float = 60) -> bytes:
    """Read the app's output until ``needle`` appears (any output when empty)."""
    seen = b""
    deadline = asyncio.get_running_loop().time() + timeout
    while needle not in seen or not seen:
        message = await asyncio.wait_for(socket_.receive(), deadline - asyncio.get_running_loop().time())
        assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
        if message.type == aiohttp.WSMsgType.BINARY:
            seen += message.data
    return seen


def test_websocket_from_a_foreign_origin_or_without_the_token_is_refused(serve):
    served = serve()
    cookie = served.cookie()
    assert asyncio.run(_status(served, origin="http://evil.example", cookie=cookie)) == 403
    assert asyncio.run(_status(served, origin="null", cookie=cookie)) == 403
    assert asyncio.run(_status(served, origin=None, cookie=cookie)) == 403
    assert asyncio.run(_status(served, origin=served.origin, cookie=None)) == 401
    assert asyncio.run(_status(served, origin=served.origin, cookie=f"deskui_serve_{served.port}={served.token}")) == 401
    assert served.app_processes() == 0  # nothing was started for any of them


def test_websocket_with_the_token_runs_the_board(serve):
    served = serve()

    async def session() -> bytes:
        async with aiohttp.ClientSession() as client:
            socket_ = await _open(served, origin=served.origin, cookie=served.cookie(), session=client)
            try:
                return await _first_screen(socket_, b"BREACH")
            finally:
                await socket_.close()

    assert b"BREACH" in asyncio.run(session())


def test_sessions_beyond_the_cap_are_refused_without_a_process(serve):
    served = serve("--max-sessions", "1")
    cookie = served.cookie()

    async def scenario() -> None:
        async with aiohttp.ClientSession() as client:
            first = await _open(served, origin=served.origin, cookie=cookie, session=client)
            await _first_screen(first)
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await _open(served, origin=served.origin, cookie=cookie, session=client)
            assert refused.value.status == 503
            status, _, page = served.get("/", {"Cookie": cookie})
            assert status == 503 and "--max-sessions" in page
            assert served.app_processes() == 1
            await first.close()
            deadline = asyncio.get_running_loop().time() + 60
            while True:  # the place frees once the first app has quit
                try:
                    again = await _open(served, origin=served.origin, cookie=cookie, session=client)
                    break
                except aiohttp.WSServerHandshakeError as error:
                    assert error.status == 503 and asyncio.get_running_loop().time() < deadline
                    await asyncio.sleep(0.2)
            await _first_screen(again)
            await again.close()

    asyncio.run(scenario())


# The tests whose served app writes to the database run on both backends; the rest (tokens,
# origins, logins, the apps' processes) do not depend on the database and stay on SQLite.
@pytest.mark.backends
def test_the_browser_inbox_claims_in_the_given_agents_name(serve, db_target):
    build(db_target, NOW)
    served = serve("--screen", "inbox", "--agent", "web.ana", db=db_target)

    def claims(agent: str) -> int:
        return scalar(served.db, "SELECT count(*) FROM events WHERE kind = 'claimed' AND agent = ?", (agent,))

    assert claims("web.ana") == 0

    async def claim() -> None:
        async with aiohttp.ClientSession() as client:
            socket_ = await _open(served, origin=served.origin, cookie=served.cookie(), session=client)
            await _first_screen(socket_, b"@web.ana")
            deadline = asyncio.get_running_loop().time() + 60
            while not claims("web.ana"):  # n: the next unassigned ticket, a: claim it
                assert asyncio.get_running_loop().time() < deadline, "no claim recorded"
                await socket_.send_json(["stdin", "na"])
                await asyncio.sleep(0.5)
            await socket_.close()

    asyncio.run(claim())
    assert claims(getpass.getuser()) == 0


@pytest.mark.postgresql
def test_a_database_url_reaches_the_app_without_its_password_on_the_command_line(serve, pg_server):
    """`ps` and /proc/PID/cmdline are readable by every local user: the app process gets the
    URL in its environment (readable by its own user only), and the served inbox still opens it."""
    from tests.pg_server import PASSWORD

    name = pg_server.create_database(template="deskui_template")
    try:
        url = pg_server.url(name)
        build(url, NOW)
        served = serve("--screen", "inbox", "--agent", "web.ana", db=url)

        async def inbox() -> tuple[bytes, list[bytes]]:
            async with aiohttp.ClientSession() as client:
                socket_ = await _open(served, origin=served.origin, cookie=served.cookie(), session=client)
                try:
                    screen = await _first_screen(socket_, b"9 open")  # the PostgreSQL database's tickets
                    command_lines = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in served.app_pids()]
                    return screen, command_lines
                finally:
                    await socket_.close()

        screen, command_lines = asyncio.run(inbox())
        assert command_lines and all(b"deskui" in line for line in command_lines)
        for line in command_lines:
            assert PASSWORD.encode() not in line and b"postgresql://" not in line, line
        assert PASSWORD.encode() not in screen
        assert PASSWORD not in served.stderr.read_text()
        status, _, page = served.get("/", {"Cookie": served.cookie()})
        assert status == 200 and PASSWORD not in page
    finally:
        pg_server.drop_database(name)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_the_apps_die_with_the_server(serve, how):
    """textual-serve ran each app under a shell that outlived a killed server, forever."""
    served = serve()

    async def scenario() -> None:
        async with aiohttp.ClientSession() as client:
            socket_ = await _open(served, origin=served.origin, cookie=served.cookie(), session=client)
            await _first_screen(socket_)
            apps = served.app_pids()
            assert len(apps) == 1
            served.proc.send_signal(how)
            deadline = asyncio.get_running_loop().time() + 60
            while any(alive(pid) for pid in apps):
                assert asyncio.get_running_loop().time() < deadline, f"app {apps} outlived the server"
                await asyncio.sleep(0.1)

    asyncio.run(scenario())
    served.proc.wait(timeout=60)


# ---------------------------------------------------------------- passwords from the config
PASSWORDS = {"PW_ANA": "correct horse ana", "PW_BEN": "battery staple ben"}
AGENTS_CONFIG = '[serve.agents]\nana = "PW_ANA"\nben = "PW_BEN"\n'


def login(served: Served, agent: str, password: str, origin: str | None = None) -> tuple[int, dict, str]:
    from urllib.parse import urlencode

    return served.get("/login", {"Origin": origin or served.origin, "Content-Type": "application/x-www-form-urlencoded"},
                      method="POST", body=urlencode({"agent": agent, "password": password}))


@pytest.mark.backends
def test_agents_log_in_with_their_own_password_and_act_in_their_own_name(serve, tmp_path, db_target):
    (tmp_path / "config.toml").write_text(AGENTS_CONFIG)
    build(db_target, NOW)
    served = serve("--screen", "inbox", env=PASSWORDS, db=db_target)
    assert served.token is None  # no token: the passwords are the way in
    status, _, page = served.get("/")
    assert status == 401 and 'name="password"' in page and 'name="agent"' in page
    assert login(served, "ben", PASSWORDS["PW_ANA"])[0] == 401  # ana's password is not ben's
    assert login(served, "carol", PASSWORDS["PW_BEN"])[0] == 401
    assert login(served, "ben", PASSWORDS["PW_BEN"], origin="http://evil.example")[0] == 403
    status, headers, _ = login(served, "ben", PASSWORDS["PW_BEN"])
    assert status == 303 and "httponly" in headers["set-cookie"].lower()
    cookie = headers["set-cookie"].split(";", 1)[0]
    assert served.get("/", {"Cookie": cookie})[0] == 200

    def claims(agent: str) -> int:
        return scalar(served.db, "SELECT count(*) FROM events WHERE kind = 'claimed' AND agent = ?", (agent,))

    async def claim() -> str:
        async with aiohttp.ClientSession() as client:
            socket_ = await _open(served, origin=served.origin, cookie=cookie, session=client)
            await _first_screen(socket_, b"@ben")
            environment = Path(f"/proc/{served.app_pids()[0]}/environ").read_bytes().decode(errors="replace")
            deadline = asyncio.get_running_loop().time() + 60
            while not claims("ben"):
                assert asyncio.get_running_loop().time() < deadline, "no claim recorded"
                await socket_.send_json(["stdin", "na"])
                await asyncio.sleep(0.5)
            await socket_.close()
            return environment

    environment = asyncio.run(claim())
    assert claims("ben") and not claims("ana") and not claims(getpass.getuser())
    for password in PASSWORDS.values():  # never in the app's environment, never printed
        assert password not in environment and password not in served.stderr.read_text()


def test_a_shared_password_logs_in_as_the_given_agent(serve, tmp_path):
    (tmp_path / "config.toml").write_text('[serve]\npassword_env = "PW_ANA"\n')
    served = serve("--agent", "lead", env=PASSWORDS)
    status, _, page = served.get("/")
    assert status == 401 and 'name="agent"' not in page
    assert login(served, "", "guess")[0] == 401
    status, headers, _ = login(served, "", PASSWORDS["PW_ANA"])
    assert status == 303
    assert served.get("/", {"Cookie": headers["set-cookie"].split(";", 1)[0]})[0] == 200


def test_password_settings_that_cannot_work_are_one_line(tmp_path):
    build(tmp_path / "x.db", NOW)
    config = tmp_path / "config.toml"
    env = config_env(tmp_path)
    config.write_text('[serve]\npassword_env = "PW_NOT_SET"\n')
    assert_one_line_error(run(str(tmp_path / "x.db"), env=env), str(config), "PW_NOT_SET", "not set")
    config.write_text('[serve]\npassword_env = "not a name!"\n')
    assert_one_line_error(run(str(tmp_path / "x.db"), env=env), "password_env", "environment variable")
    config.write_text('[serve]\npassword = "hunter2"\n')  # a password written in the file itself
    assert_one_line_error(run(str(tmp_path / "x.db"), env=env), "[serve] password", "password_env")
    config.write_text(AGENTS_CONFIG)
    assert_one_line_error(run(str(tmp_path / "x.db"), "--agent", "ana", env={**env, **PASSWORDS}), "--agent", "[serve.agents]")


# ---------------------------------------------------------------- bad options: one line each
def test_inbox_needs_an_agent(tmp_path):
    build(tmp_path / "x.db", NOW)
    assert_one_line_error(run(str(tmp_path / "x.db"), "--screen", "inbox"), "--agent")
    assert_one_line_error(run(str(tmp_path / "x.db"), "--agent", "a b\x1b[2J"), "--agent")


@pytest.mark.parametrize("port", ["99999", "0", "-1", "65536"])
def test_a_port_out_of_range_is_one_line(tmp_path, port):
    build(tmp_path / "x.db", NOW)
    assert_one_line_error(run(str(tmp_path / "x.db"), "--port", port), f"--port {port}", "65535")


def test_a_port_in_use_is_one_line(tmp_path):
    build(tmp_path / "x.db", NOW)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert_one_line_error(run(str(tmp_path / "x.db"), "--host", "127.0.0.1", "--port", str(port)), "in use")


def test_bad_max_sessions_and_host_are_one_line(tmp_path):
    build(tmp_path / "x.db", NOW)
    assert_one_line_error(run(str(tmp_path / "x.db"), "--max-sessions", "0"), "--max-sessions")
    assert_one_line_error(run(str(tmp_path / "x.db"), "--host", "no-such-host.invalid"), "--host")


def test_serve_refuses_a_missing_database(tmp_path):
    result = run(str(tmp_path / "none.db"))
    assert result.returncode != 0 and "deskui init" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- a real browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Chromium:
    """Headless Chromium driven over the DevTools protocol (no extra library: aiohttp's websocket)."""

    def __init__(self, profile: Path) -> None:
        self.profile = profile
        self.counter = 0

    async def __aenter__(self) -> "Chromium":
        self.proc = await asyncio.create_subprocess_exec(
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={self.profile}", "--window-size=1400,900", "--remote-debugging-port=0", "about:blank",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        port_file = self.profile / "DevToolsActivePort"
        for _ in range(600):
            if port_file.exists() and port_file.read_text().strip():
                break
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().splitlines()[0])
        self.session = aiohttp.ClientSession()
        async with self.session.get(f"http://127.0.0.1:{port}/json/list") as response:
            page = next(target for target in await response.json() if target["type"] == "page")
        self.socket = await self.session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.session.close()
        self.proc.kill()
        await self.proc.wait()

    async def call(self, method: str, **params):
        self.counter += 1
        await self.socket.send_str(json.dumps({"id": self.counter, "method": method, "params": params}))
        async for message in self.socket:
            data = json.loads(message.data)
            if data.get("id") == self.counter:
                return data.get("result", {})

    async def evaluate(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        return result.get("result", {}).get("value")

    async def screenshot(self) -> bytes:
        return base64.b64decode((await self.call("Page.captureScreenshot"))["data"])

    async def open_app(self, url: str) -> None:
        """Open the page and wait until the app's first bytes reach the terminal."""
        await self.call("Page.navigate", url=url)
        await self.first_bytes()

    async def first_bytes(self) -> None:
        for _ in range(600):
            if "-first-byte" in str(await self.evaluate("document.body && document.body.className")):
                return
            await asyncio.sleep(0.1)
        raise AssertionError("the app never sent its first bytes to the browser")


def need_chromium() -> None:
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing under CI=true: .ci/run installs it (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")


def test_board_renders_and_updates_in_headless_chromium(serve, tmp_path):
    need_chromium()
    served = serve()

    async def browse() -> tuple[bytes, bytes]:
        async with Chromium(tmp_path / "profile") as browser:
            await browser.open_app(served.url)
            await asyncio.sleep(2.0)
            first = await browser.screenshot()
            await asyncio.sleep(2.0)
            return first, await browser.screenshot()

    first, second = asyncio.run(browse())
    (tmp_path / "board.png").write_bytes(first)
    assert len(first) > 30_000  # a painted board, not the splash page (~15 kB)
    assert first != second  # the clock and countdowns moved


def probe(url: str) -> str:
    """JavaScript that opens a websocket and says whether the server let it open."""
    return ("new Promise(resolve => { const s = new WebSocket(%s);"
            " s.onopen = () => { s.close(); resolve('open'); }; s.onerror = () => resolve('refused'); })" % json.dumps(url))


def test_a_page_on_another_port_cannot_drive_the_app_from_the_agents_browser(serve, tmp_path):
    """The agent's browser holds the cookie, and another port of the same host is the same *site*
    (SameSite ignores ports): only the Origin check stops the page's websocket."""
    need_chromium()
    served = serve()
    site = tmp_path / "site"
    site.mkdir()
    (site / "attack.html").write_text("<!doctype html><title>cat pictures</title><p>cats</p>")
    port = free_port()
    other = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "the other site's server did not start"
            time.sleep(0.1)

    async def browse() -> tuple[str, str]:
        async with Chromium(tmp_path / "profile") as browser:
            await browser.open_app(served.url)  # the agent's tab: the cookie is set
            await browser.call("Page.navigate", url=f"http://127.0.0.1:{port}/attack.html")
            for _ in range(300):
                if await browser.evaluate("document.title") == "cat pictures":
                    break
                await asyncio.sleep(0.1)
            assert await browser.evaluate("location.origin") == f"http://127.0.0.1:{port}"
            foreign = await browser.evaluate(probe(f"ws://{served.netloc}/ws"))
            await browser.open_app(served.url)  # the same probe from the deskui page opens
            return foreign, await browser.evaluate(probe(f"ws://{served.netloc}/ws"))

    try:
        foreign, own = asyncio.run(browse())
    finally:
        other.terminate()
        other.wait(timeout=10)
    assert foreign == "refused"
    assert own == "open"


def test_an_agent_logs_in_through_the_form_in_headless_chromium(serve, tmp_path):
    need_chromium()
    (tmp_path / "config.toml").write_text(AGENTS_CONFIG)
    served = serve(env=PASSWORDS)

    async def browse() -> str:
        async with Chromium(tmp_path / "profile") as browser:
            await browser.call("Page.navigate", url=served.url)
            for _ in range(300):
                if await browser.evaluate("!!document.querySelector('input[name=password]')"):
                    break
                await asyncio.sleep(0.1)
            await browser.evaluate("document.querySelector('input[name=agent]').value = 'ana';"
                                   f"document.querySelector('input[name=password]').value = {json.dumps(PASSWORDS['PW_ANA'])};"
                                   "document.querySelector('form').submit(); true")
            await browser.first_bytes()  # the board after the redirect: the form's cookie opened the websocket
            return await browser.evaluate("document.cookie")

    assert asyncio.run(browse()) == ""  # HttpOnly: the page's scripts cannot read the session
