"""Every command against a table of bad input: exit non-zero, exactly one line on stderr, no
traceback, and the database byte-for-byte the same (compared as an SQL dump). Then the text a
command prints: nothing another program or a file wrote reaches the terminal as a control code.

On both backends: the database is an SQLite file or a PostgreSQL database (a copy, per test, of
one built once per module). The cases that name no database of the test's (a missing or foreign
file given as the database, classify, policy, demo) run once, beside an SQLite file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta

import pytest

from deskui.clock import FixedClock
from deskui.ingest import import_file
from deskui.store import connect, write
from deskui.store.tickets import add_reply, refresh_tickets
from tests.conftest import NOW, PG_TEMPLATE
from tests.faults import ENV, ROOT, dump
from tests.helpers import add_ticket, scalar

pytestmark = pytest.mark.backends

FIXTURES = ROOT / "fixtures"
UNSAFE = ("\x1b", "\x9b", "\x07", "\u202e", "\x7f")


def run(*args: str, stdin: bytes | None = None, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "deskui", *args], input=stdin, capture_output=True,
                          env={**ENV, **(env or {})}, cwd=cwd or ROOT, timeout=120)


def stock(target, *, create: bool = False) -> None:
    """Orders, mail tickets and one queued reply, into the database at ``target``."""
    from deskui.policy import default_policy

    conn = connect(target, create=create)
    policy = default_policy()
    for name in ("amazon/orders-by-order-date.txt", "mail/inbox.mbox"):
        import_file(conn, FIXTURES / name, policy=policy, now=NOW)
    ticket = add_ticket(conn, subject="Where is it?", body="Nothing yet", sent_at=NOW - timedelta(hours=2))
    refresh_tickets(conn, policy, NOW)
    add_reply(conn, policy, FixedClock(NOW), ticket, "ana", "It ships today.")
    conn.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """An SQLite file stocked once; each test's file is a copy of it."""
    path = tmp_path_factory.mktemp("template") / "desk.db"
    stock(path, create=True)
    return path


@pytest.fixture(scope="module")
def pg_template(pg_server):
    """The same stock in a PostgreSQL database, built once; each test's database is a copy of it
    (CREATE DATABASE ... TEMPLATE, ~0.1-0.3 s)."""
    name = pg_server.create_database(template=PG_TEMPLATE)
    stock(pg_server.url(name))
    yield name
    pg_server.drop_database(name)


@pytest.fixture
def files(tmp_path):
    """The bad files the table points at."""
    (tmp_path / "binary.toml").write_bytes(b"\xff\xfe\x00\x01binary")
    (tmp_path / "zone.toml").write_text('timezone = "GMT+25"\n')
    (tmp_path / "folder.toml").mkdir()  # a config path that cannot be read as a file
    (tmp_path / "a-file").write_text("not a folder\n")
    (tmp_path / "drop").mkdir()
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "drop-linked").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "drop-linked" / "failed").symlink_to(tmp_path / "elsewhere")
    return tmp_path


def sqlite_copy(template, folder):
    db = folder / "desk.db"
    shutil.copy(template, db)
    return db


@pytest.fixture
def world(files, backend, request):
    """(the folder of bad files, this test's stocked database: an SQLite file's path or a URL)."""
    if backend == "sqlite":
        yield files, sqlite_copy(request.getfixturevalue("template"), files)
        return
    server = request.getfixturevalue("pg_server")
    name = server.create_database(template=request.getfixturevalue("pg_template"))
    try:
        yield files, server.url(name)
    finally:
        server.drop_database(name)


@pytest.fixture
def sqlite_world(files, template):
    """As ``world`` with an SQLite file, for the cases that never open the test's database."""
    return files, sqlite_copy(template, files)


