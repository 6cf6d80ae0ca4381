"""`deskui serve`: the board or the inbox in a browser, for the person who started it and nobody else.

textual-serve starts one deskui process per websocket and trusts whoever connects. A local user, or
any web page the agent happens to visit (a websocket is not bound by the same-origin policy), could
drive the inbox as the serving user. This module puts a guard in front of it:

- a secret made per run, in the URL printed once; the first page load that carries it gets an
  HttpOnly, SameSite=Strict cookie, which the websocket and the static files then need;
- the Host header must name the address served (a DNS-rebinding page sends its own name), and an
  Origin, required on the websocket, must be that same origin;
- at most ``max_sessions`` app processes at once; the next tab gets a 503 page, not a process;
- each app process dies with the server, even a server killed with SIGKILL.

It never imports Textual: textual-serve only starts processes and relays bytes.
"""

from __future__ import annotations

import asyncio
import ctypes
import errno
import hmac
import html
import ipaddress
import os
import re
import secrets
import shlex
import signal
import socket
import tomllib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp_jinja2
from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, log, to_int

from deskui.store.db import DEFAULT_DB_ENV
from deskui.text import one_line

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
AGENT_NAME = re.compile(r"[\w.@+-]{1,64}")


class ServeError(Exception):
    """A bad option or an address that cannot be served: one line for the user, no traceback."""


def check_port(port: int) -> int:
    if not 1 <= port <= 65535:
        raise ServeError(f"--port {port}: a TCP port is a number from 1 to 65535 (default 8000)")
    return port


def check_max_sessions(count: int) -> int:
    if count < 1:
        raise ServeError(f"--max-sessions {count}: allow at least 1 browser tab")
    return count


