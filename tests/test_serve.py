"""`deskui serve`: the board over HTTP on localhost, and (where Chromium is installed) in a real browser."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import NOW
from tests.inbox_data import build

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    path = tmp_path / "serve.db"
    build(path, NOW)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "deskui", "serve", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield url, path
    proc.terminate()
    proc.wait(timeout=10)


def test_serve_answers_with_the_app_page(server):
    url, _ = server
    page = urllib.request.urlopen(url, timeout=5).read().decode()
    assert "deskui board" in page and "textual" in page.lower()


def test_serve_refuses_a_missing_database(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "deskui", "serve", str(tmp_path / "none.db")], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode != 0 and "deskui init" in result.stderr and "Traceback" not in result.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


async def _browse(url: str, profile: Path) -> tuple[bytes, bytes]:
    """Drive headless Chromium over the DevTools protocol: open the page, wait until the app's
    first bytes arrive, then take two screenshots two seconds apart."""
    import asyncio
    import base64
    import json

    import aiohttp

    proc = await asyncio.create_subprocess_exec(
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--window-size=1400,900", "--remote-debugging-port=0", "about:blank",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        for _ in range(200):
            if port_file.exists() and port_file.read_text().strip():
                break
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().splitlines()[0])
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
                page = next(target for target in await response.json() if target["type"] == "page")
            async with session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as socket_:
                counter = 0

                async def call(method, **params):
                    nonlocal counter
                    counter += 1
                    await socket_.send_str(json.dumps({"id": counter, "method": method, "params": params}))
                    async for message in socket_:
                        data = json.loads(message.data)
                        if data.get("id") == counter:
                            return data.get("result", {})

                await call("Page.navigate", url=url)
                for _ in range(300):
                    result = await call("Runtime.evaluate", expression="document.body && document.body.className")
                    if "-first-byte" in str(result.get("result", {}).get("value", "")):
                        break
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError("the app never sent its first bytes to the browser")
                await asyncio.sleep(2.0)
                first = base64.b64decode((await call("Page.captureScreenshot"))["data"])
                await asyncio.sleep(2.0)
                second = base64.b64decode((await call("Page.captureScreenshot"))["data"])
                return first, second
    finally:
        proc.kill()
        await proc.wait()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_board_renders_and_updates_in_headless_chromium(server, tmp_path):
    import asyncio

    url, _ = server
    first, second = asyncio.run(_browse(url, tmp_path / "profile"))
    (tmp_path / "board.png").write_bytes(first)
    assert len(first) > 30_000  # a painted board, not the splash page (~15 kB)
    assert first != second  # the clock and countdowns moved
