"""The command line as scripts meet it: real processes, exit codes, one-line errors."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def deskui(*args, stdin: str | None = None, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "deskui", *args], input=stdin, capture_output=True, text=True,
                          env=environment, cwd=cwd, timeout=120)


def test_help_lists_the_commands():
    result = deskui("--help")
    assert result.returncode == 0
    for command in ("demo", "init", "classify", "policy"):
        assert command in result.stdout


def test_init_creates_then_accepts_again(tmp_path):
    path = tmp_path / "new.db"
    first = deskui("init", str(path))
    assert first.returncode == 0 and "created" in first.stdout
    second = deskui("init", str(path))
    assert second.returncode == 0 and "already" in second.stdout


@pytest.mark.parametrize("kind", ["missing", "foreign", "newer", "garbage"])
def test_bad_databases_get_one_line_and_no_traceback(tmp_path, kind):
    path = tmp_path / "x.db"
    if kind == "foreign":
        raw = sqlite3.connect(path)
        raw.execute("CREATE TABLE t (x)")
        raw.commit()
    elif kind == "newer":
        deskui("init", str(path))
        raw = sqlite3.connect(path)
        raw.execute("PRAGMA user_version = 99")
        raw.commit()
    elif kind == "garbage":
        path.write_bytes(b"\x00garbage" * 200)
    result = deskui(str(path))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0]


@pytest.mark.backends
def test_refresh_triages_rows_written_by_another_program(db_target):
    from deskui.store import connect

    other = connect(db_target)  # another program's rows: no tier, a time in its own form
    other.execute("INSERT INTO tickets (id, channel, subject, created_at) VALUES (1, 'amazon', 'Paket beschädigt', '2026-11-25 10:00:00+01:00')")
    other.execute("INSERT INTO messages (ticket_id, direction, body, sent_at) VALUES (1, 'in', 'Die Ware ist kaputt angekommen', '2026-11-25 10:00:00+01:00')")
    other.commit()
    other.close()
    result = deskui("refresh", str(db_target))
    assert result.returncode == 0, result.stderr
    check = connect(db_target)
    tier, created = check.execute("SELECT tier, created_at FROM tickets WHERE id = 1").fetchone()
    check.close()
    assert tier == "high" and created == "2026-11-25T09:00:00Z"


def test_classify_answers_every_line_in_order_and_flags_bad_ones():
    lines = [
        {"id": "a", "channel": "Amazon", "subject": "Claim", "body": "Je vais ouvrir une réclamation garantie A à Z"},
        "not json",
        {"id": 3, "channel": "myspace", "subject": "x", "body": "y"},
        {"id": "d", "channel": "shopify", "subject": "Refund please", "body": "I want my money back"},
        {"channel": "ebay", "subject": "no id"},
    ]
    stdin = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    result = deskui("classify", stdin=stdin)
    assert result.returncode == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 5
    assert out[0]["id"] == "a" and out[0]["tier"] == "critical" and out[0]["target_minutes"] == 60
    assert out[0]["category"] == "atoz_claim" and out[0]["evidence"]
    assert out[1]["line"] == 2 and "JSON" in out[1]["error"]
    assert out[2]["line"] == 3 and "channel" in out[2]["error"]
    assert out[3]["id"] == "d" and out[3]["tier"] == "clv"
    assert out[4]["line"] == 5 and "id" in out[4]["error"]
    assert "Traceback" not in result.stderr


def test_classify_reports_a_line_that_is_not_utf8_and_reads_a_bom():
    import subprocess as sp

    good = json.dumps({"id": 1, "channel": "amazon", "subject": "Where is my parcel?", "body": ""}).encode()
    payload = b"\xef\xbb\xbf" + good + b"\n" + b'{"id": 2, "subject": "caf\xe9"}\n' + good + b"\n"
    result = sp.run([sys.executable, "-m", "deskui", "classify"], input=payload, capture_output=True,
                    env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert out[0]["id"] == 1 and out[2]["id"] == 1
    assert out[1]["line"] == 2 and "utf-8" in out[1]["error"]
    assert result.returncode == 1 and b"Traceback" not in result.stderr


def test_classify_with_another_policy(tmp_path):
    policy = tmp_path / "p.toml"
    policy.write_text('[[tiers]]\nname = "all"\nfirst_response = "3h"\n\n[[rules]]\ntier = "all"\n')
    result = deskui("classify", "--policy", str(policy), stdin='{"id": 1, "channel": "amazon", "subject": "A-to-z", "body": ""}\n')
    assert result.returncode == 0
    assert json.loads(result.stdout) ["tier"] == "all"


def test_policy_check_reports_lines(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[tiers]]\nname = "x"\nfirst_response = "soon"\n')
    result = deskui("policy", "check", str(bad))
    assert result.returncode == 1
    assert f"{bad}:3: tiers[0].first_response" in result.stderr
    assert "Traceback" not in result.stderr


def test_policy_show_and_round_trip(tmp_path):
    shown = deskui("policy", "show")
    assert shown.returncode == 0 and "critical       1h" in shown.stdout and "clv            4h" in shown.stdout
    toml = deskui("policy", "show", "--toml")
    copy = tmp_path / "copy.toml"
    copy.write_text(toml.stdout)
    assert deskui("policy", "check", str(copy)).returncode == 0


def test_demo_needs_force_without_a_terminal(tmp_path):
    path = tmp_path / "demo.db"
    path.write_text("")
    result = deskui("demo", "--db", str(path), "--tickets", "50", "--no-open")
    assert result.returncode == 1 and "--force" in result.stderr