def check_agent(name: str | None, screen: str) -> str | None:
    """The inbox claims and replies in someone's name: the browser user must say whose."""
    if name is None:
        if screen == "inbox":
            raise ServeError("--screen inbox needs --agent NAME: the name the browser's claims and replies carry")
        return None
    if not AGENT_NAME.fullmatch(name):
        raise ServeError(f"--agent {name[:40]!r}: use 1 to 64 letters, digits or . _ - @ +")
    return name


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("0.0.0.0", "::", "")


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host header values a browser sends for this address (lower case, with the port)."""
    names = {_bracketed(host.lower())}
    if is_loopback(host) or _is_wildcard(host):
        names.update(LOOPBACK_NAMES)
    if _is_wildcard(host):  # a browser elsewhere uses the machine's name or one of its addresses
        names.update(name.lower() for name in (socket.gethostname(), socket.getfqdn()) if name)
        try:
            names.update(_bracketed(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None))
        except OSError:
            pass
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:
        hosts.update(names)
    return frozenset(hosts)


def display_url(host: str, port: int, token: str | None) -> str:
    shown = "localhost" if _is_wildcard(host) else _bracketed(host)
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def open_sockets(host: str, port: int) -> list[socket.socket]:
    """Bind every address ``host`` names, now, so a port in use is one line before anything starts."""
    shown = one_line(host, limit=80)  # the user's own option, but it still must not drive the terminal
    try:
        infos = socket.getaddrinfo(host.strip("[]") or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ServeError(f"--host {shown}: not an address this machine can listen on ({error.strerror})") from None
    sockets: list[socket.socket] = []
    missing: OSError | None = None
    for family, kind, proto, address in dict.fromkeys((i[0], i[1], i[2], i[4]) for i in infos):
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(128)
            sock.setblocking(False)
            sockets.append(sock)
        except OSError as error:
            sock.close()
            if error.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):  # "localhost" names ::1 without IPv6
                missing = error
                continue
            for opened in sockets:
                opened.close()
            raise ServeError(_listen_problem(error, shown, port)) from None
    if not sockets:
        raise ServeError(_listen_problem(missing or OSError(errno.EADDRNOTAVAIL, "no address"), shown, port))
    return sockets


def _listen_problem(error: OSError, host: str, port: int) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"--port {port}: already in use on {host} (another deskui serve?); choose another port"
    if error.errno == errno.EACCES:
        return f"--port {port}: not allowed for this user (ports below 1024 need privileges); choose another port"
    return f"--host {host} --port {port}: cannot listen there ({error.strerror})"


ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SESSIONS_KEPT = 256  # logins remembered; the oldest is forgotten (its tab asks again)


def read_passwords(source: str, config_file: str, environ=os.environ) -> dict[str | None, str]:
    """``[serve] password_env = "VAR"`` (one password; None stands for it) and ``[serve.agents]
    name = "VAR"`` (one per agent, whose name the session then carries). The config file names
    environment variables, never the passwords: a config file is not a secret store."""
    try:
        table = tomllib.loads(source).get("serve", {}) if source else {}
    except tomllib.TOMLDecodeError:
        return {}  # load_config, which read the same text, has already said where it is broken
    agents = table.get("agents", {}) if isinstance(table, dict) else None
    if not isinstance(agents, dict):
        raise ServeError(f"{config_file}: [serve] and [serve.agents] are tables of NAME = \"ENV_VAR\"")
    unknown = sorted(set(table) - {"password_env", "agents"})
    if unknown:
        raise ServeError(f"{config_file}: [serve] {unknown[0]}: unknown key; use password_env or [serve.agents]")
    wanted = {None: table["password_env"]} if "password_env" in table else {}
    for name, variable in agents.items():
        if not AGENT_NAME.fullmatch(name):
            raise ServeError(f"{config_file}: [serve.agents] {name[:40]!r}: an agent name is 1 to 64 letters, digits or . _ - @ +")
        wanted[name] = variable
    passwords: dict[str | None, str] = {}
    for agent, variable in wanted.items():
        where = "[serve] password_env" if agent is None else f"[serve.agents] {agent}"
        if not isinstance(variable, str) or not ENV_NAME.fullmatch(variable):
            raise ServeError(f"{config_file}: {where}: the name of an environment variable, e.g. \"DESKUI_SERVE_PASSWORD\"")
        if not environ.get(variable):
            raise ServeError(f"{config_file}: {where} = \"{variable}\": ${variable} is not set; export it first")
        passwords[agent] = environ[variable]
    return passwords


def _same(given: str | None, secret: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8", "replace"), secret.encode("utf-8"))


@dataclass
class Guard:
    """Who may talk to the server, and under which agent's name: the holder of the run's token
    (``agent``), or whoever logs in with a password from the config; always from the served origin."""

    hosts: frozenset[str]
    cookie_name: str  # per port: cookies are per host, and two servers on localhost must not share one
    agent: str | None = None  # the name of a token or shared-password session
    passwords: dict[str | None, str] = field(default_factory=dict)
    token: str | None = None  # only without passwords
    sessions: OrderedDict[str, str | None] = field(default_factory=OrderedDict)  # cookie secret -> agent

    @classmethod
    def new(cls, host: str, port: int, *, agent: str | None = None, passwords: dict | None = None) -> "Guard":
        token = None if passwords else secrets.token_urlsafe(32)
        return cls(allowed_hosts(host, port), f"deskui_serve_{port}", agent, dict(passwords or {}), token)

    def open_session(self, agent: str | None) -> str:
        """A new cookie secret (not the token, not the password) that stands for ``agent``."""
        secret = secrets.token_urlsafe(32)
        self.sessions[secret] = agent
        while len(self.sessions) > SESSIONS_KEPT:
            self.sessions.popitem(last=False)
        return secret

    def session(self, request: web.Request) -> tuple[bool, str | None]:
        """(logged in, agent name). Each known secret is compared in constant time."""
        given = request.cookies.get(self.cookie_name)
        for secret, agent in self.sessions.items():
            if _same(given, secret):
                return True, agent
        return False, None

    def check_login(self, agent: str, password: str) -> tuple[bool, str | None]:
        """A named agent's own password, or (no name given) the shared one."""
        key = agent.strip() or None
        if key is not None and key not in self.passwords:
            _same(password, secrets.token_urlsafe(16))  # as long as a real check
            return False, None
        if key is None and None not in self.passwords:
            return False, None
        return _same(password, self.passwords[key]), key if key is not None else self.agent

    def refusal(self, request: web.Request) -> web.Response | None:
        """None when the request may go on; else the response that refuses it."""
        host = request.headers.get("Host", "").lower()
        if host not in self.hosts:
            return _refuse(403, "this server answers only to the address deskui serve printed")
        origin = request.headers.get("Origin")
        if origin is None and (request.path == "/ws" or request.method == "POST"):
            return _refuse(403, "a websocket or a form needs the Origin of the deskui page")
        if origin is not None and origin.lower() != f"http://{host}":
            return _refuse(403, "requests from another site are refused")
        if self.session(request)[0]:
            return None
        if self.passwords and request.path == "/login" and request.method == "POST":
            return None
        if self.token and request.path == "/" and _same(request.query.get("token"), self.token):
            return None
        if self.passwords and request.path == "/":
            return login_page(self, 401)
        return _refuse(401, "open the address deskui serve printed" + (": it holds this run's token" if self.token else ", and log in"))