CONFIG = "DESKUI_CONFIG"
# (id, argv, stdin, extra environment); {db} and {dir} are filled in per test.
CASES = [
    ("config-binary", ["health", "{db}", "--json"], None, {CONFIG: "{dir}/binary.toml"}),
    ("config-unreadable", ["health", "{db}", "--json"], None, {CONFIG: "{dir}/folder.toml"}),
    ("config-zone", ["health", "{db}", "--json"], None, {CONFIG: "{dir}/zone.toml"}),
    ("config-binary-alerts", ["alerts", "{db}"], None, {CONFIG: "{dir}/binary.toml"}),
    ("alerts-rules-binary", ["alerts", "{db}", "--rules", "{dir}/binary.toml"], None, {}),
    ("alerts-rules-folder", ["alerts", "{db}", "--rules", "{dir}/folder.toml"], None, {}),
    ("policy-binary", ["health", "{db}", "--json", "--policy", "{dir}/binary.toml"], None, {}),
    ("health-zone", ["health", "{db}", "--json", "--zone", "GMT+25"], None, {}),
    ("health-zone-unknown", ["health", "{db}", "--json", "--zone", "Mars/Olympus"], None, {}),
    ("health-days-0", ["health", "{db}", "--json", "--days", "0"], None, {}),
    ("health-days-huge", ["health", "{db}", "--json", "--days", "100000"], None, {}),
    ("health-days-text", ["health", "{db}", "--json", "--days", "many"], None, {}),
    ("health-sample", ["health", "{db}", "--json", "--sample", "-1"], None, {}),
    ("health-unknown-option", ["health", "{db}", "--bogus"], None, {}),
    ("demo-tickets-0", ["demo", "--db", "{dir}/demo.db", "--tickets", "0", "--no-open"], None, {}),
    ("import-format", ["import", "--db", "{db}", "--format", "bogus", str(FIXTURES / "tickets/tickets.jsonl")], None, {}),
    ("import-zone", ["import", "--db", "{db}", "--zone", "GMT+25", str(FIXTURES / "tickets/tickets.jsonl")], None, {}),
    ("import-missing", ["import", "--db", "{db}", "{dir}/no-such-file.csv"], None, {}),
    ("import-bad-row", ["import", "--db", "{db}", str(FIXTURES / "bad/amazon-bad-price.txt")], None, {}),
    ("import-no-files", ["import", "--db", "{db}"], None, {}),
    ("import-fifo", ["import", "--db", "{db}", "{dir}/fifo"], None, {}),
    ("watch-interval", ["watch", "{dir}/drop", "--db", "{db}", "--interval", "-1"], None, {}),
    ("watch-interval-nan", ["watch", "{dir}/drop", "--db", "{db}", "--interval", "nan"], None, {}),
    ("watch-not-a-folder", ["watch", "{dir}/a-file", "--db", "{db}"], None, {}),
    ("watch-linked-failed", ["watch", "{dir}/drop-linked", "--db", "{db}"], None, {}),
    ("outbox-export-onto-a-file", ["outbox", "export", "{dir}/a-file", "--db", "{db}"], None, {}),
    ("outbox-export-under-a-file", ["outbox", "export", "{dir}/a-file/out", "--db", "{db}"], None, {}),
    ("outbox-mark-missing", ["outbox", "mark", "999", "sent", "--db", "{db}"], None, {}),
    ("outbox-mark-no-reason", ["outbox", "mark", "1", "failed", "--db", "{db}"], None, {}),
    ("outbox-mark-not-a-number", ["outbox", "mark", "one", "sent", "--db", "{db}"], None, {}),
    ("outbox-list-status", ["outbox", "list", "{db}", "--status", "lost"], None, {}),
    ("classify-nested", ["classify"], b"[" * 100_000 + b"\n", {}),
    ("classify-nested-object", ["classify"], b'{"id": ' + b"[" * 50_000 + b"\n", {}),
    ("classify-policy-missing", ["classify", "--policy", "{dir}/no-such.toml"], b"", {}),
    ("inbox-missing-db", ["{dir}/no-such.db"], None, {}),
    ("refresh-not-a-database", ["refresh", "{dir}/binary.toml"], None, {}),
    ("init-on-a-folder", ["init", "{dir}/drop"], None, {}),
    ("board-missing-db", ["board", "{dir}/no-such.db"], None, {}),
    ("board-foreign-file", ["board", "{dir}/a-file"], None, {}),
    ("policy-check-binary", ["policy", "check", "{dir}/binary.toml"], None, {}),
    ("policy-check-missing", ["policy", "check", "{dir}/no-such.toml"], None, {}),
    ("policy-show-binary", ["policy", "show", "--policy", "{dir}/binary.toml"], None, {}),
    ("unknown-command-option", ["--bogus"], None, {}),
]


