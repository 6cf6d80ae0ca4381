"""Import files that used to give a traceback (issue 12, "Bad input that still gives a
traceback"): each now gives one line naming the file, line or field and what to do, a non-zero
exit, and leaves the database as it was. Real files, real `deskui import` processes."""

import codecs
import contextlib
import json
import os
import shutil
import subprocess

import pytest

from deskui.ingest import import_file
from deskui.ingest.base import MAX_LINE_BYTES
from deskui.policy import default_policy
from deskui.store import connect, write
from tests.conftest import NOW
from tests.helpers import dump_store as dump, scalar
from tests.test_cli import ROOT, deskui

FIXTURES = ROOT / "fixtures"
TICKETS_HEADER = "channel,external_id,body,sent_at\n"


pytestmark = pytest.mark.backends


@pytest.fixture
def stocked(db_path):
    """A database that already holds something to lose."""
    result = deskui("import", "--db", str(db_path), str(FIXTURES / "tickets/tickets.jsonl"))
    assert result.returncode == 0, result.stderr
    return db_path


def refused(db_path, file, *args):
    """Import ``file``, expect a refusal, and return the one line that names it."""
    before = dump(db_path)
    result = deskui("import", "--db", str(db_path), *args, str(file))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "Error" not in result.stderr, result.stderr
    named = [line.strip() for line in (result.stdout + result.stderr).splitlines() if line.strip().startswith(f"{file}:")]
    assert len(named) == 1, result.stdout + result.stderr
    assert dump(db_path) == before
    return named[0]


# ---------------------------------------------------------------------- a line with no end
def test_a_line_longer_than_the_limit_is_refused_by_line_number(stocked, tmp_path):
    """The 200 MB line of the issue, at the limit's size (any line above it takes this path)."""
    path = tmp_path / "huge.csv"
    with open(path, "w") as out:
        out.write(TICKETS_HEADER + "amazon,t1,hello,2026-11-25T10:00:00Z\n")
        out.write("amazon,t2," + "a" * (MAX_LINE_BYTES + 1024))  # no newline, ever
    line = refused(stocked, path)
    assert line.startswith(f"{path}:3: field file: a line longer than 32 MiB with no line break")


def test_a_long_jsonl_document_on_one_line_is_refused(stocked, tmp_path):
    path = tmp_path / "huge.jsonl"
    with open(path, "w") as out:
        out.write('{"channel": "amazon", "external_id": "x", "body": "' + "b" * (MAX_LINE_BYTES + 1))
    assert refused(stocked, path).startswith(f"{path}:1: field file: a line longer than")


def test_a_body_far_above_csvs_default_field_limit_imports_whole(db_path, tmp_path):
    body = ("line of a long message\n" * 200_000)  # 4.6 MB over 200k lines, inside one quoted field
    path = tmp_path / "long-body.csv"
    with open(path, "w", newline="") as out:
        out.write(TICKETS_HEADER + 'shopify,t1,"' + body + '",2026-11-25T10:00:00Z\n')
    result = deskui("import", "--db", str(db_path), str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert scalar(db_path, "SELECT body FROM messages") == body


# ---------------------------------------------------------------------- nesting
def test_a_hundred_thousand_nested_brackets_are_one_rejection(stocked, tmp_path):
    path = tmp_path / "nested.jsonl"
    deep = "[" * 100_000 + "]" * 100_000
    path.write_text(json.dumps({"channel": "amazon", "external_id": "ok", "body": "fine", "sent_at": "2026-11-25T10:00:00Z"}) + "\n"
                    + '{"channel": "amazon", "external_id": "deep", "body": ' + deep + "}\n")
    assert refused(stocked, path).startswith(f"{path}:2: field json: nested too deeply to read")
    bare = tmp_path / "bare.jsonl"
    bare.write_text("[" * 100_000 + "\n")
    assert refused(stocked, bare, "--format", "tickets_jsonl").startswith(f"{bare}:1: field json: nested too deeply")


# ---------------------------------------------------------------------- UTF-16
@pytest.mark.parametrize("encoding, bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
                                           ("utf-16-le", b""), ("utf-32-le", codecs.BOM_UTF32_LE)])