def _refuse(status: int, reason: str) -> web.Response:
    return web.Response(status=status, text=f"deskui serve: {reason}\n", headers={"Cache-Control": "no-store"})


def login_page(guard: Guard, status: int, problem: str = "") -> web.Response:
    named = any(agent is not None for agent in guard.passwords)
    field_ = '<label>agent <input name="agent" autocomplete="username" autofocus></label>' if named else ""
    note = f'<p class="problem">{html.escape(problem)}</p>' if problem else ""
    body = (f"<!doctype html><meta charset=utf-8><title>deskui: log in</title>"
            f"<style>body{{font-family:monospace;background:#0c181f;color:#eee;margin:4em}}"
            f"input{{font:inherit;margin:.3em}} .problem{{color:#f77}}</style>"
            f"<h1>deskui</h1>{note}<form method=post action=/login>{field_}"
            f'<label>password <input name="password" type="password" autocomplete="current-password"></label>'
            f"<button>log in</button></form>")
    return web.Response(status=status, text=body, content_type="text/html", headers={"Cache-Control": "no-store"})


def app_command(python: str, screen: str, database: str, policy: str | None = None) -> tuple[list[str], dict[str, str]]:
    """The app's command line and the environment variables only the app gets. The database goes
    in ``$DESKUI_DB``, never on the command line: a ``postgresql://user:password@...`` URL there
    would be readable by every local user in ``ps`` and ``/proc/PID/cmdline``, while a process's
    environment is readable only by its own user."""
    command = [python, "-m", "deskui", screen]
    if policy:
        command += ["--policy", policy]
    return command, {DEFAULT_DB_ENV: database}


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> Callable[[], None]:
    """Run in the forked child: the kernel sends it SIGTERM when the server dies, however it dies."""

    def arm() -> None:
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):  # not Linux: the server's shutdown still stops its apps
            return
        if os.getppid() != parent:  # the server died before the line above
            os._exit(1)

    return arm