# The cases given the test's database run on both backends; the others never open it (a missing or
# foreign file given as the database, classify, policy, demo), so they run once.
ON_THE_DATABASE = [case for case in CASES if any("{db}" in word for word in case[1])]
WITHOUT_IT = [case for case in CASES if case not in ON_THE_DATABASE]


@pytest.mark.parametrize("argv, stdin, env", [case[1:] for case in ON_THE_DATABASE], ids=[case[0] for case in ON_THE_DATABASE])
def test_bad_input_gets_one_line_and_changes_nothing(world, argv, stdin, env):
    refused_in_one_line(*world, argv, stdin, env)


@pytest.mark.parametrize("argv, stdin, env", [case[1:] for case in WITHOUT_IT], ids=[case[0] for case in WITHOUT_IT])
def test_bad_input_naming_no_database_gets_one_line_and_changes_nothing(sqlite_world, argv, stdin, env):
    refused_in_one_line(*sqlite_world, argv, stdin, env)


def refused_in_one_line(folder, db, argv, stdin, env) -> None:
    fill = {"db": str(db), "dir": str(folder)}
    argv = [word.format(**fill) for word in argv]
    env = {key: value.format(**fill) for key, value in env.items()}
    before = dump(db)
    result = run(*argv, stdin=stdin, env=env)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode != 0, stderr
    assert "Traceback" not in stderr, stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert dump(db) == before
    assert not list((folder / "elsewhere").iterdir())  # nothing moved through the linked failed/


# ---------------------------------------------------------------------- untrusted text in output
def _no_control_codes(text: str) -> None:
    for char in UNSAFE:
        assert char not in text, f"{char!r} reached the terminal: {text!r}"


def test_outbox_list_cleans_what_another_program_wrote(world):
    folder, db = world
    with write(connect(db)) as conn:
        conn.execute("UPDATE outbox SET channel = ?, subject = ?, to_address = ?",
                     ("\x1b]0;owned\x07amazon\x1b[2J", "Re: \u202eevil\x9b31m", "a@b.c\x1b[1A"))
    listed = run("outbox", "list", str(db))
    assert listed.returncode == 0
    _no_control_codes(listed.stdout.decode())
    assert "amazon" in listed.stdout.decode()
    exact = run("outbox", "list", str(db), "--json")
    _no_control_codes(exact.stdout.decode())  # escaped as \\u001b, \\u009b, \\u202e: still exact JSON
    [item] = json.loads(exact.stdout)
    assert item["channel"] == "\x1b]0;owned\x07amazon\x1b[2J" and item["subject"] == "Re: \u202eevil\x9b31m"


def test_an_import_rejection_naming_a_csv_header_is_cleaned(world):
    folder, db = world
    bad = folder / "tickets.csv"
    bad.write_text("channel,external_id,subject,body,sent_at,\x1b]0;owned\x07\x1b[31mcolumn\n"
                   "amazon,x1,Hello,Body text,not a date\n", encoding="utf-8")
    result = run("import", "--db", str(db), str(bad))
    assert result.returncode == 1
    _no_control_codes(result.stdout.decode() + result.stderr.decode())
    assert len(result.stderr.decode().strip().splitlines()) == 1


def test_a_file_name_cannot_forge_a_line_of_output(world):
    folder, db = world
    name = "fake.jsonl\nimported: fake.jsonl -> everything fine\x1b[2K"
    shutil.copy(FIXTURES / "tickets/tickets.jsonl", folder / name)
    result = run("import", "--db", str(db), str(folder / name))
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    _no_control_codes(out)
    assert not any(line.startswith("imported: ") for line in out.splitlines())
    assert "fake.jsonl\\nimported" in out  # shown, with its line break made visible


