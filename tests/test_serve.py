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


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_board_renders_in_headless_chromium(server, tmp_path):
    url, _ = server
    shot = tmp_path / "board.png"
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,900", "--virtual-time-budget=15000"]
    dom = subprocess.run([*args, "--dump-dom", url], capture_output=True, text=True, timeout=120).stdout
    assert "xterm" in dom or "textual" in dom.lower()
    subprocess.run([*args, f"--screenshot={shot}", url], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000