def test_a_utf16_csv_is_read_not_called_binary(db_path, tmp_path, encoding, bom):
    text = TICKETS_HEADER.replace("\n", "\r\n") + "amazon,u1,\"Où est mon colis ? Ça fait 3 semaines\r\nmerci\",2026-11-25T10:00:00Z\r\n"
    path = tmp_path / "unicode.csv"
    path.write_bytes(bom + text.encode(encoding))
    result = deskui("import", "--db", str(db_path), str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert scalar(db_path, "SELECT body FROM messages") == "Où est mon colis ? Ça fait 3 semaines\nmerci"


def test_an_amazon_report_saved_as_excel_unicode_text_imports_like_the_original(tmp_path):
    """Excel's "Unicode Text" is UTF-16 LE with a BOM: the same report, the same rows."""
    original = FIXTURES / "amazon/orders-by-order-date.txt"
    wide = tmp_path / "orders-unicode.txt"
    wide.write_bytes(codecs.BOM_UTF16_LE + original.read_text(encoding="utf-8").encode("utf-16-le"))
    counts = []
    for number, path in enumerate((original, wide)):
        conn = connect(tmp_path / f"{number}.db", create=True)
        counts.append(import_file(conn, path, policy=default_policy(), now=NOW).counts)
        conn.close()
    assert counts[0] == counts[1] and counts[0]["orders"]["added"] > 0
    tables = ("orders", "order_items")
    assert [t for t in dump(tmp_path / "0.db") if t[0] in tables] == [t for t in dump(tmp_path / "1.db") if t[0] in tables]


def test_utf16_mail_is_refused_with_what_to_do(stocked, tmp_path):
    path = tmp_path / "message.eml"
    path.write_bytes(codecs.BOM_UTF16_LE + (FIXTURES / "mail/thread-1.eml").read_text().encode("utf-16-le"))
    assert "export it again as .eml or mbox" in refused(stocked, path)


# ---------------------------------------------------------------------- empty files
def test_a_zero_byte_file_is_called_empty(stocked, tmp_path):
    path = tmp_path / "nothing.csv"
    path.touch()
    assert refused(stocked, path) == f"{path}:1: field file: empty file"


def test_a_zero_byte_database_is_called_empty_not_another_programs(tmp_path):
    db = tmp_path / "empty.db"
    db.touch()
    result = deskui("import", "--db", str(db), str(FIXTURES / "tickets/tickets.jsonl"))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert f"{db}: an empty file (0 bytes), not a deskui database" in line and "deskui init" in line
    assert "another program" not in line and db.stat().st_size == 0


# ---------------------------------------------------------------------- day/month order
def test_ambiguous_dates_need_the_order_and_the_order_is_followed(db_path, tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text(TICKETS_HEADER + "amazon,d1,hello,01/02/2026 10:00\n")
    line = refused(db_path, path)
    assert line.startswith(f"{path}:2: field sent_at: not a date/time: '01/02/2026 10:00' (ambiguous date")
    assert "--dayfirst" in line
    for flag, stored in (("--dayfirst", "2026-02-01T10:00:00Z"), ("--monthfirst", "2026-01-02T10:00:00Z")):
        result = deskui("import", "--db", str(db_path), flag, str(path))
        assert result.returncode == 0, result.stdout + result.stderr
        assert scalar(db_path, "SELECT sent_at FROM messages") == stored
        with contextlib.closing(connect(db_path)) as conn, write(conn):
            conn.execute("DELETE FROM tickets")


def test_a_partial_time_is_refused_naming_what_is_missing(db_path, tmp_path):
    path = tmp_path / "partial.jsonl"
    path.write_text(json.dumps({"channel": "amazon", "external_id": "p1", "body": "hi", "sent_at": "3 pm"}) + "\n")
    line = refused(db_path, path)
    assert line == f"{path}:1: field sent_at: not a date/time: '3 pm' (not a whole date (no year/month/day))"


# ---------------------------------------------------------------------- a full disk
@pytest.fixture
def small_disk(tmp_path):
    """A real 2 MB tmpfs: SQLite meets a full disk, not a simulation of one."""
    folder = tmp_path / "small"
    folder.mkdir()
    mount = shutil.which("mount")
    result = subprocess.run([mount, "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True, text=True) \
        if mount else None
    if result is None or result.returncode != 0:
        reason = f"cannot mount a small tmpfs here ({(result.stderr.strip() if result else 'no mount command')}): needs root"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    yield folder
    if subprocess.run(["umount", str(folder)], capture_output=True).returncode:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)  # still busy: detach it


def test_a_full_disk_during_import_is_one_line_and_loses_nothing(small_disk, tmp_path):
    db = small_disk / "desk.db"
    assert deskui("init", str(db)).returncode == 0
    first = deskui("import", "--db", str(db), str(FIXTURES / "tickets/tickets.jsonl"))
    assert first.returncode == 0, first.stderr
    before = dump(db)
    big = tmp_path / "big.jsonl"
    with open(big, "w") as out:
        for number in range(20_000):
            out.write(json.dumps({"channel": "amazon", "external_id": f"b{number}", "body": "Where is my parcel? " * 10,
                                  "sent_at": "2026-11-25T10:00:00Z"}) + "\n")
    result = deskui("import", "--db", str(db), str(big))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"{big}: import stopped: the disk holding {db} is full") and "import the file again" in line
    assert dump(db) == before