class AppProcess(AppService):
    """textual-serve's AppService, with the app run directly (no shell between), tied to the server,
    without the login passwords in its environment, and with ``app_env`` (the database) added to it."""

    def __init__(self, command: str, *, secrets_: frozenset[str] = frozenset(), app_env: dict[str, str] | None = None,
                 **kwargs) -> None:
        super().__init__(command, **kwargs)
        self.secrets = secrets_
        self.app_env = dict(app_env or {})

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment = {name: value for name, value in environment.items() if value not in self.secrets}
        environment.update(self.app_env)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        pipe = asyncio.subprocess.PIPE
        self._process = process = await asyncio.create_subprocess_exec(
            *shlex.split(self.command), stdin=pipe, stdout=pipe, stderr=pipe,
            env=self._build_environment(width=width, height=height), preexec_fn=_die_with_parent(os.getpid()))
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def halt(self, timeout: float = 10.0) -> None:
        """Ask the app to quit; kill it when it does not within ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self.stop(), timeout)
        except (asyncio.TimeoutError, ConnectionError):
            pass
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
            await self._process.wait()


class GuardedServer(Server):
    """textual-serve's Server behind the Guard and a cap on concurrent sessions."""

    def __init__(self, command: str, *, sockets: list[socket.socket], guard: Guard, max_sessions: int, title: str,
                 app_env: dict[str, str] | None = None) -> None:
        super().__init__(command, title=title)
        self.app_env = dict(app_env or {})  # for each app process only (the database: app_command)
        self.sockets = sockets
        self.guard = guard
        self.max_sessions = max_sessions
        self.sessions = 0
        self.websockets: set[web.WebSocketResponse] = set()
        self.login_lock = asyncio.Lock()

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard_middleware)
        app.router.add_post("/login", self.handle_login)
        return app

    def command_for(self, agent: str | None) -> str:
        """The app's command line for one session: the server's, with the session's agent."""
        return self.command + (" --agent " + shlex.quote(agent) if agent else "")

    @web.middleware
    async def _guard_middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        refused = self.guard.refusal(request)
        if refused is not None:
            return refused
        response = await handler(request)
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if request.path == "/" and not self.guard.session(request)[0]:  # the token let it in
            self._set_cookie(response, self.guard.open_session(self.guard.agent))
        return response

    def _set_cookie(self, response: web.StreamResponse, secret: str) -> None:
        response.set_cookie(self.guard.cookie_name, secret, httponly=True, samesite="Strict", path="/")

    async def handle_login(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        agent, password = str(form.get("agent", "")), str(form.get("password", ""))
        async with self.login_lock:  # one guess at a time, and a failed one costs a second
            ok, name = self.guard.check_login(agent, password)
            if not ok:
                await asyncio.sleep(1.0)
                return login_page(self.guard, 401, "wrong agent name or password")
        response = web.Response(status=303, headers={"Location": "/", "Cache-Control": "no-store"})
        self._set_cookie(response, self.guard.open_session(name))
        return response

    def _full(self) -> web.Response:
        return _refuse(503,
                       f"{self.sessions} browser session(s) open, the --max-sessions limit; close a tab, then reload")

    async def handle_index(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        """textual-serve's page, with the websocket on the host the browser used (the cookie is per host)."""
        if self.sessions >= self.max_sessions:
            return self._full()
        base = f"http://{request.host}"
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"ws://{request.host}{request.app.router['websocket'].url_for()}",
            "config": {"static": {"url": f"{base}{request.app.router['static'].url_for(filename='/')}".rstrip("/") + "/"}},
            "application": {"name": self.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers["Cache-Control"] = "no-store"
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's handler, with the cap, and every socket known so shutdown can close it."""
        # No await between the check and the count: two tabs cannot both take the last place.
        if self.sessions >= self.max_sessions:
            return self._full()  # type: ignore[return-value]
        self.sessions += 1
        websocket = web.WebSocketResponse(heartbeat=15)
        app_process: AppProcess | None = None
        try:
            await websocket.prepare(request)
            self.websockets.add(websocket)
            _, agent = self.guard.session(request)
            app_process = AppProcess(self.command_for(agent), secrets_=frozenset(self.guard.passwords.values()),
                                     app_env=self.app_env,
                                     write_bytes=websocket.send_bytes, write_str=websocket.send_str, close=websocket.close,
                                     download_manager=self.download_manager, debug=self.debug)
            await app_process.start(to_int(request.query.get("width", "80"), 80), to_int(request.query.get("height", "24"), 24))
            await self._process_messages(websocket, app_process)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a broken session must not take the server down
            log.exception(error)
        finally:
            self.websockets.discard(websocket)
            if app_process is not None:
                await app_process.halt()
            self.sessions -= 1
        return websocket

    async def on_shutdown(self, app: web.Application) -> None:
        """ctrl+c: close every session, which stops its app, before the server goes."""
        for websocket in list(self.websockets):
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"deskui serve stopped")

    async def on_startup(self, app: web.Application) -> None:
        """Silence textual-serve's banner: it would print the command line; deskui prints the URL."""

    def serve(self, debug: bool = False) -> None:
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.add_signal_handler(signal.SIGINT, self.request_exit)
        loop.add_signal_handler(signal.SIGTERM, self.request_exit)
        # access_log=None: an access log line would print the token of the first page load.
        web.run_app(self._make_app(), sock=self.sockets, handle_signals=False, loop=loop,
                    print=None, access_log=None)