def test_a_file_name_that_is_not_utf8_is_shown_not_a_crash(world):
    folder, db = world
    raw = os.fsencode(folder) + b"/caf\xe9.jsonl"
    shutil.copy(FIXTURES / "tickets/tickets.jsonl", raw)
    result = run("import", "--db", str(db), os.fsdecode(raw))
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr
    assert b"caf\\udce9.jsonl" in result.stdout


def test_classify_escapes_c1_controls_and_stays_exact_json():
    record = {"id": "a\x9bb", "channel": "amazon", "subject": "Claim", "body": "I will open an A-to-z\x9b31m claim today"}
    result = run("classify", stdin=(json.dumps(record, ensure_ascii=False) + "\n").encode())
    out = result.stdout.decode()
    _no_control_codes(out)
    answer = json.loads(out)
    assert answer["id"] == "a\x9bb" and answer["tier"] == "critical"


def test_alerts_and_health_json_are_exact_and_safe(world):
    folder, db = world
    with write(connect(db)) as conn:
        conn.execute("UPDATE tickets SET subject = 'Claim \x9b31m \u202eA-to-z' WHERE id = (SELECT min(id) FROM tickets)")
    result = run("health", str(db), "--json", env={CONFIG: str(folder / "none.toml")})
    assert result.returncode == 0, result.stderr
    _no_control_codes(result.stdout.decode())
    json.loads(result.stdout)


def test_outbox_export_puts_a_subject_with_a_line_break_on_one_line(world):
    import email
    from email import policy

    folder, db = world
    with write(connect(db)) as conn:
        conn.execute("UPDATE outbox SET subject = 'Re: your order\nBcc: everyone@example.com'")
    out = folder / "out"
    first = run("outbox", "export", str(out), "--db", str(db))
    assert first.returncode == 0, first.stderr
    [path] = out.iterdir()
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["Subject"] == "Re: your order Bcc: everyone@example.com" and message["Bcc"] is None
    again = run("outbox", "export", str(out), "--db", str(db))  # into the folder it made: fine
    assert again.returncode == 0, again.stderr


def test_outbox_mark_sent_twice_is_a_quiet_no_op_and_sent_cannot_become_failed(world):
    folder, db = world
    outbox_id = str(scalar(db, "SELECT id FROM outbox"))
    assert run("outbox", "mark", outbox_id, "sent", "--db", str(db)).returncode == 0
    before = dump(db)
    again = run("outbox", "mark", outbox_id, "sent", "--db", str(db))
    assert again.returncode == 0 and b"nothing changed" in again.stdout
    late = run("outbox", "mark", outbox_id, "failed", "--reason", "bounced", "--db", str(db))
    assert late.returncode != 0 and len(late.stderr.strip().splitlines()) == 1 and b"already marked sent" in late.stderr
    assert dump(db) == before


def test_outbox_export_replaces_a_planted_link_instead_of_writing_through_it(world):
    folder, db = world
    outbox_id = scalar(db, "SELECT id FROM outbox")
    out = folder / "out"
    out.mkdir()
    victim = folder / "victim.txt"
    victim.write_text("keep me\n")
    (out / f"outbox-{outbox_id}.eml").symlink_to(victim)
    result = run("outbox", "export", str(out), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "keep me\n"
    written = out / f"outbox-{outbox_id}.eml"
    assert not written.is_symlink() and b"X-Deskui-Outbox-Id" in written.read_bytes()
    assert [path.name for path in out.iterdir()] == [written.name]  # no temporary file left


def test_json_text_escapes_every_terminal_control_and_round_trips():
    from deskui.output import json_text, line

    value = {"s": "".join(chr(code) for code in range(0x00, 0xA0)) + "\u202e\u2066\u200f\ufeff\u2028 é 日本 \udce9"}
    text = json_text(value, indent=2)
    assert json.loads(text) == value
    assert all(ord(char) >= 0xA0 or char in "\n " or 0x20 <= ord(char) < 0x7F for char in text)
    assert not any(char in text for char in "\u202e\u2066\u200f\ufeff\u2028")
    assert line("a\nb\r\nc\x1b[31md\x9b1me\u202ef") == "a\\nb\\ncdef"
